//! Verification of the debtor's means over HTTP: the head or the case's assigned officer asks for
//! a run (`POST /v1/cases/{id}/verifications`), and staff of the case's office read its records
//! (`GET /v1/cases/{id}/verifications`, `GET /v1/verifications/{id}`). A run starts only with a
//! case and a legal basis; identifiers the officer supplies are validated before any query.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use sqlx::Row;
use thads_core::staff::{Actor, Role};
use thads_core::verification::view::{self, RecordView};
use thads_core::verification::SuppliedId;
use thads_core::verification::{RunError, RunRequest, Trigger, Verifier};
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;

use super::auth::{require_role, CurrentActor};
use super::extract::Path;
use super::problem::answers;
use super::problem::AppError;
use super::AppState;

/// The verification routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/cases/{id}/verifications",
            get(list_records).post(start_run),
        )
        .route("/v1/verifications/{id}", get(get_record))
}

/// What an officer sends to ask for a run.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StartBody {
    /// The legal basis of the queries; required.
    #[serde(default)]
    legal_basis: String,
    /// Makes a repeated request safe.
    #[serde(default)]
    request_id: Option<String>,
    /// Why verification starts before the voluntary period ends.
    #[serde(default)]
    early_reason: Option<String>,
    /// CCCDs or tax codes for debtors the judgment gives none for.
    #[serde(default)]
    identifiers: Vec<IdentifierBody>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct IdentifierBody {
    party: String,
    #[serde(default)]
    cccd: Option<String>,
    #[serde(default)]
    tax_code: Option<String>,
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

impl From<RunError> for AppError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Invalid { field, reason } => invalid(&field, reason),
            RunError::NotFound(_) => AppError::NotFound("case".into()),
            RunError::Refused(d) => AppError::Refused(d),
            e @ RunError::AlreadyRunning(_) => AppError::Conflict(e.to_string()),
            RunError::Db(e) => AppError::from(e),
        }
    }
}

type MaybeVerifier = Option<Extension<Arc<Verifier>>>;

fn verifier(v: MaybeVerifier) -> Result<Arc<Verifier>, AppError> {
    v.map(|Extension(v)| v).ok_or_else(|| {
        AppError::Unavailable("Verification is not wired into this hub process.".into())
    })
}

/// The case's office and assigned officer; 404 when there is no such case or it lies outside
/// the actor's reach (as for operations).
async fn case_for(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
) -> Result<Option<String>, AppError> {
    let row = sqlx::query("SELECT office_code, officer FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let office: String = row.try_get("office_code").map_err(AppError::from)?;
    let office = OfficeCode::parse(&office)
        .map_err(|e| AppError::Internal(format!("case {case_id} has office {office}: {e}")))?;
    if !actor.covers_office(&office) {
        return Err(AppError::NotFound("case".into()));
    }
    row.try_get("officer").map_err(AppError::from)
}

/// Starts a run as the head of the case's office or its assigned officer: 201 with the record
/// when the run finished within `[verification] wait`, 202 with the running record otherwise,
/// 200 for a repeated `request_id`. 422 names the field (`case_id`, `legal_basis`,
/// `identifiers[0].cccd`, `early_reason`); nothing is queried then.
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/verifications",
    tag = "verification",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    request_body(content = StartBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The same `request_id` ran before.", body = Object),
        (status = 201, description = "The verification record with its findings.", body = Object),
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
async fn start_run(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ext: MaybeVerifier,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RecordView>), AppError> {
    let verifier = verifier(ext)?;
    if case_id.trim().is_empty() {
        return Err(invalid(
            "case_id",
            "is required: no national database is queried without a case",
        ));
    }
    require_role(&actor, &[Role::Head, Role::Officer])?;
    let body = state.body(body)?;
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let request: StartBody = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        invalid(&field, e.inner().to_string())
    })?;
    let officer = case_for(&state, &actor, &case_id).await?;
    if actor.role == Role::Officer && officer.as_deref() != Some(actor.username.as_str()) {
        return Err(AppError::Forbidden(format!(
            "A verification is asked for by the head or the case's assigned officer ({}).",
            officer.unwrap_or_else(|| "nobody".into())
        )));
    }
    let started = verifier
        .start(RunRequest {
            case_id: case_id.clone(),
            requested_by: actor.username.clone(),
            legal_basis: request.legal_basis,
            trigger: Trigger::Officer,
            request_id: request.request_id,
            early_reason: request.early_reason,
            identifiers: request
                .identifiers
                .into_iter()
                .map(|i| SuppliedId {
                    party: i.party,
                    cccd: i.cccd,
                    tax_code: i.tax_code,
                })
                .collect(),
        })
        .await?;
    let mut status = if started.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    if let Some(done) = started.done {
        if tokio::time::timeout(verifier.config().wait, done)
            .await
            .is_err()
        {
            status = StatusCode::ACCEPTED;
        }
    }
    let record = view::load(&state.db, &started.record_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("record {} vanished", started.record_id)))?;
    tracing::info!(case = %case_id, record = %record.id, actor = %actor.username, status = %record.status, "verification asked for");
    Ok((status, Json(record)))
}

/// The case's verification records, newest first, for staff of its office.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}/verifications",
    tag = "verification",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The case id (`case-…`).")),
    responses(
        (status = 200, description = "The case's verification records.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn list_records(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(case_id): Path<String>,
) -> Result<Json<Vec<RecordView>>, AppError> {
    case_for(&state, &actor, &case_id).await?;
    Ok(Json(view::for_case(&state.db, &case_id).await?))
}

/// One record, for staff of its case's office.
#[utoipa::path(
    get,
    path = "/v1/verifications/{id}",
    tag = "verification",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The record id (`vrf-…`).")),
    responses(
        (status = 200, description = "One record with its audited queries.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
    ),
)]
async fn get_record(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<RecordView>, AppError> {
    let record = view::load(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound("verification record".into()))?;
    case_for(&state, &actor, &record.case_id).await?;
    Ok(Json(record))
}
