//! Every mutation payload kind (entity × op, and the shapes one kind takes) built the way the
//! app builds it: real actions on a store file, read back from the outbox as the sync client
//! sends them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use onsite_core::assets::NewContract;
use onsite_core::edits::Changes;
use onsite_core::store::Op;
use onsite_core::sync::apply::pending_mutations;
use onsite_core::sync::wire::Mutation;
use onsite_core::visit::checklist::{self, Outcome};
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection, TimeKind};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, Store};

use super::{
    Ids, every_entity, every_op, from_a_phone, op_name, pin, replay_accepts, replay_reads,
};
use crate::fixture::{Fixture, now, signature};

/// A visit done through the store's actions: every kind of change a phone queues, and the
/// back-office actions the fixture runs on the same store.
pub struct Visit {
    pub fixture: Fixture,
    /// Stand-ins for the ids the fixture knows: the client and the job's rows.
    pub ids: Ids,
    /// The outbox, as the sync client would push it.
    pub mutations: Vec<Mutation>,
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn changes(fields: &[(&str, Option<&str>)]) -> Changes {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
        .collect()
}

/// Runs the visit: a job dispatched (back office), then an engineer's whole visit with every
/// kind of record, an edit of each editable row, a sign-off, and a job left incomplete.
pub fn visit() -> Visit {
    let f = Fixture::new();
    let s = &f.store;
    let job = f.job.clone();
    let contract = s
        .create_contract(
            job.customer_id,
            NewContract {
                plan: "Care Plus".into(),
                starts_on: day("2026-01-01"),
                ends_on: day("2026-12-31"),
                visits_per_year: 1,
                covers_parts: true,
                covers_labour: false,
            },
        )
        .expect("contract");
    s.assign(job.id, "eng-1".into(), Role::Dispatcher)
        .expect("reassigned");
    f.arrive();
    s.add_time_entry(
        job.id,
        TimeKind::Travel,
        now() - Duration::minutes(25),
        now(),
    )
    .expect("travel");
    s.add_diagnosis(
        job.id,
        NewDiagnosis {
            symptom: "Water left in the drum".into(),
            cause: "Drain pump impeller chipped by a coin".into(),
            error_codes: vec!["E18".into()],
        },
    )
    .expect("diagnosis");
    s.add_measurement(job.id, "Pump coil resistance".into(), 178.5, "Ω".into())
        .expect("measurement");
    s.add_part_line(
        job.id,
        NewPartLine {
            direction: PartDirection::Installed,
            part_number: "00145787".into(),
            description: "Drain pump".into(),
            quantity: 1,
            serial_in: Some("SN-NEW-1".into()),
            serial_out: None,
            billing: Billing::Chargeable,
            unit_price_cents: 6490,
        },
    )
    .expect("part");
    s.add_quote_line(job.id, "Labour".into(), 1, 8900)
        .expect("quote line");
    let first_item = checklist::template(job.kind)
        .first()
        .expect("a checklist item")
        .key
        .clone();
    s.record_checklist_result(
        job.id,
        &first_item,
        Outcome::Fail,
        Some("Hose clamp loose, tightened".into()),
    )
    .expect("checklist result");
    f.pass_checklist();
    s.record_function_test(job.id, true, "Spin and drain cycle ran clean".into())
        .expect("test");
    s.add_note(job.id, "Coin found in the pump housing".into())
        .expect("note");
    s.decide_quote(job.id, true, "Anna Keller".into())
        .expect("approval");
    let asset_id = job.asset_id.expect("the job has an asset");
    for (entity, id, fields) in [
        (
            Entity::Customer,
            job.customer_id,
            changes(&[("email", Some("anna@example.org")), ("phone", None)]),
        ),
        (
            Entity::Site,
            job.site_id,
            changes(&[("access_notes", Some("Key with the neighbour at no. 14"))]),
        ),
        (
            Entity::Asset,
            asset_id,
            changes(&[("serial", Some("BO12345679")), ("firmware", Some("2.1"))]),
        ),
        (
            Entity::WorkOrder,
            job.id,
            changes(&[("error_code", Some("E18-2"))]),
        ),
    ] {
        s.edit_fields(entity, id, fields, Role::Engineer)
            .expect("edit");
    }
    s.sign_off(job.id, "Anna Keller".into(), signature())
        .expect("sign-off");
    s.set_status(
        job.id,
        Status::Incomplete,
        Role::Engineer,
        Some("The door seal is torn too; a new one is ordered".into()),
    )
    .expect("left incomplete");
    let ids = Ids::named(&[
        (s.client_id(), 1),
        (job.customer_id, 2),
        (job.site_id, 3),
        (asset_id, 4),
        (contract.id, 5),
        (job.id, 6),
    ]);
    let mutations = s
        .read(|conn| pending_mutations(conn, 1000))
        .expect("outbox reads");
    Visit {
        fixture: f,
        ids,
        mutations,
    }
}

/// The snapshot name of a payload: `payload__<entity>__<op>`, plus the shape where one kind
/// has two.
fn name(m: &Mutation) -> String {
    let shape = match (m.entity, m.op) {
        (Entity::WorkOrder, Op::Transition) if !m.payload["reason"].is_null() => "__with_reason",
        // The back office's assign writes the new assignee, not an edit payload.
        (Entity::WorkOrder, Op::Update) if m.payload.get("fields").is_none() => "__assign",
        _ => "",
    };
    format!("payload__{}__{}{shape}", m.entity.as_str(), op_name(m.op))
}

/// The first mutation of each payload shape in the visit's outbox.
pub fn shapes(visit: &Visit) -> BTreeMap<String, Mutation> {
    let mut out = BTreeMap::new();
    for m in &visit.mutations {
        out.entry(name(m)).or_insert_with(|| m.clone());
    }
    out
}

fn scratch() -> (tempfile::TempDir, Store) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let store = Store::open(dir.path().join("server.db")).expect("store opens");
    (dir, store)
}

#[test]
fn every_payload_a_phone_can_queue_is_pinned_and_read_by_the_replay() {
    let visit = visit();
    let (_dir, empty) = scratch();
    for (name, m) in shapes(&visit) {
        pin(&visit.ids, &name, &m);
        if from_a_phone(&empty, &name, &m) {
            replay_reads(&empty, &name, &m);
            let committed: Mutation =
                serde_json::from_value(super::committed(&name)).expect("parsed by pin");
            replay_reads(&empty, &name, &committed);
        }
    }
}

#[test]
fn the_pinned_payload_kinds_are_exactly_the_kinds_the_replay_accepts() {
    let visit = visit();
    let (_dir, empty) = scratch();
    let accepted: BTreeSet<(String, String)> = every_entity()
        .into_iter()
        .flat_map(|e| every_op().into_iter().map(move |op| (e, op)))
        .filter(|(e, op)| replay_accepts(&empty, *e, *op))
        .map(|(e, op)| (e.as_str().to_owned(), op_name(op)))
        .collect();
    let queued: BTreeSet<(String, String)> = visit
        .mutations
        .iter()
        .map(|m| (m.entity.as_str().to_owned(), op_name(m.op)))
        .collect();
    let missing: Vec<_> = accepted.difference(&queued).collect();
    assert!(
        missing.is_empty(),
        "the replay accepts {missing:?}, but the visit never queues one, so no snapshot pins it"
    );
    // What the visit queues beyond that is the fixture's back-office work on this store (it
    // creates the customer, site, contract, asset and job): a server refuses it from a phone.
    let back_office: BTreeSet<(&str, &str)> = queued
        .difference(&accepted)
        .map(|(e, op)| (e.as_str(), op.as_str()))
        .collect();
    let creates: BTreeSet<(&str, &str)> = ["customer", "site", "contract", "asset", "work_order"]
        .into_iter()
        .map(|e| (e, "insert"))
        .collect();
    assert_eq!(back_office, creates, "queued kinds the replay refuses");
}
