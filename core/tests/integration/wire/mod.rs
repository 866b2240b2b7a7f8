//! The sync protocol's formats, pinned by snapshots (`core/tests/snapshots/`): every payload
//! kind a phone can queue and every wire type. Phones keep queued outbox entries across app
//! updates, so a format change must show up as a reviewed snapshot diff (see "Wire
//! compatibility" in ARCHITECTURE.md), and every committed snapshot must still parse with
//! today's types.
//!
//! Ids are UUIDv7 made at run time, so before a value is pinned every UUID in it (also inside
//! strings: HLC stamps, a signed report) is replaced by a fixed stand-in that is still a UUID:
//! the snapshot keeps every field's name and JSON type, which ids are the same, and still
//! deserializes with the real types. A hash over ids differs every run too: a signed report's
//! is taken again over the stand-in text (so the replay's own check still passes on the
//! snapshot), any other becomes a stand-in hash. Times come from the fixture's fixed clock.

mod payloads;
mod shipped;
mod types;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::PathBuf;

use onsite_core::clock::Hlc;
use onsite_core::report::sha256_hex;
use onsite_core::store::Op;
use onsite_core::sync::replay::replay;
use onsite_core::sync::wire::Mutation;
use onsite_core::work_orders::status::Role;
use onsite_core::{Entity, Error, Problem, Store};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

/// Where the snapshots live: `core/tests/snapshots/<name>.snap`.
pub fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Replaces run-time UUIDs by stand-ins: the ids the fixture knows by role keep the same
/// stand-in in every snapshot; any other id gets the next one in order of appearance.
#[derive(Debug, Clone)]
pub struct Ids {
    map: BTreeMap<Uuid, Uuid>,
    next: u64,
    hashes: BTreeMap<String, String>,
}

/// The first stand-in for an id the fixture does not name.
const FIRST_UNNAMED: u64 = 0x100;

fn stand_in(n: u64) -> Uuid {
    Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0000 | u128::from(n))
}

impl Ids {
    /// Ids known by role, each with its fixed stand-in number (below [`FIRST_UNNAMED`]).
    pub fn named(known: &[(Uuid, u64)]) -> Ids {
        Ids {
            map: known.iter().map(|(id, n)| (*id, stand_in(*n))).collect(),
            next: FIRST_UNNAMED,
            hashes: BTreeMap::new(),
        }
    }

    fn id(&mut self, id: Uuid) -> Uuid {
        if let Some(stand) = self.map.get(&id) {
            return *stand;
        }
        let stand = stand_in(self.next);
        self.next += 1;
        self.map.insert(id, stand);
        stand
    }

    fn text(&mut self, text: &str) -> String {
        const LEN: usize = 36;
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((at, id)) = find_uuid(rest) {
            out.push_str(&rest[..at]);
            out.push_str(&self.id(id).to_string());
            rest = &rest[at + LEN..];
        }
        out.push_str(rest);
        out
    }

    /// `value` as JSON with every UUID replaced (numbered from a copy of `self`, so each
    /// snapshot numbers its unnamed ids from the same start).
    pub fn pin(&self, value: &impl Serialize) -> Value {
        let mut ids = self.clone();
        ids.value(serde_json::to_value(value).expect("serializes"))
    }

    fn value(&mut self, value: Value) -> Value {
        match value {
            // A hash over ids (the charges name their lines) differs every run too.
            Value::String(s) if is_sha256(&s) => Value::String(self.hash(&s)),
            Value::String(s) => Value::String(self.text(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => {
                let mut map: serde_json::Map<String, Value> = map
                    .into_iter()
                    .map(|(k, v)| (self.text(&k), self.value(v)))
                    .collect();
                // A signed report names its job: its hash is taken again over the stand-in
                // text, so the snapshot stays one the replay's hash check accepts.
                if let Some(Value::String(report)) = map.get("report_json") {
                    let hash = sha256_hex(report);
                    map.insert("report_sha256".into(), Value::String(hash));
                }
                Value::Object(map)
            }
            other => other,
        }
    }

    fn hash(&mut self, hash: &str) -> String {
        let n = self.hashes.len() + 1;
        let stand = self
            .hashes
            .entry(hash.to_owned())
            .or_insert_with(|| format!("{n:064x}"));
        stand.clone()
    }
}

/// A SHA-256 in hex, as the store keeps them.
fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Every kind of row. A new [`Entity`] stops this compiling until it is listed here, and so
/// until its payloads and rows are pinned or shown not to exist.
pub fn every_entity() -> Vec<Entity> {
    use Entity::*;
    let all = vec![
        Customer,
        Site,
        Contract,
        Asset,
        WorkOrder,
        StatusChange,
        Diagnosis,
        Measurement,
        ChecklistResult,
        Note,
        TimeEntry,
        PartLine,
        QuoteLine,
        QuoteDecision,
        FunctionTest,
        SignOff,
        Conflict,
    ];
    for e in &all {
        match e {
            Customer | Site | Contract | Asset | WorkOrder | StatusChange | Diagnosis
            | Measurement | ChecklistResult | Note | TimeEntry | PartLine | QuoteLine
            | QuoteDecision | FunctionTest | SignOff | Conflict => {}
        }
    }
    all
}

/// Every [`Op`]; like [`every_entity`], a new one stops this compiling.
pub fn every_op() -> Vec<Op> {
    let all = vec![Op::Insert, Op::Update, Op::Transition];
    for op in &all {
        match op {
            Op::Insert | Op::Update | Op::Transition => {}
        }
    }
    all
}

/// The wire name of `op`.
pub fn op_name(op: Op) -> String {
    match serde_json::to_value(op).expect("serializes") {
        Value::String(s) => s,
        other => panic!("Op serializes as {other}"),
    }
}

fn probe(entity: Entity, op: Op, payload: Value) -> Mutation {
    Mutation {
        seq: 1,
        mutation_id: Uuid::now_v7(),
        entity,
        row_id: Uuid::now_v7(),
        op,
        payload,
        hlc: Hlc {
            wall_ms: crate::fixture::now().timestamp_millis(),
            counter: 0,
            node: Uuid::now_v7(),
        }
        .to_string(),
    }
}

fn replay_on(store: &Store, m: &Mutation) -> Result<(), Error> {
    store
        .import(|tx, ctx| replay(tx, ctx, m, Role::Engineer))
        .map(|_| ())
}

/// Whether the server's replay takes this kind of mutation from an engineer, asked of the
/// replay itself on an empty store: a probe that cannot be carried out either gets the refusal
/// the replay gives kinds it never takes (not permitted from a device; not an op for this row;
/// an edit of a row with no editable fields), or fails later, at its payload or its row. Any
/// refusal of another form counts as accepted, so that a change there fails the coverage test
/// instead of hiding a kind.
pub fn replay_accepts(store: &Store, entity: Entity, op: Op) -> bool {
    let payload = match op {
        Op::Update => json!({ "fields": { "no_such_field": null }, "base": {} }),
        Op::Insert | Op::Transition => json!({}),
    };
    let refused_kind = match replay_on(store, &probe(entity, op, payload)) {
        Ok(()) => false,
        Err(Error::NotPermitted { .. }) => true,
        Err(Error::Invalid { problems }) => problems.iter().any(|p| {
            p.field == "op"
                || matches!(&p.problem, Problem::NotOneOf { allowed, .. } if allowed.is_empty())
        }),
        Err(_) => false,
    };
    !refused_kind
}

/// Whether `m` (pinned as `name`) is a change a phone sends: not the back office's own work
/// that the fixture does on its store (creating rows, the assign's bare assignee), which a
/// server refuses from a phone whatever its form.
pub fn from_a_phone(store: &Store, name: &str, m: &Mutation) -> bool {
    replay_accepts(store, m.entity, m.op) && !name.ends_with("__assign")
}

/// Checks that the replay can read `m` (payload, stamp, a signed report) on an empty store:
/// it may refuse it only for what the store lacks (the job is not there), never for its form.
pub fn replay_reads(store: &Store, name: &str, m: &Mutation) {
    match replay_on(store, m) {
        Ok(()) => {}
        Err(Error::Json(e)) => panic!("{name}: the replay cannot parse it: {e}"),
        Err(Error::Invalid { problems })
            if problems
                .iter()
                .any(|p| ["payload", "hlc", "report_sha256"].contains(&p.field.as_str())) =>
        {
            panic!("{name}: the replay refuses its form: {problems:?}")
        }
        Err(Error::NotFound { .. }) => {}
        Err(other) => panic!("{name}: unexpected refusal: {other}"),
    }
}

/// The first hyphenated lower-case UUID in `text`, with its byte offset.
fn find_uuid(text: &str) -> Option<(usize, Uuid)> {
    let bytes = text.as_bytes();
    let is_uuid = |w: &[u8]| {
        w.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
    };
    (0..bytes.len().checked_sub(35)?)
        .find(|&at| is_uuid(&bytes[at..at + 36]))
        .and_then(|at| Some((at, Uuid::parse_str(&text[at..at + 36]).ok()?)))
}

/// The JSON body of the committed snapshot `name` (the text after insta's header).
pub fn committed(name: &str) -> Value {
    let path = snapshot_dir().join(format!("{name}.snap"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    body_of(&text, &path)
}

fn body_of(text: &str, path: &std::path::Path) -> Value {
    // `---`, the metadata, `---`, then the snapshot.
    let body = text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
        .map(|(_, body)| body)
        .unwrap_or_else(|| panic!("{} has no insta header", path.display()));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Every committed snapshot whose name starts with `prefix`: name → JSON body.
pub fn committed_with_prefix(prefix: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(snapshot_dir()).expect("snapshot dir") {
        let path = entry.expect("dir entry").path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".snap"))
        else {
            continue;
        };
        if name.starts_with(prefix) {
            let text = std::fs::read_to_string(&path).expect("snapshot reads");
            out.insert(name.to_owned(), body_of(&text, &path));
        }
    }
    out
}

/// Pins `value` as snapshot `name`, and checks that it survives a round trip and that the
/// committed snapshot parses as `T` today.
pub fn pin<T>(ids: &Ids, name: &str, value: &T) -> Value
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let back: T = serde_json::from_value(serde_json::to_value(value).expect("serializes"))
        .unwrap_or_else(|e| panic!("{name}: does not deserialize again: {e}"));
    assert_eq!(&back, value, "{name}: round trip");
    let pinned = ids.pin(value);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_json_snapshot!(name, pinned));
    let old: T = serde_json::from_value(committed(name))
        .unwrap_or_else(|e| panic!("{name}: the committed snapshot no longer parses: {e}"));
    // Parsing may not drop or invent anything: the committed JSON is what the type holds.
    assert_eq!(
        serde_json::to_value(&old).expect("serializes"),
        committed(name),
        "{name}: the committed snapshot does not survive a parse"
    );
    pinned
}

#[test]
fn stand_ins_keep_uuids_inside_text_and_number_unnamed_ids_in_order() {
    let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let ids = Ids::named(&[(a, 1)]);
    let pinned = ids.pin(&serde_json::json!({
        "x": format!("000001-0000000002-{b}"),
        "y": [a.to_string(), c.to_string(), b.to_string()],
    }));
    assert_eq!(
        pinned,
        serde_json::json!({
            "x": format!("000001-0000000002-{}", stand_in(0x100)),
            "y": [stand_in(1).to_string(), stand_in(0x101).to_string(), stand_in(0x100).to_string()],
        })
    );
}
