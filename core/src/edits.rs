//! Edits to the plain fields of customers, sites, assets and work orders, and how concurrent
//! edits of them merge. Each field is last-writer-wins by its hybrid-logical-clock stamp, so
//! every side that sees the same edits ends with the same value whatever order they arrived in;
//! the value that loses is reported so that it can be written to a conflict log. Who may edit
//! which field is one table, [`FIELDS`]: the assignee, appointment window and priority belong
//! to the dispatcher.

use std::collections::BTreeMap;

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::{Hlc, format_time};
use crate::error::{Entity, Error, Problem, Result};
use crate::store::{ActionCtx, Op, field_stamp};
use crate::validate::{CODE_MAX, Check, NAME_MAX, TEXT_MAX};
use crate::work_orders::status::Role;
use crate::work_orders::{self, Priority};

/// Who may change a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The engineer on site and the back office alike; concurrent edits merge by stamp.
    Anyone,
    /// Only the back office (assignment, appointment, priority).
    Dispatcher,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Text of at most this many characters; `required` refuses empty and null.
    Text { max: usize, required: bool },
    /// Text of at most this many characters in a `NOT NULL` column: `null` clears it to empty
    /// (it used to reach the column as NULL and fail the statement).
    Notes { max: usize },
    /// A time (RFC 3339); stored in the store's own format.
    Time,
    /// A [`Priority`].
    Priority,
}

/// One editable field.
#[derive(Debug, Clone, Copy)]
pub struct EditableField {
    /// The kind of row.
    pub entity: Entity,
    /// The column.
    pub name: &'static str,
    /// Who may change it.
    pub owner: Owner,
    kind: Kind,
}

const fn field(entity: Entity, name: &'static str, owner: Owner, kind: Kind) -> EditableField {
    EditableField {
        entity,
        name,
        owner,
        kind,
    }
}

const fn text(max: usize, required: bool) -> Kind {
    Kind::Text { max, required }
}

/// Every field that can be changed after its row was created. Everything else about a row is
/// fixed at creation, and visit records are never edited at all (they are added).
pub const FIELDS: &[EditableField] = &[
    field(
        Entity::Customer,
        "phone",
        Owner::Anyone,
        text(NAME_MAX, false),
    ),
    field(
        Entity::Customer,
        "email",
        Owner::Anyone,
        text(NAME_MAX, false),
    ),
    field(
        Entity::Site,
        "access_notes",
        Owner::Anyone,
        Kind::Notes { max: TEXT_MAX },
    ),
    field(
        Entity::Site,
        "contact_name",
        Owner::Anyone,
        text(NAME_MAX, false),
    ),
    field(
        Entity::Site,
        "contact_phone",
        Owner::Anyone,
        text(NAME_MAX, false),
    ),
    field(Entity::Asset, "model", Owner::Anyone, text(NAME_MAX, true)),
    field(Entity::Asset, "serial", Owner::Anyone, text(CODE_MAX, true)),
    field(
        Entity::Asset,
        "firmware",
        Owner::Anyone,
        text(CODE_MAX, false),
    ),
    field(
        Entity::WorkOrder,
        "error_code",
        Owner::Anyone,
        text(CODE_MAX, false),
    ),
    field(
        Entity::WorkOrder,
        "priority",
        Owner::Dispatcher,
        Kind::Priority,
    ),
    field(
        Entity::WorkOrder,
        "window_start",
        Owner::Dispatcher,
        Kind::Time,
    ),
    field(
        Entity::WorkOrder,
        "window_end",
        Owner::Dispatcher,
        Kind::Time,
    ),
];

#[cfg(feature = "openapi")]
impl EditableField {
    /// The JSON schema of a new value of this field, as [`edit`] checks it: the server's
    /// OpenAPI document describes each edit body from [`FIELDS`] with it.
    pub fn value_schema(&self) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use crate::validate::{IN_WINDOW_TIME_PATTERN, NOT_BLANK_PATTERN};
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat, SchemaType};
        use utoipa::openapi::{ObjectBuilder, Ref, Type};
        match self.kind {
            Kind::Text { max, required } => {
                let text = ObjectBuilder::new().max_length(Some(max));
                if required {
                    text.schema_type(Type::String)
                        .min_length(Some(1))
                        .pattern(Some(NOT_BLANK_PATTERN))
                } else {
                    text.schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                }
                .into()
            }
            Kind::Notes { max } => ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .max_length(Some(max))
                .into(),
            Kind::Time => ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .pattern(Some(IN_WINDOW_TIME_PATTERN))
                .into(),
            Kind::Priority => Ref::from_schema_name("Priority").into(),
        }
    }
}

/// The editable fields of `entity`.
pub fn fields_of(entity: Entity) -> impl Iterator<Item = &'static EditableField> {
    FIELDS.iter().filter(move |f| f.entity == entity)
}

/// Field name → new value (`None` clears an optional field).
pub type Changes = BTreeMap<String, Option<String>>;

/// The outbox payload of an edit: the new values and, per field, the stamp the editor's copy
/// had when they made it. The base tells an edit made after seeing the current value (no
/// conflict) from one made concurrently with it (a conflict, logged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditPayload {
    /// The new values.
    pub fields: Changes,
    /// The stamp of each field in the editor's copy when they edited it.
    pub base: BTreeMap<String, Option<String>>,
}

/// A field where two edits met: one value was kept, the other lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldMerge {
    /// The column.
    pub field: String,
    /// The value that was overwritten or refused.
    pub lost_value: Option<String>,
    /// The value the row holds now.
    pub kept_value: Option<String>,
    /// True when this edit won over a concurrent one; false when it lost to a newer one.
    pub incoming_won: bool,
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The edit's stamp.
    pub stamp: Hlc,
    /// Fields where this edit met a concurrent one (empty for a local edit).
    pub merges: Vec<FieldMerge>,
}

/// Checks an edit against [`FIELDS`], the caller's role and each field's limits, and returns
/// the values as they are stored.
fn checked(
    entity: Entity,
    changes: &Changes,
    role: Role,
) -> Result<Vec<(&'static str, Option<String>)>> {
    if changes.is_empty() {
        return Err(Error::invalid("fields", Problem::NoItems));
    }
    let mut out = Vec::with_capacity(changes.len());
    let mut check = Check::new();
    for (name, value) in changes {
        let Some(f) = fields_of(entity).find(|f| f.name == name) else {
            return Err(Error::invalid(
                name,
                Problem::NotOneOf {
                    value: name.clone(),
                    allowed: fields_of(entity).map(|f| f.name.to_owned()).collect(),
                },
            ));
        };
        if f.owner == Owner::Dispatcher && role != Role::Dispatcher {
            return Err(Error::NotPermitted {
                action: "changing a job's appointment or priority",
                role,
            });
        }
        let stored = match (f.kind, value) {
            (
                Kind::Text {
                    required: false, ..
                },
                None,
            ) => None,
            (Kind::Text { required: true, .. }, None) => {
                check = check.fail_if(true, name, Problem::Empty);
                None
            }
            (Kind::Text { max, required }, Some(v)) => {
                check = if required {
                    check.text(name, v, max)
                } else {
                    check.opt_text(name, Some(v), max)
                };
                Some(v.clone())
            }
            (Kind::Notes { .. }, None) => Some(String::new()),
            (Kind::Notes { max }, Some(v)) => {
                check = check.opt_text(name, Some(v), max);
                Some(v.clone())
            }
            (Kind::Time | Kind::Priority, None) => {
                check = check.fail_if(true, name, Problem::Empty);
                None
            }
            (Kind::Time, Some(v)) => match DateTime::parse_from_rfc3339(v) {
                Ok(t) => Some(format_time(t.to_utc())),
                Err(_) => {
                    let detail = "not a time (RFC 3339, e.g. 2026-11-23T09:00:00Z)".to_owned();
                    check = check.fail_if(true, name, Problem::Inconsistent { detail });
                    None
                }
            },
            (Kind::Priority, Some(v)) => match v.parse::<Priority>() {
                Ok(p) => Some(p.as_str().to_owned()),
                Err(err) => return Err(err),
            },
        };
        out.push((f.name, stored));
    }
    check.finish()?;
    Ok(out)
}

/// An appointment window is moved as a whole: both ends, in order, at most 24 hours apart.
fn check_window(values: &[(&'static str, Option<String>)]) -> Result<()> {
    let get = |name| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let (start, end) = match (get("window_start"), get("window_end")) {
        (None, None) => return Ok(()),
        (Some(Some(s)), Some(Some(e))) => (s, e),
        _ => {
            return Err(Error::inconsistent(
                "window",
                "a new appointment needs both window_start and window_end",
            ));
        }
    };
    let parse = |t: &str| DateTime::parse_from_rfc3339(t).map(|t| t.to_utc());
    let (Ok(start), Ok(end)) = (parse(&start), parse(&end)) else {
        return Ok(()); // already refused by `checked`
    };
    Check::new().appointment("window", start, end).finish()
}

fn current_value(
    conn: &Connection,
    entity: Entity,
    row_id: Uuid,
    field: &str,
) -> Result<Option<Option<String>>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {field} FROM {} WHERE id = ?1",
            entity.table()
        ))?
        .query_row([row_id.to_string()], |r| r.get(0))
        .optional()?)
}

/// Changes plain fields of a row as `role`: this store's own edit, queued for sync.
pub fn edit(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    entity: Entity,
    row_id: Uuid,
    changes: Changes,
    role: Role,
) -> Result<Edited> {
    let mut base = BTreeMap::new();
    for name in changes.keys() {
        let stamp = field_stamp(tx, entity, row_id, name)?;
        // This edit is made after seeing that value, so it must be stamped after it (a store
        // upgraded from before HLC receive may hold stamps ahead of its own clock).
        if let Some(stamp) = stamp {
            ctx.receive(stamp);
        }
        base.insert(name.clone(), stamp.map(|s| s.to_string()));
    }
    apply(
        tx,
        ctx,
        entity,
        row_id,
        EditPayload {
            fields: changes,
            base,
        },
        role,
    )
}

/// Applies an edit made elsewhere (the server replaying a device's push) or here ([`edit`]):
/// each field is written only if this edit's stamp is newer than the field's, and every
/// concurrent edit that met this one is returned.
pub fn apply(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    entity: Entity,
    row_id: Uuid,
    payload: EditPayload,
    role: Role,
) -> Result<Edited> {
    let values = checked(entity, &payload.fields, role)?;
    check_window(&values)?;
    if current_value(tx, entity, row_id, "id")?.is_none() {
        return Err(Error::not_found(entity, row_id));
    }
    if entity == Entity::WorkOrder {
        let wo = work_orders::get(tx, row_id)?;
        if wo.status.is_final() {
            return Err(Error::NotOpenForRecords {
                status: wo.status,
                action: "editing a finished job",
            });
        }
    }
    let wire = serde_json::to_value(&payload)?;
    let stamp = ctx.log(tx, entity, row_id, Op::Update, &[], wire)?;
    let mut merges = Vec::new();
    for (name, value) in values {
        let current = field_stamp(tx, entity, row_id, name)?;
        let old = current_value(tx, entity, row_id, name)?.flatten();
        let base = payload.base.get(name).cloned().flatten();
        let concurrent = base != current.map(|s| s.to_string());
        if current.is_none_or(|c| stamp > c) {
            tx.prepare_cached(&format!(
                "UPDATE {} SET {name} = ?2 WHERE id = ?1",
                entity.table()
            ))?
            .execute((row_id.to_string(), &value))?;
            ctx.stamp_field(tx, entity, row_id, name, stamp)?;
            if concurrent && old != value {
                merges.push(FieldMerge {
                    field: name.into(),
                    lost_value: old,
                    kept_value: value,
                    incoming_won: true,
                });
            }
        } else if old != value {
            merges.push(FieldMerge {
                field: name.into(),
                lost_value: value,
                kept_value: old,
                incoming_won: false,
            });
        }
    }
    Ok(Edited { stamp, merges })
}
