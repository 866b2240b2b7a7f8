//! `Db::backup` and `Db::restore` on real files: a restore gives a new identity, keeps the
//! database it replaces, and refuses a file that is not an Onsite database without moving
//! anything; a backup never overwrites a file.

use onsite_server::db::{Db, UserRole, db_file};
use onsite_server::error::{Invalid, ServerError};

#[test]
fn a_restore_gives_a_new_identity_and_keeps_what_it_replaces() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let backup = dir.path().join("backup.db");
    let db = Db::open(&data).expect("server database");
    let before = db.identity();
    db.create_user("eng-a", UserRole::Engineer).expect("user");
    db.backup(&backup).expect("backup");
    assert!(matches!(
        db.backup(&backup),
        Err(ServerError::Invalid {
            problem: Invalid::BackupExists
        })
    ));
    db.create_user("eng-b", UserRole::Engineer).expect("user");
    drop(db);
    assert_eq!(
        Db::open(&data).expect("reopen").identity(),
        before,
        "an identity lasts across restarts"
    );

    let restored = Db::restore(&backup, &data).expect("restore");
    assert_ne!(restored, before);
    let db = Db::open(&data).expect("open restored");
    assert_eq!(db.identity(), restored);
    let names = |db: &Db| -> Vec<String> {
        db.store
            .read(|c| {
                let mut s = c.prepare("SELECT name FROM users ORDER BY name")?;
                Ok(s.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .expect("users")
    };
    assert_eq!(names(&db), ["eng-a"], "the backup's state");
    let kept: Vec<_> = std::fs::read_dir(&data)
        .expect("data dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with("onsite-server.db.replaced-")
                && !n.ends_with("-wal")
                && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 1, "the replaced database is kept: {kept:?}");
    let old = rusqlite::Connection::open(data.join(&kept[0])).expect("open the kept file");
    let old_names: Vec<String> = old
        .prepare("SELECT name FROM users ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("users");
    assert_eq!(old_names, ["eng-a", "eng-b"]);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_nothing_moves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let db = Db::open(&data).expect("server database");
    let identity = db.identity();
    drop(db);
    let bogus = dir.path().join("notes.txt");
    std::fs::write(
        &bogus,
        "not a database at all, but long enough to look like a header....",
    )
    .expect("write");
    let before = std::fs::read(db_file(&data)).expect("read");
    assert!(Db::restore(&bogus, &data).is_err());
    assert_eq!(std::fs::read(db_file(&data)).expect("read"), before);
    assert_eq!(Db::open(&data).expect("open").identity(), identity);
}
