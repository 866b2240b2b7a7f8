//! Recovering from a server restored from a backup. The server's database has an identity
//! ([`SERVER_ID_HEADER`](super::wire::SERVER_ID_HEADER) on every answer), which a restore gives
//! anew. A device that sees another identity, or a change log that went back below its cursor
//! (a file copied back by hand), pulls again from the start and re-sends the changes the
//! server no longer holds: acknowledged outbox entries are kept
//! [`ACKED_KEPT_DAYS`](super::apply::ACKED_KEPT_DAYS) for this. What it no longer holds itself
//! it counts and reports ([`Recovery::unrecoverable`]), and the outbox is renumbered to follow
//! what the server has, so the device syncs on instead of being refused with `gap` for ever.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::clock::format_time;
use crate::error::{Error, Result};

/// What recovering from a restored server did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Recovery {
    /// When the device recovered.
    pub at: DateTime<Utc>,
    /// Acknowledged changes the server had lost, sent again.
    pub resent: u64,
    /// Changes the server had lost that this device could not send again (acknowledged longer
    /// ago than the outbox keeps them): they are gone from the server, and the app must say so.
    pub unrecoverable: u64,
}

/// Notes the identity of the server database that answered. Another identity than the last
/// one starts a recovery ([`start`]); the first one ever seen is just remembered. Returns
/// whether a recovery started.
pub fn note_server(tx: &Transaction<'_>, server_id: Uuid) -> Result<bool> {
    let known = known_server(tx)?;
    let id = server_id.to_string();
    if known.as_deref() == Some(id.as_str()) {
        return Ok(false);
    }
    tx.prepare_cached("UPDATE sync_state SET server_id = ?1")?
        .execute([&id])?;
    if known.is_none() {
        return Ok(false);
    }
    tracing::warn!(
        server = %server_id,
        "the server's database has a new identity (restored from a backup): pulling again from the start"
    );
    start(tx)?;
    Ok(true)
}

/// The identity of the server database that answered last (its text), if any did.
pub fn known_server(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT server_id FROM sync_state")?
        .query_row([], |r| r.get(0))?)
}

/// Starts a recovery: the pull cursor goes back to the start, and a re-send is due before
/// the next push ([`due`], [`resend_after`]). Also for a server whose change log ended below
/// this device's cursor.
pub fn start(tx: &Transaction<'_>) -> Result<()> {
    tx.prepare_cached("UPDATE sync_state SET pull_cursor = 0, recovery_due = 1")?
        .execute([])?;
    Ok(())
}

/// Whether a recovery was started and the re-send has not been done yet.
pub fn due(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT recovery_due FROM sync_state")?
        .query_row([], |r| r.get::<_, i64>(0))?
        != 0)
}

/// Makes the outbox go on right after `server_last`, the last seq of this device the server
/// holds: acknowledged entries after it wait again. If entries right after it were already
/// dropped, they are counted as unrecoverable and the entries left are renumbered to follow
/// `server_last`, so the server, which has never seen those seqs, takes them without a gap.
/// Ends the recovery and records it.
pub fn resend_after(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    server_last: i64,
) -> Result<Recovery> {
    let issued: i64 = tx
        .prepare_cached("SELECT next_outbox_seq - 1 FROM device")?
        .query_row([], |r| r.get(0))?;
    let (mut resent, mut unrecoverable) = (0, 0);
    // A server holding more than this device issued is a device restored from a backup, not
    // a server: the server tells those apart by mutation id (`seq_reused`); nothing to re-send.
    if server_last < issued {
        resent = tx
            .prepare_cached(
                "UPDATE outbox SET acked_at = NULL WHERE seq > ?1 AND acked_at IS NOT NULL",
            )?
            .execute([server_last])?;
        let first: Option<i64> = tx
            .prepare_cached("SELECT min(seq) FROM outbox WHERE seq > ?1")?
            .query_row([server_last], |r| r.get(0))
            .optional()?
            .flatten();
        let missing = first.unwrap_or(issued + 1) - (server_last + 1);
        if missing > 0 {
            unrecoverable = missing;
            // Two steps, so no row ever takes a seq another still has.
            tx.prepare_cached("UPDATE outbox SET seq = -seq WHERE seq > ?1")?
                .execute([server_last])?;
            tx.prepare_cached("UPDATE outbox SET seq = -seq - ?1 WHERE seq < 0")?
                .execute([missing])?;
            tx.prepare_cached("UPDATE device SET next_outbox_seq = next_outbox_seq - ?1")?
                .execute([missing])?;
        }
    }
    let recovery = Recovery {
        at: now,
        resent: resent as u64,
        unrecoverable: u64::try_from(unrecoverable).unwrap_or(0),
    };
    tx.prepare_cached(
        "UPDATE sync_state SET recovery_due = 0, recovered_at = ?1, recovery_resent = ?2,
                               recovery_unrecoverable = ?3",
    )?
    .execute((format_time(now), resent as i64, unrecoverable))?;
    if unrecoverable > 0 {
        tracing::error!(
            resent,
            unrecoverable,
            "the restored server lost changes this device no longer holds"
        );
    } else {
        tracing::warn!(resent, "sent again the changes the restored server lost");
    }
    Ok(recovery)
}

/// The last recovery from a restored server, if there was one (for the app to show, above all
/// when [`Recovery::unrecoverable`] is not 0).
pub fn last(conn: &Connection) -> Result<Option<Recovery>> {
    let row: Option<(String, i64, i64)> = conn
        .prepare_cached(
            "SELECT recovered_at, recovery_resent, recovery_unrecoverable FROM sync_state
             WHERE recovered_at IS NOT NULL",
        )?
        .query_row([], |r| {
            Ok((
                r.get("recovered_at")?,
                r.get("recovery_resent")?,
                r.get("recovery_unrecoverable")?,
            ))
        })
        .optional()?;
    row.map(|(at, resent, unrecoverable)| {
        Ok(Recovery {
            at: DateTime::parse_from_rfc3339(&at)
                .map_err(|_| Error::Corrupt {
                    column: "sync_state.recovered_at",
                    value: at.clone(),
                })?
                .to_utc(),
            resent: u64::try_from(resent).unwrap_or(0),
            unrecoverable: u64::try_from(unrecoverable).unwrap_or(0),
        })
    })
    .transpose()
}
