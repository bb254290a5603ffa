//! Partners over the partner TLS listener, in both runtimes: a hub with `[partner_tls]` and a
//! CA made at test time; real reqwest clients with client certificates of each partner kind
//! (two courts, two banks, the Treasury, VNeID, a national database) registered with
//! `thads-hub partner add … --cert` (and `--account` for a bank).
//!
//! Each success: a court pushes its own signed judgment and reads its own evidences, a bank
//! confirms a payment into its account and acknowledges its own order, the Treasury posts its
//! statement, VNeID posts a receipt, a database reads the hub's keys.
//!
//! Each refusal: no client certificate, another CA's, an unknown and a revoked certificate,
//! partner routes on the plain listener, the wrong partner kind for a route, court B pushing
//! court A's judgment or reading its evidences, a bank confirming into an account it does not
//! hold or acknowledging another bank's order, an altered signed message, a signed message
//! re-sent with other content under the same id (an exact replay is an idempotent duplicate),
//! an altered acknowledgement, an oversized body and hostile XML. Refused bytes are kept;
//! refusals are counted; registry changes are audited; expiring certificates raise alerts.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "partner_tls/steps.rs"]
mod steps;
#[path = "partner_tls/support.rs"]
mod support;

use std::path::PathBuf;

use common::*;
use ed25519_dalek::SigningKey;
use support::*;
use thads_e2e::vneid_sim::TestCa;

async fn partners_over_tls(kind: Kind) {
    let ca = TestCa::new("THADS partners test CA").unwrap();
    let rogue_ca = TestCa::new("Rogue CA").unwrap();
    let server = ca
        .server_files("thads-hub partner listener", &["127.0.0.1", "localhost"])
        .unwrap();
    let port = free_port();
    let s = setup(kind, |o| {
        for (k, v) in [
            ("THADS_PARTNER_TLS__LISTEN", format!("127.0.0.1:{port}")),
            ("THADS_PARTNER_TLS__CERT_FILE", path(&server.0)),
            ("THADS_PARTNER_TLS__KEY_FILE", path(&server.1)),
            ("THADS_PARTNER_TLS__CLIENT_CA_FILE", path(&ca.ca_file())),
            ("THADS_COURT__REQUIRE_SIGNATURES", "true".into()),
        ] {
            o.env.push((k.into(), v));
        }
    })
    .await;
    let hub = &s.hub;
    let tls = format!("https://127.0.0.1:{port}");
    let court_key = SigningKey::from_bytes(&[11u8; 32]);
    let p = register(hub, &ca, &rogue_ca, &court_key);
    let doc = civil_loan();
    steps::identity(hub, &p, &tls, &court_key, &doc).await;
    let case_id = steps::courts(hub, &p, &tls, &court_key, &doc).await;
    steps::banks(hub, &p, &tls, &case_id).await;
    steps::others(hub, &p, &tls, &case_id).await;
    steps::visible(hub).await;

    // BIDV's certificate ends in 10 days: the console's alerts say so (read at start).
    let mut s = s;
    s.hub.restart().await;
    let alerts = s.hub.get_json("/v1/admin/alerts").await.unwrap();
    let text = alerts.to_string();
    assert!(
        text.contains("certificate_expiring") && text.contains("bank:BIDV"),
        "{alerts:#}"
    );
    assert!(!text.contains("partner bank:VCB"), "{alerts:#}");
}

#[tokio::test]
async fn partners_over_tls_embedded() {
    partners_over_tls(Kind::Embedded).await;
}

#[tokio::test]
async fn partners_over_tls_postgres_jetstream() {
    partners_over_tls(Kind::Production).await;
}

#[tokio::test]
async fn partner_tls_configuration_is_checked_and_plain_can_stay_open() {
    let ca = TestCa::new("THADS partners test CA").unwrap();
    let server = ca
        .server_files("thads-hub partner listener", &["127.0.0.1"])
        .unwrap();
    let other = ca.server_files("another", &["127.0.0.1"]).unwrap();
    let port = free_port();
    let env = |key: &PathBuf| {
        vec![
            (
                "THADS_PARTNER_TLS__LISTEN".to_string(),
                format!("127.0.0.1:{port}"),
            ),
            ("THADS_PARTNER_TLS__CERT_FILE".to_string(), path(&server.0)),
            ("THADS_PARTNER_TLS__KEY_FILE".to_string(), path(key)),
            (
                "THADS_PARTNER_TLS__CLIENT_CA_FILE".to_string(),
                path(&ca.ca_file()),
            ),
            (
                "THADS_PARTNER_TLS__ALLOW_PLAIN_PARTNERS".to_string(),
                "true".to_string(),
            ),
        ]
    };
    let s = setup(Kind::Embedded, |o| o.env = env(&server.1)).await;
    let hub = &s.hub;
    // Partners may still use the plain listener in this setting.
    let r = hub.post_judgment(civil_loan()).await;
    assert_eq!(r.status().as_u16(), 202);
    let check = |vars: Vec<(String, String)>| {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        hub.cli(&["config", "check"], &vars)
    };
    let out = check(env(&server.1));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The key of another certificate: named.
    let out = check(env(&other.1));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("partner_tls.key_file"));
    // A listener without its CA: named.
    let mut vars = env(&server.1);
    vars.retain(|(k, _)| k != "THADS_PARTNER_TLS__CLIENT_CA_FILE");
    let out = check(vars);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("partner_tls.client_ca_file"));
}

/// On the TLS listener the rate limit counts per certificate: a court over its limit gets
/// 429 while another court from the same address is served.
#[tokio::test]
async fn the_rate_limit_counts_per_certificate() {
    let ca = TestCa::new("THADS partners test CA").unwrap();
    let rogue_ca = TestCa::new("Rogue CA").unwrap();
    let server = ca
        .server_files("thads-hub partner listener", &["127.0.0.1"])
        .unwrap();
    let port = free_port();
    let s = setup(Kind::Embedded, |o| {
        for (k, v) in [
            ("THADS_PARTNER_TLS__LISTEN", format!("127.0.0.1:{port}")),
            ("THADS_PARTNER_TLS__CERT_FILE", path(&server.0)),
            ("THADS_PARTNER_TLS__KEY_FILE", path(&server.1)),
            ("THADS_PARTNER_TLS__CLIENT_CA_FILE", path(&ca.ca_file())),
            ("THADS_HTTP__PARTNER_RATE_PER_SECOND", "0.2".into()),
            ("THADS_HTTP__PARTNER_BURST", "2".into()),
        ] {
            o.env.push((k.into(), v));
        }
    })
    .await;
    let p = register(&s.hub, &ca, &rogue_ca, &SigningKey::from_bytes(&[11u8; 32]));
    let evidences = format!("https://127.0.0.1:{port}/v1/court/evidences");
    let status = |r: reqwest::Response| r.status().as_u16();
    for _ in 0..2 {
        assert_eq!(status(p.court_a.get(&evidences).send().await.unwrap()), 200);
    }
    let r = p.court_a.get(&evidences).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(status(p.court_b.get(&evidences).send().await.unwrap()), 200);
}
