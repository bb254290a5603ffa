//! Signing a party in with VNeID: `GET /v1/me/sign-in` records a pending sign-in (state,
//! nonce, PKCE verifier), binds its state to the browser with a short-lived cookie and sends
//! the browser to the provider; `GET /v1/me/callback` takes the pending sign-in once, checks
//! that the browser is the one that started it, exchanges the code, checks the ID token and
//! opens a party session. `POST /v1/me/sign-out` closes it and `GET /v1/me` says who is
//! signed in. Every sign-in and refusal is audited and counted
//! (`thads_operations_total{operation="party_sign_in"}`), with the CCCD masked.

use crate::http::extract::Query;
use crate::http::problem::answers;
use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thads_core::db::now_ms;
use thads_core::portal::sessions::{self, OpenedPartySession, SignedInParty};
use thads_vneid::oidc::OidcError;

use super::super::auth::{constant_time_eq, cookie_value};
use super::super::problem::AppError;
use super::super::AppState;
use super::{cookie, CurrentParty, PARTY_COOKIE, SIGN_IN_COOKIE};

/// Where the browser goes after sign-in unless told otherwise.
const HOME: &str = "/me";

fn from_oidc(e: OidcError) -> AppError {
    match e {
        OidcError::NotConfigured => AppError::Unavailable(
            "VNeID sign-in is not configured on this hub ([citizen_oidc]).".into(),
        ),
        OidcError::Provider(_) => AppError::Unavailable(format!("{e}; try again later.")),
        OidcError::Refused(_) | OidcError::Token(_) => AppError::Unauthorized(e.to_string()),
        OidcError::Config(_) => AppError::Internal(e.to_string()),
    }
}

/// A path of this hub to return to: absolute path, never another site (`//host`, `/\host`).
fn safe_return_to(asked: Option<&str>) -> String {
    match asked {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.len() <= 512
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.to_string()
        }
        _ => HOME.to_string(),
    }
}

/// `GET /v1/me/sign-in?return_to=/me`.
#[derive(Debug, Deserialize)]
pub(super) struct StartQuery {
    #[serde(default)]
    return_to: Option<String>,
}

/// Starts a sign-in: 303 to the provider's authorization endpoint.
#[utoipa::path(
    get,
    path = "/v1/me/sign-in",
    tag = "party",
    params(
        ("return_to" = Option<String>, Query, description = "Where to go after signing in (a path of this hub)."),
    ),
    responses(
        (status = 303, description = "To VNeID's authorization endpoint (state, nonce, PKCE)."),
        answers::Invalid,
        answers::Unavailable,
    ),
)]
pub(super) async fn start(
    State(state): State<AppState>,
    Query(q): Query<StartQuery>,
) -> Result<Response, AppError> {
    let portal = &state.party;
    if !portal.oidc.enabled() {
        return Err(from_oidc(OidcError::NotConfigured));
    }
    let policy = portal.config.policy();
    let pending = sessions::begin_sign_in(
        &state.db,
        &safe_return_to(q.return_to.as_deref()),
        &policy,
        now_ms(),
    )
    .await?;
    let url = portal
        .oidc
        .authorization_url(&pending.state, &pending.nonce, &pending.code_verifier)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "cannot start a VNeID sign-in");
            from_oidc(e)
        })?;
    let location = HeaderValue::from_str(&url)
        .map_err(|_| AppError::Internal("the authorization URL is not a header value".into()))?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (
                header::SET_COOKIE,
                cookie(
                    SIGN_IN_COOKIE,
                    &pending.state,
                    "/v1/me/callback",
                    policy.sign_in.as_secs(),
                    portal.config.cookie_secure,
                ),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response())
}

/// What the provider sends back (RFC 6749 §4.1.2 and §4.1.2.1).
#[derive(Debug, Deserialize)]
pub(super) struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Completes a sign-in: 303 to where the party was going, with the session cookie; 401 for a
/// refused or forged answer, 503 when the provider cannot be reached.
#[utoipa::path(
    get,
    path = "/v1/me/callback",
    tag = "party",
    params(
        ("code" = Option<String>, Query, description = "The authorization code."),
        ("state" = Option<String>, Query, description = "The state the sign-in started with."),
        ("error" = Option<String>, Query, description = "The provider's refusal."),
    ),
    responses(
        (status = 303, description = "Signed in: the `thads_party` session cookie set, back to where the party was going."),
        answers::Unauthorized,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
pub(super) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let secure = state.party.config.cookie_secure;
    let clear = cookie(SIGN_IN_COOKIE, "", "/v1/me/callback", 0, secure);
    match complete(&state, &headers, q).await {
        Ok((session, return_to)) => {
            let max_age = state.party.config.session_absolute.as_secs();
            let location = HeaderValue::from_str(&return_to)
                .unwrap_or_else(|_| HeaderValue::from_static(HOME));
            let mut response = (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, location),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookie(PARTY_COOKIE, &session.token, "/", max_age, secure),
            );
            h.append(header::SET_COOKIE, clear);
            response
        }
        Err(e) => {
            let outcome = match &e {
                AppError::Unauthorized(_) => "refused",
                _ => "error",
            };
            state.metrics.operation("party_sign_in", outcome);
            if outcome == "refused" {
                let detail = e.to_string();
                tracing::info!(reason = %detail, "VNeID sign-in refused");
                let act = thads_core::audit::Act {
                    actor: "vneid",
                    action: "party.sign_in_refused",
                    subject: "-",
                    detail: &detail,
                    content_hash: None,
                };
                if let Err(err) = thads_core::audit::record_alone(&state.db, &act).await {
                    tracing::warn!(error = %err, "cannot audit a refused party sign-in");
                }
            }
            let mut response = e.into_response();
            response.headers_mut().append(header::SET_COOKIE, clear);
            response
        }
    }
}

async fn complete(
    state: &AppState,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> Result<(OpenedPartySession, String), AppError> {
    let Some(sign_in_state) = q.state.filter(|s| !s.is_empty()) else {
        return Err(AppError::Unauthorized(
            "The answer from VNeID carries no state; start the sign-in again.".into(),
        ));
    };
    let bound = cookie_value(headers, SIGN_IN_COOKIE).unwrap_or_default();
    if !constant_time_eq(bound.as_bytes(), sign_in_state.as_bytes()) {
        return Err(AppError::Unauthorized(
            "This sign-in was not started in this browser; start it again.".into(),
        ));
    }
    let now = now_ms();
    let Some(pending) = sessions::take_sign_in(&state.db, &sign_in_state, now).await? else {
        return Err(AppError::Unauthorized(
            "This sign-in is unknown, already used or expired; start it again.".into(),
        ));
    };
    if let Some(error) = q.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return Err(AppError::Unauthorized(format!(
            "VNeID did not sign you in ({error})."
        )));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return Err(AppError::Unauthorized(
            "The answer from VNeID carries no code; start the sign-in again.".into(),
        ));
    };
    let identity = state
        .party
        .oidc
        .complete(&code, &pending.code_verifier, &pending.nonce)
        .await
        .map_err(|e| {
            if matches!(e, OidcError::Provider(_) | OidcError::Config(_)) {
                tracing::warn!(error = %e, "VNeID sign-in failed");
            }
            from_oidc(e)
        })?;
    let party = SignedInParty {
        cccd: identity.cccd,
        name: identity.name,
        subject: identity.subject,
        issuer: identity.issuer,
    };
    let session = sessions::open(&state.db, &party, &state.party.config.policy(), now).await?;
    let masked = party.cccd.masked();
    thads_core::audit::record_alone(
        &state.db,
        &thads_core::audit::Act {
            actor: &format!("vneid:{masked}"),
            action: "party.sign_in",
            subject: &masked,
            detail: "signed in through VNeID",
            content_hash: None,
        },
    )
    .await?;
    state.metrics.operation("party_sign_in", "performed");
    tracing::info!(party = %masked, "party signed in through VNeID");
    Ok((session, pending.return_to))
}

/// Who is signed in.
#[derive(Debug, Serialize)]
struct Me {
    cccd: String,
    name: Option<String>,
    csrf_token: String,
}

/// `GET /v1/me`: the signed-in party and the CSRF token the page sends on unsafe requests.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    responses(
        (status = 200, description = "The signed-in party (CCCD masked) and the session's CSRF token.", body = Object),
        answers::Unauthorized,
    ),
)]
pub(super) async fn me(party: CurrentParty) -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(Me {
            cccd: party.session.cccd.as_str().to_string(),
            name: party.session.name.clone(),
            csrf_token: party.session.csrf_token.clone(),
        }),
    )
        .into_response()
}

/// `POST /v1/me/sign-out`: closes the session and clears the cookie.
#[utoipa::path(
    post,
    path = "/v1/me/sign-out",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    responses(
        (status = 204, description = "Signed out."),
        answers::Unauthorized,
        answers::Forbidden,
    ),
)]
pub(super) async fn sign_out(
    State(state): State<AppState>,
    party: CurrentParty,
) -> Result<Response, AppError> {
    sessions::close(&state.db, &party.token).await?;
    tracing::info!(party = %party.session.cccd.masked(), "party signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            cookie(PARTY_COOKIE, "", "/", 0, state.party.config.cookie_secure),
        )],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_hub_are_returned_to() {
        assert_eq!(safe_return_to(Some("/me?case=1")), "/me?case=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "me",
            "/a b",
        ] {
            assert_eq!(safe_return_to(Some(bad)), HOME, "{bad}");
        }
        assert_eq!(safe_return_to(None), HOME);
    }
}
