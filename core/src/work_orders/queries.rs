//! The read models the engineer's screens need, each one call: today's list and the job
//! detail with the asset's history.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use super::status::{self, Role, Status};
use super::{Priority, WorkOrder, WorkOrderKind};
use crate::assets::{self, Asset, Contract, Coverage};
use crate::clock::format_time;
use crate::customers::{self, Customer, Site};
use crate::error::Result;
use crate::store::columns::{self, ColumnSet, column_set, in_job};
use crate::visit::findings::{self, Diagnosis};
use crate::visit::rows;
use crate::visit::work::{self, PartLine};

/// A line of the day's job list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JobSummary {
    /// Work order id.
    pub id: Uuid,
    /// Its number.
    pub number: String,
    /// Job type.
    pub kind: WorkOrderKind,
    /// Urgency.
    pub priority: Priority,
    /// Status.
    pub status: Status,
    /// Appointment window start.
    pub window_start: DateTime<Utc>,
    /// Appointment window end.
    pub window_end: DateTime<Utc>,
    /// Customer name.
    pub customer_name: String,
    /// Site address.
    pub address: String,
    /// "Brand Model", if there is an asset.
    pub asset: Option<String>,
    /// Reported symptom.
    pub symptom: String,
    /// Reported error code.
    pub error_code: Option<String>,
}

column_set! {
    /// The columns of a [`JobSummary`].
    struct SummaryColumns {
        id, number, kind, priority, status, window_start, window_end, customer_name, address,
        asset, symptom, error_code,
    }
}

/// A job of the day's list whose stored row cannot be read back: named, so the list still
/// shows the others and says which one is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UnreadableJob {
    /// The job's id, if that much reads.
    pub work_order_id: Option<Uuid>,
    /// Its number, if that much reads.
    pub number: Option<String>,
    /// The table whose value does not read.
    pub table: String,
    /// The column whose value does not read.
    pub column: String,
}

/// The day's job list: every job that reads, and the ones that do not.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DayList {
    /// The jobs, ordered by appointment start.
    pub jobs: Vec<JobSummary>,
    /// Jobs whose stored row cannot be read back.
    pub unreadable: Vec<UnreadableJob>,
}

/// The table a [`JobSummary`] column comes from, and its name there.
fn source_of(column: &str) -> (&'static str, String) {
    match column {
        "customer_name" => ("customers", "name".into()),
        "address" => ("sites", "address".into()),
        "asset" => ("assets", "brand, model".into()),
        other => ("work_orders", other.to_owned()),
    }
}

/// The jobs whose appointment window touches `day` (in a time zone `utc_offset_minutes` east
/// of UTC), ordered by appointment start. A job whose row does not read is listed apart
/// ([`DayList::unreadable`]) instead of failing the list.
pub fn day_list(conn: &Connection, day: NaiveDate, utc_offset_minutes: i32) -> Result<DayList> {
    let day_start =
        day.and_time(NaiveTime::MIN).and_utc() - Duration::minutes(utc_offset_minutes.into());
    let day_end = day_start + Duration::days(1);
    // Windows are shorter than a day, so starts from the day before bound the index scan.
    let mut stmt = conn.prepare_cached(
        "SELECT w.id, w.number, w.kind, w.priority, w.status, w.window_start, w.window_end,
                c.name AS customer_name, s.address, a.brand || ' ' || a.model AS asset, w.symptom,
                w.error_code
         FROM work_orders w
         JOIN customers c ON c.id = w.customer_id
         JOIN sites s ON s.id = w.site_id
         LEFT JOIN assets a ON a.id = w.asset_id
         WHERE w.window_start >= ?1 AND w.window_start < ?2 AND w.window_end > ?3
         ORDER BY w.window_start, w.number",
    )?;
    let c = SummaryColumns::of(&stmt)?;
    let mut found = stmt.query((
        format_time(day_start - Duration::days(1)),
        format_time(day_end),
        format_time(day_start),
    ))?;
    let mut list = DayList::default();
    while let Some(r) = found.next()? {
        match summary(r, &c) {
            Ok(job) => list.jobs.push(job),
            Err(err) => {
                let column = columns::unreadable_column(&err).ok_or(err)?;
                let (table, column) = source_of(&column);
                let work_order_id = r.get::<_, String>(c.id).ok().and_then(|t| t.parse().ok());
                // Ids and names of columns only, never the value.
                tracing::warn!(work_order = ?work_order_id, table, %column, "unreadable job in the day's list");
                list.unreadable.push(UnreadableJob {
                    work_order_id,
                    number: r.get(c.number).ok(),
                    table: table.to_owned(),
                    column,
                });
            }
        }
    }
    Ok(list)
}

/// The jobs of [`day_list`] that read (the unreadable ones are logged and left out).
pub fn jobs_for_day(
    conn: &Connection,
    day: NaiveDate,
    utc_offset_minutes: i32,
) -> Result<Vec<JobSummary>> {
    Ok(day_list(conn, day, utc_offset_minutes)?.jobs)
}

fn summary(r: &rusqlite::Row<'_>, c: &SummaryColumns) -> rusqlite::Result<JobSummary> {
    Ok(JobSummary {
        id: columns::uuid(r, c.id)?,
        number: r.get(c.number)?,
        kind: r.get(c.kind)?,
        priority: r.get(c.priority)?,
        status: r.get(c.status)?,
        window_start: columns::time(r, c.window_start)?,
        window_end: columns::time(r, c.window_end)?,
        customer_name: r.get(c.customer_name)?,
        address: r.get(c.address)?,
        asset: r.get(c.asset)?,
        symptom: r.get(c.symptom)?,
        error_code: r.get(c.error_code)?,
    })
}

/// An earlier visit to the same asset, with what was found and what was fitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EarlierVisit {
    /// The earlier work order.
    pub work_order_id: Uuid,
    /// Its number.
    pub number: String,
    /// Its type.
    pub kind: WorkOrderKind,
    /// Its status.
    pub status: Status,
    /// Its appointment start.
    pub date: DateTime<Utc>,
    /// Its reported symptom.
    pub symptom: String,
    /// Its reported error code.
    pub error_code: Option<String>,
    /// What was found.
    pub diagnoses: Vec<Diagnosis>,
    /// What was fitted and removed.
    pub parts: Vec<PartLine>,
}

/// Everything the job screen shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JobDetail {
    /// The work order.
    pub work_order: WorkOrder,
    /// The customer.
    pub customer: Customer,
    /// The site.
    pub site: Site,
    /// The asset.
    pub asset: Option<Asset>,
    /// The asset's contract.
    pub contract: Option<Contract>,
    /// Warranty coverage at the visit date.
    pub coverage: Coverage,
    /// Earlier visits to this asset, newest first.
    pub history: Vec<EarlierVisit>,
    /// Where the engineer may move the job from here.
    pub next_statuses: Vec<Status>,
}

/// How many earlier visits the job screen shows.
pub const HISTORY_LIMIT: u32 = 10;

/// The job detail of one work order.
pub fn job_detail(conn: &Connection, work_order_id: Uuid) -> Result<JobDetail> {
    let work_order =
        super::get(conn, work_order_id).map_err(|e| in_job(e, "work_orders", work_order_id))?;
    let parties = parties(conn, &work_order)?;
    let history = match work_order.asset_id {
        Some(asset_id) => history(conn, asset_id, &work_order)
            .map_err(|e| in_job(e, "asset history", work_order_id))?,
        None => Vec::new(),
    };
    Ok(JobDetail {
        next_statuses: status::next_statuses(work_order.status, Role::Engineer),
        work_order,
        customer: parties.customer,
        site: parties.site,
        asset: parties.asset,
        contract: parties.contract,
        coverage: parties.coverage,
        history,
    })
}

/// Who and what a work order is about, and what pays for the visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Parties {
    /// The customer.
    pub customer: Customer,
    /// The site.
    pub site: Site,
    /// The asset.
    pub asset: Option<Asset>,
    /// The asset's contract.
    pub contract: Option<Contract>,
    /// Coverage at the appointment date.
    pub coverage: Coverage,
}

/// Loads the customer, site, asset and contract of `wo`, and its coverage at the visit date.
pub fn parties(conn: &Connection, wo: &WorkOrder) -> Result<Parties> {
    let customer =
        customers::get_customer(conn, wo.customer_id).map_err(|e| in_job(e, "customers", wo.id))?;
    let site = customers::get_site(conn, wo.site_id).map_err(|e| in_job(e, "sites", wo.id))?;
    let asset = wo
        .asset_id
        .map(|id| assets::get_asset(conn, id))
        .transpose()
        .map_err(|e| in_job(e, "assets", wo.id))?;
    let contract = asset
        .as_ref()
        .and_then(|a| a.contract_id)
        .map(|id| assets::get_contract(conn, id))
        .transpose()
        .map_err(|e| in_job(e, "contracts", wo.id))?;
    let coverage = Coverage::at(
        asset.as_ref(),
        contract.as_ref(),
        wo.window.start.date_naive(),
    );
    Ok(Parties {
        customer,
        site,
        asset,
        contract,
        coverage,
    })
}

column_set! {
    /// The columns of an [`EarlierVisit`] (its id is the work order's).
    struct HistoryColumns { id, number, kind, status, window_start, symptom, error_code }
}

fn history(conn: &Connection, asset_id: Uuid, current: &WorkOrder) -> Result<Vec<EarlierVisit>> {
    let mut visits = rows(
        conn,
        "SELECT id, number, kind, status, window_start, symptom, error_code
         FROM work_orders
         WHERE asset_id = ?1 AND window_start < ?2 AND id <> ?3
         ORDER BY window_start DESC LIMIT ?4",
        (
            asset_id.to_string(),
            format_time(current.window.start),
            current.id.to_string(),
            HISTORY_LIMIT,
        ),
        |r, c: &HistoryColumns| {
            Ok(EarlierVisit {
                work_order_id: columns::uuid(r, c.id)?,
                number: r.get(c.number)?,
                kind: r.get(c.kind)?,
                status: r.get(c.status)?,
                date: columns::time(r, c.window_start)?,
                symptom: r.get(c.symptom)?,
                error_code: r.get(c.error_code)?,
                diagnoses: Vec::new(),
                parts: Vec::new(),
            })
        },
    )?;
    // Two queries for all earlier visits, not two per visit: this is the job screen's hot path.
    let ids: Vec<Uuid> = visits.iter().map(|v| v.work_order_id).collect();
    let diagnoses = findings::diagnoses_of(conn, &ids)?;
    let parts = work::part_lines_of(conn, &ids)?;
    for v in &mut visits {
        let id = v.work_order_id;
        v.diagnoses = diagnoses
            .iter()
            .filter(|d| d.work_order_id == id)
            .cloned()
            .collect();
        v.parts = parts
            .iter()
            .filter(|p| p.work_order_id == id)
            .cloned()
            .collect();
    }
    Ok(visits)
}

/// Most work orders one list call returns.
pub const LIST_MAX: u32 = 500;

/// Which work orders the back office's list shows. Every filter is optional; they combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct WorkOrderFilter {
    /// Only jobs in this status.
    pub status: Option<Status>,
    /// Only jobs assigned to this engineer.
    pub engineer: Option<String>,
    /// Only jobs whose appointment window starts on this (UTC) day.
    pub date: Option<NaiveDate>,
    /// At most this many, earliest appointment first (default and cap [`LIST_MAX`]).
    pub limit: Option<u32>,
}

/// The work orders matching `filter`, earliest appointment first.
pub fn list(conn: &Connection, filter: &WorkOrderFilter) -> Result<Vec<WorkOrder>> {
    let (from, to) = match filter.date {
        Some(day) => {
            let start = day.and_time(NaiveTime::MIN).and_utc();
            (
                Some(format_time(start)),
                Some(format_time(start + Duration::days(1))),
            )
        }
        None => (None, None),
    };
    let limit = filter.limit.unwrap_or(LIST_MAX).min(LIST_MAX);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM work_orders
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR assignee = ?2)
           AND (?3 IS NULL OR (window_start >= ?3 AND window_start < ?4))
         ORDER BY window_start, number LIMIT ?5",
        super::COLUMNS
    ))?;
    let c = super::Columns::of(&stmt)?;
    let rows = stmt.query_map(
        rusqlite::params![
            filter.status.map(Status::as_str),
            filter.engineer,
            from,
            to,
            limit
        ],
        |r| super::from_row(r, &c),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
