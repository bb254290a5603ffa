//! Decisions to enforce over HTTP: drafting from the case's data, editing, submitting,
//! rejecting, approving (PDF rendered and signed by the head), issuing (numbered by the clerk,
//! performed on the case), the documents as HTML and PDF, and the signature check. The rules
//! are in `thads_core::decisions`; `docs/decisions.md` describes them.

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::extract::State;
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
use super::extract::{Path, Query};
use super::problem::answers;
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
        .route("/v1/decisions/{id}/verify", get(verify_decision))
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
    super::extract::json_body(&state.body(body)?)
}

/// `POST /v1/cases/{id}/decision-drafts`: `{"kind": "ex_officio" | "on_request", "request_id"?}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateDraft {
    /// `ex_officio` (chủ động) or `on_request` (theo yêu cầu): never mixed in one decision.
    #[schema(value_type = String, pattern = "^(ex_officio|on_request)$")]
    kind: DraftKind,
    #[serde(default)]
    request_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/v1/cases/{id}/decision-drafts",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    request_body(content = CreateDraft, content_type = "application/json"),
    responses(
        (status = 201, description = "The draft, made from the case.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
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

#[utoipa::path(
    get,
    path = "/v1/decision-drafts/{id}",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    responses(
        (status = 200, description = "The draft and its state.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn show(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(decisions(&state).view(&actor, &id).await?))
}

#[utoipa::path(
    put,
    path = "/v1/decision-drafts/{id}",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    request_body(content = Object, content_type = "application/json", description = "The draft's editable fields (docs/decisions.md)."),
    responses(
        (status = 200, description = "The draft as changed.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn update(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<DraftView>, AppError> {
    let patch: ContentPatch = json_body(&state, body)?;
    Ok(Json(decisions(&state).update(&actor, &id, patch).await?))
}

#[utoipa::path(
    post,
    path = "/v1/decision-drafts/{id}/submit",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    responses(
        (status = 200, description = "Submitted to the head.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn submit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(decisions(&state).submit(&actor, &id).await?))
}

/// `POST /v1/decision-drafts/{id}/reject`: `{"reason": "..."}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Rejection {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/v1/decision-drafts/{id}/reject",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    request_body(content = Rejection, content_type = "application/json"),
    responses(
        (status = 200, description = "Sent back with the reason.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
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

#[utoipa::path(
    post,
    path = "/v1/decision-drafts/{id}/approve",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    responses(
        (status = 200, description = "Approved and signed by the head.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn approve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(decisions(&state).approve(&actor, &id).await?))
}

#[utoipa::path(
    post,
    path = "/v1/decision-drafts/{id}/issue",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    responses(
        (status = 200, description = "Issued by the clerk: numbered and sent.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
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

#[utoipa::path(
    get,
    path = "/v1/decision-drafts/{id}/html",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    responses(
        (status = 200, description = "The decision as HTML.", body = String, content_type = "text/html"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
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

#[utoipa::path(
    get,
    path = "/v1/decision-drafts/{id}/pdf",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The draft id."),
        ("version" = Option<String>, Query, description = "`current` (default) or `signed`: the exact bytes the head signed.", pattern = "^(current|signed)$"),
    ),
    responses(
        (status = 200, description = "The decision as PDF.", body = Vec<u8>, content_type = "application/pdf"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Invalid,
    ),
)]
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

/// Checks the head's signature on a draft or issued decision.
#[utoipa::path(
    get,
    path = "/v1/decision-drafts/{id}/verify",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The draft id.")),
    responses(
        (status = 200, description = "Whether the signature holds.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn verify(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Verification>, AppError> {
    Ok(Json(decisions(&state).verify(&actor, &id).await?))
}

/// The same check under the name a court or auditor expects for an issued decision.
#[utoipa::path(
    get,
    path = "/v1/decisions/{id}/verify",
    tag = "decisions",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The decision id.")),
    responses(
        (status = 200, description = "Whether the signature holds.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn verify_decision(
    state: State<AppState>,
    actor: CurrentActor,
    id: Path<String>,
) -> Result<Json<Verification>, AppError> {
    verify(state, actor, id).await
}
