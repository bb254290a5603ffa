//! Conversion between the Gregorian calendar and the Vietnamese lunar calendar (âm lịch).
//!
//! Computed, not tabulated, with Hồ Ngọc Đức's algorithm
//! (<https://www.informatik.uni-leipzig.de/~duc/amlich/>, after Meeus, *Astronomical
//! Algorithms*): a lunar month starts on the local day of a new moon; month 11 is the month
//! holding the winter solstice; a year with 13 months between two months 11 gets a leap month,
//! the first one that holds no major solar term (trung khí). Days are reckoned in UTC+7, which
//! is what makes the Vietnamese calendar differ from the Chinese one in some years (Tết 1985
//! fell on 21 January in Vietnam, 20 February in China).

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};
use time::Date;

use super::CalendarError;

/// First Gregorian (and lunar) year the conversion is offered for; the astronomical series
/// are checked against published calendars from here on.
pub const FIRST_YEAR: i32 = 1900;
/// Last Gregorian (and lunar) year the conversion is offered for; beyond it the ΔT
/// approximation drifts and nobody has checked the output.
pub const LAST_YEAR: i32 = 2199;

/// Hours east of UTC used to decide on which civil day a new moon or solar term falls.
const TIME_ZONE: f64 = 7.0;
/// Julian day of the new moon of 1 January 1900, the origin of the new-moon count `k`.
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;
/// Mean length of a synodic month in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// A day of the Vietnamese lunar calendar, so holiday rules written in lunar terms (Tết,
/// Hùng Kings' day) can be stated as they are in the law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LunarDate {
    /// Lunar year, named by the Gregorian year in which its first day falls.
    pub year: i32,
    /// Month number, 1 to 12 (a leap month repeats the number of the month before it).
    pub month: u8,
    /// Day of the month, 1 to 29 or 30.
    pub day: u8,
    /// Whether this is the leap month (tháng nhuận) carrying `month`'s number.
    pub leap: bool,
}

/// Converts a Gregorian date (years [`FIRST_YEAR`]..=[`LAST_YEAR`]) to the lunar calendar.
///
/// # Errors
/// [`CalendarError::YearOutOfRange`] outside the supported years.
pub fn solar_to_lunar(date: Date) -> Result<LunarDate, CalendarError> {
    let yy = date.year();
    check_year(yy)?;
    let day_number = i64::from(date.to_julian_day());
    let k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    // The mean-month estimate can be off by one lunation where the true new moon strays
    // from the mean (2054-05-07 gave day 31): settle on the last new moon on or before the day.
    let mut m = k + 1;
    while new_moon_day(m + 1) <= day_number {
        m += 1;
    }
    while new_moon_day(m) > day_number {
        m -= 1;
    }
    let month_start = new_moon_day(m);
    let mut a11 = lunar_month_11(yy);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = lunar_month_11(yy - 1);
    } else {
        lunar_year = yy + 1;
        b11 = lunar_month_11(yy + 1);
    }
    let lunar_day = day_number - month_start + 1;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Ok(LunarDate {
        year: lunar_year,
        month: small(lunar_month)?,
        day: small(lunar_day)?,
        leap,
    })
}

/// Converts a lunar date to the Gregorian calendar, for lunar years
/// [`FIRST_YEAR`]..=[`LAST_YEAR`].
///
/// `None` when the lunar date does not exist: month outside 1..=12, day 30 of a 29-day month,
/// `leap` asked for a month that is not the leap month of that year, or a year out of range.
pub fn lunar_to_solar(year: i32, month: u8, day: u8, leap: bool) -> Option<Date> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let (a11, b11) = if month < 11 {
        (lunar_month_11(year - 1), lunar_month_11(year))
    } else {
        (lunar_month_11(year), lunar_month_11(year + 1))
    };
    let k = (0.5 + (a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut off = i64::from(month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if leap && i64::from(month) != leap_month {
            return None;
        }
        if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return None;
    }
    let month_start = new_moon_day(k + off);
    let month_length = new_moon_day(k + off + 1) - month_start;
    if i64::from(day) > month_length {
        return None;
    }
    let julian_day = i32::try_from(month_start + i64::from(day) - 1).ok()?;
    Date::from_julian_day(julian_day).ok()
}

/// Lunar new year's day (mùng 1 Tết) of the lunar year starting in Gregorian `year`; the
/// anchor of the Tết holiday and of the Tết coercion blackout.
pub fn lunar_new_year(year: i32) -> Option<Date> {
    lunar_to_solar(year, 1, 1, false)
}

fn check_year(year: i32) -> Result<(), CalendarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::YearOutOfRange {
            year,
            first: FIRST_YEAR,
            last: LAST_YEAR,
        })
    }
}

fn small(value: i64) -> Result<u8, CalendarError> {
    u8::try_from(value).map_err(|_| CalendarError::Internal("lunar field out of range"))
}

/// Julian day number of a Gregorian date (valid for any Gregorian date after 1582).
fn julian_day(day: i64, month: i64, year: i64) -> i64 {
    let a = (14 - month) / 12;
    let y = year + 4800 - a;
    let m = month + 12 * a - 3;
    day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
}

/// Local (UTC+7) day number of the `k`-th new moon after the epoch.
fn new_moon_day(k: i64) -> i64 {
    let kf = k as f64;
    let t = kf / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * kf + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * kf - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * kf + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * kf - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin()
        - 0.4068 * (mpr * dr).sin()
        + 0.0161 * (dr * 2.0 * mpr).sin()
        - 0.0004 * (dr * 3.0 * mpr).sin()
        + 0.0104 * (dr * 2.0 * f).sin()
        - 0.0051 * (dr * (m + mpr)).sin()
        - 0.0074 * (dr * (m - mpr)).sin()
        + 0.0004 * (dr * (2.0 * f + m)).sin()
        - 0.0004 * (dr * (2.0 * f - m)).sin()
        - 0.0006 * (dr * (2.0 * f + mpr)).sin()
        + 0.0010 * (dr * (2.0 * f - mpr)).sin()
        + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    let jd_new = jd1 + c1 - delta_t;
    (jd_new + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Sector (0..=11, 30° each) of the sun's longitude at the start of local day `jdn`.
fn sun_longitude_sector(jdn: i64) -> i64 {
    let t = (jdn as f64 - 2_451_545.5 - TIME_ZONE / 24.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin()
        + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin()
        + 0.000_290 * (dr * 3.0 * m).sin();
    let mut l = (l0 + dl) * dr;
    l -= 2.0 * PI * (l / (2.0 * PI)).floor();
    (l / PI * 6.0).floor() as i64
}

/// Day number of the start of lunar month 11 (the month of the winter solstice) that
/// begins in Gregorian `year`.
fn lunar_month_11(year: i32) -> i64 {
    let off = julian_day(31, 12, i64::from(year)) - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k);
    if sun_longitude_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// Offset, counted in months after month 11 starting on `a11`, of the leap month of a
/// 13-month year: the first month holding no major solar term.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_longitude_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_longitude_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}
