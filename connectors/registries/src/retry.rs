//! Which failures of a national database are worth another attempt within a run: no answer
//! (timeout, refused connection) and answers saying the partner is busy or failing (408, 425,
//! 429, 5xx) are; a refusal (other 4xx) and an answer that breaks the schema are not — the run
//! records them and the whole run is tried again later.

use thads_core::verification::LookupError;

/// Why one HTTP attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No answer: timed out, connection refused or reset.
    #[error("no answer: {0}")]
    Transport(String),
    /// An HTTP status that is not an answer in the partner's schema.
    #[error("answered {status}: {body}")]
    Status {
        /// The status.
        status: u16,
        /// The start of the body, numbers scrubbed.
        body: String,
    },
    /// An answer that does not follow the partner's schema (names the field).
    #[error("{0}")]
    Malformed(String),
}

impl CallError {
    /// Whether another attempt may succeed.
    pub fn is_retriable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Status { status, .. } => matches!(status, 408 | 425 | 429 | 500..=599),
            Self::Malformed(_) => false,
        }
    }

    /// The failure as the record and the audit show it, after `attempts` attempts.
    pub fn into_lookup_error(self, attempts: u32) -> LookupError {
        match self {
            Self::Malformed(reason) => LookupError::Malformed { reason },
            e if e.is_retriable() => LookupError::Unavailable {
                attempts,
                reason: e.to_string(),
            },
            e => LookupError::Refused {
                reason: e.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: u16) -> CallError {
        CallError::Status {
            status: s,
            body: String::new(),
        }
    }

    #[test]
    fn failures_are_classified() {
        assert!(CallError::Transport("timed out".into()).is_retriable());
        for s in [408, 425, 429, 500, 502, 503, 504] {
            assert!(status(s).is_retriable(), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!status(s).is_retriable(), "{s}");
        }
        assert!(!CallError::Malformed("x: y".into()).is_retriable());
        assert!(matches!(
            status(503).into_lookup_error(3),
            LookupError::Unavailable { attempts: 3, .. }
        ));
        assert!(matches!(
            status(401).into_lookup_error(1),
            LookupError::Refused { .. }
        ));
        assert_eq!(
            CallError::Malformed("parcels[0].area_m2: x".into()).into_lookup_error(1),
            LookupError::Malformed {
                reason: "parcels[0].area_m2: x".into()
            }
        );
    }
}
