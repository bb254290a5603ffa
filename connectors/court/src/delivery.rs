//! The `court-report` consumer on `out.court.report`: pushes each sealed evidence (accepted,
//! rejected, case opened) and decision report to the court's endpoint, so courts need not poll
//! `GET /v1/court/evidences`. It records `sending`, POSTs the signed bytes with
//! `Idempotency-Key: <evidence id>`, then records `delivered` or reports the failure class to
//! the worker, which retries with exponential backoff and jitter (`bus.retry_min`,
//! `bus.retry_max`) and dead-letters the delivery after `bus.max_deliveries` tries; an
//! administrator replays it with `POST /v1/admin/messages/{id}/replay`.
//!
//! A court without an endpoint is skipped (acknowledged, counted as `skipped`): it pulls. Each
//! court's endpoint has its own circuit breaker (the VNeID connector's), so one court being down
//! neither hammers it nor slows the others. While a breaker is open a delivery waits for the
//! cool-down (at most half the ack wait) or goes back to the bus; a delivery's last try and a
//! replay always call the court, so only the court's own answer dead-letters a delivery.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use thads_core::breaker::{Admission, BreakerState, CallOutcome, CircuitBreaker};
use thads_core::bus::{ConsumerSpec, Delivery};
use thads_core::db::Db;
use thads_core::metrics::Metrics;
use thads_core::partners::HubKey;
use thads_core::retry::RetryPolicy;
use thads_core::worker::{HandleError, Handler};
use thads_schemas::subjects;
use tokio_util::sync::CancellationToken;

use crate::delivery_client::{ClientError, CourtClient, RetryClass};
use crate::delivery_config::{self, CourtEndpoint, DeliveryConfig, DeliveryConfigError};
use crate::delivery_mapping::{self, Outbound};
use crate::delivery_store as store;

/// The durable consumer name.
pub const CONSUMER: &str = "court-report";
/// The metric label of skipped deliveries for courts that are not in the partner registry.
pub const UNREGISTERED: &str = "unregistered";

/// Why the delivery worker cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The `[court.endpoints]` or `[court.delivery]` configuration is unusable.
    #[error(transparent)]
    Config(#[from] DeliveryConfigError),
    /// An HTTP client could not be built.
    #[error("court {court}: {source}")]
    Client {
        /// The court.
        court: String,
        /// What failed.
        #[source]
        source: ClientError,
    },
}

/// What the delivery worker needs from the hub.
pub struct DeliverySettings {
    /// The database (journeys, delivery state).
    pub db: Db,
    /// Metrics: deliveries per court and outcome, breaker gauges.
    pub metrics: Arc<Metrics>,
    /// The hub's signing key, which seals decision reports.
    pub hub_key: Arc<HubKey>,
    /// The consumer's ack wait; a delivery is held at most half of it by an open breaker.
    pub ack_wait: Duration,
    /// The workers' retry policy: on a delivery's last try the breaker is bypassed.
    pub policy: RetryPolicy,
    /// Cancelled at shutdown, so a held delivery lets go at once.
    pub shutdown: CancellationToken,
    /// The endpoint settings changed from the console (`docs/console.md`).
    pub overlay: thads_core::partners::endpoints::Overlay,
}

/// One court's endpoint with its breaker.
struct Court {
    client: CourtClient,
    breaker: CircuitBreaker,
    last_failure: Mutex<Option<String>>,
}

/// Pushes evidences and reports to courts.
pub struct CourtDelivery {
    s: DeliverySettings,
    courts: BTreeMap<String, Court>,
}

/// An admitted call: reports `Abandoned` to the breaker if dropped without a verdict, so a
/// half-open probe that failed for another reason (a database hiccup) frees its slot.
struct Admitted<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    settled: bool,
}

impl Admitted<'_> {
    fn settle(&mut self, outcome: CallOutcome) -> Option<BreakerState> {
        self.settled = true;
        self.breaker.record(self.probe, outcome, Instant::now())
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker
                .record(self.probe, CallOutcome::Abandoned, Instant::now());
        }
    }
}

fn partner(court: &str) -> String {
    format!("court:{court}")
}

impl CourtDelivery {
    /// A worker for the configured endpoints (token files are read now).
    pub fn new(
        settings: DeliverySettings,
        endpoints: &BTreeMap<String, CourtEndpoint>,
        config: &DeliveryConfig,
    ) -> Result<Arc<Self>, DeliveryError> {
        config.validate()?;
        let mut courts = BTreeMap::new();
        for (code, endpoint) in delivery_config::resolve_endpoints(endpoints)? {
            let client = CourtClient::new(endpoint, config.timeout)
                .map_err(|source| DeliveryError::Client {
                    court: code.clone(),
                    source,
                })?
                .with_overlay(settings.overlay.clone());
            let breaker = CircuitBreaker::new(config.breaker_failures, config.breaker_cool_down);
            settings
                .metrics
                .set_circuit_state(&partner(&code), breaker.state().gauge());
            courts.insert(
                code,
                Court {
                    client,
                    breaker,
                    last_failure: Mutex::new(None),
                },
            );
        }
        Ok(Arc::new(Self {
            s: settings,
            courts,
        }))
    }

    /// The codes of the courts evidences are pushed to.
    pub fn courts(&self) -> Vec<String> {
        self.courts.keys().cloned().collect()
    }

    fn publish_breaker(&self, code: &str, court: &Court, changed: Option<BreakerState>) {
        self.s
            .metrics
            .set_circuit_state(&partner(code), court.breaker.state().gauge());
        match changed {
            Some(BreakerState::Open) => tracing::warn!(
                court = code,
                "circuit breaker opened: the court's endpoint keeps failing; deliveries wait"
            ),
            Some(BreakerState::Closed) => {
                tracing::info!(
                    court = code,
                    "circuit breaker closed: the court answers again"
                )
            }
            Some(BreakerState::HalfOpen) | None => {}
        }
    }

    /// Waits until the court's breaker admits a call, at most half the ack wait; with
    /// `bypass` (a last try, or a replay) an open breaker lets the call through.
    async fn admit<'a>(
        &self,
        code: &str,
        court: &'a Court,
        bypass: bool,
    ) -> Result<Admitted<'a>, HandleError> {
        let limit = Instant::now() + self.s.ack_wait / 2;
        loop {
            let now = Instant::now();
            let before = court.breaker.state();
            let admission = court.breaker.admit(now);
            let after = court.breaker.state();
            self.publish_breaker(code, court, (before != after).then_some(after));
            let probe = match admission {
                Admission::Go { probe } => probe,
                Admission::Wait(_) if bypass => false,
                Admission::Wait(wait) => {
                    if now + wait > limit {
                        let last = court
                            .last_failure
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .clone()
                            .unwrap_or_else(|| "none recorded".into());
                        return Err(HandleError::Retry(format!(
                            "the circuit breaker of court {code} is open (last failure: {last}); next probe in {} ms",
                            wait.as_millis()
                        )));
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.s.shutdown.cancelled() => {
                            return Err(HandleError::Retry(format!(
                                "shutting down while the circuit breaker of court {code} was open"
                            )));
                        }
                    }
                    continue;
                }
            };
            return Ok(Admitted {
                breaker: &court.breaker,
                probe,
                settled: false,
            });
        }
    }

    /// No endpoint: the court pulls. Counted under its code when it is a registered court.
    async fn skip(&self, item: &Outbound) -> Result<(), HandleError> {
        let label = if store::is_registered_court(&self.s.db, &item.court).await? {
            item.court.as_str()
        } else {
            UNREGISTERED
        };
        self.s.metrics.court_delivery(label, "skipped");
        tracing::debug!(id = %item.id, court = %item.court, "court has no endpoint; it pulls its evidences");
        Ok(())
    }
}

#[async_trait]
impl Handler for CourtDelivery {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::OUT_COURT_REPORT.to_string(),
            ack_wait: self.s.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let item = delivery_mapping::to_outbound(&delivery.payload, &self.s.hub_key)
            .map_err(|e| HandleError::Permanent(format!("not deliverable to a court: {e}")))?;
        if item.id != delivery.journey_id() {
            return Err(HandleError::Permanent(format!(
                "the payload's id {} is not the message id {}",
                item.id,
                delivery.journey_id()
            )));
        }
        let Some(court) = self.courts.get(&item.court) else {
            return self.skip(&item).await;
        };
        let standing = store::prepare(&self.s.db, &item).await?;
        if standing.delivered {
            // A redelivery after the court confirmed.
            return Ok(());
        }
        let bypass = standing.replayed || self.s.policy.exhausted(delivery.delivered);
        let mut admitted = self.admit(&item.court, court, bypass).await?;
        store::record_sending(&self.s.db, &item, delivery.delivered).await?;
        let result = court.client.send(&item, delivery.delivered).await;
        let outcome = match &result {
            Err(e) if e.is_endpoint_failure() => {
                *court.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                CallOutcome::Failure
            }
            _ => CallOutcome::Success,
        };
        let changed = admitted.settle(outcome);
        self.publish_breaker(&item.court, court, changed);
        match result {
            Ok(status) => {
                store::record_delivered(&self.s.db, &item, status, delivery.delivered).await?;
                self.s.metrics.court_delivery(&item.court, "delivered");
                self.s.metrics.delivered(subjects::OUT_COURT_REPORT);
                Ok(())
            }
            Err(e) => {
                self.s.metrics.court_delivery(&item.court, "failed");
                match e.retry_class() {
                    RetryClass::Permanent => Err(HandleError::Permanent(e.to_string())),
                    _ => Err(HandleError::Retry(e.to_string())),
                }
            }
        }
    }
}
