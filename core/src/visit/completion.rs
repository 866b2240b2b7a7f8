//! The completion rules, in one place for the phone and the server: required checklist items
//! done, a passing function test, chargeable work approved by the customer, and a signature on
//! the report as it stands. A refusal lists everything that is missing, not just the first.

use std::fmt;

use rusqlite::Connection;
use serde::Serialize;

use super::charges::Approval;
use crate::error::{Error, Result};
use crate::report;
use crate::work_orders::WorkOrder;

/// One thing that stands between a job and its completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MissingItem {
    /// A required checklist item has no result yet.
    ChecklistItem {
        /// Its key.
        key: String,
        /// Its label.
        label: String,
    },
    /// A required checklist item failed.
    ChecklistItemFailed {
        /// Its key.
        key: String,
        /// Its label.
        label: String,
    },
    /// No function test recorded.
    FunctionTest,
    /// The latest function test failed.
    FunctionTestFailed,
    /// Chargeable work that the customer has not approved.
    CustomerApproval {
        /// What they would pay, in cents.
        total_cents: i64,
    },
    /// The customer declined the charges.
    QuoteDeclined,
    /// The charges changed after the customer approved them.
    ApprovalOutdated {
        /// The total approved, in cents.
        approved_total_cents: i64,
        /// The total now, in cents.
        total_cents: i64,
    },
    /// No signature yet.
    Signature,
    /// The report changed after the customer signed it.
    ChangedAfterSigning,
}

impl fmt::Display for MissingItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MissingItem::ChecklistItem { label, .. } => {
                write!(f, "checklist item not done: {label}")
            }
            MissingItem::ChecklistItemFailed { label, .. } => {
                write!(f, "checklist item failed: {label}")
            }
            MissingItem::FunctionTest => f.write_str("no function test recorded"),
            MissingItem::FunctionTestFailed => f.write_str("the function test failed"),
            MissingItem::CustomerApproval { total_cents } => write!(
                f,
                "the customer has not approved the charges ({})",
                crate::report::money(*total_cents)
            ),
            MissingItem::QuoteDeclined => f.write_str("the customer declined the charges"),
            MissingItem::ApprovalOutdated {
                approved_total_cents,
                total_cents,
            } => write!(
                f,
                "the charges changed after approval ({} approved, {} now)",
                crate::report::money(*approved_total_cents),
                crate::report::money(*total_cents)
            ),
            MissingItem::Signature => f.write_str("the customer has not signed the report"),
            MissingItem::ChangedAfterSigning => {
                f.write_str("the report changed after the customer signed it: sign again")
            }
        }
    }
}

/// Everything still missing before `wo` can complete (empty when it can).
pub fn missing(conn: &Connection, wo: &WorkOrder) -> Result<Vec<MissingItem>> {
    // One load of the visit serves every rule and the report hash.
    let visit = super::record(conn, wo.id)?;
    let mut missing = Vec::new();
    for line in &visit.checklist {
        if !line.item.required {
            continue;
        }
        let (key, label) = (line.item.key.clone(), line.item.label.clone());
        match line.result.as_ref().map(|r| r.result) {
            None => missing.push(MissingItem::ChecklistItem { key, label }),
            Some(outcome) if !outcome.is_done() => {
                missing.push(MissingItem::ChecklistItemFailed { key, label })
            }
            Some(_) => {}
        }
    }
    match &visit.function_test {
        None => missing.push(MissingItem::FunctionTest),
        Some(t) if !t.passed => missing.push(MissingItem::FunctionTestFailed),
        Some(_) => {}
    }
    let total_cents = visit.charges.total_cents;
    match &visit.charges.approval {
        Approval::NotNeeded | Approval::Approved { .. } => {}
        Approval::Pending => missing.push(MissingItem::CustomerApproval { total_cents }),
        Approval::Declined { .. } => missing.push(MissingItem::QuoteDeclined),
        Approval::Outdated {
            approved_total_cents,
        } => missing.push(MissingItem::ApprovalOutdated {
            approved_total_cents: *approved_total_cents,
            total_cents,
        }),
    }
    match visit.sign_off.clone() {
        None => missing.push(MissingItem::Signature),
        Some(s) => {
            let now = report::from_record(conn, visit)?;
            // The office correcting the appliance or moving the appointment does not void the
            // signature; any other change to the report does.
            let unchanged = match s.signed_report()? {
                Some(signed) => signed.content_sha256()? == now.content_sha256()?,
                None => s.report_sha256 == now.sha256()?,
            };
            if !unchanged {
                missing.push(MissingItem::ChangedAfterSigning);
            }
        }
    }
    Ok(missing)
}

/// `Ok` when `wo` may complete; otherwise [`Error::CompletionRefused`] with every missing item.
pub fn ensure_complete(conn: &Connection, wo: &WorkOrder) -> Result<()> {
    let missing = missing(conn, wo)?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::CompletionRefused { missing })
    }
}
