//! The partner registry and message-level signatures: who may send the hub what, with which
//! keys, and how the hub proves what it received.
//!
//! A partner (a court, a bank, the Treasury, VNeID, a national database) is registered with one
//! or more ed25519 public keys. A court signs the exact bytes it pushes; the hub checks the
//! signature against the court's active keys before it accepts anything, keeps the signature
//! with the original bytes, and answers with receipts and evidences signed by its own key,
//! published at `GET /v1/keys`. The wire format is described in `docs/partners-signatures.md`.
//!
//! # Layout
//! - [`keys`]: ed25519 keys: parsing partner public keys, the hub's own signing key, key ids.
//! - [`canonical`]: the canonical JSON bytes receipts and evidences are signed over, and
//!   sealing / verifying such documents.
//! - [`endpoints`]: partners' endpoint settings changed from the console, versioned, read by
//!   the connectors over the configuration file's.
//! - [`registry`]: the `partners`, `partner_keys` and `hub_keys` tables.
//! - [`verify`]: the `X-Signature` headers and the check of a court's push.
//! - [`certificates`]: partners' TLS client certificates, by fingerprint, and who a
//!   certificate identifies.
//! - [`accounts`]: the THADS deposit accounts each bank holds.

pub mod accounts;
pub mod canonical;
pub mod certificates;
pub mod endpoints;
pub mod keys;
pub mod registry;
pub mod verify;

use std::fmt;
use std::sync::Arc;

pub use canonical::{seal, verify_sealed, SealError};
pub use keys::{HubKey, KeyError};
pub use registry::{Partner, PartnerKey, RegistryError};
pub use verify::{PresentedSignature, SignatureRefusal, VerifiedSignature};

/// What the partner endpoints need to check signed pushes and to sign their answers: the
/// hub's key, whether courts must sign, and the sealer's wake-up for new evidences.
#[derive(Debug, Clone)]
pub struct Trust {
    /// The hub's signing key (receipts, evidences).
    pub hub_key: Arc<HubKey>,
    /// Refuse court pushes without a valid signature (`[court] require_signatures`).
    pub require_court_signatures: bool,
    /// Wakes the evidence sealer after an intake recorded an evidence.
    pub evidence: crate::evidence::EvidenceSignal,
}

/// The only signature algorithm the hub accepts and uses; named in keys, headers and seals.
pub const ALGORITHM: &str = "ed25519";

/// What kind of organisation a partner is; the first half of its partner id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartnerKind {
    /// A court (Tòa án) that pushes judgments and decisions.
    Court,
    /// A bank holding THADS deposit accounts or debtors' accounts.
    Bank,
    /// The State Treasury (Kho bạc Nhà nước).
    Treasury,
    /// The VNeID notification service.
    Vneid,
    /// A national database (population, land, vehicles, businesses).
    Database,
}

impl PartnerKind {
    /// Every kind, for help texts and validation messages.
    pub const ALL: [Self; 5] = [
        Self::Court,
        Self::Bank,
        Self::Treasury,
        Self::Vneid,
        Self::Database,
    ];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Court => "court",
            Self::Bank => "bank",
            Self::Treasury => "treasury",
            Self::Vneid => "vneid",
            Self::Database => "database",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for PartnerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A partner's id, `<kind>:<code>` (e.g. `court:TAND79-KV1`), the same spelling the message
/// journey uses in its `partner` column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartnerId {
    /// The kind.
    pub kind: PartnerKind,
    /// The partner's own code: upper-case letters, digits and inner hyphens, 2..=32 characters.
    pub code: String,
}

impl PartnerId {
    /// Builds an id, checking the code's form.
    pub fn new(kind: PartnerKind, code: &str) -> Result<Self, RegistryError> {
        if !is_valid_code(code) {
            return Err(RegistryError::Invalid {
                field: "code",
                reason: format!(
                    "{code:?} is not a partner code: use 2 to 32 of A-Z, 0-9 and single inner hyphens"
                ),
            });
        }
        Ok(Self {
            kind,
            code: code.to_string(),
        })
    }

    /// The id of a court by its code (as written in a judgment's `Court/@code`).
    pub fn court(code: &str) -> Result<Self, RegistryError> {
        Self::new(PartnerKind::Court, code)
    }

    /// Parses `<kind>:<code>`.
    pub fn parse(s: &str) -> Result<Self, RegistryError> {
        let (kind, code) = s.split_once(':').ok_or_else(|| RegistryError::Invalid {
            field: "partner_id",
            reason: format!("{s:?} is not <kind>:<code>, e.g. court:TAND79-KV1"),
        })?;
        let kind = PartnerKind::parse(kind).ok_or_else(|| unknown_kind(kind))?;
        Self::new(kind, code)
    }
}

impl fmt::Display for PartnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.code)
    }
}

/// The error for a kind that is not one of [`PartnerKind::ALL`].
pub fn unknown_kind(kind: &str) -> RegistryError {
    RegistryError::Invalid {
        field: "kind",
        reason: format!(
            "{kind:?} is not a partner kind: use one of {}",
            PartnerKind::ALL.map(PartnerKind::as_str).join(", ")
        ),
    }
}

/// Whether `code` has the form of a partner code (the court-code rule of judgment v1:
/// `A-Z`, `0-9` and single inner hyphens, 2..=32 characters).
pub fn is_valid_code(code: &str) -> bool {
    (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
        && !code.ends_with('-')
        && !code.contains("--")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn partner_ids_round_trip_and_refuse_bad_codes() {
        let id = PartnerId::parse("court:TAND79-KV1").unwrap();
        assert_eq!(id.kind, PartnerKind::Court);
        assert_eq!(id.to_string(), "court:TAND79-KV1");
        assert!(PartnerId::parse("court:tand79").is_err());
        assert!(PartnerId::parse("court:-A").is_err());
        assert!(PartnerId::parse("court:A--B").is_err());
        assert!(PartnerId::parse("TAND79").is_err());
        let e = PartnerId::parse("tribunal:TAND79").unwrap_err();
        assert!(e.to_string().contains("court, bank"), "{e}");
        assert_eq!(PartnerKind::parse("database"), Some(PartnerKind::Database));
    }
}
