//! The job list and the job screen, and moving a job through its states. Status changes are
//! made as the engineer (this API is the engineer's app); the core's status machine decides.

use onsite_core::validate::{parse_date, parse_id};
use onsite_core::work_orders::queries::{DayList, JobDetail, JobSummary};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::work_orders::{StatusChange, WorkOrder};

use crate::error::ApiError;
use crate::store::OnsiteStore;

#[uniffi::export]
impl OnsiteStore {
    /// Today's jobs (by the store's clock) in the time zone `utc_offset_minutes` east of UTC,
    /// in appointment order.
    pub fn todays_jobs(&self, utc_offset_minutes: i32) -> Result<Vec<JobSummary>, ApiError> {
        Ok(self.store.todays_jobs(utc_offset_minutes)?)
    }

    /// Today's list with the jobs whose stored row cannot be read named apart (the other jobs
    /// still list).
    pub fn todays_list(&self, utc_offset_minutes: i32) -> Result<DayList, ApiError> {
        Ok(self.store.todays_list(utc_offset_minutes)?)
    }

    /// The jobs whose appointment touches `day` (`YYYY-MM-DD`) in the time zone
    /// `utc_offset_minutes` east of UTC.
    pub fn jobs_for_day(
        &self,
        day: String,
        utc_offset_minutes: i32,
    ) -> Result<Vec<JobSummary>, ApiError> {
        let day = parse_date("day", &day)?;
        Ok(self.store.jobs_for_day(day, utc_offset_minutes)?)
    }

    /// The work order with this id or number (e.g. `WO-000001`).
    pub fn find_work_order(&self, id_or_number: String) -> Result<WorkOrder, ApiError> {
        Ok(self.store.find_work_order(&id_or_number)?)
    }

    /// The job screen: work order, customer, site, asset, coverage, history, and the statuses
    /// the engineer may move it to.
    pub fn job_detail(&self, work_order_id: String) -> Result<JobDetail, ApiError> {
        let id = parse_id("work_order_id", &work_order_id)?;
        Ok(self.store.job_detail(id)?)
    }

    /// Moves the job to `to` as the engineer. `reason` is required for `Incomplete`. A change
    /// the status machine does not allow is `NotAllowed`; completing a job that is not ready
    /// is `IncompleteCompletion` with everything missing.
    pub fn set_status(
        &self,
        work_order_id: String,
        to: Status,
        reason: Option<String>,
    ) -> Result<StatusChange, ApiError> {
        let id = parse_id("work_order_id", &work_order_id)?;
        Ok(self.store.set_status(id, to, Role::Engineer, reason)?)
    }
}
