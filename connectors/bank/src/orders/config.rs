//! The `[bank]` section of the hub's configuration: where each bank takes account orders, the
//! token presented, and time limits.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

/// The `[bank]` section: how account orders reach banks, so each bank (by its code) can have
/// its own API endpoint and its own token (one bank must not hold what lets it speak to
/// another as the hub), sharing one time limit; and the folder banks drop batch payment
/// confirmations into.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BankConfig {
    /// URL each bank takes orders at (`POST`), by bank code: `{ VCB = "https://…/orders" }`.
    /// Codes are matched without regard to case (environment variables arrive lower-cased).
    /// A bank without an entry gets its orders in the daily batch file instead.
    pub orders_endpoint: BTreeMap<String, String>,
    /// Token sent as `Authorization: Bearer`. Prefer `token_file`.
    #[serde(serialize_with = "mask")]
    pub token: Option<String>,
    /// File holding the token (a mounted secret).
    pub token_file: Option<PathBuf>,
    /// A bank's own token file, by bank code: `{ VCB = "/run/secrets/vcb.token" }`. A bank
    /// with one is sent only its own token; the others get `token`/`token_file`.
    pub token_files: BTreeMap<String, PathBuf>,
    /// Time limit of one HTTP call.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Orders sent in parallel by one hub process.
    pub concurrency: NonZeroUsize,
    /// Folder banks drop camt.054/camt.053 batch files into (SFTP-style); not watched when
    /// unset. See `crate::inbox_folder`.
    pub inbox_dir: Option<PathBuf>,
    /// Time between two looks at `inbox_dir`.
    #[serde(with = "humantime_serde")]
    pub inbox_poll: Duration,
    /// How long a dropped file must stay unchanged before it is read.
    #[serde(with = "humantime_serde")]
    pub inbox_settle: Duration,
}

impl Default for BankConfig {
    fn default() -> Self {
        Self {
            orders_endpoint: BTreeMap::new(),
            token: None,
            token_file: None,
            token_files: BTreeMap::new(),
            timeout: Duration::from_secs(10),
            concurrency: NonZeroUsize::new(2).unwrap_or(NonZeroUsize::MIN),
            inbox_dir: None,
            inbox_poll: Duration::from_secs(5),
            inbox_settle: Duration::from_secs(2),
        }
    }
}

impl BankConfig {
    /// The token, from `token` or read from `token_file`.
    pub fn resolve_token(&self) -> Result<Option<String>, std::io::Error> {
        if let Some(t) = &self.token {
            return Ok(Some(t.clone()));
        }
        match &self.token_file {
            Some(path) => Ok(Some(std::fs::read_to_string(path)?.trim().to_string())),
            None => Ok(None),
        }
    }

    /// Each bank's own token read from `token_files`, keyed by upper-case bank code.
    pub fn resolve_bank_tokens(
        &self,
    ) -> Result<BTreeMap<String, String>, (String, std::io::Error)> {
        let mut out = BTreeMap::new();
        for (code, path) in &self.token_files {
            let token = std::fs::read_to_string(path)
                .map_err(|e| (format!("bank.token_files.{code}"), e))?;
            out.insert(code.to_ascii_uppercase(), token.trim().to_string());
        }
        Ok(out)
    }

    /// The endpoints keyed by upper-case bank code.
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        self.orders_endpoint
            .iter()
            .map(|(k, v)| (k.to_ascii_uppercase(), v.clone()))
            .collect()
    }

    /// Checks the endpoints: `(key, reason)` for the first one at fault.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (code, url) in &self.orders_endpoint {
            let key = format!("bank.orders_endpoint.{code}");
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err((key, "the bank code must be letters or digits".into()));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err((key, "must be an http:// or https:// URL".into()));
            }
        }
        if self.inbox_dir.is_some() && self.inbox_poll < Duration::from_millis(100) {
            return Err(("bank.inbox_poll".into(), "must be at least 100 ms".into()));
        }
        if self.timeout < Duration::from_millis(100) {
            return Err(("bank.timeout".into(), "must be at least 100 ms".into()));
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
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_urls_checked() {
        let mut c = BankConfig::default();
        c.orders_endpoint
            .insert("vcb".into(), "http://127.0.0.1:1/orders".into());
        assert_eq!(
            c.endpoints().get("VCB").map(String::as_str),
            Some("http://127.0.0.1:1/orders")
        );
        assert!(c.validate().is_ok());
        c.orders_endpoint.insert("BIDV".into(), "ftp://x".into());
        assert_eq!(
            c.validate().err().map(|e| e.0),
            Some("bank.orders_endpoint.BIDV".to_string())
        );
    }
}
