//! The server's log: tracing events on stderr (stdout carries only what scripts read, such as
//! the `listening on` line), as text for people or as one JSON object per line for a log
//! collector, filtered by `RUST_LOG` (`info` unless the caller says otherwise). What is logged
//! is ids, counts, routes and codes; names, addresses, notes and tokens never are.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// axum's target for extractor rejections.
const AXUM_REJECTIONS: &str = "axum::rejection";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `fields`, `target`, `span`, `spans`).
    Json,
}

/// Installs the process's subscriber, writing to stderr and filtered by `RUST_LOG`, or by
/// `default_filter` (e.g. `info`) when it is not set. Returns false if this process has a
/// subscriber already (a test harness, a host app): theirs stays.
pub fn init(format: LogFormat, default_filter: &str) -> bool {
    // Lossy: a mistyped directive is dropped rather than stopping the server.
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| default_filter.to_owned());
    // axum traces each extractor rejection with its text, which can quote the request body:
    // off whatever the filter says (the answer is logged by its code instead).
    let filter = EnvFilter::builder().parse_lossy(format!("{directives},{AXUM_REJECTIONS}=off"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
            .is_ok(),
        LogFormat::Json => builder.json().try_init().is_ok(),
    }
}
