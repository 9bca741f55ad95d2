//! Positioned words (from `pdftotext -bbox` or tesseract's TSV) → visual rows of cells.
//!
//! * **Rows.** Words of one page are taken top to bottom; a word joins the current
//!   row when it overlaps the row's vertical band by at least half of the smaller
//!   height (so a smaller font or a slightly raised number stays on its row).
//! * **Cells.** Within a row, words are sorted left to right and a new cell starts
//!   where the horizontal gap is at least [`CELL_GAP`] × the row's median word
//!   height. Table cells are separated by padding on both sides (Word's default
//!   is 0.19 cm each side, ≈ 1 em at 10.5 pt), while spaces inside a label or
//!   between a number and its unit are ≤ 0.5 em.
//! * Pieces of one cell are joined like the lines of a cell (nothing between two
//!   CJK chars, a space otherwise), see [`super::cells::push_joined`].
//! * **Columns.** Rows of a table block get empty cells where their table has a
//!   column they print nothing in (see `align_columns`), so a PDF table reaches
//!   the core in the same shape as an HTML or DOCX grid.

use super::cells::push_joined;

/// A gap of at least this many word heights separates two cells.
pub(crate) const CELL_GAP: f32 = 0.8;

/// One word with its bounding box (y grows downwards).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    /// 1-based page number.
    pub(crate) page: u32,
    /// Left edge.
    pub(crate) x0: f32,
    /// Top edge.
    pub(crate) y0: f32,
    /// Right edge.
    pub(crate) x1: f32,
    /// Bottom edge.
    pub(crate) y1: f32,
    /// The word's text.
    pub(crate) text: String,
}

/// Groups words into visual rows of cells, pages in order, rows top to bottom.
pub(crate) fn rows_from_words(mut words: Vec<Word>) -> Vec<Vec<String>> {
    words.retain(|w| {
        !w.text.trim().is_empty()
            && w.x0.is_finite()
            && w.y0.is_finite()
            && w.x1.is_finite()
            && w.y1.is_finite()
    });
    words.sort_by(|a, b| {
        a.page
            .cmp(&b.page)
            .then(a.y0.total_cmp(&b.y0))
            .then(a.x0.total_cmp(&b.x0))
    });
    let mut rows = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let (mut band0, mut band1) = (0f32, 0f32);
    for w in words {
        let same_row = current.first().is_some_and(|f| f.page == w.page) && {
            let overlap = band1.min(w.y1) - band0.max(w.y0);
            let smaller = (band1 - band0).min(w.y1 - w.y0).max(0.01);
            overlap >= 0.5 * smaller
        };
        if !same_row && !current.is_empty() {
            rows.push(cells_of_row(std::mem::take(&mut current)));
        }
        if current.is_empty() {
            (band0, band1) = (w.y0, w.y1);
        } else {
            (band0, band1) = (band0.min(w.y0), band1.max(w.y1));
        }
        current.push(w);
    }
    if !current.is_empty() {
        rows.push(cells_of_row(current));
    }
    align_columns(rows)
}

/// One visual row: its page, median word height and cells with their left edges.
struct VRow {
    page: u32,
    height: f32,
    cells: Vec<(f32, String)>,
}

/// Splits one visual row into cells at large horizontal gaps.
fn cells_of_row(mut row: Vec<Word>) -> VRow {
    row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut heights: Vec<f32> = row.iter().map(|w| (w.y1 - w.y0).max(0.0)).collect();
    heights.sort_by(f32::total_cmp);
    let height = heights[heights.len() / 2].max(0.5);
    let page = row[0].page;
    let mut cells: Vec<(f32, String)> = Vec::new();
    let mut right = f32::NEG_INFINITY;
    for w in row {
        match cells.last_mut() {
            Some((_, cell)) if w.x0 - right < CELL_GAP * height => push_joined(cell, w.text.trim()),
            _ => cells.push((w.x0, w.text.trim().to_string())),
        }
        right = right.max(w.x1);
    }
    VRow {
        page,
        height,
        cells,
    }
}

/// Puts the cells of table blocks into columns, so that a visual row has an
/// empty cell where its table has a column but the row prints nothing there —
/// the shape HTML and DOCX grids have.
///
/// A block is a run of consecutive rows on one page with at least two cells
/// each (single-cell rows are text, headings or vertical header chars and pass
/// unchanged). The block's columns are the clusters of its cells' left edges
/// (a cluster spans at most [`CELL_GAP`] × the median word height); a cell goes
/// to the cluster it belongs to. A row where two cells would share a column is
/// left as it was rather than guessed.
fn align_columns(rows: Vec<VRow>) -> Vec<Vec<String>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j < rows.len() && rows[j].cells.len() >= 2 && rows[j].page == rows[i].page {
            j += 1;
        }
        if j == i {
            out.push(rows[i].cells.iter().map(|(_, t)| t.clone()).collect());
            i += 1;
            continue;
        }
        let block = &rows[i..j];
        let mut heights: Vec<f32> = block.iter().map(|r| r.height).collect();
        heights.sort_by(f32::total_cmp);
        let tol = CELL_GAP * heights[heights.len() / 2];
        let mut xs: Vec<f32> = block
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.0))
            .collect();
        xs.sort_by(f32::total_cmp);
        let mut anchors: Vec<f32> = Vec::new();
        for x in xs {
            if anchors.last().is_none_or(|a| x - a > tol) {
                anchors.push(x);
            }
        }
        for row in block {
            let mut grid = vec![String::new(); anchors.len()];
            let mut clash = false;
            for (x, text) in &row.cells {
                let col = anchors.partition_point(|a| *a <= *x).saturating_sub(1);
                if grid[col].is_empty() {
                    grid[col] = text.clone();
                } else {
                    clash = true;
                }
            }
            out.push(if clash {
                row.cells.iter().map(|(_, t)| t.clone()).collect()
            } else {
                grid
            });
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(page: u32, x0: f32, y0: f32, x1: f32, text: &str) -> Word {
        Word {
            page,
            x0,
            y0,
            x1,
            y1: y0 + 10.0,
            text: text.into(),
        }
    }

    #[test]
    fn table_rows_get_empty_cells_for_missing_columns() {
        let words = vec![
            w(1, 10.0, 10.0, 40.0, "自然人"),
            w(1, 100.0, 10.0, 130.0, "总计"),
            w(1, 10.0, 30.0, 20.0, "5"),
            w(1, 51.0, 30.0, 60.0, "2"),
            w(1, 101.5, 30.0, 110.0, "7"),
            w(1, 10.0, 50.0, 300.0, "正文一行"),
        ];
        assert_eq!(
            rows_from_words(words),
            vec![
                vec!["自然人".to_string(), String::new(), "总计".into()],
                vec!["5".into(), "2".into(), "7".into()],
                vec!["正文一行".into()],
            ]
        );
    }

    #[test]
    fn rows_and_cells_by_geometry() {
        let words = vec![
            w(1, 100.0, 50.5, 110.0, "12"),
            w(1, 10.0, 50.0, 40.0, "予以"),
            w(1, 41.0, 50.0, 60.0, "公开"),
            w(1, 10.0, 70.0, 40.0, "2023"),
            w(1, 43.0, 70.0, 50.0, "年"),
            w(2, 10.0, 10.0, 20.0, "下页"),
        ];
        assert_eq!(
            rows_from_words(words),
            vec![
                vec!["予以公开".to_string(), "12".into()],
                vec!["2023 年".into()],
                vec!["下页".into()]
            ]
        );
    }
}
