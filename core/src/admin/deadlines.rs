//! The deadlines overview of the console: for each office the person covers, how many
//! deadlines are open, due soon, overdue, elapsed and met, and the list of overdue ones.
//!
//! Deadlines come from sources of several kinds; each kind reads its own table and yields
//! [`Row`]s, and the overview counts them all alike. Today the one kind is a case's statutory
//! deadline (`case_deadlines`); another kind (complaints, say) adds a variant to [`Kind`] and a
//! reader in [`Kind::rows`], and shows up in every count and list without other changes.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row as _;
use time::Date;

use crate::db::Db;
use crate::deadlines::rules::Step;
use crate::deadlines::store::{parse_iso, Schedule, Status};
use crate::staff::{Actor, Role};

/// The most overdue deadlines listed.
pub const MAX_OVERDUE: usize = 1000;

/// A kind of deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A step of a case with its statutory time limit (`case_deadlines`).
    CaseDeadline,
}

impl Kind {
    /// Every kind the overview reads.
    pub const ALL: [Kind; 1] = [Kind::CaseDeadline];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CaseDeadline => "case_deadline",
        }
    }

    /// The deadlines of this kind not yet met, in the offices `scope` selects, plus the count
    /// of those met per office.
    async fn rows(
        self,
        db: &Db,
        scope: &Scope,
    ) -> Result<(Vec<Row>, BTreeMap<String, i64>), sqlx::Error> {
        match self {
            Kind::CaseDeadline => case_deadlines(db, scope).await,
        }
    }
}

/// One deadline of any kind.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Its kind.
    pub kind: Kind,
    /// The office that must meet it.
    pub office: String,
    /// What it belongs to (the case id).
    pub reference: String,
    /// The step (`decision_ex_officio`, ...).
    pub step: String,
    /// The step in Vietnamese.
    pub title_vi: String,
    /// The last day to act (ISO).
    pub due_on: String,
    /// The officer in charge, if one is assigned.
    pub officer: Option<String>,
    /// How it stands today.
    pub status: Status,
    /// Days past the due day (overdue ones).
    pub days_overdue: Option<i64>,
}

/// The counts of one office.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OfficeCounts {
    /// The office.
    pub office: String,
    /// Running, with time left.
    pub open: i64,
    /// Due within the warning window.
    pub due_soon: i64,
    /// Past due and not met.
    pub overdue: i64,
    /// Grace periods run out.
    pub elapsed: i64,
    /// Met.
    pub done: i64,
}

/// The overview.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The day it was judged on (Vietnam date, ISO).
    pub today: String,
    /// The kinds it counts.
    pub kinds: Vec<Kind>,
    /// Per office.
    pub offices: Vec<OfficeCounts>,
    /// The overdue deadlines, oldest due day first (at most [`MAX_OVERDUE`]).
    pub overdue: Vec<Row>,
}

/// Which offices to read.
#[derive(Debug, Clone)]
struct Scope {
    /// The person's own office.
    own: String,
    /// Every office (administrators of `CUC`).
    all: bool,
    /// `HCM-%` for a provincial administrator: the regional offices below.
    prefix: Option<String>,
    /// Narrowed to this office.
    office: Option<String>,
}

impl Scope {
    fn of(actor: &Actor, office: Option<&str>) -> Self {
        let own = actor.office.as_str().to_string();
        let admin = actor.role == Role::Administrator;
        Self {
            all: admin && own == "CUC",
            prefix: (admin && own != "CUC" && !own.contains('-')).then(|| format!("{own}-%")),
            office: office.map(str::to_string),
            own,
        }
    }

    /// The condition on `column`, with `$1…` for its parameters.
    fn sql(&self, column: &str) -> (String, Vec<String>) {
        let mut params = Vec::new();
        let mut conds = Vec::new();
        if !self.all {
            params.push(self.own.clone());
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

async fn case_deadlines(
    db: &Db,
    scope: &Scope,
) -> Result<(Vec<Row>, BTreeMap<String, i64>), sqlx::Error> {
    let (cond, params) = scope.sql("c.office_code");
    let sql = format!(
        "SELECT c.office_code, d.case_id, d.step, d.due_on, c.officer FROM case_deadlines d \
         JOIN cases c ON c.id = d.case_id WHERE d.done_on IS NULL AND {cond}"
    );
    let mut q = sqlx::query(&sql);
    for p in &params {
        q = q.bind(p);
    }
    let mut rows = Vec::new();
    for r in q.fetch_all(db.pool()).await? {
        let step: String = r.try_get("step")?;
        rows.push(Row {
            kind: Kind::CaseDeadline,
            office: r.try_get("office_code")?,
            reference: r.try_get("case_id")?,
            title_vi: Step::parse(&step)
                .map(|s| s.title_vi().to_string())
                .unwrap_or_else(|| step.clone()),
            step,
            due_on: r.try_get("due_on")?,
            officer: r.try_get("officer")?,
            status: Status::Open,
            days_overdue: None,
        });
    }
    let sql = format!(
        "SELECT c.office_code, CAST(COUNT(*) AS BIGINT) AS n FROM case_deadlines d \
         JOIN cases c ON c.id = d.case_id WHERE d.done_on IS NOT NULL AND {cond} \
         GROUP BY c.office_code"
    );
    let mut q = sqlx::query(&sql);
    for p in &params {
        q = q.bind(p);
    }
    let mut done = BTreeMap::new();
    for r in q.fetch_all(db.pool()).await? {
        done.insert(r.try_get("office_code")?, r.try_get("n")?);
    }
    Ok((rows, done))
}

/// The overview for `actor` (the offices they cover; `office` narrows it to one), judged on
/// `today` with the warning window of `schedule`.
pub async fn overview(
    db: &Db,
    actor: &Actor,
    office: Option<&str>,
    today: Date,
    schedule: &Schedule,
) -> Result<Overview, sqlx::Error> {
    let scope = Scope::of(actor, office);
    let warn = Some((&*schedule.calendar, schedule.rules.warn_working_days));
    let mut counts: BTreeMap<String, OfficeCounts> = BTreeMap::new();
    let mut overdue = Vec::new();
    for kind in Kind::ALL {
        let (rows, done) = kind.rows(db, &scope).await?;
        for (office, n) in done {
            counts.entry(office.clone()).or_default().done += n;
        }
        for mut row in rows {
            let due = parse_iso(&row.due_on);
            row.status = match due {
                Some(due) => Status::of(Step::parse(&row.step), due, false, today, warn),
                None => Status::Open,
            };
            let c = counts.entry(row.office.clone()).or_default();
            match row.status {
                Status::Open => c.open += 1,
                Status::DueSoon => c.due_soon += 1,
                Status::Overdue => c.overdue += 1,
                Status::Elapsed => c.elapsed += 1,
                Status::Done => c.done += 1,
            }
            if row.status == Status::Overdue {
                row.days_overdue = due.map(|d| (today - d).whole_days());
                overdue.push(row);
            }
        }
    }
    overdue.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    overdue.truncate(MAX_OVERDUE);
    Ok(Overview {
        today: today.to_string(),
        kinds: Kind::ALL.to_vec(),
        offices: counts
            .into_iter()
            .map(|(office, mut c)| {
                c.office = office;
                c
            })
            .collect(),
        overdue,
    })
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

    #[tokio::test]
    async fn offices_count_their_deadlines_and_list_the_overdue() {
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
        let schedule = Schedule {
            calendar: Arc::new(Calendar::new(CalendarConfig::default()).unwrap()),
            rules: Arc::new(DeadlineRules::default()),
        };
        let today = date!(2026 - 01 - 20);

        let o = overview(
            &db,
            &actor(Role::Officer, "HCM-KV01"),
            None,
            today,
            &schedule,
        )
        .await
        .unwrap();
        assert_eq!(o.offices.len(), 1, "{o:#?}");
        let kv1 = &o.offices[0];
        assert_eq!(
            (kv1.office.as_str(), kv1.overdue, kv1.open, kv1.done),
            ("HCM-KV01", 1, 1, 1)
        );
        assert_eq!(o.overdue.len(), 1);
        assert_eq!(o.overdue[0].reference, "c1");
        assert_eq!(o.overdue[0].days_overdue, Some(15));
        assert_eq!(o.overdue[0].officer.as_deref(), Some("chv.an"));

        // A provincial administrator sees its regional offices, the department every office.
        let hcm = overview(
            &db,
            &actor(Role::Administrator, "HCM"),
            None,
            today,
            &schedule,
        )
        .await
        .unwrap();
        let offices: Vec<&str> = hcm.offices.iter().map(|o| o.office.as_str()).collect();
        assert_eq!(offices, ["HCM-KV01", "HCM-KV02"]);
        let all = overview(
            &db,
            &actor(Role::Administrator, "CUC"),
            None,
            today,
            &schedule,
        )
        .await
        .unwrap();
        assert_eq!(all.overdue.len(), 3);
        assert_eq!(all.overdue[0].reference, "c1", "oldest due day first");
        let one = overview(
            &db,
            &actor(Role::Administrator, "CUC"),
            Some("HNI-KV01"),
            today,
            &schedule,
        )
        .await
        .unwrap();
        assert_eq!(one.overdue.len(), 1);
        assert_eq!(one.overdue[0].office, "HNI-KV01");
    }
}
