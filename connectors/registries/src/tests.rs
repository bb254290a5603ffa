//! The connector against a real HTTP server and a real (SQLite) database: retries absorb a 5xx
//! burst, answers are cached with their source and reused within the lifetime, every query is
//! audited with the number masked, a timeout fails the database after its attempts, and a query
//! for a case that does not exist is never made.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use axum::Router;
use sqlx::Row;
use thads_core::db::Db;
use thads_core::metrics::Metrics;
use thads_core::verification::{
    Answer, LookupError, QueryPurpose, Registry, RegistryPort, Subject,
};

use crate::{PartnerConfig, Registries, RegistriesConfig};

/// A land register that fails the first `fail` requests, then sleeps `delay` and answers.
async fn land_server(fail: u32, delay: Duration) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let seen = hits.clone();
    let app = Router::new().route(
        "/v1/parcels/search",
        post(move || {
            let seen = seen.clone();
            async move {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                if n < fail {
                    return (axum::http::StatusCode::BAD_GATEWAY, String::new());
                }
                tokio::time::sleep(delay).await;
                let body = r#"{"transaction_id":"LAND-7","owner_found":true,"parcels":[{"certificate_no":"CS 04521",
                    "address":"phường Thủ Đức","area_m2":72.5,"land_use_code":"ODT","land_use_name":"Đất ở tại đô thị"}]}"#;
                (axum::http::StatusCode::OK, body.to_string())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), hits)
}

async fn db_with_case(dir: &tempfile::TempDir) -> Db {
    let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    thads_core::db::migrate(&db).await.unwrap();
    sqlx::query(
        "INSERT INTO cases (id, office_code, judgment_key, source_message, court_code, court_name, \
         judgment_number, judgment_date, effective_date, state, payment_reference, created_at, updated_at) \
         VALUES ('case-1', 'HCM-KV01', 'k', 'm', 'TAND79', 'Tòa', '1/2026', '2026-01-01', \
         '2026-02-01', 'verification', 'THA1', 0, 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db
}

fn connector(db: &Db, endpoint: &str, timeout: Duration) -> Registries {
    let config = RegistriesConfig {
        land: PartnerConfig {
            endpoint: Some(endpoint.to_string()),
            timeout,
            cache_ttl: Duration::from_secs(3600),
            rate_per_second: 0.0,
            ..PartnerConfig::default()
        },
        attempts: NonZeroU32::new(3).unwrap(),
        retry_min: Duration::from_millis(10),
        retry_max: Duration::from_millis(50),
        ..RegistriesConfig::default()
    };
    Registries::new(db.clone(), &config, Arc::new(Metrics::new())).unwrap()
}

#[tokio::test]
async fn retries_cache_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_case(&dir).await;
    let (endpoint, hits) = land_server(2, Duration::ZERO).await;
    let registries = connector(&db, &endpoint, Duration::from_secs(2));
    let purpose = QueryPurpose::new("case-1", "Điều 44 Luật THADS", "chv.an").unwrap();
    let subject = Subject::person("079182005678").unwrap();

    let first = registries
        .lookup(Registry::Land, &purpose, &subject, "vrf-1")
        .await
        .unwrap();
    assert_eq!(first.attempts, 3, "two 502s, then the answer");
    assert!(!first.cache_hit);
    assert!(first.source.ends_with("LAND-7"), "{}", first.source);
    assert!(matches!(&first.answer, Answer::Land { parcels } if parcels.len() == 1));

    let again = registries
        .lookup(Registry::Land, &purpose, &subject, "vrf-2")
        .await
        .unwrap();
    assert!(again.cache_hit);
    assert_eq!(
        again.fetched_at, first.fetched_at,
        "the cached answer keeps its fetch time"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3, "the cache answered");

    let rows = sqlx::query(
        "SELECT subject_masked, outcome, cache_hit, attempts, requested_by FROM registry_queries ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let audit: Vec<(String, String, i64, i64, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get("subject_masked"),
                r.get("outcome"),
                r.get("cache_hit"),
                r.get("attempts"),
                r.get("requested_by"),
            )
        })
        .collect();
    assert_eq!(
        audit,
        [
            ("079*******78".into(), "found".into(), 0, 3, "chv.an".into()),
            ("079*******78".into(), "found".into(), 1, 0, "chv.an".into()),
        ]
    );

    // Not configured, and no case: nothing is asked.
    let e = registries
        .lookup(Registry::Vehicle, &purpose, &subject, "vrf-3")
        .await
        .unwrap_err();
    assert!(matches!(e, LookupError::NotConfigured { .. }), "{e:?}");
    let nowhere = QueryPurpose::new("case-404", "Điều 44", "chv.an").unwrap();
    let e = registries
        .lookup(Registry::Land, &nowhere, &subject, "vrf-4")
        .await
        .unwrap_err();
    assert!(matches!(e, LookupError::Refused { .. }), "{e:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_slow_database_fails_after_its_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_case(&dir).await;
    let (endpoint, hits) = land_server(0, Duration::from_secs(5)).await;
    let registries = connector(&db, &endpoint, Duration::from_millis(200));
    let purpose = QueryPurpose::new("case-1", "Điều 44", "system").unwrap();
    let subject = Subject::person("079182001111").unwrap();
    let e = registries
        .lookup(Registry::Land, &purpose, &subject, "vrf-5")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, LookupError::Unavailable { attempts: 3, reason } if reason.contains("timed out")),
        "{e:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    let cached: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registry_cache")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(cached, 0, "failures are never cached");
}
