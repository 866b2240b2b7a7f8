//! What the customer pays: chargeable part lines and quote lines (labour, call-out), and the
//! customer's approval. An approval covers exactly the charges it saw: it stores their SHA-256,
//! so any later change to the charges needs a new approval before the job can complete.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::work::{Billing, part_lines};
use super::{When, by_stamp, open_job, rows};
use crate::clock::format_time;
use crate::error::{Entity, Problem, Result};
use crate::store::ActionCtx;
use crate::store::columns::{self, column_set};
use crate::validate::{Check, NAME_MAX};

/// A line of the quote: labour, call-out, anything that is not a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuoteLine {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// What is charged.
    pub description: String,
    /// How many (hours, visits, pieces).
    pub quantity: i64,
    /// Price per unit in cents.
    pub unit_price_cents: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// The customer's answer to the charges as they stood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuoteDecision {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// Approved (true) or declined.
    pub approved: bool,
    /// Who decided.
    pub signer_name: String,
    /// The total they saw, in cents.
    pub total_cents: i64,
    /// SHA-256 of the charges they saw.
    pub charges_sha256: String,
    /// When.
    pub decided_at: DateTime<Utc>,
}

/// Where a charge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChargeSource {
    /// A chargeable part line.
    Part,
    /// A quote line.
    Quote,
}

/// One line of what the customer pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargeLine {
    /// Part or quote line.
    pub source: ChargeSource,
    /// The row it comes from.
    pub line_id: Uuid,
    /// What is charged.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Price per unit in cents.
    pub unit_price_cents: i64,
    /// quantity × unit price, in cents.
    pub total_cents: i64,
}

/// Whether the customer agreed to the current charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Approval {
    /// Nothing is chargeable.
    NotNeeded,
    /// Chargeable work with no decision yet.
    Pending,
    /// The customer approved exactly these charges.
    Approved {
        /// Who approved.
        by: String,
    },
    /// The customer declined.
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

/// The charges of a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Charges {
    /// Every chargeable line: part lines first, then quote lines, each oldest first.
    pub lines: Vec<ChargeLine>,
    /// Sum of the lines, in cents.
    pub total_cents: i64,
    /// SHA-256 (hex) of the lines: what an approval is bound to.
    pub sha256: String,
    /// The customer's agreement.
    pub approval: Approval,
}

/// Adds a line to the quote.
pub fn add_quote_line(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    description: String,
    quantity: i64,
    unit_price_cents: i64,
) -> Result<QuoteLine> {
    Check::new()
        .text("description", &description, NAME_MAX)
        .quantity("quantity", quantity)
        .price("unit_price_cents", unit_price_cents)
        .finish()?;
    open_job(tx, work_order_id, When::Working, "adding a quote line")?;
    let q = QuoteLine {
        id: ctx.new_id(),
        work_order_id,
        description,
        quantity,
        unit_price_cents,
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO quote_lines (id, work_order_id, description, quantity, unit_price_cents,
             recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        q.id.to_string(),
        work_order_id.to_string(),
        &q.description,
        q.quantity,
        q.unit_price_cents,
        format_time(q.recorded_at),
    ))?;
    ctx.log_insert(tx, Entity::QuoteLine, q.id, &q)?;
    Ok(q)
}

/// Records the customer's approval (or refusal) of the charges as they stand now.
pub fn decide(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    approved: bool,
    signer_name: String,
) -> Result<QuoteDecision> {
    Check::new()
        .text("signer_name", &signer_name, NAME_MAX)
        .finish()?;
    open_job(
        tx,
        work_order_id,
        When::OnSite,
        "recording the customer's decision",
    )?;
    let current = charges(tx, work_order_id)?;
    Check::new()
        .fail_if(current.lines.is_empty(), "charges", Problem::NoItems)
        .finish()?;
    let d = QuoteDecision {
        id: ctx.new_id(),
        work_order_id,
        approved,
        signer_name: signer_name.trim().to_owned(),
        total_cents: current.total_cents,
        charges_sha256: current.sha256,
        decided_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO quote_decisions (id, work_order_id, approved, signer_name, total_cents,
             charges_sha256, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        d.id.to_string(),
        work_order_id.to_string(),
        d.approved,
        &d.signer_name,
        d.total_cents,
        &d.charges_sha256,
        format_time(d.decided_at),
    ))?;
    ctx.log_insert(tx, Entity::QuoteDecision, d.id, &d)?;
    Ok(d)
}

column_set! {
    /// The columns of a [`QuoteLine`].
    struct QuoteLineColumns {
        id, work_order_id, description, quantity, unit_price_cents, recorded_at,
    }
}

/// Quote lines of a work order, oldest first.
pub fn quote_lines(conn: &Connection, work_order_id: Uuid) -> Result<Vec<QuoteLine>> {
    rows(
        conn,
        &format!(
            "SELECT id, work_order_id, description, quantity, unit_price_cents, recorded_at
         FROM quote_lines WHERE work_order_id = ?1 ORDER BY {}",
            by_stamp("quote_lines")
        ),
        [work_order_id.to_string()],
        |r, c: &QuoteLineColumns| {
            Ok(QuoteLine {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                description: r.get(c.description)?,
                quantity: r.get(c.quantity)?,
                unit_price_cents: r.get(c.unit_price_cents)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )
}

column_set! {
    /// The columns of a [`QuoteDecision`].
    struct DecisionColumns {
        id, work_order_id, approved, signer_name, total_cents, charges_sha256, decided_at,
    }
}

/// The customer's decisions, oldest first.
pub fn decisions(conn: &Connection, work_order_id: Uuid) -> Result<Vec<QuoteDecision>> {
    rows(
        conn,
        &format!(
            "SELECT id, work_order_id, approved, signer_name, total_cents, charges_sha256, decided_at
         FROM quote_decisions WHERE work_order_id = ?1 ORDER BY {}",
            by_stamp("quote_decisions")
        ),
        [work_order_id.to_string()],
        |r, c: &DecisionColumns| {
            Ok(QuoteDecision {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                approved: r.get(c.approved)?,
                signer_name: r.get(c.signer_name)?,
                total_cents: r.get(c.total_cents)?,
                charges_sha256: r.get(c.charges_sha256)?,
                decided_at: columns::time(r, c.decided_at)?,
            })
        },
    )
}

/// The current charges of a work order and whether the customer agreed to them.
pub fn charges(conn: &Connection, work_order_id: Uuid) -> Result<Charges> {
    let parts = part_lines(conn, work_order_id)?
        .into_iter()
        .filter(|p| p.billing == Billing::Chargeable)
        .map(|p| ChargeLine {
            source: ChargeSource::Part,
            line_id: p.id,
            description: format!("{} {}", p.part_number, p.description),
            quantity: p.quantity,
            unit_price_cents: p.unit_price_cents,
            total_cents: p.quantity.saturating_mul(p.unit_price_cents),
        });
    let quotes = quote_lines(conn, work_order_id)?
        .into_iter()
        .map(|q| ChargeLine {
            source: ChargeSource::Quote,
            line_id: q.id,
            description: q.description,
            quantity: q.quantity,
            unit_price_cents: q.unit_price_cents,
            total_cents: q.quantity.saturating_mul(q.unit_price_cents),
        });
    let lines: Vec<ChargeLine> = parts.chain(quotes).collect();
    let total_cents = lines
        .iter()
        .fold(0i64, |sum, l| sum.saturating_add(l.total_cents));
    let sha256 = hex::encode(Sha256::digest(serde_json::to_vec(&lines)?));
    let approval = if lines.is_empty() {
        Approval::NotNeeded
    } else {
        match decisions(conn, work_order_id)?.pop() {
            None => Approval::Pending,
            Some(d) if d.charges_sha256 != sha256 => Approval::Outdated {
                approved_total_cents: d.total_cents,
            },
            Some(d) if d.approved => Approval::Approved { by: d.signer_name },
            Some(d) => Approval::Declined { by: d.signer_name },
        }
    };
    Ok(Charges {
        lines,
        total_cents,
        sha256,
        approval,
    })
}
