//! Push and pull. Push applies each mutation exactly once, in a savepoint scope of its own
//! together with the client's `last_applied_seq`; a refused mutation still uses its seq
//! ([`push`]). Concurrent pushes share one transaction and one FULL commit, and each is
//! answered only after it ([`group_commit`]). Pull
//! returns the rows in the caller's scope changed after a cursor (a change-log sequence
//! number), in pages ([`pull`]); a device that never synced may take its whole scope as one
//! file first ([`snapshot`]). Refusals are [`ServerError`](crate::error::ServerError)s; this
//! module knows nothing of HTTP.
//!
//! Every push and pull is logged at info with the client or account id and counts, every
//! rejected mutation with its seq, entity and error code: never a name or a row's content.

mod conflict_log;
pub mod group_commit;
mod pull;
mod push;
mod snapshot;

pub use pull::{PULL_PAGE, PageTimings, pull, pull_profiled};
pub use push::{MAX_CLOCK_AHEAD_MS, Push, PushQueue, push, push_queue};
pub use snapshot::{Snapshot, SnapshotTimings, snapshot};
