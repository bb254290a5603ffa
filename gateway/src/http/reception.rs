//! The citizen reception log over HTTP: `POST /v1/reception/visits` records a visit to the
//! caller's office (clerk, officer or head); `GET /v1/reception/visits?from=&to=` lists the
//! visits of the offices the caller sees, newest first.

use crate::http::extract::Query;
use crate::http::problem::answers;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::complaints::reception::{NewVisit, Visit};
use time::{Date, OffsetDateTime};

use super::auth::CurrentActor;
use super::complaints::{complaints, json_body};
use super::problem::AppError;
use super::AppState;

/// The reception routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/reception/visits", post(record).get(list))
}

#[utoipa::path(
    post,
    path = "/v1/reception/visits",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    request_body(content = thads_core::complaints::reception::NewVisit, content_type = "application/json"),
    responses(
        (status = 201, description = "The visit logged (tiếp công dân).", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn record(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Visit>), AppError> {
    let visit: NewVisit = json_body(&state, body)?;
    let c = complaints(&state)?;
    let recorded = c
        .record_visit(&actor, visit, OffsetDateTime::now_utc())
        .await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Period {
    #[serde(default, with = "thads_schemas::bank::iso_date::option")]
    from: Option<Date>,
    #[serde(default, with = "thads_schemas::bank::iso_date::option")]
    to: Option<Date>,
}

#[utoipa::path(
    get,
    path = "/v1/reception/visits",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("from" = Option<String>, Query, description = "First day (YYYY-MM-DD).", format = Date),
        ("to" = Option<String>, Query, description = "Last day (YYYY-MM-DD).", format = Date),
    ),
    responses(
        (status = 200, description = "The visits of the person's offices.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(p): Query<Period>,
) -> Result<Json<Vec<Visit>>, AppError> {
    let c = complaints(&state)?;
    Ok(Json(c.visits(&actor, p.from, p.to, None).await?))
}
