//! Shared by the readers: collecting numbered [`Line`]s under the line limit,
//! and joining the visual lines inside one table cell into one cell text.

use super::limits::Exceeded;
use crate::Line;

/// Most cells a grid row may have; wider rows are clipped (flag `limit:table_columns`).
pub(crate) const MAX_GRID_COLS: usize = 512;

/// Collects the [`Line`]s of a document, numbering them from 1 and stopping at a limit.
#[derive(Debug)]
pub(crate) struct LineSink {
    lines: Vec<Line>,
    max: usize,
    /// Set once the line limit was hit; later lines are dropped.
    pub(crate) exceeded: Option<Exceeded>,
    /// Set once a row was wider than [`MAX_GRID_COLS`] and was clipped.
    pub(crate) columns_clipped: bool,
}

impl LineSink {
    /// A sink that keeps at most `max` lines.
    pub(crate) fn new(max: usize) -> Self {
        LineSink {
            lines: Vec::new(),
            max,
            exceeded: None,
            columns_clipped: false,
        }
    }

    /// Adds one text line (one cell), unless it is blank.
    pub(crate) fn text(&mut self, text: &str) {
        let t = text.trim();
        if !t.is_empty() {
            self.row(vec![t.to_string()]);
        }
    }

    /// Adds one grid row or split visual row.
    pub(crate) fn row(&mut self, mut cells: Vec<String>) {
        if self.lines.len() >= self.max {
            self.exceeded = Some(Exceeded::Lines);
            return;
        }
        if cells.len() > MAX_GRID_COLS {
            cells.truncate(MAX_GRID_COLS);
            self.columns_clipped = true;
        }
        let no = u32::try_from(self.lines.len() + 1).unwrap_or(u32::MAX);
        self.lines.push(Line { no, cells });
    }

    /// How many more lines are accepted.
    pub(crate) fn remaining(&self) -> usize {
        self.max.saturating_sub(self.lines.len())
    }

    /// Whether no more lines are accepted.
    pub(crate) fn full(&self) -> bool {
        self.exceeded.is_some()
    }

    /// The lines collected and the first limit hit.
    pub(crate) fn finish(self) -> (Vec<Line>, Option<Exceeded>) {
        (self.lines, self.exceeded)
    }

    /// The lines collected and the flags of every limit hit (lines, columns).
    pub(crate) fn finish_flags(self) -> (Vec<Line>, Vec<String>) {
        let mut flags: Vec<String> = self.exceeded.map(Exceeded::flag).into_iter().collect();
        if self.columns_clipped {
            flags.push(Exceeded::TableColumns.flag());
        }
        (self.lines, flags)
    }
}

/// Whether a char is set solid in CJK text (ideographs, kana, hangul, full-width forms
/// and CJK punctuation): no space is needed between two of them.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // CJK radicals, Kangxi radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3100..=0x31BF    // bopomofo
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xAC00..=0xD7AF    // hangul
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // half- and full-width forms
        | 0x20000..=0x3FFFF) // extensions B…
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// Joins the visual lines of one cell: nothing between two wide chars (a label
/// wrapped inside its cell, or vertical text one char per line), one space otherwise.
/// Lines are trimmed and blank ones dropped.
pub(crate) fn join_cell_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut out = String::new();
    for line in lines
        .iter()
        .map(|l| l.as_ref().trim())
        .filter(|l| !l.is_empty())
    {
        push_joined(&mut out, line);
    }
    out
}

/// Appends `piece` to `out` with the separator [`join_cell_lines`] uses.
pub(crate) fn push_joined(out: &mut String, piece: &str) {
    if let (Some(a), Some(b)) = (out.chars().next_back(), piece.chars().next())
        && !(is_wide(a) && is_wide(b))
    {
        out.push(' ');
    }
    out.push_str(piece);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_cjk_solid_and_latin_spaced() {
        assert_eq!(join_cell_lines(&["结果", " 维持 "]), "结果维持");
        assert_eq!(join_cell_lines(&["三", "、", "本", "年"]), "三、本年");
        assert_eq!(join_cell_lines(&["11.065", "万元"]), "11.065 万元");
        assert_eq!(join_cell_lines(&["", "  "]), "");
    }

    #[test]
    fn sink_numbers_and_limits() {
        let mut s = LineSink::new(2);
        s.text("  ");
        s.text("a");
        s.row(vec!["b".into(), String::new()]);
        s.text("c");
        let (lines, ex) = s.finish();
        assert_eq!(lines.iter().map(|l| l.no).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(ex, Some(Exceeded::Lines));
    }
}
