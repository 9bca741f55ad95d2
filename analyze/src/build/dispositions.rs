//! The `dispositions` dataset: table-3 outcomes per applicant type, long form.

use anyhow::Result;
use polars::prelude::{LazyFrame, col, lit};

use super::{RID, applicants, inner, outcomes};

pub(super) fn dispositions(cells: LazyFrame) -> Result<LazyFrame> {
    Ok(cells
        .filter(col("table").eq(lit(3)))
        .join(outcomes()?, [col("row")], [col("row")], inner())
        .join(applicants()?, [col("col")], [col("col")], inner())
        .select([
            col(RID),
            col("row").alias("disposition"),
            col("category"),
            col("col").alias("applicant"),
            col("value_int").alias("value"),
            col("provenance"),
            col("_row_order"),
            col("_col_order"),
        ]))
}
