//! What the partner TLS tests share: reqwest clients with client certificates, the partners
//! registered with the command line, camt.054 and signature helpers.

#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use thads_e2e::hub::Hub;
use thads_e2e::vneid_sim::TestCa;

pub const THADS_ACCOUNT: &str = "0071001234567";
pub const OTHER_ACCOUNT: &str = "1200009999999";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

pub fn path(p: &std::path::Path) -> String {
    p.to_str().unwrap().to_string()
}

/// A client trusting `ca` for the server, presenting `identity` (certificate, key) if given.
pub fn client(ca: &TestCa, identity: Option<&(PathBuf, PathBuf)>) -> reqwest::Client {
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

pub fn cli_ok(hub: &Hub, args: &[&str]) -> String {
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
pub async fn send(
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

pub fn signed(key: &SigningKey, body: &str) -> Vec<(&'static str, String)> {
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
pub fn camt054(entry: &str, account: &str, amount: i64) -> String {
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
pub struct Partners {
    pub court_a: reqwest::Client,
    pub court_b: reqwest::Client,
    pub vcb: reqwest::Client,
    pub bidv: reqwest::Client,
    pub treasury: reqwest::Client,
    pub vneid: reqwest::Client,
    pub database: reqwest::Client,
    pub unknown: reqwest::Client,
    pub revoked: reqwest::Client,
    pub rogue: reqwest::Client,
    pub anonymous: reqwest::Client,
}

/// Registers the partners with the CLI (a court key for court A, an account for VCB, an
/// expiring certificate for BIDV, a revoked one for the Treasury) and makes their clients.
pub fn register(hub: &Hub, ca: &TestCa, rogue: &TestCa, court_key: &SigningKey) -> Partners {
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
pub async fn kept(hub: &Hub, problem: &Value, body: &str) -> String {
    let id = problem["message_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{problem:#}"));
    assert_eq!(
        hub.get_text(&format!("/v1/messages/{id}/payload")).await,
        body
    );
    id.to_string()
}
