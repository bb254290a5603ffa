//! Shared steps of the end-to-end tests: start a hub in either runtime next to a VNeID
//! simulator, post a judgment, and follow its case and notices.

#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use thads_e2e::hub::{Hub, HubOptions, ProductionServices, Runtime};
use thads_e2e::vneid_sim::VneidSim;

/// The hub binary under test.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_thads-hub-e2e"))
}

/// Which runtime a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Embedded,
    Production,
}

/// A hub with what it needs; its database and streams are removed after the hub stops.
pub struct Setup {
    pub hub: Hub,
    pub sim: VneidSim,
    _services: Option<ProductionServices>,
}

/// Starts a simulator and a hub of `kind`, letting `tune` adjust the options.
pub async fn setup(kind: Kind, tune: impl FnOnce(&mut HubOptions)) -> Setup {
    let sim = VneidSim::start().await.unwrap();
    let (runtime, services) = match kind {
        Kind::Embedded => (Runtime::Embedded, None),
        Kind::Production => {
            let services = ProductionServices::create("t").await;
            (services.runtime(), Some(services))
        }
    };
    let mut options = HubOptions::new(runtime, Some(sim.endpoint()));
    tune(&mut options);
    let hub = Hub::start(binary(), options).await;
    Setup {
        hub,
        sim,
        _services: services,
    }
}

/// The example every journey test sends.
pub fn civil_loan() -> String {
    thads_e2e::corpus::example("ds-vay-tai-san.xml")
}

/// Posts `doc`, expects 202, and returns the receipt.
pub async fn post_accepted(hub: &Hub, doc: &str) -> Value {
    let r = hub.post_judgment(doc.to_string()).await;
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 202, "{body:#}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["duplicate"], false);
    body
}

/// Waits until the message is handled and returns its case.
pub async fn case_of(hub: &Hub, message_id: &str) -> Value {
    let msg = hub
        .wait_for(
            &format!("/v1/messages/{message_id}"),
            Duration::from_secs(30),
            |m| m["state"] == "handled",
        )
        .await;
    let case_id = msg["case_id"].as_str().unwrap().to_string();
    hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap()
}

/// Posts the civil-loan example and returns its case once the judgment is handled.
pub async fn open_case(hub: &Hub) -> Value {
    let receipt = post_accepted(hub, &civil_loan()).await;
    case_of(hub, receipt["message_id"].as_str().unwrap()).await
}

/// How many parties of the case have a CCCD (each gets one notice).
pub fn parties_with_cccd(case: &Value) -> usize {
    case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["cccd"].is_null())
        .count()
}

/// Waits until every notice of the case is in `state`; returns the case.
pub async fn wait_notices(hub: &Hub, case_id: &str, state: &str, timeout: Duration) -> Value {
    hub.wait_for(&format!("/v1/cases/{case_id}"), timeout, |c| {
        let notices = c["notices"].as_array().unwrap();
        !notices.is_empty() && notices.iter().all(|n| n["state"] == state)
    })
    .await
}

/// The states a message went through, in order.
pub fn journey_states(msg: &Value) -> Vec<String> {
    msg["journey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_string())
        .collect()
}

/// The staff of office HCM-KV01 that a case's casework needs, signed in.
pub struct Office {
    pub clerk: String,
    pub head: String,
    /// `chv.an`, the officer assigned by [`walk_to`].
    pub officer: String,
}

impl Office {
    /// Creates and signs in a clerk, a head and an officer (`chv.an`) of HCM-KV01.
    pub async fn staff(hub: &Hub) -> Office {
        Office {
            clerk: hub.staff("thu.ky", "clerk", "HCM-KV01").await,
            head: hub.staff("truong.phong", "head", "HCM-KV01").await,
            officer: hub.staff("chv.an", "officer", "HCM-KV01").await,
        }
    }
}

/// Performs an operation on a case as `token` and expects 201.
pub async fn operate(hub: &Hub, token: &str, case_id: &str, body: Value) -> Value {
    let (status, answer) = hub
        .post_as(token, &format!("/v1/cases/{case_id}/operations"), &body)
        .await;
    assert_eq!(status, 201, "{body} -> {answer:#}");
    answer
}

/// How far [`walk_to`] takes a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Registered, decision issued, `chv.an` assigned: protective measures (a freeze) allowed.
    OfficerAssigned,
    /// Both parties notified, the debtor 20 days ago: the voluntary period has run out.
    VoluntaryPeriodOver,
    /// Verified with means found: coercive measures (a deduction) allowed.
    Measures,
}

/// Walks a received case through casework to `stage` with the office's staff.
pub async fn walk_to(hub: &Hub, staff: &Office, case_id: &str, stage: Stage) {
    use serde_json::json;
    operate(hub, &staff.clerk, case_id, json!({"operation": "register"})).await;
    operate(
        hub,
        &staff.head,
        case_id,
        json!({"operation": "issue_decision", "params": {"decision_number": "12/QĐ-THADS"}}),
    )
    .await;
    operate(
        hub,
        &staff.head,
        case_id,
        json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
    )
    .await;
    if stage == Stage::OfficerAssigned {
        return;
    }
    operate(
        hub,
        &staff.clerk,
        case_id,
        json!({"operation": "notify", "params": {"party": "creditor", "channel": "vneid"}}),
    )
    .await;
    let served = time::OffsetDateTime::now_utc().date() - time::Duration::days(20);
    operate(
        hub,
        &staff.officer,
        case_id,
        json!({"operation": "notify", "params": {"party": "debtor", "channel": "direct"},
               "effective_on": served.to_string()}),
    )
    .await;
    if stage == Stage::VoluntaryPeriodOver {
        return;
    }
    operate(
        hub,
        &staff.officer,
        case_id,
        json!({"operation": "begin_verification"}),
    )
    .await;
    operate(
        hub,
        &staff.officer,
        case_id,
        json!({"operation": "record_verification",
               "params": {"result": "able", "findings": "Tài khoản tại Vietcombank"}}),
    )
    .await;
}

/// The signed receipt, checked against the keys the hub publishes at `/v1/keys`.
pub async fn verified_receipt(hub: &Hub, receipt_id: &str) -> (Value, String) {
    use base64::Engine as _;
    let r = hub.get(&format!("/v1/receipts/{receipt_id}")).await;
    assert_eq!(r.status().as_u16(), 200);
    let state = r.headers()["x-receipt-state"].to_str().unwrap().to_string();
    let doc: Value = r.json().await.unwrap();
    let keys: std::collections::HashMap<String, ed25519_dalek::VerifyingKey> =
        hub.get_json("/v1/keys").await.unwrap()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let raw: [u8; 32] = base64::engine::general_purpose::STANDARD
                    .decode(k["public_key"].as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap();
                let key = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
                (k["key_id"].as_str().unwrap().to_string(), key)
            })
            .collect();
    let sig = &doc["signature"];
    let value: [u8; 64] = base64::engine::general_purpose::STANDARD
        .decode(sig["value"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let mut unsigned = doc.clone();
    unsigned.as_object_mut().unwrap().remove("signature");
    let bytes = thads_core::partners::canonical::canonical_bytes(&unsigned).unwrap();
    let key = &keys[sig["key_id"].as_str().unwrap()];
    key.verify_strict(&bytes, &ed25519_dalek::Signature::from_bytes(&value))
        .unwrap_or_else(|e| panic!("receipt does not verify: {e}: {doc:#}"));
    unsigned["amount_vnd"] = serde_json::json!(1);
    let bytes = thads_core::partners::canonical::canonical_bytes(&unsigned).unwrap();
    assert!(key
        .verify_strict(&bytes, &ed25519_dalek::Signature::from_bytes(&value))
        .is_err());
    (doc, state)
}

/// The path of every `.route("…", …)` in the gateway's HTTP modules (outside their unit tests,
/// which sit after `#[cfg(test)]` at the end of a file).
pub fn routes_in_source() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../gateway/src/http");
    let mut files = vec![root];
    let mut paths = BTreeSet::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                files.push(e.unwrap().path());
            }
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let whole = std::fs::read_to_string(&p).unwrap();
        let text = whole.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in text.match_indices(".route(") {
            let rest = text[i + ".route(".len()..].trim_start();
            if let Some(rest) = rest.strip_prefix('"') {
                if let Some(end) = rest.find('"') {
                    paths.insert(rest[..end].to_string());
                }
            }
        }
    }
    paths
}
