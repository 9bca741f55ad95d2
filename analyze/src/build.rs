//! The Polars computations, one reporting year at a time (lazy API), one
//! file per job: `read` (the extract parts: contract, typed columns, cells by
//! year), `dedup` (canonical document per agency-year), one module per
//! dataset (`requests`, `dispositions`, `review_litigation`, `proactive`,
//! `panel`, `rollups` for `regions`, `quality`), and here the expression
//! helpers they share and [`compute_year`], which runs them.

mod dedup;
mod dispositions;
mod panel;
mod part_cells;
mod pieces;
mod proactive;
mod quality;
mod read;
mod reduce;
mod requests;
mod review_litigation;
mod rollups;
mod terms;
mod wide;

use anyhow::{Context as _, Result};

use polars::prelude::{
    CatSize, ChunkTake, Column, DataFrame, DataType, Expr, Field, IDX_DTYPE, IntoColumn, IntoLazy,
    JoinArgs, JoinType, LazyFrame, NULL, PolarsResult, SortMultipleOptions, StringChunked, col,
    lit, when,
};

use crate::parquet_out::Rows;
use crate::regions::Gazetteer;
use crate::schema::{Dataset, columns};
use crate::timing::Phases;
use crate::vocab::{category_of, vocabulary};

pub use dedup::{DEDUP_RULE, dedup};
use pieces::Piece;
pub use pieces::{Pieces, YearPieces, read_pieces};
use read::cat;
pub use read::{
    REPORT_COLUMNS, RID, check_cell_schema, check_report_schema, optional_report_columns,
    typed_report_column,
};

/// Select the documented columns of the `agencies` dataset.
pub fn finish_agencies(df: DataFrame) -> Result<DataFrame> {
    finish(df.lazy(), Dataset::Agencies)
        .collect()
        .context("selecting agencies columns")
}

pub(super) fn inner() -> JoinArgs {
    JoinArgs::new(JoinType::Inner)
}

pub(super) fn left() -> JoinArgs {
    JoinArgs::new(JoinType::Left)
}

/// The provenances of a value that came from an identity, from OCR or from
/// cutting fused digits.
const INFERRED_PROVENANCES: [&str; 4] = ["inferred", "ocr", "ocr_inferred", "split"];

/// A cell's value came from an identity, from OCR or from cutting fused digits.
pub(super) fn is_inferred() -> Expr {
    one_of(col("provenance"), &INFERRED_PROVENANCES)
}

/// [`is_inferred`] of one provenance string.
pub(super) fn is_inferred_provenance(provenance: &str) -> bool {
    INFERRED_PROVENANCES.contains(&provenance)
}

/// `expr` is one of `keys` (string equality chain; avoids the `is_in` feature).
pub(super) fn one_of(expr: Expr, keys: &[&str]) -> Expr {
    keys.iter()
        .map(|k| expr.clone().eq(lit(*k)))
        .reduce(Expr::or)
        .unwrap_or_else(|| lit(false))
}

/// Sum that stays null when no value is present (instead of 0).
pub(super) fn sum_or_null(e: Expr) -> Expr {
    when(e.clone().count().gt(lit(0)))
        .then(e.sum())
        .otherwise(lit(NULL).cast(DataType::Int64))
}

/// `num / den` as Float64; null when the denominator is null or not positive.
pub fn ratio(num: Expr, den: Expr) -> Expr {
    when(den.clone().gt(lit(0)))
        .then(num.cast(DataType::Float64) / den.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The value of the cell whose `row` key is `key` within a group (null if absent).
pub(super) fn cell(key: &str, value: &str) -> Expr {
    col(value)
        .filter(col("row").eq(lit(key)))
        .first()
        .alias(key)
}

pub(super) fn n_inferred_agg(name: &str) -> Expr {
    is_inferred().cast(DataType::Int32).sum().alias(name)
}

/// Sort by `keys` (a stable, unique order), then select the documented
/// columns of a dataset (without `year`), cast to their dtypes.
pub(super) fn finish_sorted(lf: LazyFrame, d: Dataset, keys: &[&str]) -> LazyFrame {
    let keys: Vec<_> = keys
        .iter()
        .map(|k| polars::prelude::PlSmallStr::from(*k))
        .collect();
    finish(
        lf.sort(
            keys,
            SortMultipleOptions::default().with_maintain_order(true),
        ),
        d,
    )
}

/// Select the documented columns of a dataset (without `year`), cast to their dtypes.
/// A text column that is a [`cat`] in `lf` is made text by [`cat_as_text`].
pub(super) fn finish(mut lf: LazyFrame, d: Dataset) -> LazyFrame {
    let schema = lf.collect_schema().ok();
    let exprs: Vec<Expr> = columns(d)
        .into_iter()
        .filter(|c| c.name != "year")
        .map(|c| {
            let from_cat = schema
                .as_ref()
                .and_then(|s| s.get(c.name.as_str()))
                .is_some_and(|t| t == &cat());
            if from_cat && c.dtype == DataType::String {
                col(c.name.as_str()).map(cat_as_text, |_, f| {
                    Ok(Field::new(f.name().clone(), DataType::String))
                })
            } else {
                col(c.name.as_str()).cast(c.dtype)
            }
        })
        .collect();
    lf.select(exprs)
}

/// A [`cat`] column as text, each row gathered from one copy of every
/// category's text. Casting instead would copy the text onto every row;
/// gathered, the rows of a value share one string view, which the dataset
/// writer ([`crate::parquet_out`]) dictionary-encodes without hashing.
fn cat_as_text(c: Column) -> PolarsResult<Column> {
    let DataType::Categorical(_, mapping) = c.dtype() else {
        return c.cast(&DataType::String);
    };
    let texts: StringChunked = (0..mapping.num_cats_upper_bound())
        .map(|id| mapping.cat_to_str(id as CatSize))
        .collect();
    let ids = c.to_physical_repr().cast(&IDX_DTYPE)?;
    Ok(texts
        .take(ids.idx()?)?
        .with_name(c.name().clone())
        .into_column())
}

pub(super) fn keys_frame(
    name: &str,
    keys: Vec<String>,
    extra: Vec<(&str, Vec<String>)>,
) -> Result<LazyFrame> {
    let n = keys.len();
    let order: Vec<i32> = (0..n as i32).collect();
    // The key column has the dtype of the cells' key (see `cat`).
    let key = Column::new(name.into(), keys).cast(&cat())?;
    let mut cols = vec![key, Column::new(format!("_{name}_order").into(), order)];
    for (c, v) in extra {
        cols.push(Column::new(c.into(), v));
    }
    Ok(DataFrame::new(n, cols)
        .context("building vocabulary frame")?
        .lazy())
}

/// Applicant types (table-3 columns) with their order, keyed by `col`.
pub(super) fn applicants() -> Result<LazyFrame> {
    keys_frame(
        "col",
        vocabulary()
            .table3_columns
            .iter()
            .map(|t| t.key.clone())
            .collect(),
        vec![],
    )
}

/// Outcome rows with category and order, keyed by `row`.
pub(super) fn outcomes() -> Result<LazyFrame> {
    let rows: Vec<String> = vocabulary().outcome_rows().map(|t| t.key.clone()).collect();
    let cats = rows
        .iter()
        .map(|r| category_of(r).unwrap_or("other").to_string())
        .collect();
    keys_frame("row", rows, vec![("category", cats)])
}

/// Everything computed for one year, ready to write.
pub struct YearFrames {
    /// The rows of each dataset (`dispositions` compact, expanded as written).
    pub frames: Vec<(Dataset, Rows)>,
}

/// Compute every dataset of one year.
///
/// `reports` are the de-duplicated reports of that year (with [`RID`]);
/// `pieces` are the per-report pieces of its cells (from [`read_pieces`];
/// `None` only for the null year) and `empty` a cells frame without rows;
/// `prev_panel` is the panel of the previous year if it exists. The wall
/// time of each dataset is added to `phases` (`compute_<dataset>`).
pub fn compute_year(
    year: Option<i32>,
    reports: LazyFrame,
    pieces: Option<(YearPieces, &DataFrame)>,
    prev_panel: Option<LazyFrame>,
    gazetteer: Option<&Gazetteer>,
    phases: &mut Phases,
) -> Result<YearFrames> {
    // One chunk: gathering strings from a frame of several chunks copies
    // each string, from one chunk it only copies the views (the joins of
    // the report ids to the ~7 M dispositions rows of a year).
    let reports = phases.time("compute_year_reports", || {
        let mut df = reports
            .collect()
            .context("collecting reports of the year")?;
        df.rechunk_mut_par();
        anyhow::Ok(df)
    })?;
    let quality = phases.time("compute_quality", || {
        quality::quality(&reports).context("building quality")
    })?;
    let mut frames = vec![(Dataset::Quality, Rows::Frame(quality))];
    if year.is_none() {
        return Ok(YearFrames { frames });
    }
    let canon = reports
        .clone()
        .lazy()
        .filter(col("is_canonical").and(col("status").neq(lit("not_a_report"))));
    let mut ids_df = canon
        .clone()
        .select([
            col(RID),
            col("report_id"),
            col("agency_id"),
            col("agency"),
            col("region_code"),
        ])
        .collect()
        .context("the ids of the canonical reports")?;
    ids_df.rechunk_mut_par();
    let ids = ids_df.clone().lazy();
    let (mut pieces, empty) = pieces.context("cells of the year")?;
    let mut take = |p: Piece| pieces.take(p, empty);
    let with_ids = |lf: LazyFrame| lf.join(ids.clone(), [col(RID)], [col(RID)], inner());

    let by_report = [RID];
    let requests = finish_sorted(
        with_ids(take(Piece::Requests)?),
        Dataset::Requests,
        &[RID, "_col_order"],
    );
    frames.push((
        Dataset::Requests,
        Rows::Frame(phases.time("compute_requests", || requests.collect())?),
    ));
    let disp = take(Piece::Dispositions)?;
    frames.push((
        Dataset::Dispositions,
        Rows::Expand(phases.time("compute_dispositions", || {
            dispositions::finish_dispositions(disp, &ids_df)
        })?),
    ));
    let review_piece = take(Piece::Review)?;
    let review = finish_sorted(
        with_ids(review_piece.clone()),
        Dataset::ReviewLitigation,
        &by_report,
    );
    frames.push((
        Dataset::ReviewLitigation,
        Rows::Frame(phases.time("compute_review_litigation", || review.collect())?),
    ));
    let proactive = finish_sorted(
        with_ids(take(Piece::Proactive)?),
        Dataset::Proactive,
        &by_report,
    );
    let proactive = phases.time("compute_proactive", || proactive.collect())?;
    let panel_pieces = panel::PanelPieces {
        t3: take(Piece::PanelTable3)?,
        t4: review_piece.rename(["n_inferred"], ["t4_inferred"], true),
        inferred: take(Piece::Inferred)?,
        narrative: take(Piece::Narrative)?,
    };
    let spread_cells = take(Piece::SpreadCells)?;
    let panel = phases.time("compute_panel", || {
        let spread = panel::duplicate_spread(&reports, spread_cells);
        panel::panel(
            canon,
            panel_pieces,
            proactive.clone().lazy(),
            spread,
            prev_panel,
            gazetteer,
        )
    })?;
    let regions = phases.time("compute_regions", || rollups::regions(panel.clone().lazy()))?;
    frames.push((Dataset::Proactive, Rows::Frame(proactive)));
    frames.push((Dataset::Panel, Rows::Frame(panel)));
    frames.push((Dataset::Regions, Rows::Frame(regions)));
    frames.sort_by_key(|(d, _)| *d);
    Ok(YearFrames { frames })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cat_column_as_text_is_its_cast_with_one_copy_per_value() {
        let texts = ["partially_granted", "natural_person", "x"];
        let rows: Vec<Option<&str>> = (0..200)
            .map(|i| (i % 9 != 4).then_some(texts[i % texts.len()]))
            .collect();
        let c = Column::new("c".into(), rows).cast(&cat()).unwrap();
        let text = cat_as_text(c.clone()).unwrap();
        assert_eq!(text.dtype(), &DataType::String);
        assert!(text.equals_missing(&c.cast(&DataType::String).unwrap()));
        // Equal values share one view (one copy of the text).
        let arr = text
            .as_materialized_series()
            .str()
            .unwrap()
            .downcast_as_array()
            .clone();
        let distinct: std::collections::HashSet<u128> = arr
            .views()
            .iter()
            .enumerate()
            .filter(|(i, _)| polars_arrow::array::Array::is_valid(&arr, *i))
            .map(|(_, v)| v.as_u128())
            .collect();
        assert_eq!(distinct.len(), texts.len());
    }
}
