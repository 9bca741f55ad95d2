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
use super::tokens::{Kind, Segment, TLine, Tok};
use crate::labels::{Near, long_fuzzy_match, near_match, row_match, scan};
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
    /// For short rows read from running text (not grid rows): the printed
    /// text of those values (`640020470`), for cutting fused digits ([`super::split`]).
    pub printed_raw: Vec<String>,
    /// The values could not be placed in columns.
    pub short: bool,
    /// The label was printed on the line of the values (a grid row, a text
    /// row); `false` when it came from lines above them.
    pub label_on_line: bool,
}

impl RowRead {
    /// A row whose cells were all placed (by grid position or one value per column).
    fn placed(row: usize, slots: Vec<Slot>, label_on_line: bool) -> RowRead {
        RowRead {
            row,
            slots,
            printed: Vec::new(),
            printed_raw: Vec::new(),
            short: false,
            label_on_line,
        }
    }

    /// A row whose values could not be placed in columns: every cell missing
    /// (pointing at `line`), the printed values kept for [`super::align`] and
    /// [`super::split`].
    fn short(
        row: usize,
        line: Option<u32>,
        printed: Vec<CellValue>,
        printed_raw: Vec<String>,
        label_on_line: bool,
    ) -> RowRead {
        RowRead {
            row,
            slots: vec![
                Slot {
                    line,
                    ..Slot::missing()
                };
                vocab().cols.len()
            ],
            printed,
            printed_raw,
            short: true,
            label_on_line,
        }
    }
}

/// A row of values that its label did not place: numbers with no label (a
/// converter floated it away), a label that matches no row, or a row label
/// seen again. [`super::align`] places them by the template order.
#[derive(Debug, Clone)]
pub struct Loose {
    /// How many rows of [`Table3Read::rows`] were read before it.
    pub after: usize,
    /// The row its label names, if any.
    pub label: Option<usize>,
    /// The values (`row` is meaningless until placed).
    pub read: RowRead,
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
    /// Value rows not placed by their label, in document order (see [`Loose`]).
    pub loose: Vec<Loose>,
    /// Values that no row took (flagged `stray_values:<line>`).
    pub strays: Vec<Stray>,
}

/// Values printed in table 3 that no row took: numbers on a line of their
/// own that fill no row (a converter floated a cell away from its row), or
/// numbers under a label whose row another row of values took.
#[derive(Debug, Clone, PartialEq)]
pub struct Stray {
    /// Source line of the values.
    pub line: u32,
    /// The values as printed.
    pub values: Vec<CellValue>,
    /// Their printed text (empty when not kept).
    pub raw: Vec<String>,
}

impl Stray {
    /// The stray values of a row read short (see [`RowRead::short`]).
    pub(super) fn of(read: &RowRead, line: u32) -> Stray {
        Stray {
            line,
            values: read.printed.clone(),
            raw: read.printed_raw.clone(),
        }
    }
}

impl Table3Read {
    /// The template the row labels show, if they tell (the labels of rows
    /// read, and of value rows not yet placed).
    pub fn template(&self) -> Option<Template> {
        let v = vocab();
        let labels = || {
            self.rows
                .iter()
                .map(|r| r.row)
                .chain(self.loose.iter().filter_map(|l| l.label))
        };
        let only = |t: Template| labels().any(|r| v.rows[r].templates == [t]);
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

/// What [`match_frags`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FragMatch {
    /// The row, and how many trailing fragments its label used.
    Row(usize, usize),
    /// The label is one character away from several rows (flag, do not guess).
    Ambiguous(Vec<usize>),
    /// No row.
    None,
}

/// Labels at least this long that a fragment is a typo of ([`long_fuzzy_match`])
/// are matched before labels further up: a long label with a few characters
/// lost (`…其政府信息请` for `…其政府信息公开申请`) is still its row's.
const LONG_LABEL_CHARS: usize = 10;

/// Matches the fragments from the last one backwards against the rows for
/// which `keep` holds. At each length (1, 2, … trailing fragments) an exact or
/// contained label is looked for ([`row_match`]: a short label such as
/// `其他` only at the end), then one a wrong character away ([`near_match`]:
/// OCR's `子以公开`; within a stretch of the last fragment only), then a long
/// label with typos, so a misread label of the
/// row's own line beats a label contained in lines further up (`其他处理` of
/// the group, `其他` in the header's `法人或其他组织`). A label one character
/// from several rows is [`FragMatch::Ambiguous`]. Only when nothing matched
/// that way are shorter typos matched fuzzily.
fn match_frags(frags: &[Frag], keep: impl Fn(usize) -> bool) -> FragMatch {
    let n = frags.len();
    let mut joined = String::new();
    let cands = || row_cands().filter(|(i, _)| keep(*i));
    for k in 1..=n.min(MAX_LABEL_FRAGMENTS) {
        joined.insert_str(0, &frags[n - k].key);
        if let Some((row, _)) = row_match(&joined, cands(), false) {
            return FragMatch::Row(row, k);
        }
        match near_match(&joined, cands(), k == 1) {
            Near::One(row) => return FragMatch::Row(row, k),
            Near::Ambiguous(rows) => return FragMatch::Ambiguous(rows),
            Near::None => {}
        }
        if let Some(row) = long_fuzzy_match(&joined, cands(), LONG_LABEL_CHARS) {
            return FragMatch::Row(row, k);
        }
    }
    joined.clear();
    for k in 1..=n.min(MAX_LABEL_FRAGMENTS) {
        joined.insert_str(0, &frags[n - k].key);
        if let Some((row, _)) = row_match(&joined, cands(), true) {
            return FragMatch::Row(row, k);
        }
    }
    FragMatch::None
}

/// Where the columns sit in a grid: the header's cell index of every
/// vocabulary column, and the header's width in cells.
#[derive(Debug, Clone)]
struct GridCols {
    /// Cell index of each vocabulary column.
    cell: Vec<usize>,
    /// Cells per grid line.
    width: usize,
}

impl GridCols {
    /// The row's cells read by position from one grid line: a value at its
    /// column's cell, an empty cell `blank`. `None` unless the line is as wide
    /// as the header and every value of it sits in a column cell.
    fn read(&self, line: &TLine) -> Option<Vec<Slot>> {
        if width(line) != Some(self.width)
            || line
                .toks
                .iter()
                .any(|t| t.is_value() && !self.cell.contains(&t.cell))
        {
            return None;
        }
        self.cell
            .iter()
            .map(|&c| {
                let mut at = line.toks.iter().filter(|t| t.cell == c);
                match (at.next(), at.next()) {
                    (Some(t), None) if t.kind != Kind::Label => Some(Slot::from_tok(t, line.no)),
                    _ => None,
                }
            })
            .collect()
    }
}

/// Number of cells of a line (a grid line of blanks and one label still has
/// its full width: empty cells are tokens).
fn width(line: &TLine) -> Option<usize> {
    line.toks.last().map(|t| t.cell + 1)
}

/// What [`emit`] needs besides the group: column order and grid positions.
struct Ctx<'a> {
    /// Vocabulary column of each document column (reading order).
    order: Vec<usize>,
    /// Grid positions, when the header gave every column its own cell.
    grid: Option<GridCols>,
    /// The part's lines by line number (for grid rows).
    lines: std::collections::HashMap<u32, &'a TLine>,
}

/// Reads table 3 from its part's lines.
///
/// The header (every label before the first value) gives the column order;
/// on a grid (HTML, DOCX, XLSX rows, aligned PDF rows) it also gives each
/// column's cell, and a row printed on one grid line is read by position, so
/// empty cells are `blank` at their column and never shift the row.
pub fn read(lines: &[TLine]) -> Table3Read {
    let mut out = Table3Read::default();
    let mut header: Vec<(usize, u32, String)> = Vec::new(); // (cell, line, label key)
    let mut header_widths: Vec<usize> = Vec::new();
    let mut any_multi = false;
    'header: for line in lines {
        for seg in line.segments() {
            if seg.n_values() > 0 {
                break 'header;
            }
            header.extend(seg.labels.iter().map(|t| (t.cell, line.no, t.key.clone())));
        }
        any_multi |= line.multi;
        header_widths.extend(width(line));
    }
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
        let mut hits = column_hits(&joined);
        hits.extend(split_column_hits(&joined, &hits));
        hits.into_iter()
            .map(|(pos, col)| (0, 0, pos, col))
            .collect()
    };
    let order = column_order(&mut hits, any_multi, &mut out.flags);
    let grid = if any_multi {
        grid_cols(&hits, &header_widths)
    } else {
        None
    };
    out.order = order.clone();
    let ctx = Ctx {
        order,
        grid,
        lines: lines.iter().map(|l| (l.no, l)).collect(),
    };
    let mut group = Group::default();
    for line in lines {
        for seg in line.segments() {
            let nv = seg.n_values();
            add_segment(&mut group, &seg, line.no, nv, &mut out, &ctx);
        }
    }
    finish(&mut group, &mut out, &ctx);
    drop_out_of_order(&mut out);
    super::align::place_loose(&mut out);
    out
}

/// Rows are printed in template order (the vocabulary's order fits both
/// templates and the hybrid). A row read out of that order — a label matched
/// to the wrong row, such as a typo containing `其他` taken for `（六）3.其他`
/// between `（三）1` and `（三）3` — is not that row: it is flagged
/// `out_of_order_row:<row>` and its values become a [`Loose`] row, which
/// [`super::align`] places by position between the rows in order (or drops).
/// The rows kept are the longest run in template order.
fn drop_out_of_order(out: &mut Table3Read) {
    let idx: Vec<usize> = out.rows.iter().map(|r| r.row).collect();
    let mut keep = vec![false; idx.len()];
    for i in super::align::lis(&idx) {
        keep[i] = true;
    }
    if keep.iter().all(|&k| k) {
        return;
    }
    let v = vocab();
    // Loose rows count the rows read before them: recount without the dropped ones.
    let kept_before = |n: usize| keep[..n.min(keep.len())].iter().filter(|k| **k).count();
    for l in &mut out.loose {
        l.after = kept_before(l.after);
    }
    let rows = std::mem::take(&mut out.rows);
    for (i, r) in rows.into_iter().enumerate() {
        if keep[i] {
            out.rows.push(r);
            continue;
        }
        out.flags
            .push(format!("out_of_order_row:{}", v.rows[r.row].key));
        if !r.short {
            let after = kept_before(i);
            let at = out.loose.partition_point(|l| l.after <= after);
            out.loose.insert(
                at,
                Loose {
                    after,
                    label: None,
                    read: r,
                },
            );
        }
    }
}

/// Each column's cell from the grid header hits: only when every column was
/// found in a cell of its own and all header lines have one width.
fn grid_cols(hits: &[(usize, u32, usize, usize)], widths: &[usize]) -> Option<GridCols> {
    let ncols = vocab().cols.len();
    let width = *widths.iter().max()?;
    let mut cell = vec![usize::MAX; ncols];
    for &(c, _, _, col) in hits {
        if cell[col] == usize::MAX {
            cell[col] = c;
        }
    }
    let mut seen = cell.clone();
    seen.sort_unstable();
    seen.dedup();
    (seen.len() == ncols && cell.iter().all(|&c| c < width)).then_some(GridCols { cell, width })
}

fn add_segment(
    group: &mut Group,
    seg: &Segment<'_>,
    line: u32,
    nv: usize,
    out: &mut Table3Read,
    ctx: &Ctx<'_>,
) {
    if !seg.labels.is_empty() {
        if group.has_values() {
            let g = std::mem::take(group);
            emit(g, out, ctx);
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
        // A full row of numbers without a label after a row that has its numbers:
        // a row of its own (its label floated away), not more values of that row.
        if seg.labels.is_empty() && group.has_values() && is_full_row(seg, nv) {
            let g = std::mem::take(group);
            emit(g, out, ctx);
        }
        group
            .vals
            .push((line, seg.vals.iter().map(|t| (*t).clone()).collect()));
    }
}

/// Whether a segment holds one value per column (or one cell per column).
fn is_full_row(seg: &Segment<'_>, nv: usize) -> bool {
    let ncols = vocab().cols.len();
    nv == ncols || seg.vals.len() == ncols
}

fn finish(group: &mut Group, out: &mut Table3Read, ctx: &Ctx<'_>) {
    let g = std::mem::take(group);
    if !g.frags.is_empty() || g.has_values() {
        emit(g, out, ctx);
    }
}

/// Turns a group into rows: the main row, and the value-less rows before it
/// when the leading fragments name the preceding rows (a row whose cells
/// vanished, or rows printed blank).
fn emit(g: Group, out: &mut Table3Read, ctx: &Ctx<'_>) {
    let v = vocab();
    let (row, k) = match match_frags(&g.frags, |_| true) {
        FragMatch::Row(row, k) => (row, k),
        other => {
            if let FragMatch::Ambiguous(rows) = other {
                let keys: Vec<&str> = rows.iter().map(|&r| v.rows[r].key.as_str()).collect();
                out.flags
                    .push(format!("ambiguous_label:{}", keys.join("|")));
            }
            unmatched(g, out, ctx);
            return;
        }
    };
    // Rows printed without values before the matched one, walking back through
    // the template order: the row just before may have lost its cells (missing);
    // rows further back are taken only when printed blank (one empty cell per column).
    let mut prefix = &g.frags[..g.frags.len() - k];
    let mut next = row;
    let mut before: Vec<RowRead> = Vec::new();
    while let FragMatch::Row(prev, pk) = match_frags(prefix, |p| v.rows_before[next].contains(&p)) {
        let r = empty_row(prev, &prefix[prefix.len() - pk..], ctx);
        if !before.is_empty() && r.short {
            break;
        }
        before.push(r);
        next = prev;
        prefix = &prefix[..prefix.len() - pk];
    }
    for r in before.into_iter().rev() {
        push_row(out, r);
    }
    if !g.has_values() {
        // A row printed with one empty cell per column is blank, not lost.
        if let Some(slots) = blank_slots(g.frags.last(), ctx) {
            push_row(out, RowRead::placed(row, slots, true));
        }
        return;
    }
    let read = values_read(&g, row, ctx);
    if read.short {
        let kind = if read.printed.len() > v.cols.len() {
            "long_row"
        } else {
            "short_row"
        };
        out.flags.push(format!("{kind}:{}", v.rows[row].key));
    }
    push_row(out, read);
}

/// A group whose label matched no row: its values, when they fill a row, wait
/// as a [`Loose`] row for [`super::align`]; otherwise they are flagged stray.
fn unmatched(g: Group, out: &mut Table3Read, ctx: &Ctx<'_>) {
    if !g.has_values() {
        return;
    }
    let line = g
        .frags
        .last()
        .map(|f| f.line)
        .or(g.vals.first().map(|v| v.0))
        .unwrap_or(0);
    if !g.frags.is_empty() {
        out.flags.push(format!("unmatched_row:{line}"));
    }
    let read = values_read(&g, 0, ctx);
    if read.short {
        out.flags.push(format!("stray_values:{line}"));
        out.strays.push(Stray::of(&read, line));
    } else {
        out.loose.push(Loose {
            after: out.rows.len(),
            label: None,
            read,
        });
    }
}

/// The row `row` read from a group's values: by grid position, one value per
/// column, or one cell per column; otherwise short (values kept, cells missing).
fn values_read(g: &Group, row: usize, ctx: &Ctx<'_>) -> RowRead {
    let ncols = vocab().cols.len();
    let label_on_line = g
        .frags
        .last()
        .zip(g.vals.first())
        .is_some_and(|(f, v)| f.line == v.0);
    // One grid line holds the row: read its cells by position.
    if let (Some(grid), [(l, _)]) = (&ctx.grid, g.vals.as_slice())
        && let Some(slots) = ctx.lines.get(l).and_then(|line| grid.read(line))
    {
        return RowRead::placed(row, slots, label_on_line);
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
    if nums.len() == ncols {
        RowRead::placed(
            row,
            in_vocab_order(nums.iter().map(|(l, t)| Slot::from_tok(t, *l)), ctx),
            label_on_line,
        )
    } else if let Some((l, toks)) = single_grid_line {
        RowRead::placed(
            row,
            in_vocab_order(toks.iter().map(|t| Slot::from_tok(t, *l)), ctx),
            label_on_line,
        )
    } else {
        let printed = nums
            .iter()
            .filter_map(|(_, t)| match &t.kind {
                super::tokens::Kind::Value(cv) => Some(cv.clone()),
                _ => None,
            })
            .collect();
        // Digits of adjacent cells fuse only in running text: a grid row that
        // is short lost a cell, its values are not cut.
        let in_text = g
            .vals
            .iter()
            .all(|(l, _)| ctx.lines.get(l).is_some_and(|t| !t.multi));
        let printed_raw = if in_text {
            nums.iter().map(|(_, t)| t.raw.clone()).collect()
        } else {
            Vec::new()
        };
        RowRead::short(
            row,
            nums.first().map(|n| n.0),
            printed,
            printed_raw,
            label_on_line,
        )
    }
}

/// Slots in document column order → vocabulary order.
fn in_vocab_order(doc: impl Iterator<Item = Slot>, ctx: &Ctx<'_>) -> Vec<Slot> {
    let mut slots = vec![Slot::missing(); vocab().cols.len()];
    for (doc_i, s) in doc.enumerate() {
        if let Some(&c) = ctx.order.get(doc_i) {
            slots[c] = s;
        }
    }
    slots
}

/// The cells of a row printed without numbers, when its line shows every
/// column empty: by grid position, or one empty cell per column.
fn blank_slots(last: Option<&Frag>, ctx: &Ctx<'_>) -> Option<Vec<Slot>> {
    let last = last?;
    let ncols = vocab().cols.len();
    let by_grid = ctx
        .grid
        .as_ref()
        .zip(ctx.lines.get(&last.line))
        .and_then(|(grid, line)| grid.read(line));
    if by_grid.is_some() {
        return by_grid;
    }
    (last.empties == ncols).then(|| {
        let blank = Slot {
            provenance: Provenance::Blank,
            line: Some(last.line),
            ..Slot::missing()
        };
        vec![blank; ncols]
    })
}

/// A row whose label was printed without numbers: blank cells when its line
/// shows every column empty, otherwise missing (flagged `short_row`).
fn empty_row(row: usize, frags: &[Frag], ctx: &Ctx<'_>) -> RowRead {
    let last = frags.last();
    match blank_slots(last, ctx) {
        Some(slots) => RowRead::placed(row, slots, true),
        None => RowRead::short(row, last.map(|f| f.line), Vec::new(), Vec::new(), false),
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
        if !r.short {
            out.loose.push(Loose {
                after: out.rows.len(),
                label: Some(r.row),
                read: r,
            });
        }
    } else {
        out.rows.push(r);
    }
}

/// The keys of the header groups ([`TABLE3_HEADER_GROUPS`]).
static GROUPS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| TABLE3_HEADER_GROUPS.iter().map(|g| label_key(g)).collect());

/// Builds this module's table now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    std::sync::LazyLock::force(&GROUPS);
}

/// Column labels found in a header label: `(position, vocabulary column)`.
fn column_hits(key: &str) -> Vec<(usize, usize)> {
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

/// Column labels a PDF text layout printed in two pieces on different lines
/// (`商业企` … `业`, `科研机` … `构`): for each column not found whole, a
/// leading piece of at least two thirds of its label, not inside another hit,
/// followed somewhere later by the rest. `(position of the piece, column)`.
fn split_column_hits(joined: &str, found: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let v = vocab();
    let mut taken: Vec<(usize, usize)> = found
        .iter()
        .filter_map(|&(pos, col)| {
            let len = v.cols[col]
                .labels
                .iter()
                .filter(|l| joined[pos..].starts_with(l.as_str()))
                .map(String::len)
                .max()?;
            Some((pos, pos + len))
        })
        .collect();
    let mut out = Vec::new();
    for (col, c) in v.cols.iter().enumerate() {
        if found.iter().any(|h| h.1 == col) {
            continue;
        }
        let hit = c.labels.iter().find_map(|label| {
            let chars: Vec<char> = label.chars().collect();
            (chars.len() * 2 / 3..chars.len())
                .rev()
                .filter(|&k| k >= 2)
                .find_map(|k| {
                    let head: String = chars[..k].iter().collect();
                    let tail: String = chars[k..].iter().collect();
                    joined.match_indices(&head).find_map(|(pos, _)| {
                        let end = pos + head.len();
                        let free = taken.iter().all(|&(s, e)| end <= s || pos >= e);
                        (free && joined[end..].contains(&tail)).then_some((pos, end))
                    })
                })
        });
        if let Some((pos, end)) = hit {
            taken.push((pos, end));
            out.push((pos, col));
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_labels_split_over_lines_are_found() {
        let v = vocab();
        let col = |k: &str| v.cols.iter().position(|c| c.key == k).expect(k);
        // `pdftotext -layout` of a header: `商业企 科研机 社会公益 法律服务` / `其他` / `业 构 组织 机构`.
        let joined =
            "申请人情况法人或其他组织自然人总计商业企科研机社会公益法律服务其他业构组织机构";
        let found = column_hits(joined);
        let mut hits = found.clone();
        hits.extend(split_column_hits(joined, &found));
        hits.sort();
        let cols: Vec<usize> = hits.iter().map(|h| h.1).collect();
        let want: Vec<usize> = [
            "natural_person",
            "total",
            "org_commercial",
            "org_research",
            "org_social_welfare",
            "org_legal_services",
            "org_other",
        ]
        .iter()
        .map(|k| col(k))
        .collect();
        assert_eq!(cols, want);
        // Nothing is made up from pieces that are not there.
        assert!(split_column_hits("自然人总计其他", &column_hits("自然人总计其他")).is_empty());
    }
}
