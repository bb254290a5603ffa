//! Bank payments end to end, against both runtimes: a camt.054 notification quoting a case's
//! payment reference is posted on that case once, however often the bank sends it; a payment
//! with no known reference waits in the reconciliation queue; broken files are refused.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use thads_e2e::corpus::camt054_credit;
use thads_e2e::hub::Hub;

async fn post_bank(hub: &Hub, body: String) -> (u16, Value) {
    let r = hub
        .http
        .post(format!("{}/v1/bank/notifications", hub.base))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn payment_is_posted_once_to_its_case(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let receipt = post_accepted(&s.hub, &civil_loan()).await;
    let case = case_of(&s.hub, receipt["message_id"].as_str().unwrap()).await;
    let case_id = case["id"].as_str().unwrap();
    let reference = case["payment_reference"].as_str().unwrap();
    // Banks lower-case, space out and strip memos; the reference is still found.
    let memo = format!("tran thi binh nop tien {}", reference.to_lowercase());
    let doc = camt054_credit("FT26324000001", 25_000_000, &memo);

    let (status, body) = post_bank(&s.hub, doc.clone()).await;
    assert_eq!(status, 202, "{body:#}");
    assert_eq!(body["payments"][0]["duplicate"], false);
    let payment_id = body["payments"][0]["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let case = s
        .hub
        .wait_for(
            &format!("/v1/cases/{case_id}"),
            Duration::from_secs(30),
            |c| c["paid_vnd"] == 25_000_000,
        )
        .await;
    assert_eq!(case["payments"][0]["payment_id"], payment_id.as_str());
    assert_eq!(case["payments"][0]["booking_date"], "2026-11-20");
    let msg = s
        .hub
        .get_json(&format!("/v1/messages/{payment_id}"))
        .await
        .unwrap();
    assert_eq!(journey_states(&msg), ["received", "accepted", "handled"]);
    assert_eq!(msg["case_id"], case_id);

    // The same notification again: recorded once.
    let (status, body) = post_bank(&s.hub, doc).await;
    assert_eq!(status, 202);
    assert_eq!(body["payments"][0]["duplicate"], true);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let case = s
        .hub
        .get_json(&format!("/v1/cases/{case_id}"))
        .await
        .unwrap();
    assert_eq!(case["paid_vnd"], 25_000_000);
    assert_eq!(case["payments"].as_array().unwrap().len(), 1);

    // A payment naming no case waits for an officer (the queue is for casework staff).
    let officer = s
        .hub
        .staff("chv.an", "officer", case["office"].as_str().unwrap())
        .await;
    let (status, _) = post_bank(
        &s.hub,
        camt054_credit("FT26324000002", 1_000_000, "NOP TIEN THI HANH AN"),
    )
    .await;
    assert_eq!(status, 202);
    let queue = s
        .hub
        .wait_for_as(
            &officer,
            "/v1/reconciliation",
            Duration::from_secs(30),
            |q| q.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
    assert_eq!(queue[0]["amount_vnd"], 1_000_000);
    assert!(queue[0]["reason"]
        .as_str()
        .unwrap()
        .contains("no known case"));
}

#[tokio::test]
async fn payments_embedded() {
    payment_is_posted_once_to_its_case(Kind::Embedded).await;
}

#[tokio::test]
async fn payments_postgres_jetstream() {
    payment_is_posted_once_to_its_case(Kind::Production).await;
}

#[tokio::test]
async fn broken_notifications_are_refused_and_entry_errors_reported() {
    let s = setup(Kind::Embedded, |_| {}).await;
    let wrong_ns = camt054_credit("X1", 1000, "M").replace("camt.054.001.08", "pain.001.001.09");
    let (status, problem) = post_bank(&s.hub, wrong_ns).await;
    assert_eq!(status, 422, "{problem:#}");
    let id = problem["message_id"].as_str().unwrap();
    let kept = s.hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(kept["state"], "rejected");

    let fractional = camt054_credit("X2", 0, "M").replace(">0<", ">1000.50<");
    let (status, body) = post_bank(&s.hub, fractional).await;
    assert_eq!(status, 202, "{body:#}");
    assert!(body["payments"].as_array().unwrap().is_empty());
    let errors = body["entry_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body:#}");
}
