//! The journey of every message: one explicit state machine (received, rejected, accepted,
//! handled, emitted, sending, waiting for retry, delivered, failed, dead-lettered, replayed,
//! and for notices served and read), each step recorded with its time so
//! `GET /v1/messages/{id}` can show the whole path.

mod read;

use serde::Serialize;

pub use read::{dead_letter_depth, load, payload, JourneyStep, MessageView};

use crate::db::{now_ms, Db, Tx};

/// Where a message is in its journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Bytes arrived from a partner; not yet judged.
    Received,
    /// Failed validation; kept for audit, never processed.
    Rejected,
    /// Validated and durable; the partner got its 2xx.
    Accepted,
    /// The case system consumed it and committed the result.
    Handled,
    /// Created by a handler for delivery to a partner (in the outbox).
    Emitted,
    /// A connector is delivering it now.
    Sending,
    /// A delivery or handling attempt failed; another is scheduled.
    WaitingRetry,
    /// The partner confirmed receipt.
    Delivered,
    /// A permanent failure (the partner refused it for good).
    Failed,
    /// Out of attempts or permanently failed: parked on `dlq.<subject>`.
    DeadLettered,
    /// An administrator put a dead letter back on its subject.
    Replayed,
    /// An administrator discarded a dead letter for good, with a reason (audited): it will not
    /// be delivered or handled.
    Discarded,
    /// A notice was validly served (VNeID confirmed delivery to the citizen, the e-mail relay
    /// accepted it, or a clerk served it on paper): its legal notice date is recorded.
    Served,
    /// The citizen opened a served notice in the VNeID app.
    Read,
}

impl MessageState {
    /// The stored name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Rejected => "rejected",
            Self::Accepted => "accepted",
            Self::Handled => "handled",
            Self::Emitted => "emitted",
            Self::Sending => "sending",
            Self::WaitingRetry => "waiting_retry",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::DeadLettered => "dead_lettered",
            Self::Replayed => "replayed",
            Self::Discarded => "discarded",
            Self::Served => "served",
            Self::Read => "read",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "received" => Self::Received,
            "rejected" => Self::Rejected,
            "accepted" => Self::Accepted,
            "handled" => Self::Handled,
            "emitted" => Self::Emitted,
            "sending" => Self::Sending,
            "waiting_retry" => Self::WaitingRetry,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            "dead_lettered" => Self::DeadLettered,
            "replayed" => Self::Replayed,
            "discarded" => Self::Discarded,
            "served" => Self::Served,
            "read" => Self::Read,
            _ => return None,
        })
    }

    /// Whether the machine allows moving from `self` to `next`. Repeating `sending` or
    /// `waiting_retry` is allowed: a redelivery after a crash repeats the step it was in.
    /// A notice may be `served` from any outbound state before it (a clerk can serve it on
    /// paper while VNeID is still being retried), `delivered` may turn `failed` when the
    /// partner later reports that the citizen never got it, and only a served notice is `read`.
    pub fn can_move_to(self, next: Self) -> bool {
        use MessageState::*;
        matches!(
            (self, next),
            (Received, Accepted | Rejected)
                | (Accepted, Handled | WaitingRetry | Failed | DeadLettered)
                | (Emitted, Sending | DeadLettered)
                | (
                    Sending,
                    Sending | Delivered | WaitingRetry | Failed | DeadLettered
                )
                | (
                    WaitingRetry,
                    Sending | Handled | WaitingRetry | Failed | DeadLettered
                )
                | (Failed, DeadLettered)
                | (DeadLettered, Replayed | Discarded)
                | (Delivered, Failed)
                | (
                    Emitted | Sending | WaitingRetry | Delivered | Failed | DeadLettered | Replayed,
                    Served
                )
                | (Served, Read)
                | (
                    Replayed,
                    Sending | Handled | WaitingRetry | Failed | DeadLettered
                )
        )
    }

    /// States after which nothing more happens unless an administrator acts.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Rejected
                | Self::Handled
                | Self::Delivered
                | Self::DeadLettered
                | Self::Discarded
                | Self::Served
                | Self::Read
        )
    }
}

/// Errors recording a journey step.
#[derive(Debug, thiserror::Error)]
pub enum JourneyError {
    /// No message has that id.
    #[error("message {0} not found")]
    NotFound(String),
    /// The state machine forbids the step (the message is already further along).
    #[error("message {id} cannot move from {from} to {to}")]
    IllegalTransition {
        /// The message.
        id: String,
        /// Its current state.
        from: &'static str,
        /// The refused state.
        to: &'static str,
    },
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// For callers whose own error type wraps `sqlx::Error` (the intake paths): a refused step is a
/// protocol error there, since intake only records the first steps of a new message.
impl From<JourneyError> for sqlx::Error {
    fn from(e: JourneyError) -> Self {
        match e {
            JourneyError::Sql(s) => s,
            other => sqlx::Error::Protocol(other.to_string()),
        }
    }
}

/// A new message row: everything known when it enters the journey.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Stable id (partner document id hash, or derived from its cause).
    pub id: &'a str,
    /// The subject it travels on.
    pub subject: &'a str,
    /// `in` from a partner, `out` to a partner.
    pub direction: Direction,
    /// Who sent or receives it (`court:<code>`, `vneid`, ...).
    pub partner: &'a str,
    /// The receipt id given to the partner, for inbound messages.
    pub receipt_id: Option<&'a str>,
    /// Hex SHA-256 of the payload.
    pub content_hash: &'a str,
    /// MIME type of the payload.
    pub content_type: &'a str,
    /// The original bytes (inbound) or the canonical JSON (outbound).
    pub payload: &'a [u8],
    /// The case it belongs to, once known.
    pub case_id: Option<&'a str>,
    /// The message that caused this one.
    pub parent_id: Option<&'a str>,
}

/// Which way a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a partner into the hub.
    In,
    /// From the hub to a partner.
    Out,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }
}

/// Inserts a message in its first state (with that state's event). Returns `false` when a
/// message with this id already exists (nothing is written then).
pub async fn insert(
    tx: &mut Tx<'_>,
    msg: &NewMessage<'_>,
    state: MessageState,
    detail: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO messages (id, subject, direction, partner, state, receipt_id, content_hash, \
         content_type, payload, case_id, parent_id, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(msg.id)
    .bind(msg.subject)
    .bind(msg.direction.as_str())
    .bind(msg.partner)
    .bind(state.as_str())
    .bind(msg.receipt_id)
    .bind(msg.content_hash)
    .bind(msg.content_type)
    .bind(msg.payload)
    .bind(msg.case_id)
    .bind(msg.parent_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        add_event(tx, msg.id, state, detail, now, Some(msg.content_hash)).await?;
    }
    Ok(inserted)
}

/// Keeps a rejected inbound document for audit: the message row with its original bytes and
/// the steps `received` → `rejected` with the reason, in one transaction of its own.
pub async fn record_rejected(
    db: &Db,
    msg: &NewMessage<'_>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    insert(
        &mut tx,
        msg,
        MessageState::Received,
        Some("received from a partner"),
    )
    .await?;
    let now = now_ms();
    sqlx::query("UPDATE messages SET state = $2, updated_at = $3, last_error = $4 WHERE id = $1")
        .bind(msg.id)
        .bind(MessageState::Rejected.as_str())
        .bind(now)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    add_event(
        &mut tx,
        msg.id,
        MessageState::Rejected,
        Some(reason),
        now,
        None,
    )
    .await?;
    tx.commit().await
}

/// Records that a message has moved to a new state, refusing steps the machine forbids.
pub async fn advance(
    tx: &mut Tx<'_>,
    id: &str,
    next: MessageState,
    detail: Option<&str>,
) -> Result<(), JourneyError> {
    advance_with(tx, id, next, detail, None).await
}

/// Like [`advance`], and also stores the attempt count and last error when given.
pub async fn advance_with(
    tx: &mut Tx<'_>,
    id: &str,
    next: MessageState,
    detail: Option<&str>,
    attempt: Option<(i64, Option<&str>)>,
) -> Result<(), JourneyError> {
    let current: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let current = current.ok_or_else(|| JourneyError::NotFound(id.to_string()))?;
    let from = MessageState::parse(&current).unwrap_or(MessageState::Received);
    if !from.can_move_to(next) {
        return Err(JourneyError::IllegalTransition {
            id: id.to_string(),
            from: from.as_str(),
            to: next.as_str(),
        });
    }
    let now = now_ms();
    match attempt {
        Some((attempts, error)) => {
            sqlx::query(
                "UPDATE messages SET state = $2, updated_at = $3, attempts = $4, \
                 last_error = COALESCE($5, last_error) WHERE id = $1",
            )
            .bind(id)
            .bind(next.as_str())
            .bind(now)
            .bind(attempts)
            .bind(error)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query("UPDATE messages SET state = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(next.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
    }
    add_event(tx, id, next, detail, now, None).await?;
    Ok(())
}

/// Records a step that does not change the state (an e-mail attempt, a paper-service task
/// opened), so the journey shows what happened to a message while it waits in one state.
pub async fn note(tx: &mut Tx<'_>, id: &str, detail: &str) -> Result<(), JourneyError> {
    let current: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let current = current.ok_or_else(|| JourneyError::NotFound(id.to_string()))?;
    let state = MessageState::parse(&current).unwrap_or(MessageState::Received);
    let now = now_ms();
    sqlx::query("UPDATE messages SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    add_event(tx, id, state, Some(detail), now, None).await?;
    Ok(())
}

/// Links a message to its case once the handler knows it.
pub async fn set_case(tx: &mut Tx<'_>, id: &str, case_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE messages SET case_id = $2 WHERE id = $1")
        .bind(id)
        .bind(case_id)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Records one step of a message's journey, and the same step in the audit trail (with the
/// payload's hash on the message's first step, so every payload is in the chain).
async fn add_event(
    tx: &mut Tx<'_>,
    id: &str,
    state: MessageState,
    detail: Option<&str>,
    at: i64,
    content_hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(at)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    crate::audit::record(
        tx,
        &crate::audit::Act {
            actor: crate::audit::append::HUB,
            action: &format!("message.{}", state.as_str()),
            subject: id,
            detail: detail.unwrap_or_default(),
            content_hash,
        },
    )
    .await
}

#[cfg(test)]
mod tests;
