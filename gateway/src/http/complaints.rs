//! Complaints and denunciations over HTTP, for staff: recording one received at reception or by
//! post, listing and reading them, the competent head's steps (accept, refuse, resolve with the
//! signed answer, extend), the answer as PDF or HTML and its signature check. The rules are in
//! `thads_core::complaints`; `docs/complaints.md` describes them. The party portal's routes are
//! in `portal`.

use crate::http::problem::answers;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::http::extract::{Path, Query};
use anyhow::Context;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::complaints::filing::{Filed, Source};
use thads_core::complaints::view::ComplaintView;
use thads_core::complaints::workflow::{AcceptBody, DocumentCheck, ReasonBody, ResolveBody};
use thads_core::complaints::{ComplaintError, Complaints, ComplaintsConfig, State as CState};
use thads_core::decisions::keys::StaffKeyError;
use thads_core::decisions::render::Renderer;
use thads_schemas::validation::FieldError;
use time::OffsetDateTime;

use super::auth::CurrentActor;
use super::problem::AppError;
use super::AppState;
use crate::config::Config;

/// What the complaint routes need beyond [`AppState`]: `[complaints]`, the renderer and key
/// secret of the signed answers, and the portal's token.
pub(crate) struct Services {
    config: ComplaintsConfig,
    renderer: Renderer,
    secret_file: PathBuf,
    /// The bearer token the party portal presents; `None`: portal routes answer 503.
    pub(crate) portal_token: Option<String>,
}

impl Services {
    fn from_config(config: &Config) -> anyhow::Result<Self> {
        let portal_token = match &config.complaints.portal_token_file {
            Some(file) => Some(
                std::fs::read_to_string(file)
                    .with_context(|| format!("complaints.portal_token_file {}", file.display()))?
                    .trim()
                    .to_string(),
            )
            .filter(|t| !t.is_empty()),
            None => None,
        };
        Ok(Self {
            config: config.complaints.clone(),
            renderer: Renderer::new(config.render.clone()),
            secret_file: config.staff_signing.secret_file(&config.data_dir),
            portal_token,
        })
    }
}

static SERVICES: OnceLock<Services> = OnceLock::new();

/// Sets the complaint services from the configuration the hub was started with; called once
/// before serving (an unreadable portal token file stops the start).
pub(crate) fn install(config: &Config) -> anyhow::Result<()> {
    let _ = SERVICES.set(Services::from_config(config)?);
    Ok(())
}

pub(crate) fn services() -> &'static Services {
    SERVICES.get_or_init(|| {
        let file = std::env::var_os("THADS_CONFIG").map(PathBuf::from);
        let config = Config::load(file.as_deref().map(FsPath::new)).unwrap_or_default();
        Services::from_config(&config).unwrap_or_else(|_| Services {
            config: config.complaints.clone(),
            renderer: Renderer::new(config.render.clone()),
            secret_file: config.staff_signing.secret_file(&config.data_dir),
            portal_token: None,
        })
    })
}

/// The complaint service over the state's database and deadline schedule.
pub(crate) fn complaints(state: &AppState) -> Result<Complaints, AppError> {
    let s = services();
    Complaints::new(
        state.db.clone(),
        state.lifecycle.schedule().clone(),
        s.config.clone(),
        s.renderer.clone(),
        s.secret_file.clone(),
        Arc::clone(&state.metrics),
    )
    .map_err(AppError::Internal)
}

impl From<ComplaintError> for AppError {
    fn from(e: ComplaintError) -> Self {
        match e {
            ComplaintError::NotFound(what) => AppError::NotFound(what.to_string()),
            ComplaintError::Forbidden(d) => AppError::Forbidden(d),
            ComplaintError::Refused(d) => AppError::Refused(d),
            ComplaintError::Conflict(_) => AppError::Conflict(e.to_string()),
            ComplaintError::Invalid { errors, message_id } => {
                AppError::Invalid { errors, message_id }
            }
            ComplaintError::RenderUnavailable(r) => AppError::Unavailable(format!("{r}.")),
            ComplaintError::Render(r) => AppError::Internal(r.to_string()),
            ComplaintError::Key(k) => match k {
                StaffKeyError::NoKey(_)
                | StaffKeyError::NotHead { .. }
                | StaffKeyError::NoAccount(_) => AppError::Refused(k.to_string()),
                StaffKeyError::Secret { .. } => AppError::Unavailable(format!("{k}.")),
                StaffKeyError::Corrupt { .. } => AppError::Internal(k.to_string()),
                StaffKeyError::Db(e) => AppError::from(e),
            },
            ComplaintError::Db(e) => AppError::from(e),
        }
    }
}

/// The staff complaint routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/complaints", post(file).get(list))
        .route("/v1/complaints/{id}", get(show))
        .route("/v1/complaints/{id}/accept", post(accept))
        .route("/v1/complaints/{id}/refuse", post(refuse))
        .route("/v1/complaints/{id}/resolve", post(resolve))
        .route("/v1/complaints/{id}/extend", post(extend))
        .route("/v1/complaints/{id}/decision.pdf", get(pdf))
        .route("/v1/complaints/{id}/decision.html", get(html))
        .route("/v1/complaints/{id}/decision/verify", get(verify))
}

/// Reads a JSON body, naming the field at fault.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, AppError> {
    super::extract::json_body(&state.body(body)?)
}

/// The answer to a filing: 201, or 200 for a resend of the same filing.
pub(crate) fn filed(f: Filed) -> (StatusCode, Json<Filed>) {
    let status = if f.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(f))
}

#[utoipa::path(
    post,
    path = "/v1/complaints",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    request_body(content = thads_schemas::complaint::ComplaintFiling, content_type = "application/json"),
    responses(
        (status = 200, description = "Filed before: the same complaint.", body = Object),
        (status = 201, description = "Filed, routed to the competent head, its deadlines started.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn file(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Filed>), AppError> {
    let body = state.body(body)?;
    let c = complaints(&state)?;
    Ok(filed(
        c.file(Source::Staff(&actor), &body, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    state: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/v1/complaints",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("state" = Option<String>, Query, description = "`received`, `accepted`, `refused`, `resolved` or `appealed`.", pattern = "^(received|accepted|refused|resolved|appealed)$"),
        ("limit" = Option<i64>, Query, description = "At most this many (default 100).", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "The complaints of the person's offices, with deadlines.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ComplaintView>>, AppError> {
    let wanted = match q.state.as_deref() {
        Some(s) => Some(CState::parse(s).ok_or_else(|| AppError::Invalid {
            errors: vec![FieldError::new(
                "state",
                "must be received, accepted, refused, resolved or appealed",
            )],
            message_id: None,
        })?),
        None => None,
    };
    let limit = match q.limit {
        None => 100,
        Some(n) if (1..=500).contains(&n) => n,
        Some(_) => {
            return Err(AppError::Invalid {
                errors: vec![FieldError::new("limit", "must be 1 to 500")],
                message_id: None,
            })
        }
    };
    let c = complaints(&state)?;
    Ok(Json(
        c.list(&actor, wanted, limit, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/v1/complaints/{id}",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    responses(
        (status = 200, description = "The complaint: its history, deadlines and answer.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Unavailable,
    ),
)]
async fn show(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<ComplaintView>, AppError> {
    let c = complaints(&state)?;
    Ok(Json(c.view(&actor, &id, OffsetDateTime::now_utc()).await?))
}

#[utoipa::path(
    post,
    path = "/v1/complaints/{id}/accept",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    request_body(content = thads_core::complaints::workflow::AcceptBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Accepted (thụ lý): the resolution deadline starts.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn accept(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ComplaintView>, AppError> {
    let body: AcceptBody = json_body(&state, body)?;
    let c = complaints(&state)?;
    Ok(Json(
        c.accept(&actor, &id, body, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/v1/complaints/{id}/refuse",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    request_body(content = thads_core::complaints::workflow::ReasonBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Refused with the reason.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn refuse(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ComplaintView>, AppError> {
    let body: ReasonBody = json_body(&state, body)?;
    let c = complaints(&state)?;
    Ok(Json(
        c.refuse(&actor, &id, body, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/v1/complaints/{id}/extend",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    request_body(content = thads_core::complaints::workflow::ReasonBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The resolution time limit extended (denunciations).", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn extend(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ComplaintView>, AppError> {
    let body: ReasonBody = json_body(&state, body)?;
    let c = complaints(&state)?;
    Ok(Json(
        c.extend(&actor, &id, body, OffsetDateTime::now_utc())
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/v1/complaints/{id}/resolve",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    request_body(content = thads_core::complaints::workflow::ResolveBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Answered: the decision numbered, rendered and signed by the head.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn resolve(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ComplaintView>, AppError> {
    let body: ResolveBody = json_body(&state, body)?;
    let c = complaints(&state)?;
    Ok(Json(
        c.resolve(&actor, &id, body, OffsetDateTime::now_utc())
            .await?,
    ))
}

/// The signed PDF as a response.
pub(crate) fn pdf_response(id: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{id}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/v1/complaints/{id}/decision.pdf",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    responses(
        (status = 200, description = "The signed answer as PDF.", body = Vec<u8>, content_type = "application/pdf"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::Unavailable,
    ),
)]
async fn pdf(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = complaints(&state)?;
    Ok(pdf_response(&id, c.document_pdf(&actor, &id).await?))
}

#[utoipa::path(
    get,
    path = "/v1/complaints/{id}/decision.html",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    responses(
        (status = 200, description = "The answer as HTML.", body = String, content_type = "text/html"),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::Unavailable,
    ),
)]
async fn html(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = complaints(&state)?;
    let html = c.document_html(&actor, &id).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

#[utoipa::path(
    get,
    path = "/v1/complaints/{id}/decision/verify",
    tag = "complaints",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The complaint id."),
    ),
    responses(
        (status = 200, description = "Whether the head's signature on the answer holds.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::Unavailable,
    ),
)]
async fn verify(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<DocumentCheck>, AppError> {
    let c = complaints(&state)?;
    Ok(Json(c.verify(&actor, &id).await?))
}
