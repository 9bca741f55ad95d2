//! `ogi demo`: the whole pipeline against the bundled sample portal on loopback.

use crate::config::Config;
use crate::messages;
use crate::pipeline::{nightly, runlog};
use crate::settings::Flags;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Ids of the sample portal's entries in the registry.
const SAMPLE_PREFIX: &str = "sample-";

/// Arguments of `ogi demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output directory.
    #[arg(long, default_value = "ogi-demo")]
    out: PathBuf,
    /// Site files of the sample portal.
    #[arg(long, default_value = "data/sample-portal")]
    portal_root: PathBuf,
    /// Portal registry holding the `sample-*` entries.
    #[arg(long, default_value = "data/portals.toml")]
    portals: PathBuf,
    /// Requests per second per host against the sample portal.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
}

/// Finds the data folder whether run from the repository root or elsewhere.
fn locate(p: &Path) -> PathBuf {
    if p.exists() || p.is_absolute() {
        return p.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Starts the sample portal, runs the pipeline into OUT, stops the server, prints a summary.
pub fn run(args: DemoArgs, cfg: &Config) -> anyhow::Result<i32> {
    let root = locate(&args.portal_root);
    let portals_file = locate(&args.portals);
    let portals = ogi_crawler::load_portals(&portals_file)?;
    let sample: Vec<_> = portals
        .iter()
        .filter(|p| p.id.starts_with(SAMPLE_PREFIX))
        .collect();
    anyhow::ensure!(
        !sample.is_empty(),
        messages::no_sample_portals(&portals_file)
    );

    let rt = tokio::runtime::Runtime::new()?;
    let addr: SocketAddr = "127.0.0.1:0".parse()?;
    let server = rt
        .block_on(ogi_testkit::serve_sample(
            addr,
            root.clone(),
            ogi_testkit::Faults::none(),
        ))
        .with_context(|| messages::sample_start_failed(&root))?;
    let bound = server.addr();
    eprintln!("{}", messages::sample_serving(&root, bound));

    let mut stages = cfg.stages(Flags {
        out: Some(args.out.clone()),
        portals: Some(portals_file),
        portal_ids: sample.iter().map(|p| p.id.clone()).collect(),
        ..Flags::default()
    });
    let cc = &mut stages.crawl;
    cc.per_host_rate = args.rate;
    // The demo revisits every report (conditionally: unchanged ones answer 304),
    // so an edited sample report shows up as a revision on the next demo run.
    cc.revisit_after = std::time::Duration::ZERO;
    for p in &sample {
        for host in &p.allowed_hosts {
            cc.allow_private_hosts.push(host.clone());
            cc.resolve.insert(host.clone(), bound);
        }
    }
    let result = nightly::execute(&stages, true);
    rt.block_on(server.shutdown());
    let record = result?;

    println!("{}", runlog::human_summary(&record));
    println!();
    println!("outputs in {}:", args.out.display());
    for d in ogi_analyze::Dataset::ALL {
        println!(
            "  dataset {:<18} {}",
            d.name(),
            args.out.join("datasets").join(d.name()).display()
        );
    }
    for e in &record.exports {
        println!("  export  {}", e.display());
    }
    match ogi_analyze::headline(&args.out) {
        Ok(lines) => {
            println!();
            println!("headline figures from the panel:");
            for l in lines {
                println!("  {l}");
            }
        }
        Err(e) => eprintln!("{}", messages::no_headline(&e)),
    }
    let dest = ogi_site::default_dest(&args.out);
    match super::site::build(&args.out, &dest, super::site::SiteLang::Zh) {
        Ok(s) => {
            println!();
            println!("site: {}", s.index.display());
        }
        Err(e) => eprintln!("{}", messages::no_site(&e)),
    }
    Ok(record.outcome.exit_code())
}
