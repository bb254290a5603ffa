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

/// Computes and stores the deadline of `step` starting on `start`, keeping an existing one;
/// returns the due date.
pub async fn set(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    step: Step,
    start: Date,
) -> Result<Result<Date, CalendarError>, sqlx::Error> {
    store(tx, schedule, case_id, step, start, false).await
}

/// Starts (or starts again) the deadline of `step` from `start`: a step that recurs (a new
/// verification, a new collection to pay out) replaces its earlier row and reopens it.
pub async fn restart(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    step: Step,
    start: Date,
) -> Result<Result<Date, CalendarError>, sqlx::Error> {
    store(tx, schedule, case_id, step, start, true).await
}

async fn store(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    case_id: &str,
    step: Step,
    start: Date,
    replace: bool,
) -> Result<Result<Date, CalendarError>, sqlx::Error> {
    let regime = schedule.rules.regime_for(start);
    let limit = schedule.rules.limits(regime).limit(step);
    let due = match limit.due(&schedule.calendar, start) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let on_conflict = if replace {
        "DO UPDATE SET regime = excluded.regime, starts_on = excluded.starts_on, \
         due_on = excluded.due_on, legal_basis = excluded.legal_basis, done_on = NULL"
    } else {
        "DO NOTHING"
    };
    sqlx::query(&format!(
        "INSERT INTO case_deadlines (case_id, step, regime, starts_on, due_on, legal_basis) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, step) {on_conflict}"
    ))
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

/// Marks the open deadline of `step` met on `on`; a step with no open deadline is ignored.
pub async fn complete(
    tx: &mut Tx<'_>,
    case_id: &str,
    step: Step,
    on: Date,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE case_deadlines SET done_on = $3 \
         WHERE case_id = $1 AND step = $2 AND done_on IS NULL",
    )
    .bind(case_id)
    .bind(step.as_str())
    .bind(on.to_string())
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The open deadlines of a case with their due dates, read inside a transaction.
pub async fn open_in_tx(tx: &mut Tx<'_>, case_id: &str) -> Result<Vec<(Step, Date)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT step, due_on FROM case_deadlines WHERE case_id = $1 AND done_on IS NULL",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let step: String = r.try_get("step")?;
        let due: String = r.try_get("due_on")?;
        if let (Some(step), Some(due)) = (Step::parse(&step), parse_iso(&due)) {
            out.push((step, due));
        }
    }
    Ok(out)
}

/// Parses a stored ISO date.
pub fn parse_iso(s: &str) -> Option<Date> {
    Date::parse(
        s,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// How a deadline stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Met.
    Done,
    /// Running, with time left.
    Open,
    /// Running and due within the warning window: the officer is warned.
    DueSoon,
    /// Past its last day and not met: a breach the office must answer for.
    Overdue,
    /// A period granted to a party (the voluntary period) that has run out: the next step
    /// may start.
    Elapsed,
}

impl Status {
    /// The status of a deadline of `step` due on `due`, met on `done`, judged on `today`;
    /// `warn` gives the calendar and the number of working days before the due day from
    /// which it is [`Status::DueSoon`].
    pub fn of(
        step: Option<Step>,
        due: Date,
        done: bool,
        today: Date,
        warn: Option<(&Calendar, u32)>,
    ) -> Status {
        let grace = step.is_some_and(Step::is_grace_period);
        if done {
            Status::Done
        } else if due < today {
            if grace {
                Status::Elapsed
            } else {
                Status::Overdue
            }
        } else if grace {
            Status::Open
        } else {
            let soon = warn.is_some_and(|(calendar, days)| {
                calendar
                    .working_days_between(today, due)
                    .is_ok_and(|left| left <= days)
            });
            if soon {
                Status::DueSoon
            } else {
                Status::Open
            }
        }
    }
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
    /// The day it was met, if it was.
    pub done_on: Option<String>,
    /// How it stands today.
    pub status: Status,
}

/// The deadlines of a case, judged against `today` (Vietnam date), with warnings from
/// `schedule` when given.
pub async fn for_case(
    db: &Db,
    case_id: &str,
    today: Date,
    schedule: Option<&Schedule>,
) -> Result<Vec<DeadlineView>, sqlx::Error> {
    let warn = schedule.map(|s| (&*s.calendar, s.rules.warn_working_days));
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
        let step: String = r.try_get("step")?;
        let status = match parse_iso(&due_on) {
            Some(due) => Status::of(Step::parse(&step), due, done_on.is_some(), today, warn),
            None => Status::Open,
        };
        Ok(DeadlineView {
            step,
            regime: r.try_get("regime")?,
            starts_on: r.try_get("starts_on")?,
            due_on,
            legal_basis: r.try_get("legal_basis")?,
            done_on,
            status,
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarConfig;
    use crate::deadlines::Regime;
    use time::macros::date;

    fn due(cal: &Calendar, step: Step, start: Date) -> Date {
        let rules = DeadlineRules::default();
        rules
            .limits(rules.regime_for(start))
            .limit(step)
            .due(cal, start)
            .unwrap()
    }

    #[test]
    fn deadlines_and_warnings_across_tet_2026() {
        let cal = Calendar::new(CalendarConfig::default()).unwrap();
        // Received Thu 12 Feb 2026; Tết holiday Mon 16 – Fri 20 Feb: 13, 23, 24, 25, 26.
        let decision = due(&cal, Step::DecisionExOfficio, date!(2026 - 02 - 12));
        assert_eq!(decision, date!(2026 - 02 - 26));
        let warn = Some((&cal, 2));
        let status =
            |today| Status::of(Some(Step::DecisionExOfficio), decision, false, today, warn);
        // During Tết four working days remain: no warning yet.
        assert_eq!(status(date!(2026 - 02 - 20)), Status::Open);
        assert_eq!(status(date!(2026 - 02 - 23)), Status::Open);
        // Two working days before: warned; on the day: still warned; after: overdue.
        assert_eq!(status(date!(2026 - 02 - 24)), Status::DueSoon);
        assert_eq!(status(date!(2026 - 02 - 26)), Status::DueSoon);
        assert_eq!(status(date!(2026 - 02 - 27)), Status::Overdue);
        assert_eq!(
            Status::of(
                Some(Step::DecisionExOfficio),
                decision,
                true,
                date!(2026 - 03 - 30),
                warn
            ),
            Status::Done
        );
        // The voluntary period is the debtor's time: it elapses, it is not breached.
        let voluntary = due(&cal, Step::VoluntaryPeriod, date!(2026 - 02 - 10));
        // 10 days from 10 Feb end on Fri 20 Feb, a Tết day off: moved to Mon 23 Feb.
        assert_eq!(voluntary, date!(2026 - 02 - 23));
        assert_eq!(
            Status::of(
                Some(Step::VoluntaryPeriod),
                voluntary,
                false,
                date!(2026 - 02 - 24),
                warn
            ),
            Status::Elapsed
        );
        assert_eq!(
            Status::of(
                Some(Step::VoluntaryPeriod),
                voluntary,
                false,
                date!(2026 - 02 - 22),
                warn
            ),
            Status::Open
        );
    }

    #[test]
    fn deadlines_and_warnings_across_tet_2027() {
        let cal = Calendar::new(CalendarConfig::default()).unwrap();
        // Tết 2027: Fri 5 – Tue 9 Feb, with Wed 10 and Thu 11 Feb in compensation for the
        // weekend days of the holiday; work resumes Fri 12 Feb.
        assert!(!cal.is_working_day(date!(2027 - 02 - 11)).unwrap());
        assert!(cal.is_working_day(date!(2027 - 02 - 12)).unwrap());
        // Received Wed 3 Feb 2027: 4, 12, 15, 16, 17 Feb. The 2025 law governs.
        let start = date!(2027 - 02 - 03);
        assert_eq!(DeadlineRules::default().regime_for(start), Regime::Law2025);
        assert_eq!(
            due(&cal, Step::DecisionExOfficio, start),
            date!(2027 - 02 - 17)
        );
        // Notice within 3 working days of a decision of Thu 4 Feb: 12, 15, 16 Feb.
        let notice = due(&cal, Step::Notice, date!(2027 - 02 - 04));
        assert_eq!(notice, date!(2027 - 02 - 16));
        let warn = Some((&cal, 2));
        let status = |today| Status::of(Some(Step::Notice), notice, false, today, warn);
        assert_eq!(status(date!(2027 - 02 - 04)), Status::Open);
        assert_eq!(status(date!(2027 - 02 - 10)), Status::Open);
        assert_eq!(status(date!(2027 - 02 - 12)), Status::DueSoon);
        assert_eq!(status(date!(2027 - 02 - 17)), Status::Overdue);
        // Ten days from Mon 1 Feb end on Thu 11 Feb, a day off: Fri 12 Feb.
        assert_eq!(
            due(&cal, Step::VoluntaryPeriod, date!(2027 - 02 - 01)),
            date!(2027 - 02 - 12)
        );
    }
}
