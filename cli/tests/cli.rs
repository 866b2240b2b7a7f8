//! The `onsite` binary end to end on a real store file: a whole visit from a terminal, JSON
//! for scripts, and errors as one line with a non-zero exit code.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

fn onsite(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onsite"))
        .arg("--db")
        .arg(db)
        .args(["--utc-offset", "0"])
        .args(args)
        .output()
        .expect("onsite runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = onsite(db, args);
    assert!(
        out.status.success(),
        "onsite {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).expect("valid JSON")
}

/// Runs a command that must fail; returns its one-line error.
fn fails(db: &Path, args: &[&str]) -> String {
    let out = onsite(db, args);
    assert!(!out.status.success(), "onsite {args:?} should fail");
    let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    err
}

#[test]
fn an_engineer_does_a_whole_visit_from_the_terminal() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("eng.db");
    let seeded = json(
        &db,
        &["seed", "--jobs", "8", "--per-day", "4", "--history", "1"],
    );
    let today = json(&db, &["jobs"]);
    assert_eq!(seeded, today);
    let jobs = today.as_array().expect("a list");
    assert_eq!(jobs.len(), 4);
    let job = jobs[0]["number"].as_str().expect("number").to_owned();
    let j = job.as_str();
    assert!(ok(&db, &["jobs"]).contains(j), "the table lists the job");
    let detail = json(&db, &["show", j]);
    assert_eq!(detail["history"].as_array().map(Vec::len), Some(1));
    assert!(ok(&db, &["show", j]).contains("Coverage"));

    for to in ["accepted", "en_route", "on_site"] {
        ok(&db, &["status", j, to]);
    }
    ok(&db, &["time", j, "travel", "--minutes", "25"]);
    ok(
        &db,
        &[
            "diagnose",
            j,
            "--symptom",
            "Water left in drum",
            "--cause",
            "Pump blocked",
            "--code",
            "E18",
        ],
    );
    ok(&db, &["measure", j, "Coil resistance", "178.5", "Ω"]);
    ok(
        &db,
        &[
            "part",
            j,
            "00145787",
            "Drain pump",
            "--chargeable",
            "--price",
            "64.90",
            "--serial-in",
            "N1",
        ],
    );
    ok(
        &db,
        &[
            "part",
            j,
            "00145787",
            "Drain pump (old)",
            "--removed",
            "--serial-out",
            "O1",
        ],
    );
    ok(&db, &["quote", j, "Labour", "--price", "89"]);
    let missing = ok(&db, &["missing", j]);
    assert!(
        missing.contains("not approved the charges (153.90)"),
        "{missing}"
    );
    ok(&db, &["approve", j, "Anna Keller"]);
    let checklist = json(&db, &["checklist", j]);
    for line in checklist.as_array().expect("lines") {
        if line["item"]["required"] == Value::Bool(true) {
            ok(
                &db,
                &[
                    "check",
                    j,
                    line["item"]["key"].as_str().expect("key"),
                    "pass",
                ],
            );
        }
    }
    ok(&db, &["test", j, "pass", "--notes", "Full cycle"]);
    ok(&db, &["note", j, "Coin found in the pump"]);
    let strokes = dir.path().join("sig.json");
    std::fs::write(
        &strokes,
        r#"[{"points":[{"x":1,"y":2,"t_ms":0},{"x":9,"y":4,"t_ms":30}]}]"#,
    )
    .expect("strokes file");
    ok(
        &db,
        &[
            "sign",
            j,
            "Anna Keller",
            "--strokes",
            strokes.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        ok(&db, &["missing", j]).trim(),
        "Nothing missing: the job can be completed."
    );
    ok(&db, &["status", j, "completed"]);

    let report = json(&db, &["report", j]);
    assert_eq!(report["signature"]["state"], "signed");
    assert_eq!(report["report"]["total_cents"], 15390);
    let canonical = ok(&db, &["report", j, "--canonical"]);
    assert!(canonical.starts_with("{\"format\":1,"));
    let visit = json(&db, &["visit", j]);
    assert_eq!(visit["work_order"]["status"], "completed");
    assert_eq!(visit["parts"].as_array().map(Vec::len), Some(2));
    // 3 moves + time + diagnosis + measure + 2 parts + quote + approval + 4 checks + test
    // + note + sign + complete = 18, all waiting for sync.
    assert_eq!(json(&db, &["pending"])["pending"], 18);
    assert_eq!(ok(&db, &["conflicts"]).trim(), "No conflicts.");
}

#[test]
fn errors_are_one_clear_line_and_a_non_zero_exit() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("eng.db");
    ok(&db, &["seed", "--jobs", "2", "--history", "0"]);
    let before = ok(&db, &["--json", "visit", "WO-000001"]);
    let err = fails(&db, &["status", "WO-000001", "completed"]);
    assert!(
        err.contains("assigned -> completed is not allowed for the engineer role"),
        "{err}"
    );
    assert!(fails(&db, &["show", "WO-999"]).contains("work order WO-999 not found"));
    assert!(
        fails(&db, &["status", "WO-000001", "flying"])
            .contains("status: \"flying\" is not one of new, assigned, accepted")
    );
    ok(&db, &["status", "WO-000001", "accepted"]);
    ok(&db, &["status", "WO-000001", "on_site"]);
    assert!(
        fails(&db, &["part", "WO-000001", "X1", "Seal", "--qty", "0"])
            .contains("quantity must be at least 1")
    );
    assert!(
        fails(
            &db,
            &["part", "WO-000001", "X1", "Seal", "--price", "12,50"]
        )
        .contains("not an amount")
    );
    assert!(
        fails(&db, &["sign", "WO-000001", " ", "--demo-signature"])
            .contains("signer_name must not be empty")
    );
    let err = fails(&db, &["status", "WO-000001", "completed"]);
    assert!(
        err.contains("cannot be completed yet") && err.contains("no function test recorded"),
        "{err}"
    );
    assert_eq!(
        json(&db, &["pending"])["pending"],
        2,
        "only the two moves were stored"
    );
    let after = json(&db, &["visit", "WO-000001"]);
    assert_eq!(
        after["parts"],
        serde_json::from_str::<Value>(&before).expect("json")["parts"]
    );

    assert!(
        fails(
            &db,
            &["time", "WO-000001", "travel", "--minutes", "99999999999999"]
        )
        .contains("more than a week")
    );
    let out = Command::new(env!("CARGO_BIN_EXE_onsite"))
        .args([
            "--db",
            db.to_str().expect("utf-8"),
            "--utc-offset",
            "99999999",
            "jobs",
        ])
        .output()
        .expect("runs");
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("is not a time zone")
    );

    let garbage = dir.path().join("notes.txt");
    std::fs::write(
        &garbage,
        "shopping list: milk, eggs, a drain pump ".repeat(200),
    )
    .expect("write");
    let err = fails(&garbage, &["jobs"]);
    assert!(
        err.contains("is not an Onsite store") && err.contains("left untouched"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(&garbage)
            .expect("still there")
            .starts_with("shopping list")
    );
}

#[test]
fn the_demo_dispatches_visits_offline_syncs_resolves_conflicts_and_leaves_nothing_behind() {
    let dir = TempDir::new().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_onsite"))
        .current_dir(dir.path())
        .arg("demo")
        .output()
        .expect("demo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for expected in [
        "completing too early is refused: the job cannot be completed yet",
        "sent 18: 17 applied, 1 refused",
        "cancelled -> accepted is not allowed",
        "Your change to serial lost to a later change",
        "The office's conflict log holds 2 entries",
        "WO-1002 on the phone is now: cancelled",
        "Signature: signed by Paul Klein",
        "Same report on the phone and the server: yes",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        0,
        "no files left in the working directory"
    );
}

/// The demo's people and their words, from the demo's own source.
#[path = "../src/demo/people.rs"]
#[allow(dead_code)] // the demo's data; this test reads only the list of what is personal
mod people;

/// Whether `needle` occurs in `text` as a whole word (so the account name `admin` is found,
/// and a code such as `admin_creates_staff` is not).
fn contains_word(text: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[test]
fn the_demo_logs_requests_pushes_pulls_and_refusals_and_no_personal_data() {
    let dir = TempDir::new().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_onsite"))
        .current_dir(dir.path())
        .arg("demo")
        .env("RUST_LOG", "trace")
        .output()
        .expect("demo runs");
    let log = String::from_utf8(out.stderr).expect("utf-8 log");
    assert!(out.status.success(), "{log}");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        stdout.contains("Same report on the phone and the server: yes"),
        "the demo itself is unchanged:\n{stdout}"
    );
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() > 50, "a real log:\n{log}");
    let has = |parts: &[&str]| lines.iter().any(|l| parts.iter().all(|p| l.contains(p)));
    for parts in [
        &[
            "request{",
            "route=/v1/work-orders/{id}/status",
            "status=200",
        ][..],
        &[
            "route=/v1/sync/push",
            " push ",
            "mutations=18",
            "rejected=1",
        ],
        &["route=/v1/sync/pull", " pull ", "rows="],
        &["mutation rejected", "illegal_transition"],
        &["sync_round{client=", "sync round done"],
        &["sync_round{client=", "push batch"],
        &["sync_round{client=", "pull page"],
        &["route=/v1/sync/push", "request", "latency_ms="],
    ] {
        assert!(has(parts), "no line with all of {parts:?} in:\n{log}");
    }
    let personal = people::personal();
    assert!(personal.len() > 15, "{personal:?}");
    for value in personal {
        assert!(
            !contains_word(&log, value),
            "personal data {value:?} in the demo's log:\n{}",
            lines
                .iter()
                .filter(|l| contains_word(l, value))
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
