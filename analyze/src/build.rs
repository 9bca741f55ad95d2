//! The Polars computations, one reporting year at a time (lazy API).

use anyhow::{Context as _, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::{
    Categories, Column, DataFrame, DataType, Expr, IntoLazy, JoinArgs, JoinType, LazyFrame,
    MaintainOrderJoin, NULL, SortMultipleOptions, SortOptions, UnionArgs, col, concat, len, lit,
    when,
};

use crate::regions::{Gazetteer, resolve};
use crate::schema::{
    CATEGORY_TOTALS, Dataset, FEE_SUSPECT_10K, INFO_FEES, JUMP_FACTOR, NARRATIVE_RECEIVED,
    POOLED_RATES, SMALL_N, columns, rollup_measures, yuan_name,
};
use crate::vocab::{FLOW_ROWS, category_of, vocabulary};

/// Columns the `reports` parts must have.
pub const REPORT_COLUMNS: [&str; 23] = [
    "report_id",
    "source",
    "sha256",
    "status",
    "format",
    "charset",
    "title",
    "agency",
    "year",
    "template",
    "region",
    "region_code",
    "scope",
    "n_cells",
    "n_inferred",
    "checks_passed",
    "checks_failed",
    "failed_checks",
    "checks_json",
    "flags",
    "portal_id",
    "fetched_at",
    "parser_version",
];

/// Columns of the `reports` parts read when present (newer extract stages):
/// name and dtype. Absent ones read as null.
pub const OPTIONAL_REPORT_COLUMNS: [(&str, DataType); 2] = [
    ("checks_unverified", DataType::Int32),
    ("completeness", DataType::Float64),
];

/// Expressions for [`OPTIONAL_REPORT_COLUMNS`]: the column cast to its dtype
/// when the parts have it, else a typed null.
pub fn optional_report_columns(lf: &mut LazyFrame) -> Result<Vec<Expr>> {
    let schema = lf.collect_schema().context("reading reports schema")?;
    Ok(OPTIONAL_REPORT_COLUMNS
        .iter()
        .map(|(name, dtype)| match schema.get(name) {
            Some(_) => col(*name).cast(dtype.clone()),
            None => lit(NULL).cast(dtype.clone()).alias(*name),
        })
        .collect())
}

/// Select the documented columns of the `agencies` dataset.
pub fn finish_agencies(df: DataFrame) -> Result<DataFrame> {
    finish(df.lazy(), Dataset::Agencies)
        .collect()
        .context("selecting agencies columns")
}

/// Columns of the `cells` parts used here.
pub const CELL_COLUMNS: [&str; 7] = [
    "report_id",
    "table",
    "row",
    "col",
    "value",
    "value_int",
    "provenance",
];

/// A `reports` column cast to the dtype this crate relies on (tolerates
/// writers that use Int64 or large/view strings).
pub fn typed_report_column(name: &str) -> Expr {
    let dtype = match name {
        "year" | "n_cells" | "n_inferred" | "checks_passed" | "checks_failed" => DataType::Int32,
        _ => DataType::String,
    };
    col(name).cast(dtype)
}

/// Row key of a report in the de-duplicated reports (`u32`, assigned in
/// `report_id` order, so sorting by it equals sorting by `report_id`).
pub const RID: &str = "_rid";

/// The in-memory dtype of the low-cardinality cell strings (`row`, `col`,
/// `provenance`): a global categorical, 4 bytes a cell instead of a view
/// into the decoded Parquet pages (which would keep whole pages alive).
fn cat() -> DataType {
    DataType::from_categories(Categories::global())
}

/// A `cells` column cast to the dtype this crate relies on (the strings
/// become [`cat`] after the join in [`read_cells`]).
fn typed_cell_column(name: &str) -> Expr {
    let dtype = match name {
        "table" => DataType::Int32,
        "value" => DataType::Float64,
        "value_int" => DataType::Int64,
        _ => DataType::String,
    };
    col(name).cast(dtype)
}

/// Read the cells parts once: keep the cells of the reports in `wanted`
/// (`report_id`, [`RID`], `year`), keyed by [`RID`] instead of the 64-character
/// `report_id`, grouped by year. Every year in `years` gets a frame (empty if
/// it has no cells). One part is decoded at a time, so memory holds one part
/// plus the compact cells of the wanted years; the cell order within a year
/// is the part order, then the order within each part.
pub fn read_cells(
    parts: &[PathBuf],
    wanted: &DataFrame,
    years: &[i32],
) -> Result<BTreeMap<i32, DataFrame>> {
    let mut acc: BTreeMap<i32, DataFrame> = BTreeMap::new();
    let mut template: Option<DataFrame> = None;
    let mut keep_left = JoinArgs::new(JoinType::Inner);
    keep_left.maintain_order = MaintainOrderJoin::Left;
    for part in parts {
        let df = crate::io::scan(std::slice::from_ref(part))?
            .select(CELL_COLUMNS.map(typed_cell_column))
            .join(
                wanted.clone().lazy(),
                [col("report_id")],
                [col("report_id")],
                keep_left.clone(),
            )
            .select([
                col(RID),
                col("year"),
                col("table"),
                col("row").cast(cat()),
                col("col").cast(cat()),
                col("value"),
                col("value_int"),
                col("provenance").cast(cat()),
            ])
            .collect()
            .with_context(|| format!("reading cells from {}", part.display()))?;
        if template.is_none() {
            template = Some(df.clear().drop("year")?);
        }
        for mut p in df.partition_by_stable(["year"], true)? {
            let Some(y) = p.column("year")?.i32()?.get(0) else {
                continue;
            };
            p.drop_in_place("year")?;
            match acc.get_mut(&y) {
                Some(a) => {
                    a.vstack_mut(&p)?;
                }
                None => {
                    acc.insert(y, p);
                }
            }
        }
    }
    let template = template.context("no cells parts")?;
    for y in years {
        acc.entry(*y).or_insert_with(|| template.clone());
    }
    for df in acc.values_mut() {
        df.rechunk_mut();
    }
    Ok(acc)
}

/// Text of the de-duplication rule, as stored in `quality.detail`.
pub const DEDUP_RULE: &str = "same agency_id and year (agency_id needs a region code); canonical = status parsed first, then all checks passed, then newest fetched_at, then smallest report_id";

fn inner() -> JoinArgs {
    JoinArgs::new(JoinType::Inner)
}

fn left() -> JoinArgs {
    JoinArgs::new(JoinType::Left)
}

/// A cell's value came from an identity, from OCR or from cutting fused digits.
fn is_inferred() -> Expr {
    col("provenance")
        .eq(lit("inferred"))
        .or(col("provenance").eq(lit("ocr")))
        .or(col("provenance").eq(lit("ocr_inferred")))
        .or(col("provenance").eq(lit("split")))
}

/// `expr` is one of `keys` (string equality chain; avoids the `is_in` feature).
fn one_of(expr: Expr, keys: &[&str]) -> Expr {
    keys.iter()
        .map(|k| expr.clone().eq(lit(*k)))
        .reduce(Expr::or)
        .unwrap_or_else(|| lit(false))
}

/// Sum that stays null when no value is present (instead of 0).
fn sum_or_null(e: Expr) -> Expr {
    when(e.clone().count().gt(lit(0)))
        .then(e.sum())
        .otherwise(lit(NULL).cast(DataType::Int64))
}

/// `num / den` as Float64; null when the denominator is null or not positive.
pub fn ratio(num: Expr, den: Expr) -> Expr {
    when(den.clone().gt(lit(0)))
        .then(num.cast(DataType::Float64) / den.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The value of the cell whose `row` key is `key` within a group (null if absent).
fn cell(key: &str, value: &str) -> Expr {
    col(value)
        .filter(col("row").eq(lit(key)))
        .first()
        .alias(key)
}

fn n_inferred_agg(name: &str) -> Expr {
    is_inferred().cast(DataType::Int32).sum().alias(name)
}

/// Sort by `keys` (a stable, unique order), then select the documented
/// columns of a dataset (without `year`), cast to their dtypes.
fn finish_sorted(lf: LazyFrame, d: Dataset, keys: &[&str]) -> LazyFrame {
    let keys: Vec<_> = keys
        .iter()
        .map(|k| polars::prelude::PlSmallStr::from(*k))
        .collect();
    finish(
        lf.sort(
            keys,
            SortMultipleOptions::default().with_maintain_order(true),
        ),
        d,
    )
}

/// Select the documented columns of a dataset (without `year`), cast to their dtypes.
fn finish(lf: LazyFrame, d: Dataset) -> LazyFrame {
    let exprs: Vec<Expr> = columns(d)
        .into_iter()
        .filter(|c| c.name != "year")
        .map(|c| col(c.name.as_str()).cast(c.dtype))
        .collect();
    lf.select(exprs)
}

fn keys_frame(name: &str, keys: Vec<String>, extra: Vec<(&str, Vec<String>)>) -> Result<LazyFrame> {
    let n = keys.len();
    let order: Vec<i32> = (0..n as i32).collect();
    // The key column has the dtype of the cells' key (see `cat`).
    let key = Column::new(name.into(), keys).cast(&cat())?;
    let mut cols = vec![key, Column::new(format!("_{name}_order").into(), order)];
    for (c, v) in extra {
        cols.push(Column::new(c.into(), v));
    }
    Ok(DataFrame::new(n, cols)
        .context("building vocabulary frame")?
        .lazy())
}

/// Applicant types (table-3 columns) with their order, keyed by `col`.
fn applicants() -> Result<LazyFrame> {
    keys_frame(
        "col",
        vocabulary()
            .table3_columns
            .iter()
            .map(|t| t.key.clone())
            .collect(),
        vec![],
    )
}

/// Outcome rows with category and order, keyed by `row`.
fn outcomes() -> Result<LazyFrame> {
    let rows: Vec<String> = vocabulary().outcome_rows().map(|t| t.key.clone()).collect();
    let cats = rows
        .iter()
        .map(|r| category_of(r).unwrap_or("other").to_string())
        .collect();
    keys_frame("row", rows, vec![("category", cats)])
}

/// Mark canonical documents per agency-year over all reports.
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
        ])
        .sort_by_exprs(
            [
                col("_solo"),
                col("agency_id"),
                col("year"),
                col("_r_status"),
                col("_r_checks"),
                col("fetched_at"),
                col("report_id"),
            ],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, false, false, false, false, true, false])
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
        .drop(polars::prelude::cols(["_solo", "_r_status", "_r_checks"])))
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

/// Everything computed for one year, ready to write.
pub struct YearFrames {
    /// One frame per dataset.
    pub frames: Vec<(Dataset, DataFrame)>,
}

/// Compute every dataset of one year.
///
/// `reports` are the de-duplicated reports of that year (with [`RID`]);
/// `cells` are the cells of its canonical reports (from [`read_cells`];
/// `None` only for the null year); `prev_panel` is the panel of the
/// previous year if it exists.
pub fn compute_year(
    year: Option<i32>,
    reports: LazyFrame,
    cells: Option<DataFrame>,
    prev_panel: Option<LazyFrame>,
    gazetteer: Option<&Gazetteer>,
) -> Result<YearFrames> {
    let reports = reports
        .collect()
        .context("collecting reports of the year")?;
    let quality = quality(&reports).context("building quality")?;
    let mut frames = vec![(Dataset::Quality, quality)];
    if year.is_none() {
        return Ok(YearFrames { frames });
    }
    let canon = reports
        .clone()
        .lazy()
        .filter(col("is_canonical").and(col("status").neq(lit("not_a_report"))));
    let ids = canon.clone().select([
        col(RID),
        col("report_id"),
        col("agency_id"),
        col("agency"),
        col("region_code"),
    ]);
    let cells = cells.context("cells of the year")?.lazy();
    let with_ids = |lf: LazyFrame| lf.join(ids.clone(), [col(RID)], [col(RID)], inner());

    let by_report = [RID];
    let requests = finish_sorted(
        with_ids(requests(cells.clone())?),
        Dataset::Requests,
        &[RID, "_col_order"],
    );
    frames.push((Dataset::Requests, requests.collect()?));
    let disp = finish_sorted(
        with_ids(dispositions(cells.clone())?),
        Dataset::Dispositions,
        &[RID, "_row_order", "_col_order"],
    );
    frames.push((Dataset::Dispositions, disp.collect()?));
    let review = finish_sorted(
        with_ids(review(cells.clone())),
        Dataset::ReviewLitigation,
        &by_report,
    );
    frames.push((Dataset::ReviewLitigation, review.collect()?));
    let proactive = finish_sorted(
        with_ids(proactive(cells.clone())),
        Dataset::Proactive,
        &by_report,
    )
    .collect()?;
    let spread = duplicate_spread(&reports, cells.clone());
    let panel = panel(
        canon,
        cells,
        proactive.clone().lazy(),
        spread,
        prev_panel,
        gazetteer,
    )?;
    let regions = regions(panel.clone().lazy())?;
    frames.push((Dataset::Proactive, proactive));
    frames.push((Dataset::Panel, panel));
    frames.push((Dataset::Regions, regions));
    frames.sort_by_key(|(d, _)| *d);
    Ok(YearFrames { frames })
}

fn requests(cells: LazyFrame) -> Result<LazyFrame> {
    let mut aggs: Vec<Expr> = FLOW_ROWS.iter().map(|r| cell(r, "value_int")).collect();
    aggs.push(n_inferred_agg("n_inferred"));
    Ok(cells
        .filter(col("table").eq(lit(3)).and(one_of(col("row"), &FLOW_ROWS)))
        .group_by([col(RID), col("col")])
        .agg(aggs)
        .join(applicants()?, [col("col")], [col("col")], inner())
        .rename(["col"], ["applicant"], true))
}

fn dispositions(cells: LazyFrame) -> Result<LazyFrame> {
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

fn wide(cells: LazyFrame, table: i32, aggs: Vec<Expr>) -> LazyFrame {
    cells
        .filter(col("table").eq(lit(table)))
        .group_by([col(RID)])
        .agg(aggs)
}

fn review(cells: LazyFrame) -> LazyFrame {
    let mut aggs: Vec<Expr> = vocabulary()
        .table4
        .iter()
        .map(|t| cell(&t.key, "value_int"))
        .collect();
    aggs.push(n_inferred_agg("n_inferred"));
    wide(cells, 4, aggs)
}

/// 万元 → yuan, rounded to the fen (no float noise such as 110649.99999).
fn to_yuan(e: Expr) -> Expr {
    let fen = e.clone() * lit(1_000_000.0);
    let rounded = when(e.gt_eq(lit(0.0)))
        .then(fen.clone() + lit(0.5))
        .otherwise(fen - lit(0.5))
        .cast(DataType::Int64);
    rounded.cast(DataType::Float64) / lit(100.0)
}

fn proactive(cells: LazyFrame) -> LazyFrame {
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

/// Per canonical report ([`RID`]): `duplicate_spread`, the largest absolute
/// difference between its table-3 total-column values and those of the other
/// documents of its agency-year (null when no value can be compared).
/// `cells` must hold the cells of the superseded documents too.
fn duplicate_spread(reports: &DataFrame, cells: LazyFrame) -> LazyFrame {
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
    let t3 = cells
        .filter(
            col("table")
                .eq(lit(3))
                .and(col("col").eq(lit("total")))
                .and(col("value_int").is_not_null()),
        )
        .join(map, [col(RID)], [col(RID)], inner())
        .select([col(RID), col("_canon"), col("row"), col("value_int")]);
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
fn narrative(cells: LazyFrame) -> LazyFrame {
    cells
        .filter(col("table").eq(lit(0)))
        .group_by([col(RID)])
        .agg([
            cell(INFO_FEES, "value"),
            cell(NARRATIVE_RECEIVED, "value_int"),
        ])
}

fn panel(
    canon: LazyFrame,
    cells: LazyFrame,
    proactive: LazyFrame,
    spread: LazyFrame,
    prev_panel: Option<LazyFrame>,
    gazetteer: Option<&Gazetteer>,
) -> Result<DataFrame> {
    let v = vocabulary();
    let denied = rows_of_category("denied");
    let mut t3: Vec<Expr> = [
        "new_received",
        "carried_over_in",
        "granted",
        "partially_granted",
        "processed_total",
        "carried_forward",
        "unavailable_not_held",
    ]
    .iter()
    .map(|k| cell(k, "value_int"))
    .collect();
    t3.extend(denied.iter().map(|k| cell(k, "value_int")));
    for (name, cat) in CATEGORY_TOTALS {
        let rows = rows_of_category(cat);
        t3.push(sum_or_null(col("value_int").filter(one_of(col("row"), &rows))).alias(name));
    }
    t3.push(n_inferred_agg("t3_inferred"));
    let t3 = cells
        .clone()
        .filter(col("table").eq(lit(3)).and(col("col").eq(lit("total"))))
        .group_by([col(RID)])
        .agg(t3);
    let mut t4: Vec<Expr> = v.table4.iter().map(|t| cell(&t.key, "value_int")).collect();
    t4.push(n_inferred_agg("t4_inferred"));
    let t4 = cells
        .clone()
        .filter(col("table").eq(lit(4)))
        .group_by([col(RID)])
        .agg(t4);
    let cells_all = cells.clone();
    let any_inferred = cells
        .group_by([col(RID)])
        .agg([n_inferred_agg("_all_inferred")]);
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
        .join(t3, [col(RID)], [col(RID)], left())
        .join(t4, [col(RID)], [col(RID)], left())
        .join(any_inferred, [col(RID)], [col(RID)], left())
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
        .join(narrative(cells_all), [col(RID)], [col(RID)], left())
        .join(spread, [col(RID)], [col(RID)], left())
        .join(prev, [col("agency_id")], [col("agency_id")], left())
        .with_columns(components)
        .with_columns(derived);
    finish_sorted(panel, Dataset::Panel, &[RID])
        .collect()
        .context("computing panel")
}

fn regions(panel: LazyFrame) -> Result<DataFrame> {
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

/// One parsed entry of `checks_json`.
#[derive(serde::Deserialize)]
struct Check {
    id: Option<String>,
    ok: Option<bool>,
    detail: Option<serde_json::Value>,
}

fn quality(reports: &DataFrame) -> Result<DataFrame> {
    // Checks and flags: small per-report JSON/text, parsed in Rust.
    let ids = reports.column("report_id")?.str()?;
    let checks_json = reports.column("checks_json")?.str()?;
    let flags = reports.column("flags")?.str()?;
    let (mut rid, mut kind, mut item, mut ok, mut detail, mut seq) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for ((id, cj), fl) in ids.iter().zip(checks_json.iter()).zip(flags.iter()) {
        let Some(id) = id else { continue };
        let mut i = 0i32;
        match cj
            .filter(|s| !s.trim().is_empty())
            .map(serde_json::from_str::<Vec<Check>>)
        {
            Some(Ok(checks)) => {
                for c in checks {
                    rid.push(id.to_string());
                    kind.push("check");
                    item.push(c.id.unwrap_or_default());
                    ok.push(c.ok);
                    detail.push(match c.detail {
                        Some(serde_json::Value::String(s)) => s,
                        Some(serde_json::Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    });
                    seq.push(i);
                    i += 1;
                }
            }
            Some(Err(e)) => {
                rid.push(id.to_string());
                kind.push("check");
                item.push("checks_json".to_string());
                ok.push(Some(false));
                detail.push(format!("unreadable checks_json: {e}"));
                seq.push(i);
                i += 1;
            }
            None => {}
        }
        for f in fl
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            rid.push(id.to_string());
            kind.push("flag");
            item.push(f.to_string());
            ok.push(None);
            detail.push(String::new());
            seq.push(i);
            i += 1;
        }
    }
    let n = rid.len();
    let parsed = DataFrame::new(
        n,
        vec![
            Column::new("report_id".into(), rid),
            Column::new("kind".into(), kind),
            Column::new("item".into(), item),
            Column::new("ok".into(), ok),
            Column::new("detail".into(), detail),
            Column::new("_seq".into(), seq),
        ],
    )?
    .lazy()
    .with_column(col("_seq") + lit(1))
    .join(
        reports.clone().lazy().select([
            col("report_id"),
            col("agency"),
            col("region_code"),
            col("status"),
        ]),
        [col("report_id")],
        [col("report_id")],
        inner(),
    );
    let base = || {
        reports.clone().lazy().select([
            col("report_id"),
            col("agency"),
            col("region_code"),
            col("status"),
            col("is_canonical"),
            col("canonical_id"),
        ])
    };
    let status = base().select([
        col("report_id"),
        col("agency"),
        col("region_code"),
        col("status"),
        lit("status").alias("kind"),
        col("status").alias("item"),
        col("status").eq(lit("parsed")).alias("ok"),
        when(col("status").eq(lit("not_a_report")))
            .then(lit("excluded: not a report"))
            .when(col("is_canonical"))
            .then(lit("canonical"))
            .otherwise(lit("superseded"))
            .alias("detail"),
        lit(0).alias("_seq"),
    ]);
    let superseded = base().filter(col("is_canonical").not()).select([
        col("report_id"),
        col("agency"),
        col("region_code"),
        col("status"),
        lit("superseded_by").alias("kind"),
        col("canonical_id").alias("item"),
        lit(false).alias("ok"),
        lit(DEDUP_RULE).alias("detail"),
        lit(i32::MAX).alias("_seq"),
    ]);
    let all = concat(
        [status, parsed, superseded].map(|lf| {
            lf.select([
                col("report_id"),
                col("agency"),
                col("region_code"),
                col("status"),
                col("kind"),
                col("item"),
                col("ok").cast(DataType::Boolean),
                col("detail"),
                col("_seq").cast(DataType::Int32),
            ])
        }),
        UnionArgs::default(),
    )?;
    let per_doc = reports.clone().lazy().select([
        col("report_id"),
        col("agency_id"),
        col("checks_unverified"),
        col("completeness"),
    ]);
    let all = all.join(per_doc, [col("report_id")], [col("report_id")], left());
    finish_sorted(all, Dataset::Quality, &["report_id", "_seq"])
        .collect()
        .context("computing quality")
}

/// Check that the reports parts have every expected column.
pub fn check_report_schema(lf: &mut LazyFrame) -> Result<()> {
    let schema = lf.collect_schema().context("reading reports schema")?;
    let missing: Vec<_> = REPORT_COLUMNS
        .iter()
        .filter(|c| schema.get(c).is_none())
        .collect();
    anyhow::ensure!(missing.is_empty(), "reports parts lack columns {missing:?}");
    Ok(())
}

/// Check that the cells parts have every used column.
pub fn check_cell_schema(lf: &mut LazyFrame) -> Result<()> {
    let schema = lf.collect_schema().context("reading cells schema")?;
    let missing: Vec<_> = CELL_COLUMNS
        .iter()
        .filter(|c| schema.get(c).is_none())
        .collect();
    anyhow::ensure!(missing.is_empty(), "cells parts lack columns {missing:?}");
    Ok(())
}
