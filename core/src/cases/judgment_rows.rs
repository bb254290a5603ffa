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
        sqlx::query(
            "INSERT INTO case_parties (case_id, party_ref, role, kind, name, cccd, birth_year, address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(case_id)
        .bind(&p.id)
        .bind(role_code(p.role))
        .bind(match p.kind {
            PartyKind::Person => "person",
            PartyKind::Organisation => "organisation",
        })
        .bind(p.name.as_str())
        .bind(p.cccd.as_ref().map(|c| c.as_str().to_string()))
        .bind(p.birth_year.map(i64::from))
        .bind(p.address.as_ref().map(|a| a.as_str().to_string()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Writes the judgment's obligations as the case's, numbered from 1 in the judgment's order.
pub(super) async fn store_obligations(
    tx: &mut Tx<'_>,
    case_id: &str,
    j: &Judgment,
) -> Result<(), sqlx::Error> {
    for (i, o) in j.obligations.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_obligations (case_id, position, kind, debtor_ref, creditor_ref, \
             amount_vnd, description, period) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(case_id)
        .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
        .bind(o.kind.as_str())
        .bind(&o.debtor)
        .bind(o.creditor.as_deref())
        .bind(o.amount.map(|a| a.amount()))
        .bind(o.description.as_deref())
        .bind(o.period.map(|p| p.as_str()))
        .execute(&mut **tx)
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
