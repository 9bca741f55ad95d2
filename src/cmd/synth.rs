//! `ogi synth`: a reproducible synthetic corpus of reports in every layout.

use anyhow::Context;
use clap::Args;
use ogi_extract::Template;
use ogi_testkit::synth::{Layout, Options, Rng, synth};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `ogi synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Directory to write the corpus into.
    #[arg(long)]
    out: PathBuf,
    /// Number of reports.
    #[arg(long, default_value_t = 100)]
    reports: u64,
    /// Seed: the same seed always gives the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Percentage of reports with a deliberate inconsistency (a check must fail).
    #[arg(long, default_value_t = 5)]
    inconsistent_percent: u64,
    /// Percentage of reports in the 2019 template.
    #[arg(long, default_value_t = 20)]
    template_2019_percent: u64,
}

/// Writes `N` reports (`NNNNNN-<layout>.txt`) and `manifest.csv` describing each.
pub fn run(args: SynthArgs) -> anyhow::Result<i32> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
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
