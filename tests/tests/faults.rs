//! Faults under load, each on a NATS and a PostgreSQL of the test's own (started on free ports
//! with their own data folders; the machine's shared servers are never touched): a hub killed
//! with SIGKILL and restarted, NATS restarted, PostgreSQL crashed and restarted, and the VNeID
//! partner down for a minute. Requests left unanswered are sent again afterwards, as a partner
//! would; then every accepted judgment and payment must have been handled exactly once: one
//! case per judgment, one posting and one e-receipt per payment, the right money on each case,
//! every notice once and delivered, and nothing dead-lettered.
//!
//! The partner outage lasts 60 s: long enough for the breaker to open and for some sixty
//! retry rounds (the tests cap the backoff at 1 s), which is what a multi-minute outage with
//! production's backoff exercises, within CI's time.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use thads_e2e::hub::{Hub, HubOptions, Runtime};
use thads_e2e::load::{Ledger, Load, Request};
use thads_e2e::private::{PrivateNats, PrivatePostgres};
use thads_e2e::reconcile::reconcile;
use thads_e2e::services::unique;
use thads_e2e::vneid_sim::{Mode, VneidSim};

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_thads-hub-e2e"))
}

/// A hub on a private NATS and PostgreSQL, with a few open cases to pay into.
struct Rig {
    hub: Hub,
    sim: VneidSim,
    db_url: String,
    load: Load,
    ledger: Ledger,
    references: Vec<String>,
    // Dropped after the hub.
    nats: PrivateNats,
    pg: PrivatePostgres,
}

const SEED_CASES: usize = 4;

async fn rig() -> Rig {
    let nats = PrivateNats::start();
    let pg = PrivatePostgres::start();
    let db_url = pg.create_db("thads").await;
    let sim = VneidSim::start().await.unwrap();
    let mut options = HubOptions::new(
        Runtime::Production {
            database_url: db_url.clone(),
            nats_url: nats.url.clone(),
            prefix: unique("f"),
        },
        Some(sim.endpoint()),
    );
    // No fault here may dead-letter anything: retries outlast every outage.
    options.max_deliveries = 1000;
    let hub = Hub::start(binary(), options).await;
    let load = Load::new(vec![hub.base.clone()], &unique("R").to_uppercase());
    let mut ledger = Ledger::default();
    let seeds: Vec<Request> = (0..SEED_CASES).map(Request::Judgment).collect();
    load.run(&seeds, Duration::ZERO, &mut ledger).await;
    assert!(
        ledger.pending.is_empty(),
        "seed judgments refused: {ledger:?}"
    );
    let pool = sqlx::PgPool::connect(&db_url).await.unwrap();
    let ids: Vec<String> = ledger.judgments.values().cloned().collect();
    let references: Vec<String> = loop {
        let refs: Vec<(String,)> = sqlx::query_as(
            "SELECT payment_reference FROM cases WHERE source_message = ANY($1) ORDER BY id",
        )
        .bind(&ids)
        .fetch_all(&pool)
        .await
        .unwrap();
        if refs.len() == SEED_CASES {
            break refs.into_iter().map(|r| r.0).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    pool.close().await;
    Rig {
        hub,
        sim,
        db_url,
        load,
        ledger,
        references,
        nats,
        pg,
    }
}

/// Judgments and payments, interleaved: `n` of each, numbered after the seeds.
fn mix(references: &[String], n: usize) -> Vec<Request> {
    (0..n)
        .flat_map(|i| {
            [
                Request::Judgment(SEED_CASES + i),
                Request::Payment(i, references[i % references.len()].clone()),
            ]
        })
        .collect()
}

/// Runs `requests` in the background, 25 ms apart; returns the ledger when done.
fn start_load(rig: &Rig, requests: Vec<Request>) -> tokio::task::JoinHandle<Ledger> {
    let load = rig.load.clone();
    let mut ledger = rig.ledger.clone();
    tokio::spawn(async move {
        load.run(&requests, Duration::from_millis(25), &mut ledger)
            .await;
        ledger
    })
}

/// Resends what was not taken, reconciles, and checks nothing was dead-lettered.
async fn settle_and_reconcile(rig: &mut Rig, ledger: Ledger) {
    rig.ledger = ledger;
    rig.load
        .resend_pending(&mut rig.ledger, Duration::from_secs(60))
        .await;
    let counts = reconcile(
        &rig.db_url,
        &rig.ledger,
        &rig.sim.state,
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(counts.cases, rig.ledger.judgments.len());
    assert_eq!(counts.payments, rig.ledger.payments.len());
    let pool = sqlx::PgPool::connect(&rig.db_url).await.unwrap();
    let dead: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dead_letters")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(dead, 0, "a fault dead-lettered messages");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hub_killed_mid_load_then_restarted_loses_and_doubles_nothing() {
    let mut rig = rig().await;
    let load = start_load(&rig, mix(&rig.references, 40));
    tokio::time::sleep(Duration::from_millis(700)).await;
    rig.hub.kill();
    assert!(!load.is_finished(), "the kill happened mid-load");
    tokio::time::sleep(Duration::from_millis(500)).await;
    rig.hub.restart().await;
    let ledger = load.await.unwrap();
    assert!(
        ledger.refused.contains_key(&0),
        "the kill happened mid-load: some requests got no answer ({:?})",
        ledger.refused
    );
    settle_and_reconcile(&mut rig, ledger).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nats_restarted_mid_load_loses_and_doubles_nothing() {
    let mut rig = rig().await;
    let load = start_load(&rig, mix(&rig.references, 40));
    tokio::time::sleep(Duration::from_millis(700)).await;
    rig.nats.stop();
    assert!(!load.is_finished(), "NATS stopped mid-load");
    // The hub keeps accepting while NATS is away: messages wait in the outbox.
    tokio::time::sleep(Duration::from_secs(2)).await;
    rig.nats.start_again();
    let ledger = load.await.unwrap();
    settle_and_reconcile(&mut rig, ledger).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_crashed_mid_load_loses_and_doubles_nothing() {
    let mut rig = rig().await;
    let load = start_load(&rig, mix(&rig.references, 40));
    tokio::time::sleep(Duration::from_millis(700)).await;
    rig.pg.crash();
    assert!(!load.is_finished(), "the crash happened mid-load");
    // Requests meanwhile wait for a connection (up to 10 s) or are refused with 5xx.
    tokio::time::sleep(Duration::from_secs(2)).await;
    rig.pg.start_again();
    let ledger = load.await.unwrap();
    settle_and_reconcile(&mut rig, ledger).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn vneid_down_for_a_minute_then_back_delivers_every_notice_once() {
    let mut rig = rig().await;
    rig.sim.state.set_mode(Mode::FailAlways);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let delivered_before = rig.sim.state.accepted().len();
    let load = start_load(&rig, mix(&rig.references, 20));
    let ledger = load.await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let metrics = rig.hub.get_text("/metrics").await;
    assert!(
        metrics.contains("thads_circuit_state{partner=\"vneid\"} 1")
            || metrics.contains("thads_circuit_state{partner=\"vneid\"} 2"),
        "the breaker is open or probing after a minute of failures"
    );
    assert_eq!(rig.sim.state.accepted().len(), delivered_before);
    rig.sim.state.set_mode(Mode::Ok);
    settle_and_reconcile(&mut rig, ledger).await;
}
