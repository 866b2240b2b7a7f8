//! The visit's own records: findings (diagnosis, measurements, checklist, notes, function
//! test), work (time, parts) and the whole visit record.

use onsite_core::visit::VisitRecord as CoreVisitRecord;
use onsite_core::visit::checklist::{
    ChecklistLine as CoreChecklistLine, ChecklistResult as CoreChecklistResult,
};
use onsite_core::visit::findings::{
    Diagnosis as CoreDiagnosis, FunctionTest as CoreFunctionTest, Measurement as CoreMeasurement,
    NewDiagnosis as CoreNewDiagnosis, Note as CoreNote,
};
use onsite_core::visit::work::{
    NewPartLine as CoreNewPartLine, PartLine as CorePartLine, TimeEntry as CoreTimeEntry,
};

use super::charges::{Charges, QuoteDecision, QuoteLine};
use super::enums::{Billing, Outcome, PartDirection, TimeKind};
use super::job::{StatusChange, WorkOrder};
use super::signoff::SignOff;
use super::{all, id, millis};

/// A diagnosis entry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Diagnosis {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// What the engineer observed.
    pub symptom: String,
    /// What causes it.
    pub cause: String,
    /// Error codes read from the appliance.
    pub error_codes: Vec<String>,
    /// When (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CoreDiagnosis> for Diagnosis {
    fn from(d: CoreDiagnosis) -> Self {
        Diagnosis {
            id: id(d.id),
            work_order_id: id(d.work_order_id),
            symptom: d.symptom,
            cause: d.cause,
            error_codes: d.error_codes,
            recorded_at_ms: millis(d.recorded_at),
        }
    }
}

/// A diagnosis to record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewDiagnosis {
    /// What the engineer observed.
    pub symptom: String,
    /// What causes it.
    pub cause: String,
    /// Error codes read from the appliance (may be empty).
    pub error_codes: Vec<String>,
}

impl From<NewDiagnosis> for CoreNewDiagnosis {
    fn from(d: NewDiagnosis) -> Self {
        CoreNewDiagnosis {
            symptom: d.symptom,
            cause: d.cause,
            error_codes: d.error_codes,
        }
    }
}

/// A measured value.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Measurement {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// What was measured.
    pub name: String,
    /// The value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// When (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CoreMeasurement> for Measurement {
    fn from(m: CoreMeasurement) -> Self {
        Measurement {
            id: id(m.id),
            work_order_id: id(m.work_order_id),
            name: m.name,
            value: m.value,
            unit: m.unit,
            recorded_at_ms: millis(m.recorded_at),
        }
    }
}

/// A recorded checklist result (the latest of an item counts).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistResult {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// The item's key.
    pub item_key: String,
    /// The result.
    pub result: Outcome,
    /// A note.
    pub note: Option<String>,
    /// When (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CoreChecklistResult> for ChecklistResult {
    fn from(r: CoreChecklistResult) -> Self {
        ChecklistResult {
            id: id(r.id),
            work_order_id: id(r.work_order_id),
            item_key: r.item_key,
            result: r.result.into(),
            note: r.note,
            recorded_at_ms: millis(r.recorded_at),
        }
    }
}

/// An item of the job type's checklist with its latest result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistLine {
    /// Stable key, to record a result with.
    pub key: String,
    /// What to check.
    pub label: String,
    /// Completion needs this item done.
    pub required: bool,
    /// Its latest result.
    pub result: Option<ChecklistResult>,
}

impl From<CoreChecklistLine> for ChecklistLine {
    fn from(l: CoreChecklistLine) -> Self {
        ChecklistLine {
            key: l.item.key.to_owned(),
            label: l.item.label.to_owned(),
            required: l.item.required,
            result: l.result.map(Into::into),
        }
    }
}

/// A note (append-only).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Note {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// The text.
    pub body: String,
    /// When (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CoreNote> for Note {
    fn from(n: CoreNote) -> Self {
        Note {
            id: id(n.id),
            work_order_id: id(n.work_order_id),
            body: n.body,
            recorded_at_ms: millis(n.recorded_at),
        }
    }
}

/// A function test.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FunctionTest {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was tested and seen.
    pub notes: String,
    /// When (epoch ms).
    pub tested_at_ms: i64,
}

impl From<CoreFunctionTest> for FunctionTest {
    fn from(t: CoreFunctionTest) -> Self {
        FunctionTest {
            id: id(t.id),
            work_order_id: id(t.work_order_id),
            passed: t.passed,
            notes: t.notes,
            tested_at_ms: millis(t.tested_at),
        }
    }
}

/// Time spent.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TimeEntry {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// Travel or on site.
    pub kind: TimeKind,
    /// Start (epoch ms).
    pub started_at_ms: i64,
    /// End (epoch ms).
    pub ended_at_ms: i64,
    /// Whole minutes, rounded down.
    pub minutes: i64,
    /// When recorded (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CoreTimeEntry> for TimeEntry {
    fn from(t: CoreTimeEntry) -> Self {
        TimeEntry {
            minutes: t.minutes(),
            id: id(t.id),
            work_order_id: id(t.work_order_id),
            kind: t.kind.into(),
            started_at_ms: millis(t.started_at),
            ended_at_ms: millis(t.ended_at),
            recorded_at_ms: millis(t.recorded_at),
        }
    }
}

/// A part fitted or taken out.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PartLine {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// Installed or removed.
    pub direction: PartDirection,
    /// Part number.
    pub part_number: String,
    /// What the part is.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Serial of the part fitted.
    pub serial_in: Option<String>,
    /// Serial of the part taken out.
    pub serial_out: Option<String>,
    /// Who pays.
    pub billing: Billing,
    /// Price per unit, in cents.
    pub unit_price_cents: i64,
    /// When (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CorePartLine> for PartLine {
    fn from(p: CorePartLine) -> Self {
        PartLine {
            id: id(p.id),
            work_order_id: id(p.work_order_id),
            direction: p.direction.into(),
            part_number: p.part_number,
            description: p.description,
            quantity: p.quantity,
            serial_in: p.serial_in,
            serial_out: p.serial_out,
            billing: p.billing.into(),
            unit_price_cents: p.unit_price_cents,
            recorded_at_ms: millis(p.recorded_at),
        }
    }
}

/// A part line to record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewPartLine {
    /// Installed or removed.
    pub direction: PartDirection,
    /// Part number.
    pub part_number: String,
    /// What the part is.
    pub description: String,
    /// How many (at least 1).
    pub quantity: i64,
    /// Serial of the part fitted.
    pub serial_in: Option<String>,
    /// Serial of the part taken out.
    pub serial_out: Option<String>,
    /// Who pays.
    pub billing: Billing,
    /// Price per unit, in cents.
    pub unit_price_cents: i64,
}

impl From<NewPartLine> for CoreNewPartLine {
    fn from(p: NewPartLine) -> Self {
        CoreNewPartLine {
            direction: p.direction.into(),
            part_number: p.part_number,
            description: p.description,
            quantity: p.quantity,
            serial_in: p.serial_in,
            serial_out: p.serial_out,
            billing: p.billing.into(),
            unit_price_cents: p.unit_price_cents,
        }
    }
}

/// Everything recorded for a visit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitRecord {
    /// The work order.
    pub work_order: WorkOrder,
    /// Status history, oldest first.
    pub status_changes: Vec<StatusChange>,
    /// Diagnosis entries, oldest first.
    pub diagnoses: Vec<Diagnosis>,
    /// Measurements, oldest first.
    pub measurements: Vec<Measurement>,
    /// The checklist with the latest result of each item.
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

impl From<CoreVisitRecord> for VisitRecord {
    fn from(v: CoreVisitRecord) -> Self {
        VisitRecord {
            work_order: v.work_order.into(),
            status_changes: all(v.status_changes),
            diagnoses: all(v.diagnoses),
            measurements: all(v.measurements),
            checklist: all(v.checklist),
            notes: all(v.notes),
            time_entries: all(v.time_entries),
            parts: all(v.parts),
            quote_lines: all(v.quote_lines),
            quote_decisions: all(v.quote_decisions),
            charges: v.charges.into(),
            function_test: v.function_test.map(Into::into),
            sign_off: v.sign_off.map(Into::into),
        }
    }
}
