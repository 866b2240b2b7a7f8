//! Merge is proven, not assumed (issue 9, must-have 5): random histories of edits from 2-3
//! engineers' phones (clocks skewed by minutes to days, both ways) and from the back office,
//! with every request and answer reordered, duplicated or dropped (and so retried), end with
//! every phone holding the server's value of every editable field in its scope, every outbox
//! empty, and every value that lost to a concurrent edit in a conflict log: the server's
//! always, and the phone's too when its own pushed value lost on arrival (the conflict rules in
//! ARCHITECTURE.md). A value the next editor saw before replacing it is no conflict.
//!
//! The server runs in-process (its push and pull are functions on its database); the phones
//! are real store files. `PROPTEST_CASES` sets the number of cases (default 32, about 15 s in a debug build);
//! a failing case is kept in `merge_props.proptest-regressions` and tried first on every later run.

#[path = "merge_props/net.rs"]
mod net;
#[path = "merge_props/world.rs"]
mod world;

use std::collections::HashSet;
use std::time::Instant;

use chrono::TimeDelta;
use onsite_core::conflicts::{Conflict, Kept};
use onsite_core::edits::{Changes, Owner};
use onsite_core::work_orders::Priority;
use onsite_core::work_orders::status::Role;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::Value;

use net::{Msg, Tally, deliver, push_request, quiesce};
use world::{Target, World, value};

/// Most messages on the wire at once.
const IN_FLIGHT: usize = 8;

/// One thing that happens in a history.
#[derive(Debug, Clone)]
enum Step {
    /// Phone `dev` edits one of the plain fields in its scope.
    Edit { dev: usize, pick: usize },
    /// The office edits one of the fields (plain or dispatcher-owned) of any phone's scope.
    Office { pick: usize },
    /// Phone `dev` sends a push (its waiting changes) or a pull (from its cursor).
    Send { dev: usize, pull: bool },
    /// The wire delivers one message in flight (any of them: reordered).
    Deliver(usize),
    /// The wire loses one.
    Drop(usize),
    /// The wire delivers one twice (a copy stays in flight).
    Duplicate(usize),
    /// Phone `dev`'s clock moves on.
    Tick { dev: usize, ms: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, 0..64usize).prop_map(|(dev, pick)| Step::Edit { dev, pick }),
        2 => (0..64usize).prop_map(|pick| Step::Office { pick }),
        3 => (0..3usize, any::<bool>()).prop_map(|(dev, pull)| Step::Send { dev, pull }),
        6 => (0..IN_FLIGHT).prop_map(Step::Deliver),
        1 => (0..IN_FLIGHT).prop_map(Step::Drop),
        1 => (0..IN_FLIGHT).prop_map(Step::Duplicate),
        1 => (0..3usize, 0..5_000i64).prop_map(|(dev, ms)| Step::Tick { dev, ms }),
    ]
}

/// Clock skews in minutes: two days and three hours behind, a little and far ahead (the server
/// answers `clock_ahead` beyond five minutes).
fn skew() -> impl Strategy<Value = i64> {
    prop::sample::select(vec![-2 * 24 * 60, -180, 0, 3, 180, 24 * 60])
}

/// A case: the phones' skews (2 or 3 phones) and the history.
fn case() -> impl Strategy<Value = (Vec<i64>, Vec<Step>)> {
    (
        prop::collection::vec(skew(), 2..=3),
        prop::collection::vec(step(), 1..80),
    )
}

/// A value written to a plain field, and by whom (`None`: the office).
struct Written {
    target: Target,
    value: String,
    by: Option<usize>,
}

/// What the history did, for the checks.
#[derive(Default)]
struct History {
    written: Vec<Written>,
    /// (target, value) pairs an editor saw before replacing them.
    seen: HashSet<(Target, String)>,
    tally: Tally,
}

impl std::hash::Hash for Target {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.row, self.field).hash(h);
    }
}

fn one(field: &str, v: String) -> Changes {
    [(field.to_owned(), Some(v))].into()
}

fn run(w: &World, steps: &[Step]) -> History {
    let mut h = History::default();
    let mut wire: Vec<Msg> = Vec::new();
    let n = w.devices.len();
    for (i, s) in steps.iter().enumerate() {
        match *s {
            Step::Edit { dev, pick } => {
                let dev = dev % n;
                let d = &w.devices[dev];
                let plain: Vec<_> = d
                    .scope
                    .iter()
                    .filter(|t| t.owner == Owner::Anyone)
                    .collect();
                let t = *plain[pick % plain.len()];
                if let Value::String(old) = value(&d.store, &t) {
                    h.seen.insert((t, old));
                }
                let v = format!("<d{dev}:{i}>");
                d.store
                    .edit_fields(t.entity, t.row, one(t.field, v.clone()), Role::Engineer)
                    .expect("the engineer's edit");
                h.written.push(Written {
                    target: t,
                    value: v,
                    by: Some(dev),
                });
            }
            Step::Office { pick } => {
                let t = w.all[pick % w.all.len()];
                let k = u32::try_from(i).expect("a short history");
                match t.field {
                    "priority" => {
                        let p = Priority::ALL[i % Priority::ALL.len()];
                        w.office_edit(&t, one(t.field, p.as_str().to_owned()));
                    }
                    "window_start" | "window_end" => {
                        let (start, end) = World::window(k);
                        let changes = [
                            ("window_start".to_owned(), Some(start)),
                            ("window_end".to_owned(), Some(end)),
                        ];
                        w.office_edit(&t, changes.into());
                    }
                    _ => {
                        if let Value::String(old) = value(&w.db.store, &t) {
                            h.seen.insert((t, old));
                        }
                        let v = format!("<o:{i}>");
                        w.office_edit(&t, one(t.field, v.clone()));
                        h.written.push(Written {
                            target: t,
                            value: v,
                            by: None,
                        });
                    }
                }
            }
            Step::Send { dev, pull } => {
                let dev = dev % n;
                if wire.len() >= IN_FLIGHT {
                    continue;
                }
                if pull {
                    let store = &w.devices[dev].store;
                    let cursor = store
                        .read(onsite_core::sync::apply::cursor)
                        .expect("cursor");
                    wire.push(Msg::Pull { dev, cursor });
                } else if let Some(req) = push_request(w, dev) {
                    wire.push(Msg::Push { dev, req });
                }
            }
            Step::Deliver(k) if !wire.is_empty() => {
                let msg = wire.remove(k % wire.len());
                deliver(w, msg, &mut wire, &mut h.tally);
            }
            Step::Drop(k) if !wire.is_empty() => {
                wire.remove(k % wire.len());
                h.tally.dropped += 1;
            }
            Step::Duplicate(k) if !wire.is_empty() && wire.len() < IN_FLIGHT => {
                let copy = wire[k % wire.len()].clone();
                wire.push(copy);
                h.tally.duplicated += 1;
            }
            Step::Deliver(_) | Step::Drop(_) | Step::Duplicate(_) => {}
            Step::Tick { dev, ms } => w.devices[dev % n]
                .clock
                .advance(TimeDelta::milliseconds(ms)),
        }
    }
    // Whatever is still in flight is lost; the phones retry once the faults stop.
    h.tally.dropped += u32::try_from(wire.len()).expect("a short wire");
    quiesce(w, &mut h.tally);
    h
}

/// How each entry of `log` for `t` that names `tag` as the value that lost kept the other.
fn logs(log: &[Conflict], t: &Target, tag: &str) -> Vec<Kept> {
    log.iter()
        .filter(|c| c.row_id == t.row && c.field.as_deref() == Some(t.field))
        .filter(|c| {
            let lost = match c.kept {
                Kept::Local => &c.remote_value,
                Kept::Remote => &c.local_value,
            };
            lost.as_deref().is_some_and(|v| v.contains(tag))
        })
        .map(|c| c.kept)
        .collect()
}

/// Every phone holds the server's value of every field in its scope, every outbox is empty,
/// and every value that lost without its replacer having seen it is logged.
fn check(w: &World, h: &History) -> Result<(), TestCaseError> {
    let mut wrong = Vec::new();
    for (d, dev) in w.devices.iter().enumerate() {
        let waiting = dev.store.pending_sync_count().expect("outbox");
        if waiting != 0 {
            wrong.push(format!("device {d}: {waiting} changes still waiting"));
        }
        for t in &dev.scope {
            let (here, there) = (value(&dev.store, t), value(&w.db.store, t));
            if here != there {
                wrong.push(format!(
                    "device {d} {}.{}: {here} but the server {there}",
                    t.entity.as_str(),
                    t.field
                ));
            }
        }
    }
    let server_log = w.db.store.conflicts(true).expect("server log");
    for wr in &h.written {
        let t = &wr.target;
        let kept = value(&w.db.store, t);
        if kept.as_str() == Some(wr.value.as_str()) || h.seen.contains(&(*t, wr.value.clone())) {
            continue;
        }
        let at_server = logs(&server_log, t, &wr.value);
        if at_server.is_empty() {
            wrong.push(format!(
                "{} lost in {}.{} (now {kept}) and is in no server log",
                wr.value,
                t.entity.as_str(),
                t.field
            ));
        }
        // Lost on arrival (the server kept its own value): the phone that sent it logs it too.
        if let (Some(d), true) = (wr.by, at_server.contains(&Kept::Local)) {
            let phone_log = w.devices[d].store.conflicts(true).expect("phone log");
            if logs(&phone_log, t, &wr.value).is_empty() {
                wrong.push(format!(
                    "{} lost on arrival but is not in device {d}'s log",
                    wr.value
                ));
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!(
            "{wrong:#?}\nnetwork: {:?}",
            h.tally
        )))
    }
}

#[test]
fn every_replica_converges_and_every_loser_is_logged() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let config = Config {
        cases,
        source_file: Some(file!()),
        // Beside this file: `<name>.proptest-regressions`, committed.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // Each case opens four SQLite files: shrinking a failure takes long enough as it is.
        max_shrink_iters: 256,
        ..Config::default()
    };
    let started = Instant::now();
    let total = std::cell::RefCell::new(Tally::default());
    let edits = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |(skews, steps)| {
        let w = World::new(&skews);
        let h = run(&w, &steps);
        let mut t = total.borrow_mut();
        t.delivered += h.tally.delivered;
        t.dropped += h.tally.dropped;
        t.duplicated += h.tally.duplicated;
        t.restamps += h.tally.restamps;
        edits.set(edits.get() + h.written.len());
        check(&w, &h)
    });
    let t = total.borrow();
    println!(
        "merge_props: {cases} cases in {:.1} s; {} plain-field edits; messages delivered {}, dropped {}, duplicated {}; clock_ahead restamps {}",
        started.elapsed().as_secs_f64(),
        edits.get(),
        t.delivered,
        t.dropped,
        t.duplicated,
        t.restamps
    );
    if let Err(err) = result {
        panic!("{err}");
    }
}
