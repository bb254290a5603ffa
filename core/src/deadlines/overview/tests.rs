//! The overview on a real SQLite database: counts per office and status, the most urgent
//! first, the offices each person covers, and the gauges' counts.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use thads_schemas::office::OfficeCode;
use time::macros::date;

use super::*;
use crate::calendar::{Calendar, CalendarConfig};
use crate::deadlines::rules::DeadlineRules;
use crate::staff::sessions::test_db;
use crate::staff::Role;

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
