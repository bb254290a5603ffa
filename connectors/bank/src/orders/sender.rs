//! The `bank-orders` consumer on `out.bank.order`: records `sending`, POSTs the order to its
//! bank, then records `delivered` (the order becomes `sent`) or reports the failure class to the
//! worker, which retries with backoff or dead-letters the order after the last try (the order
//! becomes `failed`). An order whose bank has no endpoint waits for the daily batch file.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use thads_core::bus::{ConsumerSpec, Delivery};
use thads_core::db::{now_ms, Db};
use thads_core::journey::{self, JourneyError, MessageState};
use thads_core::metrics::Metrics;
use thads_core::retry::RetryPolicy;
use thads_core::worker::{HandleError, Handler};
use thads_schemas::bank_order::AccountOrder;
use thads_schemas::subjects;

use super::client::{BankClient, RetryClass};
use super::OrderState;

/// The durable consumer name.
pub const CONSUMER: &str = "bank-orders";

/// Delivers account orders to banks.
pub struct OrderSender {
    db: Db,
    client: BankClient,
    metrics: Arc<Metrics>,
    ack_wait: Duration,
    policy: RetryPolicy,
}

impl OrderSender {
    /// A sender using `client`; `policy` must be the workers' retry policy, so the order is
    /// marked `failed` on the same try the worker dead-letters it.
    pub fn new(
        db: Db,
        client: BankClient,
        metrics: Arc<Metrics>,
        ack_wait: Duration,
        policy: RetryPolicy,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            client,
            metrics,
            ack_wait,
            policy,
        })
    }

    async fn record(
        &self,
        id: &str,
        state: MessageState,
        detail: &str,
        attempt: u64,
        order_state: Option<(OrderState, Option<&str>)>,
    ) -> Result<(), HandleError> {
        let mut tx = self.db.begin().await?;
        let attempts = i64::try_from(attempt).unwrap_or(i64::MAX);
        match journey::advance_with(&mut tx, id, state, Some(detail), Some((attempts, None))).await
        {
            Ok(()) | Err(JourneyError::NotFound(_)) => {}
            Err(e @ JourneyError::IllegalTransition { .. }) => {
                return Err(HandleError::Permanent(e.to_string()))
            }
            Err(e) => return Err(e.into()),
        }
        if let Some((to, error)) = order_state {
            // Never overwrite the bank's answer, which may arrive before the 2xx is recorded.
            sqlx::query(
                "UPDATE bank_orders SET state = $2, last_error = $3, updated_at = $4 \
                 WHERE order_id = $1 AND state IN ('issued', 'sent', 'failed')",
            )
            .bind(id)
            .bind(to.as_str())
            .bind(error)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn mark(&self, id: &str, to: OrderState, error: &str) -> Result<(), HandleError> {
        sqlx::query(
            "UPDATE bank_orders SET state = $2, last_error = $3, updated_at = $4 \
             WHERE order_id = $1 AND state IN ('issued', 'failed')",
        )
        .bind(id)
        .bind(to.as_str())
        .bind(error)
        .bind(now_ms())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler for OrderSender {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::OUT_BANK_ORDER.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let order = AccountOrder::from_json(&delivery.payload)
            .map_err(|e| HandleError::Permanent(e.to_string()))?;
        let id = delivery.journey_id();
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM bank_orders WHERE order_id = $1")
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?;
        match state.as_deref().and_then(OrderState::parse) {
            None => {
                return Err(HandleError::Permanent(format!(
                    "no order {id} is stored; the message cannot be delivered"
                )))
            }
            // Delivered or answered already: a redelivery has nothing to send.
            Some(OrderState::Sent | OrderState::Executed | OrderState::Rejected) => return Ok(()),
            Some(OrderState::Issued | OrderState::Failed) => {}
        }
        let Some(url) = self.client.endpoint_for(&order.bank) else {
            tracing::info!(order = %id, bank = %order.bank, "the bank has no orders endpoint: the order waits for the daily batch file");
            return Ok(());
        };
        self.record(
            id,
            MessageState::Sending,
            &format!("attempt {} to bank {}", delivery.delivered, order.bank),
            delivery.delivered,
            None,
        )
        .await?;
        match self.client.send(&url, id, &delivery.payload).await {
            Ok(()) => {
                self.record(
                    id,
                    MessageState::Delivered,
                    &format!(
                        "bank {} took the order; its acknowledgement is awaited",
                        order.bank
                    ),
                    delivery.delivered,
                    Some((OrderState::Sent, None)),
                )
                .await?;
                self.metrics.delivered(subjects::OUT_BANK_ORDER);
                Ok(())
            }
            Err(e) => {
                let reason = e.to_string();
                match e.retry_class() {
                    RetryClass::Permanent => {
                        self.mark(id, OrderState::Failed, &reason).await?;
                        Err(HandleError::Permanent(reason))
                    }
                    _ => {
                        let to = if self.policy.exhausted(delivery.delivered) {
                            OrderState::Failed
                        } else {
                            OrderState::Issued
                        };
                        self.mark(id, to, &reason).await?;
                        Err(HandleError::Retry(reason))
                    }
                }
            }
        }
    }
}
