//! Spreadsheets (XLSX, and XLS / Kingsoft ET in OLE files) → [`Line`]s via calamine.
//!
//! Each sheet row is one grid line. A merged region keeps its value in the
//! top-left cell and the covered cells are empty, which is already the shape
//! the HTML and DOCX readers give for spans. Numbers print as calamine shows
//! them (`3`, `0.35`), strings as stored; sheets follow each other.

use super::cells::LineSink;
use super::limits::{Exceeded, Limits};
use super::zipfile;
use crate::Line;
use calamine::{Reader, open_workbook_auto_from_rs};
use std::io::Cursor;

/// Reads every sheet of a workbook; `zip` says whether it is a zip container
/// (XLSX) whose limits must be checked first. Errors are report flags.
pub(crate) fn read_workbook(
    bytes: &[u8],
    zip: bool,
    limits: &Limits,
) -> Result<(Vec<Line>, Vec<String>), String> {
    if zip {
        zipfile::open_checked(bytes, limits)?;
    }
    let mut book =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| format!("xlsx_error:{e}"))?;
    let mut sink = LineSink::new(limits.max_lines);
    let mut flags = Vec::new();
    for name in book.sheet_names() {
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                flags.push(format!("xlsx_error:sheet {name}:{e}"));
                continue;
            }
        };
        for row in range.rows() {
            if sink.full() {
                break;
            }
            if row.iter().all(|c| c.to_string().trim().is_empty()) {
                continue;
            }
            sink.row(row.iter().map(|c| c.to_string()).collect());
        }
    }
    let (lines, exceeded) = sink.finish();
    flags.extend(exceeded.map(Exceeded::flag));
    Ok((lines, flags))
}
