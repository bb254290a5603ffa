//! The `[treasury]` configuration section: the Treasury's transfer endpoint, its bearer token
//! (inline or from a mounted file), the time limit of one call and how many transfers one hub
//! process sends in parallel.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

/// The `[treasury]` section.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TreasuryConfig {
    /// URL the Treasury takes transfers at (`POST`); transfers stay queued while unset.
    pub endpoint: Option<String>,
    /// Token sent as `Authorization: Bearer`. Prefer `token_file`.
    #[serde(serialize_with = "mask")]
    pub token: Option<String>,
    /// File holding the token (a mounted secret).
    pub token_file: Option<PathBuf>,
    /// Time limit of one HTTP call.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Transfers sent in parallel by one hub process.
    pub concurrency: NonZeroUsize,
}

impl Default for TreasuryConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            token: None,
            token_file: None,
            timeout: Duration::from_secs(10),
            concurrency: NonZeroUsize::MIN,
        }
    }
}

fn mask<S: Serializer>(token: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match token {
        Some(_) => s.serialize_some("***"),
        None => s.serialize_none(),
    }
}

/// Why the token could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read treasury.token_file {path}: {source}")]
pub struct TokenError {
    /// The file.
    pub path: String,
    /// The reason.
    #[source]
    pub source: std::io::Error,
}

impl TreasuryConfig {
    /// The token: `token_file`'s trimmed content, else `token`.
    pub fn resolve_token(&self) -> Result<Option<String>, TokenError> {
        match &self.token_file {
            Some(path) => std::fs::read_to_string(path)
                .map(|t| Some(t.trim().to_string()))
                .map_err(|source| TokenError {
                    path: path.display().to_string(),
                    source,
                }),
            None => Ok(self.token.clone()),
        }
    }
}
