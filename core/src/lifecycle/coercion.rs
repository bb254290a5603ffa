//! When on-site coercion may be scheduled: never between 22:00 and 06:00, never on a day off,
//! never within 15 days before or after Tết (Art. 46 of the 2008 law; Decree 62/2015 Art. 8).

use time::{OffsetDateTime, UtcOffset};

use crate::calendar::{is_tet_coercion_blackout, Calendar};

/// First hour of the day when coercion may start (06:00, Vietnam time).
pub const EARLIEST_HOUR: u8 = 6;
/// Hour from which coercion is forbidden (22:00, Vietnam time).
pub const LATEST_HOUR: u8 = 22;

/// Why a time is forbidden for coercion, in words an officer can act on; `None` when allowed.
pub fn forbidden_reason(calendar: &Calendar, at: OffsetDateTime) -> Option<String> {
    let offset = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    let local = at.to_offset(offset);
    let date = local.date();
    let hour = local.hour();
    if !(EARLIEST_HOUR..LATEST_HOUR).contains(&hour) {
        return Some(format!(
            "{local} is at night (22:00–06:00, Vietnam time): coercion is forbidden then (Art. 46)"
        ));
    }
    match calendar.is_working_day(date) {
        Ok(true) => {}
        Ok(false) => {
            let why = calendar
                .day_off_reason(date)
                .ok()
                .flatten()
                .map(|r| format!("{r:?}"))
                .unwrap_or_else(|| "weekend".into());
            return Some(format!(
                "{date} is a day off ({why}): coercion is forbidden on days off (Art. 46)"
            ));
        }
        Err(e) => return Some(format!("{date}: {e}")),
    }
    match is_tet_coercion_blackout(date) {
        Ok(false) => None,
        Ok(true) => Some(format!(
            "{date} is within 15 days before or after Tết: coercion is forbidden (Decree 62/2015 Art. 8)"
        )),
        Err(e) => Some(format!("{date}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarConfig;
    use time::macros::datetime;

    #[test]
    fn night_days_off_and_tet_are_refused() {
        let cal = Calendar::new(CalendarConfig::default()).unwrap();
        // Wednesday 25 March 2026, 09:00 in Hanoi: allowed.
        assert_eq!(forbidden_reason(&cal, datetime!(2026-03-25 09:00 +7)), None);
        // 02:30 UTC is 09:30 in Vietnam: allowed; 16:00 UTC is 23:00: night.
        assert_eq!(
            forbidden_reason(&cal, datetime!(2026-03-25 02:30 UTC)),
            None
        );
        assert!(forbidden_reason(&cal, datetime!(2026-03-25 16:00 UTC))
            .unwrap()
            .contains("night"));
        assert!(forbidden_reason(&cal, datetime!(2026-03-25 05:59 +7))
            .unwrap()
            .contains("night"));
        assert!(forbidden_reason(&cal, datetime!(2026-03-25 22:00 +7))
            .unwrap()
            .contains("night"));
        // Saturday.
        assert!(forbidden_reason(&cal, datetime!(2026-03-28 09:00 +7))
            .unwrap()
            .contains("day off"));
        // Tết 2026 is 17 February: 4 March (a Wednesday, 15 days after) is still forbidden,
        // 5 March is allowed; 2 February (15 days before) is forbidden, 30 January allowed.
        assert!(forbidden_reason(&cal, datetime!(2026-03-04 09:00 +7))
            .unwrap()
            .contains("Tết"));
        assert_eq!(forbidden_reason(&cal, datetime!(2026-03-05 09:00 +7)), None);
        assert!(forbidden_reason(&cal, datetime!(2026-02-02 09:00 +7))
            .unwrap()
            .contains("Tết"));
        assert_eq!(forbidden_reason(&cal, datetime!(2026-01-30 09:00 +7)), None);
        // Tết 2027 is 6 February: 21 January 2027 forbidden, 20 January allowed.
        assert!(forbidden_reason(&cal, datetime!(2027-01-22 09:00 +7))
            .unwrap()
            .contains("Tết"));
        assert_eq!(forbidden_reason(&cal, datetime!(2027-01-20 09:00 +7)), None);
    }
}
