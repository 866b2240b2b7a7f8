//! The service report: a canonical, deterministic serialization of a visit (what was found,
//! what was done, parts, charges, times, test result) and its SHA-256.
//!
//! The report has its own types rather than reusing the domain rows, and a format number: a new
//! field on a domain row must not change the bytes of reports already signed. Same visit, same
//! bytes, on every device and on the server: fields in a fixed order, lists in a fixed order,
//! times in one text form, money in integer cents.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::assets::Coverage;
use crate::clock::format_time;
use crate::error::Result;
use crate::visit::charges::{Approval, ChargeLine};
use crate::visit::checklist::Outcome;
use crate::visit::work::{Billing, PartDirection, TimeKind};
use crate::visit::{self, VisitRecord};
use crate::work_orders::{WorkOrderKind, queries};

/// The version of the report's canonical form. Bump it only with a new set of types.
pub const REPORT_FORMAT: u32 = 1;

/// The canonical service report of one visit.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceReport {
    /// [`REPORT_FORMAT`].
    pub format: u32,
    /// The work order's id.
    pub work_order_id: Uuid,
    /// Its number.
    pub number: String,
    /// Repair, installation, maintenance or inspection.
    pub kind: WorkOrderKind,
    /// The date of the visit (appointment day, UTC).
    pub visit_date: NaiveDate,
    /// The customer's name.
    pub customer: String,
    /// The site's address.
    pub address: String,
    /// The appliance or lock.
    pub asset: Option<ReportAsset>,
    /// What pays for the visit.
    pub coverage: Coverage,
    /// The fault as reported.
    pub reported_symptom: String,
    /// The error code as reported.
    pub reported_error_code: Option<String>,
    /// What was found.
    pub findings: Vec<ReportFinding>,
    /// What was measured.
    pub measurements: Vec<ReportMeasurement>,
    /// The checklist.
    pub checklist: Vec<ReportCheck>,
    /// Parts in and out.
    pub parts: Vec<ReportPart>,
    /// What the customer pays.
    pub charges: Vec<ChargeLine>,
    /// Sum of the charges, in cents.
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

/// The asset as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportAsset {
    /// Product category.
    pub category: String,
    /// Brand.
    pub brand: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Firmware.
    pub firmware: Option<String>,
}

/// A diagnosis line.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportFinding {
    /// Observed.
    pub symptom: String,
    /// Cause.
    pub cause: String,
    /// Error codes.
    pub error_codes: Vec<String>,
}

/// A measurement line.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportMeasurement {
    /// What.
    pub name: String,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: String,
}

/// A checklist line. It names the item by its stable key, not its label: rewording a label in
/// an app update must not turn signed reports into "changed after signing".
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCheck {
    /// Item key.
    pub item: String,
    /// Latest result.
    pub result: Option<Outcome>,
    /// Remark.
    pub note: Option<String>,
}

/// A part line.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportPart {
    /// In or out.
    pub direction: PartDirection,
    /// Part number.
    pub part_number: String,
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: i64,
    /// Serial in.
    pub serial_in: Option<String>,
    /// Serial out.
    pub serial_out: Option<String>,
    /// Who pays.
    pub billing: Billing,
}

/// A time line.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTime {
    /// Travel or on site.
    pub kind: TimeKind,
    /// Start.
    pub started_at: String,
    /// End.
    pub ended_at: String,
    /// Whole minutes.
    pub minutes: i64,
}

/// The function test.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTest {
    /// Passed.
    pub passed: bool,
    /// What was tested.
    pub notes: String,
    /// When.
    pub tested_at: String,
}

/// A note.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportNote {
    /// When.
    pub at: String,
    /// Text.
    pub body: String,
}

impl ServiceReport {
    /// The canonical bytes: compact JSON, fields in declaration order.
    pub fn canonical_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// SHA-256 (hex) of the canonical bytes.
    pub fn sha256(&self) -> Result<String> {
        Ok(sha256_hex(&self.canonical_json()?))
    }

    /// SHA-256 (hex) of what a signature binds: the whole report except the fields the office
    /// may edit while the engineer is offline (see [`crate::edits::FIELDS`]: the appointment,
    /// hence the visit date; the appliance's model, serial and firmware; the reported error
    /// code). Two reports with the same content hash describe the same visit for the same
    /// customer; a signature stays valid while this hash does.
    pub fn content_sha256(&self) -> Result<String> {
        let mut fixed = self.clone();
        fixed.visit_date = NaiveDate::MIN;
        fixed.reported_error_code = None;
        if let Some(asset) = &mut fixed.asset {
            asset.model.clear();
            asset.serial.clear();
            asset.firmware = None;
        }
        fixed.sha256()
    }
}

/// SHA-256 (hex) of some text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text))
}

/// Builds the report of a work order from what is stored now.
pub fn build(conn: &Connection, work_order_id: Uuid) -> Result<ServiceReport> {
    let v = visit::record(conn, work_order_id)?;
    from_record(conn, v)
}

/// Builds the report from a visit record already loaded.
pub fn from_record(conn: &Connection, v: VisitRecord) -> Result<ServiceReport> {
    let wo = &v.work_order;
    let parties = queries::parties(conn, wo)?;
    Ok(ServiceReport {
        format: REPORT_FORMAT,
        work_order_id: wo.id,
        number: wo.number.clone(),
        kind: wo.kind,
        visit_date: wo.window.start.date_naive(),
        customer: parties.customer.name,
        address: parties.site.address,
        coverage: parties.coverage,
        asset: parties.asset.map(|a| ReportAsset {
            category: a.category,
            brand: a.brand,
            model: a.model,
            serial: a.serial,
            firmware: a.firmware,
        }),
        reported_symptom: wo.fault.symptom.clone(),
        reported_error_code: wo.fault.error_code.clone(),
        findings: v
            .diagnoses
            .into_iter()
            .map(|d| ReportFinding {
                symptom: d.symptom,
                cause: d.cause,
                error_codes: d.error_codes,
            })
            .collect(),
        measurements: v
            .measurements
            .into_iter()
            .map(|m| ReportMeasurement {
                name: m.name,
                value: m.value,
                unit: m.unit,
            })
            .collect(),
        checklist: v
            .checklist
            .into_iter()
            .map(|l| ReportCheck {
                item: l.item.key,
                note: l.result.as_ref().and_then(|r| r.note.clone()),
                result: l.result.map(|r| r.result),
            })
            .collect(),
        parts: v
            .parts
            .into_iter()
            .map(|p| ReportPart {
                direction: p.direction,
                part_number: p.part_number,
                description: p.description,
                quantity: p.quantity,
                serial_in: p.serial_in,
                serial_out: p.serial_out,
                billing: p.billing,
            })
            .collect(),
        total_cents: v.charges.total_cents,
        charges_approved_by: match v.charges.approval {
            Approval::Approved { by } => Some(by),
            _ => None,
        },
        charges: v.charges.lines,
        times: v
            .time_entries
            .iter()
            .map(|t| ReportTime {
                kind: t.kind,
                started_at: format_time(t.started_at),
                ended_at: format_time(t.ended_at),
                minutes: t.minutes(),
            })
            .collect(),
        function_test: v.function_test.map(|t| ReportTest {
            passed: t.passed,
            notes: t.notes,
            tested_at: format_time(t.tested_at),
        }),
        notes: v
            .notes
            .into_iter()
            .map(|n| ReportNote {
                at: format_time(n.recorded_at),
                body: n.body,
            })
            .collect(),
    })
}

/// Whether the stored report still matches the customer's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Signature {
    /// Nobody signed yet.
    Unsigned,
    /// Signed, and the report is unchanged since.
    Signed {
        /// Who signed.
        signer_name: String,
        /// When (stored text form).
        signed_at: String,
    },
    /// Signed, but the report has changed since: shown as "changed after signing".
    ChangedAfterSigning {
        /// Who signed.
        signer_name: String,
        /// When (stored text form).
        signed_at: String,
        /// The hash they signed.
        signed_sha256: String,
    },
}

/// A report with its hash and its signature state: what the report screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    /// The report.
    pub report: ServiceReport,
    /// SHA-256 (hex) of its canonical form.
    pub sha256: String,
    /// Signature state.
    pub signature: Signature,
}

/// The report of a work order, its hash, and whether it still matches the signature. A signed
/// report is shown exactly as signed while its content (all but the office-editable fields) is
/// unchanged; once that changed, the current report is shown, marked "changed after signing".
pub fn view(conn: &Connection, work_order_id: Uuid) -> Result<ReportView> {
    let v = visit::record(conn, work_order_id)?;
    let sign_off = v.sign_off.clone();
    let report = from_record(conn, v)?;
    let sha256 = report.sha256()?;
    let Some(s) = sign_off else {
        return Ok(ReportView {
            report,
            sha256,
            signature: Signature::Unsigned,
        });
    };
    let signed = s.signed_report()?;
    let still_valid = match &signed {
        Some(signed) => signed.content_sha256()? == report.content_sha256()?,
        None => s.report_sha256 == sha256,
    };
    if !still_valid {
        return Ok(ReportView {
            report,
            sha256,
            signature: Signature::ChangedAfterSigning {
                signer_name: s.signer_name,
                signed_at: format_time(s.signed_at),
                signed_sha256: s.report_sha256,
            },
        });
    }
    Ok(ReportView {
        report: signed.unwrap_or(report),
        sha256: s.report_sha256,
        signature: Signature::Signed {
            signer_name: s.signer_name,
            signed_at: format_time(s.signed_at),
        },
    })
}

/// Cents as a plain decimal amount ("1234.50").
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}
