//! The binary's command line and process behaviour: `config check` names a bad key,
//! `migrate` is idempotent on both backends, and SIGTERM stops the hub cleanly.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use thads_e2e::services::TestDb;

fn hub() -> Command {
    let mut c = Command::new(binary());
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "error");
    c
}

/// The example configurations in `deploy/config/` stay valid as the configuration grows.
#[test]
fn deploy_configs_pass_config_check() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/config");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let out = hub()
            .arg("--config")
            .arg(&path)
            // The examples name certificate files that exist only on the servers.
            .args(["config", "check", "--no-files"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(
        checked >= 2,
        "no example configurations in {}",
        dir.display()
    );
}

#[test]
fn config_check_names_the_key_at_fault() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:8080\"\n[bus]\nmax_deliveries = 0\n",
    )
    .unwrap();
    let out = hub()
        .arg("--config")
        .arg(&file)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("max_deliveries"), "{err}");

    let out = hub()
        .env("THADS_VNEID__ENDPOINT", "ftp://x")
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("vneid.endpoint"));

    std::fs::write(
        &file,
        "[vneid]\nendpoint = \"https://vneid.example\"\ntoken = \"s3cret-token\"\n",
    )
    .unwrap();
    let out = hub()
        .arg("--config")
        .arg(&file)
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("https://vneid.example"));
    assert!(
        !shown.contains("s3cret-token"),
        "secrets are masked:\n{shown}"
    );
}

#[tokio::test]
async fn migrate_is_idempotent_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = hub()
            .env("THADS_DATA_DIR", dir.path())
            .arg("migrate")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("thads-hub.db").exists());
    let pg = TestDb::create().await;
    for _ in 0..2 {
        let out = hub()
            .env("DATABASE_URL", &pg.url)
            .arg("migrate")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn sigterm_stops_the_hub_cleanly_and_work_survives() {
    let mut s = setup(Kind::Embedded, |_| {}).await;
    s.sim.state.set_mode(thads_e2e::vneid_sim::Mode::FailAlways);
    let receipt = post_accepted(&s.hub, &civil_loan()).await;
    assert!(s.hub.terminate(), "exit status 0 after SIGTERM");
    s.sim.state.set_mode(thads_e2e::vneid_sim::Mode::Ok);
    s.hub.restart().await;
    let case = case_of(&s.hub, receipt["message_id"].as_str().unwrap()).await;
    wait_notices(
        &s.hub,
        case["id"].as_str().unwrap(),
        "delivered",
        Duration::from_secs(30),
    )
    .await;
}

#[test]
fn bank_parse_prints_payments_skips_and_entry_errors() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas/bank/examples/camt054-mixed.xml");
    let out = hub().args(["bank", "parse"]).arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let payments = v["payments"].as_array().unwrap();
    assert!(!payments.is_empty());
    for key in [
        "amount_vnd",
        "debtor_name",
        "remittance",
        "end_to_end_id",
        "booking_date",
        "account",
        "entry_ref",
    ] {
        assert!(payments[0].get(key).is_some(), "missing {key}");
    }
    assert!(!v["skipped"].as_array().unwrap().is_empty());
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["reason"].as_str().unwrap_or("").contains("whole")),
        "a fractional VND amount is an entry error: {errors:#?}"
    );

    let missing = hub()
        .args(["bank", "parse", "/nonexistent.xml"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn workdays_add_skips_tet_and_follows_configured_swaps() {
    let out = hub()
        .args(["workdays", "add", "2026-02-13", "5"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Fri 13 Feb 2026; 16-20 Feb are Tết; the fifth working day after is Fri 27 Feb.
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2026-02-27");

    // A government swap added by configuration moves the result.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.toml");
    std::fs::write(&file, "[calendar]\nextra_days_off = [\"2026-02-23\"]\n").unwrap();
    let out = hub()
        .arg("--config")
        .arg(&file)
        .args(["workdays", "add", "2026-02-13", "5"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2026-03-02");

    let bad = hub()
        .args(["workdays", "add", "13/02/2026", "5"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn extract_prints_parties_and_obligations_of_text_and_xml_judgments() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![
        root.join("extract/corpus/hs-lua-dao.txt"),
        root.join("extract/corpus/ds-vay-tai-san.txt"),
        root.join("schemas/court/examples/ds-vay-tai-san.xml"),
    ];
    // The shared fixtures, when this checkout sits beside them.
    if let Ok(dir) = std::fs::read_dir(root.join("../shared/fixtures/judgments")) {
        files.extend(dir.flatten().map(|e| e.path()));
    }
    for file in files {
        let out = hub().arg("extract").arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let obligations = v["obligations"].as_array().unwrap();
        assert!(!obligations.is_empty(), "{}", file.display());
        for o in obligations {
            for key in [
                "kind",
                "debtor",
                "creditor",
                "amount_vnd",
                "period",
                "initiation",
            ] {
                assert!(o.get(key).is_some(), "{key} in {o}");
            }
        }
        assert!(!v["parties"].as_array().unwrap().is_empty());
    }
    // The criminal judgment: a fine and a confiscation for the State, damages on request.
    let out = hub()
        .arg("extract")
        .arg(root.join("extract/corpus/hs-lua-dao.txt"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_kind = |k: &str| {
        v["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == k)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_kind("fine")["amount_vnd"], 20_000_000);
    assert_eq!(by_kind("fine")["creditor"], "state");
    assert_eq!(by_kind("compensation")["initiation"], "on_request");
    assert_eq!(by_kind("compensation")["creditor"], "Hoàng Thị Dung");
    // A missing file is a clear error.
    let out = hub()
        .args(["extract", "/nonexistent/judgment.txt"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/judgment.txt"));
}
