//! What the engineer does and spends: time entries (travel, on site) and part lines (parts
//! installed and removed, with serials and who pays).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{When, by_stamp, open_job, rows};
use crate::clock::format_time;
use crate::error::{Entity, Problem, Result};
use crate::store::ActionCtx;
use crate::store::columns::{self, column_set, text_enum};
use crate::validate::{CODE_MAX, Check, NAME_MAX};

text_enum! {
    /// What the time was spent on.
    pub enum TimeKind {
        /// Driving to the site.
        Travel => "travel",
        /// Working at the site.
        OnSite => "on_site",
    }
}

text_enum! {
    /// Whether a part went in or came out.
    pub enum PartDirection {
        /// Fitted into the asset.
        Installed => "installed",
        /// Taken out of the asset (offered back to the customer).
        Removed => "removed",
    }
}

text_enum! {
    /// Who pays for a part.
    pub enum Billing {
        /// Free to the customer: warranty or contract.
        Warranty => "warranty",
        /// The customer pays; needs their approval before completion.
        Chargeable => "chargeable",
    }
}

/// A span of time spent on the job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimeEntry {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// Travel or on site.
    pub kind: TimeKind,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End (after the start).
    pub ended_at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl TimeEntry {
    /// Whole minutes spent, rounded down.
    pub fn minutes(&self) -> i64 {
        (self.ended_at - self.started_at).num_minutes()
    }
}

/// A part fitted or taken out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PartLine {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// Installed or removed.
    pub direction: PartDirection,
    /// Manufacturer part number.
    pub part_number: String,
    /// What the part is.
    pub description: String,
    /// How many (at least one).
    pub quantity: i64,
    /// Serial of the part that went in.
    pub serial_in: Option<String>,
    /// Serial of the part that came out.
    pub serial_out: Option<String>,
    /// Who pays.
    pub billing: Billing,
    /// Price per piece in cents.
    pub unit_price_cents: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl PartLine {
    /// The input that records this line again (the server replaying a device's action).
    pub fn to_new(&self) -> NewPartLine {
        NewPartLine {
            direction: self.direction,
            part_number: self.part_number.clone(),
            description: self.description.clone(),
            quantity: self.quantity,
            serial_in: self.serial_in.clone(),
            serial_out: self.serial_out.clone(),
            billing: self.billing,
            unit_price_cents: self.unit_price_cents,
        }
    }
}

/// A part line to record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewPartLine {
    /// Installed or removed.
    pub direction: PartDirection,
    /// Manufacturer part number.
    pub part_number: String,
    /// What the part is.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Serial of the part that went in.
    pub serial_in: Option<String>,
    /// Serial of the part that came out.
    pub serial_out: Option<String>,
    /// Who pays.
    pub billing: Billing,
    /// Price per piece in cents.
    pub unit_price_cents: i64,
}

/// Records time spent. Travel can be logged before arrival; on-site time while working.
pub fn add_time_entry(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    kind: TimeKind,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
) -> Result<TimeEntry> {
    Check::new()
        .window("ended_at", started_at, ended_at)
        .finish()?;
    open_job(tx, work_order_id, When::BeforeFinal, "recording time")?;
    let t = TimeEntry {
        id: ctx.new_id(),
        work_order_id,
        kind,
        started_at,
        ended_at,
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO time_entries (id, work_order_id, kind, started_at, ended_at, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        t.id.to_string(),
        work_order_id.to_string(),
        t.kind,
        format_time(t.started_at),
        format_time(t.ended_at),
        format_time(t.recorded_at),
    ))?;
    ctx.log_insert(tx, Entity::TimeEntry, t.id, &t)?;
    Ok(t)
}

/// Records a part fitted or removed.
pub fn add_part_line(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    new: NewPartLine,
) -> Result<PartLine> {
    Check::new()
        .text("part_number", &new.part_number, CODE_MAX)
        .text("description", &new.description, NAME_MAX)
        .quantity("quantity", new.quantity)
        .opt_text("serial_in", new.serial_in.as_deref(), CODE_MAX)
        .opt_text("serial_out", new.serial_out.as_deref(), CODE_MAX)
        .price("unit_price_cents", new.unit_price_cents)
        .finish()?;
    let wo = open_job(tx, work_order_id, When::Working, "recording a part")?;
    let coverage = crate::work_orders::queries::parties(tx, &wo)?.coverage;
    let installed = new.direction == PartDirection::Installed;
    Check::new()
        .fail_if(
            !installed && new.billing == Billing::Chargeable,
            "billing",
            Problem::Inconsistent {
                detail: "a removed part is not charged".into(),
            },
        )
        .fail_if(
            installed && new.billing == Billing::Warranty && !coverage.covers_parts(),
            "billing",
            Problem::Inconsistent {
                detail: "no warranty or contract covers parts for this asset on the visit date"
                    .into(),
            },
        )
        .finish()?;
    let p = PartLine {
        id: ctx.new_id(),
        work_order_id,
        direction: new.direction,
        part_number: new.part_number.trim().to_owned(),
        description: new.description,
        quantity: new.quantity,
        serial_in: new.serial_in,
        serial_out: new.serial_out,
        billing: new.billing,
        unit_price_cents: new.unit_price_cents,
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO part_lines (id, work_order_id, direction, part_number, description, quantity,
             serial_in, serial_out, billing, unit_price_cents, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(rusqlite::params![
        p.id.to_string(),
        work_order_id.to_string(),
        p.direction,
        &p.part_number,
        &p.description,
        p.quantity,
        &p.serial_in,
        &p.serial_out,
        p.billing,
        p.unit_price_cents,
        format_time(p.recorded_at),
    ])?;
    ctx.log_insert(tx, Entity::PartLine, p.id, &p)?;
    Ok(p)
}

column_set! {
    /// The columns of a [`TimeEntry`].
    struct TimeEntryColumns { id, work_order_id, kind, started_at, ended_at, recorded_at }
}

/// Time entries of a work order, oldest first.
pub fn time_entries(conn: &Connection, work_order_id: Uuid) -> Result<Vec<TimeEntry>> {
    rows(
        conn,
        "SELECT id, work_order_id, kind, started_at, ended_at, recorded_at
         FROM time_entries WHERE work_order_id = ?1 ORDER BY started_at, id",
        [work_order_id.to_string()],
        |r, c: &TimeEntryColumns| {
            Ok(TimeEntry {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                kind: r.get(c.kind)?,
                started_at: columns::time(r, c.started_at)?,
                ended_at: columns::time(r, c.ended_at)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )
}

/// Part lines of a work order, oldest first.
pub fn part_lines(conn: &Connection, work_order_id: Uuid) -> Result<Vec<PartLine>> {
    part_lines_of(conn, &[work_order_id])
}

column_set! {
    /// The columns of a [`PartLine`].
    struct PartLineColumns {
        id, work_order_id, direction, part_number, description, quantity, serial_in, serial_out,
        billing, unit_price_cents, recorded_at,
    }
}

/// The same for several work orders at once (one query), in stamp order.
pub fn part_lines_of(conn: &Connection, work_order_ids: &[Uuid]) -> Result<Vec<PartLine>> {
    rows(
        conn,
        &format!(
            "SELECT id, work_order_id, direction, part_number, description, quantity, serial_in,
                serial_out, billing, unit_price_cents, recorded_at
         FROM part_lines WHERE work_order_id IN (SELECT value FROM json_each(?1)) ORDER BY {}",
            by_stamp("part_lines")
        ),
        [serde_json::to_string(work_order_ids)?],
        |r, c: &PartLineColumns| {
            Ok(PartLine {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                direction: r.get(c.direction)?,
                part_number: r.get(c.part_number)?,
                description: r.get(c.description)?,
                quantity: r.get(c.quantity)?,
                serial_in: r.get(c.serial_in)?,
                serial_out: r.get(c.serial_out)?,
                billing: r.get(c.billing)?,
                unit_price_cents: r.get(c.unit_price_cents)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )
}
