//! Mutual TLS with VNeID, in both runtimes: a hub given a client certificate, its key and the
//! partner's private CA (`vneid.client_cert_file`, `vneid.client_key_file`, `vneid.ca_file`)
//! delivers a case's notices to the simulator in TLS mode, which sees the hub's certificate; a
//! hub without the certificate fails the handshake and keeps the notice for another try (and,
//! given the certificate, delivers it); a server the hub does not trust gets nothing; a
//! certificate without its key stops the hub at start.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{binary, open_case, parties_with_cccd, wait_notices, Kind};
use thads_e2e::hub::{Hub, HubOptions, ProductionServices, Runtime};
use thads_e2e::vneid_sim::{TestCa, VneidSim};

const HUB_CN: &str = "thads-hub.thads.gov.vn";

/// The runtime of `kind`, with its database and streams (removed after the hubs).
async fn runtime(kind: Kind) -> (Runtime, Option<ProductionServices>) {
    match kind {
        Kind::Embedded => (Runtime::Embedded, None),
        Kind::Production => {
            let services = ProductionServices::create("tls").await;
            (services.runtime(), Some(services))
        }
    }
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Hub options pointing at the simulator in TLS mode, trusting `ca`, with the client
/// certificate files when given.
fn options(
    runtime: Runtime,
    sim: &VneidSim,
    ca: &TestCa,
    client: Option<&(PathBuf, PathBuf)>,
) -> HubOptions {
    let mut o = HubOptions::new(runtime, None);
    o.max_deliveries = 30;
    let mut env = vec![
        ("THADS_VNEID__ENDPOINT", sim.endpoint()),
        ("THADS_VNEID__TOKEN", "test-token".to_string()),
        ("THADS_VNEID__CA_FILE", path(&ca.ca_file())),
    ];
    if let Some((cert, key)) = client {
        env.push(("THADS_VNEID__CLIENT_CERT_FILE", path(cert)));
        env.push(("THADS_VNEID__CLIENT_KEY_FILE", path(key)));
    }
    o.env = env.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    o
}

async fn delivers_over_mutual_tls(kind: Kind) {
    let ca = TestCa::new("VNeID test CA").unwrap();
    let sim = VneidSim::start_tls(&ca).await.unwrap();
    assert!(sim.endpoint().starts_with("https://"), "{}", sim.endpoint());
    let client = ca.client_files(HUB_CN).unwrap();
    let (runtime, _db) = runtime(kind).await;
    let hub = Hub::start(binary(), options(runtime, &sim, &ca, Some(&client))).await;

    let case = open_case(&hub).await;
    let case_id = case["id"].as_str().unwrap();
    let case = wait_notices(&hub, case_id, "delivered", Duration::from_secs(60)).await;
    let accepted = sim.state.accepted();
    assert_eq!(accepted.len(), parties_with_cccd(&case));
    for notice in &accepted {
        assert_eq!(notice.client_cn.as_deref(), Some(HUB_CN));
        assert_eq!(notice.token.as_deref(), Some("test-token"));
        assert_eq!(notice.reference, case_id);
    }
    assert!(sim
        .state
        .client_cns()
        .iter()
        .all(|cn| cn.as_deref() == Some(HUB_CN)));
    assert_eq!(sim.state.refused_handshakes(), 0);

    // The start-up dump shows where the files are, never what the key holds.
    let shown = hub.cli(
        &["config", "show"],
        &[
            ("THADS_VNEID__ENDPOINT", &sim.endpoint()),
            ("THADS_VNEID__CLIENT_CERT_FILE", &path(&client.0)),
            ("THADS_VNEID__CLIENT_KEY_FILE", &path(&client.1)),
        ],
    );
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success(), "{text}");
    assert!(text.contains("client_key_file"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
}

#[tokio::test]
async fn mutual_tls_embedded() {
    delivers_over_mutual_tls(Kind::Embedded).await;
}

#[tokio::test]
async fn mutual_tls_postgres_jetstream() {
    delivers_over_mutual_tls(Kind::Production).await;
}

async fn without_the_certificate_the_notice_waits(kind: Kind) {
    let ca = TestCa::new("VNeID test CA").unwrap();
    let sim = VneidSim::start_tls(&ca).await.unwrap();
    let (runtime, _db) = runtime(kind).await;
    let mut hub = Hub::start(binary(), options(runtime.clone(), &sim, &ca, None)).await;

    let case = open_case(&hub).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let id = case["notices"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let msg = hub
        .wait_for(
            &format!("/v1/messages/{id}"),
            Duration::from_secs(30),
            |m| m["state"] == "waiting_retry",
        )
        .await;
    let error = msg["last_error"].as_str().unwrap();
    assert!(
        error.contains("TLS") && error.to_ascii_lowercase().contains("certificate"),
        "{msg:#}"
    );
    assert!(sim.state.refused_handshakes() >= 1);
    assert!(sim.state.accepted().is_empty());
    assert_eq!(sim.state.attempts(), 0, "no request got through");

    // Not lost: a hub of the same database given the certificate delivers every notice.
    if let Kind::Production = kind {
        hub.kill();
        let client = ca.client_files(HUB_CN).unwrap();
        let hub = Hub::start(binary(), options(runtime, &sim, &ca, Some(&client))).await;
        let case = wait_notices(&hub, &case_id, "delivered", Duration::from_secs(90)).await;
        assert_eq!(sim.state.accepted().len(), parties_with_cccd(&case));
        let msg = hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
        let states = common::journey_states(&msg);
        assert!(states.iter().any(|s| s == "waiting_retry"), "{states:?}");
        assert_eq!(states.last().map(String::as_str), Some("delivered"));
    }
}

#[tokio::test]
async fn no_client_certificate_embedded() {
    without_the_certificate_the_notice_waits(Kind::Embedded).await;
}

#[tokio::test]
async fn no_client_certificate_postgres_jetstream() {
    without_the_certificate_the_notice_waits(Kind::Production).await;
}

#[tokio::test]
async fn a_server_outside_the_trusted_roots_gets_nothing() {
    let ca = TestCa::new("VNeID test CA").unwrap();
    let sim = VneidSim::start_tls(&ca).await.unwrap();
    let client = ca.client_files(HUB_CN).unwrap();
    let mut o = options(Runtime::Embedded, &sim, &ca, Some(&client));
    o.env.retain(|(k, _)| k != "THADS_VNEID__CA_FILE");
    let hub = Hub::start(binary(), o).await;
    let case = open_case(&hub).await;
    let id = case["notices"][0]["message_id"].as_str().unwrap();
    let msg = hub
        .wait_for(
            &format!("/v1/messages/{id}"),
            Duration::from_secs(30),
            |m| m["state"] == "waiting_retry",
        )
        .await;
    let error = msg["last_error"].as_str().unwrap();
    assert!(
        error.contains("TLS") && error.contains("UnknownIssuer"),
        "{msg:#}"
    );
    assert_eq!(sim.state.attempts(), 0);
}

#[test]
fn a_certificate_without_its_key_stops_the_start() {
    let ca = TestCa::new("VNeID test CA").unwrap();
    let (cert, _) = ca.client_files(HUB_CN).unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(binary())
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("THADS_LISTEN", "127.0.0.1:0")
        .env("THADS_DATA_DIR", data.path())
        .env("THADS_VNEID__ENDPOINT", "https://127.0.0.1:9")
        .env("THADS_VNEID__CLIENT_CERT_FILE", path(&cert))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("vneid.client_key_file"), "{stderr}");
}
