//! Replaying a dead letter: an administrator puts a dead-lettered message back on its original
//! subject after fixing the cause. The journey records `replayed`, the dead letter is marked,
//! and the message goes out through the outbox in the same transaction, under a fresh bus id
//! (`<id>~r<n>`) so JetStream's de-duplication window cannot swallow it; handlers see the same
//! journey id, so their inbox and journey continue where they stopped.

use serde::Serialize;
use sqlx::Row;

use crate::bus::replay_msg_id;
use crate::db::{now_ms, Db};
use crate::journey::{self, JourneyError, MessageState};
use crate::outbox::{self, OutboxSignal};

/// Why a replay was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// No message with that id.
    #[error("message {0} not found")]
    NotFound(String),
    /// The message is not waiting in the dead-letter queue.
    #[error("message {id} is {state}, not dead-lettered; only dead letters can be replayed")]
    NotDeadLettered {
        /// The message.
        id: String,
        /// Its state.
        state: String,
    },
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// What a replay did.
#[derive(Debug, Clone, Serialize)]
pub struct Replayed {
    /// The message.
    pub message_id: String,
    /// The subject it went back on.
    pub subject: String,
    /// The bus id of this replay.
    pub bus_id: String,
}

/// Replays the latest dead letter of `message_id`; `by` names who asked (kept in the journey).
pub async fn replay(
    db: &Db,
    signal: &OutboxSignal,
    message_id: &str,
    by: &str,
) -> Result<Replayed, ReplayError> {
    let mut tx = db.begin().await?;
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?;
    let state = state.ok_or_else(|| ReplayError::NotFound(message_id.to_string()))?;
    let letter = sqlx::query(
        "SELECT seq, subject, payload, order_key FROM dead_letters \
         WHERE message_id = $1 AND replayed_at IS NULL ORDER BY seq DESC LIMIT 1",
    )
    .bind(message_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (Some(letter), "dead_lettered") = (letter, state.as_str()) else {
        return Err(ReplayError::NotDeadLettered {
            id: message_id.to_string(),
            state,
        });
    };
    let seq: i64 = letter.try_get("seq")?;
    let subject: String = letter.try_get("subject")?;
    let payload: Vec<u8> = letter.try_get("payload")?;
    // The replay keeps its order key, so it is handled in turn with its case's messages.
    let key: Option<String> = letter.try_get("order_key")?;
    let bus_id = replay_msg_id(message_id, seq);
    journey::advance(
        &mut tx,
        message_id,
        MessageState::Replayed,
        Some(&format!("replayed on {subject} by {by}")),
    )
    .await
    .map_err(|e| match e {
        JourneyError::Sql(s) => ReplayError::Sql(s),
        other => ReplayError::NotDeadLettered {
            id: message_id.to_string(),
            state: other.to_string(),
        },
    })?;
    sqlx::query("UPDATE dead_letters SET replayed_at = $2 WHERE seq = $1")
        .bind(seq)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    outbox::enqueue(&mut tx, &bus_id, &subject, key.as_deref(), &payload).await?;
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor: by,
            action: "admin.replay",
            subject: message_id,
            detail: &format!("dead letter replayed on {subject} as {bus_id}"),
            content_hash: None,
        },
    )
    .await?;
    tx.commit().await?;
    signal.notify();
    tracing::info!(msg_id = %message_id, subject = %subject, "dead letter replayed");
    Ok(Replayed {
        message_id: message_id.to_string(),
        subject,
        bus_id,
    })
}
