//! Dead letters for the console: the messages parked on `dlq.<subject>` with the reason and
//! how many deliveries were tried, within the offices the administrator covers; and
//! discarding one for good with a reason (the journey's `discarded` step, the dead letter
//! marked, an audit entry — one transaction). Replaying goes through [`crate::replay`].

use serde::Serialize;
use sqlx::Row;

use super::search::office_scope;
use crate::db::{now_ms, rfc3339, Db};
use crate::journey::{self, JourneyError, MessageState};
use crate::staff::Actor;

/// One dead letter waiting for an administrator.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetter {
    /// The message.
    pub message_id: String,
    /// The subject it was dead-lettered from.
    pub subject: String,
    /// The partner it was for or from.
    pub partner: String,
    /// The case, if any.
    pub case_id: Option<String>,
    /// The case's office.
    pub office: Option<String>,
    /// Why it was dead-lettered (the last error).
    pub reason: String,
    /// Deliveries tried.
    pub deliveries: i64,
    /// When (RFC 3339).
    pub dead_at: String,
}

/// The dead letters not yet replayed or discarded, newest first, that `actor` may see.
pub async fn list(db: &Db, actor: &Actor, limit: i64) -> Result<Vec<DeadLetter>, sqlx::Error> {
    let mut params = Vec::new();
    let scope = office_scope(actor, &mut params);
    let sql = format!(
        "SELECT d.message_id, d.subject, m.partner, m.case_id, c.office_code, d.reason, \
         d.deliveries, d.dead_at FROM dead_letters d JOIN messages m ON m.id = d.message_id \
         LEFT JOIN cases c ON c.id = m.case_id \
         WHERE d.replayed_at IS NULL AND d.discarded_at IS NULL AND m.state = 'dead_lettered' \
         AND {scope} ORDER BY d.dead_at DESC, d.seq DESC LIMIT {}",
        limit.clamp(1, 1000)
    );
    let mut q = sqlx::query(&sql);
    for p in &params {
        q = q.bind(p);
    }
    q.fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(DeadLetter {
                message_id: r.try_get("message_id")?,
                subject: r.try_get("subject")?,
                partner: r.try_get("partner")?,
                case_id: r.try_get("case_id")?,
                office: r.try_get("office_code")?,
                reason: r.try_get("reason")?,
                deliveries: r.try_get("deliveries")?,
                dead_at: rfc3339(r.try_get("dead_at")?),
            })
        })
        .collect()
}

/// Whether `message_id` is a dead letter waiting that `actor` may see.
pub async fn is_visible(db: &Db, actor: &Actor, message_id: &str) -> Result<bool, sqlx::Error> {
    let mut params = vec![message_id.to_string()];
    let scope = office_scope(actor, &mut params);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM dead_letters d JOIN messages m ON m.id = d.message_id \
         LEFT JOIN cases c ON c.id = m.case_id WHERE d.message_id = $1 AND d.replayed_at IS NULL \
         AND d.discarded_at IS NULL AND m.state = 'dead_lettered' AND {scope}"
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for p in &params {
        q = q.bind(p);
    }
    Ok(q.fetch_one(db.pool()).await? > 0)
}

/// Why a dead letter could not be discarded.
#[derive(Debug, thiserror::Error)]
pub enum DiscardError {
    /// No such message, or not visible to the administrator.
    #[error("no message {0}")]
    NotFound(String),
    /// The message is not waiting as a dead letter.
    #[error("message {id} is {state}, not dead-lettered")]
    NotDeadLettered {
        /// The message.
        id: String,
        /// Its state.
        state: String,
    },
    /// The reason is missing or too long.
    #[error("reason: say why, in 1 to 500 characters")]
    Reason,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Discards the dead letter of `message_id` for good, as `actor`, for `reason`.
pub async fn discard(
    db: &Db,
    actor: &Actor,
    message_id: &str,
    reason: &str,
) -> Result<(), DiscardError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(DiscardError::Reason);
    }
    let mut params = vec![message_id.to_string()];
    let scope = office_scope(actor, &mut params);
    let sql = format!(
        "SELECT m.state FROM messages m LEFT JOIN cases c ON c.id = m.case_id \
         WHERE m.id = $1 AND {scope}"
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for p in &params {
        q = q.bind(p);
    }
    let visible = q.fetch_optional(db.pool()).await?;
    let state = visible.ok_or_else(|| DiscardError::NotFound(message_id.to_string()))?;
    let mut tx = db.begin().await?;
    let marked = sqlx::query(
        "UPDATE dead_letters SET discarded_at = $2, discarded_by = $3, discard_reason = $4 \
         WHERE message_id = $1 AND replayed_at IS NULL AND discarded_at IS NULL",
    )
    .bind(message_id)
    .bind(now_ms())
    .bind(&actor.username)
    .bind(reason)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let not_dead = || DiscardError::NotDeadLettered {
        id: message_id.to_string(),
        state: state.clone(),
    };
    if marked == 0 {
        return Err(not_dead());
    }
    journey::advance(
        &mut tx,
        message_id,
        MessageState::Discarded,
        Some(&format!("discarded by {}: {reason}", actor.username)),
    )
    .await
    .map_err(|e| match e {
        JourneyError::Sql(s) => DiscardError::Db(s),
        _ => not_dead(),
    })?;
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor: &actor.username,
            action: "admin.discard",
            subject: message_id,
            detail: reason,
            content_hash: None,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(msg_id = %message_id, admin = %actor.username, "dead letter discarded");
    Ok(())
}
