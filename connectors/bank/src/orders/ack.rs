//! A bank's acknowledgement of an account order (over `POST /v1/bank/orders/acks` or a batch
//! file): checked against the stored order by id and hash, then recorded once.
//!
//! - An acknowledgement that is not valid, names no order, quotes another hash or states more
//!   than was ordered is refused; its bytes are kept as a `rejected` message for audit.
//! - The same acknowledgement again is answered as before and changes nothing.
//! - A different acknowledgement for an order already settled is a conflict (also kept).
//! - An accepted one keeps its bytes as an inbound message (`received → accepted → handled`),
//!   settles the order (`executed` or `rejected`, with the amount or the reason) and adds a
//!   case event, all in one transaction.

use serde::Serialize;
use thads_core::cases::intake::add_case_event;
use thads_core::db::{now_ms, Db, Tx};
use thads_core::journey::{self, Direction, MessageState, NewMessage};
use thads_core::outbox::OutboxSignal;
use thads_schemas::bank_order::{AckStatus, OrderAck};
use thads_schemas::content_hash;
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;

use super::store::{self, OrderView};
use super::{partner, OrderState};

/// Why an acknowledgement was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    /// Invalid, or matching no order the hub issued; kept for audit under `message_id`.
    #[error("the acknowledgement was refused: {reason}")]
    Refused {
        /// Where the refused bytes are kept.
        message_id: String,
        /// Each field at fault and why (`/order_hash`, `/order_id`, ...).
        errors: Vec<FieldError>,
        /// Summary.
        reason: String,
    },
    /// The order was already settled by a different acknowledgement; kept under `message_id`.
    #[error("order {order_id} is already {state}; a different acknowledgement cannot change it")]
    Conflict {
        /// The order.
        order_id: String,
        /// Its settled state.
        state: String,
        /// Where the refused bytes are kept.
        message_id: String,
    },
    /// The sending bank (identified by its client certificate) is not the bank the order is
    /// addressed to; kept under `message_id`, the order unchanged.
    #[error("order {order_id} is addressed to another bank than {sender}")]
    WrongBank {
        /// The order named.
        order_id: String,
        /// The sending bank's code.
        sender: String,
        /// Where the refused bytes are kept.
        message_id: String,
    },
    /// The store failed; nothing was recorded.
    #[error("storage unavailable: {0}")]
    Storage(#[from] sqlx::Error),
}

impl From<journey::JourneyError> for AckError {
    fn from(e: journey::JourneyError) -> Self {
        Self::Storage(e.into())
    }
}

/// The result of an accepted (or repeated) acknowledgement.
#[derive(Debug, Clone, Serialize)]
pub struct AckOutcome {
    /// The order, settled.
    pub order: OrderView,
    /// `true` when this acknowledgement had been recorded before.
    pub duplicate: bool,
    /// The message the acknowledgement's bytes are kept under.
    pub message_id: String,
}

/// Checks one acknowledgement (its original bytes) and settles its order. This is the single
/// entry for acknowledgements from the API and from batch files; the case lifecycle hooks into
/// [`settle`], which runs inside the transaction.
pub async fn on_ack(db: &Db, signal: &OutboxSignal, bytes: &[u8]) -> Result<AckOutcome, AckError> {
    on_ack_from(db, signal, bytes, None).await
}

/// [`on_ack`] for an acknowledgement from the bank `sender` (its code), identified by its
/// client certificate: an order addressed to another bank is refused and left unchanged.
pub async fn on_ack_from(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
    sender: Option<&str>,
) -> Result<AckOutcome, AckError> {
    let ack = match OrderAck::from_json(bytes) {
        Ok(a) => a,
        Err(e) => {
            return Err(refuse(
                db,
                bytes,
                None,
                vec![FieldError::new("body", e.to_string())],
            )
            .await)
        }
    };
    if let Err(errors) = ack.validate() {
        return Err(refuse(db, bytes, None, errors.0).await);
    }
    let Some(order) = store::load(db, &ack.order_id).await? else {
        return Err(refuse(
            db,
            bytes,
            None,
            vec![FieldError::new(
                "/order_id",
                "no order with this id was issued by the hub",
            )],
        )
        .await);
    };
    if let Some(sender) = sender.filter(|b| *b != order.bank) {
        let reason = format!(
            "/order_id: order {} is addressed to another bank; bank {sender} acknowledges only \
             its own orders",
            order.order_id
        );
        let message_id = keep_rejected(db, bytes, Some(&order), Some(sender), &reason).await?;
        return Err(AckError::WrongBank {
            order_id: order.order_id.clone(),
            sender: sender.to_string(),
            message_id,
        });
    }
    if order.order_hash != ack.order_hash {
        return Err(refuse(
            db,
            bytes,
            Some(&order),
            vec![FieldError::new(
                "/order_hash",
                format!(
                    "does not match the hash of order {}: the acknowledgement does not answer \
                     the order the hub issued",
                    order.order_id
                ),
            )],
        )
        .await);
    }
    if ack.status == AckStatus::Executed && ack.amount().amount() > order.amount_vnd {
        return Err(refuse(
            db,
            bytes,
            Some(&order),
            vec![FieldError::new(
                "/amount_vnd",
                format!("states more than the order's {} đồng", order.amount_vnd),
            )],
        )
        .await);
    }
    let ack_hash = ack.ack_hash();
    if let Some(outcome) = repeated(db, bytes, &order, &ack_hash).await? {
        return outcome;
    }
    let message_id = ack_message_id(&order.order_id, &ack_hash);
    let mut tx = db.begin().await?;
    if !settle(&mut tx, &order, &ack, bytes, &message_id).await? {
        // Settled by a concurrent acknowledgement since it was read: answer as for a repeat.
        tx.rollback().await?;
        let now = store::load(db, &order.order_id)
            .await?
            .ok_or_else(|| sqlx::Error::RowNotFound)?;
        if let Some(outcome) = repeated(db, bytes, &now, &ack_hash).await? {
            return outcome;
        }
        return Err(AckError::Storage(sqlx::Error::Protocol(format!(
            "order {} changed while its acknowledgement was recorded; retry",
            order.order_id
        ))));
    }
    tx.commit().await?;
    signal.notify();
    let order = store::load(db, &order.order_id)
        .await?
        .ok_or_else(|| sqlx::Error::RowNotFound)?;
    Ok(AckOutcome {
        order,
        duplicate: false,
        message_id,
    })
}

/// For an order already settled: the earlier answer when `ack_hash` is the acknowledgement it
/// was settled with, else a conflict; `None` while the order is still open.
async fn repeated(
    db: &Db,
    bytes: &[u8],
    order: &OrderView,
    ack_hash: &str,
) -> Result<Option<Result<AckOutcome, AckError>>, AckError> {
    if !order.order_state().is_some_and(OrderState::is_settled) {
        return Ok(None);
    }
    let same = order
        .ack
        .as_ref()
        .and_then(|a| a.ack_hash.as_deref())
        .is_some_and(|h| h == ack_hash);
    if same {
        let message_id = order
            .ack
            .as_ref()
            .and_then(|a| a.message_id.clone())
            .unwrap_or_default();
        return Ok(Some(Ok(AckOutcome {
            order: order.clone(),
            duplicate: true,
            message_id,
        })));
    }
    let reason = format!(
        "order {} is already {}; a different acknowledgement cannot change it",
        order.order_id, order.state
    );
    let message_id = keep_rejected(db, bytes, Some(order), None, &reason).await?;
    Ok(Some(Err(AckError::Conflict {
        order_id: order.order_id.clone(),
        state: order.state.clone(),
        message_id,
    })))
}

/// The message id an accepted acknowledgement is kept under: from the order and the
/// acknowledgement's content, so the same answer is kept once.
pub fn ack_message_id(order_id: &str, ack_hash: &str) -> String {
    format!(
        "ack-{}",
        &content_hash(format!("{order_id}\n{ack_hash}").as_bytes())[..24]
    )
}

/// Records an accepted acknowledgement inside `tx`: its bytes as an inbound message, the order
/// settled with the bank's answer, and a case event. Returns `false`, having written nothing to
/// the order, when the order was settled meanwhile. The place to connect the answer to the case
/// lifecycle (a freeze executed, money on its way, a rejection to act on).
pub async fn settle(
    tx: &mut Tx<'_>,
    order: &OrderView,
    ack: &OrderAck,
    bytes: &[u8],
    message_id: &str,
) -> Result<bool, AckError> {
    let to = OrderState::from(ack.status);
    let now = now_ms();
    let updated = sqlx::query(
        "UPDATE bank_orders SET state = $2, ack_status = $3, ack_amount_vnd = $4, ack_reason = $5, \
         bank_reference = $6, executed_at = $7, ack_hash = $8, ack_message_id = $9, updated_at = $10 \
         WHERE order_id = $1 AND state IN ('issued', 'sent', 'failed')",
    )
    .bind(&order.order_id)
    .bind(to.as_str())
    .bind(ack.status.as_str())
    .bind(ack.amount_vnd.map(|a| a.amount()))
    .bind(ack.reason.as_deref())
    .bind(ack.bank_reference.as_deref())
    .bind(&ack.executed_at)
    .bind(ack.ack_hash())
    .bind(message_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Ok(false);
    }
    let from = partner(&order.bank);
    let inserted = journey::insert(
        tx,
        &NewMessage {
            id: message_id,
            subject: subjects::IN_BANK_ORDER_ACK,
            direction: Direction::In,
            partner: &from,
            receipt_id: None,
            content_hash: &content_hash(bytes),
            content_type: "application/json",
            payload: bytes,
            case_id: Some(&order.case_id),
            parent_id: Some(&order.order_id),
        },
        MessageState::Received,
        Some("acknowledgement of an account order received from the bank"),
    )
    .await?;
    if inserted {
        journey::advance(
            tx,
            message_id,
            MessageState::Accepted,
            Some("matches the order's id and hash"),
        )
        .await?;
        journey::advance(
            tx,
            message_id,
            MessageState::Handled,
            Some(&format!("order {} {}", order.order_id, to.as_str())),
        )
        .await?;
    }
    let (kind, detail) = match ack.status {
        AckStatus::Executed => (
            "bank_order_executed",
            format!(
                "{} {} executed by {}: {}",
                order.kind,
                order.order_id,
                order.bank,
                ack.amount()
            ),
        ),
        AckStatus::Rejected => (
            "bank_order_rejected",
            format!(
                "{} {} rejected by {}: {}",
                order.kind,
                order.order_id,
                order.bank,
                ack.reason
                    .as_deref()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect::<String>()
            ),
        ),
    };
    add_case_event(tx, &order.case_id, kind, &detail).await?;
    Ok(true)
}

impl From<AckStatus> for OrderState {
    fn from(s: AckStatus) -> Self {
        match s {
            AckStatus::Executed => OrderState::Executed,
            AckStatus::Rejected => OrderState::Rejected,
        }
    }
}

async fn refuse(
    db: &Db,
    bytes: &[u8],
    order: Option<&OrderView>,
    errors: Vec<FieldError>,
) -> AckError {
    let reason = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    match keep_rejected(db, bytes, order, None, &reason).await {
        Ok(message_id) => AckError::Refused {
            message_id,
            errors,
            reason,
        },
        Err(e) => e,
    }
}

/// Keeps refused bytes as a `rejected` inbound message; returns its id.
async fn keep_rejected(
    db: &Db,
    bytes: &[u8],
    order: Option<&OrderView>,
    sender: Option<&str>,
    reason: &str,
) -> Result<String, AckError> {
    let message_id = format!("rej-{}", uuid::Uuid::now_v7().simple());
    let from = match (sender, order) {
        (Some(bank), _) => partner(bank),
        (None, Some(o)) => partner(&o.bank),
        (None, None) => "bank:unknown".to_string(),
    };
    let msg = NewMessage {
        id: &message_id,
        subject: subjects::IN_BANK_ORDER_ACK,
        direction: Direction::In,
        partner: &from,
        receipt_id: None,
        content_hash: &content_hash(bytes),
        content_type: "application/json",
        payload: bytes,
        case_id: order.map(|o| o.case_id.as_str()),
        parent_id: order.map(|o| o.order_id.as_str()),
    };
    journey::record_rejected(db, &msg, reason).await?;
    Ok(message_id)
}
