//! Every wire type, pinned with each of its optional fields and variants. Rows are the visit's
//! own, read and stamped as the server reads them for a pull.

use onsite_core::store::{ROW_STAMP, row_stamps};
use onsite_core::sync::rows::read_row;
use onsite_core::sync::wire::{
    ErrorBody, LostField, Outcome, PullResponse, PushRequest, PushResponse, RowChange,
};
use onsite_core::{Entity, Store};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::payloads::{Visit, visit};
use super::{every_entity, pin};
use crate::fixture::now;

/// The id of the first row of `entity` the visit wrote.
fn first_row(visit: &Visit, entity: Entity) -> Uuid {
    let job = &visit.fixture.job;
    match entity {
        Entity::WorkOrder => job.id,
        // A status change is written with its job's transition, not logged on its own.
        Entity::StatusChange => visit
            .mutations
            .iter()
            .find_map(|m| m.payload.get("status_change_id")?.as_str()?.parse().ok())
            .expect("a transition was queued"),
        _ => visit
            .mutations
            .iter()
            .find(|m| m.entity == entity)
            .map(|m| m.row_id)
            .unwrap_or_else(|| panic!("the visit wrote no {entity}")),
    }
}

/// A row as the server sends it in a pull: the whole row, its row stamp and field stamps.
fn row_change(store: &Store, server_seq: i64, entity: Entity, id: Uuid) -> RowChange {
    store
        .read(|conn| {
            let row = read_row(conn, entity, id)?.expect("the row exists");
            let mut stamps = row_stamps(conn, entity, id)?;
            let stamp = stamps.remove(ROW_STAMP).map(|s| s.to_string());
            Ok(RowChange {
                server_seq,
                entity,
                row,
                stamp,
                field_stamps: stamps
                    .into_iter()
                    .map(|(f, s)| (f, s.to_string()))
                    .collect(),
                removed: false,
            })
        })
        .expect("row reads")
}

fn removal(server_seq: i64, entity: Entity, id: Uuid) -> RowChange {
    let mut row = Map::new();
    row.insert("id".into(), Value::String(id.to_string()));
    RowChange {
        server_seq,
        entity,
        row,
        stamp: None,
        field_stamps: Default::default(),
        removed: true,
    }
}

#[test]
fn push_request_and_answers_are_pinned() {
    let visit = visit();
    let ids = &visit.ids;
    pin(
        ids,
        "wire__push_request",
        &PushRequest {
            client_id: visit.fixture.store.client_id(),
            mutations: visit.mutations[..2].to_vec(),
        },
    );
    let kept = LostField {
        field: "serial".into(),
        kept_value: Some("BO12345678".into()),
    };
    let cleared = LostField {
        field: "phone".into(),
        kept_value: None,
    };
    pin(ids, "wire__lost_field", &kept);
    pin(ids, "wire__lost_field__cleared", &cleared);
    let outcomes = [
        (
            "applied",
            Outcome::Applied {
                seq: 7,
                lost: Vec::new(),
            },
        ),
        (
            "applied_with_lost",
            Outcome::Applied {
                seq: 8,
                lost: vec![kept.clone(), cleared],
            },
        ),
        (
            "duplicate",
            Outcome::Duplicate {
                seq: 6,
                lost: Vec::new(),
            },
        ),
        (
            "duplicate_with_lost",
            Outcome::Duplicate {
                seq: 5,
                lost: vec![kept],
            },
        ),
        (
            "rejected",
            Outcome::Rejected {
                seq: 9,
                reason: "the job is cancelled: adding a note is not possible now".into(),
            },
        ),
    ];
    for (variant, outcome) in &outcomes {
        pin(ids, &format!("wire__outcome__{variant}"), outcome);
    }
    pin(
        ids,
        "wire__push_response",
        &PushResponse {
            results: outcomes.into_iter().map(|(_, o)| o).collect(),
            last_applied_seq: 9,
            server_time_ms: now().timestamp_millis(),
        },
    );
}

#[test]
fn a_row_of_every_pulled_entity_and_a_removal_are_pinned() {
    let visit = visit();
    let store = &visit.fixture.store;
    // The conflict log is each side's own: the server never logs it for a pull.
    for (seq, entity) in (1..).zip(
        every_entity()
            .into_iter()
            .filter(|e| *e != Entity::Conflict),
    ) {
        let change = row_change(store, seq, entity, first_row(&visit, entity));
        pin(
            &visit.ids,
            &format!("wire__row_change__{}", entity.as_str()),
            &change,
        );
    }
    pin(
        &visit.ids,
        "wire__row_change__removed",
        &removal(40, Entity::WorkOrder, visit.fixture.job.id),
    );
}

#[test]
fn a_pull_page_is_pinned() {
    let visit = visit();
    let store = &visit.fixture.store;
    let customer = row_change(store, 41, Entity::Customer, visit.fixture.job.customer_id);
    assert!(
        !customer.field_stamps.is_empty(),
        "the edited customer carries field stamps"
    );
    let page = PullResponse {
        changes: vec![customer, removal(42, Entity::WorkOrder, Uuid::now_v7())],
        cursor: 42,
        more: true,
        server_time_ms: now().timestamp_millis(),
    };
    pin(&visit.ids, "wire__pull_response", &page);
}

#[test]
fn error_bodies_are_pinned_with_each_optional_field() {
    let ids = super::Ids::named(&[]);
    let body = |error: &str, message: &str| ErrorBody {
        error: error.into(),
        message: message.into(),
        expected_seq: None,
        server_time_ms: None,
    };
    pin(
        &ids,
        "wire__error_body",
        &body("forbidden", "WO-1 is assigned to another engineer"),
    );
    pin(
        &ids,
        "wire__error_body__gap",
        &ErrorBody {
            expected_seq: Some(12),
            ..body("gap", "expected seq 12, got 14")
        },
    );
    pin(
        &ids,
        "wire__error_body__clock_ahead",
        &ErrorBody {
            server_time_ms: Some(now().timestamp_millis()),
            ..body("clock_ahead", "the device clock is 9 minutes ahead")
        },
    );
}
