//! The case system of thads-hub.
//!
//! # Layout
//! - [`db`]: the SQLite / PostgreSQL pool and migrations.
//! - [`bus`]: the bus port, with the JetStream and embedded implementations.
//! - [`worker`]: the consumer loop: ack, backoff, dead letters.
//! - [`retry`]: the retry policy (exponential backoff with jitter, delivery limit).
//! - [`outbox`] / [`inbox`]: messages committed with state changes; redeliveries recognised.
//! - [`journey`]: each message's state machine and its recorded steps.
//! - [`deadlines`]: statutory time limits per legal regime, computed on cases.
//! - [`cases`]: opening cases from judgments, and the case read side.
//! - [`replay`]: putting a dead letter back on its subject.
//! - [`metrics`]: Prometheus metrics.
//! - [`calendar`]: Vietnam's working-day calendar (lunar holidays, announced swaps) for deadlines.

pub mod bus;
pub mod calendar;
pub mod cases;
pub mod db;
pub mod deadlines;
pub mod inbox;
pub mod journey;
pub mod metrics;
pub mod outbox;
pub mod replay;
pub mod retry;
pub mod worker;
