//! The first sync of a whole scope, both ways a phone can take it: installed from the server's
//! snapshot (what a fresh phone does), and pulled page by page (the fallback, and the path of
//! every later sync), each beside a raw SQLite bulk insert of the very same rows in the same
//! run, with where its time goes.

use std::io::Read;
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use onsite_core::Store;
use onsite_core::sync::client::{SyncClient, SyncReport};
use onsite_core::sync::wire::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use onsite_server::Background;

use crate::raw::{raw_bulk_insert, raw_bulk_insert_same_rows, raw_row_bytes, stored_bytes};

/// What the targets are checked against.
pub(crate) struct FirstSync {
    /// Rows per second applied on the device (the snapshot's install).
    pub(crate) device_rate: f64,
    /// Rows per second end to end.
    pub(crate) end_to_end: f64,
    /// The raw insert of the same rows, rows per second.
    pub(crate) raw_rate: f64,
    /// The store's bytes after the first sync, and the raw bytes of its rows.
    pub(crate) stored: u64,
    pub(crate) raw_bytes: u64,
}

/// One first sync of `token`'s scope into a fresh store at `path`, timed.
fn sync_fresh(
    url: &str,
    token: &str,
    path: &std::path::Path,
    paged: bool,
) -> (Store, SyncReport, Duration) {
    let device = Store::open(path).expect("device");
    let client = SyncClient::new(url, token).expect("client");
    let client = if paged { client.paged_only() } else { client };
    let started = Instant::now();
    let report = client.sync_now(&device).expect("first sync");
    (device, report, started.elapsed())
}

/// Prints one way's figures beside the raw insert of the same rows.
fn print_rates(
    way: &str,
    rows: usize,
    apply: Duration,
    total: Duration,
    raw_rate: f64,
) -> (f64, f64) {
    let device_rate = rows as f64 / apply.as_secs_f64();
    let end_to_end = rows as f64 / total.as_secs_f64();
    println!(
        "first sync ({way}): {rows} rows in {:.2} s",
        total.as_secs_f64()
    );
    println!(
        "first sync ({way}) rows/s applied on the device    {device_rate:>10.0} | raw SQLite bulk insert of the same rows rows/s {raw_rate:>10.0} | ratio {:.1}%",
        100.0 * device_rate / raw_rate
    );
    println!(
        "first sync ({way}) rows/s end to end (HTTP, server) {end_to_end:>10.0} | raw SQLite bulk insert of the same rows rows/s {raw_rate:>10.0} | ratio {:.1}%",
        100.0 * end_to_end / raw_rate
    );
    (device_rate, end_to_end)
}

/// Both first syncs of `token`'s scope, their baselines and breakdowns.
pub(crate) fn run(server: &Background, token: &str, dir: &std::path::Path) -> FirstSync {
    let (device, report, total) = sync_fresh(&server.url, token, &dir.join("eng-1.db"), false);
    assert_eq!(
        report.snapshot_rows, report.pulled,
        "the first sync came from the snapshot"
    );
    let rows = usize::try_from(report.pulled).expect("a row count fits in memory");
    // The fastest of three: the machine is shared, and a baseline slowed by a neighbour would
    // flatter the ratio.
    let (same_rows, raw_rate) = (0..3)
        .map(|n| raw_bulk_insert_same_rows(&device, &dir.join(format!("raw-same-{n}.db"))))
        .fold(
            (0, 0.0f64),
            |best, run| if run.1 > best.1 { run } else { best },
        );
    assert_eq!(same_rows, rows, "the raw insert writes every pulled row");
    let apply = Duration::from_micros(report.apply_us);
    let (device_rate, end_to_end) = print_rates("snapshot", rows, apply, total, raw_rate);
    let synthetic_rate = raw_bulk_insert(&dir.join("raw-bulk.db"), rows);
    println!(
        "first sync (snapshot) rows/s applied on the device    {device_rate:>10.0} | raw SQLite bulk insert of 300-byte rows (sequential keys) rows/s {synthetic_rate:>10.0} | ratio {:.1}%",
        100.0 * device_rate / synthetic_rate
    );
    let (values, stamps) = raw_row_bytes(&device);
    let stored = stored_bytes(&device);
    println!(
        "store after first sync bytes {stored:>12} | raw bytes of the rows {:>12} (values {values}, row stamps {stamps}) | ratio {:.2}x",
        values + stamps,
        stored as f64 / (values + stamps) as f64
    );
    snapshot_breakdown(server, token, total, apply);

    // The same scope page by page: the fallback, and what every later sync does.
    let (paged, paged_report, paged_total) =
        sync_fresh(&server.url, token, &dir.join("eng-1-paged.db"), true);
    assert_eq!(
        paged_report.pulled, report.pulled,
        "both ways bring the same rows"
    );
    let paged_apply = Duration::from_micros(paged_report.apply_us);
    print_rates("page by page", rows, paged_apply, paged_total, raw_rate);
    println!(
        "store after a paged first sync bytes {:>12} | after the snapshot {stored:>12}",
        stored_bytes(&paged)
    );
    paged_breakdown(server, token, paged_total, paged_apply);
    FirstSync {
        device_rate,
        end_to_end,
        raw_rate,
        stored,
        raw_bytes: values + stamps,
    }
}

/// Where a snapshot first sync's time goes: the server's build run again in-process (the scope
/// rule and parents, the copy into the file, zstd), the same bytes decompressed as the phone
/// does, and the real sync's install; what is left is HTTP on loopback and the phone's hash.
fn snapshot_breakdown(server: &Background, token: &str, total: Duration, install: Duration) {
    let caller = server
        .db
        .authenticate(token)
        .expect("token readable")
        .expect("engineer's token");
    let schema = i64::from(onsite_core::store::LATEST_VERSION);
    let started = Instant::now();
    let mut built = onsite_server::sync::snapshot(&server.db, &caller, schema).expect("snapshot");
    let server_total = started.elapsed();
    let mut compressed = Vec::new();
    built
        .file
        .read_to_end(&mut compressed)
        .expect("snapshot bytes");
    let started = Instant::now();
    let mut inflated = 0u64;
    let mut decoder = zstd::stream::read::Decoder::new(compressed.as_slice()).expect("zstd");
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = decoder.read(&mut chunk).expect("decompress");
        if n == 0 {
            break;
        }
        inflated += n as u64;
    }
    let decompress = started.elapsed();
    assert_eq!(inflated, built.raw_len, "the bytes decompress to the file");
    let t = built.timings;
    let parts = [
        ("server: scope rule over the change log + parents", t.scope),
        ("server: rows copied into the snapshot file", t.copy),
        ("server: zstd + SHA-256", t.compress),
        (
            "server: rest (files, transaction)",
            server_total.saturating_sub(t.scope + t.copy + t.compress),
        ),
        ("client: zstd decompress", decompress),
        ("device: install (the real sync's apply_us)", install),
    ];
    print_parts(
        &format!(
            "first sync from the snapshot breakdown ({} rows, {:.1} MB SQLite, {:.1} MB zstd), share of the end-to-end {:.2} s:",
            built.rows,
            built.raw_len as f64 / 1e6,
            built.len as f64 / 1e6,
            total.as_secs_f64()
        ),
        &parts,
        total,
        "rest: HTTP on loopback, the phone's hash",
    );
}

/// Prints a breakdown: each part's time and share of `total`, then what is left of it.
fn print_parts(title: &str, parts: &[(&str, Duration)], total: Duration, rest_is: &str) {
    println!("{title}");
    for (what, d) in parts {
        println!(
            "  {what:<48} {:>7.2} s {:>5.1}%",
            d.as_secs_f64(),
            100.0 * d.as_secs_f64() / total.as_secs_f64()
        );
    }
    let sum: Duration = parts.iter().map(|(_, d)| *d).sum();
    let rest = total.as_secs_f64() - sum.as_secs_f64();
    println!(
        "  {rest_is:<48} {:>7.2} s {:>5.1}%",
        rest,
        100.0 * rest / total.as_secs_f64()
    );
}

/// Where a paged first sync's time goes: the server's pull code run again in-process page by page
/// over the same change log (scope query, row reads, parent checks, stamps), then each page
/// JSON-encoded and gzipped as the server answers it, inflated and decoded as the client does.
/// Printed beside the end-to-end time of the real sync and its device apply; what is left is
/// HTTP on loopback, and whatever the real sync overlapped (its prefetch).
fn paged_breakdown(server: &Background, token: &str, total: Duration, apply: Duration) {
    let caller = server
        .db
        .authenticate(token)
        .expect("token readable")
        .expect("engineer's token");
    let (mut scope, mut rows, mut stamps, mut offered, mut server_total) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let (mut encode, mut gzip, mut gunzip, mut decode) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let (mut json_bytes, mut gz_bytes, mut pages) = (0usize, 0usize, 0usize);
    let mut cursor = 0;
    loop {
        let t = Instant::now();
        let (page, timings) =
            onsite_server::sync::pull_profiled(&server.db, &caller, cursor).expect("page");
        server_total += t.elapsed();
        scope += timings.scope;
        rows += timings.rows - timings.stamps - timings.offered;
        stamps += timings.stamps;
        offered += timings.offered;
        let t = Instant::now();
        let json = serde_json::to_vec(&page).expect("encode");
        encode += t.elapsed();
        let t = Instant::now();
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        std::io::Write::write_all(&mut gz, &json).expect("compress");
        let compressed = gz.finish().expect("compress");
        gzip += t.elapsed();
        let t = Instant::now();
        let mut inflated = Vec::with_capacity(json.len());
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut inflated)
            .expect("inflate");
        gunzip += t.elapsed();
        let t = Instant::now();
        let decoded: onsite_core::sync::wire::PullResponse =
            serde_json::from_slice(&inflated).expect("decode");
        decode += t.elapsed();
        (json_bytes, gz_bytes, pages) = (
            json_bytes + json.len(),
            gz_bytes + compressed.len(),
            pages + 1,
        );
        if !decoded.more {
            break;
        }
        cursor = decoded.cursor;
    }
    let other_server = server_total.saturating_sub(scope + rows + stamps + offered);
    let parts = [
        ("server: change-log scan + scope query", scope),
        ("server: row reads (parents included)", rows),
        ("server: parent offered-checks", offered),
        ("server: stamp reads", stamps),
        ("server: rest of the page (transaction)", other_server),
        ("server: JSON encode", encode),
        ("server: gzip (fast)", gzip),
        ("client: gunzip", gunzip),
        ("client: JSON decode", decode),
        ("device: apply (the real sync's apply_us)", apply),
    ];
    let sum: Duration = parts.iter().map(|(_, d)| *d).sum();
    print_parts(
        &format!(
            "first sync page by page breakdown ({pages} pages, {:.1} MB JSON, {:.1} MB gzip), share of the end-to-end {:.2} s:",
            json_bytes as f64 / 1e6,
            gz_bytes as f64 / 1e6,
            total.as_secs_f64()
        ),
        &parts,
        total,
        "rest: HTTP on loopback, minus what overlapped",
    );
    println!(
        "first sync without the device apply (server, transport, decode) {:.2} s",
        total.saturating_sub(apply).as_secs_f64()
    );
    // The same pages over loopback HTTP as the client asks for them, nothing applied.
    let http = reqwest::blocking::Client::new();
    let (started, mut cursor) = (Instant::now(), 0);
    loop {
        let page: onsite_core::sync::wire::PullResponse = http
            .get(format!("{}/v1/sync/pull?cursor={cursor}", server.url))
            .bearer_auth(token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .send()
            .expect("pull sent")
            .json()
            .expect("pull page");
        if !page.more {
            break;
        }
        cursor = page.cursor;
    }
    let fetched = started.elapsed();
    let in_process = sum.saturating_sub(apply);
    println!(
        "first sync pages over HTTP, decoded, not applied {:.2} s | the same stages in-process {:.2} s | HTTP adds {:.2} s",
        fetched.as_secs_f64(),
        in_process.as_secs_f64(),
        fetched.as_secs_f64() - in_process.as_secs_f64()
    );
}
