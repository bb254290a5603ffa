//! Who may perform which operation, and from which states: the roles the law gives each act,
//! the office and assigned-officer rules, and the list of next steps offered to a person.

use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;

use super::machine::{CaseSnapshot, Refusal};
use super::operation::{Measure, NoticeParty, Operation, VerificationResult};
use super::state::CaseState;
use crate::staff::{Actor, Role};

use CaseState as S;

/// The roles that may perform `op` (besides the office and assignment checks).
pub fn allowed_roles(op: &Operation) -> &'static [Role] {
    match op {
        Operation::Register => &[Role::Clerk, Role::Head],
        // The head signs the decision; the clerk numbers and issues it (văn thư ban hành).
        Operation::IssueDecision { .. } => &[Role::Head, Role::Clerk],
        Operation::Notify { .. } => &[Role::Clerk, Role::Officer],
        Operation::RecordCollection { .. } | Operation::Disburse { .. } => {
            &[Role::Officer, Role::Clerk]
        }
        Operation::BeginVerification { .. }
        | Operation::RecordVerification { .. }
        | Operation::Reverify
        | Operation::MarkFullyEnforced => &[Role::Officer],
        Operation::ApplyMeasure {
            measure: Measure::ExitBan,
            ..
        } => &[Role::Head],
        Operation::ApplyMeasure { .. } => &[Role::Officer, Role::Head],
        Operation::AssignOfficer { .. }
        | Operation::DeclareNotEnforceable { .. }
        | Operation::Postpone { .. }
        | Operation::Suspend { .. }
        | Operation::Resume
        | Operation::Terminate { .. }
        | Operation::Transfer { .. }
        | Operation::Reduce { .. }
        | Operation::Close => &[Role::Head],
    }
}

/// The states `op` may be performed from.
pub fn allowed_from(op: &Operation) -> Vec<CaseState> {
    const RUNNING: [CaseState; 8] = [
        S::DecisionIssued,
        S::OfficerAssigned,
        S::Notified,
        S::VoluntaryPeriod,
        S::Verification,
        S::Measures,
        S::Collection,
        S::Disbursement,
    ];
    match op {
        Operation::Register => vec![S::Received],
        Operation::IssueDecision { .. } => vec![S::Registered],
        Operation::AssignOfficer { .. } => {
            let mut v = RUNNING.to_vec();
            v.extend([S::NotYetEnforceable, S::Postponed, S::Suspended]);
            v
        }
        Operation::Notify { .. } => vec![S::OfficerAssigned, S::Notified],
        Operation::BeginVerification { .. } => vec![S::VoluntaryPeriod],
        Operation::RecordVerification { .. } => vec![S::Verification],
        Operation::DeclareNotEnforceable { .. } => vec![S::Verification],
        Operation::Reverify => vec![S::NotYetEnforceable],
        Operation::ApplyMeasure { measure, .. } if measure.is_protective() => vec![
            S::OfficerAssigned,
            S::Notified,
            S::VoluntaryPeriod,
            S::Verification,
            S::Measures,
            S::Collection,
        ],
        Operation::ApplyMeasure { .. } => vec![S::Measures, S::Collection],
        Operation::RecordCollection { .. } => vec![
            S::VoluntaryPeriod,
            S::Verification,
            S::Measures,
            S::Collection,
            S::Disbursement,
        ],
        Operation::Disburse { .. } => vec![S::Collection, S::Disbursement],
        Operation::MarkFullyEnforced => vec![
            S::VoluntaryPeriod,
            S::Verification,
            S::Measures,
            S::Collection,
            S::Disbursement,
        ],
        Operation::Postpone { .. } | Operation::Suspend { .. } => RUNNING.to_vec(),
        Operation::Resume => vec![S::Postponed, S::Suspended],
        // A judgment annulled before its decision to enforce ends its case from `Received`.
        Operation::Terminate { .. } => {
            let mut v = vec![S::Received, S::Registered];
            v.extend(RUNNING);
            v.extend([S::Postponed, S::Suspended, S::NotYetEnforceable]);
            v
        }
        Operation::Transfer { .. } => {
            let mut v = vec![S::Registered];
            v.extend(RUNNING);
            v.push(S::NotYetEnforceable);
            v
        }
        Operation::Reduce { .. } => {
            let mut v = RUNNING.to_vec();
            v.extend([S::Postponed, S::Suspended, S::NotYetEnforceable]);
            v
        }
        Operation::Close => vec![S::FullyEnforced, S::Terminated, S::Transferred],
    }
}

pub(super) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks who may act: role, office, assignment.
pub(super) fn authorize(case: &CaseSnapshot, op: &Operation, actor: &Actor) -> Result<(), Refusal> {
    let roles = allowed_roles(op);
    if !roles.contains(&actor.role) {
        return Err(Refusal::Role {
            operation: op.name(),
            role: actor.role,
            allowed: join(roles.iter()),
        });
    }
    if actor.office != case.office {
        return Err(Refusal::Office {
            case_office: case.office.to_string(),
            actor_office: actor.office.to_string(),
        });
    }
    if actor.role == Role::Officer && case.officer.as_deref() != Some(actor.username.as_str()) {
        return Err(Refusal::NotAssigned {
            operation: op.name(),
            assigned: case.officer.clone().unwrap_or_else(|| "nobody".into()),
        });
    }
    Ok(())
}

/// The operations `actor` could attempt on `case` now (role, office and state allow them);
/// what the console offers as next steps.
pub fn next_operations(case: &CaseSnapshot, actor: &Actor) -> Vec<&'static str> {
    samples(&case.office)
        .iter()
        .filter(|op| allowed_from(op).contains(&case.state) && authorize(case, op, actor).is_ok())
        .map(Operation::name)
        .collect()
}

/// One instance of each operation (parameters irrelevant), for listing; `office` fills the
/// transfer's target.
pub fn samples(office: &OfficeCode) -> Vec<Operation> {
    let zero = Vnd::ZERO;
    vec![
        Operation::Register,
        Operation::IssueDecision {
            decision_number: String::new(),
        },
        Operation::AssignOfficer {
            officer: String::new(),
        },
        Operation::Notify {
            party: NoticeParty::Debtor,
            channel: super::operation::NoticeChannel::Direct,
        },
        Operation::BeginVerification { early_reason: None },
        Operation::RecordVerification {
            result: VerificationResult::Able,
            findings: String::new(),
        },
        Operation::DeclareNotEnforceable {
            ground: super::operation::NotEnforceableGround::NoMeans,
            yearly: false,
        },
        Operation::Reverify,
        Operation::ApplyMeasure {
            measure: Measure::FreezeAccount,
            scheduled_at: None,
            amount_vnd: None,
            income_percent: None,
        },
        Operation::RecordCollection { amount_vnd: zero },
        Operation::Disburse {
            amount_vnd: zero,
            payee: String::new(),
        },
        Operation::MarkFullyEnforced,
        Operation::Postpone {
            ground: String::new(),
            until: None,
        },
        Operation::Suspend {
            ground: String::new(),
        },
        Operation::Resume,
        Operation::Terminate {
            ground: String::new(),
        },
        Operation::Transfer {
            to_office: office.clone(),
        },
        Operation::Reduce { amount_vnd: zero },
        Operation::Close,
    ]
}
