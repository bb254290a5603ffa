//! The consumer loop every handler runs in: take a delivery, hand it to the handler, then ack
//! (after the handler's commit), nak with the policy's backoff, or move the message to
//! `dlq.<subject>` with the reason when it is permanently bad or out of tries. The journey of
//! the message records each outcome. Both bus implementations share this one policy.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::bus::{
    Bus, BusError, ConsumerSpec, Delivery, Outgoing, HEADER_DELIVERIES, HEADER_DLQ_REASON,
    HEADER_ORIGINAL_SUBJECT,
};
use crate::db::{now_ms, Db};
use crate::journey::{self, JourneyError, MessageState};
use crate::metrics::Metrics;
use crate::retry::RetryPolicy;

/// How a handler failed, which decides what happens to the message.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Worth trying again later (a partner down, a timeout, a database hiccup).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (malformed payload, partner refused it for good): dead-letter now.
    #[error("{0}")]
    Permanent(String),
}

impl From<sqlx::Error> for HandleError {
    fn from(e: sqlx::Error) -> Self {
        Self::Retry(format!("database: {e}"))
    }
}

impl From<JourneyError> for HandleError {
    fn from(e: JourneyError) -> Self {
        Self::Retry(format!("journey: {e}"))
    }
}

/// One kind of work fed by one durable consumer.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The durable consumer this handler reads.
    fn consumer(&self) -> ConsumerSpec;
    /// Handles one delivery. Must be idempotent (use the inbox) and must commit before
    /// returning `Ok`, since `Ok` acknowledges the message.
    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError>;
}

/// Runs a handler against the bus.
pub struct Worker {
    bus: Arc<dyn Bus>,
    db: Db,
    policy: RetryPolicy,
    metrics: Arc<Metrics>,
    handler: Arc<dyn Handler>,
}

impl Worker {
    /// A worker for `handler`.
    pub fn new(
        bus: Arc<dyn Bus>,
        db: Db,
        policy: RetryPolicy,
        metrics: Arc<Metrics>,
        handler: Arc<dyn Handler>,
    ) -> Self {
        Self {
            bus,
            db,
            policy,
            metrics,
            handler,
        }
    }

    /// Consumes until `shutdown`. Subscription errors are logged and retried; the loop never
    /// stops on a bad message or a broken connection.
    pub async fn run(self, shutdown: CancellationToken) {
        let spec = self.handler.consumer();
        let mut sub = loop {
            match self.bus.subscribe(spec.clone()).await {
                Ok(s) => break s,
                Err(e) => {
                    tracing::warn!(consumer = %spec.name, error = %e, "cannot subscribe; retrying in 1 s");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        };
        let mut errors: u32 = 0;
        while let Some(next) = sub.next().await {
            match next {
                Ok(delivery) => {
                    errors = 0;
                    self.process(&spec, delivery).await;
                }
                Err(e) => {
                    errors = errors.saturating_add(1);
                    if errors == 1 || errors % 50 == 0 {
                        tracing::warn!(consumer = %spec.name, error = %e, "consumer error; continuing");
                    }
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_millis(100 * u64::from(errors.min(20)))) => {}
                    }
                }
            }
        }
    }

    async fn process(&self, spec: &ConsumerSpec, delivery: Delivery) {
        let started = Instant::now();
        let max = u64::from(self.policy.max_deliveries.get());
        let outcome = if delivery.delivered > max {
            // A worker died holding it more often than the limit allows: a poison pill.
            self.dead_letter(
                &delivery,
                &format!(
                    "delivered {} times without an answer (limit {max})",
                    delivery.delivered
                ),
            )
            .await
        } else {
            match self.handler.handle(&delivery).await {
                Ok(()) => self.settle(&delivery, delivery.ack().await, "ok"),
                Err(HandleError::Retry(reason)) if !self.policy.exhausted(delivery.delivered) => {
                    self.metrics.failed(&delivery.subject);
                    self.retry_later(&delivery, &reason).await
                }
                Err(HandleError::Retry(reason)) => {
                    self.metrics.failed(&delivery.subject);
                    self.dead_letter(
                        &delivery,
                        &format!("gave up after {} attempts: {reason}", delivery.delivered),
                    )
                    .await
                }
                Err(HandleError::Permanent(reason)) => {
                    self.metrics.failed(&delivery.subject);
                    self.record(&delivery, MessageState::Failed, &reason).await;
                    self.dead_letter(&delivery, &format!("permanent failure: {reason}"))
                        .await
                }
            }
        };
        self.metrics
            .handled(&spec.name, outcome, delivery.delivered, started.elapsed());
    }

    fn settle(
        &self,
        delivery: &Delivery,
        result: Result<(), BusError>,
        outcome: &'static str,
    ) -> &'static str {
        if let Err(e) = result {
            // The message will come back after ack_wait; the inbox makes that harmless.
            tracing::warn!(msg_id = %delivery.journey_id(), error = %e, "could not settle a delivery");
        }
        outcome
    }

    async fn retry_later(&self, delivery: &Delivery, reason: &str) -> &'static str {
        let delay = self.policy.delay_after(delivery.delivered);
        let detail = format!(
            "attempt {} failed: {reason}; next try in {} ms",
            delivery.delivered,
            delay.as_millis()
        );
        self.record(delivery, MessageState::WaitingRetry, &detail)
            .await;
        self.settle(delivery, delivery.nak(delay).await, "retry")
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> &'static str {
        let mut msg = Outgoing::new(
            format!("dlq.{}", delivery.subject),
            format!("{}@{}", delivery.journey_id(), now_ms()),
            delivery.payload.clone(),
        );
        msg.headers = delivery.headers.clone();
        msg.headers
            .insert(HEADER_DLQ_REASON.to_string(), single_line(reason));
        msg.headers.insert(
            HEADER_ORIGINAL_SUBJECT.to_string(),
            delivery.subject.clone(),
        );
        msg.headers.insert(
            HEADER_DELIVERIES.to_string(),
            delivery.delivered.to_string(),
        );
        msg.headers.insert(
            "Thads-Msg-Id".to_string(),
            delivery.journey_id().to_string(),
        );
        if let Err(e) = self.bus.publish(msg).await {
            // Never drop it: leave it on its subject and try the dead-lettering again later.
            tracing::warn!(msg_id = %delivery.journey_id(), error = %e, "cannot publish to the dead-letter queue; will retry");
            return self.settle(delivery, delivery.nak(self.policy.retry_max).await, "retry");
        }
        self.record(delivery, MessageState::DeadLettered, reason)
            .await;
        self.metrics.dead_lettered(&delivery.subject);
        tracing::warn!(msg_id = %delivery.journey_id(), subject = %delivery.subject, "message moved to the dead-letter queue");
        self.settle(delivery, delivery.term().await, "dead_letter")
    }

    /// Records a journey step for the delivered message, if the hub tracks it.
    async fn record(&self, delivery: &Delivery, state: MessageState, detail: &str) {
        let attempts = i64::try_from(delivery.delivered).unwrap_or(i64::MAX);
        let result = async {
            let mut tx = self.db.begin().await?;
            if state == MessageState::DeadLettered {
                // Kept with the bus payload so an administrator can replay it.
                sqlx::query(
                    "INSERT INTO dead_letters \
                     (message_id, subject, payload, reason, deliveries, dead_at, order_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(delivery.journey_id())
                .bind(&delivery.subject)
                .bind(delivery.payload.as_ref())
                .bind(detail)
                .bind(attempts)
                .bind(now_ms())
                .bind(delivery.order_key())
                .execute(&mut *tx)
                .await?;
            }
            let step = journey::advance_with(
                &mut tx,
                delivery.journey_id(),
                state,
                Some(detail),
                Some((attempts, Some(detail))),
            )
            .await;
            match step {
                Ok(()) | Err(JourneyError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
            tx.commit().await?;
            Ok::<(), JourneyError>(())
        }
        .await;
        match result {
            Ok(()) | Err(JourneyError::NotFound(_)) => {}
            Err(JourneyError::IllegalTransition { .. }) => {
                tracing::debug!(msg_id = %delivery.journey_id(), "journey step skipped: already further along");
            }
            Err(e) => {
                tracing::warn!(msg_id = %delivery.journey_id(), error = %e, "cannot record a journey step")
            }
        }
    }
}

fn single_line(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    out.truncate(1000);
    out
}
