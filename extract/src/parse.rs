//! The pure parsing core: lines → template tables, cells, checks and flags.
//!
//! Steps: tokenise ([`crate::reader::tokens`]) → title metadata
//! ([`crate::metadata`]) → locate parts 二/三/四 ([`crate::reader::sections`])
//! → read each table → detect the template from labels → one [`Cell`] per
//! template cell of every table found → fill determined cells
//! ([`crate::infer`]) → maps from cells → checks ([`crate::checks`]).
//!
//! Flags (findings about the document; numbers are never changed to satisfy them):
//!
//! | flag | meaning |
//! |---|---|
//! | `not_a_report` + `missing_table:3` | no table 3: status `not_a_report` |
//! | `missing_table:2`, `missing_table:4` | that table was not found (its keys are omitted) |
//! | `two_reports` | a second report follows; only the first is read |
//! | `truncated` | the document ends inside table 3, before its last rows |
//! | `short_row:<row>` | the row's values could not be placed in columns (or it printed none): cells `missing` unless inferred |
//! | `long_row:<row>` | more values than columns: not placed |
//! | `duplicate_row:<row>` | a row label seen twice: the first is kept |
//! | `unmatched_row:<line>` | numbers under a label that matches no row |
//! | `off_template_row:<row>` | a row of the other template (dropped) |
//! | `template_mixed` | table 2 and table 3 show different templates (table 3 wins) |
//! | `no_column_header`, `column_header_incomplete` | table-3 columns in template order |
//! | `no_column_header:4` | table-4 numbers read in template order without header labels |
//! | `no_heading:3` | part 三 found by its first row label |
//! | `table4_unreadable:<n>_values` | table 4 had neither 15 numbers nor 3 labelled rows of 5 |
//! | `short_row:t2:<line>` | a table-2 line whose values do not fit its header |
//! | `no_title` | no report title found |
//! | `inferred:<row>`, `inferred_rule:<row>:<ids>`, `conflict:<row>`, `inference_conflict:<id>:<instance>` | see [`crate::infer`] |

use crate::infer::{ShortRow, infer};
use crate::metadata::title_meta;
use crate::reader::sections;
use crate::reader::tokens::tokenize;
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
    // Part 三 runs to the end of the document (nothing after it was recognised).
    let t3_ends_document = sec.t3.as_ref().is_some_and(|r| r.end == toks.len()) && sec.t4.is_none();
    let short_rows = table3_cells(&mut report, &t3, template, t3_ends_document);
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
    narrative(&mut report, lines);
    report
}

/// Figures of the prose and their check `N1` ([`crate::reader::narrative`]).
fn narrative(report: &mut Report, lines: &[Line]) {
    let (cells, flags) = crate::reader::narrative::read(lines);
    report.narrative = cells;
    report.flags.extend(flags);
    report
        .checks
        .extend(crate::reader::narrative::check(report));
}

/// Table-3 cells for every row of the template; returns the short rows.
fn table3_cells(
    report: &mut Report,
    t3: &table3::Table3Read,
    template: Template,
    ends_document: bool,
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
    if ends_document && read.last() == Some(&false) && read.iter().any(|&x| x) {
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
            (TableId::T3, None) | (TableId::Narrative, _) => {}
        }
    }
}
