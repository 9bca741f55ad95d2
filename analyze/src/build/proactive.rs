//! The `proactive` dataset: the cells of table 2, fees in 万元 and in yuan.

use polars::prelude::{DataType, Expr, LazyFrame, col, lit, when};

use super::wide::{Source, WideSpec};
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

/// Table 2, wide: one column per table-2 key (fees from `value`, in 万元,
/// the others from `value_int`), and `n_inferred`.
pub(super) fn spec() -> WideSpec {
    WideSpec {
        table: 2,
        total_only: false,
        keys: vocabulary()
            .table2
            .iter()
            .map(|t| {
                let source = if t.is_fee() {
                    Source::Float
                } else {
                    Source::Int
                };
                (t.key.as_str(), source)
            })
            .collect(),
        sums: Vec::new(),
        inferred: Some("n_inferred"),
    }
}

/// The wide table 2 with each fee also in yuan.
pub(super) fn with_yuan(wide: LazyFrame) -> LazyFrame {
    let yuan: Vec<Expr> = vocabulary()
        .table2
        .iter()
        .filter(|t| t.is_fee())
        .map(|t| to_yuan(col(t.key.as_str())).alias(yuan_name(&t.key)))
        .collect();
    wide.with_columns(yuan)
}

pub(super) fn proactive(cells: LazyFrame) -> LazyFrame {
    with_yuan(spec().polars(cells))
}
