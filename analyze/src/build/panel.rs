//! The `panel` dataset: one row per agency-year with totals, derived
//! measures, region levels, duplicates and quality.

use anyhow::{Context as _, Result};
use polars::prelude::{
    Column, DataFrame, DataType, Expr, IntoLazy, LazyFrame, NULL, col, lit, when,
};

use super::wide::{Source, WideSpec};
use super::{RID, finish_sorted, inner, left, n_inferred_agg, ratio};
use crate::regions::{Gazetteer, resolve};
use crate::schema::{
    CATEGORY_TOTALS, Dataset, FEE_SUSPECT_10K, INFO_FEES, JUMP_FACTOR, NARRATIVE_RECEIVED, SMALL_N,
};
use crate::vocab::{category_of, vocabulary};

/// Region lookup (codes and names) for the distinct (region_code, region) pairs.
fn region_lookup(canon: &DataFrame, gazetteer: Option<&Gazetteer>) -> Result<LazyFrame> {
    let pairs = canon
        .clone()
        .lazy()
        .select([col("region_code"), col("region")])
        .unique_stable(None, polars::prelude::UniqueKeepStrategy::First)
        .collect()
        .context("distinct regions")?;
    let codes = pairs.column("region_code")?.str()?.clone();
    let names = pairs.column("region")?.str()?.clone();
    let resolved: Vec<_> = codes
        .iter()
        .zip(names.iter())
        .map(|(c, r)| resolve(c, r, gazetteer))
        .collect();
    let field = |f: fn(&crate::regions::Levels) -> Option<String>| -> Vec<Option<String>> {
        resolved.iter().map(f).collect()
    };
    let n = pairs.height();
    let df = DataFrame::new(
        n,
        vec![
            pairs.column("region_code")?.clone(),
            pairs.column("region")?.clone(),
            Column::new("province_code".into(), field(|l| l.province_code.clone())),
            Column::new("province".into(), field(|l| l.province.clone())),
            Column::new(
                "prefecture_code".into(),
                field(|l| l.prefecture_code.clone()),
            ),
            Column::new("prefecture".into(), field(|l| l.prefecture.clone())),
            Column::new("county_code".into(), field(|l| l.county_code.clone())),
            Column::new("county".into(), field(|l| l.county.clone())),
        ],
    )
    .context("region lookup frame")?;
    Ok(df.lazy())
}

fn rows_of_category(cat: &str) -> Vec<&'static str> {
    vocabulary()
        .outcome_rows()
        .filter(|t| category_of(&t.key) == Some(cat))
        .map(|t| t.key.as_str())
        .collect()
}

/// The cells `duplicate_spread` compares: the printed table-3 total-column
/// values (`RID`, `row`, `value_int`) of `cells`, which must hold the cells
/// of the superseded documents too.
pub(super) fn spread_cells(cells: LazyFrame) -> LazyFrame {
    cells
        .filter(
            col("table")
                .eq(lit(3))
                .and(col("col").eq(lit("total")))
                .and(col("value_int").is_not_null()),
        )
        .select([col(RID), col("row"), col("value_int")])
}

/// Per canonical report ([`RID`]): `duplicate_spread`, the largest absolute
/// difference between its table-3 total-column values and those of the other
/// documents of its agency-year (null when no value can be compared).
/// `t3` holds the [`spread_cells`] of every document of such agency-years.
pub(super) fn duplicate_spread(reports: &DataFrame, t3: LazyFrame) -> LazyFrame {
    let docs = reports.clone().lazy().filter(col("n_documents").gt(lit(1)));
    let canon_rid = docs.clone().filter(col("is_canonical")).select([
        col("report_id").alias("canonical_id"),
        col(RID).alias("_canon"),
    ]);
    let map = docs
        .select([col(RID), col("canonical_id")])
        .join(
            canon_rid,
            [col("canonical_id")],
            [col("canonical_id")],
            inner(),
        )
        .select([col(RID), col("_canon")]);
    let t3 = t3.join(map, [col(RID)], [col(RID)], inner()).select([
        col(RID),
        col("_canon"),
        col("row"),
        col("value_int"),
    ]);
    let kept = t3.clone().filter(col(RID).eq(col("_canon"))).select([
        col("_canon"),
        col("row"),
        col("value_int").alias("_kept"),
    ]);
    t3.filter(col(RID).neq(col("_canon")))
        .join(
            kept,
            [col("_canon"), col("row")],
            [col("_canon"), col("row")],
            inner(),
        )
        .with_column((col("value_int") - col("_kept")).alias("_d"))
        .with_column(
            when(col("_d").lt(lit(0i64)))
                .then(lit(0i64) - col("_d"))
                .otherwise(col("_d"))
                .alias("_d"),
        )
        .group_by([col("_canon")])
        .agg([col("_d").max().alias("duplicate_spread")])
        .rename(["_canon"], [RID], true)
}

/// Table-4 block sums with implied zeros: a blank component counts 0 only
/// when the printed total equals the sum of the printed components
/// (upheld + corrected + other + pending). Returns (corrected, decided).
fn block_decided(block: &str) -> (Expr, Expr) {
    let k = |o: &str| col(format!("{block}_{o}").as_str());
    let z = |o: &str| k(o).fill_null(lit(0i64));
    let implied = k("total")
        .is_not_null()
        .and(k("total").eq(z("upheld") + z("corrected") + z("other") + z("pending")));
    let part = |o: &str| when(implied.clone()).then(z(o)).otherwise(k(o));
    (
        part("corrected"),
        part("upheld") + part("corrected") + part("other"),
    )
}

/// Narrative figures per report (table 0 of the cells).
pub(super) fn narrative_spec() -> WideSpec {
    WideSpec {
        table: 0,
        total_only: false,
        keys: vec![
            (INFO_FEES, Source::Float),
            (NARRATIVE_RECEIVED, Source::Int),
        ],
        sums: Vec::new(),
        inferred: None,
    }
}

/// The panel's table-3 figures per report: the total column, wide, with the
/// category totals and the count of inferred cells.
pub(super) fn table3_spec() -> WideSpec {
    let keys = [
        "new_received",
        "carried_over_in",
        "granted",
        "partially_granted",
        "processed_total",
        "carried_forward",
        "unavailable_not_held",
    ]
    .into_iter()
    .chain(rows_of_category("denied"))
    .map(|k| (k, Source::Int))
    .collect();
    WideSpec {
        table: 3,
        total_only: true,
        keys,
        sums: CATEGORY_TOTALS
            .iter()
            .map(|(name, cat)| (*name, rows_of_category(cat)))
            .collect(),
        inferred: Some("t3_inferred"),
    }
}

/// The number of inferred cells of each report, all tables.
pub(super) fn inferred(cells: LazyFrame) -> LazyFrame {
    cells
        .group_by([col(RID)])
        .agg([n_inferred_agg("_all_inferred")])
}

/// The per-report pieces of the panel (see [`table3_spec`], [`inferred`],
/// [`narrative_spec`]; table 4 is the `review_litigation` piece).
pub(super) struct PanelPieces {
    /// [`table3_spec`].
    pub t3: LazyFrame,
    /// Table 4, wide, with `t4_inferred`.
    pub t4: LazyFrame,
    /// [`inferred`].
    pub inferred: LazyFrame,
    /// [`narrative_spec`].
    pub narrative: LazyFrame,
}

pub(super) fn panel(
    canon: LazyFrame,
    pieces: PanelPieces,
    proactive: LazyFrame,
    spread: LazyFrame,
    prev_panel: Option<LazyFrame>,
    gazetteer: Option<&Gazetteer>,
) -> Result<DataFrame> {
    let v = vocabulary();
    let denied = rows_of_category("denied");
    let fees: Vec<Expr> = std::iter::once(col("report_id"))
        .chain(
            v.table2
                .iter()
                .filter(|t| t.is_fee())
                .map(|t| col(t.key.as_str())),
        )
        .collect();
    let canon_df = canon.collect().context("collecting canonical reports")?;
    let prev = match prev_panel {
        Some(p) => p.filter(col("agency_id").is_not_null()).select([
            col("agency_id"),
            col("new_received").alias("new_received_prev_year"),
            col("carried_forward").alias("prev_carried_forward"),
        ]),
        None => DataFrame::new(
            0,
            vec![
                Column::new_empty("agency_id".into(), &DataType::String),
                Column::new_empty("new_received_prev_year".into(), &DataType::Int64),
                Column::new_empty("prev_carried_forward".into(), &DataType::Int64),
            ],
        )?
        .lazy(),
    };
    let key = [col("region_code"), col("region")];
    let mut region_join = left();
    region_join.nulls_equal = true;
    let lit_blocks = ["lit_direct", "lit_after_review"];
    let lit_sum = |outcome: &str| {
        lit_blocks
            .iter()
            .map(|b| col(format!("{b}_{outcome}").as_str()))
            .reduce(|a, b| a + b)
            .unwrap_or_else(|| lit(NULL))
    };
    let (review_corrected, review_decided) = block_decided("review");
    let (direct_c, direct_d) = block_decided("lit_direct");
    let (after_c, after_d) = block_decided("lit_after_review");
    let components = [
        review_corrected.alias("review_corrected"),
        review_decided.alias("review_decided"),
        (direct_c + after_c).alias("litigation_corrected"),
        (direct_d + after_d).alias("litigation_decided"),
    ];
    let processed = || col("processed_total");
    let unverified = col("checks_unverified").cast(DataType::Int32);
    let mut derived = vec![
        ratio(col("granted") + col("partially_granted"), processed())
            .alias("substantive_disclosure_rate"),
        ratio(col("denied_total"), processed()).alias("denied_share"),
        ratio(col("unavailable_not_held"), processed()).alias("not_held_share"),
        col("carried_forward").alias("backlog"),
        (col("new_received") - col("new_received_prev_year")).alias("new_received_yoy_change"),
        (ratio(col("new_received"), col("new_received_prev_year")) - lit(1.0))
            .alias("new_received_yoy_rate"),
        ratio(col("review_corrected"), col("review_decided")).alias("review_correction_rate"),
        ratio(col("litigation_corrected"), col("litigation_decided"))
            .alias("litigation_correction_rate"),
        lit_sum("total").alias("litigation_total"),
        // Unevaluated checks are not passed: unknown stays unknown.
        when(
            col("status")
                .eq(lit("parsed"))
                .and(col("checks_failed").eq(lit(0)))
                .not(),
        )
        .then(lit(false))
        .when(unverified.clone().is_null())
        .then(lit(NULL).cast(DataType::Boolean))
        .otherwise(unverified.clone().eq(lit(0)))
        .alias("checks_ok"),
        unverified.alias("checks_unverified"),
        processed().lt(lit(SMALL_N)).alias("small_n"),
        when(col("n_documents").gt(lit(1)))
            .then(col("duplicate_spread").gt(lit(0)))
            .otherwise(lit(false))
            .alias("conflicting_duplicate"),
        col("carried_over_in")
            .eq(col("prev_carried_forward"))
            .alias("continuity_ok"),
        col("admin_fees_10k_cny")
            .gt_eq(lit(FEE_SUSPECT_10K))
            .alias("fee_unit_suspect"),
        when(
            col("new_received")
                .gt(lit(0))
                .and(col("new_received_prev_year").gt(lit(0))),
        )
        .then(
            (col("new_received").cast(DataType::Float64)
                / col("new_received_prev_year").cast(DataType::Float64))
            .gt(lit(JUMP_FACTOR))
            .or((col("new_received_prev_year").cast(DataType::Float64)
                / col("new_received").cast(DataType::Float64))
            .gt(lit(JUMP_FACTOR))),
        )
        .otherwise(lit(NULL).cast(DataType::Boolean))
        .alias("yoy_jump"),
        col("_all_inferred")
            .fill_null(lit(0))
            .gt(lit(0))
            .alias("has_inferred"),
        col("t3_inferred").fill_null(lit(0)),
        col("t4_inferred").fill_null(lit(0)),
        agency_type().alias("agency_type"),
    ];
    derived.extend(
        denied
            .iter()
            .map(|k| ratio(col(*k), processed()).alias(format!("{k}_share"))),
    );
    let panel = canon_df
        .clone()
        .lazy()
        .join(pieces.t3, [col(RID)], [col(RID)], left())
        .join(pieces.t4, [col(RID)], [col(RID)], left())
        .join(pieces.inferred, [col(RID)], [col(RID)], left())
        .join(
            proactive.select(fees),
            [col("report_id")],
            [col("report_id")],
            left(),
        )
        .join(
            region_lookup(&canon_df, gazetteer)?,
            key.clone(),
            key,
            region_join,
        )
        .join(pieces.narrative, [col(RID)], [col(RID)], left())
        .join(spread, [col(RID)], [col(RID)], left())
        .join(prev, [col("agency_id")], [col("agency_id")], left())
        .with_columns(components)
        .with_columns(derived);
    finish_sorted(panel, Dataset::Panel, &[RID])
        .collect()
        .context("computing panel")
}

/// Agency type from the agency name (first matching suffix wins).
pub fn agency_type() -> Expr {
    let a = || col("agency");
    let ends = |s: &str| a().str().ends_with(lit(s));
    let rules: [(&[&str], &str); 9] = [
        (&["街道办事处", "街道办"], "subdistrict_office"),
        (
            &[
                "人民政府办公室",
                "人民政府办公厅",
                "政府办公室",
                "政府办公厅",
            ],
            "government_office",
        ),
        (
            &["乡人民政府", "镇人民政府", "乡政府", "镇政府"],
            "township_government",
        ),
        (&["人民政府", "政府"], "government"),
        (&["委员会", "管委会"], "commission"),
        (&["局"], "bureau"),
        (&["办公室", "办"], "office"),
        (&["厅"], "department"),
        (&["中心"], "center"),
    ];
    let mut expr = lit("other");
    for (suffixes, name) in rules.iter().rev() {
        let cond = suffixes
            .iter()
            .map(|s| ends(s))
            .reduce(Expr::or)
            .unwrap_or_else(|| lit(false));
        expr = when(cond).then(lit(*name)).otherwise(expr);
    }
    when(a().is_null())
        .then(lit(NULL).cast(DataType::String))
        .otherwise(expr)
}
