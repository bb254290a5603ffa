//! Complaints and denunciations about enforcement (khiếu nại, tố cáo) and the citizen reception
//! (tiếp công dân): a party complains of a decision or act of an officer or head, online through
//! the party portal or recorded by staff at reception or from the post; the filing is routed
//! to the competent head, accepted (thụ lý) or refused with a reason within the acceptance
//! limit, and answered within the resolution limit by a decision document the head signs
//! (quyết định giải quyết khiếu nại; for a denunciation, kết luận nội dung tố cáo). A first
//! answer may be contested by a second complaint to the head above. The complainant follows it
//! by the complaint's id and their CCCD. `docs/complaints.md` describes it.
//!
//! # Layout
//! - [`rules`]: the time limits per regime with their sources, and `[complaints]`.
//! - [`routing`]: the competent head's office.
//! - `store`: rows, history and deadlines.
//! - `source`: who hands a filing in (staff, the portal, the signed-in complainant).
//! - [`filing`]: receiving a filing, idempotent by its client reference.
//! - [`workflow`]: accept, refuse, resolve (the signed document), extend.
//! - [`document`]: the answer's content and HTML.
//! - [`view`]: what staff and the complainant see, and the lists.
//! - [`attention`]: the open complaint deadlines a head must act on, for the digest (the
//!   console's overview and the gauges read them through `deadlines::overview`).
//! - [`reception`]: the log of reception visits.

pub mod attention;
pub mod document;
pub mod filing;
pub mod reception;
pub mod routing;
pub mod rules;
mod source;
mod store;
pub mod view;
pub mod workflow;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thads_schemas::validation::FieldError;

use crate::db::Db;
use crate::deadlines::store::Schedule;
use crate::decisions::keys::StaffKeyError;
use crate::decisions::render::{RenderError, Renderer};
use crate::metrics::Metrics;

pub use rules::{ComplaintRules, ComplaintStep, ComplaintsConfig};

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Received; the competent head must accept or refuse it.
    Received,
    /// Accepted (thụ lý); being verified and answered.
    Accepted,
    /// Refused (không thụ lý), with the reason.
    Refused,
    /// Answered by the signed document.
    Resolved,
    /// Answered, and the answer contested by a second complaint.
    Appealed,
}

impl State {
    /// Every state.
    pub const ALL: [State; 5] = [
        Self::Received,
        Self::Accepted,
        Self::Refused,
        Self::Resolved,
        Self::Appealed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::Resolved => "resolved",
            Self::Appealed => "appealed",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The state as the complainant reads it.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Received => "Đã tiếp nhận, chờ thụ lý",
            Self::Accepted => "Đã thụ lý, đang giải quyết",
            Self::Refused => "Không thụ lý",
            Self::Resolved => "Đã giải quyết",
            Self::Appealed => "Đã giải quyết; đang được khiếu nại lần hai",
        }
    }

    /// Whether the office still owes an act (its deadlines run).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Accepted)
    }
}

/// What the answer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The complaint (denunciation) is right: the decision or act is withdrawn or corrected.
    Upheld,
    /// Partly right.
    PartlyUpheld,
    /// Wrong: the decision or act stands.
    Rejected,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::PartlyUpheld => "partly_upheld",
            Self::Rejected => "rejected",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Upheld, Self::PartlyUpheld, Self::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The finding as the document words it.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Upheld => "đúng",
            Self::PartlyUpheld => "đúng một phần",
            Self::Rejected => "sai",
        }
    }
}

/// Why a step was refused or failed; the HTTP layer maps each to its status.
#[derive(Debug, thiserror::Error)]
pub enum ComplaintError {
    /// No such complaint or case, or outside the caller's offices (404).
    #[error("no {0} with that id")]
    NotFound(&'static str),
    /// The caller's role or office may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// The complaint's state does not allow this step (409).
    #[error("{0}")]
    Refused(String),
    /// The same client reference was used for a different filing (409).
    #[error("client_reference {0:?} was already used for a different filing")]
    Conflict(String),
    /// Fields are wrong (422); a refused filing's bytes are kept under `message_id`.
    #[error("the request is not acceptable")]
    Invalid {
        /// Each field and why.
        errors: Vec<FieldError>,
        /// Where refused bytes are kept.
        message_id: Option<String>,
    },
    /// The PDF cannot be made here (503): Chromium is missing.
    #[error(transparent)]
    RenderUnavailable(RenderError),
    /// Chromium failed (500).
    #[error(transparent)]
    Render(RenderError),
    /// The head's signing key is missing or cannot be opened.
    #[error(transparent)]
    Key(#[from] StaffKeyError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl ComplaintError {
    /// One wrong field.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            errors: vec![FieldError::new(field, reason)],
            message_id: None,
        }
    }
}

impl From<RenderError> for ComplaintError {
    fn from(e: RenderError) -> Self {
        match e {
            RenderError::Unavailable(_) => Self::RenderUnavailable(e),
            RenderError::Failed(_) => Self::Render(e),
        }
    }
}

/// The complaint service: the database, the calendar and limits, the routing, and the
/// renderer and key secret the signed answers need.
#[derive(Debug, Clone)]
pub struct Complaints {
    db: Db,
    schedule: Schedule,
    rules: Arc<ComplaintRules>,
    config: Arc<ComplaintsConfig>,
    renderer: Renderer,
    secret_file: PathBuf,
    metrics: Arc<Metrics>,
}

impl Complaints {
    /// The service over `db`, computing deadlines with `schedule` and the `[complaints]`
    /// configuration (checked: a zero limit is refused naming its key), rendering answers
    /// with `renderer` and opening heads' keys with the secret in `secret_file`.
    pub fn new(
        db: Db,
        schedule: Schedule,
        config: ComplaintsConfig,
        renderer: Renderer,
        secret_file: PathBuf,
        metrics: Arc<Metrics>,
    ) -> Result<Self, String> {
        let rules = ComplaintRules::new(&config)?;
        Ok(Self {
            db,
            schedule,
            rules: Arc::new(rules),
            config: Arc::new(config),
            renderer,
            secret_file,
            metrics,
        })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The calendar and case limits (their warning window applies to complaints too).
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The `[complaints]` configuration.
    pub fn config(&self) -> &ComplaintsConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        for o in [Outcome::Upheld, Outcome::PartlyUpheld, Outcome::Rejected] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert!(State::Accepted.is_open() && !State::Resolved.is_open());
    }
}
