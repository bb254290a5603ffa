//! What a party sees of their own cases: the list of cases where their CCCD is a party, and one
//! case with its obligations, the decisions issued, the notices addressed to them and how they
//! were served, payments with their e-receipts, the account orders on their own accounts, the
//! disbursement lines in the legal order of payment, and what they still owe or are owed.
//!
//! Nothing here is shown for a case the CCCD is not a party to: [`load`] answers `None`, like a
//! case that does not exist. Other parties' CCCDs are masked; staff usernames never appear.

use serde::Serialize;
use sqlx::Row;
use thads_schemas::cccd::Cccd;

use super::parts::{self, AccountOrderView, DecisionLink, NoticeToYou, PaymentLine, ServiceRecord};
use crate::db::Db;

/// One of the party's cases, as their list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PartyCaseSummary {
    /// The case id (`GET /v1/me/cases/{id}`).
    pub id: String,
    /// The office holding it.
    pub office: String,
    /// Its state, and in Vietnamese.
    pub state: String,
    /// The state in Vietnamese.
    pub state_vi: String,
    /// The court that gave the judgment.
    pub court: String,
    /// The judgment's number.
    pub judgment_number: String,
    /// The party's roles in it (`creditor`, `debtor`, `interested`).
    pub your_roles: Vec<String>,
}

/// A party of the case: the signed-in party in full, the others with their CCCD masked.
#[derive(Debug, Clone, Serialize)]
pub struct PartyOfCase {
    /// Reference in the judgment (`P1`).
    pub party_ref: String,
    /// `creditor`, `debtor` or `interested`.
    pub role: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// Name as the court wrote it.
    pub name: String,
    /// CCCD: in full for the signed-in party, masked for the others.
    pub cccd: Option<String>,
    /// Whether this is the signed-in party.
    pub you: bool,
}

/// One obligation of the judgment.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationOfCase {
    /// Position in the judgment, from 1.
    pub position: i64,
    /// Kind (`pay_money`, `court_fee`, ...).
    pub kind: String,
    /// Debtor's party reference.
    pub debtor: String,
    /// Creditor's party reference; none for the State.
    pub creditor: Option<String>,
    /// Amount in whole đồng (per period for a recurring obligation).
    pub amount_vnd: Option<i64>,
    /// `monthly`, `quarterly`, `yearly` for a recurring obligation.
    pub period: Option<String>,
    /// Whether the signed-in party owes it (`owed_by_you`) or is owed it (`owed_to_you`).
    pub yours: Option<&'static str>,
}

/// The money of the case from the party's side, in whole đồng.
#[derive(Debug, Clone, Serialize)]
pub struct PartyMoney {
    /// Due under the judgment, all obligations together.
    pub case_amount_vnd: i64,
    /// Collected on the case so far.
    pub collected_vnd: i64,
    /// Still to be paid on the case (the debtors together), after reductions.
    pub remaining_vnd: i64,
    /// When the party is a debtor: what is still to pay on the case (the amount the transfer QR
    /// code asks for). Zero for a party who owes nothing.
    pub you_owe_vnd: i64,
    /// When the party is a creditor: the money obligations owed to them.
    pub owed_to_you_vnd: i64,
    /// Paid out to them so far by disbursements.
    pub paid_to_you_vnd: i64,
    /// Still to come to them: owed less paid out.
    pub still_to_receive_vnd: i64,
}

/// One of the party's cases in full.
#[derive(Debug, Clone, Serialize)]
pub struct PartyCaseView {
    /// The case id.
    pub id: String,
    /// The office holding it.
    pub office: String,
    /// Current state.
    pub state: String,
    /// The state in Vietnamese.
    pub state_vi: String,
    /// Court code.
    pub court_code: String,
    /// Court name.
    pub court: String,
    /// Judgment number.
    pub judgment_number: String,
    /// Judgment date (ISO).
    pub judgment_date: String,
    /// Date the judgment took legal effect (ISO).
    pub effective_date: String,
    /// The reference to quote when paying by transfer.
    pub payment_reference: String,
    /// Day the case was accepted for enforcement (thụ lý).
    pub registered_on: Option<String>,
    /// The signed-in party's roles.
    pub your_roles: Vec<String>,
    /// Every party of the judgment.
    pub parties: Vec<PartyOfCase>,
    /// The obligations.
    pub obligations: Vec<ObligationOfCase>,
    /// Decisions issued on the case, with their documents.
    pub decisions: Vec<DecisionLink>,
    /// Notices addressed to the party, with their delivery and how they were served.
    pub notices: Vec<NoticeToYou>,
    /// Service of the case's documents on the party recorded by the office (VNeID, direct,
    /// post, posting), with the legal day.
    pub service: Vec<ServiceRecord>,
    /// Payments posted on the case, each with its e-receipts.
    pub payments: Vec<crate::cases::payments::CasePaymentView>,
    /// Freezes, deductions, releases and payouts on the party's own accounts.
    pub account_orders: Vec<AccountOrderView>,
    /// Every disbursement line in the legal order of payment (Art. 47).
    pub disbursement_lines: Vec<PaymentLine>,
    /// The money.
    pub money: PartyMoney,
    /// The steps the case went through (operation, new state, legal day).
    pub progress: Vec<parts::Step>,
}

/// The cases where `cccd` is a party, newest first.
pub async fn cases_of(db: &Db, cccd: &Cccd) -> Result<Vec<PartyCaseSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.office_code, c.state, c.court_name, c.judgment_number, p.role \
         FROM case_parties p JOIN cases c ON c.id = p.case_id WHERE p.cccd = $1 \
         ORDER BY c.created_at DESC, c.id, p.role",
    )
    .bind(cccd.as_str())
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<PartyCaseSummary> = Vec::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        let role: String = r.try_get("role")?;
        if let Some(last) = out.last_mut().filter(|c| c.id == id) {
            if !last.your_roles.contains(&role) {
                last.your_roles.push(role);
            }
            continue;
        }
        let state: String = r.try_get("state")?;
        out.push(PartyCaseSummary {
            id,
            office: r.try_get("office_code")?,
            state_vi: state_vi(&state),
            state,
            court: r.try_get("court_name")?,
            judgment_number: r.try_get("judgment_number")?,
            your_roles: vec![role],
        });
    }
    Ok(out)
}

/// The party references and roles `cccd` has in case `case_id`; empty when it is not a party.
pub async fn refs_in_case(
    db: &Db,
    case_id: &str,
    cccd: &Cccd,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query(
        "SELECT party_ref, role FROM case_parties WHERE case_id = $1 AND cccd = $2 \
         ORDER BY party_ref",
    )
    .bind(case_id)
    .bind(cccd.as_str())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("party_ref")?, r.try_get("role")?)))
    .collect()
}

fn state_vi(state: &str) -> String {
    crate::lifecycle::CaseState::parse(state)
        .map(|s| s.title_vi().to_string())
        .unwrap_or_default()
}

/// Case `case_id` as party `cccd` sees it; `None` when there is no such case or `cccd` is not
/// one of its parties.
pub async fn load(
    db: &Db,
    case_id: &str,
    cccd: &Cccd,
) -> Result<Option<PartyCaseView>, sqlx::Error> {
    let mine = refs_in_case(db, case_id, cccd).await?;
    if mine.is_empty() {
        return Ok(None);
    }
    let Some(c) = sqlx::query(
        "SELECT id, office_code, state, court_code, court_name, judgment_number, judgment_date, \
         effective_date, payment_reference, registered_on, amount_vnd, collected_vnd, \
         reduced_vnd FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let my_refs: Vec<&str> = mine.iter().map(|(r, _)| r.as_str()).collect();
    let mut your_roles: Vec<String> = mine.iter().map(|(_, role)| role.clone()).collect();
    your_roles.dedup();
    let parties = sqlx::query(
        "SELECT party_ref, role, kind, name, cccd FROM case_parties WHERE case_id = $1 \
         ORDER BY party_ref",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let party_ref: String = r.try_get("party_ref")?;
        let you = my_refs.contains(&party_ref.as_str());
        let stored: Option<String> = r.try_get("cccd")?;
        let cccd = stored.map(|s| match Cccd::parse(&s) {
            Ok(c) if you => c.as_str().to_string(),
            Ok(c) => c.masked(),
            Err(_) => "***".into(),
        });
        Ok(PartyOfCase {
            party_ref,
            role: r.try_get("role")?,
            kind: r.try_get("kind")?,
            name: r.try_get("name")?,
            cccd,
            you,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let obligations = sqlx::query(
        "SELECT position, kind, debtor_ref, creditor_ref, amount_vnd, period FROM case_obligations \
         WHERE case_id = $1 ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let debtor: String = r.try_get("debtor_ref")?;
        let creditor: Option<String> = r.try_get("creditor_ref")?;
        let yours = if my_refs.contains(&debtor.as_str()) {
            Some("owed_by_you")
        } else if creditor.as_deref().is_some_and(|c| my_refs.contains(&c)) {
            Some("owed_to_you")
        } else {
            None
        };
        Ok(ObligationOfCase {
            position: r.try_get("position")?,
            kind: r.try_get("kind")?,
            debtor,
            creditor,
            amount_vnd: r.try_get("amount_vnd")?,
            period: r.try_get("period")?,
            yours,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let disbursement_lines = parts::payment_lines(db, case_id, &my_refs).await?;
    let amount: i64 = c.try_get("amount_vnd")?;
    let collected: i64 = c.try_get("collected_vnd")?;
    let reduced: i64 = c.try_get("reduced_vnd")?;
    let remaining = (amount - collected - reduced).max(0);
    let owed_to_you: i64 = obligations
        .iter()
        .filter(|o| o.yours == Some("owed_to_you"))
        .filter_map(|o| o.amount_vnd)
        .sum();
    let paid_to_you: i64 = disbursement_lines
        .iter()
        .filter(|l| l.to_you)
        .map(|l| l.amount_vnd)
        .sum();
    let is_debtor = your_roles.iter().any(|r| r == "debtor");
    let money = PartyMoney {
        case_amount_vnd: amount,
        collected_vnd: collected,
        remaining_vnd: remaining,
        you_owe_vnd: if is_debtor { remaining } else { 0 },
        owed_to_you_vnd: owed_to_you,
        paid_to_you_vnd: paid_to_you,
        still_to_receive_vnd: (owed_to_you - paid_to_you).max(0),
    };
    let state: String = c.try_get("state")?;
    let operations = crate::lifecycle::history::for_case(db, case_id).await?;
    Ok(Some(PartyCaseView {
        id: c.try_get("id")?,
        office: c.try_get("office_code")?,
        state_vi: state_vi(&state),
        state,
        court_code: c.try_get("court_code")?,
        court: c.try_get("court_name")?,
        judgment_number: c.try_get("judgment_number")?,
        judgment_date: c.try_get("judgment_date")?,
        effective_date: c.try_get("effective_date")?,
        payment_reference: c.try_get("payment_reference")?,
        registered_on: c.try_get("registered_on")?,
        decisions: parts::decisions(db, case_id).await?,
        notices: parts::notices_to(db, case_id, &my_refs).await?,
        service: parts::service_records(&operations, &your_roles),
        payments: crate::cases::payments::for_case(db, case_id).await?,
        account_orders: parts::account_orders(db, case_id, cccd).await?,
        progress: parts::progress(&operations),
        your_roles,
        parties,
        obligations,
        disbursement_lines,
        money,
    }))
}
