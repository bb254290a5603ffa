//! Configuration of the national-database connector: `[registries.population]`,
//! `[registries.land]`, `[registries.vehicle]` and `[registries.business]`, each with its
//! endpoint, partner token, timeout, rate limit and cache lifetime, plus the retry settings
//! shared by all four. Each database is agreed separately with its owner, hence one table each.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};
use thads_core::verification::Registry;

/// One national database.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PartnerConfig {
    /// Base URL of the partner's API. Without it, queries to this database fail as "not
    /// configured" and records stay incomplete (never "nothing found").
    pub endpoint: Option<String>,
    /// Partner token sent as `Authorization: Bearer`. Prefer `token_file`.
    #[serde(serialize_with = "mask")]
    pub token: Option<String>,
    /// File holding the partner token (a mounted secret).
    pub token_file: Option<PathBuf>,
    /// Time limit of one HTTP call.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Requests per second the partner allows from one hub process (token bucket); `0`
    /// switches the limit off.
    pub rate_per_second: f64,
    /// How long an answer is reused for the same subject before the database is asked again;
    /// `0s` switches the cache off.
    #[serde(with = "humantime_serde")]
    pub cache_ttl: Duration,
}

impl Default for PartnerConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            token: None,
            token_file: None,
            timeout: Duration::from_secs(10),
            rate_per_second: 5.0,
            cache_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

impl PartnerConfig {
    /// The token, from `token` or read from `token_file`.
    pub fn resolve_token(&self) -> Result<Option<String>, std::io::Error> {
        if let Some(t) = &self.token {
            return Ok(Some(t.trim().to_string()));
        }
        match &self.token_file {
            Some(path) => Ok(Some(std::fs::read_to_string(path)?.trim().to_string())),
            None => Ok(None),
        }
    }
}

/// `[registries]`: the four databases and the retries.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RegistriesConfig {
    /// Cơ sở dữ liệu quốc gia về dân cư (by CCCD).
    pub population: PartnerConfig,
    /// Cơ sở dữ liệu đất đai.
    pub land: PartnerConfig,
    /// Đăng ký xe.
    pub vehicle: PartnerConfig,
    /// Đăng ký doanh nghiệp.
    pub business: PartnerConfig,
    /// HTTP attempts per query (the first included) before the database counts as failed for
    /// this run; the run is then retried later as a whole.
    pub attempts: NonZeroU32,
    /// Delay before the second attempt; doubles each time, with jitter.
    #[serde(with = "humantime_serde")]
    pub retry_min: Duration,
    /// The longest delay between two attempts.
    #[serde(with = "humantime_serde")]
    pub retry_max: Duration,
}

impl Default for RegistriesConfig {
    fn default() -> Self {
        Self {
            population: PartnerConfig::default(),
            land: PartnerConfig::default(),
            vehicle: PartnerConfig::default(),
            business: PartnerConfig::default(),
            attempts: NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN),
            retry_min: Duration::from_millis(200),
            retry_max: Duration::from_secs(5),
        }
    }
}

impl RegistriesConfig {
    /// The settings of one database.
    pub fn partner(&self, registry: Registry) -> &PartnerConfig {
        match registry {
            Registry::Population => &self.population,
            Registry::Land => &self.land,
            Registry::Vehicle => &self.vehicle,
            Registry::Business => &self.business,
        }
    }

    /// Checks the values serde cannot; the error names the key.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for registry in Registry::ALL {
            let p = self.partner(registry);
            let key = |k: &str| format!("registries.{registry}.{k}");
            if let Some(e) = &p.endpoint {
                if !(e.starts_with("http://") || e.starts_with("https://")) {
                    return Err((key("endpoint"), "must be an http:// or https:// URL".into()));
                }
            }
            if p.timeout.is_zero() {
                return Err((key("timeout"), "must be more than 0".into()));
            }
            if !p.rate_per_second.is_finite() || p.rate_per_second < 0.0 {
                return Err((
                    key("rate_per_second"),
                    "must be a number of requests per second, 0 for no limit".into(),
                ));
            }
        }
        if self.retry_min > self.retry_max {
            return Err((
                "registries.retry_min".into(),
                "must not exceed registries.retry_max".into(),
            ));
        }
        Ok(())
    }
}

fn mask<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("***"),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults_are_valid_and_tokens_masked() {
        let mut c = RegistriesConfig::default();
        c.validate().unwrap();
        c.land.token = Some("land-secret".into());
        let shown = serde_json::to_string(&c).unwrap();
        assert!(
            !shown.contains("land-secret") && shown.contains("***"),
            "{shown}"
        );
        assert_eq!(
            c.partner(Registry::Land).token.as_deref(),
            Some("land-secret")
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut c = RegistriesConfig::default();
        c.vehicle.endpoint = Some("ftp://x".into());
        assert_eq!(c.validate().unwrap_err().0, "registries.vehicle.endpoint");
        let mut c = RegistriesConfig::default();
        c.business.rate_per_second = -1.0;
        assert_eq!(
            c.validate().unwrap_err().0,
            "registries.business.rate_per_second"
        );
        let c = RegistriesConfig {
            retry_min: Duration::from_secs(10),
            ..RegistriesConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().0, "registries.retry_min");
    }

    #[test]
    fn each_database_reads_its_own_table() {
        let c: RegistriesConfig = serde_json::from_value(serde_json::json!({
            "population": {"endpoint": "http://127.0.0.1:9201", "timeout": "2s", "cache_ttl": "0s"},
            "land": {"endpoint": "http://127.0.0.1:9202", "rate_per_second": 1.5},
            "attempts": 2
        }))
        .unwrap();
        assert_eq!(c.population.timeout, Duration::from_secs(2));
        assert!(c.population.cache_ttl.is_zero());
        assert_eq!(c.land.rate_per_second, 1.5);
        assert!(c.vehicle.endpoint.is_none());
        assert_eq!(c.attempts.get(), 2);
        assert!(
            serde_json::from_value::<RegistriesConfig>(serde_json::json!({"lands": {}})).is_err()
        );
    }
}
