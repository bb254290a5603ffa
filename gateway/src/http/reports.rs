//! Statistics and report forms over HTTP: `GET /v1/statistics` (the figures as JSON, with
//! their breakdowns, and the complaints received and answered) and `GET /v1/reports/{form}`
//! (the case, money or complaints form as JSON, CSV or XLSX). Both take the period as `year=2026`, `month=2026-03` or `from=…&to=…`, and the rows
//! as `level=nation|province|office` with an optional `code` (a province or an office).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use thads_core::staff::Actor;
use thads_core::statistics::export::{self, OutputFormat};
use thads_core::statistics::forms::{self, FormKind};
use thads_core::statistics::{self, Level, ParamError, Period, Row, Scope, Selection, StatsError};
use thads_schemas::validation::FieldError;

use super::auth::CurrentActor;
use super::extract::{Path, Query};
use super::problem::{answers, AppError};
use super::AppState;

/// The statistics routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/statistics", get(get_statistics))
        .route("/v1/reports/{form}", get(get_report))
}

/// The query parameters each endpoint accepts; anything else is refused so a typo
/// (`years=2026`) is not silently answered with a default.
const STATISTICS_PARAMS: &[&str] = &["year", "month", "from", "to", "level", "code"];
const REPORT_PARAMS: &[&str] = &["year", "month", "from", "to", "level", "code", "format"];

/// Query parameters by name, each given at most once.
struct Params(Vec<(String, String)>);

impl Params {
    fn read(
        Query(pairs): Query<Vec<(String, String)>>,
        allowed: &[&str],
    ) -> Result<Self, AppError> {
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(invalid(
                    name,
                    format!("unknown parameter; expected one of {}", allowed.join(", ")),
                ));
            }
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(invalid(name, "given more than once"));
            }
        }
        Ok(Self(pairs))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn period(&self) -> Result<Period, AppError> {
        Period::parse(
            self.get("year"),
            self.get("month"),
            self.get("from"),
            self.get("to"),
        )
        .map_err(param_problem)
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

/// A parameter the statistics module refused: 422 naming it.
fn param_problem(e: ParamError) -> AppError {
    invalid(e.field, e.reason)
}

/// A computation failure: the database is retryable (503); bad stored data is a 500 whose
/// detail (the case and value) goes to the log.
fn stats_problem(e: StatsError) -> AppError {
    match e {
        StatsError::Sql(e) => AppError::from(e),
        other => AppError::Internal(other.to_string()),
    }
}

/// The answer of `GET /v1/statistics`.
#[derive(Debug, Serialize)]
struct StatisticsAnswer {
    period: Period,
    scope: Scope,
    level: Level,
    rows: Vec<Row>,
    /// Complaints and denunciations answered by the same units (`statistics::complaints`).
    complaints: Vec<thads_core::statistics::complaints::ComplaintRow>,
}

/// `GET /v1/statistics?year=2026&level=province&code=HCM`: the figures of the units at
/// `level` within `code` (default: the nation, or the unit `code` names), by case and by
/// money, with the breakdowns by initiation and by kind of judgment.
#[utoipa::path(
    get,
    path = "/v1/statistics",
    tag = "statistics",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("year" = Option<i32>, Query, description = "Statistics year (1 October to 30 September).", minimum = 1900, maximum = 9999),
        ("month" = Option<String>, Query, description = "A month, YYYY-MM.", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$"),
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD.", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD.", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("level" = Option<String>, Query, description = "`office`, `province` or `nation`.", pattern = "^(office|province|nation)$"),
        ("code" = Option<String>, Query, description = "The unit's code."),
    ),
    responses(
        (status = 200, description = "Figures by case and by money.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::Invalid,
    ),
)]
async fn get_statistics(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    query: Query<Vec<(String, String)>>,
) -> Result<Json<StatisticsAnswer>, AppError> {
    let params = Params::read(query, STATISTICS_PARAMS)?;
    let period = params.period()?;
    let selection = Selection::parse(params.get("level"), params.get("code"), Level::Nation)
        .map_err(param_problem)?;
    may_see(&actor, &selection)?;
    let stats = statistics::compute(&state.db, &period, &selection.scope)
        .await
        .map_err(stats_problem)?;
    let complaints = complaint_stats(&state, &period, &selection).await?;
    Ok(Json(StatisticsAnswer {
        complaints: complaints.rows(selection.level),
        rows: stats.rows(selection.level),
        period,
        scope: selection.scope,
        level: selection.level,
    }))
}

/// `GET /v1/reports/{form}?year=2026&format=xlsx`: form `cases` or `money` with rows at
/// `level` (default: offices) within `code`, subtotals after them, as JSON, CSV or XLSX.
#[utoipa::path(
    get,
    path = "/v1/reports/{form}",
    tag = "statistics",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("form" = String, Path, description = "`cases` or `money`."),
        ("year" = Option<i32>, Query, description = "Statistics year.", minimum = 1900, maximum = 9999),
        ("month" = Option<String>, Query, description = "A month, YYYY-MM.", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$"),
        ("from" = Option<String>, Query, description = "First day.", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("to" = Option<String>, Query, description = "Last day.", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("level" = Option<String>, Query, description = "`office`, `province` or `nation`.", pattern = "^(office|province|nation)$"),
        ("code" = Option<String>, Query, description = "The unit's code."),
        ("format" = Option<String>, Query, description = "`json` (default), `csv` or `xlsx`.", pattern = "^(json|csv|xlsx)$"),
    ),
    responses(
        (status = 200, description = "The report.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Invalid,
    ),
)]
async fn get_report(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(form): Path<String>,
    query: Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let kind = FormKind::parse(&form).map_err(param_problem)?;
    let params = Params::read(query, REPORT_PARAMS)?;
    let period = params.period()?;
    let selection = Selection::parse(params.get("level"), params.get("code"), Level::Office)
        .map_err(param_problem)?;
    may_see(&actor, &selection)?;
    let format =
        OutputFormat::parse(params.get("format").unwrap_or("json")).map_err(param_problem)?;
    let form = if kind == FormKind::Complaints {
        let stats = complaint_stats(&state, &period, &selection).await?;
        thads_core::statistics::complaints::form(&stats, &period, &selection)
    } else {
        let stats = statistics::compute(&state.db, &period, &selection.scope)
            .await
            .map_err(stats_problem)?;
        forms::build(&stats, kind, &selection)
    };
    let body = match format {
        OutputFormat::Json => {
            serde_json::to_vec(&form).map_err(|e| AppError::Internal(e.to_string()))?
        }
        OutputFormat::Csv => {
            export::to_csv(&form).map_err(|e| AppError::Internal(e.to_string()))?
        }
        OutputFormat::Xlsx => {
            export::to_xlsx(&form).map_err(|e| AppError::Internal(e.to_string()))?
        }
    };
    let disposition = format!(
        "{}; filename=\"{}\"",
        if format == OutputFormat::Json {
            "inline"
        } else {
            "attachment"
        },
        export::file_name(&form, format)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// The complaint figures of the selection's scope for the period (open ones judged today at
/// the latest).
async fn complaint_stats(
    state: &AppState,
    period: &Period,
    selection: &Selection,
) -> Result<thads_core::statistics::complaints::ComplaintStats, AppError> {
    let today = thads_core::deadlines::store::vietnam_date(time::OffsetDateTime::now_utc());
    Ok(
        thads_core::statistics::complaints::compute(&state.db, period, &selection.scope, today)
            .await?,
    )
}

/// Who may see which figures: the national department (`CUC`) everything; a provincial body
/// its province, its offices and the national total; a regional office its own figures and the
/// national and provincial totals — never another office's rows.
fn may_see(actor: &Actor, selection: &Selection) -> Result<(), AppError> {
    let mine = actor.office.as_str();
    if mine == "CUC" {
        return Ok(());
    }
    let province = mine.split('-').next().unwrap_or(mine);
    let is_provincial = !mine.contains('-');
    let allowed = match &selection.scope {
        Scope::Nation => selection.level == Level::Nation,
        Scope::Province(p) => {
            p == province && (is_provincial || selection.level == Level::Province)
        }
        Scope::Office(o) => o == mine || (is_provincial && o.split('-').next() == Some(province)),
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "staff of {mine} may see their own office's figures, their province's and the \
             nation's totals; ask with code={mine}"
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn params(pairs: &[(&str, &str)], allowed: &[&str]) -> Result<Params, AppError> {
        Params::read(
            Query(
                pairs
                    .iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect(),
            ),
            allowed,
        )
    }

    fn field_of(e: AppError) -> String {
        match e {
            AppError::Invalid { errors, .. } => errors[0].field.clone(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let e = params(&[("years", "2026")], STATISTICS_PARAMS)
            .err()
            .unwrap();
        assert_eq!(field_of(e), "years");
        let e = params(&[("year", "2026"), ("year", "2025")], STATISTICS_PARAMS)
            .err()
            .unwrap();
        assert_eq!(field_of(e), "year");
        let e = params(&[("format", "csv")], STATISTICS_PARAMS)
            .err()
            .unwrap();
        assert_eq!(field_of(e), "format");
        let p = params(&[("month", "2026-3")], STATISTICS_PARAMS).unwrap();
        assert_eq!(field_of(p.period().unwrap_err()), "month");
        let p = params(&[("year", "2026"), ("code", "HCM")], REPORT_PARAMS).unwrap();
        assert_eq!(p.period().unwrap().from_iso(), "2025-10-01");
    }
}
