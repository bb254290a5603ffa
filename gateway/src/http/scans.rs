//! Scanned judgments and requests over HTTP: `POST /v1/extractions/scans[?case_id=]` takes a
//! PDF or an image (PNG, JPEG, TIFF) as the body, stores it and queues OCR (`202` with the
//! job); `GET /v1/extractions/scans/{id}` shows the job — `queued`, `running`, `done` with the
//! text and the extraction to confirm (`POST /v1/extractions/{id}/confirm`), or `failed` with
//! the reason. Clerks, officers and heads of the office; `docs/ocr.md` describes it.

use crate::http::problem::answers;
use std::sync::OnceLock;

use crate::http::extract::{Path, Query};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::ocr::jobs::{self, JobView};
use thads_core::ocr::{OcrConfig, ScanKind};
use thads_core::staff::Role;
use thads_schemas::office::OfficeCode;

use super::auth::{require_role, CurrentActor};
use super::problem::AppError;
use super::AppState;

static MAX_BYTES: OnceLock<usize> = OnceLock::new();

/// Sets the largest scan from `[ocr] max_bytes`; called once before serving.
pub(crate) fn install(config: &OcrConfig) {
    let _ = MAX_BYTES.set(config.max_bytes);
}

fn max_bytes() -> usize {
    *MAX_BYTES.get_or_init(|| OcrConfig::default().max_bytes)
}

/// The scan routes (their own body limit: scans are larger than documents).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/extractions/scans",
            post(submit).layer(DefaultBodyLimit::max(max_bytes())),
        )
        .route("/v1/extractions/scans/{id}", get(show))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitQuery {
    case_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/v1/extractions/scans",
    tag = "extraction",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("case_id" = Option<String>, Query, description = "Attach the result to this case."),
    ),
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "A scanned judgment or request: PDF, PNG, JPEG or TIFF (declared by Content-Type, checked against the bytes)."),
    responses(
        (status = 202, description = "Queued for OCR: the job, to follow at its URL.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn submit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<JobView>), AppError> {
    require_role(&actor, &[Role::Officer, Role::Head, Role::Clerk])?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge { limit: max_bytes() }
        } else {
            AppError::Invalid {
                errors: vec![thads_schemas::validation::FieldError::new(
                    "body",
                    e.body_text(),
                )],
                message_id: None,
            }
        }
    })?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some(declared) = ScanKind::of_media_type(&media) else {
        return Err(AppError::MediaType(format!(
            "Content-Type must be application/pdf, image/png, image/jpeg or image/tiff, got {media:?}."
        )));
    };
    if ScanKind::sniff(&body) != Some(declared) {
        return Err(AppError::Invalid {
            errors: vec![thads_schemas::validation::FieldError::new(
                "body",
                format!("is not a {media} file (its first bytes say otherwise)"),
            )],
            message_id: None,
        });
    }
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
    let job = jobs::submit(
        &state.db,
        &state.outbox,
        &actor,
        q.case_id.as_deref(),
        declared,
        &body,
    )
    .await?;
    state
        .metrics
        .received(thads_schemas::subjects::IN_SCAN_OCR, "accepted");
    Ok((StatusCode::ACCEPTED, Json(job)))
}

#[utoipa::path(
    get,
    path = "/v1/extractions/scans/{id}",
    tag = "extraction",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The scan job id."),
    ),
    responses(
        (status = 200, description = "The job: queued, running, done (with the extraction proposed) or failed.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn show(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<JobView>, AppError> {
    jobs::load(&state.db, &id)
        .await?
        .filter(|j| OfficeCode::parse(&j.office).is_ok_and(|o| actor.covers_office(&o)))
        .map(Json)
        .ok_or(AppError::NotFound("OCR job".into()))
}
