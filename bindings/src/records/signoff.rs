//! The customer's signature, and what still stands between a job and its completion.

use onsite_core::visit::completion::MissingItem as CoreMissingItem;
use onsite_core::visit::signoff::{
    SignOff as CoreSignOff, Stroke as CoreStroke, StrokePoint as CoreStrokePoint,
};

use super::{all, id, millis};

/// A point of a pen stroke, in the signature pad's coordinates.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct StrokePoint {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
    /// Milliseconds since the stroke began.
    pub t_ms: u32,
}

/// One pen-down-to-pen-up stroke.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Stroke {
    /// The points, in drawing order.
    pub points: Vec<StrokePoint>,
}

impl From<CoreStrokePoint> for StrokePoint {
    fn from(p: CoreStrokePoint) -> Self {
        StrokePoint {
            x: p.x,
            y: p.y,
            t_ms: p.t_ms,
        }
    }
}

impl From<StrokePoint> for CoreStrokePoint {
    fn from(p: StrokePoint) -> Self {
        CoreStrokePoint {
            x: p.x,
            y: p.y,
            t_ms: p.t_ms,
        }
    }
}

impl From<CoreStroke> for Stroke {
    fn from(s: CoreStroke) -> Self {
        Stroke {
            points: all(s.points),
        }
    }
}

impl From<Stroke> for CoreStroke {
    fn from(s: Stroke) -> Self {
        CoreStroke {
            points: all(s.points),
        }
    }
}

/// A captured sign-off.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SignOff {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// The signer's name.
    pub signer_name: String,
    /// When (epoch ms).
    pub signed_at_ms: i64,
    /// The signature.
    pub strokes: Vec<Stroke>,
    /// SHA-256 (hex) of the service report they signed.
    pub report_sha256: String,
}

impl From<CoreSignOff> for SignOff {
    fn from(s: CoreSignOff) -> Self {
        SignOff {
            id: id(s.id),
            work_order_id: id(s.work_order_id),
            signer_name: s.signer_name,
            signed_at_ms: millis(s.signed_at),
            strokes: all(s.strokes),
            report_sha256: s.report_sha256,
        }
    }
}

/// One thing that stands between a job and its completion.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
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
    /// Chargeable work the customer has not approved.
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

impl From<CoreMissingItem> for MissingItem {
    fn from(m: CoreMissingItem) -> Self {
        use CoreMissingItem as C;
        match m {
            C::ChecklistItem { key, label } => MissingItem::ChecklistItem { key, label },
            C::ChecklistItemFailed { key, label } => {
                MissingItem::ChecklistItemFailed { key, label }
            }
            C::FunctionTest => MissingItem::FunctionTest,
            C::FunctionTestFailed => MissingItem::FunctionTestFailed,
            C::CustomerApproval { total_cents } => MissingItem::CustomerApproval { total_cents },
            C::QuoteDeclined => MissingItem::QuoteDeclined,
            C::ApprovalOutdated {
                approved_total_cents,
                total_cents,
            } => MissingItem::ApprovalOutdated {
                approved_total_cents,
                total_cents,
            },
            C::Signature => MissingItem::Signature,
            C::ChangedAfterSigning => MissingItem::ChangedAfterSigning,
        }
    }
}

/// A missing item with the core's sentence for it, as a screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Missing {
    /// What is missing.
    pub item: MissingItem,
    /// The same, as a sentence to show.
    pub text: String,
}

impl From<CoreMissingItem> for Missing {
    fn from(m: CoreMissingItem) -> Self {
        Missing {
            text: m.to_string(),
            item: m.into(),
        }
    }
}
