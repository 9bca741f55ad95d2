//! `ogi portals probe URL...`: platform and report column from the home page.

use crate::config::Config;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi portals probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Home page URLs.
    #[arg(required = true)]
    urls: Vec<String>,
    /// Print the findings as JSON instead of registry entries.
    #[arg(long)]
    json: bool,
    /// Accept broken TLS certificates (logged; use only for sites that need it).
    #[arg(long)]
    insecure: bool,
    /// Portal registry whose settings apply (only for `allow_private_hosts`, rate).
    #[arg(long)]
    portals: Option<PathBuf>,
}

/// Probes each URL in turn and prints one TOML entry (or JSON) per site; exit 1
/// when a column was not found for some site.
pub fn run(args: ProbeArgs, cfg: &Config) -> anyhow::Result<i32> {
    let cc = cfg
        .stages(crate::settings::Flags {
            portals: args.portals,
            ..Default::default()
        })
        .crawl;
    if args.insecure {
        tracing::warn!("--insecure: TLS certificates are not verified");
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let today = ogi_crawler::timefmt::now_rfc3339()
        .get(..10)
        .unwrap_or_default()
        .to_string();
    let mut missing = 0;
    let mut found = Vec::new();
    for u in &args.urls {
        let home =
            url::Url::parse(u).map_err(|e| anyhow::anyhow!(crate::messages::not_a_url(u, &e)))?;
        let p = rt.block_on(ogi_crawler::probe_live::probe_live(
            &cc,
            &home,
            args.insecure,
        ))?;
        if p.column.is_none() {
            missing += 1;
            eprintln!("{}", crate::messages::no_column_found(u, &p.notes));
        }
        found.push(p);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        let entries: Vec<_> = found.iter().filter_map(|p| p.to_portal(&today)).collect();
        print!(
            "{}",
            ogi_crawler::registry_import::to_toml(
                "Entries found by `ogi portals probe`; fill in name, region and region_code.",
                &entries
            )
        );
    }
    Ok(i32::from(missing > 0))
}
