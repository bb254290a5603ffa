//! The HTTP call to the VNeID notification API, over mutual TLS when a client certificate is
//! configured (`vneid.client_cert_file`, `vneid.client_key_file`, `vneid.ca_file`).

use std::time::Duration;

use thads_schemas::notice::NoticeCommand;

use thads_core::partners::endpoints::Overlay;

use crate::config::TlsMaterial;
use crate::mapping;
use crate::retry::{classify_answer, RetryClass};

/// Why a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer (connection refused, timeout, reset): retriable.
    #[error("no answer from VNeID: {0}")]
    Transport(String),
    /// The TLS handshake failed (the server refused our client certificate, or we do not
    /// trust its certificate): retriable, since fixing the certificates on either side makes
    /// the same notice go through.
    #[error("TLS with VNeID failed: {0}")]
    Tls(String),
    /// An answer that may succeed later.
    #[error("VNeID answered {status}: {body}")]
    Retriable {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// An answer that never will.
    #[error("VNeID refused the notice with {status}: {body}")]
    Permanent {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The citizen has no VNeID account: the notice must be served another way.
    #[error("VNeID answered {status}: the citizen has no VNeID account")]
    NoAccount {
        /// HTTP status.
        status: u16,
    },
    /// The HTTP client could not be built (bad TLS settings).
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

impl ClientError {
    /// Whether another attempt may succeed.
    pub fn retry_class(&self) -> RetryClass {
        match self {
            Self::Transport(_) | Self::Tls(_) | Self::Retriable { .. } => RetryClass::Retriable,
            Self::Permanent { .. } | Self::Build(_) => RetryClass::Permanent,
            Self::NoAccount { .. } => RetryClass::NoAccount,
        }
    }
}

/// A client for one VNeID endpoint. The endpoint and time limit an administrator set in the
/// console ([`Overlay`], partner `vneid`) take the place of the configured ones at each call.
#[derive(Debug, Clone)]
pub struct VneidClient {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
    overlay: Overlay,
}

/// The path of the notification API below the endpoint.
pub const NOTIFICATIONS_PATH: &str = "/notifications";

impl VneidClient {
    /// A client for `endpoint` with a per-call `timeout`.
    pub fn new(
        endpoint: &str,
        token: Option<String>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        Self::with_tls(endpoint, token, timeout, &TlsMaterial::default())
    }

    /// A client for `endpoint` that presents the client certificate of `tls` (if any) and
    /// trusts its extra roots besides the public web roots.
    pub fn with_tls(
        endpoint: &str,
        token: Option<String>,
        timeout: Duration,
        tls: &TlsMaterial,
    ) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")));
        if let Some(roots) = &tls.roots {
            let certs = reqwest::Certificate::from_pem_bundle(roots)
                .map_err(|e| ClientError::Build(format!("vneid.ca_file: {}", error_chain(&e))))?;
            if certs.is_empty() {
                return Err(ClientError::Build(
                    "vneid.ca_file: no certificate in the file".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(pem) = &tls.identity {
            // The error never quotes the PEM, so the key cannot leak through it.
            let identity = reqwest::Identity::from_pem(pem).map_err(|e| {
                ClientError::Build(format!(
                    "vneid.client_cert_file / vneid.client_key_file: {}",
                    error_chain(&e)
                ))
            })?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Build(error_chain(&e)))?;
        Ok(Self {
            http,
            url: format!("{}{NOTIFICATIONS_PATH}", endpoint.trim_end_matches('/')),
            token,
            overlay: Overlay::default(),
        })
    }

    /// The client reading the console's endpoint settings from `overlay`.
    pub fn with_overlay(mut self, overlay: Overlay) -> Self {
        self.overlay = overlay;
        self
    }

    /// The HTTP client (with the configured TLS material), for the console's connectivity
    /// test.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends one notice; `Ok` carries the partner's id for it, when given.
    pub async fn send(&self, cmd: &NoticeCommand) -> Result<Option<String>, ClientError> {
        self.send_text(cmd, &cmd.title, &cmd.body).await
    }

    /// Sends one notice with this title and content (the rendered template) instead of the
    /// command's own; `Ok` carries the partner's id for it, when given.
    pub async fn send_text(
        &self,
        cmd: &NoticeCommand,
        title: &str,
        content: &str,
    ) -> Result<Option<String>, ClientError> {
        let mut body = mapping::to_request(cmd);
        body.title = title;
        body.content = content;
        let overridden = self.overlay.get(crate::notifier::PARTNER);
        let url = match &overridden {
            Some(o) => format!("{}{NOTIFICATIONS_PATH}", o.url.trim_end_matches('/')),
            None => self.url.clone(),
        };
        let mut request = self
            .http
            .post(&url)
            .header("Idempotency-Key", &cmd.notice_id)
            .json(&body);
        if let Some(o) = &overridden {
            request = request.timeout(o.timeout());
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        match classify_answer(status, &body) {
            RetryClass::Delivered => Ok(serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_string))),
            RetryClass::Retriable => Err(ClientError::Retriable {
                status: status.as_u16(),
                body: thads_core::partner_http::body_excerpt(&body),
            }),
            RetryClass::Permanent => Err(ClientError::Permanent {
                status: status.as_u16(),
                body: thads_core::partner_http::body_excerpt(&body),
            }),
            RetryClass::NoAccount => Err(ClientError::NoAccount {
                status: status.as_u16(),
            }),
        }
    }
}

/// A failed request as `Transport` or, when TLS is what failed, `Tls`; the message carries the
/// causes (rustls names the certificate problem or the alert) but not the URL.
fn transport_error(e: reqwest::Error) -> ClientError {
    let kind = thads_core::partner_http::failure_kind(&e);
    let text = format!("{kind}: {}", error_chain(&e.without_url()));
    if is_tls_failure(&text) {
        ClientError::Tls(text)
    } else {
        ClientError::Transport(text)
    }
}

/// Whether the causes of a failed request are a TLS failure: a certificate the client or the
/// server refused, a TLS alert, or a peer that does not speak TLS.
fn is_tls_failure(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    ["certificate", "alert", "tls", "handshake"]
        .iter()
        .any(|w| text.contains(w))
}

/// The error and its causes, `a: b: c`, without repeating a cause its parent already quotes.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tls_failures_are_told_apart_from_other_transport_failures() {
        assert!(is_tls_failure(
            "request failed: error sending request: received fatal alert: CertificateRequired"
        ));
        assert!(is_tls_failure(
            "connection failed: invalid peer certificate: UnknownIssuer"
        ));
        assert!(!is_tls_failure(
            "connection failed: tcp connect error: Connection refused (os error 111)"
        ));
        assert_eq!(
            ClientError::Tls("x".into()).retry_class(),
            RetryClass::Retriable
        );
    }

    #[test]
    fn bad_tls_material_fails_the_build_naming_the_key() {
        let tls = TlsMaterial {
            identity: Some(
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec(),
            ),
            roots: None,
        };
        let e = VneidClient::with_tls("https://x", None, Duration::from_secs(1), &tls)
            .unwrap_err()
            .to_string();
        assert!(e.contains("vneid.client_cert_file"), "{e}");
        let tls = TlsMaterial {
            identity: None,
            roots: Some(b"no certificate here".to_vec()),
        };
        let e = VneidClient::with_tls("https://x", None, Duration::from_secs(1), &tls)
            .unwrap_err()
            .to_string();
        assert!(e.contains("vneid.ca_file"), "{e}");
    }
}
