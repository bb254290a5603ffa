//! The steps of the partner TLS scenario, one function per kind of check, run in order on
//! one hub by `partner_tls.rs`.

#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use thads_e2e::hub::Hub;

use super::common::*;
use super::support::*;

const XML: &str = "application/xml";

/// Who may connect: the plain listener, no or a foreign certificate, unknown and revoked
/// certificates, the wrong partner kind, a non-partner path.
pub async fn identity(hub: &Hub, p: &Partners, tls: &str, court_key: &SigningKey, doc: &str) {
    let judgments = format!("{tls}/v1/court/judgments");
    let xml = XML;
    let doc = doc.to_string();
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
            send(c, &judgments, xml, doc.clone(), &signed(court_key, &doc)).await;
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
        &signed(court_key, &doc),
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
}

/// Courts: only their own documents and evidences; replays, alterations, hostile XML.
/// Returns the case the accepted judgment opened.
pub async fn courts(
    hub: &Hub,
    p: &Partners,
    tls: &str,
    court_key: &SigningKey,
    doc: &str,
) -> String {
    let judgments = format!("{tls}/v1/court/judgments");
    let xml = XML;
    let doc = doc.to_string();
    // Court B pushes court A's judgment, correctly signed by court A's key: refused, kept.
    let (status, problem) = send(
        &p.court_b,
        &judgments,
        xml,
        doc.clone(),
        &signed(court_key, &doc),
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
        &signed(court_key, &doc),
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
        &signed(court_key, &doc),
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
        &signed(court_key, &doc),
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
        &signed(court_key, &altered),
    )
    .await;
    assert_eq!(status, 409, "{problem:#}");

    // Hostile input over TLS: a DTD with entities, deep nesting, an oversized body.
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE j [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Judgment xmlns="urn:thads:court:judgment:v1">&b;</Judgment>"#;
    let (status, problem) = send(&p.court_a, &judgments, xml, bomb, &signed(court_key, bomb)).await;
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
        &signed(court_key, &deep),
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
    case_id
}

/// Banks: only their own accounts and orders.
pub async fn banks(hub: &Hub, p: &Partners, tls: &str, case_id: &str) {
    let xml = XML;
    let case_id = case_id.to_string();
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
}

/// The Treasury, VNeID and a national database: each only on its own route.
pub async fn others(hub: &Hub, p: &Partners, tls: &str, case_id: &str) {
    let xml = XML;
    let notifications = format!("{tls}/v1/bank/notifications");
    let case_id = case_id.to_string();
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
    // And the API description, served over TLS too.
    let r = p
        .database
        .get(format!("{tls}/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let description: serde_json::Value = r.json().await.unwrap();
    assert!(description["paths"]["/v1/bank/notifications"].is_object());
    let (status, _) = send(
        &p.database,
        &notifications,
        xml,
        camt054("DB-1", THADS_ACCOUNT, 1),
        &[],
    )
    .await;
    assert_eq!(status, 403);
}

/// What administrators see: metrics, the registry listing, the audit trail.
pub async fn visible(hub: &Hub) {
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
}
