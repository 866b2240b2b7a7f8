//! The fuzz harnesses, shared by the cargo-fuzz targets (`fuzz_targets/`) and the stable
//! replay of the committed corpus in the workspace's tests (`tests/tests/fuzz_corpus.rs`
//! includes this file), so every corpus file is checked on every `cargo test`.
//!
//! Each harness feeds bytes to the very code that reads them in the product and panics only
//! on a real defect: a wire type that writes what it cannot read back, an action that stores a
//! row its own reads then refuse (the class of issue 9's poisoned visit), or a panic anywhere
//! below. Every refusal is a typed error and is fine.
//!
//! - [`wire`]: every wire type of `sync/wire.rs` and `EditPayload` parse the bytes as the server
//!   and the phones do (`serde_json`); what parses is written again and must parse back. A
//!   `Mutation` is then replayed (`sync::replay`, the server's own code, as an engineer and as
//!   the office) against a store holding a job on site, its ids pointed at that store's rows so
//!   the payload reaches the rules; what is applied must read back as a visit and a report.
//! - [`office`]: the bytes as each JSON body the back-office endpoints accept (`NewCustomer`,
//!   `NewSite`, `NewContract`, `NewAsset`, `NewWorkOrder`, an edit's `Changes`, assign, status),
//!   run through the core function the handler calls; a row made must read back.
//! - [`store_file`]: the bytes as a store file: `Store::open`, and if it opens, the reads the
//!   app makes first (today's jobs, a job, its visit and report, the outbox, the conflicts).
//!
//! Each write runs inside a transaction that is always rolled back, so the shared store stays
//! as it was made and every input is judged against the same state.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use onsite_core::clock::ManualClock;
use onsite_core::edits::{self, Changes, EditPayload};
use onsite_core::store::{ActionCtx, Op};
use onsite_core::sync::replay;
use onsite_core::sync::wire::{
    ErrorBody, LostField, Mutation, Outcome, PullResponse, PushRequest, PushResponse, RowChange,
};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::work_orders::{self, NewWorkOrder};
use onsite_core::{Entity, Error, Store, assets, customers, report, visit};
use rusqlite::Transaction;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

/// The fixed "now" of the harness store: 2026-11-23 09:30 UTC, as the core's tests use.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0)
        .single()
        .expect("a valid time")
}

/// The store every write input is tried against: one customer, site, contract, washing
/// machine and a job on site, assigned to `eng-a`.
struct Shared {
    _dir: tempfile::TempDir,
    store: Store,
    customer: Uuid,
    site: Uuid,
    contract: Uuid,
    asset: Uuid,
    job: Uuid,
}

fn id_of(v: &impl Serialize) -> Uuid {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.get("id")?.as_str()?.parse().ok())
        .expect("a made row has an id")
}

fn from<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("the harness's own body parses")
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let clock = Arc::new(ManualClock::new(now()));
        let store = Store::open_with_clock(dir.path().join("fuzz.db"), clock).expect("opens");
        let customer = id_of(
            &store
                .create_customer(from(json!({ "name": "Anna Keller", "phone": "+49 30 1" })))
                .expect("customer"),
        );
        let site = id_of(
            &store
                .create_site(customer, from(json!({ "address": "Lindenstraße 12", "access_notes": "Key safe" })))
                .expect("site"),
        );
        let contract = id_of(
            &store
                .create_contract(customer, from(json!({ "plan": "Care", "starts_on": "2026-01-01",
                    "ends_on": "2026-12-31", "visits_per_year": 1, "covers_parts": true,
                    "covers_labour": false })))
                .expect("contract"),
        );
        let asset = id_of(
            &store
                .create_asset(site, from(json!({ "kind": "appliance", "category": "washing machine",
                    "brand": "Bosch", "model": "WAX32M40", "serial": "BO1", "contract_id": contract })))
                .expect("asset"),
        );
        let new: NewWorkOrder = from(json!({ "number": "WO-1", "kind": "repair",
            "priority": "high", "customer_id": customer, "site_id": site, "asset_id": asset,
            "fault": { "symptom": "Does not drain", "error_code": "F11" },
            "window": { "window_start": "2026-11-23T10:00:00Z", "window_end": "2026-11-23T12:00:00Z" },
            "assignee": "eng-a" }));
        let job = store.create_work_order(new).expect("job").id;
        for to in [Status::Accepted, Status::EnRoute, Status::OnSite] {
            store
                .set_status(job, to, Role::Engineer, None)
                .expect("the engineer arrives");
        }
        Shared {
            _dir: dir,
            store,
            customer,
            site,
            contract,
            asset,
            job,
        }
    })
}

/// Runs `f` in a transaction on the shared store and always rolls it back.
fn rolled_back(f: impl FnOnce(&Transaction<'_>, &mut ActionCtx)) {
    let result = shared().store.import(|tx, ctx| {
        f(tx, ctx);
        Err::<(), _>(Error::Protocol("the harness always rolls back".into()))
    });
    assert!(matches!(result, Err(Error::Protocol(_))), "{result:?}");
}

/// Runs `f` inside a savepoint that is then rolled back, so tries in one transaction do not
/// see each other.
fn tried(tx: &Transaction<'_>, f: impl FnOnce()) {
    tx.execute_batch("SAVEPOINT try").expect("a savepoint");
    f();
    tx.execute_batch("ROLLBACK TO try; RELEASE try")
        .expect("rolls back to the savepoint");
}

/// Parses `data` as `T`; what parses must serialize and parse back.
fn parses<T: DeserializeOwned + Serialize>(data: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(data).ok()?;
    let text = serde_json::to_string(&value).expect("a parsed value serializes");
    if let Err(err) = serde_json::from_str::<T>(&text) {
        panic!(
            "{} writes what it cannot read back: {err}",
            std::any::type_name::<T>()
        );
    }
    Some(value)
}

/// What a successful write stored must read back through the store's own reads.
fn reads_back(tx: &Transaction<'_>, what: &str, read: onsite_core::Result<()>) {
    if let Err(err) = read {
        panic!("{what} was stored but does not read back: {err}");
    }
    let job = shared().job;
    if let Err(err) = visit::record(tx, job).and_then(|_| report::build(tx, job)) {
        panic!("after {what}, the job's visit or report does not read: {err}");
    }
}

/// The wire decoders and the server's replay of every payload it reads.
pub fn wire(data: &[u8]) {
    parses::<PushRequest>(data);
    parses::<PushResponse>(data);
    parses::<PullResponse>(data);
    parses::<RowChange>(data);
    parses::<Outcome>(data);
    parses::<LostField>(data);
    parses::<ErrorBody>(data);
    parses::<EditPayload>(data);
    let Some(mut m) = parses::<Mutation>(data) else {
        return;
    };
    let s = shared();
    // Point the mutation at the shared store's rows, so its payload meets the rules.
    m.row_id = match (m.entity, m.op) {
        (Entity::WorkOrder, _) => s.job,
        (Entity::Customer, Op::Update) => s.customer,
        (Entity::Site, Op::Update) => s.site,
        (Entity::Asset, Op::Update) => s.asset,
        _ => m.row_id,
    };
    if let Some(wo) = m.payload.get_mut("work_order_id") {
        *wo = json!(s.job);
    }
    let role = if m.seq % 2 == 0 {
        Role::Engineer
    } else {
        Role::Dispatcher
    };
    rolled_back(|tx, ctx| {
        if replay::replay(tx, ctx, &m, role).is_ok() {
            reads_back(tx, "a replayed mutation", Ok(()));
        }
    });
}

/// The back office's request bodies, through the core functions their handlers call.
pub fn office(data: &[u8]) {
    let s = shared();
    rolled_back(|tx, ctx| {
        if let Some(new) = parses::<customers::NewCustomer>(data) {
            tried(tx, || {
                if let Ok(c) = customers::create_customer(tx, ctx, new) {
                    reads_back(
                        tx,
                        "a customer",
                        customers::get_customer(tx, c.id).map(drop),
                    );
                }
            });
        }
        if let Some(new) = parses::<customers::NewSite>(data) {
            tried(tx, || {
                if let Ok(site) = customers::create_site(tx, ctx, s.customer, new) {
                    reads_back(tx, "a site", customers::get_site(tx, site.id).map(drop));
                }
            });
        }
        if let Some(new) = parses::<assets::NewContract>(data) {
            tried(tx, || {
                if let Ok(c) = assets::create_contract(tx, ctx, s.customer, new) {
                    reads_back(tx, "a contract", assets::get_contract(tx, c.id).map(drop));
                }
            });
        }
        if let Some(mut new) = parses::<assets::NewAsset>(data) {
            new.contract_id = new.contract_id.map(|_| s.contract);
            tried(tx, || {
                if let Ok(a) = assets::create_asset(tx, ctx, s.site, new) {
                    reads_back(tx, "an asset", assets::get_asset(tx, a.id).map(drop));
                }
            });
        }
        if let Some(mut new) = parses::<NewWorkOrder>(data) {
            (new.customer_id, new.site_id) = (s.customer, s.site);
            new.asset_id = new.asset_id.map(|_| s.asset);
            new.follow_up_of = new.follow_up_of.map(|_| s.job);
            tried(tx, || {
                if let Ok(wo) = work_orders::create(tx, ctx, new) {
                    let read = work_orders::get(tx, wo.id).and_then(|_| visit::record(tx, wo.id));
                    reads_back(tx, "a work order", read.map(drop));
                }
            });
        }
        if let Some(changes) = parses::<Changes>(data) {
            let rows = [
                (Entity::Customer, s.customer),
                (Entity::Site, s.site),
                (Entity::Asset, s.asset),
                (Entity::WorkOrder, s.job),
            ];
            for (entity, id) in rows {
                tried(tx, || {
                    let edited =
                        edits::edit(tx, ctx, entity, id, changes.clone(), Role::Dispatcher);
                    if edited.is_ok() {
                        let read = onsite_core::sync::rows::read_row(tx, entity, id);
                        reads_back(tx, "an edit", read.map(drop));
                    }
                });
            }
        }
        // Assign and status bodies: `{engineer}` and `{to, reason}`, as the handlers read them.
        if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(data) {
            if let Some(Value::String(engineer)) = body.get("engineer") {
                tried(tx, || {
                    let done =
                        work_orders::assign(tx, ctx, s.job, engineer.clone(), Role::Dispatcher);
                    if done.is_ok() {
                        reads_back(tx, "an assignment", Ok(()));
                    }
                });
            }
            if let Some(to) = body
                .get("to")
                .and_then(|v| serde_json::from_value::<Status>(v.clone()).ok())
            {
                let reason = body
                    .get("reason")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                tried(tx, || {
                    if work_orders::transition(tx, ctx, s.job, to, Role::Dispatcher, reason).is_ok()
                    {
                        reads_back(tx, "a status change", Ok(()));
                    }
                });
            }
        }
    });
}

/// A damaged store file: opening it and the first reads give typed errors, never a panic.
pub fn store_file(data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("store.db");
    std::fs::write(&path, data).expect("the file is written");
    let clock = Arc::new(ManualClock::new(now()));
    let Ok(store) = Store::open_with_clock(&path, clock) else {
        return;
    };
    let _ = store.pending_sync_count();
    let _ = store.pending_changes(20);
    let _ = store.conflicts(true);
    let _ = store.session();
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    if let Ok(jobs) = store.jobs_for_day(day, 0) {
        for job in jobs.iter().take(4) {
            let _ = store.job_detail(job.id);
            let _ = store.visit_record(job.id);
            let _ = store.service_report(job.id);
        }
    }
    let _ = store.todays_jobs(0);
}
