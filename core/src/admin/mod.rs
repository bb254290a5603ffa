//! What the operator's console reads and does beyond the case system's own endpoints:
//! searching messages, each partner's health, the dead letters with discarding, and alerts.
//!
//! # Layout
//! - [`search`]: message search by id, partner, subject, case, state and time, paged.
//! - [`health`]: each partner's figures for the dashboard.
//! - [`dead_letters`]: the dead letters waiting, and discarding one with a reason.
//! - [`alerts`]: alerts (partner failing, DLQ growing, sign-in failures, certificates), mailed once.

pub mod alerts;
pub mod dead_letters;
pub mod health;
pub mod search;
