//! The `dispositions` dataset: table-3 outcomes per applicant type, long form.

use anyhow::Result;
use polars::prelude::{DataType, JoinArgs, JoinType, LazyFrame, MaintainOrderJoin, col, lit};

use super::{RID, applicants, finish, inner, outcomes};
use crate::schema::Dataset;

/// The outcome cells of table 3 with their row and column order (the
/// per-report piece; the category is added by [`finish_dispositions`]).
pub(super) fn dispositions(cells: LazyFrame) -> Result<LazyFrame> {
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
            col(RID),
            col("row").alias("disposition"),
            col("col").alias("applicant"),
            col("value_int").alias("value"),
            col("provenance"),
            col("_row_order"),
            col("_col_order"),
        ]))
}

/// The dataset from the stacked pieces of a year and the reports' `ids`
/// (keyed by [`RID`]): sorted by report, outcome row and applicant (one
/// composite integer key, stable), then joined to the ids in that order.
pub(super) fn finish_dispositions(pieces: LazyFrame, ids: LazyFrame) -> Result<LazyFrame> {
    let u64 = |c: &str| col(c).cast(DataType::UInt64);
    let key = u64(RID) * lit(1u64 << 32) + u64("_row_order") * lit(1u64 << 16) + u64("_col_order");
    let mut keep_left = JoinArgs::new(JoinType::Inner);
    keep_left.maintain_order = MaintainOrderJoin::Left;
    let sorted = pieces
        .with_column(key.alias("_key"))
        .sort(
            ["_key"],
            polars::prelude::SortMultipleOptions::default().with_maintain_order(true),
        )
        .join(
            outcomes()?.select([col("_row_order"), col("category")]),
            [col("_row_order")],
            [col("_row_order")],
            keep_left.clone(),
        )
        .join(ids, [col(RID)], [col(RID)], keep_left);
    Ok(finish(sorted, Dataset::Dispositions))
}
