//! Configuration of evidence delivery to courts: where each court takes the evidences the hub
//! pushes (`[court.endpoints.<CODE>]`, with an optional bearer token kept in a mounted secret
//! file), and the time limit, parallelism and circuit breaker of the calls (`[court.delivery]`).
//!
//! Endpoints live in configuration, next to the VNeID and bank endpoints, rather than in the
//! partner registry: the registry holds only public material (keys), while a court's endpoint
//! comes with a secret token that belongs in a mounted file. A court without an endpoint pulls
//! its evidences with `GET /v1/court/evidences`.

use std::collections::BTreeMap;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

/// Where one court takes the evidences pushed to it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CourtEndpoint {
    /// The URL the hub POSTs each sealed evidence to (`http://` or `https://`).
    pub url: String,
    /// Token sent as `Authorization: Bearer`, when the court wants one. Prefer `token_file`.
    #[serde(
        default,
        serialize_with = "mask",
        skip_serializing_if = "Option::is_none"
    )]
    pub token: Option<String>,
    /// File holding the token (a mounted secret), read once at start.
    #[serde(
        default,
        serialize_with = "mask_path",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_file: Option<PathBuf>,
}

/// Time limit, parallelism and circuit breaker of evidence delivery, shared by every court.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Time limit of one HTTP call; a slower court is tried again later. Keep it below half of
    /// `bus.ack_wait`, so the bus does not hand the evidence to another worker meanwhile.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Evidences sent in parallel by one hub process.
    pub concurrency: NonZeroUsize,
    /// Consecutive failures of one court's endpoint (no answer, 5xx, 408, 425, 429) that open
    /// its circuit breaker, so a court that is down is not hammered.
    pub breaker_failures: NonZeroU32,
    /// How long an open breaker waits before one probe call tests the court again.
    #[serde(with = "humantime_serde")]
    pub breaker_cool_down: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            concurrency: NonZeroUsize::new(2).unwrap_or(NonZeroUsize::MIN),
            breaker_failures: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            breaker_cool_down: Duration::from_secs(30),
        }
    }
}

/// A configuration value that cannot be used, with the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryConfigError {
    /// A value has the wrong form.
    #[error("{key}: {reason}")]
    Invalid {
        /// The configuration key (`court.endpoints.TAND79-KV1.url`, …).
        key: String,
        /// Why.
        reason: String,
    },
    /// A token file could not be read.
    #[error("{key}: cannot read the token file: {source}")]
    TokenFile {
        /// The configuration key.
        key: String,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}

/// One court's endpoint, checked and with its token read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// The court code, upper-case.
    pub court: String,
    /// The URL.
    pub url: String,
    /// The bearer token, if any.
    pub token: Option<String>,
}

impl DeliveryConfig {
    /// Checks the values serde cannot.
    pub fn validate(&self) -> Result<(), DeliveryConfigError> {
        if self.timeout < Duration::from_millis(100) {
            return Err(invalid("court.delivery.timeout", "must be at least 100 ms"));
        }
        if self.breaker_cool_down < Duration::from_millis(100) {
            return Err(invalid(
                "court.delivery.breaker_cool_down",
                "must be at least 100 ms",
            ));
        }
        Ok(())
    }
}

/// Checks every endpoint without reading token files (for `config check`). Court codes are
/// matched without regard to case: environment variables arrive lower-cased.
pub fn validate_endpoints(
    endpoints: &BTreeMap<String, CourtEndpoint>,
) -> Result<(), DeliveryConfigError> {
    let mut seen = BTreeMap::new();
    for (code, endpoint) in endpoints {
        let key = format!("court.endpoints.{code}");
        let upper = code.to_ascii_uppercase();
        if !thads_core::partners::is_valid_code(&upper) {
            return Err(invalid(
                &key,
                "the court code must be 2 to 32 of A-Z, 0-9 and single inner hyphens",
            ));
        }
        if let Some(other) = seen.insert(upper, code) {
            return Err(invalid(&key, &format!("the same court as {other}")));
        }
        let url = reqwest::Url::parse(&endpoint.url)
            .map_err(|e| invalid(&format!("{key}.url"), &format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid(
                &format!("{key}.url"),
                "must be an http:// or https:// URL with a host",
            ));
        }
        if endpoint.token.is_some() && endpoint.token_file.is_some() {
            return Err(invalid(&key, "give token or token_file, not both"));
        }
        if endpoint
            .token
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(invalid(&format!("{key}.token"), "is empty"));
        }
    }
    Ok(())
}

/// The endpoints keyed by upper-case court code, checked, with their token files read.
pub fn resolve_endpoints(
    endpoints: &BTreeMap<String, CourtEndpoint>,
) -> Result<BTreeMap<String, ResolvedEndpoint>, DeliveryConfigError> {
    validate_endpoints(endpoints)?;
    let mut out = BTreeMap::new();
    for (code, endpoint) in endpoints {
        let court = code.to_ascii_uppercase();
        let token = match (&endpoint.token, &endpoint.token_file) {
            (Some(t), _) => Some(t.trim().to_string()),
            (None, Some(path)) => Some(
                std::fs::read_to_string(path)
                    .map_err(|source| DeliveryConfigError::TokenFile {
                        key: format!("court.endpoints.{code}.token_file"),
                        source,
                    })?
                    .trim()
                    .to_string(),
            ),
            (None, None) => None,
        }
        .filter(|t| !t.is_empty());
        out.insert(
            court.clone(),
            ResolvedEndpoint {
                court,
                url: endpoint.url.clone(),
                token,
            },
        );
    }
    Ok(out)
}

fn invalid(key: &str, reason: &str) -> DeliveryConfigError {
    DeliveryConfigError::Invalid {
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

fn mask<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}

fn mask_path<S: Serializer>(value: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn endpoint(url: &str) -> CourtEndpoint {
        CourtEndpoint {
            url: url.into(),
            ..CourtEndpoint::default()
        }
    }

    #[test]
    fn codes_are_upper_cased_and_tokens_read_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "court-secret-token\n").unwrap();
        let mut map = BTreeMap::new();
        map.insert(
            "tand79-kv1".to_string(),
            CourtEndpoint {
                token_file: Some(path),
                ..endpoint("https://toaan.example/thads/evidences")
            },
        );
        map.insert("TAND01".to_string(), endpoint("http://127.0.0.1:1/e"));
        let resolved = resolve_endpoints(&map).unwrap();
        assert_eq!(
            resolved["TAND79-KV1"].token.as_deref(),
            Some("court-secret-token")
        );
        assert_eq!(resolved["TAND01"].token, None);
        assert!(DeliveryConfig::default().validate().is_ok());
    }

    #[test]
    fn bad_values_name_their_key_and_tokens_are_masked() {
        for (code, e, key) in [
            ("tand 1", endpoint("http://x/e"), "court.endpoints.tand 1"),
            (
                "TAND01",
                endpoint("ftp://x/e"),
                "court.endpoints.TAND01.url",
            ),
            (
                "TAND01",
                endpoint("not a url"),
                "court.endpoints.TAND01.url",
            ),
        ] {
            let map = BTreeMap::from([(code.to_string(), e)]);
            match validate_endpoints(&map).unwrap_err() {
                DeliveryConfigError::Invalid { key: k, .. } => assert_eq!(k, key),
                other => panic!("{other}"),
            }
        }
        let twice = BTreeMap::from([
            ("TAND01".to_string(), endpoint("http://x/e")),
            ("tand01".to_string(), endpoint("http://y/e")),
        ]);
        assert!(validate_endpoints(&twice).is_err());
        let shown = toml::to_string(&CourtEndpoint {
            token: Some("very-secret".into()),
            ..endpoint("http://x/e")
        })
        .unwrap();
        assert!(!shown.contains("very-secret"), "{shown}");
        let slow = DeliveryConfig {
            timeout: Duration::from_millis(5),
            ..DeliveryConfig::default()
        };
        assert!(slow.validate().unwrap_err().to_string().contains("timeout"));
    }
}
