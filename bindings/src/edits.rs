//! Corrections the engineer makes on site to the plain fields of a customer, site, asset or
//! work order (a phone number, the access notes, a serial). Which fields exist and who may
//! change them is the core's table (`onsite_core::edits::FIELDS`); a field the dispatcher owns
//! (priority, appointment window, assignee) is `NotAllowed` here, since this API is the
//! engineer's app.

use std::collections::HashMap;

use onsite_core::Entity;
use onsite_core::validate::parse_id;
use onsite_core::work_orders::status::Role;

use crate::error::ApiError;
use crate::store::OnsiteStore;

#[uniffi::export]
impl OnsiteStore {
    /// Changes plain fields of one row as the engineer: `target` is `Customer` (`phone`,
    /// `email`), `Site` (`access_notes`, `contact_name`, `contact_phone`), `Asset` (`model`,
    /// `serial`, `firmware`) or `WorkOrder` (`error_code`); `changes` maps each field name to
    /// its new value (`null` clears an optional field). One transaction, queued for sync; every
    /// bad value (or a kind of row with no editable fields) is listed in `Invalid`, an unknown
    /// row is `NotFound`, and a field the dispatcher owns (or a finished job) is `NotAllowed`.
    /// Nothing is stored on an error.
    pub fn edit_fields(
        &self,
        target: Entity,
        id: String,
        changes: HashMap<String, Option<String>>,
    ) -> Result<(), ApiError> {
        let row_id = parse_id("id", &id)?;
        self.store.edit_fields(
            target,
            row_id,
            changes.into_iter().collect(),
            Role::Engineer,
        )?;
        Ok(())
    }
}
