//! Benchmark: a synthetic corpus of N reports written directly as extract
//! parts, then `analyze` (wall time, peak RSS), then the same national
//! queries with DuckDB and pandas (notebooks/bench_queries.py).
//!
//! ```text
//! cargo run --release -p ogi-analyze --example bench_analyze -- --n 100000 --out /tmp/ogi-bench
//! cargo run -p ogi-analyze --example bench_analyze -- --n 3000 --out ./ogi-demo --no-python   # demo data for the notebooks
//! ```
//! Options: `--n N` (reports, default 10000; 1000000 is the goal size),
//! `--out DIR`, `--part-size K` (reports per part, default 20000),
//! `--no-python`, `--keep` (do not delete DIR/extract before generating),
//! `--generate-only` (write the parts and stop; used by `scripts/bench.sh`),
//! `--identities FILE` (only write the agency identity of every distinct
//! (agency, region_code, region) of DIR/extract/reports as Parquet: the
//! name rules that the DuckDB and pandas comparisons of `scripts/bench.sh`
//! take as given instead of re-implementing them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result};
use ogi_analyze::{
    AnalyzeOptions, Dataset, Lang, analyze, export_csv, vocab::vocabulary, write_codebook,
};
use polars::prelude::{
    Column, DataFrame, DataType, IntoLazy, LazyFrame, ParquetCompression, ParquetWriter, col,
};

const YEARS: [i32; 6] = [2019, 2020, 2021, 2022, 2023, 2024];
const SUFFIXES: [&str; 10] = [
    "人民政府办公室",
    "民政局",
    "教育局",
    "财政局",
    "公安分局",
    "发展和改革委员会",
    "红旗路街道办事处",
    "城关镇人民政府",
    "卫生健康委员会",
    "市场监督管理局",
];

struct Args {
    n: usize,
    out: PathBuf,
    part_size: usize,
    python: bool,
    keep: bool,
    /// Internal: only run the analysis (in a child process, for a clean peak RSS).
    analyze_only: bool,
    generate_only: bool,
    identities: Option<PathBuf>,
}

fn args() -> Result<Args> {
    let mut a = Args {
        n: 10_000,
        out: std::env::temp_dir().join("ogi-bench"),
        part_size: 20_000,
        python: true,
        keep: false,
        analyze_only: false,
        generate_only: false,
        identities: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--n" => a.n = it.next().context("--n N")?.replace('_', "").parse()?,
            "--out" => a.out = PathBuf::from(it.next().context("--out DIR")?),
            "--part-size" => a.part_size = it.next().context("--part-size K")?.parse()?,
            "--no-python" => a.python = false,
            "--keep" => a.keep = true,
            "--analyze-only" => a.analyze_only = true,
            "--generate-only" => a.generate_only = true,
            "--identities" => {
                a.identities = Some(PathBuf::from(it.next().context("--identities FILE")?))
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(a.part_size > 0, "--part-size must be positive");
    Ok(a)
}

/// Counties (code, full region name) from the gazetteer, or synthetic ones.
fn counties() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/gazetteer/divisions.csv");
    let mut out = Vec::new();
    if let Ok(mut r) = csv::Reader::from_path(&path) {
        let mut names = std::collections::HashMap::new();
        let recs: Vec<csv::StringRecord> = r.records().filter_map(Result::ok).collect();
        for rec in &recs {
            names.insert(rec[0].to_string(), rec[1].to_string());
        }
        for rec in recs.iter().filter(|r| &r[2] == "county") {
            let code = rec[0].to_string();
            let prov = names
                .get(&format!("{}0000", &code[..2]))
                .cloned()
                .unwrap_or_default();
            let pref = names
                .get(&format!("{}00", &code[..4]))
                .cloned()
                .unwrap_or_default();
            out.push((code, format!("{prov}{pref}{}", &rec[1])));
        }
    }
    if out.is_empty() {
        for i in 0..500 {
            out.push((
                format!("41{:02}{:02}", 1 + i / 20, 1 + i % 20),
                format!("河南省某市某{i}区"),
            ));
        }
    }
    out
}

/// Deterministic pseudo-random numbers (splitmix64).
fn rnd(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Default)]
struct Reports {
    id: Vec<String>,
    status: Vec<&'static str>,
    agency: Vec<Option<String>>,
    year: Vec<Option<i32>>,
    template: Vec<Option<&'static str>>,
    region: Vec<Option<String>>,
    code: Vec<Option<String>>,
    scope: Vec<&'static str>,
    n_cells: Vec<i32>,
    n_inferred: Vec<i32>,
    failed: Vec<i32>,
    fetched: Vec<Option<String>>,
}

#[derive(Default)]
struct Cells {
    id: Vec<String>,
    table: Vec<i32>,
    row: Vec<&'static str>,
    col: Vec<Option<&'static str>>,
    value: Vec<Option<f64>>,
    value_int: Vec<Option<i64>>,
    unit: Vec<&'static str>,
    provenance: Vec<&'static str>,
}

impl Cells {
    #[allow(clippy::too_many_arguments)] // one cell's fields, bench-only helper
    fn push(
        &mut self,
        id: &str,
        table: i32,
        row: &'static str,
        col: Option<&'static str>,
        v: f64,
        fee: bool,
        prov: &'static str,
    ) {
        self.id.push(id.to_string());
        self.table.push(table);
        self.row.push(row);
        self.col.push(col);
        self.value.push(Some(v));
        self.value_int.push((!fee).then_some(v as i64));
        self.unit.push(if fee { "10k_cny" } else { "count" });
        self.provenance.push(prov);
    }
}

/// Table-3 values of one column: (row key, value) consistent with C1 and C3.
fn t3_column(seed: u64, template2019: bool) -> Vec<(&'static str, i64)> {
    let new = (rnd(seed) % 60) as i64;
    let carried_in = (rnd(seed + 1) % 4) as i64;
    let cf = (new + carried_in) / 10;
    let p = new + carried_in - cf;
    let granted = p * 6 / 10;
    let partial = p / 10;
    let not_held = p * 15 / 100;
    let third = p / 20;
    let other = p - granted - partial - not_held - third;
    let mut v = vec![
        ("new_received", new),
        ("carried_over_in", carried_in),
        ("granted", granted),
        ("partially_granted", partial),
        ("denied_third_party", third),
        ("unavailable_not_held", not_held),
    ];
    if template2019 {
        v.push(("other_total_2019", other));
    } else {
        v.push(("other_other", other));
        v.push(("other_no_correction", 0));
        v.push(("other_fee_unpaid", 0));
    }
    v.extend([("processed_total", p), ("carried_forward", cf)]);
    v
}

fn generate_part(
    first: usize,
    last: usize,
    counties: &[(String, String)],
    reports: &mut Reports,
    cells: &mut Cells,
) {
    let v = vocabulary();
    let cols: Vec<&'static str> = v.table3_columns.iter().map(|t| t.key.as_str()).collect();
    let t4: Vec<&'static str> = v.table4.iter().map(|t| t.key.as_str()).collect();
    let t2: Vec<(&'static str, bool)> = v
        .table2
        .iter()
        .map(|t| (t.key.as_str(), t.is_fee()))
        .collect();
    for i in first..last {
        let r = rnd(i as u64 * 7919);
        let a = i / YEARS.len();
        let year = YEARS[i % YEARS.len()];
        let (code, region) = &counties[(a / SUFFIXES.len()) % counties.len()];
        let k = a % SUFFIXES.len() + SUFFIXES.len() * (a / (SUFFIXES.len() * counties.len()));
        let jurisdiction = a.is_multiple_of(33);
        let county = region.rsplit(['市', '州', '盟']).next().unwrap_or(region);
        let agency = if jurisdiction {
            format!("{county}人民政府")
        } else {
            let suffix = SUFFIXES[k % SUFFIXES.len()];
            let round = k / SUFFIXES.len();
            if round == 0 {
                format!("{county}{suffix}")
            } else {
                format!("{county}第{round}{suffix}")
            }
        };
        let status = match r % 100 {
            0 => "not_a_report",
            1 | 2 => "needs_ocr",
            _ => "parsed",
        };
        let copies = if i.is_multiple_of(97) && status == "parsed" {
            2
        } else {
            1
        };
        for copy in 0..copies {
            let id = format!(
                "{:064x}",
                (rnd(i as u64) as u128) << 64 | (i as u128) << 1 | copy as u128
            );
            let template2019 = year <= 2020;
            let mut n_cells = 0;
            let mut n_inferred = 0;
            if status == "parsed" {
                let inferred_at = (r % 100 == 50).then_some(r as usize % cols.len());
                let mut totals = std::collections::BTreeMap::<&'static str, i64>::new();
                for (ci, c) in cols.iter().enumerate().filter(|(_, c)| **c != "total") {
                    for (row, val) in t3_column(r ^ (ci as u64 * 131) ^ copy as u64, template2019) {
                        *totals.entry(row).or_default() += val;
                        let prov = if inferred_at == Some(ci) && row == "granted" {
                            "inferred"
                        } else {
                            "printed"
                        };
                        n_inferred += i32::from(prov == "inferred");
                        cells.push(&id, 3, row, Some(c), val as f64, false, prov);
                        n_cells += 1;
                    }
                }
                for (row, total) in totals {
                    cells.push(&id, 3, row, Some("total"), total as f64, false, "printed");
                    n_cells += 1;
                }
                for (j, key) in t4.iter().enumerate() {
                    let val = if key.ends_with("_total") {
                        0
                    } else {
                        (rnd(r + j as u64) % 3) as i64
                    };
                    cells.push(&id, 4, key, None, val as f64, false, "printed");
                    n_cells += 1;
                }
                for (j, (key, fee)) in t2.iter().enumerate() {
                    let val = if *fee {
                        (rnd(r + 100 + j as u64) % 100_000) as f64 / 1000.0
                    } else {
                        (rnd(r + j as u64) % 20) as f64
                    };
                    cells.push(&id, 2, key, None, val, *fee, "printed");
                    n_cells += 1;
                }
            }
            let no_year = status == "not_a_report";
            reports.id.push(id);
            reports.status.push(status);
            reports.agency.push((!no_year).then(|| agency.clone()));
            reports.year.push((!no_year).then_some(year));
            reports
                .template
                .push((!no_year).then_some(if template2019 { "2019" } else { "2021" }));
            reports.region.push(Some(region.clone()));
            reports.code.push(Some(code.clone()));
            reports.scope.push(if jurisdiction {
                "jurisdiction"
            } else {
                "agency"
            });
            reports.n_cells.push(n_cells);
            reports.n_inferred.push(n_inferred);
            reports.failed.push(copy);
            reports
                .fetched
                .push(Some(format!("2025-0{}-01T00:00:00Z", 1 + copy)));
        }
    }
}

fn write(df: &mut DataFrame, path: &Path) -> Result<()> {
    std::fs::create_dir_all(path.parent().context("parent")?)?;
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    ParquetWriter::new(f)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)?;
    Ok(())
}

fn flush(out: &Path, part: usize, r: Reports, c: Cells) -> Result<(usize, usize)> {
    let n = r.id.len();
    let checks = |f: i32| {
        if f > 0 {
            r#"[{"id":"C1","ok":false,"detail":"new_received + carried_over_in != processed_total + carried_forward"},{"id":"C2","ok":true,"detail":""}]"#
        } else {
            r#"[{"id":"C1","ok":true,"detail":""},{"id":"C2","ok":true,"detail":""}]"#
        }
    };
    let mut reports = DataFrame::new(
        n,
        vec![
            Column::new("report_id".into(), &r.id),
            Column::new(
                "source".into(),
                r.id.iter()
                    .map(|i| format!("https://gov.example.cn/{}.html", &i[..16]))
                    .collect::<Vec<_>>(),
            ),
            Column::new("sha256".into(), &r.id),
            Column::new("status".into(), &r.status),
            Column::new("format".into(), vec![Some("html"); n]),
            Column::new("charset".into(), vec![Some("utf-8"); n]),
            Column::new("title".into(), &r.agency),
            Column::new("agency".into(), &r.agency),
            Column::new("year".into(), &r.year),
            Column::new("template".into(), &r.template),
            Column::new("region".into(), &r.region),
            Column::new("region_code".into(), &r.code),
            Column::new("scope".into(), &r.scope),
            Column::new("n_cells".into(), &r.n_cells),
            Column::new("n_inferred".into(), &r.n_inferred),
            Column::new(
                "checks_passed".into(),
                r.failed.iter().map(|f| 2 - f).collect::<Vec<i32>>(),
            ),
            Column::new("checks_failed".into(), &r.failed),
            Column::new(
                "failed_checks".into(),
                r.failed
                    .iter()
                    .map(|f| if *f > 0 { "C1" } else { "" })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "checks_json".into(),
                r.failed.iter().map(|f| checks(*f)).collect::<Vec<_>>(),
            ),
            Column::new(
                "flags".into(),
                r.n_inferred
                    .iter()
                    .map(|k| if *k > 0 { "inferred:C1" } else { "" })
                    .collect::<Vec<_>>(),
            ),
            Column::new("portal_id".into(), vec![Some("bench"); n]),
            Column::new("fetched_at".into(), &r.fetched),
            Column::new("parser_version".into(), vec!["bench-1"; n]),
        ],
    )?;
    let m = c.id.len();
    let mut cells = DataFrame::new(
        m,
        vec![
            Column::new("report_id".into(), c.id),
            Column::new("table".into(), c.table),
            Column::new("row".into(), c.row),
            Column::new("col".into(), c.col),
            Column::new("value".into(), c.value),
            Column::new("value_int".into(), c.value_int.clone()),
            Column::new("unit".into(), c.unit),
            Column::new("raw_unit".into(), vec![None::<&str>; m]),
            Column::new(
                "raw".into(),
                c.value_int
                    .iter()
                    .map(|v| v.map(|v| v.to_string()).unwrap_or_default())
                    .collect::<Vec<_>>(),
            ),
            Column::new("provenance".into(), c.provenance),
            Column::new("line".into(), vec![Some(1i32); m]),
        ],
    )?;
    write(
        &mut reports,
        &out.join(format!("extract/reports/part-{part:05}.parquet")),
    )?;
    write(
        &mut cells,
        &out.join(format!("extract/cells/part-{part:05}.parquet")),
    )?;
    Ok((n, m))
}

/// Peak resident set size of this process in MiB (Linux VmHWM).
fn peak_rss_mib() -> Option<f64> {
    ogi_util::memory::peak_rss_bytes().map(|b| b as f64 / 1048576.0)
}

/// The analysis phase, timed; prints its own peak RSS.
fn run_analysis(out: &Path) -> Result<()> {
    let t1 = Instant::now();
    let summary = analyze(
        out,
        &AnalyzeOptions {
            full: true,
            ..AnalyzeOptions::default()
        },
    )?;
    let full_s = t1.elapsed().as_secs_f64();
    println!(
        "analyze (full): {full_s:.1}s, {} canonical, {} superseded, rows {:?}",
        summary.canonical, summary.superseded, summary.rows_written
    );
    let t2 = Instant::now();
    let again = analyze(out, &AnalyzeOptions::default())?;
    println!(
        "analyze (no change, incremental): {:.2}s, years recomputed {:?}",
        t2.elapsed().as_secs_f64(),
        again.years_recomputed
    );
    let t3 = Instant::now();
    write_codebook(&out.join("exports"))?;
    let csv = export_csv(
        out,
        Dataset::Panel,
        &ogi_analyze::ExportOptions {
            lang: Lang::Both,
            headers: ogi_analyze::Headers::Short,
        },
        None,
    )?;
    println!(
        "codebook + panel CSV export: {:.2}s -> {}",
        t3.elapsed().as_secs_f64(),
        csv.display()
    );
    println!(
        "analysis peak RSS: {:.0} MiB",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Writes the agency identities of the reports parts under `out` to `dest`.
fn write_identities(out: &Path, dest: &Path) -> Result<()> {
    let files: Vec<PathBuf> = std::fs::read_dir(out.join("extract/reports"))
        .context("reading extract/reports")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    let paths: Vec<polars::prelude::PlRefPath> = files
        .iter()
        .map(|p| polars::prelude::PlRefPath::from(p.to_string_lossy().as_ref()))
        .collect();
    let reports = LazyFrame::scan_parquet_files(
        paths.into_iter().collect(),
        polars::prelude::ScanArgsParquet::default(),
    )?
    .select([
        col("agency").cast(DataType::String),
        col("region_code").cast(DataType::String),
        col("region").cast(DataType::String),
    ])
    .collect()?;
    let ids = ogi_analyze::agencies::lookup(&reports, Some(ogi_analyze::Gazetteer::bundled()))?;
    let mut ids = ids
        .lazy()
        .select([
            col("agency"),
            col("region_code"),
            col("region"),
            col("agency_id"),
        ])
        .collect()?;
    write(&mut ids, dest)
}

fn main() -> Result<()> {
    let a = args()?;
    if a.analyze_only {
        return run_analysis(&a.out);
    }
    if let Some(dest) = &a.identities {
        return write_identities(&a.out, dest);
    }
    if !a.keep {
        for sub in ["extract", "datasets"] {
            let d = a.out.join(sub);
            if d.exists() {
                std::fs::remove_dir_all(&d).with_context(|| format!("removing {}", d.display()))?;
            }
        }
    }
    let counties = counties();
    let t0 = Instant::now();
    let (mut docs, mut cells) = (0, 0);
    for (part, first) in (0..a.n).step_by(a.part_size).enumerate() {
        let (mut r, mut c) = (Reports::default(), Cells::default());
        generate_part(
            first,
            (first + a.part_size).min(a.n),
            &counties,
            &mut r,
            &mut c,
        );
        let (n, m) = flush(&a.out, part, r, c)?;
        docs += n;
        cells += m;
    }
    println!(
        "generated {docs} documents ({} nominal reports), {cells} cells in {:.1}s (generator peak RSS {:.0} MiB) -> {}",
        a.n,
        t0.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN),
        a.out.display()
    );
    if a.generate_only {
        return Ok(());
    }
    // The analysis runs in a child process so that its peak RSS is its own.
    let t = Instant::now();
    let status = Command::new(std::env::current_exe()?)
        .arg("--analyze-only")
        .arg("--out")
        .arg(&a.out)
        .status()
        .context("running the analysis phase")?;
    anyhow::ensure!(status.success(), "analysis phase failed");
    println!(
        "analysis phase wall time: {:.1}s",
        t.elapsed().as_secs_f64()
    );
    if a.python {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks/bench_queries.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg(&a.out)
            .status()
            .with_context(|| format!("running {}", script.display()))?;
        anyhow::ensure!(status.success(), "{} failed", script.display());
    }
    Ok(())
}
