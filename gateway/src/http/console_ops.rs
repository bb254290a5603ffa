//! The console's alert acknowledgement (`docs/console.md`): `POST /v1/admin/alerts/acknowledge`
//! marks an alert as seen (administrators, audited). The deadlines overview is
//! `GET /v1/deadlines/overview` (`deadlines.rs`).

use crate::http::problem::answers;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use thads_core::admin::alerts;
use thads_core::staff::Role;
use thads_schemas::validation::FieldError;

use super::auth::{require_role, CurrentActor};
use super::problem::AppError;
use super::AppState;

/// The routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/alerts/acknowledge", post(post_acknowledge))
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
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
