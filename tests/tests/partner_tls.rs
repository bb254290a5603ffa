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

use std::path::PathBuf;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use thads_e2e::hub::Hub;
use thads_e2e::vneid_sim::TestCa;

const THADS_ACCOUNT: &str = "0071001234567";
const OTHER_ACCOUNT: &str = "1200009999999";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

fn path(p: &std::path::Path) -> String {
    p.to_str().unwrap().to_string()
}

/// A client trusting `ca` for the server, presenting `identity` (certificate, key) if given.
fn client(ca: &TestCa, identity: Option<&(PathBuf, PathBuf)>) -> reqwest::Client {
    let root = reqwest::Certificate::from_pem(&std::fs::read(ca.ca_file()).unwrap()).unwrap();
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .add_root_certificate(root);
    if let Some((cert, key)) = identity {
        let mut pem = std::fs::read(key).unwrap();
        pem.extend(std::fs::read(cert).unwrap());
        b = b.identity(reqwest::Identity::from_pem(&pem).unwrap());
    }
    b.build().unwrap()
}

fn cli_ok(hub: &Hub, args: &[&str]) -> String {
    let out = hub.cli(args, &[]);
    assert!(
        out.status.success(),
        "thads-hub {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Sends `body` to `path` over TLS as `client`; returns the status and the JSON answer.
async fn send(
    client: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut r = client
        .post(url)
        .header("content-type", content_type)
        .body(body);
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    let r = r.send().await.unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn signed(key: &SigningKey, body: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "X-Signature",
            format!(
                "ed25519={}",
                STANDARD.encode(key.sign(body.as_bytes()).to_bytes())
            ),
        ),
        ("X-Signature-Key", "TAND79-KV1-2026".to_string()),
    ]
}

/// A camt.054 with one booked credit into `account`.
fn camt054(entry: &str, account: &str, amount: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date().to_string();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG-{entry}</MsgId></GrpHdr>
    <Ntfctn>
      <Id>NTF-{entry}</Id>
      <Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>VND</Ccy>
        <Svcr><FinInstnId><BICFI>BFTVVNVX</BICFI></FinInstnId></Svcr></Acct>
      <Ntry>
        <NtryRef>{entry}</NtryRef>
        <Amt Ccy="VND">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-{entry}</EndToEndId></Refs>
          <Amt Ccy="VND">{amount}</Amt>
          <RmtInf><Ustrd>THA 215/2026/DS-ST</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"#
    )
}

/// The clients of every partner, and the certificates behind them.
struct Partners {
    court_a: reqwest::Client,
    court_b: reqwest::Client,
    vcb: reqwest::Client,
    bidv: reqwest::Client,
    treasury: reqwest::Client,
    vneid: reqwest::Client,
    database: reqwest::Client,
    unknown: reqwest::Client,
    revoked: reqwest::Client,
    rogue: reqwest::Client,
    anonymous: reqwest::Client,
}

/// Registers the partners with the CLI (a court key for court A, an account for VCB, an
/// expiring certificate for BIDV, a revoked one for the Treasury) and makes their clients.
fn register(hub: &Hub, ca: &TestCa, rogue: &TestCa, court_key: &SigningKey) -> Partners {
    let files = |cn: &str| ca.client_files(cn).unwrap();
    let (court_a, court_b, vcb, treasury, vneid, database, unknown, old) = (
        files("court TAND79-KV1"),
        files("court TAND01"),
        files("bank VCB"),
        files("treasury KBNN"),
        files("vneid VNEID"),
        files("database CSDLQG"),
        files("not registered"),
        files("treasury KBNN old"),
    );
    let soon = time::OffsetDateTime::now_utc() + time::Duration::days(10);
    let bidv = ca.client_files_until("bank BIDV", soon).unwrap();
    let public = STANDARD.encode(court_key.verifying_key().as_bytes());
    cli_ok(
        hub,
        &[
            "partner",
            "add",
            "court",
            "TAND79-KV1",
            "--name",
            "Tòa án khu vực 1",
            "--key",
            &public,
            "--key-id",
            "TAND79-KV1-2026",
            "--cert",
            &path(&court_a.0),
        ],
    );
    let added = |kind: &str, code: &str, name: &str, cert: &PathBuf, extra: &[&str]| {
        let mut args = vec!["partner", "add", kind, code, "--name", name];
        let cert = path(cert);
        args.extend(["--cert", cert.as_str()]);
        args.extend(extra);
        cli_ok(hub, &args)
    };
    added("court", "TAND01", "Tòa án Hà Nội", &court_b.0, &[]);
    let out = added(
        "bank",
        "VCB",
        "Vietcombank",
        &vcb.0,
        &["--account", THADS_ACCOUNT],
    );
    assert!(
        out.contains(&format!("account {THADS_ACCOUNT} added")),
        "{out}"
    );
    added("bank", "BIDV", "BIDV", &bidv.0, &[]);
    added("treasury", "KBNN", "Kho bạc Nhà nước", &treasury.0, &[]);
    added("vneid", "VNEID", "VNeID", &vneid.0, &[]);
    added(
        "database",
        "CSDLQG",
        "CSDL quốc gia về dân cư",
        &database.0,
        &[],
    );
    let out = added("treasury", "KBNN", "Kho bạc Nhà nước", &old.0, &[]);
    let old_fp = out
        .lines()
        .find_map(|l| l.strip_prefix("certificate "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_eq!(old_fp.len(), 64, "{out}");
    // Revoked by fingerprint, typed as openssl prints it.
    let typed: Vec<String> = old_fp
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8(c.to_vec()).unwrap().to_ascii_uppercase())
        .collect();
    let out = cli_ok(
        hub,
        &[
            "partner",
            "revoke",
            "treasury:KBNN",
            "--cert",
            &typed.join(":"),
        ],
    );
    assert!(out.contains("revoked"), "{out}");
    let rogue_files = rogue.client_files("court TAND79-KV1 forged").unwrap();
    Partners {
        court_a: client(ca, Some(&court_a)),
        court_b: client(ca, Some(&court_b)),
        vcb: client(ca, Some(&vcb)),
        bidv: client(ca, Some(&bidv)),
        treasury: client(ca, Some(&treasury)),
        vneid: client(ca, Some(&vneid)),
        database: client(ca, Some(&database)),
        unknown: client(ca, Some(&unknown)),
        revoked: client(ca, Some(&old)),
        rogue: client(ca, Some(&rogue_files)),
        anonymous: client(ca, None),
    }
}

/// The problem's message id, whose bytes the hub kept byte for byte.
async fn kept(hub: &Hub, problem: &Value, body: &str) -> String {
    let id = problem["message_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{problem:#}"));
    assert_eq!(
        hub.get_text(&format!("/v1/messages/{id}/payload")).await,
        body
    );
    id.to_string()
}

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
    let judgments = format!("{tls}/v1/court/judgments");
    let xml = "application/xml";

    // The plain listener no longer takes partner requests.
    let r = hub.post_judgment(doc.clone()).await;
    assert_eq!(r.status().as_u16(), 403);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("partner TLS listener"),
        "{problem:#}"
    );

    // No certificate, or another CA's: the handshake is refused.
    for (who, c) in [("no certificate", &p.anonymous), ("another CA", &p.rogue)] {
        let r = c
            .post(&judgments)
            .header("content-type", xml)
            .body(doc.clone())
            .send()
            .await;
        assert!(r.is_err(), "{who}: {r:?}");
    }
    // A certificate of the CA that no partner has, or a revoked one: 403.
    for (c, says) in [(&p.unknown, "not registered"), (&p.revoked, "revoked")] {
        let (status, problem) =
            send(c, &judgments, xml, doc.clone(), &signed(&court_key, &doc)).await;
        assert_eq!(status, 403, "{problem:#}");
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{problem:#}"
        );
    }
    // A partner of the wrong kind for the route: 403, whatever it sends.
    let (status, problem) = send(
        &p.vcb,
        &judgments,
        xml,
        doc.clone(),
        &signed(&court_key, &doc),
    )
    .await;
    assert_eq!(status, 403, "{problem:#}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("bank:VCB is a bank partner"),
        "{problem:#}"
    );
    // Only partner endpoints are served on the TLS listener.
    let r = p
        .court_a
        .get(format!("{tls}/v1/cases/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Court B pushes court A's judgment, correctly signed by court A's key: refused, kept.
    let (status, problem) = send(
        &p.court_b,
        &judgments,
        xml,
        doc.clone(),
        &signed(&court_key, &doc),
    )
    .await;
    assert_eq!(status, 403, "{problem:#}");
    assert_eq!(
        problem["errors"][0]["field"], "Judgment/Court/@code",
        "{problem:#}"
    );
    let id = kept(hub, &problem, &doc).await;
    let msg = hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(msg["partner"], "court:TAND01", "{msg:#}");
    assert_eq!(msg["state"], "rejected");

    // Court A pushes its own signed judgment: accepted with a signed receipt.
    let (status, receipt) = send(
        &p.court_a,
        &judgments,
        xml,
        doc.clone(),
        &signed(&court_key, &doc),
    )
    .await;
    assert_eq!(status, 202, "{receipt:#}");
    assert_eq!(receipt["court_key_id"], "TAND79-KV1-2026");
    // An exact replay is a duplicate: the original receipt, nothing new.
    let (status, again) = send(
        &p.court_a,
        &judgments,
        xml,
        doc.clone(),
        &signed(&court_key, &doc),
    )
    .await;
    assert_eq!(status, 200, "{again:#}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["receipt_id"], receipt["receipt_id"]);
    // Altered after signing: the signature no longer verifies (401), the bytes are kept.
    let altered = doc.replace("Trả nợ vay", "Trả nợ vay và lãi");
    assert_ne!(altered, doc);
    let (status, problem) = send(
        &p.court_a,
        &judgments,
        xml,
        altered.clone(),
        &signed(&court_key, &doc),
    )
    .await;
    assert_eq!(status, 401, "{problem:#}");
    assert_eq!(problem["code"], "signature_invalid");
    kept(hub, &problem, &altered).await;
    // Other content under the same document id, signed anew: 409, never a second case.
    let (status, problem) = send(
        &p.court_a,
        &judgments,
        xml,
        altered.clone(),
        &signed(&court_key, &altered),
    )
    .await;
    assert_eq!(status, 409, "{problem:#}");

    // Hostile input over TLS: a DTD with entities, deep nesting, an oversized body.
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE j [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Judgment xmlns="urn:thads:court:judgment:v1">&b;</Judgment>"#;
    let (status, problem) =
        send(&p.court_a, &judgments, xml, bomb, &signed(&court_key, bomb)).await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(
        problem["errors"].to_string().to_lowercase().contains("dtd")
            || problem["errors"].to_string().contains("DOCTYPE"),
        "{problem:#}"
    );
    let deep = format!(
        "<Judgment xmlns=\"urn:thads:court:judgment:v1\">{}{}</Judgment>",
        "<a>".repeat(500),
        "</a>".repeat(500)
    );
    let (status, problem) = send(
        &p.court_a,
        &judgments,
        xml,
        deep.clone(),
        &signed(&court_key, &deep),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(
        problem["errors"].to_string().contains("nested deeper"),
        "{problem:#}"
    );
    let big = format!("<Judgment>{}</Judgment>", "x".repeat(300 * 1024));
    let (status, problem) = send(&p.court_a, &judgments, xml, big, &[]).await;
    assert_eq!(status, 413, "{problem:#}");

    // The judgment becomes a case; its notices go to VNeID.
    let case = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let msg = hub
        .get_json(&format!(
            "/v1/messages/{}",
            receipt["message_id"].as_str().unwrap()
        ))
        .await
        .unwrap();
    assert_eq!(msg["partner"], "court:TAND79-KV1");

    // Evidences: a court reads its own (by default), not another court's.
    let evidences = format!("{tls}/v1/court/evidences");
    let r = p.court_a.get(&evidences).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let listed: Value = r.json().await.unwrap();
    assert_eq!(listed["court"], "TAND79-KV1");
    let r = p
        .court_b
        .get(format!("{evidences}?court=TAND79-KV1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    // A bank confirms a payment into the account it holds...
    let notifications = format!("{tls}/v1/bank/notifications");
    let camt = camt054("VCB-TLS-1", THADS_ACCOUNT, 1_000_000);
    let (status, answer) = send(&p.vcb, &notifications, xml, camt, &[]).await;
    assert_eq!(status, 202, "{answer:#}");
    let payment = answer["payments"][0]["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = hub
        .get_json(&format!("/v1/messages/{payment}"))
        .await
        .unwrap();
    assert_eq!(m["partner"], "bank:VCB", "{m:#}");
    // ...but not into one it does not hold (403 naming the account, bytes kept); BIDV holds
    // none of the hub's accounts.
    for (c, bank) in [(&p.vcb, "bank:VCB"), (&p.bidv, "bank:BIDV")] {
        let camt = camt054(
            "X-TLS-2",
            if bank == "bank:VCB" {
                OTHER_ACCOUNT
            } else {
                THADS_ACCOUNT
            },
            5,
        );
        let (status, problem) = send(c, &notifications, xml, camt.clone(), &[]).await;
        assert_eq!(status, 403, "{problem:#}");
        assert!(
            problem["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains(&format!("is not held by {bank}")),
            "{problem:#}"
        );
        kept(hub, &problem, &camt).await;
    }

    // An order addressed to VCB: BIDV may not acknowledge it, VCB may; an altered
    // acknowledgement (another order hash) is refused.
    let staff = Office::staff(hub).await;
    walk_to(hub, &staff, &case_id, Stage::OfficerAssigned).await;
    let (status, order) = hub
        .post_as(&staff.officer, &format!("/v1/cases/{case_id}/bank-orders"), &json!({
            "kind": "freeze", "bank": "VCB", "account": "0071000888999", "amount_vnd": 1_000_000,
            "decision_number": "12/QĐ-CCTHADS", "decision_date": "2026-11-23", "request_id": "tls-1",
        }))
        .await;
    assert_eq!(status, 201, "{order:#}");
    let acks = format!("{tls}/v1/bank/orders/acks");
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let ack = json!({
        "order_id": order["order_id"], "order_hash": order["order_hash"], "status": "executed",
        "amount_vnd": 1_000_000, "bank_reference": "VCB-F-1", "executed_at": now,
    })
    .to_string();
    let (status, problem) = send(&p.bidv, &acks, "application/json", ack.clone(), &[]).await;
    assert_eq!(status, 403, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/order_id");
    kept(hub, &problem, &ack).await;
    let forged = ack.replace(order["order_hash"].as_str().unwrap(), &"0".repeat(64));
    let (status, problem) = send(&p.vcb, &acks, "application/json", forged, &[]).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/order_hash");
    let (status, settled) = send(&p.vcb, &acks, "application/json", ack, &[]).await;
    assert_eq!(status, 200, "{settled:#}");
    assert_eq!(settled["order"]["state"], "executed", "{settled:#}");

    // Only the Treasury posts its statement; only VNeID posts receipts.
    let statement = json!({"statement_id": "KB-TLS-1", "transfers": [{"reference": "trf-none", "amount_vnd": 1}]}).to_string();
    let statements = format!("{tls}/v1/treasury/statements");
    let (status, r) = send(
        &p.treasury,
        &statements,
        "application/json",
        statement.clone(),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["mismatches"][0]["reason"], "unknown_reference", "{r:#}");
    let (status, _) = send(&p.vcb, &statements, "application/json", statement, &[]).await;
    assert_eq!(status, 403);
    let delivered = |c: &Value| {
        c["notices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["state"] == "delivered")
            .map(|n| n["message_id"].as_str().unwrap().to_string())
    };
    let case = hub
        .wait_for(
            &format!("/v1/cases/{case_id}"),
            Duration::from_secs(60),
            |c| delivered(c).is_some(),
        )
        .await;
    let notice = delivered(&case).unwrap();
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let receipt_body = json!({"notice_id": notice, "status": "read", "at": at}).to_string();
    let receipts = format!("{tls}/v1/vneid/receipts");
    let (status, r) = send(
        &p.court_a,
        &receipts,
        "application/json",
        receipt_body.clone(),
        &[],
    )
    .await;
    assert_eq!(status, 403, "{r:#}");
    let (status, r) = send(&p.vneid, &receipts, "application/json", receipt_body, &[]).await;
    assert_eq!(status, 200, "{r:#}");

    // A national database has no inbound route; it may read the hub's keys.
    let r = p
        .database
        .get(format!("{tls}/v1/keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (status, _) = send(
        &p.database,
        &notifications,
        xml,
        camt054("DB-1", THADS_ACCOUNT, 1),
        &[],
    )
    .await;
    assert_eq!(status, 403);

    // Refusals are counted.
    let metrics = hub.get_text("/metrics").await;
    for needle in [
        r#"thads_partner_tls_handshakes_total{outcome="refused"}"#,
        r#"outcome="unknown_certificate""#,
        r#"outcome="revoked_certificate""#,
        r#"thads_messages_in_total{subject="in.court.judgment",outcome="forbidden"}"#,
        r#"thads_messages_in_total{subject="in.bank.payment",outcome="forbidden"}"#,
        r#"thads_messages_in_total{subject="in.bank.order-ack",outcome="forbidden"}"#,
        r#"outcome="wrong_listener""#,
    ] {
        assert!(metrics.contains(needle), "{needle} missing from\n{metrics}");
    }

    // The registry lists certificates with their expiry; every change is audited.
    let listed: Value = serde_json::from_str(&cli_ok(hub, &["partner", "list", "--json"])).unwrap();
    let bank = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner_id"] == "bank:VCB")
        .unwrap();
    assert_eq!(bank["accounts"], json!([THADS_ACCOUNT]));
    assert_eq!(bank["certificates"][0]["status"], "active");
    assert!(bank["certificates"][0]["subject"]
        .as_str()
        .unwrap()
        .contains("bank VCB"));
    assert!(!bank["certificates"][0]["not_after"]
        .as_str()
        .unwrap()
        .is_empty());
    let text = cli_ok(hub, &["partner", "list"]);
    assert!(text.contains("revoked") && text.contains("until"), "{text}");
    let audit = hub.get_json("/v1/admin/audit?limit=500").await.unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "partner.add_certificate",
        "partner.add_account",
        "partner.revoke_certificate",
    ] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }

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

/// `config check` reads the partner TLS files and names the one at fault; with
/// `allow_plain_partners` the plain listener keeps serving partners next to the TLS one.
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
