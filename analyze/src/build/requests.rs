//! The `requests` dataset: the flow rows of table 3 per applicant type.

use anyhow::Result;
use polars::prelude::{Expr, LazyFrame, col, lit};

use super::{RID, applicants, cell, inner, n_inferred_agg, one_of};
use crate::vocab::FLOW_ROWS;

pub(super) fn requests(cells: LazyFrame) -> Result<LazyFrame> {
    let mut aggs: Vec<Expr> = FLOW_ROWS.iter().map(|r| cell(r, "value_int")).collect();
    aggs.push(n_inferred_agg("n_inferred"));
    Ok(cells
        .filter(col("table").eq(lit(3)).and(one_of(col("row"), &FLOW_ROWS)))
        .group_by([col(RID), col("col")])
        .agg(aggs)
        .join(applicants()?, [col("col")], [col("col")], inner())
        .rename(["col"], ["applicant"], true))
}
