//! The console's partner registry, endpoint versions, connectivity tests, deadlines overview
//! and alert acknowledgement, over HTTP in both runtimes. The endpoint overlay is proved on the
//! real path: an administrator points VNeID at a dead address (version 2 over the file's
//! version 1) and a new notice fails there; restoring version 1 gets it delivered. The alert
//! for the failing partner is e-mailed once to the administrators (a real SMTP server). Bad
//! input names its field; provincial administrators and heads may not change endpoints.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thads_e2e::smtp_sink::SmtpSink;

const WAIT: Duration = Duration::from_secs(60);

async fn registry(kind: Kind) {
    let sink = SmtpSink::start().await.unwrap();
    let s = setup(kind, |o| {
        o.max_deliveries = 60;
        o.env.push(("THADS_MAIL__SMTP_URL".into(), sink.url()));
        o.env
            .push(("THADS_CONSOLE__ALERT_INTERVAL".into(), "300ms".into()));
    })
    .await;
    let hub = &s.hub;
    let out = hub.cli(
        &[
            "staff",
            "email",
            thads_e2e::hub::TEST_ADMIN,
            "quantri@thads.gov.vn",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = hub.admin_token().to_string();
    let province = hub.staff("quan.tri.hcm", "administrator", "HCM").await;
    let head = hub.staff("truong.phong", "head", "HCM-KV01").await;
    let other_head = hub.staff("truong.khac", "head", "HCM-KV02").await;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;

    // The registry lists VNeID with the file's endpoint; its connection is tested and recorded.
    let partners = hub.get_json("/v1/admin/partners").await.unwrap();
    let vneid = partners
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"] == "vneid")
        .unwrap_or_else(|| panic!("{partners:#}"))
        .clone();
    assert_eq!(vneid["url"], s.sim.endpoint());
    assert_eq!(vneid["source"], "file");
    assert_eq!(vneid["config_key"], "vneid.endpoint");
    let (status, check) = hub
        .post_as(&admin, "/v1/admin/partners/vneid/check", &json!({}))
        .await;
    assert_eq!(status, 200, "{check:#}");
    assert_eq!(check["ok"], true, "{check:#}");
    assert_eq!(check["url"], format!("{}/notifications", s.sim.endpoint()));
    let partners = hub.get_json("/v1/admin/partners").await.unwrap();
    assert!(partners
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["partner"] == "vneid" && p["last_check_ok"] == true));
    let csv = hub.get_text("/v1/admin/partners?format=csv").await;
    assert!(csv.starts_with("partner,kind,name,"), "{csv}");

    // Bad settings name the field; only CUC administrators change endpoints.
    let put = |token: String, body: Value| async move {
        let r = hub
            .http
            .put(format!("{}/v1/admin/partners/vneid/endpoint", hub.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap_or(Value::Null))
    };
    let (status, problem) = put(admin.clone(), json!({"url": "ftp://x", "timeout_ms": 1000})).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "/url", "{problem:#}");
    let (status, problem) = put(admin.clone(), json!({"url": "http://x", "timeout_ms": 0})).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "/timeout_ms", "{problem:#}");
    let (status, _) = put(
        admin.clone(),
        json!({"url": "http://x", "timeout_ms": 10, "port": 1}),
    )
    .await;
    assert_eq!(status, 422, "unknown fields are refused");
    let dead =
        json!({"url": "http://127.0.0.1:9", "timeout_ms": 1000, "note": "thử địa chỉ dự phòng"});
    assert_eq!(put(province.clone(), dead.clone()).await.0, 403);
    assert_eq!(put(head.clone(), dead.clone()).await.0, 403);

    // Version 2 points VNeID at a dead address: a new case's notices fail there.
    let (status, v2) = put(admin.clone(), dead).await;
    assert_eq!(status, 200, "{v2:#}");
    assert_eq!(v2["version"], 2);
    let versions = hub
        .get_json("/v1/admin/partners/vneid/endpoint")
        .await
        .unwrap();
    let list = versions["versions"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{versions:#}");
    assert_eq!(list[1]["source"], "file");
    assert_eq!(list[1]["url"], s.sim.endpoint());
    assert_eq!(list[0]["changed_by"], thads_e2e::hub::TEST_ADMIN);
    assert_eq!(versions["in_force"]["url"], "http://127.0.0.1:9");
    let (_, check) = hub
        .post_as(&admin, "/v1/admin/partners/vneid/check", &json!({}))
        .await;
    assert_eq!(check["ok"], false, "{check:#}");
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let notice = case["notices"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let failing = hub
        .wait_for(&format!("/v1/messages/{notice}"), WAIT, |m| {
            m["attempts"].as_i64().unwrap_or(0) >= 2
        })
        .await;
    assert_ne!(failing["state"], "delivered", "{failing:#}");
    assert_eq!(s.sim.state.attempts(), 0, "nothing reached the simulator");

    // Restoring version 1 (the file's) makes the same notice go through.
    let (status, problem) = hub
        .post_as(
            &admin,
            "/v1/admin/partners/vneid/endpoint/restore",
            &json!({"version": 7}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "/version", "{problem:#}");
    let (status, v3) = hub
        .post_as(
            &admin,
            "/v1/admin/partners/vneid/endpoint/restore",
            &json!({"version": 1, "note": "quay lại cấu hình trong tệp"}),
        )
        .await;
    assert_eq!(status, 200, "{v3:#}");
    assert_eq!(v3["version"], 3);
    assert_eq!(v3["restored_from"], 1);
    wait_notices(hub, &case_id, "delivered", WAIT).await;
    let audit = hub.get_json("/v1/admin/audit?subject=vneid").await.unwrap();
    let acts: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        acts.iter()
            .filter(|a| **a == "admin.partner_endpoint")
            .count(),
        2,
        "{audit:#}"
    );
    assert!(acts.contains(&"admin.partner_check"), "{acts:?}");
    let (status, _) = hub
        .post_as(&admin, "/v1/admin/partners/khong-co/check", &json!({}))
        .await;
    assert_eq!(status, 404);

    // Deadlines: the case's office counts them; another office's head sees none of them.
    let (status, overview) = hub.get_as(&officer, "/v1/deadlines/overview").await;
    assert_eq!(status, 200, "{overview:#}");
    let kv1 = overview["offices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["office"] == "HCM-KV01")
        .unwrap_or_else(|| panic!("{overview:#}"))
        .clone();
    let total: i64 = ["open", "due_soon", "overdue", "elapsed", "done"]
        .iter()
        .map(|k| kv1["cases"][k].as_i64().unwrap())
        .sum();
    assert!(total >= 1, "{kv1:#}");
    assert_eq!(kv1["total"], kv1["cases"], "no complaints here: {kv1:#}");
    let item = &overview["items"][0];
    assert_eq!(item["kind"], "case", "{overview:#}");
    assert_eq!(item["office"], "HCM-KV01");
    assert!(
        item.get("officer").is_some() && item.get("days_overdue").is_some(),
        "the officer in charge and the days overdue: {item:#}"
    );
    let (_, other) = hub.get_as(&other_head, "/v1/deadlines/overview").await;
    assert_eq!(other["offices"], json!([]), "{other:#}");
    assert_eq!(other["items"], json!([]), "{other:#}");
    let (status, _) = hub
        .get_as(&other_head, "/v1/deadlines/overview?office=HCM-KV01")
        .await;
    assert_eq!(status, 403);
    for (query, field) in [
        ("office=x", "office"),
        ("kind=appeal", "kind"),
        ("status=late", "status"),
        ("limit=0", "limit"),
        ("limit=2001", "limit"),
        ("format=xml", "format"),
        // Blanks are not "empty": the documented patterns allow only the words or nothing.
        ("status=+", "status"),
        ("kind=%20", "kind"),
        ("format=%20csv", "format"),
        ("office=+", "office"),
    ] {
        let (status, problem) = hub
            .get_as(&admin, &format!("/v1/deadlines/overview?{query}"))
            .await;
        assert_eq!(status, 422, "{query}: {problem:#}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem:#}");
    }
    let (status, _) = hub
        .get_as(&admin, "/v1/deadlines/overview?offce=HCM-KV01")
        .await;
    assert_eq!(status, 422, "unknown parameters are refused");
    let csv = hub
        .get_text("/v1/deadlines/overview?kind=case&status=&format=csv")
        .await;
    assert!(
        csv.starts_with("kind,id,office,step,title_vi,due_on,status,days_overdue,officer"),
        "{csv}"
    );
    assert!(csv.contains("HCM-KV01"), "{csv}");

    // Alerts: VNeID failed in the last hour. The administrators with an address got it by
    // e-mail, once; an administrator acknowledges it (audited), a head sees it but may not.
    let mailed = |mails: &[thads_e2e::smtp_sink::ReceivedMail]| {
        mails
            .iter()
            .filter(|m| {
                m.parsed()
                    .and_then(|p| p.text)
                    .is_some_and(|t| t.contains("partner_failing: vneid"))
            })
            .count()
    };
    let deadline = std::time::Instant::now() + WAIT;
    while mailed(&sink.messages()) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no alert mail: {:?}",
            sink.messages()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = sink.messages();
    assert_eq!(mailed(&mails), 1, "mailed once while it lasts");
    let alert_mail = mails
        .iter()
        .find(|m| mailed(std::slice::from_ref(m)) == 1)
        .unwrap();
    assert_eq!(alert_mail.rcpt_to, ["quantri@thads.gov.vn"]);
    assert!(alert_mail
        .parsed()
        .and_then(|p| p.subject)
        .is_some_and(|s| s.contains("cảnh báo")));
    let alerts = hub.get_json("/v1/admin/alerts").await.unwrap();
    let key = "partner_failing:vneid";
    assert!(
        alerts.as_array().unwrap().iter().any(|a| a["key"] == key),
        "{alerts:#}"
    );
    let (status, _) = hub
        .post_as(&head, "/v1/admin/alerts/acknowledge", &json!({"key": key}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = hub
        .post_as(
            &admin,
            "/v1/admin/alerts/acknowledge",
            &json!({"key": "khong-co"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = hub
        .post_as(&admin, "/v1/admin/alerts/acknowledge", &json!({"key": key}))
        .await;
    assert_eq!(status, 204);
    let (_, alerts) = hub.get_as(&head, "/v1/admin/alerts").await;
    let a = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .unwrap()
        .clone();
    assert_eq!(a["acknowledged_by"], thads_e2e::hub::TEST_ADMIN, "{a:#}");
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] != "signin_failures"),
        "heads do not see sign-in alerts"
    );
}

#[tokio::test]
async fn console_partners_embedded() {
    registry(Kind::Embedded).await;
}

#[tokio::test]
async fn console_partners_postgres_jetstream() {
    registry(Kind::Production).await;
}
