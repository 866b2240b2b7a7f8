//! A snapshot on the device's disk: received chunk by chunk, decompressed and hashed as it
//! comes ([`Download`]), so a phone never holds it in memory nor keeps the compressed copy; the
//! file is removed when it is no longer needed ([`SnapshotFile`]), installed or not.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::SnapshotError;
use crate::error::Result;

/// A decompressed snapshot file, removed when this is dropped.
#[derive(Debug)]
pub struct SnapshotFile {
    path: PathBuf,
}

impl SnapshotFile {
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SnapshotFile {
    fn drop(&mut self) {
        // Gone already (never written) is fine; anything else is left for the next download,
        // which truncates the same path.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A snapshot being received: each chunk is hashed as sent and decompressed to the file.
pub struct Download {
    file: SnapshotFile,
    decoder: zstd::stream::write::Decoder<'static, BufWriter<File>>,
    hash: Sha256,
    received: u64,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("path", &self.file.path)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// Starts a download into `path`, replacing whatever an earlier, interrupted one left there.
    pub fn create(path: PathBuf) -> Result<Download> {
        let out = File::create(&path).map_err(SnapshotError::Io)?;
        let file = SnapshotFile { path };
        let decoder =
            zstd::stream::write::Decoder::new(BufWriter::new(out)).map_err(SnapshotError::Io)?;
        Ok(Download {
            file,
            decoder,
            hash: Sha256::new(),
            received: 0,
        })
    }

    /// Takes the next chunk of compressed bytes.
    pub fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.hash.update(chunk);
        self.received += chunk.len() as u64;
        self.decoder
            .write_all(chunk)
            .map_err(|e| SnapshotError::Decode(e).into())
    }

    /// Compressed bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Ends the download: the bytes received must hash to `announced` (hex), or the file goes.
    pub fn finish(self, announced: &str) -> Result<SnapshotFile> {
        let Download {
            file,
            mut decoder,
            hash,
            ..
        } = self;
        let received = hex::encode(hash.finalize());
        if !received.eq_ignore_ascii_case(announced) {
            return Err(SnapshotError::HashMismatch {
                announced: announced.to_owned(),
                received,
            }
            .into());
        }
        decoder.flush().map_err(SnapshotError::Decode)?;
        decoder
            .into_inner()
            .into_inner()
            .map_err(|e| SnapshotError::Io(e.into_error()))?;
        Ok(file)
    }
}
