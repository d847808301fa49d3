//! Today's date, for the checks that compare dated data with the calendar
//! (a price list that has aged, an image past its end of life). Nothing under
//! `out/` may depend on it: only diagnostics do.
//!
//! `SOURCE_DATE_EPOCH` (seconds since 1970-01-01 UTC, the reproducible-builds
//! convention: <https://reproducible-builds.org/specs/source-date-epoch/>)
//! fixes "today" for tests and for re-running a past build; otherwise the
//! system clock's date in UTC is used.

use std::cell::Cell;

use time::{Date, OffsetDateTime};

thread_local! {
    static THREAD_TODAY: Cell<Option<Date>> = const { Cell::new(None) };
}

/// Fixes "today" for the calling thread only (`None` undoes it): for code
/// that compiles blueprints in-process, such as tests, where setting
/// `SOURCE_DATE_EPOCH` would change every thread's date.
pub fn set_thread_today(date: Option<Date>) {
    THREAD_TODAY.with(|t| t.set(date));
}

/// The date [`pin_process_today`] fixed for every thread of the process.
static PROCESS_TODAY: std::sync::OnceLock<Date> = std::sync::OnceLock::new();

/// Fixes "today" for every thread of this process, once (later calls keep
/// the first date): for a test binary that compiles blueprints in-process,
/// so dated checks (an end of life, the catalog's age) give the same answer
/// whatever day the tests run. A thread's own [`set_thread_today`] wins.
pub fn pin_process_today(date: Date) {
    let _ = PROCESS_TODAY.set(date);
}

/// Today in UTC: the calling thread's date when [`set_thread_today`] fixed
/// one, else the process's ([`pin_process_today`]), else the date of
/// `SOURCE_DATE_EPOCH` when it is set to a valid
/// number of seconds, else the system clock's. A malformed value is ignored
/// (the clock wins), as the specification asks of consumers.
pub fn today() -> Date {
    if let Some(date) = THREAD_TODAY.with(Cell::get).or_else(|| PROCESS_TODAY.get().copied()) {
        return date;
    }
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
        .date()
}

/// A calendar date written `YYYY-MM-DD` (the catalogs' `as_of`, an end of
/// life); `None` when the text is not one.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_subtract() {
        let a = parse_date("2026-02-05").unwrap();
        let b = parse_date("2026-11-30").unwrap();
        assert_eq!(days_between(a, b), 298);
        assert_eq!(days_between(b, a), -298);
        assert!(parse_date("2026-13-01").is_none());
        assert!(parse_date("5 Feb 2026").is_none());
    }
}
