//! The outbox relay: rows committed with a state change reach the bus, and a row leased by a
//! relay that died mid-publish is taken over once the short lease runs out (a 30-second lease
//! once delayed messages after a SIGKILL by that long).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use thads_core::bus::embedded::EmbeddedBus;
use thads_core::bus::{Bus, ConsumerSpec};
use thads_core::db::{migrate, now_ms, Db};
use thads_core::metrics::Metrics;
use thads_core::outbox::{enqueue, OutboxSignal, Relay, LEASE_MS};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_row_leased_by_a_dead_relay_is_published_after_the_lease() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/o.db", dir.path().display()))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    let shutdown = CancellationToken::new();
    let bus: Arc<dyn Bus> = Arc::new(EmbeddedBus::new(db.clone(), shutdown.clone()));
    let mut sub = bus
        .subscribe(ConsumerSpec {
            name: "watch".into(),
            filter: "out.>".into(),
            ack_wait: Duration::from_secs(30),
        })
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    enqueue(&mut tx, "m-fresh", "out.test.a", None, b"one")
        .await
        .unwrap();
    enqueue(&mut tx, "m-orphan", "out.test.b", None, b"two")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A relay claimed m-orphan and was killed before publishing it.
    sqlx::query("UPDATE outbox SET lease_until = $1 WHERE message_id = 'm-orphan'")
        .bind(now_ms() + LEASE_MS)
        .execute(db.pool())
        .await
        .unwrap();

    let started = Instant::now();
    let relay = Relay::new(
        db.clone(),
        bus.clone(),
        OutboxSignal::default(),
        Arc::new(Metrics::new()),
    );
    tokio::spawn(relay.run(shutdown.clone()));
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let d = tokio::time::timeout(Duration::from_secs(15), sub.next())
            .await
            .expect("both rows are published within the lease")
            .unwrap()
            .unwrap();
        seen.push(d.msg_id.clone());
        d.ack().await.unwrap();
    }
    assert_eq!(seen, ["m-fresh", "m-orphan"]);
    // Taken over soon after the lease, not after a long one (a 30 s lease was the bug).
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "published rows are removed");
    shutdown.cancel();
}
