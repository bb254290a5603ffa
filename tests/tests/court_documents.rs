//! Court documents of schema v1 end to end, in both runtimes: an interim measure gets its
//! 24-hour decision deadline; a text-only judgment opens a case whose obligations come from the
//! extractor once an officer confirms them; a correction replaces the data of a case not yet
//! decided; an annulment terminates the case of the annulled judgment; amendments of unknown
//! documents and repeated pushes change nothing twice.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{case_of, post_accepted, setup, Kind};
use serde_json::Value;
use thads_e2e::corpus::example;
use thads_e2e::hub::Hub;

/// Today in Vietnam (UTC+7), the day the hub counts a receipt from.
fn vietnam_today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap())
        .date()
}

fn events(case: &Value) -> Vec<(String, String)> {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Posts `doc` and waits for its message to be handled; returns the message.
async fn handled(hub: &Hub, doc: &str) -> Value {
    let receipt = post_accepted(hub, doc).await;
    let id = receipt["message_id"].as_str().unwrap();
    hub.wait_for(
        &format!("/v1/messages/{id}"),
        Duration::from_secs(30),
        |m| m["state"] == "handled",
    )
    .await
}

async fn interim_measure_is_decided_within_24_hours(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let receipt = post_accepted(&s.hub, &example("hngd-cap-duong-khan-cap.xml")).await;
    let case = case_of(&s.hub, receipt["message_id"].as_str().unwrap()).await;
    assert_eq!(case["document_kind"], "interim_measure");
    assert_eq!(case["judgment_kind"], "family", "stated by the court");
    assert_eq!(case["initiation"], "ex_officio");
    assert_eq!(case["obligations"][0]["kind"], "child_support");
    assert_eq!(case["obligations"][0]["period"], "monthly");
    let deadlines = case["deadlines"].as_array().unwrap();
    let decision = deadlines
        .iter()
        .find(|d| d["step"] == "decision_interim_measure")
        .unwrap_or_else(|| panic!("no interim deadline in {deadlines:#?}"));
    let tomorrow = vietnam_today().next_day().unwrap();
    assert_eq!(decision["due_on"], tomorrow.to_string());
    assert!(
        !deadlines.iter().any(|d| d["step"] == "decision_ex_officio"),
        "an interim measure has no 5-working-day deadline"
    );
}

async fn text_only_judgment_waits_for_the_officer(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let receipt = post_accepted(hub, &example("ds-chi-van-ban.xml")).await;
    let case = case_of(hub, receipt["message_id"].as_str().unwrap()).await;
    let case_id = case["id"].as_str().unwrap();
    assert_eq!(case["obligations"].as_array().unwrap().len(), 0);
    assert_eq!(
        case["initiation"], "ex_officio",
        "the text orders a court fee"
    );
    let proposed = events(&case)
        .into_iter()
        .find(|(k, _)| k == "extraction_proposed")
        .unwrap_or_else(|| panic!("no proposal in {:#?}", case["events"]));
    let extraction_id = proposed.1.split(':').next().unwrap().to_string();

    let officer = hub.staff("chv.lan", "officer", "HCM-KV02").await;
    let (status, extraction) = hub
        .get_as(&officer, &format!("/v1/extractions/{extraction_id}"))
        .await;
    assert_eq!(status, 200, "{extraction:#}");
    assert_eq!(extraction["case_id"], case_id);
    let proposal = extraction["proposal"].clone();
    let obligations = proposal["obligations"].as_array().unwrap();
    assert_eq!(obligations.len(), 2, "{proposal:#}");

    // A debtor who is not a party is refused, naming the field; nothing is applied.
    let mut wrong = proposal.clone();
    wrong["obligations"][0]["debtor"] = "Ai Đó".into();
    let (status, problem) = hub
        .post_as(
            &officer,
            &format!("/v1/extractions/{extraction_id}/confirm"),
            &wrong,
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(
        problem.to_string().contains("/obligations/0/debtor"),
        "{problem:#}"
    );

    let (status, confirmed) = hub
        .post_as(
            &officer,
            &format!("/v1/extractions/{extraction_id}/confirm"),
            &proposal,
        )
        .await;
    assert_eq!(status, 200, "{confirmed:#}");
    let case = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    let obligations = case["obligations"].as_array().unwrap();
    let amounts: Vec<i64> = obligations
        .iter()
        .map(|o| o["amount_vnd"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![80_000_000, 4_000_000], "{obligations:#?}");
    assert_eq!(obligations[1]["kind"], "court_fee");
    assert!(
        obligations[1]["creditor"].is_null(),
        "a court fee is owed to the State"
    );
    let parties = case["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 2, "{parties:#?}");
    let debtor = parties.iter().find(|p| p["role"] == "debtor").unwrap();
    assert_eq!(obligations[0]["debtor"], debtor["party_ref"]);
    assert!(events(&case)
        .iter()
        .any(|(k, _)| k == "obligations_confirmed"));
}

async fn correction_replaces_an_undecided_case(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let first = handled(hub, &example("ds-vay-tai-san.xml")).await;
    let case_id = first["case_id"].as_str().unwrap().to_string();
    let before = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(before["obligations"][0]["amount_vnd"], 150_000_000);

    let correction = example("ds-dinh-chinh.xml");
    let msg = handled(hub, &correction).await;
    assert_eq!(msg["case_id"], case_id.as_str(), "no second case is opened");
    let after = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(after["obligations"][0]["amount_vnd"], 160_000_000);
    let corrected: Vec<_> = events(&after)
        .into_iter()
        .filter(|(k, _)| k == "judgment_corrected")
        .collect();
    assert_eq!(corrected.len(), 1, "{:#?}", after["events"]);

    // The same correction again is a duplicate: acknowledged, not applied twice.
    let r = hub.post_judgment(correction).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["duplicate"], true, "{body:#}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(
        events(&again)
            .iter()
            .filter(|(k, _)| k == "judgment_corrected")
            .count(),
        1
    );
}

async fn annulment_terminates_the_case(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let first = handled(hub, &example("hs-lua-dao.xml")).await;
    let case_id = first["case_id"].as_str().unwrap().to_string();

    let msg = handled(hub, &example("hs-huy-ban-an.xml")).await;
    assert_eq!(msg["case_id"], case_id.as_str());
    let case = hub.get_json(&format!("/v1/cases/{case_id}")).await.unwrap();
    assert_eq!(case["state"], "terminated", "{:#?}", case["events"]);
    assert_eq!(case["outcome"], "terminated");
    let op = case["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "terminate")
        .unwrap_or_else(|| panic!("{:#?}", case["operations"]));
    assert_eq!(op["actor"], "system:court:TAND-LCI");

    // Annulling a document the hub never received opens nothing and says so.
    let unknown = example("hs-huy-ban-an.xml")
        .replace("TAND-LCI-2026-GDT-42", "TAND-LCI-2026-GDT-43")
        .replace("TAND-LCI-2026-HS-48", "TAND-LCI-2026-HS-99");
    let msg = handled(hub, &unknown).await;
    assert!(msg["case_id"].is_null(), "{msg:#}");
    let details = msg["journey"].to_string();
    assert!(
        details.contains("no case holds document TAND-LCI-2026-HS-99"),
        "{details}"
    );
}

macro_rules! both_runtimes {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                super::$name(super::Kind::Embedded).await;
            })*
        }
        mod production {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                super::$name(super::Kind::Production).await;
            })*
        }
    };
}

both_runtimes!(
    interim_measure_is_decided_within_24_hours,
    text_only_judgment_waits_for_the_officer,
    correction_replaces_an_undecided_case,
    annulment_terminates_the_case,
);
