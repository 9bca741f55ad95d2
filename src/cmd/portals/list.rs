//! `ogi portals list`: one line per portal.

use crate::config::Config;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi portals list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Registry file or directory (default: data/portals.toml).
    #[arg(long)]
    portals: Option<PathBuf>,
    /// Only portals on this platform.
    #[arg(long)]
    platform: Option<String>,
}

/// Prints `id  platform  region_code  name  column-or-home`.
pub fn run(args: ListArgs, cfg: &Config) -> anyhow::Result<i32> {
    let path = super::registry_path(args.portals, cfg);
    let portals = ogi_crawler::load_portals(&path)?;
    let mut n = 0;
    for p in &portals {
        let platform = p.platform.map_or("rules", |x| x.as_str());
        if args.platform.as_deref().is_some_and(|f| f != platform) {
            continue;
        }
        let target = p
            .start_urls
            .first()
            .or(p.home_url.as_ref())
            .map_or("", String::as_str);
        println!(
            "{:<32} {:<12} {:<6} {}  {}",
            p.id,
            platform,
            if p.region_code.is_empty() {
                "-"
            } else {
                &p.region_code
            },
            p.name,
            target
        );
        n += 1;
    }
    eprintln!("{}", crate::messages::portals_listed(n, &path));
    Ok(0)
}
