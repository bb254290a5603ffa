//! The operator's console API (`docs/console.md`): message search, each partner's health, the
//! dead letters (replay one or many, discard with a reason), and alerts; every list also as CSV
//! (`?format=csv`).
//!
//! Who: message search and alerts for administrators and heads (messages within the offices
//! they cover; heads see the partners' and dead letters' alerts only); partner health and dead
//! letters for administrators (their offices' cases; those of no case for every administrator).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use thads_core::admin::dead_letters::{self, DiscardError};
use thads_core::admin::search::{self, Filter, SearchError};
use thads_core::admin::{alerts, health};
use thads_core::db::now_ms;
use thads_core::replay::{self, ReplayError};
use thads_core::staff::Role;
use thads_schemas::validation::FieldError;

use super::auth::{require_role, CurrentActor};
use super::problem::AppError;
use super::AppState;

/// The console API routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/messages", get(get_messages))
        .route("/v1/admin/partners/health", get(get_health))
        .route("/v1/admin/dead-letters", get(get_dead_letters))
        .route("/v1/admin/dead-letters/replay", post(post_replay_many))
        .route("/v1/admin/messages/{id}/discard", post(post_discard))
        .route("/v1/admin/alerts", get(get_alerts))
}

/// `?format=csv` on any list.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Format {
    /// `json` (the default) or `csv`.
    #[serde(default)]
    pub(crate) format: Option<String>,
}

/// Answers `rows` as JSON, or as CSV (with a header row) for `format=csv`.
pub(crate) fn list<T: Serialize>(rows: &[T], format: Option<&str>, name: &str) -> Response {
    match format {
        Some("csv") => {
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in rows {
                if let Err(e) = w.serialize(r) {
                    return AppError::Internal(format!("CSV of {name}: {e}")).into_response();
                }
            }
            match w.into_inner() {
                Ok(bytes) => (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{name}.csv\""),
                        ),
                    ],
                    bytes,
                )
                    .into_response(),
                Err(e) => AppError::Internal(format!("CSV of {name}: {e}")).into_response(),
            }
        }
        None | Some("json") => Json(rows).into_response(),
        Some(other) => AppError::Invalid {
            errors: vec![FieldError::new(
                "format",
                format!("{other:?} is not json or csv"),
            )],
            message_id: None,
        }
        .into_response(),
    }
}

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Invalid { field, reason } => AppError::Invalid {
                errors: vec![FieldError::new(field, reason)],
                message_id: None,
            },
            SearchError::Db(e) => AppError::from(e),
        }
    }
}

/// Message search: JSON `{"messages": [...], "next": cursor}`, or the page as CSV.
async fn get_messages(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    q: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator, Role::Head])?;
    let Query(q) = q.map_err(|e| invalid("query", e.body_text()))?;
    let page = search::search(&state.db, &actor, &q).await?;
    if q.format.as_deref() == Some("csv") {
        return Ok(list(&page.messages, Some("csv"), "messages"));
    }
    Ok(Json(page).into_response())
}

/// The window of the health figures.
#[derive(Debug, Deserialize)]
struct HealthQuery {
    /// How far back, e.g. `1h`, `24h` (default), `7d`.
    #[serde(default)]
    window: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn get_health(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    q: Result<Query<HealthQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let Query(q) = q.map_err(|e| invalid("query", e.body_text()))?;
    let window = match q.window.as_deref() {
        None => std::time::Duration::from_secs(24 * 3600),
        Some(w) => humantime::parse_duration(w).map_err(|e| AppError::Invalid {
            errors: vec![FieldError::new("window", format!("{w:?}: {e}"))],
            message_id: None,
        })?,
    };
    let since = now_ms() - i64::try_from(window.as_millis()).unwrap_or(i64::MAX / 2);
    let rows = health::partners(&state.db, since, &state.metrics.circuit_states()).await?;
    Ok(list(&rows, q.format.as_deref(), "partners"))
}

async fn get_dead_letters(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(f): Query<Format>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let rows = dead_letters::list(&state.db, &actor, 1000).await?;
    Ok(list(&rows, f.format.as_deref(), "dead-letters"))
}

/// Which dead letters to replay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayMany {
    message_ids: Vec<String>,
}

/// What became of one replay.
#[derive(Debug, Serialize)]
struct ReplayOutcome {
    message_id: String,
    replayed: bool,
    bus_id: Option<String>,
    error: Option<String>,
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

/// Replays several dead letters; 200 with an outcome per message (one that cannot be replayed
/// does not stop the others).
async fn post_replay_many(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Vec<ReplayOutcome>>, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let body = state.body(body)?;
    let request: ReplayMany =
        serde_json::from_slice(&body).map_err(|e| invalid("body", e.to_string()))?;
    if request.message_ids.is_empty() || request.message_ids.len() > 500 {
        return Err(invalid("/message_ids", "name 1 to 500 messages"));
    }
    let mut out = Vec::with_capacity(request.message_ids.len());
    for id in request.message_ids {
        if !dead_letters::is_visible(&state.db, &actor, &id).await? {
            out.push(ReplayOutcome {
                message_id: id,
                replayed: false,
                bus_id: None,
                error: Some("not a dead letter you can see".into()),
            });
            continue;
        }
        let outcome = match replay::replay(&state.db, &state.outbox, &id, &actor.username).await {
            Ok(r) => ReplayOutcome {
                message_id: id,
                replayed: true,
                bus_id: Some(r.bus_id),
                error: None,
            },
            Err(ReplayError::Sql(e)) => return Err(AppError::from(e)),
            Err(e) => ReplayOutcome {
                message_id: id,
                replayed: false,
                bus_id: None,
                error: Some(e.to_string()),
            },
        };
        out.push(outcome);
    }
    Ok(Json(out))
}

/// Why a dead letter is discarded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Discard {
    reason: String,
}

async fn post_discard(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let body = state.body(body)?;
    let request: Discard =
        serde_json::from_slice(&body).map_err(|e| invalid("body", e.to_string()))?;
    match dead_letters::discard(&state.db, &actor, &id, &request.reason).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(DiscardError::NotFound(_)) => Err(AppError::NotFound("message".into())),
        Err(e @ DiscardError::NotDeadLettered { .. }) => Err(AppError::Refused(e.to_string())),
        Err(DiscardError::Reason) => Err(invalid("/reason", "say why, in 1 to 500 characters")),
        Err(DiscardError::Db(e)) => Err(AppError::from(e)),
    }
}

/// The alerts holding now (evaluated on the spot and recorded), for administrators and heads.
async fn get_alerts(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(f): Query<Format>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator, Role::Head])?;
    let now = now_ms();
    let certificates = (state.certificates)();
    let current = alerts::evaluate(
        &state.db,
        now,
        &state.metrics.circuit_states(),
        &certificates,
    )
    .await?;
    let (mut current, _) = alerts::record(&state.db, current, now).await?;
    if actor.role != Role::Administrator {
        // Sign-in failures name accounts of every office, and certificates are the
        // administrators' to renew: heads see the partners' and the dead letters' alerts.
        current.retain(|a| matches!(a.kind.as_str(), "partner_failing" | "dlq_growing"));
    }
    Ok(list(&current, f.format.as_deref(), "alerts"))
}
