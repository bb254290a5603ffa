//! The decision workflow's checks: who may draft, the role and draft state each step needs,
//! and how a decision is issued on its case.

use super::store::{CaseInfo, Stored};
use super::{DecisionError, DraftState};
use crate::lifecycle::CaseState;
use crate::staff::{Actor, Role};

/// How a decision is issued on its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IssuePath {
    /// The case's first decision: `issue_decision` moves it from registered.
    Lifecycle,
    /// The lifecycle already recorded this draft's decision (a retry after a failure).
    AlreadyPerformed,
    /// A further decision on a running case (the other kind): numbered, notified and
    /// recorded, without a state change.
    Supplementary,
}

pub(super) const CLOSED: [&str; 3] = ["closed", "terminated", "transferred"];

pub(super) fn may_draft(
    actor: &Actor,
    case: &CaseInfo,
    creator: Option<&str>,
) -> Result<(), DecisionError> {
    match actor.role {
        Role::Head if actor.office == case.office => Ok(()),
        Role::Officer if actor.office == case.office => {
            let mine = match (&case.officer, creator) {
                (Some(officer), _) => officer == &actor.username,
                (None, None) => true,
                (None, Some(creator)) => creator == actor.username,
            };
            if mine {
                Ok(())
            } else {
                Err(DecisionError::Forbidden(format!(
                    "{} is not the officer of this case or of this draft",
                    actor.username
                )))
            }
        }
        _ => Err(DecisionError::Forbidden(format!(
            "drafting a decision is for the case's officer or the head; {} is signed in as {}",
            actor.username, actor.role
        ))),
    }
}

pub(super) fn require_role(actor: &Actor, role: Role, why: &str) -> Result<(), DecisionError> {
    if actor.role == role {
        Ok(())
    } else {
        Err(DecisionError::Forbidden(format!(
            "This needs the role {role}: {why}; {} is signed in as {}.",
            actor.username, actor.role
        )))
    }
}

pub(super) fn require_state(
    stored: &Stored,
    want: DraftState,
    to: &str,
) -> Result<(), DecisionError> {
    if stored.state == want {
        Ok(())
    } else {
        Err(DecisionError::Refused(format!(
            "the draft is {}; only a {} draft can be {to}",
            stored.state.as_str(),
            want.as_str()
        )))
    }
}

pub(super) fn require_editable(stored: &Stored) -> Result<(), DecisionError> {
    if stored.state.editable() {
        Ok(())
    } else {
        Err(DecisionError::Refused(format!(
            "the draft is {}; only a draft or a rejected draft can be edited or submitted",
            stored.state.as_str()
        )))
    }
}

pub(super) fn issue_path(
    case: &CaseInfo,
    reserved: Option<&str>,
) -> Result<IssuePath, DecisionError> {
    if reserved.is_some() && case.decision_number.as_deref() == reserved {
        return Ok(IssuePath::AlreadyPerformed);
    }
    let state = CaseState::parse(&case.state);
    if state == Some(CaseState::Registered) {
        return Ok(IssuePath::Lifecycle);
    }
    if case.decision_number.is_some() && !CLOSED.contains(&case.state.as_str()) {
        return Ok(IssuePath::Supplementary);
    }
    Err(DecisionError::Refused(format!(
        "the case is {}; a decision to enforce is issued once the case is registered (thụ lý): \
         register it first",
        case.state
    )))
}
