//! What the API shows of a decision draft: the draft with its signature and its history.

use serde::Serialize;

use crate::decisions::content::DecisionContent;
use crate::decisions::{DraftKind, DraftState};

/// A draft as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DraftView {
    /// The draft's id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// The office.
    pub office: String,
    /// `ex_officio` or `on_request`.
    pub kind: DraftKind,
    /// The request answered (on-request decisions).
    pub request_id: Option<String>,
    /// Where it stands.
    pub state: DraftState,
    /// The form's fields.
    pub content: DecisionContent,
    /// Why the head last sent it back.
    pub rejection_reason: Option<String>,
    /// Number and symbol, once the clerk issues it (reserved from the first issue attempt).
    pub number: Option<String>,
    /// Date of issue (ISO).
    pub issued_on: Option<String>,
    /// Who drafted it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// The head's signature, once approved.
    pub signature: Option<SignatureView>,
    /// SHA-256 (hex) of the issued PDF.
    pub issued_pdf_sha256: Option<String>,
    /// Every step, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// The head's signature over the approved PDF.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureView {
    /// The head.
    pub signer: String,
    /// The key.
    pub key_id: String,
    /// When (RFC 3339).
    pub signed_at: String,
    /// SHA-256 (hex) of the signed PDF.
    pub pdf_sha256: String,
    /// Base64 of the 64-byte ed25519 signature over that digest.
    pub signature: String,
}

/// One step of a draft's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// created, edited, submitted, rejected, approved, numbered, issued.
    pub action: String,
    /// State before.
    pub from_state: Option<String>,
    /// State after.
    pub to_state: String,
    /// Who.
    pub actor: String,
    /// Their role.
    pub actor_role: String,
    /// The reason (rejections).
    pub reason: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}
