//! The server applies a device's mutation by carrying out the same action again, through the
//! same domain function, with the device's row ids, time and stamp. So every rule the phone
//! enforced (status machine, completion, billing, limits) is enforced again against the
//! server's state, and both sides end up with identical rows.

use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::wire::Mutation;
use crate::clock::Hlc;
use crate::edits::{self, EditPayload, FieldMerge};
use crate::error::{Entity, Error, Result};
use crate::report::{self, ServiceReport};
use crate::store::{ActionCtx, Op};
use crate::visit::charges::{self, QuoteDecision, QuoteLine};
use crate::visit::checklist::{self, ChecklistResult};
use crate::visit::findings::{self, Diagnosis, FunctionTest, Measurement, NewDiagnosis, Note};
use crate::visit::signoff::{self, SignOff};
use crate::visit::work::{self, PartLine, TimeEntry};
use crate::work_orders::{self, status::Role, status::Status};
use rusqlite::Transaction;

/// The rows a replayed mutation wrote, for the server's change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    /// The work order the rows belong to (none for an edit of a customer, site or asset).
    pub work_order_id: Option<Uuid>,
    /// Every row written.
    pub rows: Vec<(Entity, Uuid)>,
    /// Fields where the replayed edit met a concurrent one: the loser, for the conflict log.
    pub merges: Vec<FieldMerge>,
}

/// The work order a mutation is about, for the authority check before replaying it.
pub fn target_work_order(m: &Mutation) -> Option<Uuid> {
    if m.entity == Entity::WorkOrder {
        return Some(m.row_id);
    }
    m.payload.get("work_order_id")?.as_str()?.parse().ok()
}

fn row<T: DeserializeOwned>(m: &Mutation) -> Result<T> {
    let mut payload = m.payload.clone();
    let Value::Object(map) = &mut payload else {
        return Err(Error::inconsistent("payload", "not an object"));
    };
    map.insert("id".into(), Value::String(m.row_id.to_string()));
    Ok(serde_json::from_value(payload)?)
}

/// Carries out mutation `m` as `role` (the server's idea of who sent it, never the payload's).
/// On error nothing of it should be kept: the caller rolls back to a savepoint.
pub fn replay(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    m: &Mutation,
    role: Role,
) -> Result<Replayed> {
    let hlc: Hlc = m
        .hlc
        .parse()
        .map_err(|_| Error::inconsistent("hlc", "not a stamp"))?;
    let result = replay_inner(tx, ctx, m, role, hlc);
    ctx.end_replay();
    result
}

fn replay_inner(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    m: &Mutation,
    role: Role,
    hlc: Hlc,
) -> Result<Replayed> {
    let one = |wo: Uuid| Replayed {
        work_order_id: Some(wo),
        rows: vec![(m.entity, m.row_id)],
        merges: Vec::new(),
    };
    if m.op == Op::Update {
        let payload: EditPayload = serde_json::from_value(m.payload.clone())?;
        ctx.begin_replay(Vec::new(), ctx.now(), hlc)?;
        let edited = edits::apply(tx, ctx, m.entity, m.row_id, payload, role)?;
        return Ok(Replayed {
            work_order_id: (m.entity == Entity::WorkOrder).then_some(m.row_id),
            rows: vec![(m.entity, m.row_id)],
            merges: edited.merges,
        });
    }
    if m.op != Op::Insert && m.entity != Entity::WorkOrder {
        return Err(Error::inconsistent(
            "op",
            "visit records are only ever added",
        ));
    }
    match m.entity {
        Entity::WorkOrder if m.op == Op::Transition => {
            let field = |name: &str| m.payload.get(name).cloned().unwrap_or(Value::Null);
            let change_id: Uuid = serde_json::from_value(field("status_change_id"))?;
            let to: Status = serde_json::from_value(field("to"))?;
            let reason: Option<String> = serde_json::from_value(field("reason"))?;
            let at = serde_json::from_value(field("at"))?;
            ctx.begin_replay(vec![change_id], at, hlc)?;
            work_orders::transition(tx, ctx, m.row_id, to, role, reason)?;
            Ok(Replayed {
                work_order_id: Some(m.row_id),
                rows: vec![
                    (Entity::WorkOrder, m.row_id),
                    (Entity::StatusChange, change_id),
                ],
                merges: Vec::new(),
            })
        }
        Entity::Diagnosis => {
            let d: Diagnosis = row(m)?;
            ctx.begin_replay(vec![d.id], d.recorded_at, hlc)?;
            let new = NewDiagnosis {
                symptom: d.symptom,
                cause: d.cause,
                error_codes: d.error_codes,
            };
            findings::add_diagnosis(tx, ctx, d.work_order_id, new).map(|_| one(d.work_order_id))
        }
        Entity::Measurement => {
            let x: Measurement = row(m)?;
            ctx.begin_replay(vec![x.id], x.recorded_at, hlc)?;
            findings::add_measurement(tx, ctx, x.work_order_id, x.name, x.value, x.unit)
                .map(|_| one(x.work_order_id))
        }
        Entity::Note => {
            let n: Note = row(m)?;
            ctx.begin_replay(vec![n.id], n.recorded_at, hlc)?;
            findings::add_note(tx, ctx, n.work_order_id, n.body).map(|_| one(n.work_order_id))
        }
        Entity::FunctionTest => {
            let t: FunctionTest = row(m)?;
            ctx.begin_replay(vec![t.id], t.tested_at, hlc)?;
            findings::record_function_test(tx, ctx, t.work_order_id, t.passed, t.notes)
                .map(|_| one(t.work_order_id))
        }
        Entity::ChecklistResult => {
            let r: ChecklistResult = row(m)?;
            ctx.begin_replay(vec![r.id], r.recorded_at, hlc)?;
            checklist::record_result(tx, ctx, r.work_order_id, &r.item_key, r.result, r.note)
                .map(|_| one(r.work_order_id))
        }
        Entity::TimeEntry => {
            let t: TimeEntry = row(m)?;
            ctx.begin_replay(vec![t.id], t.recorded_at, hlc)?;
            work::add_time_entry(tx, ctx, t.work_order_id, t.kind, t.started_at, t.ended_at)
                .map(|_| one(t.work_order_id))
        }
        Entity::PartLine => {
            let p: PartLine = row(m)?;
            ctx.begin_replay(vec![p.id], p.recorded_at, hlc)?;
            let new = p.to_new();
            work::add_part_line(tx, ctx, p.work_order_id, new).map(|_| one(p.work_order_id))
        }
        Entity::QuoteLine => {
            let q: QuoteLine = row(m)?;
            ctx.begin_replay(vec![q.id], q.recorded_at, hlc)?;
            charges::add_quote_line(
                tx,
                ctx,
                q.work_order_id,
                q.description,
                q.quantity,
                q.unit_price_cents,
            )
            .map(|_| one(q.work_order_id))
        }
        Entity::QuoteDecision => {
            let d: QuoteDecision = row(m)?;
            ctx.begin_replay(vec![d.id], d.decided_at, hlc)?;
            let here = charges::decide(tx, ctx, d.work_order_id, d.approved, d.signer_name)?;
            if here.charges_sha256 != d.charges_sha256 {
                return Err(Error::inconsistent(
                    "charges",
                    "the charges the customer decided on differ from the server's copy",
                ));
            }
            Ok(one(d.work_order_id))
        }
        Entity::SignOff => {
            let s: SignOff = row(m)?;
            ctx.begin_replay(vec![s.id], s.signed_at, hlc)?;
            let Some(signed_json) = s.report_json else {
                // Queued before sign-offs kept their report: the whole report must match.
                let here = signoff::sign(tx, ctx, s.work_order_id, s.signer_name, s.strokes)?;
                if here.report_sha256 != s.report_sha256 {
                    return Err(Error::inconsistent(
                        "report_sha256",
                        "the report the customer signed differs from the server's copy",
                    ));
                }
                return Ok(one(s.work_order_id));
            };
            if report::sha256_hex(&signed_json) != s.report_sha256 {
                return Err(Error::inconsistent(
                    "report_sha256",
                    "the signed report does not match its hash",
                ));
            }
            let signed: ServiceReport = serde_json::from_str(&signed_json)?;
            let here = signoff::sign(tx, ctx, s.work_order_id, s.signer_name, s.strokes)?;
            let ours = here
                .signed_report()?
                .map(|r| r.content_sha256())
                .transpose()?;
            // Only the fields the office may edit can differ (it changed the serial or the
            // appointment while the engineer was offline); the rest must be the server's.
            if ours != Some(signed.content_sha256()?) {
                return Err(Error::inconsistent(
                    "report_sha256",
                    "the report the customer signed differs from the server's copy",
                ));
            }
            signoff::keep_signed(tx, here.id, &signed_json, &s.report_sha256)?;
            Ok(one(s.work_order_id))
        }
        Entity::WorkOrder
        | Entity::Customer
        | Entity::Site
        | Entity::Contract
        | Entity::Asset
        | Entity::StatusChange
        | Entity::Conflict => Err(Error::NotPermitted {
            action: "creating or editing customers, sites, assets and jobs from a device",
            role,
        }),
    }
}
