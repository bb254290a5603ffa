//! Staff sign-in over HTTP: `POST /v1/auth/sign-in`, `POST /v1/auth/sign-out`,
//! `GET /v1/auth/me`, and the extractors other handlers use to know who is calling
//! ([`CurrentActor`], [`SignedIn`]) with the role and office checks ([`require_role`],
//! [`require_office`]).
//!
//! A session token travels either in the `thads_session` cookie (the console in a browser:
//! HttpOnly, SameSite=Strict) or as `Authorization: Bearer <token>` (API clients). A browser
//! sends cookies on its own, so cookie-authenticated unsafe requests must also carry the
//! session's CSRF token in `X-CSRF-Token`; a bearer token is never sent implicitly and needs none.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use thads_core::db::{now_ms, rfc3339, Db};
use thads_core::staff::accounts::{self, SignInError};
use thads_core::staff::sessions::{self, SessionError};
use thads_core::staff::{Actor, Role};
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;

use super::problem::answers;
use super::problem::AppError;
use super::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "thads_session";

/// The header a cookie-authenticated unsafe request must carry, holding the session's CSRF
/// token (returned by sign-in and `/v1/auth/me`).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The sign-in and session routes, merged into the hub's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/sign-in", post(sign_in))
        .route("/v1/auth/sign-out", post(sign_out))
        .route("/v1/auth/me", get(me))
}

/// How the caller presented its session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The `thads_session` cookie (a browser): unsafe methods need `X-CSRF-Token`.
    Cookie,
    /// `Authorization: Bearer` (an API client).
    Bearer,
}

/// A caller with a live session: the actor plus what sign-out and the console need (the CSRF
/// token, and the token to close). Extracting it checks the session and, for cookie-borne
/// unsafe requests, the CSRF header; it answers 401 without a live session and 403 on a CSRF
/// failure.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who is calling.
    pub actor: Actor,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// How the token was presented.
    pub credential: Credential,
    token: String,
}

/// The signed-in person behind a request, for handlers that act on their behalf: add
/// `CurrentActor(actor): CurrentActor` to a handler's arguments to require a live session
/// (cookie with CSRF check on unsafe methods, or bearer token).
#[derive(Debug, Clone)]
pub struct CurrentActor(pub Actor);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(done) = parts.extensions.get::<SignedIn>() {
            return Ok(done.clone());
        }
        let Some((token, credential)) = presented_token(&parts.headers)? else {
            return Err(AppError::Unauthorized(
                "Sign in first: no session cookie or bearer token was sent.".into(),
            ));
        };
        let policy = state.staff.session_policy();
        let resolved = sessions::resolve(&state.db, &token, &policy, now_ms())
            .await
            .map_err(|e| match e {
                SessionError::Sql(e) => AppError::from(e),
                SessionError::Corrupt(d) => AppError::Internal(d),
            })?;
        let Some((actor, csrf_token)) = resolved else {
            return Err(AppError::Unauthorized(
                "The session has expired or was closed; sign in again.".into(),
            ));
        };
        if credential == Credential::Cookie && !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if sent.is_empty() {
                return Err(AppError::Forbidden(
                    "This request is authenticated by the session cookie: send the session's CSRF token in the X-CSRF-Token header.".into(),
                ));
            }
            if !constant_time_eq(sent, csrf_token.as_bytes()) {
                return Err(AppError::Forbidden(
                    "The X-CSRF-Token header does not match this session's CSRF token.".into(),
                ));
            }
        }
        let signed_in = SignedIn {
            actor,
            csrf_token,
            credential,
            token,
        };
        parts.extensions.insert(signed_in.clone());
        Ok(signed_in)
    }
}

impl FromRequestParts<AppState> for CurrentActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        SignedIn::from_request_parts(parts, state)
            .await
            .map(|s| CurrentActor(s.actor))
    }
}

/// Refuses (403) unless the actor has one of `roles`; for handlers whose action the law gives
/// to certain roles only (a decision to the head, a replay to an administrator).
pub fn require_role(actor: &Actor, roles: &[Role]) -> Result<(), AppError> {
    if roles.contains(&actor.role) {
        return Ok(());
    }
    let wanted: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Err(AppError::Forbidden(format!(
        "This needs the role {}; {} is signed in as {}.",
        wanted.join(" or "),
        actor.username,
        actor.role
    )))
}

/// Refuses (403) unless the actor's office covers `office` (see [`Actor::covers_office`]); for
/// handlers that read or change one office's cases.
pub fn require_office(actor: &Actor, office: &OfficeCode) -> Result<(), AppError> {
    if actor.covers_office(office) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "Office {office} is outside the reach of {} ({} of office {}).",
            actor.username, actor.role, actor.office
        )))
    }
}

/// The office of case `case_id` when the actor's office covers it (any role: every member of
/// the office reads its cases; administrators those of the offices they cover); 404 "case"
/// both when there is no such case and when it belongs to another office, so other offices
/// do not learn that it exists (as `GET /v1/cases/{id}/operations` does).
pub(crate) async fn visible_case(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
) -> Result<OfficeCode, AppError> {
    let office: Option<String> = sqlx::query_scalar("SELECT office_code FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(state.db.pool())
        .await?;
    office
        .and_then(|o| OfficeCode::parse(&o).ok())
        .filter(|o| actor.covers_office(o))
        .ok_or(AppError::NotFound("case".into()))
}

/// Logs how to create the first account when there is none: the hub never creates an account
/// or a default password by itself.
pub async fn warn_if_no_accounts(db: &Db) {
    match accounts::count(db).await {
        Ok(0) => tracing::warn!(
            "there are no staff accounts and none is created automatically; create the first \
             administrator with `thads-hub staff add admin --role administrator --office CUC \
             --name \"Full Name\" --password-file FILE` (see docs/staff.md)"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot count staff accounts"),
    }
}

/// The token from `Authorization: Bearer` (preferred) or the session cookie.
fn presented_token(headers: &HeaderMap) -> Result<Option<(String, Credential)>, AppError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default().trim();
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty());
        return match token {
            Some(token) => Ok(Some((token.to_string(), Credential::Bearer))),
            None => Err(AppError::Unauthorized(
                "The Authorization header must be `Bearer <token>` with the token sign-in returned."
                    .into(),
            )),
        };
    }
    Ok(cookie_value(headers, SESSION_COOKIE).map(|t| (t, Credential::Cookie)))
}

/// The value of cookie `name` among the request's `Cookie` headers.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.trim_matches('"').to_string())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn session_cookie(value: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The client address for the sign-in audit: the proxy's `X-Forwarded-For` (as claimed) and
/// the peer that sent the request.
fn remote_of(request: &Request) -> Option<String> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match (forwarded, peer) {
        (Some(f), Some(p)) => Some(format!("{f} via {p}")),
        (Some(f), None) => Some(format!("{f} (forwarded)")),
        (None, peer) => peer,
    }
}

/// A sign-in form or JSON body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct SignInRequest {
    username: String,
    password: String,
}

/// Who is signed in, as sign-in and `/v1/auth/me` return it.
#[derive(Debug, Serialize)]
struct Identity {
    username: String,
    display_name: String,
    role: Role,
    role_title: &'static str,
    office: OfficeCode,
    csrf_token: String,
}

impl Identity {
    fn new(actor: Actor, csrf_token: String) -> Self {
        Self {
            role_title: actor.role.title_vi(),
            username: actor.username,
            display_name: actor.display_name,
            role: actor.role,
            office: actor.office,
            csrf_token,
        }
    }
}

#[derive(Debug, Serialize)]
struct SignInResponse {
    #[serde(flatten)]
    identity: Identity,
    /// The session token, for API clients that send `Authorization: Bearer`.
    token: String,
    /// The absolute end of the session (RFC 3339).
    expires_at: String,
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError {
            field: field.into(),
            reason: reason.into(),
        }],
        message_id: None,
    }
}

async fn read_sign_in(request: Request, state: &AppState) -> Result<SignInRequest, AppError> {
    let media = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/json" => Json::<SignInRequest>::from_request(request, state)
            .await
            .map(|Json(b)| b)
            .map_err(|e| invalid("body", e.body_text())),
        "application/x-www-form-urlencoded" => Form::<SignInRequest>::from_request(request, state)
            .await
            .map(|Form(b)| b)
            .map_err(|e| invalid("body", e.body_text())),
        _ => Err(AppError::MediaType(format!(
            "Content-Type must be application/json or application/x-www-form-urlencoded, got {media:?}."
        ))),
    }
}

/// `POST /v1/auth/sign-in`: checks the credentials, opens a session, sets the cookie and
/// returns who signed in with the CSRF token and the bearer token.
#[utoipa::path(
    post,
    path = "/v1/auth/sign-in",
    tag = "staff",
    request_body(content = SignInRequest, description = "JSON, or an HTML form (`application/x-www-form-urlencoded`).", content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in: the identity, the bearer token and the session cookie.", body = Object),
        answers::Unauthorized,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
    ),
)]
async fn sign_in(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let remote = remote_of(&request);
    let body = read_sign_in(request, &state).await?;
    let mut errors = Vec::new();
    if body.username.trim().is_empty() {
        errors.push(("username", "is required"));
    }
    if body.password.is_empty() {
        errors.push(("password", "is required"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            errors: errors
                .into_iter()
                .map(|(field, reason)| FieldError {
                    field: field.into(),
                    reason: reason.into(),
                })
                .collect(),
            message_id: None,
        });
    }
    let now = now_ms();
    let actor = accounts::authenticate(
        &state.db,
        &state.staff.lockout_policy(),
        &body.username,
        &body.password,
        remote.as_deref(),
        now,
    )
    .await
    .map_err(|e| {
        tracing::info!(username = %accounts::normalize_username(&body.username), outcome = %e, "staff sign-in refused");
        match e {
            SignInError::InvalidCredentials => {
                AppError::Unauthorized("Wrong username or password.".into())
            }
            SignInError::Locked { until } => AppError::Unauthorized(format!(
                "Too many failed sign-in attempts: sign-in is locked until {} (UTC), even with the right password. Try again later or ask an administrator.",
                rfc3339(until)
            )),
            SignInError::Disabled => AppError::Forbidden(
                "This account is disabled; ask an administrator.".into(),
            ),
            SignInError::Corrupt(d) => AppError::Internal(d),
            SignInError::Sql(e) => AppError::from(e),
        }
    })?;
    let policy = state.staff.session_policy();
    let session = sessions::open(&state.db, &actor.username, &policy, now).await?;
    tracing::info!(username = %actor.username, role = %actor.role, office = %actor.office, "staff signed in");
    let cookie = session_cookie(
        &session.token,
        policy.absolute.as_secs(),
        state.staff.cookie_secure,
    );
    let body = SignInResponse {
        identity: Identity::new(actor, session.csrf_token),
        token: session.token,
        expires_at: rfc3339(session.expires_at),
    };
    Ok((
        StatusCode::OK,
        [
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Json(body),
    )
        .into_response())
}

/// `POST /v1/auth/sign-out`: closes the session and clears the cookie.
#[utoipa::path(
    post,
    path = "/v1/auth/sign-out",
    tag = "staff",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    responses(
        (status = 204, description = "Signed out; the session ends."),
        answers::Unauthorized,
        answers::Forbidden,
    ),
)]
async fn sign_out(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    sessions::close(&state.db, &signed_in.token).await?;
    tracing::info!(username = %signed_in.actor.username, "staff signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            session_cookie("", 0, state.staff.cookie_secure),
        )],
    )
        .into_response())
}

/// `GET /v1/auth/me`: who the session belongs to, with its CSRF token (so a reloaded console
/// can find it again).
#[utoipa::path(
    get,
    path = "/v1/auth/me",
    tag = "staff",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    responses(
        (status = 200, description = "The signed-in person and the session's CSRF token.", body = Object),
        answers::Unauthorized,
    ),
)]
async fn me(signed_in: SignedIn) -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(Identity::new(signed_in.actor, signed_in.csrf_token)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn actor(role: Role, office: &str) -> Actor {
        Actor {
            username: "an".into(),
            display_name: "An".into(),
            role,
            office: OfficeCode::parse(office).unwrap(),
        }
    }

    #[test]
    fn roles_are_required() {
        let officer = actor(Role::Officer, "HCM-KV01");
        assert!(require_role(&officer, &[Role::Officer, Role::Head]).is_ok());
        let e = require_role(&officer, &[Role::Head]).unwrap_err();
        assert!(
            matches!(&e, AppError::Forbidden(d) if d.contains("head")),
            "{e}"
        );
        assert_eq!(e.into_response().status(), StatusCode::FORBIDDEN);
    }

    #[test]
    fn offices_are_required() {
        let kv1 = OfficeCode::parse("HCM-KV01").unwrap();
        let kv2 = OfficeCode::parse("HCM-KV02").unwrap();
        assert!(require_office(&actor(Role::Officer, "HCM-KV01"), &kv1).is_ok());
        assert!(require_office(&actor(Role::Officer, "HCM-KV01"), &kv2).is_err());
        assert!(require_office(&actor(Role::Administrator, "HCM"), &kv2).is_ok());
    }

    #[test]
    fn tokens_come_from_bearer_first_then_cookie() {
        let mut h = HeaderMap::new();
        assert!(presented_token(&h).unwrap().is_none());
        h.append(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; thads_session=abc; x=1"),
        );
        assert_eq!(
            presented_token(&h).unwrap(),
            Some(("abc".into(), Credential::Cookie))
        );
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  def"),
        );
        assert_eq!(
            presented_token(&h).unwrap(),
            Some(("def".into(), Credential::Bearer))
        );
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic eHk="),
        );
        assert!(presented_token(&h).is_err());
    }

    #[test]
    fn unauthorized_is_401_with_a_challenge() {
        let r = AppError::Unauthorized("x".into()).into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }

    #[test]
    fn cookies_are_strict_http_only_and_optionally_secure() {
        let c = session_cookie("tok", 60, false);
        let c = c.to_str().unwrap();
        assert!(c.starts_with("thads_session=tok;"));
        for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!c.contains("Secure"));
        assert!(session_cookie("tok", 60, true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
