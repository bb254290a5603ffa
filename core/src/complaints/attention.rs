//! The open deadlines of complaints still owed an act (received or accepted), judged on a day
//! with the same statuses as the cases': what the daily digest tells each head. (The console's
//! overview and the gauges count them with the cases' in `deadlines::overview`.)

use serde::Serialize;
use sqlx::Row;
use time::Date;

use super::rules::stored;
use crate::db::Db;
use crate::deadlines::store::{parse_iso, Schedule, Status};
use crate::staff::Actor;

/// The complaint deadlines still owed an act, as a SQL `FROM … WHERE` condition over
/// `complaint_deadlines d` and `complaints c`: not met, on a complaint still being handled
/// (received or accepted). The deadlines overview counts with it too, so the digest and the
/// console never disagree on which complaints are open.
pub(crate) const OPEN_DEADLINES_SQL: &str =
    "complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id \
     WHERE d.done_on IS NULL AND c.state IN ('received', 'accepted')";

/// One open complaint deadline.
#[derive(Debug, Clone, Serialize)]
pub struct OpenComplaintDeadline {
    /// The complaint.
    pub complaint_id: String,
    /// `complaint` or `denunciation`.
    pub kind: String,
    /// The case it is about.
    pub case_id: String,
    /// The office whose head owes the act.
    pub office: String,
    /// `complaint_acceptance` or `complaint_resolution`.
    pub step: String,
    /// Last day.
    pub due_on: Date,
    /// The article that sets it.
    pub legal_basis: String,
    /// How it stands.
    pub status: Status,
}

impl OpenComplaintDeadline {
    /// The step in Vietnamese.
    pub fn title_vi(&self) -> &'static str {
        stored::title_vi(&self.step)
    }
}

/// Every open complaint deadline on `today`, earliest first.
async fn open(
    db: &Db,
    schedule: &Schedule,
    today: Date,
) -> Result<Vec<OpenComplaintDeadline>, sqlx::Error> {
    let warn = Some((&*schedule.calendar, schedule.rules.warn_working_days));
    let sql = format!(
        "SELECT c.id, c.kind, c.case_id, c.resolver_office, d.step, d.due_on, d.legal_basis \
         FROM {OPEN_DEADLINES_SQL} ORDER BY d.due_on, c.id"
    );
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let due: String = r.try_get("due_on")?;
        let Some(due_on) = parse_iso(&due) else {
            continue;
        };
        out.push(OpenComplaintDeadline {
            complaint_id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            case_id: r.try_get("case_id")?,
            office: r.try_get("resolver_office")?,
            step: r.try_get("step")?,
            due_on,
            legal_basis: r.try_get("legal_basis")?,
            status: Status::of(None, due_on, false, today, warn),
        });
    }
    Ok(out)
}

/// The overdue and due-soon complaint deadlines a head must act on (their office answers).
pub async fn for_head(
    db: &Db,
    schedule: &Schedule,
    actor: &Actor,
    today: Date,
) -> Result<Vec<OpenComplaintDeadline>, sqlx::Error> {
    if actor.role != crate::staff::Role::Head {
        return Ok(Vec::new());
    }
    Ok(open(db, schedule, today)
        .await?
        .into_iter()
        .filter(|d| d.office == actor.office.as_str())
        .filter(|d| matches!(d.status, Status::Overdue | Status::DueSoon))
        .collect())
}
