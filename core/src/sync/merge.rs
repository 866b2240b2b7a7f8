//! The device's half of last-writer-wins: a pulled row meets the local copy field by field.
//! For each editable field (see [`crate::edits::FIELDS`]) the newer stamp wins, exactly as on
//! the server, so the device and the server converge whatever order edits arrived in. A value
//! of this device that lost is logged from the push answer (see `apply::apply_push`).

use rusqlite::Transaction;
use uuid::Uuid;

use super::wire::RowChange;
use crate::clock::Hlc;
use crate::edits::fields_of;
use crate::error::{Error, Result};
use crate::store::{ActionCtx, ROW_STAMP, row_stamps};

/// Parses a stamp that came over the wire.
pub(super) fn wire_stamp(text: &str) -> Result<Hlc> {
    text.parse()
        .map_err(|_| Error::Protocol(format!("a pulled row has a bad stamp {text:?}")))
}

/// Which editable fields of a pulled row keep the local value: those whose local stamp is
/// newer (an edit not yet pushed).
pub(super) fn merge_row(tx: &Transaction<'_>, change: &RowChange, id: Uuid) -> Result<Vec<String>> {
    if fields_of(change.entity).next().is_none() {
        return Ok(Vec::new());
    }
    // Every stored row has a stamp: none means the row is new here (most rows of a first
    // sync), and there is nothing to merge. Checked first: it is the cheap lookup.
    let stamps = row_stamps(tx, change.entity, id)?;
    if stamps.is_empty() {
        return Ok(Vec::new());
    }
    let row_stamp = change.stamp.as_deref().map(wire_stamp).transpose()?;
    let mut keep = Vec::new();
    for field in fields_of(change.entity) {
        let incoming = match change.field_stamps.get(field.name) {
            Some(text) => Some(wire_stamp(text)?),
            None => row_stamp,
        };
        let here = stamps
            .get(field.name)
            .or_else(|| stamps.get(ROW_STAMP))
            .copied();
        // Newer here: an edit of this phone not pushed yet. When a waiting edit is older, the
        // newer value is taken now, and the loss is logged when the push answers for the
        // edit (`Outcome::Applied { lost }`), so it is logged once.
        if here > incoming {
            keep.push(field.name.to_owned());
        }
    }
    Ok(keep)
}

/// Records the field stamps a pulled row came with (except for fields kept local; its row
/// stamp went in with the row) and moves this store's clock past them (HLC receive).
pub(super) fn record_stamps(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    change: &RowChange,
    id: Uuid,
    keep: &[String],
) -> Result<()> {
    if let Some(text) = &change.stamp {
        ctx.receive(wire_stamp(text)?);
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
