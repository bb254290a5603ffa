//! Configuration of the VNeID sign-in for parties (`[citizen_oidc]`): the provider's issuer
//! (its discovery document gives the endpoints and keys), the hub's client registration, the
//! scopes asked for, and the claims that carry the citizen's CCCD and name.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

/// The claim carrying the citizen identity number unless configured otherwise.
pub const DEFAULT_CCCD_CLAIM: &str = "cccd";

/// How the hub signs parties in with VNeID (OpenID Connect, authorization code with PKCE).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CitizenOidcConfig {
    /// The provider's issuer URL; the hub reads `{issuer}/.well-known/openid-configuration`
    /// and requires the document to name exactly this issuer. Without it, party sign-in
    /// answers 503 and the party pages stay closed.
    pub issuer: Option<String>,
    /// The hub's client id at the provider: the audience its ID tokens must carry.
    pub client_id: Option<String>,
    /// The client secret (sent with HTTP Basic to the token endpoint). Prefer
    /// `client_secret_file`; with neither the hub is a public client relying on PKCE.
    #[serde(serialize_with = "mask")]
    pub client_secret: Option<String>,
    /// File holding the client secret (a mounted secret).
    #[serde(serialize_with = "mask_path")]
    pub client_secret_file: Option<PathBuf>,
    /// Where the provider sends the browser back: the hub's `/v1/me/callback` as registered
    /// with the provider, e.g. `https://thads.example.vn/v1/me/callback`.
    pub redirect_url: Option<String>,
    /// Scopes asked for; `openid` is required.
    pub scopes: Vec<String>,
    /// The ID token claim holding the 12-digit CCCD. VNeID's claim name is set by the
    /// partner agreement, hence configurable.
    pub cccd_claim: String,
    /// The ID token claim holding the citizen's full name.
    pub name_claim: String,
    /// Signature algorithms accepted on ID tokens (asymmetric only: `RS256`, `PS256`,
    /// `ES256`, ...).
    pub algorithms: Vec<String>,
    /// Clock difference tolerated on `exp`, `iat` and `nbf`.
    #[serde(with = "humantime_serde")]
    pub clock_skew: Duration,
    /// Time limit of one call to the provider.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// How long the discovery document and keys are kept before they are read again (a token
    /// signed with an unknown key id also triggers a new read, at most once a minute).
    #[serde(with = "humantime_serde")]
    pub refresh: Duration,
}

impl Default for CitizenOidcConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            client_id: None,
            client_secret: None,
            client_secret_file: None,
            redirect_url: None,
            scopes: vec!["openid".into(), "profile".into()],
            cccd_claim: DEFAULT_CCCD_CLAIM.into(),
            name_claim: "name".into(),
            algorithms: vec!["RS256".into(), "ES256".into()],
            clock_skew: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            refresh: Duration::from_secs(3600),
        }
    }
}

/// The algorithms an ID token may be signed with: asymmetric only, so knowing the provider's
/// public keys never lets anyone forge a token.
pub(crate) const ASYMMETRIC: [&str; 9] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

impl CitizenOidcConfig {
    /// Whether party sign-in is configured at all.
    pub fn enabled(&self) -> bool {
        self.issuer.is_some()
    }

    /// The client secret, from `client_secret` or read from `client_secret_file`.
    pub fn resolve_secret(&self) -> Result<Option<String>, std::io::Error> {
        if let Some(s) = &self.client_secret {
            return Ok(Some(s.clone()));
        }
        match &self.client_secret_file {
            Some(path) => Ok(Some(std::fs::read_to_string(path)?.trim().to_string())),
            None => Ok(None),
        }
    }

    /// Checks the settings; on error, the key at fault and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let err = |k: &'static str, r: String| Err((k, r));
        let Some(issuer) = &self.issuer else {
            return Ok(());
        };
        if let Err(r) = check_url(issuer) {
            return err("citizen_oidc.issuer", r);
        }
        if self
            .client_id
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
        {
            return err(
                "citizen_oidc.client_id",
                "is required when issuer is set".into(),
            );
        }
        match &self.redirect_url {
            None => {
                return err(
                    "citizen_oidc.redirect_url",
                    "is required when issuer is set".into(),
                )
            }
            Some(u) => {
                if let Err(r) = check_url(u) {
                    return err("citizen_oidc.redirect_url", r);
                }
                if !u.trim_end_matches('/').ends_with("/v1/me/callback") {
                    return err(
                        "citizen_oidc.redirect_url",
                        format!("must be the hub's /v1/me/callback, got {u:?}"),
                    );
                }
            }
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return err("citizen_oidc.scopes", "must include \"openid\"".into());
        }
        if self.cccd_claim.trim().is_empty() {
            return err("citizen_oidc.cccd_claim", "must name a claim".into());
        }
        if self.algorithms.is_empty() {
            return err(
                "citizen_oidc.algorithms",
                "must list at least one algorithm".into(),
            );
        }
        if let Some(a) = self
            .algorithms
            .iter()
            .find(|a| !ASYMMETRIC.contains(&a.as_str()))
        {
            return err(
                "citizen_oidc.algorithms",
                format!(
                    "{a:?} is not an asymmetric JWS algorithm ({})",
                    ASYMMETRIC.join(", ")
                ),
            );
        }
        if self.timeout.is_zero() {
            return err("citizen_oidc.timeout", "must be more than zero".into());
        }
        if let Some(f) = &self.client_secret_file {
            if let Err(e) = std::fs::metadata(f) {
                return err(
                    "citizen_oidc.client_secret_file",
                    format!("cannot be read: {e}"),
                );
            }
        }
        Ok(())
    }
}

/// An `https://` URL, or `http://` to a loopback address (a local provider for trials and
/// tests): tokens and codes never travel in clear over a network.
fn check_url(u: &str) -> Result<(), String> {
    let url = url::Url::parse(u).map_err(|e| format!("{u:?} is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) => Ok(()),
        _ => Err(format!(
            "{u:?} must use https (http only to a loopback address)"
        )),
    }
}

fn mask<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_some("********"),
        None => s.serialize_none(),
    }
}

fn mask_path<S: Serializer>(value: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match value.as_deref().map(Path::as_os_str) {
        Some(_) => s.serialize_some("********"),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn configured() -> CitizenOidcConfig {
        CitizenOidcConfig {
            issuer: Some("https://sso.vneid.gov.vn".into()),
            client_id: Some("thads-hub".into()),
            redirect_url: Some("https://thads.example.vn/v1/me/callback".into()),
            ..CitizenOidcConfig::default()
        }
    }

    #[test]
    fn off_by_default_and_checked_when_on() {
        assert!(!CitizenOidcConfig::default().enabled());
        assert!(CitizenOidcConfig::default().validate().is_ok());
        assert!(configured().validate().is_ok());
        let key = |c: CitizenOidcConfig| c.validate().unwrap_err().0;
        assert_eq!(
            key(CitizenOidcConfig {
                issuer: Some("http://sso.vneid.gov.vn".into()),
                ..configured()
            }),
            "citizen_oidc.issuer"
        );
        assert!(CitizenOidcConfig {
            issuer: Some("http://127.0.0.1:9300".into()),
            ..configured()
        }
        .validate()
        .is_ok());
        assert_eq!(
            key(CitizenOidcConfig {
                client_id: None,
                ..configured()
            }),
            "citizen_oidc.client_id"
        );
        assert_eq!(
            key(CitizenOidcConfig {
                redirect_url: Some("https://thads.example.vn/elsewhere".into()),
                ..configured()
            }),
            "citizen_oidc.redirect_url"
        );
        assert_eq!(
            key(CitizenOidcConfig {
                scopes: vec!["profile".into()],
                ..configured()
            }),
            "citizen_oidc.scopes"
        );
        assert_eq!(
            key(CitizenOidcConfig {
                algorithms: vec!["HS256".into()],
                ..configured()
            }),
            "citizen_oidc.algorithms"
        );
        assert_eq!(
            key(CitizenOidcConfig {
                client_secret_file: Some("/nonexistent/secret".into()),
                ..configured()
            }),
            "citizen_oidc.client_secret_file"
        );
    }

    #[test]
    fn secrets_are_masked_when_shown() {
        let c = CitizenOidcConfig {
            client_secret: Some("s3cret".into()),
            ..configured()
        };
        let shown = serde_json::to_string(&c).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(c.resolve_secret().unwrap().as_deref(), Some("s3cret"));
    }
}
