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
use super::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: answers while the process serves HTTP.
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
pub(crate) async fn post_replay(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    axum::extract::Path(id): axum::extract::Path<String>,
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
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct Maintenance {
    on: bool,
}

/// Turns maintenance on or off (administrators only; logged with who switched it).
pub(crate) async fn put_maintenance(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Json(m): Json<Maintenance>,
) -> Result<Json<Maintenance>, super::problem::AppError> {
    require_role(&actor, &[Role::Administrator])?;
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
