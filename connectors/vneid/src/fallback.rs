//! The fall-back chain for notices VNeID cannot deliver: by e-mail when the party gave an
//! address (served on the day the mail relay accepts it), else a paper-service task for the
//! clerks of the case's office (direct hand-over, post, or public posting).
//!
//! Two handlers: [`NoticeFallback`] on the fall-back subject (`out.email.notify`) does the work;
//! [`DeadLetterFallback`] on `dlq.out.vneid.notify` hands every dead-lettered notice to it, so a
//! notice that failed for good is still served. A notice already served, or already given a
//! paper task, is left alone, so redeliveries and late fall-backs change nothing.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use thads_core::bus::{ConsumerSpec, Delivery, HEADER_DLQ_REASON};
use thads_core::db::Db;
use thads_core::deadlines::store::{vietnam_date, Schedule};
use thads_core::lifecycle::operation::NoticeChannel;
use thads_core::mail::{MailError, Mailer};
use thads_core::metrics::Metrics;
use thads_core::notice_service::{self, FallbackCommand, Notice, ServeOutcome};
use thads_core::outbox::OutboxSignal;
use thads_core::retry::RetryPolicy;
use thads_core::worker::{HandleError, Handler};
use thads_schemas::notice::NoticeCommand;
use thads_schemas::subjects;
use time::OffsetDateTime;

use crate::templates::{self, Rendered};
use crate::texts;

/// The durable consumer of the fall-back chain.
pub const CONSUMER: &str = "notice-fallback";

/// The durable consumer that hands dead-lettered notices to the fall-back chain.
pub const DLQ_CONSUMER: &str = "vneid-dlq-fallback";

/// Serves notices by e-mail, else opens a paper-service task.
pub struct NoticeFallback {
    db: Db,
    mailer: Option<Arc<Mailer>>,
    schedule: Schedule,
    policy: RetryPolicy,
    metrics: Arc<Metrics>,
    ack_wait: Duration,
}

impl NoticeFallback {
    /// The handler; without a mailer every notice goes to paper. `policy` is the workers'
    /// retry policy: on the last allowed delivery a temporary e-mail failure opens the paper
    /// task instead of dead-lettering the notice.
    pub fn new(
        db: Db,
        mailer: Option<Arc<Mailer>>,
        schedule: Schedule,
        policy: RetryPolicy,
        metrics: Arc<Metrics>,
        ack_wait: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            mailer,
            schedule,
            policy,
            metrics,
            ack_wait,
        })
    }

    async fn paper(&self, notice: &Notice, reason: &str) -> Result<(), HandleError> {
        let mut tx = self.db.begin().await?;
        if notice_service::served(&mut tx, &notice.notice_id)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let (task, created) = notice_service::open_task(&mut tx, notice, reason).await?;
        notice_service::set_fallback_outcome(&mut tx, &notice.notice_id, "paper").await?;
        tx.commit().await?;
        if created {
            tracing::info!(notice_id = %notice.notice_id, task = %task, "notice left to the clerks for paper service");
        }
        Ok(())
    }

    async fn email(
        &self,
        mailer: &Mailer,
        notice: &Notice,
        address: &str,
        mail: &Rendered,
        reason: &str,
        delivered: u64,
    ) -> Result<(), HandleError> {
        match mailer.send(address, &mail.title, &mail.body, None).await {
            Ok(message_id) => {
                // Served on the day the relay accepted it.
                let served_on = vietnam_date(OffsetDateTime::now_utc());
                let mut tx = self.db.begin().await?;
                let outcome = notice_service::record_served(
                    &mut tx,
                    &self.schedule,
                    notice,
                    served_on,
                    NoticeChannel::Email,
                    "system:email",
                    &format!("accepted by the mail relay as {message_id}"),
                )
                .await?;
                notice_service::set_fallback_outcome(&mut tx, &notice.notice_id, "email").await?;
                tx.commit().await?;
                if matches!(outcome, ServeOutcome::Served(_)) {
                    self.metrics.notice_served("email");
                }
                tracing::info!(notice_id = %notice.notice_id, %message_id, "notice served by e-mail");
                Ok(())
            }
            Err(e) => {
                let why = describe(&e);
                if e.is_permanent() || self.policy.exhausted(delivered) {
                    self.paper(notice, &format!("{reason}; e-mail failed: {why}"))
                        .await
                } else {
                    let mut tx = self.db.begin().await?;
                    notice_service::note(
                        &mut tx,
                        &notice.notice_id,
                        &format!("e-mail attempt {delivered} failed: {why}"),
                    )
                    .await?;
                    tx.commit().await?;
                    Err(HandleError::Retry(format!("e-mail: {why}")))
                }
            }
        }
    }
}

/// What went wrong with an e-mail, without the address or the relay's words (which may
/// repeat the address).
fn describe(e: &MailError) -> String {
    match e {
        MailError::Rejected { code, .. } => format!("the mail relay refused it ({code})"),
        MailError::Deferred { code, .. } => format!("the mail relay deferred it ({code})"),
        MailError::Timeout { .. } => "the mail relay did not answer in time".into(),
        MailError::Connection { .. } => "no connection to the mail relay".into(),
        MailError::Tls { .. } => "TLS with the mail relay failed".into(),
        MailError::Protocol { .. } => "the SMTP exchange failed".into(),
        MailError::Address { .. } => "the party's e-mail address is not valid".into(),
        MailError::Config { .. } | MailError::Message(_) => {
            "the e-mail could not be built (mail configuration)".into()
        }
    }
}

#[async_trait]
impl Handler for NoticeFallback {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: notice_service::FALLBACK_SUBJECT.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let cmd: FallbackCommand = serde_json::from_slice(&delivery.payload)
            .map_err(|e| HandleError::Permanent(format!("not a fall-back command: {e}")))?;
        let mut tx = self.db.begin().await?;
        let Some(notice) = notice_service::load_notice(&mut tx, &cmd.notice_id).await? else {
            return Err(HandleError::Permanent(format!(
                "notice {} is unknown",
                cmd.notice_id
            )));
        };
        if notice_service::served(&mut tx, &notice.notice_id)
            .await?
            .is_some()
            || notice_service::has_task(&mut tx, &notice.notice_id).await?
        {
            return Ok(());
        }
        let address =
            notice_service::party_email(&mut tx, &notice.case_id, notice.party_ref()).await?;
        let (Some(address), Some(mailer)) = (address.as_deref(), self.mailer.as_deref()) else {
            tx.rollback().await?;
            let missing = if address.is_none() {
                "no e-mail address on file"
            } else {
                "e-mail is not configured (mail.smtp_url)"
            };
            return self
                .paper(&notice, &format!("{}; {missing}", cmd.reason))
                .await;
        };
        let (text, ctx) = texts::load_notice_text(&mut tx, &self.schedule, &notice.command).await?;
        tx.rollback().await?;
        let mail = templates::render_email(&text, &ctx).unwrap_or_else(|e| {
            tracing::warn!(notice_id = %notice.notice_id, error = %e, "e-mail template failed; sending the bare notice");
            text.clone()
        });
        self.email(
            mailer,
            &notice,
            address,
            &mail,
            &cmd.reason,
            delivery.delivered,
        )
        .await
    }
}

/// Hands each dead-lettered VNeID notice to the fall-back chain.
pub struct DeadLetterFallback {
    db: Db,
    signal: OutboxSignal,
    ack_wait: Duration,
}

impl DeadLetterFallback {
    /// The handler; `signal` wakes the outbox relay after a hand-over.
    pub fn new(db: Db, signal: OutboxSignal, ack_wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            db,
            signal,
            ack_wait,
        })
    }
}

#[async_trait]
impl Handler for DeadLetterFallback {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: DLQ_CONSUMER.to_string(),
            filter: subjects::dlq(subjects::OUT_VNEID_NOTIFY),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let Ok(cmd) = serde_json::from_slice::<NoticeCommand>(&delivery.payload) else {
            // Not a notice (a malformed command was dead-lettered): nothing to serve.
            return Ok(());
        };
        let mut tx = self.db.begin().await?;
        let Some(notice) = notice_service::load_notice(&mut tx, &cmd.notice_id).await? else {
            return Ok(());
        };
        if notice_service::served(&mut tx, &notice.notice_id)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let why = delivery
            .headers
            .get(HEADER_DLQ_REASON)
            .map(|r| {
                if r.contains("gave up") {
                    "VNeID failed on every try"
                } else {
                    "VNeID refused the notice"
                }
            })
            .unwrap_or("VNeID could not deliver");
        let started = notice_service::start_fallback(&mut tx, &notice, why).await?;
        tx.commit().await?;
        if started {
            self.signal.notify();
            tracing::info!(notice_id = %notice.notice_id, "dead-lettered notice handed to the e-mail and paper fall-back");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_failures_are_described_without_the_relays_words() {
        let e = MailError::Rejected {
            server: "relay:25".into(),
            code: 550,
            reply: "5.1.1 <binh@example.vn>: Recipient address rejected".into(),
        };
        let d = describe(&e);
        assert_eq!(d, "the mail relay refused it (550)");
        assert!(!d.contains('@'));
        let e = MailError::Address {
            field: "to",
            reason: "binh@ is missing a domain".into(),
        };
        assert!(!describe(&e).contains('@'));
    }
}
