//! The `review_litigation` dataset: the cells of table 4, wide.

use polars::prelude::{Expr, LazyFrame};

use super::{cell, n_inferred_agg, wide};
use crate::vocab::vocabulary;

pub(super) fn review(cells: LazyFrame) -> LazyFrame {
    let mut aggs: Vec<Expr> = vocabulary()
        .table4
        .iter()
        .map(|t| cell(&t.key, "value_int"))
        .collect();
    aggs.push(n_inferred_agg("n_inferred"));
    wide(cells, 4, aggs)
}
