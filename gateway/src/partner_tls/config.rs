//! `[partner_tls]`: the partner TLS listener's address, the hub's server certificate and key
//! for it, the CA that signs partners' client certificates, and whether the plain listener
//! still takes partner requests once it runs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The partner TLS listener. Without `listen` there is none and partners use the plain
/// listener (the embedded and development shape); production sets all four of `listen`,
/// `cert_file`, `key_file` and `client_ca_file` (`docs/partner-tls.md`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PartnerTlsConfig {
    /// Address of the partner TLS listener (e.g. `0.0.0.0:8443`); unset: no TLS listener.
    pub listen: Option<SocketAddr>,
    /// PEM file with the hub's server certificate for this listener, then any intermediate
    /// certificates (leaf first). Watched for expiry by the console's alerts.
    pub cert_file: Option<PathBuf>,
    /// PEM file with the private key of `cert_file` (PKCS#8, PKCS#1 or SEC1); a mounted secret,
    /// read once at start, its path masked when shown.
    #[serde(serialize_with = "crate::config::mask_path")]
    pub key_file: Option<PathBuf>,
    /// PEM file with the CA certificate(s) partners' client certificates must be signed by.
    /// A certificate of another CA, or none, fails the TLS handshake; one of this CA that is
    /// not registered to a partner (`thads-hub partner add … --cert`) gets 403.
    pub client_ca_file: Option<PathBuf>,
    /// Keep serving the partner endpoints on the plain listener while the TLS listener runs
    /// (a migration period, partners moving one by one). Off by default: with a TLS listener,
    /// partner requests on the plain listener get 403 naming the TLS listener.
    pub allow_plain_partners: bool,
    /// How long a client may take to complete the TLS handshake before it is dropped.
    #[serde(with = "humantime_serde")]
    pub handshake_timeout: Duration,
}

impl Default for PartnerTlsConfig {
    fn default() -> Self {
        Self {
            listen: None,
            cert_file: None,
            key_file: None,
            client_ca_file: None,
            allow_plain_partners: false,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

impl PartnerTlsConfig {
    /// Whether the TLS listener runs.
    pub fn enabled(&self) -> bool {
        self.listen.is_some()
    }

    /// Whether the plain listener serves the partner endpoints.
    pub fn partners_on_plain(&self) -> bool {
        !self.enabled() || self.allow_plain_partners
    }

    /// The files come with `listen` and `listen` with the files; the listener has its own
    /// address. The error names the key at fault.
    pub fn validate(&self, plain: SocketAddr) -> Result<(), (&'static str, String)> {
        let files = [
            ("partner_tls.cert_file", &self.cert_file),
            ("partner_tls.key_file", &self.key_file),
            ("partner_tls.client_ca_file", &self.client_ca_file),
        ];
        let Some(listen) = self.listen else {
            if let Some((key, _)) = files.iter().find(|(_, f)| f.is_some()) {
                return Err((
                    "partner_tls.listen",
                    format!("must be set with {key}: without an address there is no TLS listener"),
                ));
            }
            return Ok(());
        };
        for (key, file) in files {
            if file.is_none() {
                return Err((
                    key,
                    "must be set with partner_tls.listen (the listener needs its certificate, \
                     key and the partners' CA)"
                        .into(),
                ));
            }
        }
        if listen == plain {
            return Err((
                "partner_tls.listen",
                format!("{listen} is the plain listener's address (listen); give another port"),
            ));
        }
        if self.handshake_timeout < Duration::from_millis(100) {
            return Err((
                "partner_tls.handshake_timeout",
                "must be at least 100 ms".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn full() -> PartnerTlsConfig {
        PartnerTlsConfig {
            listen: Some("127.0.0.1:8443".parse().unwrap()),
            cert_file: Some("hub.crt".into()),
            key_file: Some("hub.key".into()),
            client_ca_file: Some("partners-ca.crt".into()),
            ..PartnerTlsConfig::default()
        }
    }

    #[test]
    fn listen_and_files_come_together() {
        let plain: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(PartnerTlsConfig::default().validate(plain).is_ok());
        assert!(PartnerTlsConfig::default().partners_on_plain());
        assert!(full().validate(plain).is_ok());
        assert!(!full().partners_on_plain());
        let allowed = PartnerTlsConfig {
            allow_plain_partners: true,
            ..full()
        };
        assert!(allowed.partners_on_plain());
        let e = PartnerTlsConfig {
            key_file: None,
            ..full()
        }
        .validate(plain)
        .unwrap_err();
        assert_eq!(e.0, "partner_tls.key_file");
        let e = PartnerTlsConfig {
            listen: None,
            ..full()
        }
        .validate(plain)
        .unwrap_err();
        assert_eq!(e.0, "partner_tls.listen");
        assert!(e.1.contains("partner_tls.cert_file"), "{}", e.1);
        let e = PartnerTlsConfig {
            listen: Some(plain),
            ..full()
        }
        .validate(plain)
        .unwrap_err();
        assert!(e.1.contains("plain listener"), "{}", e.1);
    }
}
