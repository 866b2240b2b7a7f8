//! Payloads as phones may still hold them queued: every committed payload snapshot, and the
//! older shapes kept in `core/tests/shipped_payloads/` (a format that shipped and was replaced
//! stays there, never edited). Each must still parse and be read by today's replay.

use std::path::PathBuf;

use onsite_core::Store;
use onsite_core::sync::wire::Mutation;

use super::{committed_with_prefix, from_a_phone, replay_reads};

fn shipped_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/shipped_payloads")
}

#[test]
fn every_committed_and_shipped_payload_is_still_read_by_the_replay() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let empty = Store::open(dir.path().join("server.db")).expect("store opens");
    let mut payloads = committed_with_prefix("payload__");
    for entry in std::fs::read_dir(shipped_dir()).expect("shipped payloads dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("reads");
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        payloads.insert(path.display().to_string(), value);
    }
    assert!(
        payloads.len() > 10,
        "payload snapshots found: {:?}",
        payloads.keys()
    );
    for (name, value) in payloads {
        let m: Mutation = serde_json::from_value(value)
            .unwrap_or_else(|e| panic!("{name}: no longer parses as a mutation: {e}"));
        if from_a_phone(&empty, &name, &m) {
            replay_reads(&empty, &name, &m);
        }
    }
}
