//! Decisions to enforce over HTTP: drafting from the case's data, editing, submitting,
//! rejecting, approving (PDF rendered and signed by the head), issuing (numbered by the clerk,
//! performed on the case), the documents as HTML and PDF, and the signature check. The rules
//! are in `thads_core::decisions`; `docs/decisions.md` describes them.

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::decisions::content::ContentPatch;
use thads_core::decisions::keys::StaffKeyError;
use thads_core::decisions::render::Renderer;
use thads_core::decisions::{DecisionError, Decisions, DraftKind, DraftView, Verification};
use thads_schemas::validation::FieldError;
use time::OffsetDateTime;

use super::auth::CurrentActor;
use super::problem::AppError;
use super::AppState;
use crate::config::Config;

/// What the decision routes need beyond [`AppState`]: the PDF renderer and the key secret,
/// from the `[render]` and `[staff_signing]` configuration.
struct Services {
    renderer: Renderer,
    secret_file: PathBuf,
}

impl Services {
    fn from_config(config: &Config) -> Self {
        Self {
            renderer: Renderer::new(config.render.clone()),
            secret_file: config.staff_signing.secret_file(&config.data_dir),
        }
    }
}

static SERVICES: OnceLock<Services> = OnceLock::new();

/// Sets the renderer and key secret from the configuration the hub was started with; called
/// once before serving. Without it the routes read the configuration from the environment.
pub(crate) fn install(config: &Config) {
    let _ = SERVICES.set(Services::from_config(config));
}

fn services() -> &'static Services {
    SERVICES.get_or_init(|| {
        let file = std::env::var_os("THADS_CONFIG").map(PathBuf::from);
        let config = Config::load(file.as_deref().map(FsPath::new)).unwrap_or_default();
        Services::from_config(&config)
    })
}

fn decisions(state: &AppState) -> Decisions {
    let s = services();
    Decisions::new(
        state.db.clone(),
        Arc::clone(&state.lifecycle),
        state.outbox.clone(),
        s.renderer.clone(),
        s.secret_file.clone(),
    )
}

/// The decision routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/decision-drafts", post(create))
        .route("/v1/decision-drafts/{id}", get(show).put(update))
        .route("/v1/decision-drafts/{id}/submit", post(submit))
        .route("/v1/decision-drafts/{id}/reject", post(reject))
        .route("/v1/decision-drafts/{id}/approve", post(approve))
        .route("/v1/decision-drafts/{id}/issue", post(issue))
        .route("/v1/decision-drafts/{id}/html", get(html))
        .route("/v1/decision-drafts/{id}/pdf", get(pdf))
        .route("/v1/decision-drafts/{id}/verify", get(verify))
        // The signature check under the name a court or auditor expects.
        .route("/v1/decisions/{id}/verify", get(verify))
}

impl From<DecisionError> for AppError {
    fn from(e: DecisionError) -> Self {
        match e {
            DecisionError::NotFound(what) => AppError::NotFound(what),
            DecisionError::Forbidden(d) => AppError::Forbidden(d),
            DecisionError::Refused(d) => AppError::Refused(d),
            DecisionError::Invalid { field, reason } => AppError::Invalid {
                errors: vec![FieldError { field, reason }],
                message_id: None,
            },
            DecisionError::Duplicate { .. } => AppError::Conflict(e.to_string()),
            DecisionError::RenderUnavailable(r) => AppError::Unavailable(format!("{r}.")),
            DecisionError::Render(r) => AppError::Internal(r.to_string()),
            DecisionError::Key(k) => match k {
                StaffKeyError::NoKey(_)
                | StaffKeyError::NotHead { .. }
                | StaffKeyError::NoAccount(_) => AppError::Refused(k.to_string()),
                StaffKeyError::Secret { .. } => AppError::Unavailable(format!("{k}.")),
                StaffKeyError::Corrupt { .. } => AppError::Internal(k.to_string()),
                StaffKeyError::Db(e) => AppError::from(e),
            },
            DecisionError::Lifecycle(p) => AppError::from(p),
            DecisionError::Db(e) => AppError::from(e),
        }
    }
}

/// Reads a JSON body, naming the field at fault.
fn json_body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, AppError> {
    let body = state.body(body)?;
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    serde_json::from_slice(body).map_err(|e| AppError::Invalid {
        errors: vec![FieldError {
            field: "body".into(),
            reason: e.to_string(),
        }],
        message_id: None,
    })
}

/// `POST /v1/cases/{id}/decision-drafts`: `{"kind": "ex_officio" | "on_request", "request_id"?}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateDraft {
    kind: DraftKind,
    #[serde(default)]
    request_id: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<DraftView>), AppError> {
    let req: CreateDraft = json_body(&state, body)?;
    let view = decisions(&state)
        .create(&actor, &case_id, req.kind, req.request_id.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn show(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(decisions(&state).view(&actor, &id).await?))
}

async fn update(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<DraftView>, AppError> {
    let patch: ContentPatch = json_body(&state, body)?;
    Ok(Json(decisions(&state).update(&actor, &id, patch).await?))
}

async fn submit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(decisions(&state).submit(&actor, &id).await?))
}

/// `POST /v1/decision-drafts/{id}/reject`: `{"reason": "..."}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rejection {
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<DraftView>, AppError> {
    let r: Rejection = json_body(&state, body)?;
    Ok(Json(
        decisions(&state).reject(&actor, &id, &r.reason).await?,
    ))
}

async fn approve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(decisions(&state).approve(&actor, &id).await?))
}

async fn issue(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    let view = decisions(&state)
        .issue(&actor, &id, OffsetDateTime::now_utc())
        .await?;
    Ok(Json(view))
}

async fn html(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let html = decisions(&state).html(&actor, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// `?version=signed` asks for the exact bytes the head signed instead of the issued document.
#[derive(Debug, Deserialize)]
struct PdfQuery {
    #[serde(default)]
    version: Option<String>,
}

async fn pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, AppError> {
    let signed = match q.version.as_deref() {
        None | Some("current") => false,
        Some("signed") => true,
        Some(other) => {
            return Err(AppError::Invalid {
                errors: vec![FieldError {
                    field: "version".into(),
                    reason: format!("{other:?} is neither `current` nor `signed`"),
                }],
                message_id: None,
            })
        }
    };
    let bytes = decisions(&state).pdf(&actor, &id, signed).await?;
    let disposition = format!("inline; filename=\"quyet-dinh-{id}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

async fn verify(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Verification>, AppError> {
    Ok(Json(decisions(&state).verify(&actor, &id).await?))
}
