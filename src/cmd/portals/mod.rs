//! `ogi portals import|probe|list|check`: the portal registry for operators.

mod check;
mod import;
mod list;
mod probe;

use crate::config::Config;
use clap::Subcommand;
use std::path::PathBuf;

/// What to do with the registry.
#[derive(Debug, Subcommand)]
pub enum PortalsCommand {
    /// Turn a seed CSV of portals into registry entries (one TOML per province).
    Import(import::ImportArgs),
    /// Find a site's platform and report column from its home page; print an entry.
    Probe(probe::ProbeArgs),
    /// List the registry's portals (id, platform, region, column or home page).
    List(list::ListArgs),
    /// Validate the registry and check region codes against the gazetteer.
    Check(check::CheckArgs),
}

/// Runs a `portals` subcommand.
pub fn run(cmd: PortalsCommand, cfg: &Config) -> anyhow::Result<i32> {
    match cmd {
        PortalsCommand::Import(a) => import::run(a),
        PortalsCommand::Probe(a) => probe::run(a, cfg),
        PortalsCommand::List(a) => list::run(a, cfg),
        PortalsCommand::Check(a) => check::run(a, cfg),
    }
}

/// The registry path: the flag, else the configured one, else `data/portals.toml`.
fn registry_path(flag: Option<PathBuf>, cfg: &Config) -> PathBuf {
    flag.or_else(|| cfg.crawl.portals.clone())
        .unwrap_or_else(|| PathBuf::from("data/portals.toml"))
}

/// The gazetteer's (name, full name) of a six-digit code.
fn gazetteer(code: &str) -> Option<(String, String)> {
    ogi_extract::region::lookup(code).map(|d| (d.name, d.full_name))
}
