//! The customer's sign-off: who signed, when, the pen strokes, and the SHA-256 of the service
//! report they signed. The hash is what later shows a report as "changed after signing".

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{When, by_stamp, open_job};
use crate::clock::format_time;
use crate::error::{Entity, Problem, Result};
use crate::report::{self, ServiceReport};
use crate::store::ActionCtx;
use crate::store::{columns, packed};
use crate::validate::{Check, NAME_MAX};

/// Most strokes one signature may have.
pub const STROKES_MAX: usize = 500;
/// Most points in one signature, all strokes together.
pub const POINTS_MAX: usize = 50_000;

/// A point of a pen stroke, in the signature pad's coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrokePoint {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
    /// Milliseconds since the stroke began.
    pub t_ms: u32,
}

/// One pen-down-to-pen-up stroke.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stroke {
    /// The points, in drawing order.
    pub points: Vec<StrokePoint>,
}

/// A captured sign-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignOff {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// The signer's name as they gave it.
    pub signer_name: String,
    /// When they signed.
    pub signed_at: DateTime<Utc>,
    /// The signature.
    pub strokes: Vec<Stroke>,
    /// SHA-256 (hex) of the canonical service report at the moment of signing.
    pub report_sha256: String,
    /// That report, exactly as signed (canonical JSON); absent on sign-offs from before it was
    /// kept.
    pub report_json: Option<String>,
}

impl SignOff {
    /// The report as the customer signed it, if kept.
    pub fn signed_report(&self) -> Result<Option<ServiceReport>> {
        self.report_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(Into::into)
    }
}

/// Replaces the kept report of sign-off `id` with the one the customer signed on the phone (the
/// server keeps the signed document, not its own rebuild, whose header may differ).
pub fn keep_signed(
    tx: &Transaction<'_>,
    id: Uuid,
    report_json: &str,
    report_sha256: &str,
) -> Result<()> {
    tx.prepare_cached("UPDATE signoffs SET report_json = ?2, report_sha256 = ?3 WHERE id = ?1")?
        .execute((id.to_string(), packed::pack(report_json)?, report_sha256))?;
    Ok(())
}

/// Captures the customer's signature on the service report as it stands now.
pub fn sign(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    signer_name: String,
    strokes: Vec<Stroke>,
) -> Result<SignOff> {
    let points: usize = strokes.iter().map(|s| s.points.len()).sum();
    Check::new()
        .text("signer_name", &signer_name, NAME_MAX)
        .items("strokes", &strokes, STROKES_MAX)
        .fail_if(
            strokes.iter().any(|s| s.points.is_empty()),
            "strokes",
            Problem::Inconsistent {
                detail: "a stroke has no points".into(),
            },
        )
        .fail_if(
            points > POINTS_MAX,
            "strokes",
            Problem::TooMany {
                max: POINTS_MAX,
                len: points,
            },
        )
        .fail_if(
            strokes
                .iter()
                .flat_map(|s| &s.points)
                .any(|p| !p.x.is_finite() || !p.y.is_finite()),
            "strokes",
            Problem::NotFinite,
        )
        .finish()?;
    open_job(tx, work_order_id, When::OnSite, "signing the report")?;
    let report_json = report::build(tx, work_order_id)?.canonical_json()?;
    let s = SignOff {
        id: ctx.new_id(),
        work_order_id,
        signer_name: signer_name.trim().to_owned(),
        signed_at: ctx.now(),
        strokes,
        report_sha256: report::sha256_hex(&report_json),
        report_json: Some(report_json),
    };
    tx.prepare_cached(
        "INSERT INTO signoffs (id, work_order_id, signer_name, signed_at, strokes, report_sha256,
             report_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        s.id.to_string(),
        work_order_id.to_string(),
        &s.signer_name,
        format_time(s.signed_at),
        packed::pack(&serde_json::to_string(&s.strokes)?)?,
        &s.report_sha256,
        s.report_json.as_deref().map(packed::pack).transpose()?,
    ))?;
    ctx.log_insert(tx, Entity::SignOff, s.id, &s)?;
    Ok(s)
}

/// The latest sign-off of a work order.
pub fn latest(conn: &Connection, work_order_id: Uuid) -> Result<Option<SignOff>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT id, work_order_id, signer_name, signed_at, strokes, report_sha256, report_json
             FROM signoffs WHERE work_order_id = ?1 ORDER BY {} DESC LIMIT 1",
            by_stamp("signoffs")
        ))?
        .query_row([work_order_id.to_string()], |r| {
            Ok((
                SignOff {
                    id: columns::uuid(r, "id")?,
                    work_order_id: columns::uuid(r, "work_order_id")?,
                    signer_name: r.get("signer_name")?,
                    signed_at: columns::time(r, "signed_at")?,
                    strokes: Vec::new(),
                    report_sha256: r.get("report_sha256")?,
                    report_json: None,
                },
                r.get::<_, Vec<u8>>("strokes")?,
                r.get::<_, Option<Vec<u8>>>("report_json")?,
            ))
        })
        .optional()?;
    let Some((mut s, strokes, report)) = row else {
        return Ok(None);
    };
    let strokes = packed::unpack("signoffs.strokes", &strokes)?;
    s.strokes = serde_json::from_str(&strokes).map_err(|_| crate::error::Error::Corrupt {
        column: "signoffs.strokes",
        value: "strokes that are not JSON".into(),
    })?;
    s.report_json = report
        .map(|r| packed::unpack("signoffs.report_json", &r))
        .transpose()?;
    Ok(Some(s))
}
