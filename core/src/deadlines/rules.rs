//! The regimes and their time limits. The 2008/2014 values are confirmed against the legal
//! text (see `shared/DOMAIN.md` §1); the 2025 law's article-level limits are not yet confirmed,
//! so its defaults repeat the 2008/2014 values and say so — configuration replaces them.

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
}

/// The steps whose time limit the hub computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Issue the decision to enforce ex officio (ra quyết định thi hành án chủ động), counted
    /// from receiving the judgment.
    DecisionExOfficio,
    /// Issue the decision to enforce on request, counted from receiving the request.
    DecisionOnRequest,
    /// Send a decision or other document to the parties, counted from its issue.
    Notice,
    /// The voluntary compliance period, counted from (valid) notice of the decision.
    VoluntaryPeriod,
    /// Verify the debtor's means, counted from the end of the voluntary period.
    Verification,
}

impl Step {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionExOfficio => "decision_ex_officio",
            Self::DecisionOnRequest => "decision_on_request",
            Self::Notice => "notice",
            Self::VoluntaryPeriod => "voluntary_period",
            Self::Verification => "verification",
        }
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
        }
    }
}

/// The limits of one regime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeLimits {
    /// See [`Step::DecisionExOfficio`].
    pub decision_ex_officio: Limit,
    /// See [`Step::DecisionOnRequest`].
    pub decision_on_request: Limit,
    /// See [`Step::Notice`].
    pub notice: Limit,
    /// See [`Step::VoluntaryPeriod`].
    pub voluntary_period: Limit,
    /// See [`Step::Verification`].
    pub verification: Limit,
}

impl RegimeLimits {
    /// The limit of a step.
    pub fn limit(&self, step: Step) -> &Limit {
        match step {
            Step::DecisionExOfficio => &self.decision_ex_officio,
            Step::DecisionOnRequest => &self.decision_on_request,
            Step::Notice => &self.notice,
            Step::VoluntaryPeriod => &self.voluntary_period,
            Step::Verification => &self.verification,
        }
    }

    /// The 2008 law as amended in 2014 (confirmed values).
    pub fn law_2008() -> Self {
        Self {
            decision_ex_officio: Limit::new(
                5,
                Unit::WorkingDays,
                "Điều 36 khoản 1 Luật THADS 2008 (sửa đổi 2014)",
            ),
            decision_on_request: Limit::new(
                5,
                Unit::WorkingDays,
                "Điều 36 khoản 2 Luật THADS 2008 (sửa đổi 2014)",
            ),
            notice: Limit::new(
                3,
                Unit::WorkingDays,
                "Điều 39 khoản 2 Luật THADS 2008 (sửa đổi 2014)",
            ),
            voluntary_period: Limit::new(10, Unit::Days, "Điều 45 Luật THADS 2008 (sửa đổi 2014)"),
            verification: Limit::new(
                10,
                Unit::Days,
                "Điều 44 khoản 1 Luật THADS 2008 (sửa đổi 2014)",
            ),
        }
    }

    /// Law 106/2025/QH15. Its article-level limits are not confirmed yet: these defaults repeat
    /// the 2008/2014 values and cite the new law generally; set the confirmed values in
    /// `[deadlines.law_2025]`.
    pub fn law_2025() -> Self {
        let basis = "Luật THADS 106/2025/QH15 (giá trị mặc định, cần đối chiếu điều luật)";
        Self {
            decision_ex_officio: Limit::new(5, Unit::WorkingDays, basis),
            decision_on_request: Limit::new(5, Unit::WorkingDays, basis),
            notice: Limit::new(3, Unit::WorkingDays, basis),
            voluntary_period: Limit::new(10, Unit::Days, basis),
            verification: Limit::new(10, Unit::Days, basis),
        }
    }
}

/// Every regime's limits and the day the new law took over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlineRules {
    /// Events on or after this day fall under Law 106/2025/QH15.
    #[serde(with = "iso_date")]
    pub law_2025_from: Date,
    /// Limits under the 2008/2014 law.
    pub law_2008: RegimeLimits,
    /// Limits under the 2025 law.
    pub law_2025: RegimeLimits,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        Self {
            law_2025_from: Date::from_calendar_date(2026, Month::July, 1).unwrap_or(Date::MIN),
            law_2008: RegimeLimits::law_2008(),
            law_2025: RegimeLimits::law_2025(),
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
            l.decision_ex_officio
                .due(&calendar, date!(2026 - 02 - 13))
                .unwrap(),
            date!(2026 - 02 - 27)
        );
        // 10 days from Wed 11 Feb 2026 end on Sat 21 Feb, a day off: moved to Mon 23 Feb.
        assert_eq!(
            l.voluntary_period
                .due(&calendar, date!(2026 - 02 - 11))
                .unwrap(),
            date!(2026 - 02 - 23)
        );
    }
}
