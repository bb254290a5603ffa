//! The reconciliation queue (đối chiếu): payments the posting consumer could not match to one
//! case with confidence wait here with their candidate cases and the reason, until an officer
//! of the office that holds the deposit account, or of the case's office, posts them on a case
//! or records that they go back to the payer. Each decision is audited; posting goes through
//! the same path as automatic matches ([`crate::cases::payments::post_to_case`]).
//!
//! # Layout
//! - [`candidates`]: finding the cases a payment may belong to.
//! - [`queue`]: parking payments, listing the queue, the offices holding deposit accounts.
//! - [`audit`]: who decided what about money, when, why, before and after.
//! - resolving a queued payment: [`resolve`].

pub mod audit;
pub mod candidates;
pub mod queue;
mod resolve;

pub use resolve::{resolve, Action, Resolution, ResolveError, Resolved};
