//! Table grids of a scanned page, from its ruling lines ([`super::raster::ruling_lines`]).
//!
//! * **Cells** are the regions of the page enclosed by ruling lines: connected
//!   areas of non-line pixels (text inside a cell does not split it) that do not
//!   reach the page edge and are at least `min_cell` pixels in both directions.
//! * **Tables**: cells bordered by the same connected set of lines.
//! * **Grid**: the left/right edges of a table's cells, clustered within `tol`
//!   pixels, are its column boundaries (top/bottom edges: row boundaries); a cell
//!   spans the columns and rows between the boundaries of its edges, so a merged
//!   cell (rowspan/colspan) keeps every other cell at its column, as in an HTML
//!   grid.

use super::raster::Mask;

/// A box `(x0, y0, x1, y1)`, inclusive.
pub(crate) type BBox = (usize, usize, usize, usize);

/// One cell of a table grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GridCell {
    /// First grid row it covers.
    pub(crate) row: usize,
    /// First grid column it covers.
    pub(crate) col: usize,
    /// Its interior (inside the ruling lines).
    pub(crate) bbox: BBox,
}

/// A ruled table found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grid {
    /// Box around all its cells.
    pub(crate) bbox: BBox,
    /// Number of grid rows.
    pub(crate) rows: usize,
    /// Number of grid columns.
    pub(crate) cols: usize,
    /// Its cells, top to bottom, left to right.
    pub(crate) cells: Vec<GridCell>,
}

/// A connected region of non-line pixels.
struct Region {
    bbox: BBox,
    touches_edge: bool,
    /// The line component bordering it (the first one met).
    table: Option<u32>,
}

/// Finds the ruled tables of a page (tables of fewer than two cells are boxes, not tables).
pub(crate) fn grids(lines: &Mask, min_cell: usize, tol: usize) -> Vec<Grid> {
    let line_label = label_lines(lines);
    let regions = white_regions(lines, &line_label);
    let mut by_table: std::collections::BTreeMap<u32, Vec<BBox>> = Default::default();
    for r in regions {
        let (x0, y0, x1, y1) = r.bbox;
        if r.touches_edge || x1 + 1 - x0 < min_cell || y1 + 1 - y0 < min_cell {
            continue;
        }
        if let Some(t) = r.table {
            by_table.entry(t).or_default().push(r.bbox);
        }
    }
    let mut out: Vec<Grid> = by_table
        .into_values()
        .filter(|cells| cells.len() >= 2)
        .map(|cells| grid_of(&cells, tol))
        .collect();
    out.sort_by_key(|g| (g.bbox.1, g.bbox.0));
    out
}

/// Labels the 8-connected components of the line mask (0 = no line).
fn label_lines(lines: &Mask) -> Vec<u32> {
    let (w, h) = (lines.w, lines.h);
    let mut label = vec![0u32; w * h];
    let mut next = 0u32;
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !lines.on[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        label[start] = next;
        stack.push(start);
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            for dy in -1isize..=1 {
                for dx in -1isize..=1 {
                    let (nx, ny) = (x as isize + dx, y as isize + dy);
                    if nx < 0 || ny < 0 || nx as usize >= w || ny as usize >= h {
                        continue;
                    }
                    let q = ny as usize * w + nx as usize;
                    if lines.on[q] && label[q] == 0 {
                        label[q] = next;
                        stack.push(q);
                    }
                }
            }
        }
    }
    label
}

/// The 4-connected regions of non-line pixels with their boxes and bordering line component.
fn white_regions(lines: &Mask, line_label: &[u32]) -> Vec<Region> {
    let (w, h) = (lines.w, lines.h);
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if lines.on[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut r = Region {
            bbox: (start % w, start / w, start % w, start / w),
            touches_edge: false,
            table: None,
        };
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            r.bbox = (
                r.bbox.0.min(x),
                r.bbox.1.min(y),
                r.bbox.2.max(x),
                r.bbox.3.max(y),
            );
            if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                r.touches_edge = true;
            }
            let mut visit = |q: usize| {
                if lines.on[q] {
                    if r.table.is_none() {
                        r.table = Some(line_label[q]);
                    }
                } else if !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < w {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - w);
            }
            if y + 1 < h {
                visit(p + w);
            }
        }
        out.push(r);
    }
    out
}

/// Boundaries from edge positions: sorted values chained within `tol` form one
/// boundary; returns each value's boundary index via the cluster's range.
fn clusters(mut values: Vec<usize>, tol: usize) -> Vec<(usize, usize)> {
    values.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for v in values {
        match out.last_mut() {
            Some(c) if v <= c.1 + tol => c.1 = v,
            _ => out.push((v, v)),
        }
    }
    out
}

/// The index of the cluster holding `v`.
fn cluster_of(cl: &[(usize, usize)], v: usize) -> usize {
    cl.iter()
        .position(|&(a, b)| (a..=b).contains(&v))
        .unwrap_or(0)
}

/// Lays a table's cells on a grid.
fn grid_of(cells: &[BBox], tol: usize) -> Grid {
    // a cell's left edge and its left neighbour's right edge are one boundary
    // (the line between them), so both go into one clustering
    let xs = clusters(cells.iter().flat_map(|c| [c.0, c.2]).collect(), tol);
    let ys = clusters(cells.iter().flat_map(|c| [c.1, c.3]).collect(), tol);
    let mut out: Vec<GridCell> = cells
        .iter()
        .map(|&b| GridCell {
            row: cluster_of(&ys, b.1),
            col: cluster_of(&xs, b.0),
            bbox: b,
        })
        .collect();
    out.sort_by_key(|c| (c.row, c.col));
    let bbox = cells.iter().fold(cells[0], |a, c| {
        (a.0.min(c.0), a.1.min(c.1), a.2.max(c.2), a.3.max(c.3))
    });
    Grid {
        bbox,
        rows: ys.len().saturating_sub(1).max(1),
        cols: xs.len().saturating_sub(1).max(1),
        cells: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws 1-pixel rulings into a mask.
    fn rule(m: &mut Mask, (x0, y0): (usize, usize), (x1, y1): (usize, usize)) {
        for y in y0..=y1 {
            for x in x0..=x1 {
                m.on[y * m.w + x] = true;
            }
        }
    }

    #[test]
    fn merged_cells_keep_columns() {
        // ┌──────┬───┬───┐
        // │ A    │ B │ C │   A spans two rows, C's row below is split in two
        // │      ├───┼─┬─┤
        // │      │ D │E│F│
        // └──────┴───┴─┴─┘
        let mut m = Mask::new(200, 120);
        rule(&mut m, (10, 10), (190, 10));
        rule(&mut m, (80, 50), (190, 50));
        rule(&mut m, (10, 100), (190, 100));
        rule(&mut m, (10, 10), (10, 100));
        rule(&mut m, (80, 10), (80, 100));
        rule(&mut m, (130, 10), (130, 100));
        rule(&mut m, (160, 50), (160, 100));
        rule(&mut m, (190, 10), (190, 100));
        let g = grids(&m, 10, 3);
        assert_eq!(g.len(), 1);
        let g = &g[0];
        assert_eq!((g.rows, g.cols), (2, 4));
        let at: Vec<(usize, usize)> = g.cells.iter().map(|c| (c.row, c.col)).collect();
        assert_eq!(at, vec![(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (1, 3)]);
        assert_eq!(g.cells[0].bbox, (11, 11, 79, 99));
    }

    #[test]
    fn a_lone_box_is_not_a_table() {
        let mut m = Mask::new(100, 60);
        rule(&mut m, (10, 10), (90, 10));
        rule(&mut m, (10, 50), (90, 50));
        rule(&mut m, (10, 10), (10, 50));
        rule(&mut m, (90, 10), (90, 50));
        assert!(grids(&m, 10, 3).is_empty());
        // an open frame encloses nothing
        let mut open = Mask::new(100, 60);
        rule(&mut open, (10, 10), (90, 10));
        rule(&mut open, (10, 10), (10, 50));
        assert!(grids(&open, 10, 3).is_empty());
    }
}
