//! What the fault harness's device processes and its orchestrator share: the skewed device
//! clock and the lines a device prints for every action its store reported as done.

pub mod check;
pub mod devices;
pub mod office;
pub mod quiesce;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use onsite_core::clock::Clock;

/// A device clock that runs `offset` away from the machine's (hours or days, either way), as a
/// phone set to the wrong date does.
#[derive(Debug, Clone, Copy)]
pub struct SkewedClock {
    offset: TimeDelta,
}

impl SkewedClock {
    /// A clock `offset_ms` milliseconds ahead of the machine's (behind if negative).
    pub fn new(offset_ms: i64) -> SkewedClock {
        SkewedClock {
            offset: TimeDelta::milliseconds(offset_ms),
        }
    }
}

impl Clock for SkewedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

/// One line of a device's report. Every field is free of spaces: ids, names and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceLine {
    /// The store is open and signed in.
    Ready,
    /// A visit record (or status change) was stored: its table, id, job and unique tag.
    Add {
        /// The table the row lives in.
        table: String,
        /// Its id.
        row_id: String,
        /// Its job.
        job: String,
        /// The unique text the row carries (note body, part number, ...).
        tag: String,
    },
    /// A plain field was edited to the unique value `tag`.
    Edit {
        /// The entity name (`Entity::as_str`).
        entity: String,
        /// The row.
        row_id: String,
        /// The column.
        field: String,
        /// The new value, unique in the run.
        tag: String,
    },
    /// A sync round ended: `None` if it succeeded, else the error's code.
    Synced(Option<String>),
}

impl fmt::Display for DeviceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceLine::Ready => write!(f, "READY"),
            DeviceLine::Add {
                table,
                row_id,
                job,
                tag,
            } => write!(f, "ADD {table} {row_id} {job} {tag}"),
            DeviceLine::Edit {
                entity,
                row_id,
                field,
                tag,
            } => write!(f, "EDIT {entity} {row_id} {field} {tag}"),
            DeviceLine::Synced(None) => write!(f, "SYNC ok"),
            DeviceLine::Synced(Some(code)) => write!(f, "SYNC {code}"),
        }
    }
}

/// A line that is not a [`DeviceLine`].
#[derive(Debug, thiserror::Error)]
#[error("not a device line: {0:?}")]
pub struct BadLine(String);

impl FromStr for DeviceLine {
    type Err = BadLine;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(' ').collect();
        let owned = |i: usize| parts[i].to_owned();
        Ok(match parts.as_slice() {
            ["READY"] => DeviceLine::Ready,
            ["ADD", _, _, _, _] => DeviceLine::Add {
                table: owned(1),
                row_id: owned(2),
                job: owned(3),
                tag: owned(4),
            },
            ["EDIT", _, _, _, _] => DeviceLine::Edit {
                entity: owned(1),
                row_id: owned(2),
                field: owned(3),
                tag: owned(4),
            },
            ["SYNC", "ok"] => DeviceLine::Synced(None),
            ["SYNC", code] => DeviceLine::Synced(Some((*code).to_owned())),
            _ => return Err(BadLine(s.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back() {
        for line in [
            DeviceLine::Ready,
            DeviceLine::Add {
                table: "notes".into(),
                row_id: "r".into(),
                job: "j".into(),
                tag: "d1g2n3".into(),
            },
            DeviceLine::Edit {
                entity: "site".into(),
                row_id: "r".into(),
                field: "access_notes".into(),
                tag: "d1g2n4".into(),
            },
            DeviceLine::Synced(None),
            DeviceLine::Synced(Some("network".into())),
        ] {
            assert_eq!(line.to_string().parse::<DeviceLine>().ok(), Some(line));
        }
        assert!("ADD notes".parse::<DeviceLine>().is_err());
        assert!("".parse::<DeviceLine>().is_err());
    }
}
