//! The whole path of the money, in both runtimes, against the bank and Treasury simulators:
//! a judgment opens a case; after the voluntary period and verification the officer freezes
//! the debtor's account and then deducts from it; the bank executes both, acknowledges with the
//! orders' hashes and confirms the deduction with a camt.054 credit into the THADS deposit
//! account; the hub matches that credit to the case by its payment reference, posts it and
//! issues a signed e-receipt sent to the payer; the officer disburses in the legal order of
//! payment: the creditor's share as a payout the bank executes, the court fee as a transfer the
//! Treasury acknowledges; the freeze is released; and every total adds up, on the case, on the
//! office and at the bank.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thads_e2e::bank_sim::BankSim;
use thads_e2e::hub::Hub;
use thads_e2e::treasury_sim::TreasurySim;

const DEBTOR_ACCOUNT: &str = "0071000888999";
const THADS_ACCOUNT: &str = "0071001234567";
const CREDITOR_ACCOUNT: &str = "0071000555666";
const WAIT: Duration = Duration::from_secs(60);

async fn order(hub: &Hub, token: &str, case_id: &str, body: Value) -> String {
    let (status, answer) = hub
        .post_as(token, &format!("/v1/cases/{case_id}/bank-orders"), &body)
        .await;
    assert_eq!(status, 201, "{body} -> {answer:#}");
    answer["order_id"].as_str().unwrap().to_string()
}

fn step<'a>(case: &'a Value, name: &str) -> &'a Value {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["step"] == name)
        .unwrap_or_else(|| panic!("no {name}: {:#}", case["deadlines"]))
}

async fn money_journey(kind: Kind) {
    let bank = BankSim::start("VCB").await.unwrap();
    let treasury = TreasurySim::start("kho-bac-token").await.unwrap();
    let (orders, transfers) = (bank.orders_endpoint(), treasury.endpoint());
    let s = setup(kind, |o| {
        for (k, v) in [
            ("THADS_BANK__ORDERS_ENDPOINT__VCB", orders.as_str()),
            ("THADS_BANK__TOKEN", "bank-token"),
            ("THADS_BANK__TIMEOUT", "2s"),
            ("THADS_TREASURY__ENDPOINT", transfers.as_str()),
            ("THADS_TREASURY__TOKEN", "kho-bac-token"),
            ("THADS_BUS__RETRY_MIN", "200ms"),
            ("THADS_BUS__RETRY_MAX", "1s"),
        ] {
            o.env.push((k.into(), v.into()));
        }
    })
    .await;
    let hub = &s.hub;
    bank.state.set_hub(&hub.base);
    bank.state.set_balance(DEBTOR_ACCOUNT, 200_000_000);
    let staff = Office::staff(hub).await;
    let officer = staff.officer.as_str();
    let today = time::OffsetDateTime::now_utc().date().to_string();

    // The judgment: 150,000,000 đồng to repay the creditor, 7,500,000 đồng court fee.
    let case = open_case(hub).await;
    let id = case["id"].as_str().unwrap().to_string();
    let due = case["money"]["amount_vnd"].as_i64().unwrap();
    assert_eq!(due, 157_500_000);
    walk_to(hub, &staff, &id, Stage::Measures).await;

    // Freeze, then deduct what is due from the frozen money.
    let freeze = order(
        hub,
        officer,
        &id,
        json!({"kind": "freeze", "bank": "VCB", "account": DEBTOR_ACCOUNT, "amount_vnd": due,
               "decision_number": "20/QĐ-CCTHADS", "decision_date": today, "request_id": "f"}),
    )
    .await;
    hub.wait_for(&format!("/v1/bank/orders/{freeze}"), WAIT, |o| {
        o["state"] == "executed"
    })
    .await;
    let c = hub.get_json(&format!("/v1/cases/{id}")).await.unwrap();
    assert_eq!(step(&c, "coercion_after_freeze")["done_on"], Value::Null);
    let deduct = order(
        hub,
        officer,
        &id,
        json!({"kind": "deduct", "bank": "VCB", "account": DEBTOR_ACCOUNT, "amount_vnd": due,
               "decision_number": "21/QĐ-CCTHADS", "decision_date": today,
               "references": freeze, "destination_account": THADS_ACCOUNT, "request_id": "d"}),
    )
    .await;
    let executed = hub
        .wait_for(&format!("/v1/bank/orders/{deduct}"), WAIT, |o| {
            o["state"] == "executed"
        })
        .await;
    assert_eq!(executed["ack"]["amount_vnd"], due);
    assert_eq!(bank.state.account(THADS_ACCOUNT).balance, due);

    // The bank's camt.054 credit is matched by the payment reference, posted and receipted.
    let c = hub
        .wait_for(&format!("/v1/cases/{id}"), WAIT, |c| {
            c["money"]["collected_vnd"] == due
        })
        .await;
    assert_eq!(step(&c, "coercion_after_freeze")["status"], "done");
    assert_eq!(c["state"], "collection");
    let payments = c["payments"].as_array().unwrap();
    assert_eq!(
        payments.len(),
        1,
        "one credit, recorded once: {payments:#?}"
    );
    assert_eq!(
        payments[0]["matched_by"], "payment_reference",
        "{payments:#?}"
    );
    let receipts = hub
        .wait_for(&format!("/v1/cases/{id}/receipts"), WAIT, |r| {
            r.as_array()
                .is_some_and(|a| a.len() == 1 && a[0]["signed"] == true)
        })
        .await;
    let receipt_id = receipts[0]["receipt_id"].as_str().unwrap().to_string();
    let (doc, state) = verified_receipt(hub, &receipt_id).await;
    assert_eq!(state, "issued");
    assert_eq!(doc["amount_vnd"], due);
    assert_eq!(doc["payer"]["party_ref"], "P2", "{doc:#}");
    let mut waited = Duration::ZERO;
    while !s
        .sim
        .state
        .accepted()
        .iter()
        .any(|n| n.title.starts_with("Biên lai") && n.content.contains(&receipt_id))
    {
        assert!(
            waited < WAIT,
            "the receipt never reached the payer through VNeID"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }

    // Disbursement: the creditor is paid out through the bank, the court fee goes to the
    // Treasury, and the case is fully enforced.
    let (status, plan) = hub
        .post_as(
            officer,
            &format!("/v1/cases/{id}/disbursements"),
            &json!({"bank": "VCB", "payees": {"P1": {"account": CREDITOR_ACCOUNT}}}),
        )
        .await;
    assert_eq!(status, 201, "{plan:#}");
    assert_eq!(plan["to_creditors_vnd"], 150_000_000);
    assert_eq!(plan["to_state_vnd"], 7_500_000);
    let payout = plan["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|l| l["payout_order"].as_str())
        .unwrap()
        .to_string();
    hub.wait_for(&format!("/v1/bank/orders/{payout}"), WAIT, |o| {
        o["state"] == "executed"
    })
    .await;
    hub.wait_for(&format!("/v1/cases/{id}/treasury-transfers"), WAIT, |t| {
        t[0]["state"] == "acknowledged"
    })
    .await;

    // The freeze is lifted now that everything is paid (Art. 77).
    let release = order(
        hub,
        officer,
        &id,
        json!({"kind": "release", "bank": "VCB", "account": DEBTOR_ACCOUNT, "amount_vnd": due,
               "decision_number": "22/QĐ-CCTHADS", "decision_date": today,
               "references": freeze, "request_id": "r"}),
    )
    .await;
    hub.wait_for(&format!("/v1/bank/orders/{release}"), WAIT, |o| {
        o["state"] == "executed"
    })
    .await;

    // Every total adds up: on the case, on the office, and at the bank.
    let c = hub.get_json(&format!("/v1/cases/{id}")).await.unwrap();
    assert_eq!(c["state"], "fully_enforced", "{:#}", c["operations"]);
    let m = &c["money"];
    assert_eq!(m["collected_vnd"], due);
    assert_eq!(m["paid_out_vnd"], 150_000_000);
    assert_eq!(m["transferred_vnd"], 7_500_000);
    assert_eq!(m["held_vnd"], 0);
    assert_eq!(m["awaiting_payout_vnd"], 0);
    assert_eq!(m["remaining_vnd"], 0);
    let office = &hub.get_json("/v1/money/offices").await.unwrap()[0];
    for (field, value) in [
        ("due_vnd", due),
        ("collected_vnd", due),
        ("paid_out_vnd", 150_000_000),
        ("transferred_vnd", 7_500_000),
        ("held_vnd", 0),
        ("outstanding_vnd", 0),
    ] {
        assert_eq!(office[field], value, "{field}: {office:#}");
    }
    let debtor = bank.state.account(DEBTOR_ACCOUNT);
    assert_eq!(debtor.balance, 200_000_000 - due);
    assert!(debtor.held.is_empty(), "{debtor:?}");
    assert_eq!(bank.state.account(CREDITOR_ACCOUNT).balance, 150_000_000);
    assert_eq!(bank.state.account(THADS_ACCOUNT).balance, 7_500_000);
    let booked: i64 = treasury
        .state
        .booked()
        .values()
        .map(|b| b.transfer.amount_vnd.amount())
        .sum();
    assert_eq!(booked, 7_500_000);
    let kinds: Vec<&str> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "bank_order_issued",
        "bank_order_executed",
        "payment_received",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
}

#[tokio::test]
async fn money_journey_embedded() {
    money_journey(Kind::Embedded).await;
}

#[tokio::test]
async fn money_journey_postgres_jetstream() {
    money_journey(Kind::Production).await;
}
