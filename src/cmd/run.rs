//! `ogi run`: the nightly pipeline — crawl → extract → analyze → exports.

use crate::config::Config;
use crate::pipeline::nightly;
use crate::pipeline::runlog::{self, Outcome};
use crate::settings::Flags;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Output directory.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Portal registry (default: data/portals.toml).
    #[arg(long)]
    portals: Option<PathBuf>,
    /// Only this portal (repeatable).
    #[arg(long = "portal", value_name = "ID")]
    portal_ids: Vec<String>,
    /// Worker threads for extraction (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Skip the crawl (extract and analyze what is already stored).
    #[arg(long)]
    no_crawl: bool,
    /// Print the summary even when standard output is not a terminal
    /// (by default a run from cron prints only when something failed).
    #[arg(long)]
    summary: bool,
}

/// Runs the pipeline; prints the summary; exit 0 done, 1 done with failures.
pub fn run(args: RunArgs, cfg: &Config) -> anyhow::Result<i32> {
    let stages = cfg.stages(Flags {
        out: args.out,
        portals: args.portals,
        portal_ids: args.portal_ids,
        threads: args.threads,
        full: false,
    });
    let record = nightly::execute(&stages, !args.no_crawl)?;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if tty || args.summary || record.outcome != Outcome::Done {
        println!("{}", runlog::human_summary(&record));
    }
    Ok(record.outcome.exit_code())
}
