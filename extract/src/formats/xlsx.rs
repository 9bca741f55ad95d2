//! Spreadsheets (XLSX, and XLS / Kingsoft ET in OLE files) → [`Line`]s via calamine.
//!
//! Each sheet row is one grid line. A merged region keeps its value in the
//! top-left cell and the covered cells are empty, which is already the shape
//! the HTML and DOCX readers give for spans. Numbers print as calamine shows
//! them (`3`, `0.35`), strings as stored; sheets follow each other.
//!
//! XLSX sheets are read sparsely (calamine's cell reader), never as a dense
//! rows × columns range: a sheet with cells at A1 and XFD1048576 costs two
//! cells, not 1.7e10. At most [`Limits::max_sheet_cells`] non-empty cells are
//! read (flag `limit:sheet_cells`); rows are clipped at `MAX_GRID_COLS` cells.
//! XLS (BIFF) is read densely: the format itself caps a sheet at 65 536 × 256.

use super::cells::{LineSink, MAX_GRID_COLS};
use super::limits::{Exceeded, Limits};
use super::zipfile;
use crate::Line;
use calamine::{Data, Reader, Xlsx, open_workbook_auto_from_rs};
use std::collections::BTreeMap;
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
        return read_xlsx_sparse(bytes, limits);
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
    let (lines, limit_flags) = sink.finish_flags();
    flags.extend(limit_flags);
    Ok((lines, flags))
}

/// The non-empty cells of one sheet, by row then column.
type SparseSheet = BTreeMap<u32, BTreeMap<u32, String>>;

/// Reads an XLSX cell by cell; each sheet becomes rows padded from its first
/// to its last used column (at most `MAX_GRID_COLS` wide).
fn read_xlsx_sparse(bytes: &[u8], limits: &Limits) -> Result<(Vec<Line>, Vec<String>), String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("xlsx_error:{e}"))?;
    let mut sink = LineSink::new(limits.max_lines);
    let mut flags = Vec::new();
    let mut budget = limits.max_sheet_cells;
    for name in book.sheet_names() {
        // calamine 0.38 panics (integer overflow) on some malformed references (a
        // reversed dimension such as `B5:A1`): one bad sheet costs that sheet only.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_sheet(&mut book, &name, &mut budget, &mut flags)
        }));
        match read {
            Ok(sheet) => emit_sheet(sheet, &mut sink),
            Err(_) => flags.push(format!("xlsx_error:sheet {name}:malformed cell reference")),
        }
        if budget == 0 || sink.full() {
            break;
        }
    }
    let (lines, limit_flags) = sink.finish_flags();
    flags.extend(limit_flags);
    Ok((lines, flags))
}

/// Reads the non-empty cells of one sheet, spending `budget`; problems become flags.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    budget: &mut usize,
    flags: &mut Vec<String>,
) -> SparseSheet {
    let mut sheet = SparseSheet::new();
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(e) => {
            flags.push(format!("xlsx_error:sheet {name}:{e}"));
            return sheet;
        }
    };
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                flags.push(format!("xlsx_error:sheet {name}:{e}"));
                break;
            }
        };
        let text = Data::from(cell.get_value().clone()).to_string();
        if text.trim().is_empty() {
            continue;
        }
        if *budget == 0 {
            flags.push(Exceeded::SheetCells.flag());
            break;
        }
        *budget -= 1;
        let (row, col) = cell.get_position();
        sheet.entry(row).or_default().insert(col, text);
    }
    sheet
}

/// Emits a sparse sheet as grid rows starting at its first used column.
fn emit_sheet(sheet: SparseSheet, sink: &mut LineSink) {
    let first = sheet
        .values()
        .filter_map(|r| r.keys().next())
        .min()
        .copied();
    let last = sheet
        .values()
        .filter_map(|r| r.keys().next_back())
        .max()
        .copied();
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let full_width = (last - first) as usize + 1;
    let width = full_width.min(MAX_GRID_COLS);
    if full_width > width {
        sink.columns_clipped = true;
    }
    for cells in sheet.into_values() {
        if sink.full() {
            return;
        }
        let mut row = vec![String::new(); width];
        for (col, text) in cells {
            if let Some(slot) = row.get_mut((col - first) as usize) {
                *slot = text;
            }
        }
        sink.row(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal XLSX whose one sheet holds `cells` (`(ref, inline string)`) and declares `dim`.
    fn xlsx(dim: &str, cells: &[(&str, &str)]) -> Vec<u8> {
        let mut rows: BTreeMap<u32, String> = BTreeMap::new();
        for (r, v) in cells {
            let n: u32 = r
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap();
            rows.entry(n).or_default().push_str(&format!(
                r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#
            ));
        }
        let sheet_data: String = rows
            .iter()
            .map(|(n, c)| format!(r#"<row r="{n}">{c}</row>"#))
            .collect();
        let files: Vec<(&str, String)> = vec![
            ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into()),
            ("_rels/.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
            ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
            ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
            ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dim}"/><sheetData>{sheet_data}</sheetData></worksheet>"#)),
        ];
        let mut out = Cursor::new(Vec::new());
        let mut zw = zip::ZipWriter::new(&mut out);
        for (name, body) in files {
            zw.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zw.write_all(body.as_bytes()).unwrap();
        }
        zw.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_sheet_spanning_a1_to_xfd1048576_is_read_sparsely() {
        let book = xlsx("A1:XFD1048576", &[("A1", "报告"), ("XFD1048576", "7")]);
        let (lines, flags) = read_workbook(&book, true, &Limits::default()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].cells.len(), MAX_GRID_COLS);
        assert_eq!(lines[0].cells[0], "报告");
        // XFD is beyond the column cap: clipped, and said so.
        assert!(lines[1].cells.iter().all(String::is_empty));
        assert_eq!(flags, vec!["limit:table_columns"]);
    }

    #[test]
    fn cells_keep_their_columns_and_the_cell_budget_holds() {
        let book = xlsx("B2:D3", &[("B2", "项目"), ("D2", "件"), ("C3", "5")]);
        let (lines, flags) = read_workbook(&book, true, &Limits::default()).unwrap();
        let cells: Vec<Vec<String>> = lines.into_iter().map(|l| l.cells).collect();
        assert_eq!(cells, vec![vec!["项目", "", "件"], vec!["", "5", ""]]);
        assert!(flags.is_empty(), "{flags:?}");

        let small = Limits {
            max_sheet_cells: 2,
            ..Limits::default()
        };
        let (lines, flags) = read_workbook(&book, true, &small).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(flags, vec!["limit:sheet_cells"]);
    }
}
