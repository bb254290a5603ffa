//! Decisions to enforce (quyết định thi hành án), from draft to issue: an officer (or the head)
//! drafts the decision from the case's data and submits it; the head rejects it with a reason
//! (it goes back for correction) or approves it, which renders the PDF and signs its bytes
//! with the head's key; the clerk issues it — the next number of the office's decision book,
//! the date, the final document — which performs `issue_decision` on the case (deadline met,
//! decision notices to every party) and reports the decision to the court on
//! `out.court.report`. Every step is checked (role, office) and audited (draft history and
//! case event). `docs/decisions.md` describes the workflow and the signature scheme.
//!
//! - [`content`]: the form's fields, built from the case.
//! - [`render`]: HTML template and PDF through headless Chromium.
//! - [`keys`]: the heads' ed25519 keys, encrypted at rest, and the PDF signature.
//! - [`workflow`]: the steps, each in its own transaction.

pub mod content;
mod guards;
pub mod keys;
pub mod render;
mod store;
pub mod workflow;

use serde::{Deserialize, Serialize};

pub use workflow::{Decisions, DraftView, HistoryEntry, Verification};

/// Ex officio (chủ động, Art. 36(1)) or on request (theo yêu cầu, Art. 36(2)): the two kinds
/// must never be mixed in one decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    /// Chủ động: what is due to the State, and refunds of advance fees.
    ExOfficio,
    /// Theo yêu cầu: what is due to private parties, answering a request.
    OnRequest,
}

impl DraftKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExOfficio => "ex_officio",
            Self::OnRequest => "on_request",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ExOfficio, Self::OnRequest]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    /// Being written; editable.
    Draft,
    /// Sent to the head for approval.
    Submitted,
    /// Sent back by the head with a reason; editable and resubmittable.
    Rejected,
    /// Approved and signed by the head; waits for the clerk.
    Approved,
    /// Numbered, dated and issued.
    Issued,
}

impl DraftState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Rejected => "rejected",
            Self::Approved => "approved",
            Self::Issued => "issued",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Rejected,
            Self::Approved,
            Self::Issued,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the content may still be edited (and submitted).
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Rejected)
    }
}

/// Why a step was refused or failed; the HTTP layer maps each to its status.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// No such draft or case, or outside the actor's office (404).
    #[error("no {0} with that id")]
    NotFound(String),
    /// The actor's role or assignment does not allow this step (403).
    #[error("{0}")]
    Forbidden(String),
    /// The draft's or the case's state does not allow this step (409).
    #[error("{0}")]
    Refused(String),
    /// A field is wrong (422).
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A draft of this kind already exists for the case (409).
    #[error("a {kind} decision draft already exists for this case: {existing}")]
    Duplicate {
        /// The kind.
        kind: &'static str,
        /// The existing draft's id.
        existing: String,
    },
    /// The PDF cannot be made here (503): Chromium is missing.
    #[error(transparent)]
    RenderUnavailable(render::RenderError),
    /// Chromium failed (500).
    #[error(transparent)]
    Render(render::RenderError),
    /// The head's key is missing or cannot be opened (409 for a missing key).
    #[error(transparent)]
    Key(#[from] keys::StaffKeyError),
    /// The case's lifecycle refused `issue_decision`.
    #[error(transparent)]
    Lifecycle(#[from] crate::lifecycle::PerformError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl DecisionError {
    /// A wrong field.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl From<render::RenderError> for DecisionError {
    fn from(e: render::RenderError) -> Self {
        match e {
            render::RenderError::Unavailable(_) => Self::RenderUnavailable(e),
            render::RenderError::Failed(_) => Self::Render(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in [DraftKind::ExOfficio, DraftKind::OnRequest] {
            assert_eq!(DraftKind::parse(k.as_str()), Some(k));
        }
        for s in [
            DraftState::Draft,
            DraftState::Submitted,
            DraftState::Rejected,
            DraftState::Approved,
            DraftState::Issued,
        ] {
            assert_eq!(DraftState::parse(s.as_str()), Some(s));
        }
        assert!(DraftState::Rejected.editable());
        assert!(!DraftState::Approved.editable());
    }
}
