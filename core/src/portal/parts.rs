//! The pieces of a party's case view that come from other modules' tables: issued decisions,
//! the notices addressed to the party, service recorded by the office, account orders on the
//! party's own accounts, disbursement lines, and the case's steps. Each keeps to what the party
//! may see: no staff usernames, no other party's accounts.

use serde::Serialize;
use sqlx::Row;
use thads_schemas::cccd::Cccd;
use thads_schemas::notice::NoticeCommand;
use thads_schemas::subjects;

use crate::db::{rfc3339, Db};
use crate::lifecycle::history::OperationView;

/// A decision issued on the case, with links to its documents.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionLink {
    /// The decision's id (`/v1/me/cases/{case}/decisions/{id}/pdf`), when the hub holds the
    /// document; `None` for a decision recorded by number only.
    pub id: Option<String>,
    /// `ex_officio` (chủ động), `on_request` (theo yêu cầu), or `recorded` for one known by
    /// number only.
    pub kind: String,
    /// Its number, e.g. `12/QĐ-CCTHADS`.
    pub number: Option<String>,
    /// The day it was issued (ISO).
    pub issued_on: Option<String>,
    /// Where to download it as PDF.
    pub pdf: Option<String>,
    /// Where to read it as HTML.
    pub html: Option<String>,
}

/// The decisions issued on a case: those drafted, signed and issued in the hub (with their
/// documents), then the case's decision when it was recorded by number only.
pub async fn decisions(db: &Db, case_id: &str) -> Result<Vec<DecisionLink>, sqlx::Error> {
    let mut out = sqlx::query(
        "SELECT id, kind, number, issued_on FROM decision_drafts WHERE case_id = $1 \
         AND state = 'issued' ORDER BY issued_on, id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let id: String = r.try_get("id")?;
        Ok(DecisionLink {
            pdf: Some(format!("/v1/me/cases/{case_id}/decisions/{id}/pdf")),
            html: Some(format!("/v1/me/cases/{case_id}/decisions/{id}/html")),
            kind: r.try_get("kind")?,
            number: r.try_get("number")?,
            issued_on: r.try_get("issued_on")?,
            id: Some(id),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let recorded = sqlx::query("SELECT decision_number, decision_on FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(db.pool())
        .await?;
    if let Some(r) = recorded {
        let number: Option<String> = r.try_get("decision_number")?;
        if number.is_some() && !out.iter().any(|d| d.number == number) {
            out.push(DecisionLink {
                id: None,
                kind: "recorded".into(),
                number,
                issued_on: r.try_get("decision_on")?,
                pdf: None,
                html: None,
            });
        }
    }
    Ok(out)
}

/// The issued document of decision `draft_id` of case `case_id` (PDF bytes, or the HTML as
/// bytes); `None` unless the decision was issued on that case: a party never sees drafts.
pub async fn issued_document(
    db: &Db,
    case_id: &str,
    draft_id: &str,
    pdf: bool,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT issued_html, issued_pdf FROM decision_drafts WHERE id = $1 AND case_id = $2 \
         AND state = 'issued'",
    )
    .bind(draft_id)
    .bind(case_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if pdf {
        row.try_get("issued_pdf")
    } else {
        Ok(row
            .try_get::<Option<String>, _>("issued_html")?
            .map(String::into_bytes))
    }
}

/// A notice sent to the party through VNeID, with its delivery.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeToYou {
    /// The notice's id.
    pub notice_id: String,
    /// `case_opened`, `decision_issued`, `receipt`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Delivery state (`emitted`, `sending`, `delivered`, `failed`, ...).
    pub state: String,
    /// How it was validly served (`vneid`, `email`, `direct`, `post`, `posting`), once served.
    pub channel: Option<String>,
    /// The legal notice date (ISO), once served.
    pub served_on: Option<String>,
    /// When it was sent (RFC 3339).
    pub sent_at: String,
}

/// The notices of case `case_id` addressed to one of `refs`.
pub async fn notices_to(
    db: &Db,
    case_id: &str,
    refs: &[&str],
) -> Result<Vec<NoticeToYou>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.id, m.state, m.payload, m.created_at, s.channel, s.served_on FROM messages m \
         LEFT JOIN notice_service s ON s.notice_id = m.id \
         WHERE m.case_id = $1 AND m.subject = $2 ORDER BY m.created_at, m.id",
    )
    .bind(case_id)
    .bind(subjects::OUT_VNEID_NOTIFY)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let payload: Vec<u8> = r.try_get("payload")?;
        let Ok(notice) = serde_json::from_slice::<NoticeCommand>(&payload) else {
            continue;
        };
        if !refs.contains(&notice.recipient.party_ref.as_str()) {
            continue;
        }
        out.push(NoticeToYou {
            notice_id: r.try_get("id")?,
            kind: notice.kind.as_str().to_string(),
            title: notice.title,
            body: notice.body,
            state: r.try_get("state")?,
            channel: r.try_get("channel")?,
            served_on: r.try_get("served_on")?,
            sent_at: rfc3339(r.try_get("created_at")?),
        });
    }
    Ok(out)
}

/// The office's record of serving the case's documents on the party.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRecord {
    /// The side served (`creditor`, `debtor`).
    pub party: String,
    /// How (`vneid`, `email`, `direct`, `post`, `posting`, `media`).
    pub channel: Option<String>,
    /// The legal day of service: it starts the voluntary period for a debtor.
    pub served_on: String,
}

/// The `notify` operations of the case that served one of `roles`.
pub fn service_records(operations: &[OperationView], roles: &[String]) -> Vec<ServiceRecord> {
    operations
        .iter()
        .filter(|o| o.operation == "notify")
        .filter_map(|o| {
            let party = o.params.get("party")?.as_str()?;
            roles.iter().any(|r| r == party).then(|| ServiceRecord {
                party: party.to_string(),
                channel: o
                    .params
                    .get("channel")
                    .and_then(|c| c.as_str())
                    .map(str::to_string),
                served_on: o.effective_on.clone(),
            })
        })
        .collect()
}

/// One step the case went through.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The operation (`register`, `issue_decision`, `notify`, ...).
    pub operation: String,
    /// The state it led to.
    pub state: String,
    /// That state in Vietnamese.
    pub state_vi: String,
    /// The legal day.
    pub on: String,
}

/// The case's operations without who performed them.
pub fn progress(operations: &[OperationView]) -> Vec<Step> {
    operations
        .iter()
        .map(|o| Step {
            operation: o.operation.clone(),
            state_vi: crate::lifecycle::CaseState::parse(&o.to_state)
                .map(|s| s.title_vi().to_string())
                .unwrap_or_default(),
            state: o.to_state.clone(),
            on: o.effective_on.clone(),
        })
        .collect()
}

/// An order to a bank on one of the party's accounts.
#[derive(Debug, Clone, Serialize)]
pub struct AccountOrderView {
    /// The order's id.
    pub order_id: String,
    /// `freeze`, `confirm_freeze`, `deduct`, `release` or `payout`.
    pub kind: String,
    /// The bank's code.
    pub bank: String,
    /// The party's account (for a payout, the account paid into), all but its last four
    /// characters masked.
    pub account: String,
    /// The amount frozen, deducted, released or paid, in whole đồng.
    pub amount_vnd: i64,
    /// The decision it carries out.
    pub decision_number: String,
    /// The day it was issued (ISO).
    pub issued_on: String,
    /// `issued`, `sent`, `executed`, `rejected`, `failed`.
    pub state: String,
    /// What the bank executed, in whole đồng, once acknowledged.
    pub executed_vnd: Option<i64>,
    /// When the bank executed it.
    pub executed_at: Option<String>,
}

/// Masks an account number but its last four characters.
pub fn mask_account(account: &str) -> String {
    let n = account.chars().count();
    account
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// The account orders of case `case_id` whose holder is `cccd` (by the CCCD in the order sent
/// to the bank).
pub async fn account_orders(
    db: &Db,
    case_id: &str,
    cccd: &Cccd,
) -> Result<Vec<AccountOrderView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.order_id, o.kind, o.bank, o.account, o.amount_vnd, o.decision_number, \
         o.issued_on, o.state, o.ack_amount_vnd, o.executed_at, m.payload FROM bank_orders o \
         LEFT JOIN messages m ON m.id = o.order_id WHERE o.case_id = $1 \
         ORDER BY o.created_at, o.order_id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let payload: Option<Vec<u8>> = r.try_get("payload")?;
        let order = payload.and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok());
        let field = |name: &str| {
            order
                .as_ref()
                .and_then(|v| v.get(name)?.as_str().map(str::to_string))
        };
        if field("holder_cccd").as_deref() != Some(cccd.as_str()) {
            continue;
        }
        let kind: String = r.try_get("kind")?;
        // A payout moves money from the deposit account to the party's: show theirs.
        let account = match field("destination_account") {
            Some(to) if kind == "payout" => to,
            _ => r.try_get("account")?,
        };
        out.push(AccountOrderView {
            order_id: r.try_get("order_id")?,
            kind,
            bank: r.try_get("bank")?,
            account: mask_account(&account),
            amount_vnd: r.try_get("amount_vnd")?,
            decision_number: r.try_get("decision_number")?,
            issued_on: r.try_get("issued_on")?,
            state: r.try_get("state")?,
            executed_vnd: r.try_get("ack_amount_vnd")?,
            executed_at: r.try_get("executed_at")?,
        });
    }
    Ok(out)
}

/// A line of a disbursement: who got how much, in the legal order of payment.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentLine {
    /// When the money was paid out (RFC 3339).
    pub paid_at: String,
    /// Its rank: `costs`, `maintenance`, `court_fees`, `other` (Art. 47(1)).
    pub rank: String,
    /// The rank in Vietnamese.
    pub rank_vi: &'static str,
    /// The obligation's position in the judgment (0: enforcement costs).
    pub position: i64,
    /// The obligation kind.
    pub kind: String,
    /// `creditor`, `state` or `agency`.
    pub payee: String,
    /// The creditor's party reference.
    pub creditor: Option<String>,
    /// Paid by this line, in whole đồng.
    pub amount_vnd: i64,
    /// Still owed on the obligation after it.
    pub remaining_vnd: i64,
    /// Whether the money went to the signed-in party.
    pub to_you: bool,
    /// The payout's state at the bank, for the party's own lines.
    pub payout_state: Option<String>,
}

fn rank_vi(rank: &str) -> &'static str {
    match rank {
        "costs" => "Chi phí cưỡng chế thi hành án",
        "maintenance" => "Tiền cấp dưỡng, tiền lương, tiền công, bồi thường tính mạng, sức khỏe",
        "court_fees" => "Án phí, lệ phí Tòa án",
        _ => "Các khoản phải thi hành khác theo bản án, quyết định",
    }
}

/// Every disbursement line of the case, oldest disbursement first, in the order of payment.
pub async fn payment_lines(
    db: &Db,
    case_id: &str,
    refs: &[&str],
) -> Result<Vec<PaymentLine>, sqlx::Error> {
    let mut out = Vec::new();
    for d in crate::disbursement::store::for_case(db, case_id).await? {
        for l in d.lines {
            let to_you =
                l.payee == "creditor" && l.creditor.as_deref().is_some_and(|c| refs.contains(&c));
            out.push(PaymentLine {
                paid_at: d.created_at.clone(),
                rank_vi: rank_vi(&l.rank),
                rank: l.rank,
                position: l.position,
                kind: l.kind,
                payee: l.payee,
                creditor: l.creditor,
                amount_vnd: l.amount_vnd,
                remaining_vnd: l.remaining_vnd,
                payout_state: if to_you { l.payout_state } else { None },
                to_you,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_show_only_their_last_four_characters() {
        assert_eq!(mask_account("0071000888999"), "*********8999");
        assert_eq!(mask_account("123"), "123");
    }
}
