//! Requests for enforcement end to end, in both runtimes: a request filed before the court's
//! judgment waits and is tied to the case when the judgment arrives; one filed after is tied at
//! once; both start the decision-on-request deadline. Book numbers run without gaps; resends are
//! answered once; late, malformed and foreign-office requests are refused with the field named,
//! and the refused bytes are kept.

#![allow(clippy::unwrap_used)]

mod common;

use common::{case_of, post_accepted, setup, Kind};
use serde_json::{json, Value};
use time::{OffsetDateTime, UtcOffset};

fn request(reference: &str) -> Value {
    json!({
        "client_reference": reference,
        "office": "HCM-KV01",
        "channel": "in_person",
        "requester": {"name": "Nguyễn Văn An", "role": "creditor", "cccd": "079078001234",
                      "address": "12 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh"},
        "judgment": {"court_code": "TAND79-KV1", "number": "215/2026/DS-ST",
                     "date": "2026-03-12", "effective_date": "2026-04-13"},
        "obligations": [{"kind": "pay_money", "amount_vnd": 150000000,
                         "description": "Trả nợ vay theo bản án"}]
    })
}

async fn requests(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let clerk = hub.staff("thu.ky", "clerk", "HCM-KV01").await;
    let stranger = hub.staff("thu.ky.khac", "clerk", "HNI-KV03").await;
    let year = OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .year();

    // Filed before the judgment arrives: numbered, waiting.
    let (status, first) = hub
        .post_as(&clerk, "/v1/requests", &request("quay-1"))
        .await;
    assert_eq!(status, 201, "{first:#}");
    assert_eq!(first["register_number"], format!("1/{year}"));
    assert!(first["case_id"].is_null());
    assert!(first["limitation"]["ends_on"]
        .as_str()
        .unwrap()
        .starts_with("2031-04-1"));
    let first_id = first["request_id"].as_str().unwrap().to_string();

    // A resend is answered with the same slip; the same reference for other content is refused.
    let (status, again) = hub
        .post_as(&clerk, "/v1/requests", &request("quay-1"))
        .await;
    assert_eq!((status, &again["duplicate"]), (200, &json!(true)));
    assert_eq!(again["register_number"], first["register_number"]);
    let mut other = request("quay-1");
    other["obligations"][0]["amount_vnd"] = 1.into();
    let (status, _) = hub.post_as(&clerk, "/v1/requests", &other).await;
    assert_eq!(status, 409);

    // Late: the five years from the effective date have run out.
    let mut late = request("quay-2");
    late["judgment"]["date"] = "2019-12-20".into();
    late["judgment"]["effective_date"] = "2020-01-10".into();
    let (status, refused) = hub.post_as(&clerk, "/v1/requests", &late).await;
    assert_eq!(status, 422, "{refused:#}");
    assert_eq!(refused["errors"][0]["field"], "/judgment/effective_date");
    let reason = refused["errors"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("expired on 2025-01-10") && reason.contains("Điều 30"),
        "{reason}"
    );
    // The refused bytes are kept for audit.
    let kept = hub
        .get_json(&format!(
            "/v1/messages/{}",
            refused["message_id"].as_str().unwrap()
        ))
        .await
        .unwrap();
    assert_eq!(kept["state"], "rejected");
    // Excluded periods (a postponement) push the limit: still late by far, but the reason says so.
    late["excluded_periods"] =
        json!([{"from": "2021-01-01", "to": "2021-01-31", "reason": "hoãn"}]);
    let (_, refused) = hub.post_as(&clerk, "/v1/requests", &late).await;
    assert!(refused["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("31 days not counted"));

    // Periodic obligations keep their recent instalments: accepted with a note.
    let mut support = late.clone();
    support["client_reference"] = "quay-3".into();
    support["obligations"] =
        json!([{"kind": "child_support", "amount_vnd": 3000000, "period": "monthly"}]);
    let (status, periodic) = hub.post_as(&clerk, "/v1/requests", &support).await;
    assert_eq!(status, 201, "{periodic:#}");
    assert_eq!(periodic["register_number"], format!("2/{year}"));
    assert!(periodic["note"].as_str().unwrap().contains("định kỳ"));

    // Malformed input names the field; another office's clerk may not file here.
    let mut bad = request("quay-4");
    bad["requester"]["cccd"] = "12345".into();
    let (status, refused) = hub.post_as(&clerk, "/v1/requests", &bad).await;
    assert_eq!(status, 422);
    assert_eq!(refused["errors"][0]["field"], "/requester/cccd");
    let (status, _) = hub
        .post_as(&stranger, "/v1/requests", &request("quay-5"))
        .await;
    assert_eq!(status, 403);

    // The judgment arrives: the waiting request is tied to its case, with its deadline.
    let receipt = post_accepted(hub, &common::civil_loan()).await;
    let case = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let case_id = case["id"].as_str().unwrap();
    let (_, linked) = hub
        .get_as(&clerk, &format!("/v1/requests/{first_id}"))
        .await;
    assert_eq!(linked["case_id"], case_id, "{linked:#}");
    let due = linked["decision_due_on"].as_str().unwrap().to_string();
    let deadlines = case["deadlines"].as_array().unwrap();
    let on_request = deadlines
        .iter()
        .find(|d| d["step"] == "decision_on_request")
        .unwrap();
    assert_eq!(on_request["due_on"], due.as_str());
    assert!(case["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "request_received"));

    // Filed after the judgment: tied at once.
    let (status, second) = hub
        .post_as(&clerk, "/v1/requests", &request("quay-6"))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        second["register_number"],
        format!("3/{year}"),
        "no gaps for refused requests"
    );
    assert_eq!(second["case_id"], case_id);
    assert!(second["decision_due_on"].is_string());

    // The printable slip, and nobody else's.
    let r = hub
        .http
        .get(format!("{}/v1/requests/{first_id}/slip", hub.base))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("PHIẾU NHẬN ĐƠN YÊU CẦU THI HÀNH ÁN") && html.contains(&format!("1/{year}"))
    );
    assert!(html.contains(case_id));
    let (status, _) = hub
        .get_as(&stranger, &format!("/v1/requests/{first_id}"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_embedded() {
    requests(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_production() {
    requests(Kind::Production).await;
}
