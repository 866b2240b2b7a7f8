//! What the customer pays: quote lines, the charges built from them and chargeable parts, and
//! the customer's decision.

use onsite_core::visit::charges::{
    Approval as CoreApproval, ChargeLine as CoreChargeLine, Charges as CoreCharges,
    QuoteDecision as CoreQuoteDecision, QuoteLine as CoreQuoteLine,
};

use super::enums::ChargeSource;
use super::{all, id, millis};

/// A line of the quote.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QuoteLine {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// What is charged.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Price per unit, in cents.
    pub unit_price_cents: i64,
    /// When (epoch ms).
    pub recorded_at_ms: i64,
}

impl From<CoreQuoteLine> for QuoteLine {
    fn from(q: CoreQuoteLine) -> Self {
        QuoteLine {
            id: id(q.id),
            work_order_id: id(q.work_order_id),
            description: q.description,
            quantity: q.quantity,
            unit_price_cents: q.unit_price_cents,
            recorded_at_ms: millis(q.recorded_at),
        }
    }
}

/// The customer's approval or refusal of the charges as they stood.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QuoteDecision {
    /// Id.
    pub id: String,
    /// The work order's id.
    pub work_order_id: String,
    /// Approved or declined.
    pub approved: bool,
    /// Who decided.
    pub signer_name: String,
    /// The total they saw, in cents.
    pub total_cents: i64,
    /// SHA-256 (hex) of the charges they saw.
    pub charges_sha256: String,
    /// When (epoch ms).
    pub decided_at_ms: i64,
}

impl From<CoreQuoteDecision> for QuoteDecision {
    fn from(d: CoreQuoteDecision) -> Self {
        QuoteDecision {
            id: id(d.id),
            work_order_id: id(d.work_order_id),
            approved: d.approved,
            signer_name: d.signer_name,
            total_cents: d.total_cents,
            charges_sha256: d.charges_sha256,
            decided_at_ms: millis(d.decided_at),
        }
    }
}

/// One line of what the customer pays.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChargeLine {
    /// Part or quote line.
    pub source: ChargeSource,
    /// The id of the row it comes from.
    pub line_id: String,
    /// What is charged.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Price per unit, in cents.
    pub unit_price_cents: i64,
    /// Quantity × unit price, in cents.
    pub total_cents: i64,
}

impl From<CoreChargeLine> for ChargeLine {
    fn from(c: CoreChargeLine) -> Self {
        ChargeLine {
            source: c.source.into(),
            line_id: id(c.line_id),
            description: c.description,
            quantity: c.quantity,
            unit_price_cents: c.unit_price_cents,
            total_cents: c.total_cents,
        }
    }
}

/// Whether the customer agreed to the current charges.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Approval {
    /// Nothing is chargeable.
    NotNeeded,
    /// Chargeable work with no decision yet.
    Pending,
    /// Approved exactly these charges.
    Approved {
        /// Who approved.
        by: String,
    },
    /// Declined.
    Declined {
        /// Who declined.
        by: String,
    },
    /// Approved once, but the charges changed since.
    Outdated {
        /// The total that was approved, in cents.
        approved_total_cents: i64,
    },
}

impl From<CoreApproval> for Approval {
    fn from(a: CoreApproval) -> Self {
        match a {
            CoreApproval::NotNeeded => Approval::NotNeeded,
            CoreApproval::Pending => Approval::Pending,
            CoreApproval::Approved { by } => Approval::Approved { by },
            CoreApproval::Declined { by } => Approval::Declined { by },
            CoreApproval::Outdated {
                approved_total_cents,
            } => Approval::Outdated {
                approved_total_cents,
            },
        }
    }
}

/// The charges of a visit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Charges {
    /// Every chargeable line.
    pub lines: Vec<ChargeLine>,
    /// Sum of the lines, in cents.
    pub total_cents: i64,
    /// SHA-256 (hex) of the lines.
    pub sha256: String,
    /// The customer's agreement.
    pub approval: Approval,
}

impl From<CoreCharges> for Charges {
    fn from(c: CoreCharges) -> Self {
        Charges {
            lines: all(c.lines),
            total_cents: c.total_cents,
            sha256: c.sha256,
            approval: c.approval.into(),
        }
    }
}
