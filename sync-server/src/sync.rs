//! Push and pull. Push applies each mutation exactly once, in its own transaction together
//! with the client's `last_applied_seq`; a refused mutation still uses its seq. Pull returns the
//! rows in the caller's scope changed after a cursor (a change-log sequence number), in pages.

use chrono::Utc;
use onsite_core::conflicts::{self, Kept, NewConflict};
use onsite_core::edits::FieldMerge;
use onsite_core::store::Op;
use onsite_core::sync::replay::{self, target_work_order};
use onsite_core::sync::rows;
use onsite_core::sync::wire::{
    LostField, MAX_PUSH_BATCH, Outcome, PullResponse, PushRequest, PushResponse, RowChange,
};
use onsite_core::{Entity, Error};
use rusqlite::{Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::db::{Db, User, UserRole, log_change};
use crate::http::ApiError;

/// Rows per pull page. The device commits each page (synchronous=FULL) with its cursor, so a
/// page is also the unit of a first sync's fsyncs: 2,000 rows (under a megabyte of JSON) made
/// the device apply a 10k-job scope 12% faster than 500, and an interrupted pull redoes at most
/// that much.
pub const PULL_PAGE: i64 = 2_000;

fn last_applied(conn: &Connection, client_id: Uuid) -> onsite_core::Result<Option<(Uuid, i64)>> {
    Ok(conn
        .prepare_cached("SELECT user_id, last_applied_seq FROM clients WHERE client_id = ?1")?
        .query_row([client_id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?))
        })
        .optional()?
        .and_then(|(user, seq)| Uuid::parse_str(&user).ok().map(|u| (u, seq))))
}

/// A domain refusal (the mutation is rejected, its seq used up) versus a failure of the server
/// itself (nothing is committed; the device retries).
fn is_refusal(err: &Error) -> bool {
    // A constraint failure is the mutation's fault (an id that already exists, a reference to
    // a row that does not): refuse it, or the device would resend it for ever.
    if let Error::Sqlite(e) = err
        && e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
    {
        return true;
    }
    matches!(
        err,
        Error::NotFound { .. }
            | Error::IllegalTransition { .. }
            | Error::CompletionRefused { .. }
            | Error::NotOpenForRecords { .. }
            | Error::NotPermitted { .. }
            | Error::Invalid { .. }
            | Error::Json(_)
    )
}

/// Applies a push from `caller`.
pub fn push(db: &Db, caller: &User, req: &PushRequest) -> Result<PushResponse, ApiError> {
    if req.mutations.len() > MAX_PUSH_BATCH {
        return Err(ApiError::invalid(format!(
            "at most {MAX_PUSH_BATCH} mutations a push"
        )));
    }
    if req.mutations.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
        return Err(ApiError::invalid(
            "mutation seqs in a push must be contiguous",
        ));
    }
    let last = db
        .store
        .import(|tx, _| match last_applied(tx, req.client_id)? {
            Some((owner, _)) if owner != caller.id => Ok(None),
            Some((_, seq)) => Ok(Some(seq)),
            None => {
                tx.execute(
                    "INSERT INTO clients (client_id, user_id) VALUES (?1, ?2)",
                    (req.client_id.to_string(), caller.id.to_string()),
                )?;
                Ok(Some(0))
            }
        })?;
    let Some(mut last) = last else {
        eprintln!(
            "push refused: client {} belongs to another account",
            req.client_id
        );
        return Err(ApiError::forbidden(
            "this device store belongs to another account",
        ));
    };
    if let Some(first) = req.mutations.first()
        && first.seq > last + 1
    {
        return Err(ApiError::gap(last + 1));
    }
    check_clocks(&req.mutations, last)?;
    let mut results = Vec::with_capacity(req.mutations.len());
    for m in &req.mutations {
        if m.seq <= last {
            let earlier = db.store.read(|c| retry_outcome(c, req.client_id, m))?;
            results.push(earlier.ok_or_else(|| ApiError::seq_reused(m.seq))?);
            continue;
        }
        let outcome = db.store.import(|tx, ctx| {
            // Re-read inside the write lock: another push from the same device may have won.
            let (_, applied) = last_applied(tx, req.client_id)?.unwrap_or((caller.id, 0));
            if m.seq <= applied {
                return retry_outcome(tx, req.client_id, m);
            }
            tx.execute_batch("SAVEPOINT mutation")?;
            let before = assignee_of(tx, replay::target_work_order(m))?;
            let result = check_stamp(m)
                .and_then(|()| authorize(tx, caller, m))
                .and_then(|()| replay::replay(tx, ctx, m, caller.role.core_role()));
            let outcome = match result {
                Ok(done) => {
                    tx.execute_batch("RELEASE mutation")?;
                    for (entity, id) in &done.rows {
                        log_change(tx, *entity, *id, done.work_order_id)?;
                    }
                    for merge in &done.merges {
                        log_merge(tx, caller, m, merge)?;
                    }
                    if let (Op::Transition, Some(wo)) = (m.op, done.work_order_id) {
                        crate::db::log_visit_over(tx, wo)?;
                    }
                    // An engineer declining a job unassigns it: their other devices drop it.
                    let after = assignee_of(tx, done.work_order_id)?;
                    if let (Some(previous), Some(wo)) = (
                        before.filter(|p| after.as_ref() != Some(p)),
                        done.work_order_id,
                    ) {
                        crate::db::log_handover(tx, wo, &previous)?;
                    }
                    let lost = done
                        .merges
                        .iter()
                        .filter(|merge| !merge.incoming_won)
                        .map(|merge| LostField {
                            field: merge.field.clone(),
                            kept_value: merge.kept_value.clone(),
                        })
                        .collect();
                    Outcome::Applied { seq: m.seq, lost }
                }
                Err(err) if is_refusal(&err) => {
                    tx.execute_batch("ROLLBACK TO mutation; RELEASE mutation")?;
                    let reason = err.to_string();
                    log_refusal(tx, caller, m, &reason)?;
                    // The device takes the change back and needs the server's version of the
                    // row it touched (a job's status, an edited field) to do so.
                    let job = target_work_order(m);
                    match (m.op, job) {
                        (Op::Update, _) => log_change(tx, m.entity, m.row_id, job)?,
                        (_, Some(wo)) => log_change(tx, Entity::WorkOrder, wo, Some(wo))?,
                        (_, None) => {}
                    }
                    Outcome::Rejected { seq: m.seq, reason }
                }
                Err(err) => return Err(err),
            };
            tx.prepare_cached("UPDATE clients SET last_applied_seq = ?2 WHERE client_id = ?1")?
                .execute((req.client_id.to_string(), m.seq))?;
            let refused = match &outcome {
                Outcome::Rejected { reason, .. } => Some(reason.as_str()),
                Outcome::Applied { .. } | Outcome::Duplicate { .. } => None,
            };
            tx.prepare_cached(
                "INSERT INTO applied (client_id, seq, mutation_id, refused) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((
                req.client_id.to_string(),
                m.seq,
                m.mutation_id.to_string(),
                refused,
            ))?;
            Ok(Some(outcome))
        })?;
        let Some(outcome) = outcome else {
            return Err(ApiError::seq_reused(m.seq));
        };
        last = m.seq;
        results.push(outcome);
    }
    Ok(PushResponse {
        results,
        last_applied_seq: last,
        server_time_ms: Utc::now().timestamp_millis(),
    })
}

/// Writes to the server's conflict log a value that lost a merge, so the back office sees it
/// (the device learns of its own losses when it pulls the row).
fn log_merge(
    tx: &Transaction<'_>,
    caller: &User,
    m: &onsite_core::sync::wire::Mutation,
    merge: &FieldMerge,
) -> onsite_core::Result<()> {
    // Stored as JSON text, as on the devices, so a cleared field (null) stays distinct.
    let json = |v: &Option<String>| Some(serde_json::json!(v).to_string());
    let (local_value, remote_value, kept, reason) = if merge.incoming_won {
        (
            json(&merge.lost_value),
            json(&merge.kept_value),
            Kept::Remote,
            format!(
                "{} changed {} later than the value it replaced (the latest change wins)",
                caller.name, merge.field
            ),
        )
    } else {
        (
            json(&merge.kept_value),
            json(&merge.lost_value),
            Kept::Local,
            format!(
                "{}'s change to {} was older than the value here and lost (the latest change wins)",
                caller.name, merge.field
            ),
        )
    };
    conflicts::log(
        tx,
        Utc::now(),
        NewConflict {
            entity: m.entity,
            row_id: m.row_id,
            field: Some(merge.field.clone()),
            local_value,
            remote_value,
            kept,
            reason,
        },
    )?;
    Ok(())
}

/// Writes a refused mutation to the server's conflict log: the back office learns of it as the
/// engineer does (e.g. work recorded offline on a job the office had cancelled).
fn log_refusal(
    tx: &Transaction<'_>,
    caller: &User,
    m: &onsite_core::sync::wire::Mutation,
    reason: &str,
) -> onsite_core::Result<()> {
    conflicts::log(
        tx,
        Utc::now(),
        NewConflict {
            entity: m.entity,
            row_id: m.row_id,
            field: None,
            local_value: None,
            remote_value: Some(m.payload.to_string()),
            kept: Kept::Local,
            reason: format!("{}'s change was refused: {reason}", caller.name),
        },
    )?;
    Ok(())
}

/// The current assignee of a job (None if there is no such job or nobody has it).
fn assignee_of(
    conn: &Connection,
    work_order_id: Option<Uuid>,
) -> onsite_core::Result<Option<String>> {
    let Some(id) = work_order_id else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached("SELECT assignee FROM work_orders WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// How far ahead of the server's clock a device's stamp may be (clock skew, not a wrong date).
pub const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60 * 1000;

/// A stamp that is not a stamp is the mutation's fault: refused like any bad input.
fn check_stamp(m: &onsite_core::sync::wire::Mutation) -> onsite_core::Result<()> {
    m.hlc
        .parse::<onsite_core::clock::Hlc>()
        .map(|_| ())
        .map_err(|_| Error::inconsistent("hlc", "not a stamp"))
}

/// Stamps from the future are not taken: one would drag the server's clock (and every later
/// stamp) forward and win every last-writer-wins comparison. They are not the engineer's
/// fault either, so nothing is refused or lost: the whole push is answered `clock_ahead` with
/// the server's time, and the device stamps its waiting changes again from the corrected clock
/// and resends them.
fn check_clocks(
    mutations: &[onsite_core::sync::wire::Mutation],
    last: i64,
) -> Result<(), ApiError> {
    let now = Utc::now().timestamp_millis();
    let ahead = mutations.iter().filter(|m| m.seq > last).any(|m| {
        m.hlc
            .parse::<onsite_core::clock::Hlc>()
            .is_ok_and(|h| h.wall_ms > now + MAX_CLOCK_AHEAD_MS)
    });
    if ahead {
        eprintln!("push answered clock_ahead: a device clock is more than 5 minutes fast");
        return Err(ApiError::clock_ahead(now));
    }
    Ok(())
}

/// The answer to a retry of an applied seq: `Duplicate`, or `Rejected` again with the same
/// reason if it was refused (the first answer may have been lost, and the device must still
/// take the change back and log it). `None` when the seq carries another mutation than the one
/// applied: a copied or restored device store, not a retry.
fn retry_outcome(
    conn: &Connection,
    client_id: Uuid,
    m: &onsite_core::sync::wire::Mutation,
) -> onsite_core::Result<Option<Outcome>> {
    let stored: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT mutation_id, refused FROM applied WHERE client_id = ?1 AND seq = ?2",
        )?
        .query_row((client_id.to_string(), m.seq), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match stored {
        Some((id, _)) if id != m.mutation_id.to_string() => {
            eprintln!(
                "push refused: client {client_id} reused seq {} for another mutation",
                m.seq
            );
            None
        }
        Some((_, Some(reason))) => Some(Outcome::Rejected { seq: m.seq, reason }),
        _ => Some(Outcome::Duplicate { seq: m.seq }),
    })
}

/// An engineer may change only jobs assigned to them.
fn authorize(
    tx: &Transaction<'_>,
    caller: &User,
    m: &onsite_core::sync::wire::Mutation,
) -> onsite_core::Result<()> {
    if caller.role != UserRole::Engineer {
        return Ok(());
    }
    if m.op == Op::Update
        && let Some(column) = match m.entity {
            Entity::Customer => Some("customer_id"),
            Entity::Site => Some("site_id"),
            Entity::Asset => Some("asset_id"),
            _ => None,
        }
    {
        // The engineer edits a customer, site or asset of one of their jobs.
        let theirs: bool = tx
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM work_orders WHERE {column} = ?1 AND assignee = ?2)"
            ))?
            .query_row((m.row_id.to_string(), &caller.name), |r| r.get(0))?;
        if theirs {
            return Ok(());
        }
        eprintln!(
            "push refused: seq {} edits a row outside the caller's jobs",
            m.seq
        );
        return Err(Error::NotPermitted {
            action: "changing a customer, site or asset none of your jobs is for",
            role: caller.role.core_role(),
        });
    }
    let Some(wo) = target_work_order(m) else {
        return Err(Error::NotPermitted {
            action: "changing something that is not part of a job",
            role: caller.role.core_role(),
        });
    };
    let assignee: Option<Option<String>> = tx
        .prepare_cached("SELECT assignee FROM work_orders WHERE id = ?1")?
        .query_row([wo.to_string()], |r| r.get(0))
        .optional()?;
    match assignee {
        None => Err(Error::not_found(Entity::WorkOrder, wo)),
        Some(Some(name)) if name == caller.name => Ok(()),
        Some(_) => {
            eprintln!(
                "push refused: seq {} touches a job not assigned to the caller",
                m.seq
            );
            Err(Error::NotPermitted {
                action: "changing a job assigned to someone else",
                role: caller.role.core_role(),
            })
        }
    }
}

/// A row's stamps as the wire carries them: the row stamp, and the stamps of fields changed
/// since.
fn stamps_of(
    conn: &Connection,
    entity: Entity,
    id: Uuid,
) -> onsite_core::Result<(Option<String>, std::collections::BTreeMap<String, String>)> {
    let mut stamps = onsite_core::store::row_stamps(conn, entity, id)?;
    let row_stamp = stamps.remove(onsite_core::store::ROW_STAMP);
    let fields = stamps
        .into_iter()
        .map(|(field, hlc)| (field, hlc.to_string()))
        .collect();
    Ok((row_stamp.map(|h| h.to_string()), fields))
}

/// Which change-log entries an engineer may see: their jobs; the history of those jobs (visits
/// that are over at the same site for the same appliance, or with no appliance: never another
/// engineer's open job; `db::log_visit_over` re-sends a visit's records when it ends), which
/// includes every visit a follow-up follows, so the link always resolves on the phone; and the
/// customers, sites, assets and contracts they point at. `?1` is the engineer's name.
/// One indexed lookup per entry: a plan that cannot degrade into re-running subqueries.
const ENGINEER_SCOPE: &str = "CASE c.entity
    WHEN 'customer' THEN EXISTS (SELECT 1 FROM work_orders w WHERE w.customer_id = c.row_id AND +w.assignee = ?1)
    WHEN 'site' THEN EXISTS (SELECT 1 FROM work_orders w WHERE w.site_id = c.row_id AND +w.assignee = ?1)
    WHEN 'asset' THEN EXISTS (SELECT 1 FROM work_orders w WHERE w.asset_id = c.row_id AND +w.assignee = ?1)
    WHEN 'contract' THEN EXISTS (SELECT 1 FROM assets a JOIN work_orders w ON w.asset_id = a.id
                                 WHERE a.contract_id = c.row_id AND +w.assignee = ?1)
    ELSE EXISTS (SELECT 1 FROM work_orders x WHERE x.id = c.work_order_id AND (x.assignee = ?1
         OR (x.status IN ('completed', 'cancelled', 'incomplete')
             AND EXISTS (SELECT 1 FROM work_orders w WHERE w.site_id = x.site_id
                         AND w.asset_id IS x.asset_id AND +w.assignee = ?1))))
    END";

/// The page of changes after `cursor` that `caller` may see.
pub fn pull(db: &Db, caller: &User, cursor: i64) -> Result<PullResponse, ApiError> {
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
            let entries: Vec<(i64, String, String, bool)> = conn
                .prepare_cached(&sql)?
                .query_map((&caller.name, cursor, PULL_PAGE + 1), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let more = entries.len() as i64 > PULL_PAGE;
            let mut changes = Vec::new();
            for (server_seq, entity, row_id, removed) in entries.into_iter().take(PULL_PAGE as usize) {
                let entity: Entity = serde_json::from_value(serde_json::Value::String(entity))?;
                let id = Uuid::parse_str(&row_id).map_err(|_| Error::Corrupt {
                    column: "change_log.row_id",
                    value: row_id,
                })?;
                if removed {
                    // Only the engineer the job left gets this entry (see the WHERE clause).
                    let mut row = serde_json::Map::new();
                    row.insert("id".into(), serde_json::Value::String(id.to_string()));
                    changes.push(RowChange { server_seq, entity, row, stamp: None, field_stamps: Default::default(), removed: true });
                } else if let Some(row) = rows::read_row(conn, entity, id)? {
                    let (stamp, field_stamps) = stamps_of(conn, entity, id)?;
                    changes.push(RowChange { server_seq, entity, row, stamp, field_stamps, removed: false });
                }
            }
            // Past the last page, the cursor jumps over entries outside the caller's scope too.
            let next = match changes.last() {
                Some(last) if more => last.server_seq,
                _ => conn.query_row(
                    "SELECT coalesce(max(server_seq), 0) FROM change_log",
                    [],
                    |r| r.get(0),
                )?,
            };
            Ok(PullResponse {
                changes,
                cursor: next.max(cursor),
                more,
                server_time_ms: Utc::now().timestamp_millis(),
            })
        })
        .map_err(Into::into)
}
