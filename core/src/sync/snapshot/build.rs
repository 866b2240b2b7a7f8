//! Building a snapshot on the server: the caller's scope, closed over its parents, copied
//! table by table from the server's database into a file of its own, then compressed.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use super::{FORMAT, SnapshotError};
use crate::error::{Entity, Result};
use crate::store::LATEST_VERSION;
use crate::sync::rows;

/// What a snapshot holds, and where building it took its time (the sync benchmark prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Built {
    /// The server's change-log position it was read at: the device pulls on from here.
    pub cursor: i64,
    /// Rows of the synced tables in it.
    pub rows: u64,
    /// Finding the scope: `fill` and the parents it needs.
    pub scope: Duration,
    /// Copying the rows and their field clocks into the file.
    pub copy: Duration,
}

/// Builds a snapshot file at `out` (made anew, whatever was there) from the server database at
/// `source`. `fill` runs first, inside the one read transaction every copy below also reads
/// in, with the temp table `snapshot_scope(entity, row_id)` to fill with the rows the caller
/// may see (the server's scope rule); it returns the cursor the scope was read at. Every
/// parent a row in scope points at joins the scope (so the device's foreign keys hold), then
/// the rows and their field clocks are copied, ordered by key.
pub fn build(
    source: &Path,
    out: &Path,
    fill: impl FnOnce(&Connection) -> Result<i64>,
) -> Result<Built> {
    // The server's file, opened without CREATE: a wrong path fails instead of making one.
    let conn = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch("PRAGMA busy_timeout = 5000")?;
    // Made here, empty (an empty file is an empty database): the connection may not create
    // files, and an attached file is opened as its main one is.
    std::fs::File::create(out).map_err(SnapshotError::Io)?;
    // ATTACH cannot run inside a transaction. The file is thrown away if the build fails, so
    // it needs no journal and no fsync.
    conn.execute("ATTACH DATABASE ?1 AS snapshot", [path_text(out)?])?;
    conn.execute_batch(
        "PRAGMA snapshot.journal_mode = OFF;
         PRAGMA snapshot.synchronous = OFF;
         CREATE TEMP TABLE snapshot_scope (
             entity TEXT NOT NULL, row_id TEXT NOT NULL, PRIMARY KEY (entity, row_id)
         ) WITHOUT ROWID;",
    )?;
    let tx = conn.unchecked_transaction()?;
    let started = Instant::now();
    let cursor = fill(&tx)?;
    add_parents(&tx)?;
    let scope = started.elapsed();
    let started = Instant::now();
    let mut copied = 0u64;
    for entity in Entity::synced() {
        let table = entity.table();
        tx.execute_batch(&format!(
            "CREATE TABLE snapshot.{table} AS SELECT * FROM main.{table} WHERE 0"
        ))?;
        let n = tx.execute(
            &format!(
                "INSERT INTO snapshot.{table} SELECT t.* FROM temp.snapshot_scope s
                 JOIN main.{table} t ON t.id = s.row_id WHERE s.entity = ?1 ORDER BY s.row_id"
            ),
            [entity.as_str()],
        )?;
        copied += n as u64;
    }
    tx.execute_batch(
        "CREATE TABLE snapshot.field_clocks AS SELECT * FROM main.field_clocks WHERE 0;
         INSERT INTO snapshot.field_clocks SELECT f.* FROM temp.snapshot_scope s
             JOIN main.field_clocks f ON f.entity = s.entity AND f.row_id = s.row_id
             ORDER BY f.entity, f.row_id, f.field;
         CREATE TABLE snapshot.snapshot_meta (
             format INTEGER NOT NULL, schema_version INTEGER NOT NULL,
             cursor INTEGER NOT NULL, rows INTEGER NOT NULL
         );",
    )?;
    tx.execute(
        "INSERT INTO snapshot.snapshot_meta VALUES (?1, ?2, ?3, ?4)",
        (FORMAT, LATEST_VERSION, cursor, copied as i64),
    )?;
    tx.commit()?;
    Ok(Built {
        cursor,
        rows: copied,
        scope,
        copy: started.elapsed(),
    })
}

/// Adds to the scope every row a row in it points at, deepest kinds first, so a parent's own
/// parents join too; a follow-up's chain of earlier visits is followed to its end.
fn add_parents(conn: &Connection) -> Result<()> {
    let kinds: Vec<Entity> = Entity::synced().collect();
    for entity in kinds.iter().rev() {
        for (column, parent) in rows::parent_columns(*entity) {
            let sql = format!(
                "INSERT OR IGNORE INTO temp.snapshot_scope (entity, row_id)
                 SELECT ?2, t.{column} FROM temp.snapshot_scope s
                 JOIN main.{table} t ON t.id = s.row_id
                 WHERE s.entity = ?1 AND t.{column} IS NOT NULL",
                table = entity.table()
            );
            let mut stmt = conn.prepare(&sql)?;
            // A kind pointing at its own kind (a follow-up at the visit it follows): repeat
            // until the chain adds nothing; each pass adds at least one row, so it ends.
            while stmt.execute((entity.as_str(), parent.as_str()))? > 0 && parent == entity {}
        }
    }
    Ok(())
}

/// Compresses the snapshot file at `raw` into `out` (zstd, with its frame checksum) and returns
/// the SHA-256 (hex) of the compressed bytes, which the device checks before installing.
pub fn compress(raw: &Path, out: impl Write) -> Result<String> {
    let mut input = std::fs::File::open(raw).map_err(SnapshotError::Io)?;
    let mut encoder = zstd::stream::write::Encoder::new(
        Hashing {
            inner: out,
            hash: Sha256::new(),
        },
        zstd::DEFAULT_COMPRESSION_LEVEL,
    )
    .map_err(SnapshotError::Io)?;
    encoder.include_checksum(true).map_err(SnapshotError::Io)?;
    copy(&mut input, &mut encoder)?;
    let mut hashing = encoder.finish().map_err(SnapshotError::Io)?;
    hashing.inner.flush().map_err(SnapshotError::Io)?;
    Ok(hex::encode(hashing.hash.finalize()))
}

fn copy(input: &mut impl Read, output: &mut impl Write) -> Result<()> {
    std::io::copy(input, output).map_err(SnapshotError::Io)?;
    Ok(())
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A path as SQLite takes it (text).
pub(super) fn path_text(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| {
        SnapshotError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the snapshot's path is not UTF-8",
        ))
        .into()
    })
}
