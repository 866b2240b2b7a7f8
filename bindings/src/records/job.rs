//! Work orders and the job screens: today's list and the job detail with its history.

use onsite_core::work_orders::queries::{
    EarlierVisit as CoreEarlierVisit, JobDetail as CoreJobDetail, JobSummary as CoreJobSummary,
};
use onsite_core::work_orders::{StatusChange as CoreStatusChange, WorkOrder as CoreWorkOrder};

use super::enums::{Priority, Status, WorkOrderKind};
use super::parties::{Asset, Contract, Coverage, Customer, Site};
use super::visit::{Diagnosis, PartLine};
use super::{all, id, millis, opt_id};

/// A line of the day's job list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct JobSummary {
    /// Work order id.
    pub id: String,
    /// Its number, e.g. `WO-000001`.
    pub number: String,
    /// Job type.
    pub kind: WorkOrderKind,
    /// Urgency.
    pub priority: Priority,
    /// Status.
    pub status: Status,
    /// Appointment window start (epoch ms).
    pub window_start_ms: i64,
    /// Appointment window end (epoch ms).
    pub window_end_ms: i64,
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

impl From<CoreJobSummary> for JobSummary {
    fn from(j: CoreJobSummary) -> Self {
        JobSummary {
            id: id(j.id),
            number: j.number,
            kind: j.kind.into(),
            priority: j.priority.into(),
            status: j.status.into(),
            window_start_ms: millis(j.window_start),
            window_end_ms: millis(j.window_end),
            customer_name: j.customer_name,
            address: j.address,
            asset: j.asset,
            symptom: j.symptom,
            error_code: j.error_code,
        }
    }
}

/// A work order.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkOrder {
    /// Id.
    pub id: String,
    /// The human number.
    pub number: String,
    /// Job type.
    pub kind: WorkOrderKind,
    /// Urgency.
    pub priority: Priority,
    /// Where it stands.
    pub status: Status,
    /// The customer's id.
    pub customer_id: String,
    /// The site's id.
    pub site_id: String,
    /// The asset's id.
    pub asset_id: Option<String>,
    /// What the customer sees.
    pub symptom: String,
    /// The error code on the display.
    pub error_code: Option<String>,
    /// Since when, in the customer's words.
    pub fault_since: Option<String>,
    /// When it happens.
    pub fault_trigger: Option<String>,
    /// Appointment window start (epoch ms).
    pub window_start_ms: i64,
    /// Appointment window end (epoch ms).
    pub window_end_ms: i64,
    /// The engineer it is assigned to.
    pub assignee: Option<String>,
    /// When it was created (epoch ms).
    pub created_at_ms: i64,
    /// The earlier work order this one follows up.
    pub follow_up_of: Option<String>,
}

impl From<CoreWorkOrder> for WorkOrder {
    fn from(w: CoreWorkOrder) -> Self {
        WorkOrder {
            id: id(w.id),
            number: w.number,
            kind: w.kind.into(),
            priority: w.priority.into(),
            status: w.status.into(),
            customer_id: id(w.customer_id),
            site_id: id(w.site_id),
            asset_id: opt_id(w.asset_id),
            symptom: w.fault.symptom,
            error_code: w.fault.error_code,
            fault_since: w.fault.since,
            fault_trigger: w.fault.trigger,
            window_start_ms: millis(w.window.start),
            window_end_ms: millis(w.window.end),
            assignee: w.assignee,
            created_at_ms: millis(w.created_at),
            follow_up_of: opt_id(w.follow_up_of),
        }
    }
}

/// A recorded status change.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StatusChange {
    /// Id.
    pub id: String,
    /// The work order.
    pub work_order_id: String,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Who made it: `engineer` or `dispatcher`.
    pub role: String,
    /// Why.
    pub reason: Option<String>,
    /// When (epoch ms).
    pub at_ms: i64,
}

impl From<CoreStatusChange> for StatusChange {
    fn from(c: CoreStatusChange) -> Self {
        StatusChange {
            id: id(c.id),
            work_order_id: id(c.work_order_id),
            from: c.from.into(),
            to: c.to.into(),
            role: c.role.as_str().to_owned(),
            reason: c.reason,
            at_ms: millis(c.at),
        }
    }
}

/// An earlier visit to the same asset.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EarlierVisit {
    /// The earlier work order's id.
    pub work_order_id: String,
    /// Its number.
    pub number: String,
    /// Its type.
    pub kind: WorkOrderKind,
    /// Its status.
    pub status: Status,
    /// Its appointment start (epoch ms).
    pub date_ms: i64,
    /// Its reported symptom.
    pub symptom: String,
    /// Its reported error code.
    pub error_code: Option<String>,
    /// What was found.
    pub diagnoses: Vec<Diagnosis>,
    /// What was fitted and removed.
    pub parts: Vec<PartLine>,
}

impl From<CoreEarlierVisit> for EarlierVisit {
    fn from(v: CoreEarlierVisit) -> Self {
        EarlierVisit {
            work_order_id: id(v.work_order_id),
            number: v.number,
            kind: v.kind.into(),
            status: v.status.into(),
            date_ms: millis(v.date),
            symptom: v.symptom,
            error_code: v.error_code,
            diagnoses: all(v.diagnoses),
            parts: all(v.parts),
        }
    }
}

/// Everything the job screen shows.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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
    /// Coverage at the visit date.
    pub coverage: Coverage,
    /// Earlier visits to this asset, newest first.
    pub history: Vec<EarlierVisit>,
    /// Where the engineer may move the job from here.
    pub next_statuses: Vec<Status>,
}

impl From<CoreJobDetail> for JobDetail {
    fn from(d: CoreJobDetail) -> Self {
        JobDetail {
            work_order: d.work_order.into(),
            customer: d.customer.into(),
            site: d.site.into(),
            asset: d.asset.map(Into::into),
            contract: d.contract.map(Into::into),
            coverage: d.coverage.into(),
            history: all(d.history),
            next_statuses: all(d.next_statuses),
        }
    }
}
