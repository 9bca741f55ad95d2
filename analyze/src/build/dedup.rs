//! De-duplication: one canonical document per agency-year.

use anyhow::Result;
use polars::prelude::{DataType, LazyFrame, SortMultipleOptions, SortOptions, col, len, lit, when};

use super::left;

/// Text of the de-duplication rule, as stored in `quality.detail`.
pub const DEDUP_RULE: &str = "same agency_id and year (agency_id needs a region code); canonical = status parsed first, then the newest date of issue printed in the document (issued; none last), then a title marked revised, then all checks passed, then the smallest report_id (SHA-256 of the content); never the fetch or import time";

/// The extract stage's flag of a title marked as a revised version, as a
/// pattern over the `;`-separated `flags`.
const REVISED_FLAG: &str = "(^|;)revised(;|$)";

/// Mark canonical documents per agency-year over all reports, by the
/// document's content only ([`DEDUP_RULE`]): the same documents give the
/// same choice whenever and in whatever order they were fetched.
///
/// Adds `canonical_id`, `is_canonical`, `n_documents` and `superseded_ids`
/// (semicolon-separated, "" if none; filled on canonical rows).
pub fn dedup(reports: LazyFrame) -> Result<LazyFrame> {
    let eligible = col("status")
        .neq(lit("not_a_report"))
        .and(col("year").is_not_null())
        .and(col("agency_id").is_not_null())
        .and(col("region_code").is_not_null());
    let key = [col("agency_id"), col("year"), col("_solo")];
    let parsed = col("status").eq(lit("parsed"));
    let sorted = reports
        .with_columns([
            when(eligible)
                .then(lit(""))
                .otherwise(col("report_id"))
                .alias("_solo"),
            when(parsed.clone())
                .then(lit(0))
                .otherwise(lit(1))
                .alias("_r_status"),
            when(parsed.and(col("checks_failed").eq(lit(0))))
                .then(lit(0))
                .otherwise(lit(1))
                .alias("_r_checks"),
            when(
                col("flags")
                    .str()
                    .count_matches(lit(REVISED_FLAG), false)
                    .gt(lit(0)),
            )
            .then(lit(0))
            .otherwise(lit(1))
            .alias("_r_revised"),
        ])
        .sort_by_exprs(
            [
                col("_solo"),
                col("agency_id"),
                col("year"),
                col("_r_status"),
                col("issued"),
                col("_r_revised"),
                col("_r_checks"),
                col("report_id"),
            ],
            SortMultipleOptions::default()
                .with_order_descending_multi([
                    false, false, false, false, true, false, false, false,
                ])
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .with_columns([
            col("report_id")
                .first()
                .over(key.clone())?
                .alias("canonical_id"),
            len().over(key)?.cast(DataType::Int32).alias("n_documents"),
        ])
        .with_column(
            col("report_id")
                .eq(col("canonical_id"))
                .alias("is_canonical"),
        );
    let superseded = sorted
        .clone()
        .filter(col("is_canonical").not())
        .group_by([col("canonical_id")])
        .agg([col("report_id")
            .sort(SortOptions::default())
            .alias("superseded_ids")])
        .with_column(col("superseded_ids").list().join(lit(";"), true))
        .rename(["canonical_id"], ["report_id"], true);
    Ok(sorted
        .join(superseded, [col("report_id")], [col("report_id")], left())
        .with_column(col("superseded_ids").fill_null(lit("")))
        .drop(polars::prelude::cols([
            "_solo",
            "_r_status",
            "_r_checks",
            "_r_revised",
        ])))
}
