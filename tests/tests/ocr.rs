//! Paper to digital end to end, in both runtimes: the scanned fixture judgment
//! (`tests/fixtures/scans/`, made by `scripts/make-scan-fixture`: 300 dpi grayscale, an
//! image-only PDF and a PNG) is uploaded, read by Tesseract's Vietnamese model in a job on
//! `in.scan.ocr`, and comes out of the same extraction as electronic text with its obligations
//! (amounts, debtor, creditor), which the officer confirms. A corrupt PDF fails its job with
//! the reason and is dead-lettered; wrong media types and other offices are refused.
//!
//! Tesseract (`tesseract-ocr`, `tesseract-ocr-vie`) and poppler are installed by
//! `scripts/lib/services.sh`; under `CI=true` they must be there. Elsewhere, without them, the
//! test checks that the job names the missing package, and stops.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{open_case, setup, Kind};
use serde_json::Value;
use thads_e2e::hub::Hub;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/scans")
            .join(name),
    )
    .unwrap()
}

fn has_tool(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

async fn upload(hub: &Hub, token: &str, path: &str, media: &str, body: Vec<u8>) -> (u16, Value) {
    let r = hub
        .http
        .post(format!("{}{path}", hub.base))
        .bearer_auth(token)
        .header("content-type", media)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn finished(hub: &Hub, token: &str, id: &str) -> Value {
    hub.wait_for_as(
        token,
        &format!("/v1/extractions/scans/{id}"),
        Duration::from_secs(180),
        |j| {
            j["state"] == "done"
                || j["state"] == "failed"
                || j["last_error"]
                    .as_str()
                    .is_some_and(|e| e.contains("not available"))
        },
    )
    .await
}

fn obligations(job: &Value) -> Vec<(String, String, String, Option<i64>)> {
    job["extraction"]["proposal"]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                o["debtor"].as_str().unwrap_or("").to_string(),
                o["creditor"].as_str().unwrap_or("").to_string(),
                o["amount_vnd"].as_i64(),
            )
        })
        .collect()
}

async fn ocr(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    let stranger = hub.staff("chv.khac", "officer", "HNI-KV03").await;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let pdf = fixture("ban-an-215-2026-DS-ST.pdf");

    // Refused before anything is stored.
    let path = format!("/v1/extractions/scans?case_id={case_id}");
    assert_eq!(
        upload(hub, &officer, &path, "text/plain", pdf.clone())
            .await
            .0,
        415
    );
    let (status, e) = upload(hub, &officer, &path, "image/png", pdf.clone()).await;
    assert_eq!(
        (status, e["errors"][0]["field"].as_str()),
        (422, Some("body"))
    );
    assert_eq!(
        upload(hub, &stranger, &path, "application/pdf", pdf.clone())
            .await
            .0,
        404
    );
    let anonymous = hub
        .http
        .post(format!("{}{path}", hub.base))
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    // The scanned PDF: 202 at once, read in the background.
    let (status, job) = upload(hub, &officer, &path, "application/pdf", pdf).await;
    assert_eq!(status, 202, "{job:#}");
    let id = job["id"].as_str().unwrap().to_string();
    assert!(
        matches!(job["state"].as_str(), Some("queued" | "running" | "done")),
        "{job:#}"
    );
    assert_eq!(
        hub.get_as(&stranger, &format!("/v1/extractions/scans/{id}"))
            .await
            .0,
        404
    );
    let job = finished(hub, &officer, &id).await;
    if !(has_tool("tesseract") && has_tool("pdftoppm")) {
        assert!(
            !in_ci(),
            "tesseract-ocr, tesseract-ocr-vie and poppler-utils must be installed under CI"
        );
        let reason = job["last_error"].as_str().unwrap_or_default();
        assert!(
            reason.contains("tesseract-ocr") || reason.contains("poppler-utils"),
            "{job:#}"
        );
        eprintln!(
            "Tesseract is not installed: the job says so ({reason}); OCR itself is not checked"
        );
        return;
    }
    assert_eq!(job["state"], "done", "{job:#}");
    assert_eq!(job["pages"], 1);
    let text = job["text"].as_str().unwrap();
    assert!(
        text.contains("QUYẾT ĐỊNH:") && text.contains("Trần Thị Bình"),
        "{text}"
    );
    let want = vec![
        (
            "pay_money".to_string(),
            "Trần Thị Bình".to_string(),
            "Nguyễn Văn An".to_string(),
            Some(150_000_000),
        ),
        (
            "court_fee".to_string(),
            "Trần Thị Bình".to_string(),
            "state".to_string(),
            Some(7_500_000),
        ),
        (
            "refund_advance_fee".to_string(),
            "state".to_string(),
            "Nguyễn Văn An".to_string(),
            Some(3_750_000),
        ),
    ];
    assert_eq!(obligations(&job), want, "{job:#}");
    let proposal = &job["extraction"]["proposal"];
    assert_eq!(proposal["judgment"]["number"], "215/2026/DS-ST");
    assert!(proposal["warnings"][0].as_str().unwrap().contains("OCR"));
    let parties = proposal["parties"].as_array().unwrap();
    assert!(
        parties
            .iter()
            .any(|p| p["cccd"] == "079182005678" && p["role"] == "debtor"),
        "{proposal:#}"
    );
    assert_eq!(job["extraction"]["case_id"], case_id);

    // The officer confirms the proposal, correcting the court's name.
    let ext = job["extraction"]["id"].as_str().unwrap();
    let mut corrected = proposal.clone();
    corrected["judgment"]["court"] =
        Value::from("Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh");
    let (status, confirmed) = hub
        .post_as(
            &officer,
            &format!("/v1/extractions/{ext}/confirm"),
            &corrected,
        )
        .await;
    assert_eq!(status, 200, "{confirmed:#}");
    assert_eq!(confirmed["state"], "confirmed");

    // Its journey: accepted, then handled by the OCR consumer.
    let msg = hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(msg["state"], "handled", "{msg:#}");
    assert_eq!(msg["subject"], "in.scan.ocr");

    // The same page as a PNG image, without a case.
    let (status, job) = upload(
        hub,
        &officer,
        "/v1/extractions/scans",
        "image/png",
        fixture("ban-an-215-2026-DS-ST.png"),
    )
    .await;
    assert_eq!(status, 202, "{job:#}");
    let job = finished(hub, &officer, job["id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "done", "{job:#}");
    assert_eq!(obligations(&job), want);

    // A corrupt PDF fails with the reason and is dead-lettered, not retried for ever.
    let (status, job) = upload(
        hub,
        &officer,
        "/v1/extractions/scans",
        "application/pdf",
        b"%PDF-1.4\nnot really a pdf\n".to_vec(),
    )
    .await;
    assert_eq!(status, 202);
    let bad = job["id"].as_str().unwrap().to_string();
    let job = hub
        .wait_for_as(
            &officer,
            &format!("/v1/extractions/scans/{bad}"),
            Duration::from_secs(60),
            |j| j["state"] == "failed",
        )
        .await;
    assert!(
        job["last_error"]
            .as_str()
            .unwrap()
            .contains("cannot be read"),
        "{job:#}"
    );
    hub.wait_for(
        &format!("/v1/messages/{bad}"),
        Duration::from_secs(30),
        |m| m["state"] == "dead_lettered",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ocr_embedded() {
    ocr(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ocr_postgres_jetstream() {
    ocr(Kind::Production).await;
}
