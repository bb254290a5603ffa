//! The raw ceilings, measured on the same machine in the same run: bare JetStream publishes
//! with their acks (up to 256 in flight), and bare consumption where each message costs one
//! PostgreSQL transaction (an insert and its commit) and one ack — what any hub handler must
//! at least do. The hub's figures are reported as ratios of these.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use sqlx::PgPool;

/// The ceilings of one run.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub(crate) struct Ceilings {
    /// Messages published (and acked by the stream) per second.
    pub(crate) publish_per_second: f64,
    /// Messages consumed, committed to PostgreSQL and acked per second.
    pub(crate) consume_commit_ack_per_second: f64,
    /// Concurrent consumers in the consume measurement.
    pub(crate) consumers: usize,
    /// Payload size used, bytes.
    pub(crate) payload_bytes: usize,
}

/// Publishes `count` messages of `payload` on a private stream, then consumes them with
/// `consumers` workers, each message through one PostgreSQL commit and an ack.
pub(crate) async fn measure(
    nats_url: &str,
    pool: &PgPool,
    run: &str,
    payload: Bytes,
    count: usize,
    consumers: usize,
) -> anyhow::Result<Ceilings> {
    let client = async_nats::connect(nats_url).await?;
    let js = jetstream::new(client);
    let name = format!("BENCHRAW_{}", run.to_ascii_uppercase());
    let subject = format!("benchraw.{run}");
    let stream = js
        .create_stream(stream::Config {
            name: name.clone(),
            subjects: vec![format!("{subject}.>")],
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await?;
    let result = run_both(
        &js,
        &stream,
        pool,
        &subject,
        payload.clone(),
        count,
        consumers,
    )
    .await;
    let _ = js.delete_stream(&name).await;
    let (publish, consume) = result?;
    Ok(Ceilings {
        publish_per_second: publish,
        consume_commit_ack_per_second: consume,
        consumers,
        payload_bytes: payload.len(),
    })
}

async fn run_both(
    js: &jetstream::Context,
    stream: &stream::Stream,
    pool: &PgPool,
    subject: &str,
    payload: Bytes,
    count: usize,
    consumers: usize,
) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    let mut acks = FuturesUnordered::new();
    for i in 0..count {
        if acks.len() >= 256 {
            if let Some(ack) = acks.next().await {
                let _: jetstream::publish::PublishAck = ack?;
            }
        }
        let publish = jetstream::message::PublishMessage::build()
            .payload(payload.clone())
            .message_id(format!("raw-{i}"));
        let future = js.send_publish(format!("{subject}.in"), publish).await?;
        acks.push(async move { future.await });
    }
    while let Some(ack) = acks.next().await {
        ack?;
    }
    let publish = count as f64 / started.elapsed().as_secs_f64();

    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_raw (id TEXT PRIMARY KEY, payload BYTEA NOT NULL, at BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let consumer = stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some("bench-raw".to_string()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 256,
            ..Default::default()
        })
        .await?;
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..consumers.max(1) {
        let consumer = consumer.clone();
        let pool = pool.clone();
        let done = done.clone();
        workers.spawn(async move {
            let mut messages = consumer.messages().await?;
            while done.load(Ordering::Relaxed) < count {
                let next = tokio::time::timeout(Duration::from_secs(5), messages.next()).await;
                let Ok(Some(msg)) = next else { break };
                let msg = msg.map_err(|e| anyhow::anyhow!("pull: {e}"))?;
                let id = msg
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("Nats-Msg-Id"))
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default();
                let mut tx = pool.begin().await?;
                sqlx::query("INSERT INTO bench_raw (id, payload, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(&id)
                    .bind(msg.payload.as_ref())
                    .bind(0_i64)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                msg.ack().await.map_err(|e| anyhow::anyhow!("ack: {e}"))?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    while let Some(worker) = workers.join_next().await {
        worker??;
    }
    let consumed = done.load(Ordering::Relaxed);
    let consume = consumed as f64 / started.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE bench_raw").execute(pool).await?;
    Ok((publish, consume))
}
