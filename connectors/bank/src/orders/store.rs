//! Issuing account orders and reading them back: the `bank_orders` row, the outbound message
//! holding the canonical bytes (its journey starts at `emitted`) and the outbox row are written
//! in the caller's transaction, so an order is either wholly issued or not at all.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thads_core::cases::intake::add_case_event;
use thads_core::db::{now_ms, rfc3339, Db, Tx};
use thads_core::deadlines::store::vietnam_date;
use thads_core::journey::{self, Direction, MessageState, NewMessage};
use thads_core::outbox;
use thads_schemas::bank::format_iso_date;
use thads_schemas::bank_order::{AccountOrder, OrderKind};
use thads_schemas::subjects;
use thads_schemas::validation::{FieldError, ValidationErrors};

use super::rules::DECISION_AFTER_RECORD_MS;
use super::{partner, OrderState};

/// Why an order was not issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The order breaks a rule (its own fields, the case's money, the freeze it refers to);
    /// each error names the field.
    #[error("the order is not valid: {0}")]
    Invalid(ValidationErrors),
    /// No case has the order's `case_id`.
    #[error("case {0} not found")]
    CaseNotFound(String),
    /// An order with this id exists with other content.
    #[error("order {0} was already issued with different content")]
    Conflict(String),
    /// The store failed; nothing was issued.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl From<journey::JourneyError> for IssueError {
    fn from(e: journey::JourneyError) -> Self {
        Self::Sql(e.into())
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> IssueError {
    IssueError::Invalid(ValidationErrors::from(FieldError::new(field, reason)))
}

/// What [`issue`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The order's id (also its message id).
    pub order_id: String,
    /// Its hash, which every acknowledgement must quote.
    pub order_hash: String,
    /// `true` when the same order had been issued before (nothing was written again).
    pub repeated: bool,
}

/// Stores `order` and queues it for its bank on `out.bank.order`, inside `tx`; the caller
/// commits and then wakes the outbox relay. Refuses an order that breaks the rules of Arts.
/// 67, 76 and 77 as far as the hub can tell: a deduction may not exceed what is still due on
/// the case (less deductions still pending), a release or deduction must refer to a freeze of
/// the same case, bank and account, and a release states that freeze's amount. Issuing the
/// same order twice is harmless; the same id with other content is a conflict.
pub async fn issue(tx: &mut Tx<'_>, order: &AccountOrder) -> Result<Issued, IssueError> {
    order.validate().map_err(IssueError::Invalid)?;
    let order_hash = order.order_hash();
    let existing: Option<String> =
        sqlx::query_scalar("SELECT order_hash FROM bank_orders WHERE order_id = $1")
            .bind(&order.order_id)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(existing) = existing {
        return if existing == order_hash {
            Ok(Issued {
                order_id: order.order_id.clone(),
                order_hash,
                repeated: true,
            })
        } else {
            Err(IssueError::Conflict(order.order_id.clone()))
        };
    }
    let case = sqlx::query(
        "SELECT office_code, amount_vnd, collected_vnd, reduced_vnd FROM cases WHERE id = $1",
    )
    .bind(&order.case_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| IssueError::CaseNotFound(order.case_id.clone()))?;
    let office: String = case.try_get("office_code")?;
    if office != order.office.as_str() {
        return Err(invalid(
            "/office",
            format!("the case belongs to office {office}"),
        ));
    }
    super::rules::check(tx, order, &case).await?;
    let issued_at = time::OffsetDateTime::parse(
        &order.issued_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| invalid("/issued_at", "must be an RFC 3339 timestamp"))?;
    let issued_on = format_iso_date(vietnam_date(issued_at));
    let now = now_ms();
    sqlx::query(
        "INSERT INTO bank_orders (order_id, case_id, office_code, bank, kind, account, amount_vnd, \
         order_hash, related_order, decision_number, issued_on, state, created_at, updated_at, \
         by_record, decision_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)",
    )
    .bind(&order.order_id)
    .bind(&order.case_id)
    .bind(order.office.as_str())
    .bind(&order.bank)
    .bind(order.kind.as_str())
    .bind(&order.account)
    .bind(order.amount_vnd.amount())
    .bind(&order_hash)
    .bind(order.references.as_deref())
    .bind(&order.decision_number)
    .bind(&issued_on)
    .bind(OrderState::Issued.as_str())
    .bind(now)
    .bind(i64::from(order.by_record))
    .bind(order.by_record.then(|| now + DECISION_AFTER_RECORD_MS))
    .execute(&mut **tx)
    .await?;
    if order.kind == OrderKind::ConfirmFreeze {
        sqlx::query(
            "UPDATE bank_orders SET confirmed_by = $2, updated_at = $3 WHERE order_id = $1",
        )
        .bind(order.references.as_deref())
        .bind(&order.order_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let bytes = order.canonical_bytes();
    let to = partner(&order.bank);
    let detail = format!("{} order queued for {to}", order.kind);
    journey::insert(
        tx,
        &NewMessage {
            id: &order.order_id,
            subject: subjects::OUT_BANK_ORDER,
            direction: Direction::Out,
            partner: &to,
            receipt_id: None,
            content_hash: &order_hash,
            content_type: "application/json",
            payload: &bytes,
            case_id: Some(&order.case_id),
            parent_id: order.references.as_deref(),
        },
        MessageState::Emitted,
        Some(&detail),
    )
    .await?;
    outbox::enqueue(
        tx,
        &order.order_id,
        subjects::OUT_BANK_ORDER,
        Some(&order.case_id),
        &bytes,
    )
    .await?;
    add_case_event(
        tx,
        &order.case_id,
        "bank_order_issued",
        &format!(
            "{} ({}) {} to {}: {} under decision {}",
            order.kind.title_vi(),
            order.kind,
            order.order_id,
            order.bank,
            order.amount_vnd,
            order.decision_number
        ),
    )
    .await?;
    Ok(Issued {
        order_id: order.order_id.clone(),
        order_hash,
        repeated: false,
    })
}

/// An order as `GET /v1/bank/orders/{id}` shows it: what was ordered, where it is, and the
/// bank's answer. The account number is masked (last four digits).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OrderView {
    /// The order's id.
    pub order_id: String,
    /// The case.
    pub case_id: String,
    /// The issuing office.
    pub office: String,
    /// The bank's code.
    pub bank: String,
    /// `freeze`, `deduct`, `release`, `payout` or `confirm_freeze`.
    pub kind: String,
    /// The account, masked.
    pub account: String,
    /// The amount ordered, in whole đồng.
    pub amount_vnd: i64,
    /// The hash acknowledgements must quote.
    pub order_hash: String,
    /// The freeze a release or deduction relates to.
    pub references: Option<String>,
    /// The decision's number (a freeze by record: the record's number).
    pub decision_number: String,
    /// A freeze ordered by record (biên bản) in an urgent case, ahead of its decision.
    pub by_record: bool,
    /// A freeze by record: when its decision is due (24 hours after, RFC 3339).
    pub decision_due_at: Option<String>,
    /// A freeze by record: the `confirm_freeze` order carrying its decision, once issued.
    pub confirmed_by: Option<String>,
    /// A freeze by record whose decision is past due and not yet issued.
    pub decision_overdue: bool,
    /// The day it was issued (Vietnam time), which puts it in that day's batch file.
    pub issued_on: String,
    /// `issued`, `sent`, `executed`, `rejected` or `failed`.
    pub state: String,
    /// The delivery journey's state (`emitted`, `sending`, `delivered`, `waiting_retry`, ...).
    pub delivery: Option<String>,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// The bank's acknowledgement, once received.
    pub ack: Option<AckView>,
    /// When it was issued (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// The bank's acknowledgement of an order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AckView {
    /// `executed` or `rejected`.
    pub status: String,
    /// The amount frozen, moved or released.
    pub amount_vnd: Option<i64>,
    /// Why the bank rejected it.
    pub reason: Option<String>,
    /// The bank's reference.
    pub bank_reference: Option<String>,
    /// When the bank acted (as it said, RFC 3339).
    pub executed_at: Option<String>,
    /// Hash of the acknowledgement's canonical JSON: tells a repeat from a different answer.
    pub ack_hash: Option<String>,
    /// The message the acknowledgement's bytes are kept under.
    pub message_id: Option<String>,
}

impl OrderView {
    /// The stored state.
    pub fn order_state(&self) -> Option<OrderState> {
        OrderState::parse(&self.state)
    }
}

const SELECT: &str = "SELECT o.order_id, o.case_id, o.office_code, o.bank, o.kind, o.account, \
    o.amount_vnd, o.order_hash, o.related_order, o.decision_number, o.issued_on, o.state, \
    o.ack_status, o.ack_amount_vnd, o.ack_reason, o.bank_reference, o.executed_at, o.ack_hash, \
    o.ack_message_id, o.last_error, o.created_at, o.updated_at, o.by_record, o.decision_due_at, \
    o.confirmed_by, m.state AS delivery \
    FROM bank_orders o LEFT JOIN messages m ON m.id = o.order_id";

/// Masks an account number but its last four characters.
pub fn mask_account(account: &str) -> String {
    let n = account.chars().count();
    account
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

fn view(r: &AnyRow) -> Result<OrderView, sqlx::Error> {
    let ack_status: Option<String> = r.try_get("ack_status")?;
    let ack = match ack_status {
        Some(status) => Some(AckView {
            status,
            amount_vnd: r.try_get("ack_amount_vnd")?,
            reason: r.try_get("ack_reason")?,
            bank_reference: r.try_get("bank_reference")?,
            executed_at: r.try_get("executed_at")?,
            ack_hash: r.try_get("ack_hash")?,
            message_id: r.try_get("ack_message_id")?,
        }),
        None => None,
    };
    let decision_due_at: Option<i64> = r.try_get("decision_due_at")?;
    let confirmed_by: Option<String> = r.try_get("confirmed_by")?;
    Ok(OrderView {
        order_id: r.try_get("order_id")?,
        case_id: r.try_get("case_id")?,
        office: r.try_get("office_code")?,
        bank: r.try_get("bank")?,
        kind: r.try_get("kind")?,
        account: mask_account(&r.try_get::<String, _>("account")?),
        amount_vnd: r.try_get("amount_vnd")?,
        order_hash: r.try_get("order_hash")?,
        references: r.try_get("related_order")?,
        decision_number: r.try_get("decision_number")?,
        by_record: r.try_get::<i64, _>("by_record")? != 0,
        decision_due_at: decision_due_at.map(rfc3339),
        decision_overdue: confirmed_by.is_none() && decision_due_at.is_some_and(|d| d < now_ms()),
        confirmed_by,
        issued_on: r.try_get("issued_on")?,
        state: r.try_get("state")?,
        delivery: r.try_get("delivery")?,
        last_error: r.try_get("last_error")?,
        ack,
        created_at: rfc3339(r.try_get("created_at")?),
        updated_at: rfc3339(r.try_get("updated_at")?),
    })
}

/// One order, or `None` when no order has this id.
pub async fn load(db: &Db, order_id: &str) -> Result<Option<OrderView>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE o.order_id = $1"))
        .bind(order_id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(view)
        .transpose()
}

/// The same inside a transaction (for callers that settle the order in it).
pub async fn load_in(tx: &mut Tx<'_>, order_id: &str) -> Result<Option<OrderView>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE o.order_id = $1"))
        .bind(order_id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(view)
        .transpose()
}

/// The orders of a case, oldest first.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<OrderView>, sqlx::Error> {
    sqlx::query(&format!(
        "{SELECT} WHERE o.case_id = $1 ORDER BY o.created_at, o.order_id"
    ))
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(view)
    .collect()
}

/// The orders issued to `bank` on `day` (`YYYY-MM-DD`, Vietnam time) with the canonical bytes
/// that were (or would be) sent, oldest first: the content of that day's batch file.
pub async fn for_bank_day(
    db: &Db,
    bank: &str,
    day: &str,
) -> Result<Vec<(OrderView, Vec<u8>)>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE o.bank = $1 AND o.issued_on = $2 ORDER BY o.created_at, o.order_id"
    ))
    .bind(bank)
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let v = view(r)?;
        let payload: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT payload FROM messages WHERE id = $1")
                .bind(&v.order_id)
                .fetch_optional(db.pool())
                .await?;
        let payload = payload.ok_or_else(|| {
            sqlx::Error::Protocol(format!("order {} has no stored message", v.order_id))
        })?;
        out.push((v, payload));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_masked_but_the_last_four() {
        assert_eq!(mask_account("0123456789"), "******6789");
        assert_eq!(mask_account("123"), "123");
    }
}
