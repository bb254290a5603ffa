//! `GET /v1/deadlines/overview`: the deadline overview of the console and of each office —
//! every open statutory deadline of running cases and of complaints still owed an act, counted
//! per office by status (with those already met), and the deadlines themselves, most urgent
//! first, with the officer in charge and the days overdue; as JSON or, with `format=csv`, the
//! listed deadlines as CSV. Staff see their office; administrators the offices under theirs;
//! naming an office outside them is refused (403).

use crate::http::extract::Query;
use crate::http::problem::answers;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use thads_core::deadlines::overview::{self, Filter, SubjectKind};
use thads_core::deadlines::store::{vietnam_date, Status};
use thads_schemas::office::OfficeCode;
use thads_schemas::validation::FieldError;
use time::OffsetDateTime;

use super::auth::{require_office, CurrentActor};
use super::console_api::list;
use super::problem::AppError;
use super::AppState;

/// The items listed when `limit` is not given.
const DEFAULT_LIMIT: usize = 200;
/// The most items one answer lists.
const MAX_LIMIT: usize = 2000;

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
    format: Option<String>,
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

/// An empty parameter is no filter (the console's forms send them blank). Blanks are not
/// trimmed away: `status=%20` is refused like any other word the description does not list.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// The overview as JSON, or its deadlines as CSV.
#[utoipa::path(
    get,
    path = "/v1/deadlines/overview",
    tag = "console",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("office" = Option<String>, Query, description = "One office (`HCM-KV01`); one outside those the person covers is refused with 403; empty is every office."),
        ("kind" = Option<String>, Query, description = "`case` or `complaint`: the listed deadlines only; the counts show both.", pattern = "^(|case|complaint)$"),
        ("status" = Option<String>, Query, description = "`overdue`, `due_soon`, `open` or `elapsed`: the listed deadlines only; the counts show every status.", pattern = "^(|open|due_soon|overdue|elapsed)$"),
        ("limit" = Option<usize>, Query, description = "At most this many deadlines listed (default 200, at most 2000).", minimum = 1, maximum = 2000),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv` (the listed deadlines); empty is the default.", pattern = "^(|json|csv)$"),
    ),
    responses(
        (status = 200, description = "Counts per office by status (cases, complaints, both; `done` counts those met), every office together, and the deadlines most urgent first (`matched` before the limit). As CSV with `format=csv`.", content((Object = "application/json"), (String = "text/csv"))),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_overview(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let office = match given(&p.office) {
        Some(o) => {
            let code = OfficeCode::parse(o).map_err(|e| invalid("office", e.to_string()))?;
            require_office(&actor, &code)?;
            Some(code.as_str().to_string())
        }
        None => None,
    };
    let kind = match given(&p.kind) {
        Some(k) => Some(
            SubjectKind::parse(k).ok_or_else(|| invalid("kind", "must be case or complaint"))?,
        ),
        None => None,
    };
    let status = match given(&p.status) {
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
    let limit = match p.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => return Err(invalid("limit", format!("must be 1 to {MAX_LIMIT}"))),
    };
    let format = given(&p.format);
    if !matches!(format, None | Some("json") | Some("csv")) {
        return Err(invalid("format", "must be json or csv"));
    }
    let filter = Filter {
        office,
        kind,
        status,
        limit,
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
    Ok(match format {
        Some("csv") => list(&view.items, Some("csv"), "deadlines"),
        _ => Json(view).into_response(),
    })
}
