//! The fault proxy does what each fault says, in front of the real server: with faults off a
//! request passes; a drop, a cut and a stall each make the request fail (the stall only once
//! the client gives up), and each is counted.

use std::time::{Duration, Instant};

use onsite_tests::proxy::{FaultCounts, FaultPlan, FaultProxy};
use onsite_tests::server::Server;
use tempfile::TempDir;

const NONE: FaultPlan = FaultPlan {
    drop: 0,
    delay: 0,
    cut_request: 0,
    cut_response: 0,
    stall: 0,
};

/// The OpenAPI document: a response long enough (tens of KB) that a cut lands inside it.
fn fetch(url: &str, timeout: Duration) -> Result<usize, reqwest::Error> {
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()?;
    let resp = client.get(format!("{url}/openapi.json")).send()?;
    let status = resp.status();
    let body = resp.bytes()?;
    assert_eq!(status, 200);
    Ok(body.len())
}

fn through(plan: FaultPlan, timeout: Duration) -> (Result<usize, reqwest::Error>, FaultCounts) {
    let dir = TempDir::new().expect("temp dir");
    let server = Server::start(&dir.path().join("server"));
    let upstream = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let proxy = FaultProxy::start(upstream, plan, 1);
    let result = fetch(&proxy.url(), timeout);
    (result, proxy.counts())
}

#[test]
fn each_fault_does_what_it_says_and_is_counted() {
    let second = Duration::from_secs(1);
    let (passed, counts) = through(NONE, second * 10);
    assert!(passed.expect("passes") > 10_000, "the whole document");
    assert_eq!(counts.passed, 1);

    let (dropped, counts) = through(FaultPlan { drop: 1000, ..NONE }, second * 10);
    assert!(dropped.is_err());
    assert_eq!(counts.dropped, 1);

    let (cut, counts) = through(
        FaultPlan {
            cut_response: 1000,
            ..NONE
        },
        second * 10,
    );
    assert!(cut.is_err(), "a response cut short is no response");
    assert_eq!(counts.cut_responses, 1);

    let (cut, counts) = through(
        FaultPlan {
            cut_request: 1000,
            ..NONE
        },
        second * 10,
    );
    // A GET's request is shorter than most cut points: cut or passed, never both.
    assert_eq!(cut.is_err(), counts.cut_requests == 1);

    let (delayed, counts) = through(
        FaultPlan {
            delay: 1000,
            ..NONE
        },
        second * 10,
    );
    assert!(delayed.is_ok(), "a delay passes in the end");
    assert_eq!(counts.delayed, 1);

    let started = Instant::now();
    let (stalled, counts) = through(
        FaultPlan {
            stall: 1000,
            ..NONE
        },
        second,
    );
    assert!(stalled.is_err(), "a stall ends in the client's timeout");
    assert!(started.elapsed() >= second, "not before the timeout");
    assert_eq!(counts.stalled, 1);
}
