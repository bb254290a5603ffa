//! Signed court pushes, signed receipts and court evidences, in both runtimes: a court
//! registered with the CLI signs the exact body bytes; the hub refuses a missing, malformed,
//! unknown, revoked, wrong or foreign-court signature and an altered body with a clear reason
//! (keeping the refused bytes), answers an accepted push with a receipt signed by the key it
//! publishes at `/v1/keys`, and later offers the court signed `accepted`, `case_opened` and
//! `rejected` evidences.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::Value;
use thads_e2e::hub::Hub;

/// `X-Signature` for `body` signed with `key`, exactly as a court computes it.
fn signature_header(key: &SigningKey, body: &str) -> String {
    format!(
        "ed25519={}",
        STANDARD.encode(key.sign(body.as_bytes()).to_bytes())
    )
}

/// POSTs `body` with the given `X-Signature` and `X-Signature-Key` (each optional).
async fn post(
    hub: &Hub,
    body: &str,
    signature: Option<&str>,
    key_id: Option<&str>,
) -> reqwest::Response {
    let mut r = hub
        .http
        .post(format!("{}/v1/court/judgments", hub.base))
        .header("content-type", "application/xml")
        .body(body.to_string());
    if let Some(s) = signature {
        r = r.header("X-Signature", s);
    }
    if let Some(k) = key_id {
        r = r.header("X-Signature-Key", k);
    }
    r.send().await.unwrap()
}

/// POSTs a push that must be refused with `status` and the reason `code`, naming `header`;
/// checks the refused bytes were kept and returns the problem.
async fn refused(
    hub: &Hub,
    body: &str,
    signature: Option<&str>,
    key_id: Option<&str>,
    status: u16,
    code: &str,
    header: &str,
) -> Value {
    let r = post(hub, body, signature, key_id).await;
    assert_eq!(r.status().as_u16(), status, "{code}");
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    if status == 401 {
        assert!(r.headers().contains_key("www-authenticate"));
    }
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["code"], code, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], header, "{problem:#}");
    assert!(!problem["errors"][0]["reason"].as_str().unwrap().is_empty());
    // The refused bytes are kept, byte for byte, with the reason.
    let id = problem["message_id"].as_str().unwrap();
    let kept = hub.get_text(&format!("/v1/messages/{id}/payload")).await;
    assert_eq!(kept, body);
    let msg = hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(msg["state"], "rejected");
    assert_eq!(journey_states(&msg), ["received", "rejected"]);
    problem
}

/// The hub's public keys from `GET /v1/keys`, by key id.
async fn hub_keys(hub: &Hub) -> HashMap<String, VerifyingKey> {
    let doc = hub.get_json("/v1/keys").await.unwrap();
    assert_eq!(doc["alg"], "ed25519");
    let keys = doc["keys"].as_array().unwrap();
    assert_eq!(
        keys.iter().filter(|k| k["current"] == true).count(),
        1,
        "{doc:#}"
    );
    keys.iter()
        .map(|k| {
            let raw: [u8; 32] = STANDARD
                .decode(k["public_key"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            (
                k["key_id"].as_str().unwrap().to_string(),
                VerifyingKey::from_bytes(&raw).unwrap(),
            )
        })
        .collect()
}

/// Verifies a sealed receipt or evidence as a court would: the signature over the canonical
/// bytes (sorted keys, no whitespace) of the document without its `signature`.
fn verify_seal(doc: &Value, keys: &HashMap<String, VerifyingKey>) {
    let sig = &doc["signature"];
    assert_eq!(sig["alg"], "ed25519", "{doc:#}");
    let key = &keys[sig["key_id"].as_str().unwrap()];
    let value: [u8; 64] = STANDARD
        .decode(sig["value"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let mut rest = doc.clone();
    rest.as_object_mut().unwrap().remove("signature");
    let bytes = thads_core::partners::canonical::canonical_bytes(&rest).unwrap();
    key.verify_strict(&bytes, &Signature::from_bytes(&value))
        .unwrap_or_else(|e| panic!("seal does not verify: {e}: {doc:#}"));
    // And a changed member breaks it.
    let mut altered = rest;
    altered["message_id"] = Value::from("jdg-forged");
    let bytes = thads_core::partners::canonical::canonical_bytes(&altered).unwrap();
    assert!(key
        .verify_strict(&bytes, &Signature::from_bytes(&value))
        .is_err());
}

fn cli_ok(hub: &Hub, args: &[&str]) -> String {
    let out = hub.cli(args, &[]);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn signed_pushes_receipts_and_evidences(kind: Kind) {
    let s = setup(kind, |o| {
        o.env
            .push(("THADS_COURT__REQUIRE_SIGNATURES".into(), "true".into()))
    })
    .await;
    let hub = &s.hub;
    let keys_dir = tempfile::tempdir().unwrap();
    let dir = keys_dir.path().to_str().unwrap();

    // The court's key pair, made with the CLI; the hub gets only the public key file.
    let out = cli_ok(hub, &["partner", "keygen", "--out", dir]);
    assert!(out.contains("public.pem"), "{out}");
    assert!(
        !out.contains("PRIVATE KEY"),
        "the private key is never printed"
    );
    let court_key = SigningKey::from_pkcs8_pem(
        &std::fs::read_to_string(keys_dir.path().join("private.pem")).unwrap(),
    )
    .unwrap();
    let public_pem = format!("{dir}/public.pem");
    let out = cli_ok(
        hub,
        &[
            "partner",
            "add",
            "court",
            "TAND79-KV1",
            "--name",
            "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh",
            "--key-file",
            &public_pem,
            "--key-id",
            "TAND79-KV1-2026",
        ],
    );
    assert!(out.contains("key TAND79-KV1-2026 added"), "{out}");
    // An older key of the same court, revoked.
    let old_key = SigningKey::from_bytes(&[7u8; 32]);
    let old_public = STANDARD.encode(old_key.verifying_key().as_bytes());
    cli_ok(
        hub,
        &[
            "partner",
            "add",
            "court",
            "TAND79-KV1",
            "--name",
            "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh",
            "--key",
            &old_public,
            "--key-id",
            "TAND79-KV1-2025",
        ],
    );
    cli_ok(
        hub,
        &[
            "partner",
            "revoke",
            "court:TAND79-KV1",
            "--key",
            "TAND79-KV1-2025",
        ],
    );
    // Another court with a valid key of its own.
    let other_key = SigningKey::from_bytes(&[9u8; 32]);
    let other_public = STANDARD.encode(other_key.verifying_key().as_bytes());
    cli_ok(
        hub,
        &[
            "partner",
            "add",
            "court",
            "TAND01",
            "--name",
            "Tòa án nhân dân thành phố Hà Nội",
            "--key",
            &other_public,
            "--key-id",
            "TAND01-2026",
        ],
    );
    let listed: Value = serde_json::from_str(&cli_ok(hub, &["partner", "list", "--json"])).unwrap();
    let court = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner_id"] == "court:TAND79-KV1")
        .unwrap();
    let statuses: Vec<(&str, &str)> = court["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["key_id"].as_str().unwrap(), k["status"].as_str().unwrap()))
        .collect();
    assert!(
        statuses.contains(&("TAND79-KV1-2026", "active")),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&("TAND79-KV1-2025", "revoked")),
        "{statuses:?}"
    );

    let doc = civil_loan();
    let good = signature_header(&court_key, &doc);

    // Missing, half-present and malformed signatures.
    refused(
        hub,
        &doc,
        None,
        None,
        401,
        "signature_missing",
        "X-Signature",
    )
    .await;
    refused(
        hub,
        &doc,
        Some(&good),
        None,
        401,
        "header_missing",
        "X-Signature-Key",
    )
    .await;
    refused(
        hub,
        &doc,
        Some("rsa=AAAA"),
        Some("TAND79-KV1-2026"),
        401,
        "signature_malformed",
        "X-Signature",
    )
    .await;
    // A body changed by one digit after signing.
    let altered = doc.replacen("150000000", "150000001", 1);
    assert_ne!(altered, doc);
    let p = refused(
        hub,
        &altered,
        Some(&good),
        Some("TAND79-KV1-2026"),
        401,
        "signature_invalid",
        "X-Signature",
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("changed after signing"),
        "{p:#}"
    );
    // Signed with a key that is not the one named.
    let stranger = SigningKey::from_bytes(&[3u8; 32]);
    refused(
        hub,
        &doc,
        Some(&signature_header(&stranger, &doc)),
        Some("TAND79-KV1-2026"),
        401,
        "signature_invalid",
        "X-Signature",
    )
    .await;
    // An unknown key id, a revoked key, another court's key.
    refused(
        hub,
        &doc,
        Some(&good),
        Some("NO-SUCH-KEY"),
        401,
        "key_unknown",
        "X-Signature-Key",
    )
    .await;
    refused(
        hub,
        &doc,
        Some(&signature_header(&old_key, &doc)),
        Some("TAND79-KV1-2025"),
        401,
        "key_revoked",
        "X-Signature-Key",
    )
    .await;
    let p = refused(
        hub,
        &doc,
        Some(&signature_header(&other_key, &doc)),
        Some("TAND01-2026"),
        403,
        "key_of_another_partner",
        "X-Signature-Key",
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("court:TAND01"),
        "{p:#}"
    );

    // The real thing: accepted with a receipt the hub signed.
    let r = post(hub, &doc, Some(&good), Some("TAND79-KV1-2026")).await;
    assert_eq!(r.status().as_u16(), 202);
    let receipt: Value = r.json().await.unwrap();
    assert_eq!(receipt["type"], "urn:thads:receipt:v1");
    assert_eq!(receipt["status"], "accepted");
    assert_eq!(receipt["court"], "TAND79-KV1");
    assert_eq!(receipt["court_key_id"], "TAND79-KV1-2026");
    let keys = hub_keys(hub).await;
    verify_seal(&receipt, &keys);
    let message_id = receipt["message_id"].as_str().unwrap();
    let msg = hub
        .get_json(&format!("/v1/messages/{message_id}"))
        .await
        .unwrap();
    assert_eq!(receipt["content_hash"], msg["content_hash"]);

    // A resend gets the original receipt, signed again.
    let r = post(hub, &doc, Some(&good), Some("TAND79-KV1-2026")).await;
    assert_eq!(r.status().as_u16(), 200);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["receipt_id"], receipt["receipt_id"]);
    verify_seal(&again, &keys);

    // The evidences of what became of it, each signed.
    let case = case_of(hub, message_id).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let path = "/v1/court/evidences?court=TAND79-KV1";
    let evidences = hub
        .wait_for(path, Duration::from_secs(30), |v| {
            let all = v["evidences"].as_array().unwrap();
            all.iter().any(|e| e["kind"] == "case_opened")
                && all.iter().filter(|e| e["kind"] == "rejected").count() == 8
        })
        .await;
    let all = evidences["evidences"].as_array().unwrap();
    for e in all {
        assert_eq!(e["type"], "urn:thads:court-evidence:v1");
        assert_eq!(e["court"], "TAND79-KV1");
        verify_seal(e, &keys);
    }
    let of_kind = |kind: &str| -> Vec<&Value> {
        all.iter()
            .filter(|e| e["kind"] == kind && e["message_id"] == message_id)
            .collect()
    };
    let accepted = of_kind("accepted");
    assert_eq!(accepted.len(), 1, "{evidences:#}");
    assert_eq!(accepted[0]["receipt_id"], receipt["receipt_id"]);
    assert_eq!(accepted[0]["content_hash"], receipt["content_hash"]);
    assert_eq!(accepted[0]["document_id"], "TAND79-KV1-2026-DS-215");
    assert_eq!(
        accepted[0]["court_signature"]["value"].as_str().unwrap(),
        good.trim_start_matches("ed25519=")
    );
    let opened = of_kind("case_opened");
    assert_eq!(opened.len(), 1, "{evidences:#}");
    assert_eq!(opened[0]["case_id"], case_id.as_str());
    let rejected: Vec<&Value> = all.iter().filter(|e| e["kind"] == "rejected").collect();
    assert!(rejected
        .iter()
        .all(|e| !e["reason"].as_str().unwrap().is_empty()));
    assert!(rejected
        .iter()
        .any(|e| e["reason"].as_str().unwrap().contains("revoked")));
    // The other court sees none of them; a later `since` returns nothing.
    let theirs = hub
        .get_json("/v1/court/evidences?court=TAND01")
        .await
        .unwrap();
    assert!(theirs["evidences"].as_array().unwrap().is_empty());
    let later = hub
        .get_json("/v1/court/evidences?court=TAND79-KV1&since=2999-01-01T00:00:00Z")
        .await
        .unwrap();
    assert!(later["evidences"].as_array().unwrap().is_empty());
    let r = hub
        .get("/v1/court/evidences?court=TAND79-KV1&since=yesterday")
        .await;
    assert_eq!(r.status().as_u16(), 422);

    // Revoking the court stops its pushes.
    cli_ok(hub, &["partner", "revoke", "court:TAND79-KV1"]);
    let next = doc.replace("TAND79-KV1-2026-DS-215", "TAND79-KV1-2026-DS-216");
    refused(
        hub,
        &next,
        Some(&signature_header(&court_key, &next)),
        Some("TAND79-KV1-2026"),
        401,
        "partner_revoked",
        "X-Signature-Key",
    )
    .await;
}

#[tokio::test]
async fn signatures_embedded() {
    signed_pushes_receipts_and_evidences(Kind::Embedded).await;
}

#[tokio::test]
async fn signatures_postgres_jetstream() {
    signed_pushes_receipts_and_evidences(Kind::Production).await;
}

/// With signatures not required (the embedded default), unsigned pushes are accepted with a
/// signed receipt, but a signature that is sent is still checked.
#[tokio::test]
async fn a_sent_signature_is_checked_even_when_not_required() {
    let s = setup(Kind::Embedded, |_| {}).await;
    let doc = civil_loan();
    let stranger = SigningKey::from_bytes(&[5u8; 32]);
    refused(
        &s.hub,
        &doc,
        Some(&signature_header(&stranger, &doc)),
        Some("UNREGISTERED"),
        401,
        "key_unknown",
        "X-Signature-Key",
    )
    .await;
    let receipt = post_accepted(&s.hub, &doc).await;
    assert!(receipt.get("court_key_id").is_none());
    verify_seal(&receipt, &hub_keys(&s.hub).await);
}
