//! Store tests on real files: creation, reopening, refusing files that are not ours, and the
//! upgrade ladder from the frozen v1 schema.

use std::fs;

use rusqlite::Connection;
use tempfile::TempDir;

use sha2::{Digest, Sha256};

use super::*;
use crate::error::Error;

fn digest(path: &std::path::Path) -> String {
    hex::encode(Sha256::digest(fs::read(path).expect("file is readable")))
}

fn describe_schema(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let mut tables = conn
        .prepare("SELECT name, type, strict, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .expect("table_list query is valid");
    let tables: Vec<(String, String, i64, i64)> = tables
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("table_list runs")
        .collect::<rusqlite::Result<_>>()
        .expect("table_list rows read");
    for (table, kind, strict, without_rowid) in tables {
        out.push(format!(
            "{kind} {table} strict={strict} without_rowid={without_rowid}"
        ));
        let q = |sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(sql).expect("pragma query is valid");
            let n = stmt.column_count();
            stmt.query_map([&table], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(|v| v.join("|"))
            })
            .expect("pragma runs")
            .collect::<rusqlite::Result<_>>()
            .expect("pragma rows read")
        };
        for c in q(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?1) ORDER BY cid",
        ) {
            out.push(format!("  column {c}"));
        }
        for f in q(
            "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY \"from\"",
        ) {
            out.push(format!("  fk {f}"));
        }
        for i in
            q("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) ORDER BY name")
        {
            out.push(format!("  index {i}"));
        }
    }
    let mut idx = conn
        .prepare("SELECT il.name, ii.name FROM sqlite_schema s, pragma_index_list(s.name) il, pragma_index_info(il.name) ii WHERE s.type = 'table' ORDER BY il.name, ii.seqno")
        .expect("index query is valid");
    let cols: Vec<String> = idx
        .query_map([], |r| {
            Ok(format!(
                "index column {}.{}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default()
            ))
        })
        .expect("index query runs")
        .collect::<rusqlite::Result<_>>()
        .expect("index rows read");
    out.extend(cols);
    out
}

#[test]
fn a_new_store_is_wal_with_foreign_keys_a_v7_client_id_and_the_latest_schema() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("eng.db");
    let store = Store::open(&path).expect("new store opens");
    assert_eq!(store.client_id().get_version_num(), 7);
    store
        .read(|conn| {
            let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            assert_eq!(mode, "wal");
            assert_eq!(version, LATEST_VERSION);
            Ok(())
        })
        .expect("pragmas read");
    let writer = lock(&store.writer);
    let fk: bool = writer
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .expect("pragma");
    let sync: i64 = writer
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .expect("pragma");
    assert!(fk);
    assert_eq!(sync, 2, "synchronous=FULL on the writer");
    drop(writer);
    let client_id = store.client_id();
    drop(store);
    assert_eq!(Store::open(&path).expect("reopens").client_id(), client_id);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("photo.jpg");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 31 % 251) as u8).collect();
    fs::write(&path, &bytes).expect("write garbage");
    let before = digest(&path);
    let err = Store::open(&path).expect_err("garbage is refused");
    assert!(matches!(err, Error::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("left untouched"));
    assert_eq!(digest(&path), before);
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no -wal or -shm left beside it: {names:?}");
}

#[test]
fn another_apps_database_and_a_newer_schema_are_refused_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let foreign = dir.path().join("other.db");
    Connection::open(&foreign)
        .and_then(|c| {
            c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me');")
        })
        .expect("foreign db");
    let before = digest(&foreign);
    assert!(matches!(
        Store::open(&foreign),
        Err(Error::NotAnOnsiteStore { .. })
    ));
    assert_eq!(digest(&foreign), before);

    let newer = dir.path().join("newer.db");
    drop(Store::open(&newer).expect("create"));
    Connection::open(&newer)
        .and_then(|c| c.pragma_update(None, "user_version", 99))
        .expect("bump version");
    let before = digest(&newer);
    match Store::open(&newer) {
        Err(Error::SchemaTooNew {
            found: 99,
            supported,
        }) => assert_eq!(supported, LATEST_VERSION),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert_eq!(digest(&newer), before);
}

#[test]
fn a_frozen_v1_store_upgrades_to_the_same_schema_as_a_fresh_one_and_keeps_its_data() {
    let dir = TempDir::new().expect("temp dir");
    let old = dir.path().join("v1.db");
    {
        let conn = Connection::open(&old).expect("v1 file");
        conn.execute_batch(schema::FROZEN_V1)
            .expect("frozen v1 schema applies");
        conn.execute_batch(
            "INSERT INTO device (id, client_id, created_at, next_outbox_seq)
               VALUES (1, '0196a1e2-0000-7000-8000-000000000001', '2025-01-01T00:00:00.000Z', 4);
             INSERT INTO customers (id, name) VALUES ('0196a1e2-0000-7000-8000-0000000000c1', 'Anna Keller');
             INSERT INTO conflicts (id, entity, row_id, kept, reason, occurred_at)
               VALUES ('0196a1e2-0000-7000-8000-0000000000f1', 'customer',
                       '0196a1e2-0000-7000-8000-0000000000c1', 'remote', 'test', '2025-01-01T00:00:00.000Z');
             PRAGMA user_version = 1;",
        )
        .expect("v1 data");
    }
    let upgraded = Store::open(&old).expect("v1 store upgrades");
    let fresh = Store::open(dir.path().join("fresh.db")).expect("fresh store");
    let (a, b) = (
        upgraded.read(|c| Ok(describe_schema(c))).expect("describe"),
        fresh.read(|c| Ok(describe_schema(c))).expect("describe"),
    );
    assert!(a.len() > 40, "the description covers the schema: {a:#?}");
    assert_eq!(a, b);
    let version = |s: &Store| {
        s.read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))?))
    };
    assert_eq!(version(&upgraded).expect("version"), LATEST_VERSION);
    assert_eq!(version(&fresh).expect("version"), LATEST_VERSION);
    assert_eq!(
        upgraded.client_id().to_string(),
        "0196a1e2-0000-7000-8000-000000000001"
    );
    upgraded
        .read(|c| {
            let name: String = c.query_row("SELECT name FROM customers", [], |r| r.get(0))?;
            let next: i64 = c.query_row("SELECT next_outbox_seq FROM device", [], |r| r.get(0))?;
            assert_eq!((name.as_str(), next), ("Anna Keller", 4));
            Ok(())
        })
        .expect("data kept");
    assert_eq!(
        upgraded.conflicts(false).expect("conflicts").len(),
        1,
        "the v1 entry is unseen"
    );
}

#[test]
fn a_store_with_a_damaged_schema_page_is_refused_as_damaged_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("eng.db");
    drop(Store::open(&path).expect("create"));
    Connection::open(&path)
        .and_then(|c| {
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        })
        .expect("fold the WAL into the file");
    let mut bytes = fs::read(&path).expect("read");
    // Keep the 100-byte header valid; scribble over the schema b-tree on page 1.
    for (i, b) in bytes.iter_mut().enumerate().take(4096).skip(100) {
        *b = (i * 7 % 253) as u8;
    }
    fs::write(&path, &bytes).expect("write damage");
    let before = digest(&path);
    let err = Store::open(&path).expect_err("damaged store refused");
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
    assert!(err.to_string().contains("is damaged"));
    assert_eq!(digest(&path), before);
}

#[test]
fn with_several_readers_a_long_read_does_not_hold_up_another() {
    use std::sync::mpsc;
    use std::time::Duration;

    let dir = TempDir::new().expect("temp dir");
    let store = Store::open(dir.path().join("server.db"))
        .expect("store")
        .with_readers(2)
        .expect("readers");
    let (inside_tx, inside) = mpsc::channel();
    let (go_tx, go) = mpsc::channel::<()>();
    let store = &store;
    std::thread::scope(|s| {
        let long = s.spawn(move || {
            store.read(|_| {
                inside_tx.send(()).expect("main waits");
                // Returns only once another read has run meanwhile (or fails after a while
                // instead of hanging when reads are serialised).
                Ok(go.recv_timeout(Duration::from_secs(20)).is_ok())
            })
        });
        inside.recv().expect("the long read started");
        let other: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM work_orders", [], |r| r.get(0))?))
            .expect("a second read runs while the first is open");
        assert_eq!(other, 0);
        go_tx.send(()).expect("the long read is waiting");
        assert!(
            long.join().expect("thread").expect("read"),
            "the second read ran during the first"
        );
    });
}

#[test]
fn a_v6_store_upgrades_with_every_stamp_intact_row_stamps_moving_into_their_rows() {
    let dir = TempDir::new().expect("temp dir");
    let old = dir.path().join("v6.db");
    let (customer, site) = (
        "0196a1e2-0000-7000-8000-0000000000c1",
        "0196a1e2-0000-7000-8000-0000000000d1",
    );
    let (row_a, row_b, edit) = (
        "001735689600000-0000000000-0196a1e2-0000-7000-8000-000000000001",
        "001735689600001-0000000000-0196a1e2-0000-7000-8000-000000000001",
        "001735689700000-0000000003-0196a1e2-0000-7000-8000-000000000002",
    );
    {
        let conn = Connection::open(&old).expect("v6 file");
        conn.execute_batch(schema::FROZEN_V1).expect("v1 schema");
        for step in schema::steps_up_to(6) {
            conn.execute_batch(step).expect("step applies");
        }
        conn.execute_batch(&format!(
            "INSERT INTO device (id, client_id, created_at)
               VALUES (1, '0196a1e2-0000-7000-8000-000000000001', '2025-01-01T00:00:00.000Z');
             INSERT INTO customers (id, name) VALUES ('{customer}', 'Anna Keller');
             INSERT INTO sites (id, customer_id, address) VALUES ('{site}', '{customer}', 'Hauptstr. 1');
             INSERT INTO field_clocks VALUES ('customer', '{customer}', '*', '{row_a}');
             INSERT INTO field_clocks VALUES ('site', '{site}', '*', '{row_b}');
             INSERT INTO field_clocks VALUES ('site', '{site}', 'access_notes', '{edit}');
             PRAGMA user_version = 6;"
        ))
        .expect("v6 data");
    }
    let store = Store::open(&old).expect("v6 store upgrades");
    store
        .read(|c| {
            let stamp = |table: &str, id: &str| -> rusqlite::Result<Option<String>> {
                c.query_row(
                    &format!("SELECT row_stamp FROM {table} WHERE id = ?1"),
                    [id],
                    |r| r.get(0),
                )
            };
            assert_eq!(stamp("customers", customer)?.as_deref(), Some(row_a));
            assert_eq!(stamp("sites", site)?.as_deref(), Some(row_b));
            let left: Vec<(String, String)> = c
                .prepare("SELECT field, hlc FROM field_clocks ORDER BY field")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            assert_eq!(left, [("access_notes".to_owned(), edit.to_owned())]);
            let site: Uuid = site.parse().expect("uuid");
            let read = |field| {
                field_stamp(c, crate::Entity::Site, site, field).map(|s| s.map(|h| h.to_string()))
            };
            assert_eq!(read("access_notes")?.as_deref(), Some(edit));
            assert_eq!(read("address")?.as_deref(), Some(row_b));
            Ok(())
        })
        .expect("stamps read back");
}

#[test]
fn indexes_a_first_sync_left_out_are_built_again_when_the_store_opens() {
    let dir = TempDir::new().expect("temp dir");
    let fresh = Store::open(dir.path().join("fresh.db")).expect("fresh");
    let want = fresh.read(|c| Ok(describe_schema(c))).expect("describe");
    let path = dir.path().join("eng.db");
    {
        let store = Store::open(&path).expect("store");
        store
            .import(|tx, _| indexes::drop_deferrable(tx))
            .expect("indexes dropped");
        let without = store.read(|c| Ok(describe_schema(c))).expect("describe");
        assert_ne!(without, want, "the indexes were dropped");
    }
    let reopened = Store::open(&path).expect("reopened");
    assert_eq!(
        reopened.read(|c| Ok(describe_schema(c))).expect("describe"),
        want
    );
}
