//! The `ocr-scans` consumer on `in.scan.ocr`: marks the job `running`, reads the scan with the
//! [`Engine`], extracts parties and obligations from the text as from any electronic text, and
//! stores the text, the proposal and `done` with the inbox claim in one transaction. A missing
//! tool or a timeout is retried with the bus's backoff (the job goes back to `queued` with the
//! reason, and becomes `failed` on the last try); a scan that cannot be read fails at once.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use thads_schemas::subjects;
use tokio::sync::Semaphore;

use super::engine::Engine;
use super::jobs::JobMessage;
use super::{OcrConfig, OcrError, ScanKind};
use crate::bus::{ConsumerSpec, Delivery};
use crate::db::{now_ms, Db};
use crate::inbox;
use crate::journey::{self, JourneyError, MessageState};
use crate::retry::RetryPolicy;
use crate::worker::{HandleError, Handler};

/// The durable consumer name.
pub const CONSUMER: &str = "ocr-scans";

/// The warning every OCR proposal starts with.
pub const OCR_WARNING: &str =
    "the text was read by OCR from a scan: check names, amounts and diacritics against the paper";

/// Reads scans.
pub struct OcrScans {
    db: Db,
    engine: Engine,
    ack_wait: Duration,
    policy: RetryPolicy,
    permits: Arc<Semaphore>,
}

impl OcrScans {
    /// The consumer over `db` with `[ocr]`; `policy` must be the workers' retry policy.
    pub fn new(db: Db, config: &OcrConfig, policy: RetryPolicy) -> Arc<Self> {
        Arc::new(Self {
            db,
            engine: Engine::new(config.clone()),
            ack_wait: config.ack_wait,
            policy,
            permits: Arc::new(Semaphore::new(config.concurrency.max(1))),
        })
    }

    async fn set(
        &self,
        id: &str,
        state: &str,
        error: Option<&str>,
        attempt: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE ocr_jobs SET state = $2, last_error = COALESCE($3, last_error), \
             attempts = attempts + $4, started_at = CASE WHEN $4 = 1 THEN $5 ELSE started_at END, \
             finished_at = CASE WHEN $2 = 'failed' THEN $5 ELSE finished_at END \
             WHERE id = $1 AND state <> 'done'",
        )
        .bind(id)
        .bind(state)
        .bind(error)
        .bind(i64::from(attempt))
        .bind(now_ms())
        .execute(self.db.pool())
        .await
        .map(|_| ())
    }

    async fn fail(&self, id: &str, e: OcrError, delivered: u64) -> HandleError {
        let reason = e.to_string();
        let last = !e.is_retriable() || self.policy.exhausted(delivered);
        let state = if last { "failed" } else { "queued" };
        if let Err(db) = self.set(id, state, Some(&reason), false).await {
            return HandleError::Retry(format!("database: {db}"));
        }
        tracing::warn!(job = %id, error = %reason, last, "scan not read");
        if e.is_retriable() {
            HandleError::Retry(reason)
        } else {
            HandleError::Permanent(reason)
        }
    }
}

#[async_trait]
impl Handler for OcrScans {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::IN_SCAN_OCR.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let msg: JobMessage = serde_json::from_slice(&delivery.payload)
            .map_err(|e| HandleError::Permanent(format!("not an OCR job message: {e}")))?;
        let row = sqlx::query(
            "SELECT office_code, case_id, media_type, source, state, requested_by \
             FROM ocr_jobs WHERE id = $1",
        )
        .bind(&msg.job_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| HandleError::Permanent(format!("no OCR job {}", msg.job_id)))?;
        let state: String = row.try_get("state")?;
        if state == "done" {
            return Ok(());
        }
        let media: String = row.try_get("media_type")?;
        let kind = ScanKind::of_media_type(&media)
            .ok_or_else(|| HandleError::Permanent(format!("unknown scan type {media}")))?;
        let source: Vec<u8> = row.try_get("source")?;
        let office: String = row.try_get("office_code")?;
        let case_id: Option<String> = row.try_get("case_id")?;
        let requested_by: String = row.try_get("requested_by")?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HandleError::Retry(e.to_string()))?;
        self.set(&msg.job_id, "running", None, true).await?;
        let recognised = match self.engine.recognise(kind, &source).await {
            Ok(r) => r,
            Err(e) => return Err(self.fail(&msg.job_id, e, delivery.delivered).await),
        };
        let mut proposal = thads_extract::extract_text(&recognised.text);
        proposal.warnings.insert(0, OCR_WARNING.to_string());
        let mut tx = self.db.begin().await?;
        if !inbox::claim(&mut tx, CONSUMER, delivery.journey_id()).await? {
            tx.rollback().await?;
            return Ok(());
        }
        let extraction_id = crate::extractions::store_proposal(
            &mut tx,
            &office,
            &requested_by,
            case_id.as_deref(),
            recognised.text.as_bytes(),
            &proposal,
        )
        .await
        .map_err(|e| HandleError::Retry(e.to_string()))?;
        sqlx::query(
            "UPDATE ocr_jobs SET state = 'done', text = $2, pages = $3, extraction_id = $4, \
             last_error = NULL, finished_at = $5 WHERE id = $1",
        )
        .bind(&msg.job_id)
        .bind(&recognised.text)
        .bind(i64::from(recognised.pages))
        .bind(&extraction_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "{} page(s) read; {} obligation(s) proposed in {extraction_id}",
            recognised.pages,
            proposal.obligations.len()
        );
        match journey::advance(
            &mut tx,
            delivery.journey_id(),
            MessageState::Handled,
            Some(&detail),
        )
        .await
        {
            Ok(()) | Err(JourneyError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        tracing::info!(job = %msg.job_id, pages = recognised.pages, extraction = %extraction_id, "scan read");
        Ok(())
    }
}
