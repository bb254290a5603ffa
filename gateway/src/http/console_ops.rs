//! The console's deadlines overview and alert acknowledgement (`docs/console.md`):
//! `GET /v1/admin/deadlines` counts every office's deadlines by status and lists the overdue
//! ones (any signed-in person, for the offices they cover; `?format=csv` gives the overdue
//! list), and `POST /v1/admin/alerts/acknowledge` marks an alert as seen (administrators,
//! audited).

use crate::http::extract::Query;
use crate::http::problem::answers;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::admin::{alerts, deadlines};
use thads_core::deadlines::store::vietnam_date;
use thads_core::staff::Role;
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;

use super::auth::{require_office, require_role, CurrentActor};
use super::console_api::list;
use super::problem::AppError;
use super::AppState;

/// The routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/deadlines", get(get_deadlines))
        .route("/v1/admin/alerts/acknowledge", post(post_acknowledge))
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

/// `?office=HCM-KV01` narrows the overview to one office; `?format=csv` gives the overdue list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlinesQuery {
    #[serde(default)]
    office: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn get_deadlines(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<DeadlinesQuery>,
) -> Result<Response, AppError> {
    let office = match q.office.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => {
            let code = OfficeCode::parse(o).map_err(|e| invalid("office", e.to_string()))?;
            require_office(&actor, &code)?;
            Some(code)
        }
        None => None,
    };
    let today = vietnam_date(time::OffsetDateTime::now_utc());
    let overview = deadlines::overview(
        &state.db,
        &actor,
        office.as_ref().map(OfficeCode::as_str),
        today,
        state.lifecycle.schedule(),
    )
    .await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(overview).into_response()),
        Some(other) => Ok(list(&overview.overdue, Some(other), "overdue-deadlines")),
    }
}

/// Which alert to acknowledge.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Acknowledge {
    key: String,
}

/// 204 once acknowledged; 404 when no such alert holds now.
#[utoipa::path(
    post,
    path = "/v1/admin/alerts/acknowledge",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    request_body(content = Acknowledge, content_type = "application/json"),
    responses(
        (status = 204, description = "Acknowledged (audited)."),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_acknowledge(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let body = state.body(body)?;
    let request: Acknowledge =
        serde_json::from_slice(&body).map_err(|e| invalid("body", e.to_string()))?;
    if request.key.trim().is_empty() || request.key.len() > 500 {
        return Err(invalid(
            "/key",
            "name the alert's key (1 to 500 characters)",
        ));
    }
    if alerts::acknowledge(&state.db, &actor.username, &request.key).await? {
        tracing::info!(alert = %request.key, admin = %actor.username, "alert acknowledged");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("alert holding now".into()))
    }
}
