//! The transactional outbox: a handler writes the messages it causes into `outbox` in the same
//! transaction as its state change; the [`Relay`] then moves them onto the bus and deletes them.
//! A crash between commit and publish only delays the message; it is never lost, and a
//! message published twice is absorbed by `Nats-Msg-Id` and the consumers' inbox.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sqlx::Row;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::bus::{Bus, BusError, Outgoing};
use crate::db::{now_ms, Backend, Db, Tx};
use crate::metrics::Metrics;

/// How long a relay holds rows it is publishing before another relay (or the same process after
/// a crash) may take them. Short, because a lease outliving a killed process delays its
/// messages by that much; a second publish in a race is harmless (message-id de-duplication
/// and the consumers' inbox absorb it).
pub const LEASE_MS: i64 = 5_000;
/// How often the relay looks for rows written by other processes.
const POLL: Duration = Duration::from_millis(500);
/// Rows published per pass.
const BATCH: i64 = 200;
/// The PostgreSQL advisory lock the publishing relay holds ("thads-ob" in ASCII).
const RELAY_LOCK: i64 = 0x7468_6164_732d_6f62;

/// Adds a message to the outbox inside the caller's transaction. `key` is its order key
/// (the case id where the message is about a case): on an
/// [ordered subject](crate::bus::ordering::ORDERED_SUBJECTS) the messages of one key are
/// handled in the order they were enqueued, whichever hub handles them.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    message_id: &str,
    subject: &str,
    key: Option<&str>,
    payload: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (message_id, subject, payload, created_at, lease_until, order_key) \
         VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(message_id)
    .bind(subject)
    .bind(payload)
    .bind(now_ms())
    .bind(key)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Wakes the relay right after a commit so messages leave without waiting for the poll.
#[derive(Clone, Default, Debug)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    /// Tells the relay there is work.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Moves outbox rows onto the bus.
pub struct Relay {
    db: Db,
    bus: Arc<dyn Bus>,
    signal: OutboxSignal,
    metrics: Arc<Metrics>,
}

impl Relay {
    /// A relay for `db` publishing on `bus`, woken by `signal`.
    pub fn new(db: Db, bus: Arc<dyn Bus>, signal: OutboxSignal, metrics: Arc<Metrics>) -> Self {
        Self {
            db,
            bus,
            signal,
            metrics,
        }
    }

    /// Runs until `shutdown`, publishing rows as they appear.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut failures: u32 = 0;
        loop {
            let notified = self.signal.0.notified();
            let pause = match self.drain().await {
                Ok(n) if n as i64 >= BATCH => {
                    failures = 0;
                    continue;
                }
                Ok(_) => {
                    failures = 0;
                    POLL
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if failures == 1 || failures % 20 == 0 {
                        tracing::warn!(error = %e, failures, "outbox relay cannot publish; will retry");
                    }
                    Duration::from_millis(200 * u64::from(failures.min(25)))
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = notified => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Publishes up to one batch of due rows, in outbox order; returns how many were published.
    ///
    /// On PostgreSQL only one relay of all the hub processes publishes at a time (a session
    /// advisory lock, released when its connection ends, so a killed hub never holds it): the
    /// messages then enter the bus in the order they were committed to the outbox, and a
    /// case's events on `case.<office>.<case-id>` keep their order across hubs. A relay that
    /// finds the lock taken returns at once; the holder publishes its rows.
    pub async fn drain(&self) -> Result<usize, RelayError> {
        if self.db.backend() != Backend::Postgres {
            return self.pass(false).await;
        }
        let mut conn = self.db.pool().acquire().await?;
        let leader: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(RELAY_LOCK)
            .fetch_one(&mut *conn)
            .await?;
        if !leader {
            return Ok(0);
        }
        let result = self.pass(true).await;
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(RELAY_LOCK)
            .execute(&mut *conn)
            .await;
        if unlocked.is_err() {
            // Never hand a connection holding the lock back to the pool.
            let _ = conn.close().await;
        }
        result
    }

    /// Takes a batch (one statement), publishes it with the acks awaited together, and
    /// deletes what was published (one statement). A relay that holds the publishing lock
    /// (`exclusive`) only reads the batch; otherwise it claims the rows with a lease first, so
    /// a second relay would not publish them too. Either way a row is deleted only once the
    /// bus confirmed it, and one published twice after a crash is dropped by the bus's
    /// duplicate window (its message id).
    async fn pass(&self, exclusive: bool) -> Result<usize, RelayError> {
        let now = now_ms();
        let rows = if exclusive {
            sqlx::query(
                "SELECT seq, message_id, subject, payload, order_key FROM outbox ORDER BY seq LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(self.db.pool())
            .await?
        } else {
            sqlx::query(
                "UPDATE outbox SET lease_until = $2 WHERE seq IN \
                 (SELECT seq FROM outbox WHERE lease_until < $1 ORDER BY seq LIMIT $3) \
                 RETURNING seq, message_id, subject, payload, order_key",
            )
            .bind(now)
            .bind(now + LEASE_MS)
            .bind(BATCH)
            .fetch_all(self.db.pool())
            .await?
        };
        let mut batch = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.try_get("seq")?;
            let subject: String = row.try_get("subject")?;
            let payload: Vec<u8> = row.try_get("payload")?;
            let msg_id: String = row.try_get("message_id")?;
            let key: Option<String> = row.try_get("order_key")?;
            batch.push((
                seq,
                Outgoing::new(subject, msg_id, Bytes::from(payload)).with_key(key),
            ));
        }
        if batch.is_empty() {
            return Ok(0);
        }
        batch.sort_by_key(|(seq, _)| *seq);
        let seqs: Vec<i64> = batch.iter().map(|(seq, _)| *seq).collect();
        let subjects: Vec<String> = batch.iter().map(|(_, m)| m.subject.clone()).collect();
        let results = self
            .bus
            .publish_all(batch.into_iter().map(|(_, m)| m).collect())
            .await;
        let mut done = Vec::with_capacity(seqs.len());
        let mut failed = Vec::new();
        let mut first_error = None;
        for ((seq, subject), result) in seqs.iter().zip(&subjects).zip(results) {
            match result {
                Ok(_) => {
                    done.push(*seq);
                    self.metrics.relayed(subject);
                }
                Err(e) => {
                    failed.push(*seq);
                    first_error.get_or_insert(e);
                }
            }
        }
        self.settle_rows("DELETE FROM outbox WHERE seq IN", &done)
            .await?;
        if let Some(e) = first_error {
            // Give the rows back at once so the next pass retries them.
            self.settle_rows("UPDATE outbox SET lease_until = 0 WHERE seq IN", &failed)
                .await?;
            return Err(e.into());
        }
        Ok(done.len())
    }

    /// Runs `sql (<seqs>)` for the given rows, if any.
    async fn settle_rows(&self, sql: &str, seqs: &[i64]) -> Result<(), sqlx::Error> {
        if seqs.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (1..=seqs.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{sql} ({})", placeholders.join(", "));
        let mut query = sqlx::query(&sql);
        for seq in seqs {
            query = query.bind(*seq);
        }
        query.execute(self.db.pool()).await.map(|_| ())
    }
}

/// Why a relay pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The bus refused or did not confirm a publish.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}
