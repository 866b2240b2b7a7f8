//! `onsite-core`: the offline-first core of the Onsite field-service app.
//!
//! It holds an engineer's work orders in a local SQLite store ([`store`]), carries out every
//! action of an on-site visit with no network ([`work_orders`], [`visit`]), enforces the rules
//! (the status machine, completion rules) and produces the signed service report ([`report`]).
//! Every action is one transaction that also queues the change for sync ([`outbox`]).
//!
//! [`Store`] is the entry point: open a file, then call its actions and queries (see
//! [`api`](crate::Store#impl-Store-1)). Functions that take a `&Transaction` write; functions that
//! take a `&Connection` only read. The server uses the same rule code.

pub mod api;
pub mod assets;
pub mod clock;
pub mod conflicts;
pub mod customers;
pub mod edits;
pub mod error;
#[cfg(feature = "uniffi")]
pub mod ffi;
pub mod outbox;
pub mod report;
pub mod seed;
pub mod store;
pub mod sync;
pub mod validate;
pub mod visit;
pub mod whole;
pub mod work_orders;

pub use error::{Entity, Error, FieldProblem, Problem, Result};
pub use store::Store;

// The core's UniFFI component: its records, enums and custom types (see [`ffi`]).
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("onsite_core");
