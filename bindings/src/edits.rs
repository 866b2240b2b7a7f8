//! Corrections the engineer makes on site to the plain fields of a customer, site, asset or
//! work order (a phone number, the access notes, a serial). Which fields exist and who may
//! change them is the core's table (`onsite_core::edits::FIELDS`); a field the dispatcher owns
//! (priority, appointment window, assignee) is `NotAllowed` here, since this API is the
//! engineer's app.

use std::collections::HashMap;

use onsite_core::Entity;
use onsite_core::work_orders::status::Role;

use crate::error::ApiError;
use crate::records::parse_id;
use crate::store::OnsiteStore;

/// The kinds of row whose plain fields can be edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EditTarget {
    /// A customer: `phone`, `email`.
    Customer,
    /// A site: `access_notes`, `contact_name`, `contact_phone`.
    Site,
    /// An asset: `model`, `serial`, `firmware`.
    Asset,
    /// A work order: `error_code` (`priority`, `window_start`, `window_end` are the
    /// dispatcher's).
    WorkOrder,
}

impl From<EditTarget> for Entity {
    fn from(t: EditTarget) -> Self {
        match t {
            EditTarget::Customer => Entity::Customer,
            EditTarget::Site => Entity::Site,
            EditTarget::Asset => Entity::Asset,
            EditTarget::WorkOrder => Entity::WorkOrder,
        }
    }
}

#[uniffi::export]
impl OnsiteStore {
    /// Changes plain fields of one row as the engineer: `changes` maps each field name to its
    /// new value (`null` clears an optional field). One transaction, queued for sync; every
    /// bad value is listed in `Invalid`, an unknown row is `NotFound`, and a field the
    /// dispatcher owns (or a finished job) is `NotAllowed`. Nothing is stored on an error.
    pub fn edit_fields(
        &self,
        target: EditTarget,
        id: String,
        changes: HashMap<String, Option<String>>,
    ) -> Result<(), ApiError> {
        let row_id = parse_id("id", &id)?;
        self.store.edit_fields(
            target.into(),
            row_id,
            changes.into_iter().collect(),
            Role::Engineer,
        )?;
        Ok(())
    }
}
