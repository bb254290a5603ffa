//! The regimes and their time limits. The 2008/2014 values are confirmed against the legal
//! text (see `shared/DOMAIN.md` §1); the 2025 law's article-level limits are not yet confirmed,
//! so its defaults repeat the 2008/2014 values and say so — configuration replaces them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::calendar::{Calendar, CalendarError};

/// Which law governs a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Luật THADS 26/2008/QH12 as amended by Law 64/2014/QH13.
    Law2008,
    /// Luật THADS 106/2025/QH15, in force from 1 July 2026.
    Law2025,
}

impl Regime {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Law2008 => "law_2008",
            Self::Law2025 => "law_2025",
        }
    }
}

/// How a limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Working days (ngày làm việc): weekends and days off are skipped.
    WorkingDays,
    /// Plain days; a last day that is a day off moves to the next working day
    /// (Civil Code 2015 Art. 148(5)).
    Days,
    /// Calendar months, ending on the same day of the month (or the month's last day); a
    /// last day that is a day off moves to the next working day.
    Months,
    /// Hours from the triggering event (24 hours for interim measures). Tracked to the day:
    /// the limit falls on the day the last hour ends, counting from the end of the day of the
    /// event, and never moves for days off (the law counts hours, not working days).
    Hours,
}

/// The steps whose time limit the hub computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Issue the decision to enforce ex officio (ra quyết định thi hành án chủ động), counted
    /// from receiving the judgment.
    DecisionExOfficio,
    /// Issue the decision to enforce on request, counted from receiving the request.
    DecisionOnRequest,
    /// Issue the decision to enforce an interim measure (biện pháp khẩn cấp tạm thời), counted
    /// in hours from receiving the court's decision.
    DecisionInterimMeasure,
    /// Send the decision to enforce to the procuracy (Viện kiểm sát), counted from its issue.
    SendToProcuracy,
    /// Send a decision or other document to the parties, counted from its issue.
    Notice,
    /// The voluntary compliance period, counted from (valid) notice of the decision.
    VoluntaryPeriod,
    /// Verify the debtor's means, counted from the end of the voluntary period.
    Verification,
    /// Decide that the case is not yet enforceable (chưa có điều kiện thi hành án), counted
    /// from the verification result.
    NotEnforceableDecision,
    /// Verify again while the case is not yet enforceable, counted from the last verification.
    ReVerification,
    /// The yearly re-verification when the debtor serves a long prison term or cannot be found.
    ReVerificationYearly,
    /// Apply a coercive measure after freezing an account (phong tỏa), counted from the freeze.
    CoercionAfterFreeze,
    /// Issue the freeze decision after an urgent freeze by record (biên bản), counted in hours
    /// from the record.
    FreezeDecisionAfterRecord,
    /// Pay the collected money out (chi trả), counted from collecting it.
    Disbursement,
    /// Decide to resume after a postponement or suspension, counted from the end of its ground.
    ResumeDecision,
}

impl Step {
    /// Every step.
    pub const ALL: [Step; 14] = [
        Step::DecisionExOfficio,
        Step::DecisionOnRequest,
        Step::DecisionInterimMeasure,
        Step::SendToProcuracy,
        Step::Notice,
        Step::VoluntaryPeriod,
        Step::Verification,
        Step::NotEnforceableDecision,
        Step::ReVerification,
        Step::ReVerificationYearly,
        Step::CoercionAfterFreeze,
        Step::FreezeDecisionAfterRecord,
        Step::Disbursement,
        Step::ResumeDecision,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionExOfficio => "decision_ex_officio",
            Self::DecisionOnRequest => "decision_on_request",
            Self::DecisionInterimMeasure => "decision_interim_measure",
            Self::SendToProcuracy => "send_to_procuracy",
            Self::Notice => "notice",
            Self::VoluntaryPeriod => "voluntary_period",
            Self::Verification => "verification",
            Self::NotEnforceableDecision => "not_enforceable_decision",
            Self::ReVerification => "re_verification",
            Self::ReVerificationYearly => "re_verification_yearly",
            Self::CoercionAfterFreeze => "coercion_after_freeze",
            Self::FreezeDecisionAfterRecord => "freeze_decision_after_record",
            Self::Disbursement => "disbursement",
            Self::ResumeDecision => "resume_decision",
        }
    }

    /// The step as officers call it.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::DecisionExOfficio => "Ra quyết định thi hành án chủ động",
            Self::DecisionOnRequest => "Ra quyết định thi hành án theo yêu cầu",
            Self::DecisionInterimMeasure => {
                "Ra quyết định thi hành quyết định áp dụng biện pháp khẩn cấp tạm thời"
            }
            Self::SendToProcuracy => "Gửi quyết định cho Viện kiểm sát",
            Self::Notice => "Thông báo cho đương sự",
            Self::VoluntaryPeriod => "Thời hạn tự nguyện thi hành án",
            Self::Verification => "Xác minh điều kiện thi hành án",
            Self::NotEnforceableDecision => "Ra quyết định chưa có điều kiện thi hành án",
            Self::ReVerification => "Xác minh lại (6 tháng)",
            Self::ReVerificationYearly => "Xác minh lại (hằng năm)",
            Self::CoercionAfterFreeze => "Áp dụng biện pháp cưỡng chế sau phong tỏa",
            Self::FreezeDecisionAfterRecord => "Ra quyết định phong tỏa sau biên bản phong tỏa",
            Self::Disbursement => "Chi trả tiền thi hành án",
            Self::ResumeDecision => "Ra quyết định tiếp tục thi hành án",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the step is a period the law grants a party (the voluntary period) rather than
    /// an act the office must perform: passing its end is not a breach by the office.
    pub fn is_grace_period(self) -> bool {
        matches!(self, Self::VoluntaryPeriod)
    }
}

/// One limit: how long, in which unit, and on what legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Length of the period.
    pub count: u32,
    /// How it is counted.
    pub unit: Unit,
    /// The article that sets it, as shown to officers.
    pub legal_basis: String,
}

impl Limit {
    fn new(count: u32, unit: Unit, legal_basis: &str) -> Self {
        Self {
            count,
            unit,
            legal_basis: legal_basis.to_string(),
        }
    }

    /// The due date for a period starting on `start`.
    pub fn due(&self, calendar: &Calendar, start: Date) -> Result<Date, CalendarError> {
        match self.unit {
            Unit::WorkingDays => calendar.add_working_days(start, self.count),
            Unit::Days => calendar.add_calendar_days_to_deadline(start, self.count),
            Unit::Months => calendar.add_months_to_deadline(start, self.count),
            Unit::Hours => {
                Ok(start.saturating_add(time::Duration::days(i64::from(self.count.div_ceil(24)))))
            }
        }
    }
}

/// The limits of one regime, one per [`Step`]. In configuration, a regime lists only the
/// steps it changes; the others keep the regime's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RegimeLimits(BTreeMap<Step, Limit>);

impl RegimeLimits {
    /// The limit of a step.
    pub fn limit(&self, step: Step) -> &Limit {
        // Every constructor fills every step; the fallback is unreachable but total.
        self.0.get(&step).unwrap_or(&FALLBACK)
    }

    /// These limits with `overrides` replacing the steps they name.
    pub fn merged(mut self, overrides: BTreeMap<Step, Limit>) -> Self {
        self.0.extend(overrides);
        self
    }

    /// The 2008 law as amended in 2014 (values confirmed unless the basis says otherwise;
    /// see `shared/DOMAIN.md` §1).
    pub fn law_2008() -> Self {
        const L: &str = "Luật THADS 2008 (sửa đổi 2014)";
        let entries = [
            (
                Step::DecisionExOfficio,
                5,
                Unit::WorkingDays,
                "Điều 36 khoản 1",
            ),
            (
                Step::DecisionOnRequest,
                5,
                Unit::WorkingDays,
                "Điều 36 khoản 2",
            ),
            (
                Step::DecisionInterimMeasure,
                24,
                Unit::Hours,
                "Điều 36 khoản 1",
            ),
            (Step::SendToProcuracy, 3, Unit::WorkingDays, "Điều 38"),
            (Step::Notice, 3, Unit::WorkingDays, "Điều 39 khoản 2"),
            (Step::VoluntaryPeriod, 10, Unit::Days, "Điều 45"),
            (Step::Verification, 10, Unit::Days, "Điều 44 khoản 1"),
            (
                Step::NotEnforceableDecision,
                5,
                Unit::WorkingDays,
                "Điều 44a khoản 1",
            ),
            (Step::ReVerification, 6, Unit::Months, "Điều 44 khoản 2"),
            (
                Step::ReVerificationYearly,
                12,
                Unit::Months,
                "Điều 44 khoản 2",
            ),
            (Step::CoercionAfterFreeze, 10, Unit::Days, "Điều 67"),
            (
                Step::FreezeDecisionAfterRecord,
                24,
                Unit::Hours,
                "Điều 67 khoản 2",
            ),
            (Step::Disbursement, 10, Unit::Days, "Điều 47 khoản 1"),
            (
                Step::ResumeDecision,
                5,
                Unit::WorkingDays,
                "Điều 48 khoản 4, Điều 49",
            ),
        ];
        Self(
            entries
                .into_iter()
                .map(|(step, n, unit, article)| {
                    (step, Limit::new(n, unit, &format!("{article} {L}")))
                })
                .collect(),
        )
    }

    /// Law 106/2025/QH15. Its article-level limits are not confirmed yet: these defaults repeat
    /// the 2008/2014 values and cite the new law generally; set the confirmed values in
    /// `[deadlines.law_2025]`.
    pub fn law_2025() -> Self {
        let basis = "Luật THADS 106/2025/QH15 (giá trị mặc định, cần đối chiếu điều luật)";
        Self(
            Self::law_2008()
                .0
                .into_iter()
                .map(|(step, l)| (step, Limit::new(l.count, l.unit, basis)))
                .collect(),
        )
    }
}

static FALLBACK: Limit = Limit {
    count: 0,
    unit: Unit::WorkingDays,
    legal_basis: String::new(),
};

/// Every regime's limits and the day the new law took over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RulesConfig")]
pub struct DeadlineRules {
    /// Events on or after this day fall under Law 106/2025/QH15.
    #[serde(with = "iso_date")]
    pub law_2025_from: Date,
    /// Limits under the 2008/2014 law.
    pub law_2008: RegimeLimits,
    /// Limits under the 2025 law.
    pub law_2025: RegimeLimits,
    /// How many working days before a deadline the officer is warned.
    pub warn_working_days: u32,
}

/// `[deadlines]` as written: each regime names only the steps it changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RulesConfig {
    #[serde(with = "iso_date_opt")]
    law_2025_from: Option<Date>,
    law_2008: BTreeMap<Step, Limit>,
    law_2025: BTreeMap<Step, Limit>,
    warn_working_days: Option<u32>,
}

impl TryFrom<RulesConfig> for DeadlineRules {
    type Error = String;

    fn try_from(c: RulesConfig) -> Result<Self, String> {
        let defaults = Self::default();
        for (regime, map) in [("law_2008", &c.law_2008), ("law_2025", &c.law_2025)] {
            if let Some((step, _)) = map.iter().find(|(_, l)| l.count == 0) {
                return Err(format!(
                    "deadlines.{regime}.{}.count: must be at least 1",
                    step.as_str()
                ));
            }
        }
        Ok(Self {
            law_2025_from: c.law_2025_from.unwrap_or(defaults.law_2025_from),
            law_2008: defaults.law_2008.merged(c.law_2008),
            law_2025: defaults.law_2025.merged(c.law_2025),
            warn_working_days: c.warn_working_days.unwrap_or(defaults.warn_working_days),
        })
    }
}

impl Default for DeadlineRules {
    fn default() -> Self {
        Self {
            law_2025_from: Date::from_calendar_date(2026, Month::July, 1).unwrap_or(Date::MIN),
            law_2008: RegimeLimits::law_2008(),
            law_2025: RegimeLimits::law_2025(),
            warn_working_days: 2,
        }
    }
}

impl DeadlineRules {
    /// The regime governing an event on `trigger`.
    pub fn regime_for(&self, trigger: Date) -> Regime {
        if trigger >= self.law_2025_from {
            Regime::Law2025
        } else {
            Regime::Law2008
        }
    }

    /// The limits of a regime.
    pub fn limits(&self, regime: Regime) -> &RegimeLimits {
        match regime {
            Regime::Law2008 => &self.law_2008,
            Regime::Law2025 => &self.law_2025,
        }
    }
}

mod iso_date_opt {
    use serde::Deserializer;
    use time::Date;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        super::iso_date::deserialize(d).map(Some)
    }
}

mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(super) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(&text, &format).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_regime_follows_the_triggering_date() {
        let rules = DeadlineRules::default();
        assert_eq!(rules.regime_for(date!(2026 - 06 - 30)), Regime::Law2008);
        assert_eq!(rules.regime_for(date!(2026 - 07 - 01)), Regime::Law2025);
    }

    #[test]
    fn limits_count_working_days_or_days() {
        let calendar = Calendar::new(crate::calendar::CalendarConfig::default()).unwrap();
        let rules = DeadlineRules::default();
        let l = rules.limits(Regime::Law2008);
        // Fri 13 Feb 2026 + 5 working days, across Tết (16–20 Feb): Fri 27 Feb.
        assert_eq!(
            l.limit(Step::DecisionExOfficio)
                .due(&calendar, date!(2026 - 02 - 13))
                .unwrap(),
            date!(2026 - 02 - 27)
        );
        // 10 days from Wed 11 Feb 2026 end on Sat 21 Feb, a day off: moved to Mon 23 Feb.
        assert_eq!(
            l.limit(Step::VoluntaryPeriod)
                .due(&calendar, date!(2026 - 02 - 11))
                .unwrap(),
            date!(2026 - 02 - 23)
        );
    }

    #[test]
    fn configuration_overrides_only_the_steps_it_names() {
        let rules: DeadlineRules = toml::from_str(
            "law_2025_from = \"2026-07-01\"\n[law_2025.notice]\ncount = 2\nunit = \"working_days\"\nlegal_basis = \"Điều 40 Luật 106/2025/QH15\"\n",
        )
        .unwrap();
        let l = rules.limits(Regime::Law2025);
        assert_eq!(l.limit(Step::Notice).count, 2);
        assert_eq!(
            l.limit(Step::Notice).legal_basis,
            "Điều 40 Luật 106/2025/QH15"
        );
        assert_eq!(l.limit(Step::VoluntaryPeriod).count, 10);
        assert_eq!(rules.limits(Regime::Law2008).limit(Step::Notice).count, 3);
        for step in Step::ALL {
            assert!(l.limit(step).count > 0, "{step:?} has a limit");
            assert_eq!(Step::parse(step.as_str()), Some(step));
        }
        let zero = toml::from_str::<DeadlineRules>(
            "[law_2008.notice]\ncount = 0\nunit = \"days\"\nlegal_basis = \"x\"\n",
        );
        assert!(zero
            .unwrap_err()
            .to_string()
            .contains("deadlines.law_2008.notice.count"));
        assert!(toml::from_str::<DeadlineRules>(
            "[law_2008.nonsense]\ncount = 1\nunit = \"days\"\nlegal_basis = \"x\"\n"
        )
        .is_err());
    }

    #[test]
    fn months_end_on_the_same_day_or_the_month_end() {
        let calendar = Calendar::new(crate::calendar::CalendarConfig::default()).unwrap();
        let rules = DeadlineRules::default();
        let re = rules.limits(Regime::Law2008).limit(Step::ReVerification);
        // 6 months from Fri 31 Jul 2026: 31 Jan 2027 is a Sunday, so Mon 1 Feb 2027.
        assert_eq!(
            re.due(&calendar, date!(2026 - 07 - 31)).unwrap(),
            date!(2027 - 02 - 01)
        );
        // 6 months from 31 Aug 2026: February has no 31st: Sun 28 Feb 2027 -> Mon 1 Mar.
        assert_eq!(
            re.due(&calendar, date!(2026 - 08 - 31)).unwrap(),
            date!(2027 - 03 - 01)
        );
    }
}
