//! Polars stage of ogi: extracted `reports` and `cells` parts to the
//! published datasets (see `analyze/README.md` and the generated codebook).
//!
//! Entry points: [`analyze`] (incremental, per-year Hive partitions),
//! [`export_csv`] (journalist CSVs) and [`write_codebook`].

#![warn(missing_docs)]

mod build;
mod export;
mod io;
pub mod regions;
mod schema;
pub mod vocab;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use polars::prelude::{DataType, IntoLazy, SortMultipleOptions, col, lit};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use build::{DEDUP_RULE, REPORT_COLUMNS, ratio};
pub use export::{Lang, codebook_markdown, codebook_rows, export_csv, header, write_codebook};
pub use io::{NULL_PARTITION, partition_file, partitions, read_dataset};
pub use regions::Gazetteer;
pub use schema::{ColumnDoc, Dataset, columns};

/// Version of the analysis logic; a change forces a full recomputation.
pub const ANALYZE_VERSION: &str = concat!("ogi-analyze ", env!("CARGO_PKG_VERSION"), " schema 1");

/// Gazetteer path used when none is configured (relative to the working directory).
pub const DEFAULT_GAZETTEER: &str = "data/gazetteer/divisions.csv";

/// Options of [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Gazetteer CSV (`code,name,level,parent`). `None`: names are parsed
    /// from the region strings of the documents.
    pub gazetteer: Option<PathBuf>,
    /// Recompute every year even if nothing changed.
    pub full: bool,
}

impl Default for AnalyzeOptions {
    /// Uses [`DEFAULT_GAZETTEER`] (or the workspace copy) when it exists.
    fn default() -> Self {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(DEFAULT_GAZETTEER);
        let gazetteer = [PathBuf::from(DEFAULT_GAZETTEER), workspace]
            .into_iter()
            .find(|p| p.is_file());
        AnalyzeOptions {
            gazetteer,
            full: false,
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

/// Per-year fingerprint of the report rows (every column), used to find the
/// years whose inputs changed. Cells are assumed to change only together
/// with their report row (same document + same parser version → same cells).
fn fingerprints(reports: &polars::prelude::DataFrame) -> Result<BTreeMap<Option<i32>, String>> {
    let as_text: Vec<_> = REPORT_COLUMNS
        .iter()
        .map(|c| col(*c).cast(DataType::String).fill_null(lit("\u{0}")))
        .collect();
    let mut select = vec![col("year").alias("_year")];
    select.extend(as_text);
    let df = reports
        .clone()
        .lazy()
        .select(select)
        .sort(
            ["_year", "report_id", "source"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()
        .context("fingerprinting reports")?;
    let years = df.column("_year")?.i32()?.clone();
    let cols = REPORT_COLUMNS
        .iter()
        .map(|c| Ok(df.column(c)?.str()?.clone()))
        .collect::<Result<Vec<_>>>()?;
    let mut hashers: BTreeMap<Option<i32>, Sha256> = BTreeMap::new();
    for (i, y) in years.iter().enumerate() {
        let h = hashers.entry(y).or_default();
        for c in &cols {
            h.update(c.get(i).unwrap_or("").as_bytes());
            h.update([0x1f]);
        }
        h.update([0x1e]);
    }
    Ok(hashers
        .into_iter()
        .map(|(y, h)| (y, hex::encode(h.finalize())))
        .collect())
}

fn globals_digest(gazetteer: Option<&Path>) -> Result<String> {
    let mut h = Sha256::new();
    h.update(ANALYZE_VERSION.as_bytes());
    for t in vocab::vocabulary_text() {
        h.update(t.as_bytes());
    }
    if let Some(p) = gazetteer {
        h.update(fs::read(p).with_context(|| format!("reading gazetteer {}", p.display()))?);
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

/// Run the analysis: read `OUT/extract/{reports,cells}/part-*.parquet`, write
/// every [`Dataset`] under `OUT/datasets/<name>/year=<year>/part-0.parquet`.
///
/// Incremental: only the years whose report rows changed (plus the following
/// year, for the year-on-year measures) are recomputed; the result equals a
/// full recomputation. A change of the analysis version, vocabulary or
/// gazetteer, or `opts.full`, recomputes everything.
pub fn analyze(out: &Path, opts: &AnalyzeOptions) -> Result<AnalyzeSummary> {
    let reports_files = io::part_files(&out.join("extract").join("reports"))?;
    let cells_files = io::part_files(&out.join("extract").join("cells"))?;
    let mut reports_lf = io::scan(&reports_files)?;
    build::check_report_schema(&mut reports_lf)?;
    for part in &cells_files {
        build::check_cell_schema(&mut io::scan(std::slice::from_ref(part))?)
            .with_context(|| format!("in {}", part.display()))?;
    }
    let reports = reports_lf
        .select(REPORT_COLUMNS.map(build::typed_report_column))
        .collect()
        .context("reading reports parts")?;
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
    let gazetteer = match &opts.gazetteer {
        Some(p) => Some(Gazetteer::load(p)?),
        None => None,
    };

    let fps = fingerprints(&reports)?;
    let globals = globals_digest(opts.gazetteer.as_deref())?;
    let mpath = manifest_path(out);
    let old: Option<Manifest> = fs::read(&mpath)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let (full, recompute, removed) = plan(old.as_ref(), &globals, &fps, opts.full);

    // A crash from here on leaves no manifest, so the next run is full.
    if mpath.exists() {
        fs::remove_file(&mpath).with_context(|| format!("removing {}", mpath.display()))?;
    }
    for d in Dataset::ALL {
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

    let deduped = build::dedup(reports.clone().lazy())?
        .collect()
        .context("de-duplicating reports")?;
    let mut summary = AnalyzeSummary {
        reports: reports.height(),
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
    for y in order {
        let year_filter = match y {
            Some(y) => col("year").eq(lit(y)),
            None => col("year").is_null(),
        };
        let prev = match y.and_then(|y| y.checked_sub(1)) {
            Some(p) if io::partition_file(out, Dataset::Panel, Some(p)).is_file() => {
                Some(io::read_partition(out, Dataset::Panel, Some(p))?)
            }
            _ => None,
        };
        let frames = build::compute_year(
            y,
            deduped.clone().lazy().filter(year_filter),
            &cells_files,
            prev,
            gazetteer.as_ref(),
        )
        .with_context(|| format!("analysing year {}", year_key(y)))?;
        for (d, mut df) in frames.frames {
            *summary
                .rows_written
                .entry(d.name().to_string())
                .or_default() += df.height();
            io::write_partition(out, d, y, &mut df)?;
        }
        summary.years_recomputed.push(y);
    }

    let manifest = Manifest {
        globals,
        years: fps.into_iter().map(|(y, f)| (year_key(y), f)).collect(),
    };
    fs::create_dir_all(out.join("datasets"))?;
    fs::write(&mpath, serde_json::to_vec_pretty(&manifest)?)
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
