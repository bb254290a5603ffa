//! Three hub processes on one PostgreSQL database and one NATS (the same subject prefix)
//! share the work through their durable consumers: a load spread over all three is handled
//! exactly once, every hub handles part of it, each case's payments are posted in the order
//! the bank notified them although consecutive ones arrive at different hubs (ordered
//! consumers, `core/src/bus/ordering.rs`), and each case's events reach the bus
//! (`case.<office>.<case-id>`) in that same order.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use thads_e2e::hub::{Hub, HubOptions, ProductionServices};
use thads_e2e::load::{Ledger, Load, Request};
use thads_e2e::reconcile::reconcile;
use thads_e2e::services::unique;
use thads_e2e::vneid_sim::VneidSim;

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_thads-hub-e2e"))
}

/// `consumer="<name>",outcome="ok"` handled count in a hub's metrics.
async fn handled_ok(hub: &Hub, consumer: &str) -> f64 {
    let text = hub.get_text("/metrics").await;
    let key = format!("thads_messages_handled_total{{consumer=\"{consumer}\",outcome=\"ok\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Sends `requests` all at once, request `n` to hub `n`, and adds what was taken to `ledger`.
async fn burst(load: &Load, requests: &[Request], ledger: &mut Ledger) {
    let sent = futures::future::join_all(requests.iter().enumerate().map(|(n, r)| async move {
        let mut one = Ledger::default();
        load.send(n, r, &mut one).await;
        one
    }))
    .await;
    for one in sent {
        ledger.judgments.extend(one.judgments);
        ledger.payments.extend(one.payments);
        ledger.pending.extend(one.pending);
        for (status, n) in one.refused {
            *ledger.refused.entry(status).or_default() += n;
        }
    }
}

/// Every message of stream `<PREFIX>_<family>` under `filter`, in stream order: its message id
/// and payload.
async fn bus_order(
    js: &async_nats::jetstream::Context,
    prefix: &str,
    family: &str,
    filter: &str,
) -> Vec<(String, bytes::Bytes)> {
    let mut stream = js
        .get_stream(thads_core::bus::jetstream::stream_name(prefix, family))
        .await
        .unwrap();
    let total = stream.info().await.unwrap().state.messages;
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig {
            filter_subject: format!("{prefix}.{filter}"),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut out = Vec::new();
    let mut messages = consumer.messages().await.unwrap().take(total as usize);
    while let Some(Ok(m)) = tokio::time::timeout(Duration::from_secs(5), messages.next())
        .await
        .ok()
        .flatten()
    {
        let id = m
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_string())
            .unwrap_or_default();
        out.push((id, m.payload.clone()));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn three_hubs_share_the_work_and_handle_each_case_in_order() {
    let services = ProductionServices::create("s").await;
    let (db, nats_url, prefix) = (
        &services.db,
        &services.streams.url,
        &services.streams.prefix,
    );
    let sim = VneidSim::start().await.unwrap();
    let options = HubOptions::new(services.runtime(), Some(sim.endpoint()));
    let mut hubs = Vec::new();
    for _ in 0..3 {
        // One after another: each migrates the shared database at start.
        hubs.push(Hub::start(binary(), options.clone()).await);
    }
    let load = Load::new(
        hubs.iter().map(|h| h.base.clone()).collect(),
        &unique("S").to_uppercase(),
    );
    let mut ledger = Ledger::default();
    let seeds: Vec<Request> = (0..6).map(Request::Judgment).collect();
    load.run(&seeds, Duration::ZERO, &mut ledger).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let ids: Vec<String> = ledger.judgments.values().cloned().collect();
    let references: Vec<String> = loop {
        let refs: Vec<(String,)> = sqlx::query_as(
            "SELECT payment_reference FROM cases WHERE source_message = ANY($1) ORDER BY id",
        )
        .bind(&ids)
        .fetch_all(&pool)
        .await
        .unwrap();
        if refs.len() == ids.len() {
            break refs.into_iter().map(|r| r.0).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Each case's ten payments are sent all at once, spread over the three hubs, so without
    // per-case order two hubs would be posting payments of one case at the same time.
    for (c, reference) in references.iter().enumerate() {
        let judgments: Vec<Request> = (0..10).map(|k| Request::Judgment(6 + c * 10 + k)).collect();
        load.run(&judgments, Duration::ZERO, &mut ledger).await;
        let payments: Vec<Request> = (0..10)
            .map(|k| Request::Payment(c * 10 + k, reference.clone()))
            .collect();
        burst(&load, &payments, &mut ledger).await;
    }
    assert!(ledger.pending.is_empty(), "refused: {:?}", ledger.refused);
    let counts = reconcile(&db.url, &ledger, &sim.state, Duration::from_secs(120)).await;
    assert_eq!(counts.cases, 66);
    assert_eq!(counts.payments, 60);

    // The work was shared: every hub opened cases and delivered notices.
    for (n, hub) in hubs.iter().enumerate() {
        let intake = handled_ok(hub, "case-intake").await;
        let notify = handled_ok(hub, "vneid-notify").await;
        assert!(
            intake > 0.0 && notify > 0.0,
            "hub {n} handled nothing: intake {intake}, notify {notify}"
        );
    }

    let client = async_nats::connect(nats_url.as_str()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let case_of: BTreeMap<String, String> =
        sqlx::query_as("SELECT payment_reference, id FROM cases WHERE payment_reference = ANY($1)")
            .bind(&references)
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    // The order of acceptance: the order the payments entered the bus.
    let reference_of: BTreeMap<String, String> = ledger
        .payments
        .values()
        .map(|(id, reference, _)| (id.clone(), reference.clone()))
        .collect();
    let mut accepted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, _) in bus_order(&js, prefix, "IN", "in.bank.>").await {
        if let Some(reference) = reference_of.get(&id) {
            accepted
                .entry(case_of[reference].clone())
                .or_default()
                .push(id);
        }
    }
    // The order of posting: the receipts' numbers.
    let posted: Vec<(String, String)> = sqlx::query_as(
        "SELECT case_id, payment_id FROM receipts WHERE payment_id = ANY($1) ORDER BY series, number",
    )
    .bind(ledger.payments.values().map(|p| p.0.clone()).collect::<Vec<_>>())
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut in_db: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (case, payment) in posted {
        in_db.entry(case).or_default().push(payment);
    }
    assert_eq!(
        in_db, accepted,
        "a case's payments were posted in another order than they were accepted"
    );
    // Each case's payment events are on the bus in the order the payments were posted.
    let mut on_bus: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, payload) in bus_order(&js, prefix, "CASE", "case.>").await {
        let event: serde_json::Value = serde_json::from_slice(&payload).unwrap_or_default();
        if event["kind"] == "case.payment_posted" {
            let case = event["case_id"].as_str().unwrap_or_default().to_string();
            let payment = event["payment_id"].as_str().unwrap_or_default().to_string();
            on_bus.entry(case).or_default().push(payment);
        }
    }
    assert_eq!(
        on_bus, in_db,
        "a case's events left in another order than they happened"
    );
    pool.close().await;
}
