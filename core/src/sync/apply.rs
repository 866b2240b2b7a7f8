//! The device applies the server's answers. A push's outcomes acknowledge outbox entries (a
//! rejected one goes to the conflict log, so nothing entered disappears silently); a pull page
//! and its new cursor are applied in one transaction ([`apply_pull`], in `pull_page.rs`).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::Value;

use super::wire::{Mutation, Outcome, PushResponse};

pub use super::pull_page::apply_pull;
use crate::clock::format_time;
use crate::conflicts::{self, Kept, NewConflict};
use crate::error::{Entity, Error, Result};
use crate::outbox;
use crate::store::{ActionCtx, Op};

/// What one push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PushSummary {
    /// Applied now.
    pub applied: u64,
    /// Already applied before.
    pub duplicates: u64,
    /// Refused (now in the conflict log).
    pub rejected: u64,
}

/// The oldest `limit` outbox entries as wire mutations.
pub fn pending_mutations(conn: &Connection, limit: u32) -> Result<Vec<Mutation>> {
    outbox::pending(conn, limit)?
        .into_iter()
        .map(|e| {
            Ok(Mutation {
                seq: e.seq,
                mutation_id: e.mutation_id,
                entity: serde_json::from_value(Value::String(e.entity))?,
                row_id: e.row_id,
                op: e.op,
                payload: e.payload,
                hlc: e.hlc,
            })
        })
        .collect()
}

/// Acknowledges what the server answered for `sent`; logs rejections as conflicts.
pub fn apply_push(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    sent: &[Mutation],
    resp: &PushResponse,
) -> Result<PushSummary> {
    let mut summary = PushSummary::default();
    let mut ack =
        tx.prepare_cached("UPDATE outbox SET acked_at = ?2 WHERE seq = ?1 AND acked_at IS NULL")?;
    for outcome in &resp.results {
        let m = sent
            .iter()
            .find(|m| m.seq == outcome.seq())
            .ok_or_else(|| {
                Error::Protocol(format!(
                    "the server answered for seq {} it was not sent",
                    outcome.seq()
                ))
            })?;
        // Only an answer for a change still waiting is acted on: two rounds of one store that
        // overlap (the app's sync-now beside the background loop) get answers for the same
        // seqs, and a loss or refusal must be logged and taken back once.
        if ack.execute((m.seq, format_time(now)))? == 0 {
            continue;
        }
        match outcome {
            // A retry's answer repeats the losses of the first, which may never have arrived.
            Outcome::Applied { lost, .. } | Outcome::Duplicate { lost, .. } => {
                if matches!(outcome, Outcome::Applied { .. }) {
                    summary.applied += 1;
                } else {
                    summary.duplicates += 1;
                }
                for field in lost {
                    let mine = m.payload.get("fields").and_then(|f| f.get(&field.field));
                    conflicts::log(
                        tx,
                        now,
                        NewConflict {
                            entity: m.entity,
                            row_id: m.row_id,
                            field: Some(field.field.clone()),
                            local_value: mine.map(Value::to_string),
                            remote_value: Some(serde_json::json!(field.kept_value).to_string()),
                            kept: Kept::Remote,
                            reason: conflicts::lost_to_later_change(&field.field),
                        },
                    )?;
                }
            }
            Outcome::Rejected { reason, .. } => {
                summary.rejected += 1;
                conflicts::log(
                    tx,
                    now,
                    NewConflict {
                        entity: m.entity,
                        row_id: m.row_id,
                        field: None,
                        local_value: Some(m.payload.to_string()),
                        remote_value: None,
                        kept: Kept::Remote,
                        reason: format!("The server refused this change: {reason}"),
                    },
                )?;
                take_back(tx, m)?;
            }
        }
    }
    tx.prepare_cached("UPDATE device SET clock_offset_ms = ?1")?
        .execute([resp.server_time_ms - now.timestamp_millis()])?;
    Ok(summary)
}

/// Takes back on this device a change the server refused, so the phone does not keep showing
/// what the server will never have (its content stays in the conflict log): a row it added
/// goes, and an edit loses its stamps so that the server's values, which the server logs again
/// for this device, win in the pull that follows.
fn take_back(tx: &Transaction<'_>, m: &Mutation) -> Result<()> {
    let delete_row = |entity: Entity, id: &str| -> Result<()> {
        tx.execute(
            &format!("DELETE FROM {} WHERE id = ?1", entity.table()),
            [id],
        )?;
        tx.prepare_cached("DELETE FROM field_clocks WHERE entity = ?1 AND row_id = ?2")?
            .execute((entity.as_str(), id))?;
        Ok(())
    };
    match m.op {
        Op::Insert => delete_row(m.entity, &m.row_id.to_string()),
        Op::Transition => match m.payload.get("status_change_id").and_then(Value::as_str) {
            Some(change) => delete_row(Entity::StatusChange, change),
            None => Ok(()),
        },
        Op::Update => {
            let mut forget = tx.prepare_cached(
                "DELETE FROM field_clocks WHERE entity = ?1 AND row_id = ?2 AND field = ?3 AND hlc = ?4",
            )?;
            if let Some(Value::Object(fields)) = m.payload.get("fields") {
                for field in fields.keys() {
                    forget.execute((m.entity.as_str(), m.row_id.to_string(), field, &m.hlc))?;
                }
            }
            Ok(())
        }
    }
}

/// The server found this device's clock running ahead (`clock_ahead`): the clock is set to the
/// server's time and every change still waiting gets a new stamp, in its original order, in the
/// outbox and wherever the change stamped rows. Nothing is dropped; the push is then resent.
pub fn restamp_pending(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    server_time_ms: i64,
) -> Result<usize> {
    tx.prepare_cached("UPDATE device SET clock_offset_ms = ?1")?
        .execute([server_time_ms - ctx.now().timestamp_millis()])?;
    // The newest stamp this store holds that the server has accepted or sent (every stamp but
    // the waiting changes' own, which were refused): new stamps must come after it, or an edit
    // made after seeing a value would lose to it, however far the clock was set back.
    let every_stamp: Vec<String> = std::iter::once("SELECT hlc FROM field_clocks".to_owned())
        .chain(Entity::synced().map(|e| format!("SELECT row_stamp FROM {}", e.table())))
        .collect();
    let floor: Option<String> = tx
        .prepare_cached(&format!(
            "SELECT max(hlc) FROM ({}) WHERE hlc NOT IN (SELECT hlc FROM outbox WHERE acked_at IS NULL)",
            every_stamp.join(" UNION ALL ")
        ))?
        .query_row([], |r| r.get(0))?;
    ctx.reset_clock(server_time_ms);
    if let Some(floor) = floor {
        ctx.receive(floor.parse().map_err(|_| Error::Corrupt {
            column: "field_clocks.hlc",
            value: floor,
        })?);
    }
    let waiting: Vec<(i64, String, String, String, String)> = tx
        .prepare_cached(
            "SELECT seq, hlc, entity, row_id,
                    coalesce(json_extract(payload, '$.status_change_id'), '') AS status_change_id
             FROM outbox WHERE acked_at IS NULL ORDER BY seq",
        )?
        .query_map([], |r| {
            Ok((
                r.get("seq")?,
                r.get("hlc")?,
                r.get("entity")?,
                r.get("row_id")?,
                r.get("status_change_id")?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut outbox = tx.prepare_cached("UPDATE outbox SET hlc = ?2 WHERE seq = ?1")?;
    // A change stamped its own row or fields, and a status change also its history row.
    let mut clocks = tx.prepare_cached(
        "UPDATE field_clocks SET hlc = ?4 WHERE entity = ?1 AND row_id = ?2 AND hlc = ?3",
    )?;
    let restamp_row = |entity: Entity, row_id: &str, old: &str, new: &str| -> Result<()> {
        tx.prepare_cached(&format!(
            "UPDATE {} SET row_stamp = ?3 WHERE id = ?1 AND row_stamp = ?2",
            entity.table()
        ))?
        .execute((row_id, old, new))?;
        Ok(())
    };
    for (seq, old, entity, row_id, status_change) in &waiting {
        let new = ctx.next_stamp().to_string();
        outbox.execute((seq, &new))?;
        clocks.execute((entity, row_id, old, &new))?;
        let kind: Entity = serde_json::from_value(Value::String(entity.clone()))?;
        restamp_row(kind, row_id, old, &new)?;
        restamp_row(Entity::StatusChange, status_change, old, &new)?;
    }
    Ok(waiting.len())
}

/// Where this device is in the server's change log.
pub fn cursor(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT pull_cursor FROM sync_state")?
        .query_row([], |r| r.get(0))?)
}

/// Where and as whom a store syncs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Session {
    /// The server's base URL.
    pub server_url: String,
    /// The device token.
    pub token: String,
    /// When the last full sync round ended, if ever.
    pub last_success_at: Option<DateTime<Utc>>,
}

/// The session of this store, if signed in.
pub fn session(conn: &Connection) -> Result<Option<Session>> {
    let row: Option<(String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT server_url, token, last_success_at FROM sync_state
             WHERE server_url IS NOT NULL AND token IS NOT NULL",
        )?
        .query_row([], |r| {
            Ok((
                r.get("server_url")?,
                r.get("token")?,
                r.get("last_success_at")?,
            ))
        })
        .optional()?;
    row.map(|(server_url, token, last)| {
        let last_success_at = last
            .map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.to_utc())
                    .map_err(|_| Error::Corrupt {
                        column: "sync_state.last_success_at",
                        value: t,
                    })
            })
            .transpose()?;
        Ok(Session {
            server_url,
            token,
            last_success_at,
        })
    })
    .transpose()
}

/// Forgets the token (sign-out); the server URL and the outbox stay.
pub fn clear_login(tx: &Transaction<'_>) -> Result<()> {
    tx.prepare_cached("UPDATE sync_state SET token = NULL")?
        .execute([])?;
    Ok(())
}

/// Remembers the server and token (sign-in): an http(s) URL and a token without spaces.
pub fn set_login(tx: &Transaction<'_>, server_url: &str, token: &str) -> Result<()> {
    let scheme_ok = server_url.starts_with("http://") || server_url.starts_with("https://");
    crate::validate::Check::new()
        .text("server_url", server_url, crate::validate::NAME_MAX)
        .text("token", token, crate::validate::NAME_MAX)
        .fail_if(
            !scheme_ok,
            "server_url",
            crate::error::Problem::Inconsistent {
                detail: "a server address starts with http:// or https://".into(),
            },
        )
        .fail_if(
            token.chars().any(char::is_whitespace),
            "token",
            crate::error::Problem::Inconsistent {
                detail: "a token has no spaces".into(),
            },
        )
        .finish()?;
    tx.prepare_cached("UPDATE sync_state SET server_url = ?1, token = ?2")?
        .execute((server_url, token))?;
    Ok(())
}

/// Records a completed sync round.
pub fn record_success(tx: &Transaction<'_>, at: DateTime<Utc>) -> Result<()> {
    tx.prepare_cached("UPDATE sync_state SET last_success_at = ?1")?
        .execute([format_time(at)])?;
    // Acknowledged entries are kept a while (for recovering a server restored from a backup,
    // which will re-send them; not built yet), then dropped: the outbox would otherwise grow
    // with every action for ever.
    tx.prepare_cached("DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?1")?
        .execute([format_time(at - chrono::Duration::days(ACKED_KEPT_DAYS))])?;
    Ok(())
}

/// How long an acknowledged outbox entry is kept after the server acknowledged it.
pub const ACKED_KEPT_DAYS: i64 = 30;
