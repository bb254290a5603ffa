//! The periodic job that starts verification runs by itself: when a case's voluntary period has
//! ended without full payment (Art. 44(1): verify within 10 days), when a case not yet
//! enforceable falls due for re-verification (Art. 44(2)), and again after an incomplete
//! record. Due runs are written as job rows first (idempotent inserts), then each is claimed
//! with a lease (compare-and-set), so several hub processes never start the same run twice and a
//! job whose process died is taken over after the lease.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::request::{RunError, RunRequest, Trigger};
use super::run::{millis, Verifier};
use super::store;
use crate::cases::intake::add_case_event;
use crate::db::{now_ms, Tx};
use crate::deadlines::store::vietnam_date;

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tick {
    /// Jobs written for newly due cases.
    pub discovered: u64,
    /// Runs started and finished.
    pub ran: u32,
    /// Jobs closed without a run (the case moved on, or retries ran out).
    pub closed: u32,
    /// Interrupted runs marked incomplete.
    pub interrupted: u32,
}

/// How long a claimed job is left to its process before another may take it.
const LEASE_MS: i64 = 10 * 60 * 1000;

/// The scheduler.
#[derive(Debug, Clone)]
pub struct Scheduler {
    verifier: Verifier,
}

impl Scheduler {
    /// A scheduler running `verifier`'s runs.
    pub fn new(verifier: Verifier) -> Self {
        Self { verifier }
    }

    /// Ticks until shutdown.
    pub async fn run(self, shutdown: CancellationToken) {
        let tick = self.verifier.config().tick;
        loop {
            match self.tick(OffsetDateTime::now_utc()).await {
                Ok(t) if t != Tick::default() => tracing::info!(?t, "verification scheduler"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "verification scheduler failed; next tick"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(tick) => {}
            }
        }
    }

    /// One pass: mark interrupted runs, write jobs for due cases, run the due jobs.
    pub async fn tick(&self, now: OffsetDateTime) -> Result<Tick, sqlx::Error> {
        let db = self.verifier.db();
        let config = self.verifier.config();
        let mut t = Tick::default();
        let now_ms = now_ms();
        let stale = now_ms - millis(config.stale_after);
        for case_id in store::interrupt_stale(db, stale).await? {
            let mut tx = db.begin().await?;
            after_run(&mut tx, &case_id, "interrupted", Some(now_ms)).await?;
            tx.commit().await?;
            t.interrupted += 1;
        }
        let today = vietnam_date(now).to_string();
        // Voluntary period over and not fully paid; re-verification due.
        let due = sqlx::query(
            "SELECT c.id AS case_id, d.step AS step, d.due_on AS due_on FROM cases c \
             JOIN case_deadlines d ON d.case_id = c.id AND d.done_on IS NULL \
             WHERE (c.state = 'voluntary_period' AND d.step = 'voluntary_period' AND d.due_on < $1 \
                    AND (c.amount_vnd = 0 OR c.collected_vnd + c.reduced_vnd < c.amount_vnd)) \
                OR (c.state = 'not_yet_enforceable' \
                    AND d.step IN ('re_verification', 're_verification_yearly') AND d.due_on <= $1)",
        )
        .bind(&today)
        .fetch_all(db.pool())
        .await?;
        for r in &due {
            let case_id: String = r.try_get("case_id")?;
            let step: String = r.try_get("step")?;
            let due_on: String = r.try_get("due_on")?;
            t.discovered += sqlx::query(
                "INSERT INTO verification_jobs (case_id, trigger_key, state, due_at, updated_at) \
                 VALUES ($1, $2, 'pending', $3, $3) ON CONFLICT (case_id, trigger_key) DO NOTHING",
            )
            .bind(&case_id)
            .bind(format!("{step}:{due_on}"))
            .bind(now_ms)
            .execute(db.pool())
            .await?
            .rows_affected();
        }
        let jobs = sqlx::query(
            "SELECT case_id, trigger_key, attempts FROM verification_jobs \
             WHERE state = 'pending' AND due_at <= $1 AND lease_until < $1 \
             ORDER BY due_at LIMIT $2",
        )
        .bind(now_ms)
        .bind(i64::from(config.batch.get()))
        .fetch_all(db.pool())
        .await?;
        for j in &jobs {
            let case_id: String = j.try_get("case_id")?;
            let key: String = j.try_get("trigger_key")?;
            let attempts: i64 = j.try_get("attempts")?;
            if !self.claim(&case_id, &key).await? {
                continue;
            }
            let retry = key == "retry";
            if retry && attempts >= i64::from(config.max_retries.get()) {
                let note =
                    format!("gave up after {attempts} retries; the officer can ask for a run");
                self.close(&case_id, &key, &note).await?;
                let mut tx = db.begin().await?;
                add_case_event(&mut tx, &case_id, "verification_abandoned", &note).await?;
                tx.commit().await?;
                t.closed += 1;
                continue;
            }
            let request = RunRequest {
                case_id: case_id.clone(),
                requested_by: "system".into(),
                legal_basis: config.legal_basis.clone(),
                trigger: if retry {
                    Trigger::Retry
                } else {
                    Trigger::Automatic
                },
                request_id: None,
                early_reason: None,
                identifiers: Vec::new(),
            };
            match self.verifier.run(request).await {
                // The run's own record settles the job (done, or a retry job for later).
                Ok(_) => t.ran += 1,
                Err(RunError::AlreadyRunning(_)) | Err(RunError::Db(_)) => {
                    // Left pending: the lease expires and a later tick tries again.
                }
                Err(e) => {
                    self.close(&case_id, &key, &e.to_string()).await?;
                    t.closed += 1;
                }
            }
        }
        Ok(t)
    }

    /// Claims a job for this process; false when another process has it.
    async fn claim(&self, case_id: &str, key: &str) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let claimed = sqlx::query(
            "UPDATE verification_jobs SET lease_until = $3, attempts = attempts + 1, updated_at = $4 \
             WHERE case_id = $1 AND trigger_key = $2 AND state = 'pending' AND lease_until < $4",
        )
        .bind(case_id)
        .bind(key)
        .bind(now + LEASE_MS)
        .bind(now)
        .execute(self.verifier.db().pool())
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn close(&self, case_id: &str, key: &str, note: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE verification_jobs SET state = 'done', note = $3, lease_until = 0, updated_at = $4 \
             WHERE case_id = $1 AND trigger_key = $2",
        )
        .bind(case_id)
        .bind(key)
        .bind(note)
        .bind(now_ms())
        .execute(self.verifier.db().pool())
        .await
        .map(|_| ())
    }
}

/// Settles the case's jobs after a run, inside the run's transaction: every pending job is
/// done, and an incomplete record that is worth retrying leaves one `retry` job due at
/// `retry_at` (keeping its count of attempts).
pub(crate) async fn after_run(
    tx: &mut Tx<'_>,
    case_id: &str,
    record_id: &str,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let retrying = retry_at.is_some();
    sqlx::query(
        "UPDATE verification_jobs SET state = 'done', lease_until = 0, last_record = $2, \
         note = 'settled by a run', updated_at = $3 \
         WHERE case_id = $1 AND state = 'pending' AND ($4 = 0 OR trigger_key <> 'retry')",
    )
    .bind(case_id)
    .bind(record_id)
    .bind(now)
    .bind(i64::from(retrying))
    .execute(&mut **tx)
    .await?;
    match retry_at {
        Some(at) => sqlx::query(
            "INSERT INTO verification_jobs (case_id, trigger_key, state, due_at, last_record, updated_at) \
             VALUES ($1, 'retry', 'pending', $2, $3, $4) ON CONFLICT (case_id, trigger_key) DO UPDATE SET \
             state = 'pending', due_at = excluded.due_at, lease_until = 0, \
             last_record = excluded.last_record, updated_at = excluded.updated_at",
        )
        .bind(case_id)
        .bind(at)
        .bind(record_id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map(|_| ()),
        // A finished verification ends the retries and their count.
        None => sqlx::query(
            "UPDATE verification_jobs SET attempts = 0 WHERE case_id = $1 AND trigger_key = 'retry'",
        )
        .bind(case_id)
        .execute(&mut **tx)
        .await
        .map(|_| ()),
    }
}
