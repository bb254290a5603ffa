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
use crate::db::{now_ms, Db, Tx};
use crate::metrics::Metrics;

/// How long a relay holds rows it is publishing before another relay (or the same process after
/// a crash) may take them. Short, because a lease outliving a killed process delays its
/// messages by that much; a second publish in a race is harmless (message-id de-duplication
/// and the consumers' inbox absorb it).
pub const LEASE_MS: i64 = 5_000;
/// How often the relay looks for rows written by other processes.
const POLL: Duration = Duration::from_millis(500);
/// Rows published per pass.
const BATCH: i64 = 100;

/// Adds a message to the outbox inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    message_id: &str,
    subject: &str,
    payload: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (message_id, subject, payload, created_at, lease_until) \
         VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(message_id)
    .bind(subject)
    .bind(payload)
    .bind(now_ms())
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

    /// Publishes up to one batch of due rows; returns how many were published.
    pub async fn drain(&self) -> Result<usize, RelayError> {
        let now = now_ms();
        let rows = sqlx::query(
            "SELECT seq, message_id, subject, payload, lease_until FROM outbox \
             WHERE lease_until < $1 ORDER BY seq LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(self.db.pool())
        .await?;
        let mut published = 0;
        for row in rows {
            let seq: i64 = row.try_get("seq")?;
            let lease: i64 = row.try_get("lease_until")?;
            let claimed = sqlx::query(
                "UPDATE outbox SET lease_until = $2 WHERE seq = $1 AND lease_until = $3",
            )
            .bind(seq)
            .bind(now + LEASE_MS)
            .bind(lease)
            .execute(self.db.pool())
            .await?
            .rows_affected()
                == 1;
            if !claimed {
                continue;
            }
            let subject: String = row.try_get("subject")?;
            let payload: Vec<u8> = row.try_get("payload")?;
            let msg = Outgoing::new(
                subject.clone(),
                row.try_get::<String, _>("message_id")?,
                Bytes::from(payload),
            );
            if let Err(e) = self.bus.publish(msg).await {
                // Give the row back at once so the next pass retries it.
                sqlx::query("UPDATE outbox SET lease_until = 0 WHERE seq = $1")
                    .bind(seq)
                    .execute(self.db.pool())
                    .await?;
                return Err(e.into());
            }
            sqlx::query("DELETE FROM outbox WHERE seq = $1")
                .bind(seq)
                .execute(self.db.pool())
                .await?;
            self.metrics.relayed(&subject);
            published += 1;
        }
        Ok(published)
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
