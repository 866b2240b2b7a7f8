//! Pulling: the change-log entries after a cursor that are in the caller's scope, as whole rows
//! with their stamps, one page at a time.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::Utc;
use onsite_core::sync::rows;
use onsite_core::sync::wire::{PullResponse, RowChange};
use onsite_core::{Entity, Error};
use rusqlite::Connection;
use uuid::Uuid;

use crate::db::{Db, User, UserRole};
use crate::error::{Invalid, ServerResult};

/// Rows per pull page. The device commits each page (synchronous=FULL) with its cursor, so a
/// page is also the unit of a first sync's fsyncs: 2,000 rows (under a megabyte of JSON) made
/// the device apply a 10k-job scope 12% faster than 500, and an interrupted pull redoes at most
/// that much.
pub const PULL_PAGE: i64 = 2_000;

/// The stamps of a row's fields changed since it was written, as the wire carries them (its row
/// stamp is read with the row, `rows::read_row_stamped`).
fn stamps_of(
    conn: &Connection,
    entity: Entity,
    id: Uuid,
) -> onsite_core::Result<std::collections::BTreeMap<String, String>> {
    Ok(onsite_core::store::field_stamps(conn, entity, id)?
        .into_iter()
        .map(|(field, hlc)| (field, hlc.to_string()))
        .collect())
}

/// Which change-log entries an engineer may see: their jobs; the history of those jobs (visits
/// that are over at the same site for the same appliance, or with no appliance: never another
/// engineer's open job's records; `db::log_visit_over` re-sends a visit's records when it ends),
/// which includes every visit a follow-up follows; the visit a follow-up of theirs follows even
/// once it is re-opened (its row only, so the link stays current on the phone); and the
/// customers, sites, assets and contracts they point at. `?1` is the engineer's name.
/// One indexed lookup per entry: a plan that cannot degrade into re-running subqueries.
pub(super) const ENGINEER_SCOPE: &str = "CASE c.entity
    WHEN 'customer' THEN EXISTS (SELECT 1 FROM work_orders w WHERE w.customer_id = c.row_id AND +w.assignee = ?1)
    WHEN 'site' THEN EXISTS (SELECT 1 FROM work_orders w WHERE w.site_id = c.row_id AND +w.assignee = ?1)
    WHEN 'asset' THEN EXISTS (SELECT 1 FROM work_orders w WHERE w.asset_id = c.row_id AND +w.assignee = ?1)
    WHEN 'contract' THEN EXISTS (SELECT 1 FROM assets a JOIN work_orders w ON w.asset_id = a.id
                                 WHERE a.contract_id = c.row_id AND +w.assignee = ?1)
    WHEN 'work_order' THEN EXISTS (SELECT 1 FROM work_orders x WHERE x.id = c.work_order_id AND (x.assignee = ?1
         OR (x.status IN ('completed', 'cancelled', 'incomplete')
             AND EXISTS (SELECT 1 FROM work_orders w WHERE w.site_id = x.site_id
                         AND w.asset_id IS x.asset_id AND +w.assignee = ?1))))
        OR EXISTS (SELECT 1 FROM work_orders f WHERE f.follow_up_of = c.row_id AND +f.assignee = ?1)
    ELSE EXISTS (SELECT 1 FROM work_orders x WHERE x.id = c.work_order_id AND (x.assignee = ?1
         OR (x.status IN ('completed', 'cancelled', 'incomplete')
             AND EXISTS (SELECT 1 FROM work_orders w WHERE w.site_id = x.site_id
                         AND w.asset_id IS x.asset_id AND +w.assignee = ?1))))
    END";

/// Where a pull page's time went on the server: the sync benchmark prints it beside the
/// transport and the device's share. Per page, so only a few clock reads per row.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageTimings {
    /// The change-log scan with the scope check (`ENGINEER_SCOPE`).
    pub scope: Duration,
    /// Reading the rows and their parents, stamps and offered-checks included.
    pub rows: Duration,
    /// Of `rows`: the stamp reads (`stamps_of`).
    pub stamps: Duration,
    /// Of `rows`: the checks whether a parent was offered on an earlier page.
    pub offered: Duration,
}

/// A page being built: its changes, and which rows it already holds since its last removal.
struct Page {
    /// The request's cursor: a row with a log entry at or before it was offered already.
    cursor: i64,
    changes: Vec<RowChange>,
    holds: HashSet<(Entity, Uuid)>,
    /// A removal came earlier on this page: what it deleted on the phone is sent again.
    after_removal: bool,
    /// Parents already checked against the cursor on this page: a job's records that come on a
    /// later page than the job ask once, not once each (the answer cannot change within the
    /// page's read snapshot).
    offered: HashMap<(Entity, Uuid), bool>,
    timings: PageTimings,
}

impl Page {
    /// A removal: only the engineer the job left gets this entry (see the WHERE clause). What it
    /// removes on the phone may be needed again further on, so every parent is sent anew after it.
    fn removal(&mut self, server_seq: i64, entity: Entity, id: Uuid) {
        let mut row = serde_json::Map::new();
        row.insert("id".into(), serde_json::Value::String(id.to_string()));
        self.changes.push(RowChange {
            server_seq,
            entity,
            row,
            stamp: None,
            field_stamps: Default::default(),
            removed: true,
        });
        self.holds.clear();
        self.after_removal = true;
    }

    /// A row, after every row it points at (`rows::parent_columns`) that the phone may lack: not
    /// on this page yet, and either never offered to it (no log entry at or before the cursor:
    /// logged only later, so a page cut anywhere would otherwise bring the child first) or
    /// deleted by a removal earlier on this page. Pages are then applicable on their own,
    /// whatever their size; a parent offered on an earlier page is not sent again (a first sync
    /// would otherwise repeat every job beside its records).
    fn row_with_parents(
        &mut self,
        conn: &Connection,
        server_seq: i64,
        entity: Entity,
        id: Uuid,
        (row, stamp): (serde_json::Map<String, serde_json::Value>, Option<String>),
    ) -> onsite_core::Result<()> {
        // Inserted first: a row is never its own ancestor, but a damaged database must not loop.
        if !self.holds.insert((entity, id)) {
            return Ok(());
        }
        for (column, parent) in rows::parent_columns(entity) {
            let Some(parent_id) = row
                .get(*column)
                .and_then(serde_json::Value::as_str)
                .and_then(|s| s.parse::<Uuid>().ok())
            else {
                continue;
            };
            if self.holds.contains(&(*parent, parent_id)) {
                continue;
            }
            if !self.after_removal {
                let started = Instant::now();
                let offered = match self.offered.get(&(*parent, parent_id)) {
                    Some(known) => *known,
                    None => {
                        let known = offered(conn, *parent, parent_id, self.cursor)?;
                        self.offered.insert((*parent, parent_id), known);
                        known
                    }
                };
                self.timings.offered += started.elapsed();
                if offered {
                    continue;
                }
            }
            if let Some(parent_row) = rows::read_row_stamped(conn, *parent, parent_id)? {
                self.row_with_parents(conn, server_seq, *parent, parent_id, parent_row)?;
            }
        }
        let started = Instant::now();
        let field_stamps = stamps_of(conn, entity, id)?;
        self.timings.stamps += started.elapsed();
        self.changes.push(RowChange {
            server_seq,
            entity,
            row,
            stamp,
            field_stamps,
            removed: false,
        });
        Ok(())
    }
}

/// Whether the row has a log entry at or before `cursor`: a phone at `cursor` was offered it.
fn offered(conn: &Connection, entity: Entity, id: Uuid, cursor: i64) -> onsite_core::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM change_log WHERE row_id = ?1 AND entity = ?2 AND server_seq <= ?3)",
        )?
        .query_row((id.to_string(), entity.as_str(), cursor), |r| r.get(0))?)
}

/// The page of changes after `cursor` that `caller` may see, logged.
pub fn pull(db: &Db, caller: &User, cursor: i64) -> ServerResult<PullResponse> {
    let result = read_page(db, caller, cursor).map(|(page, _)| page);
    let user = caller.id;
    match &result {
        Ok(page) => tracing::info!(
            %user,
            cursor,
            rows = page.changes.len(),
            next_cursor = page.cursor,
            more = page.more,
            outcome = %"ok",
            "pull"
        ),
        Err(err) => tracing::info!(
            %user,
            cursor,
            outcome = %err.code(),
            kind = %err.kind(),
            "pull"
        ),
    }
    result
}

/// [`pull`] without the log line, with where the page's time went: for the sync benchmark.
pub fn pull_profiled(
    db: &Db,
    caller: &User,
    cursor: i64,
) -> ServerResult<(PullResponse, PageTimings)> {
    read_page(db, caller, cursor)
}

fn read_page(db: &Db, caller: &User, cursor: i64) -> ServerResult<(PullResponse, PageTimings)> {
    if cursor < 0 {
        return Err(Invalid::NegativeCursor.into());
    }
    db.store
        .read(|conn| {
            let scope = if caller.role == UserRole::Engineer {
                ENGINEER_SCOPE
            } else {
                "?1 IS NOT NULL"
            };
            let sql = format!(
                "SELECT c.server_seq, c.entity, c.row_id, c.left_scope_of IS NOT NULL FROM change_log c
                 WHERE c.server_seq > ?2
                   AND ((c.left_scope_of IS NULL AND ({scope})) OR c.left_scope_of = ?1)
                 ORDER BY c.server_seq LIMIT ?3"
            );
            let scan_started = Instant::now();
            let entries: Vec<(i64, String, String, bool)> = conn
                .prepare_cached(&sql)?
                .query_map((&caller.name, cursor, db.pull_page() + 1), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let page_size = db.pull_page();
            let more = entries.len() as i64 > page_size;
            let scope = scan_started.elapsed();
            let rows_started = Instant::now();
            let mut page = Page {
                cursor,
                changes: Vec::new(),
                holds: HashSet::new(),
                after_removal: false,
                offered: HashMap::new(),
                timings: PageTimings { scope, ..PageTimings::default() },
            };
            // The last entry this page covers, sent or not: a page whose entries name rows that
            // no longer exist (a refused mutation re-logged under the id its device chose) sends
            // nothing, yet must still move the cursor only to here, not past later entries.
            let mut last_scanned = cursor;
            for (server_seq, entity, row_id, removed) in entries.into_iter().take(usize::try_from(page_size).unwrap_or(usize::MAX)) {
                last_scanned = server_seq;
                let entity: Entity = serde_json::from_value(serde_json::Value::String(entity))?;
                let id = Uuid::parse_str(&row_id).map_err(|_| Error::Corrupt {
                    column: "change_log.row_id",
                    value: row_id,
                })?;
                if removed {
                    page.removal(server_seq, entity, id);
                } else if let Some(row) = rows::read_row_stamped(conn, entity, id)? {
                    page.row_with_parents(conn, server_seq, entity, id, row)?;
                }
            }
            page.timings.rows = rows_started.elapsed();
            // Past the last page, the cursor jumps over entries outside the caller's scope too.
            let next = if more {
                last_scanned
            } else {
                conn.query_row(
                    "SELECT coalesce(max(server_seq), 0) FROM change_log",
                    [],
                    |r| r.get(0),
                )?
            };
            // Below the asked cursor only when the log ends below it (a database put back
            // from a backup): the device sees so and recovers (`sync::recovery`).
            Ok((
                PullResponse {
                    changes: page.changes,
                    cursor: next,
                    more,
                    server_time_ms: Utc::now().timestamp_millis(),
                },
                page.timings,
            ))
        })
        .map_err(Into::into)
}
