//! How the core's own types cross to Kotlin and Swift (feature `uniffi`): the custom types that
//! the records and enums use, defined once here. The records and enums themselves carry
//! `#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]` (or `uniffi::Enum`) where they are
//! defined; the FFI crate (`onsite-ffi`) exports the objects that return them.
//!
//! Each custom type is lowered (Rust to the app) by a conversion that cannot fail. Lifting (the
//! app to Rust) is checked and never panics in this code, but it is not how an app's input
//! arrives: ids, times and dates an app passes in are plain arguments that
//! [`validate::parse_id`](crate::validate::parse_id) and its siblings parse into a typed
//! `Invalid` error naming the field (a failing UniFFI lift would be a panic in the app).
//!
//! | Rust | Kotlin | Swift |
//! |---|---|---|
//! | [`Uuid`] | `Uuid` = `String` (canonical text) | `Uuid` = `String` |
//! | [`Timestamp`] (`DateTime<Utc>`) | `java.time.Instant` | `Date` |
//! | [`CalendarDate`] (`NaiveDate`) | `CalendarDate` = `String` (`YYYY-MM-DD`) | `CalendarDate` = `String` |
//! | [`JsonValue`] (`serde_json::Value`) | `JsonValue` = `String` (JSON text) | `JsonValue` = `String` |

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// An instant in UTC, as the core stores it (millisecond precision).
pub type Timestamp = DateTime<Utc>;

/// A calendar day without a time zone (a warranty's last day, a visit date).
pub type CalendarDate = NaiveDate;

/// A JSON value (an outbox entry's payload), crossing as its JSON text.
pub type JsonValue = serde_json::Value;

/// The format of a [`CalendarDate`] on the FFI.
const DATE_FORMAT: &str = "%Y-%m-%d";

uniffi::custom_type!(Uuid, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |text| Ok(Uuid::parse_str(&text)?),
});

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |at| at.into(),
    try_lift: |at| timestamp_of(at),
});

uniffi::custom_type!(CalendarDate, String, {
    remote,
    lower: |day| day.format(DATE_FORMAT).to_string(),
    try_lift: |text| Ok(NaiveDate::parse_from_str(&text, DATE_FORMAT)?),
});

uniffi::custom_type!(JsonValue, String, {
    remote,
    lower: |value| value.to_string(),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});

/// A `SystemTime` as a UTC instant, refusing (not panicking on) one outside chrono's range.
fn timestamp_of(at: SystemTime) -> uniffi::Result<Timestamp> {
    let (secs, nanos) = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs())?, after.subsec_nanos()),
        Err(before) => {
            // Before the epoch: step back whole seconds, then forward by the remaining nanos.
            let before: Duration = before.duration();
            let mut secs = -i64::try_from(before.as_secs())?;
            let mut nanos = before.subsec_nanos();
            if nanos > 0 {
                secs -= 1;
                nanos = 1_000_000_000 - nanos;
            }
            (secs, nanos)
        }
    };
    DateTime::from_timestamp(secs, nanos)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("{secs} s is outside the supported range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_times_either_side_of_the_epoch_convert_exactly() {
        let after = UNIX_EPOCH + Duration::new(1_700_000_000, 123_000_000);
        let t = timestamp_of(after).expect("in range");
        assert_eq!(t.timestamp_millis(), 1_700_000_000_123);
        assert_eq!(SystemTime::from(t), after);
        let before = UNIX_EPOCH - Duration::new(10, 250_000_000);
        let t = timestamp_of(before).expect("in range");
        assert_eq!(t.timestamp_millis(), -10_250);
        assert_eq!(SystemTime::from(t), before);
    }

    #[test]
    fn a_time_beyond_chrono_is_an_error_not_a_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert!(timestamp_of(far).is_err());
    }
}
