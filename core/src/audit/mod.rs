//! The audit trail (nhật ký kiểm tra): an append-only, hash-chained record of every state
//! change and every administrative act, and of every message payload (inbound and outbound,
//! accepted and rejected) by its hash, so the hub can prove afterwards who did what and what
//! it received and sent, and anyone can detect an altered or missing entry.
//!
//! Entries are appended in the transaction of the change they record ([`append`]); a sealer
//! chains them on a schedule and closes each batch with a seal signed by the hub's key
//! ([`seal`]); [`verify`] checks the chain, the seals and the payloads, from the database
//! ([`store::verify_db`], `thads-hub audit verify`) or from an exported bundle ([`bundle`],
//! `thads-hub audit export`, `thads-hub audit verify --bundle`). `docs/audit.md` describes it.
//!
//! # Layout
//! - [`entry`]: the entry, the seal, and their hashes (pure).
//! - [`append`]: appending inside a transaction.
//! - [`seal`]: the sealer: chaining and signing in batches.
//! - [`verify`]: the checks, fed seal by seal.
//! - [`store`]: walking the stored trail, listing entries, verifying the database.
//! - [`bundle`]: exporting and verifying a bundle a third party can check.

pub mod append;
pub mod bundle;
pub mod entry;
pub mod seal;
pub mod store;
pub mod verify;

#[cfg(test)]
mod tests;

pub use append::{record, record_alone, Act};
pub use seal::{AuditConfig, AuditSealer};
pub use verify::{Problem, Report};
