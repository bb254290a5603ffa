//! Verification of the debtor's means (xác minh điều kiện thi hành án, Art. 44): a run asks the
//! national databases (population, land, vehicles, businesses) about every debtor of a case,
//! writes the verification record (biên bản xác minh) on the case, and moves the case through the
//! lifecycle: `begin_verification` when the run starts, then `record_verification` and, when
//! nothing was found, `declare_not_enforceable`. A database that fails makes the record
//! incomplete and the run is retried later; it is never read as "nothing found".
//!
//! # Layout
//! - [`subject`]: the databases, the subject (validated CCCD or tax code, masked), the purpose
//!   every query must carry.
//! - [`findings`]: the answers in the hub's terms, and the port the connector implements.
//! - [`record`]: compiling the record from the answers (pure).
//! - [`store`]: records, officer-supplied identifiers and the debtors of a case in the database.
//! - [`request`]: what a run is asked with, and the checks made before any query.
//! - [`view`]: the read side: records with their audited queries.
//! - [`run`]: a run from its start to its record and the lifecycle operations it causes.
//! - [`scheduler`]: the periodic job that starts runs after the voluntary period, on the
//!   re-verification schedule, and retries incomplete records.

pub mod findings;
pub mod record;
pub mod request;
pub mod run;
pub mod scheduler;
pub mod store;
pub mod subject;
pub mod view;

use std::num::NonZeroU32;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use findings::{Answer, Lookup, LookupError, RegistryPort};
pub use request::{RunError, RunRequest, SuppliedId, Trigger};
pub use run::Verifier;
pub use subject::{QueryPurpose, Registry, Subject, TaxCode};

/// `[verification]` in the configuration: when runs start by themselves and how incomplete
/// records are retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerificationConfig {
    /// Start runs automatically when the voluntary period ends without full payment and when a
    /// re-verification falls due; retry incomplete records. Officers can always ask for a run.
    pub enabled: bool,
    /// How often the scheduler looks for due runs.
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    /// How long after an incomplete record the run is tried again.
    #[serde(with = "humantime_serde")]
    pub retry_after: Duration,
    /// Automatic retries of an incomplete record before it is left to the officer (a case
    /// event says so).
    pub max_retries: NonZeroU32,
    /// How long `POST /v1/cases/{id}/verifications` waits for the run before answering 202
    /// (the run goes on; its record appears in `GET`).
    #[serde(with = "humantime_serde")]
    pub wait: Duration,
    /// A run still `running` after this long was interrupted (a process died): it is marked
    /// incomplete and retried.
    #[serde(with = "humantime_serde")]
    pub stale_after: Duration,
    /// The legal basis automatic runs cite.
    pub legal_basis: String,
    /// Runs started per scheduler tick by one hub process.
    pub batch: NonZeroU32,
    /// When a complete record finds nothing, also perform `declare_not_enforceable` (Art. 44a)
    /// as the system. The decision is the head's: switch this off to leave it to the head
    /// (the record then only starts the `not_enforceable_decision` deadline). The four databases
    /// do not see bank accounts or income.
    pub declare_not_enforceable: bool,
}

impl Default for VerificationConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            tick: Duration::from_secs(60),
            retry_after: Duration::from_secs(15 * 60),
            max_retries: NonZeroU32::new(8).unwrap_or(NonZeroU32::MIN),
            wait: Duration::from_secs(20),
            stale_after: Duration::from_secs(15 * 60),
            legal_basis: "Điều 44 Luật Thi hành án dân sự".into(),
            batch: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            declare_not_enforceable: true,
        }
    }
}

impl VerificationConfig {
    /// Checks the values serde cannot; the error names the key.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.tick < Duration::from_millis(100) {
            return Err(("verification.tick", "must be at least 100 ms".into()));
        }
        if self.stale_after < Duration::from_secs(1) {
            return Err(("verification.stale_after", "must be at least 1 s".into()));
        }
        if self.legal_basis.trim().is_empty() {
            return Err((
                "verification.legal_basis",
                "must cite the article automatic runs rely on".into(),
            ));
        }
        Ok(())
    }
}
