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
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::{Context as _, Result};
use polars::prelude::{BooleanChunked, Column, DataFrame, IDX_DTYPE, IntoLazy, LazyFrame};

use super::part_cells::{PartCells, read_part_cells};
use super::read::{CELL_COLUMNS, cat, cell_dtype};
use super::reduce::{Reducer, Reports, YearBuild};
use super::terms::Terms;
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
    pub(super) fn reduce(self, canon: LazyFrame, multi: LazyFrame) -> Result<LazyFrame> {
        Ok(match self {
            Piece::Requests => requests::requests(canon)?,
            Piece::Dispositions => dispositions::dispositions(canon)?,
            Piece::Review => review_litigation::spec().polars(canon),
            Piece::Proactive => proactive::proactive(canon),
            Piece::PanelTable3 => panel::table3_spec().polars(canon),
            Piece::Inferred => panel::inferred(canon),
            Piece::Narrative => panel::narrative_spec().polars(canon),
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

    /// The estimated heap size of the frames held, in bytes, per piece.
    pub(crate) fn estimated_bytes(&self) -> Vec<(Piece, usize)> {
        self.frames
            .iter()
            .map(|(p, frames)| (*p, frames.iter().map(DataFrame::estimated_size).sum()))
            .collect()
    }

    pub(super) fn push(&mut self, piece: Piece, df: DataFrame) {
        self.frames.entry(piece).or_default().push(df);
    }

    /// Add the frames of `other` after those of `self`.
    fn append(&mut self, other: YearPieces) {
        for (piece, frames) in other.frames {
            self.frames.entry(piece).or_default().extend(frames);
        }
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
/// pieces (empty if it has no cells). One part is decoded at a time
/// ([`read_part_cells`]) and reduced at once ([`Reducer`]).
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
    anyhow::ensure!(!parts.is_empty(), "no cells parts");
    let empty = empty_cells()?;
    let reducer = Reducer::new(&empty)?;
    let mut owner: Vec<u32> = vec![u32::MAX; n_rids];
    let mut split = vec![false; n_rids];
    let reports = Reports::of(wanted)?;
    let lookup = row_of_report_id(wanted)?;
    let mut years_out: BTreeMap<i32, YearPieces> = BTreeMap::new();
    for (k, part) in reduce_parts(parts, &lookup, &reports, &reducer)?
        .into_iter()
        .enumerate()
    {
        for w in part.reports {
            let r = reports.rid[w as usize] as usize;
            let o = &mut owner[r];
            if *o == u32::MAX {
                *o = k as u32;
            } else if *o != k as u32 {
                split[r] = true;
            }
        }
        for (y, pieces) in part.years {
            years_out.entry(y).or_default().append(pieces);
        }
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
        let again_reports = Reports::of(&again)?;
        let lookup = row_of_report_id(&again)?;
        let mut terms = Terms::new()?;
        let mut cells = PartCells::default();
        for part in parts {
            cells.append(read_part_cells(part, &lookup, &mut terms)?);
        }
        let mut builds: BTreeMap<i32, YearBuild> = BTreeMap::new();
        reducer.reduce(&cells, &terms, &again_reports, &mut builds);
        for (y, build) in builds {
            reducer
                .finish(build, years_out.entry(y).or_default())
                .context("reducing the cells of reports spread over several parts")?;
        }
    }
    let mut out = BTreeMap::new();
    for y in years {
        out.insert(*y, years_out.remove(y).unwrap_or_default());
    }
    Ok(Pieces { years: out, empty })
}

/// The pieces of one part, and the wanted reports it has cells of.
struct PartPieces {
    /// The rows of the wanted reports with cells in the part, each once.
    reports: Vec<u32>,
    /// Its pieces, by year.
    years: BTreeMap<i32, YearPieces>,
}

/// Read and reduce one part (the wanted reports' cells of it).
fn reduce_part(
    part: &Path,
    lookup: &HashMap<&str, u32>,
    reports: &Reports,
    reducer: &Reducer,
    terms: &mut Terms,
) -> Result<PartPieces> {
    let cells = read_part_cells(part, lookup, terms)?;
    let mut builds: BTreeMap<i32, YearBuild> = BTreeMap::new();
    reducer.reduce(&cells, terms, reports, &mut builds);
    // A report's cells are mostly adjacent: runs collapsed first, so the
    // list kept (until all parts are read) holds about one entry a report,
    // not one a cell.
    let mut seen: Vec<u32> = Vec::new();
    for &r in &cells.rid {
        if seen.last() != Some(&r) {
            seen.push(r);
        }
    }
    drop(cells);
    seen.sort_unstable();
    seen.dedup();
    seen.shrink_to_fit();
    let mut years = BTreeMap::new();
    for (y, build) in builds {
        reducer
            .finish(build, years.entry(y).or_default())
            .with_context(|| format!("the pieces of year {y} in {}", part.display()))?;
    }
    Ok(PartPieces {
        reports: seen,
        years,
    })
}

/// [`reduce_part`] of every part, in part order, on one thread per core
/// (each takes the next part; as many parts are in memory as threads).
/// The first error, in part order, is returned; no part is begun after it.
fn reduce_parts(
    parts: &[PathBuf],
    lookup: &HashMap<&str, u32>,
    reports: &Reports,
    reducer: &Reducer,
) -> Result<Vec<PartPieces>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, parts.len().max(1));
    // Each thread interns the keys it meets in its own terms.
    let terms = (0..workers)
        .map(|_| Terms::new())
        .collect::<Result<Vec<_>>>()?;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let done: Mutex<Vec<Option<Result<PartPieces>>>> =
        Mutex::new((0..parts.len()).map(|_| None).collect());
    let (next, failed, done_ref) = (&next, &failed, &done);
    std::thread::scope(|s| {
        for mut terms in terms {
            s.spawn(move || {
                while !failed.load(Ordering::Relaxed) {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(part) = parts.get(k) else {
                        break;
                    };
                    let out = reduce_part(part, lookup, reports, reducer, &mut terms);
                    if out.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut d) = done_ref.lock() {
                        d[k] = Some(out);
                    }
                }
            });
        }
    });
    let done = done
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a cells reader panicked"))?;
    let mut out = Vec::with_capacity(parts.len());
    for (k, d) in done.into_iter().enumerate() {
        match d {
            Some(r) => out.push(r?),
            None => anyhow::bail!("{} was not read", parts[k].display()),
        }
    }
    Ok(out)
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

/// A frame without rows in the schema of the cells the pieces are reduced
/// from: [`CELL_COLUMNS`] with [`RID`] for `report_id`, the numbers in
/// their contract dtypes, the keys as [`cat`].
fn empty_cells() -> Result<DataFrame> {
    let mut cols = vec![Column::new_empty(RID.into(), &IDX_DTYPE)];
    for name in &CELL_COLUMNS[1..] {
        let dtype = match *name {
            "row" | "col" | "provenance" => cat(),
            _ => cell_dtype(name),
        };
        cols.push(Column::new_empty((*name).into(), &dtype));
    }
    Ok(DataFrame::new(0, cols)?)
}
