//! The `dispositions` dataset: table-3 outcomes per applicant type, long form.

use anyhow::Result;
use polars::prelude::{
    Column, DataFrame, DataType, IdxCa, IdxSize, IntoLazy, LazyFrame, PolarsResult, UInt64Chunked,
    col, lit,
};

use super::{RID, applicants, finish, inner, outcomes};
use crate::parquet_out::Expand;
use crate::schema::Dataset;

/// Bits of the outcome row's and of the applicant's order in [`KEY`].
const ORDER_BITS: u32 = 16;

/// The composite sort key of a disposition: report ([`RID`]), then the
/// outcome row's vocabulary order, then the applicant's, packed in a `u64`
/// (the orders are below 2^16: a few dozen vocabulary entries).
pub(super) const KEY: &str = "_key";

/// The [`RID`] of a [`KEY`].
pub(super) fn report_of(key: u64) -> u32 {
    (key >> (2 * ORDER_BITS)) as u32
}

/// The outcome row's and the applicant's order of a [`KEY`].
fn orders_of(key: u64) -> (u16, u16) {
    let mask = (1u64 << ORDER_BITS) - 1;
    (((key >> ORDER_BITS) & mask) as u16, (key & mask) as u16)
}

/// The [`KEY`] of the cell of report `rid`, outcome row `row_order` and
/// applicant `col_order`.
pub(super) fn key_of(rid: u32, row_order: u16, col_order: u16) -> u64 {
    (u64::from(rid) << (2 * ORDER_BITS))
        | (u64::from(row_order) << ORDER_BITS)
        | u64::from(col_order)
}

/// The outcome cells of table 3 (the per-report piece): [`KEY`], `value`
/// and `provenance` — 20 bytes a cell; the row and applicant keys are
/// looked up again from the vocabulary order by [`finish_dispositions`].
pub(super) fn dispositions(cells: LazyFrame) -> Result<LazyFrame> {
    let u64 = |c: &str| col(c).cast(DataType::UInt64);
    let key = u64(RID) * lit(1u64 << (2 * ORDER_BITS))
        + u64("_row_order") * lit(1u64 << ORDER_BITS)
        + u64("_col_order");
    Ok(cells
        .filter(col("table").eq(lit(3)))
        .join(
            outcomes()?.select([col("row"), col("_row_order")]),
            [col("row")],
            [col("row")],
            inner(),
        )
        .join(applicants()?, [col("col")], [col("col")], inner())
        .select([
            key.alias(KEY),
            col("value_int").alias("value"),
            col("provenance"),
        ]))
}

/// The dataset from the stacked pieces of a year and the reports' `ids`
/// ([`RID`] and the id columns, in one chunk): sorted by [`KEY`] (stable:
/// report, outcome row, applicant); the outcome, its category, the
/// applicant and the report's ids gathered by position (the vocabulary
/// frames are in key order, `ids` is indexed by [`RID`]), which is what
/// joining them would give, without hashing. A row whose report is not in
/// `ids` is dropped (an inner join).
///
/// The rows stay compact (row numbers into `ids` and the vocabulary, the
/// value and its provenance: ≈ 24 bytes a row instead of ≈ 140 with the
/// ids' and keys' text) until the writer expands them, a row group at a
/// time ([`Expand`]): a year has ≈ 7 M rows at 1 M reports.
pub(super) fn finish_dispositions(pieces: LazyFrame, ids: &DataFrame) -> Result<Expand> {
    let pieces = pieces.collect()?;
    let (order, sorted_keys) = key_order(pieces.column(KEY)?.u64()?);
    let id_rids = ids.column(RID)?.idx()?;
    let n = id_rids.iter().flatten().max().map_or(0, |m| m as usize + 1);
    let mut row_of = vec![IdxSize::MAX; n];
    for (i, r) in id_rids.iter().enumerate() {
        if let Some(r) = r {
            row_of[r as usize] = i as IdxSize;
        }
    }
    let (mut keep, mut id_rows, mut outcome_rows, mut applicant_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (&i, &k) in order.iter().zip(&sorted_keys) {
        let Some(&row) = row_of.get(report_of(k) as usize) else {
            continue;
        };
        if row == IdxSize::MAX {
            continue;
        }
        let (outcome, applicant) = orders_of(k);
        keep.push(i);
        id_rows.push(row);
        outcome_rows.push(IdxSize::from(outcome));
        applicant_rows.push(IdxSize::from(applicant));
    }
    drop((order, sorted_keys));
    let mut values = pieces.select(["value", "provenance"])?;
    values.rechunk_mut_par();
    let values = values.take(&IdxCa::from_vec("".into(), keep))?;
    let mut cols = vec![
        Column::new(ID_ROW.into(), id_rows),
        Column::new(OUTCOME_ROW.into(), outcome_rows),
        Column::new(APPLICANT_ROW.into(), applicant_rows),
    ];
    cols.extend(values.into_columns());
    let compact = DataFrame::new_infer_height(cols)?;
    let outcomes = outcomes()?
        .select([col("row").alias("disposition"), col("category")])
        .collect()?;
    let applicants = applicants()?
        .select([col("col").alias("applicant")])
        .collect()?;
    let ids = ids.clone();
    Ok(Expand::new(compact, move |rows| {
        expand(rows, &ids, &outcomes, &applicants)
    }))
}

/// The rows of `keys` in the order of a stable sort by key, and their keys
/// in that order; null keys (there are none) are left out. A counting sort
/// on the report ([`report_of`]), then each report's rows sorted by their
/// orders unless they are in order already (the reduction writes them in
/// cell order, which is mostly key order): linear where a general sort of
/// the ≈ 7 M rows of a year is not.
fn key_order(keys: &UInt64Chunked) -> (Vec<IdxSize>, Vec<u64>) {
    let n_reports = keys
        .iter()
        .flatten()
        .map(report_of)
        .max()
        .map_or(0, |m| m as usize + 1);
    // start[r]..start[r + 1]: the places of report r's rows.
    let mut start = vec![0usize; n_reports + 1];
    for k in keys.iter().flatten() {
        start[report_of(k) as usize + 1] += 1;
    }
    for r in 0..n_reports {
        start[r + 1] += start[r];
    }
    let total = start[n_reports];
    let (mut order, mut sorted) = (vec![0 as IdxSize; total], vec![0u64; total]);
    let mut next = start.clone();
    for (i, k) in keys.iter().enumerate() {
        let Some(k) = k else { continue };
        let place = &mut next[report_of(k) as usize];
        order[*place] = i as IdxSize;
        sorted[*place] = k;
        *place += 1;
    }
    let mut pairs: Vec<(u64, IdxSize)> = Vec::new();
    for r in 0..n_reports {
        let (a, b) = (start[r], start[r + 1]);
        if sorted[a..b].is_sorted() {
            continue;
        }
        pairs.clear();
        pairs.extend(
            sorted[a..b]
                .iter()
                .copied()
                .zip(order[a..b].iter().copied()),
        );
        // Stable: rows of equal keys keep their order.
        pairs.sort_by_key(|(k, _)| *k);
        for (j, (k, i)) in pairs.iter().enumerate() {
            sorted[a + j] = *k;
            order[a + j] = *i;
        }
    }
    (order, sorted)
}

/// The row of the report in `ids` (a compact dispositions column).
const ID_ROW: &str = "_id_row";
/// The row of the outcome in the outcome vocabulary frame.
const OUTCOME_ROW: &str = "_outcome_row";
/// The row of the applicant in the applicant vocabulary frame.
const APPLICANT_ROW: &str = "_applicant_row";

/// The dataset's columns of compact dispositions `rows`: the ids, outcome
/// and applicant gathered by their row numbers, then the value and its
/// provenance.
fn expand(
    rows: DataFrame,
    ids: &DataFrame,
    outcomes: &DataFrame,
    applicants: &DataFrame,
) -> PolarsResult<DataFrame> {
    let gather = |df: &DataFrame, by: &str| df.take(rows.column(by)?.idx()?);
    let mut cols = gather(ids, ID_ROW)?.into_columns();
    cols.extend(gather(outcomes, OUTCOME_ROW)?.into_columns());
    cols.extend(gather(applicants, APPLICANT_ROW)?.into_columns());
    cols.extend(rows.select(["value", "provenance"])?.into_columns());
    let df = DataFrame::new_infer_height(cols)?;
    finish(df.lazy(), Dataset::Dispositions).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_is_a_stable_sort_by_key_without_nulls() {
        // Reports out of order, a report's rows out of order and split,
        // equal keys (their order must be kept), nulls, an empty column.
        let mut keys: Vec<Option<u64>> = Vec::new();
        let mut state = 7u64;
        for i in 0..5_000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let rid = ((state >> 33) % 300) as u32;
            let (o, a) = (((state >> 20) % 5) as u16, ((state >> 10) % 3) as u16);
            keys.push((i % 97 != 5).then(|| key_of(rid, o, a)));
        }
        for keys in [keys, vec![], vec![None, None]] {
            let ca: UInt64Chunked = keys.iter().copied().collect();
            let (order, sorted) = key_order(&ca);
            let mut expected: Vec<(u64, IdxSize)> = keys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| Some(((*k)?, i as IdxSize)))
                .collect();
            expected.sort_by_key(|(k, _)| *k);
            let (ek, ei): (Vec<u64>, Vec<IdxSize>) = expected.into_iter().unzip();
            assert_eq!(sorted, ek);
            assert_eq!(order, ei);
        }
    }
}
