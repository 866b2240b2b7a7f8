//! Every bad input gets a typed error and leaves the store exactly as it was.

use chrono::Duration;
use onsite_core::error::{FieldProblem, Problem};
use onsite_core::visit::checklist::Outcome;
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::signoff::{Stroke, StrokePoint};
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection, TimeKind};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::work_orders::{NewWorkOrder, Priority, ReportedFault, Window, WorkOrderKind};
use onsite_core::{Entity, Error};

use crate::fixture::{Fixture, now, signature, snapshot, unknown_id};

/// Runs `bad` and checks it fails as `expected` says, and that nothing was written.
fn refused<T: std::fmt::Debug>(
    f: &Fixture,
    bad: impl FnOnce() -> onsite_core::Result<T>,
    expected: impl FnOnce(&Error) -> bool,
) {
    let before = snapshot(&f.store);
    let err = bad().expect_err("bad input is refused");
    assert!(expected(&err), "unexpected error: {err:?}");
    assert!(!err.to_string().is_empty());
    assert_eq!(snapshot(&f.store), before, "nothing changed after {err}");
}

fn problems(err: &Error) -> Vec<(String, Problem)> {
    match err {
        Error::Invalid { problems } => problems
            .iter()
            .map(|FieldProblem { field, problem }| (field.clone(), problem.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn part(quantity: i64, price: i64) -> NewPartLine {
    NewPartLine {
        direction: PartDirection::Installed,
        part_number: "00145787".into(),
        description: "Drain pump".into(),
        quantity,
        serial_in: None,
        serial_out: None,
        billing: Billing::Chargeable,
        unit_price_cents: price,
    }
}

#[test]
fn illegal_transitions_say_from_to_and_role() {
    let f = Fixture::new();
    refused(
        &f,
        || {
            f.store
                .set_status(f.job.id, Status::OnSite, Role::Engineer, None)
        },
        |e| {
            matches!(
                e,
                Error::IllegalTransition {
                    from: Status::Assigned,
                    to: Status::OnSite,
                    role: Role::Engineer
                }
            ) && e.to_string()
                == "status change assigned -> on_site is not allowed for the engineer role"
        },
    );
    refused(
        &f,
        || {
            f.store
                .set_status(f.job.id, Status::Accepted, Role::Dispatcher, None)
        },
        |e| {
            matches!(
                e,
                Error::IllegalTransition {
                    role: Role::Dispatcher,
                    ..
                }
            )
        },
    );
    refused(
        &f,
        || {
            f.store.set_status(
                f.job.id,
                Status::Cancelled,
                Role::Engineer,
                Some("no".into()),
            )
        },
        |e| {
            matches!(
                e,
                Error::IllegalTransition {
                    to: Status::Cancelled,
                    ..
                }
            )
        },
    );
    refused(
        &f,
        || {
            f.store
                .set_status(f.job.id, Status::Cancelled, Role::Dispatcher, None)
        },
        |e| problems(e) == [("reason".to_owned(), Problem::Empty)],
    );
    f.store
        .set_status(
            f.job.id,
            Status::Cancelled,
            Role::Dispatcher,
            Some("Customer called off".into()),
        )
        .expect("cancel");
    refused(
        &f,
        || {
            f.store
                .set_status(f.job.id, Status::Assigned, Role::Dispatcher, None)
        },
        |e| {
            matches!(
                e,
                Error::IllegalTransition {
                    from: Status::Cancelled,
                    ..
                }
            )
        },
    );
    refused(
        &f,
        || f.store.add_note(f.job.id, "late note".into()),
        |e| {
            matches!(
                e,
                Error::NotOpenForRecords {
                    status: Status::Cancelled,
                    ..
                }
            )
        },
    );
}

#[test]
fn records_need_the_engineer_on_site() {
    let f = Fixture::new();
    refused(
        &f,
        || f.store.add_part_line(f.job.id, part(1, 100)),
        |e| {
            matches!(
                e,
                Error::NotOpenForRecords {
                    status: Status::Assigned,
                    action: "recording a part"
                }
            )
        },
    );
    refused(
        &f,
        || f.store.sign_off(f.job.id, "Anna".into(), signature()),
        |e| matches!(e, Error::NotOpenForRecords { .. }),
    );
}

#[test]
fn unknown_ids_are_not_found() {
    let f = Fixture::new();
    let ghost = unknown_id();
    let is_missing_job = |e: &Error| matches!(e, Error::NotFound { entity: Entity::WorkOrder, id } if *id == ghost.to_string());
    refused(
        &f,
        || {
            f.store
                .set_status(ghost, Status::Accepted, Role::Engineer, None)
        },
        is_missing_job,
    );
    refused(&f, || f.store.add_note(ghost, "x".into()), is_missing_job);
    refused(
        &f,
        || f.store.add_part_line(ghost, part(1, 1)),
        is_missing_job,
    );
    refused(
        &f,
        || f.store.sign_off(ghost, "Anna".into(), signature()),
        is_missing_job,
    );
    assert!(matches!(
        f.store.job_detail(ghost),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        f.store.visit_record(ghost),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        f.store.service_report(ghost),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        f.store.find_work_order("WO-404"),
        Err(Error::NotFound { .. })
    ));
    refused(
        &f,
        || f.store.mark_conflict_seen(ghost),
        |e| {
            matches!(
                e,
                Error::NotFound {
                    entity: Entity::Conflict,
                    ..
                }
            )
        },
    );
    refused(
        &f,
        || f.store.create_site(ghost, Default::default()),
        |e| !problems(e).is_empty(),
    );
    refused(
        &f,
        || {
            f.store.create_site(
                ghost,
                onsite_core::customers::NewSite {
                    address: "x".into(),
                    ..Default::default()
                },
            )
        },
        |e| {
            matches!(
                e,
                Error::NotFound {
                    entity: Entity::Customer,
                    ..
                }
            )
        },
    );
}

#[test]
fn quantities_prices_and_measurements_must_make_sense() {
    let f = Fixture::new();
    f.arrive();
    for (q, p, field, problem) in [
        (0, 100, "quantity", Problem::NotPositive),
        (-2, 100, "quantity", Problem::NotPositive),
        (
            1_000_000,
            100,
            "quantity",
            Problem::TooLarge { max: 10_000 },
        ),
        (1, -1, "unit_price_cents", Problem::Negative),
    ] {
        refused(
            &f,
            || f.store.add_part_line(f.job.id, part(q, p)),
            |e| problems(e) == [(field.to_owned(), problem.clone())],
        );
    }
    refused(
        &f,
        || f.store.add_quote_line(f.job.id, "Labour".into(), 0, -5),
        |e| problems(e).len() == 2,
    );
    refused(
        &f,
        || {
            f.store
                .add_measurement(f.job.id, "Pressure".into(), f64::NAN, "bar".into())
        },
        |e| problems(e) == [("value".to_owned(), Problem::NotFinite)],
    );
    refused(
        &f,
        || {
            f.store
                .record_checklist_result(f.job.id, "no_such_item", Outcome::Pass, None)
        },
        |e| matches!(problems(e).as_slice(), [(field, Problem::NotOneOf { .. })] if field == "item_key"),
    );
    refused(
        &f,
        || f.store.decide_quote(f.job.id, true, "Anna".into()),
        |e| problems(e) == [("charges".to_owned(), Problem::NoItems)],
    );
}

#[test]
fn windows_must_end_after_they_start() {
    let f = Fixture::new();
    f.arrive();
    let t = now();
    refused(
        &f,
        || {
            f.store
                .add_time_entry(f.job.id, TimeKind::OnSite, t, t - Duration::minutes(5))
        },
        |e| problems(e) == [("ended_at".to_owned(), Problem::EndBeforeStart)],
    );
    let job = &f.job;
    refused(
        &f,
        || {
            f.store.create_work_order(NewWorkOrder {
                number: "WO-2".into(),
                kind: WorkOrderKind::Repair,
                priority: Priority::Normal,
                customer_id: job.customer_id,
                site_id: job.site_id,
                asset_id: job.asset_id,
                fault: ReportedFault {
                    symptom: "Noisy".into(),
                    error_code: None,
                    since: None,
                    trigger: None,
                },
                window: Window { start: t, end: t },
                assignee: None,
                follow_up_of: None,
            })
        },
        |e| problems(e) == [("window".to_owned(), Problem::EndBeforeStart)],
    );
}

#[test]
fn names_and_texts_have_limits_and_every_problem_is_listed() {
    let f = Fixture::new();
    f.arrive();
    refused(
        &f,
        || f.store.sign_off(f.job.id, "   ".into(), signature()),
        |e| problems(e) == [("signer_name".to_owned(), Problem::Empty)],
    );
    refused(
        &f,
        || f.store.sign_off(f.job.id, "Anna".into(), Vec::new()),
        |e| problems(e) == [("strokes".to_owned(), Problem::NoItems)],
    );
    let nan = vec![Stroke {
        points: vec![StrokePoint {
            x: f32::NAN,
            y: 0.0,
            t_ms: 0,
        }],
    }];
    refused(
        &f,
        || f.store.sign_off(f.job.id, "Anna".into(), nan),
        |e| problems(e) == [("strokes".to_owned(), Problem::NotFinite)],
    );
    let long = "x".repeat(4_001);
    refused(
        &f,
        || f.store.add_note(f.job.id, long.clone()),
        |e| {
            problems(e)
                == [(
                    "body".to_owned(),
                    Problem::TooLong {
                        max: 4_000,
                        len: 4_001,
                    },
                )]
        },
    );
    refused(
        &f,
        || {
            f.store.add_diagnosis(
                f.job.id,
                NewDiagnosis {
                    symptom: String::new(),
                    cause: long.clone(),
                    error_codes: vec!["E".repeat(65)],
                },
            )
        },
        |e| {
            problems(e)
                .iter()
                .map(|(field, _)| field.as_str())
                .collect::<Vec<_>>()
                == ["symptom", "cause", "error_codes"]
        },
    );
}

#[test]
fn a_duplicate_work_order_number_is_refused() {
    let f = Fixture::new();
    let job = &f.job;
    refused(
        &f,
        || {
            f.store.create_work_order(NewWorkOrder {
                number: job.number.clone(),
                kind: WorkOrderKind::Repair,
                priority: Priority::Normal,
                customer_id: job.customer_id,
                site_id: job.site_id,
                asset_id: None,
                fault: ReportedFault {
                    symptom: "Noisy".into(),
                    error_code: None,
                    since: None,
                    trigger: None,
                },
                window: job.window,
                assignee: None,
                follow_up_of: None,
            })
        },
        |e| matches!(problems(e).as_slice(), [(field, Problem::AlreadyUsed { .. })] if field == "number"),
    );
}

#[test]
fn billing_must_agree_with_the_coverage() {
    let f = Fixture::new(); // warranty over: chargeable
    f.arrive();
    let mut free = part(1, 0);
    free.billing = Billing::Warranty;
    refused(
        &f,
        || f.store.add_part_line(f.job.id, free.clone()),
        |e| matches!(problems(e).as_slice(), [(field, Problem::Inconsistent { .. })] if field == "billing"),
    );
    let mut removed = part(1, 500);
    removed.direction = PartDirection::Removed;
    refused(
        &f,
        || f.store.add_part_line(f.job.id, removed.clone()),
        |e| matches!(problems(e).as_slice(), [(field, Problem::Inconsistent { detail })] if field == "billing" && detail.contains("removed")),
    );
    removed.billing = Billing::Warranty;
    f.store
        .add_part_line(f.job.id, removed)
        .expect("a removed part, not charged");
}

#[test]
fn windows_longer_than_a_day_and_assignment_without_an_engineer_are_refused() {
    let f = Fixture::new();
    let job = &f.job;
    let t = now();
    refused(
        &f,
        || {
            f.store.create_work_order(NewWorkOrder {
                number: "WO-LONG".into(),
                kind: WorkOrderKind::Installation,
                priority: Priority::Normal,
                customer_id: job.customer_id,
                site_id: job.site_id,
                asset_id: None,
                fault: ReportedFault {
                    symptom: "New oven".into(),
                    error_code: None,
                    since: None,
                    trigger: None,
                },
                window: Window {
                    start: t,
                    end: t + Duration::hours(25),
                },
                assignee: None,
                follow_up_of: None,
            })
        },
        |e| matches!(problems(e).as_slice(), [(field, Problem::Inconsistent { .. })] if field == "window"),
    );
    // Declining clears the assignee; the job cannot go back to assigned without one.
    f.store
        .set_status(
            job.id,
            Status::New,
            Role::Engineer,
            Some("Not my area".into()),
        )
        .expect("decline");
    assert_eq!(f.store.find_work_order("WO-1").expect("job").assignee, None);
    refused(
        &f,
        || {
            f.store
                .set_status(job.id, Status::Assigned, Role::Dispatcher, None)
        },
        |e| problems(e) == [("assignee".to_owned(), Problem::Empty)],
    );
    refused(
        &f,
        || f.store.assign(job.id, "eng-2".into(), Role::Engineer),
        |e| {
            matches!(
                e,
                Error::NotPermitted {
                    role: Role::Engineer,
                    ..
                }
            )
        },
    );
    let assigned = f
        .store
        .assign(job.id, "eng-2".into(), Role::Dispatcher)
        .expect("dispatcher assigns");
    assert_eq!(
        (assigned.status, assigned.assignee.as_deref()),
        (Status::Assigned, Some("eng-2"))
    );
}
