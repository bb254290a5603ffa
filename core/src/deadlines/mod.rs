//! Statutory time limits on cases. Two legal regimes are in force at once: the 2008 Law on
//! Civil Judgment Enforcement as amended in 2014 (for triggering events before 1 July 2026) and
//! Law 106/2025/QH15 (from that day). Every limit is a per-regime setting chosen by the date of
//! the event that starts it, never a constant in code.
//!
//! # Layout
//! - [`rules`]: the regimes, their limits with legal bases, and how a regime is chosen.
//! - [`store`]: computing and storing the deadlines of a case, and reading them back.
//! - [`overview`]: every open deadline of cases and complaints per office, for the console
//!   and the gauges (its `scope` turns the offices a person covers into SQL).

pub mod overview;
pub mod rules;
pub mod store;

pub use rules::{DeadlineRules, Limit, Regime, Step, Unit};
