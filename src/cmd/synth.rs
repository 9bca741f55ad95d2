//! `ogi synth`: a reproducible synthetic corpus of reports — a flat sample of
//! every layout (`--reports N`), or a panel-shaped corpus of real regions'
//! agencies over several years with its ground truth (`--agencies N`, see
//! `ogi_testkit::corpus`).

use anyhow::Context;
use clap::Args;
use ogi_extract::Template;
use ogi_testkit::corpus::{self, CorpusOptions};
use ogi_testkit::synth::{Layout, Options, Rng, synth};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `ogi synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Directory to write the corpus into.
    #[arg(long)]
    out: PathBuf,
    /// Number of reports (flat sample: random agencies, every layout in turn).
    #[arg(long, default_value_t = 100, conflicts_with = "agencies")]
    reports: u64,
    /// Panel corpus: number of agencies of real regions, each reporting over
    /// `--years` (writes `manifest.csv` and `agencies.csv` with the ground truth).
    #[arg(long)]
    agencies: Option<usize>,
    /// Panel corpus: number of provinces the agencies are spread over.
    #[arg(long, default_value_t = 4, requires = "agencies")]
    provinces: usize,
    /// Panel corpus: reporting years, `FIRST-LAST`.
    #[arg(long, default_value = "2019-2024", requires = "agencies", value_parser = parse_years)]
    years: (i32, i32),
    /// Panel corpus: percentage of agency-years without a report.
    #[arg(long, default_value_t = 10, requires = "agencies")]
    missing_percent: u64,
    /// Panel corpus: percentage of reports published twice (same contents).
    #[arg(long, default_value_t = 5, requires = "agencies")]
    republished_percent: u64,
    /// Panel corpus: percentage of reports followed by a revised version.
    #[arg(long, default_value_t = 3, requires = "agencies")]
    revised_percent: u64,
    /// Seed: the same seed always gives the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Percentage of reports with a deliberate inconsistency (a check must fail).
    #[arg(long, default_value_t = 5)]
    inconsistent_percent: u64,
    /// Percentage of reports in the 2019 template (flat sample only).
    #[arg(long, default_value_t = 20)]
    template_2019_percent: u64,
}

/// `2019-2024` → (2019, 2024).
fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("{s:?}: expected FIRST-LAST, e.g. 2019-2024"))?;
    let year = |t: &str| {
        t.trim()
            .parse::<i32>()
            .map_err(|_| format!("{t:?} is not a year"))
    };
    let (a, b) = (year(a)?, year(b)?);
    if a > b || !(2008..=2100).contains(&a) {
        return Err(format!("{s:?}: years out of order or range"));
    }
    Ok((a, b))
}

/// Writes the corpus and its manifest.
pub fn run(args: SynthArgs) -> anyhow::Result<i32> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    match args.agencies {
        Some(n) => panel_corpus(&args, n),
        None => flat(&args),
    }
}

/// Writes `N` reports (`NNNNNN-<layout>.txt`) and `manifest.csv` describing each.
fn flat(args: &SynthArgs) -> anyhow::Result<i32> {
    let mut rng = Rng::new(args.seed);
    let manifest_path = args.out.join("manifest.csv");
    let mut manifest = Vec::new();
    writeln!(
        manifest,
        "file,seed,layout,agency,year,template,cells,perturbed"
    )?;
    for i in 0..args.reports {
        let layout = Layout::ALL[(i % Layout::ALL.len() as u64) as usize];
        let opts = Options {
            template: if rng.chance(args.template_2019_percent) {
                Template::V2019
            } else {
                Template::V2021
            },
            inconsistent: rng.chance(args.inconsistent_percent),
            dashes: rng.chance(30),
            ..Options::default()
        };
        let seed = rng.next_u64();
        let s = synth(seed, layout, &opts);
        let name = format!("{i:06}-{layout:?}.txt").to_lowercase();
        let path = args.out.join(&name);
        ogi_util::write_atomic(&path, s.text.as_bytes())?;
        writeln!(
            manifest,
            "{name},{seed},{layout:?},{},{},{},{},{}",
            s.contents.agency,
            s.contents.year,
            s.contents.template.as_str(),
            s.expected.len(),
            s.contents.perturbed.as_deref().unwrap_or("")
        )?;
    }
    ogi_util::write_atomic(&manifest_path, &manifest)?;
    println!("{} reports written to {}", args.reports, args.out.display());
    Ok(0)
}

/// A CSV record (fields quoted as needed).
fn record(fields: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields)?;
    Ok(w.into_inner()?)
}

/// Writes the documents, `manifest.csv` (one row per document, with its
/// sha256 = report id and its ground-truth agency) and `agencies.csv`.
fn panel_corpus(args: &SynthArgs, n: usize) -> anyhow::Result<i32> {
    let opts = CorpusOptions {
        seed: args.seed,
        agencies: n,
        provinces: args.provinces,
        first_year: args.years.0,
        last_year: args.years.1,
        missing_percent: args.missing_percent,
        republished_percent: args.republished_percent,
        revised_percent: args.revised_percent,
        inconsistent_percent: args.inconsistent_percent,
    };
    let plan = corpus::plan(&opts);
    let mut manifest = record(&[
        "file",
        "sha256",
        "truth_agency",
        "level",
        "region_code",
        "year",
        "name_form",
        "layout",
        "template",
        "role",
        "issued",
        "keep",
        "new_received",
        "perturbed",
    ])?;
    for d in &plan.documents {
        let s = corpus::render(d);
        write_doc(&args.out, &d.file, s.text.as_bytes())?;
        let a = &plan.agencies[d.agency];
        let new_received = total_new_received(&s);
        manifest.extend(record(&[
            &d.file,
            &hex::encode(Sha256::digest(s.text.as_bytes())),
            &a.truth_id,
            a.level.as_str(),
            &a.region_code,
            &d.year.to_string(),
            &d.name_form,
            d.layout.name(),
            d.template.as_str(),
            d.role.name(),
            &d.issued,
            if d.keep { "true" } else { "false" },
            &new_received.map(|x| x.to_string()).unwrap_or_default(),
            s.contents.perturbed.as_deref().unwrap_or(""),
        ])?);
    }
    let mut agencies = record(&[
        "truth_agency",
        "level",
        "region_code",
        "forms",
        "years",
        "missing_years",
    ])?;
    let join = |ys: &[i32]| ys.iter().map(i32::to_string).collect::<Vec<_>>().join(";");
    for a in &plan.agencies {
        agencies.extend(record(&[
            &a.truth_id,
            a.level.as_str(),
            &a.region_code,
            &a.forms.join(";"),
            &join(&a.years),
            &join(&a.missing_years),
        ])?);
    }
    ogi_util::write_atomic(&args.out.join("manifest.csv"), &manifest)?;
    ogi_util::write_atomic(&args.out.join("agencies.csv"), &agencies)?;
    println!(
        "{} reports of {} agencies written to {}",
        plan.documents.len(),
        plan.agencies.len(),
        args.out.display()
    );
    Ok(0)
}

fn write_doc(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    ogi_util::write_atomic(&path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The printed total of new requests (table 3 `new_received`, total column).
fn total_new_received(s: &ogi_testkit::synth::Synth) -> Option<i64> {
    s.expected
        .iter()
        .find(|c| c.row == "new_received" && c.col.as_deref() == Some("total"))
        .and_then(|c| match c.value {
            Some(ogi_extract::Number::Int(x)) => Some(x),
            _ => None,
        })
}
