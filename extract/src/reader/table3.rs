//! Table 3 (requests received and handled): rows × applicant columns.
//!
//! Rows are found by their labels, matched from the most specific fragment
//! backwards (`三、本年度办理结果 / (三)不予公开 / 1.属于国家秘密` → the last
//! fragment decides); label fragments on lines without numbers accumulate
//! (split labels, group headers, numbers on the next line). A row's values
//! are placed in columns only when their count equals the column count (or
//! a grid row has exactly one cell per column, blanks included); otherwise the
//! row is *short*: its printed values are kept for [`crate::infer`] to check
//! and its cells are left missing.

use super::Slot;
use super::tokens::{Segment, TLine, Tok};
use crate::labels::{best_match_by, scan};
use crate::normalize::label_key;
use crate::value::CellValue;
use crate::vocab::{TABLE3_HEADER_GROUPS, vocab};
use crate::{Provenance, Template};

/// One row as read.
#[derive(Debug, Clone)]
pub struct RowRead {
    /// Index into [`crate::vocab::Vocab::rows`].
    pub row: usize,
    /// Cells by vocabulary column index.
    pub slots: Vec<Slot>,
    /// For short rows: the values printed (in order) that could not be placed.
    pub printed: Vec<CellValue>,
    /// For short rows: the printed text of those values (`640020470`), for
    /// cutting fused digits ([`super::split`]).
    pub printed_raw: Vec<String>,
    /// The values could not be placed in columns.
    pub short: bool,
}

/// Table 3 as read.
#[derive(Debug, Clone, Default)]
pub struct Table3Read {
    /// Rows in document order (each row key at most once).
    pub rows: Vec<RowRead>,
    /// Findings (`short_row:granted`, `duplicate_row:…`, `no_column_header`, …).
    pub flags: Vec<String>,
    /// Column order: vocabulary column index of each document column.
    pub order: Vec<usize>,
}

impl Table3Read {
    /// The template the row labels show, if they tell.
    pub fn template(&self) -> Option<Template> {
        let v = vocab();
        let only = |t: Template| self.rows.iter().any(|r| v.rows[r.row].templates == [t]);
        match (only(Template::V2019), only(Template::V2021)) {
            (true, false) => Some(Template::V2019),
            (false, true) => Some(Template::V2021),
            _ => None,
        }
    }
}

/// A label fragment with where it came from.
#[derive(Debug, Clone)]
struct Frag {
    key: String,
    line: u32,
    /// Empty grid cells after the fragment on its line (when it had no values).
    empties: usize,
}

/// Labels waiting for values, and the values found for them.
#[derive(Debug, Default)]
struct Group {
    frags: Vec<Frag>,
    /// Value tokens per source line (empty cells included).
    vals: Vec<(u32, Vec<Tok>)>,
}

impl Group {
    fn has_values(&self) -> bool {
        self.vals.iter().any(|(_, v)| v.iter().any(Tok::is_value))
    }
}

/// Candidate row labels: every row of every template.
fn row_cands() -> impl Iterator<Item = (usize, &'static [String])> {
    vocab()
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.labels.as_slice()))
}

/// A row label spans at most this many fragments (part, group, wrapped pieces).
const MAX_LABEL_FRAGMENTS: usize = 8;

/// Matches the fragments from the last one backwards against the rows for
/// which `keep` holds; returns the row and how many trailing fragments its
/// label used. Exact or contained matches at any length beat fuzzy ones.
fn match_frags(frags: &[Frag], keep: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
    let n = frags.len();
    let mut joined = String::new();
    let cands = || row_cands().filter(|(i, _)| keep(*i));
    for strict in [true, false] {
        joined.clear();
        for k in 1..=n.min(MAX_LABEL_FRAGMENTS) {
            joined.insert_str(0, &frags[n - k].key);
            if let Some((row, _)) = best_match_by(&joined, cands(), !strict) {
                return Some((row, k));
            }
        }
    }
    None
}

/// Reads table 3 from its part's lines.
pub fn read(lines: &[TLine]) -> Table3Read {
    let ncols = vocab().cols.len();
    let mut out = Table3Read::default();
    let mut header: Vec<(usize, u32, String)> = Vec::new(); // (cell, line, label key)
    let mut any_multi = false;
    let mut in_header = true;
    let mut group = Group::default();
    for line in lines {
        for seg in line.segments() {
            let nv = seg.n_values();
            if in_header && nv == 0 {
                header.extend(seg.labels.iter().map(|t| (t.cell, line.no, t.key.clone())));
                any_multi |= line.multi;
            }
            if nv > 0 {
                in_header = false;
            }
            add_segment(&mut group, &seg, line.no, nv, &mut out);
        }
    }
    finish(&mut group, &mut out);
    let mut hits: Vec<(usize, u32, usize, usize)> = if any_multi {
        header
            .iter()
            .flat_map(|(cell, line, key)| {
                column_hits(key)
                    .into_iter()
                    .map(move |(pos, col)| (*cell, *line, pos, col))
            })
            .collect()
    } else {
        // Text: labels may be split over lines (`社会公益` / `组织`), so scan them joined.
        let joined: String = header.iter().map(|h| h.2.as_str()).collect();
        column_hits(&joined)
            .into_iter()
            .map(|(pos, col)| (0, 0, pos, col))
            .collect()
    };
    let order = column_order(&mut hits, any_multi, &mut out.flags);
    out.order = order.clone();
    for r in &mut out.rows {
        // Slots were stored in document column order; map to vocabulary order.
        if !r.short {
            let mut slots = vec![Slot::missing(); ncols];
            for (doc_i, s) in r.slots.drain(..).enumerate() {
                slots[order[doc_i]] = s;
            }
            r.slots = slots;
        }
    }
    out
}

fn add_segment(group: &mut Group, seg: &Segment<'_>, line: u32, nv: usize, out: &mut Table3Read) {
    if !seg.labels.is_empty() {
        if group.has_values() {
            let g = std::mem::take(group);
            emit(g, out);
        }
        let empties = if nv == 0 { seg.vals.len() } else { 0 };
        let last = seg.labels.len() - 1;
        for (i, t) in seg.labels.iter().enumerate() {
            group.frags.push(Frag {
                key: t.key.clone(),
                line,
                empties: if i == last { empties } else { 0 },
            });
        }
    }
    if nv > 0 {
        group
            .vals
            .push((line, seg.vals.iter().map(|t| (*t).clone()).collect()));
    }
}

fn finish(group: &mut Group, out: &mut Table3Read) {
    let g = std::mem::take(group);
    if !g.frags.is_empty() {
        emit(g, out);
    }
}

/// Turns a group into rows: the main row, and a value-less row just before it
/// when the leading fragments name the preceding row (a row whose cells vanished).
fn emit(g: Group, out: &mut Table3Read) {
    let v = vocab();
    let ncols = v.cols.len();
    let Some((row, k)) = match_frags(&g.frags, |_| true) else {
        if g.has_values() {
            let line = g
                .frags
                .last()
                .map(|f| f.line)
                .or(g.vals.first().map(|v| v.0))
                .unwrap_or(0);
            out.flags.push(format!("unmatched_row:{line}"));
        }
        return;
    };
    let prefix = &g.frags[..g.frags.len() - k];
    // Only the row just before the matched one can have lost its cells here.
    if !prefix.is_empty()
        && let Some((prev, pk)) = match_frags(prefix, |p| v.rows_before[row].contains(&p))
    {
        push_row(out, empty_row(prev, &prefix[prefix.len() - pk..]));
    }
    if !g.has_values() {
        // A row printed with one empty cell per column is blank, not lost.
        if g.frags.last().is_some_and(|f| f.empties == ncols) {
            push_row(out, empty_row(row, &g.frags[g.frags.len() - k..]));
        }
        return;
    }
    let nums: Vec<(u32, &Tok)> = g
        .vals
        .iter()
        .flat_map(|(l, ts)| ts.iter().filter(|t| t.is_value()).map(move |t| (*l, t)))
        .collect();
    let single_grid_line: Option<&(u32, Vec<Tok>)> = match g.vals.as_slice() {
        [one] if one.1.len() == ncols => Some(one),
        _ => None,
    };
    let read = if nums.len() == ncols {
        RowRead {
            row,
            slots: nums.iter().map(|(l, t)| Slot::from_tok(t, *l)).collect(),
            printed: Vec::new(),
            printed_raw: Vec::new(),
            short: false,
        }
    } else if let Some((l, toks)) = single_grid_line {
        RowRead {
            row,
            slots: toks.iter().map(|t| Slot::from_tok(t, *l)).collect(),
            printed: Vec::new(),
            printed_raw: Vec::new(),
            short: false,
        }
    } else {
        let printed = nums
            .iter()
            .filter_map(|(_, t)| match &t.kind {
                super::tokens::Kind::Value(cv) => Some(cv.clone()),
                _ => None,
            })
            .collect();
        let printed_raw = nums.iter().map(|(_, t)| t.raw.clone()).collect();
        let kind = if nums.len() > ncols {
            "long_row"
        } else {
            "short_row"
        };
        out.flags.push(format!("{kind}:{}", v.rows[row].key));
        RowRead {
            row,
            slots: vec![
                Slot {
                    line: nums.first().map(|n| n.0),
                    ..Slot::missing()
                };
                ncols
            ],
            printed,
            printed_raw,
            short: true,
        }
    };
    push_row(out, read);
}

/// A row whose label was printed without numbers: blank cells when its line
/// had one empty cell per column, otherwise missing (flagged `short_row`).
fn empty_row(row: usize, frags: &[Frag]) -> RowRead {
    let ncols = vocab().cols.len();
    let last = frags.last();
    if last.is_some_and(|f| f.empties == ncols) {
        let blank = Slot {
            provenance: Provenance::Blank,
            line: last.map(|f| f.line),
            ..Slot::missing()
        };
        RowRead {
            row,
            slots: vec![blank; ncols],
            printed: Vec::new(),
            printed_raw: Vec::new(),
            short: false,
        }
    } else {
        RowRead {
            row,
            slots: vec![
                Slot {
                    line: last.map(|f| f.line),
                    ..Slot::missing()
                };
                ncols
            ],
            printed: Vec::new(),
            printed_raw: Vec::new(),
            short: true,
        }
    }
}

fn push_row(out: &mut Table3Read, r: RowRead) {
    if r.short && r.printed.is_empty() {
        out.flags
            .push(format!("short_row:{}", vocab().rows[r.row].key));
    }
    if out.rows.iter().any(|x| x.row == r.row) {
        out.flags
            .push(format!("duplicate_row:{}", vocab().rows[r.row].key));
    } else {
        out.rows.push(r);
    }
}

/// Column labels found in a header label: `(position, vocabulary column)`.
fn column_hits(key: &str) -> Vec<(usize, usize)> {
    static GROUPS: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| TABLE3_HEADER_GROUPS.iter().map(|g| label_key(g)).collect());
    let ncols = vocab().cols.len();
    let cands = vocab()
        .cols
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.labels.as_slice()))
        .chain(std::iter::once((ncols, GROUPS.as_slice())));
    scan(key, cands)
        .into_iter()
        .filter(|&(_, c)| c < ncols)
        .collect()
}

/// Column order (document position → vocabulary column) from the header hits.
///
/// Grid/TSV headers are ordered by cell index (a spanned header cell sits in
/// its first column); text headers by reading order, except that the
/// `total` column (a tall merged cell whose text lands anywhere) goes last
/// unless it is read first. Falls back to the template order.
fn column_order(
    hits: &mut [(usize, u32, usize, usize)],
    multi: bool,
    flags: &mut Vec<String>,
) -> Vec<usize> {
    let v = vocab();
    let template: Vec<usize> = (0..v.cols.len()).collect();
    if multi {
        hits.sort_by_key(|&(cell, line, pos, _)| (cell, line, pos));
    } else {
        hits.sort_by_key(|&(_, line, pos, _)| (line, pos));
    }
    let mut order: Vec<usize> = Vec::new();
    for &(_, _, _, c) in hits.iter() {
        if !order.contains(&c) {
            order.push(c);
        }
    }
    if order.len() != v.cols.len() {
        flags.push(if order.is_empty() {
            "no_column_header".into()
        } else {
            "column_header_incomplete".into()
        });
        return template;
    }
    if !multi
        && let Some(i) = order.iter().position(|&c| v.cols[c].is_total)
        && i != 0
    {
        let t = order.remove(i);
        order.push(t);
    }
    order
}
