//! Pull pages and their cursors, on a real server database in a temp dir (no HTTP): a page is
//! never allowed to move the cursor past entries it did not cover.

use chrono::{Duration, Utc};
use std::collections::HashSet;

use chrono::NaiveDate;
use onsite_core::assets::{AssetKind, NewAsset, NewContract};
use onsite_core::customers::{NewCustomer, NewSite};
use onsite_core::sync::rows::parent_columns;
use onsite_core::work_orders::status::Role;
use onsite_core::work_orders::{NewWorkOrder, Priority, ReportedFault, Window, WorkOrderKind};
use onsite_core::{Entity, Error};
use onsite_server::db::{self, Db, UserRole};
use onsite_server::sync::{PULL_PAGE, pull};
use uuid::Uuid;

#[test]
fn a_full_page_of_entries_whose_rows_are_gone_does_not_skip_what_follows() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(dir.path()).expect("server database");
    let engineer = db
        .create_user("eng-a", UserRole::Engineer)
        .expect("engineer");
    let customer = db.store.create_customer(NewCustomer {
        name: "Household".into(),
        phone: None,
        email: None,
    })?;
    let site = db.store.create_site(
        customer.id,
        NewSite {
            address: "Somewhere 1".into(),
            access_notes: String::new(),
            contact_name: None,
            contact_phone: None,
        },
    )?;
    let start = Utc::now() + Duration::hours(1);
    let job = db.store.create_work_order(NewWorkOrder {
        number: "WO-1".into(),
        kind: WorkOrderKind::Repair,
        priority: Priority::Normal,
        customer_id: customer.id,
        site_id: site.id,
        asset_id: None,
        fault: ReportedFault {
            symptom: "Noisy".into(),
            error_code: None,
            since: None,
            trigger: None,
        },
        window: Window {
            start,
            end: start + Duration::hours(2),
        },
        assignee: Some(engineer.name.clone()),
        follow_up_of: None,
    })?;
    // A full page and one more of entries in eng-a's scope whose rows do not exist (what a
    // refused mutation leaves: it is re-logged under the id its device chose), then the job.
    let page = usize::try_from(PULL_PAGE).expect("a page size fits");
    db.store.import(|tx, _| {
        for _ in 0..=page {
            db::log_change(tx, Entity::Note, Uuid::now_v7(), Some(job.id))?;
        }
        db::log_change(tx, Entity::WorkOrder, job.id, Some(job.id))
    })?;

    let mut cursor = 0;
    let mut received = Vec::new();
    for _ in 0..10 {
        let answer = pull(&db, &engineer, cursor).expect("a page");
        assert!(answer.cursor >= cursor, "the cursor never goes back");
        received.extend(answer.changes.iter().map(|c| c.row["id"].clone()));
        cursor = answer.cursor;
        if !answer.more {
            break;
        }
    }
    let id = |id: Uuid| serde_json::Value::String(id.to_string());
    assert_eq!(
        received,
        [id(customer.id), id(site.id), id(job.id)],
        "the job after the empty page arrives, its parents before it"
    );
    Ok(())
}

/// A job handed to eng-a after eng-a's cursor passed all its rows: `touch_job` logs the rows
/// again, and at one entry per page each page must still bring every row after its parents
/// (before, the asset came a page before its contract and that page failed on the phone).
#[test]
fn at_one_entry_per_page_every_row_comes_after_its_parents() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(dir.path())
        .expect("server database")
        .with_pull_page(1);
    let engineer = db
        .create_user("eng-a", UserRole::Engineer)
        .expect("engineer");
    let customer = db.store.create_customer(NewCustomer {
        name: "Household".into(),
        phone: None,
        email: None,
    })?;
    let site = db.store.create_site(
        customer.id,
        NewSite {
            address: "Somewhere 1".into(),
            access_notes: String::new(),
            contact_name: None,
            contact_phone: None,
        },
    )?;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let contract = db.store.create_contract(
        customer.id,
        NewContract {
            plan: "Care".into(),
            starts_on: day("2025-01-01"),
            ends_on: day("2030-12-31"),
            visits_per_year: 1,
            covers_parts: true,
            covers_labour: true,
        },
    )?;
    let asset = db.store.create_asset(
        site.id,
        NewAsset {
            kind: AssetKind::Appliance,
            category: "dishwasher".into(),
            brand: "Bosch".into(),
            model: "SMS".into(),
            serial: "B1".into(),
            firmware: None,
            purchased_on: None,
            installed_on: None,
            warranty_ends_on: None,
            contract_id: Some(contract.id),
        },
    )?;
    let start = Utc::now() + Duration::hours(1);
    let job = db.store.create_work_order(NewWorkOrder {
        number: "WO-1".into(),
        kind: WorkOrderKind::Repair,
        priority: Priority::Normal,
        customer_id: customer.id,
        site_id: site.id,
        asset_id: Some(asset.id),
        fault: ReportedFault {
            symptom: "Leaks".into(),
            error_code: None,
            since: None,
            trigger: None,
        },
        window: Window {
            start,
            end: start + Duration::hours(2),
        },
        assignee: None,
        follow_up_of: None,
    })?;
    // Everything so far is logged and out of eng-a's scope: their cursor passes it.
    db.store.import(|tx, _| {
        for (entity, id) in [
            (Entity::Customer, customer.id),
            (Entity::Site, site.id),
            (Entity::Contract, contract.id),
            (Entity::Asset, asset.id),
        ] {
            db::log_change(tx, entity, id, None)?;
        }
        db::log_change(tx, Entity::WorkOrder, job.id, Some(job.id))
    })?;
    let mut cursor = 0;
    loop {
        let answer = pull(&db, &engineer, cursor).expect("a page");
        assert!(answer.changes.is_empty(), "nothing of eng-a's yet");
        cursor = answer.cursor;
        if !answer.more {
            break;
        }
    }
    db.store.assign(job.id, "eng-a".into(), Role::Dispatcher)?;
    db.store.import(|tx, _| db::touch_job(tx, job.id))?;

    let mut held: HashSet<(Entity, String)> = HashSet::new();
    let mut pages = 0;
    loop {
        let answer = pull(&db, &engineer, cursor).expect("a page");
        pages += 1;
        for change in &answer.changes {
            for (column, parent) in parent_columns(change.entity) {
                if let Some(id) = change.row.get(*column).and_then(|v| v.as_str()) {
                    assert!(
                        held.contains(&(*parent, id.to_owned())),
                        "page {pages}: a {:?} before its {column}",
                        change.entity
                    );
                }
            }
            let id = change.row["id"].as_str().expect("id").to_owned();
            held.insert((change.entity, id));
        }
        cursor = answer.cursor;
        if !answer.more {
            break;
        }
    }
    assert!(pages > 1, "one entry per page");
    assert!(held.contains(&(Entity::WorkOrder, job.id.to_string())));
    assert!(held.contains(&(Entity::Contract, contract.id.to_string())));
    Ok(())
}
