//! The case lifecycle end to end, in both runtimes: a judgment pushed over HTTP opens a case,
//! staff signed in with their roles walk it through every state with operations, illegal or
//! unauthorised operations are refused with their reason, deadlines follow the operations, and
//! the work list shows what each officer must do.

#![allow(clippy::unwrap_used)]

mod common;

use common::{case_of, post_accepted, setup, Kind};
use serde_json::{json, Value};
use thads_e2e::hub::Hub;
use time::{Duration as Days, OffsetDateTime, UtcOffset};

/// The civil-loan example as judgment number `n` (a distinct case at the same office).
fn civil_loan_number(n: u32) -> String {
    common::civil_loan()
        .replace("TAND79-KV1-2026-DS-215", &format!("TAND79-KV1-2026-DS-{n}"))
        .replace("215/2026/DS-ST", &format!("{n}/2026/DS-ST"))
}

async fn open(hub: &Hub, n: u32) -> Value {
    let receipt = post_accepted(hub, &civil_loan_number(n)).await;
    case_of(hub, receipt["message_id"].as_str().unwrap()).await
}

fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .date()
}

/// The statistics year today falls in (1 October to 30 September, named by its end).
fn stats_year() -> i32 {
    let t = today();
    if u8::from(t.month()) >= 10 {
        t.year() + 1
    } else {
        t.year()
    }
}

struct Staff {
    clerk: String,
    head: String,
    officer: String,
    stranger: String,
}

async fn staff(hub: &Hub) -> Staff {
    Staff {
        clerk: hub.staff("thu.ky", "clerk", "HCM-KV01").await,
        head: hub.staff("truong.phong", "head", "HCM-KV01").await,
        officer: hub.staff("chv.an", "officer", "HCM-KV01").await,
        stranger: hub.staff("chv.khac", "officer", "HCM-KV02").await,
    }
}

/// Performs an operation and asserts the status; returns the body.
async fn op(hub: &Hub, token: &str, case: &str, body: Value, status: u16) -> Value {
    let (got, answer) = hub
        .post_as(token, &format!("/v1/cases/{case}/operations"), &body)
        .await;
    assert_eq!(got, status, "{body} -> {answer:#}");
    answer
}

async fn case(hub: &Hub, id: &str) -> Value {
    hub.get_json(&format!("/v1/cases/{id}")).await.unwrap()
}

fn deadline<'a>(case: &'a Value, step: &str) -> &'a Value {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["step"] == step)
        .unwrap_or_else(|| panic!("no {step} deadline in {:#}", case["deadlines"]))
}

async fn main_path(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let c = open(hub, 215).await;
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["state"], "received");
    assert_eq!(
        c["initiation"], "ex_officio",
        "a court fee is due to the State"
    );
    assert_eq!(c["judgment_kind"], "civil");
    assert_eq!(c["money"]["amount_vnd"], 157_500_000);
    assert_eq!(c["register_entries"][0]["book"], "judgment_receipt");
    let st = staff(hub).await;

    // Without signing in, nothing happens.
    let r = hub
        .http
        .post(format!("{}/v1/cases/{id}/operations", hub.base))
        .json(&json!({"operation": "register"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Thụ lý: the officer may not; the clerk may, and a retry with the same id does nothing twice.
    let refused = op(hub, &st.officer, &id, json!({"operation": "register"}), 403).await;
    assert!(
        refused["detail"].as_str().unwrap().contains("clerk"),
        "{refused:#}"
    );
    let reg = json!({"operation": "register", "request_id": "reg-1"});
    let done = op(hub, &st.clerk, &id, reg.clone(), 201).await;
    assert_eq!(done["to_state"], "registered");
    let year = today().year();
    assert_eq!(done["register_number"], format!("1/{year}"));
    let again = op(hub, &st.clerk, &id, reg, 200).await;
    assert_eq!(again["repeated"], true);
    assert_eq!(again["seq"], done["seq"]);

    // Bad input names the field.
    let bad = op(
        hub,
        &st.head,
        &id,
        json!({"operation": "issue_decision", "params": {}}),
        422,
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "params", "{bad:#}");
    let bad = op(
        hub,
        &st.head,
        &id,
        json!({"operation": "issue_decision", "params": {"decision_number": "1"}, "colour": 1}),
        422,
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "colour");

    // The decision: the head or the clerk who issues it, never the officer; it meets the
    // decision deadline and starts the notice one.
    op(
        hub,
        &st.officer,
        &id,
        json!({"operation": "issue_decision", "params": {"decision_number": "12/QĐ-THADS"}}),
        403,
    )
    .await;
    op(
        hub,
        &st.head,
        &id,
        json!({"operation": "issue_decision", "params": {"decision_number": "12/QĐ-THADS"}}),
        201,
    )
    .await;
    let c = case(hub, &id).await;
    assert_eq!(deadline(&c, "decision_ex_officio")["status"], "done");
    assert_ne!(deadline(&c, "notice")["status"], "done");
    assert_eq!(c["decision_number"], "12/QĐ-THADS");
    // The decision goes to every party with an identity number through VNeID.
    let c = common::wait_notices(hub, &id, "delivered", std::time::Duration::from_secs(30)).await;
    assert_eq!(
        c["notices"].as_array().unwrap().len(),
        2 * common::parties_with_cccd(&c),
        "a case-opened and a decision notice per party: {:#}",
        c["notices"]
    );
    let sent = s.sim.state.accepted();
    let reference = c["payment_reference"].as_str().unwrap();
    assert!(
        sent.iter()
            .any(|n| n.title == "Thông báo quyết định thi hành án"
                && n.content.contains("12/QĐ-THADS")
                && n.content.contains(reference)),
        "the debtor's decision notice names the decision and the payment reference: {sent:#?}"
    );

    // Assignment: an officer of another office is refused; our officer is assigned.
    let bad = op(
        hub,
        &st.head,
        &id,
        json!({"operation": "assign_officer", "params": {"officer": "chv.khac"}}),
        422,
    )
    .await;
    assert!(
        bad["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("HCM-KV02"),
        "{bad:#}"
    );
    op(
        hub,
        &st.head,
        &id,
        json!({"operation": "assign_officer", "params": {"officer": "nobody"}}),
        422,
    )
    .await;
    op(
        hub,
        &st.head,
        &id,
        json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
        201,
    )
    .await;
    // The officer of another office cannot even see the case.
    let (status, _) = hub
        .get_as(&st.stranger, &format!("/v1/cases/{id}/operations"))
        .await;
    assert_eq!(status, 404);
    op(
        hub,
        &st.stranger,
        &id,
        json!({"operation": "begin_verification"}),
        404,
    )
    .await;

    // Notices: the creditor, then the debtor (served 20 days ago): the voluntary period ran out.
    op(
        hub,
        &st.clerk,
        &id,
        json!({"operation": "notify", "params": {"party": "creditor", "channel": "vneid"}}),
        201,
    )
    .await;
    assert_eq!(case(hub, &id).await["state"], "notified");
    let served = today() - Days::days(20);
    op(hub, &st.officer, &id, json!({"operation": "notify", "params": {"party": "debtor", "channel": "direct"}, "effective_on": served.to_string()}), 201).await;
    let c = case(hub, &id).await;
    assert_eq!(c["state"], "voluntary_period");
    assert_eq!(deadline(&c, "voluntary_period")["status"], "elapsed");
    assert_eq!(deadline(&c, "notice")["status"], "done");

    // An operation from the wrong state is refused with the states that allow it.
    let refused = op(hub, &st.head, &id, json!({"operation": "close"}), 409).await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("voluntary_period") && detail.contains("fully_enforced"),
        "{detail}"
    );

    // Verification, measures, collection, payout, done, closed.
    op(
        hub,
        &st.officer,
        &id,
        json!({"operation": "begin_verification"}),
        201,
    )
    .await;
    op(hub, &st.officer, &id, json!({"operation": "record_verification", "params": {"result": "able", "findings": "Tài khoản tại Vietcombank"}}), 201).await;
    op(hub, &st.officer, &id, json!({"operation": "apply_measure", "params": {"measure": "freeze_account", "amount_vnd": 157_500_000}}), 201).await;
    let c = case(hub, &id).await;
    assert_eq!(c["state"], "measures");
    assert_ne!(deadline(&c, "coercion_after_freeze")["status"], "done");
    // On-site coercion around Tết 2027 (6 February) is refused.
    let bad = op(hub, &st.officer, &id, json!({"operation": "apply_measure", "params": {"measure": "seize_assets", "scheduled_at": "2027-01-28T09:00:00+07:00"}}), 422).await;
    assert_eq!(bad["errors"][0]["field"], "params.scheduled_at");
    assert!(bad["errors"][0]["reason"].as_str().unwrap().contains("Tết"));
    op(hub, &st.officer, &id, json!({"operation": "apply_measure", "params": {"measure": "deduct_account", "amount_vnd": 157_500_000}}), 201).await;
    op(
        hub,
        &st.clerk,
        &id,
        json!({"operation": "record_collection", "params": {"amount_vnd": 157_500_000}}),
        201,
    )
    .await;
    let early = op(
        hub,
        &st.officer,
        &id,
        json!({"operation": "mark_fully_enforced"}),
        422,
    )
    .await;
    assert!(early["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("paid out"));
    op(hub, &st.officer, &id, json!({"operation": "disburse", "params": {"amount_vnd": 150_000_000, "payee": "Nguyễn Văn An"}}), 201).await;
    op(
        hub,
        &st.officer,
        &id,
        json!({"operation": "disburse", "params": {"amount_vnd": 7_500_001, "payee": "state"}}),
        422,
    )
    .await;
    op(
        hub,
        &st.officer,
        &id,
        json!({"operation": "disburse", "params": {"amount_vnd": 7_500_000, "payee": "state"}}),
        201,
    )
    .await;
    op(
        hub,
        &st.officer,
        &id,
        json!({"operation": "mark_fully_enforced"}),
        201,
    )
    .await;
    op(hub, &st.head, &id, json!({"operation": "close"}), 201).await;

    let c = case(hub, &id).await;
    assert_eq!(c["state"], "closed");
    assert_eq!(c["outcome"], "fully_enforced");
    assert_eq!(c["money"]["remaining_vnd"], 0);
    assert!(
        c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "done"),
        "{:#}",
        c["deadlines"]
    );
    let ops: Vec<&str> = c["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "register",
            "issue_decision",
            "assign_officer",
            "notify",
            "notify",
            "begin_verification",
            "record_verification",
            "apply_measure",
            "apply_measure",
            "record_collection",
            "disburse",
            "disburse",
            "mark_fully_enforced",
            "close",
        ]
    );
    assert!(c["register_entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["book"] == "acceptance"));
    let (_, history) = hub
        .get_as(&st.head, &format!("/v1/cases/{id}/operations"))
        .await;
    assert_eq!(history[0]["actor"], "thu.ky");
    assert_eq!(history[0]["actor_role"], "clerk");
    // The statistics count it: one new case, enforced in full, money collected.
    let year = stats_year();
    let (status, stats) = hub
        .get_as(
            &st.head,
            &format!("/v1/statistics?year={year}&code=HCM-KV01"),
        )
        .await;
    assert_eq!(status, 200, "{stats:#}");
    let total = &stats["rows"][0]["figures"]["total"];
    assert_eq!(total["cases"]["new"], 1, "{total:#}");
    assert_eq!(total["cases"]["done"], 1);
    assert_eq!(total["cases"]["rate"], "100.00");
    assert_eq!(total["money"]["new"], 157_500_000);
    assert_eq!(total["money"]["done"], 157_500_000);
    assert_eq!(
        stats["rows"][0]["figures"]["by_initiation"]["ex_officio"]["cases"]["done"],
        1
    );
    assert_eq!(
        stats["rows"][0]["figures"]["by_kind"]["civil"]["cases"]["done"],
        1
    );
    // A closed case leaves the work list.
    let (_, list) = hub.get_as(&st.officer, "/v1/worklist").await;
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["case_id"] != id.as_str()));
}

async fn side_states(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let hub = &s.hub;
    let st = staff(hub).await;
    let a = open(hub, 301).await["id"].as_str().unwrap().to_string();
    let b = open(hub, 302).await["id"].as_str().unwrap().to_string();
    for id in [&a, &b] {
        op(hub, &st.clerk, id, json!({"operation": "register"}), 201).await;
        op(hub, &st.head, id, json!({"operation": "issue_decision", "params": {"decision_number": format!("{id}/QĐ")}}), 201).await;
        op(
            hub,
            &st.head,
            id,
            json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
            201,
        )
        .await;
    }
    // Book numbers are consecutive, in both books.
    let year = today().year();
    for (id, n) in [(&a, 1), (&b, 2)] {
        let entries = case(hub, id).await["register_entries"].clone();
        for book in ["judgment_receipt", "acceptance"] {
            let e = entries
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["book"] == book)
                .unwrap();
            assert_eq!(e["number"], format!("{n}/{year}"), "{book} of {id}");
        }
    }

    // The debtor notified today: verification must wait for the voluntary period.
    op(
        hub,
        &st.officer,
        &a,
        json!({"operation": "notify", "params": {"party": "debtor", "channel": "vneid"}}),
        201,
    )
    .await;
    let early = op(
        hub,
        &st.officer,
        &a,
        json!({"operation": "begin_verification"}),
        422,
    )
    .await;
    assert_eq!(
        early["errors"][0]["field"], "params.early_reason",
        "{early:#}"
    );
    op(hub, &st.officer, &a, json!({"operation": "begin_verification", "params": {"early_reason": "Có dấu hiệu tẩu tán tài sản"}}), 201).await;

    // Postponed and suspended return to where they were.
    op(
        hub,
        &st.head,
        &a,
        json!({"operation": "postpone", "params": {"ground": "a", "until": today().to_string()}}),
        201,
    )
    .await;
    let c = case(hub, &a).await;
    assert_eq!(c["state"], "postponed");
    assert_ne!(deadline(&c, "resume_decision")["status"], "done");
    op(hub, &st.officer, &a, json!({"operation": "resume"}), 403).await;
    op(hub, &st.head, &a, json!({"operation": "resume"}), 201).await;
    assert_eq!(case(hub, &a).await["state"], "verification");
    op(
        hub,
        &st.head,
        &a,
        json!({"operation": "suspend", "params": {"ground": "Kháng nghị giám đốc thẩm"}}),
        201,
    )
    .await;
    op(hub, &st.head, &a, json!({"operation": "resume"}), 201).await;

    // Not yet enforceable, re-verified on schedule, then terminated and closed.
    op(hub, &st.officer, &a, json!({"operation": "record_verification", "params": {"result": "unable", "findings": "Không có tài sản, thu nhập"}}), 201).await;
    op(
        hub,
        &st.head,
        &a,
        json!({"operation": "declare_not_enforceable", "params": {"ground": "no_means"}}),
        201,
    )
    .await;
    let c = case(hub, &a).await;
    assert_eq!(c["state"], "not_yet_enforceable");
    let re = deadline(&c, "re_verification");
    assert_eq!(re["status"], "open");
    assert!(re["due_on"].as_str().unwrap() > (today() + Days::days(170)).to_string().as_str());

    // The officer's work list holds both cases, each with what may be done next.
    let (status, list) = hub.get_as(&st.officer, "/v1/worklist").await;
    assert_eq!(status, 200);
    let items = list.as_array().unwrap();
    let item_a = items.iter().find(|i| i["case_id"] == a.as_str()).unwrap();
    assert_eq!(item_a["state"], "not_yet_enforceable");
    assert_eq!(item_a["next_operations"], json!(["reverify"]));
    let item_b = items.iter().find(|i| i["case_id"] == b.as_str()).unwrap();
    assert!(item_b["next_operations"]
        .as_array()
        .unwrap()
        .contains(&json!("notify")));
    // The stranger's list is empty; the head sees the office.
    let (_, theirs) = hub.get_as(&st.stranger, "/v1/worklist").await;
    assert_eq!(theirs, json!([]));
    let (_, heads) = hub.get_as(&st.head, "/v1/worklist").await;
    assert_eq!(heads.as_array().unwrap().len(), 2);

    op(hub, &st.officer, &a, json!({"operation": "reverify"}), 201).await;
    op(
        hub,
        &st.head,
        &a,
        json!({"operation": "reduce", "params": {"amount_vnd": 7_500_000}}),
        201,
    )
    .await;
    op(
        hub,
        &st.head,
        &a,
        json!({"operation": "terminate", "params": {"ground": "Người được thi hành án miễn"}}),
        201,
    )
    .await;
    op(hub, &st.head, &a, json!({"operation": "close"}), 201).await;
    let c = case(hub, &a).await;
    assert_eq!(
        (c["state"].as_str(), c["outcome"].as_str()),
        (Some("closed"), Some("terminated"))
    );
    assert_eq!(c["money"]["reduced_vnd"], 7_500_000);

    // The other case is entrusted to another office.
    op(
        hub,
        &st.head,
        &b,
        json!({"operation": "transfer", "params": {"to_office": "HCM-KV01"}}),
        422,
    )
    .await;
    op(
        hub,
        &st.head,
        &b,
        json!({"operation": "transfer", "params": {"to_office": "DNG-KV02"}}),
        201,
    )
    .await;
    let c = case(hub, &b).await;
    assert_eq!(
        (c["state"].as_str(), c["outcome"].as_str()),
        (Some("transferred"), Some("transferred"))
    );

    // The statistics: two new cases, one transferred out, one terminated after a reduction.
    let (_, stats) = hub
        .get_as(
            &st.head,
            &format!("/v1/statistics?year={}&code=HCM-KV01", stats_year()),
        )
        .await;
    let total = &stats["rows"][0]["figures"]["total"];
    assert_eq!(total["cases"]["new"], 2, "{total:#}");
    assert_eq!(total["cases"]["transferred"], 1);
    assert_eq!(total["cases"]["to_enforce"], 1);
    assert_eq!(total["cases"]["terminated"], 1);
    assert_eq!(total["cases"]["rate"], "100.00");
    assert_eq!(total["money"]["reduced"], 7_500_000);
    assert_eq!(total["money"]["terminated"], 150_000_000);

    // The catalogue lists every operation.
    let catalogue = hub.get_json("/v1/operations").await.unwrap();
    assert_eq!(catalogue.as_array().unwrap().len(), 19);
}

#[tokio::test(flavor = "multi_thread")]
async fn main_path_embedded() {
    main_path(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn main_path_production() {
    main_path(Kind::Production).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn side_states_embedded() {
    side_states(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn side_states_production() {
    side_states(Kind::Production).await;
}
