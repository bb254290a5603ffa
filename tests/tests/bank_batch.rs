//! Batch payment confirmations dropped into the watched folder, in both runtimes: a camt.054
//! file quoting a case's payment reference is posted on the case and filed under `processed/`
//! with its result; the same file dropped again is recorded once; a broken file is filed
//! under `rejected/` with its reason and its bytes kept; a file with a bad entry is accepted
//! for its good entries and reports the bad one.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{open_case, setup, Kind};
use serde_json::Value;
use thads_e2e::corpus::camt054_credit;

/// Drops `bytes` as `name` the way a bank's SFTP client should: write `.part`, then rename.
fn drop_file(dir: &Path, name: &str, bytes: &[u8]) {
    let part = dir.join(format!("{name}.part"));
    std::fs::write(&part, bytes).unwrap();
    std::fs::rename(&part, dir.join(name)).unwrap();
}

/// Waits until `path` exists.
async fn appears(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{} never appeared",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn processed(dir: &Path, name: &str) -> PathBuf {
    let day = time::OffsetDateTime::now_utc().date().to_string();
    dir.join("processed").join(day).join(name)
}

fn result_of(path: &Path) -> Value {
    let text = std::fs::read_to_string(format!("{}.result.json", path.display())).unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn batch_folder(kind: Kind) {
    let inbox = tempfile::tempdir().unwrap();
    let dir = inbox.path().to_path_buf();
    let s = setup(kind, |o| {
        o.env.extend([
            ("THADS_BANK__INBOX_DIR".into(), dir.display().to_string()),
            ("THADS_BANK__INBOX_POLL".into(), "200ms".into()),
            ("THADS_BANK__INBOX_SETTLE".into(), "0s".into()),
        ]);
    })
    .await;
    let hub = &s.hub;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let reference = case["payment_reference"].as_str().unwrap();
    let doc = camt054_credit(
        "FT26327BATCH01",
        25_000_000,
        &format!("nop tien {reference}"),
    );

    drop_file(&dir, "VCB-20261123.xml", doc.as_bytes());
    let first = processed(&dir, "VCB-20261123.xml");
    appears(&first).await;
    assert!(
        !dir.join("VCB-20261123.xml").exists(),
        "the file left the inbox"
    );
    let result = result_of(&first);
    assert_eq!(result["payments"][0]["duplicate"], false, "{result:#}");
    hub.wait_for(
        &format!("/v1/cases/{case_id}"),
        Duration::from_secs(30),
        |c| c["paid_vnd"] == 25_000_000,
    )
    .await;

    // The bank resends the same file under another name: recorded once.
    drop_file(&dir, "VCB-20261123-resent.xml", doc.as_bytes());
    let again = processed(&dir, "VCB-20261123-resent.xml");
    appears(&again).await;
    assert_eq!(result_of(&again)["payments"][0]["duplicate"], true);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let case = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(case["paid_vnd"], 25_000_000);
    assert_eq!(case["payments"].as_array().unwrap().len(), 1);

    // A broken file is rejected with its reason; its bytes are kept by the hub too.
    drop_file(&dir, "broken.xml", b"<Document><BkToCstmrDbtCdtNtfctn>");
    let rejected = dir.join("rejected/broken.xml");
    appears(&rejected).await;
    let reason = std::fs::read_to_string(dir.join("rejected/broken.xml.reason.txt")).unwrap();
    assert!(reason.contains("body"), "{reason}");
    let message_id = reason
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_string();
    let msg = hub
        .get_json(&format!("/v1/messages/{message_id}"))
        .await
        .unwrap_or_else(|| panic!("rejected bytes not kept: {reason}"));
    assert_eq!(msg["state"], "rejected", "{msg:#}");

    // A file with one bad entry: the good entries are taken, the bad one is reported.
    let mixed = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/bank/examples/camt054-mixed.xml"),
    )
    .unwrap();
    drop_file(&dir, "mixed.xml", &mixed);
    let mixed_done = processed(&dir, "mixed.xml");
    appears(&mixed_done).await;
    let result = result_of(&mixed_done);
    assert!(
        !result["entry_errors"].as_array().unwrap().is_empty(),
        "{result:#}"
    );
    assert!(
        !result["payments"].as_array().unwrap().is_empty(),
        "{result:#}"
    );

    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics.contains("outcome=\"rejected\""),
        "the rejection is counted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_folder_embedded() {
    batch_folder(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_folder_production() {
    batch_folder(Kind::Production).await;
}
