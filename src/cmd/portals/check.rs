//! `ogi portals check`: the registry loads, and its region codes are in the gazetteer.

use crate::config::Config;
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `ogi portals check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Registry file or directory (default: data/portals.toml).
    #[arg(long)]
    portals: Option<PathBuf>,
}

/// Validates the registry (errors name file, portal and field) and lists region
/// codes the gazetteer does not know; exit 1 when there are such codes.
pub fn run(args: CheckArgs, cfg: &Config) -> anyhow::Result<i32> {
    let path = super::registry_path(args.portals, cfg);
    let portals = ogi_crawler::load_portals(&path)?;
    let mut by_platform: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unknown = 0;
    let mut no_code = 0;
    for p in &portals {
        *by_platform
            .entry(p.platform.map_or("rules", |x| x.as_str()))
            .or_default() += 1;
        if p.region_code.is_empty() {
            no_code += 1;
        } else if super::gazetteer(&p.region_code).is_none() {
            unknown += 1;
            println!(
                "{}: region_code {} is not in the gazetteer",
                p.id, p.region_code
            );
        }
    }
    let platforms: Vec<String> = by_platform
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "{}: {} portals valid ({}); {} without a region code, {} with a code the gazetteer does not know",
        path.display(),
        portals.len(),
        platforms.join(", "),
        no_code,
        unknown
    );
    Ok(i32::from(unknown > 0))
}
