//! Outbound e-mail over SMTP: the daily deadline digest uses it now, and notices fall back to
//! it when a citizen has no VNeID account (later). A [`Mailer`] is built once from the
//! `[mail]` configuration and sends one UTF-8 message per call (Vietnamese subjects and bodies
//! are MIME-encoded by `lettre`); its [`MailError`]s say whether a retry can help.
//!
//! TLS is rustls: `smtp://host:587?tls=required` (STARTTLS), `?tls=opportunistic`, or
//! `smtps://host:465` (TLS from the first byte). `ca_file` adds a private root certificate to
//! the public ones, for a relay inside the ministry's network (and for tests).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize, Serializer};

/// The `[mail]` configuration section: which SMTP relay to use and how to sign in to it.
/// Without `smtp_url` no mail is sent (the hub runs without e-mail).
#[derive(Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The relay: `smtp://host:25` (plain), `smtp://host:587?tls=required` (STARTTLS, refused
    /// if the server cannot), `smtp://host:587?tls=opportunistic`, or `smtps://host:465`.
    /// Unset: no mail is sent. A password in the URL is masked when shown; prefer
    /// `username` + `password_file`.
    #[serde(serialize_with = "serialize_masked_url")]
    pub smtp_url: Option<String>,
    /// The `From` of every message, `Name <address>` or a bare address.
    pub from: String,
    /// User name for SMTP AUTH (PLAIN or LOGIN); requires `password_file`.
    pub username: Option<String>,
    /// File holding the SMTP password (a mounted secret); read once at start, never shown.
    #[serde(serialize_with = "serialize_masked_path")]
    pub password_file: Option<PathBuf>,
    /// Time limit of one whole send: connect, TLS, AUTH and the transfer. (lettre's own async
    /// limit covers only the TCP connect, so a relay that accepts and then stalls would
    /// otherwise hold a send for ever.)
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Extra root certificate(s), PEM, trusted besides the public roots: for a relay whose
    /// certificate a private CA issued. Only meaningful with TLS (`?tls=` or `smtps://`).
    pub ca_file: Option<PathBuf>,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_FROM.to_string(),
            username: None,
            password_file: None,
            timeout: Duration::from_secs(10),
            ca_file: None,
        }
    }
}

/// The sender used when `mail.from` is not configured.
const DEFAULT_FROM: &str = "THADS <no-reply@thads.local>";

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(mask_url_password))
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password_file", &self.password_file.as_ref().map(|_| MASK))
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

const MASK: &str = "***";

fn serialize_masked_url<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(url) => s.serialize_str(&mask_url_password(url)),
        None => s.serialize_none(),
    }
}

fn serialize_masked_path<S: Serializer>(value: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str(MASK),
        None => s.serialize_none(),
    }
}

/// `smtp://user:secret@host` → `smtp://user:***@host`; anything else unchanged.
fn mask_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:{MASK}@{host}"),
        None => url.to_string(),
    }
}

/// How the connection to the relay is secured, from the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// Plain SMTP.
    None,
    /// STARTTLS if offered.
    Opportunistic,
    /// STARTTLS or fail.
    Required,
    /// TLS from the first byte (`smtps://`).
    Wrapper,
}

/// What the hub needs to know of `smtp_url` beyond what lettre reads from it.
#[derive(Debug)]
struct RelayUrl {
    host: String,
    port: u16,
    tls: TlsMode,
}

fn parse_relay_url(raw: &str) -> Result<RelayUrl, MailError> {
    let invalid = |reason: String| MailError::Config {
        key: "mail.smtp_url",
        reason,
    };
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid(format!("not a URL: {e}")))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid("has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let tls_param = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let (tls, default_port) = match (url.scheme(), tls_param.as_deref()) {
        ("smtp", None) => (TlsMode::None, 25),
        ("smtp", Some("required")) => (TlsMode::Required, 587),
        ("smtp", Some("opportunistic")) => (TlsMode::Opportunistic, 587),
        ("smtps", None) => (TlsMode::Wrapper, 465),
        ("smtp", Some(other)) => {
            return Err(invalid(format!(
                "unknown tls={other}; use tls=required or tls=opportunistic"
            )))
        }
        ("smtps", Some(_)) => {
            return Err(invalid(
                "smtps:// is TLS already; drop the tls= parameter".into(),
            ))
        }
        (scheme, _) => {
            return Err(invalid(format!(
                "unknown scheme {scheme}://; use smtp:// or smtps://"
            )))
        }
    };
    Ok(RelayUrl {
        host,
        port: url.port().unwrap_or(default_port),
        tls,
    })
}

fn parse_mailbox(field: &'static str, value: &str) -> Result<Mailbox, MailError> {
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::Address {
            field,
            reason: e.to_string(),
        })
}

impl MailConfig {
    /// Checks the section without touching the network or reading secrets, so a bad value is
    /// reported at start (and by `config check`) with its key.
    pub fn validate(&self) -> Result<(), MailError> {
        parse_mailbox("mail.from", &self.from)?;
        if self.timeout.is_zero() {
            return Err(MailError::Config {
                key: "mail.timeout",
                reason: "must be more than 0 s".into(),
            });
        }
        if matches!(&self.username, Some(u) if u.trim().is_empty()) {
            return Err(MailError::Config {
                key: "mail.username",
                reason: "is empty; remove it to send without SMTP AUTH".into(),
            });
        }
        match (&self.username, &self.password_file) {
            (Some(_), None) => {
                return Err(MailError::Config {
                    key: "mail.password_file",
                    reason: "is required with mail.username".into(),
                })
            }
            (None, Some(_)) => {
                return Err(MailError::Config {
                    key: "mail.username",
                    reason: "is required with mail.password_file".into(),
                })
            }
            _ => {}
        }
        let Some(raw) = &self.smtp_url else {
            return Ok(());
        };
        let relay = parse_relay_url(raw)?;
        if self.ca_file.is_some() && relay.tls == TlsMode::None {
            return Err(MailError::Config {
                key: "mail.ca_file",
                reason: "is set but mail.smtp_url uses no TLS; add ?tls=required or use smtps://"
                    .into(),
            });
        }
        Ok(())
    }
}

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
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> MailConfig {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn defaults_send_nothing() {
        let c = MailConfig::default();
        assert!(c.smtp_url.is_none());
        assert_eq!(c.from, "THADS <no-reply@thads.local>");
        assert_eq!(c.timeout, Duration::from_secs(10));
        c.validate().unwrap();
        assert!(Mailer::from_config(&c).unwrap().is_none());
    }

    #[test]
    fn parses_every_key_and_refuses_unknown_ones() {
        let c = parse(
            "smtp_url = \"smtp://relay.thads.local:587?tls=required\"\n\
             from = \"Cục THADS <thongbao@thads.gov.vn>\"\n\
             username = \"digest\"\n\
             password_file = \"/run/secrets/smtp\"\n\
             timeout = \"3s\"\n\
             ca_file = \"/etc/thads/ca.pem\"\n",
        );
        assert_eq!(c.timeout, Duration::from_secs(3));
        assert_eq!(c.username.as_deref(), Some("digest"));
        assert_eq!(c.ca_file.as_deref(), Some(Path::new("/etc/thads/ca.pem")));
        c.validate().unwrap();
        let e = toml::from_str::<MailConfig>("smtp_uri = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("smtp_uri"), "{e}");
    }

    #[test]
    fn secrets_are_masked_in_debug_and_when_shown() {
        let c = MailConfig {
            smtp_url: Some("smtp://digest:s3cret@relay:587?tls=required".into()),
            username: Some("digest".into()),
            password_file: Some("/run/secrets/smtp-password".into()),
            ..MailConfig::default()
        };
        let debug = format!("{c:?}");
        let shown = toml::to_string(&c).unwrap();
        for text in [&debug, &shown] {
            assert!(!text.contains("s3cret"), "{text}");
            assert!(!text.contains("smtp-password"), "{text}");
            assert!(text.contains("***"), "{text}");
            assert!(text.contains("digest"), "{text}");
        }
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            (
                MailConfig {
                    from: "not an address".into(),
                    ..MailConfig::default()
                },
                "mail.from",
            ),
            (
                MailConfig {
                    smtp_url: Some("http://relay".into()),
                    ..MailConfig::default()
                },
                "mail.smtp_url",
            ),
            (
                MailConfig {
                    smtp_url: Some("smtp://relay?tls=sometimes".into()),
                    ..MailConfig::default()
                },
                "mail.smtp_url",
            ),
            (
                MailConfig {
                    username: Some("digest".into()),
                    ..MailConfig::default()
                },
                "mail.password_file",
            ),
            (
                MailConfig {
                    smtp_url: Some("smtp://relay:25".into()),
                    ca_file: Some("/etc/ca.pem".into()),
                    ..MailConfig::default()
                },
                "mail.ca_file",
            ),
            (
                MailConfig {
                    timeout: Duration::ZERO,
                    ..MailConfig::default()
                },
                "mail.timeout",
            ),
        ];
        for (config, key) in cases {
            let e = config.validate().unwrap_err();
            assert!(e.to_string().contains(key), "{key}: {e}");
            assert!(e.is_permanent());
        }
    }

    #[test]
    fn relay_urls_give_host_port_and_tls() {
        let r = parse_relay_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.tls),
            ("127.0.0.1", 2525, TlsMode::None)
        );
        let r = parse_relay_url("smtp://relay?tls=required").unwrap();
        assert_eq!((r.port, r.tls), (587, TlsMode::Required));
        let r = parse_relay_url("smtps://u:p@relay").unwrap();
        assert_eq!((r.port, r.tls), (465, TlsMode::Wrapper));
        assert_eq!(
            mask_url_password("smtps://u:p@relay"),
            "smtps://u:***@relay"
        );
    }

    #[test]
    fn missing_secret_files_are_reported_at_build() {
        let dir = tempfile::tempdir().unwrap();
        let c = MailConfig {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            username: Some("digest".into()),
            password_file: Some(dir.path().join("missing")),
            ..MailConfig::default()
        };
        let e = Mailer::from_config(&c).unwrap_err();
        assert!(e.to_string().contains("mail.password_file"), "{e}");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let c = MailConfig {
            password_file: Some(empty),
            ..c
        };
        let e = Mailer::from_config(&c).unwrap_err();
        assert!(e.to_string().contains("is empty"), "{e}");
    }

    #[test]
    fn secrets_lose_only_their_trailing_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, " mật khẩu \r\n").unwrap();
        assert_eq!(read_secret(&path).unwrap(), " mật khẩu ");
    }
}
