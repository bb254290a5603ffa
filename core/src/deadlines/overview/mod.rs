//! The deadline overview of the console (`GET /v1/deadlines/overview`): every open statutory
//! deadline — of running cases and of complaints still owed an act — in the offices a person
//! covers, counted per office by status (with the deadlines already met), and the deadlines
//! themselves, most urgent first, with the officer in charge and the days overdue.
//!
//! Generic over what a deadline belongs to ([`SubjectKind`]): each kind has one loader that
//! reads its table for the offices in [`Scope`] and yields [`OpenItem`]s, so a further source
//! joins by adding a variant and its loader. The office scope is pushed into SQL, so an
//! office's console reads only its own rows however many offices the hub serves.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use time::Date;

use super::store::{parse_iso, Schedule, Status};
use super::Step;
use crate::complaints::attention::OPEN_DEADLINES_SQL;
use crate::complaints::rules::stored;
use crate::db::Db;
use crate::staff::Actor;

mod scope;

use scope::{fetch, Scope};

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
    /// Every kind the overview reads.
    pub const ALL: [SubjectKind; 2] = [SubjectKind::Case, SubjectKind::Complaint];

    /// Reads `case` or `complaint`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "case" => Some(Self::Case),
            "complaint" => Some(Self::Complaint),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Complaint => "complaint",
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
    /// Last day (ISO).
    pub due_on: String,
    /// How it stands.
    pub status: Status,
    /// Days past the last day (overdue ones only).
    pub days_overdue: Option<i64>,
    /// The officer (chấp hành viên) in charge of the case; a complaint is answered by the
    /// head of its office, so none.
    pub officer: Option<String>,
    /// The article that sets it.
    pub legal_basis: String,
}

/// Deadlines by status.
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
    /// Already met.
    pub done: i64,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Open => self.open += 1,
            Status::DueSoon => self.due_soon += 1,
            Status::Overdue => self.overdue += 1,
            Status::Elapsed => self.elapsed += 1,
            Status::Done => self.done += 1,
        }
    }

    fn add_all(&mut self, other: &Counts) {
        self.open += other.open;
        self.due_soon += other.due_soon;
        self.overdue += other.overdue;
        self.elapsed += other.elapsed;
        self.done += other.done;
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

impl OfficeCounts {
    fn of_kind(&mut self, kind: SubjectKind) -> &mut Counts {
        match kind {
            SubjectKind::Case => &mut self.cases,
            SubjectKind::Complaint => &mut self.complaints,
        }
    }
}

/// The overview.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The day judged (Vietnam date, ISO).
    pub day: String,
    /// Per office, in code order.
    pub offices: Vec<OfficeCounts>,
    /// Every office together.
    pub total: Counts,
    /// The deadlines matching the filter, most urgent first then earliest.
    pub items: Vec<OpenItem>,
    /// How many matched the filter before `limit` cut the list.
    pub matched: usize,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// One office only.
    pub office: Option<String>,
    /// Cases or complaints only (the items; the counts show both).
    pub kind: Option<SubjectKind>,
    /// One status only (the items; the counts show every status).
    pub status: Option<Status>,
    /// At most this many items.
    pub limit: usize,
}

/// The met deadlines of one kind per office.
async fn done_counts(
    db: &Db,
    kind: SubjectKind,
    scope: &Scope,
) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let sql = match kind {
        SubjectKind::Case => {
            let (cond, params) = scope.sql("c.office_code");
            (
                format!(
                    "SELECT c.office_code AS office, CAST(COUNT(*) AS BIGINT) AS n \
                     FROM case_deadlines d JOIN cases c ON c.id = d.case_id \
                     WHERE d.done_on IS NOT NULL AND {cond} GROUP BY c.office_code"
                ),
                params,
            )
        }
        SubjectKind::Complaint => {
            let (cond, params) = scope.sql("c.resolver_office");
            (
                format!(
                    "SELECT c.resolver_office AS office, CAST(COUNT(*) AS BIGINT) AS n \
                     FROM complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id \
                     WHERE d.done_on IS NOT NULL AND {cond} GROUP BY c.resolver_office"
                ),
                params,
            )
        }
    };
    let mut out = BTreeMap::new();
    for r in fetch(db, &sql.0, &sql.1).await? {
        out.insert(r.try_get("office")?, r.try_get("n")?);
    }
    Ok(out)
}

/// The open deadlines of one kind in `scope`, judged on `today`.
async fn open_items(
    db: &Db,
    schedule: &Schedule,
    today: Date,
    kind: SubjectKind,
    scope: &Scope,
) -> Result<Vec<OpenItem>, sqlx::Error> {
    let warn = Some((&*schedule.calendar, schedule.rules.warn_working_days));
    let (sql, params) = match kind {
        SubjectKind::Case => {
            let (cond, params) = scope.sql("c.office_code");
            (
                format!(
                    "SELECT c.id, c.office_code AS office, c.officer, d.step, d.due_on, \
                     d.legal_basis FROM case_deadlines d JOIN cases c ON c.id = d.case_id \
                     WHERE d.done_on IS NULL AND c.state NOT IN \
                     ('fully_enforced', 'closed', 'terminated', 'transferred') AND {cond}"
                ),
                params,
            )
        }
        SubjectKind::Complaint => {
            let (cond, params) = scope.sql("c.resolver_office");
            (
                format!(
                    "SELECT c.id, c.resolver_office AS office, \
                     CAST(NULL AS TEXT) AS officer, d.step, d.due_on, d.legal_basis \
                     FROM {OPEN_DEADLINES_SQL} AND {cond}"
                ),
                params,
            )
        }
    };
    let rows = fetch(db, &sql, &params).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let step: String = r.try_get("step")?;
        let due: String = r.try_get("due_on")?;
        let Some(d) = parse_iso(&due) else { continue };
        let parsed = Step::parse(&step);
        let status = Status::of(parsed, d, false, today, warn);
        out.push(OpenItem {
            kind,
            id: r.try_get("id")?,
            office: r.try_get("office")?,
            title_vi: match (kind, parsed) {
                (SubjectKind::Case, Some(s)) => s.title_vi().to_string(),
                (SubjectKind::Case, None) => step.clone(),
                (SubjectKind::Complaint, _) => stored::title_vi(&step).to_string(),
            },
            step,
            due_on: due,
            status,
            days_overdue: (status == Status::Overdue).then(|| (today - d).whole_days()),
            officer: r.try_get("officer")?,
            legal_basis: r.try_get("legal_basis")?,
        });
    }
    Ok(out)
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

/// The overview `actor` may see (their office, or the offices under an administrator) on
/// `today`. The caller checks that `filter.office`, if any, is one the actor covers; an office
/// outside them simply has nothing here.
pub async fn overview(
    db: &Db,
    schedule: &Schedule,
    actor: &Actor,
    today: Date,
    filter: &Filter,
) -> Result<Overview, sqlx::Error> {
    let scope = Scope::of(actor, filter.office.as_deref());
    let mut offices: BTreeMap<String, OfficeCounts> = BTreeMap::new();
    let mut total = Counts::default();
    let mut items = Vec::new();
    for kind in SubjectKind::ALL {
        for (office, n) in done_counts(db, kind, &scope).await? {
            let o = offices.entry(office).or_default();
            o.of_kind(kind).done += n;
            o.total.done += n;
        }
        for item in open_items(db, schedule, today, kind, &scope).await? {
            let o = offices.entry(item.office.clone()).or_default();
            o.of_kind(kind).add(item.status);
            o.total.add(item.status);
            if filter.kind.is_none_or(|k| k == item.kind)
                && filter.status.is_none_or(|s| s == item.status)
            {
                items.push(item);
            }
        }
    }
    for (code, o) in &mut offices {
        o.office.clone_from(code);
        total.add_all(&o.total);
    }
    items.sort_by(|a, b| {
        urgency(a.status)
            .cmp(&urgency(b.status))
            .then_with(|| a.due_on.cmp(&b.due_on))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.step.cmp(&b.step))
    });
    let matched = items.len();
    items.truncate(filter.limit.max(1));
    Ok(Overview {
        day: today.to_string(),
        offices: offices.into_values().collect(),
        total,
        items,
        matched,
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
    pub overdue_by_office: BTreeMap<String, i64>,
}

/// The overdue and due-soon counts over every office, cases and complaints (see
/// [`DeadlineCounts`]).
pub async fn counts(
    db: &Db,
    schedule: &Schedule,
    today: Date,
) -> Result<DeadlineCounts, sqlx::Error> {
    let scope = Scope::everywhere();
    let mut counts = DeadlineCounts::default();
    for kind in SubjectKind::ALL {
        for item in open_items(db, schedule, today, kind, &scope).await? {
            match item.status {
                Status::Overdue => {
                    counts.overdue += 1;
                    *counts.overdue_by_office.entry(item.office).or_default() += 1;
                }
                Status::DueSoon => counts.due_soon += 1,
                _ => {}
            }
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests;
