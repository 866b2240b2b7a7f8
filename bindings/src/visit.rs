//! The visit: diagnosis, measurements, checklist, notes, time, parts, quote and approval,
//! function test, sign-off, completion and the service report. Each action is one transaction
//! in the core: when the call returns, it is on disk and queued for sync.

use onsite_core::report::ReportView;
use onsite_core::validate::{parse_epoch_ms, parse_id};
use onsite_core::visit::VisitRecord;
use onsite_core::visit::charges::{QuoteDecision, QuoteLine};
use onsite_core::visit::checklist::{ChecklistResult, Outcome};
use onsite_core::visit::findings::{Diagnosis, FunctionTest, Measurement, NewDiagnosis, Note};
use onsite_core::visit::signoff::{SignOff, Stroke};
use onsite_core::visit::work::{NewPartLine, PartLine, TimeEntry, TimeKind};
use onsite_core::work_orders::StatusChange;
use onsite_core::work_orders::status::{Role, Status};

use crate::error::{ApiError, Missing};
use crate::store::OnsiteStore;

fn job(work_order_id: &str) -> Result<uuid::Uuid, ApiError> {
    Ok(parse_id("work_order_id", work_order_id)?)
}

#[uniffi::export]
impl OnsiteStore {
    /// Records a diagnosis entry.
    pub fn add_diagnosis(
        &self,
        work_order_id: String,
        diagnosis: NewDiagnosis,
    ) -> Result<Diagnosis, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.add_diagnosis(id, diagnosis)?)
    }

    /// Records a measurement (`value` must be finite).
    pub fn add_measurement(
        &self,
        work_order_id: String,
        name: String,
        value: f64,
        unit: String,
    ) -> Result<Measurement, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.add_measurement(id, name, value, unit)?)
    }

    /// Records the result of the checklist item `item_key` (the keys are in
    /// `visit_record(..).checklist`).
    pub fn record_checklist_result(
        &self,
        work_order_id: String,
        item_key: String,
        result: Outcome,
        note: Option<String>,
    ) -> Result<ChecklistResult, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self
            .store
            .record_checklist_result(id, &item_key, result, note)?)
    }

    /// Appends a note.
    pub fn add_note(&self, work_order_id: String, body: String) -> Result<Note, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.add_note(id, body)?)
    }

    /// Records time spent, from `started_at_ms` to `ended_at_ms` (epoch milliseconds).
    pub fn add_time_entry(
        &self,
        work_order_id: String,
        kind: TimeKind,
        started_at_ms: i64,
        ended_at_ms: i64,
    ) -> Result<TimeEntry, ApiError> {
        let id = job(&work_order_id)?;
        let started = parse_epoch_ms("started_at_ms", started_at_ms)?;
        let ended = parse_epoch_ms("ended_at_ms", ended_at_ms)?;
        Ok(self.store.add_time_entry(id, kind, started, ended)?)
    }

    /// Records a part installed or removed.
    pub fn add_part_line(
        &self,
        work_order_id: String,
        part: NewPartLine,
    ) -> Result<PartLine, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.add_part_line(id, part)?)
    }

    /// Adds a line to the quote.
    pub fn add_quote_line(
        &self,
        work_order_id: String,
        description: String,
        quantity: i64,
        unit_price_cents: i64,
    ) -> Result<QuoteLine, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self
            .store
            .add_quote_line(id, description, quantity, unit_price_cents)?)
    }

    /// Records the customer's approval (or refusal) of the charges as they stand now.
    pub fn decide_quote(
        &self,
        work_order_id: String,
        approved: bool,
        signer_name: String,
    ) -> Result<QuoteDecision, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.decide_quote(id, approved, signer_name)?)
    }

    /// Records the function test.
    pub fn record_function_test(
        &self,
        work_order_id: String,
        passed: bool,
        notes: String,
    ) -> Result<FunctionTest, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.record_function_test(id, passed, notes)?)
    }

    /// Captures the customer's signature on the service report as it stands now.
    pub fn sign_off(
        &self,
        work_order_id: String,
        signer_name: String,
        strokes: Vec<Stroke>,
    ) -> Result<SignOff, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.sign_off(id, signer_name, strokes)?)
    }

    /// What still stands between the job and its completion (empty when it can complete).
    pub fn missing_for_completion(&self, work_order_id: String) -> Result<Vec<Missing>, ApiError> {
        let id = job(&work_order_id)?;
        Ok(Missing::all(self.store.missing_for_completion(id)?))
    }

    /// Completes the job (the same as `set_status(.., Completed, null)`). Refused with
    /// `IncompleteCompletion`, listing everything missing, until the completion rules hold.
    pub fn complete(&self, work_order_id: String) -> Result<StatusChange, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self
            .store
            .set_status(id, Status::Completed, Role::Engineer, None)?)
    }

    /// Everything recorded for the visit.
    pub fn visit_record(&self, work_order_id: String) -> Result<VisitRecord, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.visit_record(id)?)
    }

    /// The service report, its SHA-256 and whether it still matches the signature.
    pub fn service_report(&self, work_order_id: String) -> Result<ReportView, ApiError> {
        let id = job(&work_order_id)?;
        Ok(self.store.service_report(id)?)
    }
}
