//! Sync: the wire protocol shared with the server ([`wire`]), the server's replay of a device's
//! actions through the same rule code ([`replay`]), copying rows between stores ([`rows`]) and
//! the device applying the server's answers ([`apply`]), holding the rows it cannot apply
//! ([`quarantine`]), and a fresh device's whole scope installed from one file ([`snapshot`]).
//!
//! The HTTP client (`client`) and the background loop (`background`) are behind the
//! `sync-client` feature: they bring reqwest and a tokio runtime, which the devices (the bindings,
//! the CLI) need and the server, which shares only the rules and the wire types, does not.

pub mod apply;
#[cfg(feature = "sync-client")]
pub mod background;
#[cfg(feature = "sync-client")]
pub mod client;
#[cfg(feature = "sync-client")]
mod exchange;
mod merge;
mod pull_page;
pub mod quarantine;
pub mod recovery;
mod removal;
pub mod replay;
pub mod rows;
pub mod snapshot;
pub mod wire;
