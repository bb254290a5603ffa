//! Computing a case's deadlines and reading them back: each row keeps the regime and legal
//! basis that set it, so a later change of configuration never rewrites a running deadline.

use std::sync::Arc;

use serde::Serialize;
use sqlx::Row;
use time::{Date, OffsetDateTime, UtcOffset};

use super::rules::{DeadlineRules, Step};
use crate::calendar::{Calendar, CalendarError};
use crate::db::{Db, Tx};

/// The calendar and the rules, shared by every handler that sets deadlines.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The working-day calendar.
    pub calendar: Arc<Calendar>,
    /// The per-regime limits.
    pub rules: Arc<DeadlineRules>,
}

/// Vietnam's offset (UTC+7): the legal day of an event is its date in Vietnam.
pub fn vietnam_date(at: OffsetDateTime) -> Date {
    let offset = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    at.to_offset(offset).date()
}

/// Computes and stores the deadline of `step` starting on `start`; returns the due date.
pub async fn set(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    step: Step,
    start: Date,
) -> Result<Result<Date, CalendarError>, sqlx::Error> {
    let regime = schedule.rules.regime_for(start);
    let limit = schedule.rules.limits(regime).limit(step);
    let due = match limit.due(&schedule.calendar, start) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    sqlx::query(
        "INSERT INTO case_deadlines (case_id, step, regime, starts_on, due_on, legal_basis) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, step) DO NOTHING",
    )
    .bind(case_id)
    .bind(step.as_str())
    .bind(regime.as_str())
    .bind(start.to_string())
    .bind(due.to_string())
    .bind(&limit.legal_basis)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(due))
}

/// A deadline as the read side shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    /// The step (`decision_ex_officio`, ...).
    pub step: String,
    /// `law_2008` or `law_2025`.
    pub regime: String,
    /// The day the period started.
    pub starts_on: String,
    /// The last day to act.
    pub due_on: String,
    /// The article that sets the limit.
    pub legal_basis: String,
    /// `open`, `overdue` or `done`.
    pub status: &'static str,
}

/// The deadlines of a case, judged against `today` (Vietnam date).
pub async fn for_case(
    db: &Db,
    case_id: &str,
    today: Date,
) -> Result<Vec<DeadlineView>, sqlx::Error> {
    let today = today.to_string();
    sqlx::query(
        "SELECT step, regime, starts_on, due_on, legal_basis, done_on FROM case_deadlines \
         WHERE case_id = $1 ORDER BY due_on, step",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let due_on: String = r.try_get("due_on")?;
        let done_on: Option<String> = r.try_get("done_on")?;
        let status = match done_on {
            Some(_) => "done",
            // ISO dates compare correctly as text.
            None if due_on < today => "overdue",
            None => "open",
        };
        Ok(DeadlineView {
            step: r.try_get("step")?,
            regime: r.try_get("regime")?,
            starts_on: r.try_get("starts_on")?,
            due_on,
            legal_basis: r.try_get("legal_basis")?,
            status,
        })
    })
    .collect()
}
