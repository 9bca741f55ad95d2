//! Opening zip containers (DOCX, XLSX) under the entry-count and decompressed-size limits.
//!
//! The declared sizes in the central directory are checked before anything is
//! inflated, and every entry read here is read through a counting cap, so an
//! archive whose headers lie about sizes still stops at the limit.

use super::limits::{Exceeded, Limits};
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// A zip archive over borrowed bytes.
pub(crate) type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Opens the archive and checks its entry count and declared total size.
/// Errors are report flags.
pub(crate) fn open_checked<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Archive<'a>, String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("zip_error:{e}"))?;
    if archive.len() > limits.max_zip_entries {
        return Err(Exceeded::ZipEntries.flag());
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let size = archive
            .by_index_raw(i)
            .map(|f| f.size())
            .map_err(|e| format!("zip_error:{e}"))?;
        declared = declared.saturating_add(size);
    }
    if declared > limits.max_decompressed_bytes {
        return Err(Exceeded::ZipDecompressedSize.flag());
    }
    Ok(archive)
}

/// Reads one entry, inflating at most `budget` bytes (whatever its header says).
/// `Ok(None)` when there is no such entry.
pub(crate) fn read_entry(
    archive: &mut Archive<'_>,
    name: &str,
    budget: u64,
) -> Result<Option<Vec<u8>>, String> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("zip_error:{name}:{e}")),
    };
    let mut buf = Vec::new();
    file.take(budget.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| format!("zip_error:{name}:{e}"))?;
    if buf.len() as u64 > budget {
        return Err(Exceeded::ZipDecompressedSize.flag());
    }
    Ok(Some(buf))
}
