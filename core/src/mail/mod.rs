//! Outbound e-mail over SMTP: the daily deadline digest uses it now, and notices fall back to
//! it when a citizen has no VNeID account (later). A [`Mailer`] is built once from the
//! `[mail]` configuration and sends one UTF-8 message per call (Vietnamese subjects and bodies
//! are MIME-encoded by `lettre`); its [`MailError`]s say whether a retry can help.
//!
//! TLS is rustls: `smtp://host:587?tls=required` (STARTTLS), `?tls=opportunistic`, or
//! `smtps://host:465` (TLS from the first byte). `ca_file` adds a private root certificate to
//! the public ones, for a relay inside the ministry's network (and for tests).

use std::fmt;
use std::path::Path;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

mod config;

pub use config::MailConfig;
use config::{parse_mailbox, parse_relay_url, TlsMode};

/// Why a message was not sent. [`MailError::is_permanent`] tells a caller whether to retry.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The `[mail]` section cannot be used (bad URL, unreadable password or CA file, …).
    #[error("mail configuration `{key}`: {reason}")]
    Config {
        /// The key at fault.
        key: &'static str,
        /// Why.
        reason: String,
    },
    /// An address does not parse; the value is not repeated (it is personal data).
    #[error("invalid e-mail address in `{field}`: {reason}")]
    Address {
        /// Which address: `to`, or `mail.from`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The message could not be assembled.
    #[error("cannot build the message: {0}")]
    Message(String),
    /// The relay refused for good (5xx): resending the same message will fail again.
    #[error("SMTP server {server} rejected the message (permanent, {code}): {reply}")]
    Rejected {
        /// `host:port` of the relay.
        server: String,
        /// The SMTP reply code.
        code: u16,
        /// The reply text.
        reply: String,
    },
    /// The relay asked to try later (4xx): greylisting, full queue, …
    #[error("SMTP server {server} deferred the message (transient, {code}): {reply}")]
    Deferred {
        /// `host:port` of the relay.
        server: String,
        /// The SMTP reply code.
        code: u16,
        /// The reply text.
        reply: String,
    },
    /// The TLS handshake failed, typically a certificate the hub does not trust.
    #[error("TLS with SMTP server {server} failed: {reason} (a relay with a private CA needs mail.ca_file)")]
    Tls {
        /// `host:port` of the relay.
        server: String,
        /// The TLS library's words.
        reason: String,
    },
    /// The relay could not be reached or the connection broke.
    #[error("cannot talk to SMTP server {server}: {reason}")]
    Connection {
        /// `host:port` of the relay.
        server: String,
        /// Why.
        reason: String,
    },
    /// The send did not finish within `mail.timeout` (the message may or may not have been
    /// taken: SMTP cannot tell, so a retry can deliver it twice).
    #[error("SMTP exchange with {server} did not finish within {timeout:?}")]
    Timeout {
        /// `host:port` of the relay.
        server: String,
        /// The configured limit.
        timeout: Duration,
    },
    /// The exchange went wrong in another way (unexpected reply, no common AUTH mechanism,
    /// STARTTLS required but not offered).
    #[error("SMTP exchange with {server} failed: {reason}")]
    Protocol {
        /// `host:port` of the relay.
        server: String,
        /// Why.
        reason: String,
    },
}

impl MailError {
    /// True when retrying the same message cannot help: a 5xx reply, a bad address, a message
    /// that cannot be built, or a configuration error. Connection failures, time-outs, TLS
    /// failures (often a configuration fixed later, better retried than dropped), protocol
    /// surprises and 4xx replies are transient.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            MailError::Config { .. }
                | MailError::Address { .. }
                | MailError::Message(_)
                | MailError::Rejected { .. }
        )
    }

    /// The SMTP reply code, when the relay answered with one.
    pub fn smtp_code(&self) -> Option<u16> {
        match self {
            MailError::Rejected { code, .. } | MailError::Deferred { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Sends e-mail through the configured relay. Cheap to clone; each send opens its own
/// connection (the hub sends a few digests a day, not a stream), so a broken connection never
/// poisons the next send.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the mailer from `[mail]`: `None` when `smtp_url` is unset. Reads the password
    /// and CA files now, so a missing secret is reported at start rather than at the first
    /// digest. Opens no connection.
    pub fn from_config(config: &MailConfig) -> Result<Option<Mailer>, MailError> {
        config.validate()?;
        let Some(raw_url) = &config.smtp_url else {
            return Ok(None);
        };
        let raw_url = raw_url.trim();
        let relay = parse_relay_url(raw_url)?;
        let from = parse_mailbox("mail.from", &config.from)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(raw_url).map_err(|e| {
            MailError::Config {
                key: "mail.smtp_url",
                reason: e.to_string(),
            }
        })?;
        if let Some(ca_file) = &config.ca_file {
            let params = tls_parameters(&relay.host, ca_file)?;
            builder = builder.tls(match relay.tls {
                TlsMode::Required => Tls::Required(params),
                TlsMode::Opportunistic => Tls::Opportunistic(params),
                TlsMode::Wrapper => Tls::Wrapper(params),
                // validate() refused ca_file without TLS.
                TlsMode::None => Tls::None,
            });
        }
        if let (Some(user), Some(path)) = (&config.username, &config.password_file) {
            let password = read_secret(path)?;
            builder = builder.credentials(Credentials::new(user.trim().to_string(), password));
        }
        let transport = builder.timeout(Some(config.timeout)).build();
        Ok(Some(Mailer {
            transport,
            from,
            server: format!("{}:{}", relay.host, relay.port),
            timeout: config.timeout,
        }))
    }

    /// `host:port` of the relay, for logs and errors.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Sends one message to `to` (`Name <address>` or a bare address) and returns the
    /// `Message-ID` it carries (with its angle brackets), for the caller's records. With
    /// `html_body` the message is `multipart/alternative` (text first, HTML second); without it,
    /// plain text. Subject and bodies may hold any Unicode; line breaks in the subject are
    /// folded into spaces so no header can be injected.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text_body: &str,
        html_body: Option<&str>,
    ) -> Result<String, MailError> {
        let to = parse_mailbox("to", to)?;
        let subject: String = subject
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        let message_id = format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            self.from.email.domain()
        );
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.clone()));
        let message = match html_body {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                text_body.to_string(),
                html.to_string(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(text_body.to_string()),
        }
        .map_err(|e| MailError::Message(e.to_string()))?;
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_response)) => {}
            Ok(Err(e)) => return Err(self.classify(&e)),
            Err(_elapsed) => {
                return Err(MailError::Timeout {
                    server: self.server.clone(),
                    timeout: self.timeout,
                })
            }
        }
        tracing::debug!(server = %self.server, %message_id, "mail sent");
        Ok(message_id)
    }

    /// Sorts lettre's error into what a caller can act on.
    fn classify(&self, e: &lettre::transport::smtp::Error) -> MailError {
        let server = self.server.clone();
        let reason = root_cause(e);
        if let Some(code) = e.status() {
            let code: u16 = code.to_string().parse().unwrap_or(0);
            let reply = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| reason.clone())
                .trim()
                .to_string();
            return if e.is_permanent() {
                MailError::Rejected {
                    server,
                    code,
                    reply,
                }
            } else {
                MailError::Deferred {
                    server,
                    code,
                    reply,
                }
            };
        }
        if e.is_timeout() {
            return MailError::Timeout {
                server,
                timeout: self.timeout,
            };
        }
        if e.is_tls() || has_tls_cause(e) {
            return MailError::Tls { server, reason };
        }
        if e.is_client() || e.is_response() {
            return MailError::Protocol { server, reason };
        }
        MailError::Connection { server, reason }
    }
}

/// The innermost cause's text ("Connection refused", "invalid peer certificate: UnknownIssuer"):
/// lettre's own layers only repeat "Connection error".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest = e;
    while let Some(cause) = deepest.source() {
        deepest = cause;
    }
    deepest.to_string()
}

/// tokio-rustls reports a failed handshake (untrusted certificate, wrong name, no common
/// cipher) as an `InvalidData` I/O error; lettre files it under connection errors.
fn has_tls_cause(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
        }
        source = cause.source();
    }
    false
}

fn tls_parameters(host: &str, ca_file: &Path) -> Result<TlsParameters, MailError> {
    let pem = std::fs::read(ca_file).map_err(|e| MailError::Config {
        key: "mail.ca_file",
        reason: format!("cannot read {}: {e}", ca_file.display()),
    })?;
    let cert = Certificate::from_pem(&pem).map_err(|e| MailError::Config {
        key: "mail.ca_file",
        reason: format!("{} holds no usable PEM certificate: {e}", ca_file.display()),
    })?;
    TlsParameters::builder(host.to_string())
        .add_root_certificate(cert)
        .build()
        .map_err(|e| MailError::Config {
            key: "mail.ca_file",
            reason: e.to_string(),
        })
}

/// Reads a secret file, dropping the trailing line break editors and `echo` add.
fn read_secret(path: &Path) -> Result<String, MailError> {
    let raw = std::fs::read_to_string(path).map_err(|e| MailError::Config {
        key: "mail.password_file",
        reason: format!("cannot read {}: {e}", path.display()),
    })?;
    let secret = raw.trim_end_matches(['\r', '\n']).to_string();
    if secret.is_empty() {
        return Err(MailError::Config {
            key: "mail.password_file",
            reason: format!("{} is empty", path.display()),
        });
    }
    Ok(secret)
}

#[cfg(test)]
mod tests;
