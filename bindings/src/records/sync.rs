//! Sync as the app shows it: a round's report, the background loop's status, the changes
//! waiting to go, and the conflict log.

use onsite_core::conflicts::Conflict as CoreConflict;
use onsite_core::outbox::OutboxEntry as CoreOutboxEntry;
use onsite_core::sync::background::{SyncState as CoreSyncState, SyncStatus as CoreSyncStatus};
use onsite_core::sync::client::SyncReport as CoreSyncReport;

use super::enums::Kept;
use super::{id, millis};

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// What one sync round did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Changes sent.
    pub pushed: u64,
    /// Of those, applied by the server now.
    pub applied: u64,
    /// Of those, already applied before (a retried send).
    pub duplicates: u64,
    /// Of those, refused by the server (now in the conflict log).
    pub rejected: u64,
    /// Rows received.
    pub pulled: u64,
    /// The new pull cursor.
    pub cursor: i64,
    /// Changes still waiting.
    pub pending: u64,
}

impl From<CoreSyncReport> for SyncReport {
    fn from(r: CoreSyncReport) -> Self {
        SyncReport {
            pushed: count(r.pushed),
            applied: count(r.push.applied),
            duplicates: count(r.push.duplicates),
            rejected: count(r.push.rejected),
            pulled: count(r.pulled),
            cursor: r.cursor,
            pending: r.pending,
        }
    }
}

/// What the background loop is doing.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncState {
    /// Waiting for the next round; the last one succeeded (or none ran yet).
    Idle,
    /// A round is running.
    Syncing,
    /// The server cannot be reached; retrying with back-off.
    Offline {
        /// What the network said.
        reason: String,
    },
    /// The server or the store refused; retrying with back-off.
    Failed {
        /// What went wrong.
        reason: String,
    },
}

impl From<CoreSyncState> for SyncState {
    fn from(s: CoreSyncState) -> Self {
        match s {
            CoreSyncState::Idle => SyncState::Idle,
            CoreSyncState::Syncing => SyncState::Syncing,
            CoreSyncState::Offline { reason } => SyncState::Offline { reason },
            CoreSyncState::Error { reason } => SyncState::Failed { reason },
        }
    }
}

/// Everything the app shows about sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// The loop's state.
    pub state: SyncState,
    /// When a round last succeeded (epoch ms).
    pub last_success_ms: Option<i64>,
    /// Changes waiting for the server.
    pub pending: u64,
    /// What the last successful round did.
    pub last_report: Option<SyncReport>,
    /// Rounds failed in a row.
    pub failures: u32,
    /// Milliseconds until the next round.
    pub next_round_in_ms: u64,
    /// While a round runs: how far it has come.
    #[uniffi(default = None)]
    pub progress: Option<SyncProgress>,
}

/// How far a running round has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    /// Changes sent so far.
    pub pushed: u64,
    /// Changes waiting when the round began.
    pub to_push: u64,
    /// Rows received so far.
    pub pulled: u64,
}

impl From<onsite_core::sync::client::SyncProgress> for SyncProgress {
    fn from(p: onsite_core::sync::client::SyncProgress) -> Self {
        SyncProgress {
            pushed: p.pushed,
            to_push: p.to_push,
            pulled: p.pulled,
        }
    }
}

impl From<CoreSyncStatus> for SyncStatus {
    fn from(s: CoreSyncStatus) -> Self {
        SyncStatus {
            state: s.state.into(),
            last_success_ms: s.last_success.map(millis),
            pending: s.pending,
            last_report: s.last_report.map(Into::into),
            failures: s.failures,
            next_round_in_ms: s.next_round_in_ms,
            progress: s.progress.map(Into::into),
        }
    }
}

/// A change waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PendingChange {
    /// Per-device sequence number.
    pub seq: i64,
    /// What kind of row (`diagnosis`, `part_line`, ...).
    pub entity: String,
    /// The row's id.
    pub row_id: String,
    /// The change as JSON.
    pub payload_json: String,
}

impl From<CoreOutboxEntry> for PendingChange {
    fn from(e: CoreOutboxEntry) -> Self {
        PendingChange {
            seq: e.seq,
            entity: e.entity,
            row_id: id(e.row_id),
            payload_json: e.payload.to_string(),
        }
    }
}

/// A conflict-log entry: a value of this device's that was refused or overwritten.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Conflict {
    /// Id (to mark it seen).
    pub id: String,
    /// What kind of row.
    pub entity: String,
    /// The row's id.
    pub row_id: String,
    /// The field, if one field.
    pub field: Option<String>,
    /// The device's value.
    pub local_value: Option<String>,
    /// The server's value.
    pub remote_value: Option<String>,
    /// Which value survived.
    pub kept: Kept,
    /// Why.
    pub reason: String,
    /// When (epoch ms).
    pub occurred_at_ms: i64,
    /// When the engineer saw it (epoch ms).
    pub seen_at_ms: Option<i64>,
}

impl From<CoreConflict> for Conflict {
    fn from(c: CoreConflict) -> Self {
        Conflict {
            id: id(c.id),
            entity: c.entity,
            row_id: id(c.row_id),
            field: c.field,
            local_value: c.local_value,
            remote_value: c.remote_value,
            kept: c.kept.into(),
            reason: c.reason,
            occurred_at_ms: millis(c.occurred_at),
            seen_at_ms: c.seen_at.map(millis),
        }
    }
}
