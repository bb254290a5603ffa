//! The State Treasury (Kho bạc Nhà nước) connector: the State's share of the money collected on
//! a case (court fees, fines, confiscation; Art. 47) is transferred to the Treasury.
//!
//! A transfer is queued inside the caller's transaction ([`transfer::queue`]): its row in
//! `treasury_transfers`, its outbound message (journey `emitted`) and its outbox row commit
//! together. The [`TransferSender`] consumer on `out.treasury.transfer` POSTs it to the
//! Treasury's API with `Idempotency-Key: <transfer id>`, retrying with backoff and
//! dead-lettering after the last try; the Treasury's answer carries its own reference and
//! acknowledges the transfer. The Treasury's statement of received transfers is then
//! reconciled against the acknowledged ones ([`statement::reconcile`]): each matched by its
//! reference and amount, mismatches listed.
//!
//! # Layout
//! - [`config`]: the `[treasury]` section: endpoint, token, timeout.
//! - [`transfer`]: the transfer message, queuing it and reading transfers back.
//! - [`sender`]: the consumer that delivers transfers.
//! - [`statement`]: reconciliation against the Treasury's statement.

pub mod config;
pub mod sender;
pub mod statement;
pub mod transfer;

pub use config::TreasuryConfig;
pub use sender::TransferSender;
pub use transfer::Transfer;

/// The journey partner name of the Treasury.
pub const PARTNER: &str = "treasury";
