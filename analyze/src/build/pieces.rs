//! The per-report pieces of the datasets, computed one cells part at a time.
//!
//! Every dataset row that comes from cells depends on the cells of one
//! report only (the `requests` rows of a report, its `dispositions`, its
//! wide table 2 and table 4, the panel's table-3 totals …). So the cells
//! parts are read once and, part by part, reduced to these [`Piece`]s;
//! only the pieces stay in memory, never the 100 M long cells of a
//! national run. [`compute_year`](super::compute_year) then joins the
//! pieces of a year to its reports, sorts and finishes them.
//!
//! A report whose cells are spread over several parts would be reduced
//! twice (two half groups); [`read_pieces`] finds such reports and reduces
//! them again from all their cells in a second pass (see there).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use polars::prelude::{
    BooleanChunked, ChunkCompareEq, ChunkFilter, DataFrame, Expr, IdxCa, IntoLazy, LazyFrame, col,
};

use super::read::{CELL_COLUMNS, cat, typed_cell_column};
use super::report_keys;
use super::{RID, dispositions, panel, proactive, requests, review_litigation};

/// One per-report piece of a dataset, reduced from a part's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Piece {
    /// The flow rows of table 3 per applicant type (`requests`).
    Requests,
    /// The outcome rows of table 3 per applicant type (`dispositions`).
    Dispositions,
    /// Table 4, wide (`review_litigation`, and the panel's table 4).
    Review,
    /// Table 2, wide (`proactive`).
    Proactive,
    /// The panel's table-3 total column, wide.
    PanelTable3,
    /// The number of inferred cells of each report.
    Inferred,
    /// The narrative figures (table 0).
    Narrative,
    /// Table-3 total-column values of the documents of agency-years with
    /// several documents, superseded ones included (`duplicate_spread`).
    SpreadCells,
}

impl Piece {
    /// Every piece, in the order they are stored.
    pub const ALL: [Piece; 8] = [
        Piece::Requests,
        Piece::Dispositions,
        Piece::Review,
        Piece::Proactive,
        Piece::PanelTable3,
        Piece::Inferred,
        Piece::Narrative,
        Piece::SpreadCells,
    ];

    /// The piece from `canon`, the cells of canonical reports, and `multi`,
    /// the cells of every document of agency-years with several documents
    /// (superseded ones included); both in the cells' schema.
    fn reduce(self, canon: LazyFrame, multi: LazyFrame) -> Result<LazyFrame> {
        Ok(match self {
            Piece::Requests => requests::requests(canon)?,
            Piece::Dispositions => dispositions::dispositions(canon)?,
            Piece::Review => review_litigation::review(canon),
            Piece::Proactive => proactive::proactive(canon),
            Piece::PanelTable3 => panel::table3_totals(canon),
            Piece::Inferred => panel::inferred(canon),
            Piece::Narrative => panel::narrative(canon),
            Piece::SpreadCells => panel::spread_cells(multi),
        })
    }
}

/// The pieces of one year, in the order of the parts they came from.
#[derive(Default)]
pub struct YearPieces {
    frames: BTreeMap<Piece, Vec<DataFrame>>,
}

impl YearPieces {
    /// All frames of `piece`, stacked in part order; computed from no
    /// cells (`empty`, a frame of the cells' schema) when the year has none.
    pub fn take(&mut self, piece: Piece, empty: &DataFrame) -> Result<LazyFrame> {
        let mut frames = self.frames.remove(&piece).unwrap_or_default().into_iter();
        let Some(mut first) = frames.next() else {
            return piece.reduce(empty.clone().lazy(), empty.clone().lazy());
        };
        for f in frames {
            first.vstack_mut_owned(f)?;
        }
        Ok(first.lazy())
    }

    fn push(&mut self, piece: Piece, df: DataFrame) {
        self.frames.entry(piece).or_default().push(df);
    }

    /// Drop the rows of the reports in `split` from every frame.
    fn drop_reports(&mut self, split: &[bool]) -> Result<()> {
        for frames in self.frames.values_mut() {
            for df in frames.iter_mut() {
                let keep: BooleanChunked = match df.column(dispositions::KEY) {
                    // The dispositions piece carries its report in its key.
                    Ok(key) => key
                        .u64()?
                        .iter()
                        .map(|k| k.is_none_or(|k| !split[dispositions::report_of(k) as usize]))
                        .collect(),
                    Err(_) => df
                        .column(RID)?
                        .idx()?
                        .iter()
                        .map(|r| r.is_none_or(|r| !split[r as usize]))
                        .collect(),
                };
                *df = df.filter(&keep)?;
            }
        }
        Ok(())
    }
}

/// The pieces of the wanted reports, by year, and the cells' schema.
pub struct Pieces {
    /// Pieces of every year of the batch (empty ones included).
    pub years: BTreeMap<i32, YearPieces>,
    /// A frame with no rows and the schema of the reduced cells.
    pub empty: DataFrame,
}

/// Read the cells parts once and reduce them to [`Piece`]s. `wanted` holds
/// `report_id`, [`RID`], `year`, `_canon` (a canonical report) and `_multi`
/// (its agency-year has several documents) of the reports whose cells are
/// needed; `n_rids` bounds the [`RID`]s. Every year in `years` gets its
/// pieces (empty if it has no cells). One part is decoded at a time.
///
/// A report whose cells lie in more than one part is reduced again, after
/// the pass, from all its cells (a second pass over the parts restricted to
/// those reports, in part order), and its rows from the first pass are
/// dropped: the result is what reducing the whole year at once would give.
pub fn read_pieces(
    parts: &[PathBuf],
    wanted: &DataFrame,
    years: &[i32],
    n_rids: usize,
) -> Result<Pieces> {
    let mut owner: Vec<u32> = vec![u32::MAX; n_rids];
    let mut split = vec![false; n_rids];
    let mut years_out: BTreeMap<i32, YearPieces> = BTreeMap::new();
    let mut empty = None;
    let lookup = row_of_report_id(wanted)?;
    for (k, part) in parts.iter().enumerate() {
        let cells = read_part(part, wanted, &lookup)?;
        for r in cells.column(RID)?.idx()?.iter().flatten() {
            let o = &mut owner[r as usize];
            if *o == u32::MAX {
                *o = k as u32;
            } else if *o != k as u32 {
                split[r as usize] = true;
            }
        }
        reduce_part(cells, &mut years_out, &mut empty)
            .with_context(|| format!("reducing cells of {}", part.display()))?;
    }
    if split.contains(&true) {
        for y in years_out.values_mut() {
            y.drop_reports(&split)?;
        }
        let mask: BooleanChunked = wanted
            .column(RID)?
            .idx()?
            .iter()
            .map(|r| r.is_some_and(|r| split[r as usize]))
            .collect();
        let again = wanted.filter(&mask)?;
        let lookup = row_of_report_id(&again)?;
        let mut cells: Option<DataFrame> = None;
        for part in parts {
            let df = read_part(part, &again, &lookup)?;
            match cells.as_mut() {
                Some(c) => {
                    c.vstack_mut_owned(df)?;
                }
                None => cells = Some(df),
            }
        }
        if let Some(cells) = cells {
            reduce_part(cells, &mut years_out, &mut empty)
                .context("reducing the cells of reports spread over several parts")?;
        }
    }
    let empty = empty.context("no cells parts")?;
    let mut out = BTreeMap::new();
    for y in years {
        out.insert(*y, years_out.remove(y).unwrap_or_default());
    }
    Ok(Pieces { years: out, empty })
}

/// The row of `wanted` of each `report_id`.
fn row_of_report_id(wanted: &DataFrame) -> Result<HashMap<&str, u32>> {
    Ok(wanted
        .column("report_id")?
        .str()?
        .iter()
        .enumerate()
        .filter_map(|(i, id)| Some((id?, i as u32)))
        .collect())
}

/// The cells of one part that belong to `wanted` (whose report_id `lookup`
/// maps to a row of `wanted`), keyed by [`RID`] (part order kept), with
/// `year`, `_canon`, `_multi` and the low-cardinality strings as [`cat`].
fn read_part(part: &Path, wanted: &DataFrame, lookup: &HashMap<&str, u32>) -> Result<DataFrame> {
    let rows = report_keys::lookup_report_ids(part, lookup)?;
    let cells = crate::io::scan(&[part.to_path_buf()])?
        .select(
            CELL_COLUMNS[1..]
                .iter()
                .map(|c| typed_cell_column(c))
                .collect::<Vec<_>>(),
        )
        .collect()
        .with_context(|| format!("reading cells from {}", part.display()))?;
    anyhow::ensure!(
        cells.height() == rows.len(),
        "{}: {} cells but {} report ids",
        part.display(),
        cells.height(),
        rows.len()
    );
    let rows = IdxCa::from_vec("_w".into(), rows);
    let found = rows.not_equal(report_keys::NOT_WANTED);
    let rows = rows.filter(&found)?;
    let cells = cells.filter(&found)?;
    let of_report = wanted.select([RID, "year", "_canon", "_multi"])?;
    let of_report = of_report.take(&rows)?;
    of_report
        .hstack(cells.columns())?
        .lazy()
        .select([
            col(RID),
            col("year"),
            col("_canon"),
            col("_multi"),
            col("table"),
            col("row").cast(cat()),
            col("col").cast(cat()),
            col("value"),
            col("value_int"),
            col("provenance").cast(cat()),
        ])
        .collect()
        .with_context(|| format!("reading cells from {}", part.display()))
}

/// The columns of the cells the pieces are reduced from: [`CELL_COLUMNS`]
/// with [`RID`] for `report_id`.
fn reduced_columns() -> Vec<Expr> {
    std::iter::once(RID)
        .chain(CELL_COLUMNS[1..].iter().copied())
        .map(col)
        .collect()
}

/// Reduce the cells of one part (all years) to pieces, appended per year.
fn reduce_part(
    cells: DataFrame,
    years: &mut BTreeMap<i32, YearPieces>,
    empty: &mut Option<DataFrame>,
) -> Result<()> {
    let cell_cols = reduced_columns;
    if empty.is_none() {
        *empty = Some(cells.clear().lazy().select(cell_cols()).collect()?);
    }
    for p in cells.partition_by_stable(["year"], true)? {
        let Some(y) = p.column("year")?.i32()?.get(0) else {
            continue;
        };
        let all = p.lazy();
        let canon = all
            .clone()
            .filter(col("_canon"))
            .select(cell_cols())
            .collect()?
            .lazy();
        let multi = all
            .filter(col("_multi"))
            .select(cell_cols())
            .collect()?
            .lazy();
        let entry = years.entry(y).or_default();
        for piece in Piece::ALL {
            let df = piece
                .reduce(canon.clone(), multi.clone())?
                .collect()
                .with_context(|| format!("reducing {piece:?} of year {y}"))?;
            entry.push(piece, df);
        }
    }
    Ok(())
}
