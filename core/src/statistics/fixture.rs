//! A seeded statistics year (2026: 1 Oct 2025 – 30 Sep 2026) with hand-computed figures, shared
//! by the SQLite unit tests of the statistics module and the PostgreSQL integration test
//! (`tests/tests/statistics.rs` includes this file by path), so both runtimes are held to the
//! same numbers. Names come from the parent module, which in each crate imports them.
//!
//! Three provinces: HCM (regional offices HCM-KV01, HCM-KV02 and the provincial body HCM),
//! HNI (HNI-KV01, HNI-KV02) and DNG (DNG-KV01, DNG-KV02 and the provincial body DNG). The
//! expected figures below are worked out by hand in the comments, case by case.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use super::{
    compute, Breakdown, Column, Columns, Db, Initiation, JudgmentKind, Level, Period, Scope,
    StatsError,
};

/// One million đồng: amounts below are written in millions.
pub(crate) const M: i64 = 1_000_000;

/// One operation: (operation, from_state, to_state, effective_on, amount in millions).
type Op = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
);

struct Seed {
    id: &'static str,
    office: &'static str,
    initiation: &'static str,
    kind: &'static str,
    amount_m: i64,
    registered_on: Option<&'static str>,
    finished_on: Option<&'static str>,
    outcome: Option<&'static str>,
    ops: &'static [Op],
}

const REG: &str = "registered";
const COL: &str = "collection";
const NYE: &str = "not_yet_enforceable";

#[rustfmt::skip]
const SEEDS: &[Seed] = &[
    // A1 carried (registered before 1 Oct 2025): 30 collected before the year, 50 + 20 in it, fully enforced.
    Seed { id: "A1", office: "HCM-KV01", initiation: "ex_officio", kind: "civil", amount_m: 100,
        registered_on: Some("2025-03-10"), finished_on: Some("2026-02-01"), outcome: Some("fully_enforced"),
        ops: &[("register", "received", REG, "2025-03-10", None),
               ("record_collection", REG, COL, "2025-06-01", Some(30)),
               ("record_collection", COL, COL, "2026-01-15", Some(50)),
               ("record_collection", COL, COL, "2026-02-01", Some(20)),
               ("mark_fully_enforced", COL, "fully_enforced", "2026-02-01", None)] },
    // A2 new, 120 collected then paid out (the payout is not a second collection), running.
    Seed { id: "A2", office: "HCM-KV01", initiation: "on_request", kind: "commercial", amount_m: 500,
        registered_on: Some("2025-11-05"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2025-11-05", None),
               ("record_collection", REG, COL, "2026-03-10", Some(120)),
               ("disburse", COL, "disbursement", "2026-04-01", Some(120))] },
    // A3 new, not yet enforceable since 1 June 2026.
    Seed { id: "A3", office: "HCM-KV01", initiation: "on_request", kind: "civil", amount_m: 80,
        registered_on: Some("2026-04-01"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2026-04-01", None),
               ("begin_verification", REG, "verification", "2026-05-01", None),
               ("declare_not_enforceable", "verification", NYE, "2026-06-01", None)] },
    // A4 received but never registered (thụ lý): not counted.
    Seed { id: "A4", office: "HCM-KV01", initiation: "on_request", kind: "civil", amount_m: 10,
        registered_on: None, finished_on: None, outcome: None, ops: &[] },
    // B1 carried: 5 collected before the year; 10 reduced and the remaining 25 terminated in it.
    Seed { id: "B1", office: "HCM-KV02", initiation: "ex_officio", kind: "criminal", amount_m: 40,
        registered_on: Some("2024-12-01"), finished_on: Some("2026-05-20"), outcome: Some("terminated"),
        ops: &[("register", "received", REG, "2024-12-01", None),
               ("record_collection", REG, COL, "2025-05-01", Some(5)),
               ("reduce", COL, COL, "2026-03-01", Some(10)),
               ("terminate", COL, "terminated", "2026-05-20", Some(25))] },
    // B2 carried: not enforceable before the year, re-verified in it, 20 collected: enforceable.
    Seed { id: "B2", office: "HCM-KV02", initiation: "on_request", kind: "family", amount_m: 60,
        registered_on: Some("2025-08-01"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2025-08-01", None),
               ("declare_not_enforceable", REG, NYE, "2025-09-15", None),
               ("reverify", NYE, "verification", "2026-02-01", None),
               ("record_collection", "verification", COL, "2026-07-01", Some(20))] },
    // B3 new: 5 collected, then entrusted (ủy thác) to another body with 25 still due.
    Seed { id: "B3", office: "HCM-KV02", initiation: "on_request", kind: "labour", amount_m: 30,
        registered_on: Some("2026-02-10"), finished_on: Some("2026-03-15"), outcome: Some("transferred"),
        ops: &[("register", "received", REG, "2026-02-10", None),
               ("record_collection", REG, COL, "2026-03-01", Some(5)),
               ("transfer", COL, "transferred", "2026-03-15", None)] },
    // C1 new at the provincial body itself: 300 collected, postponed (hoãn): still enforceable.
    Seed { id: "C1", office: "HCM", initiation: "on_request", kind: "bankruptcy", amount_m: 1000,
        registered_on: Some("2026-01-20"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2026-01-20", None),
               ("record_collection", REG, COL, "2026-05-05", Some(300)),
               ("postpone", COL, "postponed", "2026-08-01", None)] },
    // C2 finished before the year: not counted.
    Seed { id: "C2", office: "HCM", initiation: "ex_officio", kind: "criminal", amount_m: 15,
        registered_on: Some("2025-01-05"), finished_on: Some("2025-07-01"), outcome: Some("fully_enforced"),
        ops: &[("register", "received", REG, "2025-01-05", None),
               ("record_collection", REG, COL, "2025-07-01", Some(15)),
               ("mark_fully_enforced", COL, "fully_enforced", "2025-07-01", None)] },
    // D1 carried (registered the day before the year): not enforceable at the year's end; the
    // re-verification after the year does not change that.
    Seed { id: "D1", office: "HNI-KV01", initiation: "on_request", kind: "civil", amount_m: 200,
        registered_on: Some("2025-09-30"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2025-09-30", None),
               ("declare_not_enforceable", REG, NYE, "2025-12-01", None),
               ("reverify", NYE, "verification", "2026-10-05", None)] },
    // D2 new on the year's last day, collected and finished that day.
    Seed { id: "D2", office: "HNI-KV01", initiation: "ex_officio", kind: "criminal", amount_m: 12,
        registered_on: Some("2026-09-30"), finished_on: Some("2026-09-30"), outcome: Some("fully_enforced"),
        ops: &[("register", "received", REG, "2026-09-30", None),
               ("record_collection", REG, COL, "2026-09-30", Some(12)),
               ("mark_fully_enforced", COL, "fully_enforced", "2026-09-30", None)] },
    // D3 registered after the year: not counted, nor its collection.
    Seed { id: "D3", office: "HNI-KV01", initiation: "ex_officio", kind: "civil", amount_m: 7,
        registered_on: Some("2026-10-01"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2026-10-01", None),
               ("record_collection", REG, COL, "2026-10-02", Some(7))] },
    // E1 carried: 100 collected, 50 reduced, 150 collected: fully enforced.
    Seed { id: "E1", office: "HNI-KV02", initiation: "on_request", kind: "commercial", amount_m: 300,
        registered_on: Some("2025-02-02"), finished_on: Some("2026-06-06"), outcome: Some("fully_enforced"),
        ops: &[("register", "received", REG, "2025-02-02", None),
               ("record_collection", REG, COL, "2025-11-11", Some(100)),
               ("reduce", COL, COL, "2026-01-01", Some(50)),
               ("record_collection", COL, COL, "2026-06-06", Some(150)),
               ("mark_fully_enforced", COL, "fully_enforced", "2026-06-06", None)] },
    // E2 new on the year's first day, terminated whole.
    Seed { id: "E2", office: "HNI-KV02", initiation: "on_request", kind: "arbitration", amount_m: 70,
        registered_on: Some("2025-10-01"), finished_on: Some("2025-12-12"), outcome: Some("terminated"),
        ops: &[("register", "received", REG, "2025-10-01", None),
               ("terminate", REG, "terminated", "2025-12-12", Some(70))] },
    // E3 carried, finished on the year's first day: counted as done in the year.
    Seed { id: "E3", office: "HNI-KV02", initiation: "ex_officio", kind: "other", amount_m: 9,
        registered_on: Some("2025-06-06"), finished_on: Some("2025-10-01"), outcome: Some("fully_enforced"),
        ops: &[("register", "received", REG, "2025-06-06", None),
               ("record_collection", REG, COL, "2025-10-01", Some(9)),
               ("mark_fully_enforced", COL, "fully_enforced", "2025-10-01", None)] },
    // F1 carried, entrusted whole.
    Seed { id: "F1", office: "DNG-KV01", initiation: "on_request", kind: "civil", amount_m: 45,
        registered_on: Some("2025-04-04"), finished_on: Some("2025-11-20"), outcome: Some("transferred"),
        ops: &[("register", "received", REG, "2025-04-04", None),
               ("transfer", REG, "transferred", "2025-11-20", None)] },
    // F2 new, declared not enforceable on the year's last day (two operations that day; the
    // later one counts).
    Seed { id: "F2", office: "DNG-KV01", initiation: "on_request", kind: "labour", amount_m: 25,
        registered_on: Some("2026-05-05"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2026-05-05", None),
               ("begin_verification", REG, "verification", "2026-09-30", None),
               ("declare_not_enforceable", "verification", NYE, "2026-09-30", None)] },
    // G1 new, 2 collected, suspended (tạm đình chỉ): still enforceable.
    Seed { id: "G1", office: "DNG-KV02", initiation: "ex_officio", kind: "family", amount_m: 6,
        registered_on: Some("2026-03-03"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2026-03-03", None),
               ("record_collection", REG, COL, "2026-04-04", Some(2)),
               ("suspend", COL, "suspended", "2026-05-05", None)] },
    // G2 carried, not enforceable since before the year.
    Seed { id: "G2", office: "DNG-KV02", initiation: "on_request", kind: "civil", amount_m: 50,
        registered_on: Some("2025-05-05"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2025-05-05", None),
               ("declare_not_enforceable", REG, NYE, "2025-09-01", None)] },
    // H1 carried at the provincial body DNG: 500 collected before, 400 in the year.
    Seed { id: "H1", office: "DNG", initiation: "on_request", kind: "commercial", amount_m: 2000,
        registered_on: Some("2024-10-10"), finished_on: None, outcome: None,
        ops: &[("register", "received", REG, "2024-10-10", None),
               ("record_collection", REG, COL, "2025-03-03", Some(500)),
               ("record_collection", COL, COL, "2026-08-08", Some(400))] },
];

/// Inserts the seeded cases and their operation logs with plain SQL.
pub(crate) async fn seed(db: &Db) {
    for s in SEEDS {
        let state = s.ops.last().map_or("received", |op| op.2);
        let collected: i64 = s
            .ops
            .iter()
            .filter(|op| op.0 == "record_collection")
            .filter_map(|op| op.4)
            .sum();
        sqlx::query(
            "INSERT INTO cases (id, office_code, judgment_key, source_message, court_code, \
             court_name, judgment_number, judgment_date, effective_date, state, payment_reference, \
             created_at, updated_at, initiation, judgment_kind, amount_vnd, collected_vnd, \
             received_on, registered_on, finished_on, outcome) \
             VALUES ($1, $2, $3, 'seed', 'TAND-TEST', 'Tòa án thử', $4, '2024-06-01', \
             '2024-07-01', $5, $6, 0, 0, $7, $8, $9, $10, '2024-08-01', $11, $12, $13)",
        )
        .bind(s.id)
        .bind(s.office)
        .bind(format!("judgment-{}", s.id))
        .bind(format!("{}/2024/QĐ", s.id))
        .bind(state)
        .bind(format!("REF{}", s.id))
        .bind(s.initiation)
        .bind(s.kind)
        .bind(s.amount_m * M)
        .bind(collected * M)
        .bind(s.registered_on.map(str::to_string))
        .bind(s.finished_on.map(str::to_string))
        .bind(s.outcome.map(str::to_string))
        .execute(db.pool())
        .await
        .unwrap();
        for (operation, from, to, on, amount) in s.ops {
            sqlx::query(
                "INSERT INTO case_operations (case_id, operation, actor, actor_role, from_state, \
                 to_state, effective_on, at, amount_vnd, params, documents) \
                 VALUES ($1, $2, 'seed', 'officer', $3, $4, $5, 0, $6, '{}', '[]')",
            )
            .bind(s.id)
            .bind(*operation)
            .bind(*from)
            .bind(*to)
            .bind(*on)
            .bind(amount.map(|a| a * M))
            .execute(db.pool())
            .await
            .unwrap();
        }
    }
}

/// Checks the columns of one measure: the 11 integer columns in [`Column::ALL`] order (in
/// millions of đồng for money) and the rate.
#[track_caller]
fn expect(what: &str, c: &Columns, unit: i64, values: [i64; 11], rate: Option<&str>) {
    let got: Vec<i64> = Column::ALL.iter().map(|col| c.get(*col)).collect();
    let want: Vec<i64> = values.iter().map(|v| v * unit).collect();
    assert_eq!(
        got,
        want,
        "{what}: columns {:?}",
        Column::ALL.map(Column::key)
    );
    let rate_text = c.rate.basis_points().map(|_| c.rate.to_string());
    assert_eq!(rate_text.as_deref(), rate, "{what}: rate");
}

fn year() -> Period {
    Period::statistics_year(2026).unwrap()
}

fn march() -> Period {
    Period::month(2026, 3).unwrap()
}

/// The year's figures against the hand computation.
pub(crate) async fn check_year(db: &Db) {
    let stats = compute(db, &year(), &Scope::Nation).await.unwrap();
    let nation = stats.nation.as_ref().unwrap();

    // Counted: A1 A2 A3 B1 B2 B3 C1 D1 D2 E1 E2 E3 F1 F2 G1 G2 H1 (not A4, C2, D3).
    // Carried: A1 B1 B2 D1 E1 E3 F1 G2 H1 = 9; new: A2 A3 B3 C1 D2 E2 F2 G1 = 8;
    // transferred B3 F1; not yet enforceable at 30/9: A3 D1 F2 G2; done A1 D2 E1 E3;
    // terminated B1 E2; reduced B1 E1; running 15 − 4 − 2 = 9; rate 6 / 11.
    // Column order in every `expect`: total accepted, carried over, new, transferred, to
    // enforce, not yet enforceable, enforceable, done, terminated, reduced, running.
    expect(
        "nation cases",
        &nation.total.cases,
        1,
        [17, 9, 8, 2, 15, 4, 11, 4, 2, 2, 9],
        Some("54.55"),
    );
    // Money (millions): carried 70+35+60+200+300+9+45+50+1500 = 2269; new
    // 500+80+30+1000+12+70+25+6 = 1723; transferred B3 25 + F1 45; not yet enforceable
    // 80+200+25+50 = 355; collected in the year 70+120+20+5+300+12+250+9+2+400 = 1188;
    // terminated 25+70; reduced 10+50; running 3922 − 1188 − 95 − 60 = 2579;
    // rate (1188 + 95 + 60) / 3567 = 37.65 %.
    expect(
        "nation money",
        &nation.total.money,
        M,
        [3992, 2269, 1723, 70, 3922, 355, 3567, 1188, 95, 60, 2579],
        Some("37.65"),
    );

    // Ex officio: A1 B1 D2 E3 G1.
    let ex = &nation.by_initiation[&Initiation::ExOfficio];
    expect(
        "ex officio cases",
        &ex.cases,
        1,
        [5, 3, 2, 0, 5, 0, 5, 3, 1, 1, 1],
        Some("80.00"),
    );
    expect(
        "ex officio money",
        &ex.money,
        M,
        [132, 114, 18, 0, 132, 0, 132, 93, 25, 10, 4],
        Some("96.97"),
    );
    // Civil: A1 A3 D1 F1 G2.
    let civil = &nation.by_kind[&JudgmentKind::Civil];
    expect(
        "civil cases",
        &civil.cases,
        1,
        [5, 4, 1, 1, 4, 3, 1, 1, 0, 0, 3],
        Some("100.00"),
    );
    expect(
        "civil money",
        &civil.money,
        M,
        [445, 365, 80, 45, 400, 330, 70, 70, 0, 0, 330],
        Some("100.00"),
    );

    // HCM = HCM-KV01 (A1 A2 A3) + HCM-KV02 (B1 B2 B3) + the provincial body HCM (C1).
    let hcm = &stats.provinces["HCM"];
    expect(
        "HCM cases",
        &hcm.total.cases,
        1,
        [7, 3, 4, 1, 6, 1, 5, 1, 1, 1, 4],
        Some("40.00"),
    );
    expect(
        "HCM money",
        &hcm.total.money,
        M,
        [1775, 165, 1610, 25, 1750, 80, 1670, 515, 25, 10, 1200],
        Some("32.93"),
    );
    let kv02 = &stats.offices["HCM-KV02"];
    expect(
        "HCM-KV02 cases",
        &kv02.total.cases,
        1,
        [3, 2, 1, 1, 2, 0, 2, 0, 1, 1, 1],
        Some("50.00"),
    );
    expect(
        "HCM-KV02 money",
        &kv02.total.money,
        M,
        [125, 95, 30, 25, 100, 0, 100, 25, 25, 10, 40],
        Some("60.00"),
    );
    // The provincial body's own cases are an office row of their province.
    expect(
        "HCM body cases",
        &stats.offices["HCM"].total.cases,
        1,
        [1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1],
        Some("0.00"),
    );

    assert_eq!(
        stats
            .provinces
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["DNG", "HCM", "HNI"]
    );
    assert_eq!(
        stats.offices.keys().map(String::as_str).collect::<Vec<_>>(),
        ["DNG", "DNG-KV01", "DNG-KV02", "HCM", "HCM-KV01", "HCM-KV02", "HNI-KV01", "HNI-KV02"]
    );

    // An office with nothing in play shows zeros and no rate.
    let empty = compute(db, &year(), &Scope::Office("QNI-KV09".into()))
        .await
        .unwrap();
    expect(
        "empty office",
        &empty.offices["QNI-KV09"].total.cases,
        1,
        [0; 11],
        None,
    );
    assert!(empty.provinces.is_empty() && empty.nation.is_none());
}

/// March 2026 against the hand computation.
pub(crate) async fn check_month(db: &Db) {
    let stats = compute(db, &march(), &Scope::Nation).await.unwrap();
    let nation = stats.nation.as_ref().unwrap();
    // Carried into March: A2 B1 B2 B3 C1 D1 E1 G2 H1 = 9 (A1 E2 E3 F1 finished before, A3 D2
    // F2 later); new: G1; transferred: B3 (15/3); not yet enforceable at 31/3: D1 G2 (B2 was
    // re-verified on 1/2); nothing finished; B1 reduced.
    expect(
        "March cases",
        &nation.total.cases,
        1,
        [10, 9, 1, 1, 9, 2, 7, 0, 0, 1, 9],
        Some("0.00"),
    );
    // Money carried in: A2 500, B1 35, B2 60, B3 30 (its collection on 1/3 falls in March),
    // C1 1000, D1 200, E1 300−100−50 = 150, G2 50, H1 1500: 3525; new G1 6; transferred B3
    // 30 − 5 = 25; not yet enforceable 250; collected A2 120 + B3 5; reduced B1 10;
    // running 3506 − 125 − 10 = 3371; rate 135 / 3256 = 4.15 %.
    expect(
        "March money",
        &nation.total.money,
        M,
        [3531, 3525, 6, 25, 3506, 250, 3256, 125, 0, 10, 3371],
        Some("4.15"),
    );
}

/// Sums the integer columns of both measures of a breakdown (total and every slice), so two
/// breakdowns can be compared after adding.
fn flatten(b: &Breakdown) -> Vec<i64> {
    let mut figures = vec![b.total];
    figures.extend(b.by_initiation.values().copied());
    figures.extend(b.by_kind.values().copied());
    figures
        .iter()
        .flat_map(|f| [f.cases, f.money])
        .flat_map(|c| Column::ALL.map(|col| c.get(col)))
        .collect()
}

fn add(acc: &mut Vec<i64>, b: &Breakdown) {
    let v = flatten(b);
    if acc.is_empty() {
        acc.resize(v.len(), 0);
    }
    for (a, x) in acc.iter_mut().zip(v) {
        *a += x;
    }
}

/// Every slice of a breakdown adds up to its total (by initiation and by kind).
#[track_caller]
fn slices_add_up(what: &str, b: &Breakdown) {
    for (name, slices) in [
        (
            "initiation",
            b.by_initiation.values().copied().collect::<Vec<_>>(),
        ),
        ("kind", b.by_kind.values().copied().collect()),
    ] {
        for (measure, total) in [("cases", b.total.cases), ("money", b.total.money)] {
            let sum: Vec<i64> = Column::ALL
                .iter()
                .map(|col| {
                    slices
                        .iter()
                        .map(|f| if measure == "cases" { f.cases } else { f.money }.get(*col))
                        .sum()
                })
                .collect();
            let want: Vec<i64> = Column::ALL.iter().map(|col| total.get(*col)).collect();
            assert_eq!(sum, want, "{what}: {measure} by {name} does not add up");
        }
    }
}

/// Each office's figures, computed for that office alone, add up to its province's (computed
/// for that province alone), and the provinces' to the nation's; for the year and a month.
pub(crate) async fn check_add_up(db: &Db) {
    for period in [year(), march()] {
        let national = compute(db, &period, &Scope::Nation).await.unwrap();
        let nation = national.nation.as_ref().unwrap();
        assert!(nation.total.cases.to_enforce > 0, "the seed is in play");
        slices_add_up("nation", nation);

        let mut provinces_sum = Vec::new();
        for (province, from_nation) in &national.provinces {
            let provincial = compute(db, &period, &Scope::of_code(province).unwrap())
                .await
                .unwrap();
            let own = &provincial.provinces[province];
            assert_eq!(own, from_nation, "{province} differs by scope");
            assert!(provincial.nation.is_none());
            slices_add_up(province, own);
            add(&mut provinces_sum, own);

            let mut offices_sum = Vec::new();
            let offices: Vec<&String> = provincial.offices.keys().collect();
            assert!(
                offices.len() >= 2,
                "{province} has its offices: {offices:?}"
            );
            for office in offices {
                let alone = compute(db, &period, &Scope::Office(office.clone()))
                    .await
                    .unwrap();
                let figures = &alone.offices[office];
                assert_eq!(
                    figures, &provincial.offices[office],
                    "{office} differs by scope"
                );
                assert_eq!(
                    figures, &national.offices[office],
                    "{office} differs by scope"
                );
                slices_add_up(office, figures);
                add(&mut offices_sum, figures);
            }
            assert_eq!(
                offices_sum,
                flatten(own),
                "{province}'s offices do not add up to it"
            );
        }
        assert_eq!(
            provinces_sum,
            flatten(nation),
            "provinces do not add up to the nation"
        );

        // The form rows carry the same figures: offices, each province, then the nation.
        let rows = national.rows_with_totals(Level::Office);
        assert_eq!(
            rows.len(),
            national.offices.len() + national.provinces.len() + 1
        );
        assert_eq!(rows.last().map(|r| r.level), Some(Level::Nation));
    }
}

/// A case with a kind the statistics do not know stops the computation and is named.
pub(crate) async fn check_unknown_kind_is_refused(db: &Db) {
    sqlx::query("UPDATE cases SET judgment_kind = 'maritime' WHERE id = 'A2'")
        .execute(db.pool())
        .await
        .unwrap();
    match compute(db, &year(), &Scope::Nation).await {
        Err(StatsError::UnknownValue {
            case_id,
            field,
            value,
        }) => assert_eq!(
            (case_id.as_str(), field, value.as_str()),
            ("A2", "judgment_kind", "maritime")
        ),
        other => panic!("expected an unknown judgment kind, got {other:?}"),
    }
    // Outside the scope it does not matter.
    assert!(compute(db, &year(), &Scope::of_code("HNI").unwrap())
        .await
        .is_ok());
}
