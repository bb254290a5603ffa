//! The deadline overview for the console: every open statutory deadline — of running cases and
//! of complaints still owed an act — per office, with counts by status and the deadlines
//! themselves, most urgent first. Generic over what a deadline belongs to (`kind`), so further
//! sources join by adding a loader.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use time::Date;

use super::store::{parse_iso, Schedule, Status};
use super::Step;
use crate::db::Db;
use crate::staff::Actor;

/// What a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// An enforcement case (`GET /v1/cases/{id}`).
    Case,
    /// A complaint or denunciation (`GET /v1/complaints/{id}`).
    Complaint,
}

impl SubjectKind {
    /// Reads `case` or `complaint`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "case" => Some(Self::Case),
            "complaint" => Some(Self::Complaint),
            _ => None,
        }
    }
}

/// One open deadline.
#[derive(Debug, Clone, Serialize)]
pub struct OpenItem {
    /// Case or complaint.
    pub kind: SubjectKind,
    /// Its id.
    pub id: String,
    /// The office that owes the act.
    pub office: String,
    /// The step (`decision_ex_officio`, `complaint_resolution`, ...).
    pub step: String,
    /// The step in Vietnamese.
    pub title_vi: String,
    /// Last day.
    pub due_on: String,
    /// How it stands.
    pub status: Status,
    /// The article that sets it.
    pub legal_basis: String,
}

/// Open deadlines by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Running, with time left.
    pub open: i64,
    /// Within the warning window.
    pub due_soon: i64,
    /// Past the last day.
    pub overdue: i64,
    /// A party's period that has run out (the voluntary period).
    pub elapsed: i64,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Open => self.open += 1,
            Status::DueSoon => self.due_soon += 1,
            Status::Overdue => self.overdue += 1,
            Status::Elapsed => self.elapsed += 1,
            Status::Done => {}
        }
    }
}

/// One office's counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OfficeCounts {
    /// The office.
    pub office: String,
    /// Deadlines of cases.
    pub cases: Counts,
    /// Deadlines of complaints.
    pub complaints: Counts,
    /// Both.
    pub total: Counts,
}

/// The overview.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The day judged (Vietnam date).
    pub day: String,
    /// Per office, in code order.
    pub offices: Vec<OfficeCounts>,
    /// Every office together.
    pub total: Counts,
    /// The deadlines matching the filter, most urgent first then earliest.
    pub items: Vec<OpenItem>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// One office only.
    pub office: Option<String>,
    /// Cases or complaints only.
    pub kind: Option<SubjectKind>,
    /// One status only (the counts still show every status).
    pub status: Option<Status>,
    /// At most this many items.
    pub limit: usize,
}

fn urgency(s: Status) -> u8 {
    match s {
        Status::Overdue => 0,
        Status::DueSoon => 1,
        Status::Elapsed => 2,
        Status::Open => 3,
        Status::Done => 4,
    }
}

async fn case_items(
    db: &Db,
    schedule: &Schedule,
    today: Date,
) -> Result<Vec<OpenItem>, sqlx::Error> {
    let warn = Some((&*schedule.calendar, schedule.rules.warn_working_days));
    let rows = sqlx::query(
        "SELECT c.id, c.office_code, d.step, d.due_on, d.legal_basis \
         FROM case_deadlines d JOIN cases c ON c.id = d.case_id WHERE d.done_on IS NULL \
         AND c.state NOT IN ('fully_enforced', 'closed', 'terminated', 'transferred')",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let step: String = r.try_get("step")?;
        let due: String = r.try_get("due_on")?;
        let Some(d) = parse_iso(&due) else { continue };
        let parsed = Step::parse(&step);
        out.push(OpenItem {
            kind: SubjectKind::Case,
            id: r.try_get("id")?,
            office: r.try_get("office_code")?,
            title_vi: parsed.map_or(step.clone(), |s| s.title_vi().to_string()),
            step,
            due_on: due,
            status: Status::of(parsed, d, false, today, warn),
            legal_basis: r.try_get("legal_basis")?,
        });
    }
    Ok(out)
}

async fn complaint_items(
    db: &Db,
    schedule: &Schedule,
    today: Date,
) -> Result<Vec<OpenItem>, sqlx::Error> {
    Ok(crate::complaints::attention::open(db, schedule, today)
        .await?
        .into_iter()
        .map(|d| OpenItem {
            kind: SubjectKind::Complaint,
            title_vi: d.title_vi().to_string(),
            id: d.complaint_id,
            office: d.office,
            step: d.step,
            due_on: d.due_on.to_string(),
            status: d.status,
            legal_basis: d.legal_basis,
        })
        .collect())
}

/// The overview `actor` may see (their office, or the offices under an administrator) on
/// `today`.
pub async fn overview(
    db: &Db,
    schedule: &Schedule,
    actor: &Actor,
    today: Date,
    filter: &Filter,
) -> Result<Overview, sqlx::Error> {
    let mut all = case_items(db, schedule, today).await?;
    all.extend(complaint_items(db, schedule, today).await?);
    all.retain(|i| {
        thads_schemas::office::OfficeCode::parse(&i.office).is_ok_and(|o| actor.covers_office(&o))
            && filter.office.as_ref().is_none_or(|f| f == &i.office)
    });
    let mut offices: BTreeMap<String, OfficeCounts> = BTreeMap::new();
    let mut total = Counts::default();
    for i in &all {
        let o = offices
            .entry(i.office.clone())
            .or_insert_with(|| OfficeCounts {
                office: i.office.clone(),
                ..OfficeCounts::default()
            });
        match i.kind {
            SubjectKind::Case => o.cases.add(i.status),
            SubjectKind::Complaint => o.complaints.add(i.status),
        }
        o.total.add(i.status);
        total.add(i.status);
    }
    let mut items: Vec<OpenItem> = all
        .into_iter()
        .filter(|i| filter.kind.is_none_or(|k| k == i.kind))
        .filter(|i| filter.status.is_none_or(|s| s == i.status))
        .collect();
    items.sort_by(|a, b| {
        urgency(a.status)
            .cmp(&urgency(b.status))
            .then_with(|| a.due_on.cmp(&b.due_on))
            .then_with(|| a.id.cmp(&b.id))
    });
    items.truncate(filter.limit.max(1));
    Ok(Overview {
        day: today.to_string(),
        offices: offices.into_values().collect(),
        total,
        items,
    })
}

/// Open deadlines past their last day and within the warning window, with the overdue ones per
/// office: the figures behind the deadline gauges and the deadline-breach alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadlineCounts {
    /// Past their last day.
    pub overdue: i64,
    /// Within the warning window.
    pub due_soon: i64,
    /// Past their last day, by office code (only offices with any).
    pub overdue_by_office: std::collections::BTreeMap<String, i64>,
}

/// The overdue and due-soon counts over every office, cases and complaints (see
/// [`DeadlineCounts`]).
pub async fn counts(
    db: &Db,
    schedule: &Schedule,
    today: Date,
) -> Result<DeadlineCounts, sqlx::Error> {
    let mut all = case_items(db, schedule, today).await?;
    all.extend(complaint_items(db, schedule, today).await?);
    let mut counts = DeadlineCounts::default();
    for item in &all {
        match item.status {
            Status::Overdue => {
                counts.overdue += 1;
                *counts
                    .overdue_by_office
                    .entry(item.office.clone())
                    .or_default() += 1;
            }
            Status::DueSoon => counts.due_soon += 1,
            _ => {}
        }
    }
    Ok(counts)
}
