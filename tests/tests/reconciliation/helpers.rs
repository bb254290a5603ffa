//! Steps of the reconciliation tests: posting bank files, waiting for payments and the queue,
//! resolving, and checking receipts against the hub's published keys.

use std::time::Duration;

use serde_json::Value;
use thads_e2e::hub::Hub;

use super::common::*;

/// How long a step may take before the test fails.
pub(crate) const WAIT: Duration = Duration::from_secs(60);

/// Posts a camt.054 file; returns the payment id it recorded.
pub(crate) async fn pay(hub: &Hub, doc: String) -> String {
    let r = hub
        .http
        .post(format!("{}/v1/bank/notifications", hub.base))
        .header("content-type", "application/xml")
        .body(doc)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let body: Value = r.json().await.unwrap();
    body["payments"][0]["payment_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Posts a judgment and returns its case once opened.
pub(crate) async fn open(hub: &Hub, doc: &str) -> Value {
    let receipt = post_accepted(hub, doc).await;
    case_of(hub, receipt["message_id"].as_str().unwrap()).await
}

/// Waits until the case has `n` payments; returns it.
pub(crate) async fn wait_payments(hub: &Hub, case_id: &str, n: usize) -> Value {
    hub.wait_for(&format!("/v1/cases/{case_id}"), WAIT, |c| {
        c["payments"].as_array().is_some_and(|p| p.len() == n)
    })
    .await
}

/// Waits until the signed-in person sees `n` open items in the queue; returns them.
pub(crate) async fn wait_queue(hub: &Hub, token: &str, n: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (status, q) = hub.get_as(token, "/v1/payments/unmatched").await;
        assert_eq!(status, 200, "{q:#}");
        if q.as_array().unwrap().len() == n {
            return q.as_array().unwrap().clone();
        }
        assert!(std::time::Instant::now() < deadline, "queue: {q:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The queued item of `payment_id`.
pub(crate) fn item<'a>(queue: &'a [Value], payment_id: &str) -> &'a Value {
    queue
        .iter()
        .find(|i| i["payment_id"] == payment_id)
        .unwrap_or_else(|| panic!("{payment_id} not queued: {queue:#?}"))
}

/// The candidate case ids of a queued item, sorted.
pub(crate) fn candidate_ids(item: &Value) -> Vec<String> {
    let mut ids: Vec<String> = item["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Resolves a queued payment as the holder of `token`.
pub(crate) async fn resolve(hub: &Hub, token: &str, payment_id: &str, body: Value) -> (u16, Value) {
    hub.post_as(
        token,
        &format!("/v1/payments/unmatched/{payment_id}/resolve"),
        &body,
    )
    .await
}

/// Every receipt number issued for these cases, sorted.
pub(crate) async fn receipt_numbers(hub: &Hub, case_ids: &[&str]) -> Vec<i64> {
    let mut numbers = Vec::new();
    for id in case_ids {
        let list = hub
            .get_json(&format!("/v1/cases/{id}/receipts"))
            .await
            .unwrap();
        for r in list.as_array().unwrap() {
            assert!(r["series"].as_str().unwrap().starts_with("BL/HCM-KV01/"));
            assert_eq!(r["signed"], true, "{r:#}");
            numbers.push(r["number"].as_i64().unwrap());
        }
    }
    numbers.sort();
    numbers
}

/// The current year in Vietnam, the year of new receipt series.
pub(crate) fn this_year() -> i32 {
    time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap())
        .year()
}

/// Ids as an owned, sorted list.
pub(crate) fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}
