//! Configuration of the VNeID connector: the notification endpoint and its partner token, the
//! token VNeID presents when it posts delivery receipts back, and the resilience settings the
//! partner agreement sets (rate limit, circuit breaker).

use std::num::{NonZeroU32, NonZeroUsize};
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
    /// The token VNeID must present (`Authorization: Bearer`) on `POST /v1/vneid/receipts`.
    /// Without it (and without `receipt_token_file`) receipts are refused with 503, so VNeID
    /// keeps them and sends them again once it is configured. Prefer `receipt_token_file`.
    #[serde(serialize_with = "mask")]
    pub receipt_token: Option<String>,
    /// File holding the receipt token (a mounted secret).
    pub receipt_token_file: Option<PathBuf>,
    /// Requests per second the partner allows, shared by all workers of one hub process
    /// (a token bucket holding up to one second's worth). `0` switches the limit off.
    pub rate_per_second: f64,
    /// Consecutive failures (no answer, 5xx, 408, 425, 429) that open the circuit breaker.
    pub breaker_failures: NonZeroU32,
    /// How long an open breaker waits before one probe request tests the partner again.
    /// Deliveries meanwhile wait (at most half of `bus.ack_wait`) or are retried later.
    #[serde(with = "humantime_serde")]
    pub breaker_cool_down: Duration,
}

impl Default for VneidConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            token: None,
            token_file: None,
            timeout: Duration::from_secs(10),
            concurrency: NonZeroUsize::new(4).unwrap_or(NonZeroUsize::MIN),
            receipt_token: None,
            receipt_token_file: None,
            rate_per_second: 20.0,
            breaker_failures: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            breaker_cool_down: Duration::from_secs(15),
        }
    }
}

impl VneidConfig {
    /// The token, from `token` or read from `token_file`.
    pub fn resolve_token(&self) -> Result<Option<String>, std::io::Error> {
        resolve(&self.token, &self.token_file)
    }

    /// The receipt token, from `receipt_token` or read from `receipt_token_file`.
    pub fn resolve_receipt_token(&self) -> Result<Option<String>, std::io::Error> {
        Ok(resolve(&self.receipt_token, &self.receipt_token_file)?.filter(|t| !t.is_empty()))
    }

    /// Checks the values serde cannot; the error names the key.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !self.rate_per_second.is_finite() || self.rate_per_second < 0.0 {
            return Err((
                "vneid.rate_per_second",
                "must be a number of requests per second, 0 for no limit".into(),
            ));
        }
        if self.breaker_cool_down < Duration::from_millis(100) {
            return Err(("vneid.breaker_cool_down", "must be at least 100 ms".into()));
        }
        if self.timeout.is_zero() {
            return Err(("vneid.timeout", "must be more than 0".into()));
        }
        if let Some(t) = &self.receipt_token {
            if t.trim().len() < 16 {
                return Err((
                    "vneid.receipt_token",
                    "must be at least 16 characters".into(),
                ));
            }
        }
        Ok(())
    }
}

fn resolve(
    value: &Option<String>,
    file: &Option<PathBuf>,
) -> Result<Option<String>, std::io::Error> {
    if let Some(t) = value {
        return Ok(Some(t.trim().to_string()));
    }
    match file {
        Some(path) => Ok(Some(std::fs::read_to_string(path)?.trim().to_string())),
        None => Ok(None),
    }
}

fn mask<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults_are_valid_and_tokens_are_masked() {
        let c = VneidConfig::default();
        c.validate().unwrap();
        assert_eq!(c.rate_per_second, 20.0);
        assert_eq!(c.breaker_failures.get(), 5);
        let shown = serde_json::to_string(&VneidConfig {
            receipt_token: Some("receipt-secret-0123456789".into()),
            ..VneidConfig::default()
        })
        .unwrap();
        assert!(!shown.contains("receipt-secret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (c, key) in [
            (
                VneidConfig {
                    rate_per_second: -1.0,
                    ..VneidConfig::default()
                },
                "vneid.rate_per_second",
            ),
            (
                VneidConfig {
                    breaker_cool_down: Duration::from_millis(10),
                    ..VneidConfig::default()
                },
                "vneid.breaker_cool_down",
            ),
            (
                VneidConfig {
                    receipt_token: Some("short".into()),
                    ..VneidConfig::default()
                },
                "vneid.receipt_token",
            ),
        ] {
            assert_eq!(c.validate().unwrap_err().0, key);
        }
    }

    #[test]
    fn receipt_token_is_read_from_its_file() {
        let dir = std::env::temp_dir().join(format!("vneid-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("receipt-token");
        std::fs::write(&path, "from-the-file-0123456789\n").unwrap();
        let c = VneidConfig {
            receipt_token_file: Some(path),
            ..VneidConfig::default()
        };
        assert_eq!(
            c.resolve_receipt_token().unwrap().as_deref(),
            Some("from-the-file-0123456789")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
