//! Pull pages and their cursors, on a real server database in a temp dir (no HTTP): a page is
//! never allowed to move the cursor past entries it did not cover.

use chrono::{Duration, Utc};
use onsite_core::customers::{NewCustomer, NewSite};
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
    assert_eq!(
        received,
        [serde_json::Value::String(job.id.to_string())],
        "the job after the empty page arrives"
    );
    Ok(())
}
