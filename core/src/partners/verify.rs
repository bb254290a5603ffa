//! Checking a partner's signed push: the `X-Signature: ed25519=<base64>` and
//! `X-Signature-Key: <key id>` headers, a detached ed25519 signature over the exact body bytes,
//! verified against a registered, active key of the partner the document names.
//!
//! Each refusal names its header and reason ([`SignatureRefusal`]), so a court can fix its
//! side without calling anyone.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::Signature;

use super::registry::{self, KeyRecord, RegistryError};
use super::ALGORITHM;
use crate::db::{now_ms, Db};

/// The header carrying the signature: `ed25519=<standard base64 of the 64 bytes>`.
pub const SIGNATURE_HEADER: &str = "X-Signature";
/// The header naming the registered key that made it.
pub const SIGNATURE_KEY_HEADER: &str = "X-Signature-Key";

/// A signature as a partner presented it, parsed but not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedSignature {
    /// The key id from `X-Signature-Key`.
    pub key_id: String,
    /// The 64-byte signature.
    pub signature: Signature,
}

impl PresentedSignature {
    /// The signature as stored with the message: standard base64 of its 64 bytes.
    pub fn value_base64(&self) -> String {
        STANDARD.encode(self.signature.to_bytes())
    }
}

/// A signature that verified: kept with the message for non-repudiation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The key that made it.
    pub key_id: String,
    /// Whose key it is (`court:<code>`).
    pub partner_id: String,
    /// Standard base64 of the 64 bytes.
    pub value: String,
}

/// Why a signed (or unsigned) push was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    /// Signatures are required and the request had none.
    #[error("the document is not signed: sign the exact body bytes with the court's registered ed25519 key and send X-Signature: ed25519=<base64> with X-Signature-Key: <key id>")]
    Missing,
    /// One of the two headers came without the other.
    #[error("{header} is missing; X-Signature and X-Signature-Key go together")]
    HeaderMissing {
        /// The absent header.
        header: &'static str,
    },
    /// A header is not in the documented form.
    #[error("{header} is malformed: {reason}")]
    Malformed {
        /// The header at fault.
        header: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No key is registered under that id.
    #[error("key {key_id:?} is not registered with the hub")]
    UnknownKey {
        /// The presented key id.
        key_id: String,
    },
    /// The key was revoked.
    #[error("key {key_id} was revoked")]
    KeyRevoked {
        /// The key.
        key_id: String,
    },
    /// The key's validity ended.
    #[error("key {key_id} has expired")]
    KeyExpired {
        /// The key.
        key_id: String,
    },
    /// The key's validity has not begun.
    #[error("key {key_id} is not valid yet")]
    KeyNotYetValid {
        /// The key.
        key_id: String,
    },
    /// The partner owning the key was revoked.
    #[error("{partner} is revoked; none of its keys is accepted")]
    PartnerRevoked {
        /// The partner.
        partner: String,
    },
    /// The signature does not match the body under that key.
    #[error("the signature does not verify with key {key_id}: the body was changed after signing, or it was signed with another key")]
    BadSignature {
        /// The key.
        key_id: String,
    },
    /// The key is valid, but belongs to another partner than the court the document names.
    #[error("key {key_id} belongs to {owner}, but the document names {court}: a partner may only send its own documents")]
    WrongPartner {
        /// The key.
        key_id: String,
        /// Whose key it is.
        owner: String,
        /// The sender named in the document (`court:<code>`).
        court: String,
    },
}

impl SignatureRefusal {
    /// The header a problem+json answer names as the field at fault.
    pub fn header(&self) -> &'static str {
        match self {
            Self::Missing | Self::BadSignature { .. } => SIGNATURE_HEADER,
            Self::HeaderMissing { header } | Self::Malformed { header, .. } => header,
            Self::UnknownKey { .. }
            | Self::KeyRevoked { .. }
            | Self::KeyExpired { .. }
            | Self::KeyNotYetValid { .. }
            | Self::PartnerRevoked { .. }
            | Self::WrongPartner { .. } => SIGNATURE_KEY_HEADER,
        }
    }

    /// A stable machine-readable code for the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "signature_missing",
            Self::HeaderMissing { .. } => "header_missing",
            Self::Malformed { .. } => "signature_malformed",
            Self::UnknownKey { .. } => "key_unknown",
            Self::KeyRevoked { .. } => "key_revoked",
            Self::KeyExpired { .. } => "key_expired",
            Self::KeyNotYetValid { .. } => "key_not_yet_valid",
            Self::PartnerRevoked { .. } => "partner_revoked",
            Self::BadSignature { .. } => "signature_invalid",
            Self::WrongPartner { .. } => "key_of_another_partner",
        }
    }

    /// True when the sender was identified but is not allowed to send this (HTTP 403); the
    /// others mean the sender could not be authenticated at all (HTTP 401).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::WrongPartner { .. })
    }
}

/// Parses the two signature headers. `Ok(None)` when neither is present.
pub fn parse_headers(
    signature: Option<&str>,
    key_id: Option<&str>,
) -> Result<Option<PresentedSignature>, SignatureRefusal> {
    let (signature, key_id) = match (signature, key_id) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(SignatureRefusal::HeaderMissing {
                header: SIGNATURE_KEY_HEADER,
            })
        }
        (None, Some(_)) => {
            return Err(SignatureRefusal::HeaderMissing {
                header: SIGNATURE_HEADER,
            })
        }
        (Some(s), Some(k)) => (s.trim(), k.trim()),
    };
    if !super::keys::is_valid_key_id(key_id) {
        return Err(SignatureRefusal::Malformed {
            header: SIGNATURE_KEY_HEADER,
            reason: "a key id is 1 to 64 of ASCII letters, digits, '.', '_', ':' and '-'".into(),
        });
    }
    let malformed = |reason: String| SignatureRefusal::Malformed {
        header: SIGNATURE_HEADER,
        reason,
    };
    let (alg, value) = signature
        .split_once('=')
        .ok_or_else(|| malformed(format!("expected {ALGORITHM}=<base64 of 64 bytes>")))?;
    if !alg.trim().eq_ignore_ascii_case(ALGORITHM) {
        return Err(malformed(format!(
            "algorithm {:?} is not supported; use {ALGORITHM}",
            alg.trim()
        )));
    }
    let raw = STANDARD
        .decode(value.trim())
        .map_err(|e| malformed(format!("the value is not standard base64: {e}")))?;
    let signature = Signature::from_slice(&raw).map_err(|_| {
        malformed(format!(
            "an ed25519 signature is 64 bytes, got {}",
            raw.len()
        ))
    })?;
    Ok(Some(PresentedSignature {
        key_id: key_id.to_string(),
        signature,
    }))
}

/// Why a check could not conclude.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The signature was refused.
    #[error(transparent)]
    Refused(#[from] SignatureRefusal),
    /// The registry could not be read; nothing should be accepted.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// Checks a push that names `claimed` (a partner id such as `court:TAND79-KV1`) as its sender:
/// the key must be registered, active, of an active partner, must verify the exact `body`, and
/// must belong to `claimed`.
pub async fn verify_push(
    db: &Db,
    claimed: &str,
    presented: &PresentedSignature,
    body: &[u8],
) -> Result<VerifiedSignature, VerifyError> {
    let record = registry::find_key(db, &presented.key_id)
        .await?
        .ok_or_else(|| SignatureRefusal::UnknownKey {
            key_id: presented.key_id.clone(),
        })?;
    Ok(check(&record, now_ms(), claimed, presented, body)?)
}

/// The checks of [`verify_push`] on a key already looked up, at time `now` (epoch ms).
/// Status first (a revoked key says so whatever it signed), then the signature, then whether
/// the authenticated sender may send for `claimed`.
pub fn check(
    record: &KeyRecord,
    now: i64,
    claimed: &str,
    presented: &PresentedSignature,
    body: &[u8],
) -> Result<VerifiedSignature, SignatureRefusal> {
    let key_id = presented.key_id.clone();
    if record.partner_status != "active" {
        return Err(SignatureRefusal::PartnerRevoked {
            partner: record.partner_id.clone(),
        });
    }
    match record.status_at(now) {
        "revoked" => return Err(SignatureRefusal::KeyRevoked { key_id }),
        "expired" => return Err(SignatureRefusal::KeyExpired { key_id }),
        "not_yet_valid" => return Err(SignatureRefusal::KeyNotYetValid { key_id }),
        _ => {}
    }
    if record
        .public_key
        .verify_strict(body, &presented.signature)
        .is_err()
    {
        return Err(SignatureRefusal::BadSignature { key_id });
    }
    if record.partner_id != claimed {
        return Err(SignatureRefusal::WrongPartner {
            key_id,
            owner: record.partner_id.clone(),
            court: claimed.to_string(),
        });
    }
    Ok(VerifiedSignature {
        key_id,
        partner_id: claimed.to_string(),
        value: presented.value_base64(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use ed25519_dalek::Signer;

    use super::*;
    use crate::partners::keys::generate_signing_key;

    fn header_for(sk: &ed25519_dalek::SigningKey, body: &[u8]) -> String {
        format!("ed25519={}", STANDARD.encode(sk.sign(body).to_bytes()))
    }

    fn record(sk: &ed25519_dalek::SigningKey, partner: &str) -> KeyRecord {
        KeyRecord {
            key_id: "K1".into(),
            partner_id: partner.into(),
            partner_status: "active".into(),
            public_key: sk.verifying_key(),
            valid_from: 0,
            valid_until: None,
            revoked_at: None,
        }
    }

    #[test]
    fn headers_parse_or_name_what_is_wrong() {
        assert_eq!(parse_headers(None, None), Ok(None));
        let sk = generate_signing_key();
        let h = header_for(&sk, b"body");
        let p = parse_headers(Some(&h), Some(" K1 ")).unwrap().unwrap();
        assert_eq!(p.key_id, "K1");
        assert_eq!(format!("ed25519={}", p.value_base64()), h);
        let upper = h.replace("ed25519=", "Ed25519=");
        assert!(parse_headers(Some(&upper), Some("K1")).is_ok());

        let e = parse_headers(Some(&h), None).unwrap_err();
        assert_eq!(e.header(), "X-Signature-Key");
        let e = parse_headers(None, Some("K1")).unwrap_err();
        assert_eq!(e.header(), "X-Signature");
        for bad in ["ed25519", "rsa=AAAA", "ed25519=***", "ed25519=AAAA"] {
            let e = parse_headers(Some(bad), Some("K1")).unwrap_err();
            assert_eq!(e.code(), "signature_malformed", "{bad}");
            assert_eq!(e.header(), "X-Signature", "{bad}");
        }
        let e = parse_headers(Some(&h), Some("a b")).unwrap_err();
        assert_eq!(e.header(), "X-Signature-Key");
    }

    #[test]
    fn a_valid_signature_of_the_named_court_verifies() {
        let sk = generate_signing_key();
        let court = "court:TAND79-KV1";
        let body = b"<Judgment/>";
        let p = parse_headers(Some(&header_for(&sk, body)), Some("K1"))
            .unwrap()
            .unwrap();
        let v = check(&record(&sk, "court:TAND79-KV1"), 10, court, &p, body).unwrap();
        assert_eq!(v.partner_id, "court:TAND79-KV1");
        assert_eq!(v.key_id, "K1");
    }

    #[test]
    fn every_refusal_has_its_reason() {
        let sk = generate_signing_key();
        let court = "court:TAND79-KV1";
        let body = b"<Judgment>A</Judgment>";
        let p = parse_headers(Some(&header_for(&sk, body)), Some("K1"))
            .unwrap()
            .unwrap();
        let good = record(&sk, "court:TAND79-KV1");

        // One byte changed after signing.
        let e = check(&good, 10, court, &p, b"<Judgment>B</Judgment>").unwrap_err();
        assert_eq!(e.code(), "signature_invalid");
        assert!(!e.is_forbidden());

        // Signed by another key than the one named.
        let other = generate_signing_key();
        let q = parse_headers(Some(&header_for(&other, body)), Some("K1"))
            .unwrap()
            .unwrap();
        assert_eq!(
            check(&good, 10, court, &q, body).unwrap_err().code(),
            "signature_invalid"
        );

        let mut revoked = good.clone();
        revoked.revoked_at = Some(5);
        assert_eq!(
            check(&revoked, 10, court, &p, body).unwrap_err().code(),
            "key_revoked"
        );

        let mut expired = good.clone();
        expired.valid_until = Some(8);
        assert_eq!(
            check(&expired, 10, court, &p, body).unwrap_err().code(),
            "key_expired"
        );

        let mut early = good.clone();
        early.valid_from = 20;
        assert_eq!(
            check(&early, 10, court, &p, body).unwrap_err().code(),
            "key_not_yet_valid"
        );

        let mut gone = good;
        gone.partner_status = "revoked".into();
        assert_eq!(
            check(&gone, 10, court, &p, body).unwrap_err().code(),
            "partner_revoked"
        );

        // A valid key of another court: authenticated, but not allowed.
        let theirs = record(&sk, "court:TAND01");
        let e = check(&theirs, 10, court, &p, body).unwrap_err();
        assert_eq!(e.code(), "key_of_another_partner");
        assert!(e.is_forbidden());
        assert!(e.to_string().contains("court:TAND01"), "{e}");
        assert_eq!(e.header(), "X-Signature-Key");
    }
}
