//! Snapshots on real files: a scope built, compressed, received in chunks and installed equals
//! its source; every refusal (a wrong hash, a store that synced, another schema, a row the
//! store's constraints refuse, a stamp it could not read back) is typed and changes nothing.

use std::path::Path;

use rusqlite::types::Value as SqlValue;
use tempfile::TempDir;

use super::*;
use crate::error::{Entity, Error};
use crate::seed::{SeedPlan, seed};
use crate::store::Store;
use crate::work_orders::status::Role;

/// Every job and every visit record: their customers, sites, assets and contracts come in as
/// parents.
fn whole_scope() -> String {
    let mut sql =
        String::from("INSERT INTO temp.snapshot_scope SELECT 'work_order', id FROM work_orders;");
    for entity in Entity::VISIT_RECORDS {
        sql.push_str(&format!(
            "INSERT INTO temp.snapshot_scope SELECT '{}', id FROM {};",
            entity.as_str(),
            entity.table()
        ));
    }
    sql
}

fn seeded(dir: &Path) -> Store {
    let store = Store::open(dir.join("server.db")).expect("source store");
    seed(
        &store,
        &SeedPlan {
            work_orders: 12,
            jobs_per_day: 4,
            earlier_visits: 2,
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date"),
            assignee: "eng-1".into(),
            seed: 7,
        },
    )
    .expect("seeded");
    // A field changed since its row was written: its own stamp must travel too.
    let customer: String = store
        .read(|c| Ok(c.query_row("SELECT id FROM customers LIMIT 1", [], |r| r.get(0))?))
        .expect("a customer");
    let changes = [("phone".to_owned(), Some("+44 20 7946 0000".to_owned()))].into();
    store
        .edit_fields(
            Entity::Customer,
            customer.parse().expect("uuid"),
            changes,
            Role::Dispatcher,
        )
        .expect("edited");
    store
}

/// Builds, compresses and receives (in odd-sized chunks) a snapshot of `scope` at cursor 42.
fn received(source: &Store, dir: &Path, scope: &str) -> (SnapshotFile, Built) {
    let raw = dir.join("built.db");
    let _ = std::fs::remove_file(&raw);
    let built = build(source.path(), &raw, |conn| {
        conn.execute_batch(scope)?;
        Ok(42)
    })
    .expect("built");
    let mut compressed = Vec::new();
    let sha = compress(&raw, &mut compressed).expect("compressed");
    let mut download = Download::create(dir.join("device.snapshot")).expect("download");
    for chunk in compressed.chunks(7_777) {
        download.write(chunk).expect("chunk");
    }
    assert_eq!(download.received(), compressed.len() as u64);
    (download.finish(&sha).expect("hash matches"), built)
}

fn dump(store: &Store, table: &str) -> Vec<Vec<SqlValue>> {
    store
        .read(|c| {
            let mut stmt = c.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3"))?;
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| (0..n).map(|i| r.get(i)).collect())?
                .collect::<rusqlite::Result<Vec<Vec<SqlValue>>>>()?;
            Ok(rows)
        })
        .expect("table reads")
}

fn synced_tables() -> Vec<&'static str> {
    let mut tables: Vec<&str> = Entity::synced().map(Entity::table).collect();
    tables.push("field_clocks");
    tables
}

fn cursor_of(store: &Store) -> i64 {
    store.read(crate::sync::apply::cursor).expect("cursor")
}

#[test]
fn an_installed_snapshot_equals_its_source() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let (file, built) = received(&source, dir.path(), &whole_scope());
    let device = Store::open(dir.path().join("device.db")).expect("device");
    let installed = install(&device, &file).expect("installed");
    assert_eq!(installed.cursor, 42);
    assert_eq!(installed.rows, built.rows);
    assert_eq!(cursor_of(&device), 42);
    for table in synced_tables() {
        assert_eq!(dump(&device, table), dump(&source, table), "{table}");
    }
    for table in ["customers", "work_orders", "status_changes", "field_clocks"] {
        assert!(
            !dump(&source, table).is_empty(),
            "{table} has rows to compare"
        );
    }
    // The clock moved past every stamp it brought: the next action stamps after them.
    let newest: String = source
        .read(|c| {
            Ok(
                c.query_row("SELECT max(row_stamp) FROM status_changes", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .expect("stamps");
    let job: String = device
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM work_orders WHERE status NOT IN ('completed', 'cancelled', 'incomplete') LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("an open job");
    let job = job.parse().expect("uuid");
    let note = device
        .add_note(job, "after the snapshot".into())
        .expect("note");
    let stamp: String = device
        .read(|c| {
            Ok(c.query_row(
                "SELECT row_stamp FROM notes WHERE id = ?1",
                [note.id.to_string()],
                |r| r.get(0),
            )?)
        })
        .expect("its stamp");
    assert!(stamp > newest, "{stamp} after {newest}");
    drop(file);
    assert!(
        !dir.path().join("device.snapshot").exists(),
        "the file goes once used"
    );
}

#[test]
fn a_scope_brings_the_parents_of_its_rows() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    // One visit record alone: its job, that job's customer, site, asset and contract follow.
    let scope =
        "INSERT INTO temp.snapshot_scope SELECT 'status_change', id FROM status_changes LIMIT 1";
    let (file, _) = received(&source, dir.path(), scope);
    let device = Store::open(dir.path().join("device.db")).expect("device");
    install(&device, &file).expect("installed");
    let count = |table: &str| dump(&device, table).len();
    assert_eq!(count("status_changes"), 1);
    assert_eq!(count("work_orders"), 1);
    assert_eq!(count("customers"), 1);
    assert_eq!(count("sites"), 1);
    assert_eq!(count("assets"), 1);
}

/// A store left exactly as it was: no synced row, cursor 0, every index in place.
fn assert_untouched(device: &Store) {
    for table in synced_tables() {
        assert!(dump(device, table).is_empty(), "{table} is still empty");
    }
    assert_eq!(cursor_of(device), 0);
    let indexes: i64 = device
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'notes_wo'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("schema reads");
    assert_eq!(
        indexes, 1,
        "the dropped indexes came back with the rollback"
    );
}

#[test]
fn bytes_that_do_not_hash_to_the_announced_sha_are_refused_and_removed() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let raw = dir.path().join("built.db");
    build(source.path(), &raw, |conn| {
        conn.execute_batch(&whole_scope())?;
        Ok(1)
    })
    .expect("built");
    let mut compressed = Vec::new();
    let sha = compress(&raw, &mut compressed).expect("compressed");
    let path = dir.path().join("device.snapshot");
    let mut download = Download::create(path.clone()).expect("download");
    // Cut short by a dropped connection.
    download
        .write(&compressed[..compressed.len() / 2])
        .expect("half");
    match download.finish(&sha) {
        Err(Error::Snapshot(SnapshotError::HashMismatch { announced, .. })) => {
            assert_eq!(announced, sha)
        }
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    assert!(!path.exists(), "a refused download leaves no file");
}

#[test]
fn a_store_that_holds_rows_refuses_a_snapshot() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let (file, _) = received(&source, dir.path(), &whole_scope());
    // The source itself is far from fresh.
    let before = dump(&source, "work_orders");
    match install(&source, &file) {
        Err(Error::Snapshot(SnapshotError::NotFresh)) => {}
        other => panic!("expected NotFresh, got {other:?}"),
    }
    assert_eq!(dump(&source, "work_orders"), before);
    assert_eq!(cursor_of(&source), 0);
}

/// Changes the received file as a damaged or foreign server could have made it.
fn tampered(file: &SnapshotFile, sql: &str) {
    let conn = rusqlite::Connection::open(file.path()).expect("snapshot opens");
    conn.execute_batch(sql).expect("tampered");
}

#[test]
fn a_snapshot_of_another_schema_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let (file, _) = received(&source, dir.path(), &whole_scope());
    tampered(
        &file,
        "UPDATE snapshot_meta SET schema_version = schema_version + 1",
    );
    let device = Store::open(dir.path().join("device.db")).expect("device");
    match install(&device, &file) {
        Err(Error::Snapshot(SnapshotError::Incompatible { schema, format })) => {
            assert_eq!(schema, i64::from(crate::store::LATEST_VERSION) + 1);
            assert_eq!(format, FORMAT);
        }
        other => panic!("expected Incompatible, got {other:?}"),
    }
    assert_untouched(&device);
}

#[test]
fn a_row_the_store_refuses_fails_the_whole_install() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let (file, _) = received(&source, dir.path(), &whole_scope());
    tampered(
        &file,
        "UPDATE status_changes SET work_order_id = 'no-such-job'
         WHERE rowid = (SELECT max(rowid) FROM status_changes)",
    );
    let device = Store::open(dir.path().join("device.db")).expect("device");
    let err = install(&device, &file).expect_err("refused");
    assert_eq!(err.code(), "constraint", "{err}");
    assert_untouched(&device);
}

#[test]
fn a_stamp_the_store_could_not_read_back_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let (file, _) = received(&source, dir.path(), &whole_scope());
    tampered(&file, "UPDATE status_changes SET row_stamp = 'yesterday'");
    let device = Store::open(dir.path().join("device.db")).expect("device");
    let err = install(&device, &file).expect_err("refused");
    assert_eq!(err.code(), "protocol", "{err}");
    assert_untouched(&device);
}

#[test]
fn a_snapshot_missing_a_column_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let source = seeded(dir.path());
    let (file, _) = received(&source, dir.path(), &whole_scope());
    tampered(&file, "ALTER TABLE status_changes DROP COLUMN reason");
    let device = Store::open(dir.path().join("device.db")).expect("device");
    match install(&device, &file) {
        Err(Error::Snapshot(SnapshotError::MissingColumn { table, column })) => {
            assert_eq!((table, column.as_str()), ("status_changes", "reason"));
        }
        other => panic!("expected MissingColumn, got {other:?}"),
    }
    assert_untouched(&device);
}
