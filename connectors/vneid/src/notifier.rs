//! The handler on `out.vneid.notify`: records `sending`, calls VNeID, then records `delivered`
//! or reports the failure class to the worker (which records the retry or the dead letter).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use thads_core::bus::{ConsumerSpec, Delivery};
use thads_core::db::Db;
use thads_core::journey::{self, JourneyError, MessageState};
use thads_core::metrics::Metrics;
use thads_core::worker::{HandleError, Handler};
use thads_schemas::notice::NoticeCommand;
use thads_schemas::subjects;

use crate::client::VneidClient;
use crate::retry::RetryClass;

/// The durable consumer name.
pub const CONSUMER: &str = "vneid-notify";

/// Delivers notices to VNeID.
pub struct VneidNotifier {
    db: Db,
    client: VneidClient,
    metrics: Arc<Metrics>,
    ack_wait: Duration,
}

impl VneidNotifier {
    /// A notifier using `client`.
    pub fn new(
        db: Db,
        client: VneidClient,
        metrics: Arc<Metrics>,
        ack_wait: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            client,
            metrics,
            ack_wait,
        })
    }

    async fn record(
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

    async fn already_delivered(&self, id: &str) -> Result<bool, HandleError> {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(state.as_deref() == Some(MessageState::Delivered.as_str()))
    }
}

#[async_trait]
impl Handler for VneidNotifier {
    fn consumer(&self) -> ConsumerSpec {
        ConsumerSpec {
            name: CONSUMER.to_string(),
            filter: subjects::OUT_VNEID_NOTIFY.to_string(),
            ack_wait: self.ack_wait,
        }
    }

    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let cmd: NoticeCommand = serde_json::from_slice(&delivery.payload)
            .map_err(|e| HandleError::Permanent(format!("not a notice command: {e}")))?;
        if self.already_delivered(&cmd.notice_id).await? {
            // A redelivery after the partner confirmed: nothing to send again.
            return Ok(());
        }
        self.record(
            &cmd.notice_id,
            MessageState::Sending,
            &format!("attempt {} to VNeID", delivery.delivered),
            delivery.delivered,
        )
        .await?;
        match self.client.send(&cmd).await {
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
                self.metrics.delivered(subjects::OUT_VNEID_NOTIFY);
                Ok(())
            }
            Err(e) => match e.retry_class() {
                RetryClass::Permanent => Err(HandleError::Permanent(e.to_string())),
                _ => Err(HandleError::Retry(e.to_string())),
            },
        }
    }
}
