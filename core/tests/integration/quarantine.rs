//! Pulled rows that cannot be applied wait in quarantine; the rest of the page and the cursor
//! move on, and a held row applies once what it needs arrives (issue 9, must-have 2). Pages are
//! built here from a real source store's rows, as the server builds them, and applied to a
//! second real store as the sync client applies them.

use onsite_core::sync::apply::{apply_pull, cursor};
use onsite_core::sync::quarantine;
use onsite_core::sync::rows::read_row;
use onsite_core::sync::wire::{PullResponse, RowChange};
use onsite_core::{Entity, Store};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixture::Fixture;

/// The source row `id` of `entity` as a pull page carries it.
fn change(src: &Store, seq: i64, entity: Entity, id: Uuid) -> RowChange {
    let row = src
        .read(|c| read_row(c, entity, id))
        .expect("read")
        .expect("row exists");
    let mut stamps = src
        .read(|c| onsite_core::store::row_stamps(c, entity, id))
        .expect("stamps");
    let stamp = stamps
        .remove(onsite_core::store::ROW_STAMP)
        .map(|h| h.to_string());
    RowChange {
        server_seq: seq,
        entity,
        row,
        stamp,
        field_stamps: stamps
            .into_iter()
            .map(|(f, h)| (f, h.to_string()))
            .collect(),
        removed: false,
    }
}

fn page(changes: Vec<RowChange>, cursor: i64) -> PullResponse {
    PullResponse {
        changes,
        cursor,
        more: true,
        server_time_ms: 0,
    }
}

fn apply(store: &Store, p: &PullResponse) -> usize {
    store
        .import(|tx, ctx| apply_pull(tx, ctx, p))
        .expect("the page applies")
}

/// The job's parents and the job, in order, numbered from `seq`.
fn job_rows(f: &Fixture, seq: i64) -> Vec<RowChange> {
    let job = &f.job;
    vec![
        change(&f.store, seq, Entity::Customer, job.customer_id),
        change(&f.store, seq + 1, Entity::Site, job.site_id),
        change(
            &f.store,
            seq + 2,
            Entity::Asset,
            job.asset_id.expect("the fixture's job has an asset"),
        ),
        change(&f.store, seq + 3, Entity::WorkOrder, job.id),
    ]
}

fn target(f: &Fixture) -> Store {
    Store::open(f.dir.path().join("target.db")).expect("target store")
}

#[test]
fn a_record_before_its_job_waits_and_applies_when_the_job_arrives() {
    let f = Fixture::new();
    let note = f
        .store
        .add_note(f.job.id, "Side door".into())
        .expect("note");
    let device = target(&f);

    let first = page(vec![change(&f.store, 1, Entity::Note, note.id)], 1);
    assert_eq!(apply(&device, &first), 0, "the note cannot apply yet");
    assert_eq!(
        device.read(cursor).expect("cursor"),
        1,
        "the cursor moves on"
    );
    assert_eq!(
        device.read(quarantine::summary).expect("summary"),
        (1, vec![f.job.id]),
        "held, naming its job"
    );
    let log = device.conflicts(false).expect("log");
    assert_eq!(log.len(), 1, "in the conflict log once: {log:?}");
    assert_eq!(log[0].row_id, note.id);

    apply(&device, &page(job_rows(&f, 2), 5));
    assert_eq!(
        device.read(quarantine::summary).expect("summary"),
        (0, vec![])
    );
    let record = device.visit_record(f.job.id).expect("the job arrived");
    assert_eq!(record.notes.len(), 1, "and the held note applied with it");
    assert_eq!(
        device.conflicts(false).expect("log").len(),
        1,
        "logged once"
    );
}

#[test]
fn a_row_that_does_not_fit_is_held_the_rest_applies_and_a_newer_version_supersedes_it() {
    let f = Fixture::new();
    let note = f
        .store
        .add_note(f.job.id, "Side door".into())
        .expect("note");
    let device = target(&f);
    let mut bad = change(&f.store, 5, Entity::Note, note.id);
    bad.row.insert("body".into(), json!({ "not": "text" }));
    let mut typed_wrong = change(&f.store, 6, Entity::WorkOrder, f.job.id);
    typed_wrong.row.insert("id".into(), Value::from(42));
    let mut rows = job_rows(&f, 1);
    rows.push(bad);
    rows.push(typed_wrong);
    assert_eq!(apply(&device, &page(rows, 6)), 4, "the job and its parents");
    assert!(device.job_detail(f.job.id).is_ok());
    let (held, jobs) = device.read(quarantine::summary).expect("summary");
    assert_eq!(
        (held, jobs),
        (2, vec![f.job.id]),
        "the note and the id-less row"
    );

    // Retried on every pull: the next (empty) page changes nothing for them.
    apply(&device, &page(vec![], 7));
    assert_eq!(device.read(quarantine::summary).expect("summary").0, 2);
    assert_eq!(device.read(cursor).expect("cursor"), 7);

    apply(
        &device,
        &page(vec![change(&f.store, 8, Entity::Note, note.id)], 8),
    );
    assert_eq!(
        device.read(quarantine::summary).expect("summary").0,
        1,
        "the newer note superseded the held one"
    );
    assert_eq!(
        device.visit_record(f.job.id).expect("record").notes.len(),
        1
    );
}

#[test]
fn a_job_that_leaves_takes_its_held_rows_along() {
    let f = Fixture::new();
    let note = f
        .store
        .add_note(f.job.id, "Side door".into())
        .expect("note");
    let device = target(&f);
    apply(
        &device,
        &page(vec![change(&f.store, 1, Entity::Note, note.id)], 1),
    );
    assert_eq!(device.read(quarantine::summary).expect("summary").0, 1);
    let mut row = serde_json::Map::new();
    row.insert("id".into(), Value::String(f.job.id.to_string()));
    let removal = RowChange {
        server_seq: 2,
        entity: Entity::WorkOrder,
        row,
        stamp: None,
        field_stamps: Default::default(),
        removed: true,
    };
    apply(&device, &page(vec![removal], 2));
    assert_eq!(
        device.read(quarantine::summary).expect("summary"),
        (0, vec![])
    );
}

#[test]
fn a_page_applies_parent_first_whatever_order_it_comes_in() {
    let f = Fixture::new();
    let note = f
        .store
        .add_note(f.job.id, "Side door".into())
        .expect("note");
    let device = target(&f);
    let mut rows = job_rows(&f, 1);
    rows.push(change(&f.store, 5, Entity::Note, note.id));
    rows.reverse();
    assert_eq!(apply(&device, &page(rows, 5)), 5);
    assert_eq!(device.read(quarantine::summary).expect("summary").0, 0);
}
