//! Reading OUT (the I/O edge): the analyze stage's datasets and the extract
//! stage's cells, through what `ogi-analyze` exposes (dataset names, partition
//! files, column names), into plain types the page renderers take.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use ogi_analyze::compliance::ComplianceRow;
use ogi_analyze::vocab::vocabulary;
use ogi_analyze::{Dataset, partition_file, partitions};
use polars::prelude::{DataFrame, DataType, LazyFrame, PlRefPath, ScanArgsParquet, col, lit};

use crate::prov::Prov;

/// Panel columns shown as an agency's figures, in display order (labels and
/// units come from `ogi_analyze::columns(Dataset::Panel)`).
pub const AGENCY_FIGURES: [&str; 21] = [
    "new_received",
    "carried_over_in",
    "processed_total",
    "granted",
    "partially_granted",
    "denied_total",
    "unavailable_total",
    "not_processed_total",
    "other_total",
    "carried_forward",
    "substantive_disclosure_rate",
    "denied_share",
    "not_held_share",
    "new_received_yoy_change",
    "new_received_yoy_rate",
    "review_total",
    "review_correction_rate",
    "litigation_total",
    "litigation_correction_rate",
    "admin_fees_10k_cny",
    "info_processing_fees_cny",
];

/// Boolean quality columns of the panel, told in plain words on agency pages.
pub const QUALITY_FLAGS: [&str; 6] = [
    "small_n",
    "conflicting_duplicate",
    "continuity_ok",
    "fee_unit_suspect",
    "yoy_jump",
    "has_inferred",
];

/// Regions columns shown on the overview and region pages, in display order.
pub const REGION_FIGURES: [&str; 13] = [
    "n_agency_reports",
    "new_received",
    "processed_total",
    "granted",
    "partially_granted",
    "denied_total",
    "substantive_disclosure_rate",
    "denied_share",
    "not_held_share",
    "review_correction_rate",
    "litigation_correction_rate",
    "admin_fees_10k_cny",
    "info_processing_fees_cny",
];

/// Index of a column in one of the figure lists above.
pub fn idx(list: &[&str], name: &str) -> usize {
    list.iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("{name} is not in the figure list"))
}

/// One canonical agency-year (a `panel` row).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Reporting year.
    pub year: i32,
    /// Report id (SHA-256 of the document).
    pub report_id: String,
    /// Agency id, stable across years.
    pub agency_id: String,
    /// Agency name as this report prints it.
    pub agency: String,
    /// Region code, when known.
    pub region_code: Option<String>,
    /// Province, prefecture and county (code, name), when known.
    pub levels: [Option<(String, String)>; 3],
    /// `agency`, `jurisdiction` or `unknown`.
    pub scope: String,
    /// Document status (`parsed`, `partial`, …).
    pub status: String,
    /// Template version.
    pub template: Option<String>,
    /// Source URL or path.
    pub source: String,
    /// SHA-256 of the document (its name in the raw store).
    pub sha256: String,
    /// When it was fetched.
    pub fetched_at: Option<String>,
    /// Extraction flags.
    pub flags: Vec<String>,
    /// Values of [`AGENCY_FIGURES`] (as f64; null stays `None`).
    pub figures: Vec<Option<f64>>,
    /// Values of [`QUALITY_FLAGS`].
    pub quality: Vec<Option<bool>>,
    /// Share of template cells read.
    pub completeness: Option<f64>,
    /// Checks failed / unverified (null when unknown).
    pub checks_failed: Option<i32>,
    /// Checks that could not be evaluated.
    pub checks_unverified: Option<i32>,
    /// Documents found for this agency-year.
    pub n_documents: Option<i32>,
}

/// One row of the `regions` dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionYear {
    /// Reporting year.
    pub year: i32,
    /// `national`, `province`, `prefecture` or `county`.
    pub level: String,
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Values of [`REGION_FIGURES`].
    pub figures: Vec<Option<f64>>,
}

/// One agency of the `agencies` dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    /// Agency id.
    pub id: String,
    /// Latest name.
    pub name: String,
    /// Every name form seen.
    pub name_forms: Vec<String>,
    /// Administrative level key, when known.
    pub level: Option<String>,
    /// Sector key.
    pub sector: Option<String>,
    /// Why the id may be wrong (coded, `;`-separated in the dataset).
    pub ambiguity: Vec<String>,
}

/// The outcome of one check of one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    /// Evaluated and held.
    Held,
    /// Evaluated and failed.
    Failed,
    /// Could not be evaluated (a blank input): never counted as held.
    Unverified,
}

/// One check of one report (from the `quality` dataset).
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Check id (`C1` … `C5`, `N1`).
    pub id: String,
    /// Its state.
    pub state: CheckState,
    /// Detail as the extractor wrote it, for a check that did not hold
    /// (empty for a held check).
    pub detail: String,
}

/// Table 3 and table 4 of one report as printed: one entry per cell found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    /// Table 3: (row index, column index) in vocabulary order, value, provenance
    /// (in the order read; a later duplicate of a cell wins).
    pub t3: Vec<((u16, u16), Option<f64>, Prov)>,
    /// Table 4: cell index in vocabulary order, value, provenance.
    pub t4: Vec<(u16, Option<f64>, Prov)>,
}

/// Everything the site is made from.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Years with a panel partition, ascending.
    pub years: Vec<i32>,
    /// Canonical reports (panel rows), every year.
    pub reports: Vec<Report>,
    /// Rollups, every level and year.
    pub regions: Vec<RegionYear>,
    /// Agencies by id.
    pub agencies: BTreeMap<String, Agency>,
    /// Checks per report id.
    pub checks: HashMap<String, Vec<Check>>,
    /// Tables 3 and 4 per report id, encoded for the agency data files.
    pub tables: HashMap<String, String>,
    /// Publication compliance rows (`None`: nothing was crawled).
    pub compliance: Option<Vec<ComplianceRow>>,
    /// National refusals by reason per year: (year, denied row key) → sum over
    /// agency-scope canonical reports (table 3 total column; null rows skipped).
    pub refusals: BTreeMap<(i32, String), f64>,
    /// Milliseconds spent reading each input.
    pub phases: Vec<(&'static str, u128)>,
    /// Documents of each year in `quality` (status rows), by status.
    pub documents: BTreeMap<(Option<i32>, String), usize>,
}

/// National refusals: (year, denied row key) → requests.
pub type Refusals = BTreeMap<(i32, String), f64>;

/// Lazily scan Parquet files.
fn scan(files: &[PathBuf]) -> Result<LazyFrame> {
    let paths: Vec<PlRefPath> = files
        .iter()
        .map(|p| PlRefPath::from(p.to_string_lossy().as_ref()))
        .collect();
    LazyFrame::scan_parquet_files(paths.into_iter().collect(), ScanArgsParquet::default())
        .with_context(|| format!("scanning {} parquet file(s)", files.len()))
}

/// String column as owned optional strings.
fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name)?.cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// Numeric column as optional f64.
fn nums(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

/// Integer column as optional i32.
fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    let c = df.column(name)?.cast(&DataType::Int32)?;
    Ok(c.i32()?.iter().collect())
}

/// Boolean column.
fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>> {
    let c = df.column(name)?.cast(&DataType::Boolean)?;
    Ok(c.bool()?.iter().collect())
}

/// The year partitions of a dataset (the null partition is skipped: reports
/// without a year have no place on a page per year).
fn years_of(out: &Path, d: Dataset) -> Result<Vec<i32>> {
    Ok(partitions(out, d)?.into_iter().flatten().collect())
}

/// Reads one year partition of a dataset with the given columns.
fn read_year(out: &Path, d: Dataset, year: i32, cols: &[&str]) -> Result<DataFrame> {
    let file = partition_file(out, d, Some(year));
    scan(std::slice::from_ref(&file))?
        .select(cols.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .with_context(|| format!("reading {}", file.display()))
}

fn split_list(s: Option<String>) -> Vec<String> {
    s.unwrap_or_default()
        .split(';')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn read_panel(out: &Path, years: &[i32]) -> Result<Vec<Report>> {
    let base = [
        "report_id",
        "agency_id",
        "agency",
        "region_code",
        "province_code",
        "province",
        "prefecture_code",
        "prefecture",
        "county_code",
        "county",
        "scope",
        "status",
        "template",
        "source",
        "sha256",
        "fetched_at",
        "flags",
        "completeness",
        "checks_failed",
        "checks_unverified",
        "n_documents",
    ];
    let mut cols: Vec<&str> = base.to_vec();
    cols.extend(AGENCY_FIGURES);
    cols.extend(QUALITY_FLAGS);
    let mut reports = Vec::new();
    for &year in years {
        let df = read_year(out, Dataset::Panel, year, &cols)?;
        let mut s: HashMap<&str, Vec<Option<String>>> = base
            .iter()
            .filter(|c| {
                !matches!(
                    **c,
                    "completeness" | "checks_failed" | "checks_unverified" | "n_documents"
                )
            })
            .map(|c| Ok((*c, strs(&df, c)?)))
            .collect::<Result<_>>()?;
        let figures = AGENCY_FIGURES
            .iter()
            .map(|c| nums(&df, c))
            .collect::<Result<Vec<_>>>()?;
        let quality = QUALITY_FLAGS
            .iter()
            .map(|c| bools(&df, c))
            .collect::<Result<Vec<_>>>()?;
        let completeness = nums(&df, "completeness")?;
        let failed = ints(&df, "checks_failed")?;
        let unverified = ints(&df, "checks_unverified")?;
        let n_docs = ints(&df, "n_documents")?;
        // Each cell is read once: moved out of its column, not cloned.
        let mut get = |c: &str, i: usize| s.get_mut(c).and_then(|v| v[i].take());
        for i in 0..df.height() {
            let mut level = |code: &str, name: &str| {
                get(code, i).map(|c| (c, get(name, i).unwrap_or_default()))
            };
            let levels = [
                level("province_code", "province"),
                level("prefecture_code", "prefecture"),
                level("county_code", "county"),
            ];
            reports.push(Report {
                year,
                report_id: get("report_id", i).unwrap_or_default(),
                agency_id: get("agency_id", i).unwrap_or_default(),
                agency: get("agency", i).unwrap_or_default(),
                region_code: get("region_code", i),
                levels,
                scope: get("scope", i).unwrap_or_default(),
                status: get("status", i).unwrap_or_default(),
                template: get("template", i),
                source: get("source", i).unwrap_or_default(),
                sha256: get("sha256", i).unwrap_or_default(),
                fetched_at: get("fetched_at", i),
                flags: split_list(get("flags", i)),
                figures: figures.iter().map(|f| f[i]).collect(),
                quality: quality.iter().map(|f| f[i]).collect(),
                completeness: completeness[i],
                checks_failed: failed[i],
                checks_unverified: unverified[i],
                n_documents: n_docs[i],
            });
        }
    }
    Ok(reports)
}

fn read_regions(out: &Path) -> Result<Vec<RegionYear>> {
    let mut rows = Vec::new();
    let mut cols = vec!["level", "region_code", "region_name"];
    cols.extend(REGION_FIGURES);
    for year in years_of(out, Dataset::Regions)? {
        let df = read_year(out, Dataset::Regions, year, &cols)?;
        let level = strs(&df, "level")?;
        let code = strs(&df, "region_code")?;
        let name = strs(&df, "region_name")?;
        let figures = REGION_FIGURES
            .iter()
            .map(|c| nums(&df, c))
            .collect::<Result<Vec<_>>>()?;
        for i in 0..df.height() {
            rows.push(RegionYear {
                year,
                level: level[i].clone().unwrap_or_default(),
                code: code[i].clone().unwrap_or_default(),
                name: name[i].clone().unwrap_or_default(),
                figures: figures.iter().map(|f| f[i]).collect(),
            });
        }
    }
    Ok(rows)
}

fn read_agencies(out: &Path) -> Result<BTreeMap<String, Agency>> {
    let file = partition_file(out, Dataset::Agencies, None);
    if !file.is_file() {
        return Ok(BTreeMap::new());
    }
    let df = scan(std::slice::from_ref(&file))?
        .select([
            col("agency_id"),
            col("agency"),
            col("name_forms"),
            col("agency_level"),
            col("sector"),
            col("ambiguity"),
        ])
        .collect()
        .with_context(|| format!("reading {}", file.display()))?;
    let id = strs(&df, "agency_id")?;
    let name = strs(&df, "agency")?;
    let forms = strs(&df, "name_forms")?;
    let level = strs(&df, "agency_level")?;
    let sector = strs(&df, "sector")?;
    let amb = strs(&df, "ambiguity")?;
    Ok((0..df.height())
        .filter_map(|i| {
            let id = id[i].clone()?;
            Some((
                id.clone(),
                Agency {
                    id,
                    name: name[i].clone().unwrap_or_default(),
                    name_forms: split_list(forms[i].clone()),
                    level: level[i].clone(),
                    sector: sector[i].clone(),
                    ambiguity: split_list(amb[i].clone()),
                },
            ))
        })
        .collect())
}

/// Checks per report and document counts per (year, status), from `quality`.
#[allow(clippy::type_complexity)]
fn read_quality(
    out: &Path,
) -> Result<(
    HashMap<String, Vec<Check>>,
    BTreeMap<(Option<i32>, String), usize>,
)> {
    let mut checks: HashMap<String, Vec<Check>> = HashMap::new();
    let mut docs = BTreeMap::new();
    for year in partitions(out, Dataset::Quality)? {
        let file = partition_file(out, Dataset::Quality, year);
        let df = scan(std::slice::from_ref(&file))?
            .select([
                col("report_id"),
                col("kind"),
                col("item"),
                col("ok"),
                col("detail"),
            ])
            .filter(
                col("kind")
                    .eq(lit("check"))
                    .or(col("kind").eq(lit("status"))),
            )
            .collect()
            .with_context(|| format!("reading {}", file.display()))?;
        let text = |name: &str| -> Result<polars::prelude::Column> {
            Ok(df.column(name)?.cast(&DataType::String)?)
        };
        let (rid, kind, item, detail) = (
            text("report_id")?,
            text("kind")?,
            text("item")?,
            text("detail")?,
        );
        let (rid, kind, item, detail) = (rid.str()?, kind.str()?, item.str()?, detail.str()?);
        let ok = bools(&df, "ok")?;
        for (i, ok) in ok.iter().enumerate() {
            let it = item.get(i).unwrap_or_default();
            if kind.get(i) == Some("status") {
                *docs.entry((year, it.to_string())).or_insert(0) += 1;
                continue;
            }
            let state = match ok {
                Some(true) => CheckState::Held,
                Some(false) => CheckState::Failed,
                None => CheckState::Unverified,
            };
            // The detail (instances held/failed/unverified) is kept where the check did not hold.
            let detail = match state {
                CheckState::Held => String::new(),
                _ => detail.get(i).unwrap_or_default().to_string(),
            };
            let id = rid.get(i).unwrap_or_default();
            match checks.get_mut(id) {
                Some(v) => v.push(Check {
                    id: it.to_string(),
                    state,
                    detail,
                }),
                None => {
                    checks.insert(
                        id.to_string(),
                        vec![Check {
                            id: it.to_string(),
                            state,
                            detail,
                        }],
                    );
                }
            }
        }
    }
    Ok((checks, docs))
}

/// The `part-*.parquet` files of an extract table directory, sorted.
fn part_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut parts = Vec::new();
    for e in entries {
        let e = e.with_context(|| format!("listing {}", dir.display()))?;
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("part-") && name.ends_with(".parquet") {
            parts.push(e.path());
        }
    }
    parts.sort();
    Ok(parts)
}

/// Adds the cells gathered for one report to the part's tables.
fn flush(part: &mut HashMap<usize, Tables>, rep: usize, t: Tables) {
    let e = part.entry(rep).or_default();
    e.t3.extend(t.t3);
    e.t4.extend(t.t4);
}

/// Tables 3 and 4 of the canonical reports, read from the extract stage's
/// cells parts one part at a time, each report's tables turned into text by
/// `encode` as soon as its part is read (so memory holds text, not cells);
/// plus the national refusals by reason.
fn read_tables(
    out: &Path,
    reports: &[Report],
    encode: &dyn Fn(&Tables) -> String,
) -> Result<(HashMap<String, String>, Refusals)> {
    let v = vocabulary();
    let index = |terms: &[ogi_analyze::vocab::Term]| -> HashMap<String, u16> {
        terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key.clone(), i as u16))
            .collect()
    };
    let (row_ix, col_ix, t4_ix) = (
        index(&v.table3_rows),
        index(&v.table3_columns),
        index(&v.table4),
    );
    let by_id: HashMap<&str, usize> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.report_id.as_str(), i))
        .collect();
    let mut tables: HashMap<String, String> = HashMap::with_capacity(reports.len());
    let mut refusals = BTreeMap::new();
    for part in part_files(&out.join("extract").join("cells"))? {
        let df = scan(std::slice::from_ref(&part))?
            .select([
                col("report_id"),
                col("table"),
                col("row"),
                col("col"),
                col("value"),
                col("provenance"),
            ])
            .filter(col("table").eq(lit(3)).or(col("table").eq(lit(4))))
            .collect()
            .with_context(|| format!("reading cells {}", part.display()))?;
        let rid = df.column("report_id")?.cast(&DataType::String)?;
        let rid = rid.str()?;
        let table = ints(&df, "table")?;
        let row = df.column("row")?.cast(&DataType::String)?;
        let row = row.str()?;
        let colk = df.column("col")?.cast(&DataType::String)?;
        let colk = colk.str()?;
        let value = nums(&df, "value")?;
        let prov = df.column("provenance")?.cast(&DataType::String)?;
        let prov = prov.str()?;
        // Cells of this part by canonical report (index into `reports`); the
        // cells of one report are usually contiguous, so they gather in `cur`.
        let mut part_tables: HashMap<usize, Tables> = HashMap::new();
        let mut cur: Option<(usize, Tables)> = None;
        let mut last: Option<(&str, Option<usize>)> = None;
        let mut last_row: Option<(&str, Option<u16>)> = None;
        let total_col = col_ix.get("total").copied();
        let col_keys: Vec<(&str, u16)> = col_ix.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        // The columns are walked with iterators (indexing a chunked array
        // row by row looks the chunk up every time).
        let cells = rid
            .iter()
            .zip(row.iter())
            .zip(colk.iter())
            .zip(prov.iter())
            .zip(table.iter().zip(&value));
        for ((((id, rk), ck), pv), (tb, val)) in cells {
            let (Some(id), Some(rk)) = (id, rk) else {
                continue;
            };
            let rep = match last {
                Some((l, r)) if l == id => r,
                _ => {
                    let r = by_id.get(id).copied();
                    last = Some((id, r));
                    r
                }
            };
            let Some(rep) = rep else {
                continue; // not a canonical report
            };
            if cur.as_ref().is_none_or(|(r, _)| *r != rep) {
                if let Some((r, t)) = cur.take() {
                    flush(&mut part_tables, r, t);
                }
                cur = Some((rep, Tables::default()));
            }
            let Some((_, entry)) = cur.as_mut() else {
                continue;
            };
            let p = Prov::parse(pv.unwrap_or(""));
            if *tb == Some(3) {
                let r = match last_row {
                    Some((l, r)) if l == rk => r,
                    _ => {
                        let r = row_ix.get(rk).copied();
                        last_row = Some((rk, r));
                        r
                    }
                };
                let c = ck.and_then(|c| col_keys.iter().find(|(k, _)| *k == c).map(|(_, v)| *v));
                let (Some(r), Some(c)) = (r, c) else {
                    continue;
                };
                entry.t3.push(((r, c), *val, p));
                let report = &reports[rep];
                if Some(c) == total_col
                    && report.scope == "agency"
                    && rk.starts_with("denied_")
                    && let Some(x) = *val
                {
                    *refusals.entry((report.year, rk.to_string())).or_insert(0.0) += x;
                }
            } else if let Some(&k) = t4_ix.get(rk) {
                entry.t4.push((k, *val, p));
            }
        }
        if let Some((r, t)) = cur.take() {
            flush(&mut part_tables, r, t);
        }
        for (rep, t) in part_tables {
            tables.insert(reports[rep].report_id.clone(), encode(&t));
        }
    }
    Ok((tables, refusals))
}

/// Reads everything the site shows from OUT; `encode` turns one report's
/// tables 3 and 4 into the text the agency data files hold.
pub fn load(out: &Path, encode: &dyn Fn(&Tables) -> String) -> Result<Corpus> {
    let years = years_of(out, Dataset::Panel)?;
    anyhow::ensure!(
        !years.is_empty(),
        "no panel dataset under {} (run `ogi analyze` first)",
        out.join("datasets").display()
    );
    let mut phases = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        phases.push((name, clock.elapsed().as_millis()));
        clock = std::time::Instant::now();
    };
    let reports = read_panel(out, &years)?;
    lap("panel");
    let regions = read_regions(out)?;
    let agencies = read_agencies(out)?;
    lap("regions+agencies");
    let (checks, documents) = read_quality(out)?;
    lap("quality");
    let (tables, refusals) = read_tables(out, &reports, encode)?;
    lap("cells");
    // Agency ids as `analyze` makes them with the bundled gazetteer.
    let compliance = ogi_analyze::compliance::build(out, Some(ogi_analyze::Gazetteer::bundled()))
        .context("publication compliance")?;
    lap("compliance");
    Ok(Corpus {
        phases,
        years,
        reports,
        regions,
        agencies,
        checks,
        tables,
        compliance,
        refusals,
        documents,
    })
}
