//! Tests of the state machine: the whole path, and each kind of refusal.

use super::*;
use crate::calendar::CalendarConfig;
use crate::lifecycle::operation::{NotEnforceableGround, NoticeChannel};
use time::macros::{date, datetime};

fn office() -> OfficeCode {
    OfficeCode::parse("HCM-KV01").unwrap()
}

fn actor(role: Role, name: &str) -> Actor {
    Actor {
        username: name.into(),
        display_name: name.into(),
        role,
        office: office(),
    }
}

fn case(amount: i64) -> CaseSnapshot {
    CaseSnapshot {
        id: "case-1".into(),
        office: office(),
        state: S::Received,
        resume_state: None,
        officer: None,
        amount: Vnd::new(amount).unwrap(),
        collected: Vnd::ZERO,
        disbursed: Vnd::ZERO,
        reduced: Vnd::ZERO,
        open_deadlines: Vec::new(),
    }
}

fn vnd(n: i64) -> Vnd {
    Vnd::new(n).unwrap()
}

/// Applies a plan to a snapshot the way the store does.
fn apply(c: &mut CaseSnapshot, p: &Plan, cal: &Calendar) {
    c.state = p.to_state;
    c.resume_state = p.resume_state;
    c.officer = p.officer.clone();
    c.collected = p.collected;
    c.disbursed = p.disbursed;
    c.reduced = p.reduced;
    c.open_deadlines.retain(|(s, _)| !p.complete.contains(s));
    let rules = crate::deadlines::DeadlineRules::default();
    for (step, from) in &p.start {
        let due = rules
            .limits(rules.regime_for(*from))
            .limit(*step)
            .due(cal, *from)
            .unwrap();
        c.open_deadlines.retain(|(s, _)| s != step);
        c.open_deadlines.push((*step, due));
    }
}

struct Walk {
    cal: Calendar,
    case: CaseSnapshot,
    today: Date,
}

impl Walk {
    fn new(amount: i64) -> Self {
        Self {
            cal: Calendar::new(CalendarConfig::default()).unwrap(),
            case: case(amount),
            today: date!(2026 - 03 - 02),
        }
    }

    fn try_do(&mut self, who: &Actor, op: Operation) -> Result<Plan, Refusal> {
        let ctx = Context {
            today: self.today,
            effective_on: self.today,
            calendar: &self.cal,
        };
        let p = plan(&self.case, &op, who, ctx)?;
        apply(&mut self.case, &p, &self.cal);
        Ok(p)
    }

    fn ok(&mut self, who: &Actor, op: Operation) -> Plan {
        self.try_do(who, op).unwrap()
    }
}

#[test]
fn a_case_walks_the_main_path_to_closed() {
    let head = actor(Role::Head, "head");
    let clerk = actor(Role::Clerk, "clerk");
    let chv = actor(Role::Officer, "chv");
    let mut w = Walk::new(150_000_000);
    assert!(w.ok(&clerk, Operation::Register).register);
    let p = w.ok(
        &head,
        Operation::IssueDecision {
            decision_number: "12/QĐ-THADS".into(),
        },
    );
    assert_eq!(p.decision_number.as_deref(), Some("12/QĐ-THADS"));
    assert!(p.start.iter().any(|(s, _)| *s == Step::Notice));
    w.ok(
        &head,
        Operation::AssignOfficer {
            officer: "chv".into(),
        },
    );
    assert_eq!(w.case.state, S::OfficerAssigned);
    w.ok(
        &chv,
        Operation::Notify {
            party: NoticeParty::Creditor,
            channel: NoticeChannel::Vneid,
        },
    );
    assert_eq!(w.case.state, S::Notified);
    w.ok(
        &clerk,
        Operation::Notify {
            party: NoticeParty::Debtor,
            channel: NoticeChannel::Direct,
        },
    );
    assert_eq!(w.case.state, S::VoluntaryPeriod);
    // Notified Mon 2 March: 10 days end Thu 12 March.
    assert_eq!(
        w.case.due(Step::VoluntaryPeriod),
        Some(date!(2026 - 03 - 12))
    );
    w.today = date!(2026 - 03 - 13);
    w.ok(&chv, Operation::BeginVerification { early_reason: None });
    // Verification within 10 days of the end of the voluntary period: Sun 22 -> Mon 23 March.
    assert_eq!(w.case.due(Step::Verification), Some(date!(2026 - 03 - 23)));
    w.ok(
        &chv,
        Operation::RecordVerification {
            result: VerificationResult::Able,
            findings: "Có tài khoản tại ngân hàng".into(),
        },
    );
    assert_eq!(w.case.state, S::Measures);
    w.ok(
        &chv,
        Operation::ApplyMeasure {
            measure: Measure::FreezeAccount,
            scheduled_at: None,
            amount_vnd: Some(vnd(150_000_000)),
            income_percent: None,
        },
    );
    assert!(w.case.due(Step::CoercionAfterFreeze).is_some());
    w.ok(
        &chv,
        Operation::ApplyMeasure {
            measure: Measure::DeductAccount,
            scheduled_at: None,
            amount_vnd: Some(vnd(150_000_000)),
            income_percent: None,
        },
    );
    assert!(
        w.case.due(Step::CoercionAfterFreeze).is_none(),
        "the coercion followed"
    );
    w.ok(
        &clerk,
        Operation::RecordCollection {
            amount_vnd: vnd(150_000_000),
        },
    );
    assert_eq!(w.case.state, S::Collection);
    assert!(w.case.due(Step::Disbursement).is_some());
    w.ok(
        &chv,
        Operation::Disburse {
            amount_vnd: vnd(150_000_000),
            payee: "Nguyễn Văn An".into(),
        },
    );
    assert!(w.case.due(Step::Disbursement).is_none(), "fully paid out");
    let p = w.ok(&chv, Operation::MarkFullyEnforced);
    assert_eq!(p.outcome, Some(Outcome::FullyEnforced));
    w.ok(&head, Operation::Close);
    assert_eq!(w.case.state, S::Closed);
    assert!(w.case.open_deadlines.is_empty());
}

#[test]
fn not_yet_enforceable_is_reverified_on_schedule() {
    let head = actor(Role::Head, "head");
    let chv = actor(Role::Officer, "chv");
    let mut w = Walk::new(10_000_000);
    w.case.state = S::Verification;
    w.case.officer = Some("chv".into());
    w.today = date!(2026 - 07 - 31);
    w.ok(
        &chv,
        Operation::RecordVerification {
            result: VerificationResult::Unable,
            findings: "Không có tài sản".into(),
        },
    );
    assert_eq!(w.case.state, S::Verification);
    assert!(w.case.due(Step::NotEnforceableDecision).is_some());
    w.ok(
        &head,
        Operation::DeclareNotEnforceable {
            ground: NotEnforceableGround::NoMeans,
            yearly: false,
        },
    );
    assert_eq!(w.case.state, S::NotYetEnforceable);
    // Six months from Fri 31 July 2026: Sun 31 Jan 2027 -> Mon 1 Feb 2027.
    assert_eq!(
        w.case.due(Step::ReVerification),
        Some(date!(2027 - 02 - 01))
    );
    w.ok(&chv, Operation::Reverify);
    assert_eq!(w.case.state, S::Verification);
}

#[test]
fn postponement_returns_to_where_the_case_was() {
    let head = actor(Role::Head, "head");
    let mut w = Walk::new(1);
    w.case.state = S::Measures;
    w.ok(
        &head,
        Operation::Postpone {
            ground: "a".into(),
            until: Some(date!(2026 - 03 - 20)),
        },
    );
    assert_eq!(w.case.state, S::Postponed);
    assert_eq!(
        w.case.due(Step::ResumeDecision),
        Some(date!(2026 - 03 - 27))
    );
    w.ok(&head, Operation::Resume);
    assert_eq!(w.case.state, S::Measures);
    assert!(w.case.due(Step::ResumeDecision).is_none());
    w.ok(
        &head,
        Operation::Suspend {
            ground: "kháng nghị giám đốc thẩm".into(),
        },
    );
    w.ok(
        &head,
        Operation::Terminate {
            ground: "đương sự thỏa thuận".into(),
        },
    );
    assert_eq!(w.case.state, S::Terminated);
}

#[test]
fn illegal_transitions_name_the_state_and_the_allowed_ones() {
    let head = actor(Role::Head, "head");
    let mut w = Walk::new(1);
    let e = w
        .try_do(
            &head,
            Operation::IssueDecision {
                decision_number: "1/QĐ".into(),
            },
        )
        .unwrap_err();
    assert!(matches!(
        e,
        Refusal::IllegalTransition {
            from: S::Received,
            ..
        }
    ));
    let text = e.to_string();
    assert!(
        text.contains("received") && text.contains("registered"),
        "{text}"
    );
    w.case.state = S::Closed;
    assert!(w.try_do(&head, Operation::Resume).is_err());
    assert!(w
        .try_do(&head, Operation::Terminate { ground: "x".into() })
        .is_err());
}

#[test]
fn roles_offices_and_assignment_are_enforced() {
    let mut w = Walk::new(1);
    let e = w
        .try_do(&actor(Role::Officer, "chv"), Operation::Register)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Refusal::Role {
                role: Role::Officer,
                ..
            }
        ),
        "{e}"
    );
    let e = w
        .try_do(&actor(Role::Administrator, "root"), Operation::Register)
        .unwrap_err();
    assert!(matches!(e, Refusal::Role { .. }));
    let mut other = actor(Role::Clerk, "c2");
    other.office = OfficeCode::parse("HCM-KV02").unwrap();
    assert!(matches!(
        w.try_do(&other, Operation::Register).unwrap_err(),
        Refusal::Office { .. }
    ));
    w.case.state = S::VoluntaryPeriod;
    w.case.officer = Some("chv".into());
    let e = w
        .try_do(
            &actor(Role::Officer, "someone-else"),
            Operation::BeginVerification {
                early_reason: Some("x".into()),
            },
        )
        .unwrap_err();
    assert!(matches!(e, Refusal::NotAssigned { .. }), "{e}");
    // Only the head orders an exit ban.
    w.case.state = S::Measures;
    let ban = Operation::ApplyMeasure {
        measure: Measure::ExitBan,
        scheduled_at: None,
        amount_vnd: None,
        income_percent: None,
    };
    assert!(matches!(
        w.try_do(&actor(Role::Officer, "chv"), ban.clone())
            .unwrap_err(),
        Refusal::Role { .. }
    ));
    w.ok(&actor(Role::Head, "head"), ban);
}

#[test]
fn verification_waits_for_the_voluntary_period_unless_there_is_a_reason() {
    let chv = actor(Role::Officer, "chv");
    let mut w = Walk::new(1);
    w.case.state = S::VoluntaryPeriod;
    w.case.officer = Some("chv".into());
    w.case.open_deadlines = vec![(Step::VoluntaryPeriod, date!(2026 - 03 - 12))];
    let e = w
        .try_do(&chv, Operation::BeginVerification { early_reason: None })
        .unwrap_err();
    assert!(e.to_string().contains("2026-03-12"), "{e}");
    w.ok(
        &chv,
        Operation::BeginVerification {
            early_reason: Some("tẩu tán tài sản".into()),
        },
    );
    assert_eq!(w.case.state, S::Verification);
}

#[test]
fn money_rules_hold() {
    let chv = actor(Role::Officer, "chv");
    let head = actor(Role::Head, "head");
    let mut w = Walk::new(100);
    w.case.state = S::Collection;
    w.case.officer = Some("chv".into());
    w.ok(
        &chv,
        Operation::RecordCollection {
            amount_vnd: vnd(60),
        },
    );
    let e = w
        .try_do(
            &chv,
            Operation::Disburse {
                amount_vnd: vnd(61),
                payee: "A".into(),
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("more than"), "{e}");
    let e = w.try_do(&chv, Operation::MarkFullyEnforced).unwrap_err();
    assert!(e.to_string().contains("still due"), "{e}");
    assert!(w
        .try_do(
            &head,
            Operation::Reduce {
                amount_vnd: vnd(41)
            }
        )
        .is_err());
    w.ok(
        &head,
        Operation::Reduce {
            amount_vnd: vnd(40),
        },
    );
    let e = w.try_do(&chv, Operation::MarkFullyEnforced).unwrap_err();
    assert!(e.to_string().contains("paid out"), "{e}");
    w.ok(
        &chv,
        Operation::Disburse {
            amount_vnd: vnd(60),
            payee: "A".into(),
        },
    );
    w.ok(&chv, Operation::MarkFullyEnforced);
    // A deduction larger than what is due is refused.
    let mut w = Walk::new(100);
    w.case.state = S::Measures;
    w.case.officer = Some("chv".into());
    let e = w
        .try_do(
            &chv,
            Operation::ApplyMeasure {
                measure: Measure::DeductAccount,
                scheduled_at: None,
                amount_vnd: Some(vnd(101)),
                income_percent: None,
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("Art. 76"), "{e}");
    let e = w
        .try_do(
            &chv,
            Operation::ApplyMeasure {
                measure: Measure::DeductIncome,
                scheduled_at: None,
                amount_vnd: None,
                income_percent: Some(31),
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("30 percent"), "{e}");
}

#[test]
fn on_site_coercion_is_never_scheduled_when_the_law_forbids_it() {
    let chv = actor(Role::Officer, "chv");
    let mut w = Walk::new(1);
    w.case.state = S::Measures;
    w.case.officer = Some("chv".into());
    let seize = |at| Operation::ApplyMeasure {
        measure: Measure::SeizeAssets,
        scheduled_at: at,
        amount_vnd: None,
        income_percent: None,
    };
    assert!(w.try_do(&chv, seize(None)).is_err());
    for forbidden in [
        datetime!(2026-02-20 09:00 +7), // Tết holiday
        datetime!(2026-03-03 09:00 +7), // a working day, but within 15 days after Tết
        datetime!(2027-01-25 09:00 +7), // within 15 days before Tết 2027 (6 February)
        datetime!(2026-03-25 22:30 +7), // night
        datetime!(2026-03-29 09:00 +7), // Sunday
        datetime!(2026-09-02 09:00 +7), // National Day
    ] {
        let e = w.try_do(&chv, seize(Some(forbidden))).unwrap_err();
        assert!(
            matches!(e, Refusal::Invalid { ref field, .. } if field == "params.scheduled_at"),
            "{forbidden}: {e}"
        );
    }
    w.ok(&chv, seize(Some(datetime!(2026-03-25 08:00 +7))));
}

#[test]
fn acts_cannot_be_dated_in_the_future() {
    let clerk = actor(Role::Clerk, "clerk");
    let w = Walk::new(1);
    let ctx = Context {
        today: date!(2026 - 03 - 02),
        effective_on: date!(2026 - 03 - 03),
        calendar: &w.cal,
    };
    let e = plan(&w.case, &Operation::Register, &clerk, ctx).unwrap_err();
    assert!(matches!(e, Refusal::Invalid { ref field, .. } if field == "effective_on"));
}

#[test]
fn next_operations_follow_role_and_state() {
    let mut c = case(1);
    assert_eq!(
        next_operations(&c, &actor(Role::Clerk, "c")),
        vec!["register"]
    );
    assert!(next_operations(&c, &actor(Role::Officer, "o")).is_empty());
    c.state = S::Registered;
    let head = next_operations(&c, &actor(Role::Head, "h"));
    assert!(head.contains(&"issue_decision") && head.contains(&"terminate"));
    // Every state but closed has some operation for some role.
    for s in CaseState::ALL {
        c.state = s;
        c.officer = Some("o".into());
        let any = [Role::Head, Role::Officer, Role::Clerk]
            .into_iter()
            .any(|r| !next_operations(&c, &actor(r, "o")).is_empty());
        assert_eq!(any, s != S::Closed, "{s}");
    }
}
