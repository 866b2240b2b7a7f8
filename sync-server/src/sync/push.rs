//! Applying a push: each mutation checked (owner, stamp, clock) and replayed through the core's
//! rules in a savepoint scope of its own together with the client's `last_applied_seq`. The
//! pushes waiting at one moment share one transaction and one FULL commit
//! ([`super::group_commit`]); a push is answered only once that commit is done.

use chrono::Utc;
use onsite_core::store::Batch;
use onsite_core::store::Op;
use onsite_core::sync::replay::{self, target_work_order};
use onsite_core::sync::wire::{LostField, MAX_PUSH_BATCH, Outcome, PushRequest, PushResponse};
use onsite_core::{Entity, Error};
use rusqlite::{Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::conflict_log::{log_merge, log_refusal};
use super::group_commit::GroupCommit;
use crate::db::{Db, User, UserRole, log_change};
use crate::error::{Forbidden, Invalid, ServerError, ServerResult};

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

/// One push waiting to be applied: who sent it and what.
pub struct Push {
    caller: User,
    req: PushRequest,
}

/// The server's queue of pushes: concurrent pushes share one commit.
pub type PushQueue = GroupCommit<Push, ServerResult<PushResponse>>;

/// A queue for a server's pushes (one per database).
pub fn push_queue() -> PushQueue {
    GroupCommit::new(apply_push, group_failed)
}

/// Applies a push from `caller`, and logs what it did. Answers once what it applied is
/// committed.
pub fn push(db: &Db, caller: &User, req: PushRequest) -> ServerResult<PushResponse> {
    let (client, user, mutations) = (req.client_id, caller.id, req.mutations.len());
    let result = check_shape(&req).and_then(|()| {
        db.pushes.submit(
            &db.store,
            Push {
                caller: caller.clone(),
                req,
            },
        )
    });
    match &result {
        Ok(resp) => {
            let count = |f: fn(&Outcome) -> bool| resp.results.iter().filter(|o| f(o)).count();
            tracing::info!(
                %client,
                %user,
                mutations,
                applied = count(|o| matches!(o, Outcome::Applied { .. })),
                duplicates = count(|o| matches!(o, Outcome::Duplicate { .. })),
                rejected = count(|o| matches!(o, Outcome::Rejected { .. })),
                last_applied_seq = resp.last_applied_seq,
                outcome = %"ok",
                "push"
            );
        }
        Err(err) => tracing::info!(
            %client,
            %user,
            mutations,
            outcome = %err.code(),
            kind = %err.kind(),
            "push"
        ),
    }
    result
}

/// What can be refused without reading the database.
fn check_shape(req: &PushRequest) -> ServerResult<()> {
    if req.mutations.len() > MAX_PUSH_BATCH {
        return Err(Invalid::TooManyMutations.into());
    }
    if req.mutations.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
        return Err(Invalid::SeqsNotContiguous.into());
    }
    Ok(())
}

/// The answer of every push in a group whose transaction failed: nothing of the group was
/// stored. The error itself cannot be cloned; its SQLite code is what logs and answers use.
fn group_failed(err: &Error) -> ServerResult<PushResponse> {
    let code = match err {
        Error::Sqlite(e) => e.sqlite_error().copied(),
        _ => None,
    };
    Err(Error::Sqlite(rusqlite::Error::SqliteFailure(
        code.unwrap_or_else(|| rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR)),
        None,
    ))
    .into())
}

/// Applies one push inside a group's transaction: each step in a scope of its own, so a
/// failure leaves what came before it in this push (as a commit per mutation did) and the
/// other pushes of the group untouched.
fn apply_push(batch: &Batch<'_>, push: &Push) -> ServerResult<PushResponse> {
    let (caller, req) = (&push.caller, &push.req);
    let last = batch.scope(|tx, _| match last_applied(tx, req.client_id)? {
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
        return Err(Forbidden::ForeignDevice.into());
    };
    if let Some(first) = req.mutations.first()
        && first.seq > last + 1
    {
        return Err(ServerError::Gap { expected: last + 1 });
    }
    check_clocks(&req.mutations, last)?;
    let mut results = Vec::with_capacity(req.mutations.len());
    for m in &req.mutations {
        if m.seq <= last {
            // Read in the group's transaction: an earlier push of the group may have applied it.
            let earlier = batch.scope(|tx, _| retry_outcome(tx, req.client_id, m))?;
            results.push(earlier.ok_or(ServerError::SeqReused { seq: m.seq })?);
            continue;
        }
        let outcome = batch.scope(|tx, ctx| {
            // Re-read with the write: in a group only this push writes this client's seqs, but
            // the step stays right on its own.
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
                    tracing::info!(
                        client = %req.client_id,
                        seq = m.seq,
                        entity = %m.entity.as_str(),
                        op = %m.op.as_str(),
                        code = %err.code(),
                        "mutation rejected"
                    );
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
            let (refused, lost) = match &outcome {
                Outcome::Rejected { reason, .. } => (Some(reason.as_str()), None),
                Outcome::Applied { lost, .. } if !lost.is_empty() => {
                    (None, Some(serde_json::to_string(lost)?))
                }
                Outcome::Applied { .. } | Outcome::Duplicate { .. } => (None, None),
            };
            tx.prepare_cached(
                "INSERT INTO applied (client_id, seq, mutation_id, refused, lost)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute((
                req.client_id.to_string(),
                m.seq,
                m.mutation_id.to_string(),
                refused,
                lost,
            ))?;
            Ok(Some(outcome))
        })?;
        let Some(outcome) = outcome else {
            return Err(ServerError::SeqReused { seq: m.seq });
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
fn check_clocks(mutations: &[onsite_core::sync::wire::Mutation], last: i64) -> ServerResult<()> {
    let now = Utc::now().timestamp_millis();
    let ahead = mutations.iter().filter(|m| m.seq > last).any(|m| {
        m.hlc
            .parse::<onsite_core::clock::Hlc>()
            .is_ok_and(|h| h.wall_ms > now + MAX_CLOCK_AHEAD_MS)
    });
    if ahead {
        return Err(ServerError::ClockAhead {
            server_time_ms: now,
        });
    }
    Ok(())
}

/// The answer to a retry of an applied seq: `Duplicate` with the fields that lost then, or
/// `Rejected` again with the same reason if it was refused (the first answer may have been
/// lost, and the device must still log its losses, or take the change back and log it). `None`
/// when the seq carries another mutation than the one applied: a copied or restored device
/// store, not a retry.
fn retry_outcome(
    conn: &Connection,
    client_id: Uuid,
    m: &onsite_core::sync::wire::Mutation,
) -> onsite_core::Result<Option<Outcome>> {
    let stored: Option<(String, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT mutation_id, refused, lost FROM applied WHERE client_id = ?1 AND seq = ?2",
        )?
        .query_row((client_id.to_string(), m.seq), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(match stored {
        Some((id, ..)) if id != m.mutation_id.to_string() => None,
        Some((_, Some(reason), _)) => Some(Outcome::Rejected { seq: m.seq, reason }),
        Some((_, None, lost)) => Some(Outcome::Duplicate {
            seq: m.seq,
            lost: lost
                .map(|text| serde_json::from_str(&text))
                .transpose()?
                .unwrap_or_default(),
        }),
        None => Some(Outcome::Duplicate {
            seq: m.seq,
            lost: Vec::new(),
        }),
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
        Some(_) => Err(Error::NotPermitted {
            action: "changing a job assigned to someone else",
            role: caller.role.core_role(),
        }),
    }
}
