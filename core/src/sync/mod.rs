//! Sync: the wire protocol shared with the server ([`wire`]), the server's replay of a device's
//! actions through the same rule code ([`replay`]), copying rows between stores ([`rows`]), the
//! device applying the server's answers ([`apply`]) and the HTTP client ([`client`]).

pub mod apply;
pub mod background;
pub mod client;
mod merge;
pub mod replay;
pub mod rows;
pub mod wire;
