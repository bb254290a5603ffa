//! [`CalendarConfig`]: what the statute leaves to the government each year (the exact Tết
//! days, the day next to National Day, swapped working days, extra days off), with the
//! announcements known when this was written as the default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::macros::date;
use time::{Date, Month};

use super::serde_dates;
use super::CalendarError;

/// The configurable part of the working-day calendar.
///
/// In a configuration file, a field that is left out keeps its built-in value (see
/// [`CalendarConfig::default`]); a field that is given replaces the built-in list or map
/// entirely, so copy the defaults (serialize `CalendarConfig::default()`) before extending
/// them. Dates are written `YYYY-MM-DD`; map keys are years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    /// Apply Labour Code 2019 Art. 111(3): a statutory holiday falling on Saturday or Sunday
    /// gives a compensatory day off on the next working day. On by default.
    pub compensate_weekend_holidays: bool,
    /// The five statutory Tết days (Art. 112(1)(b)) of a year, keyed by the Gregorian year of
    /// lunar new year's day, when the government chose other days than the default rule
    /// (last day of the lunar year plus mùng 1 to mùng 4). Weekend days among them still
    /// give compensatory days. Days around them that are off only because of an
    /// announcement belong in `extra_days_off` or `swaps`.
    #[serde(with = "serde_dates::year_map_vec")]
    pub tet_days: BTreeMap<i32, Vec<Date>>,
    /// The day next to National Day (Art. 112(1)(đ)), 1 or 3 September, keyed by year, when
    /// it is not the default 1 September.
    #[serde(with = "serde_dates::year_map")]
    pub national_day_adjacent: BTreeMap<i32, Date>,
    /// Government-announced days off that are neither statutory nor part of a swap (e.g. a
    /// bridge day given outright). They give no compensatory day.
    #[serde(with = "serde_dates::iso_vec")]
    pub extra_days_off: Vec<Date>,
    /// Government-announced working days on a Saturday or Sunday that are not part of a
    /// swap listed in `swaps`.
    #[serde(with = "serde_dates::iso_vec")]
    pub extra_working_days: Vec<Date>,
    /// Announced swaps (hoán đổi ngày làm việc): a weekday given off, worked back on a
    /// Saturday or Sunday.
    pub swaps: Vec<Swap>,
    /// Further statutory holidays on a fixed solar date, should the law add any (the Law
    /// may, for instance, add 24 November; that is not confirmed, so none is set by
    /// default). They count like the holidays of Art. 112, compensation included.
    pub extra_solar_holidays: Vec<SolarHoliday>,
}

/// A swap of a working day for a weekend day, as the government announces them to build
/// long holiday breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Swap {
    /// The weekday that becomes a day off.
    #[serde(with = "serde_dates::iso")]
    pub day_off: Date,
    /// The Saturday or Sunday worked in its place.
    #[serde(with = "serde_dates::iso")]
    pub work_on: Date,
}

/// A statutory holiday on a fixed solar date, from a given year on, so a change in the law
/// can be configured without a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolarHoliday {
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// First year the holiday applies.
    pub from_year: i32,
    /// Name, for listings and logs.
    pub name: String,
}

impl SolarHoliday {
    /// The holiday's date in `year`, or `None` before `from_year` (or on 29 February of a
    /// common year).
    pub fn date_in(&self, year: i32) -> Option<Date> {
        if year < self.from_year {
            return None;
        }
        let month = Month::try_from(self.month).ok()?;
        Date::from_calendar_date(year, month, self.day).ok()
    }
}

impl Default for CalendarConfig {
    /// The statutory rules plus the government announcements known at the time of writing.
    ///
    /// Sources and confidence (official = read in a government notice or a paper quoting
    /// it; secondary = press reports only):
    /// - Tết days: 2021 10–14 Feb (+ compensatory 15–16; 7-day break, vietnamnet on the
    ///   labour ministry's plan, secondary); 2022 31 Jan–4 Feb (Công văn 245/VPCP of
    ///   11/01/2022, secondary); 2023 20–24 Jan (+ 25–26; break 20–26 Jan, secondary);
    ///   2024 8–12 Feb (+ 13–14; labour-ministry notice "5 days of Tết and 2 compensatory
    ///   days under Art. 111(3)", official via press); 2025 27–31 Jan (9-day break 25 Jan–
    ///   2 Feb = "5 official days + 4 weekend days", Công văn 8726/VPCP-KGVX of 26/11/2024,
    ///   secondary); 2026 16–20 Feb (29 Chạp to mùng 4, break 14–22 Feb, no swap, official
    ///   via VNA). 2027: nothing announced yet; the default rule applies (5–9 Feb, with
    ///   compensatory 10–11 Feb for the weekend days).
    /// - National Day adjacent day: 2021 3 Sep and 2024 3 Sep (secondary, consistent
    ///   reports); 2025 1 Sep (break 30 Aug–2 Sep, secondary). 2022, 2023 and 2026 are
    ///   believed to be 1 Sep, the default. For 2026 the press reports a 5-day break
    ///   29 Aug–2 Sep, which implies a swap of Monday 31 Aug; its make-up day was not
    ///   found, so it is NOT configured: add it when confirmed.
    /// - Swaps: 29 Apr 2024 ↔ Sat 4 May 2024 (secondary, several reports); 2 May 2025 ↔
    ///   Sat 26 Apr 2025 (secondary); 2 Jan 2026 ↔ Sat 10 Jan 2026 (Công văn
    ///   12729/VPCP-KGVX of 25/12/2025, official, reported by baohiemxahoi.gov.vn).
    ///   Swaps of 2021–2023 were not researched and are not configured.
    /// - Not included: 24 November (Vietnamese Culture Day) as a day off: not confirmed.
    fn default() -> Self {
        let tet_days = BTreeMap::from([
            (2021, days(date!(2021 - 02 - 10), 5)),
            (2022, days(date!(2022 - 01 - 31), 5)),
            (2023, days(date!(2023 - 01 - 20), 5)),
            (2024, days(date!(2024 - 02 - 08), 5)),
            (2025, days(date!(2025 - 01 - 27), 5)),
            (2026, days(date!(2026 - 02 - 16), 5)),
        ]);
        let national_day_adjacent = BTreeMap::from([
            (2021, date!(2021 - 09 - 03)),
            (2024, date!(2024 - 09 - 03)),
            (2025, date!(2025 - 09 - 01)),
        ]);
        let swaps = vec![
            Swap {
                day_off: date!(2024 - 04 - 29),
                work_on: date!(2024 - 05 - 04),
            },
            Swap {
                day_off: date!(2025 - 05 - 02),
                work_on: date!(2025 - 04 - 26),
            },
            Swap {
                day_off: date!(2026 - 01 - 02),
                work_on: date!(2026 - 01 - 10),
            },
        ];
        Self {
            compensate_weekend_holidays: true,
            tet_days,
            national_day_adjacent,
            extra_days_off: Vec::new(),
            extra_working_days: Vec::new(),
            swaps,
            extra_solar_holidays: Vec::new(),
        }
    }
}

impl CalendarConfig {
    /// The bare statutory rules with no announcement at all: the baseline for years nobody
    /// has announced, and for tests of the rules themselves.
    pub fn statutory_only() -> Self {
        Self {
            compensate_weekend_holidays: true,
            tet_days: BTreeMap::new(),
            national_day_adjacent: BTreeMap::new(),
            extra_days_off: Vec::new(),
            extra_working_days: Vec::new(),
            swaps: Vec::new(),
            extra_solar_holidays: Vec::new(),
        }
    }

    /// Checks what can be checked without the holiday table: map keys match the dates'
    /// years, adjacent days are 1 or 3 September, solar holidays name a real day.
    ///
    /// # Errors
    /// [`CalendarError::InvalidConfig`] naming the first problem found.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let bad = |msg: String| Err(CalendarError::InvalidConfig(msg));
        for (&year, &d) in &self.national_day_adjacent {
            if d.year() != year || d.month() != Month::September || ![1, 3].contains(&d.day()) {
                return bad(format!(
                    "national_day_adjacent[{year}] = {d}: must be 1 or 3 September {year}"
                ));
            }
        }
        for (&year, list) in &self.tet_days {
            if list.is_empty() {
                return bad(format!("tet_days[{year}] is empty"));
            }
            if let Some(d) = list.iter().find(|d| d.year() != year) {
                return bad(format!("tet_days[{year}] holds {d}, of another year"));
            }
        }
        for h in &self.extra_solar_holidays {
            // 2024 is a leap year, so 29 February passes.
            if Month::try_from(h.month)
                .ok()
                .and_then(|m| Date::from_calendar_date(2024, m, h.day).ok())
                .is_none()
            {
                return bad(format!(
                    "extra solar holiday {:?}: {}/{} is not a day",
                    h.name, h.day, h.month
                ));
            }
        }
        Ok(())
    }
}

/// `count` consecutive days from `start`.
fn days(start: Date, count: u8) -> Vec<Date> {
    let mut out = Vec::with_capacity(usize::from(count));
    let mut d = Some(start);
    for _ in 0..count {
        let Some(day) = d else { break };
        out.push(day);
        d = day.next_day();
    }
    out
}
