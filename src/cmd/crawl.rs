//! `ogi crawl`: the crawl stage alone.

use crate::config::Config;
use crate::pipeline::lock;
use crate::pipeline::nightly::crawl_failed;
use crate::settings::Flags;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Output directory (raw store and crawl state).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Portal registry (default: data/portals.toml).
    #[arg(long)]
    pub portals: Option<PathBuf>,
    /// Only this portal (repeatable).
    #[arg(long = "portal", value_name = "ID")]
    pub portal_ids: Vec<String>,
}

/// Runs the crawl and prints its summary; exit 1 when some URLs failed or a host blocked us.
pub fn run(args: CrawlArgs, cfg: &Config) -> anyhow::Result<i32> {
    let stages = cfg.stages(Flags {
        out: args.out,
        portals: args.portals,
        portal_ids: args.portal_ids,
        ..Flags::default()
    });
    let lock = lock::acquire(&stages.crawl.out, "crawl")?;
    let summary = ogi_crawler::crawl_blocking(&stages.crawl, &lock)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(i32::from(crawl_failed(&summary)))
}
