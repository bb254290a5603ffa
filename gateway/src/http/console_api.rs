//! The operator's console API (`docs/console.md`): message search, each partner's health, the
//! dead letters (replay one or many, discard with a reason), and alerts; every list also as CSV
//! (`?format=csv`).
//!
//! Who: message search and alerts for administrators and heads (messages within the offices
//! they cover; heads see the partners' and dead letters' alerts only); partner health and dead
//! letters for administrators (their offices' cases; those of no case for every administrator).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
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
use super::extract::{Path, Query};
use super::problem::answers;
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
#[utoipa::path(
    get,
    path = "/v1/admin/messages",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = Option<String>, Query, description = "A message id or its beginning (3 characters at least). An empty filter is no filter.", pattern = "^(|.{3,200})$"),
        ("partner" = Option<String>, Query, description = "`court:TAND79-KV1`, `bank:VCB`, `vneid`, …"),
        ("subject" = Option<String>, Query, description = "`in.court.judgment`, `out.vneid.notify`, …"),
        ("case_id" = Option<String>, Query, description = "The case."),
        ("state" = Option<String>, Query, description = "The message's state now."),
        ("direction" = Option<String>, Query, description = "`in` or `out`.", pattern = "^(|in|out)$"),
        ("from_ms" = Option<i64>, Query, description = "Created at or after (epoch ms).", minimum = 0),
        ("to_ms" = Option<i64>, Query, description = "Created before (epoch ms).", minimum = 0),
        ("limit" = Option<i64>, Query, description = "Page size (default 100, at most 500).", minimum = 1, maximum = 500),
        ("cursor" = Option<String>, Query, description = "The `next` cursor of the page before."),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`.", pattern = "^(json|csv)$"),
    ),
    responses(
        (status = 200, description = "A page of messages, newest first (or CSV). As CSV with `format=csv`.", content((Object = "application/json"), (String = "text/csv"))),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_messages(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<Filter>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator, Role::Head])?;
    let page = search::search(&state.db, &actor, &q).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(page).into_response()),
        // The CSV holds the page's messages; `list` also refuses any other format.
        format => Ok(list(&page.messages, format, "messages")),
    }
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

#[utoipa::path(
    get,
    path = "/v1/admin/partners/health",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("window" = Option<String>, Query, description = "How far back: `1h`, `24h` (default), `7d`.", pattern = "^[1-9][0-9]*(m|h|d)$"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`.", pattern = "^(json|csv)$"),
    ),
    responses(
        (status = 200, description = "Each partner's figures: messages in and out, errors, latency, backlog, circuit, dead letters, last success. As CSV with `format=csv`.", content(([Object] = "application/json"), (String = "text/csv"))),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_health(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<HealthQuery>,
) -> Result<Response, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let window = match q.window.as_deref() {
        None => std::time::Duration::from_secs(24 * 3600),
        Some(w) => window_of(w).ok_or_else(|| {
            invalid(
                "window",
                format!("{w:?}: a whole number of minutes, hours or days, e.g. 30m, 24h, 7d"),
            )
        })?,
    };
    let since = now_ms() - i64::try_from(window.as_millis()).unwrap_or(i64::MAX / 2);
    let rows = health::partners(&state.db, since, &state.metrics.circuit_states()).await?;
    Ok(list(&rows, q.format.as_deref(), "partners"))
}

/// `30m`, `24h`, `7d`: a positive whole number of minutes, hours or days, at most a year.
fn window_of(w: &str) -> Option<std::time::Duration> {
    let unit = match w.chars().last()? {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let n: u64 = w[..w.len() - 1]
        .parse()
        .ok()
        .filter(|n| *n > 0 && !w.starts_with('0'))?;
    let secs = n.checked_mul(unit).filter(|s| *s <= 366 * 86_400)?;
    Some(std::time::Duration::from_secs(secs))
}

#[utoipa::path(
    get,
    path = "/v1/admin/dead-letters",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("format" = Option<String>, Query, description = "`json` (default) or `csv`.", pattern = "^(json|csv)$")),
    responses(
        (status = 200, description = "The dead letters waiting, with their reasons. As CSV with `format=csv`.", content(([Object] = "application/json"), (String = "text/csv"))),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
#[utoipa::path(
    post,
    path = "/v1/admin/dead-letters/replay",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    request_body(content = ReplayMany, content_type = "application/json"),
    responses(
        (status = 200, description = "An outcome per message.", body = [Object]),
        answers::Unauthorized,
        answers::Forbidden,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_replay_many(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Vec<ReplayOutcome>>, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let body = state.body(body)?;
    let request: ReplayMany = super::extract::json_body(&body)?;
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Discard {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/v1/admin/messages/{id}/discard",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("id" = String, Path, description = "The message id.")),
    request_body(content = Discard, content_type = "application/json"),
    responses(
        (status = 204, description = "Discarded for good (audited)."),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_discard(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    require_role(&actor, &[Role::Administrator])?;
    let body = state.body(body)?;
    let request: Discard = super::extract::json_body(&body)?;
    match dead_letters::discard(&state.db, &actor, &id, &request.reason).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(DiscardError::NotFound(_)) => Err(AppError::NotFound("message".into())),
        Err(e @ DiscardError::NotDeadLettered { .. }) => Err(AppError::Refused(e.to_string())),
        Err(DiscardError::Reason) => Err(invalid("/reason", "say why, in 1 to 500 characters")),
        Err(DiscardError::Db(e)) => Err(AppError::from(e)),
    }
}

/// The alerts holding now (evaluated on the spot and recorded), for administrators and heads.
#[utoipa::path(
    get,
    path = "/v1/admin/alerts",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(("format" = Option<String>, Query, description = "`json` (default) or `csv`.", pattern = "^(json|csv)$")),
    responses(
        (status = 200, description = "The alerts raised and not yet resolved. As CSV with `format=csv`.", content(([Object] = "application/json"), (String = "text/csv"))),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
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

#[cfg(test)]
mod tests {
    use super::window_of;
    use std::time::Duration;

    #[test]
    fn windows_are_whole_minutes_hours_or_days_up_to_a_year() {
        assert_eq!(window_of("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(window_of("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(window_of("7d"), Some(Duration::from_secs(7 * 86_400)));
        for bad in [
            "",
            "0",
            "0h",
            "07d",
            "1s",
            "h",
            "-1h",
            "1.5h",
            "367d",
            "99999999999999999999d",
        ] {
            assert_eq!(window_of(bad), None, "{bad:?}");
        }
    }
}
