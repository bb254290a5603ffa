//! Writing a judgment's data into its case's rows: the parties, the obligations and the
//! judgment's fields, when the case is opened at intake and when an amendment replaces them.

use thads_schemas::court::judgment::{
    DocumentKind, Judgment, ObligationKind, PartyKind, PartyRole,
};

use crate::db::{now_ms, Tx};

/// Ex officio (chủ động) when the judgment orders anything for the State — court fees, fines,
/// confiscation (Art. 36(1)) — or is an interim measure; otherwise the creditor must ask
/// (theo đơn).
pub(super) fn initiation_of(j: &Judgment) -> &'static str {
    let for_state = j.document_kind == DocumentKind::InterimMeasure
        || j.obligations.iter().any(|o| {
            o.creditor.is_none()
                || matches!(
                    o.kind,
                    ObligationKind::CourtFee
                        | ObligationKind::Fine
                        | ObligationKind::Confiscation
                        | ObligationKind::Destruction
                )
        });
    if for_state {
        "ex_officio"
    } else {
        "on_request"
    }
}

/// Replaces a case's judgment data, parties and obligations with a corrected document's.
pub(super) async fn replace_judgment_data(
    tx: &mut Tx<'_>,
    case_id: &str,
    j: &Judgment,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM case_obligations WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM case_parties WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    store_parties(tx, case_id, j).await?;
    store_obligations(tx, case_id, j).await?;
    sqlx::query(
        "UPDATE cases SET judgment_number = $2, judgment_date = $3, effective_date = $4, \
         operative_text = COALESCE($5, operative_text), amount_vnd = $6, initiation = $7, \
         judgment_kind = $8, document_kind = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(case_id)
    .bind(&j.judgment_number)
    .bind(j.judgment_date.to_string())
    .bind(j.effective_date.to_string())
    .bind(j.operative_text.as_deref())
    .bind(total_amount(j))
    .bind(initiation_of(j))
    .bind(j.kind().as_str())
    .bind(j.document_kind.as_str())
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The sum of the judgment's amounts, in đồng.
pub(super) fn total_amount(j: &Judgment) -> i64 {
    j.obligations
        .iter()
        .filter_map(|o| o.amount.map(|a| a.amount()))
        .fold(0i64, i64::saturating_add)
}

/// Writes the judgment's parties as the case's.
pub(super) async fn store_parties(
    tx: &mut Tx<'_>,
    case_id: &str,
    j: &Judgment,
) -> Result<(), sqlx::Error> {
    for p in &j.parties {
        PartyRow {
            party_ref: &p.id,
            role: role_code(p.role),
            kind: match p.kind {
                PartyKind::Person => "person",
                PartyKind::Organisation => "organisation",
            },
            name: p.name.as_str(),
            cccd: p.cccd.as_ref().map(|c| c.as_str()),
            birth_year: p.birth_year,
            address: p.address.as_ref().map(|a| a.as_str()),
        }
        .insert(tx, case_id)
        .await?;
    }
    Ok(())
}

/// One row of `case_parties`, whichever source it comes from (a court's judgment or a
/// confirmed extraction from a scan); the text is already NFC-normalized.
pub(super) struct PartyRow<'a> {
    /// The party's reference within the case (`D1`, `X2`).
    pub party_ref: &'a str,
    /// `creditor`, `debtor` or `interested`.
    pub role: &'a str,
    /// `person` or `organisation`.
    pub kind: &'a str,
    /// The name.
    pub name: &'a str,
    /// The CCCD, already validated.
    pub cccd: Option<&'a str>,
    /// The year of birth.
    pub birth_year: Option<u16>,
    /// The address.
    pub address: Option<&'a str>,
}

impl PartyRow<'_> {
    /// Inserts the row for `case_id`.
    pub(super) async fn insert(&self, tx: &mut Tx<'_>, case_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO case_parties (case_id, party_ref, role, kind, name, cccd, birth_year, address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(case_id)
        .bind(self.party_ref)
        .bind(self.role)
        .bind(self.kind)
        .bind(self.name)
        .bind(self.cccd)
        .bind(self.birth_year.map(i64::from))
        .bind(self.address)
        .execute(&mut **tx)
        .await
        .map(|_| ())
    }
}

/// One row of `case_obligations`, whichever source it comes from.
pub(super) struct ObligationRow<'a> {
    /// Its place in the judgment, from 1.
    pub position: usize,
    /// The obligation kind's code.
    pub kind: &'a str,
    /// The party reference of who performs it.
    pub debtor_ref: &'a str,
    /// The party reference of who receives it (none: the State).
    pub creditor_ref: Option<&'a str>,
    /// The amount in đồng.
    pub amount_vnd: Option<i64>,
    /// The judgment's words.
    pub description: Option<&'a str>,
    /// `monthly`, `quarterly` or `yearly` for recurring payments.
    pub period: Option<&'a str>,
}

impl ObligationRow<'_> {
    /// Inserts the row for `case_id`.
    pub(super) async fn insert(&self, tx: &mut Tx<'_>, case_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO case_obligations (case_id, position, kind, debtor_ref, creditor_ref, \
             amount_vnd, description, period) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(case_id)
        .bind(i64::try_from(self.position).unwrap_or(i64::MAX))
        .bind(self.kind)
        .bind(self.debtor_ref)
        .bind(self.creditor_ref)
        .bind(self.amount_vnd)
        .bind(self.description)
        .bind(self.period)
        .execute(&mut **tx)
        .await
        .map(|_| ())
    }
}

/// Writes the judgment's obligations as the case's, numbered from 1 in the judgment's order.
pub(super) async fn store_obligations(
    tx: &mut Tx<'_>,
    case_id: &str,
    j: &Judgment,
) -> Result<(), sqlx::Error> {
    for (i, o) in j.obligations.iter().enumerate() {
        ObligationRow {
            position: i + 1,
            kind: o.kind.as_str(),
            debtor_ref: &o.debtor,
            creditor_ref: o.creditor.as_deref(),
            amount_vnd: o.amount.map(|a| a.amount()),
            description: o.description.as_deref(),
            period: o.period.map(|p| p.as_str()),
        }
        .insert(tx, case_id)
        .await?;
    }
    Ok(())
}

/// The stored code of a party's role.
fn role_code(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Creditor => "creditor",
        PartyRole::Debtor => "debtor",
        PartyRole::Interested => "interested",
    }
}
