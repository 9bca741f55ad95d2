//! Plain text (PDF text layer, TSV, Markdown) → [`Line`]s.
//!
//! One [`Line`] per text line. A line is split into cells at tabs (TSV) or,
//! when it looks like a Markdown table row (`| a | b |`), at the pipes.
//! Whitespace-separated tokens stay inside one cell: the table reader splits
//! them itself, because in PDF text a space may separate numbers or sit inside
//! a label.

use crate::Line;

/// Splits text into [`Line`]s: cells at tabs, or at Markdown pipes.
///
/// Line numbers are 1-based. A Markdown row's outer pipes do not create empty
/// cells; separator rows (`|---|:---:|`) are kept as lines of dashes.
pub fn lines_from_text(text: &str) -> Vec<Line> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Old Mac line ends: a text with `\r` but no `\n` breaks at `\r`.
    let split: Box<dyn Iterator<Item = &str>> = if text.contains('\r') && !text.contains('\n') {
        Box::new(text.split('\r'))
    } else {
        Box::new(text.lines())
    };
    split
        .enumerate()
        .map(|(i, l)| Line {
            no: i as u32 + 1,
            cells: split_cells(l.strip_suffix('\r').unwrap_or(l)),
        })
        .collect()
}

/// Splits one text line into cells (see [`lines_from_text`]).
fn split_cells(line: &str) -> Vec<String> {
    let trimmed = line.trim();
    if trimmed.starts_with('|') && trimmed.len() > 1 {
        let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        return inner.split('|').map(str::to_string).collect();
    }
    line.split('\t').map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_split_cells() {
        let l = lines_from_text("a\tb\t\tc\n\nx y");
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].cells, vec!["a", "b", "", "c"]);
        assert_eq!(l[0].no, 1);
        assert_eq!(l[1].cells, vec![""]);
        assert_eq!(l[2].cells, vec!["x y"]);
        assert_eq!(l[2].no, 3);
    }

    #[test]
    fn carriage_returns_alone_end_lines() {
        let l = lines_from_text("a\tb\rc");
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].cells, vec!["c"]);
        assert_eq!(lines_from_text("\u{feff}x\r\ny").len(), 2);
    }

    #[test]
    fn markdown_pipes_split_cells() {
        let l = lines_from_text("| 收费 | 1.5 |\r\n|---|---|");
        assert_eq!(l[0].cells, vec![" 收费 ", " 1.5 "]);
        assert_eq!(l[1].cells, vec!["---", "---"]);
    }
}
