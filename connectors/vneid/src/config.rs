//! Configuration of the VNeID connector.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

/// Where and how notices are delivered to VNeID.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct VneidConfig {
    /// Base URL of the notification API (`POST {endpoint}/notifications`). Without it, notices
    /// stay queued (state `emitted`) until one is configured; nothing is lost.
    pub endpoint: Option<String>,
    /// Partner token sent as `Authorization: Bearer`. Prefer `token_file`.
    #[serde(serialize_with = "mask")]
    pub token: Option<String>,
    /// File holding the partner token (a mounted secret).
    pub token_file: Option<PathBuf>,
    /// Time limit of one HTTP call.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Notices sent in parallel by one hub process.
    pub concurrency: NonZeroUsize,
}

impl Default for VneidConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            token: None,
            token_file: None,
            timeout: Duration::from_secs(10),
            concurrency: NonZeroUsize::new(4).unwrap_or(NonZeroUsize::MIN),
        }
    }
}

impl VneidConfig {
    /// The token, from `token` or read from `token_file`.
    pub fn resolve_token(&self) -> Result<Option<String>, std::io::Error> {
        if let Some(t) = &self.token {
            return Ok(Some(t.clone()));
        }
        match &self.token_file {
            Some(path) => Ok(Some(std::fs::read_to_string(path)?.trim().to_string())),
            None => Ok(None),
        }
    }
}

fn mask<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}
