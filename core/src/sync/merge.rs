//! The device's half of last-writer-wins: a pulled row meets the local copy field by field.
//! For each editable field (see [`crate::edits::FIELDS`]) the newer stamp wins, exactly as on
//! the server, so the device and the server converge whatever order edits arrived in. When a
//! value this device wrote loses, it goes to the conflict log, so the engineer learns that
//! their correction was overwritten and by what.

use std::collections::HashMap;

use rusqlite::Transaction;
use serde_json::Value;
use uuid::Uuid;

use super::rows;
use super::wire::RowChange;
use crate::clock::Hlc;
use crate::conflicts::{self, Kept, NewConflict};
use crate::edits::fields_of;
use crate::error::{Entity, Error, Result};
use crate::store::{ActionCtx, ROW_STAMP};

/// Parses a stamp that came over the wire.
pub(super) fn wire_stamp(text: &str) -> Result<Hlc> {
    text.parse()
        .map_err(|_| Error::Protocol(format!("a pulled row has a bad stamp {text:?}")))
}

/// This store's stamps of one row: field → stamp, the row stamp under [`ROW_STAMP`].
fn local_stamps(tx: &Transaction<'_>, entity: Entity, id: Uuid) -> Result<HashMap<String, Hlc>> {
    let mut stmt =
        tx.prepare_cached("SELECT field, hlc FROM field_clocks WHERE entity = ?1 AND row_id = ?2")?;
    let rows = stmt.query_map((entity.as_str(), id.to_string()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut stamps = HashMap::new();
    for row in rows {
        let (field, hlc) = row?;
        let stamp = hlc.parse().map_err(|_| Error::Corrupt {
            column: "field_clocks.hlc",
            value: hlc,
        })?;
        stamps.insert(field, stamp);
    }
    Ok(stamps)
}

/// Merges the editable fields of a pulled row into the local copy. Returns the fields whose
/// local value is newer (an edit not yet pushed): they keep the local value.
pub(super) fn merge_row(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    change: &RowChange,
    id: Uuid,
) -> Result<Vec<String>> {
    if fields_of(change.entity).next().is_none() {
        return Ok(Vec::new());
    }
    // Every stored row has a stamp: none means the row is new here (most rows of a first
    // sync), and there is nothing to merge. Checked first: it is the cheap lookup.
    let stamps = local_stamps(tx, change.entity, id)?;
    if stamps.is_empty() {
        return Ok(Vec::new());
    }
    let Some(local) = rows::read_row(tx, change.entity, id)? else {
        return Ok(Vec::new());
    };
    let row_stamp = change.stamp.as_deref().map(wire_stamp).transpose()?;
    let mut keep = Vec::new();
    for field in fields_of(change.entity) {
        let incoming = match change.field_stamps.get(field.name) {
            Some(text) => Some(wire_stamp(text)?),
            None => row_stamp,
        };
        let own = stamps.get(field.name).copied();
        let here = own.or_else(|| stamps.get(ROW_STAMP).copied());
        if here > incoming {
            keep.push(field.name.to_owned());
            continue;
        }
        // Only an edit still waiting is this phone's to log here: a pushed edit that lost was
        // logged from the push answer, and one the server took and someone changed later,
        // after seeing it, lost nothing.
        let mine = match own {
            Some(s) if s.node == ctx.client_id() && Some(s) != incoming => {
                waiting_edit(tx, change.entity, id, s)?
            }
            _ => false,
        };
        let local_value = local.get(field.name).unwrap_or(&Value::Null);
        let remote_value = change.row.get(field.name).unwrap_or(&Value::Null);
        if mine && local_value != remote_value {
            conflicts::log(
                tx,
                ctx.now(),
                NewConflict {
                    entity: change.entity,
                    row_id: id,
                    field: Some(field.name.to_owned()),
                    local_value: Some(local_value.to_string()),
                    remote_value: Some(remote_value.to_string()),
                    kept: Kept::Remote,
                    reason: conflicts::lost_to_later_change(field.name),
                },
            )?;
        }
    }
    Ok(keep)
}

/// Whether the edit stamped `stamp` on this row still waits in the outbox.
fn waiting_edit(tx: &Transaction<'_>, entity: Entity, id: Uuid, stamp: Hlc) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE acked_at IS NULL AND entity = ?1
                 AND row_id = ?2 AND hlc = ?3)",
        )?
        .query_row((entity.as_str(), id.to_string(), stamp.to_string()), |r| {
            r.get(0)
        })?)
}

/// Records the stamps a pulled row came with (except for fields kept local) and moves this
/// store's clock past them (HLC receive).
pub(super) fn record_stamps(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    change: &RowChange,
    id: Uuid,
    keep: &[String],
) -> Result<()> {
    if let Some(text) = &change.stamp {
        let stamp = wire_stamp(text)?;
        ctx.stamp_field(tx, change.entity, id, ROW_STAMP, stamp)?;
        ctx.receive(stamp);
    }
    for (field, text) in &change.field_stamps {
        let stamp = wire_stamp(text)?;
        if !keep.contains(field) {
            ctx.stamp_field(tx, change.entity, id, field, stamp)?;
        }
        ctx.receive(stamp);
    }
    Ok(())
}
