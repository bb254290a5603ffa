//! Extraction over HTTP: staff post a judgment's text (or XML) and get the proposed parties and
//! obligations; an officer or head confirms them, corrected, and both versions are kept.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::extractions::{self, ExtractionError, ExtractionView};
use thads_core::staff::{Actor, Role};
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;

use super::auth::{require_role, CurrentActor};
use super::extract::{Path, Query};
use super::problem::{answers, AppError};
use super::AppState;

/// The extraction routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/extractions", post(post_extraction))
        .route("/v1/extractions/{id}", get(get_extraction))
        .route("/v1/extractions/{id}/confirm", post(post_confirm))
}

impl From<ExtractionError> for AppError {
    fn from(e: ExtractionError) -> Self {
        match e {
            ExtractionError::Unreadable(reason) => AppError::Invalid {
                errors: vec![FieldError {
                    field: "body".into(),
                    reason,
                }],
                message_id: None,
            },
            ExtractionError::Invalid { field, reason } => AppError::Invalid {
                errors: vec![FieldError { field, reason }],
                message_id: None,
            },
            ExtractionError::AlreadyConfirmed(_) => AppError::Refused(e.to_string()),
            ExtractionError::Db(e) => AppError::from(e),
        }
    }
}

/// `?case_id=` ties the extraction to a case of the actor's office.
#[derive(Debug, Deserialize)]
struct ProposeQuery {
    case_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/v1/extractions",
    tag = "extraction",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("case_id" = Option<String>, Query, description = "Attach the proposal to this case.")),
    request_body(content = String, content_type = "text/plain", description = "A judgment's text (or its XML)."),
    responses(
        (status = 201, description = "The parties and obligations proposed.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_extraction(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<ProposeQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<ExtractionView>), AppError> {
    require_role(&actor, &[Role::Officer, Role::Head, Role::Clerk])?;
    let body = state.body(body)?;
    if let Some(case_id) = &q.case_id {
        let office: Option<String> =
            sqlx::query_scalar("SELECT office_code FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(state.db.pool())
                .await?;
        if office.is_none_or(|o| o != actor.office.as_str()) {
            return Err(AppError::NotFound("case".into()));
        }
    }
    let view = extractions::propose(&state.db, &actor, q.case_id.as_deref(), &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn visible(state: &AppState, actor: &Actor, id: &str) -> Result<ExtractionView, AppError> {
    extractions::load(&state.db, id)
        .await?
        .filter(|v| OfficeCode::parse(&v.office).is_ok_and(|o| actor.covers_office(&o)))
        .ok_or(AppError::NotFound("extraction".into()))
}

#[utoipa::path(
    get,
    path = "/v1/extractions/{id}",
    tag = "extraction",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The extraction id.")),
    responses(
        (status = 200, description = "The proposal and any confirmation.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_extraction(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<ExtractionView>, AppError> {
    Ok(Json(visible(&state, &actor, &id).await?))
}

#[utoipa::path(
    post,
    path = "/v1/extractions/{id}/confirm",
    tag = "extraction",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The extraction id.")),
    request_body(content = Object, content_type = "application/json", description = "The proposal as corrected by the officer."),
    responses(
        (status = 200, description = "Confirmed: both versions and the corrected fields kept.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_confirm(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ExtractionView>, AppError> {
    require_role(&actor, &[Role::Officer, Role::Head])?;
    let body = state.body(body)?;
    visible(&state, &actor, &id).await?;
    extractions::confirm(&state.db, &actor, &id, &body)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("extraction".into()))
}
