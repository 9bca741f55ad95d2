//! The `regions` dataset: rollups of agency-scope reports by county,
//! prefecture and province.

use anyhow::{Context as _, Result};
use polars::prelude::{DataFrame, DataType, Expr, LazyFrame, UnionArgs, col, concat, lit};

use super::{finish_sorted, ratio, sum_or_null};
use crate::schema::{Dataset, POOLED_RATES, rollup_measures};

pub(super) fn regions(panel: LazyFrame) -> Result<DataFrame> {
    let agency = || col("scope").eq(lit("agency"));
    let jur = || col("scope").eq(lit("jurisdiction"));
    let count = |e: Expr| e.cast(DataType::Int32).sum();
    let panel = panel
        .with_columns([
            col("scope").fill_null(lit("unknown")),
            // The whole country: one group for every report.
            lit("000000").alias("national_code"),
            lit("全国").alias("national"),
        ])
        .with_column((col("granted") + col("partially_granted")).alias("_granted_any"));
    let levels = [
        ("national", 0),
        ("province", 1),
        ("prefecture", 2),
        ("county", 3),
    ];
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
            count(agency().and(col("small_n").fill_null(lit(false)))).alias("n_small_n"),
            sum_or_null(col("_granted_any").filter(agency())).alias("_granted_any"),
        ];
        aggs.extend(
            rollup_measures()
                .into_iter()
                .map(|m| sum_or_null(col(m).filter(agency())).alias(m)),
        );
        aggs.extend(POOLED_RATES.iter().map(|(rate, _, _)| {
            col(*rate)
                .filter(agency())
                .mean()
                .alias(format!("{rate}_mean"))
        }));
        parts.push(
            panel
                .clone()
                .filter(col(code.as_str()).is_not_null())
                .group_by([col(code.as_str()).alias("region_code")])
                .agg(aggs)
                .with_columns([lit(level).alias("level"), lit(order).alias("_level_order")]),
        );
    }
    let pooled: Vec<Expr> = POOLED_RATES
        .iter()
        .map(|(rate, num, den)| ratio(col(*num), col(*den)).alias(*rate))
        .collect();
    let all = concat(parts, UnionArgs::default())?.with_columns(pooled);
    finish_sorted(all, Dataset::Regions, &["_level_order", "region_code"])
        .collect()
        .context("computing regions")
}
