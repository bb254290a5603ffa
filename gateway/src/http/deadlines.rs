//! `GET /v1/deadlines/overview`: the console's deadline overview — every open statutory
//! deadline of running cases and of complaints still owed an act, per office with counts by
//! status (`open`, `due_soon`, `overdue`, `elapsed`), and the deadlines themselves, most urgent
//! first. Filters: `office=HCM-KV01`, `kind=case|complaint`, `status=overdue|due_soon|open|elapsed`,
//! `limit` (default 200, at most 2000). Staff see their office; administrators the offices
//! under theirs.

use crate::http::extract::Query;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::deadlines::overview::{self, Filter, Overview, SubjectKind};
use thads_core::deadlines::store::{vietnam_date, Status};
use thads_schemas::validation::FieldError;
use time::OffsetDateTime;

use super::auth::CurrentActor;
use super::problem::AppError;
use super::AppState;

/// The overview route.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/deadlines/overview", get(get_overview))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    office: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

fn invalid(field: &str, reason: &str) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

async fn get_overview(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(p): Query<Params>,
) -> Result<Json<Overview>, AppError> {
    let kind = match p.kind.as_deref() {
        Some(k) => Some(
            SubjectKind::parse(k).ok_or_else(|| invalid("kind", "must be case or complaint"))?,
        ),
        None => None,
    };
    let status = match p.status.as_deref() {
        Some("open") => Some(Status::Open),
        Some("due_soon") => Some(Status::DueSoon),
        Some("overdue") => Some(Status::Overdue),
        Some("elapsed") => Some(Status::Elapsed),
        Some(_) => {
            return Err(invalid(
                "status",
                "must be open, due_soon, overdue or elapsed",
            ))
        }
        None => None,
    };
    let filter = Filter {
        office: p.office,
        kind,
        status,
        limit: p.limit.unwrap_or(200).min(2000),
    };
    let today = vietnam_date(OffsetDateTime::now_utc());
    let view = overview::overview(
        &state.db,
        state.lifecycle.schedule(),
        &actor,
        today,
        &filter,
    )
    .await?;
    Ok(Json(view))
}
