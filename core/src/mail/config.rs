//! The `[mail]` configuration section: the relay's URL and TLS mode, the sender, the sign-in,
//! checked at start with the key at fault, and shown with its secrets masked.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize, Serializer};

use super::MailError;

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
pub(super) fn mask_url_password(url: &str) -> String {
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
pub(super) enum TlsMode {
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
pub(super) struct RelayUrl {
    /// The relay's host name.
    pub(super) host: String,
    /// Its port.
    pub(super) port: u16,
    /// How TLS is used.
    pub(super) tls: TlsMode,
}

pub(super) fn parse_relay_url(raw: &str) -> Result<RelayUrl, MailError> {
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

pub(super) fn parse_mailbox(field: &'static str, value: &str) -> Result<Mailbox, MailError> {
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
