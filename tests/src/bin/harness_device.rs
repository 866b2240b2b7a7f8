//! Device process of the fault harness: one engineer's phone. It owns a real store file on a
//! clock skewed by `SKEW_MS`, signs in, and for ever does a few seeded engineer actions on its
//! jobs (notes, measurements, part lines, diagnoses, status changes, plain-field edits,
//! checklist results, function tests, quote decisions, sign-offs, completion) and then a sync
//! round through the fault proxy. After every action the store reported as done (the call
//! returned `Ok`) it prints a line ([`onsite_tests::harness::DeviceLine`]) so the harness knows
//! what must survive; after every round, how it ended. The harness kills it with SIGKILL.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use onsite_core::Entity;
use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use onsite_core::visit::checklist;
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::signoff::{Stroke, StrokePoint};
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection};
use onsite_core::work_orders::WorkOrder;
use onsite_core::work_orders::status::{self, Role, Status};
use onsite_tests::harness::{DeviceLine, SkewedClock};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// How long one request may take before the device gives up on it (a stalled connection).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, url, token, engineer, skew_ms, seed, tag] = args.as_slice() else {
        eprintln!("usage: harness_device STORE URL TOKEN ENGINEER SKEW_MS SEED TAG");
        return ExitCode::from(2);
    };
    let (Ok(skew_ms), Ok(seed)) = (skew_ms.parse::<i64>(), seed.parse::<u64>()) else {
        eprintln!("harness_device: bad SKEW_MS or SEED");
        return ExitCode::from(2);
    };
    match run(path, url, token, engineer, skew_ms, seed, tag) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("harness_device {tag}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    path: &str,
    url: &str,
    token: &str,
    engineer: &str,
    skew_ms: i64,
    seed: u64,
    tag: &str,
) -> onsite_core::Result<()> {
    let store = Store::open_with_clock(path, Arc::new(SkewedClock::new(skew_ms)))?;
    store.sign_in(url, token)?;
    let client = SyncClient::with_timeout(url, token, REQUEST_TIMEOUT)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = std::io::stdout().lock();
    let mut say = |line: DeviceLine| {
        // The harness is gone: nothing left to report to.
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            std::process::exit(1);
        }
    };
    say(DeviceLine::Ready);
    for n in 0u64.. {
        for i in 0..rng.random_range(0..6u32) {
            if let Some(line) = act(&store, engineer, &mut rng, &format!("{tag}n{n}i{i}"))? {
                say(line);
            }
        }
        say(DeviceLine::Synced(client.sync_now(&store).err().map(|e| {
            match e {
                // A body cut short and a clock still ahead after correcting it are both
                // "protocol": the harness counts them apart.
                onsite_core::Error::Protocol(m) if m.contains("clock") => {
                    "clock_ahead_again".into()
                }
                e => e.code().to_owned(),
            }
        })));
        // Pacing, not synchronisation: a phone does not sync in a tight loop.
        std::thread::sleep(Duration::from_millis(rng.random_range(0..30)));
    }
    Ok(())
}

/// One random engineer action on one of this engineer's jobs; `Some` line if the store
/// reported it done. A refusal by the rules (a cancelled job, a transition not allowed) is
/// the normal fate of many draws and reports nothing; a storage failure ends the process.
fn act(
    store: &Store,
    engineer: &str,
    rng: &mut ChaCha8Rng,
    tag: &str,
) -> onsite_core::Result<Option<DeviceLine>> {
    let jobs: Vec<String> = store.read(|c| {
        let mut stmt =
            c.prepare("SELECT id FROM work_orders WHERE assignee = ?1 ORDER BY number")?;
        let ids = stmt
            .query_map([engineer], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    })?;
    if jobs.is_empty() {
        return Ok(None);
    }
    let wo = store.find_work_order(&jobs[rng.random_range(0..jobs.len())])?;
    let job = wo.id;
    let add = |table: &str, result: onsite_core::Result<Uuid>| match result {
        Ok(id) => Ok(Some(DeviceLine::Add {
            table: table.to_owned(),
            row_id: id.to_string(),
            job: job.to_string(),
            tag: tag.to_owned(),
        })),
        Err(err) => refused(err),
    };
    let t = || tag.to_owned();
    match rng.random_range(0..100u32) {
        0..20 => add("notes", store.add_note(job, t()).map(|r| r.id)),
        20..32 => add(
            "measurements",
            store
                .add_measurement(job, t(), rng.random_range(0..100) as f64, "bar".into())
                .map(|r| r.id),
        ),
        32..42 => add(
            "part_lines",
            store
                .add_part_line(
                    job,
                    NewPartLine {
                        direction: PartDirection::Installed,
                        part_number: t(),
                        description: "Drain pump".into(),
                        quantity: 1,
                        serial_in: None,
                        serial_out: None,
                        billing: Billing::Chargeable,
                        unit_price_cents: 8950,
                    },
                )
                .map(|r| r.id),
        ),
        42..47 => add(
            "diagnoses",
            store
                .add_diagnosis(
                    job,
                    NewDiagnosis {
                        symptom: t(),
                        cause: "Worn".into(),
                        error_codes: vec![],
                    },
                )
                .map(|r| r.id),
        ),
        47..67 => {
            let Some(to) = next_status(&wo, rng) else {
                return Ok(None);
            };
            add(
                "status_changes",
                store
                    .set_status(job, to, Role::Engineer, Some(t()))
                    .map(|r| r.id),
            )
        }
        67..87 => edit(store, &wo, rng, tag),
        87..91 => {
            let items = checklist::template(wo.kind);
            let item = &items[rng.random_range(0..items.len())];
            add(
                "checklist_results",
                store
                    .record_checklist_result(job, &item.key, checklist::Outcome::Pass, Some(t()))
                    .map(|r| r.id),
            )
        }
        91..94 => add(
            "function_tests",
            store.record_function_test(job, true, t()).map(|r| r.id),
        ),
        94..96 => add(
            "quote_decisions",
            store.decide_quote(job, true, t()).map(|r| r.id),
        ),
        96..98 => add(
            "signoffs",
            store.sign_off(job, t(), strokes()).map(|r| r.id),
        ),
        _ => add(
            "status_changes",
            store
                .set_status(job, Status::Completed, Role::Engineer, Some(t()))
                .map(|r| r.id),
        ),
    }
}

/// A rule's refusal reports nothing; anything else (storage, a row that cannot be read) is a
/// failure of the device, and ends it loudly.
fn refused(err: onsite_core::Error) -> onsite_core::Result<Option<DeviceLine>> {
    match err.code() {
        "not_found"
        | "illegal_transition"
        | "completion_refused"
        | "not_permitted"
        | "not_open_for_records"
        | "invalid" => Ok(None),
        _ => Err(err),
    }
}

/// A status the engineer may move the job to next (never completion: that is its own draw).
fn next_status(wo: &WorkOrder, rng: &mut ChaCha8Rng) -> Option<Status> {
    let choices: Vec<Status> = [
        Status::Accepted,
        Status::EnRoute,
        Status::OnSite,
        Status::AwaitingParts,
        Status::AwaitingApproval,
        Status::Incomplete,
    ]
    .into_iter()
    .filter(|&to| status::allowed(wo.status, to, Role::Engineer))
    // Giving up on a job is rare: most draws of it go on working.
    .filter(|&to| to != Status::Incomplete || rng.random_range(0..4) == 0)
    .collect();
    (!choices.is_empty()).then(|| choices[rng.random_range(0..choices.len())])
}

/// Edits one plain field of the job, its site, asset or customer to the unique value `tag`.
fn edit(
    store: &Store,
    wo: &WorkOrder,
    rng: &mut ChaCha8Rng,
    tag: &str,
) -> onsite_core::Result<Option<DeviceLine>> {
    let (entity, row, field) = match rng.random_range(0..6u32) {
        0 => (Entity::WorkOrder, wo.id, "error_code"),
        1 => (Entity::Site, wo.site_id, "access_notes"),
        2 => (Entity::Site, wo.site_id, "contact_phone"),
        3 | 4 => {
            let Some(asset) = wo.asset_id else {
                return Ok(None);
            };
            let field = if rng.random_range(0..2) == 0 {
                "serial"
            } else {
                "firmware"
            };
            (Entity::Asset, asset, field)
        }
        _ => (Entity::Customer, wo.customer_id, "phone"),
    };
    let changes = [(field.to_owned(), Some(tag.to_owned()))].into();
    match store.edit_fields(entity, row, changes, Role::Engineer) {
        Ok(_) => Ok(Some(DeviceLine::Edit {
            entity: entity.as_str().to_owned(),
            row_id: row.to_string(),
            field: field.to_owned(),
            tag: tag.to_owned(),
        })),
        Err(err) => refused(err),
    }
}

fn strokes() -> Vec<Stroke> {
    vec![Stroke {
        points: vec![
            StrokePoint {
                x: 1.0,
                y: 2.0,
                t_ms: 0,
            },
            StrokePoint {
                x: 9.0,
                y: 5.0,
                t_ms: 20,
            },
        ],
    }]
}
