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
use crate::complaints::rules::stored;
use crate::db::Db;
use crate::staff::{Actor, Role};

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

/// The offices one reading covers, as an SQL condition.
#[derive(Debug, Clone)]
struct Scope {
    /// The person's own office (`None`: every office).
    own: Option<String>,
    /// `HCM-%` for a provincial administrator: the regional offices below.
    prefix: Option<String>,
    /// Narrowed to this office.
    office: Option<String>,
}

impl Scope {
    /// The offices `actor` covers (as [`Actor::covers_office`] judges), narrowed to `office`.
    fn of(actor: &Actor, office: Option<&str>) -> Self {
        let own = actor.office.as_str().to_string();
        let admin = actor.role == Role::Administrator;
        Self {
            prefix: (admin && own != "CUC" && !own.contains('-')).then(|| format!("{own}-%")),
            own: (!(admin && own == "CUC")).then_some(own),
            office: office.map(str::to_string),
        }
    }

    /// Every office (the gauges and the digest).
    fn everywhere() -> Self {
        Self {
            own: None,
            prefix: None,
            office: None,
        }
    }

    /// The condition on `column`, with `$1…` for its parameters.
    fn sql(&self, column: &str) -> (String, Vec<String>) {
        let mut params = Vec::new();
        let mut conds = Vec::new();
        if let Some(own) = &self.own {
            params.push(own.clone());
            let mut c = format!("({column} = $1");
            if let Some(p) = &self.prefix {
                params.push(p.clone());
                c.push_str(&format!(" OR {column} LIKE ${}", params.len()));
            }
            c.push(')');
            conds.push(c);
        }
        if let Some(o) = &self.office {
            params.push(o.clone());
            conds.push(format!("{column} = ${}", params.len()));
        }
        if conds.is_empty() {
            conds.push("1 = 1".into());
        }
        (conds.join(" AND "), params)
    }
}

/// Runs `sql` with the scope's parameters bound in order.
async fn fetch(
    db: &Db,
    sql: &str,
    params: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let mut q = sqlx::query(sql);
    for p in params {
        q = q.bind(p);
    }
    q.fetch_all(db.pool()).await
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
                     FROM complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id \
                     WHERE d.done_on IS NULL AND c.state IN ('received', 'accepted') AND {cond}"
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
mod tests {
    use std::sync::Arc;

    use thads_schemas::office::OfficeCode;
    use time::macros::date;

    use super::*;
    use crate::calendar::{Calendar, CalendarConfig};
    use crate::deadlines::rules::DeadlineRules;
    use crate::staff::sessions::test_db;

    fn actor(role: Role, office: &str) -> Actor {
        Actor {
            username: "u".into(),
            display_name: "U".into(),
            role,
            office: OfficeCode::parse(office).unwrap(),
        }
    }

    async fn case(db: &Db, id: &str, office: &str, deadlines: &[(&str, &str, Option<&str>)]) {
        sqlx::query(
            "INSERT INTO cases (id, office_code, judgment_key, source_message, court_code, \
             court_name, judgment_number, judgment_date, effective_date, state, \
             payment_reference, created_at, updated_at, officer) \
             VALUES ($1, $2, $1, 'm', 'TAND79', 'Tòa', '1/2025', '2025-01-01', '2025-01-02', \
             'registered', $1, 0, 0, 'chv.an')",
        )
        .bind(id)
        .bind(office)
        .execute(db.pool())
        .await
        .unwrap();
        for (step, due, done) in deadlines {
            sqlx::query(
                "INSERT INTO case_deadlines (case_id, step, regime, starts_on, due_on, \
                 legal_basis, done_on) VALUES ($1, $2, 'law_2008', '2025-12-01', $3, 'Điều 36', $4)",
            )
            .bind(id)
            .bind(step)
            .bind(due)
            .bind(done)
            .execute(db.pool())
            .await
            .unwrap();
        }
    }

    fn schedule() -> Schedule {
        Schedule {
            calendar: Arc::new(Calendar::new(CalendarConfig::default()).unwrap()),
            rules: Arc::new(DeadlineRules::default()),
        }
    }

    fn all() -> Filter {
        Filter {
            limit: 100,
            ..Filter::default()
        }
    }

    #[tokio::test]
    async fn offices_count_their_deadlines_and_list_the_most_urgent_first() {
        let (_dir, db) = test_db().await;
        case(
            &db,
            "c1",
            "HCM-KV01",
            &[
                ("decision_on_request", "2026-01-05", None),
                ("notice", "2026-03-02", None),
                ("send_to_procuracy", "2025-12-03", Some("2025-12-02")),
            ],
        )
        .await;
        case(
            &db,
            "c2",
            "HCM-KV02",
            &[("decision_on_request", "2026-01-06", None)],
        )
        .await;
        case(
            &db,
            "c3",
            "HNI-KV01",
            &[("decision_on_request", "2026-01-07", None)],
        )
        .await;
        let schedule = schedule();
        let today = date!(2026 - 01 - 20);

        let o = overview(
            &db,
            &schedule,
            &actor(Role::Officer, "HCM-KV01"),
            today,
            &all(),
        )
        .await
        .unwrap();
        assert_eq!(o.offices.len(), 1, "{o:#?}");
        let kv1 = &o.offices[0];
        assert_eq!(kv1.office, "HCM-KV01");
        assert_eq!(
            (kv1.cases.overdue, kv1.cases.open, kv1.cases.done),
            (1, 1, 1)
        );
        assert_eq!(kv1.total, kv1.cases, "no complaints");
        assert_eq!(o.total, kv1.total);
        assert_eq!(o.items.len(), 2);
        assert_eq!(o.items[0].id, "c1");
        assert_eq!(o.items[0].status, Status::Overdue, "overdue first");
        assert_eq!(o.items[0].days_overdue, Some(15));
        assert_eq!(o.items[0].officer.as_deref(), Some("chv.an"));
        assert_eq!(o.items[1].days_overdue, None);

        // A provincial administrator sees its regional offices, the department every office.
        let hcm = overview(
            &db,
            &schedule,
            &actor(Role::Administrator, "HCM"),
            today,
            &all(),
        )
        .await
        .unwrap();
        let offices: Vec<&str> = hcm.offices.iter().map(|o| o.office.as_str()).collect();
        assert_eq!(offices, ["HCM-KV01", "HCM-KV02"]);
        let overdue = Filter {
            status: Some(Status::Overdue),
            ..all()
        };
        let every = overview(
            &db,
            &schedule,
            &actor(Role::Administrator, "CUC"),
            today,
            &overdue,
        )
        .await
        .unwrap();
        assert_eq!(every.items.len(), 3);
        assert_eq!(every.matched, 3);
        assert_eq!(every.items[0].id, "c1", "oldest due day first");
        assert_eq!(every.total.open, 1, "the counts keep every status");
        let one = Filter {
            office: Some("HNI-KV01".into()),
            limit: 1,
            ..overdue.clone()
        };
        let one = overview(
            &db,
            &schedule,
            &actor(Role::Administrator, "CUC"),
            today,
            &one,
        )
        .await
        .unwrap();
        assert_eq!(one.items.len(), 1);
        assert_eq!(one.items[0].office, "HNI-KV01");
        assert_eq!(one.offices.len(), 1);

        // An officer of another office sees nothing of HCM-KV01 even when they name it.
        let other = Filter {
            office: Some("HCM-KV01".into()),
            ..all()
        };
        let other = overview(
            &db,
            &schedule,
            &actor(Role::Officer, "HNI-KV01"),
            today,
            &other,
        )
        .await
        .unwrap();
        assert!(
            other.offices.is_empty() && other.items.is_empty(),
            "{other:#?}"
        );

        let gauges = counts(&db, &schedule, today).await.unwrap();
        assert_eq!(gauges.overdue, 3);
        assert_eq!(gauges.overdue_by_office.get("HCM-KV01"), Some(&1));
    }
}
