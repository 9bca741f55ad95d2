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

/// One visual row: its page, median word height and cells.
struct VRow {
    page: u32,
    height: f32,
    cells: Vec<VCell>,
}

/// A cell of a visual row with its horizontal extent.
struct VCell {
    x0: f32,
    x1: f32,
    text: String,
}

/// Splits one visual row into cells at large horizontal gaps.
fn cells_of_row(mut row: Vec<Word>) -> VRow {
    row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut heights: Vec<f32> = row.iter().map(|w| (w.y1 - w.y0).max(0.0)).collect();
    heights.sort_by(f32::total_cmp);
    let height = heights[heights.len() / 2].max(0.5);
    let page = row[0].page;
    let mut cells: Vec<VCell> = Vec::new();
    for w in row {
        match cells.last_mut() {
            Some(c) if w.x0 - c.x1 < CELL_GAP * height => {
                push_joined(&mut c.text, w.text.trim());
                c.x1 = c.x1.max(w.x1);
            }
            _ => cells.push(VCell {
                x0: w.x0,
                x1: w.x1,
                text: w.text.trim().to_string(),
            }),
        }
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
/// * A block is a run of consecutive rows on one page with at least two cells
///   each; single-cell rows (text, headings, vertical header chars) pass unchanged.
/// * Left edges are clustered (a cluster spans at most [`CELL_GAP`] × the median
///   word height): left-aligned columns.
/// * Neighbouring clusters merge into one column when no row has cells in both,
///   their cells are centred on each other and together they stay left of the
///   next cluster: a header and the numbers under it, centred at different
///   offsets in the same column — not a label spanning several columns.
/// * A row where two cells would share a column is left as it was rather than guessed.
fn align_columns(rows: Vec<VRow>) -> Vec<Vec<String>> {
    let plain = |row: &VRow| row.cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    let mut out = Vec::with_capacity(rows.len());
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j < rows.len() && rows[j].cells.len() >= 2 && rows[j].page == rows[i].page {
            j += 1;
        }
        if j == i {
            out.push(plain(&rows[i]));
            i += 1;
            continue;
        }
        let block = &rows[i..j];
        let column = columns_of_block(block);
        let width = column.iter().map(|(_, c)| c + 1).max().unwrap_or(0);
        for row in block {
            let mut grid = vec![String::new(); width];
            let mut clash = false;
            for cell in &row.cells {
                let k = column
                    .partition_point(|(a, _)| *a <= cell.x0)
                    .saturating_sub(1);
                let col = column.get(k).map_or(0, |(_, c)| *c);
                if grid[col].is_empty() {
                    grid[col] = cell.text.clone();
                } else {
                    clash = true;
                }
            }
            out.push(if clash { plain(row) } else { grid });
        }
        i = j;
    }
    out
}

/// The columns of a table block: (cluster's left edge, column index) by ascending edge.
fn columns_of_block(block: &[VRow]) -> Vec<(f32, usize)> {
    let mut heights: Vec<f32> = block.iter().map(|r| r.height).collect();
    heights.sort_by(f32::total_cmp);
    let tol = CELL_GAP * heights[heights.len() / 2];
    // (x0, x1, row) of every cell, by left edge
    let mut cells: Vec<(f32, f32, usize)> = block
        .iter()
        .enumerate()
        .flat_map(|(r, row)| row.cells.iter().map(move |c| (c.x0, c.x1, r)))
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    // clusters of left edges, with their extent, centres and rows
    let mut clusters: Vec<Span> = Vec::new();
    for (x0, x1, r) in cells {
        match clusters.last_mut() {
            Some(c) if x0 - c.first <= tol => c.add(x0, x1, r),
            _ => {
                let mut c = Span::new(x0, block.len());
                c.add(x0, x1, r);
                clusters.push(c);
            }
        }
    }
    // merge neighbours that never share a row and are centred on each other,
    // as long as the merged column stays clear of the next cluster
    let next_edges: Vec<f32> = clusters
        .iter()
        .skip(1)
        .map(|c| c.first)
        .chain([f32::INFINITY])
        .collect();
    let mut out = Vec::with_capacity(clusters.len());
    let mut col = 0usize;
    let mut current: Option<Span> = None;
    for (c, next) in clusters.into_iter().zip(next_edges) {
        let first = c.first;
        match current.as_mut() {
            Some(open) if open.same_column(&c) && open.x1.max(c.x1) <= next => open.absorb(&c),
            Some(_) => {
                col += 1;
                current = Some(c);
            }
            None => current = Some(c),
        }
        out.push((first, col));
    }
    out
}

/// Cells gathered as one candidate column.
struct Span {
    /// Left edge of the first cell (the cluster's anchor).
    first: f32,
    x0: f32,
    x1: f32,
    /// Smallest and largest cell centre.
    c0: f32,
    c1: f32,
    /// Rows of the block that have a cell here.
    rows: Vec<bool>,
}

impl Span {
    fn new(first: f32, rows: usize) -> Span {
        Span {
            first,
            x0: f32::INFINITY,
            x1: f32::NEG_INFINITY,
            c0: f32::INFINITY,
            c1: f32::NEG_INFINITY,
            rows: vec![false; rows],
        }
    }

    fn add(&mut self, x0: f32, x1: f32, row: usize) {
        let c = (x0 + x1) / 2.0;
        (self.x0, self.x1) = (self.x0.min(x0), self.x1.max(x1));
        (self.c0, self.c1) = (self.c0.min(c), self.c1.max(c));
        self.rows[row] = true;
    }

    /// Two spans are one column when no row has cells in both and each one's
    /// cell centres lie within the other's extent (a header over its numbers);
    /// a label spanning several columns is not centred on its neighbour.
    fn same_column(&self, other: &Span) -> bool {
        let disjoint = !self.rows.iter().zip(&other.rows).any(|(a, b)| *a && *b);
        let inside = |a: &Span, b: &Span| a.c0 >= b.x0 && a.c1 <= b.x1;
        disjoint && inside(self, other) && inside(other, self)
    }

    fn absorb(&mut self, other: &Span) {
        (self.x0, self.x1) = (self.x0.min(other.x0), self.x1.max(other.x1));
        (self.c0, self.c1) = (self.c0.min(other.c0), self.c1.max(other.c1));
        self.rows
            .iter_mut()
            .zip(&other.rows)
            .for_each(|(a, b)| *a |= *b);
    }
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
    fn centred_headers_join_the_column_of_their_numbers() {
        let words = vec![
            // header row: labels centred over 50-point columns at 100, 150, 200
            w(1, 10.0, 10.0, 40.0, "项目"),
            w(1, 110.0, 10.0, 140.0, "自然人"),
            w(1, 165.0, 10.0, 185.0, "其他"),
            w(1, 210.0, 10.0, 240.0, "总计"),
            // numbers centred in the same columns
            w(1, 10.0, 30.0, 40.0, "新收"),
            w(1, 121.0, 30.0, 129.0, "12"),
            w(1, 171.0, 30.0, 179.0, "3"),
            w(1, 221.0, 30.0, 229.0, "15"),
            // a row missing the middle value
            w(1, 10.0, 50.0, 40.0, "结转"),
            w(1, 123.0, 50.0, 127.0, "1"),
            w(1, 221.0, 50.0, 229.0, "1"),
        ];
        assert_eq!(
            rows_from_words(words),
            vec![
                vec![
                    "项目".to_string(),
                    "自然人".into(),
                    "其他".into(),
                    "总计".into()
                ],
                vec!["新收".into(), "12".into(), "3".into(), "15".into()],
                vec!["结转".into(), "1".into(), String::new(), "1".into()],
            ]
        );
    }

    #[test]
    fn a_label_spanning_columns_is_not_merged_into_its_neighbour() {
        let words = vec![
            // label columns at 10 / 60 / 110, numbers at 200
            w(1, 61.0, 10.0, 101.0, "（五）不予处理"),
            w(1, 110.0, 10.0, 150.0, "1.信访举报"),
            w(1, 200.0, 10.0, 205.0, "2"),
            w(1, 110.0, 30.0, 150.0, "2.重复申请"),
            w(1, 200.0, 30.0, 205.0, "1"),
            // spans the three label columns; its centre (80) falls on column 2's cells
            w(1, 10.0, 50.0, 150.0, "四、结转下年度继续办理"),
            w(1, 200.0, 50.0, 205.0, "5"),
        ];
        let rows = rows_from_words(words);
        assert_eq!(rows[0], vec!["", "（五）不予处理", "1.信访举报", "2"]);
        assert_eq!(rows[2], vec!["四、结转下年度继续办理", "", "", "5"]);
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
