//! `ogi analyze`: the analyze stage alone.

use crate::config::Config;
use crate::pipeline::lock;
use crate::settings::Flags;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Output directory holding OUT/extract.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Recompute every partition instead of only the affected years.
    #[arg(long)]
    full: bool,
}

/// Builds the datasets and prints what was written.
pub fn run(args: AnalyzeArgs, cfg: &Config) -> anyhow::Result<i32> {
    let stages = cfg.stages(Flags {
        out: args.out,
        full: args.full,
        ..Flags::default()
    });
    let out = &stages.out;
    let _lock = lock::acquire(out, "analyze")?;
    let summary = ogi_analyze::analyze(out, &stages.analyze)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    match ogi_analyze::compliance::write(out)? {
        Some((parquet, rows)) => eprintln!(
            "compliance: {rows} rows in {} (spreadsheet: ogi export csv --dataset compliance)",
            parquet.display()
        ),
        None => eprintln!(
            "compliance: no crawl in {} (OUT/crawl/portals.csv missing)",
            out.display()
        ),
    }
    Ok(0)
}
