//! The read side of the journey: one message with every step it took, its payload, and the
//! depth of the dead-letter queue, for `GET /v1/messages/{id}`, the console and the metrics.

use serde::Serialize;
use sqlx::Row;

use crate::db::{rfc3339, Db};

/// One message as the read side shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    /// The message id.
    pub id: String,
    /// Its subject.
    pub subject: String,
    /// `in` or `out`.
    pub direction: String,
    /// The partner.
    pub partner: String,
    /// Current state.
    pub state: String,
    /// Receipt given to the partner (inbound).
    pub receipt_id: Option<String>,
    /// Hex SHA-256 of the payload.
    pub content_hash: String,
    /// MIME type of the payload.
    pub content_type: String,
    /// The case, once known.
    pub case_id: Option<String>,
    /// The message that caused this one.
    pub parent_id: Option<String>,
    /// Delivery or handling attempts so far.
    pub attempts: i64,
    /// The last error, if any attempt failed.
    pub last_error: Option<String>,
    /// When it entered the hub (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Every step, oldest first.
    pub journey: Vec<JourneyStep>,
}

/// One recorded step.
#[derive(Debug, Clone, Serialize)]
pub struct JourneyStep {
    /// The state entered.
    pub state: String,
    /// When (RFC 3339).
    pub at: String,
    /// What happened, in a sentence (never personal data).
    pub detail: Option<String>,
}

/// Loads a message and its journey.
pub async fn load(db: &Db, id: &str) -> Result<Option<MessageView>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, subject, direction, partner, state, receipt_id, content_hash, content_type, \
         case_id, parent_id, attempts, last_error, created_at, updated_at FROM messages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let steps = sqlx::query(
        "SELECT state, at, detail FROM message_events WHERE message_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let journey = steps
        .iter()
        .map(|s| {
            Ok(JourneyStep {
                state: s.try_get("state")?,
                at: rfc3339(s.try_get("at")?),
                detail: s.try_get("detail")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(MessageView {
        id: row.try_get("id")?,
        subject: row.try_get("subject")?,
        direction: row.try_get("direction")?,
        partner: row.try_get("partner")?,
        state: row.try_get("state")?,
        receipt_id: row.try_get("receipt_id")?,
        content_hash: row.try_get("content_hash")?,
        content_type: row.try_get("content_type")?,
        case_id: row.try_get("case_id")?,
        parent_id: row.try_get("parent_id")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
        journey,
    }))
}

/// Loads the original payload bytes and their content type.
pub async fn payload(db: &Db, id: &str) -> Result<Option<(Vec<u8>, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT payload, content_type FROM messages WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| Ok((r.try_get("payload")?, r.try_get("content_type")?)))
        .transpose()
}

/// Counts messages parked in the dead-letter queue (for the `thads_dlq_depth` gauge).
pub async fn dead_letter_depth(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE state = 'dead_lettered'")
        .fetch_one(db.pool())
        .await
}
