//! OCR jobs: a scan uploaded by staff is stored with its job (`queued`) and a message on
//! `in.scan.ocr` in one transaction, so a `202` means it will be read; the job then moves to
//! `running` and `done` (with the text and the extraction) or `failed` (with the reason).

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_schemas::subjects;

use super::ScanKind;
use crate::db::{now_ms, rfc3339, Db};
use crate::extractions::{self, ExtractionView};
use crate::journey::{self, Direction, MessageState, NewMessage};
use crate::outbox::{self, OutboxSignal};
use crate::staff::Actor;

/// What the message on `in.scan.ocr` carries: the job to run (the scan stays in the database).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobMessage {
    /// The job.
    pub job_id: String,
}

/// A job as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    /// Its id (`ocr-…`), also the id of its message's journey.
    pub id: String,
    /// The office it was made for.
    pub office: String,
    /// The case, if it was tied to one.
    pub case_id: Option<String>,
    /// `application/pdf`, `image/png`, ...
    pub media_type: String,
    /// SHA-256 (hex) of the scan.
    pub source_sha256: String,
    /// Bytes of the scan.
    pub source_bytes: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// Tries so far.
    pub attempts: i64,
    /// Pages read.
    pub pages: Option<i64>,
    /// The recognised text, once done.
    pub text: Option<String>,
    /// The extraction proposed from it, once done: confirm it with
    /// `POST /v1/extractions/{id}/confirm`.
    pub extraction: Option<ExtractionView>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// Who uploaded it.
    pub requested_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// When the last try started.
    pub started_at: Option<String>,
    /// When it finished.
    pub finished_at: Option<String>,
}

/// Stores the scan `bytes` of `kind` for `actor`'s office (and `case_id`) and queues it.
pub async fn submit(
    db: &Db,
    signal: &OutboxSignal,
    actor: &Actor,
    case_id: Option<&str>,
    kind: ScanKind,
    bytes: &[u8],
) -> Result<JobView, sqlx::Error> {
    let id = format!("ocr-{}", &uuid::Uuid::now_v7().simple().to_string()[..24]);
    let sha = crate::decisions::keys::sha256_hex(bytes);
    let payload = serde_json::to_vec(&JobMessage { job_id: id.clone() })
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO ocr_jobs (id, office_code, case_id, media_type, source, source_sha256, \
         state, requested_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8)",
    )
    .bind(&id)
    .bind(actor.office.as_str())
    .bind(case_id)
    .bind(kind.media_type())
    .bind(bytes)
    .bind(&sha)
    .bind(&actor.username)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    journey::insert(
        &mut tx,
        &NewMessage {
            id: &id,
            subject: subjects::IN_SCAN_OCR,
            direction: Direction::In,
            partner: &format!("staff:{}", actor.username),
            receipt_id: Some(&id),
            content_hash: &sha,
            content_type: kind.media_type(),
            payload: &payload,
            case_id,
            parent_id: None,
        },
        MessageState::Accepted,
        Some(&format!("scan of {} bytes queued for OCR", bytes.len())),
    )
    .await?;
    outbox::enqueue(&mut tx, &id, subjects::IN_SCAN_OCR, None, &payload).await?;
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor: &actor.username,
            action: "ocr.submitted",
            subject: &id,
            detail: &format!("{} ({} bytes)", kind.media_type(), bytes.len()),
            content_hash: Some(&sha),
        },
    )
    .await?;
    tx.commit().await?;
    signal.notify();
    load(db, &id).await?.ok_or_else(|| sqlx::Error::RowNotFound)
}

/// One job by id.
pub async fn load(db: &Db, id: &str) -> Result<Option<JobView>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT id, office_code, case_id, media_type, source_sha256, CAST(LENGTH(source) AS BIGINT) AS size, \
         state, attempts, pages, text, extraction_id, last_error, requested_by, created_at, \
         started_at, finished_at FROM ocr_jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let extraction_id: Option<String> = r.try_get("extraction_id")?;
    let extraction = match &extraction_id {
        Some(e) => extractions::load(db, e).await?,
        None => None,
    };
    let started: Option<i64> = r.try_get("started_at")?;
    let finished: Option<i64> = r.try_get("finished_at")?;
    Ok(Some(JobView {
        id: r.try_get("id")?,
        office: r.try_get("office_code")?,
        case_id: r.try_get("case_id")?,
        media_type: r.try_get("media_type")?,
        source_sha256: r.try_get("source_sha256")?,
        source_bytes: r.try_get::<Option<i64>, _>("size")?.unwrap_or_default(),
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        pages: r.try_get("pages")?,
        text: r.try_get("text")?,
        extraction,
        last_error: r.try_get("last_error")?,
        requested_by: r.try_get("requested_by")?,
        created_at: rfc3339(r.try_get("created_at")?),
        started_at: started.map(rfc3339),
        finished_at: finished.map(rfc3339),
    }))
}
