//! A whole on-site visit with no network, and the completion rules.

use chrono::Duration;
use onsite_core::report::Signature;
use onsite_core::visit::charges::Approval;
use onsite_core::visit::completion::MissingItem;
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection, TimeKind};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, Error};

use crate::fixture::{Fixture, signature};

fn chargeable_pump() -> NewPartLine {
    NewPartLine {
        direction: PartDirection::Installed,
        part_number: "00145787".into(),
        description: "Drain pump".into(),
        quantity: 1,
        serial_in: Some("SN-NEW-1".into()),
        serial_out: Some("SN-OLD-1".into()),
        billing: Billing::Chargeable,
        unit_price_cents: 6490,
    }
}

#[test]
fn a_whole_visit_offline_ends_completed_signed_and_queued_in_order() {
    let f = Fixture::new();
    let baseline_seq = f.store.pending_sync_count().expect("count");
    f.arrive();
    let id = f.job.id;
    let start = onsite_core::clock::Clock::now(f.clock.as_ref());
    f.store
        .add_time_entry(id, TimeKind::Travel, start - Duration::minutes(25), start)
        .expect("travel");
    f.store
        .add_diagnosis(
            id,
            NewDiagnosis {
                symptom: "Water left in the drum".into(),
                cause: "Drain pump impeller chipped by a coin".into(),
                error_codes: vec!["E18".into()],
            },
        )
        .expect("diagnosis");
    f.store
        .add_measurement(id, "Pump coil resistance".into(), 178.5, "Ω".into())
        .expect("measurement");
    f.store.add_part_line(id, chargeable_pump()).expect("part");
    f.store
        .add_quote_line(id, "Labour".into(), 1, 8900)
        .expect("quote line");
    f.pass_checklist();
    f.store
        .record_function_test(id, true, "Spin and drain cycle ran clean".into())
        .expect("test");
    f.store
        .decide_quote(id, true, "Anna Keller".into())
        .expect("approval");
    f.store
        .add_note(
            id,
            "Coin found in the pump housing; shown to the customer".into(),
        )
        .expect("note");
    f.store
        .sign_off(id, "Anna Keller".into(), signature())
        .expect("sign-off");
    let done = f
        .store
        .set_status(id, Status::Completed, Role::Engineer, None)
        .expect("completes");
    assert_eq!((done.from, done.to), (Status::OnSite, Status::Completed));

    // Everything survives a reopen, exactly.
    let store = f.reopen();
    let visit = store.visit_record(id).expect("visit record");
    assert_eq!(visit.work_order.status, Status::Completed);
    assert_eq!(visit.status_changes.len(), 4);
    assert_eq!(visit.diagnoses[0].error_codes, vec!["E18".to_owned()]);
    assert_eq!(visit.measurements[0].value, 178.5);
    assert_eq!(visit.parts[0].serial_out.as_deref(), Some("SN-OLD-1"));
    assert_eq!(visit.charges.total_cents, 6490 + 8900);
    assert_eq!(
        visit.charges.approval,
        Approval::Approved {
            by: "Anna Keller".into()
        }
    );
    assert!(
        visit
            .checklist
            .iter()
            .filter(|l| l.item.required)
            .all(|l| l.result.is_some())
    );
    assert_eq!(visit.time_entries[0].minutes(), 25);
    let report = store.service_report(id).expect("report");
    assert!(
        matches!(report.signature, Signature::Signed { .. }),
        "{:?}",
        report.signature
    );
    assert_eq!(report.sha256, visit.sign_off.expect("signed").report_sha256);

    // 3 status changes + travel + diagnosis + measurement + part + quote + 4 checklist + test
    // + approval + note + sign-off + completion = 17 actions, each one outbox entry, in order.
    let pending = store.pending_changes(1000).expect("outbox");
    let actions = &pending[baseline_seq as usize..];
    assert_eq!(actions.len(), 17);
    let seqs: Vec<i64> = pending.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=pending.len() as i64).collect::<Vec<_>>());
    assert_eq!(
        actions.last().map(|e| e.payload["to"].clone()),
        Some(serde_json::json!("completed"))
    );
    let hlcs: Vec<&str> = pending.iter().map(|e| e.hlc.as_str()).collect();
    assert!(
        hlcs.windows(2).all(|w| w[0] < w[1]),
        "HLC stamps increase with the seq"
    );
    store
        .read(|conn| {
            use onsite_core::store::field_stamp;
            let part = visit.parts[0].id;
            let part_stamp =
                field_stamp(conn, Entity::PartLine, part, "serial_in")?.expect("stamped");
            assert_eq!(
                field_stamp(conn, Entity::PartLine, part, "quantity")?,
                Some(part_stamp),
                "one insert stamp covers the row"
            );
            let job_stamp = field_stamp(conn, Entity::WorkOrder, id, "symptom")?.expect("stamped");
            let status_stamp =
                field_stamp(conn, Entity::WorkOrder, id, "status")?.expect("stamped");
            assert!(
                status_stamp > part_stamp && part_stamp > job_stamp,
                "the status field has its own, later stamp"
            );
            assert_eq!(
                status_stamp.to_string(),
                pending.last().expect("entries").hlc
            );
            Ok(())
        })
        .expect("field clocks");
}

#[test]
fn a_refused_completion_lists_every_missing_item_and_changes_nothing() {
    let f = Fixture::new();
    f.arrive();
    f.store
        .add_part_line(f.job.id, chargeable_pump())
        .expect("part");
    f.store
        .record_checklist_result(
            f.job.id,
            "leak_check",
            onsite_core::visit::checklist::Outcome::Fail,
            Some("drips at the hose".into()),
        )
        .expect("fail");
    let before = crate::fixture::snapshot(&f.store);
    let err = f
        .store
        .set_status(f.job.id, Status::Completed, Role::Engineer, None)
        .expect_err("refused");
    let Error::CompletionRefused { missing } = &err else {
        panic!("expected CompletionRefused, got {err:?}")
    };
    let kinds: Vec<String> = missing
        .iter()
        .map(|m| match m {
            MissingItem::ChecklistItem { key, .. } => format!("todo:{key}"),
            MissingItem::ChecklistItemFailed { key, .. } => format!("failed:{key}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "todo:isolate",
            "todo:error_memory",
            "failed:leak_check",
            "todo:clean_up",
            "FunctionTest",
            "CustomerApproval { total_cents: 6490 }",
            "Signature",
        ]
    );
    let message = err.to_string();
    assert!(
        message.contains("no function test recorded") && message.contains("64.90"),
        "{message}"
    );
    assert_eq!(crate::fixture::snapshot(&f.store), before);
    assert_eq!(
        f.store.missing_for_completion(f.job.id).expect("missing"),
        *missing
    );
}

#[test]
fn a_change_after_signing_shows_and_blocks_completion_until_signed_again() {
    let f = Fixture::new();
    f.arrive();
    f.pass_checklist();
    f.store
        .record_function_test(f.job.id, true, "ok".into())
        .expect("test");
    f.store
        .sign_off(f.job.id, "Anna Keller".into(), signature())
        .expect("sign");
    let signed = f.store.service_report(f.job.id).expect("report");
    f.store
        .add_note(f.job.id, "Customer asked about descaling".into())
        .expect("note after signing");
    let changed = f.store.service_report(f.job.id).expect("report");
    assert_ne!(changed.sha256, signed.sha256);
    assert!(
        matches!(changed.signature, Signature::ChangedAfterSigning { ref signed_sha256, .. } if *signed_sha256 == signed.sha256)
    );
    let err = f
        .store
        .set_status(f.job.id, Status::Completed, Role::Engineer, None)
        .expect_err("refused");
    assert!(
        matches!(err, Error::CompletionRefused { ref missing } if *missing == [MissingItem::ChangedAfterSigning]),
        "{err:?}"
    );
    f.store
        .sign_off(f.job.id, "Anna Keller".into(), signature())
        .expect("sign again");
    f.store
        .set_status(f.job.id, Status::Completed, Role::Engineer, None)
        .expect("completes");
}

#[test]
fn charges_changed_after_approval_need_a_new_approval() {
    let f = Fixture::new();
    f.arrive();
    f.store
        .add_part_line(f.job.id, chargeable_pump())
        .expect("part");
    f.store
        .decide_quote(f.job.id, true, "Anna Keller".into())
        .expect("approve");
    f.store
        .add_quote_line(f.job.id, "Call-out".into(), 1, 4500)
        .expect("more charges");
    let missing = f.store.missing_for_completion(f.job.id).expect("missing");
    assert!(
        missing.contains(&MissingItem::ApprovalOutdated {
            approved_total_cents: 6490,
            total_cents: 10990
        }),
        "{missing:?}"
    );
    f.store
        .decide_quote(f.job.id, false, "Anna Keller".into())
        .expect("declines");
    assert!(
        f.store
            .missing_for_completion(f.job.id)
            .expect("missing")
            .contains(&MissingItem::QuoteDeclined)
    );
    // Declined: the engineer leaves the job incomplete, with a reason.
    f.store
        .set_status(
            f.job.id,
            Status::Incomplete,
            Role::Engineer,
            Some("Customer declined the repair".into()),
        )
        .expect("incomplete");
}

#[test]
fn warranty_parts_need_no_approval_and_a_failed_test_blocks_completion() {
    let f = Fixture::with_warranty_until("2027-06-30");
    f.arrive();
    let mut part = chargeable_pump();
    part.billing = Billing::Warranty;
    f.store
        .add_part_line(f.job.id, part)
        .expect("warranty part");
    f.pass_checklist();
    f.store
        .record_function_test(f.job.id, false, "Still shows E18".into())
        .expect("failed test");
    let missing = f.store.missing_for_completion(f.job.id).expect("missing");
    assert_eq!(
        missing,
        [MissingItem::FunctionTestFailed, MissingItem::Signature]
    );
    f.store
        .record_function_test(f.job.id, true, "Drains after re-seating the hose".into())
        .expect("retest");
    f.store
        .sign_off(f.job.id, "Anna Keller".into(), signature())
        .expect("sign");
    f.store
        .set_status(f.job.id, Status::Completed, Role::Engineer, None)
        .expect("completes");
}

#[test]
fn the_latest_record_counts_even_when_the_device_clock_jumps_back() {
    let f = Fixture::new();
    f.arrive();
    f.pass_checklist();
    f.store
        .record_function_test(f.job.id, true, "Drains".into())
        .expect("first test");
    // The phone's clock is set back two hours (a manual change, a bad network time).
    f.clock.advance(Duration::hours(-2));
    f.store
        .record_function_test(f.job.id, false, "Leaks again at the sump".into())
        .expect("second test");
    f.store
        .set_status(f.job.id, Status::AwaitingParts, Role::Engineer, None)
        .expect("wait for parts");
    let visit = f.store.visit_record(f.job.id).expect("visit");
    assert!(
        !visit.function_test.as_ref().expect("tested").passed,
        "the later, failed test counts"
    );
    assert_eq!(
        visit.status_changes.last().map(|c| c.to),
        Some(Status::AwaitingParts)
    );
    assert!(
        f.store
            .missing_for_completion(f.job.id)
            .expect("missing")
            .contains(&MissingItem::FunctionTestFailed)
    );
}
