//! Polars stage of ogi: extracted `reports` and `cells` parts to the
//! published datasets (see `analyze/README.md` and the generated codebook).
//!
//! Entry points: [`analyze`] (incremental, per-year Hive partitions),
//! [`export_csv`] (journalist CSVs) and [`write_codebook`].

#![warn(missing_docs)]

pub mod agencies;
mod build;
pub mod compliance;
mod export;
mod fingerprint;
mod io;
pub mod labels;
mod parallel;
mod parquet_out;
pub mod regions;
mod schema;
mod timing;
pub mod vocab;
mod writer;
mod xlsx;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use polars::prelude::{DataType, IntoLazy, SortMultipleOptions, col, lit};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use build::{DEDUP_RULE, REPORT_COLUMNS, ratio};
pub use export::{
    ExportOptions, Headers, LIST_CAP, LIST_COLUMNS, Lang, RATIO_DECIMALS, codebook_markdown,
    codebook_rows, codebook_sections, export_csv, export_frame, header, value_label_rows,
    write_codebook,
};
pub use io::{NULL_PARTITION, partition_file, partitions, read_dataset};
pub use regions::Gazetteer;
pub use schema::{ColumnDoc, Dataset, columns};
pub use xlsx::{MAX_ROWS as XLSX_MAX_ROWS, export_xlsx, export_xlsx_sheet_rows, sheet_name};

/// Version of the analysis logic; a change forces a full recomputation.
pub const ANALYZE_VERSION: &str = concat!("ogi-analyze ", env!("CARGO_PKG_VERSION"), " schema 3");

/// Where region names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GazetteerSource {
    /// The gazetteer compiled into the binary (`data/gazetteer/divisions.csv`
    /// via `ogi-spec`): the same on every machine, wherever ogi runs.
    Bundled,
    /// An operator's own CSV of the same shape (`code,name,level,parent`).
    File(PathBuf),
}

/// Options of [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// The gazetteer that names regions. `None`: names are parsed from the
    /// region strings of the documents.
    pub gazetteer: Option<GazetteerSource>,
    /// Recompute every year even if nothing changed.
    pub full: bool,
    /// Cells reduced by one pass over the cells parts; `None`:
    /// [`CELLS_PER_PASS`]. Smaller values trade passes for memory.
    pub cells_per_pass: Option<u64>,
}

impl Default for AnalyzeOptions {
    /// The bundled gazetteer, incremental.
    fn default() -> Self {
        AnalyzeOptions {
            gazetteer: Some(GazetteerSource::Bundled),
            full: false,
            cells_per_pass: None,
        }
    }
}

/// What one [`analyze`] run did (serialisable, e.g. for `ogi analyze` JSON output).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnalyzeSummary {
    /// Documents in the `reports` parts.
    pub reports: usize,
    /// Canonical agency-year documents (panel rows over all years).
    pub canonical: usize,
    /// Documents superseded by another document of the same agency-year.
    pub superseded: usize,
    /// Whether every year was recomputed (first run, forced, or global change).
    pub full: bool,
    /// Year partitions recomputed in this run (`None` = reports without a year).
    pub years_recomputed: Vec<Option<i32>>,
    /// Year partitions removed because no report has that year any more.
    pub years_removed: Vec<Option<i32>>,
    /// Rows written per dataset in this run.
    pub rows_written: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Manifest {
    globals: String,
    years: BTreeMap<String, String>,
}

fn manifest_path(out: &Path) -> PathBuf {
    out.join("datasets").join("_manifest.json")
}

fn year_key(y: Option<i32>) -> String {
    y.map_or_else(|| NULL_PARTITION.to_string(), |y| y.to_string())
}

fn parse_year_key(k: &str) -> Option<i32> {
    k.parse().ok()
}

fn globals_digest(gazetteer: Option<&GazetteerSource>) -> Result<String> {
    let mut h = Sha256::new();
    h.update(ANALYZE_VERSION.as_bytes());
    for t in ogi_spec::vocab::texts() {
        h.update(t.as_bytes());
    }
    h.update(agencies::SECTORS_CSV.as_bytes());
    match gazetteer {
        Some(GazetteerSource::Bundled) => h.update(ogi_spec::gazetteer::DIVISIONS_CSV.as_bytes()),
        Some(GazetteerSource::File(p)) => {
            h.update(fs::read(p).with_context(|| format!("reading gazetteer {}", p.display()))?)
        }
        None => {}
    }
    Ok(hex::encode(h.finalize()))
}

/// Years to recompute and to remove, given old and new fingerprints.
fn plan(
    old: Option<&Manifest>,
    globals: &str,
    new: &BTreeMap<Option<i32>, String>,
    full: bool,
) -> (bool, BTreeSet<Option<i32>>, BTreeSet<Option<i32>>) {
    let now: BTreeSet<Option<i32>> = new.keys().copied().collect();
    let old = match old {
        Some(m) if !full && m.globals == globals => m,
        _ => return (true, now, BTreeSet::new()),
    };
    let old_years: BTreeMap<Option<i32>, &String> = old
        .years
        .iter()
        .map(|(k, v)| (parse_year_key(k), v))
        .collect();
    let removed: BTreeSet<_> = old_years
        .keys()
        .filter(|y| !now.contains(y))
        .copied()
        .collect();
    let changed: BTreeSet<_> = now
        .iter()
        .filter(|y| old_years.get(*y).copied() != new.get(*y))
        .copied()
        .collect();
    // The following year's year-on-year measures read this year's panel.
    let mut recompute = changed.clone();
    for y in changed.iter().chain(removed.iter()).flatten() {
        if let Some(next) = y.checked_add(1).filter(|n| now.contains(&Some(*n))) {
            recompute.insert(Some(next));
        }
    }
    (false, recompute, removed)
}

/// Cells reduced by one pass over the cells parts unless
/// [`AnalyzeOptions::cells_per_pass`] says otherwise. A pass keeps only the
/// per-report pieces of its years (≈ 15 bytes a cell, most of it the
/// `dispositions` rows), so a national run of 1 M reports (≈ 117 M cells)
/// reads the parts once.
pub const CELLS_PER_PASS: u64 = 150_000_000;

/// Finished partitions waiting for the writer thread (half a year's).
const WRITE_QUEUE: usize = 4;

/// `year` is one of `years` (false when there are none).
fn in_years(years: &[i32]) -> polars::prelude::Expr {
    years
        .iter()
        .map(|y| col("year").eq(lit(*y)))
        .reduce(polars::prelude::Expr::or)
        .unwrap_or_else(|| lit(false))
}

/// Canonical reports of `years`: `report_id`, `build::RID`, `year`.
fn canonical_of(deduped: &polars::prelude::DataFrame, years: &[i32]) -> polars::prelude::LazyFrame {
    let year_set = in_years(years);
    deduped.clone().lazy().filter(
        col("is_canonical")
            .and(col("status").neq(lit("not_a_report")))
            .and(year_set),
    )
}

/// Canonical reports of `years` and the other documents of agency-years with
/// several (their cells give `duplicate_spread`).
fn with_duplicates_of(
    deduped: &polars::prelude::DataFrame,
    years: &[i32],
) -> polars::prelude::LazyFrame {
    let year_set = in_years(years);
    deduped.clone().lazy().filter(
        (col("is_canonical").or(col("n_documents").gt(lit(1))))
            .and(col("status").neq(lit("not_a_report")))
            .and(year_set),
    )
}

/// Split the recomputed years (in order) into batches whose canonical
/// reports hold at most `budget` cells (by `reports.n_cells`), at least one
/// year a batch.
fn year_batches(
    deduped: &polars::prelude::DataFrame,
    order: &[Option<i32>],
    budget: u64,
) -> Result<Vec<Vec<i32>>> {
    let years: Vec<i32> = order.iter().flatten().copied().collect();
    let counts = canonical_of(deduped, &years)
        .group_by([col("year")])
        .agg([col("n_cells").cast(DataType::Int64).sum().alias("n")])
        .collect()
        .context("counting cells per year")?;
    let per_year: BTreeMap<i32, u64> = counts
        .column("year")?
        .i32()?
        .iter()
        .zip(counts.column("n")?.i64()?.iter())
        .filter_map(|(y, n)| Some((y?, n.unwrap_or(0).max(0) as u64)))
        .collect();
    let mut batches: Vec<Vec<i32>> = Vec::new();
    let mut used = 0u64;
    for y in years {
        let n = per_year.get(&y).copied().unwrap_or(0);
        match batches.last_mut() {
            Some(b) if used + n <= budget => {
                b.push(y);
                used += n;
            }
            _ => {
                batches.push(vec![y]);
                used = n;
            }
        }
    }
    Ok(batches)
}

/// One pass over the cells parts for a batch of years: the per-report
/// pieces of the canonical reports of `years` (and the cells the duplicate
/// spread compares, from the other documents of their agency-years).
fn read_pieces_of(
    deduped: &polars::prelude::DataFrame,
    cells_files: &[PathBuf],
    years: &[i32],
) -> Result<build::Pieces> {
    let wanted = with_duplicates_of(deduped, years)
        .select([
            col("report_id"),
            col(build::RID),
            col("year"),
            col("is_canonical").alias("_canon"),
            col("n_documents").gt(lit(1)).alias("_multi"),
        ])
        .collect()
        .context("selecting canonical reports")?;
    build::read_pieces(cells_files, &wanted, years, deduped.height())
}

/// Run the analysis: read `OUT/extract/{reports,cells}/part-*.parquet`, write
/// every [`Dataset`] under `OUT/datasets/<name>/year=<year>/part-0.parquet`.
///
/// Incremental: only the years whose report rows changed (plus the following
/// year, for the year-on-year measures) are recomputed; the result equals a
/// full recomputation. A change of the analysis version, vocabulary or
/// gazetteer, or `opts.full`, recomputes everything.
pub fn analyze(out: &Path, opts: &AnalyzeOptions) -> Result<AnalyzeSummary> {
    let mut phases = timing::Phases::default();
    let summary = analyze_timed(out, opts, &mut phases)?;
    phases.log();
    Ok(summary)
}

/// [`analyze`], adding the wall time of each phase to `phases`.
fn analyze_timed(
    out: &Path,
    opts: &AnalyzeOptions,
    phases: &mut timing::Phases,
) -> Result<AnalyzeSummary> {
    let started = std::time::Instant::now();
    let reports_files = io::part_files(&out.join("extract").join("reports"))?;
    let cells_files = io::part_files(&out.join("extract").join("cells"))?;
    let mut reports_lf = io::scan(&reports_files)?;
    build::check_report_schema(&mut reports_lf)?;
    for part in &cells_files {
        build::check_cell_schema(&mut io::scan(std::slice::from_ref(part))?)
            .with_context(|| format!("in {}", part.display()))?;
    }
    let opened = Gazetteer::open(opts.gazetteer.as_ref())?;
    let gazetteer = opened.as_deref();
    let mut select: Vec<_> = REPORT_COLUMNS
        .map(build::typed_report_column)
        .into_iter()
        .collect();
    select.extend(build::optional_report_columns(&mut reports_lf)?);
    // Kept in one chunk per part: the sort by `report_id` below (dedup)
    // then copies the strings into `report_id` order, so that every later
    // gather of them (views into that one buffer) reads memory in order.
    let reports = reports_lf
        .select(select)
        .collect()
        .context("reading reports parts")?;
    phases.add("read_reports", started.elapsed());
    let n_unique = reports
        .column("report_id")?
        .as_materialized_series()
        .n_unique()?;
    anyhow::ensure!(
        n_unique == reports.height(),
        "reports parts hold {} duplicate report_id row(s); each document must appear once (remove stale parts)",
        reports.height() - n_unique
    );
    anyhow::ensure!(
        reports.column("report_id")?.null_count() == 0,
        "reports parts hold rows without report_id"
    );
    let fps = phases.time("fingerprint", || fingerprint::fingerprints(&reports))?;
    let globals = globals_digest(opts.gazetteer.as_ref())?;
    let mpath = manifest_path(out);
    let old: Option<Manifest> = fs::read(&mpath)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let (full, recompute, removed) = plan(old.as_ref(), &globals, &fps, opts.full);

    // A crash from here on leaves no manifest, so the next run is full.
    if mpath.exists() {
        fs::remove_file(&mpath).with_context(|| format!("removing {}", mpath.display()))?;
    }
    for d in Dataset::ALL.into_iter().filter(|d| d.partitioned()) {
        if full {
            let dir = io::dataset_dir(out, d);
            if dir.exists() {
                fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
            }
        }
        for y in &removed {
            io::remove_partition(out, d, *y)?;
        }
    }

    // One id per agency (a pure function of each document's own fields).
    let identities = phases.time("identities", || agencies::lookup(&reports, gazetteer))?;
    // `_rid` follows the report_id order (see `build::RID`).
    let deduped = phases.time("dedup", || -> Result<_> {
        build::dedup(agencies::with_identity(reports.clone().lazy(), &identities))?
            .sort(["report_id"], SortMultipleOptions::default())
            .with_row_index(build::RID, None)
            .collect()
            .context("de-duplicating reports")
    })?;
    tracing::debug!(target: "ogi_analyze::timing", reports_mib = reports.estimated_size() >> 20,
        deduped_mib = deduped.estimated_size() >> 20);
    let n_reports = reports.height();
    // Not needed any more: `deduped` holds the reports from here on.
    drop(reports);
    let mut summary = AnalyzeSummary {
        reports: n_reports,
        full,
        years_removed: removed.iter().copied().collect(),
        ..AnalyzeSummary::default()
    };
    let in_panel = deduped
        .clone()
        .lazy()
        .filter(
            col("status")
                .neq(lit("not_a_report"))
                .and(col("year").is_not_null()),
        )
        .select([
            col("is_canonical").cast(DataType::Int64).sum().alias("c"),
            col("is_canonical")
                .not()
                .cast(DataType::Int64)
                .sum()
                .alias("s"),
        ])
        .collect()?;
    summary.canonical = in_panel.column("c")?.i64()?.get(0).unwrap_or(0) as usize;
    summary.superseded = in_panel.column("s")?.i64()?.get(0).unwrap_or(0) as usize;

    let mut order: Vec<Option<i32>> = recompute.into_iter().collect();
    order.sort_by_key(|y| (y.is_none(), *y));
    // The cells parts are read once per batch of years (one batch unless the
    // cells of the recomputed years exceed `cells_per_pass`).
    let per_pass = opts.cells_per_pass.unwrap_or(CELLS_PER_PASS);
    let batches = year_batches(&deduped, &order, per_pass)?;
    let mut pieces: Option<build::Pieces> = None;
    // Partitions are written by a background thread while the next year is
    // computed; the panel of the year just computed is kept for the next.
    let mut writer = writer::PartitionWriter::start(out, WRITE_QUEUE)?;
    let mut last_panel: Option<(i32, polars::prelude::DataFrame)> = None;
    for y in order {
        let year_filter = match y {
            Some(y) => col("year").eq(lit(y)),
            None => col("year").is_null(),
        };
        let prev = match y.and_then(|y| y.checked_sub(1)) {
            Some(p) if last_panel.as_ref().is_some_and(|(ly, _)| *ly == p) => {
                last_panel.take().map(|(_, df)| df.lazy())
            }
            Some(p) if io::partition_file(out, Dataset::Panel, Some(p)).is_file() => {
                Some(phases.time("read_prev_panel", || {
                    io::read_partition(out, Dataset::Panel, Some(p))
                })?)
            }
            _ => None,
        };
        if let Some(batch) = y.and_then(|y| batches.iter().find(|b| b.first() == Some(&y))) {
            let read = phases.time("read_cells", || {
                read_pieces_of(&deduped, &cells_files, batch)
            })?;
            for (year, p) in &read.years {
                tracing::debug!(target: "ogi_analyze::timing", year, pieces_mib = ?p
                    .estimated_bytes()
                    .into_iter()
                    .map(|(piece, b)| format!("{piece:?}={}", b >> 20))
                    .collect::<Vec<_>>());
            }
            pieces = Some(read);
        }
        let of_year = match (y, pieces.as_mut()) {
            (Some(y), Some(p)) => p.years.remove(&y).map(|yp| (yp, &p.empty)),
            _ => None,
        };
        let frames = build::compute_year(
            y,
            deduped.clone().lazy().filter(year_filter),
            of_year,
            prev,
            gazetteer,
            phases,
        )
        .with_context(|| format!("analysing year {}", year_key(y)))?;
        for (d, rows) in frames.frames {
            *summary
                .rows_written
                .entry(d.name().to_string())
                .or_default() += rows.height();
            if let (Dataset::Panel, Some(y), parquet_out::Rows::Frame(df)) = (d, y, &rows) {
                last_panel = Some((y, df.clone()));
            }
            phases.time("write_queue", || writer.write(d, y, rows))?;
        }
        summary.years_recomputed.push(y);
    }

    // The agencies span all years: rewritten whole on every run (reports only).
    let agencies_df = phases.time("agencies", || {
        build::finish_agencies(agencies::agencies(&deduped, &identities)?)
    })?;
    *summary
        .rows_written
        .entry(Dataset::Agencies.name().to_string())
        .or_default() += agencies_df.height();
    phases.time("write_queue", || {
        writer.write(
            Dataset::Agencies,
            None,
            parquet_out::Rows::Frame(agencies_df),
        )
    })?;
    let busy = phases.time("write_wait", || writer.finish())?;
    phases.add_background("write", busy.wall);
    if let Some(cpu) = busy.cpu {
        phases.add_background("write_cpu", cpu);
    }

    let manifest = Manifest {
        globals,
        years: fps.into_iter().map(|(y, f)| (year_key(y), f)).collect(),
    };
    ogi_util::write_atomic(&mpath, &serde_json::to_vec_pretty(&manifest)?)
        .with_context(|| format!("writing {}", mpath.display()))?;
    Ok(summary)
}

/// Headline figures from the panel, one line per year: agency-years,
/// new requests and pooled substantive disclosure rate over agency-scope
/// reports, documents superseded, agency-years with failed checks or
/// inferred values.
pub fn headline(out: &Path) -> Result<Vec<String>> {
    let panel = read_dataset(out, Dataset::Panel)?;
    let agency = || col("scope").eq(lit("agency"));
    let count = |e: polars::prelude::Expr| e.cast(DataType::Int64).sum();
    let by_year = panel
        .lazy()
        .group_by([col("year")])
        .agg([
            polars::prelude::len().cast(DataType::Int64).alias("n"),
            count(agency()).alias("n_agency"),
            col("new_received").filter(agency()).sum().alias("new"),
            col("granted").filter(agency()).sum().alias("g"),
            col("partially_granted").filter(agency()).sum().alias("p"),
            col("processed_total").filter(agency()).sum().alias("t"),
            (col("n_documents") - lit(1))
                .cast(DataType::Int64)
                .sum()
                .alias("sup"),
            count(col("checks_ok").not()).alias("bad"),
            count(col("has_inferred")).alias("inf"),
        ])
        .with_column(ratio(col("g") + col("p"), col("t")).alias("rate"))
        .sort(["year"], SortMultipleOptions::default())
        .collect()
        .context("computing headline figures")?;
    let i64s = |name: &str| -> Result<Vec<i64>> {
        Ok(by_year
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let years = by_year.column("year")?.i32()?.clone();
    let rates = by_year.column("rate")?.f64()?.clone();
    let (n, na, new, sup, bad, inf) = (
        i64s("n")?,
        i64s("n_agency")?,
        i64s("new")?,
        i64s("sup")?,
        i64s("bad")?,
        i64s("inf")?,
    );
    Ok((0..by_year.height())
        .map(|i| {
            let rate = rates
                .get(i)
                .map_or_else(|| "n/a".to_string(), |r| format!("{:.1} %", r * 100.0));
            format!(
                "{}: {} agency-years ({} agency-scope), {} new requests, substantive disclosure rate {rate}, {} superseded documents, {} with failed checks, {} with inferred values",
                years.get(i).map_or_else(|| "?".to_string(), |y| y.to_string()),
                n[i], na[i], new[i], sup[i], bad[i], inf[i]
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(pairs: &[(Option<i32>, &str)]) -> BTreeMap<Option<i32>, String> {
        pairs.iter().map(|(y, f)| (*y, f.to_string())).collect()
    }

    #[test]
    fn year_batches_respect_the_cell_budget() {
        use polars::prelude::{Column, DataFrame};
        let n = 5;
        let deduped = DataFrame::new(
            n,
            vec![
                Column::new("year".into(), [2020i32, 2020, 2021, 2022, 2023]),
                Column::new("n_cells".into(), [40i32, 40, 100, 30, 50]),
                Column::new("is_canonical".into(), [true, false, true, true, true]),
                Column::new(
                    "status".into(),
                    ["parsed", "parsed", "parsed", "parsed", "not_a_report"],
                ),
            ],
        )
        .unwrap();
        let order = [Some(2020), Some(2021), Some(2022), Some(2023), None];
        let b = year_batches(&deduped, &order, 100).unwrap();
        // 2020 counts only its canonical report (40); 2023 has no canonical one.
        assert_eq!(b, vec![vec![2020], vec![2021], vec![2022, 2023]]);
        let b = year_batches(&deduped, &order, 1000).unwrap();
        assert_eq!(b, vec![vec![2020, 2021, 2022, 2023]]);
        let b = year_batches(&deduped, &order, 0).unwrap();
        assert_eq!(b.len(), 4);
    }

    #[test]
    fn plan_recomputes_changed_and_following_years() {
        let old_fp = fp(&[
            (Some(2021), "a"),
            (Some(2022), "b"),
            (Some(2023), "c"),
            (None, "n"),
        ]);
        let old = Manifest {
            globals: "g".into(),
            years: old_fp
                .iter()
                .map(|(y, f)| (year_key(*y), f.clone()))
                .collect(),
        };
        let new = fp(&[
            (Some(2021), "a"),
            (Some(2022), "B"),
            (Some(2023), "c"),
            (None, "n"),
        ]);
        let (full, re, rm) = plan(Some(&old), "g", &new, false);
        assert!(!full);
        assert_eq!(re, [Some(2022), Some(2023)].into_iter().collect());
        assert!(rm.is_empty());
        let (full, re, _) = plan(Some(&old), "other", &new, false);
        assert!(full);
        assert_eq!(re.len(), 4);
        let gone = fp(&[(Some(2021), "a"), (Some(2023), "c"), (None, "n")]);
        let (_, re, rm) = plan(Some(&old), "g", &gone, false);
        assert_eq!(rm, [Some(2022)].into_iter().collect());
        assert_eq!(re, [Some(2023)].into_iter().collect());
        let (full, _, _) = plan(None, "g", &new, false);
        assert!(full);
    }
}
