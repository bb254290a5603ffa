//! Computes the statistics of a period: three queries pull the per-case facts (the cases in
//! play, their money movements, and which of them are not yet enforceable at the period's end,
//! read from the operation log), and Rust tallies them into offices, provinces and the nation.
//! The SQL is written once for SQLite and PostgreSQL; dates are ISO text and compare as text.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::Row as _;

use super::{
    province_of, BreakdownTally, Initiation, JudgmentKind, Period, Scope, Statistics, StatsError,
    Tally,
};
use crate::db::Db;

/// The cases in play in [from, to]: registered (thụ lý) by `to` and not finished before `from`.
/// `$1` = to, `$2` = from.
const CASES_IN_PLAY: &str = "c.registered_on IS NOT NULL AND c.registered_on <= $1 \
     AND (c.finished_on IS NULL OR c.finished_on >= $2)";

/// One case's facts for the period.
#[derive(Debug)]
struct CaseFacts {
    id: String,
    office_code: String,
    initiation: String,
    judgment_kind: String,
    amount_vnd: i64,
    registered_on: String,
    finished_on: Option<String>,
    outcome: Option<String>,
}

/// One case's money movements, in whole đồng, split around the period.
#[derive(Debug, Default, Clone, Copy)]
struct Movements {
    collected_before: i64,
    reduced_before: i64,
    collected_in: i64,
    reduced_in: i64,
    terminated_in: i64,
    collected_by_end: i64,
    reduced_by_end: i64,
    collected_by_finish: i64,
    reduced_by_finish: i64,
}

/// The figures of `period` for the cases in `scope`.
///
/// Each office, each province the scope covers and (for the nation) the nation are tallied
/// straight from the cases, not by adding rows together, so the add-up checks in the tests
/// compare independent sums.
pub async fn compute(db: &Db, period: &Period, scope: &Scope) -> Result<Statistics, StatsError> {
    let to = period.to_iso();
    let from = period.from_iso();
    let (scope_sql, scope_binds) = scope_filter(scope);

    let cases = load_cases(db, &to, &from, &scope_sql, &scope_binds).await?;
    let movements = load_movements(db, &to, &from, &scope_sql, &scope_binds).await?;
    let not_yet = load_not_yet_enforceable(db, &to, &from, &scope_sql, &scope_binds).await?;

    let mut offices: BTreeMap<String, BreakdownTally> = BTreeMap::new();
    let mut provinces: BTreeMap<String, BreakdownTally> = BTreeMap::new();
    let mut nation = BreakdownTally::default();

    for case in cases {
        // The SQL narrows by prefix; the exact test is here (LIKE is case-blind in SQLite).
        if !scope.contains(&case.office_code) {
            continue;
        }
        let initiation =
            Initiation::parse(&case.initiation).ok_or_else(|| StatsError::UnknownValue {
                case_id: case.id.clone(),
                field: "initiation",
                value: case.initiation.clone(),
            })?;
        let kind =
            JudgmentKind::parse(&case.judgment_kind).ok_or_else(|| StatsError::UnknownValue {
                case_id: case.id.clone(),
                field: "judgment_kind",
                value: case.judgment_kind.clone(),
            })?;
        let m = movements.get(&case.id).copied().unwrap_or_default();
        let (cases_tally, money_tally) =
            tally_case(&case, &m, not_yet.contains(&case.id), &from, &to);

        offices.entry(case.office_code.clone()).or_default().add(
            initiation,
            kind,
            cases_tally,
            money_tally,
        );
        if !matches!(scope, Scope::Office(_)) {
            provinces
                .entry(province_of(&case.office_code).to_string())
                .or_default()
                .add(initiation, kind, cases_tally, money_tally);
        }
        nation.add(initiation, kind, cases_tally, money_tally);
    }

    // A scope with no cases still shows its unit, with zeros.
    match scope {
        Scope::Office(o) => {
            offices.entry(o.clone()).or_default();
        }
        Scope::Province(p) => {
            provinces.entry(p.clone()).or_default();
        }
        Scope::Nation => {}
    }

    Ok(Statistics {
        period: period.clone(),
        scope: scope.clone(),
        offices: offices
            .iter()
            .map(|(k, t)| (k.clone(), t.finish()))
            .collect(),
        provinces: provinces
            .iter()
            .map(|(k, t)| (k.clone(), t.finish()))
            .collect(),
        nation: matches!(scope, Scope::Nation).then(|| nation.finish()),
    })
}

/// One case's contribution to the case and money tallies; the rules of `docs/statistics.md`.
fn tally_case(
    case: &CaseFacts,
    m: &Movements,
    not_yet_enforceable_at_end: bool,
    from: &str,
    to: &str,
) -> (Tally, Tally) {
    let mut cases = Tally::default();
    let mut money = Tally::default();
    let finished_in = case
        .finished_on
        .as_deref()
        .is_some_and(|f| f >= from && f <= to);
    let outcome = if finished_in {
        case.outcome.as_deref()
    } else {
        None
    };

    if case.registered_on.as_str() < from {
        cases.carried_over = 1;
        money.carried_over = case.amount_vnd - m.collected_before - m.reduced_before;
    } else {
        cases.new = 1;
        money.new = case.amount_vnd;
    }

    let transferred = outcome == Some("transferred");
    if transferred {
        cases.transferred = 1;
        money.transferred = case.amount_vnd - m.collected_by_finish - m.reduced_by_finish;
    } else if not_yet_enforceable_at_end {
        cases.not_yet_enforceable = 1;
        money.not_yet_enforceable = case.amount_vnd - m.collected_by_end - m.reduced_by_end;
    }

    match outcome {
        Some("fully_enforced") => cases.done = 1,
        Some("terminated") => cases.terminated = 1,
        _ => {}
    }
    if m.reduced_in > 0 {
        cases.reduced = 1;
    }
    money.done = m.collected_in;
    money.terminated = m.terminated_in;
    money.reduced = m.reduced_in;
    (cases, money)
}

/// The extra WHERE clause and its binds (`$3`, `$4`) for a scope. The province test by prefix
/// is refined in Rust; codes were validated to letters, digits and `-`, so LIKE sees no
/// wildcard from them.
fn scope_filter(scope: &Scope) -> (String, Vec<String>) {
    match scope {
        Scope::Nation => (String::new(), Vec::new()),
        Scope::Province(p) => (
            " AND (c.office_code = $3 OR c.office_code LIKE $4)".to_string(),
            vec![p.clone(), format!("{p}-%")],
        ),
        Scope::Office(o) => (" AND c.office_code = $3".to_string(), vec![o.clone()]),
    }
}

async fn load_cases(
    db: &Db,
    to: &str,
    from: &str,
    scope_sql: &str,
    scope_binds: &[String],
) -> Result<Vec<CaseFacts>, StatsError> {
    let sql = format!(
        "SELECT c.id, c.office_code, c.initiation, c.judgment_kind, c.amount_vnd, \
         c.registered_on, c.finished_on, c.outcome \
         FROM cases c WHERE {CASES_IN_PLAY}{scope_sql} ORDER BY c.id"
    );
    let mut q = sqlx::query(&sql).bind(to).bind(from);
    for b in scope_binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(CaseFacts {
                id: r.try_get("id")?,
                office_code: r.try_get("office_code")?,
                initiation: r.try_get("initiation")?,
                judgment_kind: r.try_get("judgment_kind")?,
                amount_vnd: r.try_get("amount_vnd")?,
                registered_on: r.try_get("registered_on")?,
                finished_on: r.try_get("finished_on")?,
                outcome: r.try_get("outcome")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StatsError::from)
}

/// Sums of one operation's amounts under a date condition, as BIGINT on both backends
/// (PostgreSQL's SUM of BIGINT is NUMERIC, which the Any driver cannot read).
fn sum_of(operation: &str, condition: &str, alias: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(CASE WHEN o.operation = '{operation}' AND {condition} \
         THEN o.amount_vnd ELSE 0 END), 0) AS BIGINT) AS {alias}"
    )
}

async fn load_movements(
    db: &Db,
    to: &str,
    from: &str,
    scope_sql: &str,
    scope_binds: &[String],
) -> Result<HashMap<String, Movements>, StatsError> {
    const COLLECT: &str = "record_collection";
    const REDUCE: &str = "reduce";
    let before = "o.effective_on < $2";
    let within = "o.effective_on >= $2 AND o.effective_on <= $1";
    let by_end = "o.effective_on <= $1";
    let by_finish = "c.finished_on IS NOT NULL AND o.effective_on <= c.finished_on";
    let columns = [
        sum_of(COLLECT, before, "collected_before"),
        sum_of(REDUCE, before, "reduced_before"),
        sum_of(COLLECT, within, "collected_in"),
        sum_of(REDUCE, within, "reduced_in"),
        sum_of("terminate", within, "terminated_in"),
        sum_of(COLLECT, by_end, "collected_by_end"),
        sum_of(REDUCE, by_end, "reduced_by_end"),
        sum_of(COLLECT, by_finish, "collected_by_finish"),
        sum_of(REDUCE, by_finish, "reduced_by_finish"),
    ]
    .join(", ");
    let sql = format!(
        "SELECT o.case_id, {columns} \
         FROM case_operations o JOIN cases c ON c.id = o.case_id \
         WHERE {CASES_IN_PLAY}{scope_sql} AND o.effective_on <= $1 \
         AND o.amount_vnd IS NOT NULL \
         AND o.operation IN ('{COLLECT}', '{REDUCE}', 'terminate') \
         GROUP BY o.case_id"
    );
    let mut q = sqlx::query(&sql).bind(to).bind(from);
    for b in scope_binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(db.pool()).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.try_get("case_id")?;
        out.insert(
            id,
            Movements {
                collected_before: r.try_get("collected_before")?,
                reduced_before: r.try_get("reduced_before")?,
                collected_in: r.try_get("collected_in")?,
                reduced_in: r.try_get("reduced_in")?,
                terminated_in: r.try_get("terminated_in")?,
                collected_by_end: r.try_get("collected_by_end")?,
                reduced_by_end: r.try_get("reduced_by_end")?,
                collected_by_finish: r.try_get("collected_by_finish")?,
                reduced_by_finish: r.try_get("reduced_by_finish")?,
            },
        );
    }
    Ok(out)
}

/// The cases whose state at `to` is not yet enforceable: the `to_state` of each case's
/// operation with the highest seq among those effective on or before `to`.
async fn load_not_yet_enforceable(
    db: &Db,
    to: &str,
    from: &str,
    scope_sql: &str,
    scope_binds: &[String],
) -> Result<HashSet<String>, StatsError> {
    let sql = format!(
        "SELECT o.case_id FROM case_operations o \
         JOIN (SELECT p.case_id, MAX(p.seq) AS last_seq \
               FROM case_operations p JOIN cases c ON c.id = p.case_id \
               WHERE {CASES_IN_PLAY}{scope_sql} AND p.effective_on <= $1 \
               GROUP BY p.case_id) l ON l.last_seq = o.seq \
         WHERE o.to_state = 'not_yet_enforceable'"
    );
    let mut q = sqlx::query(&sql).bind(to).bind(from);
    for b in scope_binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>("case_id"))
        .collect::<Result<_, _>>()
        .map_err(StatsError::from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::fixture;
    use super::super::seeded_sqlite;

    #[tokio::test]
    async fn seeded_year_matches_hand_computed_figures_on_sqlite() {
        let (_dir, db) = seeded_sqlite().await;
        fixture::check_year(&db).await;
    }

    #[tokio::test]
    async fn seeded_month_matches_hand_computed_figures_on_sqlite() {
        let (_dir, db) = seeded_sqlite().await;
        fixture::check_month(&db).await;
    }

    #[tokio::test]
    async fn offices_add_up_to_provinces_and_provinces_to_the_nation_on_sqlite() {
        let (_dir, db) = seeded_sqlite().await;
        fixture::check_add_up(&db).await;
    }

    #[tokio::test]
    async fn unknown_classifications_stop_the_computation_on_sqlite() {
        let (_dir, db) = seeded_sqlite().await;
        fixture::check_unknown_kind_is_refused(&db).await;
    }
}
