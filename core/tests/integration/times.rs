//! Times and dates outside the store's window (a typo such as year 10000 or 0001, a phone
//! clock set far off) are refused with a typed error naming the field, and nothing is stored:
//! a value the store cannot read back would block the visit for good, on every device. Also the
//! office attaching a contract of another customer to an asset (its job could never sync).

use chrono::{DateTime, Duration, TimeZone, Utc};
use onsite_core::assets::{AssetKind, NewAsset, NewContract};
use onsite_core::customers::NewCustomer;
use onsite_core::error::Problem;
use onsite_core::validate::{EARLIEST, LATEST};
use onsite_core::visit::work::TimeKind;
use onsite_core::{Error, Store};

use crate::fixture::{Fixture, now, snapshot};

fn at(year: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .single()
        .expect("a time chrono can hold")
}

/// The fields an `Invalid` error says are out of the window.
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

fn visit_still_reads(store: &Store, f: &Fixture) {
    store.visit_record(f.job.id).expect("the visit reads back");
    store.service_report(f.job.id).expect("the report builds");
}

#[test]
fn a_time_entry_in_year_10000_or_0001_is_refused_and_the_visit_stays_usable() {
    let f = Fixture::new();
    f.arrive();
    let before = snapshot(&f.store);
    for year in [10_000, 1, 1999, 2100] {
        let err = f
            .store
            .add_time_entry(
                f.job.id,
                TimeKind::OnSite,
                at(year),
                at(year) + Duration::hours(1),
            )
            .expect_err("a time outside the window is refused");
        assert_eq!(out_of_range(&err), ["ended_at"], "year {year}: {err}");
        assert!(err.to_string().contains("2000-01-01"), "{err}");
    }
    // Ending outside the window, starting inside it, is refused too.
    let err = f
        .store
        .add_time_entry(f.job.id, TimeKind::OnSite, at(2099), at(10_000))
        .expect_err("the end is outside the window");
    assert_eq!(out_of_range(&err), ["ended_at"]);
    assert_eq!(snapshot(&f.store), before, "nothing was stored");
    visit_still_reads(&f.store, &f);
    // The window's own edges: the first day is in, the day after the last is out.
    f.store
        .add_time_entry(
            f.job.id,
            TimeKind::Travel,
            at(2000),
            at(2000) + Duration::minutes(1),
        )
        .expect("2000-01-01 is inside");
    assert_eq!(
        (EARLIEST.to_string(), LATEST.to_string()),
        ("2000-01-01".into(), "2100-01-01".into())
    );
}

#[test]
fn a_clock_set_far_off_refuses_actions_instead_of_writing_unreadable_rows() {
    let f = Fixture::new();
    f.arrive();
    let before = snapshot(&f.store);
    f.clock.advance(at(10_000) - now());
    let err = f
        .store
        .add_note(f.job.id, "written with a broken clock".into())
        .expect_err("the clock is outside the window");
    assert_eq!(out_of_range(&err), ["clock"]);
    f.clock.advance(now() - at(10_000));
    assert_eq!(snapshot(&f.store), before, "nothing was stored");
    // A phone reset to 1970 cannot record work, but still takes what the server sends (and so
    // learns the server's time): its times read back.
    f.clock.advance(at(1970) - now());
    let err = f
        .store
        .add_note(f.job.id, "written in 1970".into())
        .expect_err("an action needs a clock in the window");
    assert_eq!(out_of_range(&err), ["clock"]);
    f.store
        .import(|tx, ctx| onsite_core::sync::apply::record_success(tx, ctx.now()))
        .expect("a pull's bookkeeping still works");
    f.clock.advance(now() - at(1970));
    f.store
        .add_note(f.job.id, "the clock is right again".into())
        .expect("actions work again once the clock is right");
    visit_still_reads(&f.store, &f);
}

fn new_asset(contract_id: Option<uuid::Uuid>, purchased_on: &str) -> NewAsset {
    NewAsset {
        kind: AssetKind::Appliance,
        category: "dishwasher".into(),
        brand: "Miele".into(),
        model: "G 7100".into(),
        serial: "MI0001".into(),
        firmware: None,
        purchased_on: Some(purchased_on.parse().expect("date")),
        installed_on: None,
        warranty_ends_on: None,
        contract_id,
    }
}

fn contract(starts_on: &str, ends_on: &str) -> NewContract {
    NewContract {
        plan: "Care".into(),
        starts_on: starts_on.parse().expect("date"),
        ends_on: ends_on.parse().expect("date"),
        visits_per_year: 1,
        covers_parts: true,
        covers_labour: false,
    }
}

#[test]
fn the_office_cannot_attach_another_customers_contract_or_out_of_window_dates() {
    let f = Fixture::new();
    let other = f
        .store
        .create_customer(NewCustomer {
            name: "Other household".into(),
            phone: None,
            email: None,
        })
        .expect("customer");
    let theirs = f
        .store
        .create_contract(other.id, contract("2026-01-01", "2026-12-31"))
        .expect("contract");
    let before = snapshot(&f.store);
    let err = f
        .store
        .create_asset(f.job.site_id, new_asset(Some(theirs.id), "2024-01-31"))
        .expect_err("another customer's contract");
    match &err {
        Error::Invalid { problems } => assert_eq!(problems[0].field, "contract_id", "{err}"),
        other => panic!("not Invalid: {other:?}"),
    }
    let err = f
        .store
        .create_asset(f.job.site_id, new_asset(None, "+10000-01-31"))
        .expect_err("a purchase in year 10000");
    assert_eq!(out_of_range(&err), ["purchased_on"]);
    let err = f
        .store
        .create_contract(f.job.customer_id, contract("0001-01-01", "2026-12-31"))
        .expect_err("a contract from year 1");
    assert_eq!(out_of_range(&err), ["starts_on"]);
    assert_eq!(snapshot(&f.store), before, "nothing was stored");
    // The site's own customer's contract is fine.
    let ours = f
        .store
        .create_contract(f.job.customer_id, contract("2026-01-01", "2026-12-31"))
        .expect("contract");
    f.store
        .create_asset(f.job.site_id, new_asset(Some(ours.id), "2024-01-31"))
        .expect("the site's customer's contract");
}
