//! `onsite-tests`: end-to-end and fault-injection tests over real processes and real store
//! files. This library holds what the test binaries and their child processes share.

pub mod harness;
pub mod proxy;
pub mod scenario;
pub mod server;

use std::path::Path;

use chrono::{Duration, Utc};
use onsite_core::Store;
use onsite_core::assets::{AssetKind, NewAsset};
use onsite_core::customers::{NewCustomer, NewSite};
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::work_orders::{NewWorkOrder, Priority, ReportedFault, Window, WorkOrderKind};
use uuid::Uuid;

/// Creates a store at `path` with one job that the engineer has reached (on site), ready for
/// visit records. Returns the job's id.
pub fn store_with_job_on_site(path: &Path) -> onsite_core::Result<Uuid> {
    let store = Store::open(path)?;
    let customer = store.create_customer(NewCustomer {
        name: "Crash Test Customer".into(),
        ..Default::default()
    })?;
    let site = store.create_site(
        customer.id,
        NewSite {
            address: "Teststraße 1, 10115 Berlin".into(),
            ..Default::default()
        },
    )?;
    let asset = store.create_asset(
        site.id,
        NewAsset {
            kind: AssetKind::Appliance,
            category: "dishwasher".into(),
            brand: "Siemens".into(),
            model: "SN65ZX49CE".into(),
            serial: "SI00000001".into(),
            firmware: None,
            purchased_on: None,
            installed_on: None,
            warranty_ends_on: None,
            contract_id: None,
        },
    )?;
    let start = Utc::now();
    let job = store.create_work_order(NewWorkOrder {
        number: "WO-CRASH".into(),
        kind: WorkOrderKind::Repair,
        priority: Priority::Normal,
        customer_id: customer.id,
        site_id: site.id,
        asset_id: Some(asset.id),
        fault: ReportedFault {
            symptom: "Leaks".into(),
            error_code: Some("E15".into()),
            since: None,
            trigger: None,
        },
        window: Window {
            start,
            end: start + Duration::hours(2),
        },
        assignee: Some("eng-1".into()),
        follow_up_of: None,
    })?;
    for to in [Status::Accepted, Status::OnSite] {
        store.set_status(job.id, to, Role::Engineer, None)?;
    }
    Ok(job.id)
}

/// The `n`-th action of the crash child: a note, a part line, a measurement or a status change
/// (on site <-> awaiting parts, which writes the job, its history row and their stamps), in turn.
/// Returns the entity name and the new row's id.
pub fn numbered_action(
    store: &Store,
    job: Uuid,
    n: u64,
) -> onsite_core::Result<(&'static str, Uuid)> {
    Ok(match n % 4 {
        0 => ("notes", store.add_note(job, format!("action-{n}"))?.id),
        1 => (
            "part_lines",
            store
                .add_part_line(
                    job,
                    NewPartLine {
                        direction: PartDirection::Installed,
                        part_number: format!("P-{n}"),
                        description: "Sump seal".into(),
                        quantity: 1,
                        serial_in: None,
                        serial_out: None,
                        billing: Billing::Chargeable,
                        unit_price_cents: 1290,
                    },
                )?
                .id,
        ),
        3 => {
            let to = match store.find_work_order(&job.to_string())?.status {
                Status::OnSite => Status::AwaitingParts,
                _ => Status::OnSite,
            };
            let change = store.set_status(job, to, Role::Engineer, Some(format!("action-{n}")))?;
            ("status_changes", change.id)
        }
        _ => (
            "measurements",
            store
                .add_measurement(job, format!("action-{n}"), n as f64, "bar".into())?
                .id,
        ),
    })
}

/// A whole repair visit on `store` for `job` (assigned, a chargeable drain pump): status moves,
/// diagnosis, part, approval, checklist, function test, signature, completion.
pub fn complete_visit(store: &onsite_core::Store, job: Uuid) {
    for to in [Status::Accepted, Status::EnRoute, Status::OnSite] {
        store
            .set_status(job, to, Role::Engineer, None)
            .expect("move");
    }
    store
        .add_diagnosis(
            job,
            onsite_core::visit::findings::NewDiagnosis {
                symptom: "Water in drum".into(),
                cause: "Drain pump worn".into(),
                error_codes: vec!["F11".into()],
            },
        )
        .expect("diagnosis");
    store
        .add_part_line(
            job,
            NewPartLine {
                direction: PartDirection::Installed,
                part_number: "11034430".into(),
                description: "Drain pump".into(),
                quantity: 1,
                serial_in: Some("N1".into()),
                serial_out: None,
                billing: Billing::Chargeable,
                unit_price_cents: 8950,
            },
        )
        .expect("part");
    store
        .decide_quote(job, true, "Paul Klein".into())
        .expect("approval");
    for item in
        onsite_core::visit::checklist::template(onsite_core::work_orders::WorkOrderKind::Repair)
            .iter()
            .filter(|i| i.required)
    {
        store
            .record_checklist_result(
                job,
                &item.key,
                onsite_core::visit::checklist::Outcome::Pass,
                None,
            )
            .expect("check");
    }
    store
        .record_function_test(job, true, "Full cycle".into())
        .expect("test");
    let strokes = vec![onsite_core::visit::signoff::Stroke {
        points: vec![
            onsite_core::visit::signoff::StrokePoint {
                x: 1.0,
                y: 2.0,
                t_ms: 0,
            },
            onsite_core::visit::signoff::StrokePoint {
                x: 9.0,
                y: 5.0,
                t_ms: 20,
            },
        ],
    }];
    store
        .sign_off(job, "Paul Klein".into(), strokes)
        .expect("sign");
    store
        .set_status(job, Status::Completed, Role::Engineer, None)
        .expect("complete");
}
