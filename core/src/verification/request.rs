//! What a verification run is asked with, why it may be refused, and the checks made before
//! any query: the identifiers an officer supplies, and the end of the voluntary period.

use super::store;
use super::subject::{Subject, TaxCode};
use crate::db::Db;
use crate::deadlines::store::vietnam_date;
use crate::lifecycle::CaseState;
use tokio::task::JoinHandle;

/// What caused a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An officer or head asked for it.
    Officer,
    /// The scheduler: the voluntary period ended, or a re-verification fell due.
    Automatic,
    /// The scheduler, again after an incomplete record.
    Retry,
}

impl Trigger {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Automatic => "automatic",
            Self::Retry => "retry",
        }
    }
}

/// A CCCD or tax code an officer supplies for a debtor the judgment gave none for.
#[derive(Debug, Clone, Default)]
pub struct SuppliedId {
    /// The debtor's reference (`P2`, `CO1`).
    pub party: String,
    /// For a person.
    pub cccd: Option<String>,
    /// For an organisation.
    pub tax_code: Option<String>,
}

/// A request for a run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The case.
    pub case_id: String,
    /// The officer's user name, or `system`.
    pub requested_by: String,
    /// The legal basis cited.
    pub legal_basis: String,
    /// What caused it.
    pub trigger: Trigger,
    /// Makes a repeated request safe.
    pub request_id: Option<String>,
    /// Why verification starts before the voluntary period ends (Art. 44(1): interim measures,
    /// assets being hidden).
    pub early_reason: Option<String>,
    /// Identifiers for debtors without one.
    pub identifiers: Vec<SuppliedId>,
}

/// Why a run was not started. Nothing was queried.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A field of the request is wrong.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// No such case.
    #[error("no case {0}")]
    NotFound(String),
    /// The case's state does not allow a verification.
    #[error("{0}")]
    Refused(String),
    /// A run of this case is already going on.
    #[error("verification {0} of this case is still running")]
    AlreadyRunning(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> RunError {
    RunError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A started run.
#[derive(Debug)]
pub struct Started {
    /// Its record.
    pub record_id: String,
    /// True when the request id had already started this record (nothing new was started).
    pub repeated: bool,
    /// The run going on in the background; `None` when repeated.
    pub done: Option<JoinHandle<()>>,
}

/// The states a run may start from: before (the voluntary period), during and after
/// verification (not yet enforceable: re-verification), and while measures or collection are
/// under way (looking for more property; the record then changes no state).
pub const ALLOWED: [CaseState; 5] = [
    CaseState::VoluntaryPeriod,
    CaseState::Verification,
    CaseState::NotYetEnforceable,
    CaseState::Measures,
    CaseState::Collection,
];

/// Validates the supplied identifiers against the case's debtors, before any query.
pub(crate) async fn check_identifiers(
    db: &Db,
    case_id: &str,
    ids: &[SuppliedId],
) -> Result<Vec<(String, Subject)>, RunError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let parties = store::parties(db, case_id).await?;
    let mut out = Vec::new();
    for (i, s) in ids.iter().enumerate() {
        let field = |f: &str| format!("identifiers[{i}].{f}");
        let Some(p) = parties
            .iter()
            .find(|p| p.party_ref == s.party && p.role == "debtor")
        else {
            return Err(invalid(field("party"), "must name a debtor of the case"));
        };
        let subject = if p.kind == "organisation" {
            if s.cccd.is_some() {
                return Err(invalid(field("cccd"), "an organisation has a tax code"));
            }
            let code = s
                .tax_code
                .as_deref()
                .ok_or_else(|| invalid(field("tax_code"), "is required for an organisation"))?;
            Subject::Organisation(
                TaxCode::parse(code).map_err(|e| invalid(field("tax_code"), e.to_string()))?,
            )
        } else {
            if s.tax_code.is_some() {
                return Err(invalid(field("tax_code"), "a person is queried by CCCD"));
            }
            let cccd = s
                .cccd
                .as_deref()
                .ok_or_else(|| invalid(field("cccd"), "is required for a person"))?;
            let subject =
                Subject::person(cccd).map_err(|e| invalid(field("cccd"), e.to_string()))?;
            if p.cccd.as_deref().is_some_and(|c| c != subject.number()) {
                return Err(invalid(
                    field("cccd"),
                    "differs from the CCCD the judgment gives for this debtor",
                ));
            }
            subject
        };
        out.push((s.party.clone(), subject));
    }
    Ok(out)
}

/// Refuses a run during the voluntary period without a reason (Art. 44(1)).
pub(crate) async fn check_period_over(db: &Db, case_id: &str) -> Result<(), RunError> {
    let due: Option<String> = sqlx::query_scalar(
        "SELECT due_on FROM case_deadlines WHERE case_id = $1 AND step = 'voluntary_period' \
         AND done_on IS NULL",
    )
    .bind(case_id)
    .fetch_optional(db.pool())
    .await?;
    let today = vietnam_date(time::OffsetDateTime::now_utc()).to_string();
    match due {
        Some(due) if today <= due => Err(invalid(
            "early_reason",
            format!(
                "the voluntary period runs until {due}; verification starts after it, or \
                 earlier only with a reason (interim measure, assets being hidden)"
            ),
        )),
        _ => Ok(()),
    }
}
