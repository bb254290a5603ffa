//! The party portal's complaint routes: a partner endpoint the portal (VNeID sign-in) calls on
//! the complainant's behalf, authenticated by the portal's bearer token
//! (`[complaints] portal_token_file`; without it: 503). Until the portal's session carries the
//! signed-in party, the complainant's identity is the CCCD and name in the body; the portal must
//! only send the identity VNeID proved. The CCCD never travels in a URL:
//!
//! - `POST /v1/portal/complaints`: file a complaint online (the filing document, `channel`
//!   `online`); 201 (200 for a resend).
//! - `POST /v1/portal/complaints/{id}/status` `{"cccd": "…"}`: the state, deadlines and answer.
//! - `POST /v1/portal/complaints/{id}/decision` `{"cccd": "…"}`: the signed answer as PDF.
//!
//! Any other CCCD than the complainant's answers 404, as for an unknown id.

use crate::http::extract::Path;
use crate::http::problem::answers;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::complaints::filing::{Filed, Source};
use thads_core::complaints::view::CitizenView;
use thads_schemas::cccd::Cccd;
use thads_schemas::subjects;
use time::OffsetDateTime;

use super::complaints::{complaints, filed, json_body, pdf_response, services};
use super::problem::AppError;
use super::AppState;

/// The portal routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/portal/complaints", post(file))
        .route("/v1/portal/complaints/{id}/status", post(status))
        .route("/v1/portal/complaints/{id}/decision", post(decision))
}

/// Who the portal asks for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Complainant {
    cccd: Cccd,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lets the portal in: partners open, the token configured, and presented.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    state.open_for_partners()?;
    let Some(token) = services().portal_token.as_deref() else {
        return Err(AppError::Unavailable(
            "The portal's complaint routes are not enabled: complaints.portal_token_file is not configured.".into(),
        ));
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    if presented.is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes())) {
        Ok(())
    } else {
        state
            .metrics
            .received(subjects::IN_CITIZEN_COMPLAINT, "unauthorized");
        Err(AppError::Unauthorized(
            "The portal's routes need `Authorization: Bearer <the portal token>`.".into(),
        ))
    }
}

#[utoipa::path(
    post,
    path = "/v1/portal/complaints",
    tag = "complaints",
    security(
        ("portal_token" = []),
    ),
    request_body(content = thads_schemas::complaint::ComplaintFiling, content_type = "application/json"),
    responses(
        (status = 200, description = "Filed before: the same complaint.", body = Object),
        (status = 201, description = "Filed.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Filed>), AppError> {
    authenticate(&state, &headers)?;
    let body = state.body(body)?;
    let c = complaints(&state)?;
    Ok(filed(
        c.file(Source::Portal, &body, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/v1/portal/complaints/{id}/status",
    tag = "complaints",
    security(
        ("portal_token" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    request_body(content = Complainant, content_type = "application/json"),
    responses(
        (status = 200, description = "The complaint as its complainant may see it.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<CitizenView>, AppError> {
    authenticate(&state, &headers)?;
    let who: Complainant = json_body(&state, body)?;
    let c = complaints(&state)?;
    Ok(Json(
        c.citizen_view(&id, &who.cccd, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/v1/portal/complaints/{id}/decision",
    tag = "complaints",
    security(
        ("portal_token" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    request_body(content = Complainant, content_type = "application/json"),
    responses(
        (status = 200, description = "The signed answer as PDF.", body = Vec<u8>, content_type = "application/pdf"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
async fn decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    authenticate(&state, &headers)?;
    let who: Complainant = json_body(&state, body)?;
    let c = complaints(&state)?;
    Ok(pdf_response(&id, c.citizen_pdf(&id, &who.cccd).await?))
}
