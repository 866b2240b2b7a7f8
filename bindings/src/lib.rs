//! `onsite-ffi`: the UniFFI bindings of `onsite-core` for the Android (Kotlin) and iOS (Swift)
//! shells. Proc-macros only (no UDL).
//!
//! The records and enums the apps see are the core's own types, derived in the core behind its
//! `uniffi` feature (Kotlin package `app.onsite.core`; see `onsite_core::ffi` for how ids,
//! times and dates cross). This crate holds what cannot live in the core: the objects and the
//! public error (Kotlin package `app.onsite.core.ffi`). One object, [`OnsiteStore`], wraps an
//! open device store; its methods are spread over one file per area ([`store`], [`jobs`],
//! [`visit`], [`edits`], [`sync`], [`conflicts`]). Sync adds
//! [`BackgroundSync`](sync::BackgroundSync) and a [`SyncObserver`](sync::SyncObserver) callback
//! interface. Every failure is an [`ApiError`].
//!
//! This crate holds no rules: each method parses its plain arguments through the core (ids as
//! text, instants as epoch milliseconds, dates as `YYYY-MM-DD`; a malformed one is `Invalid`
//! naming the field), calls the core once and returns the core's answer. Local reads and writes
//! are blocking calls (microseconds to a few milliseconds; call them off the UI thread); sync
//! runs on the core's own runtime and thread.

pub mod conflicts;
pub mod edits;
pub mod error;
pub mod jobs;
pub mod store;
pub mod sync;
pub mod visit;

pub use error::ApiError;
pub use store::OnsiteStore;

uniffi::setup_scaffolding!("onsite");
