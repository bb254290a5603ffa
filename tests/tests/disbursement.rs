//! Disbursement (chi trả, Art. 47) end to end, in both runtimes, against the bank simulator:
//! a judgment with a loan to repay (pay_money) and a court fee; a short camt.054 credit is
//! paid out in the order of payment (the court fee first, the rest to the creditor); a credit
//! covering the rest pays the creditor in full and the case is fully enforced; each private
//! payout goes to the bank as a `payout` order that the bank executes (moving money from the
//! THADS deposit account to the creditor's) and acknowledges; the case's money adds up; and
//! only an officer of the case's office may disburse. A payout the bank rejects stays held for
//! the creditor until an officer issues it again to a corrected account.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thads_e2e::bank_sim::BankSim;
use thads_e2e::corpus::camt054_credit;
use thads_e2e::hub::Hub;
use thads_e2e::treasury_sim::TreasurySim;

const THADS_ACCOUNT: &str = "0071001234567";
const CREDITOR_ACCOUNT: &str = "0071000555666";
const WAIT: Duration = Duration::from_secs(60);

async fn op(hub: &Hub, token: &str, case: &str, body: Value) {
    let (got, answer) = hub
        .post_as(token, &format!("/v1/cases/{case}/operations"), &body)
        .await;
    assert_eq!(got, 201, "{body} -> {answer:#}");
}

async fn pay(hub: &Hub, entry: &str, amount: i64, reference: &str) {
    let r = hub
        .http
        .post(format!("{}/v1/bank/notifications", hub.base))
        .header("content-type", "application/xml")
        .body(camt054_credit(
            entry,
            amount,
            &format!("NOP TIEN {reference}"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
}

/// A case past its voluntary period into which `amount` đồng was paid (bank entry `entry`),
/// once the payment shows on it; returns the case id.
async fn collected(hub: &Hub, staff: &Office, entry: &str, amount: i64) -> String {
    let case = open_case(hub).await;
    let id = case["id"].as_str().unwrap().to_string();
    let reference = case["payment_reference"].as_str().unwrap().to_string();
    walk_to(hub, staff, &id, Stage::VoluntaryPeriodOver).await;
    pay(hub, entry, amount, &reference).await;
    wait_as(hub, &staff.officer, &format!("/v1/cases/{id}"), |c| {
        c["money"]["collected_vnd"] == amount
    })
    .await;
    id
}

/// Polls `path` as `token` until `check` holds.
async fn wait_as(hub: &Hub, token: &str, path: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (status, v) = hub.get_as(token, path).await;
        if status == 200 && check(&v) {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path}: {status} {v:#}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A hub whose VCB orders go to a bank simulator and whose transfers go to a Treasury
/// simulator (which fails its first call).
async fn start(kind: Kind) -> (Setup, BankSim, TreasurySim) {
    let treasury = TreasurySim::start("kho-bac-token").await.unwrap();
    // A 500, then a transfer booked whose answer is lost, then 409 with the reference.
    treasury.state.fail_next(1);
    treasury.state.lose_next_answer(1);
    treasury.state.conflict_on_repeat(true);
    let (s, bank) = start_with(kind, Some(treasury.endpoint())).await;
    (s, bank, treasury)
}

/// A hub whose VCB orders go to a bank simulator and whose transfers go to
/// `treasury_endpoint` (none: `treasury.endpoint` left unset).
async fn start_with(kind: Kind, treasury_endpoint: Option<String>) -> (Setup, BankSim) {
    let bank = BankSim::start("VCB").await.unwrap();
    let endpoint = bank.orders_endpoint();
    let s = setup(kind, |o| {
        if let Some(url) = treasury_endpoint {
            o.env.push(("THADS_TREASURY__ENDPOINT".into(), url));
        }
        o.env.push(("THADS_BUS__MAX_DELIVERIES".into(), "4".into()));
        o.env
            .push(("THADS_TREASURY__TOKEN".into(), "kho-bac-token".into()));
        o.env.push(("THADS_BUS__RETRY_MIN".into(), "200ms".into()));
        o.env.push(("THADS_BUS__RETRY_MAX".into(), "1s".into()));
        o.env
            .push(("THADS_BANK__ORDERS_ENDPOINT__VCB".into(), endpoint));
        o.env.push(("THADS_BANK__TIMEOUT".into(), "2s".into()));
        o.env
            .push(("THADS_BANK__TOKEN".into(), "bank-token".into()));
    })
    .await;
    bank.state.set_hub(&s.hub.base);
    (s, bank)
}

async fn disbursement(kind: Kind) {
    let (s, bank, treasury) = start(kind).await;
    let hub = &s.hub;
    bank.state.set_balance(THADS_ACCOUNT, 157_500_000);
    let clerk = hub.staff("thu.ky", "clerk", "HCM-KV01").await;
    let head = hub.staff("truong.phong", "head", "HCM-KV01").await;
    let officer = hub.staff("chv.an", "officer", "HCM-KV01").await;
    let stranger = hub.staff("chv.khac", "officer", "HCM-KV02").await;

    let case = open_case(hub).await;
    let id = case["id"].as_str().unwrap().to_string();
    let reference = case["payment_reference"].as_str().unwrap().to_string();
    op(hub, &clerk, &id, json!({"operation": "register"})).await;
    op(
        hub,
        &head,
        &id,
        json!({"operation": "issue_decision", "params": {"decision_number": "12/QĐ-THADS"}}),
    )
    .await;
    op(
        hub,
        &head,
        &id,
        json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
    )
    .await;
    op(
        hub,
        &clerk,
        &id,
        json!({"operation": "notify", "params": {"party": "creditor", "channel": "vneid"}}),
    )
    .await;
    op(
        hub,
        &officer,
        &id,
        json!({"operation": "notify", "params": {"party": "debtor", "channel": "direct"}}),
    )
    .await;

    let path = format!("/v1/cases/{id}/disbursements");
    let body = json!({"bank": "VCB", "payees": {"P1": {"account": CREDITOR_ACCOUNT}}});

    // Nothing collected yet: nothing to pay out.
    let (status, answer) = hub.post_as(&officer, &path, &body).await;
    assert_eq!(status, 422, "{answer:#}");

    // A short payment: the court fee comes before the loan (Art. 47(1)(b) before (c)).
    pay(hub, "FT-D1", 10_000_000, &reference).await;
    let c = wait_as(hub, &officer, &format!("/v1/cases/{id}"), |c| {
        c["money"]["collected_vnd"] == 10_000_000
    })
    .await;
    assert_eq!(c["state"], "collection");

    // Another office cannot see the case; a clerk may not disburse; an account is needed.
    let (status, _) = hub.post_as(&stranger, &path, &body).await;
    assert_eq!(status, 404);
    let (status, _) = hub.get_as(&stranger, &path).await;
    assert_eq!(status, 404);
    let (status, _) = hub.post_as(&clerk, &path, &body).await;
    assert_eq!(status, 403);
    let (status, answer) = hub.post_as(&officer, &path, &json!({"bank": "VCB"})).await;
    assert_eq!(status, 422);
    assert_eq!(answer["errors"][0]["field"], "/payees/P1", "{answer:#}");

    let (status, first) = hub.post_as(&officer, &path, &body).await;
    assert_eq!(status, 201, "{first:#}");
    assert_eq!(first["available_vnd"], 10_000_000);
    assert_eq!(first["to_state_vnd"], 7_500_000);
    assert_eq!(first["to_creditors_vnd"], 2_500_000);
    let lines = first["lines"].as_array().unwrap();
    assert_eq!(lines[0]["kind"], "court_fee");
    assert_eq!(lines[0]["payee"], "state");
    assert_eq!(lines[0]["remaining_vnd"], 0);
    assert_eq!(lines[1]["kind"], "pay_money");
    assert_eq!(lines[1]["creditor"], "P1");
    assert_eq!(lines[1]["remaining_vnd"], 147_500_000);
    assert!(lines[0]["payout_order"].is_null());
    let order = lines[1]["payout_order"].as_str().unwrap().to_string();

    // The bank executes the payout and acknowledges it.
    let order_view = wait_as(hub, &officer, &format!("/v1/bank/orders/{order}"), |o| {
        o["state"] == "executed"
    })
    .await;
    assert_eq!(order_view["kind"], "payout", "{order_view:#}");
    assert_eq!(bank.state.account(CREDITOR_ACCOUNT).balance, 2_500_000);
    assert_eq!(bank.state.account(THADS_ACCOUNT).balance, 155_000_000);
    let listed = wait_as(hub, &officer, &path, |d| {
        d[0]["lines"][1]["payout_state"] == "executed"
    })
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // The court fee goes to the Treasury (after a failed try and a lost answer), which
    // acknowledges it.
    let transfers = wait_as(
        hub,
        &officer,
        &format!("/v1/cases/{id}/treasury-transfers"),
        |t| t[0]["state"] == "acknowledged",
    )
    .await;
    let transfer = transfers[0]["transfer_id"].as_str().unwrap().to_string();
    assert_eq!(transfers[0]["kind"], "court_fee");
    assert_eq!(transfers[0]["amount_vnd"], 7_500_000);
    assert!(transfers[0]["treasury_reference"]
        .as_str()
        .unwrap()
        .starts_with("KB-"));
    assert!(
        treasury.state.attempts() >= 3,
        "retried after the 500 and after the lost answer; the 409 acknowledged it"
    );
    assert_eq!(treasury.state.booked().len(), 1, "booked once");
    assert_eq!(
        treasury.state.booked()[&transfer]
            .transfer
            .amount_vnd
            .amount(),
        7_500_000
    );
    let journey = wait_as(hub, &officer, &format!("/v1/messages/{transfer}"), |m| {
        m["state"] == "delivered"
    })
    .await;
    assert_eq!(journey["subject"], "out.treasury.transfer", "{journey:#}");

    // The money adds up: collected = paid out + transferred + held.
    let c = wait_as(hub, &officer, &format!("/v1/cases/{id}"), |_| true).await;
    let m = &c["money"];
    assert_eq!(c["state"], "disbursement");
    assert_eq!(m["paid_out_vnd"], 2_500_000);
    assert_eq!(m["state_share_vnd"], 7_500_000);
    assert_eq!(m["transferred_vnd"], 7_500_000);
    assert_eq!(m["held_vnd"], 0);
    assert_eq!(
        m["collected_vnd"].as_i64().unwrap(),
        m["paid_out_vnd"].as_i64().unwrap()
            + m["transferred_vnd"].as_i64().unwrap()
            + m["held_vnd"].as_i64().unwrap()
    );
    let disburse_deadline = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["step"] == "disbursement")
        .cloned()
        .unwrap();
    assert_eq!(disburse_deadline["status"], "done", "{disburse_deadline:#}");

    // The rest arrives: the creditor is paid in full, and the case is fully enforced.
    pay(hub, "FT-D2", 147_500_000, &reference).await;
    wait_as(hub, &officer, &format!("/v1/cases/{id}"), |c| {
        c["money"]["collected_vnd"] == 157_500_000
    })
    .await;
    let retry = json!({"bank": "VCB", "payees": {"P1": {"account": CREDITOR_ACCOUNT}}, "request_id": "second"});
    let (status, second) = hub.post_as(&officer, &path, &retry).await;
    assert_eq!(status, 201, "{second:#}");
    assert_eq!(second["to_creditors_vnd"], 147_500_000);
    assert_eq!(second["to_state_vnd"], 0);
    let (status, again) = hub.post_as(&officer, &path, &retry).await;
    assert_eq!(status, 200, "a repeated request id does nothing twice");
    assert_eq!(again["id"], second["id"]);
    wait_as(hub, &officer, &path, |d| {
        d[1]["lines"][0]["payout_state"] == "executed"
    })
    .await;
    assert_eq!(bank.state.account(CREDITOR_ACCOUNT).balance, 150_000_000);
    let c = wait_as(hub, &officer, &format!("/v1/cases/{id}"), |_| true).await;
    let m = &c["money"];
    assert_eq!(c["state"], "fully_enforced", "{:#}", c["operations"]);
    assert_eq!(m["remaining_vnd"], 0);
    assert_eq!(m["paid_out_vnd"], 150_000_000);
    assert_eq!(m["state_share_vnd"], 7_500_000);
    assert_eq!(m["disbursed_vnd"], 157_500_000);
    assert_eq!(m["transferred_vnd"], 7_500_000);
    assert_eq!(m["held_vnd"], 0);
    let offices = wait_as(hub, &officer, "/v1/money/offices", |_| true).await;
    let office = &offices[0];
    assert_eq!(office["office"], "HCM-KV01", "{offices:#}");
    assert_eq!(office["collected_vnd"], 157_500_000);
    assert_eq!(office["paid_out_vnd"], 150_000_000);
    assert_eq!(office["transferred_vnd"], 7_500_000);
    assert_eq!(office["held_vnd"], 0);
    assert_eq!(office["outstanding_vnd"], 0);
    let (status, theirs) = hub.get_as(&stranger, "/v1/money/offices").await;
    assert_eq!(status, 200);
    assert!(theirs.as_array().unwrap().is_empty(), "{theirs:#}");

    // The Treasury's statement: one amount misstated is listed; corrected, it matches.
    let mut statement = treasury.state.statement("BK-2026-11-23");
    statement["transfers"][0]["amount_vnd"] = json!(7_000_000);
    let (status, r) = hub
        .post_as(&head, "/v1/treasury/statements", &statement)
        .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["matched"], json!([]));
    assert_eq!(r["mismatches"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["mismatches"][0]["reference"], transfer.as_str());
    assert_eq!(r["mismatches"][0]["reason"], "amount_differs");
    assert_eq!(r["mismatches"][0]["expected_vnd"], 7_500_000);
    assert_eq!(r["mismatches"][0]["stated_vnd"], 7_000_000);
    // Another office's head does not see this office's transfers.
    let other_head = hub.staff("truong.kv02", "head", "HCM-KV02").await;
    let (status, r) = hub
        .post_as(
            &other_head,
            "/v1/treasury/statements",
            &treasury.state.statement("BK-X"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(r["mismatches"][0]["reason"], "unknown_reference", "{r:#}");
    let (status, _) = hub
        .post_as(&clerk, "/v1/treasury/statements", &statement)
        .await;
    assert_eq!(status, 403);
    let (status, r) = hub
        .post_as(
            &head,
            "/v1/treasury/statements",
            &treasury.state.statement("BK-2026-11-23b"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(r["matched"], json!([transfer.as_str()]), "{r:#}");
    assert_eq!(r["mismatches"], json!([]));
    let transfers = wait_as(
        hub,
        &officer,
        &format!("/v1/cases/{id}/treasury-transfers"),
        |_| true,
    )
    .await;
    assert_eq!(transfers[0]["state"], "reconciled");
    assert_eq!(transfers[0]["statement_id"], "BK-2026-11-23b");
    // Each statement is kept with its journey; the same one again answers the same, another
    // document under the same id is refused, and unreadable ones are kept with the reason.
    let (status, same) = hub
        .post_as(
            &head,
            "/v1/treasury/statements",
            &treasury.state.statement("BK-2026-11-23b"),
        )
        .await;
    assert_eq!(status, 200, "{same:#}");
    assert_eq!(same["matched"], json!([transfer.as_str()]));
    let kept = thads_treasury::statement::message_id("BK-2026-11-23b");
    let journey = hub.get_json(&format!("/v1/messages/{kept}")).await.unwrap();
    assert_eq!(journey["subject"], "in.treasury.statement", "{journey:#}");
    assert_eq!(journey["state"], "handled", "{journey:#}");
    assert_eq!(journey["partner"], "staff:truong.phong", "{journey:#}");
    let (status, problem) = hub
        .post_as(&head, "/v1/treasury/statements", &statement)
        .await;
    assert_eq!(status, 200, "BK-2026-11-23 again, same bytes: {problem:#}");
    assert_eq!(problem["mismatches"][0]["reason"], "amount_differs");
    let mut altered = statement.clone();
    altered["transfers"][0]["amount_vnd"] = json!(7_400_000);
    let (status, problem) = hub
        .post_as(&head, "/v1/treasury/statements", &altered)
        .await;
    assert_eq!(status, 409, "{problem:#}");
    let (status, problem) = hub
        .post_as(
            &head,
            "/v1/treasury/statements",
            &json!({"statement_id": "BK-X2", "lines": []}),
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    let refused = problem["message_id"].as_str().unwrap();
    let journey = hub
        .get_json(&format!("/v1/messages/{refused}"))
        .await
        .unwrap();
    assert_eq!(journey["state"], "rejected", "{journey:#}");
    let transfers = wait_as(
        hub,
        &officer,
        &format!("/v1/cases/{id}/treasury-transfers"),
        |_| true,
    )
    .await;
    assert_eq!(
        (
            transfers[0]["state"].as_str(),
            transfers[0]["statement_id"].as_str()
        ),
        (Some("reconciled"), Some("BK-2026-11-23b")),
        "a resend of an older statement does not undo the newer one"
    );
    let (status, answer) = hub.post_as(&officer, &path, &body).await;
    assert_eq!(status, 422, "nothing left to pay out: {answer:#}");
}

#[tokio::test]
async fn disbursement_embedded() {
    disbursement(Kind::Embedded).await;
}

#[tokio::test]
async fn disbursement_postgres_jetstream() {
    disbursement(Kind::Production).await;
}

#[tokio::test]
async fn a_rejected_payout_is_held_and_issued_again() {
    let (s, bank, _treasury) = start(Kind::Embedded).await;
    let hub = &s.hub;
    bank.state.set_balance(THADS_ACCOUNT, 157_500_000);
    let staff = Office::staff(hub).await;
    let stranger = hub.staff("chv.khac", "officer", "HCM-KV02").await;
    let id = collected(hub, &staff, "FT-R1", 157_500_000).await;

    // The creditor's account is closed: the bank rejects the payout.
    bank.state.reject_next("tài khoản đã đóng");
    let path = format!("/v1/cases/{id}/disbursements");
    let body = json!({"bank": "VCB", "payees": {"P1": {"account": CREDITOR_ACCOUNT}}});
    let (status, plan) = hub.post_as(&staff.officer, &path, &body).await;
    assert_eq!(status, 201, "{plan:#}");
    let dsb = plan["id"].as_str().unwrap().to_string();
    let line = plan["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["payee"] == "creditor")
        .unwrap()
        .clone();
    let line_no = line["line_no"].as_i64().unwrap();
    let fee_line = plan["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["payee"] == "state")
        .unwrap()["line_no"]
        .as_i64()
        .unwrap();
    let first = line["payout_order"].as_str().unwrap().to_string();
    wait_as(
        hub,
        &staff.officer,
        &format!("/v1/bank/orders/{first}"),
        |o| o["state"] == "rejected",
    )
    .await;
    let c = wait_as(hub, &staff.officer, &format!("/v1/cases/{id}"), |_| true).await;
    let m = &c["money"];
    assert_eq!(m["awaiting_payout_vnd"], 150_000_000, "{m:#}");
    assert_eq!(m["paid_out_vnd"], 0);
    assert_eq!(
        m["held_vnd"],
        150_000_000 + 7_500_000 - m["transferred_vnd"].as_i64().unwrap()
    );
    assert_eq!(bank.state.account(CREDITOR_ACCOUNT).balance, 0);
    let offices = wait_as(hub, &staff.officer, "/v1/money/offices", |_| true).await;
    assert_eq!(
        offices[0]["awaiting_payout_vnd"], 150_000_000,
        "{offices:#}"
    );
    assert_eq!(offices[0]["paid_out_vnd"], 0);

    // Issued again: not by a clerk, not by another office, not for the State's line, and
    // only with an account and a reason.
    let reissue = format!("/v1/disbursements/{dsb}/lines/{line_no}/reissue");
    let fixed = json!({"account": "0071000777888", "reason": "tài khoản cũ đã đóng; người được thi hành án cung cấp tài khoản mới"});
    let (status, _) = hub.post_as(&staff.clerk, &reissue, &fixed).await;
    assert_eq!(status, 403);
    let (status, _) = hub.post_as(&stranger, &reissue, &fixed).await;
    assert_eq!(status, 404);
    let (status, problem) = hub
        .post_as(
            &staff.officer,
            &format!("/v1/disbursements/{dsb}/lines/{fee_line}/reissue"),
            &fixed,
        )
        .await;
    assert_eq!(status, 409, "{problem:#}");
    let (status, problem) = hub
        .post_as(
            &staff.officer,
            &reissue,
            &json!({"account": "x", "reason": "?"}),
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/account");
    let (status, problem) = hub
        .post_as(
            &staff.officer,
            &reissue,
            &json!({"account": "0071000777888", "reason": " "}),
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/reason");

    let (status, again) = hub.post_as(&staff.officer, &reissue, &fixed).await;
    assert_eq!(status, 201, "{again:#}");
    let second = again["payout_order"].as_str().unwrap().to_string();
    assert_eq!(second, format!("{first}-r1"));
    assert_eq!(again["reissues"][0]["previous_order"], first.as_str());
    assert_eq!(again["reissues"][0]["actor"], "chv.an");
    wait_as(
        hub,
        &staff.officer,
        &format!("/v1/bank/orders/{second}"),
        |o| o["state"] == "executed",
    )
    .await;
    assert_eq!(bank.state.account("0071000777888").balance, 150_000_000);
    let c = wait_as(hub, &staff.officer, &format!("/v1/cases/{id}"), |_| true).await;
    assert_eq!(c["money"]["awaiting_payout_vnd"], 0);
    assert_eq!(c["money"]["paid_out_vnd"], 150_000_000);
    assert!(c["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "payout_reissued"));
    // An executed payout is not issued again.
    let (status, _) = hub.post_as(&staff.officer, &reissue, &fixed).await;
    assert_eq!(status, 409);
}

/// Regression: with no Treasury endpoint configured, a transfer used to be acknowledged off the
/// bus and left `queued` for ever, seen by no one. It is now retried and dead-lettered, with
/// the reason, for an administrator to see and replay once the endpoint is set.
#[tokio::test]
async fn a_transfer_with_no_treasury_endpoint_is_dead_lettered_not_parked() {
    let (s, bank) = start_with(Kind::Embedded, None).await;
    let hub = &s.hub;
    bank.state.set_balance(THADS_ACCOUNT, 157_500_000);
    let staff = Office::staff(hub).await;
    let id = collected(hub, &staff, "FT-N1", 10_000_000).await;
    let body = json!({"bank": "VCB", "payees": {"P1": {"account": CREDITOR_ACCOUNT}}});
    let (status, plan) = hub
        .post_as(
            &staff.officer,
            &format!("/v1/cases/{id}/disbursements"),
            &body,
        )
        .await;
    assert_eq!(status, 201, "{plan:#}");
    let transfers = wait_as(
        hub,
        &staff.officer,
        &format!("/v1/cases/{id}/treasury-transfers"),
        |t| t[0]["state"] == "failed",
    )
    .await;
    let transfer = transfers[0]["transfer_id"].as_str().unwrap().to_string();
    assert!(
        transfers[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("treasury.endpoint")),
        "{transfers:#}"
    );
    let message = wait_as(
        hub,
        &staff.officer,
        &format!("/v1/messages/{transfer}"),
        |m| m["state"] == "dead_lettered",
    )
    .await;
    assert_eq!(message["subject"], "out.treasury.transfer", "{message:#}");
    let dead = hub.get_json("/v1/admin/dead-letters").await.unwrap();
    assert!(
        dead.to_string().contains(&transfer),
        "the console lists it: {dead:#}"
    );
}
