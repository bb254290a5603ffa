//! Account orders to banks (lệnh phong tỏa, khấu trừ, giải tỏa tài khoản) and the banks'
//! acknowledgements.
//!
//! An order is issued inside the caller's transaction ([`issue`]): its row in `bank_orders`,
//! its outbound message (the canonical JSON bytes, journey `emitted`) and its outbox row commit
//! together. The [`OrderSender`] consumer on `out.bank.order` POSTs the bytes to the bank with
//! `Idempotency-Key: <order id>`, retrying with backoff and dead-lettering after the last try.
//! The bank answers each order with an acknowledgement; [`on_ack`] refuses one that names no
//! order or quotes a hash other than the stored order's, and settles the order otherwise.
//! Banks without an API exchange the same messages in daily batch files ([`batch`]).
//!
//! # Layout
//! - [`config`]: the `[bank]` section: endpoint per bank code, token, timeout.
//! - [`store`]: issuing orders and reading them back.
//! - [`rules`]: the legal checks an order passes before it is issued (Arts. 67, 76, 77).
//! - [`ack`]: the banks' acknowledgements, checked by order id and hash.
//! - [`client`]: the HTTP call to a bank.
//! - [`sender`]: the consumer that delivers orders.
//! - [`batch`]: daily batch files of orders and of acknowledgements, with checked trailers.

pub mod ack;
pub mod batch;
pub mod client;
pub mod config;
pub mod rules;
pub mod sender;
pub mod store;

pub use ack::{on_ack, on_ack_from, AckError, AckOutcome};
pub use config::BankConfig;
pub use sender::OrderSender;
pub use store::{issue, IssueError, Issued, OrderView};

/// Where an order is in its life, as stored in `bank_orders.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// Stored and queued for the bank.
    Issued,
    /// The bank confirmed receipt; its acknowledgement is awaited.
    Sent,
    /// The bank acknowledged it executed.
    Executed,
    /// The bank acknowledged it rejected (with the reason).
    Rejected,
    /// Delivery failed for good (dead-lettered); an administrator may replay it.
    Failed,
}

impl OrderState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Sent => "sent",
            Self::Executed => "executed",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "issued" => Self::Issued,
            "sent" => Self::Sent,
            "executed" => Self::Executed,
            "rejected" => Self::Rejected,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// Whether the bank has answered: nothing more changes the order.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Executed | Self::Rejected)
    }
}

/// The journey partner name of a bank: `bank:<code>`.
pub fn partner(bank: &str) -> String {
    format!("bank:{bank}")
}
