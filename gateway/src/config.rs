//! The hub's configuration: a TOML file (`--config`), every key overridable by environment
//! variables `THADS_<KEY>` (nested keys joined by `__`, e.g. `THADS_VNEID__ENDPOINT`), plus the
//! conventional `DATABASE_URL` and `NATS_URL`. Without any of it the hub runs embedded on
//! 127.0.0.1:8080 with its data under `./data/`.

use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize, Serializer};
use thads_core::calendar::CalendarConfig;
use thads_core::deadlines::DeadlineRules;
use thads_core::digest::DigestConfig;
use thads_core::mail::MailConfig;
use thads_core::retry::RetryPolicy;
use thads_vneid::VneidConfig;

/// Everything the hub reads at start.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Folder for the embedded database and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default: `sqlite://<data_dir>/thads-hub.db`.
    #[serde(serialize_with = "mask_url")]
    pub database_url: Option<String>,
    /// Answer 503 on `/readyz` and refuse partner traffic (for planned maintenance).
    pub maintenance: bool,
    /// The message bus.
    pub nats: NatsConfig,
    /// Retry and acknowledgement settings shared by every consumer.
    pub bus: BusConfig,
    /// HTTP limits.
    pub http: HttpConfig,
    /// The VNeID connector.
    pub vneid: VneidConfig,
    /// The working-day calendar: the government's announced days off and swaps per year.
    pub calendar: CalendarConfig,
    /// Statutory time limits per legal regime.
    pub deadlines: DeadlineRules,
    /// Staff sign-in: lock-out and session lifetimes.
    pub staff: StaffConfig,
    /// Outbound e-mail (deadline digest, notice fall-back); without `smtp_url` none is sent.
    pub mail: MailConfig,
    /// The daily e-mail digest of overdue and due-soon deadlines.
    pub digest: DigestConfig,
    /// The operator's console: how often alerts and partner endpoint settings are refreshed.
    pub console: thads_core::admin::ConsoleConfig,
    /// Account orders to banks: endpoint per bank code, token, timeout.
    pub bank: thads_bank::orders::BankConfig,
    /// Transfers to the State Treasury: endpoint, token, timeout (`docs/disbursement.md`).
    pub treasury: thads_treasury::TreasuryConfig,
    /// PDF rendering of decisions with headless Chromium (`[render] chromium`, `timeout`).
    pub render: thads_core::decisions::render::RenderConfig,
    /// The secret that encrypts the heads' decision-signing keys at rest
    /// (`[staff_signing] key_secret_file`).
    pub staff_signing: thads_core::decisions::keys::StaffSigningConfig,
    /// Court intake: whether courts must sign what they push.
    pub court: CourtConfig,
    /// The hub's own signing key (receipts and court evidences).
    pub signing: SigningConfig,
    /// The national databases verification queries go to (`[registries.population]`, `.land`,
    /// `.vehicle`, `.business`): endpoint, token, timeout, rate limit, cache lifetime.
    pub registries: thads_registries::RegistriesConfig,
    /// Verification runs: automatic start after the voluntary period, retries of incomplete
    /// records.
    pub verification: thads_core::verification::VerificationConfig,
    /// The audit trail: how often appended entries are chained and sealed (`docs/audit.md`).
    pub audit: thads_core::audit::AuditConfig,
    /// Parties signing in with VNeID (OpenID Connect): issuer, client, claims
    /// (`docs/party-portal.md`).
    pub citizen_oidc: thads_vneid::oidc::CitizenOidcConfig,
    /// Party self-service: session lifetimes and the deposit accounts shown as VietQR codes.
    pub party_portal: crate::party_config::PartyPortalConfig,
    /// Complaints and denunciations: their time limits per regime, the routing to the
    /// competent head, the portal's token file (`docs/complaints.md`).
    pub complaints: thads_core::complaints::ComplaintsConfig,
    /// OCR of scanned judgments and requests: tools, language, limits (`docs/ocr.md`).
    pub ocr: thads_core::ocr::OcrConfig,
    /// The partner TLS listener: partners identified by client certificate
    /// (`docs/partner-tls.md`).
    pub partner_tls: crate::partner_tls::config::PartnerTlsConfig,
}

/// Court intake settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CourtConfig {
    /// Refuse `POST /v1/court/judgments` without a valid signature by a registered key of the
    /// court the document names. Off by default so the embedded demo takes unsigned documents
    /// (with a loud warning at start); production sets it. A signature that is sent is always
    /// checked, whatever this says.
    pub require_signatures: bool,
    /// Where each court takes the signed evidences the hub pushes to it, by court code:
    /// `[court.endpoints.TAND79-KV1] url = "https://…", token_file = "/run/secrets/…"`. A court
    /// without an entry pulls them (`GET /v1/court/evidences`). See `docs/court-delivery.md`.
    pub endpoints: std::collections::BTreeMap<String, thads_court::CourtEndpoint>,
    /// Time limit, parallelism and circuit breaker of those pushes.
    pub delivery: thads_court::DeliveryConfig,
}

/// The hub's signing key, which signs receipts and court evidences; its public half is at
/// `GET /v1/keys`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SigningConfig {
    /// ed25519 private key file (PKCS#8 PEM, or base64 of the 32-byte seed); a mounted secret,
    /// read once at start, its path masked when shown. Unset: `<data_dir>/hub-signing-key.pem`,
    /// generated on first start. Several hub processes should share one key file.
    #[serde(serialize_with = "mask_path")]
    pub key_file: Option<PathBuf>,
}

impl SigningConfig {
    /// The file name of the generated key inside `data_dir`.
    pub const DEFAULT_FILE: &'static str = "hub-signing-key.pem";

    /// The key file to read, and whether it may be generated when absent (only the default
    /// one in `data_dir`; a configured file that is missing is an error).
    pub fn key_path(&self, data_dir: &Path) -> (PathBuf, bool) {
        match &self.key_file {
            Some(path) => (path.clone(), false),
            None => (data_dir.join(Self::DEFAULT_FILE), true),
        }
    }
}

/// Staff sign-in settings: how many failures lock an account and for how long, how long
/// sessions live, and whether the session cookie is marked `Secure` (behind HTTPS).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// Consecutive failed sign-ins that lock an account.
    pub lockout_attempts: NonZeroU32,
    /// How long a locked account stays locked.
    #[serde(with = "humantime_serde")]
    pub lockout_period: Duration,
    /// A session unused this long ends.
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    #[serde(with = "humantime_serde")]
    pub session_absolute: Duration,
    /// Mark the session cookie `Secure`: set it whenever the hub is reached over HTTPS.
    pub cookie_secure: bool,
}

impl Default for StaffConfig {
    fn default() -> Self {
        let lockout = thads_core::staff::accounts::LockoutPolicy::default();
        let sessions = thads_core::staff::sessions::SessionPolicy::default();
        Self {
            lockout_attempts: NonZeroU32::new(lockout.attempts).unwrap_or(NonZeroU32::MIN),
            lockout_period: lockout.period,
            session_idle: sessions.idle,
            session_absolute: sessions.absolute,
            cookie_secure: false,
        }
    }
}

impl StaffConfig {
    /// The lock-out policy sign-in applies.
    pub fn lockout_policy(&self) -> thads_core::staff::accounts::LockoutPolicy {
        thads_core::staff::accounts::LockoutPolicy {
            attempts: self.lockout_attempts.get(),
            period: self.lockout_period,
        }
    }

    /// The session lifetimes.
    pub fn session_policy(&self) -> thads_core::staff::sessions::SessionPolicy {
        thads_core::staff::sessions::SessionPolicy {
            idle: self.session_idle,
            absolute: self.session_absolute,
        }
    }
}

/// NATS JetStream settings; without `url` the embedded queue is used.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NatsConfig {
    /// Server URL(s), comma separated; none selects the embedded queue.
    #[serde(serialize_with = "mask_url")]
    pub url: Option<String>,
    /// Prefix for subjects and stream names, so several hubs can share an account.
    pub prefix: String,
    /// Stream replicas: 3 on the production cluster.
    pub replicas: usize,
    /// How long messages stay in the streams.
    #[serde(with = "humantime_serde")]
    pub max_age: Duration,
    /// JetStream's de-duplication window for `Nats-Msg-Id`.
    #[serde(with = "humantime_serde")]
    pub duplicate_window: Duration,
    /// Connection timeout.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
}

impl Default for NatsConfig {
    fn default() -> Self {
        Self {
            url: None,
            prefix: String::new(),
            replicas: 1,
            max_age: Duration::from_secs(14 * 24 * 3600),
            duplicate_window: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Delivery settings of every consumer.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// Deliveries before a message goes to `dlq.<subject>` (the first try counts); bounded so
    /// a poison message cannot circle for ever.
    pub max_deliveries: NonZeroU32,
    /// Delay before the second try; doubles with each try, plus jitter.
    #[serde(with = "humantime_serde")]
    pub retry_min: Duration,
    /// The longest delay between two tries.
    #[serde(with = "humantime_serde")]
    pub retry_max: Duration,
    /// How long a delivery may stay unacknowledged before it goes to another worker.
    #[serde(with = "humantime_serde")]
    pub ack_wait: Duration,
    /// Judgments taken into cases at once by one hub process. The work waits on database
    /// commits, so copies overlap them; cases are distinct, so they do not contend.
    pub case_intake_workers: NonZeroUsize,
    /// Payments posted at once by one hub process. Two payments of one case contend (the
    /// loser retries on the case's version), so fewer than for intake.
    pub payment_posting_workers: NonZeroUsize,
}

impl Default for BusConfig {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        Self {
            max_deliveries: retry.max_deliveries,
            retry_min: retry.retry_min,
            retry_max: retry.retry_max,
            ack_wait: Duration::from_secs(60),
            case_intake_workers: NonZeroUsize::new(4).unwrap_or(NonZeroUsize::MIN),
            payment_posting_workers: NonZeroUsize::new(2).unwrap_or(NonZeroUsize::MIN),
        }
    }
}

impl BusConfig {
    /// The retry policy the workers apply.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_deliveries: self.max_deliveries,
            retry_min: self.retry_min,
            retry_max: self.retry_max,
        }
    }
}

/// Limits on partner requests.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Time limit for one request.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Requests a second each partner may send to the partner endpoints (judgments, bank
    /// notifications and acknowledgements, VNeID receipts, evidence pulls), counted per
    /// partner certificate or, without one, per client address; 0 turns the limit off.
    pub partner_rate_per_second: f64,
    /// How many requests a partner may send at once above its rate.
    pub partner_burst: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            partner_rate_per_second: 50.0,
            partner_burst: 200,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            maintenance: false,
            nats: NatsConfig::default(),
            bus: BusConfig::default(),
            http: HttpConfig::default(),
            vneid: VneidConfig::default(),
            calendar: CalendarConfig::default(),
            deadlines: DeadlineRules::default(),
            staff: StaffConfig::default(),
            mail: MailConfig::default(),
            digest: DigestConfig::default(),
            console: thads_core::admin::ConsoleConfig::default(),
            court: CourtConfig::default(),
            signing: SigningConfig::default(),
            registries: thads_registries::RegistriesConfig::default(),
            verification: thads_core::verification::VerificationConfig::default(),
            bank: thads_bank::orders::BankConfig::default(),
            treasury: thads_treasury::TreasuryConfig::default(),
            render: thads_core::decisions::render::RenderConfig::default(),
            staff_signing: thads_core::decisions::keys::StaffSigningConfig::default(),
            audit: thads_core::audit::AuditConfig::default(),
            citizen_oidc: thads_vneid::oidc::CitizenOidcConfig::default(),
            party_portal: crate::party_config::PartyPortalConfig::default(),
            complaints: thads_core::complaints::ComplaintsConfig::default(),
            ocr: thads_core::ocr::OcrConfig::default(),
            partner_tls: crate::partner_tls::config::PartnerTlsConfig::default(),
        }
    }
}

/// A configuration that cannot be used, with the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or an environment value could not be read or has the wrong type.
    #[error("configuration: {0}")]
    Load(Box<figment::Error>),
    /// A value is out of range.
    #[error("configuration key `{key}`: {reason}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// Why.
        reason: String,
    },
}

impl Config {
    /// Loads defaults, then the file (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Invalid {
                    key: "--config",
                    reason: format!("file {} does not exist", path.display()),
                });
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
            .merge(Env::raw().only(&["NATS_URL"]).map(|_| "nats.url".into()))
            .merge(
                Env::prefixed("THADS_")
                    .filter(|key| !is_reserved_env(key.as_str()))
                    .split("__"),
            );
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Load(Box::new(e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.database_url {
            thads_core::db::backend_of(url).map_err(|e| ConfigError::Invalid {
                key: "database_url",
                reason: e.to_string(),
            })?;
        }
        if let Some(url) = &self.nats.url {
            if url.trim().is_empty() {
                return Err(ConfigError::Invalid {
                    key: "nats.url",
                    reason: "is empty; remove it to use the embedded queue".into(),
                });
            }
        }
        if self.nats.prefix.contains(['.', ' ', '*', '>']) {
            return Err(ConfigError::Invalid {
                key: "nats.prefix",
                reason: "must not contain '.', ' ', '*' or '>'".into(),
            });
        }
        self.audit
            .validate()
            .map_err(|reason| ConfigError::Invalid {
                key: "audit.seal_interval",
                reason,
            })?;
        if !self.http.partner_rate_per_second.is_finite() || self.http.partner_rate_per_second < 0.0
        {
            return Err(ConfigError::Invalid {
                key: "http.partner_rate_per_second",
                reason: "must be a number of requests a second, 0 or more (0: no limit)".into(),
            });
        }
        if self.bus.retry_min > self.bus.retry_max {
            return Err(ConfigError::Invalid {
                key: "bus.retry_min",
                reason: "must not exceed bus.retry_max".into(),
            });
        }
        self.calendar.validate().map_err(|e| ConfigError::Invalid {
            key: "calendar",
            reason: e.to_string(),
        })?;
        if self.http.body_limit < 1024 {
            return Err(ConfigError::Invalid {
                key: "http.body_limit",
                reason: "must be at least 1024 bytes".into(),
            });
        }
        if let Some(endpoint) = &self.vneid.endpoint {
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    key: "vneid.endpoint",
                    reason: "must be an http:// or https:// URL".into(),
                });
            }
        }
        self.vneid
            .validate()
            .map_err(|(key, reason)| ConfigError::Invalid { key, reason })?;
        if let Err((key, reason)) = self.bank.validate() {
            return Err(ConfigError::Invalid {
                key: "bank",
                reason: format!("{key}: {reason}"),
            });
        }
        if let Err(e) = thads_court::delivery_config::validate_endpoints(&self.court.endpoints)
            .and_then(|()| self.court.delivery.validate())
        {
            return Err(ConfigError::Invalid {
                key: "court",
                reason: e.to_string(),
            });
        }
        if let Err((key, reason)) = self.console.validate() {
            return Err(ConfigError::Invalid { key, reason });
        }
        if self.digest.hour > 23 {
            return Err(ConfigError::Invalid {
                key: "digest.hour",
                reason: "must be 0 to 23 (Vietnam time)".into(),
            });
        }
        if self.digest.tick < Duration::from_millis(100) || self.digest.max_attempts == 0 {
            return Err(ConfigError::Invalid {
                key: "digest.tick",
                reason: "tick must be at least 100 ms and max_attempts at least 1".into(),
            });
        }
        for (key, value) in [
            ("staff.lockout_period", self.staff.lockout_period),
            ("staff.session_idle", self.staff.session_idle),
            ("staff.session_absolute", self.staff.session_absolute),
        ] {
            if value < Duration::from_secs(1) {
                return Err(ConfigError::Invalid {
                    key,
                    reason: "must be at least 1 s".into(),
                });
            }
        }
        if let Err((key, reason)) = self.registries.validate() {
            return Err(ConfigError::Invalid {
                key: "registries",
                reason: format!("{key}: {reason}"),
            });
        }
        self.verification
            .validate()
            .map_err(|(key, reason)| ConfigError::Invalid { key, reason })?;
        self.citizen_oidc
            .validate()
            .and_then(|()| self.party_portal.validate())
            .map_err(|(key, reason)| ConfigError::Invalid { key, reason })?;
        thads_core::complaints::ComplaintRules::new(&self.complaints).map_err(|reason| {
            ConfigError::Invalid {
                key: "complaints",
                reason,
            }
        })?;
        self.ocr
            .validate()
            .map_err(|(key, reason)| ConfigError::Invalid { key, reason })?;
        self.partner_tls
            .validate(self.listen)
            .map_err(|(key, reason)| ConfigError::Invalid { key, reason })?;
        if let Err(e) = self.mail.validate() {
            return Err(match e {
                thads_core::mail::MailError::Config { key, reason } => {
                    ConfigError::Invalid { key, reason }
                }
                thads_core::mail::MailError::Address { field, reason } => ConfigError::Invalid {
                    key: field,
                    reason: format!("not an e-mail address: {reason}"),
                },
                other => ConfigError::Invalid {
                    key: "mail",
                    reason: other.to_string(),
                },
            });
        }
        Ok(())
    }

    /// The database URL in use (the embedded SQLite file by default).
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/thads-hub.db", self.data_dir.display()),
        }
    }

    /// The configuration as TOML with secrets masked, for the start-up log and `config show`.
    pub fn masked_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot render: {e}"))
    }
}

/// `THADS_` variables that are not configuration keys: the config file path itself, the
/// password `thads-hub staff add` reads (`THADS_STAFF_PASSWORD`), and the test harness's
/// settings (`THADS_TEST_*`, `THADS_REQUIRE_SERVICES`).
fn is_reserved_env(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "config"
        || key == "require_services"
        || key == "staff_password"
        || key.starts_with("test_")
}

/// Hides the password in a URL (`postgres://user:***@host/db`).
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Shows a configured secret file's path as `***`.
pub(crate) fn mask_path<S: Serializer>(value: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}

fn mask_url<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(url) => s.serialize_str(&mask_password(url)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::result_large_err)]
    use super::*;

    #[test]
    fn defaults_are_embedded_on_loopback() {
        let c = Config::default();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite://data/thads-hub.db");
        assert!(c.nats.url.is_none());
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_password("postgres://thads:s3cret@db:5432/thads"),
            "postgres://thads:***@db:5432/thads"
        );
        let c = Config {
            database_url: Some("postgres://u:pw@h/d".into()),
            ..Config::default()
        };
        assert!(!c.masked_toml().contains("pw@"));
    }

    #[test]
    fn file_and_environment_are_layered() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "hub.toml",
                "listen = \"127.0.0.1:9999\"\n[bus]\nmax_deliveries = 3\nretry_min = \"50ms\"\n",
            )?;
            jail.set_env("THADS_BUS__RETRY_MAX", "2s");
            jail.set_env("THADS_CONFIG", "hub.toml");
            jail.set_env("THADS_TEST_PG_URL", "postgres://elsewhere/x");
            jail.set_env("NATS_URL", "nats://127.0.0.1:4222");
            let c = Config::load(Some(Path::new("hub.toml"))).unwrap();
            assert_eq!(c.listen.port(), 9999);
            assert_eq!(c.bus.max_deliveries.get(), 3);
            assert_eq!(c.bus.retry_min, Duration::from_millis(50));
            assert_eq!(c.bus.retry_max, Duration::from_secs(2));
            assert_eq!(c.nats.url.as_deref(), Some("nats://127.0.0.1:4222"));
            Ok(())
        });
    }

    #[test]
    fn staff_settings_come_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("THADS_STAFF__SESSION_IDLE", "2s");
            jail.set_env("THADS_STAFF__LOCKOUT_ATTEMPTS", "3");
            jail.set_env("THADS_STAFF__COOKIE_SECURE", "true");
            // The password `staff add` reads is not a configuration key.
            jail.set_env("THADS_STAFF_PASSWORD", "not-a-key-at-all");
            let c = Config::load(None).unwrap();
            assert_eq!(c.staff.session_policy().idle, Duration::from_secs(2));
            assert_eq!(c.staff.session_absolute, Duration::from_secs(12 * 3600));
            assert_eq!(c.staff.lockout_policy().attempts, 3);
            assert_eq!(c.staff.lockout_period, Duration::from_secs(15 * 60));
            assert!(c.staff.cookie_secure);
            jail.set_env("THADS_STAFF__SESSION_IDLE", "0s");
            let e = Config::load(None).unwrap_err();
            assert!(e.to_string().contains("staff.session_idle"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn mail_settings_load_and_the_password_file_is_never_shown() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "hub.toml",
                "[mail]\nsmtp_url = \"smtp://relay:587?tls=required\"\nusername = \"digest\"\n",
            )?;
            jail.set_env("THADS_MAIL__PASSWORD_FILE", "/run/secrets/smtp-pw");
            jail.set_env("THADS_MAIL__TIMEOUT", "4s");
            let c = Config::load(Some(Path::new("hub.toml"))).unwrap();
            assert_eq!(
                c.mail.smtp_url.as_deref(),
                Some("smtp://relay:587?tls=required")
            );
            assert_eq!(c.mail.timeout, Duration::from_secs(4));
            let shown = c.masked_toml();
            assert!(shown.contains("[mail]"), "{shown}");
            assert!(!shown.contains("smtp-pw"), "{shown}");
            jail.set_env("THADS_MAIL__FROM", "not an address");
            let e = Config::load(Some(Path::new("hub.toml"))).unwrap_err();
            assert!(e.to_string().contains("mail.from"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn signing_and_court_settings_load_and_the_key_file_is_never_shown() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).unwrap();
            assert!(!c.court.require_signatures);
            let (path, generate) = c.signing.key_path(Path::new("/var/lib/thads"));
            assert_eq!(path, Path::new("/var/lib/thads/hub-signing-key.pem"));
            assert!(generate);
            jail.create_file(
                "hub.toml",
                "[court]\nrequire_signatures = true\n[signing]\nkey_file = \"/run/secrets/hub-key.pem\"\n",
            )?;
            let c = Config::load(Some(Path::new("hub.toml"))).unwrap();
            assert!(c.court.require_signatures);
            let (path, generate) = c.signing.key_path(Path::new("data"));
            assert_eq!(path, Path::new("/run/secrets/hub-key.pem"));
            assert!(!generate);
            let shown = c.masked_toml();
            assert!(shown.contains("[signing]"), "{shown}");
            assert!(!shown.contains("hub-key.pem"), "{shown}");
            jail.set_env("THADS_COURT__REQUIRE_SIGNATURES", "false");
            let c = Config::load(Some(Path::new("hub.toml"))).unwrap();
            assert!(!c.court.require_signatures);
            Ok(())
        });
    }

    #[test]
    fn court_endpoints_load_from_file_and_environment_with_tokens_masked() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "hub.toml",
                "[court.endpoints.TAND01]\nurl = \"https://toaan-hn.example/evidences\"\ntoken = \"court-secret-1\"\n[court.delivery]\ntimeout = \"3s\"\n",
            )?;
            jail.set_env(
                "THADS_COURT__ENDPOINTS__TAND79-KV1__URL",
                "http://127.0.0.1:9102/evidences",
            );
            let c = Config::load(Some(Path::new("hub.toml"))).unwrap();
            assert_eq!(c.court.endpoints.len(), 2);
            assert_eq!(c.court.delivery.timeout, Duration::from_secs(3));
            let shown = c.masked_toml();
            assert!(shown.contains("toaan-hn.example"), "{shown}");
            assert!(!shown.contains("court-secret-1"), "{shown}");
            jail.set_env("THADS_COURT__ENDPOINTS__TAND79-KV1__URL", "ftp://x");
            let e = Config::load(Some(Path::new("hub.toml"))).unwrap_err();
            assert!(
                e.to_string().contains("court.endpoints.tand79-kv1.url"),
                "{e}"
            );
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("hub.toml", "lisen = \"x\"\n")?;
            let e = Config::load(Some(Path::new("hub.toml"))).unwrap_err();
            assert!(e.to_string().contains("lisen"), "{e}");
            jail.create_file("hub2.toml", "database_url = \"mysql://x\"\n")?;
            let e = Config::load(Some(Path::new("hub2.toml"))).unwrap_err();
            assert!(e.to_string().contains("database_url"), "{e}");
            Ok(())
        });
    }
}
