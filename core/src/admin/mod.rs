//! What the operator's console reads and does beyond the case system's own endpoints:
//! searching messages, each partner's health, the dead letters with discarding, alerts,
//! connectivity tests and the deadlines overview.
//!
//! # Layout
//! - [`search`]: message search by id, partner, subject, case, state and time, paged.
//! - [`health`]: each partner's figures for the dashboard.
//! - [`dead_letters`]: the dead letters waiting, and discarding one with a reason.
//! - [`alerts`]: alerts (partner failing, DLQ growing, sign-in failures, certificates), mailed
//!   once, acknowledged by an administrator.
//! - [`connectivity`]: the "test connection" of an outbound partner, recorded.
//! - [`deadlines`]: the deadlines overview per office, over every kind of deadline.

pub mod alerts;
pub mod connectivity;
pub mod dead_letters;
pub mod deadlines;
pub mod health;
pub mod search;
