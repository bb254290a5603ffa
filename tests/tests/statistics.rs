//! Statistics on PostgreSQL: the same seeded year as the SQLite unit tests of
//! `thads_core::statistics` (its fixture is included by path, so both runtimes are held to the
//! same hand-computed figures), and the HTTP endpoints of a real hub process on that database.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use thads_core::db::Db;
// The fixture names its items through `super::`, i.e. this crate root.
use thads_core::statistics::{
    compute, Breakdown, Column, Columns, Initiation, JudgmentKind, Level, Period, Scope, StatsError,
};
use thads_e2e::hub::{Hub, HubOptions, ProductionServices};
use thads_e2e::services::TestDb;

#[path = "../../core/src/statistics/fixture.rs"]
mod fixture;

async fn seeded_postgres() -> (TestDb, Db) {
    let test_db = TestDb::create().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    thads_core::db::migrate(&db).await.unwrap();
    fixture::seed(&db).await;
    (test_db, db)
}

#[tokio::test]
async fn seeded_year_matches_hand_computed_figures_on_postgres() {
    let (_guard, db) = seeded_postgres().await;
    fixture::check_year(&db).await;
    db.close().await;
}

#[tokio::test]
async fn seeded_month_matches_hand_computed_figures_on_postgres() {
    let (_guard, db) = seeded_postgres().await;
    fixture::check_month(&db).await;
    db.close().await;
}

#[tokio::test]
async fn offices_add_up_to_provinces_and_provinces_to_the_nation_on_postgres() {
    let (_guard, db) = seeded_postgres().await;
    fixture::check_add_up(&db).await;
    db.close().await;
}

#[tokio::test]
async fn unknown_classifications_stop_the_computation_on_postgres() {
    let (_guard, db) = seeded_postgres().await;
    fixture::check_unknown_kind_is_refused(&db).await;
    db.close().await;
}

/// The endpoints of a production hub (PostgreSQL and NATS) over the seeded year: JSON figures,
/// the forms in each format with their media types and file names, and 422 naming the field.
#[tokio::test]
async fn statistics_and_report_endpoints_serve_the_seeded_year() {
    let services = ProductionServices::create("t").await;
    let options = HubOptions::new(services.runtime(), None);
    let hub = Hub::start(common::binary(), options).await;
    // The hub migrated the database at start; seed it behind its back.
    let db = Db::connect(&services.db.url).await.unwrap();
    fixture::seed(&db).await;
    let token = hub.staff("thong.ke", "head", "CUC").await;
    let get = |path: &str| {
        hub.http
            .get(format!("{}{path}", hub.base))
            .bearer_auth(&token)
            .send()
    };
    let get_json = |path: &'static str| {
        let req = get(path);
        async move { req.await.unwrap().json::<serde_json::Value>().await.ok() }
    };

    let body = get_json("/v1/statistics?year=2026")
        .await
        .expect("statistics answer");
    assert_eq!(body["period"]["from"], "2025-10-01");
    assert_eq!(body["level"], "nation");
    let nation = &body["rows"][0];
    assert_eq!(nation["code"], "VN");
    assert_eq!(nation["figures"]["total"]["cases"]["to_enforce"], 15);
    assert_eq!(nation["figures"]["total"]["cases"]["rate"], "54.55");
    assert_eq!(
        nation["figures"]["total"]["money"]["done"],
        1_188_000_000i64
    );
    assert_eq!(
        nation["figures"]["by_initiation"]["ex_officio"]["cases"]["done"],
        3
    );
    assert_eq!(
        nation["figures"]["by_kind"]["civil"]["money"]["rate"],
        "100.00"
    );

    let body = get_json("/v1/statistics?month=2026-03&level=office&code=HCM")
        .await
        .unwrap();
    let codes: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HCM", "HCM-KV01", "HCM-KV02"]);

    let r = get("/v1/reports/money?year=2026&level=province&format=csv")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"ket-qua-thads-ve-tien_VN_2026.csv\""
    );
    let csv = r.text().await.unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("Mã đơn vị,Cấp,Tổng số thụ lý (đồng),Năm trước chuyển sang,"));
    assert_eq!(lines.count(), 4, "DNG, HCM, HNI and the nation");

    let r = get("/v1/reports/cases?from=2026-01-01&to=2026-03-31&code=HNI&format=xlsx")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"ket-qua-thads-ve-viec_HNI_2026-01-01_2026-03-31.xlsx\""
    );
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));

    let form = get_json("/v1/reports/cases?year=2026&code=DNG")
        .await
        .unwrap();
    assert_eq!(form["title"], "Kết quả thi hành án dân sự về việc");
    assert_eq!(
        form["rows"].as_array().unwrap().len(),
        4,
        "3 offices and DNG"
    );

    for (path, field) in [
        ("/v1/statistics", "year"),
        ("/v1/statistics?year=26", "year"),
        ("/v1/statistics?month=2026-13", "month"),
        ("/v1/statistics?from=2026-03-01&to=2026-02-01", "to"),
        ("/v1/statistics?year=2026&level=nation&code=HCM", "level"),
        ("/v1/statistics?year=2026&code=HC%25", "code"),
        ("/v1/statistics?year=2026&years=2026", "years"),
        ("/v1/reports/pdf?year=2026", "form"),
        ("/v1/reports/cases?year=2026&format=pdf", "format"),
    ] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status().as_u16(), 422, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let problem: serde_json::Value = r.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem:#}");
    }

    // Staff of a regional office see their own figures and the national total, not the
    // other offices' rows; nobody sees anything without signing in.
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    for (path, status) in [
        ("/v1/statistics?year=2026&code=HCM-KV01", 200),
        ("/v1/statistics?year=2026", 200),
        ("/v1/statistics?year=2026&code=HCM", 200),
        ("/v1/statistics?year=2026&code=HCM-KV02", 403),
        ("/v1/statistics?year=2026&level=office", 403),
        ("/v1/reports/cases?year=2026", 403),
        ("/v1/reports/cases?year=2026&code=HCM-KV01", 200),
    ] {
        let (got, body) = hub.get_as(&officer, path).await;
        assert_eq!(got, status, "{path}: {body:#}");
    }
    assert_eq!(
        hub.get_anonymous("/v1/statistics?year=2026").await.status(),
        401
    );

    db.close().await;
    drop(hub);
}
