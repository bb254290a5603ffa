//! The case state machine: for a case as it stands, an actor and a command, either the plan of
//! what the operation changes (state, money, deadlines) or the reason it is refused. Pure: no
//! database, so every rule is tested directly.

use serde::Serialize;
use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;
use time::Date;

use super::coercion;
use super::operation::{Measure, NoticeParty, Operation, VerificationResult};
pub use super::permissions::{allowed_from, allowed_roles, next_operations, samples};
use super::permissions::{authorize, join};
use super::state::CaseState;
use crate::calendar::Calendar;
use crate::deadlines::Step;
use crate::staff::{Actor, Role};

use CaseState as S;

/// What the machine needs to know about a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSnapshot {
    /// The case id.
    pub id: String,
    /// The office that holds it.
    pub office: OfficeCode,
    /// Its state.
    pub state: CaseState,
    /// The state to return to after a postponement or suspension.
    pub resume_state: Option<CaseState>,
    /// The assigned officer's user name.
    pub officer: Option<String>,
    /// Money due under the case.
    pub amount: Vnd,
    /// Money collected so far.
    pub collected: Vnd,
    /// Money paid out so far.
    pub disbursed: Vnd,
    /// Money reduced or exempted so far.
    pub reduced: Vnd,
    /// Due dates of the case's open deadlines.
    pub open_deadlines: Vec<(Step, Date)>,
}

impl CaseSnapshot {
    /// Money still due: amount − collected − reduced, never below zero.
    pub fn remaining(&self) -> Vnd {
        let left = self.amount.amount() - self.collected.amount() - self.reduced.amount();
        Vnd::new(left.max(0)).unwrap_or(Vnd::ZERO)
    }

    fn due(&self, step: Step) -> Option<Date> {
        self.open_deadlines
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, d)| *d)
    }
}

/// How a finished case ended, for the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Thi hành xong.
    FullyEnforced,
    /// Đình chỉ.
    Terminated,
    /// Ủy thác.
    Transferred,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullyEnforced => "fully_enforced",
            Self::Terminated => "terminated",
            Self::Transferred => "transferred",
        }
    }
}

/// Everything an accepted operation changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The state after the operation.
    pub to_state: CaseState,
    /// The new resume state (kept, set or cleared).
    pub resume_state: Option<CaseState>,
    /// The new assigned officer.
    pub officer: Option<String>,
    /// Money collected after the operation.
    pub collected: Vnd,
    /// Money paid out after the operation.
    pub disbursed: Vnd,
    /// Money reduced after the operation.
    pub reduced: Vnd,
    /// The outcome, when the operation ends enforcement.
    pub outcome: Option<Outcome>,
    /// The money figure the statistics record with the operation.
    pub amount: Option<Vnd>,
    /// Deadlines that (re)start, with the day they are counted from.
    pub start: Vec<(Step, Date)>,
    /// Deadlines the operation meets.
    pub complete: Vec<Step>,
    /// Whether the case enters the acceptance book (sổ thụ lý).
    pub register: bool,
    /// The decision number to keep on the case.
    pub decision_number: Option<String>,
}

/// Why an operation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor's role may not perform it.
    #[error("{operation} is performed by {allowed}; you are signed in as {role}")]
    Role {
        /// The operation.
        operation: &'static str,
        /// The actor's role.
        role: Role,
        /// The roles that may.
        allowed: String,
    },
    /// The case belongs to another office.
    #[error("the case belongs to office {case_office}; you work for {actor_office}")]
    Office {
        /// The case's office.
        case_office: String,
        /// The actor's office.
        actor_office: String,
    },
    /// Another officer is assigned to the case.
    #[error("{operation} is performed by the case's assigned officer ({assigned})")]
    NotAssigned {
        /// The operation.
        operation: &'static str,
        /// Who is assigned, or "nobody".
        assigned: String,
    },
    /// The operation is not allowed from the case's state.
    #[error("{operation} is not allowed while the case is {from} ({from_vi}); it is allowed from: {allowed}")]
    IllegalTransition {
        /// The operation.
        operation: &'static str,
        /// The current state.
        from: CaseState,
        /// The current state in Vietnamese.
        from_vi: &'static str,
        /// The states it is allowed from.
        allowed: String,
    },
    /// A parameter is wrong, or the case's facts forbid the operation now.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (e.g. `params.amount_vnd`, `effective_on`).
        field: String,
        /// Why.
        reason: String,
    },
}

/// When and where the operation happens.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today (Vietnam date).
    pub today: Date,
    /// The legal day of the act.
    pub effective_on: Date,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
}

fn invalid(field: &str, reason: impl Into<String>) -> Refusal {
    Refusal::Invalid {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Plans `op` by `actor` on `case`, or says why it is refused.
pub fn plan(
    case: &CaseSnapshot,
    op: &Operation,
    actor: &Actor,
    ctx: Context<'_>,
) -> Result<Plan, Refusal> {
    authorize(case, op, actor)?;
    plan_for_system(case, op, ctx)
}

/// Plans `op` performed by the hub itself on a partner's confirmation (a VNeID delivery
/// receipt, a bank's payment): the same transitions and checks, without a staff member's
/// role, office and assignment.
pub fn plan_for_system(
    case: &CaseSnapshot,
    op: &Operation,
    ctx: Context<'_>,
) -> Result<Plan, Refusal> {
    let from = allowed_from(op);
    if !from.contains(&case.state) {
        return Err(Refusal::IllegalTransition {
            operation: op.name(),
            from: case.state,
            from_vi: case.state.title_vi(),
            allowed: join(from),
        });
    }
    if ctx.effective_on > ctx.today {
        return Err(invalid(
            "effective_on",
            format!(
                "{} is in the future (today is {})",
                ctx.effective_on, ctx.today
            ),
        ));
    }
    let on = ctx.effective_on;
    let mut p = Plan {
        to_state: case.state,
        resume_state: case.resume_state,
        officer: case.officer.clone(),
        collected: case.collected,
        disbursed: case.disbursed,
        reduced: case.reduced,
        outcome: None,
        amount: None,
        start: Vec::new(),
        complete: Vec::new(),
        register: false,
        decision_number: None,
    };
    match op {
        Operation::Register => {
            p.to_state = S::Registered;
            p.register = true;
        }
        Operation::IssueDecision { decision_number } => {
            if decision_number.trim().is_empty() {
                return Err(invalid("params.decision_number", "must not be empty"));
            }
            p.to_state = S::DecisionIssued;
            p.decision_number = Some(decision_number.trim().to_string());
            p.complete = vec![
                Step::DecisionExOfficio,
                Step::DecisionOnRequest,
                Step::DecisionInterimMeasure,
            ];
            p.start = vec![(Step::Notice, on), (Step::SendToProcuracy, on)];
        }
        Operation::AssignOfficer { officer } => {
            if officer.trim().is_empty() {
                return Err(invalid("params.officer", "must name an officer"));
            }
            p.officer = Some(officer.trim().to_string());
            if case.state == S::DecisionIssued {
                p.to_state = S::OfficerAssigned;
            }
        }
        Operation::Notify { party, .. } => {
            if *party == NoticeParty::Debtor {
                // Valid notice to the debtor starts the voluntary period (Art. 45); the office's
                // duty to notify (Art. 39) is met.
                p.to_state = S::VoluntaryPeriod;
                p.complete = vec![Step::Notice];
                p.start = vec![(Step::VoluntaryPeriod, on)];
            } else {
                p.to_state = S::Notified;
            }
        }
        Operation::BeginVerification { early_reason } => {
            let ends = case.due(Step::VoluntaryPeriod);
            let early = ends.is_some_and(|end| on <= end);
            let reason = early_reason.as_deref().map(str::trim).unwrap_or("");
            if early && reason.is_empty() {
                return Err(invalid(
                    "params.early_reason",
                    format!(
                        "the voluntary period runs until {}; verification starts after it, or \
                         earlier only with a reason (interim measure, assets being hidden)",
                        ends.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ));
            }
            p.to_state = S::Verification;
            p.complete = vec![Step::VoluntaryPeriod];
            // Verify within 10 days of the end of the voluntary period (Art. 44(1)).
            let start = ends.filter(|_| !early).unwrap_or(on);
            p.start = vec![(Step::Verification, start)];
        }
        Operation::RecordVerification { result, findings } => {
            if findings.trim().is_empty() {
                return Err(invalid(
                    "params.findings",
                    "say what the verification found",
                ));
            }
            p.complete = vec![
                Step::Verification,
                Step::ReVerification,
                Step::ReVerificationYearly,
            ];
            match result {
                VerificationResult::Able => p.to_state = S::Measures,
                VerificationResult::Unable => {
                    p.start = vec![(Step::NotEnforceableDecision, on)];
                }
            }
        }
        Operation::DeclareNotEnforceable { yearly, .. } => {
            p.to_state = S::NotYetEnforceable;
            p.complete = vec![Step::NotEnforceableDecision];
            let step = if *yearly {
                Step::ReVerificationYearly
            } else {
                Step::ReVerification
            };
            p.start = vec![(step, on)];
        }
        Operation::Reverify => {
            p.to_state = S::Verification;
            p.start = vec![(Step::Verification, on)];
        }
        Operation::ApplyMeasure {
            measure,
            scheduled_at,
            amount_vnd,
            income_percent,
        } => {
            if measure.is_on_site() {
                let Some(at) = scheduled_at else {
                    return Err(invalid(
                        "params.scheduled_at",
                        "on-site coercion needs its date and time",
                    ));
                };
                if let Some(why) = coercion::forbidden_reason(ctx.calendar, *at) {
                    return Err(invalid("params.scheduled_at", why));
                }
            }
            if *measure == Measure::DeductIncome {
                match income_percent {
                    Some(pct) if (1..=30).contains(pct) => {}
                    _ => {
                        return Err(invalid(
                            "params.income_percent",
                            "deduction from income takes 1 to 30 percent a month (Art. 78)",
                        ))
                    }
                }
            }
            if matches!(measure, Measure::FreezeAccount | Measure::DeductAccount) {
                match amount_vnd {
                    Some(a) if !a.is_zero() => {}
                    _ => {
                        return Err(invalid(
                            "params.amount_vnd",
                            "a freeze or deduction states the amount (Arts. 67, 76)",
                        ))
                    }
                }
            }
            if *measure == Measure::DeductAccount {
                if let Some(a) = amount_vnd {
                    if *a > case.remaining() {
                        return Err(invalid(
                            "params.amount_vnd",
                            format!(
                                "{a} is more than the {} still due (Art. 76 caps a deduction)",
                                case.remaining()
                            ),
                        ));
                    }
                }
            }
            p.amount = *amount_vnd;
            if *measure == Measure::FreezeAccount {
                p.start = vec![(Step::CoercionAfterFreeze, on)];
            } else if !measure.is_protective() {
                p.complete = vec![Step::CoercionAfterFreeze];
            }
            // A protective measure taken early leaves the main path where it is.
            if matches!(case.state, S::Verification | S::Measures | S::Collection)
                && !(measure.is_protective() && case.state == S::Verification)
            {
                p.to_state = S::Measures;
            }
        }
        Operation::RecordCollection { amount_vnd } => {
            if amount_vnd.is_zero() {
                return Err(invalid("params.amount_vnd", "must be more than 0"));
            }
            p.collected = case
                .collected
                .checked_add(*amount_vnd)
                .ok_or_else(|| invalid("params.amount_vnd", "too large"))?;
            p.amount = Some(*amount_vnd);
            p.to_state = S::Collection;
            p.start = vec![(Step::Disbursement, on)];
        }
        Operation::Disburse { amount_vnd, payee } => {
            if amount_vnd.is_zero() {
                return Err(invalid("params.amount_vnd", "must be more than 0"));
            }
            if payee.trim().is_empty() {
                return Err(invalid("params.payee", "must name who is paid"));
            }
            let after = case
                .disbursed
                .checked_add(*amount_vnd)
                .ok_or_else(|| invalid("params.amount_vnd", "too large"))?;
            if after > case.collected {
                return Err(invalid(
                    "params.amount_vnd",
                    format!(
                        "paying {amount_vnd} would pay out {after}, more than the {} collected",
                        case.collected
                    ),
                ));
            }
            p.disbursed = after;
            p.amount = Some(*amount_vnd);
            p.to_state = S::Disbursement;
            if after == case.collected {
                p.complete = vec![Step::Disbursement];
            }
        }
        Operation::MarkFullyEnforced => {
            if !case.remaining().is_zero() {
                return Err(invalid(
                    "operation",
                    format!(
                        "{} is still due (due {}, collected {}, reduced {})",
                        case.remaining(),
                        case.amount,
                        case.collected,
                        case.reduced
                    ),
                ));
            }
            if case.disbursed < case.collected {
                return Err(invalid(
                    "operation",
                    format!(
                        "{} was collected but only {} paid out; pay it out first (Art. 47)",
                        case.collected, case.disbursed
                    ),
                ));
            }
            p.to_state = S::FullyEnforced;
            p.outcome = Some(Outcome::FullyEnforced);
            p.complete = vec![Step::VoluntaryPeriod, Step::Verification];
        }
        Operation::Postpone { ground, until } => {
            if ground.trim().is_empty() {
                return Err(invalid("params.ground", "cite the ground of Art. 48(1)"));
            }
            p.to_state = S::Postponed;
            p.resume_state = Some(case.state);
            if let Some(until) = until {
                if *until < on {
                    return Err(invalid(
                        "params.until",
                        "ends before the postponement starts",
                    ));
                }
                p.start = vec![(Step::ResumeDecision, *until)];
            }
        }
        Operation::Suspend { ground } => {
            if ground.trim().is_empty() {
                return Err(invalid("params.ground", "cite the ground of Art. 49"));
            }
            p.to_state = S::Suspended;
            p.resume_state = Some(case.state);
        }
        Operation::Resume => {
            p.to_state = case.resume_state.unwrap_or(S::DecisionIssued);
            p.resume_state = None;
            p.complete = vec![Step::ResumeDecision];
        }
        Operation::Terminate { ground } => {
            if ground.trim().is_empty() {
                return Err(invalid("params.ground", "cite the ground of Art. 50(1)"));
            }
            p.to_state = S::Terminated;
            p.outcome = Some(Outcome::Terminated);
            p.amount = Some(case.remaining());
        }
        Operation::Transfer { to_office } => {
            if *to_office == case.office {
                return Err(invalid("params.to_office", "is this case's own office"));
            }
            p.to_state = S::Transferred;
            p.outcome = Some(Outcome::Transferred);
            p.amount = Some(case.remaining());
        }
        Operation::Reduce { amount_vnd } => {
            if amount_vnd.is_zero() || *amount_vnd > case.remaining() {
                return Err(invalid(
                    "params.amount_vnd",
                    format!("must be between 1 and the {} still due", case.remaining()),
                ));
            }
            p.reduced = case
                .reduced
                .checked_add(*amount_vnd)
                .ok_or_else(|| invalid("params.amount_vnd", "too large"))?;
            p.amount = Some(*amount_vnd);
        }
        Operation::Close => {
            p.to_state = S::Closed;
        }
    }
    if p.to_state.is_finished() {
        // Nothing is owed by the office any more: open deadlines end with the case.
        p.complete = Step::ALL.to_vec();
        p.start.clear();
    }
    Ok(p)
}

#[cfg(test)]
mod tests;
