//! The `regions` dataset: rollups of agency-scope reports by county,
//! prefecture and province.

use anyhow::{Context as _, Result};
use polars::prelude::{DataFrame, DataType, Expr, LazyFrame, UnionArgs, col, concat, lit};

use super::{finish_sorted, ratio, sum_or_null};
use crate::schema::{Dataset, rollup_measures};

pub(super) fn regions(panel: LazyFrame) -> Result<DataFrame> {
    let agency = || col("scope").eq(lit("agency"));
    let jur = || col("scope").eq(lit("jurisdiction"));
    let count = |e: Expr| e.cast(DataType::Int32).sum();
    let levels = [("province", 0), ("prefecture", 1), ("county", 2)];
    let mut parts = Vec::new();
    for (level, order) in levels {
        let code = format!("{level}_code");
        let mut aggs = vec![
            col(level).min().alias("region_name"),
            count(agency()).alias("n_agency_reports"),
            count(jur()).alias("n_jurisdiction_reports"),
            count(agency().or(jur()).not()).alias("n_unknown_scope_reports"),
            sum_or_null(col("new_received").filter(jur())).alias("jurisdiction_new_received"),
            count(agency().and(col("has_inferred"))).alias("n_with_inferred"),
        ];
        aggs.extend(
            rollup_measures()
                .into_iter()
                .map(|m| sum_or_null(col(m).filter(agency())).alias(m)),
        );
        parts.push(
            panel
                .clone()
                .with_column(col("scope").fill_null(lit("unknown")))
                .filter(col(code.as_str()).is_not_null())
                .group_by([col(code.as_str()).alias("region_code")])
                .agg(aggs)
                .with_columns([lit(level).alias("level"), lit(order).alias("_level_order")]),
        );
    }
    let all = concat(parts, UnionArgs::default())?.with_column(
        ratio(
            col("granted") + col("partially_granted"),
            col("processed_total"),
        )
        .alias("substantive_disclosure_rate"),
    );
    finish_sorted(all, Dataset::Regions, &["_level_order", "region_code"])
        .collect()
        .context("computing regions")
}
