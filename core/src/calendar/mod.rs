//! Vietnam's working-day calendar (ngày làm việc), used to compute statutory deadlines.
//!
//! Time limits in the enforcement law are counted either in working days (e.g. 05 working
//! days to issue an enforcement decision) or in plain days whose last day moves to the next
//! working day when it is a day off (Civil Code 2015 Art. 148(5)). Both need to know which
//! days are days off: weekends, the statutory holidays of Labour Code 2019 Art. 112 (two of
//! them in the lunar calendar), compensatory days (Art. 111(3)) and the days off the
//! government announces each year.
//!
//! # Layout
//! - [`lunar`]: Gregorian ⇄ Vietnamese lunar calendar (Hồ Ngọc Đức's algorithm, UTC+7).
//! - [`holidays`]: the statutory holidays of a year and the compensatory-day rule.
//! - [`config`]: [`CalendarConfig`], the per-year government announcements and overrides.
//! - [`workdays`]: [`Calendar`]: working-day tests and deadline arithmetic; the Tết
//!   coercion blackout.

pub mod config;
pub mod holidays;
pub mod lunar;
mod serde_dates;
pub mod workdays;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use config::{CalendarConfig, SolarHoliday, Swap};
pub use holidays::Reason;
pub use lunar::{lunar_new_year, lunar_to_solar, solar_to_lunar, LunarDate};
pub use workdays::{
    add_working_days_default, default_calendar, is_tet_coercion_blackout, Calendar,
};

/// Why a calendar question could not be answered; callers computing a deadline must not
/// guess when the calendar does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date lies in a year the calendar does not cover (the holiday rules or the lunar
    /// conversion are not established there).
    #[error("year {year} is outside the supported range {first}..={last}")]
    YearOutOfRange {
        /// The year asked about.
        year: i32,
        /// First supported year.
        first: i32,
        /// Last supported year.
        last: i32,
    },
    /// The configuration contradicts itself or the law (e.g. a make-up working day that is
    /// a holiday, a National Day adjacent day other than 1 or 3 September).
    #[error("invalid calendar configuration: {0}")]
    InvalidConfig(String),
    /// A computation produced a value that cannot occur; a bug, reported instead of a panic.
    #[error("internal calendar error: {0}")]
    Internal(&'static str),
}
