//! Operations endpoints: `/healthz` (the process is alive), `/readyz` (database and bus answer,
//! each within its own time limit; 503 in maintenance), `/metrics` (Prometheus) and the
//! maintenance switch `PUT /v1/admin/maintenance` and the replay of a dead letter
//! `POST /v1/admin/messages/{id}/replay` (administrators only).

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thads_core::staff::Role;

use super::auth::{require_role, CurrentActor};
use super::problem::answers;
use super::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: answers while the process serves HTTP.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process serves HTTP.", body = String, content_type = "text/plain")))]
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize)]
struct Check {
    ok: bool,
    detail: String,
}

#[derive(Debug, Serialize)]
struct Readiness {
    ready: bool,
    maintenance: bool,
    database: Check,
    bus: Check,
}

async fn timed<F, E>(what: &str, f: F) -> Check
where
    F: std::future::Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    match tokio::time::timeout(CHECK_TIMEOUT, f).await {
        Ok(Ok(())) => Check {
            ok: true,
            detail: format!("{what} answered"),
        },
        Ok(Err(e)) => Check {
            ok: false,
            detail: e.to_string(),
        },
        Err(_) => Check {
            ok: false,
            detail: format!("{what} did not answer within {} s", CHECK_TIMEOUT.as_secs()),
        },
    }
}

/// Readiness: database and bus reachable and not in maintenance.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Database and bus answer.", body = Object),
        answers::Unavailable,
    ),
)]
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let (database, bus) = tokio::join!(
        timed("database", state.db.ping()),
        timed(state.bus.kind(), state.bus.health())
    );
    let maintenance = state.maintenance();
    let ready = database.ok && bus.ok && !maintenance;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            ready,
            maintenance,
            database,
            bus,
        }),
    )
        .into_response()
}

/// Prometheus text format; the dead-letter depth is read fresh at each scrape.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition.", body = String, content_type = "application/openmetrics-text")),
)]
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(Ok(depth)) = tokio::time::timeout(
        CHECK_TIMEOUT,
        thads_core::journey::dead_letter_depth(&state.db),
    )
    .await
    {
        state.metrics.set_dlq_depth(depth);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Puts a dead letter back on its subject (202), or says why not (404, 409).
/// Administrators only; the journey's `replayed` step names the administrator.
#[utoipa::path(
    post,
    path = "/v1/admin/messages/{id}/replay",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The dead-lettered message.")),
    responses(
        (status = 202, description = "Put back on its subject under a new bus id.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
    ),
)]
pub(crate) async fn post_replay(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    super::extract::Path(id): super::extract::Path<String>,
) -> Result<Response, super::problem::AppError> {
    use super::problem::AppError;
    use thads_core::replay::{replay, ReplayError};
    require_role(&actor, &[Role::Administrator])?;
    tracing::info!(message = %id, admin = %actor.username, "replay asked for");
    match replay(&state.db, &state.outbox, &id, &actor.username).await {
        Ok(r) => Ok((StatusCode::ACCEPTED, Json(r)).into_response()),
        Err(ReplayError::NotFound(_)) => Err(AppError::NotFound("message".into())),
        Err(e @ ReplayError::NotDeadLettered { .. }) => Err(AppError::Conflict(e.to_string())),
        Err(ReplayError::Sql(e)) => Err(AppError::from(e)),
    }
}

/// The maintenance switch's body.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct Maintenance {
    on: bool,
}

/// Turns maintenance on or off (administrators only; logged with who switched it).
#[utoipa::path(
    put,
    path = "/v1/admin/maintenance",
    tag = "administration",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    request_body(content = Maintenance, content_type = "application/json"),
    responses(
        (status = 200, description = "The switch as set.", body = Maintenance),
        answers::Unauthorized,
        answers::Forbidden,
        answers::MediaType,
        answers::Invalid,
    ),
)]
pub(crate) async fn put_maintenance(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Maintenance>, super::problem::AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let m: Maintenance = super::extract::json_body(&state.body(body)?)?;
    state.set_maintenance(m.on);
    thads_core::audit::record_alone(
        &state.db,
        &thads_core::audit::Act {
            actor: &actor.username,
            action: "admin.maintenance",
            subject: "hub",
            detail: if m.on {
                "maintenance switched on: partners are refused with 503"
            } else {
                "maintenance switched off"
            },
            content_hash: None,
        },
    )
    .await
    .map_err(super::problem::AppError::from)?;
    tracing::warn!(on = m.on, admin = %actor.username, "maintenance switch changed");
    Ok(Json(m))
}
