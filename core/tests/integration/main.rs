//! The core's integration tests: one binary, real store files in temp dirs.

mod bad_input;
mod fixture;
mod queries;
mod report;
mod session;
mod visit_flow;
mod wire;
