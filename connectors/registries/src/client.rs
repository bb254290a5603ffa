//! The HTTP call to one national database: its URL, token, timeout and rate limit, the request
//! in its own schema, and the answer read strictly.

use std::time::Duration;

use thads_core::verification::{Answer, QueryPurpose, Registry, Subject};

use crate::retry::CallError;
use crate::wire::{self, Reading};
use thads_core::partners::endpoints::Overlay;
use thads_core::rate_limit::TokenBucket;

/// One configured database.
#[derive(Debug)]
pub struct Partner {
    registry: Registry,
    http: reqwest::Client,
    url: String,
    host: String,
    token: Option<String>,
    rate: Option<TokenBucket>,
    overlay: Overlay,
    /// How long its answers are reused.
    pub ttl: Duration,
}

impl Partner {
    /// A client for `registry` at `endpoint`.
    pub fn new(
        registry: Registry,
        endpoint: &str,
        token: Option<String>,
        timeout: Duration,
        rate_per_second: f64,
        ttl: Duration,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("thads-hub/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let base = endpoint.trim_end_matches('/');
        let host = url_host(base);
        Ok(Self {
            registry,
            http,
            url: format!("{base}{}", wire::path(registry)),
            host,
            token: token.filter(|t| !t.is_empty()),
            rate: TokenBucket::new(rate_per_second),
            overlay: Overlay::default(),
            ttl,
        })
    }

    /// The journey and console name of a database: `registry:<database>`.
    pub fn partner_name(registry: Registry) -> String {
        format!("registry:{registry}")
    }

    /// The partner reading the console's endpoint settings (partner `registry:<database>`, a
    /// base URL like the configuration's) from `overlay`.
    pub fn set_overlay(&mut self, overlay: Overlay) {
        self.overlay = overlay;
    }

    /// The partner's host, for the answer's source.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// One attempt: waits for the rate limit, posts the request, reads the answer. `Ok` carries
    /// the answer and the partner's transaction id.
    pub async fn call(
        &self,
        subject: &Subject,
        purpose: &QueryPurpose,
        reference: &str,
    ) -> Result<(Answer, String), CallError> {
        if let Some(rate) = &self.rate {
            rate.acquire().await;
        }
        let body = wire::request(self.registry, subject, purpose, reference);
        let overridden = self.overlay.get(&Self::partner_name(self.registry));
        let url = match &overridden {
            Some(o) => format!(
                "{}{}",
                o.url.trim_end_matches('/'),
                wire::path(self.registry)
            ),
            None => self.url.clone(),
        };
        let mut request = self
            .http
            .post(&url)
            .header("X-Request-Id", reference)
            .json(&body);
        if let Some(o) = &overridden {
            request = request.timeout(o.timeout());
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(transport)?;
        match wire::read(self.registry, status, &bytes, subject) {
            Ok(Reading::Answer(answer, tx)) => Ok((answer, tx)),
            Ok(Reading::NotAnAnswer) => Err(CallError::Status {
                status,
                body: wire::scrub(
                    &String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(200)
                        .collect::<String>(),
                ),
            }),
            Err(m) => Err(CallError::Malformed(m.0)),
        }
    }
}

/// The path below a database's base URL where it takes queries.
pub fn query_path(registry: Registry) -> &'static str {
    wire::path(registry)
}

fn url_host(base: &str) -> String {
    let rest = base.split_once("://").map(|(_, r)| r).unwrap_or(base);
    rest.split('/').next().unwrap_or(rest).to_string()
}

fn transport(e: reqwest::Error) -> CallError {
    CallError::Transport(thads_core::partner_http::describe_failure(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_names_the_host() {
        assert_eq!(
            url_host("https://lgsp.moj.gov.vn:8443/dan-cu"),
            "lgsp.moj.gov.vn:8443"
        );
        assert_eq!(url_host("http://127.0.0.1:9"), "127.0.0.1:9");
    }
}
