//! The HTTP call that hands an account order to its bank: `POST` of the order's canonical JSON
//! to the bank's endpoint with `Idempotency-Key: <order id>`, and the classification of the
//! answer into delivered, worth another try, or never.

use std::collections::BTreeMap;

use std::time::Duration;
use thads_core::partners::endpoints::Overlay;

use super::config::BankConfig;

use thads_core::partner_http::{body_excerpt, describe_failure};
pub use thads_core::partner_http::{classify, RetryClass};

/// Why a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer (connection refused, timeout, reset): retriable.
    #[error("no answer from the bank: {0}")]
    Transport(String),
    /// An answer that may succeed later.
    #[error("the bank answered {status}: {body}")]
    Retriable {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// An answer that never will.
    #[error("the bank refused the order with {status}: {body}")]
    Permanent {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

impl ClientError {
    /// Whether another attempt may succeed.
    pub fn retry_class(&self) -> RetryClass {
        match self {
            Self::Transport(_) | Self::Retriable { .. } => RetryClass::Retriable,
            Self::Permanent { .. } | Self::Build(_) => RetryClass::Permanent,
        }
    }
}

/// One HTTP client for every bank with an orders endpoint. The endpoint and time limit an
/// administrator set in the console ([`Overlay`], partner `bank:<code>`) take the place of the
/// configured ones.
#[derive(Debug, Clone)]
pub struct BankClient {
    http: reqwest::Client,
    endpoints: BTreeMap<String, String>,
    token: Option<String>,
    bank_tokens: BTreeMap<String, String>,
    overlay: Overlay,
}

/// Where and how long to call one bank: its URL and the console's time limit, if any.
#[derive(Debug, Clone)]
pub struct BankEndpoint {
    /// The URL orders are posted to.
    pub url: String,
    /// The console's time limit, else the configured one applies.
    pub timeout: Option<Duration>,
    /// The bank's own token, else the shared one is sent.
    pub token: Option<String>,
}

impl BankClient {
    /// A client for the banks of `config`, presenting `token`.
    pub fn new(config: &BankConfig, token: Option<String>) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(Self {
            http,
            endpoints: config.endpoints(),
            token,
            bank_tokens: BTreeMap::new(),
            overlay: Overlay::default(),
        })
    }

    /// The client sending each bank in `tokens` (by upper-case code) its own token.
    pub fn with_bank_tokens(mut self, tokens: BTreeMap<String, String>) -> Self {
        self.bank_tokens = tokens;
        self
    }

    /// The client reading the console's endpoint settings from `overlay`.
    pub fn with_overlay(mut self, overlay: Overlay) -> Self {
        self.overlay = overlay;
        self
    }

    /// The HTTP client, for the console's connectivity test.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The endpoint of `bank`, if it takes orders over HTTP (else it gets batch files): the
    /// console's settings when an administrator changed them, else the configured URL.
    pub fn endpoint_for(&self, bank: &str) -> Option<BankEndpoint> {
        let code = bank.to_ascii_uppercase();
        let configured = self.endpoints.get(&code)?;
        let token = self.bank_tokens.get(&code).cloned();
        Some(match self.overlay.get(&super::partner(&code)) {
            Some(o) => BankEndpoint {
                timeout: Some(o.timeout()),
                url: o.url,
                token,
            },
            None => BankEndpoint {
                url: configured.clone(),
                timeout: None,
                token,
            },
        })
    }

    /// Sends one order's bytes to `endpoint`.
    pub async fn send(
        &self,
        endpoint: &BankEndpoint,
        order_id: &str,
        payload: &[u8],
    ) -> Result<(), ClientError> {
        let mut request = self
            .http
            .post(&endpoint.url)
            .header("Idempotency-Key", order_id)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(payload.to_vec());
        if let Some(timeout) = endpoint.timeout {
            request = request.timeout(timeout);
        }
        if let Some(token) = endpoint.token.as_ref().or(self.token.as_ref()) {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(describe_failure(e)))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        match classify(status) {
            RetryClass::Delivered => Ok(()),
            RetryClass::Retriable => Err(ClientError::Retriable {
                status: status.as_u16(),
                body: body_excerpt(&body),
            }),
            RetryClass::Permanent => Err(ClientError::Permanent {
                status: status.as_u16(),
                body: body_excerpt(&body),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify(StatusCode::ACCEPTED), RetryClass::Delivered);
        assert_eq!(classify(StatusCode::CONFLICT), RetryClass::Delivered);
        assert_eq!(
            classify(StatusCode::INTERNAL_SERVER_ERROR),
            RetryClass::Retriable
        );
        assert_eq!(classify(StatusCode::BAD_REQUEST), RetryClass::Permanent);
    }
}
