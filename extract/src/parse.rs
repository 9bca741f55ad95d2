//! The pure parsing core: lines → template tables, cells, checks and flags.
//!
//! Steps: tokenise ([`crate::reader::tokens`]) → title metadata
//! ([`crate::metadata`]) → locate parts 二/三/四 ([`crate::reader::sections`])
//! → read each table → detect the template from labels → one [`Cell`] per
//! template cell of every table found → fill determined cells
//! ([`crate::infer`]) → maps from cells → checks ([`crate::checks`]).
//!
//! Flags: `not_a_report`, `missing_table:N`, `two_reports`, `truncated`,
//! `short_row:<row>`, `long_row:<row>`, `duplicate_row:<row>`,
//! `unmatched_row:<line>`, `off_template_row:<row>`, `template_mixed`,
//! `no_column_header`, `column_header_incomplete`, `no_heading:3`,
//! `table4_unreadable:<n>_values`, `short_row:t2:<line>`, `no_title`, and the
//! inference flags of [`crate::infer`].

use crate::infer::{ShortRow, infer};
use crate::metadata::title_meta;
use crate::reader::sections;
use crate::reader::tokens::{TLine, tokenize};
use crate::reader::{Slot, table2, table3, table4};
use crate::vocab::{RowRole, vocab};
use crate::{Cell, Line, Report, Status, TableId, Template};

fn cell(table: TableId, row: &str, col: Option<&str>, s: Slot) -> Cell {
    Cell {
        table,
        row: row.to_string(),
        col: col.map(str::to_string),
        value: s.value,
        raw: s.raw,
        unit: s.unit,
        provenance: s.provenance,
        line: s.line,
    }
}

/// Reads the template tables and title metadata from lines of a document.
///
/// Fills everything but `source`, `sha256`, `format`, `charset` and the region
/// fields (see [`crate::region::annotate`]). Never panics on any input.
pub fn parse_lines(lines: &[Line]) -> Report {
    let toks = tokenize(lines);
    let meta = title_meta(&toks);
    let mut report = Report {
        title: meta.title,
        agency: meta.agency,
        year: meta.year,
        ..Report::default()
    };
    if report.title.is_none() {
        report.flags.push("no_title".into());
    }
    let v = vocab();
    let first_row = v
        .rows
        .iter()
        .find(|r| r.role == RowRole::Received)
        .map_or("", |r| r.labels[0].as_str());
    let sec = sections::find(&toks, first_row);
    if sec.second_report.is_some() {
        report.flags.push("two_reports".into());
    }
    if sec.t3_without_heading {
        report.flags.push("no_heading:3".into());
    }
    let t3 = sec
        .t3
        .clone()
        .map(|r| table3::read(&toks[r]))
        .filter(|t| !t.rows.is_empty());
    let Some(t3) = t3 else {
        report.status = Status::NotAReport;
        report.flags.push("not_a_report".into());
        report.flags.push("missing_table:3".into());
        report.checks = crate::checks::run_checks(&report);
        return report;
    };
    let t2 = sec
        .t2
        .clone()
        .map(|r| table2::read(&toks[r]))
        .filter(|t| !t.slots.is_empty());
    let t4 = sec
        .t4
        .clone()
        .map(|r| table4::read(&toks[r]))
        .filter(|t| t.slots.iter().any(|s| !s.is_missing()));
    let t2_template = t2.as_ref().and_then(|t| t.template());
    let template = t3.template().or(t2_template).unwrap_or(Template::V2021);
    if t2_template.is_some_and(|t| t != template) {
        report.flags.push("template_mixed".into());
    }
    report.template = Some(template);
    match &t2 {
        Some(t2) => {
            let tt = t2_template.unwrap_or(template);
            for (k, term) in v
                .table2
                .iter()
                .enumerate()
                .filter(|(_, t)| t.template == tt)
            {
                let s = t2
                    .slots
                    .iter()
                    .find(|(i, _)| *i == k)
                    .map_or_else(Slot::missing, |(_, s)| s.clone());
                report.cells.push(cell(TableId::T2, &term.key, None, s));
            }
            report.flags.extend(t2.flags.iter().cloned());
        }
        None => report.flags.push("missing_table:2".into()),
    }
    let short_rows = table3_cells(&mut report, &t3, template, &toks);
    match &t4 {
        Some(t4) => {
            for (term, s) in v.table4.iter().zip(&t4.slots) {
                report
                    .cells
                    .push(cell(TableId::T4, &term.key, None, s.clone()));
            }
            report.flags.extend(t4.flags.iter().cloned());
        }
        None => report.flags.push("missing_table:4".into()),
    }
    infer(&mut report, &short_rows);
    fill_maps(&mut report);
    report.checks = crate::checks::run_checks(&report);
    report
}

/// Table-3 cells for every row of the template; returns the short rows.
fn table3_cells(
    report: &mut Report,
    t3: &table3::Table3Read,
    template: Template,
    toks: &[TLine],
) -> Vec<ShortRow> {
    let v = vocab();
    report.flags.extend(t3.flags.iter().cloned());
    for r in &t3.rows {
        if !v.rows[r.row].templates.contains(&template) {
            report
                .flags
                .push(format!("off_template_row:{}", v.rows[r.row].key));
        }
    }
    let template_rows: Vec<usize> = v
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.templates.contains(&template))
        .map(|(i, _)| i)
        .collect();
    let read: Vec<bool> = template_rows
        .iter()
        .map(|i| t3.rows.iter().any(|r| r.row == *i))
        .collect();
    // Cut off: the template's last rows were never read and the document ends in part 三.
    if read.last() == Some(&false) && read.iter().any(|&x| x) && !toks.is_empty() {
        report.flags.push("truncated".into());
    }
    let mut short = Vec::new();
    for &ri in &template_rows {
        let row = &v.rows[ri];
        let found = t3.rows.iter().find(|r| r.row == ri);
        for (ci, col) in v.cols.iter().enumerate() {
            let s = found.map_or_else(Slot::missing, |r| {
                r.slots.get(ci).cloned().unwrap_or_else(Slot::missing)
            });
            report
                .cells
                .push(cell(TableId::T3, &row.key, Some(&col.key), s));
        }
        if let Some(r) = found.filter(|r| r.short && !r.printed.is_empty()) {
            short.push(ShortRow {
                row: row.key.clone(),
                printed: r.printed.iter().map(|p| p.value).collect(),
                doc_cols: t3.order.iter().map(|&c| v.cols[c].key.clone()).collect(),
            });
        }
    }
    short
}

/// Builds `table2`/`table3`/`table4` from the cells.
fn fill_maps(report: &mut Report) {
    for c in &report.cells {
        match (c.table, &c.col) {
            (TableId::T2, _) => {
                report.table2.insert(c.row.clone(), c.value);
            }
            (TableId::T3, Some(col)) => {
                report
                    .table3
                    .entry(c.row.clone())
                    .or_default()
                    .insert(col.clone(), c.value);
            }
            (TableId::T4, _) => {
                report.table4.insert(c.row.clone(), c.value);
            }
            (TableId::T3, None) => {}
        }
    }
}
