//! What the operator's console reads and does beyond the case system's own endpoints:
//! searching messages, each partner's health, the dead letters with discarding, alerts,
//! and connectivity tests (the deadlines overview is [`crate::deadlines::overview`]).
//!
//! # Layout
//! - [`search`]: message search by id, partner, subject, case, state and time, paged.
//! - [`health`]: each partner's figures for the dashboard.
//! - [`dead_letters`]: the dead letters waiting, and discarding one with a reason.
//! - [`alerts`]: alerts (partner failing, DLQ growing, sign-in failures, certificates), mailed
//!   once, acknowledged by an administrator.
//! - [`connectivity`]: the "test connection" of an outbound partner, recorded.

pub mod alerts;
pub mod connectivity;
pub mod dead_letters;
pub mod health;
pub mod search;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `[console]` in the configuration: how often the console's background work runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// How often alerts are evaluated, recorded and new ones e-mailed.
    #[serde(with = "humantime_serde")]
    pub alert_interval: Duration,
    /// How often each hub process reads the partner endpoint settings changed from the
    /// console (a change made on another process arrives within this).
    #[serde(with = "humantime_serde")]
    pub endpoint_refresh: Duration,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            alert_interval: Duration::from_secs(60),
            endpoint_refresh: Duration::from_secs(5),
        }
    }
}

impl ConsoleConfig {
    /// Checks the values serde cannot: `(key, reason)` for the first at fault.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (key, value) in [
            ("console.alert_interval", self.alert_interval),
            ("console.endpoint_refresh", self.endpoint_refresh),
        ] {
            if value < Duration::from_millis(100) {
                return Err((key, "must be at least 100ms".into()));
            }
        }
        Ok(())
    }
}
