//! `ogi extract`: the extract stage alone over the raw store.

use crate::config::Config;
use crate::pipeline::{extract_stage, lock};
use crate::settings::Flags;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Output directory holding the raw store.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run OCR on scanned documents when tesseract is installed.
    #[arg(long)]
    ocr: bool,
}

/// Runs the stage; exit code 1 when some documents could not be read.
pub fn run(args: ExtractArgs, cfg: &Config) -> anyhow::Result<i32> {
    let stages = cfg.stages(Flags {
        out: args.out,
        threads: args.threads,
        ..Flags::default()
    });
    let out = &stages.out;
    let _lock = lock::acquire(out, "extract")?;
    let docs = extract_stage::stored_inputs(out)?;
    let (stats, _) = extract_stage::run(out, &docs, stages.threads, args.ocr)?;
    println!("{}", serde_json::to_string_pretty(&stats)?);
    Ok(if stats.failed == 0 { 0 } else { 1 })
}
