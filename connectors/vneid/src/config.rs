//! Configuration of the VNeID connector: the notification endpoint and its partner token, the
//! token VNeID presents when it posts delivery receipts back, and the resilience settings the
//! partner agreement sets (rate limit, circuit breaker), and the TLS material for mutual TLS
//! with VNeID (a client certificate and extra trusted roots, read from PEM files).

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::{Path, PathBuf};
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
    /// PEM file with the hub's client certificate (and any intermediates) presented to VNeID
    /// for mutual TLS. Needs `client_key_file` and an `https://` endpoint.
    pub client_cert_file: Option<PathBuf>,
    /// PEM file with the private key of `client_cert_file` (PKCS#8, PKCS#1 or SEC1; a mounted
    /// secret). Only its path is kept in the configuration: the key is read when the client
    /// is built and never shown or logged.
    pub client_key_file: Option<PathBuf>,
    /// PEM bundle of extra root certificates trusted for the VNeID server, for a partner whose
    /// certificate comes from a private CA. The public web roots stay trusted.
    pub ca_file: Option<PathBuf>,
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
            client_cert_file: None,
            client_key_file: None,
            ca_file: None,
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
        self.validate_tls()
    }

    /// The client certificate and key come together, and TLS settings need an `https://`
    /// endpoint (over plain HTTP they would silently do nothing).
    fn validate_tls(&self) -> Result<(), (&'static str, String)> {
        match (&self.client_cert_file, &self.client_key_file) {
            (Some(_), None) => return Err((
                "vneid.client_key_file",
                "must be set with vneid.client_cert_file (the client certificate's private key)"
                    .into(),
            )),
            (None, Some(_)) => {
                return Err((
                    "vneid.client_cert_file",
                    "must be set with vneid.client_key_file (the certificate of that key)".into(),
                ))
            }
            _ => {}
        }
        let plain = self
            .endpoint
            .as_deref()
            .is_some_and(|e| !e.starts_with("https://"));
        for (key, file) in [
            ("vneid.client_cert_file", &self.client_cert_file),
            ("vneid.ca_file", &self.ca_file),
        ] {
            if file.is_some() && plain {
                return Err((
                    key,
                    "needs an https:// vneid.endpoint; TLS settings do nothing over http://".into(),
                ));
            }
        }
        Ok(())
    }

    /// Reads the PEM files of the TLS settings; the error names the key of the file at fault.
    pub fn read_tls(&self) -> Result<TlsMaterial, TlsFileError> {
        let identity = match (&self.client_cert_file, &self.client_key_file) {
            (Some(cert), Some(key)) => {
                let cert = read_pem(
                    "vneid.client_cert_file",
                    cert,
                    "-----BEGIN CERTIFICATE-----",
                )?;
                let key = read_pem("vneid.client_key_file", key, "PRIVATE KEY-----")?;
                // reqwest (rustls) reads the key and the chain from one PEM buffer.
                let mut pem = key;
                pem.push(b'\n');
                pem.extend_from_slice(&cert);
                Some(pem)
            }
            _ => None,
        };
        let roots = match &self.ca_file {
            Some(path) => Some(read_pem(
                "vneid.ca_file",
                path,
                "-----BEGIN CERTIFICATE-----",
            )?),
            None => None,
        };
        Ok(TlsMaterial { identity, roots })
    }
}

/// The TLS material of the VNeID client, read from the configured files. Its `Debug` shows
/// only what is present, never the key.
#[derive(Default, Clone)]
pub struct TlsMaterial {
    /// The private key then the certificate chain, PEM (`client_key_file` + `client_cert_file`).
    pub(crate) identity: Option<Vec<u8>>,
    /// Extra trusted roots, PEM (`ca_file`).
    pub(crate) roots: Option<Vec<u8>>,
}

impl TlsMaterial {
    /// Whether a client certificate is presented.
    pub fn has_identity(&self) -> bool {
        self.identity.is_some()
    }
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("identity", &self.identity.as_ref().map(|_| "***"))
            .field("roots", &self.roots.as_ref().map(Vec::len))
            .finish()
    }
}

/// A TLS file of the VNeID settings that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsFileError {
    /// The file cannot be read.
    #[error("configuration key `{key}`: cannot read {path}: {source}")]
    Read {
        /// The key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not hold what the key needs.
    #[error("configuration key `{key}`: {path} holds no PEM {what}")]
    NotPem {
        /// The key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// What was expected.
        what: &'static str,
    },
}

impl TlsFileError {
    /// The configuration key of the file at fault.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Read { key, .. } | Self::NotPem { key, .. } => key,
        }
    }
}

fn read_pem(key: &'static str, path: &Path, marker: &str) -> Result<Vec<u8>, TlsFileError> {
    let bytes = std::fs::read(path).map_err(|source| TlsFileError::Read {
        key,
        path: path.to_path_buf(),
        source,
    })?;
    if !String::from_utf8_lossy(&bytes).contains(marker) {
        return Err(TlsFileError::NotPem {
            key,
            path: path.to_path_buf(),
            what: if marker.contains("PRIVATE KEY") {
                "private key"
            } else {
                "certificate"
            },
        });
    }
    Ok(bytes)
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

    fn tls(cert: Option<&str>, key: Option<&str>, ca: Option<&str>) -> VneidConfig {
        VneidConfig {
            endpoint: Some("https://vneid.example.vn/api".into()),
            client_cert_file: cert.map(PathBuf::from),
            client_key_file: key.map(PathBuf::from),
            ca_file: ca.map(PathBuf::from),
            ..VneidConfig::default()
        }
    }

    #[test]
    fn client_certificate_and_key_come_together() {
        tls(Some("/c.pem"), Some("/k.pem"), Some("/ca.pem"))
            .validate()
            .unwrap();
        tls(None, None, Some("/ca.pem")).validate().unwrap();
        let e = tls(Some("/c.pem"), None, None).validate().unwrap_err();
        assert_eq!(e.0, "vneid.client_key_file", "{e:?}");
        let e = tls(None, Some("/k.pem"), None).validate().unwrap_err();
        assert_eq!(e.0, "vneid.client_cert_file", "{e:?}");
    }

    #[test]
    fn tls_files_need_an_https_endpoint() {
        let mut c = tls(Some("/c.pem"), Some("/k.pem"), None);
        c.endpoint = Some("http://127.0.0.1:9101".into());
        assert_eq!(c.validate().unwrap_err().0, "vneid.client_cert_file");
        let mut c = tls(None, None, Some("/ca.pem"));
        c.endpoint = Some("http://127.0.0.1:9101".into());
        assert_eq!(c.validate().unwrap_err().0, "vneid.ca_file");
    }

    #[test]
    fn tls_files_are_read_checked_and_never_shown() {
        let dir = std::env::temp_dir().join(format!("vneid-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("client.pem");
        let key = dir.join("client.key");
        let ca = dir.join("ca.pem");
        std::fs::write(
            &cert,
            "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        std::fs::write(
            &key,
            "-----BEGIN PRIVATE KEY-----\nU0VDUkVULUtFWQ==\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let path = |p: &Path| p.to_str().unwrap().to_string();
        let c = tls(Some(&path(&cert)), Some(&path(&key)), Some(&path(&ca)));
        let m = c.read_tls().unwrap();
        assert!(m.has_identity());
        let pem = String::from_utf8(m.identity.clone().unwrap()).unwrap();
        assert!(pem.contains("PRIVATE KEY") && pem.contains("BEGIN CERTIFICATE"));
        assert!(!format!("{m:?}").contains("U0VDUkVU"), "{m:?}");
        let shown = serde_json::to_string(&c).unwrap();
        assert!(!shown.contains("U0VDUkVU"), "{shown}");
        assert!(shown.contains("client.key"), "{shown}");

        // Swapped files, a missing file: the error names the key at fault.
        let swapped = tls(Some(&path(&cert)), Some(&path(&cert)), None);
        assert_eq!(
            swapped.read_tls().unwrap_err().key(),
            "vneid.client_key_file"
        );
        let swapped = tls(Some(&path(&key)), Some(&path(&key)), None);
        assert_eq!(
            swapped.read_tls().unwrap_err().key(),
            "vneid.client_cert_file"
        );
        let missing = tls(None, None, Some(&path(&dir.join("nope.pem"))));
        let e = missing.read_tls().unwrap_err();
        assert_eq!(e.key(), "vneid.ca_file");
        assert!(e.to_string().contains("nope.pem"), "{e}");
        assert!(VneidConfig::default()
            .read_tls()
            .unwrap()
            .identity
            .is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
