//! The limit on the right to request enforcement (thời hiệu yêu cầu thi hành án, Art. 30 of the
//! 2008 law as amended): five years from the judgment's effective date — or from the due date
//! it sets — not counting postponement, suspension or force majeure; a last day that is a day
//! off moves to the next working day.

use serde::Serialize;
use time::{Date, Duration};

use crate::calendar::{Calendar, CalendarError};

/// Years within which enforcement may be requested.
pub const LIMIT_YEARS: i32 = 5;

/// How the limit of one request falls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limitation {
    /// The day the five years start.
    pub starts_on: String,
    /// Days not counted (merged periods, each day once).
    pub excluded_days: i64,
    /// The last day a request may be filed.
    pub ends_on: String,
    /// The legal basis shown to the filer.
    pub legal_basis: &'static str,
}

/// The same day `years` later (28 February for 29 February in a common year).
fn years_later(d: Date, years: i32) -> Option<Date> {
    let year = d.year().checked_add(years)?;
    let day = d.day().min(d.month().length(year));
    Date::from_calendar_date(year, d.month(), day).ok()
}

/// Days covered by the periods, each day counted once however the periods overlap.
pub fn excluded_days(periods: &[(Date, Date)]) -> i64 {
    let mut sorted: Vec<(Date, Date)> = periods.iter().copied().filter(|(a, b)| a <= b).collect();
    sorted.sort();
    let mut total = 0i64;
    let mut current: Option<(Date, Date)> = None;
    for (from, to) in sorted {
        current = match current {
            Some((a, b)) if from <= b + Duration::days(1) => Some((a, b.max(to))),
            Some((a, b)) => {
                total += (b - a).whole_days() + 1;
                Some((from, to))
            }
            None => Some((from, to)),
        };
    }
    if let Some((a, b)) = current {
        total += (b - a).whole_days() + 1;
    }
    total
}

/// The limitation of a request under a judgment effective on `start` (or due then), with
/// `excluded` periods not counted.
pub fn limitation(
    calendar: &Calendar,
    start: Date,
    excluded: &[(Date, Date)],
) -> Result<Limitation, CalendarError> {
    let days = excluded_days(excluded);
    let raw = years_later(start, LIMIT_YEARS).ok_or(CalendarError::YearOutOfRange {
        year: start.year().saturating_add(LIMIT_YEARS),
        first: crate::calendar::holidays::FIRST_YEAR,
        last: crate::calendar::holidays::LAST_YEAR,
    })?;
    let ends =
        calendar.add_calendar_days_to_deadline(raw, u32::try_from(days).unwrap_or(u32::MAX))?;
    Ok(Limitation {
        starts_on: start.to_string(),
        excluded_days: days,
        ends_on: ends.to_string(),
        legal_basis: "Điều 30 Luật Thi hành án dân sự 2008 (sửa đổi 2014)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarConfig;
    use time::macros::date;
    use time::Month;

    #[test]
    fn five_years_with_excluded_periods_and_days_off() {
        let cal = Calendar::new(CalendarConfig::default()).unwrap();
        // Effective Tue 13 Apr 2021: five years end Mon 13 Apr 2026.
        let l = limitation(&cal, date!(2021 - 04 - 13), &[]).unwrap();
        assert_eq!(l.ends_on, "2026-04-13");
        // Effective Sat 2 Sep 2017 ... 2 Sep 2022 is National Day (Friday): Mon 5 Sep 2022.
        let l = limitation(&cal, date!(2017 - 09 - 02), &[]).unwrap();
        assert_eq!(l.ends_on, "2022-09-05");
        // 29 Feb 2024 + 5 years: 28 Feb 2029 (a Wednesday).
        let l = limitation(&cal, date!(2024 - 02 - 29), &[]).unwrap();
        assert_eq!(l.ends_on, "2029-02-28");
        // A 10-day postponement and an overlapping 5-day one (3 new days) add 13 days.
        let l = limitation(
            &cal,
            date!(2021 - 04 - 13),
            &[
                (date!(2023 - 01 - 01), date!(2023 - 01 - 10)),
                (date!(2023 - 01 - 08), date!(2023 - 01 - 13)),
            ],
        )
        .unwrap();
        assert_eq!(l.excluded_days, 13);
        // 13 Apr + 13 days = Sun 26 Apr (Hùng Kings' day), Mon 27 Apr is its compensation.
        assert_eq!(l.ends_on, "2026-04-28");
    }

    #[test]
    fn overlapping_and_touching_periods_count_once() {
        let d = |m, day| Date::from_calendar_date(2023, Month::try_from(m).unwrap(), day).unwrap();
        assert_eq!(excluded_days(&[]), 0);
        assert_eq!(excluded_days(&[(d(1, 1), d(1, 1))]), 1);
        assert_eq!(
            excluded_days(&[(d(1, 1), d(1, 10)), (d(1, 11), d(1, 20))]),
            20
        );
        assert_eq!(
            excluded_days(&[(d(1, 5), d(1, 6)), (d(1, 1), d(1, 31))]),
            31
        );
        assert_eq!(
            excluded_days(&[(d(2, 1), d(1, 1))]),
            0,
            "reversed periods are ignored"
        );
    }
}
