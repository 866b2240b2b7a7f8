//! Work orders: one visit to one site, usually for one asset. Created by the back office,
//! carried out by the engineer, moved through the status machine in [`status`].

pub mod queries;
pub mod status;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::clock::format_time;
use crate::error::{Entity, Error, Problem, Result};
use crate::store::columns::{self, ColumnSet, column_set, text_enum};
use crate::store::{ActionCtx, Op};
use crate::validate::{CODE_MAX, Check, NAME_MAX, TEXT_MAX};
use crate::visit::completion;
use status::{Role, Status};

text_enum! {
    /// What the visit is for. Decides the checklist.
    pub enum WorkOrderKind {
        /// Something is broken.
        Repair => "repair",
        /// A new appliance or lock goes in.
        Installation => "installation",
        /// Scheduled preventive maintenance under a contract.
        Maintenance => "maintenance",
        /// A safety or condition inspection.
        Inspection => "inspection",
    }
}

text_enum! {
    /// How urgent the job is.
    pub enum Priority {
        /// When convenient.
        Low => "low",
        /// The usual.
        Normal => "normal",
        /// Soon: appliance down, customer waiting.
        High => "high",
        /// Now: water on the floor, locked out, gas smell.
        Emergency => "emergency",
    }
}

/// The fault as the customer reported it at intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportedFault {
    /// What the customer sees.
    pub symptom: String,
    /// The error code on the display, if any.
    pub error_code: Option<String>,
    /// Since when, in the customer's words ("since Monday").
    #[serde(rename = "fault_since")]
    pub since: Option<String>,
    /// When it happens ("only on the spin cycle").
    #[serde(rename = "fault_trigger")]
    pub trigger: Option<String>,
}

/// The appointment window agreed with the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    /// Earliest arrival.
    #[serde(rename = "window_start")]
    pub start: DateTime<Utc>,
    /// Latest arrival.
    #[serde(rename = "window_end")]
    pub end: DateTime<Utc>,
}

/// A work order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkOrder {
    /// UUIDv7.
    pub id: Uuid,
    /// The human number, e.g. `WO-10042`.
    pub number: String,
    /// Repair, installation, maintenance or inspection.
    pub kind: WorkOrderKind,
    /// Urgency.
    pub priority: Priority,
    /// Where it stands.
    pub status: Status,
    /// The customer.
    pub customer_id: Uuid,
    /// Where the visit is.
    pub site_id: Uuid,
    /// The appliance or lock concerned.
    pub asset_id: Option<Uuid>,
    /// The reported fault.
    #[serde(flatten)]
    pub fault: ReportedFault,
    /// The appointment window.
    #[serde(flatten)]
    pub window: Window,
    /// The engineer it is assigned to.
    pub assignee: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The earlier work order this one follows up, if it is a follow-up visit.
    pub follow_up_of: Option<Uuid>,
}

/// What a new work order needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWorkOrder {
    /// The human number.
    pub number: String,
    /// Repair, installation, maintenance or inspection.
    pub kind: WorkOrderKind,
    /// Urgency.
    pub priority: Priority,
    /// The customer.
    pub customer_id: Uuid,
    /// The site (must be the customer's).
    pub site_id: Uuid,
    /// The asset (must stand at the site).
    pub asset_id: Option<Uuid>,
    /// The reported fault.
    #[serde(deserialize_with = "strict::fault")]
    pub fault: ReportedFault,
    /// The appointment window.
    #[serde(deserialize_with = "strict::window")]
    pub window: Window,
    /// The engineer, if already known: the job then starts as `assigned`.
    pub assignee: Option<String>,
    /// The work order this one follows up.
    pub follow_up_of: Option<Uuid>,
}

/// The fault and window of a new work order, read refusing unknown keys: a misspelt key must
/// not drop what the office typed. (`ReportedFault` and `Window` cannot refuse them themselves:
/// [`WorkOrder`] flattens them, and a flattened struct sees its neighbours' keys.)
mod strict {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fault {
        symptom: String,
        #[serde(default)]
        error_code: Option<String>,
        #[serde(default)]
        fault_since: Option<String>,
        #[serde(default)]
        fault_trigger: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Window {
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    }

    pub(super) fn fault<'de, D: Deserializer<'de>>(d: D) -> Result<super::ReportedFault, D::Error> {
        let f = Fault::deserialize(d)?;
        Ok(super::ReportedFault {
            symptom: f.symptom,
            error_code: f.error_code,
            since: f.fault_since,
            trigger: f.fault_trigger,
        })
    }

    pub(super) fn window<'de, D: Deserializer<'de>>(d: D) -> Result<super::Window, D::Error> {
        let w = Window::deserialize(d)?;
        Ok(super::Window {
            start: w.window_start,
            end: w.window_end,
        })
    }
}

/// A recorded status change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Who made the change.
    pub role: Role,
    /// Why (required for incomplete and cancelled).
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Creates a work order (a back-office action; seeds and the server use it).
pub fn create(tx: &Transaction<'_>, ctx: &mut ActionCtx, new: NewWorkOrder) -> Result<WorkOrder> {
    Check::new()
        .text("number", &new.number, CODE_MAX)
        .text("symptom", &new.fault.symptom, TEXT_MAX)
        .opt_text("error_code", new.fault.error_code.as_deref(), CODE_MAX)
        .opt_text("fault_since", new.fault.since.as_deref(), NAME_MAX)
        .opt_text("fault_trigger", new.fault.trigger.as_deref(), TEXT_MAX)
        .opt_text("assignee", new.assignee.as_deref(), NAME_MAX)
        .appointment("window", new.window.start, new.window.end)
        .finish()?;
    let site = crate::customers::get_site(tx, new.site_id)?;
    crate::customers::get_customer(tx, new.customer_id)?;
    let asset = new
        .asset_id
        .map(|id| crate::assets::get_asset(tx, id))
        .transpose()?;
    let earlier = new.follow_up_of.map(|id| get(tx, id)).transpose()?;
    Check::new()
        .fail_if(
            earlier.as_ref().is_some_and(|e| {
                (e.customer_id, e.site_id, e.asset_id)
                    != (new.customer_id, new.site_id, new.asset_id)
            }),
            "follow_up_of",
            Problem::Inconsistent {
                detail: "a follow-up visit is for the same customer, site and asset".into(),
            },
        )
        .fail_if(
            earlier.as_ref().is_some_and(|e| !e.status.is_over()),
            "follow_up_of",
            Problem::Inconsistent {
                detail:
                    "a follow-up follows a visit that is over (completed, incomplete or cancelled)"
                        .into(),
            },
        )
        .fail_if(
            site.customer_id != new.customer_id,
            "site_id",
            Problem::Inconsistent {
                detail: "the site belongs to another customer".into(),
            },
        )
        .fail_if(
            asset.is_some_and(|a| a.site_id != new.site_id),
            "asset_id",
            Problem::Inconsistent {
                detail: "the asset stands at another site".into(),
            },
        )
        .finish()?;
    let wo = WorkOrder {
        id: ctx.new_id(),
        number: new.number,
        kind: new.kind,
        priority: new.priority,
        status: if new.assignee.is_some() {
            Status::Assigned
        } else {
            Status::New
        },
        customer_id: new.customer_id,
        site_id: new.site_id,
        asset_id: new.asset_id,
        fault: new.fault,
        window: new.window,
        assignee: new.assignee,
        created_at: ctx.now(),
        follow_up_of: new.follow_up_of,
    };
    tx.prepare_cached(
        "INSERT INTO work_orders (id, number, kind, priority, status, customer_id, site_id,
             asset_id, symptom, error_code, fault_since, fault_trigger, window_start, window_end,
             assignee, created_at, follow_up_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(rusqlite::params![
        wo.id.to_string(),
        &wo.number,
        wo.kind,
        wo.priority,
        wo.status,
        wo.customer_id.to_string(),
        wo.site_id.to_string(),
        wo.asset_id.map(|id| id.to_string()),
        &wo.fault.symptom,
        &wo.fault.error_code,
        &wo.fault.since,
        &wo.fault.trigger,
        format_time(wo.window.start),
        format_time(wo.window.end),
        &wo.assignee,
        format_time(wo.created_at),
        wo.follow_up_of.map(|id| id.to_string()),
    ])
    .map_err(|err| duplicate_number(err, &wo.number))?;
    ctx.log_insert(tx, Entity::WorkOrder, wo.id, &wo)?;
    Ok(wo)
}

fn duplicate_number(err: rusqlite::Error, number: &str) -> Error {
    let unique = matches!(&err, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE);
    if unique {
        Error::invalid(
            "number",
            Problem::AlreadyUsed {
                value: number.to_owned(),
            },
        )
    } else {
        err.into()
    }
}

/// Moves a work order to `to` as `role`, if the status machine allows it. Completion also
/// checks the completion rules and lists everything missing.
pub fn transition(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    id: Uuid,
    to: Status,
    role: Role,
    reason: Option<String>,
) -> Result<StatusChange> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    Check::new()
        .opt_text("reason", reason.as_deref(), TEXT_MAX)
        .fail_if(
            to.needs_reason() && reason.is_none(),
            "reason",
            Problem::Empty,
        )
        .finish()?;
    let wo = get(tx, id)?;
    if !status::allowed(wo.status, to, role) {
        return Err(Error::IllegalTransition {
            from: wo.status,
            to,
            role,
        });
    }
    Check::new()
        .fail_if(
            to == Status::Assigned && wo.assignee.is_none(),
            "assignee",
            Problem::Empty,
        )
        .finish()?;
    if to == Status::Completed {
        completion::ensure_complete(tx, &wo)?;
    }
    let change = StatusChange {
        id: ctx.new_id(),
        work_order_id: id,
        from: wo.status,
        to,
        role,
        reason,
        at: ctx.now(),
    };
    // Back to `new` means nobody has the job any more: the assignee goes with it.
    let unassign = to == Status::New;
    tx.prepare_cached(
        "UPDATE work_orders SET status = ?2, assignee = CASE WHEN ?3 THEN NULL ELSE assignee END
         WHERE id = ?1",
    )?
    .execute((id.to_string(), to, unassign))?;
    tx.prepare_cached(
        "INSERT INTO status_changes (id, work_order_id, from_status, to_status, role, reason, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        change.id.to_string(),
        id.to_string(),
        change.from,
        change.to,
        change.role,
        &change.reason,
        format_time(change.at),
    ))?;
    let mut stamped = vec!["status".to_owned()];
    if unassign {
        stamped.push("assignee".to_owned());
    }
    let payload = json!({
        "status_change_id": change.id,
        "from": change.from,
        "to": change.to,
        "role": change.role,
        "reason": change.reason,
        "at": change.at,
    });
    let hlc = ctx.log(tx, Entity::WorkOrder, id, Op::Transition, &stamped, payload)?;
    ctx.stamp_row(tx, Entity::StatusChange, change.id, hlc)?;
    Ok(change)
}

/// Assigns (or reassigns) a work order to an engineer: a back-office action. A new job moves
/// to `assigned` in the same action.
pub fn assign(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    id: Uuid,
    assignee: String,
    role: Role,
) -> Result<WorkOrder> {
    Check::new()
        .text("assignee", &assignee, NAME_MAX)
        .finish()?;
    if role != Role::Dispatcher {
        return Err(Error::NotPermitted {
            action: "assigning a job",
            role,
        });
    }
    let wo = get(tx, id)?;
    if wo.status.is_final() {
        return Err(Error::NotOpenForRecords {
            status: wo.status,
            action: "assigning a job",
        });
    }
    tx.prepare_cached("UPDATE work_orders SET assignee = ?2 WHERE id = ?1")?
        .execute((id.to_string(), &assignee))?;
    let mut fields = serde_json::Map::new();
    fields.insert("assignee".into(), assignee.into());
    ctx.log_update(tx, Entity::WorkOrder, id, fields)?;
    if wo.status == Status::New {
        transition(tx, ctx, id, Status::Assigned, role, None)?;
    }
    get(tx, id)
}

const COLUMNS: &str = "id, number, kind, priority, status, customer_id, site_id, asset_id, symptom,
     error_code, fault_since, fault_trigger, window_start, window_end, assignee, created_at,
     follow_up_of";

column_set! {
    /// The columns [`from_row`] reads (all of [`COLUMNS`]).
    pub(super) struct Columns {
        id, number, kind, priority, status, customer_id, site_id, asset_id, symptom, error_code,
        fault_since, fault_trigger, window_start, window_end, assignee, created_at, follow_up_of,
    }
}

/// The work order with this id.
pub fn get(conn: &Connection, id: Uuid) -> Result<WorkOrder> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM work_orders WHERE id = ?1"))?;
    let c = Columns::of(&stmt)?;
    stmt.query_row([id.to_string()], |r| from_row(r, &c))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::WorkOrder, id))
}

/// The work order with this id or this number (what a person types).
pub fn find(conn: &Connection, id_or_number: &str) -> Result<WorkOrder> {
    if let Ok(id) = Uuid::parse_str(id_or_number) {
        return get(conn, id);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM work_orders WHERE number = ?1"
    ))?;
    let c = Columns::of(&stmt)?;
    stmt.query_row([id_or_number], |r| from_row(r, &c))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::WorkOrder, id_or_number))
}

pub(super) fn from_row(r: &Row<'_>, c: &Columns) -> rusqlite::Result<WorkOrder> {
    Ok(WorkOrder {
        id: columns::uuid(r, c.id)?,
        number: r.get(c.number)?,
        kind: r.get(c.kind)?,
        priority: r.get(c.priority)?,
        status: r.get(c.status)?,
        customer_id: columns::uuid(r, c.customer_id)?,
        site_id: columns::uuid(r, c.site_id)?,
        asset_id: columns::opt_uuid(r, c.asset_id)?,
        fault: ReportedFault {
            symptom: r.get(c.symptom)?,
            error_code: r.get(c.error_code)?,
            since: r.get(c.fault_since)?,
            trigger: r.get(c.fault_trigger)?,
        },
        window: Window {
            start: columns::time(r, c.window_start)?,
            end: columns::time(r, c.window_end)?,
        },
        assignee: r.get(c.assignee)?,
        created_at: columns::time(r, c.created_at)?,
        follow_up_of: columns::opt_uuid(r, c.follow_up_of)?,
    })
}

column_set! {
    /// The columns of a [`StatusChange`].
    struct StatusChangeColumns { id, work_order_id, from_status, to_status, role, reason, at }
}

/// The status changes of a work order, oldest first.
pub fn status_changes(conn: &Connection, id: Uuid) -> Result<Vec<StatusChange>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, work_order_id, from_status, to_status, role, reason, at
         FROM status_changes WHERE work_order_id = ?1 ORDER BY {}",
        crate::visit::by_stamp("status_changes")
    ))?;
    let c = StatusChangeColumns::of(&stmt)?;
    let rows = stmt.query_map([id.to_string()], |r| {
        Ok(StatusChange {
            id: columns::uuid(r, c.id)?,
            work_order_id: columns::uuid(r, c.work_order_id)?,
            from: r.get(c.from_status)?,
            to: r.get(c.to_status)?,
            role: r.get(c.role)?,
            reason: r.get(c.reason)?,
            at: columns::time(r, c.at)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
