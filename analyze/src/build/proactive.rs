//! The `proactive` dataset: the cells of table 2, fees in 万元 and in yuan.

use polars::prelude::{DataType, Expr, LazyFrame, col, lit, when};

use super::{cell, n_inferred_agg, wide};
use crate::schema::yuan_name;
use crate::vocab::vocabulary;

/// 万元 → yuan, rounded to the fen (no float noise such as 110649.99999).
fn to_yuan(e: Expr) -> Expr {
    let fen = e.clone() * lit(1_000_000.0);
    let rounded = when(e.gt_eq(lit(0.0)))
        .then(fen.clone() + lit(0.5))
        .otherwise(fen - lit(0.5))
        .cast(DataType::Int64);
    rounded.cast(DataType::Float64) / lit(100.0)
}

pub(super) fn proactive(cells: LazyFrame) -> LazyFrame {
    let v = vocabulary();
    let mut aggs: Vec<Expr> = v
        .table2
        .iter()
        .map(|t| cell(&t.key, if t.is_fee() { "value" } else { "value_int" }))
        .collect();
    aggs.push(n_inferred_agg("n_inferred"));
    let yuan: Vec<Expr> = v
        .table2
        .iter()
        .filter(|t| t.is_fee())
        .map(|t| to_yuan(col(t.key.as_str())).alias(yuan_name(&t.key)))
        .collect();
    wide(cells, 2, aggs).with_columns(yuan)
}
