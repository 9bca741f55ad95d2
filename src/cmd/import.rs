//! `ogi import`: local report files or folders into OUT's raw store, so that
//! `ogi extract` and `ogi analyze` run on them (see `pipeline::imports`).

use crate::config::Config;
use crate::pipeline::{imports, lock};
use clap::Args;
use ogi_util::time::now_rfc3339;
use std::path::PathBuf;

/// Arguments of `ogi import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or folders (walked recursively) of downloaded reports.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output directory whose raw store receives the documents.
    #[arg(long)]
    out: Option<PathBuf>,
    /// CSV of hints: columns `path` and any of `source` (URL), `agency`, `year`.
    #[arg(long, value_name = "FILE")]
    hints: Option<PathBuf>,
}

/// Imports and prints what was done.
pub fn run(args: ImportArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out(args.out);
    let _lock = lock::acquire(&out, "import")?;
    let hints = match &args.hints {
        Some(p) => imports::read_hints(p)?,
        None => Default::default(),
    };
    let stats = imports::import(&out, &args.paths, &hints, &now_rfc3339())?;
    println!("{}", serde_json::to_string_pretty(&stats)?);
    Ok(0)
}
