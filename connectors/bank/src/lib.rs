//! Bank connector: ISO 20022 camt.054 payment confirmations (báo Có) on THADS deposit accounts
//! → canonical [`thads_schemas::bank::Payment`]s for `in.bank.payment`, and account orders
//! (phong tỏa, khấu trừ, giải tỏa) to banks with their acknowledgements.
//!
//! # Layout
//! - [`camt054`]: reading camt.054 (001.02 to 001.13) and camt.053 messages into a
//!   [`Notification`]: payments, skipped entries (debits, pending, reversals) and entry errors.
//! - [`intake`]: accepting a notification over HTTP: each booked credit becomes one durable,
//!   de-duplicated `in.bank.payment` message.
//! - [`inbox_folder`]: batch files dropped into a watched folder, fed to the same intake.
//! - [`orders`]: account orders to banks: issuing, delivery over HTTP, acknowledgements
//!   checked against the order's hash, and daily batch files.
//! - [`payments_json`]: the same result as pretty JSON, for the `thads-hub bank parse FILE` command.
//!
//! Example messages: `schemas/bank/examples/`.

pub mod camt054;
pub mod inbox_folder;
pub mod intake;
pub mod orders;

pub use camt054::{
    parse_camt054, Camt054Error, Direction, EntryError, Notification, SkipKind, SkippedEntry,
};
pub use thads_schemas::bank::Payment;

use serde::Serialize;

/// The report printed by `thads-hub bank parse FILE`.
#[derive(Serialize)]
struct Report<'a> {
    message_id: &'a str,
    payments: &'a [Payment],
    skipped: &'a [SkippedEntry],
    errors: &'a [EntryError],
}

/// Parses a camt.054 / camt.053 message and renders `{ "message_id", "payments", "skipped",
/// "errors" }` as pretty JSON, so operators can check a bank file before it is fed to the hub.
pub fn payments_json(bytes: &[u8]) -> Result<String, Camt054Error> {
    let n = parse_camt054(bytes)?;
    let report = Report {
        message_id: &n.message_id,
        payments: &n.payments,
        skipped: &n.skipped,
        errors: &n.errors,
    };
    serde_json::to_string_pretty(&report).map_err(|e| Camt054Error::Json(e.to_string()))
}
