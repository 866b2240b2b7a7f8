//! A whole scope in one file: the server builds a snapshot of every row a device may see
//! ([`build`]), compresses and hashes it ([`compress`]); a device that has never synced
//! downloads it, decompressing and hashing as the bytes arrive ([`Download`]), and installs it
//! in one transaction ([`install`]), then goes on with the normal pull from the snapshot's
//! cursor. Nothing here knows HTTP: the server's endpoint and the sync client carry the bytes.
//!
//! The file is an SQLite database in the store's own layout (the synced tables, their field
//! clocks) with a `snapshot_meta` row naming its format, its schema version and its cursor, so
//! it describes itself. The guides and the catalog ship the same way.

mod build;
mod file;
mod install;

pub use build::{Built, build, compress};
pub use file::{Download, SnapshotFile};
pub use install::{Installed, install, is_fresh};

/// The media type of a compressed snapshot (zstd over the SQLite file).
pub const CONTENT_TYPE: &str = "application/vnd.onsite.snapshot+zstd";

/// The header carrying the SHA-256 (hex) of the compressed bytes.
pub const SHA256_HEADER: &str = "onsite-snapshot-sha256";

/// The layout of the snapshot file itself (its meta table); a change to it bumps this.
pub const FORMAT: i64 = 1;

/// Why a snapshot was refused. Every refusal leaves the store as it was.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes received are not the bytes the server hashed (cut short, or damaged).
    #[error("the snapshot's SHA-256 is {received}, not the {announced} its server announced")]
    HashMismatch {
        /// The hash the server sent beside the bytes.
        announced: String,
        /// The hash of the bytes received.
        received: String,
    },
    /// Made by a build with another file format or store schema than this one.
    #[error(
        "the snapshot has format {format} and schema {schema}; this build installs format {FORMAT}, schema {}",
        crate::store::LATEST_VERSION
    )]
    Incompatible {
        /// The snapshot's format.
        format: i64,
        /// The store schema version it was built from.
        schema: i64,
    },
    /// The store has synced or holds rows already: only a fresh store installs a snapshot.
    #[error("a snapshot installs only into a store that has never synced")]
    NotFresh,
    /// A table of the store is missing from the snapshot, or lacks one of its columns.
    #[error("the snapshot lacks the column {table}.{column}")]
    MissingColumn {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
    },
    /// The compressed bytes do not decode.
    #[error("the snapshot does not decompress: {0}")]
    Decode(std::io::Error),
    /// Reading or writing the snapshot's file failed.
    #[error("the snapshot file: {0}")]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
mod tests;
