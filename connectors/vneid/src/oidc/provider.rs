//! The provider side of the sign-in, over HTTP: the discovery document (endpoints, issuer) and
//! the signing keys (JWKS), read lazily and kept for `refresh`; the authorization URL the
//! browser is sent to; and the code exchange at the token endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::OidcError;

/// The parts of the discovery document the hub uses.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Metadata {
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: String,
    pub(crate) jwks_uri: String,
}

/// Metadata and keys read at one time.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) metadata: Metadata,
    pub(crate) keys: Arc<JwkSet>,
    read_at: Instant,
}

/// Reads and keeps the provider's metadata and keys.
#[derive(Debug)]
pub(crate) struct ProviderCache {
    http: reqwest::Client,
    issuer: String,
    refresh: Duration,
    current: Mutex<Option<Snapshot>>,
}

/// How soon keys may be read again because a token named an unknown key id.
const FORCED_REFRESH: Duration = Duration::from_secs(60);

impl ProviderCache {
    pub(crate) fn new(http: reqwest::Client, issuer: &str, refresh: Duration) -> Self {
        Self {
            http,
            issuer: issuer.trim_end_matches('/').to_string(),
            refresh,
            current: Mutex::new(None),
        }
    }

    /// The metadata and keys, read again when older than `refresh` or, with `force`, when
    /// older than a minute (a key rotation).
    pub(crate) async fn snapshot(&self, force: bool) -> Result<Snapshot, OidcError> {
        let mut current = self.current.lock().await;
        if let Some(s) = current.as_ref() {
            let age = s.read_at.elapsed();
            if age < self.refresh && !(force && age >= FORCED_REFRESH) {
                return Ok(s.clone());
            }
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let metadata: Metadata = self.get_json(&url).await?;
        if metadata.issuer.trim_end_matches('/') != self.issuer {
            return Err(OidcError::Provider(format!(
                "the discovery document names issuer {:?}, not the configured {:?}",
                metadata.issuer, self.issuer
            )));
        }
        let keys: JwkSet = self.get_json(&metadata.jwks_uri).await?;
        let s = Snapshot {
            metadata,
            keys: Arc::new(keys),
            read_at: Instant::now(),
        };
        *current = Some(s.clone());
        Ok(s)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let r = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("GET {url}: {e}")))?;
        if !r.status().is_success() {
            return Err(OidcError::Provider(format!(
                "GET {url} answered {}",
                r.status()
            )));
        }
        r.json()
            .await
            .map_err(|e| OidcError::Provider(format!("GET {url}: not the expected JSON: {e}")))
    }

    /// Exchanges an authorization code for the ID token (RFC 6749 §4.1.3 with the PKCE
    /// verifier of RFC 7636), authenticating with the client secret when there is one.
    pub(crate) async fn exchange(
        &self,
        token_endpoint: &str,
        client: &Client<'_>,
        code: &str,
        verifier: &str,
    ) -> Result<String, OidcError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", client.redirect_url),
            ("code_verifier", verifier),
        ];
        let mut request = self.http.post(token_endpoint);
        match client.secret {
            Some(secret) => {
                request = request.basic_auth(form_encode(client.id), Some(form_encode(secret)));
            }
            None => form.push(("client_id", client.id)),
        }
        let r = request
            .form(&form)
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        if !status.is_success() {
            let error = body["error"].as_str().unwrap_or("no error code");
            return if status.is_client_error() {
                Err(OidcError::Refused(format!(
                    "the token endpoint refused the code: {error}"
                )))
            } else {
                Err(OidcError::Provider(format!(
                    "the token endpoint answered {status}: {error}"
                )))
            };
        }
        body["id_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| OidcError::Provider("the token response has no id_token".into()))
    }
}

/// The hub's registration at the provider.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client<'a> {
    pub(crate) id: &'a str,
    pub(crate) secret: Option<&'a str>,
    pub(crate) redirect_url: &'a str,
}

/// `application/x-www-form-urlencoded` encoding, which HTTP Basic client credentials use
/// (RFC 6749 §2.3.1).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) without padding.
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The URL that starts the sign-in at the provider.
pub(crate) fn authorize_url(
    endpoint: &str,
    client: &Client<'_>,
    scopes: &[String],
    state: &str,
    nonce: &str,
    verifier: &str,
) -> Result<String, OidcError> {
    let mut url = url::Url::parse(endpoint)
        .map_err(|e| OidcError::Provider(format!("authorization_endpoint {endpoint:?}: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client.id)
        .append_pair("redirect_uri", client.redirect_url)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", &pkce_challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pkce_matches_the_rfc_example() {
        // RFC 7636, Appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorization_url_carries_state_nonce_and_challenge() {
        let client = Client {
            id: "thads hub",
            secret: None,
            redirect_url: "https://thads.example.vn/v1/me/callback",
        };
        let u = authorize_url(
            "https://sso.vneid.test/authorize?ui=vi",
            &client,
            &["openid".into(), "profile".into()],
            "st",
            "no",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        )
        .unwrap();
        let parsed = url::Url::parse(&u).unwrap();
        let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["ui"], "vi");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "thads hub");
        assert_eq!(q["scope"], "openid profile");
        assert_eq!(q["state"], "st");
        assert_eq!(q["nonce"], "no");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(
            q["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(form_encode("a b:c"), "a+b%3Ac");
    }
}
