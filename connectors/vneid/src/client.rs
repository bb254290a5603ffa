//! The HTTP call to the VNeID notification API.

use std::time::Duration;

use thads_schemas::notice::NoticeCommand;

use crate::mapping;
use crate::retry::{classify_answer, RetryClass};

/// Why a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer (connection refused, timeout, reset): retriable.
    #[error("no answer from VNeID: {0}")]
    Transport(String),
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
            Self::Transport(_) | Self::Retriable { .. } => RetryClass::Retriable,
            Self::Permanent { .. } | Self::Build(_) => RetryClass::Permanent,
            Self::NoAccount { .. } => RetryClass::NoAccount,
        }
    }
}

/// A client for one VNeID endpoint.
#[derive(Debug, Clone)]
pub struct VneidClient {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl VneidClient {
    /// A client for `endpoint` with a per-call `timeout`.
    pub fn new(
        endpoint: &str,
        token: Option<String>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(Self {
            http,
            url: format!("{}/notifications", endpoint.trim_end_matches('/')),
            token,
        })
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
        let mut request = self
            .http
            .post(&self.url)
            .header("Idempotency-Key", &cmd.notice_id)
            .json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(without_url(e)))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        match classify_answer(status, &body) {
            RetryClass::Delivered => Ok(serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_string))),
            RetryClass::Retriable => Err(ClientError::Retriable {
                status: status.as_u16(),
                body: truncate(&body),
            }),
            RetryClass::Permanent => Err(ClientError::Permanent {
                status: status.as_u16(),
                body: truncate(&body),
            }),
            RetryClass::NoAccount => Err(ClientError::NoAccount {
                status: status.as_u16(),
            }),
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{kind}: {}", e.without_url())
}
