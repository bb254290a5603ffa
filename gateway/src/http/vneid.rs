//! Serving notices over HTTP: VNeID's delivery and read receipts (`POST /v1/vneid/receipts`,
//! authenticated with the partner's receipt token), a party's e-mail address for the e-mail
//! fall-back (`PUT /v1/cases/{id}/parties/{party_ref}/email`, clerks and heads), and the
//! paper-service tasks of an office (`GET /v1/service-tasks`,
//! `POST /v1/service-tasks/{id}/done`).
//!
//! The receipt token reaches the handlers as an [`axum::Extension`] layered on the router at
//! start ([`with_receipt_token`]); without it receipts are refused with 503, so VNeID keeps
//! them and sends them again once the hub is configured.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use thads_core::deadlines::store::vietnam_date;
use thads_core::notice_service::{self, TaskDone, TaskError, TaskView};
use thads_core::staff::Role;
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;
use thads_schemas::validation::FieldError;
use thads_vneid::receipts::{self, Accepted, ReceiptError, ReceiptToken};
use time::{Date, OffsetDateTime};

use super::auth::{require_role, CurrentActor};
use super::extract::{Path, Query};
use super::partner_gate::CertifiedPartner;
use super::problem::answers;
use super::problem::AppError;
use super::AppState;

/// The notice-serving routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/vneid/receipts", post(post_receipts))
        .route("/v1/cases/{id}/parties/{party_ref}/email", put(put_email))
        .route("/v1/service-tasks", get(get_tasks))
        .route("/v1/service-tasks/{id}/done", post(post_done))
}

/// Adds the receipt token (`vneid.receipt_token`) to every request of `router`.
pub(crate) fn with_receipt_token(router: Router, token: Option<&str>) -> Router {
    router.layer(Extension(Arc::new(ReceiptToken::new(token))))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError {
            field: field.to_string(),
            reason: reason.into(),
        }],
        message_id: None,
    }
}

/// The receipt token check of the plain listener: 503 while no token is configured, 401
/// without the right one.
fn check_receipt_token(
    state: &AppState,
    token: Option<Extension<Arc<ReceiptToken>>>,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    let configured = token.filter(|Extension(t)| t.is_configured());
    let Some(Extension(token)) = configured else {
        return Err(AppError::Unavailable(
            "Receipts are not enabled: vneid.receipt_token is not configured.".into(),
        ));
    };
    if !bearer(headers).is_some_and(|t| token.verify(t)) {
        state
            .metrics
            .received(subjects::IN_VNEID_RECEIPT, "unauthorized");
        return Err(AppError::Unauthorized(
            "Receipts need `Authorization: Bearer <the VNeID receipt token>`.".into(),
        ));
    }
    Ok(())
}

/// Takes one receipt or a batch from VNeID.
#[utoipa::path(
    post,
    path = "/v1/vneid/receipts",
    tag = "vneid",
    security(("vneid_receipt_token" = []), ("partner_certificate" = [])),
    request_body(content = Object, content_type = "application/json", description = "One delivery or read receipt, or a JSON array of them (a batch); errors name the field by JSON Pointer (`/notice_id`, `/1/notice_id`) (docs/notices.md)."),
    responses(
        (status = 200, description = "Recorded (a resend of the same bytes: `duplicate`).", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
async fn post_receipts(
    State(state): State<AppState>,
    token: Option<Extension<Arc<ReceiptToken>>>,
    certified: Option<Extension<CertifiedPartner>>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    state.open_for_partners()?;
    // Over the partner TLS listener VNeID is identified by its client certificate (the gate
    // lets no other partner kind reach this route); the token is for the plain listener.
    if certified.is_none() {
        check_receipt_token(&state, token, &headers)?;
    }
    let body = state.body(body)?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(AppError::MediaType(format!(
            "Content-Type must be application/json, got {media:?}."
        )));
    }
    let result = receipts::accept(
        &state.db,
        state.lifecycle.schedule(),
        &state.outbox,
        &state.metrics,
        &body,
        OffsetDateTime::now_utc(),
    )
    .await;
    match result {
        Ok(accepted) => {
            let outcome = if accepted.duplicate {
                "duplicate"
            } else {
                "accepted"
            };
            state.metrics.received(subjects::IN_VNEID_RECEIPT, outcome);
            tracing::info!(message_id = %accepted.message_id, receipts = accepted.receipts.len(),
                duplicate = accepted.duplicate, "VNeID receipts taken");
            Ok((StatusCode::OK, Json::<Accepted>(accepted)).into_response())
        }
        Err(ReceiptError::Invalid { errors, message_id }) => {
            state
                .metrics
                .received(subjects::IN_VNEID_RECEIPT, "rejected");
            Err(AppError::Invalid { errors, message_id })
        }
        Err(ReceiptError::Sql(e)) => Err(AppError::from(e)),
    }
}

/// `{"email": "…"}` or `{"email": null}` to clear it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EmailBody {
    email: Option<String>,
}

/// The answer to an e-mail change.
#[derive(Debug, Serialize)]
struct EmailSet {
    case_id: String,
    party_ref: String,
    email: Option<String>,
}

/// The office of a case the actor may act on, or 404 (a case of another office is not
/// revealed).
async fn case_office(
    state: &AppState,
    actor: &thads_core::staff::Actor,
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

/// Records the e-mail address a party gave for notices (clerks and heads of the case's office).
#[utoipa::path(
    put,
    path = "/v1/cases/{id}/parties/{party_ref}/email",
    tag = "notices",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id (`case-…`)."),
        ("party_ref" = String, Path, description = "The party (`P1`, `P2`, …)."),
    ),
    request_body(content = EmailBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The address as stored.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn put_email(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, party_ref)): Path<(String, String)>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<EmailSet>, AppError> {
    require_role(&actor, &[Role::Clerk, Role::Head])?;
    case_office(&state, &actor, &id).await?;
    let body = state.body(body)?;
    let parsed: EmailBody = serde_json::from_slice(&body).map_err(|e| {
        let field = if e.to_string().contains("unknown field") {
            "body"
        } else {
            "email"
        };
        invalid(field, format!("expected {{\"email\": \"…\" or null}}: {e}"))
    })?;
    let email = match parsed.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(notice_service::normalise_email(raw).map_err(|r| invalid("email", r))?),
    };
    let found = notice_service::set_party_email(
        &state.db,
        &id,
        &party_ref,
        email.as_deref(),
        &actor.username,
    )
    .await?;
    if !found {
        return Err(AppError::NotFound("party".into()));
    }
    tracing::info!(case = %id, party = %party_ref, actor = %actor.username, "party e-mail address changed");
    Ok(Json(EmailSet {
        case_id: id,
        party_ref,
        email,
    }))
}

/// `?state=open|done|all` (default `open`).
#[derive(Debug, Deserialize)]
struct TaskQuery {
    state: Option<String>,
}

/// Puts the rendered notice text into a task, for printing.
async fn with_text(
    state: &AppState,
    task: &mut TaskView,
    command: Option<&thads_schemas::notice::NoticeCommand>,
) -> Result<(), AppError> {
    if let Some(cmd) = command {
        let mut tx = state.db.begin().await?;
        let (text, _) =
            thads_vneid::texts::load_notice_text(&mut tx, state.lifecycle.schedule(), cmd).await?;
        tx.rollback().await?;
        task.title = text.title;
        task.text = text.body;
    }
    Ok(())
}

/// The paper-service tasks of the signed-in clerk's or head's office.
#[utoipa::path(
    get,
    path = "/v1/service-tasks",
    tag = "notices",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("state" = Option<String>, Query, description = "`open` (default), `done` or `all`.", pattern = "^(open|done|all)$")),
    responses(
        (status = 200, description = "Notices to serve on paper.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_tasks(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<TaskQuery>,
) -> Result<Json<Vec<TaskView>>, AppError> {
    require_role(&actor, &[Role::Clerk, Role::Head])?;
    let filter = match q.state.as_deref().unwrap_or("open") {
        "all" => None,
        s @ ("open" | "done") => Some(s),
        _ => return Err(invalid("state", "must be open, done or all")),
    };
    let tasks = notice_service::list_tasks(&state.db, actor.office.as_str(), filter).await?;
    let mut out = Vec::with_capacity(tasks.len());
    for (mut task, command) in tasks {
        with_text(&state, &mut task, command.as_ref()).await?;
        out.push(task);
    }
    Ok(Json(out))
}

/// `{"channel": "direct" | "post" | "posting", "served_on": "YYYY-MM-DD"}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DoneBody {
    channel: String,
    served_on: String,
}

/// Closes a paper-service task: the notice was handed over, posted, or publicly posted on
/// `served_on` (for public posting the posting date is the notice date).
#[utoipa::path(
    post,
    path = "/v1/service-tasks/{id}/done",
    tag = "notices",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The task id.")),
    request_body(content = DoneBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Closed before.", body = Object),
        (status = 201, description = "Closed: the notice served on `served_on`.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_done(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Clerk, Role::Head])?;
    let body = state.body(body)?;
    let parsed: DoneBody = serde_json::from_slice(&body).map_err(|e| {
        let text = e.to_string();
        let field = ["channel", "served_on"]
            .into_iter()
            .find(|f| text.contains(&format!("`{f}`")))
            .unwrap_or("body");
        invalid(field, text)
    })?;
    let channel = notice_service::paper_channel(&parsed.channel)
        .ok_or_else(|| invalid("channel", "must be direct, post or posting"))?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let served_on = Date::parse(&parsed.served_on, &format)
        .map_err(|_| invalid("served_on", "must be a date YYYY-MM-DD"))?;
    let today = vietnam_date(OffsetDateTime::now_utc());
    let done = notice_service::complete_task(
        &state.db,
        state.lifecycle.schedule(),
        &id,
        &actor,
        channel,
        served_on,
        today,
    )
    .await;
    let TaskDone {
        mut task,
        operation,
        repeated,
    } = match done {
        Ok(done) => done,
        Err(TaskError::NotFound(_)) => return Err(AppError::NotFound("service task".into())),
        Err(TaskError::Invalid { field, reason }) => return Err(invalid(field, reason)),
        Err(e @ TaskError::AlreadyServed { .. }) => return Err(AppError::Conflict(e.to_string())),
        Err(TaskError::Sql(e)) => return Err(AppError::from(e)),
    };
    state.outbox.notify();
    if !repeated {
        state
            .metrics
            .notice_served(notice_service::channel_name(channel));
        tracing::info!(task = %id, actor = %actor.username, channel = notice_service::channel_name(channel),
            "paper service recorded");
    }
    let mut tx = state.db.begin().await?;
    let command = notice_service::load_notice(&mut tx, &task.notice_id)
        .await?
        .map(|n| n.command);
    tx.rollback().await?;
    with_text(&state, &mut task, command.as_ref()).await?;
    let status = if repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(serde_json::json!({
            "task": task,
            "operation": operation,
            "repeated": repeated,
        })),
    )
        .into_response())
}
