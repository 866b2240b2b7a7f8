//! A store on a real file in a temp dir, a fixed clock, and one job ready for a visit.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use onsite_core::assets::{AssetKind, NewAsset};
use onsite_core::clock::ManualClock;
use onsite_core::customers::{NewCustomer, NewSite};
use onsite_core::visit::checklist::{self, Outcome};
use onsite_core::visit::signoff::{Stroke, StrokePoint};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::work_orders::{
    NewWorkOrder, Priority, ReportedFault, Window, WorkOrder, WorkOrderKind,
};
use onsite_core::{Store, seed};
use tempfile::TempDir;
use uuid::Uuid;

/// 2026-11-23 09:30 UTC: the fixed "now" of every test.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0)
        .single()
        .expect("valid time")
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

pub struct Fixture {
    pub dir: TempDir,
    pub clock: Arc<ManualClock>,
    pub store: Store,
    pub job: WorkOrder,
}

impl Fixture {
    /// An empty store plus one repair job for today, assigned to the engineer; the washing
    /// machine's warranty ended 2026-01-31, so the visit is chargeable.
    pub fn new() -> Fixture {
        Fixture::with_warranty_until("2026-01-31")
    }

    /// Like [`Fixture::new`], with the warranty ending on `last_day`.
    pub fn with_warranty_until(last_day: &str) -> Fixture {
        let dir = TempDir::new().expect("temp dir");
        let clock = Arc::new(ManualClock::new(now()));
        let store =
            Store::open_with_clock(dir.path().join("eng.db"), clock.clone()).expect("store opens");
        let job = add_job(
            &store,
            "WO-1",
            now() + Duration::minutes(30),
            Some(last_day),
        );
        Fixture {
            dir,
            clock,
            store,
            job,
        }
    }

    pub fn reopen(&self) -> Store {
        Store::open_with_clock(self.dir.path().join("eng.db"), self.clock.clone())
            .expect("store reopens")
    }

    /// Moves the job to on site as the engineer.
    pub fn arrive(&self) {
        for to in [Status::Accepted, Status::EnRoute, Status::OnSite] {
            self.store
                .set_status(self.job.id, to, Role::Engineer, None)
                .expect("engineer moves the job");
        }
    }

    /// Records every required checklist item as passed.
    pub fn pass_checklist(&self) {
        for item in checklist::template(self.job.kind)
            .iter()
            .filter(|i| i.required)
        {
            self.store
                .record_checklist_result(self.job.id, &item.key, Outcome::Pass, None)
                .expect("checklist result");
        }
    }
}

/// A customer, site, washing machine (warranty until `warranty_ends_on`) and a job at `start`.
pub fn add_job(
    store: &Store,
    number: &str,
    start: DateTime<Utc>,
    warranty_ends_on: Option<&str>,
) -> WorkOrder {
    let customer = store
        .create_customer(NewCustomer {
            name: "Anna Keller".into(),
            phone: Some("+49 30 1234567".into()),
            email: None,
        })
        .expect("customer");
    let site = store
        .create_site(
            customer.id,
            NewSite {
                address: "Lindenstraße 12, 10115 Berlin".into(),
                access_notes: "Key safe left of the door".into(),
                contact_name: None,
                contact_phone: None,
            },
        )
        .expect("site");
    let asset = store
        .create_asset(
            site.id,
            NewAsset {
                kind: AssetKind::Appliance,
                category: "washing machine".into(),
                brand: "Bosch".into(),
                model: "WAX32M40".into(),
                serial: "BO12345678".into(),
                firmware: None,
                purchased_on: Some("2024-01-31".parse().expect("date")),
                installed_on: None,
                warranty_ends_on: warranty_ends_on.map(|d| d.parse().expect("date")),
                contract_id: None,
            },
        )
        .expect("asset");
    store
        .create_work_order(NewWorkOrder {
            number: number.into(),
            kind: WorkOrderKind::Repair,
            priority: Priority::High,
            customer_id: customer.id,
            site_id: site.id,
            asset_id: Some(asset.id),
            fault: ReportedFault {
                symptom: "Stops mid-cycle with water in the drum".into(),
                error_code: Some("E18".into()),
                since: Some("since Monday".into()),
                trigger: Some("at the start of the spin".into()),
            },
            window: Window {
                start,
                end: start + Duration::hours(2),
            },
            assignee: Some("eng-1".into()),
            follow_up_of: None,
        })
        .expect("work order")
}

pub fn signature() -> Vec<Stroke> {
    vec![Stroke {
        points: vec![
            StrokePoint {
                x: 1.0,
                y: 2.0,
                t_ms: 0,
            },
            StrokePoint {
                x: 30.0,
                y: 12.5,
                t_ms: 40,
            },
        ],
    }]
}

/// Every table's row count plus the device row: equal snapshots mean nothing was written.
pub fn snapshot(store: &Store) -> Vec<(String, i64)> {
    store
        .read(|conn| {
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::new();
            for t in tables {
                let n: i64 =
                    conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
                out.push((t, n));
            }
            let device: String = conn.query_row(
                "SELECT next_outbox_seq || '/' || hlc_wall_ms || '/' || hlc_counter FROM device",
                [],
                |r| r.get(0),
            )?;
            out.push((format!("device {device}"), 0));
            let statuses: String =
                conn.query_row("SELECT group_concat(status) FROM work_orders", [], |r| {
                    r.get(0)
                })?;
            out.push((format!("statuses {statuses}"), 0));
            Ok(out)
        })
        .expect("snapshot reads")
}

/// A seeded demo store for query tests.
pub fn seeded(work_orders: usize, earlier_visits: usize) -> (TempDir, Store, seed::SeedSummary) {
    let dir = TempDir::new().expect("temp dir");
    let store = Store::open_with_clock(
        dir.path().join("seeded.db"),
        Arc::new(ManualClock::new(now())),
    )
    .expect("store opens");
    let summary = seed::seed(
        &store,
        &seed::SeedPlan {
            work_orders,
            jobs_per_day: 6,
            earlier_visits,
            today: today(),
            assignee: "eng-1".into(),
            seed: 7,
        },
    )
    .expect("seed");
    (dir, store, summary)
}

pub fn unknown_id() -> Uuid {
    Uuid::now_v7()
}
