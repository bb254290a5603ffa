//! Evidences for courts: signed statements of what became of each judgment a court sent —
//! `accepted` or `rejected` at intake, `case_opened` when the enforcement case is opened — so a
//! court can prove it later without asking the hub.
//!
//! An evidence is recorded in `court_evidences` inside the transaction of the event it attests
//! ([`emit`]), so it exists exactly when the event does. The [`Sealer`] then signs it with the
//! hub's key (the key never enters the handlers) and, in one transaction, stores the signed
//! document and puts it in the outbox on `out.court.report`. The court connector's delivery
//! worker (`thads_court::delivery`) pushes each one, as the exact signed bytes, to the court's
//! configured endpoint (`[court.endpoints]`, with retries, a circuit breaker and dead letters)
//! and records `delivered_at` and `delivery_attempts` here; courts without an endpoint pull
//! them with `GET /v1/court/evidences?court=CODE&since=...` (`docs/court-delivery.md`).
//!
//! The signed document is described in `docs/partners-signatures.md`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;
use thads_schemas::subjects;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::outbox::{self, OutboxSignal};
use crate::partners::{seal, HubKey, SealError};

/// The `type` member of every evidence, so a receipt's signature can never pass for an
/// evidence's or the reverse.
pub const EVIDENCE_TYPE: &str = "urn:thads:court-evidence:v1";
/// Evidences sealed per pass.
const BATCH: i64 = 100;
/// How often the sealer looks for evidences written by other processes.
const POLL: Duration = Duration::from_millis(250);
/// The most evidences one pull returns.
pub const MAX_PAGE: i64 = 500;

/// What an evidence attests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    /// The judgment was accepted at intake (its receipt was issued).
    Accepted,
    /// The document was refused at intake; `reason` says why.
    Rejected,
    /// An enforcement case was opened from the judgment.
    CaseOpened,
}

impl EvidenceKind {
    /// The stored and published name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::CaseOpened => "case_opened",
        }
    }
}

/// An evidence to record.
#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    /// What it attests.
    pub kind: EvidenceKind,
    /// The court it is for (`Court/@code`).
    pub court_code: &'a str,
    /// The court's document id, when the document could be read.
    pub document_id: Option<&'a str>,
    /// The hub's message id of the document (accepted `jdg-…` or rejected `rej-…`).
    pub message_id: &'a str,
    /// The case, for `case_opened`.
    pub case_id: Option<&'a str>,
    /// Why, for `rejected` (never personal data: field names and rules).
    pub reason: Option<&'a str>,
}

impl<'a> NewEvidence<'a> {
    /// The evidence that a case was opened from an accepted judgment.
    pub fn case_opened(
        court_code: &'a str,
        document_id: &'a str,
        message_id: &'a str,
        case_id: &'a str,
    ) -> Self {
        Self {
            kind: EvidenceKind::CaseOpened,
            court_code,
            document_id: Some(document_id),
            message_id,
            case_id: Some(case_id),
            reason: None,
        }
    }
}

/// The id of an evidence: one per kind and message, so a redelivered event cannot make two.
pub fn evidence_id(kind: EvidenceKind, message_id: &str) -> String {
    let digest = Sha256::digest(format!("{}\n{message_id}", kind.as_str()).as_bytes());
    format!("evd-{}", &hex::encode(digest)[..24])
}

/// Records an evidence inside the caller's transaction (the receipt id and content hash come
/// from the message row). Returns `false` when it already exists.
pub async fn emit(tx: &mut Tx<'_>, evidence: &NewEvidence<'_>) -> Result<bool, sqlx::Error> {
    let id = evidence_id(evidence.kind, evidence.message_id);
    let message = sqlx::query(
        "SELECT receipt_id, content_hash, signature, signature_key FROM messages WHERE id = $1",
    )
    .bind(evidence.message_id)
    .fetch_optional(&mut **tx)
    .await?;
    let mut from_message: [Option<String>; 4] = Default::default();
    if let Some(r) = message {
        for (slot, column) in from_message.iter_mut().zip([
            "receipt_id",
            "content_hash",
            "signature_key",
            "signature",
        ]) {
            *slot = r.try_get(column)?;
        }
    }
    let [receipt_id, content_hash, court_key_id, court_sig] = from_message;
    let inserted = sqlx::query(
        "INSERT INTO court_evidences (evidence_id, kind, court_code, document_id, message_id, \
         receipt_id, content_hash, case_id, reason, at, state, court_key_id, court_sig) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12) \
         ON CONFLICT (evidence_id) DO NOTHING",
    )
    .bind(&id)
    .bind(evidence.kind.as_str())
    .bind(evidence.court_code)
    .bind(evidence.document_id)
    .bind(evidence.message_id)
    .bind(receipt_id)
    .bind(content_hash)
    .bind(evidence.case_id)
    .bind(evidence.reason)
    .bind(now_ms())
    .bind(court_key_id)
    .bind(court_sig)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(inserted)
}

/// The unsigned document of a stored evidence: absent values are left out.
fn document(row: &sqlx::any::AnyRow) -> Result<Value, sqlx::Error> {
    let mut map = Map::new();
    map.insert("type".into(), Value::from(EVIDENCE_TYPE));
    for column in ["evidence_id", "kind"] {
        map.insert(
            column.into(),
            Value::from(row.try_get::<String, _>(column)?),
        );
    }
    map.insert(
        "court".into(),
        Value::from(row.try_get::<String, _>("court_code")?),
    );
    map.insert(
        "message_id".into(),
        Value::from(row.try_get::<String, _>("message_id")?),
    );
    for column in [
        "document_id",
        "receipt_id",
        "content_hash",
        "case_id",
        "reason",
    ] {
        if let Some(v) = row.try_get::<Option<String>, _>(column)? {
            map.insert(column.into(), Value::from(v));
        }
    }
    // The court's own signature the document came with, so the evidence also attests which
    // signed bytes the hub received.
    let key_id: Option<String> = row.try_get("court_key_id")?;
    let value: Option<String> = row.try_get("court_sig")?;
    if let (Some(key_id), Some(value)) = (key_id, value) {
        map.insert(
            "court_signature".into(),
            serde_json::json!({"alg": crate::partners::ALGORITHM, "key_id": key_id, "value": value}),
        );
    }
    map.insert("at".into(), Value::from(rfc3339(row.try_get("at")?)));
    Ok(Value::Object(map))
}

/// Why sealing stopped.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// A stored document could not be sealed or read back.
    #[error("evidence {id}: {reason}")]
    Document {
        /// The evidence.
        id: String,
        /// What failed.
        reason: String,
    },
}

impl From<(String, SealError)> for EvidenceError {
    fn from((id, e): (String, SealError)) -> Self {
        Self::Document {
            id,
            reason: e.to_string(),
        }
    }
}

/// Wakes the sealer right after an evidence was recorded.
#[derive(Clone, Default, Debug)]
pub struct EvidenceSignal(Arc<Notify>);

impl EvidenceSignal {
    /// Tells the sealer there is work.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Signs recorded evidences with the hub's key and hands them to the outbox.
pub struct Sealer {
    db: Db,
    key: Arc<HubKey>,
    outbox: OutboxSignal,
    signal: EvidenceSignal,
}

impl Sealer {
    /// A sealer signing with `key`, woken by `signal`, waking the relay through `outbox`.
    pub fn new(db: Db, key: Arc<HubKey>, outbox: OutboxSignal, signal: EvidenceSignal) -> Self {
        Self {
            db,
            key,
            outbox,
            signal,
        }
    }

    /// Runs until `shutdown`, sealing evidences as they appear.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut failures: u32 = 0;
        loop {
            let notified = self.signal.0.notified();
            let pause = match self.seal_pending().await {
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {
                    failures = 0;
                    POLL
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if failures == 1 || failures % 20 == 0 {
                        tracing::warn!(error = %e, failures, "cannot seal court evidences; will retry");
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

    /// Seals up to one batch of pending evidences; returns how many this call sealed.
    pub async fn seal_pending(&self) -> Result<usize, EvidenceError> {
        let rows = sqlx::query(
            "SELECT evidence_id, kind, court_code, document_id, message_id, receipt_id, \
             content_hash, case_id, reason, at, court_key_id, court_sig FROM court_evidences \
             WHERE state = 'pending' \
             ORDER BY seq LIMIT $1",
        )
        .bind(BATCH)
        .fetch_all(self.db.pool())
        .await?;
        let mut sealed = 0;
        for row in rows {
            let id: String = row.try_get("evidence_id")?;
            let signed = seal(&self.key, document(&row)?).map_err(|e| (id.clone(), e))?;
            let body = signed.to_string();
            let mut tx = self.db.begin().await?;
            let claimed = sqlx::query(
                "UPDATE court_evidences SET state = 'sealed', body = $2, key_id = $3, \
                 sealed_at = $4 WHERE evidence_id = $1 AND state = 'pending'",
            )
            .bind(&id)
            .bind(&body)
            .bind(self.key.key_id())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !claimed {
                // Another hub process sealed it first.
                tx.rollback().await?;
                continue;
            }
            // The evidences of one court message reach the court in the order they happened.
            let message: String = row.try_get("message_id")?;
            outbox::enqueue(
                &mut tx,
                &id,
                subjects::OUT_COURT_REPORT,
                Some(&message),
                body.as_bytes(),
            )
            .await?;
            tx.commit().await?;
            sealed += 1;
        }
        if sealed > 0 {
            self.outbox.notify();
        }
        Ok(sealed)
    }
}

/// The sealed evidences of one court that happened at or after `since` (epoch ms), oldest
/// first, at most `limit` (capped at [`MAX_PAGE`]).
pub async fn list_for_court(
    db: &Db,
    court_code: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<Value>, EvidenceError> {
    let rows = sqlx::query(
        "SELECT evidence_id, body FROM court_evidences WHERE court_code = $1 AND state = 'sealed' \
         AND at >= $2 ORDER BY at, seq LIMIT $3",
    )
    .bind(court_code)
    .bind(since)
    .bind(limit.clamp(1, MAX_PAGE))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("evidence_id")?;
            let body: Option<String> = r.try_get("body")?;
            serde_json::from_str(body.as_deref().unwrap_or_default()).map_err(|e| {
                EvidenceError::Document {
                    id,
                    reason: format!("stored body is not JSON: {e}"),
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::partners::keys::generate_signing_key;
    use crate::partners::verify_sealed;

    #[tokio::test]
    async fn evidences_are_recorded_once_then_sealed_and_queued() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .unwrap();
        crate::db::migrate(&db).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let e = NewEvidence::case_opened("TAND79-KV1", "DOC-1", "jdg-1", "case-1");
        assert!(emit(&mut tx, &e).await.unwrap());
        assert!(
            !emit(&mut tx, &e).await.unwrap(),
            "a redelivery adds nothing"
        );
        let rejected = NewEvidence {
            kind: EvidenceKind::Rejected,
            court_code: "TAND79-KV1",
            document_id: None,
            message_id: "rej-1",
            case_id: None,
            reason: Some("X-Signature: the signature does not verify"),
        };
        assert!(emit(&mut tx, &rejected).await.unwrap());
        tx.commit().await.unwrap();
        assert!(list_for_court(&db, "TAND79-KV1", 0, 10)
            .await
            .unwrap()
            .is_empty());

        let key = Arc::new(HubKey::new(generate_signing_key()));
        let sealer = Sealer::new(
            db.clone(),
            key.clone(),
            OutboxSignal::default(),
            EvidenceSignal::default(),
        );
        assert_eq!(sealer.seal_pending().await.unwrap(), 2);
        assert_eq!(sealer.seal_pending().await.unwrap(), 0);

        let all = list_for_court(&db, "TAND79-KV1", 0, 10).await.unwrap();
        assert_eq!(all.len(), 2);
        let public = key.verifying_key();
        for doc in &all {
            verify_sealed(doc, |k| (k == key.key_id()).then_some(public)).unwrap();
            assert_eq!(doc["type"], EVIDENCE_TYPE);
            assert_eq!(doc["court"], "TAND79-KV1");
        }
        assert_eq!(all[0]["kind"], "case_opened");
        assert_eq!(all[0]["case_id"], "case-1");
        assert_eq!(
            all[0]["evidence_id"],
            evidence_id(EvidenceKind::CaseOpened, "jdg-1")
        );
        assert!(all[1].get("document_id").is_none());
        assert!(list_for_court(&db, "TAND01", 0, 10)
            .await
            .unwrap()
            .is_empty());
        let later = now_ms() + 60_000;
        assert!(list_for_court(&db, "TAND79-KV1", later, 10)
            .await
            .unwrap()
            .is_empty());
        let queued: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE subject = 'out.court.report'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(queued, 2);
    }
}
