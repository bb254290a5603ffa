//! The production bus on NATS JetStream: four streams (`in.>`, `out.>`, `case.>`, `dlq.>`)
//! created or updated at start, publishes that wait for the stream's ack, `Nats-Msg-Id`
//! de-duplication, and durable pull consumers with explicit acks and delayed naks.
//!
//! The consumers are created with unlimited `max_deliver`: the delivery limit and the move to
//! `dlq.<subject>` are enforced by [`crate::worker`], so a message is never stranded in a
//! stream after its last try (a JetStream MaxDeliver would leave it there silently).
//!
//! A consumer of an [ordered subject](super::ordering) is one durable consumer per partition
//! (`<name>-p07` on `<subject>.p07`, at most one message unacknowledged), and every worker
//! copy of the handler in this process reads the partitions through one shared queue.
//!
//! A deployment prefix (`nats.prefix`) lets several hubs share one NATS account: subjects
//! become `<prefix>.in.court.judgment` and streams `<PREFIX>_IN`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream, AckKind};
use async_trait::async_trait;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::ordering;
use super::{Bus, BusError, ConsumerSpec, Delivery, Outgoing, Published, Settle, Subscription};

mod ordered;

/// The stream families and the first subject token each captures.
const FAMILIES: [(&str, &str); 4] = [
    ("IN", "in"),
    ("OUT", "out"),
    ("CASE", "case"),
    ("DLQ", "dlq"),
];

/// Messages a worker pulls at once (async-nats would pull 200).
const PULL_BATCH: usize = 16;

/// How the hub connects to JetStream and shapes its streams.
#[derive(Debug, Clone)]
pub struct JetStreamSettings {
    /// Server URL(s), comma separated for a cluster.
    pub url: String,
    /// Deployment prefix for subjects and stream names; empty for none.
    pub prefix: String,
    /// How long messages stay in a stream (the message log keeps them longer).
    pub max_age: Duration,
    /// The window in which a repeated `Nats-Msg-Id` is dropped; the inbox table guards beyond it.
    pub duplicate_window: Duration,
    /// Stream replicas (3 on the production cluster, 1 on a single server).
    pub replicas: usize,
    /// Connection timeout.
    pub connect_timeout: Duration,
}

/// The JetStream bus.
#[derive(Clone)]
pub struct JetStreamBus {
    client: async_nats::Client,
    js: jetstream::Context,
    subject_prefix: String,
    stream_prefix: String,
    shutdown: CancellationToken,
    /// Ordered consumers already read by this process, by durable name.
    ordered: Arc<Mutex<HashMap<String, ordered::SharedDeliveries>>>,
}

impl JetStreamBus {
    /// Connects and creates or updates the streams.
    pub async fn connect(
        settings: &JetStreamSettings,
        shutdown: CancellationToken,
    ) -> Result<Self, BusError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(settings.connect_timeout)
            .name("thads-hub")
            .connect(settings.url.as_str())
            .await
            .map_err(|e| BusError::Unavailable(format!("connect to {}: {e}", settings.url)))?;
        let js = jetstream::new(client.clone());
        let (subject_prefix, stream_prefix) = prefixes(&settings.prefix);
        let bus = Self {
            client,
            js,
            subject_prefix,
            stream_prefix,
            shutdown,
            ordered: Arc::default(),
        };
        for (family, token) in FAMILIES {
            let config = stream::Config {
                name: bus.stream_name(family),
                subjects: vec![format!("{}{token}.>", bus.subject_prefix)],
                retention: stream::RetentionPolicy::Limits,
                storage: stream::StorageType::File,
                max_age: settings.max_age,
                duplicate_window: settings.duplicate_window,
                num_replicas: settings.replicas.max(1),
                ..Default::default()
            };
            bus.js
                .create_or_update_stream(config)
                .await
                .map_err(|e| BusError::Setup {
                    what: format!("stream {}", bus.stream_name(family)),
                    reason: e.to_string(),
                })?;
        }
        Ok(bus)
    }

    fn stream_name(&self, family: &str) -> String {
        format!("{}{family}", self.stream_prefix)
    }

    fn full_subject(&self, subject: &str) -> String {
        format!("{}{subject}", self.subject_prefix)
    }

    fn stream_for(&self, filter: &str) -> Result<String, BusError> {
        let first = filter.split('.').next().unwrap_or_default();
        FAMILIES
            .iter()
            .find(|(_, token)| *token == first)
            .map(|(family, _)| self.stream_name(family))
            .ok_or_else(|| BusError::Setup {
                what: format!("consumer for {filter}"),
                reason: "subject must start with in., out., case. or dlq.".to_string(),
            })
    }
}

impl JetStreamBus {
    /// Sends one message; the returned future resolves with the stream's ack.
    async fn send(&self, msg: &Outgoing) -> Result<jetstream::context::PublishAckFuture, BusError> {
        let subject = self.full_subject(&ordering::wire_subject(
            &msg.subject,
            msg.key.as_deref(),
            &msg.msg_id,
        ));
        let mut publish = jetstream::message::PublishMessage::build()
            .payload(msg.payload.clone())
            .message_id(&msg.msg_id);
        for (k, v) in &msg.wire_headers() {
            publish = publish.header(k.as_str(), v.as_str());
        }
        self.js
            .send_publish(subject, publish)
            .await
            .map_err(|e| not_confirmed(msg, e.to_string()))
    }

    /// Waits for the stream's ack of a sent message.
    async fn confirm(
        &self,
        msg: &Outgoing,
        pending: jetstream::context::PublishAckFuture,
    ) -> Result<Published, BusError> {
        let ack = pending
            .await
            .map_err(|e| not_confirmed(msg, e.to_string()))?;
        Ok(Published {
            duplicate: ack.duplicate,
        })
    }
}

fn not_confirmed(msg: &Outgoing, reason: String) -> BusError {
    BusError::PublishNotConfirmed {
        subject: msg.subject.clone(),
        msg_id: msg.msg_id.clone(),
        reason,
    }
}

/// The stream of a family (`IN`, `OUT`, `CASE`, `DLQ`) under a deployment prefix
/// (`T1_IN` for `t1`), for tools and tests that read the streams directly.
pub fn stream_name(prefix: &str, family: &str) -> String {
    format!("{}{family}", prefixes(prefix).1)
}

/// Subject prefix (`"t1."`) and stream-name prefix (`"T1_"`) for a deployment prefix.
fn prefixes(prefix: &str) -> (String, String) {
    if prefix.is_empty() {
        return (String::new(), String::new());
    }
    let stream: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    (format!("{prefix}."), format!("{stream}_"))
}

#[async_trait]
impl Bus for JetStreamBus {
    async fn publish(&self, msg: Outgoing) -> Result<Published, BusError> {
        let pending = self.send(&msg).await?;
        self.confirm(&msg, pending).await
    }

    async fn publish_all(&self, msgs: Vec<Outgoing>) -> Vec<Result<Published, BusError>> {
        // Send every message first (in order, on one connection, so the stream stores them
        // in this order), then await the acks together: one round trip per batch, not per message.
        let mut pending = Vec::with_capacity(msgs.len());
        let mut broken = None;
        for msg in &msgs {
            if broken.is_some() {
                pending.push(None);
                continue;
            }
            match self.send(msg).await {
                Ok(p) => pending.push(Some(Ok(p))),
                Err(e) => {
                    broken = Some(e.to_string());
                    pending.push(Some(Err(e)));
                }
            }
        }
        let mut out = Vec::with_capacity(msgs.len());
        for (msg, p) in msgs.iter().zip(pending) {
            out.push(match p {
                Some(Ok(p)) => self.confirm(msg, p).await,
                Some(Err(e)) => Err(e),
                // Not sent, to keep the order: an earlier message failed.
                None => Err(not_confirmed(
                    msg,
                    format!(
                        "not sent after an earlier failure: {}",
                        broken.clone().unwrap_or_default()
                    ),
                )),
            });
        }
        out
    }

    async fn subscribe(&self, spec: ConsumerSpec) -> Result<Box<dyn Subscription>, BusError> {
        if ordering::is_ordered(&spec.filter) {
            return self.subscribe_ordered(spec).await;
        }
        let consumer = self.durable(&spec.name, &spec.filter, &spec, 256).await?;
        Ok(Box::new(self.reader(consumer, PULL_BATCH)))
    }

    async fn health(&self) -> Result<(), BusError> {
        if self.client.connection_state() != async_nats::connection::State::Connected {
            return Err(BusError::Unavailable("not connected to NATS".to_string()));
        }
        // A stream-info round trip proves JetStream itself answers, not just the connection.
        tokio::time::timeout(
            Duration::from_secs(2),
            self.js.get_stream(self.stream_name("IN")),
        )
        .await
        .map_err(|_| BusError::Unavailable("JetStream did not answer in 2 s".to_string()))?
        .map_err(|e| BusError::Unavailable(e.to_string()))
        .map(|_| ())
    }

    fn kind(&self) -> &'static str {
        "jetstream"
    }
}

impl JetStreamBus {
    /// Creates (or finds) one durable pull consumer on `filter`.
    async fn durable(
        &self,
        name: &str,
        filter: &str,
        spec: &ConsumerSpec,
        max_ack_pending: i64,
    ) -> Result<consumer::Consumer<consumer::pull::Config>, BusError> {
        let stream_name = self.stream_for(filter)?;
        let setup = |e: String| BusError::Setup {
            what: format!("consumer {name} on {stream_name}"),
            reason: e,
        };
        let stream = self
            .js
            .get_stream(&stream_name)
            .await
            .map_err(|e| setup(e.to_string()))?;
        stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some(name.to_string()),
                filter_subject: self.full_subject(filter),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: spec.ack_wait,
                max_deliver: -1,
                max_ack_pending,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .map_err(|e| setup(e.to_string()))
    }

    fn reader(
        &self,
        consumer: consumer::Consumer<consumer::pull::Config>,
        batch: usize,
    ) -> JetStreamSubscription {
        JetStreamSubscription {
            consumer,
            messages: None,
            batch,
            subject_prefix: self.subject_prefix.clone(),
            shutdown: self.shutdown.clone(),
        }
    }
}

struct JetStreamSubscription {
    /// Messages asked for per pull; never more than the consumer's MaxAckPending.
    batch: usize,
    consumer: consumer::Consumer<consumer::pull::Config>,
    messages: Option<consumer::pull::Stream>,
    subject_prefix: String,
    shutdown: CancellationToken,
}

#[async_trait]
impl Subscription for JetStreamSubscription {
    async fn next(&mut self) -> Option<Result<Delivery, BusError>> {
        loop {
            if self.shutdown.is_cancelled() {
                return None;
            }
            if self.messages.is_none() {
                // Small pulls: a message waiting in this process's buffer is already counting
                // down its ack_wait, and what one hub has pulled no other hub can take.
                match self
                    .consumer
                    .stream()
                    .max_messages_per_batch(self.batch)
                    .messages()
                    .await
                {
                    Ok(m) => self.messages = Some(m),
                    Err(e) => {
                        let err = BusError::Unavailable(format!("pull consumer: {e}"));
                        tokio::select! {
                            _ = self.shutdown.cancelled() => return None,
                            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        }
                        return Some(Err(err));
                    }
                }
            }
            let Some(messages) = self.messages.as_mut() else {
                continue;
            };
            let item = tokio::select! {
                _ = self.shutdown.cancelled() => return None,
                item = messages.next() => item,
            };
            match item {
                Some(Ok(msg)) => return Some(Ok(self.delivery(msg))),
                // Missing heartbeats, a deleted consumer, a reconnect: report and go on.
                Some(Err(e)) => return Some(Err(BusError::Unavailable(e.to_string()))),
                None => self.messages = None,
            }
        }
    }
}

impl JetStreamSubscription {
    fn delivery(&self, msg: jetstream::Message) -> Delivery {
        let wire = msg
            .subject
            .as_str()
            .strip_prefix(self.subject_prefix.as_str())
            .unwrap_or(msg.subject.as_str());
        let subject = ordering::plain_subject(wire).to_string();
        let mut headers = BTreeMap::new();
        let mut msg_id = String::new();
        if let Some(h) = &msg.headers {
            for (name, values) in h.iter() {
                let Some(value) = values.first() else {
                    continue;
                };
                if AsRef::<str>::as_ref(name) == "Nats-Msg-Id" {
                    msg_id = value.as_str().to_string();
                } else {
                    headers.insert(name.to_string(), value.as_str().to_string());
                }
            }
        }
        let delivered = msg
            .info()
            .map(|i| u64::try_from(i.delivered).unwrap_or(1))
            .unwrap_or(1);
        Delivery::new(
            subject,
            msg_id,
            msg.payload.clone(),
            headers,
            delivered,
            Box::new(JetStreamSettle { msg }),
        )
    }
}

struct JetStreamSettle {
    msg: jetstream::Message,
}

fn ack_error(e: async_nats::Error) -> BusError {
    BusError::Unavailable(format!("ack: {e}"))
}

#[async_trait]
impl Settle for JetStreamSettle {
    async fn ack(&self) -> Result<(), BusError> {
        self.msg.ack().await.map_err(ack_error)
    }

    async fn nak(&self, delay: Duration) -> Result<(), BusError> {
        self.msg
            .ack_with(AckKind::Nak(Some(delay)))
            .await
            .map_err(ack_error)
    }

    async fn term(&self) -> Result<(), BusError> {
        self.msg.ack_with(AckKind::Term).await.map_err(ack_error)
    }
}

#[cfg(test)]
mod tests {
    use super::prefixes;

    #[test]
    fn prefixes_shape_subjects_and_stream_names() {
        assert_eq!(prefixes(""), (String::new(), String::new()));
        assert_eq!(
            prefixes("t-9ab"),
            ("t-9ab.".to_string(), "T_9AB_".to_string())
        );
    }
}
