//! Example tests of the calendar: lunar dates against the official ones, the holiday table,
//! the deadline arithmetic across Tết, and the configuration.
#![allow(clippy::unwrap_used)]

use time::macros::date;
use time::{Date, Weekday};

use super::*;

fn cal() -> &'static Calendar {
    default_calendar().unwrap()
}

#[test]
fn tet_falls_on_the_official_dates() {
    for (year, tet) in [
        (2020, date!(2020 - 01 - 25)),
        (2023, date!(2023 - 01 - 22)),
        (2024, date!(2024 - 02 - 10)),
        (2025, date!(2025 - 01 - 29)),
        (2026, date!(2026 - 02 - 17)),
        (2027, date!(2027 - 02 - 06)),
        (2028, date!(2028 - 01 - 26)),
    ] {
        assert_eq!(lunar_new_year(year), Some(tet), "Tết {year}");
        let lunar = solar_to_lunar(tet).unwrap();
        assert_eq!(
            (lunar.year, lunar.month, lunar.day, lunar.leap),
            (year, 1, 1, false)
        );
    }
}

#[test]
fn utc_plus_7_gives_the_vietnamese_not_the_chinese_tet() {
    // Years where the UTC+8 (Chinese) calendar differs: China had 1985-02-20,
    // 2007-02-18 and 1968-01-30.
    assert_eq!(lunar_new_year(1985), Some(date!(1985 - 01 - 21)));
    assert_eq!(lunar_new_year(2007), Some(date!(2007 - 02 - 17)));
    assert_eq!(lunar_new_year(1968), Some(date!(1968 - 01 - 29)));
}

#[test]
fn hung_kings_day_falls_on_the_official_dates() {
    for (year, day) in [
        (2024, date!(2024 - 04 - 18)),
        (2025, date!(2025 - 04 - 07)),
        (2026, date!(2026 - 04 - 26)),
        (2027, date!(2027 - 04 - 16)),
    ] {
        assert_eq!(lunar_to_solar(year, 3, 10, false), Some(day), "{year}");
    }
}

#[test]
fn leap_months_are_found() {
    // 2020: leap 4th month; 2023: leap 2nd month; 2025: leap 6th month.
    for (year, leap_month) in [(2020, 4), (2023, 2), (2025, 6)] {
        for m in 1..=12u8 {
            let exists = lunar_to_solar(year, m, 1, true).is_some();
            assert_eq!(exists, m == leap_month, "{year} month {m}");
        }
        let start = lunar_to_solar(year, leap_month, 1, true).unwrap();
        let back = solar_to_lunar(start).unwrap();
        assert_eq!((back.month, back.day, back.leap), (leap_month, 1, true));
    }
    assert_eq!(
        lunar_to_solar(2024, 4, 1, true),
        None,
        "2024 has no leap month"
    );
}

#[test]
fn impossible_lunar_dates_are_none() {
    // Month 12 of Ất Tỵ (2025) has 29 days: 29 Chạp is 2026-02-16, the eve of Tết.
    assert_eq!(
        lunar_to_solar(2025, 12, 29, false),
        Some(date!(2026 - 02 - 16))
    );
    assert_eq!(lunar_to_solar(2025, 12, 30, false), None);
    assert_eq!(lunar_to_solar(2025, 0, 1, false), None);
    assert_eq!(lunar_to_solar(2025, 13, 1, false), None);
    assert_eq!(lunar_to_solar(2025, 1, 0, false), None);
    assert_eq!(lunar_to_solar(2025, 1, 31, false), None);
    assert_eq!(lunar_to_solar(1899, 6, 1, false), None);
    assert_eq!(lunar_to_solar(2200, 6, 1, false), None);
    assert!(matches!(
        solar_to_lunar(date!(2200 - 01 - 01)),
        Err(CalendarError::YearOutOfRange { year: 2200, .. })
    ));
}

#[test]
fn hung_kings_day_never_meets_30_april_or_1_may_in_range() {
    // The holiday table lists a coinciding date once; make sure that never happens.
    for year in holidays::FIRST_YEAR..=holidays::LAST_YEAR {
        let d = lunar_to_solar(year, 3, 10, false).unwrap();
        assert!(!matches!(
            (d.month(), d.day()),
            (time::Month::April, 30) | (time::Month::May, 1)
        ));
    }
}

#[test]
fn days_off_2026_as_announced() {
    use Reason::*;
    let expected = vec![
        (date!(2026 - 01 - 01), NewYear),
        (date!(2026 - 01 - 02), Announced), // swapped with Saturday 10 January
        (date!(2026 - 02 - 16), Tet),       // 29 Chạp, last day of Ất Tỵ
        (date!(2026 - 02 - 17), Tet),
        (date!(2026 - 02 - 18), Tet),
        (date!(2026 - 02 - 19), Tet),
        (date!(2026 - 02 - 20), Tet),       // mùng 4
        (date!(2026 - 04 - 26), HungKings), // Sunday
        (date!(2026 - 04 - 27), Compensatory),
        (date!(2026 - 04 - 30), Reunification),
        (date!(2026 - 05 - 01), Labour),
        (date!(2026 - 09 - 01), National),
        (date!(2026 - 09 - 02), National),
    ];
    assert_eq!(cal().days_off_in(2026).unwrap(), expected);
    assert!(
        cal().is_working_day(date!(2026 - 01 - 10)).unwrap(),
        "make-up Saturday"
    );
    assert!(
        !cal().is_working_day(date!(2026 - 01 - 17)).unwrap(),
        "ordinary Saturday"
    );
}

#[test]
fn five_working_days_across_tet_2026() {
    // Friday 13 Feb is not counted. Skipped: Sat 14, Sun 15 (weekend); Mon 16 to Fri 20
    // (the five Tết days, 29 Chạp to mùng 4); Sat 21, Sun 22 (weekend). Counted: Mon 23 (1),
    // Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5).
    let due = add_working_days_default(date!(2026 - 02 - 13), 5).unwrap();
    assert_eq!(due, date!(2026 - 02 - 27));
    assert_eq!(
        cal()
            .working_days_between(date!(2026 - 02 - 13), due)
            .unwrap(),
        5
    );
}

#[test]
fn tet_2027_follows_the_default_rule_with_compensation() {
    // Nothing announced for 2027. Tết is Saturday 6 Feb: statutory days Fri 5 (last day of
    // the year) to Tue 9 (mùng 4); Sat 6 and Sun 7 give compensatory Wed 10 and Thu 11.
    let tet: Vec<Date> = cal()
        .days_off_in(2027)
        .unwrap()
        .into_iter()
        .filter(|(d, _)| d.month() == time::Month::February)
        .map(|(d, _)| d)
        .collect();
    let expected: Vec<Date> = (5..=11)
        .map(|d| Date::from_calendar_date(2027, time::Month::February, d).unwrap())
        .collect();
    assert_eq!(tet, expected);
    assert_eq!(
        holidays::default_tet_days(2027).unwrap()[0],
        date!(2027 - 02 - 05)
    );
    // Thursday 4 Feb + 1 working day: the break runs Fri 5 to Thu 11, so Fri 12.
    assert_eq!(
        add_working_days_default(date!(2027 - 02 - 04), 1).unwrap(),
        date!(2027 - 02 - 12)
    );
}

#[test]
fn weekend_holidays_give_compensatory_days() {
    // 30 Apr 2022 was a Saturday and 1 May a Sunday: off on Monday 2 and Tuesday 3 May.
    assert_eq!(date!(2022 - 04 - 30).weekday(), Weekday::Saturday);
    let reason = |d| cal().day_off_reason(d).unwrap();
    assert_eq!(reason(date!(2022 - 05 - 02)), Some(Reason::Compensatory));
    assert_eq!(reason(date!(2022 - 05 - 03)), Some(Reason::Compensatory));
    assert!(cal().is_working_day(date!(2022 - 05 - 04)).unwrap());
    // Tết 2024: Sat 10 and Sun 11 Feb compensated on Tue 13 and Wed 14 (break 8–14 Feb).
    assert_eq!(reason(date!(2024 - 02 - 13)), Some(Reason::Compensatory));
    assert_eq!(reason(date!(2024 - 02 - 14)), Some(Reason::Compensatory));
    assert!(cal().is_working_day(date!(2024 - 02 - 15)).unwrap());

    let off = Calendar::new(CalendarConfig {
        compensate_weekend_holidays: false,
        ..CalendarConfig::default()
    })
    .unwrap();
    assert!(off.is_working_day(date!(2022 - 05 - 02)).unwrap());
}

#[test]
fn zero_days_and_days_off_as_start() {
    let c = cal();
    // n = 0: the start itself when it is a working day, else the next working day.
    assert_eq!(
        c.add_working_days(date!(2026 - 02 - 24), 0).unwrap(),
        date!(2026 - 02 - 24)
    );
    assert_eq!(
        c.add_working_days(date!(2026 - 02 - 14), 0).unwrap(),
        date!(2026 - 02 - 23)
    );
    // A start on a day off is not counted either.
    assert_eq!(
        c.add_working_days(date!(2026 - 02 - 15), 1).unwrap(),
        date!(2026 - 02 - 23)
    );
    // New Year 2026: Thu 1 and Fri 2 (swap) off, weekend, then Mon 5 (1) and Tue 6 (2).
    assert_eq!(
        c.add_working_days(date!(2025 - 12 - 31), 2).unwrap(),
        date!(2026 - 01 - 06)
    );
    assert_eq!(
        c.working_days_between(date!(2026 - 03 - 02), date!(2026 - 03 - 01))
            .unwrap(),
        0
    );
}

#[test]
fn plain_day_limits_end_on_a_working_day() {
    let c = cal();
    // 10-day voluntary period notified on Fri 6 Feb 2026: day 10 is Mon 16 Feb, a Tết
    // day, so the limit runs to the next working day, Mon 23 Feb (Civil Code Art. 148(5)).
    assert_eq!(
        c.add_calendar_days_to_deadline(date!(2026 - 02 - 06), 10)
            .unwrap(),
        date!(2026 - 02 - 23)
    );
    // Notified Mon 2 Mar 2026: day 10 is Thu 12 Mar, a working day.
    assert_eq!(
        c.add_calendar_days_to_deadline(date!(2026 - 03 - 02), 10)
            .unwrap(),
        date!(2026 - 03 - 12)
    );
}

#[test]
fn tet_coercion_blackout_window() {
    // Tết 2026 is 17 Feb: the window runs from 2 Feb to 4 Mar inclusive.
    assert!(!is_tet_coercion_blackout(date!(2026 - 02 - 01)).unwrap());
    assert!(is_tet_coercion_blackout(date!(2026 - 02 - 02)).unwrap());
    assert!(is_tet_coercion_blackout(date!(2026 - 02 - 17)).unwrap());
    assert!(is_tet_coercion_blackout(date!(2026 - 03 - 04)).unwrap());
    assert!(!is_tet_coercion_blackout(date!(2026 - 03 - 05)).unwrap());
    assert!(is_tet_coercion_blackout(date!(2025 - 01 - 14)).unwrap()); // 29 Jan − 15
    assert!(is_tet_coercion_blackout(date!(2200 - 01 - 20)).is_err());
}

#[test]
fn years_out_of_range_are_errors() {
    let c = cal();
    let out =
        |r: Result<bool, CalendarError>| matches!(r, Err(CalendarError::YearOutOfRange { .. }));
    assert!(out(c.is_working_day(date!(2020 - 12 - 31))));
    assert!(out(c.is_working_day(date!(2200 - 01 - 01))));
    assert!(c.add_working_days(date!(2199 - 12 - 30), 5).is_err());
    assert!(c.days_off_in(2300).is_err());
    assert!(add_working_days_default(date!(1999 - 01 - 01), 1).is_err());
}

#[test]
fn extra_solar_holidays_are_statutory_but_off_by_default() {
    assert!(cal().is_working_day(date!(2025 - 11 - 24)).unwrap());
    let mut config = CalendarConfig::default();
    config.extra_solar_holidays.push(SolarHoliday {
        month: 11,
        day: 24,
        from_year: 2025,
        name: "Ngày Văn hóa Việt Nam".into(),
    });
    let c = Calendar::new(config).unwrap();
    assert_eq!(
        c.day_off_reason(date!(2025 - 11 - 24)).unwrap(),
        Some(Reason::ExtraHoliday)
    );
    // 24 Nov 2029 is a Saturday: compensated on Monday 26 Nov.
    assert_eq!(
        c.day_off_reason(date!(2029 - 11 - 26)).unwrap(),
        Some(Reason::Compensatory)
    );
}

#[test]
fn config_round_trips_and_rejects_unknown_fields() {
    let config = CalendarConfig::default();
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["national_day_adjacent"]["2024"], "2024-09-03");
    assert_eq!(json["swaps"][2]["work_on"], "2026-01-10");
    let back: CalendarConfig = serde_json::from_value(json).unwrap();
    assert_eq!(back, config);

    let partial: CalendarConfig =
        serde_json::from_str(r#"{"extra_days_off": ["2027-02-12"]}"#).unwrap();
    assert_eq!(
        partial.swaps, config.swaps,
        "omitted fields keep the defaults"
    );
    let c = Calendar::new(partial).unwrap();
    assert_eq!(
        c.day_off_reason(date!(2027 - 02 - 12)).unwrap(),
        Some(Reason::Announced)
    );

    assert!(serde_json::from_str::<CalendarConfig>(r#"{"swap": []}"#).is_err());
    assert!(
        serde_json::from_str::<CalendarConfig>(r#"{"extra_days_off": ["12/02/2027"]}"#).is_err()
    );
}

#[test]
fn inconsistent_configs_are_rejected() {
    let invalid = |config: CalendarConfig| {
        matches!(Calendar::new(config), Err(CalendarError::InvalidConfig(_)))
    };
    let with = |f: &dyn Fn(&mut CalendarConfig)| {
        let mut c = CalendarConfig::statutory_only();
        f(&mut c);
        c
    };
    assert!(invalid(with(&|c| {
        c.national_day_adjacent.insert(2027, date!(2027 - 09 - 04));
    })));
    assert!(invalid(with(&|c| {
        c.national_day_adjacent.insert(2027, date!(2028 - 09 - 01));
    })));
    assert!(invalid(with(&|c| c.swaps.push(Swap {
        day_off: date!(2027 - 04 - 29),
        work_on: date!(2027 - 05 - 04), // a Tuesday
    }))));
    assert!(invalid(with(&|c| c.swaps.push(Swap {
        day_off: date!(2027 - 05 - 02), // a Sunday
        work_on: date!(2027 - 05 - 08),
    }))));
    assert!(invalid(with(&|c| c
        .extra_working_days
        .push(date!(2027 - 05 - 01)))));
    assert!(invalid(with(&|c| c.extra_solar_holidays.push(
        SolarHoliday {
            month: 2,
            day: 30,
            from_year: 2027,
            name: "none".into(),
        }
    ))));
    assert!(invalid(with(&|c| {
        c.tet_days.insert(2027, vec![]);
    })));
    let far = with(&|c| c.extra_days_off.push(date!(2300 - 01 - 02)));
    assert!(matches!(
        Calendar::new(far),
        Err(CalendarError::YearOutOfRange { .. })
    ));
}

#[test]
fn a_day_where_the_mean_month_estimate_is_off_by_one_lunation() {
    // Found by the round-trip property test: this day used to come out as lunar day 31.
    let l = solar_to_lunar(time::macros::date!(2054 - 05 - 07)).unwrap();
    assert!((1..=30).contains(&l.day), "{l:?}");
    assert_eq!(
        lunar_to_solar(l.year, l.month, l.day, l.leap),
        Some(time::macros::date!(2054 - 05 - 07))
    );
}

#[test]
fn every_day_of_the_supported_range_round_trips() {
    // Exhaustive rather than sampled: a sampled test missed a day for a long time.
    let mut d = time::macros::date!(1900 - 01 - 31);
    let last = time::macros::date!(2199 - 12 - 31);
    while d <= last {
        let l = solar_to_lunar(d).unwrap();
        assert!(
            (1..=30).contains(&l.day) && (1..=12).contains(&l.month),
            "{d}: {l:?}"
        );
        assert_eq!(
            lunar_to_solar(l.year, l.month, l.day, l.leap),
            Some(d),
            "{d}: {l:?}"
        );
        d = d.next_day().unwrap();
    }
}
