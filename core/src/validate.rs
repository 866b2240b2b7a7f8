//! Input checks shared by every action. A check collects every problem with the input before
//! refusing it, so the engineer fixes the form once, not field by field.

use chrono::{DateTime, Utc};

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

    /// A time window: the end strictly after the start.
    pub fn window(mut self, field: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        if end <= start {
            self.problem(field, Problem::EndBeforeStart);
        }
        self
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
