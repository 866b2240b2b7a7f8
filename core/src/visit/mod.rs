//! The visit record: everything the engineer finds and does on site, each its own row with its
//! own device-made id, so records from two devices never conflict (add-wins).

pub mod charges;
pub mod checklist;
pub mod completion;
pub mod findings;
pub mod signoff;
pub mod work;

use rusqlite::{Connection, Params, Row};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::columns::ColumnSet;
use crate::work_orders::status::Status;
use crate::work_orders::{self, StatusChange, WorkOrder};

use charges::{Charges, QuoteDecision, QuoteLine};
use checklist::ChecklistLine;
use findings::{Diagnosis, FunctionTest, Measurement, Note};
use signoff::SignOff;
use work::{PartLine, TimeEntry};

/// When a kind of record may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// Any time before the job is final (notes, travel time).
    BeforeFinal,
    /// While working at the site (on site, or waiting for parts or approval).
    Working,
    /// Only while on site (the customer's decision and signature are given in person).
    OnSite,
}

/// Loads the work order and checks that `action` is possible in its status.
pub(crate) fn open_job(
    conn: &Connection,
    id: Uuid,
    when: When,
    action: &'static str,
) -> Result<WorkOrder> {
    let wo = work_orders::get(conn, id)?;
    let ok = match when {
        When::BeforeFinal => !wo.status.is_final(),
        When::Working => matches!(
            wo.status,
            Status::OnSite | Status::AwaitingParts | Status::AwaitingApproval
        ),
        When::OnSite => matches!(wo.status, Status::OnSite | Status::AwaitingApproval),
    };
    if ok {
        Ok(wo)
    } else {
        Err(Error::NotOpenForRecords {
            status: wo.status,
            action,
        })
    }
}

/// SQL for ordering rows of `table` by their insert stamp: the order they were made in, even
/// when the device clock jumped back in between (wall-clock times can go backwards; stamps
/// cannot), and the same order on every device.
pub(crate) fn by_stamp(table: &str) -> String {
    format!("{table}.row_stamp")
}

/// Runs a query and maps every row, reading through a [`ColumnSet`] found once for the query.
pub(crate) fn rows<C: ColumnSet, T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut map: impl FnMut(&Row<'_>, &C) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = C::of(&stmt)?;
    let rows = stmt.query_map(params, |r| map(r, &columns))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Everything recorded for one visit, as the visit screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitRecord {
    /// The work order.
    pub work_order: WorkOrder,
    /// Status history, oldest first.
    pub status_changes: Vec<StatusChange>,
    /// Diagnosis entries, oldest first.
    pub diagnoses: Vec<Diagnosis>,
    /// Measurements, oldest first.
    pub measurements: Vec<Measurement>,
    /// The job type's checklist with the latest result of each item.
    pub checklist: Vec<ChecklistLine>,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// Time entries, oldest first.
    pub time_entries: Vec<TimeEntry>,
    /// Parts installed and removed.
    pub parts: Vec<PartLine>,
    /// Quote lines.
    pub quote_lines: Vec<QuoteLine>,
    /// The customer's decisions on the quote, oldest first.
    pub quote_decisions: Vec<QuoteDecision>,
    /// What the customer pays, and whether that is approved.
    pub charges: Charges,
    /// The latest function test.
    pub function_test: Option<FunctionTest>,
    /// The latest sign-off.
    pub sign_off: Option<SignOff>,
}

/// The whole visit record of a work order.
pub fn record(conn: &Connection, work_order_id: Uuid) -> Result<VisitRecord> {
    let work_order = work_orders::get(conn, work_order_id)?;
    Ok(VisitRecord {
        status_changes: work_orders::status_changes(conn, work_order_id)?,
        diagnoses: findings::diagnoses(conn, work_order_id)?,
        measurements: findings::measurements(conn, work_order_id)?,
        checklist: checklist::lines(conn, &work_order)?,
        notes: findings::notes(conn, work_order_id)?,
        time_entries: work::time_entries(conn, work_order_id)?,
        parts: work::part_lines(conn, work_order_id)?,
        quote_lines: charges::quote_lines(conn, work_order_id)?,
        quote_decisions: charges::decisions(conn, work_order_id)?,
        charges: charges::charges(conn, work_order_id)?,
        function_test: findings::latest_function_test(conn, work_order_id)?,
        sign_off: signoff::latest(conn, work_order_id)?,
        work_order,
    })
}
