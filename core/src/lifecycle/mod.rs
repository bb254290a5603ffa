//! The case lifecycle (tổ chức thi hành án): the states a case passes through, the operations
//! (tác nghiệp) staff perform to move it, who may perform each, and the deadlines each sets or
//! meets. `docs/case-operations.md` lists the operations with their legal basis.
//!
//! - [`state`]: the states.
//! - [`operation`]: the commands and their parameters.
//! - [`machine`]: the pure state machine (permissions, transitions, deadline effects).
//! - [`coercion`]: when on-site coercion may be scheduled.
//! - [`notices`]: the decision notice to the parties, and what its delivery records.
//! - [`orders`]: what an account order to a bank (freeze, deduction, release) does to its case.
//! - [`permissions`]: who may perform which operation, from which states.
//! - [`perform`]: performing an operation in one transaction.
//! - [`history`]: the operation log of a case.
//! - [`worklist`]: what each officer must do next, with warnings and overdue flags.

pub mod coercion;
pub mod history;
pub mod machine;
pub mod notices;
pub mod operation;
pub mod orders;
pub mod perform;
pub mod permissions;
pub mod state;
pub mod worklist;

pub use machine::{CaseSnapshot, Outcome, Refusal};
pub use operation::{Command, Operation};
pub use perform::{Lifecycle, PerformError, Performed};
pub use state::CaseState;
