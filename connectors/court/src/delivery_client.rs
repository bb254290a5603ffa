//! The HTTP call that pushes one sealed evidence or report to a court, and the classification
//! of its answer: delivered (2xx, or 409 "I already have it"), worth another try (no answer,
//! a timeout, 408, 425, 429, 5xx), or never (any other 4xx: a wrong token or URL, which an
//! operator must fix before replaying the dead letter).

use std::time::Duration;

use thads_core::partners::endpoints::Overlay;

use crate::delivery_config::ResolvedEndpoint;
use crate::delivery_mapping::Outbound;

/// The header carrying the evidence or report id, so a court that receives a delivery twice
/// (a lost answer, a replay) keeps one copy.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The header naming what the delivery attests (`accepted`, `case_opened`, …), for routing at
/// the court without parsing the body.
pub const KIND_HEADER: &str = "Thads-Evidence-Kind";
/// The header with the attempt number (1 for the first try), for the court's logs.
pub const ATTEMPT_HEADER: &str = "Thads-Delivery-Attempt";

use thads_core::partner_http::{body_excerpt, describe_failure};
pub use thads_core::partner_http::{classify, RetryClass};

/// Why a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer (connection refused, timeout, reset).
    #[error("no answer from the court: {0}")]
    Transport(String),
    /// An answer that may succeed later.
    #[error("the court answered {status}: {body}")]
    Retriable {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// An answer that never will.
    #[error("the court refused the delivery with {status}: {body}")]
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

    /// Whether it counts against the endpoint's health (opens the circuit breaker).
    pub fn is_endpoint_failure(&self) -> bool {
        self.retry_class() == RetryClass::Retriable
    }
}

/// A client for one court's endpoint. The endpoint and time limit an administrator set in the
/// console ([`Overlay`], partner `court:<code>`) take the place of the configured ones.
#[derive(Debug, Clone)]
pub struct CourtClient {
    http: reqwest::Client,
    endpoint: ResolvedEndpoint,
    overlay: Overlay,
}

impl CourtClient {
    /// A client for `endpoint` with a per-call `timeout`.
    pub fn new(endpoint: ResolvedEndpoint, timeout: Duration) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(Self {
            http,
            endpoint,
            overlay: Overlay::default(),
        })
    }

    /// The client reading the console's endpoint settings from `overlay`.
    pub fn with_overlay(mut self, overlay: Overlay) -> Self {
        self.overlay = overlay;
        self
    }

    /// POSTs the exact signed bytes; `Ok` carries the status the court answered.
    pub async fn send(&self, item: &Outbound, attempt: u64) -> Result<u16, ClientError> {
        let overridden = self.overlay.get(&format!("court:{}", self.endpoint.court));
        let url = overridden
            .as_ref()
            .map_or(self.endpoint.url.as_str(), |o| o.url.as_str());
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_KEY, &item.id)
            .header(KIND_HEADER, &item.kind)
            .header(ATTEMPT_HEADER, attempt.to_string())
            .body(item.body.clone());
        if let Some(o) = &overridden {
            request = request.timeout(o.timeout());
        }
        if let Some(token) = &self.endpoint.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(describe_failure(e)))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        match classify(status) {
            RetryClass::Delivered => Ok(status.as_u16()),
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
        assert_eq!(classify(StatusCode::OK), RetryClass::Delivered);
        assert_eq!(classify(StatusCode::NO_CONTENT), RetryClass::Delivered);
        assert_eq!(classify(StatusCode::CONFLICT), RetryClass::Delivered);
        for s in [408, 425, 429, 500, 502, 503, 504] {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::OK);
            assert_eq!(classify(status), RetryClass::Retriable, "{s}");
        }
        for s in [400, 401, 403, 404, 410, 422] {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::OK);
            assert_eq!(classify(status), RetryClass::Permanent, "{s}");
        }
        assert!(ClientError::Transport("x".into()).is_endpoint_failure());
        assert!(!ClientError::Permanent {
            status: 401,
            body: String::new()
        }
        .is_endpoint_failure());
    }
}
