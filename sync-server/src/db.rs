//! The server's storage: the core's domain schema (the same `Store`, the same rule code) plus
//! the server's tables for accounts, tokens, clients and the change log, in one SQLite file.
//! Everything the HTTP layer needs goes through this type, so another backend can replace it.

use std::path::Path;

use chrono::Utc;
use onsite_core::clock::format_time;
use onsite_core::store::ActionCtx;
use onsite_core::work_orders::status::Role;
use onsite_core::{Entity, Store};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{Invalid, Missing, ServerError, ServerResult};

const SERVER_SQL: &str = include_str!("sql/server.sql");

/// Reader connections of the server's database: a few per core, each a page cache of its own.
const READERS: usize = 4;

/// A server account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// A field engineer: syncs their own jobs.
    Engineer,
    /// The back office: dispatches jobs, creates engineers.
    Dispatcher,
    /// Everything a dispatcher can, and creates dispatchers.
    Admin,
}

impl UserRole {
    fn as_str(self) -> &'static str {
        match self {
            UserRole::Engineer => "engineer",
            UserRole::Dispatcher => "dispatcher",
            UserRole::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<UserRole> {
        [UserRole::Engineer, UserRole::Dispatcher, UserRole::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// The authority this account has in the core's rules.
    pub fn core_role(self) -> Role {
        match self {
            UserRole::Engineer => Role::Engineer,
            UserRole::Dispatcher | UserRole::Admin => Role::Dispatcher,
        }
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    /// UUIDv7.
    pub id: Uuid,
    /// Login name; for engineers also the work orders' `assignee`.
    pub name: String,
    /// Role.
    pub role: UserRole,
}

/// The server's database.
pub struct Db {
    /// The domain store (shared schema and rules with the devices).
    pub store: Store,
    /// The identity of this database (see `server_identity` in `sql/server.sql`).
    identity: Uuid,
    /// Its file.
    path: std::path::PathBuf,
    /// Pushes waiting to share a commit (and how many commits they have taken).
    pub pushes: crate::sync::PushQueue,
    /// Change-log entries per pull page ([`crate::sync::PULL_PAGE`] unless set for a test).
    pull_page: i64,
    /// Whether first-sync snapshots are answered (`crate::sync::snapshot`).
    snapshots: bool,
}

/// The database file inside a data directory.
pub fn db_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("onsite-server.db")
}

fn identity(conn: &Connection) -> onsite_core::Result<Uuid> {
    let text: String = conn.query_row("SELECT db_id FROM server_identity", [], |r| r.get(0))?;
    Uuid::parse_str(&text).map_err(|_| onsite_core::Error::Corrupt {
        column: "server_identity.db_id",
        value: text,
    })
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl Db {
    /// Opens (or creates) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> ServerResult<Db> {
        std::fs::create_dir_all(data_dir).map_err(|source| ServerError::Storage {
            path: data_dir.to_path_buf(),
            source,
        })?;
        // Readers for concurrent requests: a long pull must not hold up every token check.
        let store = Store::open(db_file(data_dir))?.with_readers(READERS)?;
        let identity = store.import(|tx, _| {
            tx.execute_batch(SERVER_SQL)?;
            // Databases made before refusals and losses were remembered: add the columns.
            for column in ["refused", "lost"] {
                let has: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM pragma_table_info('applied') WHERE name = ?1)",
                    [column],
                    |r| r.get(0),
                )?;
                if !has {
                    tx.execute_batch(&format!("ALTER TABLE applied ADD COLUMN {column} TEXT"))?;
                }
            }
            // A database made before identities (or a new one) gets one now.
            tx.execute(
                "INSERT OR IGNORE INTO server_identity (id, db_id, created_at) VALUES (1, ?1, ?2)",
                (Uuid::now_v7().to_string(), format_time(Utc::now())),
            )?;
            identity(tx)
        })?;
        Ok(Db {
            store,
            identity,
            path: db_file(data_dir),
            pushes: crate::sync::push_queue(),
            pull_page: crate::sync::PULL_PAGE,
            snapshots: true,
        })
    }

    /// The identity of this database, sent with every answer.
    pub fn identity(&self) -> Uuid {
        self.identity
    }

    /// Writes a consistent copy of the database to `to` (which must not exist), while it
    /// serves.
    pub fn backup(&self, to: &Path) -> ServerResult<()> {
        if to.exists() {
            return Err(Invalid::BackupExists.into());
        }
        let target = to.to_str().ok_or(Invalid::BackupPath)?.to_owned();
        // Its own connection: VACUUM cannot run inside the transaction every store read is.
        let conn =
            Connection::open_with_flags(&self.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(onsite_core::Error::from)?;
        conn.execute("VACUUM INTO ?1", [target])
            .map_err(onsite_core::Error::from)?;
        Ok(())
    }

    /// Puts the backup `from` in place as the database of `data_dir`, with a new identity, so
    /// that every device notices and recovers what the backup lacks (pulls again, re-sends
    /// what it still holds). The database it replaces is kept beside it, renamed, never
    /// deleted. The server must not be running on `data_dir`.
    pub fn restore(from: &Path, data_dir: &Path) -> ServerResult<Uuid> {
        let storage = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ServerError::Storage { path, source }
        };
        // Opened first as a store, so a file that is not an Onsite database is refused before
        // anything in the data directory moves.
        drop(Store::open(from)?);
        std::fs::create_dir_all(data_dir).map_err(storage(data_dir))?;
        let current = db_file(data_dir);
        if current.exists() {
            let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
            for suffix in ["", "-wal", "-shm"] {
                let file = data_dir.join(format!("onsite-server.db{suffix}"));
                if file.exists() {
                    let aside = data_dir.join(format!("onsite-server.db.replaced-{stamp}{suffix}"));
                    std::fs::rename(&file, &aside).map_err(storage(&file))?;
                }
            }
        }
        std::fs::copy(from, &current).map_err(storage(&current))?;
        let db = Db::open(data_dir)?;
        let identity = Uuid::now_v7();
        db.store.import(|tx, _| {
            tx.execute(
                "UPDATE server_identity SET db_id = ?1, created_at = ?2",
                (identity.to_string(), format_time(Utc::now())),
            )?;
            Ok(())
        })?;
        tracing::warn!(server = %identity, "restored from a backup under a new identity");
        Ok(identity)
    }

    /// The same database cutting pull pages after `entries` change-log entries (at least 1):
    /// tests use tiny pages to show that every page applies on its own, whatever its size.
    pub fn with_pull_page(mut self, entries: u32) -> Db {
        self.pull_page = i64::from(entries.max(1));
        self
    }

    /// The same database answering first-sync snapshots or not (`--no-snapshots`).
    pub fn with_snapshots(mut self, on: bool) -> Db {
        self.snapshots = on;
        self
    }

    /// Whether first-sync snapshots are answered.
    pub fn snapshots(&self) -> bool {
        self.snapshots
    }

    /// The database's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where snapshots are built (`sync::snapshot`): beside the database, on the same disk.
    pub fn snapshots_dir(&self) -> std::path::PathBuf {
        self.path.with_extension("snapshots")
    }

    /// Change-log entries per pull page.
    pub fn pull_page(&self) -> i64 {
        self.pull_page
    }

    /// Creates an account.
    pub fn create_user(&self, name: &str, role: UserRole) -> ServerResult<User> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Invalid::NameLength.into());
        }
        let user = User {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            role,
        };
        self.store
            .import(|tx, _| {
                tx.execute(
                    "INSERT INTO users (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
                    (
                        user.id.to_string(),
                        &user.name,
                        role.as_str(),
                        format_time(Utc::now()),
                    ),
                )?;
                Ok(())
            })
            .map_err(|e| match e {
                onsite_core::Error::Sqlite(ref s)
                    if s.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
                {
                    ServerError::NameTaken
                }
                other => other.into(),
            })?;
        Ok(user)
    }

    /// Issues a new random token for `user_id`; only its hash is stored. Returns the token.
    pub fn issue_token(&self, user_id: Uuid) -> ServerResult<String> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("ons_{}", hex::encode(bytes));
        if self.store.read(|c| self.user_in(c, user_id))?.is_none() {
            return Err(Missing::User.into());
        }
        self.store.import(|tx, _| {
            tx.execute(
                "INSERT INTO tokens (token_sha256, user_id, created_at) VALUES (?1, ?2, ?3)",
                (
                    sha256_hex(&token),
                    user_id.to_string(),
                    format_time(Utc::now()),
                ),
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    /// Revokes a token. Unknown tokens are a not-found error.
    pub fn revoke_token(&self, token: &str) -> ServerResult<()> {
        let changed = self.store.import(|tx, _| {
            Ok(tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE token_sha256 = ?1 AND revoked_at IS NULL",
                (sha256_hex(token), format_time(Utc::now())),
            )?)
        })?;
        if changed == 0 {
            return Err(Missing::ActiveToken.into());
        }
        Ok(())
    }

    /// The account behind a bearer token, if the token is valid and not revoked.
    pub fn authenticate(&self, token: &str) -> ServerResult<Option<User>> {
        Ok(self.store.read(|c| {
            Ok(c.prepare_cached(
                "SELECT u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_sha256 = ?1 AND t.revoked_at IS NULL",
            )?
            .query_row([sha256_hex(token)], user_from_row)
            .optional()?
            .flatten())
        })?)
    }

    /// The account with this id.
    pub fn user(&self, id: Uuid) -> ServerResult<Option<User>> {
        Ok(self.store.read(|c| self.user_in(c, id))?)
    }

    fn user_in(&self, conn: &Connection, id: Uuid) -> onsite_core::Result<Option<User>> {
        Ok(conn
            .prepare_cached("SELECT id, name, role FROM users WHERE id = ?1")?
            .query_row([id.to_string()], user_from_row)
            .optional()?
            .flatten())
    }
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<User>> {
    let (id, name, role): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
    Ok(match (Uuid::parse_str(&id), UserRole::parse(&role)) {
        (Ok(id), Some(role)) => Some(User { id, name, role }),
        _ => None,
    })
}

/// Appends a change to the log; its sequence number is the pull cursor that covers it.
pub fn log_change(
    tx: &Transaction<'_>,
    entity: Entity,
    row_id: Uuid,
    work_order_id: Option<Uuid>,
) -> onsite_core::Result<()> {
    tx.prepare_cached(
        "INSERT INTO change_log (entity, row_id, work_order_id) VALUES (?1, ?2, ?3)",
    )?
    .execute((
        entity.as_str(),
        row_id.to_string(),
        work_order_id.map(|id| id.to_string()),
    ))?;
    Ok(())
}

/// Logs that a job left `engineer`'s scope: their devices remove it on their next pull.
pub fn log_handover(
    tx: &Transaction<'_>,
    work_order_id: Uuid,
    engineer: &str,
) -> onsite_core::Result<()> {
    tx.prepare_cached(
        "INSERT INTO change_log (entity, row_id, work_order_id, left_scope_of) VALUES ('work_order', ?1, ?1, ?2)",
    )?
    .execute((work_order_id.to_string(), engineer))?;
    Ok(())
}

/// The statuses of a visit that is over: only these are other engineers' asset history.
pub const HISTORY_STATUSES: &str = "('completed', 'cancelled', 'incomplete')";

/// Logs a job that just ended (completed, cancelled, incomplete) and all its records again:
/// it now becomes asset history for the other engineers with a job on the same asset, whose
/// cursors are already past the records written while it was open.
pub fn log_visit_over(tx: &Transaction<'_>, work_order_id: Uuid) -> onsite_core::Result<()> {
    let id = work_order_id.to_string();
    let over: bool = tx.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM work_orders WHERE id = ?1 AND status IN {HISTORY_STATUSES})"),
        [&id],
        |r| r.get(0),
    )?;
    if !over {
        return Ok(());
    }
    log_change(tx, Entity::WorkOrder, work_order_id, Some(work_order_id))?;
    for child in Entity::VISIT_RECORDS {
        tx.execute(
            &format!(
                "INSERT INTO change_log (entity, row_id, work_order_id)
                 SELECT ?2, id, work_order_id FROM {} WHERE work_order_id = ?1",
                child.table()
            ),
            (&id, child.as_str()),
        )?;
    }
    Ok(())
}

/// Logs what a status change does to other engineers' asset history: a visit that just ended
/// becomes theirs ([`log_visit_over`]); a visit that was over and is open again (the office
/// re-opened it: incomplete -> assigned) leaves it, so their devices remove it instead of
/// keeping it, stale, for good. Not for an engineer a follow-up of theirs keeps it for (the
/// visit a follow-up follows stays in its engineer's scope).
pub fn log_visit_status(
    tx: &Transaction<'_>,
    work_order_id: Uuid,
    was_over: bool,
) -> onsite_core::Result<()> {
    log_visit_over(tx, work_order_id)?;
    if !was_over {
        return Ok(());
    }
    tx.execute(
        &format!(
            "INSERT INTO change_log (entity, row_id, work_order_id, left_scope_of)
             SELECT DISTINCT 'work_order', x.id, x.id, w.assignee
             FROM work_orders x JOIN work_orders w ON w.site_id = x.site_id AND w.asset_id IS x.asset_id
             WHERE x.id = ?1 AND x.status NOT IN {HISTORY_STATUSES}
               AND w.id != x.id AND w.assignee IS NOT NULL AND w.assignee IS NOT x.assignee
               AND NOT EXISTS (SELECT 1 FROM work_orders f
                               WHERE f.follow_up_of = x.id AND f.assignee = w.assignee)"
        ),
        [work_order_id.to_string()],
    )?;
    Ok(())
}

/// Logs a job, its customer, site, contract, asset, the visit it follows and the asset's history
/// again, parents first, so a device that just got the job (its cursor already past those rows)
/// receives them on its next pull.
pub fn touch_job(tx: &Transaction<'_>, work_order_id: Uuid) -> onsite_core::Result<()> {
    let id = work_order_id.to_string();
    // Parents before children (the pull sends a row's parents first anyway; this keeps the
    // log itself in an order any page cut applies).
    for (entity, column) in [(Entity::Customer, "customer_id"), (Entity::Site, "site_id")] {
        tx.execute(
            &format!(
                "INSERT INTO change_log (entity, row_id) SELECT ?2, {column} FROM work_orders
                 WHERE id = ?1 AND {column} IS NOT NULL"
            ),
            (&id, entity.as_str()),
        )?;
    }
    tx.execute(
        "INSERT INTO change_log (entity, row_id) SELECT 'contract', a.contract_id
         FROM work_orders w JOIN assets a ON a.id = w.asset_id
         WHERE w.id = ?1 AND a.contract_id IS NOT NULL",
        [&id],
    )?;
    tx.execute(
        "INSERT INTO change_log (entity, row_id) SELECT 'asset', asset_id FROM work_orders
         WHERE id = ?1 AND asset_id IS NOT NULL",
        [&id],
    )?;
    // The visit this one follows, before it (it may no longer be history: re-opened).
    tx.execute(
        "INSERT INTO change_log (entity, row_id, work_order_id) SELECT 'work_order', follow_up_of, follow_up_of
         FROM work_orders WHERE id = ?1 AND follow_up_of IS NOT NULL",
        [&id],
    )?;
    let jobs = format!(
        "SELECT h.id FROM work_orders h, work_orders w
         WHERE w.id = ?1 AND (h.id = w.id OR (h.site_id = w.site_id AND h.asset_id IS w.asset_id
                                               AND h.status IN {HISTORY_STATUSES}))"
    );
    tx.execute(
        &format!("INSERT INTO change_log (entity, row_id, work_order_id) SELECT 'work_order', id, id FROM ({jobs})"),
        [&id],
    )?;
    for child in Entity::VISIT_RECORDS {
        tx.execute(
            &format!(
                "INSERT INTO change_log (entity, row_id, work_order_id)
                 SELECT ?2, id, work_order_id FROM {} WHERE work_order_id IN ({jobs})",
                child.table()
            ),
            (&id, child.as_str()),
        )?;
    }
    Ok(())
}

/// Runs a back-office write in one transaction (no device outbox on the server).
pub fn write<T>(
    db: &Db,
    f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> onsite_core::Result<T>,
) -> ServerResult<T> {
    Ok(db.store.import(f)?)
}
