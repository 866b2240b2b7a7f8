//! The world one case runs in: the server's real database driven in-process (its push and
//! pull are library functions on `Db`), 2-3 engineer stores in real SQLite files with skewed
//! manual clocks, and the back office writing through the same core functions and change log
//! its handlers use. One customer and site shared by every engineer; engineers 0 and 1 have
//! jobs on the same washing machine, engineer 2 on a dishwasher at the same site.

use std::sync::Arc;

use chrono::{Duration, TimeDelta, Utc};
use onsite_core::clock::ManualClock;
use onsite_core::edits::{self, Changes, FIELDS, Owner};
use onsite_core::sync::apply;
use onsite_core::sync::rows::read_row;
use onsite_core::work_orders::status::Role;
use onsite_core::{Entity, Store, assets, customers, work_orders};
use onsite_server::db::{self, Db, User, UserRole};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// One editable field of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The kind of row.
    pub entity: Entity,
    /// The row.
    pub row: Uuid,
    /// The column (a name from `edits::FIELDS`).
    pub field: &'static str,
    /// The work order, when the row is one (the change log files a job's rows under it).
    pub job: Option<Uuid>,
    /// Who may edit it.
    pub owner: Owner,
}

/// An engineer's phone.
pub struct Device {
    /// Its store (a real file).
    pub store: Store,
    /// Its wall clock, skewed from the server's.
    pub clock: Arc<ManualClock>,
    /// The engineer's account on the server.
    pub user: User,
    /// Every editable field of the rows in its scope.
    pub scope: Vec<Target>,
}

/// The server and the phones of one case.
pub struct World {
    _dir: TempDir,
    /// The server's database.
    pub db: Db,
    /// The phones.
    pub devices: Vec<Device>,
    /// Every editable field of every row any phone holds.
    pub all: Vec<Target>,
}

fn office<T>(
    db: &Db,
    f: impl FnOnce(
        &rusqlite::Transaction<'_>,
        &mut onsite_core::store::ActionCtx,
    ) -> onsite_core::Result<T>,
) -> T {
    db::write(db, f).expect("the office's write")
}

fn targets(entity: Entity, row: Uuid, job: Option<Uuid>) -> Vec<Target> {
    FIELDS
        .iter()
        .filter(|f| f.entity == entity)
        .map(|f| Target {
            entity,
            row,
            field: f.name,
            job,
            owner: f.owner,
        })
        .collect()
}

impl World {
    /// Builds the rows on the server, opens `skews.len()` phones whose clocks are off by those
    /// minutes, and gives each its first sync.
    pub fn new(skews: &[i64]) -> World {
        let dir = TempDir::new().expect("temp dir");
        let db = Db::open(&dir.path().join("server")).expect("server database");
        let customer = office(&db, |tx, ctx| {
            let new = serde_json::from_value(json!({ "name": "Anna Berg", "phone": "0221 1" }))?;
            let c = customers::create_customer(tx, ctx, new)?;
            db::log_change(tx, Entity::Customer, c.id, None)?;
            Ok(c.id)
        });
        let site = office(&db, |tx, ctx| {
            let new = serde_json::from_value(
                json!({ "address": "Lindenallee 3, Köln", "access_notes": "Ring twice" }),
            )?;
            let s = customers::create_site(tx, ctx, customer, new)?;
            db::log_change(tx, Entity::Site, s.id, None)?;
            Ok(s.id)
        });
        let asset = |model: &str| {
            office(&db, |tx, ctx| {
                let new = serde_json::from_value(json!({ "kind": "appliance",
                    "category": "washing machine", "brand": "Miele", "model": model,
                    "serial": "MI1" }))?;
                let a = assets::create_asset(tx, ctx, site, new)?;
                db::log_change(tx, Entity::Asset, a.id, None)?;
                Ok(a.id)
            })
        };
        let machines = [asset("WWD320"), asset("G7100")];
        let start = Utc::now() + Duration::hours(1);
        let mut devices = Vec::new();
        let mut all = [
            targets(Entity::Customer, customer, None),
            targets(Entity::Site, site, None),
        ]
        .concat();
        for (i, skew) in skews.iter().enumerate() {
            let name = format!("eng-{i}");
            let user = db.create_user(&name, UserRole::Engineer).expect("engineer");
            let machine = machines[usize::from(i >= 2)];
            let job = office(&db, |tx, ctx| {
                let new = serde_json::from_value(json!({ "number": format!("WO-{i}"),
                    "kind": "repair", "priority": "normal", "customer_id": customer,
                    "site_id": site, "asset_id": machine,
                    "fault": { "symptom": "Does not drain", "error_code": "F11" },
                    "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                    "assignee": name }))?;
                let wo = work_orders::create(tx, ctx, new)?;
                db::touch_job(tx, wo.id)?;
                Ok(wo.id)
            });
            let scope = [
                targets(Entity::Customer, customer, None),
                targets(Entity::Site, site, None),
                targets(Entity::Asset, machine, None),
                targets(Entity::WorkOrder, job, Some(job)),
            ]
            .concat();
            for t in &scope {
                if !all.contains(t) {
                    all.push(*t);
                }
            }
            let clock = Arc::new(ManualClock::new(Utc::now() + TimeDelta::minutes(*skew)));
            let store =
                Store::open_with_clock(dir.path().join(format!("{name}.db")), clock.clone())
                    .expect("device store");
            devices.push(Device {
                store,
                clock,
                user,
                scope,
            });
        }
        let world = World {
            _dir: dir,
            db,
            devices,
            all,
        };
        for d in 0..world.devices.len() {
            world.pull_all(d);
        }
        world
    }

    /// Pulls every page for device `d`, as the sync client does.
    pub fn pull_all(&self, d: usize) {
        let dev = &self.devices[d];
        loop {
            let cursor = dev.store.read(apply::cursor).expect("cursor");
            let page = onsite_server::sync::pull(&self.db, &dev.user, cursor).expect("pull");
            dev.store
                .import(|tx, ctx| apply::apply_pull(tx, ctx, &page))
                .expect("the page applies");
            if !page.more {
                break;
            }
        }
    }

    /// The back office changes `changes` of `t`'s row, as `PATCH` does.
    pub fn office_edit(&self, t: &Target, changes: Changes) {
        office(&self.db, |tx, ctx| {
            edits::edit(tx, ctx, t.entity, t.row, changes, Role::Dispatcher)?;
            db::log_change(tx, t.entity, t.row, t.job)?;
            Ok(())
        });
    }

    /// A window the office can give a job, `k` quarter-hours from the first one.
    pub fn window(k: u32) -> (String, String) {
        let start = Utc::now().date_naive() + Duration::days(1);
        let start = start.and_hms_opt(8, 0, 0).expect("a time").and_utc()
            + Duration::minutes(15 * i64::from(k));
        let fmt = |t| onsite_core::clock::format_time(t);
        (fmt(start), fmt(start + Duration::hours(2)))
    }
}

/// The value of `t` in `store` (JSON, as the row reads).
pub fn value(store: &Store, t: &Target) -> Value {
    let row = store
        .read(|c| read_row(c, t.entity, t.row))
        .expect("the row reads")
        .unwrap_or_else(|| panic!("{} {} is missing", t.entity.as_str(), t.row));
    row.get(t.field).cloned().unwrap_or(Value::Null)
}
