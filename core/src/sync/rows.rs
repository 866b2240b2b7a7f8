//! Whole rows as JSON, by column name: the server reads rows to send in a pull, the device
//! writes them. Column names are checked against the table's own columns, never trusted.

use std::collections::HashMap;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{Entity, Error, Result};

/// The table's columns, from a cached statement (no schema query per row).
fn columns(conn: &Connection, entity: Entity) -> Result<Vec<String>> {
    let stmt = conn.prepare_cached(&format!("SELECT * FROM {} LIMIT 0", entity.table()))?;
    Ok(stmt.column_names().map(str::to_owned).collect())
}

/// The row `id` of `entity` as column → value, if it exists.
pub fn read_row(conn: &Connection, entity: Entity, id: Uuid) -> Result<Option<Map<String, Value>>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT * FROM {} WHERE id = ?1", entity.table()))?;
    let cols: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    Ok(stmt
        .query_row([id.to_string()], |r| {
            let mut row = Map::new();
            for (i, name) in cols.iter().enumerate() {
                let value = match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(x) => Value::from(x),
                    ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => Value::Null,
                };
                row.insert(name.clone(), value);
            }
            Ok(row)
        })
        .optional()?)
}

/// Writes pulled rows. The statement for each kind of row (and set of kept columns) is built
/// once per writer, not once per row: a first sync writes hundreds of thousands of rows.
#[derive(Default)]
pub struct RowWriter {
    statements: HashMap<(Entity, Vec<String>), (Vec<String>, String)>,
}

impl RowWriter {
    /// Inserts or updates a row of `entity` from column → value. Columns in `keep` keep their
    /// local value if the row exists (fields with a pending local edit).
    pub fn write(
        &mut self,
        tx: &Transaction<'_>,
        entity: Entity,
        row: &Map<String, Value>,
        keep: &[String],
    ) -> Result<()> {
        let key = (entity, keep.to_vec());
        if !self.statements.contains_key(&key) {
            let statement = upsert(tx, entity, keep)?;
            self.statements.insert(key.clone(), statement);
        }
        let (cols, sql) = &self.statements[&key];
        let bad = || {
            Error::inconsistent(
                entity.table(),
                "the row does not match this store's columns",
            )
        };
        if row.len() != cols.len() {
            return Err(bad());
        }
        let values: Vec<SqlValue> = cols
            .iter()
            .map(|c| match row.get(c).ok_or_else(bad)? {
                Value::Null => Ok(SqlValue::Null),
                Value::Bool(b) => Ok(SqlValue::Integer(i64::from(*b))),
                Value::Number(n) => n
                    .as_i64()
                    .map(SqlValue::Integer)
                    .or_else(|| n.as_f64().map(SqlValue::Real))
                    .ok_or_else(bad),
                Value::String(s) => Ok(SqlValue::Text(s.clone())),
                _ => Err(bad()),
            })
            .collect::<Result<_>>()?;
        tx.prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(values))?;
        Ok(())
    }
}

/// The table's columns and the upsert statement that keeps `keep`.
fn upsert(conn: &Connection, entity: Entity, keep: &[String]) -> Result<(Vec<String>, String)> {
    let cols = columns(conn, entity)?;
    let updates: Vec<String> = cols
        .iter()
        .filter(|c| *c != "id" && !keep.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let conflict = if updates.is_empty() {
        "DO NOTHING".to_owned()
    } else {
        format!("DO UPDATE SET {}", updates.join(", "))
    };
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (id) {conflict}",
        entity.table(),
        cols.join(", "),
        placeholders.join(", ")
    );
    Ok((cols, sql))
}
