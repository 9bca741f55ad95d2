//! `ogi crawl`: the crawl stage alone.

use crate::config::Config;
use clap::Args;
use ogi_crawler::CrawlConfig;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// The crawler's configuration from `ogi.toml`/environment and the flags.
pub fn crawl_config(
    cfg: &Config,
    out: &Path,
    portals: Option<PathBuf>,
    ids: Vec<String>,
) -> CrawlConfig {
    let c = &cfg.crawl;
    let mut cc = CrawlConfig {
        out: out.to_path_buf(),
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        ..CrawlConfig::default()
    };
    if let Some(p) = portals.or_else(|| c.portals.clone()) {
        cc.portals_file = p;
    }
    cc.portal_ids = if ids.is_empty() {
        c.portal_ids.clone()
    } else {
        ids
    };
    if let Some(v) = &c.contact {
        cc.contact_url = v.clone();
    }
    if let Some(v) = c.rate_per_host {
        cc.per_host_rate = v;
    }
    if let Some(v) = c.per_host_concurrency {
        cc.per_host_concurrency = v;
    }
    if let Some(v) = c.global_concurrency {
        cc.global_concurrency = v;
    }
    if let Some(v) = c.max_body_bytes {
        cc.max_body_bytes = v;
    }
    if let Some(v) = c.revalidate_days {
        cc.revisit_after = Duration::from_secs(v.max(1) * 86_400);
    }
    if let Some(v) = c.timeout_secs {
        cc.total_timeout = Duration::from_secs(v);
    }
    cc.allow_private_hosts
        .extend(c.allow_private_hosts.iter().cloned());
    cc.proxy.clone_from(&c.proxy);
    cc
}

/// Exit code of a crawl: 1 when some URLs failed or a host blocked us.
pub fn exit_code(s: &ogi_crawler::CrawlSummary) -> i32 {
    if s.failed.values().sum::<u64>() > 0 || !s.blocked_hosts.is_empty() {
        1
    } else {
        0
    }
}

/// Runs the crawl and prints its summary.
pub fn run(args: CrawlArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out_or(args.out, "ogi-out");
    let cc = crawl_config(cfg, &out, args.portals, args.portal_ids);
    let summary = ogi_crawler::crawl_blocking(&cc)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(exit_code(&summary))
}
