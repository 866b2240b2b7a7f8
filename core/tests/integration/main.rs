//! The core's integration tests: one binary, real store files in temp dirs.

mod bad_input;
mod clock_reset;
mod codec_props;
mod fixture;
mod outbox;
mod quarantine;
mod queries;
mod query_plans;
mod report;
mod session;
mod times;
mod unreadable;
mod visit_flow;
mod wal;
mod wire;
