//! The audit trail for the national department's administrators (office `CUC`: the trail
//! spans every office): the newest entries (`GET /v1/admin/audit`, optionally
//! about one subject and before an entry, for paging) and a verification of the whole trail
//! against the hub's published keys (`GET /v1/admin/audit/verify`; 200 with the report, whose
//! `problems` name each altered or missing entry). `docs/audit.md`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::audit::store::{self, EntryView};
use thads_core::audit::Report;
use thads_core::staff::Role;

use super::auth::{require_role, CurrentActor};
use super::extract::Query;
use super::problem::{answers, AppError};
use super::AppState;
use thads_core::staff::Actor;

/// The audit routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/audit", get(get_entries))
        .route("/v1/admin/audit/verify", get(get_verify))
}

/// Paging and filtering of the entry list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Entries appended before this `seq`.
    before: Option<i64>,
    /// Only entries about this subject (a message, case, username or partner id).
    subject: Option<String>,
    /// At most this many (1 to 500; 100 by default).
    limit: Option<i64>,
}

fn invalid(field: &str, reason: &str) -> AppError {
    AppError::Invalid {
        errors: vec![thads_schemas::validation::FieldError::new(field, reason)],
        message_id: None,
    }
}

/// Administrators of the national department only.
fn require_national_admin(actor: &Actor) -> Result<(), AppError> {
    require_role(actor, &[Role::Administrator])?;
    if actor.office.as_str() == "CUC" {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "The audit trail spans every office: only administrators of CUC read it; {} is of {}.",
            actor.username, actor.office
        )))
    }
}

#[utoipa::path(
    get,
    path = "/v1/admin/audit",
    tag = "audit",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("before" = Option<i64>, Query, description = "Entries appended before this sequence number.", minimum = 0),
        ("subject" = Option<String>, Query, description = "Only entries about this message, case, username or partner."),
        ("limit" = Option<i64>, Query, description = "At most this many (1 to 500; default 100).", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "The entries, newest first.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_entries(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<EntryView>>, AppError> {
    require_national_admin(&actor)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(invalid("limit", "must be 1 to 500"));
    }
    if q.before.is_some_and(|b| b < 0) {
        return Err(invalid("before", "must be a sequence number, 0 or more"));
    }
    Ok(Json(
        store::list(&state.db, q.before, q.subject.as_deref(), limit).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/v1/admin/audit/verify",
    tag = "audit",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    responses(
        (status = 200, description = "The verification report: every altered or missing entry named.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
    ),
)]
async fn get_verify(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Report>, AppError> {
    require_national_admin(&actor)?;
    Ok(Json(store::verify_db(&state.db).await?))
}
