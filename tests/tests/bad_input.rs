//! Hostile and broken documents: each gets a clear 4xx problem+json naming the field, the
//! rejected bytes are kept for audit, and the hub keeps serving.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

async fn rejected(s: &Setup, body: String, content_type: &str, status: u16) -> Value {
    let r = s
        .hub
        .http
        .post(format!("{}/v1/court/judgments", s.hub.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), status);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["status"], status);
    problem
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn broken_and_hostile_documents_are_refused_and_the_hub_keeps_serving() {
    let s = setup(Kind::Embedded, |o| o.body_limit = 64 * 1024).await;
    let good = civil_loan();

    // Malformed XML.
    let p = rejected(&s, good.replace("</Parties>", ""), "application/xml", 422).await;
    assert_eq!(fields(&p), ["body"], "{p:#}");
    // The rejected bytes are kept under the message id the problem names.
    let id = p["message_id"].as_str().unwrap();
    let msg = s.hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(msg["state"], "rejected");
    assert_eq!(journey_states(&msg), ["received", "rejected"]);

    // Wrong namespace.
    let p = rejected(
        &s,
        good.replace("urn:thads:court:judgment:v1", "urn:example:other"),
        "application/xml",
        422,
    )
    .await;
    assert_eq!(fields(&p), ["Judgment"], "{p:#}");

    // A DOCTYPE with an entity declaration (billion laughs, external entities).
    let evil = good.replacen(
        "<Judgment",
        "<!DOCTYPE Judgment [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<Judgment",
        1,
    );
    let p = rejected(&s, evil, "application/xml", 422).await;
    assert_eq!(fields(&p), ["body"]);
    assert!(
        p["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("doctype"),
        "{p:#}"
    );

    // An undeclared entity reference.
    let p = rejected(
        &s,
        good.replacen("Nguyễn", "&xxe;", 1),
        "application/xml",
        422,
    )
    .await;
    assert_eq!(fields(&p), ["body"], "{p:#}");

    // A missing required field.
    let start = good.find("<JudgmentNumber>").unwrap();
    let end = good.find("</JudgmentNumber>").unwrap() + "</JudgmentNumber>".len();
    let missing = format!("{}{}", &good[..start], &good[end..]);
    let p = rejected(&s, missing, "application/xml", 422).await;
    assert!(
        fields(&p).iter().any(|f| f.contains("JudgmentNumber")),
        "{p:#}"
    );

    // A wrong CCCD.
    let p = rejected(
        &s,
        good.replacen("079078001234", "07907800123", 1),
        "application/xml",
        422,
    )
    .await;
    assert!(fields(&p).iter().any(|f| f.ends_with("/Cccd")), "{p:#}");

    // An oversized body.
    let big = good.replacen(
        "<Judgment",
        &format!("<!-- {} -->\n<Judgment", "x".repeat(70 * 1024)),
        1,
    );
    rejected(&s, big, "application/xml", 413).await;

    // Not XML at all, by media type.
    rejected(&s, "{}".to_string(), "application/json", 415).await;

    // Still serving: the good document is accepted.
    let receipt = post_accepted(&s.hub, &good).await;
    case_of(&s.hub, receipt["message_id"].as_str().unwrap()).await;
    let ready = s.hub.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 200);
}

#[tokio::test]
async fn unknown_ids_are_404_problems_and_maintenance_answers_503() {
    let s = setup(Kind::Embedded, |_| {}).await;
    for path in ["/v1/cases/case-none", "/v1/messages/jdg-none"] {
        let r = s.hub.get(path).await;
        assert_eq!(r.status().as_u16(), 404);
    }
    let on = s
        .hub
        .http
        .put(format!("{}/v1/admin/maintenance", s.hub.base))
        .bearer_auth(s.hub.admin_token())
        .json(&serde_json::json!({"on": true}))
        .send()
        .await
        .unwrap();
    assert!(on.status().is_success());
    let ready = s.hub.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["maintenance"], true);
    assert_eq!(body["database"]["ok"], true);
    let r = s.hub.post_judgment(civil_loan()).await;
    assert_eq!(r.status().as_u16(), 503);
    let r = s
        .hub
        .http
        .post(format!("{}/v1/bank/notifications", s.hub.base))
        .header("content-type", "application/xml")
        .body(thads_e2e::corpus::camt054_credit("M1", 1000, "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503, "banks are refused too");
    let healthz = s.hub.get("/healthz").await;
    assert_eq!(healthz.status().as_u16(), 200);
}

#[tokio::test]
async fn every_shipped_example_is_accepted() {
    let s = setup(Kind::Embedded, |_| {}).await;
    for (name, doc) in thads_e2e::corpus::all_examples() {
        let r = s.hub.post_judgment(doc).await;
        assert_eq!(
            r.status().as_u16(),
            202,
            "{name}: {}",
            r.text().await.unwrap()
        );
    }
}

#[tokio::test]
async fn a_partner_over_its_rate_gets_429_and_others_do_not_wait() {
    let s = setup(Kind::Embedded, |o| {
        o.env
            .push(("THADS_HTTP__PARTNER_RATE_PER_SECOND".into(), "1".into()));
        o.env.push(("THADS_HTTP__PARTNER_BURST".into(), "3".into()));
    })
    .await;
    let hub = &s.hub;
    let doc = civil_loan();
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..6 {
        let r = hub.post_judgment(doc.clone()).await;
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 {
            let retry: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            let problem: Value = r.json().await.unwrap();
            limited = Some((retry, problem));
        }
    }
    assert_eq!(&statuses[..3], &[202, 200, 200], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    let (retry, problem) = limited.unwrap();
    assert!(retry >= 1);
    assert_eq!(problem["type"], "urn:thads:problem:rate-limited");
    // Staff reads are not partner traffic: never limited.
    for _ in 0..5 {
        assert_eq!(hub.get("/v1/worklist").await.status().as_u16(), 200);
    }
    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics.contains("outcome=\"rate_limited\",subject=\"in.court.judgment\"")
            || metrics.contains("subject=\"in.court.judgment\",outcome=\"rate_limited\""),
        "{metrics}"
    );
    // A token comes back after a second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(hub.post_judgment(doc).await.status().as_u16(), 200);
}
