//! The bus port: publish with a message id, durable consumers with ack, delayed redelivery and
//! terminal failure. Two implementations keep the same semantics: NATS JetStream for production
//! ([`jetstream`]) and a durable queue in the hub's own database for the embedded default
//! ([`embedded`]).
//!
//! The retry limit and the move to `dlq.<subject>` live above the port, in [`crate::worker`],
//! so both runtimes share one policy.

pub mod embedded;
pub mod jetstream;
pub mod ordering;
pub mod subject;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

/// Header carrying the reason a message was dead-lettered.
pub const HEADER_DLQ_REASON: &str = "Thads-Dlq-Reason";
/// Header carrying the subject a dead letter was first published on.
pub const HEADER_ORIGINAL_SUBJECT: &str = "Thads-Original-Subject";
/// Header carrying how many deliveries a dead letter had.
pub const HEADER_DELIVERIES: &str = "Thads-Deliveries";

/// Errors of a bus implementation.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The broker could not be reached or answered an error; the caller may retry.
    #[error("bus unavailable: {0}")]
    Unavailable(String),
    /// Publishing was not confirmed as durable.
    #[error("publish of {msg_id} on {subject} not confirmed: {reason}")]
    PublishNotConfirmed {
        /// The subject.
        subject: String,
        /// The message id.
        msg_id: String,
        /// What went wrong.
        reason: String,
    },
    /// Creating or updating a stream or consumer failed.
    #[error("cannot set up {what}: {reason}")]
    Setup {
        /// The stream or consumer.
        what: String,
        /// What went wrong.
        reason: String,
    },
    /// The embedded store failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A message to publish.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Subject, without the deployment prefix.
    pub subject: String,
    /// Stable id for de-duplication (`Nats-Msg-Id` on JetStream).
    pub msg_id: String,
    /// Payload bytes.
    pub payload: Bytes,
    /// Extra headers.
    pub headers: BTreeMap<String, String>,
    /// The order key (usually the case id): on an [ordered subject](ordering::ORDERED_SUBJECTS)
    /// the messages of one key are handled one at a time, in publishing order, by all hubs.
    pub key: Option<String>,
}

impl Outgoing {
    /// A message with no extra headers and no order key.
    pub fn new(subject: impl Into<String>, msg_id: impl Into<String>, payload: Bytes) -> Self {
        Self {
            subject: subject.into(),
            msg_id: msg_id.into(),
            payload,
            headers: BTreeMap::new(),
            key: None,
        }
    }

    /// The same message with an order key.
    pub fn with_key(mut self, key: Option<String>) -> Self {
        self.key = key;
        self
    }

    /// The headers to send: the extra headers and the order key.
    pub fn wire_headers(&self) -> BTreeMap<String, String> {
        let mut headers = self.headers.clone();
        if let Some(key) = &self.key {
            headers.insert(ordering::HEADER_ORDER_KEY.to_string(), key.clone());
        }
        headers
    }
}

/// What the bus said about a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// The bus already had a message with this id (within its de-duplication window).
    pub duplicate: bool,
}

/// A durable consumer's settings.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// Durable name; stable across restarts and shared by every hub process.
    pub name: String,
    /// Subject filter (may end in `>`), without the deployment prefix. A consumer whose
    /// filter is exactly an [ordered subject](ordering::ORDERED_SUBJECTS) hands out each order
    /// key's messages one at a time, in publishing order; the bus decides this from the
    /// filter, so publishers and consumers cannot disagree about it.
    pub filter: String,
    /// How long a delivery may stay unacknowledged before it is redelivered (a crashed worker).
    pub ack_wait: Duration,
}

/// One delivered message; must be settled with [`Delivery::ack`], [`Delivery::nak`] or
/// [`Delivery::term`].
pub struct Delivery {
    /// Subject without the deployment prefix.
    pub subject: String,
    /// The message id it was published with.
    pub msg_id: String,
    /// Payload bytes.
    pub payload: Bytes,
    /// Headers it was published with.
    pub headers: BTreeMap<String, String>,
    /// How many times it has been delivered, this time included (1 on the first delivery).
    pub delivered: u64,
    settle: Box<dyn Settle>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("subject", &self.subject)
            .field("msg_id", &self.msg_id)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// Builds a delivery; used by the implementations.
    pub(crate) fn new(
        subject: String,
        msg_id: String,
        payload: Bytes,
        headers: BTreeMap<String, String>,
        delivered: u64,
        settle: Box<dyn Settle>,
    ) -> Self {
        Self {
            subject,
            msg_id,
            payload,
            headers,
            delivered,
            settle,
        }
    }

    /// The id of the message in the hub's journey and inbox: the bus id without a replay
    /// generation suffix (`<id>~r<n>`). A replay needs a fresh bus id (JetStream would drop a
    /// repeated `Nats-Msg-Id` inside its de-duplication window) but is the same message.
    pub fn journey_id(&self) -> &str {
        journey_id_of(&self.msg_id)
    }

    /// The order key it was published with, if any.
    pub fn order_key(&self) -> Option<&str> {
        self.headers
            .get(ordering::HEADER_ORDER_KEY)
            .map(String::as_str)
    }

    /// Done: never deliver again. Call only after the handler's transaction committed.
    pub async fn ack(&self) -> Result<(), BusError> {
        self.settle.ack().await
    }

    /// Failed for now: deliver again after `delay` (never at once: a plain nak would ignore
    /// the backoff and spin).
    pub async fn nak(&self, delay: Duration) -> Result<(), BusError> {
        self.settle.nak(delay).await
    }

    /// Failed for good: never deliver again (the caller has dead-lettered it).
    pub async fn term(&self) -> Result<(), BusError> {
        self.settle.term().await
    }
}

/// The journey id of a bus message id: everything before a `~` replay suffix.
pub fn journey_id_of(msg_id: &str) -> &str {
    msg_id.split_once('~').map_or(msg_id, |(id, _)| id)
}

/// The bus id of the `n`-th replay of a message.
pub fn replay_msg_id(journey_id: &str, n: i64) -> String {
    format!("{journey_id}~r{n}")
}

/// How an implementation settles one delivery.
#[async_trait]
pub(crate) trait Settle: Send + Sync {
    async fn ack(&self) -> Result<(), BusError>;
    async fn nak(&self, delay: Duration) -> Result<(), BusError>;
    async fn term(&self) -> Result<(), BusError>;
}

/// A stream of deliveries for one durable consumer.
#[async_trait]
pub trait Subscription: Send {
    /// The next delivery; waits until one is due. `None` when the bus is shutting down.
    /// Transient errors are returned and the subscription stays usable.
    async fn next(&mut self) -> Option<Result<Delivery, BusError>>;
}

/// The port every producer and consumer in the hub uses.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Publishes and returns only once the message is durable.
    async fn publish(&self, msg: Outgoing) -> Result<Published, BusError>;
    /// Publishes several messages in this order and returns each one's outcome, in order;
    /// each `Ok` is durable. The default publishes one at a time; JetStream sends them all
    /// before awaiting the acks, which is what lets the outbox relay keep up with the intake.
    async fn publish_all(&self, msgs: Vec<Outgoing>) -> Vec<Result<Published, BusError>> {
        let mut out = Vec::with_capacity(msgs.len());
        for msg in msgs {
            out.push(self.publish(msg).await);
        }
        out
    }
    /// Creates (or updates) the durable consumer and returns its deliveries.
    async fn subscribe(&self, spec: ConsumerSpec) -> Result<Box<dyn Subscription>, BusError>;
    /// Checks the bus answers, for `/readyz`.
    async fn health(&self) -> Result<(), BusError>;
    /// A short name for logs and metrics (`jetstream` or `embedded`).
    fn kind(&self) -> &'static str;
}
