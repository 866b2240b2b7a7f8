//! Reading and writing the store's text-encoded column types: ids (UUID text), times (RFC 3339,
//! UTC, milliseconds) and dates (ISO 8601), with typed errors for values that do not parse.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Row;
use rusqlite::types::Type;
use uuid::Uuid;

use crate::error::{Error, Result};

fn conversion_error(
    idx: usize,
    err: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(err))
}

/// Parses a stored id outside a row mapper.
pub(crate) fn parse_uuid(column: &'static str, value: String) -> Result<Uuid> {
    Uuid::parse_str(&value).map_err(|_| Error::Corrupt { column, value })
}

/// Column `idx` as an id.
pub(crate) fn uuid(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(idx)?;
    Uuid::parse_str(&text).map_err(|e| conversion_error(idx, e))
}

/// Column `idx` as an optional id.
pub(crate) fn opt_uuid(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| Uuid::parse_str(&t).map_err(|e| conversion_error(idx, e)))
        .transpose()
}

/// Column `idx` as a time.
pub(crate) fn time(row: &Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(idx)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| conversion_error(idx, e))
}

/// Column `idx` as an optional date.
pub(crate) fn opt_date(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| t.parse::<NaiveDate>().map_err(|e| conversion_error(idx, e)))
        .transpose()
}

/// Column `idx` as a date.
pub(crate) fn date(row: &Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(idx)?;
    text.parse::<NaiveDate>()
        .map_err(|e| conversion_error(idx, e))
}

/// Column `idx` as a value stored as JSON text.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    idx: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| conversion_error(idx, e))
}

/// Defines an enum stored as text, with its stable names for SQL, JSON and display.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
