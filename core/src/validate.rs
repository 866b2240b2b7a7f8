//! Input checks shared by every action. A check collects every problem with the input before
//! refusing it, so the engineer fixes the form once, not field by field. Also the parsers of the
//! plain values an app passes in (ids as text, instants as epoch milliseconds, dates as
//! `YYYY-MM-DD`): a malformed one is a typed `Invalid` error naming the field, never a panic.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{Error, FieldProblem, Problem, Result};

/// Names of people, places and things.
pub const NAME_MAX: usize = 200;
/// Codes, serials, part numbers, units.
pub const CODE_MAX: usize = 64;
/// Free text: notes, symptoms, causes, access notes.
pub const TEXT_MAX: usize = 4_000;
/// How many error codes one diagnosis may list.
pub const CODES_MAX: usize = 20;
/// Quantities and prices beyond any real visit are typing mistakes.
pub const QUANTITY_MAX: i64 = 10_000;
/// The largest unit price accepted, in cents (one million in the currency).
pub const PRICE_MAX_CENTS: i64 = 100_000_000;
/// The first day of the window every stored time and date must fall in. A value outside it is
/// a typo (year 0001, year 10000) that would poison the visit (RFC 3339 has no five-digit
/// years, so such a time could be written but never read back), and every device it syncs to.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
/// The first day after the window (exclusive).
pub const LATEST: NaiveDate = NaiveDate::from_ymd_opt(2100, 1, 1).expect("a valid date");

/// A JSON-Schema `pattern` (unanchored, so: contains one character that is not white space)
/// stating [`Check::text`]'s "not blank" in the server's OpenAPI document.
pub const NOT_BLANK_PATTERN: &str = r"\S";
/// A JSON-Schema `pattern` stating the [`EARLIEST`] .. [`LATEST`] window of a date or an RFC 3339
/// time in the server's OpenAPI document: years 2000 to 2099 (a unit test ties it to the
/// constants).
pub const IN_WINDOW_PATTERN: &str = "^20[0-9]{2}-";
/// [`IN_WINDOW_PATTERN`] for an RFC 3339 time, which the window holds in UTC: a time written on
/// the window's first or last day may lie outside it by its offset, so those two days are left
/// out (the document is stricter there than the server).
pub const IN_WINDOW_TIME_PATTERN: &str = "^(?!2000-01-01|2099-12-31)20[0-9]{2}-";

/// Whether `day` is inside [`EARLIEST`] .. [`LATEST`].
pub fn in_window(day: NaiveDate) -> bool {
    (EARLIEST..LATEST).contains(&day)
}

/// Collects problems with an input; [`Check::finish`] turns them into one error.
#[derive(Debug, Default)]
#[must_use = "a check does nothing until finish() is called"]
pub struct Check {
    problems: Vec<FieldProblem>,
}

impl Check {
    /// An empty check.
    pub fn new() -> Self {
        Check::default()
    }

    fn problem(&mut self, field: &str, problem: Problem) {
        self.problems.push(FieldProblem {
            field: field.to_owned(),
            problem,
        });
    }

    /// Required text: not blank, at most `max` characters.
    pub fn text(mut self, field: &str, value: &str, max: usize) -> Self {
        if value.trim().is_empty() {
            self.problem(field, Problem::Empty);
        } else {
            self = self.length(field, value, max);
        }
        self
    }

    /// Optional text: at most `max` characters when given.
    pub fn opt_text(self, field: &str, value: Option<&str>, max: usize) -> Self {
        match value {
            Some(v) => self.length(field, v, max),
            None => self,
        }
    }

    fn length(mut self, field: &str, value: &str, max: usize) -> Self {
        let len = value.chars().count();
        if len > max {
            self.problem(field, Problem::TooLong { max, len });
        }
        self
    }

    /// A count: 1 ..= [`QUANTITY_MAX`].
    pub fn quantity(mut self, field: &str, value: i64) -> Self {
        if value <= 0 {
            self.problem(field, Problem::NotPositive);
        } else if value > QUANTITY_MAX {
            self.problem(field, Problem::TooLarge { max: QUANTITY_MAX });
        }
        self
    }

    /// A price in cents: 0 ..= [`PRICE_MAX_CENTS`].
    pub fn price(mut self, field: &str, cents: i64) -> Self {
        if cents < 0 {
            self.problem(field, Problem::Negative);
        } else if cents > PRICE_MAX_CENTS {
            self.problem(
                field,
                Problem::TooLarge {
                    max: PRICE_MAX_CENTS,
                },
            );
        }
        self
    }

    /// A measured value: any finite number.
    pub fn finite(mut self, field: &str, value: f64) -> Self {
        if !value.is_finite() {
            self.problem(field, Problem::NotFinite);
        }
        self
    }

    /// A time inside [`EARLIEST`] .. [`LATEST`].
    pub fn time(self, field: &str, at: DateTime<Utc>) -> Self {
        self.date(field, at.date_naive())
    }

    /// A date inside [`EARLIEST`] .. [`LATEST`].
    pub fn date(mut self, field: &str, day: NaiveDate) -> Self {
        if !in_window(day) {
            self.problem(
                field,
                Problem::OutOfRange {
                    earliest: EARLIEST.to_string(),
                    latest: LATEST.to_string(),
                },
            );
        }
        self
    }

    /// An optional date: inside the window when given.
    pub fn opt_date(self, field: &str, day: Option<NaiveDate>) -> Self {
        match day {
            Some(day) => self.date(field, day),
            None => self,
        }
    }

    /// A time window: both ends inside the store's window, the end strictly after the start.
    /// (Both ends are reported under `field`, as the other window rules are.)
    pub fn window(self, field: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let mut check = self.time(field, start);
        if in_window(start.date_naive()) {
            check = check.time(field, end);
        }
        check.fail_if(end <= start, field, Problem::EndBeforeStart)
    }

    /// An appointment window: the end after the start, at most 24 hours apart.
    pub fn appointment(self, field: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        self.window(field, start, end).fail_if(
            end - start > chrono::Duration::hours(24),
            field,
            Problem::Inconsistent {
                detail: "an appointment window is at most 24 hours".into(),
            },
        )
    }

    /// A list with at least one and at most `max` items.
    pub fn items<T>(mut self, field: &str, items: &[T], max: usize) -> Self {
        if items.is_empty() {
            self.problem(field, Problem::NoItems);
        } else if items.len() > max {
            self.problem(
                field,
                Problem::TooMany {
                    max,
                    len: items.len(),
                },
            );
        }
        self
    }

    /// Adds a problem found by the caller's own rule.
    pub fn fail_if(mut self, bad: bool, field: &str, problem: Problem) -> Self {
        if bad {
            self.problem(field, problem);
        }
        self
    }

    /// `Ok` if nothing was wrong, else [`Error::Invalid`] listing every problem.
    pub fn finish(self) -> Result<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid {
                problems: self.problems,
            })
        }
    }
}

/// Parses an id an app passed in as text; a malformed one is `Invalid` naming `field`.
pub fn parse_id(field: &str, text: &str) -> Result<Uuid> {
    Uuid::parse_str(text.trim())
        .map_err(|_| Error::inconsistent(field, format!("{text:?} is not an id")))
}

/// Parses an instant an app passed in as milliseconds since the Unix epoch.
pub fn parse_epoch_ms(field: &str, ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::inconsistent(field, format!("{ms} is not a time in milliseconds")))
}

/// Parses a calendar date an app passed in as `YYYY-MM-DD`.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::inconsistent(field, format!("{text:?} is not a date (YYYY-MM-DD)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_pattern_is_the_window() {
        use chrono::Datelike;
        // `^20[0-9]{2}-`: every day of the years 2000 ..= 2099, nothing else.
        assert_eq!((EARLIEST.year(), EARLIEST.ordinal()), (2000, 1));
        assert_eq!((LATEST.year(), LATEST.ordinal()), (2100, 1));
        assert_eq!(IN_WINDOW_PATTERN, "^20[0-9]{2}-");
        assert_eq!(
            IN_WINDOW_TIME_PATTERN,
            "^(?!2000-01-01|2099-12-31)20[0-9]{2}-"
        );
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Invalid { problems } => problems[0].field.clone(),
            other => panic!("not Invalid: {other:?}"),
        }
    }

    #[test]
    fn an_apps_plain_inputs_parse_or_name_the_field() {
        let id = Uuid::now_v7();
        assert_eq!(parse_id("work_order_id", &format!(" {id} ")).ok(), Some(id));
        let err = parse_id("work_order_id", "WO-1").expect_err("not an id");
        assert_eq!(field_of(err), "work_order_id");
        let t = parse_epoch_ms("started_at_ms", 1_700_000_000_123).expect("in range");
        assert_eq!(t.timestamp_millis(), 1_700_000_000_123);
        let err = parse_epoch_ms("started_at_ms", i64::MAX).expect_err("beyond chrono");
        assert_eq!(field_of(err), "started_at_ms");
        let day = parse_date("day", "2026-12-03").expect("a date");
        assert_eq!(day.to_string(), "2026-12-03");
        let err = parse_date("day", "03.12.2026").expect_err("not ISO");
        assert_eq!(field_of(err), "day");
    }
}
