//! Reading and writing the store's text-encoded column types: ids (UUID text), times (RFC 3339,
//! UTC, milliseconds) and dates (ISO 8601), with typed errors for values that do not parse.
//!
//! Row mappers read columns by name (`"id"`), never by position: a mapper then does not depend
//! on the order of its SELECT list, and a column missing from the list is an error naming it.
//! A name lookup scans the statement's columns through SQLite for every value read (about
//! 0.1 µs each: 16 µs more for today's list of 8 jobs); so the mappers of the domain's rows
//! look their names up once per query through a [`column_set!`] and read by the index found.
//! Single-row reads of a few columns (the device row, a stamp, the session) read by name.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{FromSql, Type};
use rusqlite::{Row, RowIndex, Statement};
use uuid::Uuid;

use crate::error::{Error, Result};

/// A stored value that does not parse as its column's type, with the column's name.
#[derive(Debug, thiserror::Error)]
#[error("column {column}: {source}")]
struct Unreadable {
    column: String,
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// Reads column `col` as text and converts it with `parse`; a value that does not parse is a
/// conversion error naming the column.
fn parsed<T, S, E>(
    row: &Row<'_>,
    col: impl RowIndex,
    parse: impl FnOnce(S) -> std::result::Result<T, E>,
) -> rusqlite::Result<T>
where
    S: FromSql,
    E: std::error::Error + Send + Sync + 'static,
{
    // Resolved once: the name lookup is a scan of the statement's columns.
    let idx = col.idx(row.as_ref())?;
    let raw: S = row.get(idx)?;
    parse(raw).map_err(|e| {
        let column = row.as_ref().column_name(idx).unwrap_or("?").to_owned();
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            Type::Text,
            Box::new(Unreadable {
                column,
                source: Box::new(e),
            }),
        )
    })
}

/// The column a failed read names, if the failure is a stored value that does not convert (not
/// the store failing): our own parsers name it; others give its position.
pub(crate) fn unreadable_column(err: &rusqlite::Error) -> Option<String> {
    match err {
        rusqlite::Error::FromSqlConversionFailure(idx, _, source) => Some(
            source
                .downcast_ref::<Unreadable>()
                .map_or_else(|| format!("column {idx}"), |u| u.column.clone()),
        ),
        rusqlite::Error::InvalidColumnType(_, name, _) => Some(name.clone()),
        rusqlite::Error::IntegralValueOutOfRange(idx, _) => Some(format!("column {idx}")),
        _ => None,
    }
}

/// `err` as [`Error::Unreadable`] of `table` for job `job` if it is a value that does not read;
/// any other error unchanged.
pub(crate) fn in_job(err: Error, table: &'static str, job: Uuid) -> Error {
    match &err {
        Error::Sqlite(e) => match unreadable_column(e) {
            Some(column) => Error::Unreadable {
                table,
                column,
                work_order_id: job,
            },
            None => err,
        },
        _ => err,
    }
}

/// Parses a stored id outside a row mapper.
pub(crate) fn parse_uuid(column: &'static str, value: String) -> Result<Uuid> {
    Uuid::parse_str(&value).map_err(|_| Error::Corrupt { column, value })
}

/// Column `col` (a name) as an id.
pub(crate) fn uuid(row: &Row<'_>, col: impl RowIndex) -> rusqlite::Result<Uuid> {
    parsed(row, col, |t: String| Uuid::parse_str(&t))
}

/// Column `col` as an optional id.
pub(crate) fn opt_uuid(row: &Row<'_>, col: impl RowIndex) -> rusqlite::Result<Option<Uuid>> {
    parsed(row, col, |t: Option<String>| {
        t.map(|t| Uuid::parse_str(&t)).transpose()
    })
}

/// Column `col` as a time.
pub(crate) fn time(row: &Row<'_>, col: impl RowIndex) -> rusqlite::Result<DateTime<Utc>> {
    parsed(row, col, |t: String| {
        DateTime::parse_from_rfc3339(&t).map(|t| t.with_timezone(&Utc))
    })
}

/// Column `col` as an optional time.
pub(crate) fn opt_time(
    row: &Row<'_>,
    col: impl RowIndex,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    parsed(row, col, |t: Option<String>| {
        t.map(|t| DateTime::parse_from_rfc3339(&t).map(|t| t.with_timezone(&Utc)))
            .transpose()
    })
}

/// Column `col` as an optional date.
pub(crate) fn opt_date(row: &Row<'_>, col: impl RowIndex) -> rusqlite::Result<Option<NaiveDate>> {
    parsed(row, col, |t: Option<String>| {
        t.map(|t| t.parse::<NaiveDate>()).transpose()
    })
}

/// Column `col` as a date.
pub(crate) fn date(row: &Row<'_>, col: impl RowIndex) -> rusqlite::Result<NaiveDate> {
    parsed(row, col, |t: String| t.parse::<NaiveDate>())
}

/// Column `col` as a value stored as JSON text.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    col: impl RowIndex,
) -> rusqlite::Result<T> {
    parsed(row, col, |t: String| serde_json::from_str(&t))
}

/// Column `col` as a value stored as a JSON string (an enum's wire name, e.g. the outbox `op`).
pub(crate) fn json_text<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    col: impl RowIndex,
) -> rusqlite::Result<T> {
    parsed(row, col, |t: String| {
        serde_json::from_value(serde_json::Value::String(t))
    })
}

/// The result columns one mapper reads, each found by name in a statement's columns once.
pub(crate) trait ColumnSet: Sized {
    /// Finds every column of the set among `stmt`'s result columns.
    fn of(stmt: &Statement<'_>) -> rusqlite::Result<Self>;
}

/// Where `column` is among `names` (SQLite compares column names without regard to case).
pub(crate) fn position(names: &[&str], column: &str) -> rusqlite::Result<usize> {
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(column))
        .ok_or_else(|| rusqlite::Error::InvalidColumnName(column.to_owned()))
}

/// Defines a [`ColumnSet`]: a struct with one index per named column, the field's name being
/// the column's, so a mapper reads `r.get(c.number)` and the name is written once.
macro_rules! column_set {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($col:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name {
            $($col: usize,)+
        }

        impl $crate::store::columns::ColumnSet for $name {
            fn of(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Self> {
                let names: Vec<&str> = stmt.column_names().collect();
                Ok($name {
                    $($col: $crate::store::columns::position(&names, stringify!($col))?,)+
                })
            }
        }
    };
}
pub(crate) use column_set;

/// Defines an enum stored as text, with its stable names for SQL, JSON and display.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            // `tt`, not `literal`: a `literal` fragment reaches the derives wrapped in an
            // invisible group, which utoipa does not read as the serde rename, so the OpenAPI
            // document listed the Rust names (`Repair`) instead of the wire's (`repair`).
            $( $(#[$vmeta:meta])* $variant:ident => $text:tt, )+
        }
    ) => {
        // The derives first, so that the item's own attributes may use their helpers
        // (`#[cfg_attr(feature = "openapi", schema(as = ..))]`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in storage, on the wire and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::Error;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::error::Error::Invalid {
                        problems: vec![$crate::error::FieldProblem {
                                                        field: stringify!($name).to_lowercase(),
                            problem: $crate::error::Problem::NotOneOf {
                                value: other.to_owned(),
                                allowed: $name::ALL.iter().map(|v| v.as_str().to_owned()).collect(),
                            },
                        }],
                    }),
                }
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                text.parse().map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}
pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn a_mapper_reads_by_name_whatever_the_order_of_the_select_list() {
        let conn = Connection::open_in_memory().expect("opens");
        let id = Uuid::now_v7();
        let read = |sql: &str| {
            conn.query_row(sql, [id.to_string()], |r| {
                Ok((uuid(r, "id")?, date(r, "day")?, opt_time(r, "at")?))
            })
            .expect("row reads")
        };
        let a = read("SELECT ?1 AS id, '2026-11-23' AS day, NULL AS at");
        let b = read("SELECT NULL AS at, '2026-11-23' AS day, ?1 AS id");
        assert_eq!(a, b);
        assert_eq!(a.0, id);
    }

    column_set! {
        struct Pair { id, day }
    }

    #[test]
    fn a_column_set_finds_its_columns_by_name_in_any_order() {
        let conn = Connection::open_in_memory().expect("opens");
        for sql in [
            "SELECT 'x' AS other, '2026-11-23' AS day, 'y' AS ID",
            "SELECT 'y' AS id, '2026-11-23' AS day",
        ] {
            let stmt = conn.prepare(sql).expect("prepares");
            let c = Pair::of(&stmt).expect("both columns are there");
            assert_eq!(
                stmt.column_name(c.id).ok().map(str::to_lowercase),
                Some("id".into())
            );
            assert_eq!(stmt.column_name(c.day).ok(), Some("day"));
        }
        let stmt = conn.prepare("SELECT 1 AS id").expect("prepares");
        let missing = Pair::of(&stmt).expect_err("no day");
        assert!(
            matches!(&missing, rusqlite::Error::InvalidColumnName(n) if n == "day"),
            "{missing:?}"
        );
    }

    #[test]
    fn an_unreadable_or_missing_column_is_named_in_the_error() {
        let conn = Connection::open_in_memory().expect("opens");
        let bad = conn
            .query_row("SELECT 1 AS n, 'not-an-id' AS site_id", [], |r| {
                uuid(r, "site_id")
            })
            .expect_err("not an id");
        assert!(
            matches!(
                &bad,
                rusqlite::Error::FromSqlConversionFailure(1, Type::Text, _)
            ),
            "{bad:?}"
        );
        assert!(bad.to_string().contains("column site_id"), "{bad}");
        let missing = conn
            .query_row("SELECT 1 AS n", [], |r| time(r, "recorded_at"))
            .expect_err("no such column");
        assert!(
            matches!(&missing, rusqlite::Error::InvalidColumnName(n) if n == "recorded_at"),
            "{missing:?}"
        );
    }
}
