//! Account orders end to end, against the bank simulator: an officer freezes and then deducts
//! a debtor's account; the bank executes, acknowledges with the order's hash, and confirms the
//! deduction with a camt.054 credit that is posted on the case. Forged, unknown, repeated and
//! conflicting acknowledgements, a bank that fails twice, a rejected order, and the daily
//! batch files (with a tampered trailer) are covered too.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thads_e2e::bank_sim::BankSim;
use thads_e2e::hub::{Hub, HubOptions};

const DEBTOR_ACCOUNT: &str = "0071000888999";
const THADS_ACCOUNT: &str = "0071001234567";
const WAIT: Duration = Duration::from_secs(30);

/// A hub whose `VCB` orders go to a simulator that answers back to the hub. VCB issued the
/// hub its own token (`bank.token_files.VCB`) and refuses the shared one.
async fn start(kind: Kind, tune: impl FnOnce(&mut HubOptions)) -> (Setup, BankSim) {
    let bank = BankSim::start("VCB").await.unwrap();
    bank.state.expect_token("vcb-rieng");
    let secrets = tempfile::tempdir().unwrap().keep();
    let vcb_token = secrets.join("vcb.token");
    std::fs::write(&vcb_token, "vcb-rieng\n").unwrap();
    let endpoint = bank.orders_endpoint();
    let s = setup(kind, |o| {
        o.env
            .push(("THADS_BANK__ORDERS_ENDPOINT__VCB".into(), endpoint));
        o.env.push(("THADS_BANK__TIMEOUT".into(), "2s".into()));
        o.env
            .push(("THADS_BANK__TOKEN".into(), "bank-token".into()));
        o.env.push((
            "THADS_BANK__TOKEN_FILES__VCB".into(),
            vcb_token.display().to_string(),
        ));
        tune(o);
    })
    .await;
    bank.state.set_hub(&s.hub.base);
    (s, bank)
}

async fn issue(hub: &Hub, token: &str, case_id: &str, body: Value) -> (u16, Value) {
    hub.post_as(token, &format!("/v1/cases/{case_id}/bank-orders"), &body)
        .await
}

async fn wait_order(hub: &Hub, id: &str, check: impl Fn(&Value) -> bool) -> Value {
    hub.wait_for(&format!("/v1/bank/orders/{id}"), WAIT, check)
        .await
}

async fn post_ack(hub: &Hub, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let r = hub
        .http
        .post(format!("{}/v1/bank/orders/acks", hub.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn freeze_body(bank: &str, amount: i64, request_id: &str) -> Value {
    json!({
        "kind": "freeze",
        "bank": bank,
        "account": DEBTOR_ACCOUNT,
        "amount_vnd": amount,
        "decision_number": "12/QĐ-CCTHADS",
        "decision_date": "2026-11-23",
        "legal_basis": ["Điều 67 Luật Thi hành án dân sự"],
        "request_id": request_id,
    })
}

fn deduct_body(bank: &str, amount: i64, freeze: Option<&str>, request_id: &str) -> Value {
    json!({
        "kind": "deduct",
        "bank": bank,
        "account": DEBTOR_ACCOUNT,
        "amount_vnd": amount,
        "decision_number": "15/QĐ-CCTHADS",
        "decision_date": "2026-11-24",
        "legal_basis": ["Điều 76 Luật Thi hành án dân sự"],
        "references": freeze,
        "destination_account": THADS_ACCOUNT,
        "request_id": request_id,
    })
}

fn tomorrow() -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(2)).to_string()
}

fn deadline<'a>(case: &'a Value, step: &str) -> &'a Value {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["step"] == step)
        .unwrap_or_else(|| panic!("no {step} deadline: {:#}", case["deadlines"]))
}

fn event_kinds(case: &Value) -> Vec<String> {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn freeze_deduct_and_payment(kind: Kind) {
    let (s, bank) = start(kind, |_| {}).await;
    let hub = &s.hub;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let due = case["money"]["amount_vnd"].as_i64().unwrap();
    assert_eq!(due, 157_500_000);
    bank.state.set_balance(DEBTOR_ACCOUNT, 200_000_000);
    let staff = Office::staff(hub).await;

    // A freeze is a measure: not before an officer is assigned to the case (409).
    let (status, problem) = issue(hub, &staff.head, case_id, freeze_body("VCB", due, "f-1")).await;
    assert_eq!(status, 409, "{problem:#}");
    assert!(
        problem["detail"].as_str().unwrap().contains("received"),
        "{problem:#}"
    );
    walk_to(hub, &staff, case_id, Stage::Measures).await;

    // Only a head or officer of the case's office may issue orders.
    let (status, _) = issue(hub, &staff.clerk, case_id, freeze_body("VCB", due, "f-1")).await;
    assert_eq!(status, 403);
    let stranger = hub.staff("chv.khac", "officer", "HCM-KV02").await;
    let (status, _) = issue(hub, &stranger, case_id, freeze_body("VCB", due, "f-1")).await;
    assert_eq!(status, 403);
    // A decision dated tomorrow is refused, naming the field.
    let mut future = freeze_body("VCB", due, "f-future");
    future["decision_date"] = json!(tomorrow());
    let (status, problem) = issue(hub, &staff.officer, case_id, future).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/decision_date");
    let officer = staff.officer.clone();

    // Freeze: executed, with the hash the bank computed from the bytes it received.
    let (status, freeze) = issue(hub, &officer, case_id, freeze_body("VCB", due, "f-1")).await;
    assert_eq!(status, 201, "{freeze:#}");
    let freeze_id = freeze["order_id"].as_str().unwrap().to_string();
    let freeze = wait_order(hub, &freeze_id, |o| {
        o["state"] == "executed" && o["delivery"] == "delivered"
    })
    .await;
    assert_eq!(freeze["ack"]["status"], "executed");
    assert_eq!(freeze["ack"]["amount_vnd"], due);
    assert_eq!(freeze["account"], "*********8999");
    let taken = bank.state.snapshot().orders[&freeze_id].clone();
    assert_eq!(freeze["order_hash"], taken.order_hash.as_str());
    assert_eq!(taken.order.legal_basis, ["Điều 67 Luật Thi hành án dân sự"]);
    assert_eq!(taken.order.holder_name.as_str(), "Trần Thị Bình");
    let account = bank.state.account(DEBTOR_ACCOUNT);
    assert_eq!(account.held[&freeze_id], due);
    assert_eq!(account.available(), 200_000_000 - due);
    // The same request again is the same order.
    let (status, again) = issue(hub, &officer, case_id, freeze_body("VCB", due, "f-1")).await;
    assert_eq!(status, 200);
    assert_eq!(again["order_id"], freeze_id.as_str());
    // The freeze was the measure: it is in the case's log, and coercion must follow it.
    let c = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(c["state"], "measures");
    assert_eq!(
        deadline(&c, "coercion_after_freeze")["done_on"],
        Value::Null
    );
    assert_eq!(
        deadline(&c, "coercion_after_freeze")["starts_on"],
        "2026-11-23"
    );

    // A deduction may not exceed what is due.
    let (status, problem) = issue(
        hub,
        &officer,
        case_id,
        deduct_body("VCB", due + 1, Some(&freeze_id), "d-0"),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/amount_vnd");

    // Deduction while the bank fails twice: delivered once, executed once.
    bank.state.fail_next(2);
    let (status, deduct) = issue(
        hub,
        &officer,
        case_id,
        deduct_body("VCB", due, Some(&freeze_id), "d-1"),
    )
    .await;
    assert_eq!(status, 201, "{deduct:#}");
    let deduct_id = deduct["order_id"].as_str().unwrap().to_string();
    let deduct = wait_order(hub, &deduct_id, |o| {
        o["state"] == "executed" && o["delivery"] == "delivered"
    })
    .await;
    assert_eq!(deduct["ack"]["amount_vnd"], due);
    assert_eq!(deduct["references"], freeze_id.as_str());
    let msg = hub
        .get_json(&format!("/v1/messages/{deduct_id}"))
        .await
        .unwrap();
    let states = journey_states(&msg);
    assert_eq!(
        states.iter().filter(|s| *s == "waiting_retry").count(),
        2,
        "{states:?}"
    );
    assert_eq!(states.last().map(String::as_str), Some("delivered"));
    let snap = bank.state.snapshot();
    assert_eq!(snap.attempts, 4, "1 freeze + 2 failures + 1 deduction");
    assert_eq!(snap.orders.len(), 2);
    assert_eq!(snap.accounts[DEBTOR_ACCOUNT].balance, 200_000_000 - due);
    assert_eq!(snap.accounts[DEBTOR_ACCOUNT].held[&freeze_id], 0);
    assert_eq!(snap.accounts[THADS_ACCOUNT].balance, due);
    // The deduction is the coercive measure that follows the freeze.
    let c = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(deadline(&c, "coercion_after_freeze")["status"], "done");
    let log = hub
        .get_json(&format!("/v1/cases/{case_id}/operations"))
        .await
        .unwrap();
    let measures: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["operation"] == "apply_measure")
        .collect();
    assert_eq!(measures.len(), 2, "freeze and deduction: {log:#}");

    // The deduction comes back as a camt.054 credit, posted on the case as collected money.
    let case = hub
        .wait_for(&format!("/v1/cases/{case_id}"), WAIT, |c| {
            c["money"]["collected_vnd"] == due
        })
        .await;
    assert_eq!(case["paid_vnd"], due);
    assert_eq!(case["payments"].as_array().unwrap().len(), 1);
    let kinds = event_kinds(&case);
    for k in [
        "bank_order_issued",
        "bank_order_executed",
        "payment_received",
    ] {
        assert!(kinds.iter().any(|e| e == k), "{k} in {kinds:?}");
    }
    let notification = &bank.state.snapshot().notifications[0];
    assert_eq!((notification.status, notification.amount_vnd), (202, due));

    // The same acknowledgement again: 200, same result, nothing changes.
    let sent = bank
        .state
        .snapshot()
        .acks
        .into_iter()
        .find(|a| a.order_id == deduct_id)
        .unwrap();
    assert_eq!(sent.status, 200);
    let (status, repeat) = post_ack(hub, sent.body.clone()).await;
    assert_eq!(status, 200, "{repeat:#}");
    assert_eq!(repeat["duplicate"], true);
    assert_eq!(repeat["order"]["state"], "executed");
    assert_eq!(repeat["message_id"], sent.answer["message_id"]);
    // A different answer for a settled order: 409.
    let mut other: Value = serde_json::from_str(&sent.body).unwrap();
    other["amount_vnd"] = json!(1_000);
    let (status, problem) = post_ack(hub, other.to_string()).await;
    assert_eq!(status, 409, "{problem:#}");

    // A forged acknowledgement (wrong hash) is refused and kept for audit.
    let (status, problem) = bank.state.send_forged_ack(&freeze_id).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/order_hash");
    let kept = problem["message_id"].as_str().unwrap();
    let kept = hub.get_json(&format!("/v1/messages/{kept}")).await.unwrap();
    assert_eq!(kept["state"], "rejected");
    assert_eq!(kept["subject"], "in.bank.order-ack");
    let bytes = hub
        .get_text(&format!(
            "/v1/messages/{}/payload",
            problem["message_id"].as_str().unwrap()
        ))
        .await;
    assert!(bytes.contains("VCB-FORGED"), "{bytes}");
    let freeze = wait_order(hub, &freeze_id, |_| true).await;
    assert_eq!(
        freeze["ack"]["amount_vnd"], due,
        "the forged answer changed nothing"
    );

    // An acknowledgement naming no order is refused.
    let mut unknown: Value = serde_json::from_str(&sent.body).unwrap();
    unknown["order_id"] = json!("ord-does-not-exist");
    let (status, problem) = post_ack(hub, unknown.to_string()).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/order_id");
    assert!(problem["message_id"].as_str().unwrap().starts_with("rej-"));

    // Release of the freeze: states the freeze's amount, lifts what it still holds.
    let (status, release) = issue(
        hub,
        &officer,
        case_id,
        json!({
            "kind": "release",
            "bank": "VCB",
            "account": DEBTOR_ACCOUNT,
            "amount_vnd": due,
            "decision_number": "16/QĐ-CCTHADS",
            "decision_date": "2026-11-25",
            "references": freeze_id,
        }),
    )
    .await;
    assert_eq!(status, 201, "{release:#}");
    let release_id = release["order_id"].as_str().unwrap();
    let release = wait_order(hub, release_id, |o| o["state"] == "executed").await;
    assert_eq!(release["ack"]["amount_vnd"], 0);
    assert!(bank.state.account(DEBTOR_ACCOUNT).held.is_empty());
    let taken = &bank.state.snapshot().orders[release_id];
    assert_eq!(taken.order.legal_basis, ["Điều 77 Luật Thi hành án dân sự"]);

    let listed = hub
        .get_json(&format!("/v1/cases/{case_id}/bank-orders"))
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn bank_orders_embedded() {
    freeze_deduct_and_payment(Kind::Embedded).await;
}

#[tokio::test]
async fn bank_orders_postgres_jetstream() {
    freeze_deduct_and_payment(Kind::Production).await;
}

#[tokio::test]
async fn rejected_orders_show_the_reason() {
    let (s, bank) = start(Kind::Embedded, |_| {}).await;
    let hub = &s.hub;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let staff = Office::staff(hub).await;
    walk_to(hub, &staff, case_id, Stage::Measures).await;
    let officer = staff.head.clone();
    bank.state.set_balance(DEBTOR_ACCOUNT, 0);

    // Nothing to deduct: the bank rejects for insufficient funds.
    let (status, order) = issue(
        hub,
        &officer,
        case_id,
        deduct_body("VCB", 10_000_000, None, "d-empty"),
    )
    .await;
    assert_eq!(status, 201, "{order:#}");
    let id = order["order_id"].as_str().unwrap();
    let order = wait_order(hub, id, |o| o["state"] == "rejected").await;
    assert!(
        order["ack"]["reason"]
            .as_str()
            .unwrap()
            .contains("insufficient funds"),
        "{order:#}"
    );
    assert_eq!(order["ack"]["amount_vnd"], Value::Null);
    assert_eq!(bank.state.account(THADS_ACCOUNT).balance, 0);

    // A bank that refuses for its own reason.
    bank.state.set_balance(DEBTOR_ACCOUNT, 50_000_000);
    bank.state.reject_next("tài khoản đã đóng");
    let (_, order) = issue(hub, &officer, case_id, freeze_body("VCB", 1_000_000, "f-x")).await;
    let id = order["order_id"].as_str().unwrap().to_string();
    let order = wait_order(hub, &id, |o| o["state"] == "rejected").await;
    assert_eq!(order["ack"]["reason"], "tài khoản đã đóng");
    let case = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert!(event_kinds(&case)
        .iter()
        .any(|k| k == "bank_order_rejected"));
    assert_eq!(case["money"]["collected_vnd"], 0);

    // A release must name a freeze the bank did not reject.
    let (status, problem) = issue(
        hub,
        &officer,
        case_id,
        json!({
            "kind": "release", "bank": "VCB", "account": DEBTOR_ACCOUNT, "amount_vnd": 1_000_000,
            "decision_number": "3/QĐ", "decision_date": "2026-11-25", "references": id,
        }),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/references");
}

#[tokio::test]
async fn urgent_freeze_by_record_is_confirmed_by_its_decision() {
    let (s, bank) = start(Kind::Embedded, |_| {}).await;
    let hub = &s.hub;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let staff = Office::staff(hub).await;
    bank.state.set_balance(DEBTOR_ACCOUNT, 80_000_000);
    walk_to(hub, &staff, case_id, Stage::OfficerAssigned).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();

    // A deduction is coercion: not before the voluntary period and verification (409).
    let mut early = deduct_body("VCB", 1_000_000, None, "d-early");
    early["decision_date"] = json!(today);
    let (status, problem) = issue(hub, &staff.officer, case_id, early).await;
    assert_eq!(status, 409, "{problem:#}");

    // The freeze by record: the bank holds at once; the decision is due within 24 hours.
    let mut urgent = freeze_body("VCB", 50_000_000, "f-urgent");
    urgent["by_record"] = json!(true);
    urgent["decision_number"] = json!("05/BB-THADS");
    urgent["decision_date"] = json!(today);
    let (status, freeze) = issue(hub, &staff.officer, case_id, urgent).await;
    assert_eq!(status, 201, "{freeze:#}");
    assert_eq!(freeze["by_record"], true);
    assert_eq!(freeze["decision_overdue"], false);
    let due_at = time::OffsetDateTime::parse(
        freeze["decision_due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (due_at - time::OffsetDateTime::now_utc()).whole_minutes() as f64 / 60.0;
    assert!((23.5..=24.0).contains(&hours), "{hours} hours");
    let freeze_id = freeze["order_id"].as_str().unwrap().to_string();
    wait_order(hub, &freeze_id, |o| o["state"] == "executed").await;
    assert_eq!(
        bank.state.account(DEBTOR_ACCOUNT).held[&freeze_id],
        50_000_000
    );
    let c = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    let pending = deadline(&c, "freeze_decision_after_record");
    assert_eq!(pending["done_on"], Value::Null, "{pending:#}");
    // Today falls under the 2025 law, whose article-level limits repeat the 2008 law's.
    assert_eq!(pending["regime"], "law_2025");
    let record_day = time::OffsetDateTime::now_utc().date();
    assert_eq!(
        pending["due_on"],
        (record_day + time::Duration::days(1)).to_string(),
        "24 hours from the record end the next day"
    );
    assert_eq!(
        c["state"], "officer_assigned",
        "a protective measure keeps the state"
    );

    let confirm = |amount: i64, reference: &str, request: &str| {
        json!({
            "kind": "confirm_freeze", "bank": "VCB", "account": DEBTOR_ACCOUNT,
            "amount_vnd": amount, "decision_number": "18/QĐ-CCTHADS", "decision_date": today,
            "references": reference, "request_id": request,
        })
    };
    // The decision states the amount the record froze.
    let (status, problem) = issue(
        hub,
        &staff.officer,
        case_id,
        confirm(40_000_000, &freeze_id, "c-0"),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/amount_vnd");
    // A freeze made by decision needs no confirmation.
    let mut plain = freeze_body("VCB", 1_000_000, "f-plain");
    plain["decision_date"] = json!(today);
    let (_, plain) = issue(hub, &staff.officer, case_id, plain).await;
    let (status, problem) = issue(
        hub,
        &staff.officer,
        case_id,
        confirm(1_000_000, plain["order_id"].as_str().unwrap(), "c-1"),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/references");

    let (status, confirmed) = issue(
        hub,
        &staff.officer,
        case_id,
        confirm(50_000_000, &freeze_id, "c-2"),
    )
    .await;
    assert_eq!(status, 201, "{confirmed:#}");
    let confirm_id = confirmed["order_id"].as_str().unwrap().to_string();
    let confirmed = wait_order(hub, &confirm_id, |o| o["state"] == "executed").await;
    assert_eq!(confirmed["ack"]["amount_vnd"], 50_000_000);
    assert_eq!(
        bank.state.account(DEBTOR_ACCOUNT).held.len(),
        2,
        "the decision holds nothing more"
    );
    let taken = &bank.state.snapshot().orders[&confirm_id];
    assert_eq!(
        taken.order.legal_basis,
        ["Điều 67 khoản 2 Luật Thi hành án dân sự"],
        "the default basis of a confirmation"
    );
    let freeze = wait_order(hub, &freeze_id, |_| true).await;
    assert_eq!(freeze["confirmed_by"], confirm_id.as_str());
    assert_eq!(freeze["decision_overdue"], false);
    let c = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(
        deadline(&c, "freeze_decision_after_record")["status"],
        "done"
    );
    // Confirmed once only.
    let (status, problem) = issue(
        hub,
        &staff.officer,
        case_id,
        confirm(50_000_000, &freeze_id, "c-3"),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(problem["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already confirmed"));
}

#[tokio::test]
async fn batch_files_round_trip_and_tampered_trailers_are_refused() {
    // BIDV has no orders endpoint: its orders wait for the daily batch file.
    let (s, _vcb) = start(Kind::Embedded, |_| {}).await;
    let bidv = BankSim::start("BIDV").await.unwrap();
    bidv.state.set_hub(&s.hub.base);
    bidv.state.set_balance(DEBTOR_ACCOUNT, 100_000_000);
    let hub = &s.hub;
    let case = open_case(hub).await;
    let case_id = case["id"].as_str().unwrap();
    let staff = Office::staff(hub).await;
    walk_to(hub, &staff, case_id, Stage::Measures).await;
    let officer = staff.officer.clone();

    let (_, freeze) = issue(
        hub,
        &officer,
        case_id,
        freeze_body("BIDV", 60_000_000, "bf"),
    )
    .await;
    let freeze_id = freeze["order_id"].as_str().unwrap().to_string();
    let (status, deduct) = issue(
        hub,
        &officer,
        case_id,
        deduct_body("BIDV", 60_000_000, Some(&freeze_id), "bd"),
    )
    .await;
    assert_eq!(status, 201, "{deduct:#}");
    let deduct_id = deduct["order_id"].as_str().unwrap().to_string();
    let day = deduct["issued_on"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pending = wait_order(hub, &freeze_id, |_| true).await;
    assert_eq!(pending["state"], "issued");

    // The day's orders file, as the bank reads it.
    let out = hub.cli(
        &["bank", "orders-batch", "--bank", "BIDV", "--date", &day],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let orders_file = out.stdout;
    let text = String::from_utf8(orders_file.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let trailer: Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(trailer["count"], 2);
    assert_eq!(trailer["total_amount_vnd"], 120_000_000);
    assert_eq!(trailer["kind"], "orders");
    // A day without orders has only the trailer.
    let out = hub.cli(
        &[
            "bank",
            "orders-batch",
            "--bank",
            "BIDV",
            "--date",
            "2020-01-01",
        ],
        &[],
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);

    // The bank executes the file and answers with an acknowledgements file.
    let acks = bidv.state.process_batch(&orders_file).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    // A tampered trailer refuses the whole file; nothing is recorded.
    let acks_text = String::from_utf8(acks.clone()).unwrap();
    let tampered = acks_text.replace(
        "\"total_amount_vnd\":120000000",
        "\"total_amount_vnd\":130000000",
    );
    assert_ne!(tampered, acks_text);
    let bad = dir.path().join("acks-tampered.jsonl");
    std::fs::write(&bad, &tampered).unwrap();
    let out = hub.cli(&["bank", "acks-batch", bad.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("totals 130000000") && stderr.contains("120000000"),
        "{stderr}"
    );
    // So does an altered record under a correct-looking trailer.
    let altered = acks_text.replacen("\"status\":\"executed\"", "\"status\":\"rejected\"", 1);
    let bad = dir.path().join("acks-altered.jsonl");
    std::fs::write(&bad, &altered).unwrap();
    let out = hub.cli(&["bank", "acks-batch", bad.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sha256"));
    assert_eq!(
        wait_order(hub, &freeze_id, |_| true).await["state"],
        "issued"
    );

    // The same acknowledgements in a file that says it comes from another bank: each is
    // refused (BIDV's orders are BIDV's to acknowledge), nothing is recorded.
    let records: Vec<Vec<u8>> = acks_text
        .lines()
        .filter(|l| !l.contains("\"record\":\"trailer\""))
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let trailer: Value = serde_json::from_str(acks_text.lines().last().unwrap()).unwrap();
    let foreign = thads_bank::orders::batch::write_batch(
        thads_bank::orders::batch::BatchKind::Acks,
        "VCB",
        trailer["date"].as_str().unwrap(),
        &records,
        trailer["total_amount_vnd"].as_i64().unwrap(),
    );
    let bad = dir.path().join("acks-foreign.jsonl");
    std::fs::write(&bad, &foreign).unwrap();
    let out = hub.cli(&["bank", "acks-batch", bad.to_str().unwrap()], &[]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(report["accepted"], 0, "{report:#}");
    assert_eq!(
        report["refused"].as_array().map(Vec::len),
        Some(2),
        "{report:#}"
    );
    assert!(
        report["refused"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("another bank"),
        "{report:#}"
    );
    assert_eq!(
        wait_order(hub, &freeze_id, |_| true).await["state"],
        "issued"
    );

    // The genuine file settles both orders; reading it again changes nothing.
    let good = dir.path().join("acks.jsonl");
    std::fs::write(&good, &acks).unwrap();
    let out = hub.cli(&["bank", "acks-batch", good.to_str().unwrap()], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["accepted"], 2, "{report:#}");
    let freeze = wait_order(hub, &freeze_id, |o| o["state"] == "executed").await;
    assert_eq!(freeze["ack"]["amount_vnd"], 60_000_000);
    let deduct = wait_order(hub, &deduct_id, |o| o["state"] == "executed").await;
    assert_eq!(deduct["ack"]["amount_vnd"], 60_000_000);
    let out = hub.cli(&["bank", "acks-batch", good.to_str().unwrap()], &[]);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["accepted"].clone(), report["duplicates"].clone()),
        (json!(0), json!(2))
    );

    // The deduction's credit reaches the case.
    hub.wait_for(&format!("/v1/cases/{case_id}"), WAIT, |c| {
        c["money"]["collected_vnd"] == 60_000_000
    })
    .await;
    assert_eq!(bidv.state.account(DEBTOR_ACCOUNT).balance, 40_000_000);
}
