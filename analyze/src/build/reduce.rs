//! Reducing the wanted cells of a part to the per-report [`Piece`]s in plain
//! Rust: the cells are grouped by report, and each report's cells are
//! walked once per piece. The result is what the Polars definition of each
//! piece ([`Piece::reduce`]) gives on the same cells, with the same columns
//! and dtypes (taken from it); rows may come in another order (every piece
//! is sorted by report, or aggregated, before use).

use std::collections::BTreeMap;
use std::ops::Range;

use anyhow::{Context as _, Result};
use polars::prelude::{Column, DataFrame, IntoLazy, IntoSeries, Schema, Series, UInt32Chunked};

use super::dispositions::KEY;
use super::part_cells::PartCells;
use super::pieces::{Piece, YearPieces};
use super::proactive;
use super::read::cat;
use super::terms::{NO_TERM, Term, Terms};
use super::wide::{Source, WIDE, Wide, WideSpec};
use super::{RID, dispositions};
use crate::vocab::FLOW_ROWS;

/// Per row of the wanted reports: its [`RID`], year, and whether it is a
/// canonical report (`_canon`) and one of several documents of its
/// agency-year (`_multi`).
pub(super) struct Reports {
    pub rid: Vec<u32>,
    pub year: Vec<Option<i32>>,
    pub canon: Vec<bool>,
    pub multi: Vec<bool>,
}

impl Reports {
    /// From the wanted reports (`_rid`, `year`, `_canon`, `_multi`).
    pub fn of(wanted: &DataFrame) -> Result<Reports> {
        let flag = |name: &str| -> Result<Vec<bool>> {
            Ok(wanted
                .column(name)?
                .bool()?
                .iter()
                .map(|b| b.unwrap_or(false))
                .collect())
        };
        Ok(Reports {
            rid: wanted
                .column(RID)?
                .idx()?
                .iter()
                .map(|r| r.unwrap_or(NO_TERM))
                .collect(),
            year: wanted.column("year")?.i32()?.iter().collect(),
            canon: flag("_canon")?,
            multi: flag("_multi")?,
        })
    }
}

/// The pieces of one year under construction.
#[derive(Default)]
pub(super) struct YearBuild {
    requests: RequestsBuild,
    dispositions: DispositionsBuild,
    wide: [WideBuild; WIDE.len()],
    inferred: (Vec<u32>, Vec<i32>),
    spread: (Vec<u32>, Vec<u32>, Vec<i64>),
}

#[derive(Default)]
struct RequestsBuild {
    rid: Vec<u32>,
    applicant: Vec<u32>,
    order: Vec<i32>,
    values: [Vec<Option<i64>>; FLOW_ROWS.len()],
    inferred: Vec<i32>,
}

#[derive(Default)]
struct DispositionsBuild {
    key: Vec<u64>,
    value: Vec<Option<i64>>,
    provenance: Vec<u32>,
}

#[derive(Default)]
struct WideBuild {
    rid: Vec<u32>,
    ints: Vec<Vec<Option<i64>>>,
    floats: Vec<Vec<Option<f64>>>,
    sums: Vec<Vec<Option<i64>>>,
    inferred: Vec<i32>,
}

/// The reduction: the wide specs and the pieces' schemas.
pub(super) struct Reducer {
    specs: Vec<WideSpec>,
    schemas: BTreeMap<Piece, Schema>,
}

impl Reducer {
    /// A reducer whose pieces have the schemas of the Polars definitions on
    /// `empty` (a frame of the reduced cells' schema without rows).
    pub fn new(empty: &DataFrame) -> Result<Reducer> {
        let mut schemas = BTreeMap::new();
        for p in Piece::ALL {
            let df = p
                .reduce(empty.clone().lazy(), empty.clone().lazy())?
                .collect()
                .with_context(|| format!("the schema of {p:?}"))?;
            schemas.insert(p, df.schema().as_ref().clone());
        }
        Ok(Reducer {
            specs: WIDE.iter().map(|w| w.spec()).collect(),
            schemas,
        })
    }

    /// Add the pieces of `cells` (all of one report's cells within them,
    /// in order; keys interned in `terms`) to `years`.
    pub fn reduce(
        &self,
        cells: &PartCells,
        terms: &Terms,
        reports: &Reports,
        years: &mut BTreeMap<i32, YearBuild>,
    ) {
        let (order, ranges) = groups(&cells.rid, reports.rid.len());
        let mut buf: Vec<Cell> = Vec::new();
        for range in ranges {
            let group = &order[range];
            let r = cells.rid[group[0] as usize] as usize;
            let Some(year) = reports.year[r] else {
                continue;
            };
            let rid = reports.rid[r];
            let b = years.entry(year).or_default();
            buf.clear();
            buf.extend(group.iter().map(|i| Cell::of(cells, terms, *i as usize)));
            let cells = &buf[..];
            if reports.multi[r] {
                for c in cells {
                    if let (3, Some(col), Some(v)) = (c.table, c.col, c.value_int)
                        && col.total
                    {
                        b.spread.0.push(rid);
                        b.spread.1.push(c.row.map_or(NO_TERM, |t| t.cat));
                        b.spread.2.push(v);
                    }
                }
            }
            if !reports.canon[r] {
                continue;
            }
            b.inferred.0.push(rid);
            b.inferred
                .1
                .push(cells.iter().filter(|c| c.inferred()).count() as i32);
            dispositions_of(rid, cells, &mut b.dispositions);
            requests_of(rid, cells, &mut b.requests);
            for (k, spec) in self.specs.iter().enumerate() {
                wide_of(rid, cells, spec, k, &mut b.wide[k]);
            }
        }
    }

    /// The frames of the pieces of `build`, added to `out`.
    pub fn finish(&self, build: YearBuild, out: &mut YearPieces) -> Result<()> {
        let YearBuild {
            requests,
            dispositions,
            wide,
            inferred,
            spread,
        } = build;
        let rid = |v: Vec<u32>| Column::new(RID.into(), v);
        let r = requests;
        let mut cols = vec![rid(r.rid), categorical("applicant", r.applicant)?];
        for (name, values) in FLOW_ROWS.iter().zip(r.values) {
            cols.push(Column::new((*name).into(), values));
        }
        cols.push(Column::new("n_inferred".into(), r.inferred));
        cols.push(Column::new("_col_order".into(), r.order));
        out.push(Piece::Requests, self.framed(Piece::Requests, cols)?);

        let d = dispositions;
        let cols = vec![
            Column::new(KEY.into(), d.key),
            Column::new("value".into(), d.value),
            categorical("provenance", d.provenance)?,
        ];
        out.push(Piece::Dispositions, self.framed(Piece::Dispositions, cols)?);

        for ((w, spec), build) in WIDE.iter().zip(&self.specs).zip(wide) {
            let mut cols = vec![rid(build.rid)];
            let (mut ints, mut floats) = (build.ints.into_iter(), build.floats.into_iter());
            for (key, source) in &spec.keys {
                cols.push(match source {
                    Source::Int => Column::new((*key).into(), ints.next().unwrap_or_default()),
                    Source::Float => Column::new((*key).into(), floats.next().unwrap_or_default()),
                });
            }
            let mut sums = build.sums.into_iter();
            for (name, _) in &spec.sums {
                cols.push(Column::new((*name).into(), sums.next().unwrap_or_default()));
            }
            if let Some(name) = spec.inferred {
                cols.push(Column::new(name.into(), build.inferred));
            }
            let (piece, df) = match w {
                Wide::Review => (Piece::Review, self.framed(Piece::Review, cols)?),
                Wide::Proactive => {
                    let df = DataFrame::new_infer_height(cols)?;
                    let df = proactive::with_yuan(df.lazy()).collect()?;
                    (
                        Piece::Proactive,
                        self.framed(Piece::Proactive, df.into_columns())?,
                    )
                }
                Wide::Table3 => (Piece::PanelTable3, self.framed(Piece::PanelTable3, cols)?),
                Wide::Narrative => (Piece::Narrative, self.framed(Piece::Narrative, cols)?),
            };
            out.push(piece, df);
        }

        let cols = vec![
            rid(inferred.0),
            Column::new("_all_inferred".into(), inferred.1),
        ];
        out.push(Piece::Inferred, self.framed(Piece::Inferred, cols)?);

        let cols = vec![
            rid(spread.0),
            categorical("row", spread.1)?,
            Column::new("value_int".into(), spread.2),
        ];
        out.push(Piece::SpreadCells, self.framed(Piece::SpreadCells, cols)?);
        Ok(())
    }

    /// `cols` as a frame with the columns and dtypes of `piece`'s schema.
    fn framed(&self, piece: Piece, cols: Vec<Column>) -> Result<DataFrame> {
        let schema = &self.schemas[&piece];
        let df = DataFrame::new_infer_height(cols)?;
        let cols = schema
            .iter()
            .map(|(name, dtype)| {
                df.column(name)
                    .with_context(|| format!("{piece:?} has no column {name}"))?
                    .cast(dtype)
                    .with_context(|| format!("{piece:?}: casting {name} to {dtype}"))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DataFrame::new_infer_height(cols)?)
    }
}

/// A column of the cell-key categorical ([`cat`]) from mapping ids
/// ([`NO_TERM`]: null).
fn categorical(name: &str, ids: Vec<u32>) -> Result<Column> {
    let ids: UInt32Chunked = ids
        .into_iter()
        .map(|i| (i != NO_TERM).then_some(i))
        .collect();
    let ids = ids.with_name(name.into()).into_series();
    Ok(Series::from_cats_and_dtype(&ids, &cat(), true)?.into())
}

/// One cell with its terms looked up.
struct Cell<'a> {
    table: i32,
    row: Option<&'a Term>,
    col: Option<&'a Term>,
    prov: Option<&'a Term>,
    value: Option<f64>,
    value_int: Option<i64>,
}

impl<'a> Cell<'a> {
    fn of(cells: &PartCells, terms: &'a Terms, i: usize) -> Cell<'a> {
        Cell {
            table: cells.table[i],
            row: terms.get(cells.row[i]),
            col: terms.get(cells.col[i]),
            prov: terms.get(cells.prov[i]),
            value: cells.value[i],
            value_int: cells.value_int[i],
        }
    }

    fn inferred(&self) -> bool {
        self.prov.is_some_and(|p| p.inferred)
    }
}

/// The outcome cells of table 3 with a vocabulary row and applicant.
fn dispositions_of(rid: u32, cells: &[Cell], out: &mut DispositionsBuild) {
    for c in cells {
        if c.table != 3 {
            continue;
        }
        let (Some(o), Some(a)) = (
            c.row.and_then(|t| t.outcome),
            c.col.and_then(|t| t.applicant),
        ) else {
            continue;
        };
        out.key.push(dispositions::key_of(rid, o, a));
        out.value.push(c.value_int);
        out.provenance.push(c.prov.map_or(NO_TERM, |p| p.cat));
    }
}

/// The flow rows of table 3 per applicant type.
fn requests_of(rid: u32, cells: &[Cell], out: &mut RequestsBuild) {
    // Per applicant, in order of first sight: the first value of each flow
    // row (`Some(None)`: a first cell without value) and the inferred cells.
    type Group<'a> = (&'a Term, [Option<Option<i64>>; FLOW_ROWS.len()], i32);
    let mut groups: Vec<Group> = Vec::new();
    for c in cells {
        let (3, Some(f), Some(col)) = (c.table, c.row.and_then(|t| t.flow), c.col) else {
            continue;
        };
        if col.applicant.is_none() {
            continue;
        }
        let k = match groups.iter().position(|(t, ..)| std::ptr::eq(*t, col)) {
            Some(k) => k,
            None => {
                groups.push((col, Default::default(), 0));
                groups.len() - 1
            }
        };
        let g = &mut groups[k];
        g.1[f as usize].get_or_insert(c.value_int);
        g.2 += i32::from(c.inferred());
    }
    for (col, values, inferred) in groups {
        out.rid.push(rid);
        out.applicant.push(col.cat);
        out.order.push(col.applicant.map_or(0, i32::from));
        for (dest, v) in out.values.iter_mut().zip(values) {
            dest.push(v.flatten());
        }
        out.inferred.push(inferred);
    }
}

/// The wide piece `k` (of [`WIDE`]) of one report, if it has cells of it.
fn wide_of(rid: u32, cells: &[Cell], spec: &WideSpec, k: usize, out: &mut WideBuild) {
    let n_keys = spec.keys.len();
    let mut first: Vec<Option<(Option<i64>, Option<f64>)>> = vec![None; n_keys];
    let mut sums: Vec<(i64, bool)> = vec![(0, false); spec.sums.len()];
    let mut inferred = 0i32;
    let mut any = false;
    for c in cells {
        if c.table != spec.table || (spec.total_only && !c.col.is_some_and(|t| t.total)) {
            continue;
        }
        any = true;
        inferred += i32::from(c.inferred());
        let Some(row) = c.row else {
            continue;
        };
        if let Some(p) = row.wide[k] {
            first[p as usize].get_or_insert((c.value_int, c.value));
        }
        if let (Some(s), Some(v)) = (row.sum[k], c.value_int) {
            let s = &mut sums[s as usize];
            s.0 = s.0.wrapping_add(v);
            s.1 = true;
        }
    }
    if !any {
        return;
    }
    if out.rid.is_empty() {
        let n_int = spec.keys.iter().filter(|(_, s)| *s == Source::Int).count();
        out.ints = vec![Vec::new(); n_int];
        out.floats = vec![Vec::new(); n_keys - n_int];
        out.sums = vec![Vec::new(); spec.sums.len()];
    }
    out.rid.push(rid);
    let (mut i, mut f) = (0, 0);
    for ((_, source), v) in spec.keys.iter().zip(first) {
        match source {
            Source::Int => {
                out.ints[i].push(v.and_then(|v| v.0));
                i += 1;
            }
            Source::Float => {
                out.floats[f].push(v.and_then(|v| v.1));
                f += 1;
            }
        }
    }
    for (dest, (sum, seen)) in out.sums.iter_mut().zip(sums) {
        dest.push(seen.then_some(sum));
    }
    out.inferred.push(inferred);
}

/// The cells of each report: `order` (indexes into `rid`) and the range of
/// `order` of each report (file order within a report). Cells of a report
/// are usually adjacent; when they are not, the indexes are sorted (stably)
/// by report first.
fn groups(rid: &[u32], n_reports: usize) -> (Vec<u32>, Vec<Range<usize>>) {
    let mut seen = vec![false; n_reports];
    let mut adjacent = true;
    let mut last = NO_TERM;
    for r in rid {
        if *r != last {
            if std::mem::replace(&mut seen[*r as usize], true) {
                adjacent = false;
                break;
            }
            last = *r;
        }
    }
    let mut order: Vec<u32> = (0..rid.len() as u32).collect();
    if !adjacent {
        order.sort_by_key(|i| rid[*i as usize]);
    }
    let mut ranges = Vec::new();
    let mut start = 0;
    for k in 1..=order.len() {
        if k == order.len() || rid[order[k] as usize] != rid[order[start] as usize] {
            ranges.push(start..k);
            start = k;
        }
    }
    (order, ranges)
}

#[cfg(test)]
mod tests {
    use super::super::pieces::read_pieces;
    use super::super::read::CELL_COLUMNS;
    use super::*;
    use crate::schema::{INFO_FEES, NARRATIVE_RECEIVED};
    use crate::vocab::vocabulary;
    use polars::prelude::{LazyFrame, ParquetWriter, col, lit};

    /// One cell: report, table, row, col, value, value_int, provenance.
    type C = (
        &'static str,
        i32,
        String,
        Option<String>,
        Option<f64>,
        Option<i64>,
        &'static str,
    );

    /// Cells that exercise every rule: duplicates (the first wins, even
    /// when its value is null), null and unknown columns, rows outside the
    /// vocabulary, inferred provenances, a report whose cells are not
    /// adjacent, a superseded document, and a report no one asked for.
    fn cells() -> Vec<C> {
        let v = vocabulary();
        let app = |i: usize| Some(v.table3_columns[i].key.clone());
        let total = Some("total".to_string());
        let t4 = |i: usize| v.table4[i].key.clone();
        let fee = v.table2.iter().find(|t| t.is_fee()).unwrap().key.clone();
        let count = v.table2.iter().find(|t| !t.is_fee()).unwrap().key.clone();
        let denied = v
            .outcome_rows()
            .find(|t| t.key.starts_with("denied_"))
            .unwrap()
            .key
            .clone();
        let s = |x: &str| x.to_string();
        vec![
            (
                "a",
                3,
                s("new_received"),
                app(0),
                Some(5.0),
                Some(5),
                "printed",
            ),
            (
                "a",
                3,
                s("new_received"),
                app(0),
                Some(6.0),
                Some(6),
                "printed",
            ),
            ("a", 3, s("carried_forward"), app(0), None, None, "blank"),
            (
                "a",
                3,
                s("carried_forward"),
                app(0),
                Some(2.0),
                Some(2),
                "inferred",
            ),
            ("a", 3, s("new_received"), app(1), Some(1.0), Some(1), "ocr"),
            (
                "a",
                3,
                s("new_received"),
                None,
                Some(9.0),
                Some(9),
                "printed",
            ),
            (
                "a",
                3,
                s("new_received"),
                Some(s("nobody")),
                Some(9.0),
                Some(9),
                "printed",
            ),
            ("a", 3, s("granted"), app(0), Some(3.0), Some(3), "printed"),
            ("a", 3, s("granted"), app(0), Some(4.0), Some(4), "split"),
            (
                "a",
                3,
                denied.clone(),
                total.clone(),
                Some(7.0),
                Some(7),
                "printed",
            ),
            (
                "a",
                3,
                s("granted"),
                total.clone(),
                Some(8.0),
                Some(8),
                "ocr_inferred",
            ),
            (
                "a",
                3,
                s("not_a_row"),
                total.clone(),
                Some(1.0),
                Some(1),
                "printed",
            ),
            ("a", 4, t4(0), total.clone(), Some(1.0), Some(1), "printed"),
            (
                "b",
                3,
                s("granted"),
                total.clone(),
                Some(10.0),
                Some(10),
                "printed",
            ),
            ("a", 4, t4(1), None, None, None, "dash"),
            ("a", 4, t4(0), None, Some(2.0), Some(2), "printed"),
            ("a", 2, fee.clone(), None, Some(1.25), None, "printed"),
            ("a", 2, count.clone(), None, Some(3.0), Some(3), "inferred"),
            ("a", 0, s(INFO_FEES), None, Some(0.5), None, "printed"),
            (
                "a",
                0,
                s(NARRATIVE_RECEIVED),
                None,
                Some(12.0),
                Some(12),
                "printed",
            ),
            (
                "b",
                3,
                denied.clone(),
                total.clone(),
                Some(6.0),
                Some(6),
                "printed",
            ),
            (
                "c",
                3,
                s("granted"),
                total.clone(),
                Some(1.0),
                Some(1),
                "printed",
            ),
            (
                "c",
                3,
                s("new_received"),
                app(2),
                Some(4.0),
                Some(4),
                "printed",
            ),
            ("c", 2, fee, None, Some(-0.125), None, "printed"),
            ("c", 3, denied, total.clone(), None, None, "blank"),
            ("z", 3, s("granted"), total, Some(1.0), Some(1), "printed"),
            ("d", 1, s("anything"), None, None, None, "printed"),
        ]
    }

    fn cell_frame(cells: &[C]) -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new(
                "report_id".into(),
                cells.iter().map(|c| c.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "table".into(),
                cells.iter().map(|c| c.1).collect::<Vec<_>>(),
            ),
            Column::new(
                "row".into(),
                cells.iter().map(|c| c.2.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "col".into(),
                cells.iter().map(|c| c.3.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "value".into(),
                cells.iter().map(|c| c.4).collect::<Vec<_>>(),
            ),
            Column::new(
                "value_int".into(),
                cells.iter().map(|c| c.5).collect::<Vec<_>>(),
            ),
            Column::new(
                "provenance".into(),
                cells.iter().map(|c| c.6).collect::<Vec<_>>(),
            ),
        ])
        .unwrap()
    }

    /// The wanted reports: a, b (same agency-year: a canonical, b not),
    /// c (another year), d (a year with no cells of the pieces).
    fn wanted() -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("report_id".into(), ["a", "b", "c", "d"]),
            Column::new(RID.into(), [0u32, 1, 2, 3]),
            Column::new("year".into(), [2022, 2022, 2023, 2024]),
            Column::new("_canon".into(), [true, false, true, true]),
            Column::new("_multi".into(), [true, true, false, false]),
        ])
        .unwrap()
    }

    /// Each row of `df` as text, sorted (pieces may come in any order).
    fn rows(df: &DataFrame) -> Vec<String> {
        let mut out: Vec<String> = (0..df.height())
            .map(|i| format!("{:?}", df.get_row(i).unwrap().0))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_rust_reduction_gives_the_polars_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("part-0.parquet");
        let cells = cells();
        let mut df = cell_frame(&cells);
        ParquetWriter::new(std::fs::File::create(&part).unwrap())
            .finish(&mut df)
            .unwrap();
        let wanted = wanted();
        let years = [2022, 2023, 2024, 2025];
        let mut pieces = read_pieces(std::slice::from_ref(&part), &wanted, &years, 4).unwrap();

        // The Polars definitions on the same cells, year by year.
        let cats = |c: &str| col(c).cast(cat());
        let all = df
            .lazy()
            .join(
                wanted.clone().lazy(),
                [col("report_id")],
                [col("report_id")],
                super::super::inner(),
            )
            .select([
                col(RID),
                col("year"),
                col("_canon"),
                col("_multi"),
                col("table"),
                cats("row"),
                cats("col"),
                col("value"),
                col("value_int"),
                cats("provenance"),
            ]);
        let reduced = |lf: LazyFrame| -> LazyFrame {
            lf.select(
                std::iter::once(RID)
                    .chain(CELL_COLUMNS[1..].iter().copied())
                    .map(col)
                    .collect::<Vec<_>>(),
            )
        };
        let mut compared = 0;
        for y in years {
            let of_year = all.clone().filter(col("year").eq(lit(y)));
            let canon = reduced(of_year.clone().filter(col("_canon")));
            let multi = reduced(of_year.filter(col("_multi")));
            let year_pieces = pieces.years.get_mut(&y).unwrap();
            for p in Piece::ALL {
                let want = p
                    .reduce(canon.clone(), multi.clone())
                    .unwrap()
                    .collect()
                    .unwrap();
                let got = year_pieces
                    .take(p, &pieces.empty)
                    .unwrap()
                    .collect()
                    .unwrap();
                assert_eq!(got.schema(), want.schema(), "{p:?} of {y}");
                assert_eq!(rows(&got), rows(&want), "{p:?} of {y}");
                compared += want.height();
            }
        }
        // Not a comparison of empty frames.
        assert!(compared > 20, "{compared} rows compared");
    }
}
