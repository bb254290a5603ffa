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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use thads_schemas::office::OfficeCode;

    fn case(state: &str, officer: Option<&str>, number: Option<&str>) -> CaseInfo {
        CaseInfo {
            office: OfficeCode::parse("HCM-KV01").unwrap(),
            state: state.into(),
            officer: officer.map(Into::into),
            decision_number: number.map(Into::into),
            court_code: "C".into(),
            court_name: "C".into(),
            judgment_number: "1".into(),
            judgment_date: "2026-01-01".into(),
        }
    }

    fn actor(name: &str, role: Role, office: &str) -> Actor {
        Actor {
            username: name.into(),
            display_name: name.into(),
            role,
            office: OfficeCode::parse(office).unwrap(),
        }
    }

    /// Officers draft for the case they are assigned to (or, before any assignment, the drafts
    /// they wrote); heads draft for every case of their office.
    #[test]
    fn who_may_draft() {
        let c = case("registered", None, None);
        assert!(may_draft(&actor("h", Role::Head, "HCM-KV01"), &c, None).is_ok());
        assert!(may_draft(&actor("h", Role::Head, "HCM-KV02"), &c, None).is_err());
        assert!(may_draft(&actor("o", Role::Officer, "HCM-KV01"), &c, None).is_ok());
        assert!(may_draft(&actor("o", Role::Officer, "HCM-KV01"), &c, Some("o")).is_ok());
        assert!(may_draft(&actor("p", Role::Officer, "HCM-KV01"), &c, Some("o")).is_err());
        assert!(may_draft(&actor("k", Role::Clerk, "HCM-KV01"), &c, None).is_err());
        let assigned = case("officer_assigned", Some("o"), Some("1/QĐ-THADS"));
        assert!(may_draft(&actor("o", Role::Officer, "HCM-KV01"), &assigned, None).is_ok());
        assert!(may_draft(&actor("p", Role::Officer, "HCM-KV01"), &assigned, Some("p")).is_err());
    }

    #[test]
    fn how_a_decision_is_issued() {
        assert_eq!(
            issue_path(&case("registered", None, None), None).unwrap(),
            IssuePath::Lifecycle
        );
        assert_eq!(
            issue_path(
                &case("decision_issued", None, Some("3/QĐ-THADS")),
                Some("3/QĐ-THADS")
            )
            .unwrap(),
            IssuePath::AlreadyPerformed
        );
        assert_eq!(
            issue_path(
                &case("notified", None, Some("3/QĐ-THADS")),
                Some("4/QĐ-THADS")
            )
            .unwrap(),
            IssuePath::Supplementary
        );
        let e = issue_path(&case("received", None, None), None).unwrap_err();
        assert!(e.to_string().contains("register it first"), "{e}");
        assert!(issue_path(&case("closed", None, Some("3/QĐ-THADS")), None).is_err());
    }
}
