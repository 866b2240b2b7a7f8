//! The store's WAL and commits on a real file: checkpoints keep the WAL bounded over many
//! actions (none run inside an action's commit), and a batch shares one commit among scopes
//! that stand or fall alone.

use onsite_core::store::checkpoint::WAL_CAP_PAGES;

use crate::fixture::Fixture;

fn wal_bytes(f: &Fixture) -> u64 {
    std::fs::metadata(f.dir.path().join("eng.db-wal")).map_or(0, |m| m.len())
}

#[test]
fn the_wal_stays_bounded_over_many_actions() {
    let f = Fixture::new();
    f.arrive();
    let page: i64 = f
        .store
        .read(|c| Ok(c.query_row("PRAGMA page_size", [], |r| r.get(0))?))
        .expect("page size");
    let page = u64::try_from(page).expect("a page size is positive");
    // Every note commits at least four pages (the note, its stamp, its outbox entry, the
    // device row), so without checkpoints the WAL would pass 8,000 pages.
    let actions = 2_000;
    let mut largest = 0;
    for n in 0..actions {
        f.store
            .add_note(f.job.id, format!("note {n}"))
            .expect("note");
        largest = largest.max(wal_bytes(&f));
    }
    // The cap, one action's frames over it, and the WAL header.
    let bound = (u64::try_from(WAL_CAP_PAGES).expect("positive") + 64) * (page + 24) + 32;
    assert!(
        largest <= bound,
        "the WAL reached {largest} bytes, over the bound of {bound}"
    );
    assert!(
        largest < 4 * actions * page,
        "the WAL holds every action: no checkpoint ran"
    );
    let notes: i64 = f
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM notes", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(notes, i64::try_from(actions).expect("small"));
}

#[test]
fn a_failed_scope_is_rolled_back_alone_and_the_batch_commits_the_rest() {
    let f = Fixture::new();
    f.store
        .import(|tx, _| Ok(tx.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")?))
        .expect("table");
    let answers = f
        .store
        .import_batch(|batch| {
            let insert = |x: i64| {
                batch.scope(|tx, _| {
                    tx.execute("INSERT INTO t VALUES (?1)", [x])?;
                    Ok(x)
                })
            };
            let first = insert(1);
            // Writes one row, then fails on a duplicate key: the row must not stay.
            let failed = batch.scope(|tx, _| {
                tx.execute("INSERT INTO t VALUES (2)", [])?;
                tx.execute("INSERT INTO t VALUES (1)", [])?;
                Ok(())
            });
            let third = insert(3);
            // Nothing is visible to a reader before the commit.
            let seen: i64 = f
                .store
                .read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))?;
            Ok((first.is_ok(), failed.is_err(), third.is_ok(), seen))
        })
        .expect("batch commits");
    assert_eq!(answers, (true, true, true, 0));
    let rows: Vec<i64> = f
        .store
        .read(|c| {
            let mut stmt = c.prepare("SELECT x FROM t ORDER BY x")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .expect("rows");
    assert_eq!(rows, [1, 3]);
}

#[test]
fn a_batch_that_fails_stores_nothing() {
    let f = Fixture::new();
    f.store
        .import(|tx, _| Ok(tx.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")?))
        .expect("table");
    let failed = f.store.import_batch(|batch| {
        batch.scope(|tx, _| Ok(tx.execute("INSERT INTO t VALUES (1)", [])?))?;
        Err::<(), _>(onsite_core::Error::inconsistent(
            "test",
            "the batch gives up",
        ))
    });
    assert!(failed.is_err());
    let rows: i64 = f
        .store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(rows, 0);
}
