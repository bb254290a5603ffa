//! The foundation journey end to end, against both runtimes: a court posts a judgment, a case
//! opens, every party with a CCCD gets exactly one VNeID notice, through retries, dead letters,
//! duplicates and a SIGKILL of the hub.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use thads_e2e::vneid_sim::Mode;

async fn judgment_opens_a_case_and_notifies_each_party(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let receipt = post_accepted(&s.hub, &civil_loan()).await;
    let message_id = receipt["message_id"].as_str().unwrap();
    assert!(receipt["receipt_id"].as_str().unwrap().starts_with("rcp-"));

    let case = case_of(&s.hub, message_id).await;
    assert_eq!(case["judgment_number"], "215/2026/DS-ST");
    assert!(!case["obligations"].as_array().unwrap().is_empty());
    let expected = parties_with_cccd(&case);
    assert!(
        expected >= 2,
        "the example has a creditor and a debtor with CCCD"
    );

    // The decision to enforce is due 5 working days after receipt, under the regime in force.
    let deadline = &case["deadlines"][0];
    assert_eq!(deadline["step"], "decision_ex_officio");
    assert_eq!(deadline["status"], "open");
    assert!(deadline["due_on"].as_str().unwrap() > deadline["starts_on"].as_str().unwrap());
    let regime = if deadline["starts_on"].as_str().unwrap() >= "2026-07-01" {
        "law_2025"
    } else {
        "law_2008"
    };
    assert_eq!(deadline["regime"], regime);

    let case_id = case["id"].as_str().unwrap();
    let case = wait_notices(&s.hub, case_id, "delivered", Duration::from_secs(30)).await;
    assert_eq!(case["notices"].as_array().unwrap().len(), expected);
    let accepted = s.sim.state.accepted();
    assert_eq!(accepted.len(), expected);
    for notice in &accepted {
        assert_eq!(notice.reference, case_id);
        assert_eq!(notice.token.as_deref(), Some("test-token"));
        assert!(
            notice.content.contains("215/2026/DS-ST"),
            "{}",
            notice.content
        );
        assert_eq!(notice.citizen_id.len(), 12);
    }
    // The debtor's notice asks for money, so it carries the payment reference.
    let reference = case["payment_reference"].as_str().unwrap();
    assert!(accepted.iter().any(|n| n.content.contains(reference)));

    // The judgment's journey and one notice's journey, through the read side.
    let msg = s
        .hub
        .get_json(&format!("/v1/messages/{message_id}"))
        .await
        .unwrap();
    assert_eq!(journey_states(&msg), ["received", "accepted", "handled"]);
    let notice_id = case["notices"][0]["message_id"].as_str().unwrap();
    let notice = s
        .hub
        .get_json(&format!("/v1/messages/{notice_id}"))
        .await
        .unwrap();
    assert_eq!(journey_states(&notice), ["emitted", "sending", "delivered"]);
    assert_eq!(notice["parent_id"], message_id);

    // The original bytes are kept.
    let raw = s
        .hub
        .get_text(&format!("/v1/messages/{message_id}/payload"))
        .await;
    assert_eq!(raw, civil_loan());
}

#[tokio::test]
async fn journey_embedded() {
    judgment_opens_a_case_and_notifies_each_party(Kind::Embedded).await;
}

#[tokio::test]
async fn journey_postgres_jetstream() {
    judgment_opens_a_case_and_notifies_each_party(Kind::Production).await;
}

async fn same_judgment_twice_gives_one_case_and_one_notice_per_party(kind: Kind) {
    let s = setup(kind, |_| {}).await;
    let first = post_accepted(&s.hub, &civil_loan()).await;
    let again = s.hub.post_judgment(civil_loan()).await;
    assert_eq!(again.status().as_u16(), 200);
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["receipt_id"], first["receipt_id"]);
    assert!(again["detail"]
        .as_str()
        .unwrap()
        .contains("duplicate of an accepted message"));

    let case = case_of(&s.hub, first["message_id"].as_str().unwrap()).await;
    let case_id = case["id"].as_str().unwrap();
    let case = wait_notices(&s.hub, case_id, "delivered", Duration::from_secs(30)).await;
    // A third send after the case exists changes nothing either.
    assert_eq!(
        s.hub.post_judgment(civil_loan()).await.status().as_u16(),
        200
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let expected = parties_with_cccd(&case);
    assert_eq!(s.sim.state.accepted().len(), expected);
    assert_eq!(
        s.sim.state.attempts(),
        expected as u64,
        "no notice sent twice"
    );
    let case = s
        .hub
        .get_json(&format!("/v1/cases/{case_id}"))
        .await
        .unwrap();
    assert_eq!(case["notices"].as_array().unwrap().len(), expected);
    let opened = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "opened")
        .count();
    assert_eq!(opened, 1, "opened once");
}

#[tokio::test]
async fn duplicate_embedded() {
    same_judgment_twice_gives_one_case_and_one_notice_per_party(Kind::Embedded).await;
}

#[tokio::test]
async fn duplicate_postgres_jetstream() {
    same_judgment_twice_gives_one_case_and_one_notice_per_party(Kind::Production).await;
}

async fn vneid_failing_three_times_then_recovering(kind: Kind) {
    let s = setup(kind, |o| o.max_deliveries = 8).await;
    s.sim.state.set_mode(Mode::FailNext { n: 3 });
    let case = open_case(&s.hub).await;
    let case_id = case["id"].as_str().unwrap();
    let case = wait_notices(&s.hub, case_id, "delivered", Duration::from_secs(60)).await;
    let expected = parties_with_cccd(&case);
    assert_eq!(
        s.sim.state.accepted().len(),
        expected,
        "each notice arrives once"
    );
    assert_eq!(s.sim.state.attempts(), expected as u64 + 3);
    let retried: Vec<_> = notice_journeys(&s.hub, &case).await;
    assert!(
        retried
            .iter()
            .any(|states| states.contains(&"waiting_retry".to_string())),
        "{retried:?}"
    );
    for states in retried {
        assert_eq!(states.last().map(String::as_str), Some("delivered"));
    }
}

async fn notice_journeys(hub: &thads_e2e::hub::Hub, case: &serde_json::Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for n in case["notices"].as_array().unwrap() {
        let id = n["message_id"].as_str().unwrap();
        let msg = hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
        out.push(journey_states(&msg));
    }
    out
}

#[tokio::test]
async fn retries_embedded() {
    vneid_failing_three_times_then_recovering(Kind::Embedded).await;
}

#[tokio::test]
async fn retries_postgres_jetstream() {
    vneid_failing_three_times_then_recovering(Kind::Production).await;
}

async fn vneid_failing_always_dead_letters_the_notice(kind: Kind) {
    let s = setup(kind, |o| o.max_deliveries = 3).await;
    s.sim.state.set_mode(Mode::FailAlways);
    let case = open_case(&s.hub).await;
    let case_id = case["id"].as_str().unwrap();
    let case = wait_notices(&s.hub, case_id, "dead_lettered", Duration::from_secs(60)).await;
    let id = case["notices"][0]["message_id"].as_str().unwrap();
    let msg = s.hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(msg["state"], "dead_lettered");
    assert_eq!(msg["attempts"], 3);
    let error = msg["last_error"].as_str().unwrap();
    assert!(
        error.contains("503"),
        "the last error names the answer: {error}"
    );
    assert!(error.contains("gave up after 3 attempts"), "{error}");
    assert_eq!(
        journey_states(&msg)
            .iter()
            .filter(|s| *s == "waiting_retry")
            .count(),
        2
    );
    assert!(s.sim.state.accepted().is_empty());
    let metrics = s.hub.get_text("/metrics").await;
    let depth = parties_with_cccd(&case);
    assert!(
        metrics.contains(&format!("thads_dlq_depth {depth}")),
        "dlq depth in metrics:\n{metrics}"
    );

    // VNeID is back: an administrator replays the dead letters and each is delivered once.
    s.sim.state.set_mode(Mode::Ok);
    let replay = |id: String| {
        let http = s.hub.http.clone();
        let token = s.hub.admin_token().to_string();
        let url = format!("{}/v1/admin/messages/{id}/replay", s.hub.base);
        async move { http.post(url).bearer_auth(token).send().await.unwrap() }
    };
    for n in case["notices"].as_array().unwrap() {
        let r = replay(n["message_id"].as_str().unwrap().to_string()).await;
        assert_eq!(r.status().as_u16(), 202);
    }
    let case = wait_notices(&s.hub, case_id, "delivered", Duration::from_secs(30)).await;
    let msg = s.hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    // The fall-back chain may note a step (e-mail, paper task) while the message sits in
    // `dead_lettered` or `replayed`; notes repeat the state, so compare the state changes.
    let mut states = journey_states(&msg);
    states.dedup();
    assert_eq!(
        &states[states.len() - 4..],
        ["dead_lettered", "replayed", "sending", "delivered"],
        "{:#}",
        msg["journey"]
    );
    assert_eq!(s.sim.state.accepted().len(), parties_with_cccd(&case));
    // The journey names the administrator who replayed it.
    let replayed = msg["journey"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| step["state"] == "replayed")
        .unwrap();
    assert!(
        replayed["detail"]
            .as_str()
            .unwrap()
            .ends_with(&format!("by {}", thads_e2e::hub::TEST_ADMIN)),
        "{replayed:#}"
    );
    // A delivered message cannot be replayed; an unknown one is 404.
    assert_eq!(replay(id.to_string()).await.status().as_u16(), 409);
    assert_eq!(replay("ntc-none".to_string()).await.status().as_u16(), 404);
}

#[tokio::test]
async fn dead_letter_embedded() {
    vneid_failing_always_dead_letters_the_notice(Kind::Embedded).await;
}

#[tokio::test]
async fn dead_letter_postgres_jetstream() {
    vneid_failing_always_dead_letters_the_notice(Kind::Production).await;
}

async fn sigkill_after_accept_then_restart_delivers_exactly_once(kind: Kind) {
    let mut s = setup(kind, |o| o.max_deliveries = 50).await;
    // VNeID is down, so nothing can be delivered before the kill.
    s.sim.state.set_mode(Mode::FailAlways);
    let receipt = post_accepted(&s.hub, &civil_loan()).await;
    s.hub.kill();
    s.sim.state.set_mode(Mode::Ok);
    s.hub.restart().await;
    let case = case_of(&s.hub, receipt["message_id"].as_str().unwrap()).await;
    let case_id = case["id"].as_str().unwrap();
    let case = wait_notices(&s.hub, case_id, "delivered", Duration::from_secs(60)).await;
    let expected = parties_with_cccd(&case);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.sim.state.accepted().len(), expected);
    // Kill again after delivery: a restart must not send anything twice.
    let delivered_attempts = s.sim.state.attempts();
    s.hub.restart().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(s.sim.state.attempts(), delivered_attempts);
    let case = s
        .hub
        .get_json(&format!("/v1/cases/{case_id}"))
        .await
        .unwrap();
    assert_eq!(case["notices"].as_array().unwrap().len(), expected);
}

#[tokio::test]
async fn sigkill_embedded() {
    sigkill_after_accept_then_restart_delivers_exactly_once(Kind::Embedded).await;
}

#[tokio::test]
async fn sigkill_postgres_jetstream() {
    sigkill_after_accept_then_restart_delivers_exactly_once(Kind::Production).await;
}

#[tokio::test]
async fn a_partner_that_never_answers_is_timed_out_and_retried() {
    let s = setup(Kind::Embedded, |o| {
        o.vneid_timeout = Duration::from_millis(300);
        o.max_deliveries = 20;
    })
    .await;
    s.sim.state.set_mode(Mode::Drop);
    let case = open_case(&s.hub).await;
    let case_id = case["id"].as_str().unwrap();
    let id = case["notices"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let msg = s
        .hub
        .wait_for(
            &format!("/v1/messages/{id}"),
            Duration::from_secs(20),
            |m| m["state"] == "waiting_retry",
        )
        .await;
    assert!(
        msg["last_error"].as_str().unwrap().contains("timed out"),
        "{msg:#}"
    );
    s.sim.state.set_mode(Mode::Slow { delay_ms: 100 });
    let case = wait_notices(&s.hub, case_id, "delivered", Duration::from_secs(30)).await;
    assert_eq!(s.sim.state.accepted().len(), parties_with_cccd(&case));
}

#[tokio::test]
async fn a_citizen_without_vneid_account_is_a_permanent_failure() {
    let s = setup(Kind::Embedded, |o| o.max_deliveries = 8).await;
    s.sim.state.set_mode(Mode::NoAccount);
    let case = open_case(&s.hub).await;
    let case = wait_notices(
        &s.hub,
        case["id"].as_str().unwrap(),
        "failed",
        Duration::from_secs(20),
    )
    .await;
    let id = case["notices"][0]["message_id"].as_str().unwrap();
    let msg = s.hub.get_json(&format!("/v1/messages/{id}")).await.unwrap();
    assert_eq!(msg["attempts"], 1, "a permanent failure is not retried");
    let states = journey_states(&msg);
    assert_eq!(states[..3], ["emitted", "sending", "failed"], "{states:?}");
    assert!(
        !states.iter().any(|s| s == "dead_lettered"),
        "no account is not a dead letter: the notice is served another way ({states:?})"
    );
    assert!(msg["last_error"].as_str().unwrap().contains("404"));
    // Without an e-mail address either, each notice becomes a paper-service task for the clerks.
    let clerk = s.hub.staff("thu.ky", "clerk", "HCM-KV01").await;
    let expected = case["notices"].as_array().unwrap().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, tasks) = s.hub.get_as(&clerk, "/v1/service-tasks").await;
        assert_eq!(status, 200, "{tasks:#}");
        let n = tasks.as_array().map(Vec::len).unwrap_or(0);
        if n == expected {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{n} of {expected} paper tasks: {tasks:#}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
