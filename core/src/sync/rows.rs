//! Whole rows as JSON, by column name: the server reads rows to send in a pull, the device
//! writes them. Column names are checked against the table's own columns, never trusted.

use std::collections::HashMap;

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{Entity, Error, Result};
use crate::store::packed;

/// The column holding a row's own stamp: it travels beside the row (`RowChange::stamp`), not in
/// it.
const STAMP_COLUMN: &str = "row_stamp";

/// The table's columns a pulled row carries (all but its stamp), from a cached statement (no
/// schema query per row).
fn columns(conn: &Connection, entity: Entity) -> Result<Vec<String>> {
    let stmt = conn.prepare_cached(&format!("SELECT * FROM {} LIMIT 0", entity.table()))?;
    Ok(stmt
        .column_names()
        .filter(|c| *c != STAMP_COLUMN)
        .map(str::to_owned)
        .collect())
}

/// A row as the wire carries it: column → value.
pub type Row = Map<String, Value>;

/// The row `id` of `entity` as column → value, if it exists (packed columns unpacked to their
/// text, the row stamp left out: it travels beside the row).
pub fn read_row(conn: &Connection, entity: Entity, id: Uuid) -> Result<Option<Map<String, Value>>> {
    Ok(read_row_stamped(conn, entity, id)?.map(|(row, _)| row))
}

/// [`read_row`] and the row's own stamp, read with it (the server sends both for every row).
pub fn read_row_stamped(
    conn: &Connection,
    entity: Entity,
    id: Uuid,
) -> Result<Option<(Row, Option<String>)>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT * FROM {} WHERE id = ?1", entity.table()))?;
    let cols: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    // The id written on the stack: a first sync reads every row of the scope through here.
    let mut buf = Uuid::encode_buffer();
    let id = id.as_hyphenated().encode_lower(&mut buf);
    let Some(values) = stmt
        .query_row([&*id], |r| {
            (0..cols.len())
                .map(|i| r.get::<_, SqlValue>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut row = Map::new();
    let mut stamp = None;
    for (name, value) in cols.into_iter().zip(values) {
        if name == STAMP_COLUMN {
            stamp = match value {
                SqlValue::Text(t) => Some(t),
                _ => None,
            };
            continue;
        }
        let value = match value {
            SqlValue::Null => Value::Null,
            SqlValue::Integer(n) => Value::from(n),
            SqlValue::Real(x) => Value::from(x),
            SqlValue::Text(t) => Value::from(t),
            SqlValue::Blob(b) if packed::is_packed(entity, &name) => {
                Value::from(packed::unpack(entity.table(), &b)?)
            }
            SqlValue::Blob(_) => {
                return Err(Error::Corrupt {
                    column: entity.table(),
                    value: format!("bytes in {name}, which holds no bytes"),
                });
            }
        };
        row.insert(name, value);
    }
    Ok(Some((row, stamp)))
}

/// Writes pulled rows. The statement for each kind of row (and set of kept columns) is built
/// once per writer, not once per row: a first sync writes hundreds of thousands of rows.
#[derive(Default)]
pub struct RowWriter {
    /// Per kind of row: for each set of kept columns seen, the columns and the upsert.
    statements: HashMap<Entity, Vec<Upsert>>,
}

/// An upsert for one kind of row and one set of kept columns.
struct Upsert {
    kept: Vec<String>,
    cols: Vec<String>,
    sql: String,
}

impl RowWriter {
    /// Inserts or updates a row of `entity` from column → value, with its row stamp (kept as it
    /// is when `stamp` is `None`). Columns in `keep` keep their local value if the row exists
    /// (fields with a pending local edit).
    pub fn write(
        &mut self,
        tx: &Transaction<'_>,
        entity: Entity,
        row: &Map<String, Value>,
        stamp: Option<&str>,
        keep: &[String],
    ) -> Result<()> {
        let known = self.statements.entry(entity).or_default();
        let at = match known.iter().position(|u| u.kept == keep) {
            Some(at) => at,
            None => {
                let (cols, sql) = upsert(tx, entity, keep)?;
                known.push(Upsert {
                    kept: keep.to_vec(),
                    cols,
                    sql,
                });
                known.len() - 1
            }
        };
        let Upsert { cols, sql, .. } = &known[at];
        let bad = || {
            Error::inconsistent(
                entity.table(),
                "the row does not match this store's columns",
            )
        };
        if row.len() != cols.len() {
            return Err(bad());
        }
        // Text is bound borrowed from the row (SQLite copies it): no copy per value here.
        let mut values: Vec<ToSqlOutput<'_>> = cols
            .iter()
            .map(|c| match row.get(c).ok_or_else(bad)? {
                Value::Null => Ok(ToSqlOutput::Owned(SqlValue::Null)),
                Value::Bool(b) => Ok(ToSqlOutput::Owned(SqlValue::Integer(i64::from(*b)))),
                Value::Number(n) => n
                    .as_i64()
                    .map(SqlValue::Integer)
                    .or_else(|| n.as_f64().map(SqlValue::Real))
                    .map(ToSqlOutput::Owned)
                    .ok_or_else(bad),
                Value::String(s) if packed::is_packed(entity, c) => {
                    Ok(ToSqlOutput::Owned(SqlValue::Blob(packed::pack(s)?)))
                }
                Value::String(s) => Ok(borrowed_text(s)),
                _ => Err(bad()),
            })
            .collect::<Result<_>>()?;
        values.push(stamp.map_or(ToSqlOutput::Owned(SqlValue::Null), borrowed_text));
        tx.prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(values))?;
        Ok(())
    }
}

/// Text bound borrowed from the pulled row (SQLite copies it): no copy per value here.
fn borrowed_text(s: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
}

/// The table's columns and the upsert statement that keeps `keep`; the stamp is its last
/// parameter.
fn upsert(conn: &Connection, entity: Entity, keep: &[String]) -> Result<(Vec<String>, String)> {
    let cols = columns(conn, entity)?;
    let table = entity.table();
    let mut updates: Vec<String> = cols
        .iter()
        .filter(|c| *c != "id" && !keep.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    updates.push(format!(
        "{STAMP_COLUMN} = coalesce(excluded.{STAMP_COLUMN}, {table}.{STAMP_COLUMN})"
    ));
    let placeholders: Vec<String> = (1..=cols.len() + 1).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}, {STAMP_COLUMN}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
        cols.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    );
    Ok((cols, sql))
}

/// The rows a row of `entity` points at: (column, parent). The server puts a row's parents on a
/// pull page before the row, and the device applies a page parent first, so no row arrives
/// before what it points at (a test checks this against the schema's foreign keys).
pub fn parent_columns(entity: Entity) -> &'static [(&'static str, Entity)] {
    match entity {
        Entity::Customer | Entity::Conflict => &[],
        Entity::Site | Entity::Contract => &[("customer_id", Entity::Customer)],
        Entity::Asset => &[("site_id", Entity::Site), ("contract_id", Entity::Contract)],
        Entity::WorkOrder => &[
            ("customer_id", Entity::Customer),
            ("site_id", Entity::Site),
            ("asset_id", Entity::Asset),
            ("follow_up_of", Entity::WorkOrder),
        ],
        Entity::StatusChange
        | Entity::Diagnosis
        | Entity::Measurement
        | Entity::ChecklistResult
        | Entity::Note
        | Entity::TimeEntry
        | Entity::PartLine
        | Entity::QuoteLine
        | Entity::QuoteDecision
        | Entity::FunctionTest
        | Entity::SignOff => &[("work_order_id", Entity::WorkOrder)],
    }
}

/// How far down the tree of parents a kind of row sits: applied in this order (stable within a
/// depth), a page never meets a row before its parent's kind. A follow-up and the visit it
/// follows share a depth; the page order puts the earlier visit first.
pub fn depth(entity: Entity) -> u8 {
    match entity {
        Entity::Customer => 0,
        Entity::Site | Entity::Contract => 1,
        Entity::Asset => 2,
        Entity::WorkOrder => 3,
        _ => 4,
    }
}

/// The job a pulled row belongs to, if it names one: a work order itself, or a record's
/// `work_order_id`.
pub fn job_of(entity: Entity, row: &Map<String, Value>) -> Option<Uuid> {
    let column = match entity {
        Entity::WorkOrder => "id",
        _ if parent_columns(entity).first().map(|(c, _)| *c) == Some("work_order_id") => {
            "work_order_id"
        }
        _ => return None,
    };
    row.get(column)?.as_str()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pulled kind of row: the parents, then the visit records.
    fn pulled() -> Vec<Entity> {
        let parents = [
            Entity::Customer,
            Entity::Site,
            Entity::Contract,
            Entity::Asset,
            Entity::WorkOrder,
        ];
        parents
            .into_iter()
            .chain(Entity::VISIT_RECORDS.iter().copied())
            .collect()
    }

    #[test]
    fn parent_columns_are_the_schemas_foreign_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::Store::open(dir.path().join("s.db")).expect("store");
        store
            .read(|conn| {
                for entity in &pulled() {
                    let mut keys: Vec<(String, String)> = conn
                        .prepare(&format!("PRAGMA foreign_key_list({})", entity.table()))?
                        .query_map([], |r| Ok((r.get("from")?, r.get("table")?)))?
                        .collect::<rusqlite::Result<_>>()?;
                    keys.sort();
                    let mut ours: Vec<(String, String)> = parent_columns(*entity)
                        .iter()
                        .map(|(c, p)| ((*c).to_owned(), p.table().to_owned()))
                        .collect();
                    ours.sort();
                    assert_eq!(keys, ours, "{}", entity.table());
                    for (_, parent) in parent_columns(*entity) {
                        assert!(
                            depth(*parent) < depth(*entity)
                                || (*parent == Entity::WorkOrder && *entity == Entity::WorkOrder),
                            "{} sits below its parents",
                            entity.table()
                        );
                    }
                }
                Ok(())
            })
            .expect("schema read");
    }
}
