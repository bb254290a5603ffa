//! The rustls settings of the partner TLS listener, read from `[partner_tls]`: the hub's server
//! certificate and key, and client certificates required and verified against the partners'
//! CA (`WebPkiClientVerifier`). Errors name the configuration key of the file at fault, so
//! `thads-hub config check` can say which file is wrong.

use std::path::Path;
use std::sync::Arc;

use thads_core::partners::certificates::{self, CertificateInfo};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::config::PartnerTlsConfig;

/// A `[partner_tls]` file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration key `{key}`: {reason}")]
pub struct TlsSetupError {
    /// The key naming the file (or `partner_tls` for the combination).
    pub key: &'static str,
    /// Why.
    pub reason: String,
}

fn err(key: &'static str, reason: impl Into<String>) -> TlsSetupError {
    TlsSetupError {
        key,
        reason: reason.into(),
    }
}

/// What the listener serves with.
pub struct TlsSetup {
    /// The rustls server settings.
    pub server: Arc<rustls::ServerConfig>,
    /// What the hub's own server certificate says (for the expiry alerts).
    pub own_certificate: CertificateInfo,
}

fn read(key: &'static str, path: Option<&Path>) -> Result<Vec<u8>, TlsSetupError> {
    let path = path.ok_or_else(|| err(key, "is not set"))?;
    std::fs::read(path).map_err(|e| err(key, format!("cannot read {}: {e}", path.display())))
}

fn certificates(
    key: &'static str,
    bytes: &[u8],
) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(key, format!("not a readable PEM file: {e}")))?;
    if certs.is_empty() {
        return Err(err(key, "holds no PEM certificate"));
    }
    Ok(certs)
}

/// Reads the files and builds the server settings.
pub fn load(config: &PartnerTlsConfig) -> Result<TlsSetup, TlsSetupError> {
    let cert_bytes = read("partner_tls.cert_file", config.cert_file.as_deref())?;
    let chain = certificates("partner_tls.cert_file", &cert_bytes)?;
    let own_certificate = chain
        .first()
        .map(|c| certificates::inspect(c.as_ref()))
        .transpose()
        .map_err(|e| err("partner_tls.cert_file", e.to_string()))?
        .ok_or_else(|| err("partner_tls.cert_file", "holds no PEM certificate"))?;
    let key_bytes = read("partner_tls.key_file", config.key_file.as_deref())?;
    let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| {
        err(
            "partner_tls.key_file",
            format!("holds no usable PEM private key: {e}"),
        )
    })?;
    let ca_bytes = read(
        "partner_tls.client_ca_file",
        config.client_ca_file.as_deref(),
    )?;
    let mut roots = rustls::RootCertStore::empty();
    for ca in certificates("partner_tls.client_ca_file", &ca_bytes)? {
        roots.add(ca).map_err(|e| {
            err(
                "partner_tls.client_ca_file",
                format!("not a usable CA: {e}"),
            )
        })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| err("partner_tls.client_ca_file", e.to_string()))?;
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err("partner_tls", e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| {
            err(
                "partner_tls.key_file",
                format!("does not go with partner_tls.cert_file: {e}"),
            )
        })?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsSetup {
        server: Arc::new(server),
        own_certificate,
    })
}
