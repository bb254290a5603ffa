//! The bus port's conformance suite: the same behavioural tests run against the embedded queue
//! (on SQLite and on PostgreSQL) and against NATS JetStream, so both runtimes keep one set of
//! semantics: durable publish, de-duplication, ack, delayed nak, term, redelivery after
//! `ack_wait`, independent consumers, per-key order on ordered subjects across two hub
//! processes, and the worker's move to `dlq.<subject>`.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use thads_core::bus::embedded::EmbeddedBus;
use thads_core::bus::jetstream::{JetStreamBus, JetStreamSettings};
use thads_core::bus::ordering;
use thads_core::bus::{Bus, ConsumerSpec, Delivery, Outgoing, Subscription, HEADER_DLQ_REASON};
use thads_core::db::{migrate, Db};
use thads_core::metrics::Metrics;
use thads_core::retry::RetryPolicy;
use thads_core::worker::{HandleError, Handler, Worker};
use thads_e2e::services::{require_nats, TestDb, TestStreams};
use tokio_util::sync::CancellationToken;

/// A bus under test and what keeps it alive.
struct Under {
    bus: Arc<dyn Bus>,
    /// A second hub process's bus on the same store and broker.
    twin: Arc<dyn Bus>,
    db: Db,
    shutdown: CancellationToken,
    /// The JetStream namespace (its prefix; streams deleted on drop), on JetStream.
    streams: Option<TestStreams>,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<TestDb>,
}

impl Drop for Under {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

#[derive(Clone, Copy, Debug)]
enum Impl {
    EmbeddedSqlite,
    EmbeddedPostgres,
    JetStream,
}

async fn open(kind: Impl) -> Under {
    let shutdown = CancellationToken::new();
    match kind {
        Impl::EmbeddedSqlite => {
            let dir = tempfile::tempdir().unwrap();
            let db = Db::connect(&format!("sqlite://{}/bus.db", dir.path().display()))
                .await
                .unwrap();
            migrate(&db).await.unwrap();
            Under {
                bus: Arc::new(EmbeddedBus::new(db.clone(), shutdown.clone())),
                twin: Arc::new(EmbeddedBus::new(db.clone(), shutdown.clone())),
                db,
                shutdown,
                streams: None,
                _dir: Some(dir),
                _pg: None,
            }
        }
        Impl::EmbeddedPostgres | Impl::JetStream => {
            let pg = TestDb::create().await;
            let db = Db::connect(&pg.url).await.unwrap();
            migrate(&db).await.unwrap();
            let streams = match kind {
                Impl::JetStream => Some(TestStreams::create("c").await),
                _ => None,
            };
            let (bus, twin): (Arc<dyn Bus>, Arc<dyn Bus>) = if let Some(streams) = &streams {
                let settings = JetStreamSettings {
                    url: streams.url.clone(),
                    prefix: streams.prefix.clone(),
                    max_age: Duration::from_secs(600),
                    duplicate_window: Duration::from_secs(120),
                    replicas: 1,
                    connect_timeout: Duration::from_secs(5),
                };
                (
                    Arc::new(
                        JetStreamBus::connect(&settings, shutdown.clone())
                            .await
                            .unwrap(),
                    ),
                    Arc::new(
                        JetStreamBus::connect(&settings, shutdown.clone())
                            .await
                            .unwrap(),
                    ),
                )
            } else {
                (
                    Arc::new(EmbeddedBus::new(db.clone(), shutdown.clone())),
                    Arc::new(EmbeddedBus::new(db.clone(), shutdown.clone())),
                )
            };
            Under {
                bus,
                twin,
                db,
                shutdown,
                streams,
                _dir: None,
                _pg: Some(pg),
            }
        }
    }
}

fn spec(name: &str, filter: &str, ack_wait: Duration) -> ConsumerSpec {
    ConsumerSpec {
        name: name.to_string(),
        filter: filter.to_string(),
        ack_wait,
    }
}

async fn next_within(sub: &mut Box<dyn Subscription>, wait: Duration) -> Option<Delivery> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        match tokio::time::timeout(left, sub.next()).await {
            Ok(Some(Ok(d))) => return Some(d),
            Ok(Some(Err(_))) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

fn msg(subject: &str, id: &str) -> Outgoing {
    let mut m = Outgoing::new(subject, id, Bytes::from(format!("payload of {id}")));
    m.headers.insert("X-Test".into(), "yes".into());
    m
}

async fn publish_ack_and_deduplicate(kind: Impl) {
    let u = open(kind).await;
    let mut sub = u
        .bus
        .subscribe(spec("c1", "in.test.>", Duration::from_secs(30)))
        .await
        .unwrap();
    assert!(
        !u.bus
            .publish(msg("in.test.a", "m1"))
            .await
            .unwrap()
            .duplicate
    );
    assert!(
        u.bus
            .publish(msg("in.test.a", "m1"))
            .await
            .unwrap()
            .duplicate
    );
    let d = next_within(&mut sub, Duration::from_secs(5)).await.unwrap();
    assert_eq!(d.msg_id, "m1");
    assert_eq!(d.subject, "in.test.a");
    assert_eq!(d.delivered, 1);
    assert_eq!(d.payload, Bytes::from("payload of m1"));
    assert_eq!(d.headers.get("X-Test").map(String::as_str), Some("yes"));
    d.ack().await.unwrap();
    if let Some(extra) = next_within(&mut sub, Duration::from_millis(700)).await {
        panic!("acked and deduplicated, yet delivered again: {extra:?}");
    }
    u.bus.health().await.unwrap();
}

async fn nak_redelivers_after_the_delay_and_term_stops(kind: Impl) {
    let u = open(kind).await;
    let mut sub = u
        .bus
        .subscribe(spec("c2", "out.test.>", Duration::from_secs(30)))
        .await
        .unwrap();
    u.bus.publish(msg("out.test.x", "n1")).await.unwrap();
    let d = next_within(&mut sub, Duration::from_secs(5)).await.unwrap();
    let naked = Instant::now();
    d.nak(Duration::from_millis(600)).await.unwrap();
    let d = next_within(&mut sub, Duration::from_secs(5)).await.unwrap();
    assert!(
        naked.elapsed() >= Duration::from_millis(500),
        "redelivered too early: {:?}",
        naked.elapsed()
    );
    assert_eq!(d.delivered, 2);
    d.term().await.unwrap();
    assert!(
        next_within(&mut sub, Duration::from_millis(900))
            .await
            .is_none(),
        "terminated"
    );
}

async fn unacknowledged_is_redelivered_after_ack_wait(kind: Impl) {
    let u = open(kind).await;
    let mut sub = u
        .bus
        .subscribe(spec("c3", "in.wait.>", Duration::from_secs(1)))
        .await
        .unwrap();
    u.bus.publish(msg("in.wait.x", "w1")).await.unwrap();
    let first = next_within(&mut sub, Duration::from_secs(5)).await.unwrap();
    drop(first); // a worker that died holding it
    let again = next_within(&mut sub, Duration::from_secs(6)).await.unwrap();
    assert_eq!(again.msg_id, "w1");
    assert_eq!(again.delivered, 2);
    again.ack().await.unwrap();
}

async fn consumers_progress_independently(kind: Impl) {
    let u = open(kind).await;
    let mut a = u
        .bus
        .subscribe(spec("ca", "case.>", Duration::from_secs(30)))
        .await
        .unwrap();
    let mut b = u
        .bus
        .subscribe(spec("cb", "case.HCM.>", Duration::from_secs(30)))
        .await
        .unwrap();
    u.bus.publish(msg("case.HCM.c1", "e1")).await.unwrap();
    u.bus.publish(msg("case.HNI.c2", "e2")).await.unwrap();
    let mut seen_a = Vec::new();
    while let Some(d) = next_within(&mut a, Duration::from_secs(2)).await {
        seen_a.push(d.msg_id.clone());
        d.ack().await.unwrap();
        if seen_a.len() == 2 {
            break;
        }
    }
    seen_a.sort();
    assert_eq!(seen_a, ["e1", "e2"]);
    let d = next_within(&mut b, Duration::from_secs(5)).await.unwrap();
    assert_eq!(d.msg_id, "e1");
    d.ack().await.unwrap();
    assert!(next_within(&mut b, Duration::from_millis(500))
        .await
        .is_none());
}

async fn a_consumer_created_later_gets_earlier_messages(kind: Impl) {
    let u = open(kind).await;
    u.bus.publish(msg("in.late.x", "l1")).await.unwrap();
    let mut sub = u
        .bus
        .subscribe(spec("late", "in.late.>", Duration::from_secs(30)))
        .await
        .unwrap();
    let d = next_within(&mut sub, Duration::from_secs(5)).await.unwrap();
    assert_eq!(d.msg_id, "l1");
    d.ack().await.unwrap();
    // Subscribing again (a restart) does not replay what was acknowledged.
    drop(sub);
    let mut again = u
        .bus
        .subscribe(spec("late", "in.late.>", Duration::from_secs(30)))
        .await
        .unwrap();
    assert!(next_within(&mut again, Duration::from_millis(700))
        .await
        .is_none());
}

struct AlwaysRetry(AtomicU32);

#[async_trait]
impl Handler for AlwaysRetry {
    fn consumer(&self) -> ConsumerSpec {
        spec("flaky", "out.flaky.>", Duration::from_secs(30))
    }
    async fn handle(&self, _d: &Delivery) -> Result<(), HandleError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(HandleError::Retry("partner answered 503".into()))
    }
}

async fn worker_dead_letters_after_max_deliveries(kind: Impl) {
    let u = open(kind).await;
    let mut dlq = u
        .bus
        .subscribe(spec("dlq-watch", "dlq.>", Duration::from_secs(30)))
        .await
        .unwrap();
    let handler = Arc::new(AlwaysRetry(AtomicU32::new(0)));
    let policy = RetryPolicy {
        max_deliveries: std::num::NonZeroU32::new(3).unwrap(),
        retry_min: Duration::from_millis(50),
        retry_max: Duration::from_millis(200),
    };
    let worker = Worker::new(
        u.bus.clone(),
        u.db.clone(),
        policy,
        Arc::new(Metrics::new()),
        handler.clone(),
    );
    tokio::spawn(worker.run(u.shutdown.clone()));
    u.bus.publish(msg("out.flaky.x", "f1")).await.unwrap();
    let dead = next_within(&mut dlq, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(dead.subject, "dlq.out.flaky.x");
    assert_eq!(
        dead.payload,
        Bytes::from("payload of f1"),
        "original bytes kept"
    );
    let reason = dead
        .headers
        .get(HEADER_DLQ_REASON)
        .cloned()
        .unwrap_or_default();
    assert!(
        reason.contains("gave up after 3 attempts") && reason.contains("503"),
        "{reason}"
    );
    dead.ack().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        handler.0.load(Ordering::SeqCst),
        3,
        "tried exactly max_deliveries times"
    );
}

/// An ordered consumer shared by two hubs hands out one key's messages one at a time, in
/// publishing order: while the first hub holds (and then retries) the first message of a key,
/// neither hub gets the next one of that key, while other keys go on.
async fn an_ordered_consumer_keeps_each_keys_order_across_hubs(kind: Impl) {
    let u = open(kind).await;
    let subject = thads_schemas::subjects::IN_BANK_PAYMENT;
    assert!(ordering::is_ordered(subject));
    let a = "case-a".to_string();
    // A second key in another partition, so on JetStream it is not held back by the first.
    let b = (0..)
        .map(|i| format!("case-b{i}"))
        .find(|k| ordering::partition(k) != ordering::partition(&a))
        .unwrap();
    for (key, id) in [(&a, "a1"), (&a, "a2"), (&b, "b1"), (&a, "a3")] {
        let m = msg(subject, id).with_key(Some(key.clone()));
        u.bus.publish(m).await.unwrap();
    }
    let s = spec("ordered", subject, Duration::from_secs(30));
    let mut one = u.bus.subscribe(s.clone()).await.unwrap();
    let mut two = u.twin.subscribe(s).await.unwrap();

    // Hub one takes the head of key a (acking b1 if it comes first).
    let mut b_done = false;
    let held = loop {
        let d = next_within(&mut one, Duration::from_secs(5)).await.unwrap();
        assert_eq!(d.subject, subject, "the partition token is not shown");
        match d.msg_id.as_str() {
            "a1" => break d,
            "b1" => {
                assert_eq!(d.order_key(), Some(b.as_str()));
                d.ack().await.unwrap();
                b_done = true;
            }
            other => panic!("{other} handed out before a1"),
        }
    };
    assert_eq!(held.order_key(), Some("case-a"));
    // Hub two gets the other key, never a2 while a1 is unsettled.
    if !b_done {
        let d = next_within(&mut two, Duration::from_secs(5)).await.unwrap();
        assert_eq!(d.msg_id, "b1", "only the other key may go on");
        d.ack().await.unwrap();
    }
    assert!(
        next_within(&mut two, Duration::from_millis(1200))
            .await
            .is_none(),
        "a2 handed out while a1 was held"
    );
    // a1 fails and waits for its retry: a2 still waits behind it.
    held.nak(Duration::from_millis(700)).await.unwrap();
    assert!(
        next_within(&mut two, Duration::from_millis(400))
            .await
            .is_none(),
        "a2 handed out while a1 waited for its retry"
    );

    // Both hubs now take whatever comes; key a is handled a1 (again), a2, a3.
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let mut takers = Vec::new();
    for mut sub in [one, two] {
        let seen_tx = seen_tx.clone();
        takers.push(tokio::spawn(async move {
            while let Some(next) = sub.next().await {
                let Ok(d) = next else { continue };
                let _ = seen_tx.send((d.msg_id.clone(), d.delivered));
                d.ack().await.unwrap();
            }
        }));
    }
    let mut handled = Vec::new();
    while handled.len() < 3 {
        let (id, delivered) = tokio::time::timeout(Duration::from_secs(10), seen.recv())
            .await
            .expect("key a finished")
            .unwrap();
        handled.push((id, delivered));
    }
    assert_eq!(
        handled,
        [
            ("a1".to_string(), 2),
            ("a2".to_string(), 1),
            ("a3".to_string(), 1)
        ]
    );
    u.shutdown.cancel();
    for t in takers {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod embedded_sqlite { use super::*; $( #[tokio::test] async fn $name() { super::$name(Impl::EmbeddedSqlite).await } )* }
        mod embedded_postgres { use super::*; $( #[tokio::test] async fn $name() { super::$name(Impl::EmbeddedPostgres).await } )* }
        mod jetstream { use super::*; $( #[tokio::test] async fn $name() { super::$name(Impl::JetStream).await } )* }
    };
}

conformance!(
    publish_ack_and_deduplicate,
    nak_redelivers_after_the_delay_and_term_stops,
    unacknowledged_is_redelivered_after_ack_wait,
    consumers_progress_independently,
    worker_dead_letters_after_max_deliveries,
    a_consumer_created_later_gets_earlier_messages,
    an_ordered_consumer_keeps_each_keys_order_across_hubs,
);

/// On JetStream an ordered subject is read through one durable consumer per partition, each
/// allowing one unacknowledged message (what keeps a key's messages one at a time across hubs)
/// and each with a pull request waiting at the server, so a new message is taken at once.
#[tokio::test]
async fn jetstream_partition_consumers_keep_a_pull_waiting() {
    use async_nats::jetstream::consumer::pull;
    let u = open(Impl::JetStream).await;
    let prefix = u.streams.as_ref().unwrap().prefix.clone();
    let subject = thads_schemas::subjects::IN_BANK_PAYMENT;
    let _sub = u
        .bus
        .subscribe(spec("waiting", subject, Duration::from_secs(30)))
        .await
        .unwrap();
    let js = async_nats::jetstream::new(async_nats::connect(require_nats().await).await.unwrap());
    let stream = js
        .get_stream(thads_core::bus::jetstream::stream_name(&prefix, "IN"))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    for p in 0..ordering::PARTITIONS {
        let name = format!("waiting-{}", ordering::partition_token(p));
        let mut consumer: async_nats::jetstream::consumer::Consumer<pull::Config> =
            stream.get_consumer(&name).await.unwrap();
        loop {
            let info = consumer.info().await.unwrap();
            assert_eq!(info.config.max_ack_pending, 1, "{name}");
            if info.num_waiting >= 1 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{name} has no pull request waiting"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// On PostgreSQL, a consumer created while another process is publishing must still get that
/// message: the publisher read the consumer list before the consumer existed, and the
/// consumer's backfill ran before the message was committed. Reproduced step by step with a
/// publisher transaction held open.
#[tokio::test]
async fn embedded_postgres_consumer_created_during_a_publish_misses_nothing() {
    let u = open(Impl::EmbeddedPostgres).await;
    // The publisher: message inserted, consumer list read (empty), not yet committed.
    let mut publisher = u.db.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO queue_messages (subject, msg_id, payload, headers, published_at) \
         VALUES ('out.race.one', 'race-1', $1, '{}', 0)",
    )
    .bind(b"payload".to_vec())
    .execute(&mut *publisher)
    .await
    .unwrap();
    let seen: Vec<String> = sqlx::query_scalar("SELECT name FROM queue_consumers")
        .fetch_all(&mut *publisher)
        .await
        .unwrap();
    assert!(seen.is_empty());
    // The consumer is created meanwhile.
    let bus = u.bus.clone();
    let subscribing = tokio::spawn(async move {
        bus.subscribe(spec("late", "out.race.>", Duration::from_secs(30)))
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    publisher.commit().await.unwrap();
    let mut sub = subscribing.await.unwrap();
    let d = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("the message published during the consumer's creation is delivered")
        .unwrap()
        .unwrap();
    assert_eq!(d.msg_id, "race-1");
    d.ack().await.unwrap();
}
