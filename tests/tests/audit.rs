//! The audit trail end to end, in both runtimes: a judgment accepted, a document rejected, a
//! failed sign-in, the maintenance switch and the command line's account changes are all in
//! the trail, the payloads by their hashes; the sealer chains and signs them on its schedule;
//! `thads-hub audit verify` passes, and so does an exported bundle checked offline against the
//! keys the hub publishes; then an entry altered, an entry removed and a payload altered in the
//! database are each found and named, and the command exits non-zero.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use thads_core::db::Db;
use thads_e2e::hub::{Hub, TEST_ADMIN};

const WAIT: Duration = Duration::from_secs(30);

async fn verified(hub: &Hub, check: impl Fn(&Value) -> bool) -> Value {
    hub.wait_for("/v1/admin/audit/verify", WAIT, check).await
}

fn cli_json(hub: &Hub, args: &[&str]) -> (bool, Value, String) {
    let out = hub.cli(args, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

async fn exec(db: &Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

async fn audit_trail(kind: Kind) {
    let s = setup(kind, |o| {
        o.env
            .push(("THADS_AUDIT__SEAL_INTERVAL".into(), "200ms".into()));
    })
    .await;
    let hub = &s.hub;

    // What happens: a judgment, a broken document, a failed sign-in, maintenance on and off.
    let doc = civil_loan();
    let receipt = post_accepted(hub, &doc).await;
    let message_id = receipt["message_id"].as_str().unwrap().to_string();
    let case = case_of(hub, &message_id).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let r = hub.post_judgment("<Judgment>hỏng</Judgment>").await;
    assert_eq!(r.status().as_u16(), 422);
    let rejected: Value = r.json().await.unwrap();
    let rejected_id = rejected["message_id"].as_str().unwrap().to_string();
    let r = hub
        .http
        .post(format!("{}/v1/auth/sign-in", hub.base))
        .json(&json!({"username": TEST_ADMIN, "password": "sai mật khẩu rồi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    for on in [true, false] {
        let r = hub
            .http
            .put(format!("{}/v1/admin/maintenance", hub.base))
            .bearer_auth(hub.admin_token())
            .json(&json!({ "on": on }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }

    // Sealed on schedule, and it verifies.
    let report = verified(hub, |r| {
        r["unsealed"] == 0 && r["entries"].as_i64() > Some(10)
    })
    .await;
    assert_eq!(report["problems"], json!([]), "{report:#}");
    assert!(report["payloads"].as_i64().unwrap() >= 2, "{report:#}");

    // The acts are there, by who did them.
    let entries = hub
        .get_json("/v1/admin/audit?limit=500")
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let find = |action: &str, subject: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action && e["subject"] == subject)
            .unwrap_or_else(|| panic!("no {action} on {subject} in {entries:#?}"))
            .clone()
    };
    let received = find("message.received", &message_id);
    let sha = hex::encode(Sha256::digest(doc.as_bytes()));
    assert_eq!(received["content_hash"], sha.as_str());
    assert!(received["chain_no"].as_i64().unwrap() >= 1);
    find("message.rejected", &rejected_id);
    assert_eq!(find("case.opened", &case_id)["actor"], "hub");
    assert_eq!(
        find("staff.sign_in.wrong_password", TEST_ADMIN)["actor"],
        TEST_ADMIN
    );
    let switched = find("admin.maintenance", "hub");
    assert_eq!(switched["actor"], TEST_ADMIN);
    assert!(find("staff.add", TEST_ADMIN)["actor"]
        .as_str()
        .unwrap()
        .starts_with("cli:"));
    // Paging by subject.
    let about = hub
        .get_json(&format!("/v1/admin/audit?subject={message_id}"))
        .await
        .unwrap();
    assert!(about
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["subject"] == message_id.as_str()));

    // The command line agrees; the exported bundle verifies offline against /v1/keys.
    let (ok, report, stderr) = cli_json(hub, &["audit", "verify"]);
    assert!(ok, "{stderr} {report:#}");
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("audit.jsonl");
    let bundle = bundle.to_str().unwrap();
    let (ok, exported, stderr) = cli_json(hub, &["audit", "export", "--out", bundle, "--payloads"]);
    assert!(ok, "{stderr}");
    assert!(exported["head_chain_no"].as_i64().unwrap() >= report["entries"].as_i64().unwrap());
    let keys = dir.path().join("keys.json");
    let published = hub.get_json("/v1/keys").await.unwrap();
    std::fs::write(&keys, published.to_string()).unwrap();
    let offline = |path: &str| {
        let out = std::process::Command::new(binary())
            .args(["audit", "verify", "--bundle", path, "--keys"])
            .arg(&keys)
            .env_clear()
            .output()
            .unwrap();
        (
            out.status.success(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
        )
    };
    let (ok, report) = offline(bundle);
    assert!(ok, "{report:#}");
    assert!(report["payloads"].as_i64().unwrap() >= 2);
    let text = std::fs::read_to_string(bundle).unwrap();
    let forged = dir.path().join("forged.jsonl");
    std::fs::write(
        &forged,
        text.replacen("maintenance switched on", "maintenance switched off", 1),
    )
    .unwrap();
    let (ok, report) = offline(forged.to_str().unwrap());
    assert!(!ok, "{report:#}");

    // Tampering in the database is found and named.
    let db = Db::connect(&hub.database_url()).await.unwrap();
    let chain_no = switched["chain_no"].as_i64().unwrap();
    exec(
        &db,
        &format!("UPDATE audit_log SET detail = 'nothing happened' WHERE chain_no = {chain_no}"),
    )
    .await;
    let (ok, report, _) = cli_json(hub, &["audit", "verify"]);
    assert!(!ok);
    assert_eq!(report["problems"][0]["chain_no"], chain_no, "{report:#}");
    assert!(report["problems"][0]["what"]
        .as_str()
        .unwrap()
        .contains("altered"));
    exec(
        &db,
        &format!("DELETE FROM audit_log WHERE chain_no = {}", chain_no - 1),
    )
    .await;
    let report = hub.get_json("/v1/admin/audit/verify").await.unwrap();
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["what"].as_str().unwrap().contains("missing")),
        "{report:#}"
    );
    sqlx::query("UPDATE messages SET payload = $1 WHERE id = $2")
        .bind(b"<Judgment>forged</Judgment>".to_vec())
        .bind(&message_id)
        .execute(db.pool())
        .await
        .unwrap();
    let (ok, report, _) = cli_json(hub, &["audit", "verify"]);
    assert!(!ok);
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["what"] == format!("payload of message {message_id} altered")),
        "{report:#}"
    );
    db.close().await;
}

#[tokio::test]
async fn audit_trail_embedded() {
    audit_trail(Kind::Embedded).await;
}

#[tokio::test]
async fn audit_trail_postgres_jetstream() {
    audit_trail(Kind::Production).await;
}
