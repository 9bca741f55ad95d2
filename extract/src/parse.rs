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
//! | `row_by_position:<row>` | the row's numbers had no label on their line (or one that disagreed with the template order) and were placed by their position between rows labelled on their own lines (see [`crate::reader::align`]) |
//! | `unplaced_row:<line>` | a row of numbers without a usable label that its position could not place: dropped |
//! | `stray_values:<line>` | numbers that fit no row (a stray number line, a partial row of a floated label): not read |
//! | `stray_placed:<row>` | a lone number that fit no row was put back into the one cell of `<row>` printed empty whose identities all need exactly that number, the only such cell (see [`place_strays`]); provenance `printed`, `line` the stray's line |
//! | `ambiguous_split:<row>` | the row's (or `table4`'s) digits were printed fused and zero or several cuts satisfy the identities: cells left missing (see [`crate::reader::split`]) |
//! | `short_row:t2:<line>` | a table-2 line whose values do not fit its header |
//! | `t2_lifted:<key>` | a table-2 cell of a row from which a converter lifted one cell (a number with a note, printed above the table): the lifted number went to the measure its note names, the row's own values to the others (see `reader::table2`) |
//! | `no_title` | no report title found |
//! | `title_two_lines` | the title was split over two lines (agency on the first) |
//! | `agency_source:paragraph` | the title names no agency: it was read from the first paragraph (`本报告由…编制`) |
//! | `agency_source:title+paragraph` | the first paragraph confirms the title's agency |
//! | `agency_source:title`, `agency_paragraph:<name>` | the first paragraph names another body; the title's agency is kept |
//! | `revised` | the title marks a revised or corrected version (see [`crate::issued`]) |
//! | `issued_implausible:<date>` | the date found as date of issue is before the reporting year or more than three years after it: not used |
//! | `no_cells_read` | table 3 was located but not one template cell could be read: status `failed` |
//! | `inferred:<row>`, `inferred_rule:<row>:<ids>`, `conflict:<row>`, `inference_conflict:<id>:<instance>` | see [`crate::infer`] |

use crate::infer::{ShortRow, infer};
use crate::metadata::title_meta;
use crate::reader::sections;
use crate::reader::split::{self, FusedRun};
use crate::reader::tokens::tokenize;
use crate::reader::{Slot, table2, table3, table4};
use crate::vocab::{RowRole, vocab};
use crate::{Cell, Line, Provenance, Report, Status, TableId, Template};

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
/// fields (see [`crate::region::annotate`]). The status is `parsed` when every
/// template cell was read, `partial` when some are missing (see
/// [`Report::completeness`]), `failed` when table 3 was found but no cell could
/// be read, `not_a_report` without table 3. Never panics on any input.
pub fn parse_lines(lines: &[Line]) -> Report {
    let toks = tokenize(lines);
    let meta = title_meta(&toks);
    let mut report = Report {
        title: meta.title.clone(),
        agency: meta.agency.clone(),
        year: meta.year,
        ..Report::default()
    };
    if report.title.is_none() {
        report.flags.push("no_title".into());
    }
    if meta.two_lines {
        report.flags.push("title_two_lines".into());
    }
    report.flags.extend(meta.source.flag().map(str::to_string));
    if let Some(p) = &meta.paragraph_agency {
        report.flags.push(format!("agency_paragraph:{p}"));
    }
    let (issued, implausible) = crate::issued::issued(lines, report.year);
    report.issued = issued;
    if let Some(d) = implausible {
        report.flags.push(format!("issued_implausible:{d}"));
    }
    if report
        .title
        .as_deref()
        .is_some_and(crate::issued::is_revised)
    {
        report.flags.push("revised".into());
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
        .filter(|t| t.fused.is_some() || t.slots.iter().any(|s| !s.is_missing()));
    let t2_template = t2.as_ref().and_then(|t| t.template());
    let template = t3.template().or(t2_template).unwrap_or(Template::V2021);
    if t2_template.is_some_and(|t| t != template) {
        report.flags.push("template_mixed".into());
    }
    report.template = Some(template);
    let mut fused: Vec<FusedRun> = Vec::new();
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
            for (keys, parts, line) in &t2.fused {
                let cells: Vec<usize> = keys
                    .iter()
                    .filter_map(|&k| {
                        let key = &v.table2[k].key;
                        report
                            .cells
                            .iter()
                            .position(|c| c.table == TableId::T2 && c.row == *key)
                    })
                    .collect();
                if cells.len() == keys.len() {
                    fused.push(FusedRun {
                        name: format!("t2:{}", v.table2[keys[0]].key),
                        parts: parts.clone(),
                        cells,
                        line: Some(*line),
                    });
                }
            }
        }
        None => report.flags.push("missing_table:2".into()),
    }
    // Part 三 runs to the end of the document (nothing after it was recognised).
    let t3_ends_document = sec.t3.as_ref().is_some_and(|r| r.end == toks.len()) && sec.t4.is_none();
    let (mut short_rows, t3_fused) = table3_cells(&mut report, &t3, template, t3_ends_document);
    fused.extend(t3_fused);
    match &t4 {
        Some(t4) => {
            let first_cell = report.cells.len();
            for (term, s) in v.table4.iter().zip(&t4.slots) {
                report
                    .cells
                    .push(cell(TableId::T4, &term.key, None, s.clone()));
            }
            report.flags.extend(t4.flags.iter().cloned());
            if let Some(parts) = &t4.fused {
                fused.push(FusedRun {
                    name: "table4".into(),
                    parts: parts.clone(),
                    cells: t4.order.iter().map(|&k| first_cell + k).collect(),
                    line: t4.fused_line,
                });
            }
        }
        None => report.flags.push("missing_table:4".into()),
    }
    let split_rows = split::resolve(&mut report, &fused);
    if !split_rows.is_empty() {
        short_rows.retain(|s| !split_rows.contains(&s.row));
        report.flags.retain(|f| {
            f.strip_prefix("short_row:")
                .or_else(|| f.strip_prefix("table4_unreadable:").map(|_| "table4"))
                .is_none_or(|row| !split_rows.iter().any(|r| r == row))
        });
    }
    infer(&mut report, &short_rows);
    place_strays(&mut report, &t3.strays);
    fill_maps(&mut report);
    report.checks = crate::checks::run_checks(&report);
    let blank = crate::checks::blank_in_sum(&report);
    report.flags.extend(blank);
    narrative(&mut report, lines);
    let total = template_cells(t2_template.unwrap_or(template), template);
    judge_completeness(&mut report, total);
    report
}

/// Puts back numbers a converter floated away from their cells.
///
/// PDF-to-Markdown converters sometimes lift one cell out of its row: the
/// row keeps an empty cell and the number stands on a line of its own
/// elsewhere in the table (`stray_values:<line>`). A stray single number is
/// put back into a table-3 cell printed empty when the identities that
/// involve that cell alone ([`crate::checks::blank_needs`]) all need exactly
/// that number, no other such cell needs the same number and no other stray
/// prints it. The cell gets the stray's text and line with provenance
/// `printed` (it is the document's number), and the flag
/// `stray_placed:<row>` replaces `stray_values:<line>`.
fn place_strays(report: &mut Report, strays: &[table3::Stray]) {
    if strays.is_empty() {
        return;
    }
    let singles: Vec<(&table3::Stray, i64)> = strays
        .iter()
        .filter_map(|s| match s.values.as_slice() {
            [v] if v.provenance == Provenance::Printed => match v.value {
                Some(crate::Number::Int(x)) => Some((s, x)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let needs = crate::checks::blank_needs(report);
    for &(cell, need) in &needs {
        let Some(need) = need else { continue };
        if report.cells[cell].table != TableId::T3
            || needs.iter().filter(|(_, n)| *n == Some(need)).count() != 1
        {
            continue;
        }
        let [(stray, _)] = singles
            .iter()
            .filter(|(_, x)| *x == need)
            .collect::<Vec<_>>()
            .as_slice()
        else {
            continue;
        };
        let c = &mut report.cells[cell];
        c.value = Some(crate::Number::Int(need));
        c.raw = stray
            .raw
            .first()
            .cloned()
            .unwrap_or_else(|| need.to_string());
        c.unit = stray.values[0].unit.clone();
        c.provenance = Provenance::Printed;
        c.line = Some(stray.line);
        let row = c.row.clone();
        let gone = format!("stray_values:{}", stray.line);
        report.flags.retain(|f| *f != gone);
        report.flags.push(format!("stray_placed:{row}"));
    }
}

/// Number of template cells: table 2's cells of its template, table 3's rows
/// × columns of its template and table 4's fifteen cells. (A hybrid report
/// prints table 2 of the 2021 template over a 2019 table 3.)
pub fn template_cells(table2: Template, table3: Template) -> usize {
    let v = vocab();
    v.table2_of(table2).count() + v.rows_of(table3).count() * v.cols.len() + v.table4.len()
}

/// Sets `completeness` (cells read ÷ `total` template cells; a table not found
/// counts as all missing) and the status: `parsed` when every template cell
/// was read, `partial` when some are missing, `failed` (flag `no_cells_read`)
/// when none was.
fn judge_completeness(report: &mut Report, total: usize) {
    let read = report
        .cells
        .iter()
        .filter(|c| c.provenance != Provenance::Missing)
        .count();
    report.completeness = Some(if total == 0 {
        0.0
    } else {
        read.min(total) as f64 / total as f64
    });
    report.status = if read == 0 {
        report.flags.push("no_cells_read".into());
        Status::Failed
    } else if read < total {
        Status::Partial
    } else {
        Status::Parsed
    };
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
) -> (Vec<ShortRow>, Vec<FusedRun>) {
    let v = vocab();
    report.flags.extend(t3.flags.iter().cloned());
    for r in &t3.rows {
        if !v.rows[r.row].templates.contains(&template) {
            report
                .flags
                .push(format!("off_template_row:{}", v.rows[r.row].key));
        }
    }
    let template_rows = v.row_indices_of(template);
    let read: Vec<bool> = template_rows
        .iter()
        .map(|i| t3.rows.iter().any(|r| r.row == *i))
        .collect();
    // Cut off: the template's last rows were never read and the document ends in part 三.
    if ends_document && read.last() == Some(&false) && read.iter().any(|&x| x) {
        report.flags.push("truncated".into());
    }
    let mut short = Vec::new();
    let mut fused = Vec::new();
    for &ri in &template_rows {
        let row = &v.rows[ri];
        let found = t3.rows.iter().find(|r| r.row == ri);
        let first_cell = report.cells.len();
        for (ci, col) in v.cols.iter().enumerate() {
            let s = found.map_or_else(Slot::missing, |r| {
                r.slots.get(ci).cloned().unwrap_or_else(Slot::missing)
            });
            report
                .cells
                .push(cell(TableId::T3, &row.key, Some(&col.key), s));
        }
        if let Some(r) = found.filter(|r| r.short && !r.printed.is_empty()) {
            if FusedRun::plausible(&r.printed_raw, t3.order.len()) {
                fused.push(FusedRun {
                    name: row.key.clone(),
                    parts: r.printed_raw.clone(),
                    cells: t3.order.iter().map(|&c| first_cell + c).collect(),
                    line: r.slots.first().and_then(|s| s.line),
                });
            }
            short.push(ShortRow {
                row: row.key.clone(),
                printed: r.printed.iter().map(|p| p.value).collect(),
                doc_cols: t3.order.iter().map(|&c| v.cols[c].key.clone()).collect(),
                printed_raw: r.printed_raw.clone(),
            });
        }
    }
    (short, fused)
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
