//! Matching, reconciliation and e-receipts end to end, against both runtimes: a memo quoting
//! the judgment number with the debtor as payer is posted by itself; amount-only and
//! name-only payments wait with their candidate cases; an officer of the right office posts
//! one (audited, receipted) and returns another, while another office's officer is refused
//! and a second decision is a conflict; receipts are signed with the hub's published key,
//! voided by a head and replaced; and receipt numbers have no gaps under concurrent posts.

#![allow(clippy::unwrap_used)]

mod common;

#[path = "reconciliation/helpers.rs"]
mod helpers;

use std::time::Duration;

use common::*;
use helpers::*;
use serde_json::json;
use thads_e2e::corpus::{camt054_credit, camt054_credit_from, civil_loan_variant};

async fn matching_resolution_and_receipts(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let a = open_case(hub).await;
    let a_id = a["id"].as_str().unwrap();
    let b = open(
        hub,
        &civil_loan_variant(
            "TAND79-KV1-2026-DS-216",
            "216/2026/DS-ST",
            "HCM-KV01",
            "Lê Văn Cường",
        ),
    )
    .await;
    let c = open(
        hub,
        &civil_loan_variant(
            "TAND79-KV1-2026-DS-217",
            "217/2026/DS-ST",
            "HCM-KV01",
            "Trần Thị Bình",
        ),
    )
    .await;
    let (b_id, c_id) = (b["id"].as_str().unwrap(), c["id"].as_str().unwrap());
    let officer = hub.staff("can.bo.kv01", "officer", "HCM-KV01").await;
    let head = hub.staff("truong.kv01", "head", "HCM-KV01").await;
    let stranger = hub.staff("can.bo.kv02", "officer", "HCM-KV02").await;

    // The payment reference, as before (and the hub learns whose deposit account this is).
    let reference = a["payment_reference"].as_str().unwrap();
    pay(
        hub,
        camt054_credit("FT-R1", 10_000_000, &format!("NOP TIEN {reference}")),
    )
    .await;
    let case = wait_payments(hub, a_id, 1).await;
    assert_eq!(case["payments"][0]["matched_by"], "payment_reference");

    // The judgment number as banks mangle it, and the debtor as the payer: posted by itself.
    let by_number = pay(
        hub,
        camt054_credit_from(
            "FT-R2",
            5_000_000,
            "TRAN THI BINH",
            "nop tien ba so 215/2026/ds-st",
        ),
    )
    .await;
    let case = wait_payments(hub, a_id, 2).await;
    let posted = &case["payments"][1];
    assert_eq!(posted["payment_id"], by_number.as_str());
    assert_eq!(posted["matched_by"], "judgment_number+debtor_name");
    let receipt_id = posted["receipts"][0]["receipt_id"]
        .as_str()
        .unwrap()
        .to_string();
    let msg = hub
        .get_json(&format!("/v1/messages/{by_number}"))
        .await
        .unwrap();
    assert_eq!(msg["case_id"], a_id);

    // The amount alone (it fits B and C), and the debtor's name alone (A and C): queued.
    let by_amount = pay(
        hub,
        camt054_credit_from("FT-R3", 157_500_000, "PHAM VAN DUNG", "CHUYEN TIEN"),
    )
    .await;
    let by_name = pay(
        hub,
        camt054_credit_from("FT-R4", 2_000_000, "TRAN THI BINH", "NOP TIEN THI HANH AN"),
    )
    .await;
    let queue = wait_queue(hub, &officer, 2).await;
    let amount_item = item(&queue, &by_amount);
    assert!(
        amount_item["reason"]
            .as_str()
            .unwrap()
            .contains("amount only"),
        "{amount_item:#}"
    );
    assert_eq!(candidate_ids(amount_item), sorted(&[b_id, c_id]));
    assert_eq!(amount_item["candidates"][0]["signals"], json!(["amount"]));
    let name_item = item(&queue, &by_name);
    assert_eq!(candidate_ids(name_item), sorted(&[a_id, c_id]));
    assert_eq!(
        name_item["candidates"][0]["signals"],
        json!(["debtor_name"])
    );
    assert_eq!(name_item["offices"], json!(["HCM-KV01"]));

    // Another office sees nothing and may decide nothing.
    let (status, q) = hub.get_as(&stranger, "/v1/payments/unmatched").await;
    assert_eq!((status, q), (200, json!([])));
    let post_a =
        json!({"action": "post", "case_id": a_id, "reason": "Bà Bình xác nhận nộp cho bản án 215"});
    let (status, problem) = resolve(hub, &stranger, &by_name, post_a.clone()).await;
    assert_eq!(status, 403, "{problem:#}");
    let (status, problem) = resolve(
        hub,
        &officer,
        &by_name,
        json!({"action": "post", "case_id": "case-nope", "reason": "thử"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "/case_id");
    let (status, problem) = resolve(
        hub,
        &officer,
        &by_name,
        json!({"action": "post", "case_id": a_id}),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].clone()),
        (422, json!("/reason"))
    );

    // The officer posts it: the same path as automatic matches, audited, receipted.
    let (status, done) = resolve(hub, &officer, &by_name, post_a.clone()).await;
    assert_eq!(status, 200, "{done:#}");
    assert_eq!(done["state"], "posted");
    assert_eq!(done["receipt"]["number"], 3);
    let (status, _) = resolve(hub, &officer, &by_name, post_a).await;
    assert_eq!(status, 409);
    let case = wait_payments(hub, a_id, 3).await;
    assert_eq!(case["paid_vnd"], 17_000_000);
    assert_eq!(case["payments"][2]["matched_by"], "officer");
    let (_, one) = hub
        .get_as(&officer, &format!("/v1/payments/unmatched/{by_name}"))
        .await;
    assert_eq!(one["resolution"]["by"], "can.bo.kv01");
    let audit = &one["audit"][0];
    assert_eq!(
        (audit["action"].as_str(), audit["actor_role"].as_str()),
        (Some("post"), Some("officer"))
    );
    assert_eq!(audit["reason"], "Bà Bình xác nhận nộp cho bản án 215");
    assert_eq!(
        (
            audit["before"]["state"].as_str(),
            audit["after"]["state"].as_str()
        ),
        (Some("open"), Some("posted"))
    );
    assert_eq!(audit["after"]["case_id"], a_id);

    // Returned to the payer: recorded, out of the queue, on no case.
    let (status, done) = resolve(
        hub,
        &officer,
        &by_amount,
        json!({"action": "return", "reason": "Không xác định được hồ sơ; hoàn trả người nộp"}),
    )
    .await;
    assert_eq!(
        (status, done["state"].as_str()),
        (200, Some("returned")),
        "{done:#}"
    );
    assert!(wait_queue(hub, &officer, 0).await.is_empty());
    let (_, all) = hub
        .get_as(&officer, "/v1/payments/unmatched?state=all")
        .await;
    assert_eq!(
        item(all.as_array().unwrap(), &by_amount)["state"],
        "returned"
    );
    assert_eq!(hub.get_json("/v1/reconciliation").await.unwrap(), json!([]));
    let b_now = hub.get_json(&format!("/v1/cases/{b_id}")).await.unwrap();
    assert_eq!(b_now["paid_vnd"], 0);

    // The receipt: signed with the published key, figures and words, the payer a party.
    let (doc, state) = verified_receipt(hub, &receipt_id).await;
    assert_eq!(state, "issued");
    assert_eq!(doc["type"], "urn:thads:e-receipt:v1");
    assert_eq!(doc["series"], format!("BL/HCM-KV01/{}", this_year()));
    assert_eq!(doc["number"], 2);
    assert_eq!(doc["amount_figures"], "5.000.000 đồng");
    assert_eq!(doc["amount_in_words"], "Năm triệu đồng");
    assert_eq!(
        doc["payer"],
        json!({"name": "Trần Thị Bình", "party_ref": "P2"})
    );
    assert_eq!(
        (doc["case_id"].as_str(), doc["judgment_number"].as_str()),
        (Some(a_id), Some("215/2026/DS-ST"))
    );
    // ... and sent to her through VNeID.
    let mut waited = Duration::ZERO;
    while !s.sim.state.accepted().iter().any(|n| {
        n.citizen_id == "079182005678"
            && n.title.starts_with("Biên lai")
            && n.content.contains(&receipt_id)
    }) {
        assert!(waited < WAIT, "no receipt notice reached VNeID");
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }

    // Voiding: the head only, with a reason, once; a replacement with a new number.
    let void = format!("/v1/receipts/{receipt_id}/void");
    let (status, _) = hub
        .post_as(&officer, &void, &json!({"reason": "sai tên"}))
        .await;
    assert_eq!(status, 403);
    let (status, problem) = hub.post_as(&head, &void, &json!({"reason": " "})).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].clone()),
        (422, json!("/reason"))
    );
    let (status, voided) = hub
        .post_as(&head, &void, &json!({"reason": "Ghi sai nội dung"}))
        .await;
    assert_eq!(status, 200, "{voided:#}");
    assert_eq!(voided["voided"]["state"], "void");
    assert_eq!(voided["replacement"]["number"], 4);
    let (status, _) = hub
        .post_as(&head, &void, &json!({"reason": "lần nữa"}))
        .await;
    assert_eq!(status, 409);
    let (_, state) = verified_receipt(hub, &receipt_id).await;
    assert_eq!(state, "void");
    let replacement = voided["replacement"]["receipt_id"].as_str().unwrap();
    let (doc, state) = verified_receipt(hub, replacement).await;
    assert_eq!(
        (state.as_str(), doc["replaces"].as_str()),
        ("issued", Some(receipt_id.as_str()))
    );
    assert_eq!(doc["amount_vnd"], 5_000_000);
    let case = hub.get_json(&format!("/v1/cases/{a_id}")).await.unwrap();
    assert_eq!(case["payments"][1]["receipts"].as_array().unwrap().len(), 2);
    assert_eq!(
        receipt_numbers(hub, &[a_id, b_id, c_id]).await,
        [1, 2, 3, 4]
    );
}

#[tokio::test]
async fn reconciliation_embedded() {
    matching_resolution_and_receipts(Kind::Embedded).await;
}

#[tokio::test]
async fn reconciliation_postgres_jetstream() {
    matching_resolution_and_receipts(Kind::Production).await;
}

/// Twenty payments at once through the bank endpoint, then ten queued ones resolved by
/// concurrent officers' requests: every receipt gets its own number, 1 to 30, no gap.
async fn receipts_have_no_gaps(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let case = open_case(hub).await;
    let id = case["id"].as_str().unwrap();
    let reference = case["payment_reference"].as_str().unwrap();
    let officer = hub.staff("can.bo.kv01", "officer", "HCM-KV01").await;
    let posts = (0..30).map(|i| {
        let doc = if i < 20 {
            camt054_credit(
                &format!("FT-C{i:02}"),
                100_000 + i,
                &format!("NOP TIEN {reference} LAN {i}"),
            )
        } else {
            camt054_credit_from(
                &format!("FT-C{i:02}"),
                1_000 + i,
                "NGUYEN VAN X",
                "CHUYEN KHOAN",
            )
        };
        pay(hub, doc)
    });
    let ids = futures::future::join_all(posts).await;
    wait_payments(hub, id, 20).await;
    // Nothing points to a case, but the deposit account is known to be the office's.
    for item in wait_queue(hub, &officer, 10).await {
        assert_eq!(item["candidates"], json!([]), "{item:#}");
        assert_eq!(item["offices"], json!(["HCM-KV01"]), "{item:#}");
    }
    let resolves = ids[20..].iter().map(|p| {
        resolve(
            hub,
            &officer,
            p,
            json!({"action": "post", "case_id": id, "reason": "đối chiếu sao kê"}),
        )
    });
    for (status, body) in futures::future::join_all(resolves).await {
        assert_eq!(status, 200, "{body:#}");
    }
    wait_payments(hub, id, 30).await;
    assert_eq!(
        receipt_numbers(hub, &[id]).await,
        (1..=30).collect::<Vec<i64>>()
    );
}

#[tokio::test]
async fn receipt_numbers_embedded() {
    receipts_have_no_gaps(Kind::Embedded).await;
}

#[tokio::test]
async fn receipt_numbers_postgres_jetstream() {
    receipts_have_no_gaps(Kind::Production).await;
}
