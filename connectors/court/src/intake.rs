//! Accepting one judgment document: validate, then in one transaction record the message
//! (original bytes kept) with its journey and put the canonical message in the outbox. A 2xx to
//! the court follows only after that commit. The same document sent again gets its original
//! receipt back; a rejected one is kept for audit with the reasons.

use sha2::{Digest, Sha256};
use sqlx::Row;
use thads_core::cases::intake::JudgmentAccepted;
use thads_core::db::{now_ms, rfc3339, Db};
use thads_core::journey::{self, Direction, MessageState, NewMessage};
use thads_core::outbox::{self, OutboxSignal};
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;

use crate::mapping;

/// What the court is told when its document is accepted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Acceptance {
    /// The receipt id; the same for every resend of the same document.
    pub receipt_id: String,
    /// The hub's message id, for `GET /v1/messages/{id}`.
    pub message_id: String,
    /// When it was first accepted (RFC 3339).
    pub received_at: String,
    /// `true` when this request repeated an already accepted document.
    pub duplicate: bool,
}

/// Why a document was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The document is invalid; it was kept for audit under `message_id`.
    #[error("the judgment was rejected: {}", summary(.errors))]
    Rejected {
        /// The id the rejected bytes are kept under.
        message_id: String,
        /// Each field and why.
        errors: Vec<FieldError>,
    },
    /// The court's document id was already used for a different document.
    #[error("document id already accepted with different content (message {message_id})")]
    Conflict {
        /// The message already accepted under that id.
        message_id: String,
    },
    /// The store failed; nothing was accepted and the court may retry.
    #[error("storage unavailable: {0}")]
    Storage(#[from] sqlx::Error),
}

impl From<journey::JourneyError> for IntakeError {
    fn from(e: journey::JourneyError) -> Self {
        Self::Storage(e.into())
    }
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Validates and durably accepts one judgment document.
pub async fn accept_judgment(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
    content_type: &str,
) -> Result<Acceptance, IntakeError> {
    let hash = hex::encode(Sha256::digest(bytes));
    let judgment = match mapping::to_canonical(bytes) {
        Ok(j) => j,
        Err(errors) => return Err(reject(db, bytes, content_type, &hash, errors).await),
    };
    let message_id = format!("jdg-{}", judgment.stable_key());
    if let Some(existing) = find_existing(db, &message_id, &hash).await? {
        return existing;
    }
    let receipt_id = format!("rcp-{}", uuid::Uuid::now_v7().simple());
    let now = now_ms();
    let partner = format!("court:{}", judgment.court.code);
    let canonical = JudgmentAccepted {
        message_id: message_id.clone(),
        receipt_id: receipt_id.clone(),
        received_at: rfc3339(now),
        judgment,
    };
    let payload = serde_json::to_vec(&canonical).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = db.begin().await?;
    let inserted = journey::insert(
        &mut tx,
        &NewMessage {
            id: &message_id,
            subject: subjects::IN_COURT_JUDGMENT,
            direction: Direction::In,
            partner: &partner,
            receipt_id: Some(&receipt_id),
            content_hash: &hash,
            content_type,
            payload: bytes,
            case_id: None,
            parent_id: None,
        },
        MessageState::Received,
        Some("judgment received from the court"),
    )
    .await?;
    if !inserted {
        // A concurrent request with the same document won the race.
        tx.rollback().await?;
        return match find_existing(db, &message_id, &hash).await? {
            Some(answer) => answer,
            None => Err(IntakeError::Storage(sqlx::Error::RowNotFound)),
        };
    }
    journey::advance(
        &mut tx,
        &message_id,
        MessageState::Accepted,
        Some("valid against judgment v1; queued for the case system"),
    )
    .await?;
    outbox::enqueue(&mut tx, &message_id, subjects::IN_COURT_JUDGMENT, &payload).await?;
    tx.commit().await?;
    signal.notify();
    Ok(Acceptance {
        receipt_id,
        message_id,
        received_at: canonical.received_at,
        duplicate: false,
    })
}

/// The answer for a document already known under `message_id`, if any.
async fn find_existing(
    db: &Db,
    message_id: &str,
    hash: &str,
) -> Result<Option<Result<Acceptance, IntakeError>>, sqlx::Error> {
    let row =
        sqlx::query("SELECT receipt_id, content_hash, created_at FROM messages WHERE id = $1")
            .bind(message_id)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else { return Ok(None) };
    let stored_hash: String = row.try_get("content_hash")?;
    if stored_hash != hash {
        return Ok(Some(Err(IntakeError::Conflict {
            message_id: message_id.to_string(),
        })));
    }
    let receipt_id: Option<String> = row.try_get("receipt_id")?;
    Ok(Some(Ok(Acceptance {
        receipt_id: receipt_id.unwrap_or_default(),
        message_id: message_id.to_string(),
        received_at: rfc3339(row.try_get("created_at")?),
        duplicate: true,
    })))
}

/// Keeps the rejected bytes and the reasons; returns the rejection to report.
async fn reject(
    db: &Db,
    bytes: &[u8],
    content_type: &str,
    hash: &str,
    errors: Vec<FieldError>,
) -> IntakeError {
    let message_id = format!("rej-{}", uuid::Uuid::now_v7().simple());
    let msg = NewMessage {
        id: &message_id,
        subject: subjects::IN_COURT_JUDGMENT,
        direction: Direction::In,
        partner: "court:unknown",
        receipt_id: None,
        content_hash: hash,
        content_type,
        payload: bytes,
        case_id: None,
        parent_id: None,
    };
    if let Err(e) = journey::record_rejected(db, &msg, &summary(&errors)).await {
        return IntakeError::Storage(e);
    }
    IntakeError::Rejected { message_id, errors }
}
