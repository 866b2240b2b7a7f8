//! The baselines every first-sync and ingest figure is printed beside, measured in the same
//! run: raw SQLite inserts and commits, and the raw bytes of the rows a store holds.

use std::time::Instant;

use onsite_core::store::packed;
use onsite_core::{Entity, Store};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// The bytes of every synced row's values as SQLite holds them raw (text and blob lengths,
/// packed columns at their unpacked length, 8 per number), and of their row stamps.
pub(crate) fn raw_row_bytes(store: &Store) -> (u64, u64) {
    store
        .read(|conn| {
            let (mut values, mut stamps) = (0u64, 0u64);
            for entity in Entity::synced() {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {}", entity.table()))?;
                let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    for (i, name) in names.iter().enumerate() {
                        let size = match row.get_ref(i)? {
                            ValueRef::Null => 0,
                            ValueRef::Integer(_) | ValueRef::Real(_) => 8,
                            ValueRef::Text(t) => t.len(),
                            ValueRef::Blob(b) if packed::is_packed(entity, name) => {
                                packed::unpack("bench", b)?.len()
                            }
                            ValueRef::Blob(b) => b.len(),
                        } as u64;
                        if name == "row_stamp" {
                            stamps += size;
                        } else {
                            values += size;
                        }
                    }
                }
            }
            Ok((values, stamps))
        })
        .expect("rows measured")
}

/// Raw SQLite, the same rows: every row the first sync stored (packed columns as the text that
/// was pulled, the row stamp as one more column), read back into memory, then inserted into
/// tables of the same columns with a text primary key and nothing else (no foreign keys, no
/// other index, no merge), parents first, in one transaction with prepared statements, WAL,
/// synchronous=FULL. Returns the rows and rows per second.
pub(crate) fn raw_bulk_insert_same_rows(store: &Store, path: &std::path::Path) -> (usize, f64) {
    use rusqlite::types::Value as SqlValue;
    let tables: Vec<(Entity, Vec<String>, Vec<Vec<SqlValue>>)> = store
        .read(|conn| {
            let mut tables = Vec::new();
            for entity in Entity::synced() {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {}", entity.table()))?;
                let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
                let mut rows = Vec::new();
                let mut cursor = stmt.query([])?;
                while let Some(row) = cursor.next()? {
                    let mut values = Vec::with_capacity(names.len());
                    for (i, name) in names.iter().enumerate() {
                        values.push(match row.get::<_, SqlValue>(i)? {
                            SqlValue::Blob(b) if packed::is_packed(entity, name) => {
                                SqlValue::Text(packed::unpack("bench", &b)?)
                            }
                            v => v,
                        });
                    }
                    rows.push(values);
                }
                tables.push((entity, names, rows));
            }
            Ok(tables)
        })
        .expect("rows read");
    let mut conn = Connection::open(path).expect("raw db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .expect("raw pragmas");
    for (entity, names, _) in &tables {
        let cols: Vec<String> = names
            .iter()
            .map(|n| {
                if n == "id" {
                    "id TEXT PRIMARY KEY".to_owned()
                } else {
                    n.clone()
                }
            })
            .collect();
        conn.execute_batch(&format!(
            "CREATE TABLE {} ({})",
            entity.table(),
            cols.join(", ")
        ))
        .expect("raw table");
    }
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    let mut count = 0;
    for (entity, names, rows) in &tables {
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let mut insert = tx
            .prepare(&format!(
                "INSERT INTO {} VALUES ({})",
                entity.table(),
                placeholders.join(", ")
            ))
            .expect("insert");
        for row in rows {
            insert
                .execute(rusqlite::params_from_iter(row))
                .expect("row");
            count += 1;
        }
    }
    tx.commit().expect("commit");
    (count, count as f64 / started.elapsed().as_secs_f64())
}

/// The store's file after its WAL is folded in: pages in use and free.
pub(crate) fn stored_bytes(store: &Store) -> u64 {
    let conn = Connection::open(store.path()).expect("store file");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    std::fs::metadata(store.path()).expect("store file").len()
}

/// Raw SQLite: `rows` rows of ~300 bytes in one transaction, prepared statement, WAL.
pub(crate) fn raw_bulk_insert(path: &std::path::Path, rows: usize) -> f64 {
    let mut conn = Connection::open(path).expect("raw db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT, b TEXT, c INTEGER)")
        .expect("raw schema");
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut insert = tx
            .prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
            .expect("insert");
        for i in 0..rows {
            insert
                .execute((
                    uuid::Uuid::now_v7().to_string(),
                    "x".repeat(120),
                    "y".repeat(120),
                    i as i64,
                ))
                .expect("row");
        }
    }
    tx.commit().expect("commit");
    rows as f64 / started.elapsed().as_secs_f64()
}

/// Raw SQLite: single-row commits with synchronous=FULL, WAL, per second.
pub(crate) fn raw_full_commits(path: &std::path::Path, n: usize) -> f64 {
    let conn = Connection::open(path).expect("raw db");
    // No checkpoint in the commits' path (as on the server): the baseline is the bare commit.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
        .expect("raw schema");
    let started = Instant::now();
    for i in 0..n {
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2)",
            (uuid::Uuid::now_v7().to_string(), format!("note {i}")),
        )
        .expect("row");
    }
    n as f64 / started.elapsed().as_secs_f64()
}
