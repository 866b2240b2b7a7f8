//! The service report as the customer signs it, its hash and its signature state.

use onsite_core::report::{
    ReportAsset as CoreReportAsset, ReportCheck as CoreReportCheck,
    ReportFinding as CoreReportFinding, ReportMeasurement as CoreReportMeasurement,
    ReportNote as CoreReportNote, ReportPart as CoreReportPart, ReportTest as CoreReportTest,
    ReportTime as CoreReportTime, ReportView as CoreReportView, ServiceReport as CoreServiceReport,
    Signature as CoreSignature,
};

use super::charges::ChargeLine;
use super::enums::{Billing, Outcome, PartDirection, TimeKind, WorkOrderKind};
use super::parties::Coverage;
use super::{all, date, id};

/// Declares an FFI record that copies a core record field by field (every field converted with
/// `Into`).
macro_rules! report_record {
    (
        $(#[$meta:meta])*
        $name:ident <= $core:ty { $( $(#[$fmeta:meta])* $field:ident: $ty:ty, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, uniffi::Record)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                $name { $( $field: v.$field.into(), )+ }
            }
        }
    };
}

report_record! {
    /// The asset, as the report shows it.
    ReportAsset <= CoreReportAsset {
        /// Category.
        category: String,
        /// Brand.
        brand: String,
        /// Model.
        model: String,
        /// Serial number.
        serial: String,
        /// Firmware.
        firmware: Option<String>,
    }
}

report_record! {
    /// A finding.
    ReportFinding <= CoreReportFinding {
        /// Symptom.
        symptom: String,
        /// Cause.
        cause: String,
        /// Error codes.
        error_codes: Vec<String>,
    }
}

report_record! {
    /// A measurement.
    ReportMeasurement <= CoreReportMeasurement {
        /// What was measured.
        name: String,
        /// The value.
        value: f64,
        /// Its unit.
        unit: String,
    }
}

/// A checklist item and its result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportCheck {
    /// The item's label.
    pub item: String,
    /// Its result, if any.
    pub result: Option<Outcome>,
    /// A note.
    pub note: Option<String>,
}

impl From<CoreReportCheck> for ReportCheck {
    fn from(c: CoreReportCheck) -> Self {
        ReportCheck {
            item: c.item,
            result: c.result.map(Into::into),
            note: c.note,
        }
    }
}

report_record! {
    /// A part fitted or taken out.
    ReportPart <= CoreReportPart {
        /// Installed or removed.
        direction: PartDirection,
        /// Part number.
        part_number: String,
        /// What the part is.
        description: String,
        /// How many.
        quantity: i64,
        /// Serial fitted.
        serial_in: Option<String>,
        /// Serial taken out.
        serial_out: Option<String>,
        /// Who pays.
        billing: Billing,
    }
}

report_record! {
    /// Time spent (times as the report prints them).
    ReportTime <= CoreReportTime {
        /// Travel or on site.
        kind: TimeKind,
        /// Start.
        started_at: String,
        /// End.
        ended_at: String,
        /// Whole minutes.
        minutes: i64,
    }
}

report_record! {
    /// The function test.
    ReportTest <= CoreReportTest {
        /// Whether it passed.
        passed: bool,
        /// What was tested.
        notes: String,
        /// When, as the report prints it.
        tested_at: String,
    }
}

report_record! {
    /// A note.
    ReportNote <= CoreReportNote {
        /// When, as the report prints it.
        at: String,
        /// The text.
        body: String,
    }
}

/// The canonical service report.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ServiceReport {
    /// Format number of the canonical form.
    pub format: u32,
    /// The work order's id.
    pub work_order_id: String,
    /// Its number.
    pub number: String,
    /// Job type.
    pub kind: WorkOrderKind,
    /// Visit date (`YYYY-MM-DD`).
    pub visit_date: String,
    /// Customer name.
    pub customer: String,
    /// Address.
    pub address: String,
    /// The asset.
    pub asset: Option<ReportAsset>,
    /// What pays.
    pub coverage: Coverage,
    /// Reported symptom.
    pub reported_symptom: String,
    /// Reported error code.
    pub reported_error_code: Option<String>,
    /// Findings.
    pub findings: Vec<ReportFinding>,
    /// Measurements.
    pub measurements: Vec<ReportMeasurement>,
    /// Checklist.
    pub checklist: Vec<ReportCheck>,
    /// Parts.
    pub parts: Vec<ReportPart>,
    /// Charges.
    pub charges: Vec<ChargeLine>,
    /// Total, in cents.
    pub total_cents: i64,
    /// Who approved the charges.
    pub charges_approved_by: Option<String>,
    /// Time spent.
    pub times: Vec<ReportTime>,
    /// The function test.
    pub function_test: Option<ReportTest>,
    /// Notes.
    pub notes: Vec<ReportNote>,
}

impl From<CoreServiceReport> for ServiceReport {
    fn from(r: CoreServiceReport) -> Self {
        ServiceReport {
            format: r.format,
            work_order_id: id(r.work_order_id),
            number: r.number,
            kind: r.kind.into(),
            visit_date: date(r.visit_date),
            customer: r.customer,
            address: r.address,
            asset: r.asset.map(Into::into),
            coverage: r.coverage.into(),
            reported_symptom: r.reported_symptom,
            reported_error_code: r.reported_error_code,
            findings: all(r.findings),
            measurements: all(r.measurements),
            checklist: all(r.checklist),
            parts: all(r.parts),
            charges: all(r.charges),
            total_cents: r.total_cents,
            charges_approved_by: r.charges_approved_by,
            times: all(r.times),
            function_test: r.function_test.map(Into::into),
            notes: all(r.notes),
        }
    }
}

/// Whether the report still matches the customer's signature.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Signature {
    /// Nobody signed yet.
    Unsigned,
    /// Signed, and unchanged since.
    Signed {
        /// Who signed.
        signer_name: String,
        /// When (as stored).
        signed_at: String,
    },
    /// Signed, but the report changed since.
    ChangedAfterSigning {
        /// Who signed.
        signer_name: String,
        /// When (as stored).
        signed_at: String,
        /// The hash they signed.
        signed_sha256: String,
    },
}

impl From<CoreSignature> for Signature {
    fn from(s: CoreSignature) -> Self {
        match s {
            CoreSignature::Unsigned => Signature::Unsigned,
            CoreSignature::Signed {
                signer_name,
                signed_at,
            } => Signature::Signed {
                signer_name,
                signed_at,
            },
            CoreSignature::ChangedAfterSigning {
                signer_name,
                signed_at,
                signed_sha256,
            } => Signature::ChangedAfterSigning {
                signer_name,
                signed_at,
                signed_sha256,
            },
        }
    }
}

/// The report with its hash and signature state: what the report screen shows.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportView {
    /// The report.
    pub report: ServiceReport,
    /// SHA-256 (hex) of its canonical form.
    pub sha256: String,
    /// Signature state.
    pub signature: Signature,
}

impl From<CoreReportView> for ReportView {
    fn from(v: CoreReportView) -> Self {
        ReportView {
            report: v.report.into(),
            sha256: v.sha256,
            signature: v.signature.into(),
        }
    }
}
