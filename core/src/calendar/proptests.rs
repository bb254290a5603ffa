//! Property tests of the calendar arithmetic and of the lunar conversion.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use time::macros::date;
use time::Date;

use super::*;

fn date_between(first: Date, last: Date) -> impl Strategy<Value = Date> {
    (first.to_julian_day()..=last.to_julian_day()).prop_map(|j| Date::from_julian_day(j).unwrap())
}

fn working_dates() -> impl Strategy<Value = Date> {
    // Far enough from 2199 that n + 1 < 400 working days (under two years) stay in range.
    date_between(date!(2021 - 01 - 01), date!(2196 - 12 - 31))
}

// Lunar year 1900 begins on 31 January 1900; days before it belong to lunar 1899, outside the
// supported range.
proptest! {
    #[test]
    fn lunar_round_trips(d in date_between(date!(1900 - 01 - 31), date!(2199 - 12 - 31))) {
        let l = solar_to_lunar(d).unwrap();
        prop_assert!((1..=12).contains(&l.month));
        prop_assert!((1..=30).contains(&l.day));
        prop_assert_eq!(lunar_to_solar(l.year, l.month, l.day, l.leap), Some(d));
    }

    #[test]
    fn adding_working_days_lands_on_a_later_working_day(d in working_dates(), n in 1u32..400) {
        let c = default_calendar().unwrap();
        let due = c.add_working_days(d, n).unwrap();
        prop_assert!(due > d);
        prop_assert!(c.is_working_day(due).unwrap());
        prop_assert_eq!(c.working_days_between(d, due).unwrap(), n);
        prop_assert!(c.add_working_days(d, n + 1).unwrap() > due);
    }

    #[test]
    fn zero_working_days_is_the_first_working_day_on_or_after(d in working_dates()) {
        let c = default_calendar().unwrap();
        let due = c.add_working_days(d, 0).unwrap();
        prop_assert!(due >= d);
        prop_assert!(c.is_working_day(due).unwrap());
        let mut x = d;
        while x < due {
            prop_assert!(!c.is_working_day(x).unwrap());
            x = x.next_day().unwrap();
        }
    }

    #[test]
    fn plain_day_deadlines_are_working_days_not_before_the_last_day(
        d in working_dates(),
        n in 0u32..60,
    ) {
        let c = default_calendar().unwrap();
        let due = c.add_calendar_days_to_deadline(d, n).unwrap();
        let last = d + time::Duration::days(i64::from(n));
        prop_assert!(due >= last);
        prop_assert!(c.is_working_day(due).unwrap());
        prop_assert!(c.working_days_between(last, due).unwrap() <= 1);
    }

    #[test]
    fn every_year_has_its_statutory_days(year in holidays::FIRST_YEAR..=holidays::LAST_YEAR) {
        let c = default_calendar().unwrap();
        let off = c.days_off_in(year).unwrap();
        let statutory = off.iter().filter(|(_, r)| r.is_statutory()).count();
        // 1 + 5 + 1 + 1 + 1 + 2 statutory days (Art. 112(1)).
        prop_assert_eq!(statutory, 11);
        let weekend = off
            .iter()
            .filter(|(d, r)| r.is_statutory() && holidays::is_weekend(*d))
            .count();
        let compensatory = off.iter().filter(|(_, r)| *r == Reason::Compensatory).count();
        prop_assert_eq!(weekend, compensatory);
    }
}
