//! The handler on `out.vneid.notify`: renders the notice from its template, waits for the
//! endpoint's circuit breaker and the partner's rate limit, records `sending`, calls VNeID,
//! then records `delivered`, hands a notice for a citizen without a VNeID account to the
//! fall-back chain (e-mail, then paper), or reports the failure class to the worker (which
//! records the retry or the dead letter).
//!
//! While the breaker is open a delivery waits for the cool-down (at most half of the consumer's
//! ack wait, so the bus does not hand it to another worker meanwhile) instead of calling the
//! partner; a longer cool-down sends it back to the bus for a later try. The breaker never
//! dead-letters a notice on its own: a delivery's last allowed try always calls the partner,
//! so a notice is dead-lettered only for an answer (or silence) of VNeID itself. A notice an
//! administrator replays goes to the partner at once too (the replay says the cause is fixed).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use thads_core::bus::{ConsumerSpec, Delivery};
use thads_core::db::Db;
use thads_core::deadlines::store::Schedule;
use thads_core::journey::{self, JourneyError, MessageState};
use thads_core::metrics::Metrics;
use thads_core::notice_service;
use thads_core::outbox::OutboxSignal;
use thads_core::retry::RetryPolicy;
use thads_core::worker::{HandleError, Handler};
use thads_schemas::notice::NoticeCommand;
use thads_schemas::subjects;
use tokio_util::sync::CancellationToken;

use crate::client::{ClientError, VneidClient};
use crate::retry::RetryClass;
use crate::texts;
use thads_core::breaker::{Admission, BreakerState, CallOutcome, CircuitBreaker};
use thads_core::rate_limit::TokenBucket;

/// The durable consumer name.
pub const CONSUMER: &str = "vneid-notify";

/// The partner label of the circuit-breaker gauge.
pub const PARTNER: &str = "vneid";

/// What the notifier needs.
pub struct NotifierSettings {
    /// The database.
    pub db: Db,
    /// The HTTP client for the endpoint.
    pub client: VneidClient,
    /// Metrics (delivered counter, breaker gauge).
    pub metrics: Arc<Metrics>,
    /// The consumer's ack wait; a delivery is held at most half of it.
    pub ack_wait: Duration,
    /// The deadline rules (the voluntary period quoted in notices).
    pub schedule: Schedule,
    /// Wakes the outbox relay after a notice is handed to the fall-back chain.
    pub signal: OutboxSignal,
    /// The endpoint's circuit breaker, shared by every worker.
    pub breaker: CircuitBreaker,
    /// The partner's rate limit, shared by every worker; `None` for no limit.
    pub rate: Option<TokenBucket>,
    /// Cancelled at shutdown, so a held delivery lets go at once.
    pub shutdown: CancellationToken,
    /// The workers' retry policy: on a delivery's last try the breaker is bypassed.
    pub policy: RetryPolicy,
}

/// Delivers notices to VNeID.
pub struct VneidNotifier {
    s: NotifierSettings,
    /// The last failure of the endpoint, quoted while the breaker holds deliveries back.
    last_failure: Mutex<Option<String>>,
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

impl VneidNotifier {
    /// A notifier with these settings.
    pub fn new(settings: NotifierSettings) -> Arc<Self> {
        settings
            .metrics
            .set_circuit_state(PARTNER, settings.breaker.state().gauge());
        Arc::new(Self {
            s: settings,
            last_failure: Mutex::new(None),
        })
    }

    fn last_failure(&self) -> String {
        self.last_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| "none recorded".into())
    }

    async fn record(
        &self,
        id: &str,
        state: MessageState,
        detail: &str,
        attempt: u64,
    ) -> Result<(), HandleError> {
        let mut tx = self.s.db.begin().await?;
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

    /// Whether there is nothing to send (VNeID already took it, it was served another way, or
    /// it was handed to the fall-back chain because the citizen has no account), and whether
    /// an administrator just replayed it.
    async fn nothing_to_send(&self, id: &str) -> Result<(bool, bool), HandleError> {
        let mut tx = self.s.db.begin().await?;
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let state = state.as_deref().and_then(MessageState::parse);
        let replayed = state == Some(MessageState::Replayed);
        let done = match state {
            Some(MessageState::Delivered | MessageState::Served | MessageState::Read) => true,
            Some(MessageState::Failed) => notice_service::fallback_started(&mut tx, id).await?,
            _ => notice_service::served(&mut tx, id).await?.is_some(),
        };
        tx.rollback().await?;
        Ok((done, replayed))
    }

    fn publish_breaker(&self, changed: Option<BreakerState>) {
        self.s
            .metrics
            .set_circuit_state(PARTNER, self.s.breaker.state().gauge());
        match changed {
            Some(BreakerState::Open) => tracing::warn!(
                partner = PARTNER,
                cool_down_ms =
                    u64::try_from(self.s.breaker.cool_down().as_millis()).unwrap_or(u64::MAX),
                "circuit breaker opened: VNeID keeps failing; deliveries wait"
            ),
            Some(BreakerState::Closed) => {
                tracing::info!(
                    partner = PARTNER,
                    "circuit breaker closed: VNeID answers again"
                )
            }
            Some(BreakerState::HalfOpen) | None => {}
        }
    }

    /// Waits until the breaker admits a call, at most half the ack wait; with `bypass` (a
    /// delivery's last try, or a replay) an open breaker lets the call through rather than
    /// dead-letter the notice without asking VNeID.
    async fn admit(&self, bypass: bool) -> Result<Admitted<'_>, HandleError> {
        let limit = Instant::now() + self.s.ack_wait / 2;
        loop {
            let now = Instant::now();
            let before = self.s.breaker.state();
            let admission = self.s.breaker.admit(now);
            let after = self.s.breaker.state();
            self.publish_breaker((before != after).then_some(after));
            match admission {
                Admission::Go { probe } => {
                    return Ok(Admitted {
                        breaker: &self.s.breaker,
                        probe,
                        settled: false,
                    })
                }
                Admission::Wait(_) if bypass => {
                    return Ok(Admitted {
                        breaker: &self.s.breaker,
                        probe: false,
                        settled: false,
                    })
                }
                Admission::Wait(wait) => {
                    if now + wait > limit {
                        return Err(HandleError::Retry(format!(
                            "VNeID circuit breaker is open (last failure: {}); next probe in {} ms",
                            self.last_failure(),
                            wait.as_millis()
                        )));
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.s.shutdown.cancelled() => {
                            return Err(HandleError::Retry(
                                "shutting down while the VNeID circuit breaker was open".into(),
                            ));
                        }
                    }
                }
            }
        }
    }

    async fn rate_limit(&self) -> Result<(), HandleError> {
        let Some(bucket) = &self.s.rate else {
            return Ok(());
        };
        tokio::select! {
            _ = bucket.acquire() => Ok(()),
            _ = self.s.shutdown.cancelled() => Err(HandleError::Retry(
                "shutting down while waiting for the VNeID rate limit".into(),
            )),
        }
    }

    /// The citizen has no VNeID account: the journey says so and the notice goes to the
    /// fall-back chain, in one transaction.
    async fn fall_back(
        &self,
        cmd: &NoticeCommand,
        status: u16,
        attempt: u64,
    ) -> Result<(), HandleError> {
        let mut tx = self.s.db.begin().await?;
        let Some(notice) = notice_service::load_notice(&mut tx, &cmd.notice_id).await? else {
            return Err(HandleError::Permanent(format!(
                "no VNeID account ({status}) and the notice has no case to fall back on"
            )));
        };
        let attempts = i64::try_from(attempt).unwrap_or(i64::MAX);
        let detail = format!("VNeID answered {status}: the citizen has no VNeID account");
        match journey::advance_with(
            &mut tx,
            &cmd.notice_id,
            MessageState::Failed,
            Some(&detail),
            Some((attempts, Some(&detail))),
        )
        .await
        {
            Ok(())
            | Err(JourneyError::NotFound(_))
            | Err(JourneyError::IllegalTransition { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        notice_service::start_fallback(&mut tx, &notice, "no VNeID account").await?;
        tx.commit().await?;
        self.s.signal.notify();
        tracing::info!(notice_id = %cmd.notice_id, "no VNeID account: notice handed to the e-mail and paper fall-back");
        Ok(())
    }
}

#[async_trait]
impl Handler for VneidNotifier {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::OUT_VNEID_NOTIFY.to_string(),
            ack_wait: self.s.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let cmd: NoticeCommand = serde_json::from_slice(&delivery.payload)
            .map_err(|e| HandleError::Permanent(format!("not a notice command: {e}")))?;
        let (done, replayed) = self.nothing_to_send(&cmd.notice_id).await?;
        if done {
            // A redelivery after the partner confirmed, or a notice already served otherwise.
            return Ok(());
        }
        let text = {
            let mut tx = self.s.db.begin().await?;
            let ctx = texts::context(&mut tx, &self.s.schedule, &cmd).await?;
            tx.rollback().await?;
            texts::notice_text(&cmd, &ctx)
        };
        // An administrator's replay (after fixing the cause) and a last try go to VNeID even
        // through an open breaker.
        let bypass = replayed || self.s.policy.exhausted(delivery.delivered);
        let mut admitted = self.admit(bypass).await?;
        self.rate_limit().await?;
        self.record(
            &cmd.notice_id,
            MessageState::Sending,
            &format!("attempt {} to VNeID", delivery.delivered),
            delivery.delivered,
        )
        .await?;
        let result = self.s.client.send_text(&cmd, &text.title, &text.body).await;
        let outcome = match &result {
            Err(e) if e.retry_class().is_endpoint_failure() => {
                *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                CallOutcome::Failure
            }
            _ => CallOutcome::Success,
        };
        let changed = admitted.settle(outcome);
        self.publish_breaker(changed);
        match result {
            Ok(partner_id) => {
                let detail = match partner_id {
                    Some(id) => format!("VNeID accepted the notice (partner id {id})"),
                    None => "VNeID accepted the notice".to_string(),
                };
                self.record(
                    &cmd.notice_id,
                    MessageState::Delivered,
                    &detail,
                    delivery.delivered,
                )
                .await?;
                self.s.metrics.delivered(subjects::OUT_VNEID_NOTIFY);
                Ok(())
            }
            Err(ClientError::NoAccount { status }) => {
                self.fall_back(&cmd, status, delivery.delivered).await
            }
            Err(e) => match e.retry_class() {
                RetryClass::Permanent => Err(HandleError::Permanent(e.to_string())),
                _ => Err(HandleError::Retry(e.to_string())),
            },
        }
    }
}
