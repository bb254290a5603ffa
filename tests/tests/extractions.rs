//! Extraction proposals end to end, in both runtimes: an officer posts a judgment's text, gets
//! the proposed parties and obligations, corrects one and confirms; both versions and the list
//! of corrected fields are kept, and the case records the confirmation.

#![allow(clippy::unwrap_used)]

mod common;

use common::{open_case, setup, Kind};
use serde_json::Value;

async fn post_text(
    hub: &thads_e2e::hub::Hub,
    token: &str,
    path: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let r = hub
        .http
        .post(format!("{}{path}", hub.base))
        .bearer_auth(token)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn extractions(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    let stranger = hub.staff("chv.khac", "officer", "HNI-KV03").await;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let text = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../extract/corpus/hs-lua-dao.txt"),
    )
    .unwrap();

    let (status, proposed) = post_text(
        hub,
        &officer,
        &format!("/v1/extractions?case_id={case_id}"),
        text,
    )
    .await;
    assert_eq!(status, 201, "{proposed:#}");
    assert_eq!(proposed["state"], "proposed");
    let obligations = proposed["proposal"]["obligations"].as_array().unwrap();
    let fine = obligations
        .iter()
        .position(|o| o["kind"] == "fine")
        .unwrap();
    assert_eq!(obligations[fine]["amount_vnd"], 20_000_000);
    let id = proposed["id"].as_str().unwrap();

    // The officer corrects the fine and confirms.
    let mut corrected = proposed["proposal"].clone();
    corrected["obligations"][fine]["amount_vnd"] = 25_000_000.into();
    let (status, confirmed) = hub
        .post_as(
            &officer,
            &format!("/v1/extractions/{id}/confirm"),
            &corrected,
        )
        .await;
    assert_eq!(status, 200, "{confirmed:#}");
    assert_eq!(confirmed["state"], "confirmed");
    assert_eq!(
        confirmed["corrections"],
        serde_json::json!([format!("/obligations/{fine}/amount_vnd")])
    );
    assert_eq!(
        confirmed["proposal"]["obligations"][fine]["amount_vnd"], 20_000_000,
        "the proposal is kept"
    );
    assert_eq!(
        confirmed["confirmed"]["obligations"][fine]["amount_vnd"],
        25_000_000
    );
    assert_eq!(confirmed["confirmed_by"], "chv.an");
    let c = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert!(c["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "extraction_confirmed"));

    // Confirmed once; bad corrections and bad input name the field; other offices see nothing.
    let (status, _) = hub
        .post_as(
            &officer,
            &format!("/v1/extractions/{id}/confirm"),
            &corrected,
        )
        .await;
    assert_eq!(status, 409);
    let (_, second) = post_text(
        hub,
        &officer,
        "/v1/extractions",
        b"Ban an so 1/2026/DS-ST".to_vec(),
    )
    .await;
    let mut broken = second["proposal"].clone();
    broken["obligations"] = serde_json::json!([{"kind": "fine", "amount_vnd": "many"}]);
    let (status, problem) = hub
        .post_as(
            &officer,
            &format!("/v1/extractions/{}/confirm", second["id"].as_str().unwrap()),
            &broken,
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("/obligations"),
        "{problem:#}"
    );
    let (status, _) = post_text(hub, &officer, "/v1/extractions", vec![0xff, 0xfe, 0x00]).await;
    assert_eq!(status, 422);
    let (status, _) = hub
        .get_as(&stranger, &format!("/v1/extractions/{id}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = post_text(
        hub,
        &stranger,
        &format!("/v1/extractions?case_id={case_id}"),
        b"x".to_vec(),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn extractions_embedded() {
    extractions(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn extractions_production() {
    extractions(Kind::Production).await;
}
