//! The console's API in both runtimes: VNeID fails, a notice is dead-lettered; an
//! administrator finds it by partner, state and id, sees VNeID's failures on the health page
//! and the alerts, replays some dead letters in one request and discards another with a
//! reason (audited); lists come as CSV too; heads see only their office, officers nothing.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thads_e2e::vneid_sim::Mode;

const WAIT: Duration = Duration::from_secs(60);

async fn console(kind: Kind) {
    let s = setup(kind, |o| o.max_deliveries = 2).await;
    let hub = &s.hub;
    s.sim.state.set_mode(Mode::FailAlways);
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let case = wait_notices(hub, &case_id, "dead_lettered", WAIT).await;
    let notices: Vec<String> = case["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message_id"].as_str().unwrap().to_string())
        .collect();
    assert!(notices.len() >= 2, "{:#}", case["notices"]);

    // Search by partner and state, by id's beginning, paged.
    let page = hub
        .get_json("/v1/admin/messages?partner=vneid&state=dead_lettered")
        .await
        .unwrap();
    let found: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for n in &notices {
        assert!(found.contains(&n.as_str()), "{n} in {found:?}");
    }
    let prefix = &notices[0][..notices[0].len() - 4];
    let by_id = hub
        .get_json(&format!("/v1/admin/messages?id={prefix}"))
        .await
        .unwrap();
    assert_eq!(by_id["messages"][0]["id"], notices[0].as_str());
    let first = hub
        .get_json(&format!("/v1/admin/messages?case_id={case_id}&limit=1"))
        .await
        .unwrap();
    let cursor = first["next"].as_str().unwrap();
    let second = hub
        .get_json(&format!(
            "/v1/admin/messages?case_id={case_id}&limit=1&cursor={cursor}"
        ))
        .await
        .unwrap();
    assert_ne!(first["messages"][0]["id"], second["messages"][0]["id"]);
    let r = hub.get("/v1/admin/messages?limit=0").await;
    assert_eq!(r.status().as_u16(), 422);

    // Health: VNeID is failing; the alerts say so.
    let health = hub.get_json("/v1/admin/partners/health").await.unwrap();
    let vneid = health
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"] == "vneid")
        .unwrap_or_else(|| panic!("{health:#}"))
        .clone();
    assert!(vneid["dlq_depth"].as_i64().unwrap() >= 2, "{vneid:#}");
    assert!(vneid["error_rate"].as_f64().unwrap() > 0.5, "{vneid:#}");
    let court = health
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"].as_str().unwrap().starts_with("court:"))
        .unwrap();
    assert!(court["messages_in"].as_i64().unwrap() >= 1);
    assert!(court["last_success"].is_string(), "{court:#}");
    let alerts = hub.get_json("/v1/admin/alerts").await.unwrap();
    let kinds: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"dlq_growing:dlq"), "{alerts:#}");
    assert!(kinds.contains(&"partner_failing:vneid"), "{alerts:#}");

    // Dead letters: listed with the reason; CSV too.
    let dead = hub.get_json("/v1/admin/dead-letters").await.unwrap();
    assert!(dead.as_array().unwrap().len() >= 2);
    assert!(!dead[0]["reason"].as_str().unwrap().is_empty());
    let r = hub.get("/v1/admin/dead-letters?format=csv").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with("message_id,subject,partner,"), "{text}");
    assert!(text.contains(&notices[0]));

    // Discard one with a reason; replay the rest in one request.
    let discard = format!("/v1/admin/messages/{}/discard", notices[0]);
    let (status, _) = hub
        .post_as(hub.admin_token(), &discard, &json!({"reason": " "}))
        .await;
    assert_eq!(status, 422);
    let (status, _) = hub
        .post_as(
            hub.admin_token(),
            &discard,
            &json!({"reason": "công dân đã nhận thông báo trực tiếp tại cơ quan"}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = hub
        .post_as(hub.admin_token(), &discard, &json!({"reason": "again"}))
        .await;
    assert_eq!(status, 409, "only a dead letter is discarded");
    let msg = hub
        .get_json(&format!("/v1/messages/{}", notices[0]))
        .await
        .unwrap();
    assert_eq!(msg["state"], "discarded");
    let audit = hub
        .get_json(&format!("/v1/admin/audit?subject={}", notices[0]))
        .await
        .unwrap();
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "admin.discard" && e["actor"] == thads_e2e::hub::TEST_ADMIN));
    s.sim.state.set_mode(Mode::Ok);
    let rest: Vec<&String> = notices[1..].iter().collect();
    let mut ids: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
    ids.push(notices[0].clone());
    ids.push("khong-co".into());
    let (status, outcome) = hub
        .post_as(
            hub.admin_token(),
            "/v1/admin/dead-letters/replay",
            &json!({ "message_ids": ids }),
        )
        .await;
    assert_eq!(status, 200, "{outcome:#}");
    let outcome = outcome.as_array().unwrap();
    assert_eq!(outcome.len(), notices.len() + 1);
    for o in &outcome[..rest.len()] {
        assert_eq!(o["replayed"], true, "{o:#}");
    }
    for o in &outcome[rest.len()..] {
        assert_eq!(o["replayed"], false, "{o:#}");
    }
    for n in &rest {
        hub.wait_for(&format!("/v1/messages/{n}"), WAIT, |m| {
            m["state"] == "delivered"
        })
        .await;
    }

    // Heads see their office's messages only; officers and clerks none of it.
    let head = hub.staff("truong.phong", "head", "HCM-KV01").await;
    let other = hub.staff("truong.khac", "head", "HCM-KV02").await;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    let (status, page) = hub
        .get_as(&head, &format!("/v1/admin/messages?case_id={case_id}"))
        .await;
    assert_eq!(status, 200);
    assert!(!page["messages"].as_array().unwrap().is_empty());
    let (status, page) = hub
        .get_as(&other, &format!("/v1/admin/messages?case_id={case_id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["messages"], json!([]), "another office sees nothing");
    for path in [
        "/v1/admin/messages",
        "/v1/admin/alerts",
        "/v1/admin/dead-letters",
        "/v1/admin/partners/health",
    ] {
        let (status, _) = hub.get_as(&officer, path).await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, _): (u16, Value) = hub.get_as(&head, "/v1/admin/dead-letters").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn console_api_embedded() {
    console(Kind::Embedded).await;
}

#[tokio::test]
async fn console_api_postgres_jetstream() {
    console(Kind::Production).await;
}
