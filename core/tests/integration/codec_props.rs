//! The column codec (`store/columns.rs`) reads back every value the store writes (issue 9,
//! must-have 1): property tests over times and dates anywhere in the window (to the
//! millisecond and the day, both edges), ids of any bits, every value of the stored enums,
//! numbers and text up to their limits (any Unicode, control characters included), each written
//! through the action that stores it and read back through the store's own reads. Values
//! outside the window or the limits are refused at write with a typed `Invalid` naming the
//! field, and nothing is stored. `PROPTEST_CASES` sets the number of cases (default 64).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use onsite_core::assets::{self, AssetKind, NewAsset, NewContract};
use onsite_core::clock::{Hlc, format_time};
use onsite_core::error::Problem;
use onsite_core::store::Op;
use onsite_core::sync::replay;
use onsite_core::sync::wire::Mutation;
use onsite_core::validate::{EARLIEST, LATEST, NAME_MAX, PRICE_MAX_CENTS, QUANTITY_MAX, TEXT_MAX};
use onsite_core::visit::work::TimeKind;
use onsite_core::work_orders::Priority;
use onsite_core::work_orders::status::Role;
use onsite_core::{Entity, Error, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use serde_json::json;
use uuid::Uuid;

use crate::fixture::{Fixture, now};

fn ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).expect("a time chrono can hold")
}

/// Any instant inside the window, to the millisecond, with the edges more likely.
fn in_window() -> impl Strategy<Value = i64> {
    let (first, end) = (ms(EARLIEST), ms(LATEST));
    prop_oneof![
        1 => Just(first),
        1 => Just(end - 1),
        8 => first..end,
    ]
}

/// Any instant chrono can hold outside the window (year -262143 .. 262142), edges likely.
fn out_of_window() -> impl Strategy<Value = i64> {
    let (first, end) = (ms(EARLIEST), ms(LATEST));
    let (min, max) = (
        DateTime::<Utc>::MIN_UTC.timestamp_millis(),
        DateTime::<Utc>::MAX_UTC.timestamp_millis(),
    );
    prop_oneof![
        1 => Just(first - 1),
        1 => Just(end),
        4 => min..first,
        4 => end..max,
    ]
}

/// Text of `1..=max` characters of any Unicode (never blank: required fields refuse that).
fn text(max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(any::<char>(), 0..max.min(300)),
        prop::bool::weighted(0.05),
    )
        .prop_map(move |(chars, full)| {
            let mut s: String = std::iter::once('x').chain(chars).collect();
            if full {
                s = s.chars().cycle().take(max).collect();
            }
            s
        })
}

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    TestRunner::new(Config {
        cases,
        source_file: Some(file!()),
        // Beside this file: `<name>.proptest-regressions`, committed.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    })
}

/// The fields an `Invalid` error names as out of the window.
fn out_of_range(err: &Error) -> Vec<String> {
    match err {
        Error::Invalid { problems } => problems
            .iter()
            .filter(|p| matches!(p.problem, Problem::OutOfRange { .. }))
            .map(|p| p.field.clone())
            .collect(),
        other => panic!("not Invalid: {other:?}"),
    }
}

fn time_entries(store: &Store, f: &Fixture) -> usize {
    store
        .visit_record(f.job.id)
        .expect("the visit reads back")
        .time_entries
        .len()
}

#[test]
fn every_time_in_the_window_and_every_time_kind_reads_back_and_none_outside_is_written() {
    let f = Fixture::new();
    f.arrive();
    let kinds = prop::sample::select(TimeKind::ALL.to_vec());
    let inside = (
        kinds.clone(),
        in_window(),
        1..=Duration::days(2).num_milliseconds(),
    );
    runner()
        .run(&inside, |(kind, start, len)| {
            let end = (start + len).min(ms(LATEST) - 1).max(start + 1);
            if end >= ms(LATEST) {
                return Ok(()); // no instant after the last one
            }
            let made = f.store.add_time_entry(f.job.id, kind, at(start), at(end));
            let made = made.map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            let read = f
                .store
                .visit_record(f.job.id)
                .expect("the visit reads back");
            let back = read
                .time_entries
                .iter()
                .find(|t| t.id == made.id)
                .expect("stored");
            prop_assert_eq!(
                (back.kind, back.started_at, back.ended_at),
                (kind, at(start), at(end))
            );
            Ok(())
        })
        .expect("every time in the window reads back");

    let outside = (kinds, out_of_window(), in_window(), any::<bool>());
    runner()
        .run(&outside, |(kind, bad, good, bad_is_start)| {
            let (start, end) = if bad_is_start {
                (bad, good)
            } else {
                (good.min(bad), bad)
            };
            let before = time_entries(&f.store, &f);
            let err = f
                .store
                .add_time_entry(f.job.id, kind, at(start), at(end))
                .expect_err("a time outside the window is refused");
            let named = out_of_range(&err);
            prop_assert!(
                named == ["ended_at"] || start >= end,
                "{named:?} for {start}..{end}: {err}"
            );
            prop_assert_eq!(time_entries(&f.store, &f), before, "nothing was stored");
            Ok(())
        })
        .expect("no time outside the window is written");
}

#[test]
fn every_date_in_the_window_enum_and_text_reads_back_and_none_outside_is_written() {
    let f = Fixture::new();
    let detail = f.store.job_detail(f.job.id).expect("the job reads");
    let (customer, site) = (detail.customer.id, detail.site.id);
    let day = |ms: i64| at(ms).date_naive();
    let dates = (in_window(), in_window(), prop::option::of(in_window()));
    let rows = (
        dates,
        prop::sample::select(AssetKind::ALL.to_vec()),
        text(NAME_MAX),
        any::<u32>(),
        any::<(bool, bool)>(),
    );
    runner()
        .run(
            &rows,
            |((a, b, warranty), kind, name, visits, (parts, labour))| {
                let (starts_on, ends_on) = (day(a.min(b)), day(a.max(b)));
                let contract = f
                    .store
                    .create_contract(
                        customer,
                        NewContract {
                            plan: name.clone(),
                            starts_on,
                            ends_on,
                            visits_per_year: visits,
                            covers_parts: parts,
                            covers_labour: labour,
                        },
                    )
                    .map_err(|e| TestCaseError::fail(format!("contract refused: {e}")))?;
                let back = f
                    .store
                    .read(|c| assets::get_contract(c, contract.id))
                    .expect("reads");
                prop_assert_eq!(&back, &contract);
                prop_assert_eq!(
                    (back.starts_on, back.ends_on, back.visits_per_year),
                    (starts_on, ends_on, visits)
                );
                let new = NewAsset {
                    kind,
                    category: name.clone(),
                    brand: "Miele".into(),
                    model: name.clone(),
                    serial: "S1".into(),
                    firmware: None,
                    purchased_on: Some(starts_on),
                    installed_on: Some(ends_on),
                    warranty_ends_on: warranty.map(day),
                    contract_id: Some(contract.id),
                };
                let asset = f
                    .store
                    .create_asset(site, new)
                    .map_err(|e| TestCaseError::fail(format!("asset refused: {e}")))?;
                let back = f
                    .store
                    .read(|c| assets::get_asset(c, asset.id))
                    .expect("reads");
                prop_assert_eq!(&back, &asset);
                prop_assert_eq!(
                    (back.kind, back.model, back.warranty_ends_on),
                    (kind, name, warranty.map(day))
                );
                Ok(())
            },
        )
        .expect("every date in the window reads back");

    runner()
        .run(&(out_of_window(), in_window()), |(bad, good)| {
            let err = f
                .store
                .create_contract(
                    customer,
                    NewContract {
                        plan: "Care".into(),
                        starts_on: day(good.min(bad)),
                        ends_on: day(good.max(bad)),
                        visits_per_year: 1,
                        covers_parts: false,
                        covers_labour: false,
                    },
                )
                .expect_err("a date outside the window is refused");
            let named = out_of_range(&err);
            let field = if bad < good { "starts_on" } else { "ends_on" };
            prop_assert_eq!(named, vec![field.to_owned()]);
            Ok(())
        })
        .expect("no date outside the window is written");
}

#[test]
fn ids_of_any_bits_and_text_up_to_its_limit_read_back_and_longer_text_is_refused() {
    let f = Fixture::new();
    f.arrive();
    let stamp = |n: u32| {
        Hlc {
            wall_ms: now().timestamp_millis(),
            counter: n,
            node: Uuid::nil(),
        }
        .to_string()
    };
    let n = std::cell::Cell::new(0u32);
    runner()
        .run(&(any::<u128>(), text(TEXT_MAX)), |(bits, body)| {
            // A device chooses the ids of its rows: the server replays them as sent.
            let id = Uuid::from_u128(bits);
            n.set(n.get() + 1);
            let m = Mutation {
                seq: 1,
                mutation_id: Uuid::now_v7(),
                entity: Entity::Note,
                row_id: id,
                op: Op::Insert,
                payload: json!({ "work_order_id": f.job.id, "body": body,
                                 "recorded_at": format_time(now()) }),
                hlc: stamp(n.get()),
            };
            let replayed = f
                .store
                .import(|tx, ctx| replay::replay(tx, ctx, &m, Role::Engineer));
            if let Err(Error::Sqlite(e)) = &replayed {
                // A repeated random id (nil, max) is a constraint failure, as on the server.
                prop_assume!(
                    e.sqlite_error_code() != Some(rusqlite::ErrorCode::ConstraintViolation)
                );
            }
            replayed.map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            let read = f
                .store
                .visit_record(f.job.id)
                .expect("the visit reads back");
            let back = read.notes.iter().find(|x| x.id == id).expect("stored");
            prop_assert_eq!(&back.body, &body);
            Ok(())
        })
        .expect("every id and text reads back");

    let long = (TEXT_MAX + 1..TEXT_MAX + 40).prop_map(|len| "é".repeat(len));
    runner()
        .run(&long, |body| {
            let before = f.store.visit_record(f.job.id).expect("reads").notes.len();
            let err = f.store.add_note(f.job.id, body).expect_err("too long");
            prop_assert!(
                matches!(&err, Error::Invalid { problems } if problems.iter().any(|p| p.field == "body" && matches!(p.problem, Problem::TooLong { .. }))),
                "{err:?}"
            );
            prop_assert_eq!(f.store.visit_record(f.job.id).expect("reads").notes.len(), before);
            Ok(())
        })
        .expect("longer text is refused");
}

#[test]
fn numbers_and_priorities_read_back_within_their_limits_and_are_refused_outside() {
    let f = Fixture::new();
    f.arrive();
    let within = (
        1..=QUANTITY_MAX,
        0..=PRICE_MAX_CENTS,
        any::<f64>(),
        prop::sample::select(Priority::ALL.to_vec()),
    );
    runner()
        .run(&within, |(quantity, cents, value, priority)| {
            let line = f
                .store
                .add_quote_line(f.job.id, "Drain pump".into(), quantity, cents)
                .map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            let measured =
                f.store
                    .add_measurement(f.job.id, "Pressure".into(), value, "bar".into());
            let read = f
                .store
                .visit_record(f.job.id)
                .expect("the visit reads back");
            let back = read
                .quote_lines
                .iter()
                .find(|q| q.id == line.id)
                .expect("stored");
            prop_assert_eq!((back.quantity, back.unit_price_cents), (quantity, cents));
            match measured {
                Ok(m) => {
                    let back = read
                        .measurements
                        .iter()
                        .find(|x| x.id == m.id)
                        .expect("stored");
                    prop_assert!(value.is_finite());
                    prop_assert_eq!(back.value, value);
                }
                Err(Error::Invalid { problems }) => {
                    prop_assert!(!value.is_finite());
                    prop_assert!(
                        problems
                            .iter()
                            .any(|p| p.field == "value" && p.problem == Problem::NotFinite)
                    );
                }
                Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
            }
            let changes = [("priority".to_owned(), Some(priority.as_str().to_owned()))].into();
            f.store
                .edit_fields(Entity::WorkOrder, f.job.id, changes, Role::Dispatcher)
                .map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            let job = f
                .store
                .find_work_order(&f.job.id.to_string())
                .expect("reads");
            prop_assert_eq!(job.priority, priority);
            Ok(())
        })
        .expect("every number within its limits reads back");

    let outside = prop_oneof![
        (
            prop_oneof![i64::MIN..=0, QUANTITY_MAX + 1..=i64::MAX],
            Just(100)
        ),
        (
            Just(1i64),
            prop_oneof![i64::MIN..0, PRICE_MAX_CENTS + 1..=i64::MAX]
        ),
    ];
    runner()
        .run(&outside, |(quantity, cents)| {
            let before = f
                .store
                .visit_record(f.job.id)
                .expect("reads")
                .quote_lines
                .len();
            let err = f
                .store
                .add_quote_line(f.job.id, "Drain pump".into(), quantity, cents)
                .expect_err("outside the limits");
            prop_assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
            prop_assert_eq!(
                f.store
                    .visit_record(f.job.id)
                    .expect("reads")
                    .quote_lines
                    .len(),
                before
            );
            Ok(())
        })
        .expect("numbers outside their limits are refused");
}
