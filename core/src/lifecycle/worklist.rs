//! The work list (danh sách công việc): for a member of staff, the running cases they answer
//! for, each with its open deadlines (warned before, flagged overdue after) and the operations
//! they may perform next. The daily digest is built from the same list.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use thads_schemas::office::OfficeCode;
use time::Date;

use super::machine::{self, CaseSnapshot};
use super::state::CaseState;
use crate::db::Db;
use crate::deadlines::store::{parse_iso, Schedule, Status};
use crate::deadlines::Step;
use crate::staff::{Actor, Role};

/// One open deadline on the list.
#[derive(Debug, Clone, Serialize)]
pub struct OpenDeadline {
    /// The step.
    pub step: String,
    /// Its last day.
    pub due_on: String,
    /// Open, due soon, overdue, or elapsed.
    pub status: Status,
    /// The article that sets it.
    pub legal_basis: String,
}

/// One case on the list.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// The case.
    pub case_id: String,
    /// Its office.
    pub office: String,
    /// The judgment's number.
    pub judgment_number: String,
    /// Its state.
    pub state: String,
    /// The state in Vietnamese.
    pub state_vi: String,
    /// The assigned officer.
    pub officer: Option<String>,
    /// Open deadlines, earliest first.
    pub deadlines: Vec<OpenDeadline>,
    /// What the actor may do next.
    pub next_operations: Vec<&'static str>,
    /// The most urgent status among the deadlines.
    pub attention: Status,
}

fn urgency(s: Status) -> u8 {
    match s {
        Status::Overdue => 4,
        Status::DueSoon => 3,
        Status::Elapsed => 2,
        Status::Open => 1,
        Status::Done => 0,
    }
}

/// The work list of `actor` on `today`: an officer's own cases, or the whole office's for a
/// head, clerk or administrator. Most urgent first, then by the earliest due day.
pub async fn for_actor(
    db: &Db,
    schedule: &Schedule,
    actor: &Actor,
    today: Date,
) -> Result<Vec<WorkItem>, sqlx::Error> {
    let officer_only = actor.role == Role::Officer;
    let rows = sqlx::query(
        "SELECT c.id, c.office_code, c.judgment_number, c.state, c.officer, c.amount_vnd, \
         c.collected_vnd, c.disbursed_vnd, c.reduced_vnd, c.resume_state, \
         d.step, d.due_on, d.legal_basis \
         FROM cases c LEFT JOIN case_deadlines d ON d.case_id = c.id AND d.done_on IS NULL \
         WHERE c.office_code = $1 AND ($2 = 0 OR c.officer = $3) \
         AND c.state NOT IN ('fully_enforced', 'closed', 'terminated', 'transferred') \
         ORDER BY c.id, d.due_on",
    )
    .bind(actor.office.as_str())
    .bind(i64::from(officer_only))
    .bind(&actor.username)
    .fetch_all(db.pool())
    .await?;
    let warn = Some((&*schedule.calendar, schedule.rules.warn_working_days));
    let mut items: BTreeMap<String, (WorkItem, CaseSnapshot)> = BTreeMap::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        if !items.contains_key(&id) {
            let state_text: String = r.try_get("state")?;
            let Some(state) = CaseState::parse(&state_text) else {
                continue;
            };
            let office: String = r.try_get("office_code")?;
            let Ok(office_code) = OfficeCode::parse(&office) else {
                continue;
            };
            let money = |col: &str| -> Result<_, sqlx::Error> {
                Ok(thads_schemas::money::Vnd::new(r.try_get(col)?).unwrap_or_default())
            };
            let snapshot = CaseSnapshot {
                id: id.clone(),
                office: office_code,
                state,
                resume_state: r
                    .try_get::<Option<String>, _>("resume_state")?
                    .as_deref()
                    .and_then(CaseState::parse),
                officer: r.try_get("officer")?,
                amount: money("amount_vnd")?,
                collected: money("collected_vnd")?,
                disbursed: money("disbursed_vnd")?,
                reduced: money("reduced_vnd")?,
                open_deadlines: Vec::new(),
            };
            let item = WorkItem {
                case_id: id.clone(),
                office,
                judgment_number: r.try_get("judgment_number")?,
                state: state_text,
                state_vi: state.title_vi().to_string(),
                officer: snapshot.officer.clone(),
                deadlines: Vec::new(),
                next_operations: Vec::new(),
                attention: Status::Open,
            };
            items.insert(id.clone(), (item, snapshot));
        }
        let step: Option<String> = r.try_get("step")?;
        let due: Option<String> = r.try_get("due_on")?;
        if let (Some(step), Some(due_text), Some((item, _))) = (step, due, items.get_mut(&id)) {
            let status = match parse_iso(&due_text) {
                Some(d) => Status::of(Step::parse(&step), d, false, today, warn),
                None => Status::Open,
            };
            if urgency(status) > urgency(item.attention) {
                item.attention = status;
            }
            item.deadlines.push(OpenDeadline {
                step,
                due_on: due_text,
                status,
                legal_basis: r.try_get("legal_basis")?,
            });
        }
    }
    let mut list: Vec<WorkItem> = items
        .into_values()
        .map(|(mut item, snapshot)| {
            item.next_operations = machine::next_operations(&snapshot, actor);
            item
        })
        .collect();
    list.sort_by(|a, b| {
        urgency(b.attention)
            .cmp(&urgency(a.attention))
            .then_with(|| first_due(a).cmp(first_due(b)))
            .then_with(|| a.case_id.cmp(&b.case_id))
    });
    Ok(list)
}

fn first_due(item: &WorkItem) -> &str {
    item.deadlines
        .first()
        .map(|d| d.due_on.as_str())
        .unwrap_or("9999-12-31")
}

/// The items that need attention today (due soon or overdue): what the digest reports.
pub fn needing_attention(list: &[WorkItem]) -> Vec<&WorkItem> {
    list.iter()
        .filter(|i| matches!(i.attention, Status::Overdue | Status::DueSoon))
        .collect()
}
