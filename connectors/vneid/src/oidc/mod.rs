//! Signing parties in with VNeID (OpenID Connect): the authorization-code flow with PKCE (S256),
//! `state` and `nonce`, the ID token's signature checked against the provider's published keys
//! and its issuer, audience, expiry and nonce checked, and the party identified by the CCCD
//! claim.
//!
//! # Layout
//! - [`config`]: the `[citizen_oidc]` settings and their validation.
//! - `provider`: discovery document and keys (cached), authorization URL, code exchange.
//! - `id_token`: the checks on the ID token.

pub mod config;
mod id_token;
mod provider;

use std::time::Duration;

use jsonwebtoken::Algorithm;

pub use config::CitizenOidcConfig;
pub use id_token::VerifiedIdentity;
use provider::{Client, ProviderCache};

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// Sign-in is not configured (`[citizen_oidc] issuer`).
    #[error("VNeID sign-in is not configured")]
    NotConfigured,
    /// The provider could not be reached or answered something unusable: try again later.
    #[error("the identity provider is unavailable: {0}")]
    Provider(String),
    /// The provider refused the code (expired, used, not for this client).
    #[error("{0}")]
    Refused(String),
    /// The ID token failed a check; the reason names it.
    #[error("the ID token is refused: {0}")]
    Token(String),
    /// The configuration is unusable (a secret file that cannot be read, a TLS client).
    #[error("{0}")]
    Config(String),
}

/// The VNeID relying party: built once from `[citizen_oidc]`, shared by the sign-in routes.
#[derive(Debug)]
pub struct Oidc {
    config: CitizenOidcConfig,
    secret: Option<String>,
    algorithms: Vec<Algorithm>,
    cache: Option<ProviderCache>,
}

impl Oidc {
    /// The relying party for `config`; without an issuer every sign-in answers
    /// [`OidcError::NotConfigured`]. Nothing is fetched until the first sign-in.
    pub fn new(config: &CitizenOidcConfig) -> Result<Self, OidcError> {
        let secret = config
            .resolve_secret()
            .map_err(|e| OidcError::Config(format!("citizen_oidc.client_secret_file: {e}")))?;
        let algorithms = config
            .algorithms
            .iter()
            .map(|a| {
                a.parse::<Algorithm>()
                    .map_err(|_| OidcError::Config(format!("citizen_oidc.algorithms: {a:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cache = match &config.issuer {
            Some(issuer) => {
                let http = reqwest::Client::builder()
                    .timeout(config.timeout)
                    .connect_timeout(config.timeout.min(Duration::from_secs(5)))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| OidcError::Config(format!("HTTP client: {e}")))?;
                Some(ProviderCache::new(http, issuer, config.refresh))
            }
            None => None,
        };
        Ok(Self {
            config: config.clone(),
            secret,
            algorithms,
            cache,
        })
    }

    /// A relying party with sign-in switched off.
    pub fn disabled() -> Self {
        Self {
            config: CitizenOidcConfig::default(),
            secret: None,
            algorithms: Vec::new(),
            cache: None,
        }
    }

    /// Whether sign-in is configured.
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    fn parts(&self) -> Result<(&ProviderCache, Client<'_>), OidcError> {
        let (Some(cache), Some(id), Some(redirect_url)) = (
            &self.cache,
            self.config.client_id.as_deref(),
            self.config.redirect_url.as_deref(),
        ) else {
            return Err(OidcError::NotConfigured);
        };
        Ok((
            cache,
            Client {
                id,
                secret: self.secret.as_deref(),
                redirect_url,
            },
        ))
    }

    /// The provider URL that starts a sign-in carrying `state`, `nonce` and the S256 challenge
    /// of `code_verifier`.
    pub async fn authorization_url(
        &self,
        state: &str,
        nonce: &str,
        code_verifier: &str,
    ) -> Result<String, OidcError> {
        let (cache, client) = self.parts()?;
        let s = cache.snapshot(false).await?;
        provider::authorize_url(
            &s.metadata.authorization_endpoint,
            &client,
            &self.config.scopes,
            state,
            nonce,
            code_verifier,
        )
    }

    /// Exchanges `code` (with the sign-in's PKCE verifier) and checks the ID token against the
    /// sign-in's `nonce`; who signed in.
    pub async fn complete(
        &self,
        code: &str,
        code_verifier: &str,
        nonce: &str,
    ) -> Result<VerifiedIdentity, OidcError> {
        if nonce.is_empty() {
            return Err(OidcError::Token("no nonce was sent".into()));
        }
        let (cache, client) = self.parts()?;
        let mut s = cache.snapshot(false).await?;
        let token = cache
            .exchange(&s.metadata.token_endpoint, &client, code, code_verifier)
            .await?;
        if id_token::unknown_key(&token, &s.keys) {
            s = cache.snapshot(true).await?;
        }
        let leeway = self.config.clock_skew.as_secs();
        id_token::verify(
            &token,
            &s.keys,
            &id_token::Expected {
                issuer: &s.metadata.issuer,
                audience: client.id,
                nonce,
                algorithms: &self.algorithms,
                leeway,
                cccd_claim: &self.config.cccd_claim,
                name_claim: &self.config.name_claim,
            },
        )
    }
}
