//! The embedded bus: a durable queue in the hub's own database (SQLite by default, PostgreSQL
//! works too), with the JetStream semantics the rest of the hub relies on: a publish is durable
//! when it returns, de-duplication by message id, durable consumers with ack, delayed
//! redelivery (nak with a delay), terminal failure, and redelivery after `ack_wait` when a
//! worker dies holding a message.
//!
//! Routing happens at publish time: each registered consumer whose filter matches gets its own
//! delivery row, so consumers progress independently, as JetStream consumers do.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use sqlx::Row;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{
    ordering, subject, Bus, BusError, ConsumerSpec, Delivery, Outgoing, Published, Settle,
    Subscription,
};
use crate::db::{now_ms, Db};

/// How often an idle consumer looks for due deliveries written by another process.
const POLL: Duration = Duration::from_millis(250);
/// Delivered queue rows older than this are swept (dead letters are kept).
const RETENTION_MS: i64 = 24 * 3600 * 1000;

/// The embedded queue.
#[derive(Clone)]
pub struct EmbeddedBus {
    db: Db,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
}

impl EmbeddedBus {
    /// A bus over `db`; its tables come with the hub's migrations. Subscriptions end when
    /// `shutdown` is cancelled.
    pub fn new(db: Db, shutdown: CancellationToken) -> Self {
        Self {
            db,
            wake: Arc::new(Notify::new()),
            shutdown,
        }
    }

    /// Removes settled messages past the retention period; dead letters stay.
    pub async fn sweep(&self) -> Result<u64, BusError> {
        let cutoff = now_ms() - RETENTION_MS;
        let done = sqlx::query(
            "DELETE FROM queue_messages WHERE published_at < $1 AND subject NOT LIKE 'dlq.%' \
             AND NOT EXISTS (SELECT 1 FROM queue_deliveries d WHERE d.seq = queue_messages.seq)",
        )
        .bind(cutoff)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl Bus for EmbeddedBus {
    async fn publish(&self, msg: Outgoing) -> Result<Published, BusError> {
        let headers =
            serde_json::to_string(&msg.wire_headers()).unwrap_or_else(|_| "{}".to_string());
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let seq: Option<i64> = sqlx::query_scalar(
            "INSERT INTO queue_messages (subject, msg_id, payload, headers, published_at, order_key) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject, msg_id) DO NOTHING RETURNING seq",
        )
        .bind(&msg.subject)
        .bind(&msg.msg_id)
        .bind(msg.payload.as_ref())
        .bind(&headers)
        .bind(now)
        .bind(msg.key.as_deref())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(seq) = seq else {
            tx.rollback().await?;
            return Ok(Published { duplicate: true });
        };
        let consumers = sqlx::query("SELECT name, filter FROM queue_consumers")
            .fetch_all(&mut *tx)
            .await?;
        for c in consumers {
            let name: String = c.try_get("name")?;
            let filter: String = c.try_get("filter")?;
            if subject::matches(&filter, &msg.subject) {
                sqlx::query(
                    "INSERT INTO queue_deliveries (consumer, seq, delivered, available_at) \
                     VALUES ($1, $2, 0, $3)",
                )
                .bind(&name)
                .bind(seq)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.wake.notify_waiters();
        Ok(Published { duplicate: false })
    }

    async fn subscribe(&self, spec: ConsumerSpec) -> Result<Box<dyn Subscription>, BusError> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let created = sqlx::query(
            "INSERT INTO queue_consumers (name, filter, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&spec.name)
        .bind(&spec.filter)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if created {
            // A new durable consumer starts from the oldest retained message, as a JetStream
            // consumer with DeliverPolicy::All does: nothing published before it is missed.
            // On PostgreSQL another process may be publishing right now: its transaction read
            // the consumer list before this row existed, and this backfill cannot see its
            // uncommitted message. Holding off inserts until this transaction commits (and
            // waiting for those under way) closes that gap; SQLite has one writer anyway.
            if self.db.backend() == crate::db::Backend::Postgres {
                sqlx::query("LOCK TABLE queue_messages IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
            }
            let retained = sqlx::query("SELECT seq, subject FROM queue_messages ORDER BY seq")
                .fetch_all(&mut *tx)
                .await?;
            for row in retained {
                let subject: String = row.try_get("subject")?;
                if subject::matches(&spec.filter, &subject) {
                    sqlx::query(
                        "INSERT INTO queue_deliveries (consumer, seq, delivered, available_at) \
                         VALUES ($1, $2, 0, $3) ON CONFLICT (consumer, seq) DO NOTHING",
                    )
                    .bind(&spec.name)
                    .bind(row.try_get::<i64, _>("seq")?)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        } else {
            sqlx::query("UPDATE queue_consumers SET filter = $2 WHERE name = $1")
                .bind(&spec.name)
                .bind(&spec.filter)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Box::new(EmbeddedSubscription {
            bus: self.clone(),
            ordered: ordering::is_ordered(&spec.filter),
            spec,
            last_sweep: now_ms(),
        }))
    }

    async fn health(&self) -> Result<(), BusError> {
        self.db.ping().await.map_err(BusError::from)
    }

    fn kind(&self) -> &'static str {
        "embedded"
    }
}

struct EmbeddedSubscription {
    bus: EmbeddedBus,
    spec: ConsumerSpec,
    /// Whether the consumer hands out each order key's messages one at a time.
    ordered: bool,
    last_sweep: i64,
}

/// The oldest due delivery of a consumer.
const CLAIM_ANY: &str =
    "SELECT d.seq, d.delivered, d.available_at, m.subject, m.msg_id, m.payload, m.headers, \
     m.order_key FROM queue_deliveries d JOIN queue_messages m ON m.seq = d.seq \
     WHERE d.consumer = $1 AND d.available_at <= $2 \
     ORDER BY d.available_at, d.seq LIMIT 1";

/// The oldest due delivery of an ordered consumer that no earlier unsettled delivery of the
/// same order key holds back.
const CLAIM_IN_KEY_ORDER: &str =
    "SELECT d.seq, d.delivered, d.available_at, m.subject, m.msg_id, m.payload, m.headers, \
     m.order_key FROM queue_deliveries d JOIN queue_messages m ON m.seq = d.seq \
     WHERE d.consumer = $1 AND d.available_at <= $2 \
     AND (m.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM queue_messages e \
          JOIN queue_deliveries f ON f.seq = e.seq AND f.consumer = d.consumer \
          WHERE e.order_key = m.order_key AND e.seq < m.seq)) \
     ORDER BY d.available_at, d.seq LIMIT 1";

impl EmbeddedSubscription {
    /// Claims the oldest due delivery, if any. The claim is optimistic (compare on the old
    /// `available_at` and count) so several processes sharing a PostgreSQL queue never take
    /// the same delivery twice. On an [ordered](super::ordering) consumer a message waits while
    /// an earlier one with its order key is still unsettled (in flight or waiting to be
    /// retried); the relay publishes one message at a time in outbox order, so the earlier
    /// one is always committed first.
    async fn try_claim(&self) -> Result<Result<Delivery, Option<i64>>, BusError> {
        let pool = self.bus.db.pool();
        let now = now_ms();
        let due = sqlx::query(if self.ordered {
            CLAIM_IN_KEY_ORDER
        } else {
            CLAIM_ANY
        })
        .bind(&self.spec.name)
        .bind(now)
        .fetch_optional(pool)
        .await?;
        let Some(row) = due else {
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(available_at) FROM queue_deliveries WHERE consumer = $1",
            )
            .bind(&self.spec.name)
            .fetch_one(pool)
            .await?;
            // Due but held back behind an earlier message of its key: wait for a settle (which
            // wakes this process) or the poll, rather than spin.
            let poll = i64::try_from(POLL.as_millis()).unwrap_or(250);
            return Ok(Err(next.map(|t| if t <= now { now + poll } else { t })));
        };
        let seq: i64 = row.try_get("seq")?;
        let delivered: i64 = row.try_get("delivered")?;
        let available_at: i64 = row.try_get("available_at")?;
        let lease = i64::try_from(self.spec.ack_wait.as_millis()).unwrap_or(i64::MAX / 4);
        let claimed = sqlx::query(
            "UPDATE queue_deliveries SET delivered = delivered + 1, available_at = $3 \
             WHERE consumer = $1 AND seq = $2 AND delivered = $4 AND available_at = $5",
        )
        .bind(&self.spec.name)
        .bind(seq)
        .bind(now + lease)
        .bind(delivered)
        .bind(available_at)
        .execute(pool)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            // Another worker took it first; look again at once.
            return Ok(Err(Some(now)));
        }
        let keyed = row.try_get::<Option<String>, _>("order_key")?.is_some();
        let headers: String = row.try_get("headers")?;
        let headers: BTreeMap<String, String> = serde_json::from_str(&headers).unwrap_or_default();
        let payload: Vec<u8> = row.try_get("payload")?;
        let attempt = delivered + 1;
        Ok(Ok(Delivery::new(
            row.try_get("subject")?,
            row.try_get("msg_id")?,
            Bytes::from(payload),
            headers,
            u64::try_from(attempt).unwrap_or(1),
            Box::new(EmbeddedSettle {
                db: self.bus.db.clone(),
                wake: self.bus.wake.clone(),
                consumer: self.spec.name.clone(),
                seq,
                attempt,
                holds_its_key: self.ordered && keyed,
            }),
        )))
    }
}

#[async_trait]
impl Subscription for EmbeddedSubscription {
    async fn next(&mut self) -> Option<Result<Delivery, BusError>> {
        loop {
            if self.bus.shutdown.is_cancelled() {
                return None;
            }
            let wake = self.bus.wake.clone();
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait = match self.try_claim().await {
                Ok(Ok(delivery)) => return Some(Ok(delivery)),
                Ok(Err(next_due)) => {
                    let now = now_ms();
                    match next_due {
                        Some(t) if t <= now => Duration::ZERO,
                        Some(t) => {
                            POLL.min(Duration::from_millis(u64::try_from(t - now).unwrap_or(0)))
                        }
                        None => POLL,
                    }
                }
                Err(e) => return Some(Err(e)),
            };
            if now_ms() - self.last_sweep > 600_000 {
                self.last_sweep = now_ms();
                if let Err(e) = self.bus.sweep().await {
                    tracing::warn!(error = %e, "embedded queue sweep failed");
                }
            }
            if wait.is_zero() {
                continue;
            }
            tokio::select! {
                _ = self.bus.shutdown.cancelled() => return None,
                _ = &mut notified => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

struct EmbeddedSettle {
    db: Db,
    wake: Arc<Notify>,
    consumer: String,
    seq: i64,
    attempt: i64,
    /// Later messages of its order key wait for this one on this consumer.
    holds_its_key: bool,
}

impl EmbeddedSettle {
    async fn remove(&self) -> Result<(), BusError> {
        sqlx::query(
            "DELETE FROM queue_deliveries WHERE consumer = $1 AND seq = $2 AND delivered = $3",
        )
        .bind(&self.consumer)
        .bind(self.seq)
        .bind(self.attempt)
        .execute(self.db.pool())
        .await?;
        if self.holds_its_key {
            // The next message of its key may be waiting for this one: wake the consumers of
            // this process rather than leave it to the poll.
            self.wake.notify_waiters();
        }
        Ok(())
    }
}

#[async_trait]
impl Settle for EmbeddedSettle {
    async fn ack(&self) -> Result<(), BusError> {
        self.remove().await
    }

    async fn nak(&self, delay: Duration) -> Result<(), BusError> {
        let at = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 4);
        sqlx::query(
            "UPDATE queue_deliveries SET available_at = $4 \
             WHERE consumer = $1 AND seq = $2 AND delivered = $3",
        )
        .bind(&self.consumer)
        .bind(self.seq)
        .bind(self.attempt)
        .bind(at)
        .execute(self.db.pool())
        .await?;
        if delay.is_zero() {
            self.wake.notify_waiters();
        }
        Ok(())
    }

    async fn term(&self) -> Result<(), BusError> {
        self.remove().await
    }
}
