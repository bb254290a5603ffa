//! The statutory days off of a year (Labour Code 2019 Art. 112(1), in force since
//! 1 January 2021) and the compensatory-day rule of Art. 111(3).
//!
//! Art. 112(1): (a) solar New Year, 1 January; (b) Tết, 5 days; (c) Reunification day,
//! 30 April; (d) International Labour day, 1 May; (đ) National Day, 2 September plus
//! 1 day before or after; (e) Hùng Kings' commemoration, 10th day of the 3rd lunar month.
//! Art. 112(3) lets the Prime Minister fix the exact days of (b) and (đ) each year; those
//! choices live in [`CalendarConfig`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

use super::config::CalendarConfig;
use super::lunar::{lunar_new_year, lunar_to_solar};
use super::CalendarError;

/// First year the holiday rules are modelled for: the Labour Code 2019 took effect on
/// 1 January 2021, and earlier years had other rules (a 1-day National Day, and before
/// that a 4-day Tết), which this module does not encode.
pub const FIRST_YEAR: i32 = 2021;
/// Last year the holiday rules are modelled for (the end of the lunar conversion's range).
pub const LAST_YEAR: i32 = super::lunar::LAST_YEAR;

/// Why a date is a day off, for listings and for explaining a computed deadline. Ordinary
/// weekends have no reason: they are never listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Solar New Year, 1 January (Art. 112(1)(a)).
    NewYear,
    /// One of the five Tết days (Art. 112(1)(b)).
    Tet,
    /// Hùng Kings' commemoration day, 10/3 lunar (Art. 112(1)(e)).
    HungKings,
    /// Reunification day, 30 April (Art. 112(1)(c)).
    Reunification,
    /// International Labour day, 1 May (Art. 112(1)(d)).
    Labour,
    /// National Day, 2 September, or its adjacent day (Art. 112(1)(đ)).
    National,
    /// A statutory holiday added by configuration ([`CalendarConfig::extra_solar_holidays`]).
    ExtraHoliday,
    /// A day off in compensation for a holiday that fell on a weekend (Art. 111(3)).
    Compensatory,
    /// A day off announced by the government: the day-off half of a swap, or an extra day.
    Announced,
}

impl Reason {
    /// Whether the day is a holiday of the statute itself, the kind whose falling on a
    /// weekend gives a compensatory day.
    pub fn is_statutory(self) -> bool {
        !matches!(self, Self::Compensatory | Self::Announced)
    }
}

/// Whether `date` falls on Saturday or Sunday, the weekly rest days of state agencies.
pub fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The Tết days the statute gives when the government has not chosen others: the last day
/// of the lunar year (the 30th of month 12, or the 29th when that month is short) and the
/// first four days of the new year (mùng 1 to mùng 4).
///
/// # Errors
/// [`CalendarError::YearOutOfRange`] outside the lunar conversion's range.
pub fn default_tet_days(year: i32) -> Result<Vec<Date>, CalendarError> {
    let new_year = lunar_new_year(year).ok_or(CalendarError::YearOutOfRange {
        year,
        first: super::lunar::FIRST_YEAR,
        last: super::lunar::LAST_YEAR,
    })?;
    (-1..=3)
        .map(|k| {
            new_year
                .checked_add(Duration::days(k))
                .ok_or(CalendarError::Internal("Tết day outside the date range"))
        })
        .collect()
}

/// The statutory holidays of Gregorian `year` under `config`, before compensation, sorted
/// by date. Should two holidays coincide (Hùng Kings' day can in principle fall on 30 April
/// or 1 May), the date is listed once, with the first reason: the statute says nothing of
/// such a case, so no extra day is given; announce one in the configuration if needed.
///
/// # Errors
/// [`CalendarError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn statutory_holidays(
    year: i32,
    config: &CalendarConfig,
) -> Result<Vec<(Date, Reason)>, CalendarError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange {
            year,
            first: FIRST_YEAR,
            last: LAST_YEAR,
        });
    }
    let day = |month: Month, d: u8| {
        Date::from_calendar_date(year, month, d)
            .map_err(|_| CalendarError::Internal("fixed holiday is not a date"))
    };
    let mut out = vec![(day(Month::January, 1)?, Reason::NewYear)];
    let tet = match config.tet_days.get(&year) {
        Some(days) => days.clone(),
        None => default_tet_days(year)?,
    };
    out.extend(tet.into_iter().map(|d| (d, Reason::Tet)));
    let hung_kings = lunar_to_solar(year, 3, 10, false)
        .ok_or(CalendarError::Internal("no 10/3 lunar in a supported year"))?;
    out.push((hung_kings, Reason::HungKings));
    out.push((day(Month::April, 30)?, Reason::Reunification));
    out.push((day(Month::May, 1)?, Reason::Labour));
    out.push((day(Month::September, 2)?, Reason::National));
    let adjacent = match config.national_day_adjacent.get(&year) {
        Some(&d) => d,
        None => day(Month::September, 1)?,
    };
    out.push((adjacent, Reason::National));
    out.extend(
        config
            .extra_solar_holidays
            .iter()
            .filter_map(|h| h.date_in(year))
            .map(|d| (d, Reason::ExtraHoliday)),
    );
    out.sort_by_key(|&(d, _)| d);
    out.dedup_by_key(|&mut (d, _)| d);
    Ok(out)
}

/// The compensatory days (Art. 111(3)) for the statutory holidays in `statutory` that fall
/// on a Saturday or Sunday: each gets the next weekday that is not itself a holiday, an
/// announced day off (in `announced_off`) or an earlier compensatory day. Holidays are
/// taken in date order, so a Tết falling over a weekend pushes its compensatory days to
/// just after the break, as the government's announcements do (e.g. Tết 2024: 10 and
/// 11 February compensated on 13 and 14 February).
pub fn compensatory_days(
    statutory: &BTreeMap<Date, Reason>,
    announced_off: &BTreeSet<Date>,
) -> Vec<Date> {
    let mut given = BTreeSet::new();
    for &holiday in statutory.keys().filter(|d| is_weekend(**d)) {
        let mut candidate = holiday.next_day();
        while let Some(d) = candidate {
            let closed = is_weekend(d)
                || statutory.contains_key(&d)
                || announced_off.contains(&d)
                || given.contains(&d);
            if !closed {
                break;
            }
            candidate = d.next_day();
        }
        if let Some(d) = candidate {
            given.insert(d);
        }
    }
    given.into_iter().collect()
}
