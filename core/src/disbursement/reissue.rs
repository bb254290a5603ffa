//! Issuing a creditor's payout again after the bank rejected it (a closed or wrong account):
//! the line's money has stayed on the deposit account, held for that creditor; an officer
//! names a corrected account, and the line points to the new payout order. Each re-issue is
//! kept (`payout_reissues`) with who did it and why, and noted in the case's history. Only a
//! rejected payout may be issued again: a payout still in flight, or one that failed delivery
//! and may yet be replayed, would otherwise be paid twice.

use serde::Serialize;
use sqlx::Row;

use crate::cases::intake::add_case_event;
use crate::db::{now_ms, Tx};

/// A creditor line as a re-issue needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutLine {
    /// The disbursement.
    pub disbursement_id: String,
    /// The line's number in it (from 1).
    pub line_no: i64,
    /// The case.
    pub case_id: String,
    /// The case's office.
    pub office: String,
    /// The creditor's party reference.
    pub creditor: String,
    /// The amount of the line, in đồng.
    pub amount_vnd: i64,
    /// The bank that executed (or refused) the payout.
    pub bank: String,
    /// The payout order the line points to now.
    pub order_id: String,
    /// That order's state.
    pub order_state: String,
    /// How many times the line was issued again before.
    pub reissues: i64,
}

/// Why a line cannot be issued again.
#[derive(Debug, thiserror::Error)]
pub enum ReissueError {
    /// No such disbursement line.
    #[error("no line {1} in disbursement {0}")]
    NotFound(String, i64),
    /// The line pays the State or the agency: nothing goes to a bank account.
    #[error("line {0} pays no private creditor; only a creditor's payout is issued again")]
    NotACreditor(i64),
    /// The line's payout was not rejected.
    #[error("the payout {order} is {state}; only a payout the bank rejected is issued again")]
    NotRejected {
        /// The current order.
        order: String,
        /// Its state.
        state: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Reads line `line_no` of disbursement `id` and checks that it may be issued again.
pub async fn line(tx: &mut Tx<'_>, id: &str, line_no: i64) -> Result<PayoutLine, ReissueError> {
    let r = sqlx::query(
        "SELECT l.case_id, d.office_code, l.payee_kind, l.payee_ref, l.amount_vnd, l.bank, \
         l.order_id, o.state AS order_state, \
         (SELECT COUNT(*) FROM payout_reissues r WHERE r.disbursement_id = l.disbursement_id \
          AND r.line_no = l.line_no) AS reissues \
         FROM disbursement_lines l JOIN disbursements d ON d.id = l.disbursement_id \
         LEFT JOIN bank_orders o ON o.order_id = l.order_id \
         WHERE l.disbursement_id = $1 AND l.line_no = $2",
    )
    .bind(id)
    .bind(line_no)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ReissueError::NotFound(id.to_string(), line_no))?;
    let payee: String = r.try_get("payee_kind")?;
    let creditor: Option<String> = r.try_get("payee_ref")?;
    let order_id: Option<String> = r.try_get("order_id")?;
    let (Some(creditor), Some(order_id), "creditor") = (creditor, order_id, payee.as_str()) else {
        return Err(ReissueError::NotACreditor(line_no));
    };
    let order_state: Option<String> = r.try_get("order_state")?;
    let order_state = order_state.unwrap_or_else(|| "unknown".into());
    if order_state != "rejected" {
        return Err(ReissueError::NotRejected {
            order: order_id,
            state: order_state,
        });
    }
    Ok(PayoutLine {
        disbursement_id: id.to_string(),
        line_no,
        case_id: r.try_get("case_id")?,
        office: r.try_get("office_code")?,
        creditor,
        amount_vnd: r.try_get("amount_vnd")?,
        bank: r.try_get::<Option<String>, _>("bank")?.unwrap_or_default(),
        order_id,
        order_state,
        reissues: r.try_get("reissues")?,
    })
}

/// The id of the next payout order of `line`: `<disbursement>-<line>-r<n>`.
pub fn next_order_id(line: &PayoutLine) -> String {
    format!(
        "{}-{}-r{}",
        line.disbursement_id,
        line.line_no,
        line.reissues + 1
    )
}

/// Points `line` to its new payout order `order_id` paying `account` at `bank`, keeps the
/// re-issue with `actor` and `reason`, and notes it in the case's history, inside `tx`.
pub async fn record(
    tx: &mut Tx<'_>,
    line: &PayoutLine,
    order_id: &str,
    bank: &str,
    account: &str,
    actor: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payout_reissues (disbursement_id, line_no, previous_order, order_id, actor, \
         reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&line.disbursement_id)
    .bind(line.line_no)
    .bind(&line.order_id)
    .bind(order_id)
    .bind(actor)
    .bind(reason)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE disbursement_lines SET order_id = $3, bank = $4, account = $5 \
         WHERE disbursement_id = $1 AND line_no = $2",
    )
    .bind(&line.disbursement_id)
    .bind(line.line_no)
    .bind(order_id)
    .bind(bank)
    .bind(account)
    .execute(&mut **tx)
    .await?;
    add_case_event(
        tx,
        &line.case_id,
        "payout_reissued",
        &format!(
            "payout of {} đồng to {} issued again as {order_id} (was {}, rejected) by {actor}: {reason}",
            line.amount_vnd, line.creditor, line.order_id
        ),
    )
    .await
}

/// A re-issue as the disbursement shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReissueView {
    /// The rejected order.
    pub previous_order: String,
    /// The order that replaced it.
    pub order_id: String,
    /// Who issued it again.
    pub actor: String,
    /// Why.
    pub reason: String,
}

/// The re-issues of line `line_no` of disbursement `id`, oldest first.
pub async fn history(
    db: &crate::db::Db,
    id: &str,
    line_no: i64,
) -> Result<Vec<ReissueView>, sqlx::Error> {
    sqlx::query(
        "SELECT previous_order, order_id, actor, reason FROM payout_reissues \
         WHERE disbursement_id = $1 AND line_no = $2 ORDER BY created_at, order_id",
    )
    .bind(id)
    .bind(line_no)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(ReissueView {
            previous_order: r.try_get("previous_order")?,
            order_id: r.try_get("order_id")?,
            actor: r.try_get("actor")?,
            reason: r.try_get("reason")?,
        })
    })
    .collect()
}
