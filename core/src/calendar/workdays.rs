//! [`Calendar`]: which days are working days, and deadline arithmetic on them.
//!
//! Counting rule (Civil Code 2015 Arts. 147–148): a period counted in days starts on the
//! day after the triggering event, so the triggering day itself is never counted; a period
//! whose last day is a day off ends at the end of the next working day (Art. 148(5)).
//! Working days are the days Monday to Friday that are not a day off, plus Saturdays and
//! Sundays the government announced as working days.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use time::{Date, Duration, Month};

use super::config::CalendarConfig;
use super::holidays::{compensatory_days, is_weekend, statutory_holidays, Reason};
use super::lunar;
use super::CalendarError;

pub use super::holidays::{FIRST_YEAR, LAST_YEAR};

/// Days before and after lunar new year's day during which no coercion may be organised
/// (Decree 62/2015 Art. 8, "15 ngày trước và sau Tết Nguyên đán").
pub const TET_BLACKOUT_DAYS: i64 = 15;

/// The working-day calendar built from a [`CalendarConfig`], with every day off of
/// [`FIRST_YEAR`]..=[`LAST_YEAR`] computed once so queries are lookups.
#[derive(Debug, Clone)]
pub struct Calendar {
    config: CalendarConfig,
    days_off: BTreeMap<Date, Reason>,
    extra_working: BTreeSet<Date>,
}

impl Calendar {
    /// Builds the calendar and checks the configuration against the holidays it produces.
    ///
    /// # Errors
    /// [`CalendarError::InvalidConfig`] when the configuration contradicts itself (a make-up
    /// working day that is a weekday or a day off, a swap giving a weekend day off, …);
    /// [`CalendarError::YearOutOfRange`] when a configured date lies outside the range.
    pub fn new(config: CalendarConfig) -> Result<Self, CalendarError> {
        config.validate()?;
        let configured = config
            .extra_days_off
            .iter()
            .chain(&config.extra_working_days)
            .chain(config.swaps.iter().flat_map(|s| [&s.day_off, &s.work_on]))
            .chain(config.national_day_adjacent.values())
            .chain(config.tet_days.values().flatten());
        for &d in configured {
            check(d)?;
        }

        let mut statutory = BTreeMap::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            for (d, reason) in statutory_holidays(year, &config)? {
                statutory.entry(d).or_insert(reason);
            }
        }
        let mut announced: BTreeSet<Date> = config.extra_days_off.iter().copied().collect();
        for swap in &config.swaps {
            if is_weekend(swap.day_off) {
                return invalid(format!("swap gives {} off, a weekend day", swap.day_off));
            }
            announced.insert(swap.day_off);
        }
        let mut days_off = statutory.clone();
        if config.compensate_weekend_holidays {
            for d in compensatory_days(&statutory, &announced) {
                days_off.entry(d).or_insert(Reason::Compensatory);
            }
        }
        for &d in &announced {
            days_off.entry(d).or_insert(Reason::Announced);
        }

        let mut extra_working = BTreeSet::new();
        let work_on = config.swaps.iter().map(|s| s.work_on);
        for d in config.extra_working_days.iter().copied().chain(work_on) {
            if !is_weekend(d) {
                return invalid(format!("make-up working day {d} is not a weekend day"));
            }
            if let Some(reason) = days_off.get(&d) {
                return invalid(format!("make-up working day {d} is a day off ({reason:?})"));
            }
            extra_working.insert(d);
        }
        Ok(Self {
            config,
            days_off,
            extra_working,
        })
    }

    /// The configuration the calendar was built from.
    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// Whether `date` is a working day: Monday to Friday and not a day off, or an announced
    /// make-up working day.
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        check(date)?;
        Ok(self.working(date))
    }

    /// Why `date` is a day off, if it is one for a reason other than an ordinary weekend.
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    pub fn day_off_reason(&self, date: Date) -> Result<Option<Reason>, CalendarError> {
        check(date)?;
        Ok(self.days_off.get(&date).copied())
    }

    /// The date `n` working days after `start`, for limits counted in working days ("05
    /// ngày làm việc kể từ ngày nhận").
    ///
    /// `start` itself is never counted, whether or not it is a working day: the result is
    /// the `n`-th working day strictly after `start`. For `n = 0` the result is `start` if
    /// it is a working day, else the next working day (the limit is "today", moved off a
    /// day off).
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] when `start` or the result lies outside the range.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        check(start)?;
        if n == 0 {
            return self.working_day_on_or_after(start);
        }
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = next(d)?;
            if self.working(d) {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The number of working days `d` with `a < d <= b` (0 when `b <= a`): the inverse of
    /// [`Calendar::add_working_days`], so `working_days_between(a, add_working_days(a, n))
    /// == n` for `n >= 1`.
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] when `a` or `b` lies outside the range.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<u32, CalendarError> {
        check(a)?;
        check(b)?;
        let mut count: u32 = 0;
        let mut d = a;
        while d < b {
            d = next(d)?;
            if self.working(d) {
                count = count.saturating_add(1);
            }
        }
        Ok(count)
    }

    /// The deadline of a limit counted in plain days (e.g. the 10-day voluntary period of
    /// Art. 45): `start + n` days, `start` not counted (Civil Code Art. 147(1)); when that
    /// last day is not a working day, the deadline moves to the next working day
    /// (Art. 148(5)).
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] when `start` or the result lies outside the range.
    pub fn add_calendar_days_to_deadline(
        &self,
        start: Date,
        n: u32,
    ) -> Result<Date, CalendarError> {
        check(start)?;
        let last = start
            .checked_add(Duration::days(i64::from(n)))
            .ok_or(out_of_range(LAST_YEAR.saturating_add(1)))?;
        check(last)?;
        self.working_day_on_or_after(last)
    }

    /// The deadline of a limit counted in months (e.g. the six-monthly re-verification of
    /// Art. 44): the same day `n` months later, or the month's last day when it has no such
    /// day (Civil Code Art. 147(3)); when that day is not a working day, the next working day
    /// (Art. 148(5)).
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] when `start` or the result lies outside the range.
    pub fn add_months_to_deadline(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        check(start)?;
        let months = i64::from(start.month() as u8 - 1) + i64::from(n);
        let year = i64::from(start.year()) + months / 12;
        let year = i32::try_from(year).map_err(|_| out_of_range(LAST_YEAR.saturating_add(1)))?;
        let month = Month::try_from(u8::try_from(months % 12 + 1).unwrap_or(1))
            .map_err(|_| out_of_range(year))?;
        let day = start.day().min(month.length(year));
        let last = Date::from_calendar_date(year, month, day).map_err(|_| out_of_range(year))?;
        check(last)?;
        self.working_day_on_or_after(last)
    }

    /// The days off of `year` other than ordinary weekends, with their reasons, in date
    /// order: statutory holidays (also when they fall on a weekend), compensatory days and
    /// announced days off.
    ///
    /// # Errors
    /// [`CalendarError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    pub fn days_off_in(&self, year: i32) -> Result<Vec<(Date, Reason)>, CalendarError> {
        let bound =
            |month, day| Date::from_calendar_date(year, month, day).map_err(|_| out_of_range(year));
        let (first, last) = (bound(Month::January, 1)?, bound(Month::December, 31)?);
        check(first)?;
        Ok(self
            .days_off
            .range(first..=last)
            .map(|(&d, &r)| (d, r))
            .collect())
    }

    fn working(&self, date: Date) -> bool {
        self.extra_working.contains(&date)
            || (!is_weekend(date) && !self.days_off.contains_key(&date))
    }

    fn working_day_on_or_after(&self, start: Date) -> Result<Date, CalendarError> {
        let mut d = start;
        while !self.working(d) {
            d = next(d)?;
        }
        Ok(d)
    }
}

/// The calendar of the built-in [`CalendarConfig::default`], built once per process.
///
/// # Errors
/// The error of [`Calendar::new`] should the built-in configuration be inconsistent (a bug
/// caught by the tests).
pub fn default_calendar() -> Result<&'static Calendar, CalendarError> {
    static DEFAULT: OnceLock<Result<Calendar, CalendarError>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| Calendar::new(CalendarConfig::default()))
        .as_ref()
        .map_err(Clone::clone)
}

/// [`Calendar::add_working_days`] on the default calendar: the entry point of the CLI.
///
/// # Errors
/// [`CalendarError::YearOutOfRange`] outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn add_working_days_default(start: Date, n: u32) -> Result<Date, CalendarError> {
    default_calendar()?.add_working_days(start, n)
}

/// Whether `date` lies within [`TET_BLACKOUT_DAYS`] days before or after lunar new year's
/// day (both ends included), when coercion must not be scheduled (Decree 62/2015 Art. 8).
/// The window is counted from mùng 1 Tết; the Tết days themselves are inside it.
///
/// # Errors
/// [`CalendarError::YearOutOfRange`] outside the lunar conversion's range (1900..=2199).
pub fn is_tet_coercion_blackout(date: Date) -> Result<bool, CalendarError> {
    let year = date.year();
    let tet = lunar::lunar_new_year(year).ok_or(CalendarError::YearOutOfRange {
        year,
        first: lunar::FIRST_YEAR,
        last: lunar::LAST_YEAR,
    })?;
    // Tết falls between 21 January and 20 February, so the window never crosses a year
    // boundary and only this year's Tết matters.
    Ok((date - tet).whole_days().abs() <= TET_BLACKOUT_DAYS)
}

fn out_of_range(year: i32) -> CalendarError {
    CalendarError::YearOutOfRange {
        year,
        first: FIRST_YEAR,
        last: LAST_YEAR,
    }
}

fn check(date: Date) -> Result<(), CalendarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(out_of_range(date.year()))
    }
}

fn next(date: Date) -> Result<Date, CalendarError> {
    let d = date
        .next_day()
        .ok_or(out_of_range(date.year().saturating_add(1)))?;
    check(d)?;
    Ok(d)
}

fn invalid<T>(msg: String) -> Result<T, CalendarError> {
    Err(CalendarError::InvalidConfig(msg))
}
