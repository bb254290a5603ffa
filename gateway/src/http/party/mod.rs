//! Party self-service over HTTP (`/v1/me/...`, and the page at `/me`): a creditor or debtor
//! signs in with VNeID and sees their own cases only. Another party's case, decision, receipt
//! or request answers 404, exactly like one that does not exist.
//!
//! Party sessions are separate from staff sessions: they travel in the `thads_party` cookie
//! only (HttpOnly, SameSite=Lax so the provider's redirect back can complete the sign-in; the
//! CSRF token in `X-CSRF-Token` guards unsafe methods). A staff bearer token or cookie is not a
//! party session, and a party cookie is not a staff session.
//!
//! # Layout
//! - [`sign_in`]: the VNeID sign-in (start, callback), sign-out and `GET /v1/me`.
//! - [`cases`]: the party's cases, document and receipt downloads, the transfer QR code.
//! - [`requests`]: requests for enforcement filed online.
//! - [`complaints`]: complaints and denunciations filed and followed online.
//! - [`page`]: the Vietnamese page that shows it all in a browser.

pub(in crate::http) mod cases;
pub(in crate::http) mod complaints;
mod page;
pub(in crate::http) mod requests;
pub(in crate::http) mod sign_in;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::routing::{get, post};
use axum::Router;
use thads_core::db::now_ms;
use thads_core::portal::sessions::{self, PartySession};
use thads_vneid::oidc::{CitizenOidcConfig, Oidc};

use super::auth::{constant_time_eq, cookie_value, CSRF_HEADER};
use super::problem::AppError;
use super::AppState;
use crate::party_config::PartyPortalConfig;

/// The party session cookie's name.
pub const PARTY_COOKIE: &str = "thads_party";

/// The cookie binding a sign-in's `state` to the browser that started it.
pub const SIGN_IN_COOKIE: &str = "thads_party_sign_in";

/// What the party routes need beyond [`AppState`]: the VNeID relying party and the
/// `[party_portal]` settings.
#[derive(Debug)]
pub struct PartyPortal {
    /// The VNeID relying party.
    pub oidc: Oidc,
    /// Session lifetimes, cookie flags, deposit accounts.
    pub config: PartyPortalConfig,
}

impl PartyPortal {
    /// The portal for these settings.
    pub fn new(
        oidc: &CitizenOidcConfig,
        config: PartyPortalConfig,
    ) -> Result<Self, thads_vneid::oidc::OidcError> {
        Ok(Self {
            oidc: Oidc::new(oidc)?,
            config,
        })
    }
}

impl Default for PartyPortal {
    fn default() -> Self {
        Self {
            oidc: Oidc::disabled(),
            config: PartyPortalConfig::default(),
        }
    }
}

/// The party routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(page::page))
        .route("/v1/me/sign-in", get(sign_in::start))
        .route("/v1/me/callback", get(sign_in::callback))
        .route("/v1/me/sign-out", post(sign_in::sign_out))
        .route("/v1/me", get(sign_in::me))
        .route("/v1/me/cases", get(cases::list))
        .route("/v1/me/cases/{id}", get(cases::show))
        .route(
            "/v1/me/cases/{id}/decisions/{decision}/pdf",
            get(cases::decision_pdf),
        )
        .route(
            "/v1/me/cases/{id}/decisions/{decision}/html",
            get(cases::decision_html),
        )
        .route("/v1/me/cases/{id}/receipts/{receipt}", get(cases::receipt))
        .route("/v1/me/cases/{id}/payment-qr", get(cases::payment_qr))
        .route(
            "/v1/me/cases/{id}/payment-qr.svg",
            get(cases::payment_qr_svg),
        )
        .route("/v1/me/requests", get(requests::list).post(requests::file))
        .route("/v1/me/requests/{id}", get(requests::show))
        .route("/v1/me/requests/{id}/slip", get(requests::slip))
        .route(
            "/v1/me/complaints",
            get(complaints::list).post(complaints::file),
        )
        .route("/v1/me/complaints/{id}", get(complaints::show))
        .route(
            "/v1/me/complaints/{id}/decision.pdf",
            get(complaints::decision),
        )
}

/// The signed-in party behind a request: add `party: CurrentParty` to a handler to require a
/// live party session (401 without one; 403 on a CSRF failure for unsafe methods).
#[derive(Debug, Clone)]
pub struct CurrentParty {
    /// The party.
    pub session: PartySession,
    token: String,
}

impl FromRequestParts<AppState> for CurrentParty {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(token) = cookie_value(&parts.headers, PARTY_COOKIE) else {
            return Err(AppError::Unauthorized(
                "Sign in with VNeID first (GET /v1/me/sign-in): no party session was sent.".into(),
            ));
        };
        let policy = state.party.config.policy();
        let Some(session) = sessions::resolve(&state.db, &token, &policy, now_ms()).await? else {
            return Err(AppError::Unauthorized(
                "The party session has expired or was closed; sign in with VNeID again.".into(),
            ));
        };
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if !constant_time_eq(sent, session.csrf_token.as_bytes()) {
                return Err(AppError::Forbidden(
                    "Send this session's CSRF token (GET /v1/me) in the X-CSRF-Token header."
                        .into(),
                ));
            }
        }
        Ok(CurrentParty { session, token })
    }
}

/// A cookie for the party pages.
fn cookie(name: &str, value: &str, path: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let c = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}
