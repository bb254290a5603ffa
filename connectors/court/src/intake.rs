//! Accepting one judgment document: validate, check the court's signature, then in one
//! transaction record the message (original bytes and signature kept) with its journey, record
//! the `accepted` evidence for the court and put the canonical message in the outbox. A 2xx to
//! the court follows only after that commit. The same document sent again gets its original
//! receipt back; a rejected or refused one is kept for audit with the reasons (and the court,
//! when the document names one, gets a `rejected` evidence).

use sha2::{Digest, Sha256};
use sqlx::Row;
use thads_core::cases::intake::JudgmentAccepted;
use thads_core::db::{now_ms, rfc3339, Db};
use thads_core::evidence::{self, EvidenceKind, NewEvidence};
use thads_core::journey::{self, Direction, MessageState, NewMessage};
use thads_core::outbox::{self, OutboxSignal};
use thads_core::partners::verify::{self as signatures, VerifyError};
use thads_core::partners::{PresentedSignature, SignatureRefusal, VerifiedSignature};
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;

use crate::mapping;

/// What the court is told when its document is accepted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Acceptance {
    /// The receipt id; the same for every resend of the same document.
    pub receipt_id: String,
    /// The hub's message id, for `GET /v1/messages/{id}`.
    pub message_id: String,
    /// When it was first accepted (RFC 3339).
    pub received_at: String,
    /// `true` when this request repeated an already accepted document.
    pub duplicate: bool,
    /// The court's code (`Court/@code`).
    pub court_code: String,
    /// The court's document id.
    pub document_id: String,
    /// Hex SHA-256 of the exact bytes accepted.
    pub content_hash: String,
    /// The key whose signature was verified and kept with the message; `None` if unsigned.
    pub signature_key: Option<String>,
}

/// The signature a push came with and whether one is required.
#[derive(Debug, Clone)]
pub struct Signing {
    /// The parsed `X-Signature` headers: `Ok(None)` when there were none, `Err` when they
    /// were malformed (refused whatever `required` says).
    pub presented: Result<Option<PresentedSignature>, SignatureRefusal>,
    /// Refuse a push without a signature (`[court] require_signatures`). A signature that is
    /// present is always checked.
    pub required: bool,
    /// The court code of the client certificate the push came with (the partner TLS
    /// listener): the document must be that court's. `None` on the plain listener.
    pub certificate_court: Option<String>,
}

impl Signing {
    /// No signature, none required (the unsigned intake of the foundation).
    pub fn unsigned() -> Self {
        Self {
            presented: Ok(None),
            required: false,
            certificate_court: None,
        }
    }
}

/// Why a document was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The document is invalid; it was kept for audit under `message_id`.
    #[error("the judgment was rejected: {}", summary(.errors))]
    Rejected {
        /// The id the rejected bytes are kept under.
        message_id: String,
        /// Each field and why.
        errors: Vec<FieldError>,
    },
    /// The signature was missing, malformed, or did not verify against an active key of the
    /// court the document names; the bytes were kept for audit under `message_id`.
    #[error("the signature was refused: {refusal}")]
    SignatureRefused {
        /// The id the refused bytes are kept under.
        message_id: String,
        /// Why.
        refusal: SignatureRefusal,
    },
    /// The client certificate is another court's than the document's; the bytes were kept
    /// for audit under `message_id`.
    #[error("court {certificate}'s certificate may not push court {court}'s document")]
    WrongCourt {
        /// The id the refused bytes are kept under.
        message_id: String,
        /// The certificate's court code.
        certificate: String,
        /// The document's court code.
        court: String,
    },
    /// The court's document id was already used for a different document.
    #[error("document id already accepted with different content (message {message_id})")]
    Conflict {
        /// The message already accepted under that id.
        message_id: String,
    },
    /// The store failed; nothing was accepted and the court may retry.
    #[error("storage unavailable: {0}")]
    Storage(#[from] sqlx::Error),
}

impl From<journey::JourneyError> for IntakeError {
    fn from(e: journey::JourneyError) -> Self {
        Self::Storage(e.into())
    }
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Validates and durably accepts one unsigned judgment document (no signature required).
pub async fn accept_judgment(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
    content_type: &str,
) -> Result<Acceptance, IntakeError> {
    accept_signed_judgment(db, signal, bytes, content_type, &Signing::unsigned()).await
}

/// Validates one judgment document, checks its signature against the registered keys of the
/// court it names, and durably accepts it with the signature kept beside the original bytes.
pub async fn accept_signed_judgment(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
    content_type: &str,
    signing: &Signing,
) -> Result<Acceptance, IntakeError> {
    let hash = hex::encode(Sha256::digest(bytes));
    let presented = signing.presented.as_ref().ok().and_then(Option::as_ref);
    let judgment = match mapping::to_canonical(bytes) {
        Ok(j) => j,
        Err(errors) => {
            let court = lenient_court_code(bytes);
            let kept = Kept {
                bytes,
                content_type,
                hash: &hash,
                reason: &summary(&errors),
                court: court.as_deref(),
                document_id: None,
                presented,
                sender: signing.certificate_court.as_deref(),
            };
            return Err(match keep_rejected(db, &kept).await {
                Ok(message_id) => IntakeError::Rejected { message_id, errors },
                Err(e) => IntakeError::Storage(e),
            });
        }
    };
    if let Some(sender) = signing
        .certificate_court
        .as_deref()
        .filter(|c| *c != judgment.court.code)
    {
        let kept = Kept {
            bytes,
            content_type,
            hash: &hash,
            reason: &format!(
                "Judgment/Court/@code: the client certificate is court {sender}'s, the document \
                 court {}'s",
                judgment.court.code
            ),
            court: None,
            document_id: Some(&judgment.document_id),
            presented,
            sender: Some(sender),
        };
        return Err(match keep_rejected(db, &kept).await {
            Ok(message_id) => IntakeError::WrongCourt {
                message_id,
                certificate: sender.to_string(),
                court: judgment.court.code.clone(),
            },
            Err(e) => IntakeError::Storage(e),
        });
    }
    let verified = match check_signature(db, &judgment.court.code, bytes, signing).await {
        Ok(v) => v,
        Err(VerifyError::Refused(refusal)) => {
            let kept = Kept {
                bytes,
                content_type,
                hash: &hash,
                reason: &format!("{}: {refusal}", refusal.header()),
                court: Some(&judgment.court.code),
                document_id: Some(&judgment.document_id),
                presented,
                sender: signing.certificate_court.as_deref(),
            };
            return Err(match keep_rejected(db, &kept).await {
                Ok(message_id) => {
                    tracing::info!(msg_id = %message_id, court = %judgment.court.code, reason = refusal.code(), "court signature refused");
                    IntakeError::SignatureRefused {
                        message_id,
                        refusal,
                    }
                }
                Err(e) => IntakeError::Storage(e),
            });
        }
        Err(VerifyError::Registry(e)) => {
            return Err(IntakeError::Storage(sqlx::Error::Protocol(format!(
                "partner registry: {e}"
            ))))
        }
    };
    let message_id = format!("jdg-{}", judgment.stable_key());
    let court_code = judgment.court.code.clone();
    let document_id = judgment.document_id.clone();
    if let Some(existing) = find_existing(db, &message_id, &hash, &court_code, &document_id).await?
    {
        return existing;
    }
    let receipt_id = format!("rcp-{}", uuid::Uuid::now_v7().simple());
    let now = now_ms();
    let partner = format!("court:{}", judgment.court.code);
    // An amending document shares its order key with the document it amends, so it is
    // handled after it.
    let key = judgment.amends.as_ref().map_or_else(
        || judgment.stable_key(),
        |a| thads_schemas::court::Judgment::key_of(&court_code, &a.document_id),
    );
    let canonical = JudgmentAccepted {
        message_id: message_id.clone(),
        receipt_id: receipt_id.clone(),
        received_at: rfc3339(now),
        judgment,
    };
    let payload = serde_json::to_vec(&canonical).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = db.begin().await?;
    let inserted = journey::insert(
        &mut tx,
        &NewMessage {
            id: &message_id,
            subject: subjects::IN_COURT_JUDGMENT,
            direction: Direction::In,
            partner: &partner,
            receipt_id: Some(&receipt_id),
            content_hash: &hash,
            content_type,
            payload: bytes,
            case_id: None,
            parent_id: None,
        },
        MessageState::Received,
        Some("judgment received from the court"),
    )
    .await?;
    if !inserted {
        // A concurrent request with the same document won the race.
        tx.rollback().await?;
        return match find_existing(db, &message_id, &hash, &court_code, &document_id).await? {
            Some(answer) => answer,
            None => Err(IntakeError::Storage(sqlx::Error::RowNotFound)),
        };
    }
    if let Some(v) = &verified {
        store_signature(&mut tx, &message_id, &v.value, &v.key_id).await?;
    }
    journey::advance(
        &mut tx,
        &message_id,
        MessageState::Accepted,
        Some(if verified.is_some() {
            "signature verified; valid against judgment v1; queued for the case system"
        } else {
            "valid against judgment v1; queued for the case system"
        }),
    )
    .await?;
    evidence::emit(
        &mut tx,
        &NewEvidence {
            kind: EvidenceKind::Accepted,
            court_code: &court_code,
            document_id: Some(&document_id),
            message_id: &message_id,
            case_id: None,
            reason: None,
        },
    )
    .await?;
    outbox::enqueue(
        &mut tx,
        &message_id,
        subjects::IN_COURT_JUDGMENT,
        Some(&key),
        &payload,
    )
    .await?;
    tx.commit().await?;
    signal.notify();
    Ok(Acceptance {
        receipt_id,
        message_id,
        received_at: canonical.received_at,
        duplicate: false,
        court_code,
        document_id,
        content_hash: hash,
        signature_key: verified.map(|v| v.key_id),
    })
}

/// The signature check: a malformed header is refused, a missing one only when required, and
/// a present one must verify against an active key of the court named in the document.
async fn check_signature(
    db: &Db,
    court_code: &str,
    bytes: &[u8],
    signing: &Signing,
) -> Result<Option<VerifiedSignature>, VerifyError> {
    match &signing.presented {
        Err(refusal) => Err(VerifyError::Refused(refusal.clone())),
        Ok(None) if signing.required => Err(VerifyError::Refused(SignatureRefusal::Missing)),
        Ok(None) => Ok(None),
        Ok(Some(presented)) => {
            let claimed = format!("court:{court_code}");
            signatures::verify_push(db, &claimed, presented, bytes)
                .await
                .map(Some)
        }
    }
}

/// Keeps the signature a message came with, beside its original bytes.
async fn store_signature(
    tx: &mut thads_core::db::Tx<'_>,
    message_id: &str,
    value: &str,
    key_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE messages SET signature = $2, signature_key = $3 WHERE id = $1")
        .bind(message_id)
        .bind(value)
        .bind(key_id)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// The court code a document names, read leniently from a document that failed validation,
/// so the court can still be told its document was rejected. `None` when it cannot be found.
fn lenient_court_code(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("<Court")?;
    let rest = &text[start + "<Court".len()..];
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let tag = &rest[..rest.find('>')?];
    let at = tag
        .match_indices("code=")
        .find(|(i, _)| tag[..*i].ends_with(|c: char| c.is_ascii_whitespace()))?
        .0;
    let value = &tag[at + "code=".len()..];
    let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let code = value[1..].split(quote).next()?;
    thads_core::partners::is_valid_code(code).then(|| code.to_string())
}

/// The answer for a document already known under `message_id`, if any.
async fn find_existing(
    db: &Db,
    message_id: &str,
    hash: &str,
    court_code: &str,
    document_id: &str,
) -> Result<Option<Result<Acceptance, IntakeError>>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT receipt_id, content_hash, created_at, signature_key FROM messages WHERE id = $1",
    )
    .bind(message_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored_hash: String = row.try_get("content_hash")?;
    if stored_hash != hash {
        return Ok(Some(Err(IntakeError::Conflict {
            message_id: message_id.to_string(),
        })));
    }
    let receipt_id: Option<String> = row.try_get("receipt_id")?;
    Ok(Some(Ok(Acceptance {
        receipt_id: receipt_id.unwrap_or_default(),
        message_id: message_id.to_string(),
        received_at: rfc3339(row.try_get("created_at")?),
        duplicate: true,
        court_code: court_code.to_string(),
        document_id: document_id.to_string(),
        content_hash: stored_hash,
        signature_key: row.try_get("signature_key")?,
    })))
}

/// A refused document as it is kept.
struct Kept<'a> {
    bytes: &'a [u8],
    content_type: &'a str,
    hash: &'a str,
    reason: &'a str,
    /// The court the document names, if it could be read.
    court: Option<&'a str>,
    document_id: Option<&'a str>,
    /// The signature it came with, kept even though it was refused.
    presented: Option<&'a PresentedSignature>,
    /// The court its client certificate identifies, if it came over the partner TLS listener.
    sender: Option<&'a str>,
}

/// Keeps the refused bytes, the reason and any signature; tells the named court with a
/// `rejected` evidence. Returns the id the bytes are kept under.
async fn keep_rejected(db: &Db, kept: &Kept<'_>) -> Result<String, sqlx::Error> {
    let message_id = format!("rej-{}", uuid::Uuid::now_v7().simple());
    let partner = kept
        .sender
        .map_or_else(|| "court:unknown".to_string(), |c| format!("court:{c}"));
    let msg = NewMessage {
        id: &message_id,
        subject: subjects::IN_COURT_JUDGMENT,
        direction: Direction::In,
        partner: &partner,
        receipt_id: None,
        content_hash: kept.hash,
        content_type: kept.content_type,
        payload: kept.bytes,
        case_id: None,
        parent_id: None,
    };
    journey::record_rejected(db, &msg, kept.reason).await?;
    if kept.presented.is_none() && kept.court.is_none() {
        return Ok(message_id);
    }
    let mut tx = db.begin().await?;
    if let Some(p) = kept.presented {
        store_signature(&mut tx, &message_id, &p.value_base64(), &p.key_id).await?;
    }
    if let Some(court) = kept.court {
        evidence::emit(
            &mut tx,
            &NewEvidence {
                kind: EvidenceKind::Rejected,
                court_code: court,
                document_id: kept.document_id,
                message_id: &message_id,
                case_id: None,
                reason: Some(kept.reason),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(message_id)
}

#[cfg(test)]
mod tests {
    use super::lenient_court_code;

    #[test]
    fn the_court_of_a_broken_document_is_found_when_it_can_be() {
        let doc = br#"<Judgment><Court  name="x" code="TAND79-KV1">T</Court><Broken"#;
        assert_eq!(lenient_court_code(doc).as_deref(), Some("TAND79-KV1"));
        let single = b"<Judgment><Court code='TAND01'>T</Court>";
        assert_eq!(lenient_court_code(single).as_deref(), Some("TAND01"));
        assert_eq!(lenient_court_code(b"<Judgment><CourtX code=\"A1\"/>"), None);
        assert_eq!(lenient_court_code(b"<Court xcode=\"A1\"/>"), None);
        assert_eq!(lenient_court_code(b"<Court code=\"bad code\"/>"), None);
        assert_eq!(lenient_court_code(b"no xml at all"), None);
        assert_eq!(lenient_court_code(&[0xff, 0xfe]), None);
    }
}
