//! Casework over HTTP: performing operations on a case (`POST /v1/cases/{id}/operations`), its
//! operation log, the signed-in person's work list, and the catalogue of operations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use thads_core::deadlines::store::vietnam_date;
use thads_core::lifecycle::history::{self, OperationView};
use thads_core::lifecycle::machine::{allowed_from, allowed_roles, samples};
use thads_core::lifecycle::worklist::{self, WorkItem};
use thads_core::lifecycle::{Command, PerformError, Performed, Refusal};
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;
use time::OffsetDateTime;

use super::auth::CurrentActor;
use super::extract::{Path, Query};
use super::problem::{answers, AppError};
use super::AppState;

/// The casework routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/cases/{id}/operations",
            get(get_operations).post(post_operation),
        )
        .route("/v1/worklist", get(get_worklist))
        .route("/v1/operations", get(get_catalogue))
        .route("/v1/admin/digest", axum::routing::post(post_digest))
}

impl From<PerformError> for AppError {
    fn from(e: PerformError) -> Self {
        match e {
            PerformError::NotFound(_) => AppError::NotFound("case".into()),
            PerformError::Refused(r) => match r {
                Refusal::Role { .. } | Refusal::Office { .. } | Refusal::NotAssigned { .. } => {
                    AppError::Forbidden(r.to_string())
                }
                Refusal::IllegalTransition { .. } => AppError::Refused(r.to_string()),
                Refusal::Invalid { field, reason } => AppError::Invalid {
                    errors: vec![FieldError { field, reason }],
                    message_id: None,
                },
            },
            PerformError::RequestIdReused(_) => AppError::Conflict(e.to_string()),
            PerformError::Db(e) => AppError::from(e),
        }
    }
}

/// Performs one operation as the signed-in person.
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/operations",
    tag = "cases",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    request_body(content = Object, content_type = "application/json", description = "`{\"operation\": \"register\", \"params\": {…}, \"effective_on\"?, \"request_id\"?, \"reason\"?, \"documents\"?}`; the operations and their parameters are listed by `GET /v1/operations` (docs/case-operations.md)."),
    responses(
        (status = 200, description = "The same `request_id` was performed before.", body = Object),
        (status = 201, description = "Performed: the log entry with the states before and after.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_operation(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Performed>), AppError> {
    let body = state.body(body)?;
    let command = Command::from_json(&body).map_err(|e| AppError::Invalid {
        errors: vec![FieldError {
            field: e.field,
            reason: e.reason,
        }],
        message_id: None,
    })?;
    let name = command.operation.name();
    let done = match state
        .lifecycle
        .perform(&id, &actor, &command, OffsetDateTime::now_utc())
        .await
    {
        Ok(done) => {
            state.metrics.operation(name, "performed");
            done
        }
        Err(e) => {
            let outcome = match &e {
                PerformError::Refused(Refusal::IllegalTransition { .. }) => "refused",
                PerformError::Refused(Refusal::Invalid { .. }) => "invalid",
                PerformError::Refused(_) => "forbidden",
                PerformError::NotFound(_) => "not_found",
                PerformError::RequestIdReused(_) => "conflict",
                PerformError::Db(_) => "error",
            };
            state.metrics.operation(name, outcome);
            return Err(e.into());
        }
    };
    tracing::info!(
        case = %done.case_id,
        operation = %done.operation,
        actor = %actor.username,
        from = %done.from_state,
        to = %done.to_state,
        "operation performed"
    );
    let status = if done.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(done)))
}

/// The operation log of a case the signed-in person may see.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/operations",
    tag = "cases",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case's operation log.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_operations(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<OperationView>>, AppError> {
    let office: Option<String> = sqlx::query_scalar("SELECT office_code FROM cases WHERE id = $1")
        .bind(&id)
        .fetch_optional(state.db.pool())
        .await?;
    let visible = office
        .and_then(|o| OfficeCode::parse(&o).ok())
        .is_some_and(|o| actor.covers_office(&o));
    if !visible {
        return Err(AppError::NotFound("case".into()));
    }
    Ok(Json(history::for_case(&state.db, &id).await?))
}

/// `?attention=true` keeps only what is due soon or overdue.
#[derive(Debug, Deserialize)]
struct WorklistQuery {
    #[serde(default)]
    attention: bool,
}

/// The signed-in person's work list.
#[utoipa::path(
    get,
    path = "/v1/worklist",
    tag = "cases",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("attention" = Option<bool>, Query, description = "Only what is due soon or overdue.")),
    responses(
        (status = 200, description = "The person's running cases with open deadlines and next operations.", body = [Object]),
        answers::Unauthorized,
        answers::Invalid,
    ),
)]
async fn get_worklist(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<WorklistQuery>,
) -> Result<Json<Vec<WorkItem>>, AppError> {
    let today = vietnam_date(OffsetDateTime::now_utc());
    let list = worklist::for_actor(&state.db, state.lifecycle.schedule(), &actor, today).await?;
    let list = if q.attention {
        worklist::needing_attention(&list)
            .into_iter()
            .cloned()
            .collect()
    } else {
        list
    };
    Ok(Json(list))
}

/// `?day=YYYY-MM-DD` sends that day's digest (default today).
#[derive(Debug, Deserialize)]
struct DigestQuery {
    day: Option<String>,
}

/// Sends the daily digest now (administrators): for a first run, or after fixing the mail
/// server. People who already had the day's digest are not sent it again.
#[utoipa::path(
    post,
    path = "/v1/admin/digest",
    tag = "administration",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("day" = Option<String>, Query, description = "The day (YYYY-MM-DD, Vietnam time); default today.", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
    responses(
        (status = 200, description = "Who was sent the digest.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
        answers::Unavailable,
    ),
)]
async fn post_digest(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<DigestQuery>,
) -> Result<Json<thads_core::digest::DigestRun>, AppError> {
    super::auth::require_role(&actor, &[thads_core::staff::Role::Administrator])?;
    let day = match q.day.as_deref() {
        None => vietnam_date(OffsetDateTime::now_utc()),
        Some(d) => thads_core::deadlines::store::parse_iso(d).ok_or_else(|| AppError::Invalid {
            errors: vec![FieldError {
                field: "day".into(),
                reason: format!("{d:?} is not a YYYY-MM-DD date"),
            }],
            message_id: None,
        })?,
    };
    let digest = state
        .digest
        .as_ref()
        .filter(|d| d.can_send())
        .ok_or_else(|| {
            AppError::Unavailable("No mail server is configured ([mail] smtp_url).".into())
        })?;
    let run = digest
        .send_due(day)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(admin = %actor.username, ?run, "digest sent on request");
    Ok(Json(run))
}

/// One operation in the catalogue.
#[derive(Debug, Serialize)]
struct CatalogueEntry {
    operation: &'static str,
    roles: Vec<&'static str>,
    allowed_from: Vec<&'static str>,
}

/// Every operation, who performs it and from which states: what clients and the console
/// need to offer the right actions (any signed-in person).
#[utoipa::path(
    get,
    path = "/v1/operations",
    tag = "cases",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    responses(
        (status = 200, description = "Every operation with its roles, allowed states and parameters.", body = [Object]),
        answers::Unauthorized,
    ),
)]
async fn get_catalogue(CurrentActor(_actor): CurrentActor) -> Json<Vec<CatalogueEntry>> {
    let office = OfficeCode::parse("XX").ok();
    let list = office
        .map(|o| samples(&o))
        .unwrap_or_default()
        .iter()
        .map(|op| CatalogueEntry {
            operation: op.name(),
            roles: allowed_roles(op).iter().map(|r| r.as_str()).collect(),
            allowed_from: allowed_from(op).into_iter().map(|s| s.as_str()).collect(),
        })
        .collect();
    Json(list)
}
