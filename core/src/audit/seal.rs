//! Sealing the audit trail in batches on a schedule: the entries appended since the last seal
//! are given their place in the chain (in the order the sealer finds them committed, so an
//! entry whose transaction committed late simply joins the next batch), chained hash by hash,
//! and closed by a seal signed with the hub's key. One sealer at a time: the single
//! `audit_head` row is written first in the sealing transaction, which serialises sealers
//! across hub processes on PostgreSQL and is the write lock on SQLite.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use tokio_util::sync::CancellationToken;

use super::entry::{entry_hash, Entry, Seal};
use crate::db::{now_ms, Db};
use crate::partners::HubKey;

/// The most entries one seal closes; more wait for the next pass, which follows at once.
pub const BATCH: i64 = 2_000;

/// The `[audit]` settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// How often appended entries are chained and sealed (a signed seal per batch). Shorter
    /// leaves less unsealed at any moment; each seal is one small transaction.
    #[serde(with = "humantime_serde")]
    pub seal_interval: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            seal_interval: Duration::from_secs(10),
        }
    }
}

impl AuditConfig {
    /// Checks the settings; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.seal_interval < Duration::from_millis(100)
            || self.seal_interval > Duration::from_secs(3600)
        {
            return Err("audit.seal_interval must be between 100ms and 1h".into());
        }
        Ok(())
    }
}

/// Chains and signs audit entries.
pub struct AuditSealer {
    db: Db,
    key: Arc<HubKey>,
    every: Duration,
}

impl AuditSealer {
    /// A sealer over `db` signing with `key`, sealing every `every`.
    pub fn new(db: Db, key: Arc<HubKey>, every: Duration) -> Self {
        Self { db, key, every }
    }

    /// Runs until `shutdown`, sealing what has been appended at each tick (and once more when
    /// asked to stop, so a clean shutdown leaves nothing unsealed).
    pub async fn run(self, shutdown: CancellationToken) {
        let mut failures: u32 = 0;
        loop {
            let pause = match seal_once(&self.db, &self.key).await {
                Ok(Some(seal)) if seal.last_chain_no - seal.first_chain_no + 1 >= BATCH => continue,
                Ok(_) => {
                    failures = 0;
                    self.every
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if failures == 1 || failures % 20 == 0 {
                        tracing::warn!(error = %e, failures, "cannot seal the audit trail; will retry");
                    }
                    self.every
                        .min(Duration::from_millis(500 * u64::from(failures.min(20))))
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => {
                    if let Err(e) = seal_once(&self.db, &self.key).await {
                        tracing::warn!(error = %e, "audit trail not sealed at shutdown; the next start seals it");
                    }
                    return;
                }
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Entries given their place in one statement (4 parameters each, well inside SQLite's and
/// PostgreSQL's limits).
const UPDATE_ROWS: usize = 500;

/// Stores the chain positions and hashes of `part` (`seq`, `chain_no`, `prev_hash`,
/// `entry_hash`) in batch `batch_no` with one statement: the sealer's work is one round trip per
/// few hundred entries, not one per entry.
async fn write_chain(
    tx: &mut crate::db::Tx<'_>,
    part: &[(i64, i64, String, String)],
    batch_no: i64,
) -> Result<(), sqlx::Error> {
    let values: Vec<String> = (0..part.len())
        .map(|i| {
            let p = 4 * i + 2;
            format!(
                "(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS TEXT), CAST(${} AS TEXT))",
                p,
                p + 1,
                p + 2,
                p + 3
            )
        })
        .collect();
    let sql = format!(
        "WITH v (seq, chain_no, prev_hash, entry_hash) AS (VALUES {}) \
         UPDATE audit_log SET chain_no = v.chain_no, prev_hash = v.prev_hash, \
         entry_hash = v.entry_hash, batch_no = $1 FROM v WHERE audit_log.seq = v.seq",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(batch_no);
    for (seq, chain_no, prev_hash, entry_hash) in part {
        query = query
            .bind(*seq)
            .bind(*chain_no)
            .bind(prev_hash.as_str())
            .bind(entry_hash.as_str());
    }
    let done = query.execute(&mut **tx).await?;
    if done.rows_affected() != part.len() as u64 {
        return Err(sqlx::Error::Protocol(format!(
            "the sealer chained {} of {} audit entries",
            done.rows_affected(),
            part.len()
        )));
    }
    Ok(())
}

/// Seals the entries appended since the last seal (at most [`BATCH`]) into a new batch;
/// `None` when there was nothing to seal.
pub async fn seal_once(db: &Db, key: &HubKey) -> Result<Option<Seal>, sqlx::Error> {
    let mut tx = db.begin().await?;
    // Take the sealer's lock before reading anything.
    sqlx::query("UPDATE audit_head SET batch_no = batch_no WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let head = sqlx::query("SELECT chain_no, head_hash, batch_no FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let mut chain_no: i64 = head.try_get("chain_no")?;
    let mut prev: String = head.try_get("head_hash")?;
    let batch_no: i64 = head.try_get::<i64, _>("batch_no")? + 1;
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, subject, detail, content_hash FROM audit_log \
         WHERE chain_no IS NULL ORDER BY seq LIMIT $1",
    )
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        tx.rollback().await?;
        return Ok(None);
    }
    let first = chain_no + 1;
    let mut chained = Vec::with_capacity(rows.len());
    for r in &rows {
        let entry = Entry {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            detail: r.try_get("detail")?,
            content_hash: r.try_get("content_hash")?,
        };
        chain_no += 1;
        let hash = entry_hash(chain_no, &prev, &entry);
        chained.push((
            entry.seq,
            chain_no,
            std::mem::replace(&mut prev, hash.clone()),
            hash,
        ));
    }
    for part in chained.chunks(UPDATE_ROWS) {
        write_chain(&mut tx, part, batch_no).await?;
    }
    let mut seal = Seal {
        batch_no,
        first_chain_no: first,
        last_chain_no: chain_no,
        head_hash: prev,
        sealed_at: now_ms(),
        key_id: key.key_id().to_string(),
        signature: String::new(),
    };
    seal.signature = key.sign_base64(&seal.signed_bytes());
    sqlx::query(
        "INSERT INTO audit_seals (batch_no, first_chain_no, last_chain_no, head_hash, sealed_at, \
         key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(seal.batch_no)
    .bind(seal.first_chain_no)
    .bind(seal.last_chain_no)
    .bind(&seal.head_hash)
    .bind(seal.sealed_at)
    .bind(&seal.key_id)
    .bind(&seal.signature)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_head SET chain_no = $1, head_hash = $2, batch_no = $3 WHERE id = 1")
        .bind(seal.last_chain_no)
        .bind(&seal.head_hash)
        .bind(seal.batch_no)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(seal))
}

/// Seals until nothing is left (for `thads-hub audit seal` and before an export).
pub async fn seal_all(db: &Db, key: &HubKey) -> Result<usize, sqlx::Error> {
    let mut batches = 0;
    while seal_once(db, key).await?.is_some() {
        batches += 1;
    }
    Ok(batches)
}
