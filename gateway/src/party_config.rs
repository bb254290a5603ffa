//! The `[party_portal]` configuration: how long party sessions live, whether their cookie is
//! `Secure`, and the THADS deposit account each office's parties pay into (shown as a VietQR
//! code). The VNeID sign-in itself is `[citizen_oidc]` (`thads_vneid::oidc::config`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use thads_core::portal::qr::DepositAccount;
use thads_core::portal::sessions::PartySessionPolicy;

/// Party self-service settings.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PartyPortalConfig {
    /// A party session unused this long ends.
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    /// A party session ends this long after sign-in, however active.
    #[serde(with = "humantime_serde")]
    pub session_absolute: Duration,
    /// How long VNeID may take to send the browser back after sign-in starts.
    #[serde(with = "humantime_serde")]
    pub sign_in_timeout: Duration,
    /// Mark the party cookies `Secure`: set it whenever the hub is reached over HTTPS.
    pub cookie_secure: bool,
    /// The deposit account parties pay into, by office code: `[party_portal.deposit_accounts.HCM-KV01]
    /// bank_bin = "970436", account = "0071001234567"`. A provincial code (`HCM`) serves every
    /// regional office below it without an entry of its own. Codes match regardless of case
    /// (environment variables arrive in lower case).
    pub deposit_accounts: BTreeMap<String, DepositAccount>,
}

impl Default for PartyPortalConfig {
    fn default() -> Self {
        let p = PartySessionPolicy::default();
        Self {
            session_idle: p.idle,
            session_absolute: p.absolute,
            sign_in_timeout: p.sign_in,
            cookie_secure: false,
            deposit_accounts: BTreeMap::new(),
        }
    }
}

impl PartyPortalConfig {
    /// The session lifetimes.
    pub fn policy(&self) -> PartySessionPolicy {
        PartySessionPolicy {
            idle: self.session_idle,
            absolute: self.session_absolute,
            sign_in: self.sign_in_timeout,
        }
    }

    /// The deposit account of `office`: its own entry, else its province's.
    pub fn deposit_account_for(&self, office: &str) -> Option<&DepositAccount> {
        let find = |code: &str| {
            self.deposit_accounts
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(code))
                .map(|(_, v)| v)
        };
        find(office).or_else(|| find(office.split('-').next().unwrap_or(office)))
    }

    /// Checks the lifetimes and each account; on error the key at fault and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (key, value) in [
            ("party_portal.session_idle", self.session_idle),
            ("party_portal.session_absolute", self.session_absolute),
            ("party_portal.sign_in_timeout", self.sign_in_timeout),
        ] {
            if value < Duration::from_secs(1) {
                return Err((key, "must be at least 1 s".into()));
            }
        }
        for (office, account) in &self.deposit_accounts {
            if let Err(e) = thads_schemas::office::OfficeCode::parse(&office.to_ascii_uppercase()) {
                return Err((
                    "party_portal.deposit_accounts",
                    format!("{office:?} is not an office code: {e}"),
                ));
            }
            if let Err(e) = account.validate() {
                return Err(("party_portal.deposit_accounts", format!("{office}: {e}")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn account(bin: &str) -> DepositAccount {
        DepositAccount {
            bank_bin: bin.into(),
            account: "0071001234567".into(),
            account_name: None,
            bank_name: None,
        }
    }

    #[test]
    fn offices_fall_back_to_their_province() {
        let mut c = PartyPortalConfig::default();
        c.deposit_accounts.insert("hcm".into(), account("970436"));
        c.deposit_accounts
            .insert("HCM-KV02".into(), account("970415"));
        assert!(c.validate().is_ok());
        assert_eq!(
            c.deposit_account_for("HCM-KV01").unwrap().bank_bin,
            "970436"
        );
        assert_eq!(
            c.deposit_account_for("HCM-KV02").unwrap().bank_bin,
            "970415"
        );
        assert!(c.deposit_account_for("HNI-KV01").is_none());
        c.deposit_accounts.insert("HNI".into(), account("97A436"));
        assert_eq!(c.validate().unwrap_err().0, "party_portal.deposit_accounts");
        let c = PartyPortalConfig {
            session_idle: Duration::ZERO,
            ..PartyPortalConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().0, "party_portal.session_idle");
    }
}
