//! What evidence delivery records: each delivery's journey in `messages` (emitted → sending →
//! delivered, with retries and dead letters, so `GET /v1/messages/{id}` traces it and an
//! administrator can replay it), and on each court evidence the number of HTTP attempts and
//! when the court confirmed it (`court_evidences.delivery_attempts`, `delivered_at`), which
//! `GET /v1/court/evidences` shows.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use thads_core::db::{now_ms, rfc3339, Db, Tx};
use thads_core::journey::{self, Direction, JourneyError, MessageState, NewMessage};
use thads_core::worker::HandleError;
use thads_schemas::subjects;

use crate::delivery_mapping::Outbound;

/// Where a delivery stands before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The court already confirmed it: nothing to send.
    pub delivered: bool,
    /// An administrator just replayed it (the cause is said to be fixed).
    pub replayed: bool,
}

/// The delivery state of one evidence, as the evidences listing shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DeliveryStatus {
    /// When the court's endpoint confirmed it (RFC 3339); `null` while not delivered, and for
    /// courts without an endpoint (they pull).
    pub delivered_at: Option<String>,
    /// HTTP attempts so far.
    pub delivery_attempts: i64,
}

/// Makes sure the delivery has its journey (an evidence gets its message row on its first
/// delivery; a decision report has one already) and says where it stands.
pub async fn prepare(db: &Db, item: &Outbound) -> Result<Standing, HandleError> {
    let mut tx = db.begin().await?;
    let partner = format!("court:{}", item.court);
    let hash = thads_schemas::hash::content_hash(&item.body);
    journey::insert(
        &mut tx,
        &NewMessage {
            id: &item.id,
            subject: subjects::OUT_COURT_REPORT,
            direction: Direction::Out,
            partner: &partner,
            receipt_id: None,
            content_hash: &hash,
            content_type: "application/json",
            payload: &item.body,
            case_id: None,
            parent_id: item.parent_id.as_deref(),
        },
        MessageState::Emitted,
        Some(&format!("{} evidence for court {}", item.kind, item.court)),
    )
    .await?;
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = $1")
        .bind(&item.id)
        .fetch_optional(&mut *tx)
        .await?;
    let state = state.as_deref().and_then(MessageState::parse);
    tx.commit().await?;
    Ok(Standing {
        delivered: state == Some(MessageState::Delivered),
        replayed: state == Some(MessageState::Replayed),
    })
}

async fn step(
    tx: &mut Tx<'_>,
    id: &str,
    state: MessageState,
    detail: &str,
    attempt: u64,
) -> Result<(), HandleError> {
    let attempts = i64::try_from(attempt).unwrap_or(i64::MAX);
    match journey::advance_with(tx, id, state, Some(detail), Some((attempts, None))).await {
        Ok(()) | Err(JourneyError::NotFound(_)) => Ok(()),
        Err(e @ JourneyError::IllegalTransition { .. }) => {
            Err(HandleError::Permanent(e.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Records an attempt about to be made: the journey says `sending`, the evidence counts it.
pub async fn record_sending(db: &Db, item: &Outbound, attempt: u64) -> Result<(), HandleError> {
    let mut tx = db.begin().await?;
    let detail = format!("attempt {attempt} to court {}", item.court);
    step(&mut tx, &item.id, MessageState::Sending, &detail, attempt).await?;
    if item.is_evidence {
        sqlx::query(
            "UPDATE court_evidences SET delivery_attempts = delivery_attempts + 1 \
             WHERE evidence_id = $1",
        )
        .bind(&item.id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records the court's confirmation: the journey says `delivered`, the evidence when.
pub async fn record_delivered(
    db: &Db,
    item: &Outbound,
    status: u16,
    attempt: u64,
) -> Result<(), HandleError> {
    let mut tx = db.begin().await?;
    let detail = format!("court {} answered {status}", item.court);
    step(&mut tx, &item.id, MessageState::Delivered, &detail, attempt).await?;
    if item.is_evidence {
        sqlx::query(
            "UPDATE court_evidences SET delivered_at = $2 \
             WHERE evidence_id = $1 AND delivered_at IS NULL",
        )
        .bind(&item.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether `court` is a court in the partner registry: skipped deliveries are counted under
/// its code only then, so a document naming any code cannot add metric labels without end.
pub async fn is_registered_court(db: &Db, court: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT status FROM partners WHERE partner_id = $1")
            .bind(format!("court:{court}"))
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// The delivery state of a court's sealed evidences at or after `since` (epoch ms), by
/// evidence id; the same selection as `thads_core::evidence::list_for_court`.
pub async fn delivery_status(
    db: &Db,
    court: &str,
    since: i64,
    limit: i64,
) -> Result<BTreeMap<String, DeliveryStatus>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT evidence_id, delivered_at, delivery_attempts FROM court_evidences \
         WHERE court_code = $1 AND state = 'sealed' AND at >= $2 ORDER BY at, seq LIMIT $3",
    )
    .bind(court)
    .bind(since)
    .bind(limit.clamp(1, thads_core::evidence::MAX_PAGE))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let delivered_at: Option<i64> = r.try_get("delivered_at")?;
            Ok((
                r.try_get("evidence_id")?,
                DeliveryStatus {
                    delivered_at: delivered_at.map(rfc3339),
                    delivery_attempts: r.try_get("delivery_attempts")?,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Arc;
    use thads_core::evidence::{emit, NewEvidence, Sealer};
    use thads_core::outbox::OutboxSignal;
    use thads_core::partners::keys::generate_signing_key;
    use thads_core::partners::HubKey;

    #[tokio::test]
    async fn attempts_and_confirmation_are_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .unwrap();
        thads_core::db::migrate(&db).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let e = NewEvidence::case_opened("TAND79-KV1", "DOC-1", "jdg-1", "case-1");
        emit(&mut tx, &e).await.unwrap();
        tx.commit().await.unwrap();
        let key = Arc::new(HubKey::new(generate_signing_key()));
        let sealer = Sealer::new(
            db.clone(),
            key.clone(),
            OutboxSignal::default(),
            Default::default(),
        );
        assert_eq!(sealer.seal_pending().await.unwrap(), 1);
        let payload: Vec<u8> = sqlx::query_scalar("SELECT payload FROM outbox")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let item = crate::delivery_mapping::to_outbound(&payload, &key).unwrap();

        let status = delivery_status(&db, "TAND79-KV1", 0, 10).await.unwrap();
        assert_eq!(status[&item.id].delivery_attempts, 0);
        assert!(!prepare(&db, &item).await.unwrap().delivered);
        record_sending(&db, &item, 1).await.unwrap();
        record_sending(&db, &item, 2).await.unwrap();
        record_delivered(&db, &item, 200, 2).await.unwrap();
        let standing = prepare(&db, &item).await.unwrap();
        assert!(standing.delivered && !standing.replayed);
        let status = delivery_status(&db, "TAND79-KV1", 0, 10).await.unwrap();
        assert_eq!(status[&item.id].delivery_attempts, 2);
        assert!(status[&item.id].delivered_at.is_some());
        let view = journey::load(&db, &item.id).await.unwrap().unwrap();
        let states: Vec<&str> = view.journey.iter().map(|s| s.state.as_str()).collect();
        assert_eq!(states, ["emitted", "sending", "sending", "delivered"]);
        assert_eq!(view.partner, "court:TAND79-KV1");
        assert_eq!(view.parent_id.as_deref(), Some("jdg-1"));
        assert!(!is_registered_court(&db, "TAND79-KV1").await.unwrap());
    }
}
