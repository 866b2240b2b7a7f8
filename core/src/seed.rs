//! Demo and benchmark data: customers, sites, appliances and smart locks from several brands,
//! jobs with real-looking error codes, and earlier completed visits to the same assets.
//!
//! Everything is written through the domain functions (the same validation, status machine and
//! completion rules as a real visit), in one import transaction: data seeded this way stands for
//! what the server sent, so it goes to no outbox. Seeded randomness: same plan, same data.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Transaction;
use uuid::Uuid;

use crate::assets::{self, AssetKind, NewAsset, NewContract};
use crate::customers::{self, NewCustomer, NewSite};
use crate::error::Result;
use crate::store::{ActionCtx, Store};
use crate::visit::charges;
use crate::visit::checklist::{self, Outcome};
use crate::visit::findings::{self, NewDiagnosis};
use crate::visit::signoff::{self, Stroke, StrokePoint};
use crate::visit::work::{self, Billing, NewPartLine, PartDirection};
use crate::work_orders::status::{Role, Status};
use crate::work_orders::{self, NewWorkOrder, Priority, ReportedFault, Window, WorkOrderKind};

/// How much to seed.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Open jobs to create, each with its own customer, site and asset.
    pub work_orders: usize,
    /// Open jobs per day, starting on `today`.
    pub jobs_per_day: usize,
    /// Completed earlier visits per asset, in the months before `today`.
    pub earlier_visits: usize,
    /// The first day of appointments.
    pub today: NaiveDate,
    /// The engineer the jobs are assigned to.
    pub assignee: String,
    /// Random seed.
    pub seed: u64,
}

/// What was seeded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// Customers (= sites = assets).
    pub customers: usize,
    /// Open jobs.
    pub work_orders: usize,
    /// Completed earlier visits.
    pub earlier_visits: usize,
    /// The ids of the open jobs, in appointment order.
    pub work_order_ids: Vec<Uuid>,
}

struct Model {
    kind: AssetKind,
    category: &'static str,
    brand: &'static str,
    model: &'static str,
    symptom: &'static str,
    error_code: Option<&'static str>,
    trigger: &'static str,
    cause: &'static str,
    part_number: &'static str,
    part: &'static str,
    price_cents: i64,
}

// A row of the table below; positional so the table reads as a table.
#[allow(clippy::too_many_arguments)]
const fn m(
    kind: AssetKind,
    category: &'static str,
    brand: &'static str,
    model: &'static str,
    symptom: &'static str,
    error_code: Option<&'static str>,
    trigger: &'static str,
    cause: &'static str,
    part: (&'static str, &'static str, i64),
) -> Model {
    Model {
        kind,
        category,
        brand,
        model,
        symptom,
        error_code,
        trigger,
        cause,
        part_number: part.0,
        part: part.1,
        price_cents: part.2,
    }
}

use AssetKind::{Appliance, SmartLock};

const MODELS: &[Model] = &[
    m(
        Appliance,
        "washing machine",
        "Bosch",
        "WAX32M40",
        "Stops mid-cycle with water left in the drum",
        Some("E18"),
        "at the start of the spin",
        "Drain pump blocked by a coin, impeller chipped",
        ("00145787", "Drain pump", 6490),
    ),
    m(
        Appliance,
        "washing machine",
        "Miele",
        "WWD320 WPS",
        "Does not drain",
        Some("F11"),
        "every programme",
        "Drain pump worn, hose kinked behind the machine",
        ("11034430", "Drain pump", 8950),
    ),
    m(
        Appliance,
        "washing machine",
        "Samsung",
        "WW90T534DAW",
        "Drum does not fill with water",
        Some("4C"),
        "every programme",
        "Inlet valve coil open circuit",
        ("DC97-15421A", "Water inlet valve", 3450),
    ),
    m(
        Appliance,
        "dishwasher",
        "Siemens",
        "SN65ZX49CE",
        "Water on the floor, machine stops",
        Some("E15"),
        "towards the end of the wash",
        "Sump seal cracked, water in the base tray",
        ("12005786", "Sump seal kit", 2890),
    ),
    m(
        Appliance,
        "dishwasher",
        "LG",
        "DF455HMS",
        "Dishes still dirty, water left in the tub",
        Some("OE"),
        "after the main wash",
        "Drain filter clogged, drain pump noisy",
        ("EAU62043403", "Drain pump", 5900),
    ),
    m(
        Appliance,
        "refrigerator",
        "Whirlpool",
        "W7X 92O OX",
        "Fridge compartment warm, freezer fine",
        None,
        "worse in the afternoon",
        "Evaporator fan motor seized",
        ("C00508043", "Evaporator fan motor", 4750),
    ),
    m(
        Appliance,
        "oven",
        "AEG",
        "BPE742380B",
        "Oven does not heat, fan runs",
        Some("F111"),
        "bottom heat and pyrolysis",
        "Lower heating element open circuit",
        ("3878436004", "Heating element 1700 W", 5200),
    ),
    m(
        Appliance,
        "tumble dryer",
        "Electrolux",
        "EW8H458B",
        "Clothes still damp after two cycles",
        Some("E51"),
        "on heat-pump programmes",
        "Condenser clogged with lint, sensor dirty",
        ("140019524014", "Condenser unit", 11900),
    ),
    m(
        Appliance,
        "boiler",
        "Vaillant",
        "ecoTEC plus 832",
        "No heating and no hot water",
        Some("F28"),
        "after a power cut",
        "Ignition failure: electrode worn",
        ("0020200613", "Ignition electrode", 3900),
    ),
    m(
        SmartLock,
        "door lock",
        "Nuki",
        "Smart Lock 3.0 Pro",
        "Lock does not turn fully, motor-blocked warning",
        Some("MOTOR_BLOCKED"),
        "when the door is pulled shut",
        "Cylinder stiff; door out of alignment",
        ("NK-221453", "Power pack", 4900),
    ),
    m(
        SmartLock,
        "door lock",
        "Yale",
        "Linus L2",
        "Batteries empty within two weeks",
        None,
        "since the firmware update",
        "Latch rubs the strike plate, motor overworks",
        ("YL-05536", "Strike plate", 1900),
    ),
    m(
        SmartLock,
        "door lock",
        "Danalock",
        "V3 BT",
        "App cannot reach the lock",
        Some("E07"),
        "after a phone change",
        "Bluetooth module failed",
        ("DL-V3-BTM", "Bluetooth module", 3500),
    ),
];

const FIRST: &[&str] = &[
    "Anna", "Jonas", "Marie", "Lukas", "Sofia", "Noah", "Emma", "Elias", "Lea", "Paul", "Mia",
    "Felix", "Clara", "Ben", "Ida", "Oskar",
];
const LAST: &[&str] = &[
    "Schneider",
    "Keller",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
];
const STREETS: &[&str] = &[
    "Lindenstraße",
    "Am Markt",
    "Bahnhofstraße",
    "Gartenweg",
    "Schillerstraße",
    "Bergstraße",
    "Mühlenweg",
    "Rosenstraße",
];
const CITIES: &[&str] = &[
    "10115 Berlin",
    "80331 München",
    "50667 Köln",
    "20095 Hamburg",
    "04109 Leipzig",
    "01067 Dresden",
];
const ACCESS: &[&str] = &[
    "Key safe left of the door, code given by phone",
    "Ring twice; the bell is weak",
    "Parking in the courtyard, gate code 4711",
    "Dog in the garden: call before entering",
    "Basement access through the side door",
    "",
];

/// Customers seeded per import transaction: large enough to amortise the commit, small enough
/// that the write-ahead log stays a few megabytes (a phone has little room to spare).
const BATCH: usize = 250;

/// Fills the store with a seeded plan, in import transactions of [`BATCH`] customers.
pub fn seed(store: &Store, plan: &SeedPlan) -> Result<SeedSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let mut summary = SeedSummary::default();
    let mut first = 0;
    while first < plan.work_orders {
        let batch = first..(first + BATCH).min(plan.work_orders);
        store.import(|tx, ctx| seed_batch(tx, ctx, plan, batch.clone(), &mut rng, &mut summary))?;
        first = batch.end;
    }
    Ok(summary)
}

fn seed_batch(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    plan: &SeedPlan,
    batch: std::ops::Range<usize>,
    rng: &mut ChaCha8Rng,
    summary: &mut SeedSummary,
) -> Result<()> {
    let per_day = plan.jobs_per_day.max(1);
    for i in batch {
        let model = MODELS.choose(rng).expect("MODELS is not empty");
        let name = format!(
            "{} {}",
            FIRST.choose(rng).expect("FIRST is not empty"),
            LAST.choose(rng).expect("LAST is not empty")
        );
        let customer = customers::create_customer(
            tx,
            ctx,
            NewCustomer {
                phone: Some(format!(
                    "+49 30 {:07}",
                    rng.random_range(1_000_000..9_999_999)
                )),
                email: Some(format!(
                    "{}@example.net",
                    name.to_lowercase().replace(' ', ".")
                )),
                name,
            },
        )?;
        let site = customers::create_site(
            tx,
            ctx,
            customer.id,
            NewSite {
                address: format!(
                    "{} {}, {}",
                    STREETS.choose(rng).expect("STREETS is not empty"),
                    rng.random_range(1..140),
                    CITIES.choose(rng).expect("CITIES is not empty")
                ),
                access_notes: (*ACCESS.choose(rng).expect("ACCESS is not empty")).to_owned(),
                contact_name: None,
                contact_phone: None,
            },
        )?;
        let purchased = plan.today - Duration::days(rng.random_range(120..2_000));
        let contract = if rng.random_bool(0.3) {
            Some(assets::create_contract(
                tx,
                ctx,
                customer.id,
                NewContract {
                    plan: "CarePlus annual maintenance".into(),
                    starts_on: plan.today - Duration::days(rng.random_range(30..300)),
                    ends_on: plan.today + Duration::days(rng.random_range(30..300)),
                    visits_per_year: 1,
                    covers_parts: true,
                    covers_labour: true,
                },
            )?)
        } else {
            None
        };
        let asset = assets::create_asset(
            tx,
            ctx,
            site.id,
            NewAsset {
                kind: model.kind,
                category: model.category.into(),
                brand: model.brand.into(),
                model: model.model.into(),
                serial: format!(
                    "{}{:08}",
                    &model.brand[..2].to_uppercase(),
                    rng.random_range(0..99_999_999)
                ),
                firmware: (model.kind == SmartLock)
                    .then(|| format!("3.{}.{}", rng.random_range(0..9), rng.random_range(0..20))),
                purchased_on: Some(purchased),
                installed_on: Some(purchased + Duration::days(7)),
                warranty_ends_on: Some(purchased + Duration::days(730)),
                contract_id: contract.as_ref().map(|c| c.id),
            },
        )?;
        for k in (0..plan.earlier_visits).rev() {
            let days_ago = 60 * (k as i64 + 1) + rng.random_range(0..30);
            let day = plan.today - Duration::days(days_ago);
            earlier_visit(
                tx,
                ctx,
                rng,
                model,
                &customer,
                &site,
                asset.id,
                day,
                &plan.assignee,
                &format!("WO-{:06}-{k}", i + 1),
            )?;
        }
        let day = plan.today + Duration::days((i / per_day) as i64);
        let slot = (i % per_day) as u32;
        let wo = work_orders::create(
            tx,
            ctx,
            NewWorkOrder {
                number: format!("WO-{:06}", i + 1),
                kind: if contract.is_some() && rng.random_bool(0.3) {
                    WorkOrderKind::Maintenance
                } else {
                    WorkOrderKind::Repair
                },
                priority: *[
                    Priority::Normal,
                    Priority::Normal,
                    Priority::High,
                    Priority::Emergency,
                    Priority::Low,
                ]
                .choose(rng)
                .expect("priorities are listed"),
                customer_id: customer.id,
                site_id: site.id,
                asset_id: Some(asset.id),
                fault: fault(model, rng),
                window: window(day, 8 + (slot * 3 / 2) % 10, 2),
                assignee: Some(plan.assignee.clone()),
                follow_up_of: None,
            },
        )?;
        summary.work_order_ids.push(wo.id);
        summary.customers += 1;
        summary.work_orders += 1;
        summary.earlier_visits += plan.earlier_visits;
    }
    Ok(())
}

fn fault(model: &Model, rng: &mut impl Rng) -> ReportedFault {
    ReportedFault {
        symptom: model.symptom.into(),
        error_code: model.error_code.map(Into::into),
        since: Some(
            [
                "since yesterday",
                "for about a week",
                "on and off for a month",
            ][rng.random_range(0..3)]
            .into(),
        ),
        trigger: Some(model.trigger.into()),
    }
}

fn window(day: NaiveDate, hour: u32, hours: i64) -> Window {
    let start = Utc.from_utc_datetime(
        &day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("hour is below 24")),
    );
    Window {
        start,
        end: start + Duration::hours(hours),
    }
}

/// One completed visit, carried out through the same rules as a real one.
#[allow(clippy::too_many_arguments)]
fn earlier_visit(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    rng: &mut impl Rng,
    model: &Model,
    customer: &customers::Customer,
    site: &customers::Site,
    asset_id: Uuid,
    day: NaiveDate,
    assignee: &str,
    number: &str,
) -> Result<()> {
    let wo = work_orders::create(
        tx,
        ctx,
        NewWorkOrder {
            number: number.to_owned(),
            kind: WorkOrderKind::Repair,
            priority: Priority::Normal,
            customer_id: customer.id,
            site_id: site.id,
            asset_id: Some(asset_id),
            fault: fault(model, rng),
            window: window(day, 9, 2),
            assignee: Some(assignee.to_owned()),
            follow_up_of: None,
        },
    )?;
    for to in [Status::Accepted, Status::OnSite] {
        work_orders::transition(tx, ctx, wo.id, to, Role::Engineer, None)?;
    }
    findings::add_diagnosis(
        tx,
        ctx,
        wo.id,
        NewDiagnosis {
            symptom: model.symptom.into(),
            cause: model.cause.into(),
            error_codes: model
                .error_code
                .map(|c| vec![c.to_owned()])
                .unwrap_or_default(),
        },
    )?;
    work::add_part_line(
        tx,
        ctx,
        wo.id,
        NewPartLine {
            direction: PartDirection::Installed,
            part_number: model.part_number.into(),
            description: model.part.into(),
            quantity: 1,
            serial_in: Some(format!("SN{:09}", rng.random_range(0..999_999_999))),
            serial_out: None,
            billing: Billing::Chargeable,
            unit_price_cents: model.price_cents,
        },
    )?;
    charges::decide(tx, ctx, wo.id, true, customer.name.clone())?;
    for item in checklist::template(wo.kind).iter().filter(|i| i.required) {
        checklist::record_result(tx, ctx, wo.id, &item.key, Outcome::Pass, None)?;
    }
    findings::record_function_test(tx, ctx, wo.id, true, "Full programme run, no fault".into())?;
    signoff::sign(
        tx,
        ctx,
        wo.id,
        customer.name.clone(),
        vec![demo_signature()],
    )?;
    work_orders::transition(tx, ctx, wo.id, Status::Completed, Role::Engineer, None)?;
    Ok(())
}

/// A short pen stroke, for seeded sign-offs and the CLI's `--demo-signature`.
pub fn demo_signature() -> Stroke {
    Stroke {
        points: (0..24u32)
            .map(|i| {
                let x = i as f32 * 10.0;
                StrokePoint {
                    x,
                    y: 40.0 + 20.0 * (x / 25.0).sin(),
                    t_ms: i * 16,
                }
            })
            .collect(),
    }
}
