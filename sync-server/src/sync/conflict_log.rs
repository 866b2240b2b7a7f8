//! The server's conflict log entries a push writes: values that lost a merge and refused
//! mutations, for the back office.

use chrono::Utc;
use onsite_core::conflicts::{self, Kept, NewConflict};
use onsite_core::edits::FieldMerge;
use onsite_core::sync::wire::Mutation;
use rusqlite::Transaction;

use crate::db::User;

/// Writes to the server's conflict log a value that lost a merge, so the back office sees it
/// (the device learns of its own losses when it pulls the row).
pub(super) fn log_merge(
    tx: &Transaction<'_>,
    caller: &User,
    m: &Mutation,
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
pub(super) fn log_refusal(
    tx: &Transaction<'_>,
    caller: &User,
    m: &Mutation,
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
