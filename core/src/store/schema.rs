//! The schema and its upgrade ladder, versioned with `PRAGMA user_version`.
//!
//! A new file gets `schema.sql` (the latest version) in one go; an older file climbs the ladder
//! one numbered step at a time, all inside one transaction, so a crash mid-upgrade leaves the
//! old version intact. A file from a newer build is refused rather than guessed at.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};
use uuid::Uuid;

use crate::clock::format_time;
use crate::error::{Error, Result};

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = 7;

const SCHEMA: &str = include_str!("sql/schema.sql");

/// Step `n` takes a store from version `n - 1` to `n`.
const UPGRADES: &[(u32, &str)] = &[
    (2, include_str!("sql/migrate_v2.sql")),
    (3, include_str!("sql/migrate_v3.sql")),
    (4, include_str!("sql/migrate_v4.sql")),
    (5, include_str!("sql/migrate_v5.sql")),
    (6, include_str!("sql/migrate_v6.sql")),
    (7, include_str!("sql/migrate_v7.sql")),
];

/// Reads, without writing anything, whether the file is a store this build can open.
/// Returns its schema version (0 for a new, empty file).
pub(super) fn inspect(conn: &Connection, path: &Path) -> Result<u32> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > LATEST_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: LATEST_VERSION,
        });
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if version == 0 && tables > 0 {
        return Err(Error::NotAnOnsiteStore {
            path: path.to_path_buf(),
        });
    }
    Ok(version)
}

/// Creates or upgrades the schema of a store that [`inspect`] accepted.
pub(super) fn prepare(conn: &mut Connection, path: &Path, now: DateTime<Utc>) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Checked again inside the write lock: another process may have created it meanwhile.
    let version = inspect(&tx, path)?;
    if version == LATEST_VERSION {
        return Ok(());
    }
    if version == 0 {
        tx.execute_batch(SCHEMA)?;
        tx.execute(
            "INSERT INTO device (id, client_id, created_at) VALUES (1, ?1, ?2)",
            (Uuid::now_v7().to_string(), format_time(now)),
        )?;
    } else {
        super::packed::register(&tx)?;
        for (to, sql) in UPGRADES.iter().filter(|(to, _)| *to > version) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", to)?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// The upgrade steps after version 1 up to and including `version`, in order (the upgrade
/// tests build an older store from them).
#[cfg(test)]
pub(super) fn steps_up_to(version: u32) -> impl Iterator<Item = &'static str> {
    UPGRADES
        .iter()
        .filter(move |(to, _)| *to <= version)
        .map(|(_, sql)| *sql)
}

#[cfg(test)]
pub(super) const FROZEN_V1: &str = include_str!("sql/frozen_v1.sql");
