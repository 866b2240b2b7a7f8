//! Per-job-type checklists and their results. The checklist of a job is decided by its type;
//! required items must be done (passed, or not applicable) before the job can complete.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{When, by_stamp, open_job, rows};
use crate::clock::format_time;
use crate::error::{Entity, Problem, Result};
use crate::store::ActionCtx;
use crate::store::columns::{self, column_set, text_enum};
use crate::validate::{Check, TEXT_MAX};
use crate::work_orders::{WorkOrder, WorkOrderKind};

/// One item of a checklist template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChecklistItem {
    /// Stable key, recorded with each result.
    pub key: String,
    /// What to check, as the engineer reads it.
    pub label: String,
    /// Completion needs this item done.
    pub required: bool,
}

/// A template item as written below: key, label, required.
type TemplateItem = (&'static str, &'static str, bool);

const fn item(key: &'static str, label: &'static str, required: bool) -> TemplateItem {
    (key, label, required)
}

const REPAIR: &[TemplateItem] = &[
    item(
        "isolate",
        "Power, water and gas isolated before opening the appliance",
        true,
    ),
    item("error_memory", "Error memory read and cleared", true),
    item(
        "old_parts_offered",
        "Removed parts shown and offered to the customer",
        false,
    ),
    item("leak_check", "No leaks after reassembly", true),
    item("clean_up", "Work area cleaned up", true),
];

const INSTALLATION: &[TemplateItem] = &[
    item(
        "site_check",
        "Supply, drain and space meet the installation guide",
        true,
    ),
    item(
        "level_fixed",
        "Levelled and fixed (anti-tip bracket, door alignment)",
        true,
    ),
    item("connections", "Connections tight and leak-free", true),
    item("customer_instructed", "Customer shown how to use it", true),
    item(
        "warranty_registered",
        "Product registered for warranty",
        false,
    ),
    item("packaging_removed", "Packaging taken away", false),
];

const MAINTENANCE: &[TemplateItem] = &[
    item("safety_check", "Electrical safety check passed", true),
    item(
        "filters_seals",
        "Filters cleaned, seals and hoses inspected",
        true,
    ),
    item("firmware", "Firmware updated to the current release", false),
    item("battery", "Battery level checked (smart locks)", false),
    item(
        "next_visit",
        "Next inspection date agreed with the customer",
        true,
    ),
];

const INSPECTION: &[TemplateItem] = &[
    item("visual", "Visual inspection for damage and wear", true),
    item("safety_check", "Electrical safety check passed", true),
    item(
        "documentation",
        "System documentation on site is complete",
        false,
    ),
];

/// The checklist for a job type.
pub fn template(kind: WorkOrderKind) -> Vec<ChecklistItem> {
    let items = match kind {
        WorkOrderKind::Repair => REPAIR,
        WorkOrderKind::Installation => INSTALLATION,
        WorkOrderKind::Maintenance => MAINTENANCE,
        WorkOrderKind::Inspection => INSPECTION,
    };
    items
        .iter()
        .map(|&(key, label, required)| ChecklistItem {
            key: key.to_owned(),
            label: label.to_owned(),
            required,
        })
        .collect()
}

text_enum! {
    /// The result of one checklist item.
    // Its own name in the OpenAPI document: the sync protocol's `Outcome` has the plain one.
    #[cfg_attr(feature = "openapi", schema(as = ChecklistOutcome))]
    pub enum Outcome {
        /// Checked and fine.
        Pass => "pass",
        /// Checked and not fine.
        Fail => "fail",
        /// Does not apply to this asset.
        NotApplicable => "n/a",
    }
}

impl Outcome {
    /// Passed or not applicable: the item no longer holds up completion.
    pub fn is_done(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::NotApplicable)
    }
}

/// A recorded checklist result. The latest result of an item counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChecklistResult {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// The template item's key.
    pub item_key: String,
    /// Pass, fail or not applicable.
    pub result: Outcome,
    /// A remark.
    pub note: Option<String>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// A template item with its latest result, as the checklist screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChecklistLine {
    /// The template item.
    pub item: ChecklistItem,
    /// Its latest result, if any.
    pub result: Option<ChecklistResult>,
}

/// Records a result for an item of the job's checklist.
pub fn record_result(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    item_key: &str,
    result: Outcome,
    note: Option<String>,
) -> Result<ChecklistResult> {
    Check::new()
        .opt_text("note", note.as_deref(), TEXT_MAX)
        .finish()?;
    let wo = open_job(
        tx,
        work_order_id,
        When::Working,
        "recording a checklist result",
    )?;
    let items = template(wo.kind);
    Check::new()
        .fail_if(
            !items.iter().any(|i| i.key == item_key),
            "item_key",
            Problem::NotOneOf {
                value: item_key.to_owned(),
                allowed: items.iter().map(|i| i.key.to_owned()).collect(),
            },
        )
        .finish()?;
    let r = ChecklistResult {
        id: ctx.new_id(),
        work_order_id,
        item_key: item_key.to_owned(),
        result,
        note,
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO checklist_results (id, work_order_id, item_key, result, note, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        r.id.to_string(),
        work_order_id.to_string(),
        &r.item_key,
        r.result,
        &r.note,
        format_time(r.recorded_at),
    ))?;
    ctx.log_insert(tx, Entity::ChecklistResult, r.id, &r)?;
    Ok(r)
}

column_set! {
    /// The columns of a [`ChecklistResult`].
    struct ResultColumns { id, work_order_id, item_key, result, note, recorded_at }
}

/// The job's checklist with the latest result of each item.
pub fn lines(conn: &Connection, wo: &WorkOrder) -> Result<Vec<ChecklistLine>> {
    let results = rows(
        conn,
        &format!(
            "SELECT id, work_order_id, item_key, result, note, recorded_at
         FROM checklist_results WHERE work_order_id = ?1 ORDER BY {}",
            by_stamp("checklist_results")
        ),
        [wo.id.to_string()],
        |r, c: &ResultColumns| {
            Ok(ChecklistResult {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                item_key: r.get(c.item_key)?,
                result: r.get(c.result)?,
                note: r.get(c.note)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )?;
    Ok(template(wo.kind)
        .into_iter()
        .map(|item| ChecklistLine {
            result: results
                .iter()
                .rev()
                .find(|r| r.item_key == item.key)
                .cloned(),
            item,
        })
        .collect())
}
