//! The `treasury-transfers` consumer on `out.treasury.transfer`: records `sending`, POSTs the
//! transfer to the Treasury with `Idempotency-Key: <transfer id>`, and on a 2xx carrying the
//! Treasury's reference records `delivered` and the transfer `acknowledged` (a 409 carrying the
//! reference too: the Treasury had the key from a try whose answer was lost). A failure that
//! may pass (no answer, 408, 425, 429, 5xx, no endpoint configured yet) is retried with backoff
//! and the transfer becomes `failed` on the try the worker dead-letters it; any other answer
//! fails it at once.

use std::sync::Arc;
use std::time::Duration;
use thads_core::partners::endpoints::Overlay;

use async_trait::async_trait;
use serde::Deserialize;
use thads_core::bus::{ConsumerSpec, Delivery};
use thads_core::db::{now_ms, Db};
use thads_core::journey::{self, JourneyError, MessageState};
use thads_core::metrics::Metrics;
use thads_core::retry::RetryPolicy;
use thads_core::worker::{HandleError, Handler};
use thads_schemas::subjects;

use super::config::TreasuryConfig;

/// The durable consumer name.
pub const CONSUMER: &str = "treasury-transfers";

/// What the Treasury answers to a transfer it took.
#[derive(Debug, Deserialize)]
struct Answer {
    treasury_reference: String,
}

/// Delivers transfers to the Treasury.
pub struct TransferSender {
    db: Db,
    http: reqwest::Client,
    endpoint: Option<String>,
    token: Option<String>,
    overlay: Overlay,
    metrics: Arc<Metrics>,
    ack_wait: Duration,
    policy: RetryPolicy,
}

/// Why the sender could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the Treasury client: {0}")]
pub struct BuildError(String);

impl TransferSender {
    /// A sender for `config` presenting `token`; `policy` must be the workers' retry policy.
    /// The endpoint and time limit an administrator set in the console (`overlay`, partner
    /// `treasury`) take the place of the configured ones.
    pub fn new(
        db: Db,
        config: &TreasuryConfig,
        token: Option<String>,
        overlay: Overlay,
        metrics: Arc<Metrics>,
        ack_wait: Duration,
        policy: RetryPolicy,
    ) -> Result<Arc<Self>, BuildError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| BuildError(e.to_string()))?;
        Ok(Arc::new(Self {
            db,
            http,
            endpoint: config.endpoint.clone(),
            token,
            overlay,
            metrics,
            ack_wait,
            policy,
        }))
    }

    async fn journey(
        &self,
        id: &str,
        state: MessageState,
        detail: &str,
        attempt: u64,
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
        tx.commit().await?;
        Ok(())
    }

    async fn mark(
        &self,
        id: &str,
        state: &str,
        reference: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), HandleError> {
        sqlx::query(
            "UPDATE treasury_transfers SET state = $2, treasury_reference = COALESCE($3, treasury_reference), \
             last_error = $4, updated_at = $5 WHERE transfer_id = $1 AND state IN ('queued', 'failed')",
        )
        .bind(id)
        .bind(state)
        .bind(reference)
        .bind(error)
        .bind(now_ms())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    async fn fail(&self, id: &str, reason: String, retriable: bool, delivered: u64) -> HandleError {
        let last = !retriable || self.policy.exhausted(delivered);
        let state = if last { "failed" } else { "queued" };
        if let Err(e) = self.mark(id, state, None, Some(&reason)).await {
            return e;
        }
        if retriable {
            HandleError::Retry(reason)
        } else {
            HandleError::Permanent(reason)
        }
    }
}

#[async_trait]
impl Handler for TransferSender {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::OUT_TREASURY_TRANSFER.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let id = delivery.journey_id();
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM treasury_transfers WHERE transfer_id = $1")
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?;
        match state.as_deref() {
            None => {
                return Err(HandleError::Permanent(format!(
                    "no transfer {id} is stored; the message cannot be delivered"
                )))
            }
            Some("queued" | "failed") => {}
            // Acknowledged or reconciled already: a redelivery has nothing to send.
            Some(_) => return Ok(()),
        }
        // The endpoint an administrator set in the console, else the configured one. With
        // neither, the transfer is not silently parked: it is retried, and once the retries
        // are spent it is dead-lettered (visible in the console, replayable once set).
        let overridden = self.overlay.get(crate::PARTNER);
        let Some(url) = overridden
            .as_ref()
            .map(|o| o.url.clone())
            .or_else(|| self.endpoint.clone())
        else {
            let reason = "no Treasury endpoint: set treasury.endpoint or the partner's endpoint \
                          in the console, then replay the dead letter"
                .to_string();
            tracing::warn!(transfer = %id, "{reason}");
            return Err(self.fail(id, reason, true, delivery.delivered).await);
        };
        self.journey(
            id,
            MessageState::Sending,
            &format!("attempt {} to the Treasury", delivery.delivered),
            delivery.delivered,
        )
        .await?;
        let mut request = self
            .http
            .post(&url)
            .header("Idempotency-Key", id)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(delivery.payload.to_vec());
        if let Some(o) = &overridden {
            request = request.timeout(o.timeout());
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let reason = format!("no answer from the Treasury: {}", e.without_url());
                return Err(self.fail(id, reason, true, delivery.delivered).await);
            }
        };
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        let short: String = body.chars().take(200).filter(|c| !c.is_control()).collect();
        match status {
            // 409: the Treasury already took this Idempotency-Key (an earlier try whose answer
            // was lost); with its reference, that is the acknowledgement.
            200..=299 | 409 if status != 409 || serde_json::from_str::<Answer>(&body).is_ok() => {
                let Ok(answer) = serde_json::from_str::<Answer>(&body) else {
                    let reason =
                        format!("the Treasury answered {status} without a reference: {short}");
                    return Err(self.fail(id, reason, true, delivery.delivered).await);
                };
                self.mark(id, "acknowledged", Some(&answer.treasury_reference), None)
                    .await?;
                self.journey(
                    id,
                    MessageState::Delivered,
                    &format!(
                        "the Treasury acknowledged it as {}",
                        answer.treasury_reference
                    ),
                    delivery.delivered,
                )
                .await?;
                self.metrics.delivered(subjects::OUT_TREASURY_TRANSFER);
                Ok(())
            }
            408 | 425 | 429 | 500..=599 => {
                let reason = format!("the Treasury answered {status}: {short}");
                Err(self.fail(id, reason, true, delivery.delivered).await)
            }
            _ => {
                let reason = format!("the Treasury refused the transfer with {status}: {short}");
                Err(self.fail(id, reason, false, delivery.delivered).await)
            }
        }
    }
}
