//! The conflict log: values of this device's that the server refused or overwrote. Nothing
//! the engineer entered disappears silently; the app lists these and marks them seen.

use onsite_core::conflicts::Conflict;
use onsite_core::validate::parse_id;

use crate::error::ApiError;
use crate::store::OnsiteStore;

#[uniffi::export]
impl OnsiteStore {
    /// The conflict log, newest first; seen entries only if `include_seen`.
    pub fn conflicts(&self, include_seen: bool) -> Result<Vec<Conflict>, ApiError> {
        Ok(self.store.conflicts(include_seen)?)
    }

    /// Marks a conflict-log entry as seen.
    pub fn mark_conflict_seen(&self, conflict_id: String) -> Result<(), ApiError> {
        let id = parse_id("conflict_id", &conflict_id)?;
        Ok(self.store.mark_conflict_seen(id)?)
    }
}
