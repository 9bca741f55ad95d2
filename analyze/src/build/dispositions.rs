//! The `dispositions` dataset: table-3 outcomes per applicant type, long form.

use anyhow::Result;
use polars::prelude::{
    DataType, Expr, IDX_DTYPE, JoinArgs, JoinType, LazyFrame, MaintainOrderJoin,
    SortMultipleOptions, col, lit,
};

use super::{RID, applicants, finish, inner, outcomes};
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

/// Field `shift` of [`KEY`] (of `bits` bits) as `dtype`.
fn key_field(shift: u32, bits: u32, dtype: DataType) -> Expr {
    let mut e = col(KEY);
    if shift > 0 {
        e = e / lit(1u64 << shift);
    }
    if bits < 64 {
        e = e % lit(1u64 << bits);
    }
    e.cast(dtype)
}

/// The dataset from the stacked pieces of a year and the reports' `ids`
/// (keyed by [`RID`]): sorted by [`KEY`] (stable: report, outcome row,
/// applicant), then joined, in that order, to the outcome and applicant
/// vocabularies and to the ids.
pub(super) fn finish_dispositions(pieces: LazyFrame, ids: LazyFrame) -> Result<LazyFrame> {
    let mut keep_left = JoinArgs::new(JoinType::Inner);
    keep_left.maintain_order = MaintainOrderJoin::Left;
    let sorted = pieces
        .sort(
            [KEY],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_columns([
            key_field(2 * ORDER_BITS, 64 - 2 * ORDER_BITS, IDX_DTYPE).alias(RID),
            key_field(ORDER_BITS, ORDER_BITS, DataType::Int32).alias("_row_order"),
            key_field(0, ORDER_BITS, DataType::Int32).alias("_col_order"),
        ])
        .join(
            outcomes()?.select([
                col("_row_order"),
                col("row").alias("disposition"),
                col("category"),
            ]),
            [col("_row_order")],
            [col("_row_order")],
            keep_left.clone(),
        )
        .join(
            applicants()?.select([col("_col_order"), col("col").alias("applicant")]),
            [col("_col_order")],
            [col("_col_order")],
            keep_left.clone(),
        )
        .join(ids, [col(RID)], [col(RID)], keep_left);
    Ok(finish(sorted, Dataset::Dispositions))
}
