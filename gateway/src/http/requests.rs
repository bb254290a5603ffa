//! Requests for enforcement over HTTP: `POST /v1/requests` (filed at reception or passed on
//! from the online portal by a member of staff), and the receipt slip as JSON or printable
//! HTML.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use thads_core::requests::{self, Accepted, RequestError};
use thads_core::staff::Role;
use thads_schemas::office::OfficeCode;
use time::OffsetDateTime;

use super::auth::{require_role, CurrentActor};
use super::extract::Path;
use super::problem::{answers, AppError};
use super::AppState;

/// The request routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/requests", post(post_request))
        .route("/v1/requests/{id}", get(get_request))
        .route("/v1/requests/{id}/slip", get(get_slip))
}

impl From<RequestError> for AppError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Invalid { errors, message_id } => AppError::Invalid {
                errors,
                message_id: Some(message_id),
            },
            RequestError::Forbidden(m) => AppError::Forbidden(m),
            RequestError::Conflict(_) => AppError::Conflict(e.to_string()),
            RequestError::Calendar(c) => AppError::Invalid {
                errors: vec![thads_schemas::validation::FieldError {
                    field: "/judgment/effective_date".into(),
                    reason: c.to_string(),
                }],
                message_id: None,
            },
            RequestError::Db(e) => AppError::from(e),
        }
    }
}

/// Files one request; 201 with the slip's data, 200 for a resend.
#[utoipa::path(
    post,
    path = "/v1/requests",
    tag = "requests",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    request_body(content = thads_schemas::request::EnforcementRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Filed before: the same slip.", body = Object),
        (status = 201, description = "Filed: numbered in the request book, with the receipt slip's data.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_request(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    require_role(&actor, &[Role::Clerk, Role::Head, Role::Officer])?;
    let body = state.body(body)?;
    let accepted = requests::accept(
        &state.db,
        state.lifecycle.schedule(),
        &actor,
        &body,
        OffsetDateTime::now_utc(),
    )
    .await?;
    let status = if accepted.duplicate {
        StatusCode::OK
    } else {
        tracing::info!(request = %accepted.request_id, number = %accepted.register_number, "request for enforcement received");
        StatusCode::CREATED
    };
    Ok((status, Json(accepted)))
}

async fn visible(
    state: &AppState,
    actor: &thads_core::staff::Actor,
    id: &str,
) -> Result<Accepted, AppError> {
    let found = requests::load(&state.db, id)
        .await?
        .filter(|a| OfficeCode::parse(&a.office).is_ok_and(|o| actor.covers_office(&o)));
    found.ok_or(AppError::NotFound("request".into()))
}

/// A request's slip data.
#[utoipa::path(
    get,
    path = "/v1/requests/{id}",
    tag = "requests",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The request id.")),
    responses(
        (status = 200, description = "The slip's data.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_request(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Accepted>, AppError> {
    Ok(Json(visible(&state, &actor, &id).await?))
}

/// The printable receipt slip.
#[utoipa::path(
    get,
    path = "/v1/requests/{id}/slip",
    tag = "requests",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The request id.")),
    responses(
        (status = 200, description = "The printable receipt slip (phiếu nhận đơn).", body = String, content_type = "text/html"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_slip(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = visible(&state, &actor, &id).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Html(thads_core::requests::slip::html(&a)),
    )
        .into_response())
}
