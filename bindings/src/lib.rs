//! `onsite-ffi`: the UniFFI bindings of `onsite-core` for the Android (Kotlin) and iOS (Swift)
//! shells. Proc-macros only (no UDL).
//!
//! One object, [`OnsiteStore`], wraps an open device store; its methods are spread over one
//! file per area ([`store`], [`jobs`], [`visit`], [`edits`], [`sync`], [`conflicts`]). Sync
//! adds [`BackgroundSync`](sync::BackgroundSync) and a [`SyncObserver`](sync::SyncObserver)
//! callback interface. Every failure is an [`ApiError`].
//!
//! This crate holds no rules: each method converts its arguments, calls the core once and
//! converts the answer. Local reads and writes are blocking calls (microseconds to a few
//! milliseconds; call them off the UI thread); sync runs on the core's own runtime and thread.
//! How values cross (ids as text, instants as epoch milliseconds, dates as `YYYY-MM-DD`) is
//! described in [`records`].

pub mod conflicts;
pub mod edits;
pub mod error;
pub mod jobs;
pub mod records;
pub mod store;
pub mod sync;
pub mod visit;

pub use error::ApiError;
pub use store::OnsiteStore;

uniffi::setup_scaffolding!("onsite");
