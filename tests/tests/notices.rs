//! Serving notices end to end, in both runtimes: VNeID delivery receipts make the notice valid
//! on the date the app confirmed it (the debtor's voluntary period starts from it); a citizen
//! without a VNeID account is served by e-mail through a real SMTP server, or, without an
//! e-mail address either, by a clerk on paper; the circuit breaker stops calling a failing
//! VNeID and recovers without losing or doubling a notice; receipts need the partner's token
//! and unknown notices are refused and kept.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{case_of, post_accepted, setup, Kind, Setup};
use serde_json::{json, Value};
use thads_e2e::hub::{Hub, HubOptions};
use thads_e2e::smtp_sink::SmtpSink;
use thads_e2e::vneid_sim::{Mode, Received};
use time::{Duration as Days, OffsetDateTime, UtcOffset};

const TOKEN: &str = "vneid-receipt-token-for-tests-0123";
const DEBTOR_CCCD: &str = "079182005678";
const CREDITOR_CCCD: &str = "079078001234";
const DECISION_TITLE: &str = "Thông báo quyết định thi hành án";

fn with_token(o: &mut HubOptions) {
    o.env
        .push(("THADS_VNEID__RECEIPT_TOKEN".into(), TOKEN.into()));
}

fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
        .date()
}

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

struct Staff {
    clerk: String,
    head: String,
}

async fn staff(hub: &Hub) -> Staff {
    let st = Staff {
        clerk: hub.staff("thu.ky", "clerk", "HCM-KV01").await,
        head: hub.staff("truong.phong", "head", "HCM-KV01").await,
    };
    hub.staff("chv.an", "officer", "HCM-KV01").await;
    st
}

/// Thụ lý, the decision to enforce (its notices go out) and the officer's assignment.
async fn decide(hub: &Hub, st: &Staff, id: &str) {
    for (token, body) in [
        (&st.clerk, json!({"operation": "register"})),
        (
            &st.head,
            json!({"operation": "issue_decision", "params": {"decision_number": "12/QĐ-THADS"}}),
        ),
        (
            &st.head,
            json!({"operation": "assign_officer", "params": {"officer": "chv.an"}}),
        ),
    ] {
        let (status, answer) = hub
            .post_as(token, &format!("/v1/cases/{id}/operations"), &body)
            .await;
        assert_eq!(status, 201, "{body} -> {answer:#}");
    }
}

/// Posts a receipt body with `token`; returns the status and the answer.
async fn post_receipts(hub: &Hub, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = hub
        .http
        .post(format!("{}/v1/vneid/receipts", hub.base))
        .json(body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
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

fn notice<'a>(case: &'a Value, id: &str) -> &'a Value {
    case["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["message_id"] == id)
        .unwrap_or_else(|| panic!("no notice {id} in {:#}", case["notices"]))
}

/// Waits until the case has `n` notices, all in one of `states`.
async fn wait_notices(hub: &Hub, id: &str, n: usize, states: &[&str]) -> Value {
    hub.wait_for(&format!("/v1/cases/{id}"), Duration::from_secs(60), |c| {
        let notices = c["notices"].as_array().unwrap();
        notices.len() == n
            && notices
                .iter()
                .all(|x| states.iter().any(|s| x["state"] == *s))
    })
    .await
}

/// The decision notice VNeID received for the citizen with `cccd`.
fn decision_notice(s: &Setup, cccd: &str) -> Received {
    s.sim
        .state
        .accepted()
        .into_iter()
        .find(|n| n.citizen_id == cccd && n.title == DECISION_TITLE)
        .unwrap_or_else(|| panic!("no decision notice for {cccd}"))
}

async fn metric(hub: &Hub, name: &str) -> Option<f64> {
    let text = hub.get_text("/metrics").await;
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn vneid_receipt_starts_the_voluntary_period(kind: Kind) {
    let s = setup(kind, with_token).await;
    let hub = &s.hub;
    let c = open(hub, 215).await;
    let id = c["id"].as_str().unwrap().to_string();
    let reference = c["payment_reference"].as_str().unwrap().to_string();
    let st = staff(hub).await;
    decide(hub, &st, &id).await;
    let c = wait_notices(hub, &id, 4, &["delivered"]).await;
    assert_eq!(c["state"], "officer_assigned");

    // The texts come from the templates: Vietnamese, with the decision, and the payment
    // reference only for the party who owes money.
    let debtor = decision_notice(&s, DEBTOR_CCCD);
    for text in [
        "12/QĐ-THADS",
        "215/2026/DS-ST",
        "tự nguyện thi hành án",
        &reference,
    ] {
        assert!(
            debtor.content.contains(text),
            "{text} in {}",
            debtor.content
        );
    }
    assert!(debtor.content.contains(&format!(
        "Khi nộp tiền, ghi nội dung chuyển khoản: {reference}."
    )));
    let creditor = decision_notice(&s, CREDITOR_CCCD);
    assert!(creditor.content.contains("12/QĐ-THADS"));
    assert!(
        !creditor.content.contains(&reference),
        "{}",
        creditor.content
    );

    // VNeID confirms delivery to the debtor at 00:00 Vietnam time (the previous day in UTC).
    let at = format!("{}T00:00:00+07:00", today());
    let body = json!({"notice_id": debtor.notification_id, "status": "delivered", "at": at});
    let (status, answer) = post_receipts(hub, Some(TOKEN), &body).await;
    assert_eq!(status, 200, "{answer:#}");
    assert_eq!(answer["duplicate"], false);
    assert_eq!(answer["receipts"][0]["outcome"], "served");
    assert_eq!(answer["receipts"][0]["served_on"], today().to_string());

    let c = case(hub, &id).await;
    assert_eq!(c["state"], "voluntary_period", "{c:#}");
    let period = deadline(&c, "voluntary_period");
    assert_eq!(period["starts_on"], today().to_string(), "{period:#}");
    assert_eq!(deadline(&c, "notice")["status"], "done");
    let n = notice(&c, &debtor.notification_id);
    assert_eq!(
        (&n["state"], &n["channel"], &n["served_on"]),
        (
            &json!("served"),
            &json!("vneid"),
            &json!(today().to_string())
        )
    );
    let (status, log) = hub
        .get_as(&st.head, &format!("/v1/cases/{id}/operations"))
        .await;
    assert_eq!(status, 200);
    let notify: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["operation"] == "notify")
        .collect();
    assert_eq!(notify.len(), 1, "{log:#}");
    assert_eq!(notify[0]["actor"], "system:vneid");
    assert_eq!(notify[0]["effective_on"], today().to_string());
    assert_eq!(notify[0]["to_state"], "voluntary_period");

    // The same body again, or the same receipt in another body, changes nothing.
    let (status, again) = post_receipts(hub, Some(TOKEN), &body).await;
    assert_eq!((status, &again["duplicate"]), (200, &json!(true)));
    let batch = json!([
        body,
        {"notice_id": creditor.notification_id, "status": "delivered", "at": at},
        {"notice_id": debtor.notification_id, "status": "read", "at": at},
    ]);
    let (status, answer) = post_receipts(hub, Some(TOKEN), &batch).await;
    assert_eq!(status, 200, "{answer:#}");
    let outcomes: Vec<&str> = answer["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["already_served", "served", "read"]);
    let (_, log) = hub
        .get_as(&st.head, &format!("/v1/cases/{id}/operations"))
        .await;
    let notify_debtor = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["operation"] == "notify" && o["params"]["party"] == "debtor")
        .count();
    assert_eq!(notify_debtor, 1, "{log:#}");
    let msg = hub
        .get_json(&format!("/v1/messages/{}", debtor.notification_id))
        .await
        .unwrap();
    assert_eq!(msg["state"], "read");
    let states = common::journey_states(&msg);
    assert_eq!(
        &states[states.len() - 2..],
        ["served", "read"],
        "{states:?}"
    );
    let receipt_msg = hub
        .get_json(&format!(
            "/v1/messages/{}",
            answer["message_id"].as_str().unwrap()
        ))
        .await
        .unwrap();
    assert_eq!(receipt_msg["state"], "handled");
    assert_eq!(receipt_msg["subject"], "in.vneid.receipt");
    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics.contains("thads_notices_served_total{channel=\"vneid\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn receipt_embedded() {
    vneid_receipt_starts_the_voluntary_period(Kind::Embedded).await;
}

#[tokio::test]
async fn receipt_postgres_jetstream() {
    vneid_receipt_starts_the_voluntary_period(Kind::Production).await;
}

async fn no_vneid_account_falls_back_to_email(kind: Kind) {
    let sink = SmtpSink::start().await.unwrap();
    let s = setup(kind, |o| {
        with_token(o);
        o.vneid_timeout = Duration::from_secs(6);
        o.env.push(("THADS_MAIL__SMTP_URL".into(), sink.url()));
        o.env.push((
            "THADS_MAIL__FROM".into(),
            "Cục THADS <thongbao@thads.gov.vn>".into(),
        ));
    })
    .await;
    let hub = &s.hub;
    s.sim.state.no_account_for(DEBTOR_CCCD);
    let c = open(hub, 216).await;
    let id = c["id"].as_str().unwrap().to_string();
    let reference = c["payment_reference"].as_str().unwrap().to_string();
    let st = staff(hub).await;

    // The party gives an e-mail address; only clerks and heads of the office may record it.
    let path = format!("/v1/cases/{id}/parties/P2/email");
    let put = |token: String, body: Value| {
        let http = hub.http.clone();
        let url = format!("{}{path}", hub.base);
        async move {
            let r = http
                .put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Wait until the notice of the opened case went to paper (no address yet), so the
    // address below is used only for the decision.
    let deadline_at = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, tasks) = hub.get_as(&st.clerk, "/v1/service-tasks").await;
        if tasks.as_array().is_some_and(|t| t.len() == 1) {
            break;
        }
        assert!(std::time::Instant::now() < deadline_at, "{tasks:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let officer = hub.staff("chv.binh", "officer", "HCM-KV01").await;
    let (status, _) = put(officer, json!({"email": "binh@example.vn"})).await;
    assert_eq!(status, 403);
    let (status, bad) = put(st.clerk.clone(), json!({"email": "not an address"})).await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["field"], "email");
    let (status, set) = put(st.clerk.clone(), json!({"email": " Binh.Tran@Example.VN "})).await;
    assert_eq!(status, 200, "{set:#}");
    assert_eq!(set["email"], "Binh.Tran@example.vn");

    // VNeID answers slowly, so the officer is assigned before it says "no account".
    s.sim.state.set_mode(Mode::Slow { delay_ms: 1500 });
    decide(hub, &st, &id).await;
    let mails = sink.wait_for(1, Duration::from_secs(60)).await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_to, ["Binh.Tran@example.vn"]);
    let mail = mails[0].parsed().unwrap();
    let subject = mail.subject.unwrap();
    assert!(subject.contains(DECISION_TITLE), "{subject}");
    let text = mail.text.unwrap();
    for part in [
        "Kính gửi Ông/Bà Trần Thị Bình,",
        "Quyết định thi hành án số 12/QĐ-THADS",
        &format!("Khi nộp tiền, ghi nội dung chuyển khoản: {reference}."),
        "chưa gửi được qua ứng dụng VNeID",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }

    // Served by e-mail on the day the relay accepted it; the voluntary period runs from it.
    let c = hub
        .wait_for(&format!("/v1/cases/{id}"), Duration::from_secs(30), |c| {
            c["notices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["channel"] == "email")
        })
        .await;
    let served: Vec<&Value> = c["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["channel"] == "email")
        .collect();
    assert_eq!(served.len(), 1, "{:#}", c["notices"]);
    assert_eq!(served[0]["state"], "served");
    assert_eq!(served[0]["served_on"], today().to_string());
    let c = hub
        .wait_for(&format!("/v1/cases/{id}"), Duration::from_secs(10), |c| {
            c["state"] == "voluntary_period"
        })
        .await;
    assert_eq!(
        deadline(&c, "voluntary_period")["starts_on"],
        today().to_string()
    );
    let msg = hub
        .get_json(&format!(
            "/v1/messages/{}",
            served[0]["message_id"].as_str().unwrap()
        ))
        .await
        .unwrap();
    let states = common::journey_states(&msg);
    assert!(states.contains(&"failed".to_string()), "{states:?}");
    assert_eq!(states.last().map(String::as_str), Some("served"));
    assert!(
        msg["last_error"]
            .as_str()
            .unwrap()
            .contains("no VNeID account"),
        "{msg:#}"
    );

    // The debtor's earlier notice (the case opened before the address was given) waits for
    // paper service; nothing is e-mailed twice.
    let (_, tasks) = hub.get_as(&st.clerk, "/v1/service-tasks").await;
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:#?}");
    assert_eq!(tasks[0]["notice_kind"], "case_opened");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sink.messages().len(), 1);
    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics.contains("thads_notices_served_total{channel=\"email\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn email_embedded() {
    no_vneid_account_falls_back_to_email(Kind::Embedded).await;
}

#[tokio::test]
async fn email_postgres_jetstream() {
    no_vneid_account_falls_back_to_email(Kind::Production).await;
}

async fn no_account_and_no_email_goes_to_paper(kind: Kind) {
    let s = setup(kind, with_token).await;
    let hub = &s.hub;
    s.sim.state.set_mode(Mode::NoAccount);
    let c = open(hub, 217).await;
    let id = c["id"].as_str().unwrap().to_string();
    let reference = c["payment_reference"].as_str().unwrap().to_string();
    let st = staff(hub).await;
    decide(hub, &st, &id).await;

    // Four notices (case opened, decision; creditor and debtor), each a paper task.
    let deadline_at = std::time::Instant::now() + Duration::from_secs(60);
    let tasks = loop {
        let (status, tasks) = hub.get_as(&st.clerk, "/v1/service-tasks").await;
        assert_eq!(status, 200, "{tasks:#}");
        if tasks.as_array().unwrap().len() == 4 {
            break tasks;
        }
        assert!(std::time::Instant::now() < deadline_at, "{tasks:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let tasks = tasks.as_array().unwrap();
    for t in tasks {
        assert_eq!(t["state"], "open");
        let reason = t["reason"].as_str().unwrap();
        assert!(
            reason.contains("no VNeID account") && reason.contains("no e-mail address"),
            "{reason}"
        );
        assert!(!t["party_address"].is_null(), "where to serve it");
    }
    let task = tasks
        .iter()
        .find(|t| t["notice_kind"] == "decision_issued" && t["party_ref"] == "P2")
        .unwrap();
    assert_eq!(task["party_name"], "Trần Thị Bình");
    assert!(
        task["text"].as_str().unwrap().contains(&reference),
        "{task:#}"
    );
    let task_id = task["id"].as_str().unwrap().to_string();
    let notice_id = task["notice_id"].as_str().unwrap().to_string();

    // Others may not close it; wrong values name their field.
    let done = format!("/v1/service-tasks/{task_id}/done");
    let officer = hub.staff("chv.binh", "officer", "HCM-KV01").await;
    let stranger = hub.staff("thu.ky2", "clerk", "HCM-KV02").await;
    let posting = json!({"channel": "posting", "served_on": today().to_string()});
    assert_eq!(hub.post_as(&officer, &done, &posting).await.0, 403);
    assert_eq!(hub.post_as(&stranger, &done, &posting).await.0, 404);
    let (_, theirs) = hub.get_as(&stranger, "/v1/service-tasks").await;
    assert_eq!(theirs, json!([]));
    let tomorrow = (today() + Days::days(1)).to_string();
    for (body, field) in [
        (
            json!({"channel": "email", "served_on": today().to_string()}),
            "channel",
        ),
        (
            json!({"channel": "posting", "served_on": tomorrow}),
            "served_on",
        ),
        (
            json!({"channel": "posting", "served_on": "01/01/2026"}),
            "served_on",
        ),
    ] {
        let (status, bad) = hub.post_as(&st.clerk, &done, &body).await;
        assert_eq!(status, 422, "{body} -> {bad:#}");
        assert_eq!(bad["errors"][0]["field"], field, "{bad:#}");
    }

    // Publicly posted today: the posting date is the notice date.
    let (status, closed) = hub.post_as(&st.clerk, &done, &posting).await;
    assert_eq!(status, 201, "{closed:#}");
    assert_eq!(closed["task"]["state"], "done");
    assert_eq!(closed["task"]["channel"], "posting");
    assert_eq!(closed["task"]["done_by"], "thu.ky");
    assert_eq!(closed["operation"]["to_state"], "voluntary_period");
    let (status, again) = hub.post_as(&st.clerk, &done, &posting).await;
    assert_eq!((status, &again["repeated"]), (200, &json!(true)));
    let (status, _) = hub
        .post_as(
            &st.clerk,
            &done,
            &json!({"channel": "direct", "served_on": today().to_string()}),
        )
        .await;
    assert_eq!(status, 409);

    let c = case(hub, &id).await;
    assert_eq!(c["state"], "voluntary_period");
    assert_eq!(
        deadline(&c, "voluntary_period")["starts_on"],
        today().to_string()
    );
    let n = notice(&c, &notice_id);
    assert_eq!(
        (&n["state"], &n["channel"], &n["served_on"]),
        (
            &json!("served"),
            &json!("posting"),
            &json!(today().to_string())
        )
    );

    // A late VNeID confirmation of another notice serves it and closes its task.
    let creditor_task = tasks
        .iter()
        .find(|t| t["notice_kind"] == "decision_issued" && t["party_ref"] == "P1")
        .unwrap();
    let body = json!({
        "notice_id": creditor_task["notice_id"],
        "status": "delivered",
        "at": format!("{}T00:00:00+07:00", today()),
    });
    let (status, answer) = post_receipts(hub, Some(TOKEN), &body).await;
    assert_eq!(status, 200, "{answer:#}");
    assert_eq!(answer["receipts"][0]["outcome"], "served");
    let (_, done_tasks) = hub.get_as(&st.clerk, "/v1/service-tasks?state=done").await;
    let closed_by_vneid = done_tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == creditor_task["id"])
        .unwrap();
    assert_eq!(closed_by_vneid["done_by"], "system:vneid");
    assert_eq!(closed_by_vneid["channel"], "vneid");
    let (_, open_tasks) = hub.get_as(&st.clerk, "/v1/service-tasks").await;
    assert_eq!(open_tasks.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn paper_embedded() {
    no_account_and_no_email_goes_to_paper(Kind::Embedded).await;
}

#[tokio::test]
async fn paper_postgres_jetstream() {
    no_account_and_no_email_goes_to_paper(Kind::Production).await;
}

async fn circuit_breaker_opens_and_recovers(kind: Kind) {
    let s = setup(kind, |o| {
        o.max_deliveries = 200;
        o.env
            .push(("THADS_VNEID__BREAKER_FAILURES".into(), "3".into()));
        o.env
            .push(("THADS_VNEID__BREAKER_COOL_DOWN".into(), "1s".into()));
    })
    .await;
    let hub = &s.hub;
    s.sim.state.set_mode(Mode::FailAlways);
    let mut ids = Vec::new();
    for n in 301..304 {
        let c = open(hub, n).await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    let notices = 2 * ids.len();

    // Three failures open the breaker; then VNeID gets about one probe a second.
    let deadline_at = std::time::Instant::now() + Duration::from_secs(30);
    while metric(hub, "thads_circuit_state{partner=\"vneid\"}").await != Some(1.0) {
        assert!(
            std::time::Instant::now() < deadline_at,
            "the breaker never opened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = s.sim.state.attempts();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let during = s.sim.state.attempts() - before;
    assert!(
        during <= 5,
        "{during} calls in 3 s while open (retries alone would make {notices} a second)"
    );
    assert!(s.sim.state.accepted().is_empty());

    // VNeID recovers: the next probe closes the breaker and every notice arrives once.
    s.sim.state.set_mode(Mode::Ok);
    for id in &ids {
        common::wait_notices(hub, id, "delivered", Duration::from_secs(60)).await;
    }
    assert_eq!(s.sim.state.accepted().len(), notices);
    assert_eq!(
        metric(hub, "thads_circuit_state{partner=\"vneid\"}").await,
        Some(0.0)
    );
    for id in &ids {
        let c = case(hub, id).await;
        for n in c["notices"].as_array().unwrap() {
            let msg = hub
                .get_json(&format!(
                    "/v1/messages/{}",
                    n["message_id"].as_str().unwrap()
                ))
                .await
                .unwrap();
            let states = common::journey_states(&msg);
            assert_eq!(
                states.iter().filter(|s| *s == "delivered").count(),
                1,
                "{states:?}"
            );
            assert!(!states.contains(&"dead_lettered".to_string()), "{states:?}");
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.sim.state.accepted().len(), notices, "nothing doubled");
}

#[tokio::test]
async fn breaker_embedded() {
    circuit_breaker_opens_and_recovers(Kind::Embedded).await;
}

#[tokio::test]
async fn breaker_postgres_jetstream() {
    circuit_breaker_opens_and_recovers(Kind::Production).await;
}

async fn receipts_are_authenticated_and_checked(kind: Kind) {
    let s = setup(kind, with_token).await;
    let hub = &s.hub;
    let c = open(hub, 218).await;
    let id = c["id"].as_str().unwrap().to_string();
    let c = wait_notices(hub, &id, 2, &["delivered"]).await;
    let known = c["notices"][0]["message_id"].as_str().unwrap().to_string();
    let at = format!("{}T00:00:00+07:00", today());
    let good = json!({"notice_id": known, "status": "delivered", "at": at});

    // Without the partner's token nothing is taken.
    assert_eq!(post_receipts(hub, None, &good).await.0, 401);
    assert_eq!(
        post_receipts(hub, Some("vneid-receipt-token-for-tests-0124"), &good)
            .await
            .0,
        401
    );
    assert_eq!(post_receipts(hub, Some("x"), &good).await.0, 401);

    // An unknown notice is refused, naming the field, and the body is kept for audit.
    let unknown =
        json!({"notice_id": "ntc-000000000000000000000000", "status": "delivered", "at": at});
    let (status, problem) = post_receipts(hub, Some(TOKEN), &unknown).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/notice_id");
    let kept = problem["message_id"].as_str().unwrap();
    let msg = hub.get_json(&format!("/v1/messages/{kept}")).await.unwrap();
    assert_eq!(msg["state"], "rejected");
    assert!(msg["last_error"].as_str().unwrap().contains("notice_id"));
    let payload = hub.get_text(&format!("/v1/messages/{kept}/payload")).await;
    assert!(payload.contains("ntc-000000000000000000000000"));

    // A batch is taken whole or not at all.
    let (status, problem) = post_receipts(hub, Some(TOKEN), &json!([good, unknown])).await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["field"], "/1/notice_id");
    let c = case(hub, &id).await;
    assert!(notice(&c, &known)["served_on"].is_null(), "nothing applied");
    assert_eq!(c["state"], "received");

    // Bad values name their field; a wrong media type is refused.
    for (body, field) in [
        (
            json!({"notice_id": known, "status": "sent", "at": at}),
            "/status",
        ),
        (
            json!({"notice_id": known, "status": "delivered", "at": "hôm qua"}),
            "/at",
        ),
        (json!({"notice_id": known, "status": "delivered"}), "/at"),
        (
            json!({"notice_id": known, "status": "delivered", "at": at, "extra": 1}),
            "/extra",
        ),
    ] {
        let (status, problem) = post_receipts(hub, Some(TOKEN), &body).await;
        assert_eq!(status, 422, "{body} -> {problem:#}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem:#}");
    }
    let r = hub
        .http
        .post(format!("{}/v1/vneid/receipts", hub.base))
        .bearer_auth(TOKEN)
        .header("content-type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);

    // The good receipt alone is taken (the case is not running yet: the delivery is kept as
    // a case event); a failure reported afterwards changes nothing.
    let (status, answer) = post_receipts(hub, Some(TOKEN), &good).await;
    assert_eq!(status, 200, "{answer:#}");
    assert_eq!(answer["receipts"][0]["outcome"], "served");
    let failed =
        json!({"notice_id": known, "status": "failed", "at": at, "reason": "device_unreachable"});
    let (status, answer) = post_receipts(hub, Some(TOKEN), &failed).await;
    assert_eq!(status, 200, "{answer:#}");
    assert_eq!(answer["receipts"][0]["outcome"], "already_served");
    let metrics = hub.get_text("/metrics").await;
    assert!(
        metrics
            .contains("thads_messages_in_total{subject=\"in.vneid.receipt\",outcome=\"rejected\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn receipts_embedded() {
    receipts_are_authenticated_and_checked(Kind::Embedded).await;
}

#[tokio::test]
async fn receipts_postgres_jetstream() {
    receipts_are_authenticated_and_checked(Kind::Production).await;
}

#[tokio::test]
async fn a_failed_receipt_falls_back_and_a_hub_without_a_token_refuses_receipts() {
    // A failure VNeID reports after accepting the notice sends it down the chain.
    let s = setup(Kind::Embedded, with_token).await;
    let hub = &s.hub;
    let c = open(hub, 219).await;
    let id = c["id"].as_str().unwrap().to_string();
    let c = wait_notices(hub, &id, 2, &["delivered"]).await;
    let known = c["notices"][0]["message_id"].as_str().unwrap().to_string();
    let failed = json!({"notice_id": known, "status": "failed",
                        "at": format!("{}T00:00:00+07:00", today()),
                        "reason": "device_unreachable"});
    let (status, answer) = post_receipts(hub, Some(TOKEN), &failed).await;
    assert_eq!(status, 200, "{answer:#}");
    assert_eq!(answer["receipts"][0]["outcome"], "fallback");
    let clerk = hub.staff("thu.ky", "clerk", "HCM-KV01").await;
    let deadline_at = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, tasks) = hub.get_as(&clerk, "/v1/service-tasks").await;
        if let Some(t) = tasks.as_array().unwrap().first() {
            assert_eq!(t["notice_id"], known.as_str());
            assert!(
                t["reason"].as_str().unwrap().contains("device_unreachable"),
                "{t:#}"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline_at, "no paper task");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let msg = hub
        .get_json(&format!("/v1/messages/{known}"))
        .await
        .unwrap();
    assert_eq!(msg["state"], "failed");

    // Without a configured receipt token, receipts are refused so VNeID keeps them.
    let bare = setup(Kind::Embedded, |_| {}).await;
    assert_eq!(post_receipts(&bare.hub, Some(TOKEN), &failed).await.0, 503);
}
