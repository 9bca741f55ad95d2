//! `ogi parse --explain`: for every template row, the source line(s) and raw
//! text its cells were read from, or why they were not found.
//!
//! Rows are the template's: table 2 by item (`规章`, `行政许可`, …), table 3 by
//! row, table 4 by block (`行政复议`, …). Each row prints its state (`read`,
//! `partly read`, `not found`), the source lines its cells came from (with
//! the line's text, cells separated by ` | `) and every cell as
//! `column=raw` with its provenance when not `printed`. A row with missing
//! cells gets the reason, from the report's flags (`short_row:<row>`,
//! `missing_table:<n>`, `truncated`, `conflict:<row>`, …).

use crate::vocab::vocab;
use crate::{Cell, Line, Provenance, Report, TableId, Template};
use std::collections::HashMap;
use std::fmt::Write;

/// Longest source-line text shown (characters); longer lines are cut with `…`.
const MAX_LINE_CHARS: usize = 160;

/// A template cell's (row key, column key).
type CellKey = (String, Option<String>);

/// One template row: its display name and the cells (by key) it holds.
struct RowSpec {
    table: TableId,
    /// Key used in flags (`short_row:<key>`), table 3 only.
    key: String,
    name: String,
    /// (row key, column key) of each cell, in template order.
    cells: Vec<CellKey>,
}

/// The template rows: table 2 of `table2`'s template (a hybrid report prints
/// 2021's table 2 over a 2019 table 3), tables 3 and 4 of `template`.
fn template_rows(table2: Template, template: Template) -> Vec<RowSpec> {
    let v = vocab();
    let mut out: Vec<RowSpec> = Vec::new();
    for t in v.table2_of(table2) {
        let name = t.item_zh.clone();
        match out
            .iter_mut()
            .find(|r| r.table == TableId::T2 && r.name == name)
        {
            Some(r) => r.cells.push((t.key.clone(), None)),
            None => out.push(RowSpec {
                table: TableId::T2,
                key: t.key.clone(),
                name,
                cells: vec![(t.key.clone(), None)],
            }),
        }
    }
    for r in v.rows_of(template) {
        out.push(RowSpec {
            table: TableId::T3,
            key: r.key.clone(),
            name: format!("{} {}", r.section, r.label_zh),
            cells: v
                .cols
                .iter()
                .map(|c| (r.key.clone(), Some(c.key.clone())))
                .collect(),
        });
    }
    for b in v.table4_blocks() {
        out.push(RowSpec {
            table: TableId::T4,
            key: b[0].key.clone(),
            name: b[0].block_zh.clone(),
            cells: b.iter().map(|t| (t.key.clone(), None)).collect(),
        });
    }
    out
}

/// Characters shown before a row's printed text in a long line ([`line_text`]).
const CONTEXT_BEFORE: usize = 60;

/// A source line as text: its cells trimmed and joined by ` | `, cut to
/// [`MAX_LINE_CHARS`]. A longer line (flattened page text holds a whole
/// report on one line) shows the stretch where `printed` (the row's printed
/// text on that line) stands after `label`, or after nothing, when found.
fn line_text(line: &Line, label: &str, printed: &str) -> String {
    let t = line
        .cells
        .iter()
        .map(|c| c.trim())
        .collect::<Vec<_>>()
        .join(" | ");
    if t.chars().count() > MAX_LINE_CHARS
        && let Some(window) = window(&t, label, printed)
    {
        return window;
    }
    if t.chars().count() > MAX_LINE_CHARS {
        let cut: String = t.chars().take(MAX_LINE_CHARS).collect();
        format!("{cut}…")
    } else {
        t
    }
}

/// The stretch of a long line `t` around the first `printed` preceded (within
/// [`CONTEXT_BEFORE`] characters) by `label`, else around the first `printed`.
fn window(t: &str, label: &str, printed: &str) -> Option<String> {
    if printed.is_empty() {
        return None;
    }
    let hits: Vec<usize> = t.match_indices(printed).map(|(i, _)| i).collect();
    let before = |i: usize| {
        t[..i]
            .char_indices()
            .rev()
            .nth(CONTEXT_BEFORE - 1)
            .map_or(0, |(j, _)| j)
    };
    let at = hits
        .iter()
        .copied()
        .find(|&i| !label.is_empty() && t[before(i)..i].contains(label))
        .or_else(|| hits.first().copied())?;
    let start = before(at);
    let end = at + printed.len();
    let room = MAX_LINE_CHARS.saturating_sub(t[start..end].chars().count());
    let end = t[end..]
        .char_indices()
        .nth(room.min(20))
        .map_or(t.len(), |(j, _)| end + j);
    Some(format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        &t[start..end],
        if end < t.len() { "…" } else { "" }
    ))
}

/// Why a row's cells are missing, from the report's flags.
fn reason(report: &Report, spec: &RowSpec, missing: usize, found_any: bool) -> String {
    let has = |f: &str| report.flags.iter().any(|x| x == f);
    let table = u8::from(spec.table);
    if has(&format!("missing_table:{table}")) {
        return format!("table {table} was not found (no heading, or no row of it recognised)");
    }
    let fused = match spec.table {
        TableId::T2 => format!("ambiguous_split:t2:{}", spec.key),
        TableId::T4 => "ambiguous_split:table4".to_string(),
        _ => format!("ambiguous_split:{}", spec.key),
    };
    if has(&fused) {
        let why = if spec.table == TableId::T2 {
            "table 2 has no identities to choose between the ways to cut them"
        } else {
            "the identities leave several ways to cut them, or none"
        };
        return format!(
            "the values were printed as one digit string with no cell boundaries, and {why} ({fused})"
        );
    }
    if spec.table == TableId::T3 {
        let k = &spec.key;
        if has(&format!("conflict:{k}")) {
            return "the row's printed values disagree with the values the identities give; left missing".into();
        }
        if has(&format!("short_row:{k}")) {
            return "the label was found but its values could not be placed in the columns (fewer values than columns, or none)".into();
        }
        if has(&format!("long_row:{k}")) {
            return "the label was found with more values than columns; not placed".into();
        }
        if !found_any && has("truncated") {
            return "the document ends inside table 3 before this row".into();
        }
        if !found_any {
            return "no line of table 3 matched this row's label".into();
        }
    }
    if spec.table == TableId::T4
        && let Some(f) = report
            .flags
            .iter()
            .find(|f| f.starts_with("table4_unreadable:"))
    {
        return format!("table 4's numbers could not be placed ({f})");
    }
    if spec.table == TableId::T2 && !found_any {
        return "no table-2 line matched this item (or its values did not fit the header)".into();
    }
    format!("{missing} cell(s) not read and not determined by the identities")
}

/// The explanation of a report read from `lines` (see the module docs).
pub fn explain(report: &Report, lines: &[Line]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: status {}{} | template {} | agency {} | year {}",
        report.source,
        report.status.as_str(),
        report
            .completeness
            .map(|c| format!(" ({:.1} % of template cells read)", c * 100.0))
            .unwrap_or_default(),
        report.template.map_or("?", |t| t.as_str()),
        report.agency.as_deref().unwrap_or("?"),
        report.year.map_or("?".into(), |y| y.to_string()),
    );
    let Some(template) = report.template else {
        let _ = writeln!(
            out,
            "no template table was found; flags: {}",
            report.flags.join("; ")
        );
        return out;
    };
    let by_no: HashMap<u32, &Line> = lines.iter().map(|l| (l.no, l)).collect();
    let cells: HashMap<(TableId, &str, Option<&str>), &Cell> = report
        .cells
        .iter()
        .map(|c| ((c.table, c.row.as_str(), c.col.as_deref()), c))
        .collect();
    // Table 2's template is the one its cells are keyed in.
    let v = vocab();
    let table2 = report
        .cells
        .iter()
        .find(|c| c.table == TableId::T2)
        .and_then(|c| v.table2.iter().find(|t| t.key == c.row))
        .map_or(template, |t| t.template);
    let mut table = None;
    for spec in template_rows(table2, template) {
        if table != Some(spec.table) {
            table = Some(spec.table);
            let _ = writeln!(out, "table {}:", u8::from(spec.table));
        }
        let row_cells: Vec<(&CellKey, Option<&&Cell>)> = spec
            .cells
            .iter()
            .map(|k| (k, cells.get(&(spec.table, k.0.as_str(), k.1.as_deref()))))
            .collect();
        let missing = row_cells
            .iter()
            .filter(|(_, c)| c.is_none_or(|c| c.provenance == Provenance::Missing))
            .count();
        let found_any = row_cells
            .iter()
            .any(|(_, c)| c.is_some_and(|c| c.line.is_some()));
        let state = match missing {
            0 => "read",
            m if m == row_cells.len() => "not found",
            _ => "partly read",
        };
        let _ = writeln!(out, "  {} [{}]: {state}", spec.name, spec.key);
        let mut seen = Vec::new();
        for (_, c) in &row_cells {
            if let Some(no) = c.and_then(|c| c.line)
                && !seen.contains(&no)
            {
                seen.push(no);
            }
        }
        seen.sort_unstable();
        // The row's label as printed (its last word) and its printed text on a line.
        let label = spec.name.rsplit(' ').next().unwrap_or("");
        for no in seen {
            let printed: String = row_cells
                .iter()
                .filter_map(|(_, c)| c.filter(|c| c.line == Some(no)))
                .map(|c| c.raw.as_str())
                .collect();
            let text = by_no
                .get(&no)
                .map_or_else(String::new, |l| line_text(l, label, &printed));
            let _ = writeln!(out, "    line {no}: {text}");
        }
        if missing < row_cells.len() {
            let shown: Vec<String> = row_cells
                .iter()
                .map(|((row, col), c)| {
                    let name = col.as_deref().unwrap_or(row.as_str());
                    match c {
                        Some(c) if c.provenance == Provenance::Printed => {
                            format!("{name}={}", c.raw)
                        }
                        Some(c) if c.provenance == Provenance::Missing => format!("{name}=?"),
                        Some(c) => {
                            let v = c
                                .value
                                .map(|v| format!("{}", v.as_f64()))
                                .unwrap_or_default();
                            let raw = if c.raw.is_empty() { v } else { c.raw.clone() };
                            format!("{name}={raw}({})", c.provenance.as_str())
                        }
                        None => format!("{name}=?"),
                    }
                })
                .collect();
            let _ = writeln!(out, "    cells: {}", shown.join(", "));
        }
        if missing > 0 {
            let _ = writeln!(
                out,
                "    why missing: {}",
                reason(report, &spec, missing, found_any)
            );
        }
    }
    let unmatched: Vec<u32> = report
        .flags
        .iter()
        .filter_map(|f| f.strip_prefix("unmatched_row:")?.parse().ok())
        .collect();
    if !unmatched.is_empty() {
        let _ = writeln!(out, "lines with numbers that matched no row:");
        for no in unmatched {
            let text = by_no
                .get(&no)
                .map_or_else(String::new, |l| line_text(l, "", ""));
            let _ = writeln!(out, "    line {no}: {text}");
        }
    }
    let _ = writeln!(out, "checks:");
    for c in &report.checks {
        let _ = writeln!(out, "  {} {}: {}", c.id, c.state.as_str(), c.detail);
    }
    let _ = writeln!(
        out,
        "flags: {}",
        if report.flags.is_empty() {
            "none".to_string()
        } else {
            report.flags.join("; ")
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{lines_from_text, parse_lines};

    const SEED: &str = include_str!("../tests/fixtures/seeds/003_df7582ad909b4c7e.txt");

    fn explained(text: &str) -> String {
        let lines = lines_from_text(text);
        explain(&parse_lines(&lines), &lines)
    }

    #[test]
    fn every_row_shows_its_source_line_or_why_not() {
        let full = explained(SEED);
        // A read row: its line number and text, and its cells.
        assert!(
            full.contains("  三(三)5 属于三类内部事务信息 [denied_internal_affairs]: read\n"),
            "{full}"
        );
        assert!(
            full.contains("| 5.属于三类内部事务信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1"),
            "{full}"
        );
        assert!(
            full.contains("cells: natural_person=1, org_commercial=0"),
            "{full}"
        );
        // Table 2 by item, table 4 by block.
        assert!(
            full.contains("  行政许可 [licensing_decisions]: read"),
            "{full}"
        );
        assert!(full.contains("  行政复议 [review_upheld]: read"), "{full}");

        // Rows whose values cannot be placed (two short rows: the identities
        // cannot tell their columns apart) say why.
        let short = SEED
            .replace(
                "\t\t2.重复申请\t1\t0\t0\t0\t0\t0\t1",
                "\t\t2.重复申请\t1\t1",
            )
            .replace(
                "(五) 不予处理\t1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0",
                "(五) 不予处理\t1.信访举报投诉类申请\t0\t0",
            );
        assert_ne!(short, SEED);
        let text = explained(&short);
        assert!(
            text.contains("[not_processed_duplicate]: partly read\n    line 70:"),
            "{text}"
        );
        assert!(text.contains("natural_person=?"), "{text}");
        assert!(
            text.contains("why missing: the label was found but its values could not be placed"),
            "{text}"
        );

        // Fused digits no identity can cut (table 2 of the Pingtan 2025 archive
        // text: `行政规范性文件5845546` for three measures).
        let text = explained(include_str!("../tests/realdocs/012_pingtan_2025.txt"));
        assert!(
            text.contains(
                "why missing: the values were printed as one digit string with no cell \
                 boundaries, and table 2 has no identities to choose between the ways to cut \
                 them (ambiguous_split:t2:normative_docs_issued)"
            ),
            "{text}"
        );
        // A row read from a long flattened line shows where its digits stand.
        assert!(
            text.contains("一、本年新收政府信息公开申请数量15130000154二、"),
            "{text}"
        );

        // A table that is not there.
        let cut = &SEED[..SEED.find("#### 四、").expect("part 四")];
        let text = explained(cut);
        assert!(
            text.contains("why missing: table 4 was not found"),
            "{text}"
        );
        assert!(text.starts_with(": status partial ("), "{text}");
    }
}
