//! Compressed text columns: the signed report kept with each sign-off and its pen strokes are
//! the largest values in a store (half its bytes before v7), read only when one job's report
//! is shown, so they are stored zstd-compressed. A packed column holds exactly the text it was
//! given: the report's bytes, and so its SHA-256, are unchanged.
//!
//! On the wire and in every API they stay text; only the store holds them packed, through the
//! functions here (the pulled-row writer, the sign-off queries, the v7 upgrade's SQL function).

use std::cell::RefCell;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use crate::error::{Entity, Error, Result};

/// The packed columns: (kind of row, column).
pub const PACKED: &[(Entity, &str)] = &[
    (Entity::SignOff, "strokes"),
    (Entity::SignOff, "report_json"),
];

/// zstd level 1: a signed report packs to about half, in a few microseconds. Higher levels
/// gain little on documents of a few kilobytes and cost a first sync time.
const LEVEL: i32 = 1;

/// The largest text a packed column unpacks to: a sign-off's strokes (at most 50,000 points) and
/// its report stay far below it; anything claiming more is damage.
const UNPACKED_MAX: usize = 16 << 20;

/// Whether `column` of `entity` is stored packed.
pub fn is_packed(entity: Entity, column: &str) -> bool {
    PACKED.iter().any(|(e, c)| *e == entity && *c == column)
}

thread_local! {
    // One context per thread, made once: making one per value cost more than the compression
    // itself (a fifth of a first sync's apply).
    static PACKER: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static UNPACKER: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The packed form of `text`.
pub fn pack(text: &str) -> Result<Vec<u8>> {
    let failed = |err: std::io::Error| Error::Packing(err.to_string());
    PACKER.with_borrow_mut(|packer| {
        let packer = match packer {
            Some(p) => p,
            None => packer.insert(zstd::bulk::Compressor::new(LEVEL).map_err(failed)?),
        };
        packer.compress(text.as_bytes()).map_err(failed)
    })
}

/// The text a packed value holds; `column` names it in the error if it does not unpack.
pub fn unpack(column: &'static str, packed: &[u8]) -> Result<String> {
    let corrupt = || Error::Corrupt {
        column,
        value: format!("{} bytes that are not packed text", packed.len()),
    };
    // The frame says how long its text is (`pack` writes it): exactly that much is made room for.
    let len = match zstd::zstd_safe::get_frame_content_size(packed) {
        Ok(Some(len)) if len <= UNPACKED_MAX as u64 => len as usize,
        _ => return Err(corrupt()),
    };
    let bytes = UNPACKER.with_borrow_mut(|unpacker| {
        let unpacker = match unpacker {
            Some(u) => u,
            None => unpacker.insert(
                zstd::bulk::Decompressor::new().map_err(|err| Error::Packing(err.to_string()))?,
            ),
        };
        unpacker.decompress(packed, len).map_err(|_| corrupt())
    })?;
    String::from_utf8(bytes).map_err(|_| corrupt())
}

/// Makes `onsite_pack(text)` callable from SQL on `conn` (the v7 upgrade packs the columns of
/// stores that held them as text).
pub(super) fn register(conn: &Connection) -> Result<()> {
    conn.create_scalar_function(
        "onsite_pack",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            text.map(|t| pack(&t))
                .transpose()
                .map_err(|err| rusqlite::Error::UserFunctionError(Box::new(err)))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_text_unpacks_to_the_same_bytes_and_damage_is_named() {
        let text = "{\"format\":1,\"customer\":\"Mühlenweg 60, 50667 Köln\"}".repeat(40);
        let packed = pack(&text).expect("packs");
        assert!(packed.len() < text.len() / 4, "repetitive text packs small");
        assert_eq!(
            unpack("signoffs.report_json", &packed).expect("unpacks"),
            text
        );
        let err = unpack("signoffs.report_json", b"not zstd").expect_err("damage");
        assert!(
            matches!(
                err,
                Error::Corrupt {
                    column: "signoffs.report_json",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
