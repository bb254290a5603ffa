//! Disbursement (chi trả, Art. 47): paying the money collected on a case out to its creditors,
//! the State budget and the agency's costs, in the legal order of payment.
//!
//! # Layout
//! - [`allocate`]: the pure allocator (order of payment, pro rata within a rank, no đồng lost).
//! - [`store`]: what is owed on a case, recording a plan and its lines, listing them.
//! - [`totals`]: money totals per case and per office.
//! - [`reissue`]: issuing a creditor's payout again after the bank rejected it.

pub mod allocate;
pub mod reissue;
pub mod store;
pub mod totals;

#[cfg(test)]
mod tests;

pub use allocate::{allocate, Allocation, Line, Owed, Payee, Rank};
pub use store::{DisbursementView, LineView, Planned};
pub use totals::{MoneyTotals, OfficeMoney};
