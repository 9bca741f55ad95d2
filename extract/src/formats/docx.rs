//! DOCX (`word/document.xml`) → [`Line`]s, with zip + quick-xml 0.42.
//!
//! * Paragraphs outside tables are text lines; a tab inside such a paragraph
//!   splits cells, as in the text path (documents that fake tables with tabs).
//! * `w:tbl` rows are grid lines: `w:gridSpan` repeats empty cells after the
//!   text, a `w:vMerge` continuation cell is empty, `w:gridBefore` adds leading
//!   empty cells; rows are padded to the table's width — the same shape the
//!   HTML reader gives for rowspan/colspan.
//! * Paragraphs and `w:br` inside a cell are its visual lines, joined like HTML
//!   cell lines (vertical text, wrapped labels).
//! * Deleted text (`w:delText`), field codes (`w:instrText`) and the
//!   `mc:Fallback` copy of text boxes are skipped; entities arrive as
//!   `Event::GeneralRef` in quick-xml 0.42 and are resolved.
//! * A table nested in a cell is emitted as its own grid (after the row holding it).
//! * Bounded: a row holds at most `MAX_GRID_COLS` cells (wider ones are clipped,
//!   flag `limit:table_columns`), and a table buffers no more rows than the line
//!   limit still accepts.

use super::cells::{LineSink, MAX_GRID_COLS, join_cell_lines};
use super::limits::{Exceeded, Limits};
use super::zipfile;
use crate::Line;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Reads a DOCX; returns its lines and flags, or a flag when it cannot be read.
pub(crate) fn read_docx(bytes: &[u8], limits: &Limits) -> Result<(Vec<Line>, Vec<String>), String> {
    let mut archive = zipfile::open_checked(bytes, limits)?;
    let xml = zipfile::read_entry(
        &mut archive,
        "word/document.xml",
        limits.max_decompressed_bytes,
    )?
    .ok_or_else(|| "docx_error:no word/document.xml".to_string())?;
    let xml =
        String::from_utf8(xml).map_err(|e| format!("docx_error:document.xml is not UTF-8:{e}"))?;
    let mut sink = LineSink::new(limits.max_lines);
    let mut flags = Vec::new();
    if let Err(e) = walk(&xml, &mut sink) {
        // keep what was read before the damage
        flags.push(format!("docx_error:{e}"));
    }
    let (lines, limit_flags) = sink.finish_flags();
    flags.extend(limit_flags);
    Ok((lines, flags))
}

/// One table being read.
#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    /// The open cell: its finished lines, span and whether it continues a vertical merge.
    cell: Option<CellState>,
    /// A row was wider than [`MAX_GRID_COLS`] and was clipped.
    clipped: bool,
}

impl Table {
    /// Appends `n` cells to the open row, at most up to [`MAX_GRID_COLS`].
    fn push_cells(&mut self, first: String, n: usize) {
        let room = MAX_GRID_COLS.saturating_sub(self.row.len());
        if n > room {
            self.clipped = true;
        }
        if room == 0 || n == 0 {
            return;
        }
        self.row.push(first);
        self.row
            .extend(std::iter::repeat_n(String::new(), n.min(room) - 1));
    }
}

#[derive(Default)]
struct CellState {
    lines: Vec<String>,
    span: usize,
    merged_continue: bool,
}

/// Streams `document.xml`, emitting text lines and table rows into `sink`.
fn walk(xml: &str, sink: &mut LineSink) -> Result<(), String> {
    let mut reader = Reader::from_str(xml);
    let mut tables: Vec<Table> = Vec::new();
    let mut para = String::new(); // text of the open paragraph (or cell line)
    let mut in_text = false; // inside w:t
    let mut skip_depth = 0usize; // inside skipped content
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("xml at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) if skip_depth > 0 => {
                let _ = e;
                skip_depth += 1;
            }
            Event::End(_) if skip_depth > 0 => skip_depth -= 1,
            _ if skip_depth > 0 => {}
            Event::Start(e) => match e.name().0 {
                "w:delText" | "w:instrText" | "mc:Fallback" => skip_depth = 1,
                "w:t" => in_text = true,
                "w:tbl" => {
                    flush_para(&mut para, &mut tables, sink);
                    tables.push(Table::default());
                }
                "w:tr" => start_row(&mut tables),
                "w:tc" => start_cell(&mut tables),
                name => empty_elem(name, &e, &mut para, &mut tables),
            },
            Event::Empty(e) => empty_elem(e.name().0, &e, &mut para, &mut tables),
            Event::Text(t) if in_text => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => para.extend(super::xml::entity(&r.xml10_content())),
            Event::End(e) => match e.name().0 {
                "w:t" => in_text = false,
                "w:p" => flush_para(&mut para, &mut tables, sink),
                "w:tc" => end_cell(&mut para, &mut tables),
                "w:tr" => end_row(&mut tables, sink),
                "w:tbl" => end_table(&mut tables, sink),
                _ => {}
            },
            _ => {}
        }
        if sink.full() {
            break;
        }
    }
    flush_para(&mut para, &mut tables, sink);
    while !tables.is_empty() {
        end_table(&mut tables, sink);
    }
    Ok(())
}

/// Elements that matter whether written empty or as start tags.
fn empty_elem(name: &str, e: &BytesStart<'_>, para: &mut String, tables: &mut [Table]) {
    let val = || {
        e.try_get_attribute("w:val")
            .ok()
            .flatten()
            .map(|a| a.value.into_owned())
    };
    match name {
        "w:tab" => para.push('\t'),
        "w:br" | "w:cr" => {
            if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                cell.lines.push(std::mem::take(para));
            } else {
                para.push('\n');
            }
        }
        "w:gridSpan" => {
            if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                cell.span = val()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 512);
            }
        }
        "w:vMerge" => {
            if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                cell.merged_continue = val().is_none_or(|v| v != "restart");
            }
        }
        "w:gridBefore" => {
            if let Some(t) = tables.last_mut() {
                let n: usize = val().and_then(|v| v.parse().ok()).unwrap_or(0).min(512);
                t.push_cells(String::new(), n);
            }
        }
        _ => {}
    }
}

/// Ends a paragraph: a cell line inside a cell, otherwise text line(s).
fn flush_para(para: &mut String, tables: &mut [Table], sink: &mut LineSink) {
    if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
        cell.lines.push(std::mem::take(para).replace('\t', " "));
        return;
    }
    for line in std::mem::take(para).split('\n') {
        if !line.trim().is_empty() {
            sink.row(line.split('\t').map(str::to_string).collect());
        }
    }
}

fn start_row(tables: &mut [Table]) {
    if let Some(t) = tables.last_mut() {
        t.row.clear();
    }
}

fn start_cell(tables: &mut [Table]) {
    if let Some(t) = tables.last_mut() {
        t.cell = Some(CellState {
            span: 1,
            ..CellState::default()
        });
    }
}

fn end_cell(para: &mut String, tables: &mut [Table]) {
    let Some(t) = tables.last_mut() else { return };
    let Some(mut cell) = t.cell.take() else {
        return;
    };
    if !para.is_empty() {
        cell.lines.push(std::mem::take(para));
    }
    let text = if cell.merged_continue {
        String::new()
    } else {
        join_cell_lines(&cell.lines)
    };
    t.push_cells(text, cell.span.max(1));
}

/// Ends a row; rows beyond what the sink still accepts are not buffered.
fn end_row(tables: &mut [Table], sink: &mut LineSink) {
    let buffered: usize = tables.iter().map(|t| t.rows.len()).sum();
    if let Some(t) = tables.last_mut() {
        let row = std::mem::take(&mut t.row);
        if buffered < sink.remaining() {
            t.rows.push(row);
        } else {
            sink.exceeded = Some(Exceeded::Lines);
        }
    }
}

fn end_table(tables: &mut Vec<Table>, sink: &mut LineSink) {
    let Some(t) = tables.pop() else { return };
    sink.columns_clipped |= t.clipped;
    let width = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    for mut row in t.rows {
        row.resize(width, String::new());
        sink.row(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines (at most 100) and limit flags of a document body.
    fn walked(xml: &str) -> (Vec<Line>, Vec<String>) {
        let mut sink = LineSink::new(100);
        walk(xml, &mut sink).unwrap();
        sink.finish_flags()
    }

    fn lines(xml: &str) -> Vec<Vec<String>> {
        walked(xml).0.into_iter().map(|l| l.cells).collect()
    }

    #[test]
    fn merges_entities_and_skips() {
        let xml = r#"<w:document><w:body>
          <w:p><w:r><w:t>A &amp; B</w:t></w:r><w:r><w:delText>gone</w:delText></w:r></w:p>
          <w:p><w:r><w:t>信息内容</w:t><w:tab/><w:t>件数</w:t></w:r></w:p>
          <w:tbl>
            <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>申请人</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>结果</w:t></w:r></w:p><w:p><w:r><w:t>维持</w:t></w:r></w:p></w:tc>
                  <w:tc><w:p><w:r><w:t>1</w:t><w:br/><w:t>件</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>&#50;</w:t></w:r></w:p></w:tc></w:tr>
          </w:tbl></w:body></w:document>"#;
        assert_eq!(
            lines(xml),
            vec![
                vec!["A & B"],
                vec!["信息内容", "件数"],
                vec!["申请人", ""],
                vec!["结果维持", "1 件"],
                vec!["", "2"],
            ]
        );
    }

    #[test]
    fn wide_rows_are_clipped_and_long_tables_stop_at_the_line_limit() {
        // 2 000 cells of span 512 each: ~1e6 cells unclipped.
        let cell = r#"<w:tc><w:tcPr><w:gridSpan w:val="512"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>"#;
        let xml = format!(
            "<w:document><w:body><w:tbl><w:tr>{}</w:tr></w:tbl></w:body></w:document>",
            cell.repeat(2000)
        );
        let (lines, flags) = walked(&xml);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].cells.len(), MAX_GRID_COLS);
        assert_eq!(flags, vec!["limit:table_columns"]);

        let row = r#"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"#;
        let xml = format!(
            "<w:document><w:body><w:tbl>{}</w:tbl></w:body></w:document>",
            row.repeat(5000)
        );
        let (lines, flags) = walked(&xml);
        assert_eq!(lines.len(), 100);
        assert_eq!(flags, vec!["limit:lines"]);
    }
}
