//! Time: the wall clock (injectable, so tests and benchmarks are deterministic) and the hybrid
//! logical clock that stamps every field an action writes.
//!
//! A hybrid logical clock (HLC) is the wall time in milliseconds plus a counter that breaks ties
//! and keeps stamps increasing even when the device clock jumps backwards; the client id breaks
//! ties between devices. Stamps order the same on every device and on the server, which is what
//! last-writer-wins needs.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use uuid::Uuid;

/// A source of wall time. The store asks it for "now"; tests give it a fixed one.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock of the machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: deterministic tests, seeds and benchmarks.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    /// Moves the clock by `by` (may be negative, as real device clocks do).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Formats a time the one way the store and the report write times: UTC, milliseconds, `Z`.
/// Strings in this form sort in time order.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A hybrid-logical-clock stamp. Orders by wall time, then counter, then node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (corrected device time).
    pub wall_ms: i64,
    /// Tie-breaker within one millisecond.
    pub counter: u32,
    /// The client (or server) that made the stamp.
    pub node: Uuid,
}

impl Hlc {
    /// The next stamp after `last` at corrected wall time `wall_ms`: always strictly after it.
    /// A counter at its end carries into the next millisecond: a saturated counter would hand
    /// out the same stamp again, and two edits with one stamp tie (the later one is dropped).
    pub fn tick(last_wall_ms: i64, last_counter: u32, wall_ms: i64, node: Uuid) -> Hlc {
        if wall_ms > last_wall_ms {
            Hlc {
                wall_ms,
                counter: 0,
                node,
            }
        } else if let Some(counter) = last_counter.checked_add(1) {
            Hlc {
                wall_ms: last_wall_ms,
                counter,
                node,
            }
        } else {
            Hlc {
                wall_ms: last_wall_ms.saturating_add(1),
                counter: 0,
                node,
            }
        }
    }
}

/// The stored form: fixed-width, so text order is time order.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:015}-{:010}-{}",
            self.wall_ms,
            self.counter,
            self.node.as_hyphenated()
        )
    }
}

/// A string that is not a stored HLC stamp.
#[derive(Debug, thiserror::Error)]
#[error("not an HLC stamp: {0:?}")]
pub struct BadHlc(String);

impl FromStr for Hlc {
    type Err = BadHlc;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadHlc(s.to_owned());
        let mut parts = s.splitn(3, '-');
        let wall_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let counter = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let node = parts
            .next()
            .and_then(|p| Uuid::parse_str(p).ok())
            .ok_or_else(bad)?;
        Ok(Hlc {
            wall_ms,
            counter,
            node,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_is_monotonic_when_the_wall_clock_goes_back() {
        let node = Uuid::now_v7();
        let a = Hlc::tick(0, 0, 1_000, node);
        let b = Hlc::tick(a.wall_ms, a.counter, 900, node);
        let c = Hlc::tick(b.wall_ms, b.counter, 1_000, node);
        let d = Hlc::tick(c.wall_ms, c.counter, 1_001, node);
        assert!(a < b && b < c && c < d);
        assert_eq!((b.wall_ms, b.counter), (1_000, 1));
        assert_eq!((d.wall_ms, d.counter), (1_001, 0));
    }

    #[test]
    fn a_counter_at_its_end_carries_into_the_next_millisecond() {
        let node = Uuid::now_v7();
        let last = Hlc {
            wall_ms: 1_000,
            counter: u32::MAX,
            node,
        };
        let next = Hlc::tick(last.wall_ms, last.counter, 1_000, node);
        assert!(next > last, "{next:?} after {last:?}");
        assert_eq!((next.wall_ms, next.counter), (1_001, 0));
        let after = Hlc::tick(next.wall_ms, next.counter, 900, node);
        assert!(after > next);
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_stamp() {
        let node = Uuid::now_v7();
        let a = Hlc {
            wall_ms: 99,
            counter: 12,
            node,
        };
        let b = Hlc {
            wall_ms: 100,
            counter: 0,
            node,
        };
        assert_eq!(a.to_string().parse::<Hlc>().ok(), Some(a));
        assert!(a.to_string() < b.to_string());
        assert!("12-x".parse::<Hlc>().is_err());
    }
}
