//! The end of a fault harness epoch: every device synced until quiet once the faults stop,
//! and whether each outbox drained and was acknowledged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use rusqlite::Connection;

use super::SkewedClock;
use super::devices::Device;

/// Once the faults stop, a device's outbox must be empty after this many successful rounds.
pub const DRAIN_ROUNDS: u32 = 2;
/// Passes over all devices before the system must be quiet (no round pushes or pulls).
pub const QUIET_PASSES: u32 = 8;

/// Syncs every device in-process (on its own skewed clock, through the proxy with faults off)
/// until a whole pass moves nothing. Returns each device's time to quiet and what was stuck.
pub fn quiesce(devices: &[Device], url: &str, stuck: &mut Vec<String>) -> Vec<Duration> {
    let started = Instant::now();
    let opened: Vec<(Store, SyncClient)> = devices
        .iter()
        .map(|d| {
            let store = Store::open_with_clock(&d.path, Arc::new(SkewedClock::new(d.skew_ms)))
                .expect("a killed device's store opens");
            let client =
                SyncClient::with_timeout(url, &d.token, Duration::from_secs(20)).expect("client");
            (store, client)
        })
        .collect();
    let mut quiet_at = vec![Duration::ZERO; devices.len()];
    let mut ok_rounds = vec![0u32; devices.len()];
    let mut drained = vec![false; devices.len()];
    let mut last_error: Vec<Option<String>> = vec![None; devices.len()];
    let mut quiet = false;
    for _ in 0..QUIET_PASSES {
        let mut busy = false;
        for (i, (store, client)) in opened.iter().enumerate() {
            match client.sync_now(store) {
                Ok(r) => {
                    ok_rounds[i] += 1;
                    last_error[i] = None;
                    drained[i] |= r.pending == 0;
                    if !drained[i] && ok_rounds[i] >= DRAIN_ROUNDS {
                        stuck.push(format!(
                            "device {i}: {} changes still wait after {} rounds",
                            r.pending, ok_rounds[i]
                        ));
                    }
                    if r.pushed > 0 || r.pulled > 0 || r.pending > 0 {
                        busy = true;
                        quiet_at[i] = started.elapsed();
                    }
                }
                Err(e) => {
                    busy = true;
                    quiet_at[i] = started.elapsed();
                    last_error[i] = Some(format!("{}: {e}", e.code()));
                }
            }
            if quiet_at[i].is_zero() {
                quiet_at[i] = started.elapsed();
            }
        }
        if !busy {
            quiet = true;
            break;
        }
    }
    if !quiet {
        stuck.push(format!(
            "still pushing or pulling after {QUIET_PASSES} passes over every device"
        ));
    }
    for (i, (store, _)) in opened.iter().enumerate() {
        if let Some(err) = &last_error[i] {
            stuck.push(format!(
                "device {i}: its last round failed after the faults stopped: {err}"
            ));
        }
        let pending = store.pending_sync_count().expect("pending");
        if pending > 0 {
            stuck.push(format!("device {i}: {pending} changes never drained"));
        }
    }
    if quiet_at.iter().any(Duration::is_zero) || opened.is_empty() {
        stuck.push("no round ran".into());
    }
    quiet_at
}

/// Rows a device could not place (another helper's quarantine table, if this build has one).
pub fn quarantined(conn: &Connection) -> i64 {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%quarantine%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("schema");
    tables
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("count")
        })
        .sum()
}

/// Every device's outbox is acknowledged up to its last seq by the server.
pub fn outboxes_acknowledged(
    server: &Connection,
    devices: &[(Connection, &Device)],
    stuck: &mut Vec<String>,
) {
    for (i, (conn, _)) in devices.iter().enumerate() {
        let (client, last): (String, i64) = conn
            .query_row(
                "SELECT client_id, next_outbox_seq - 1 FROM device",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("device row");
        let applied: i64 = server
            .query_row(
                "SELECT coalesce(max(last_applied_seq), 0) FROM clients WHERE client_id = ?1",
                [&client],
                |r| r.get(0),
            )
            .expect("client row");
        if applied != last {
            stuck.push(format!(
                "device {i}: server applied up to seq {applied}, device is at {last}"
            ));
        }
        let held = quarantined(conn);
        if held > 0 {
            stuck.push(format!("device {i}: {held} rows still quarantined"));
        }
    }
}
