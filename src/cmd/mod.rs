//! Subcommands, one per file (like xsv): each has an `Args` struct and a `run`
//! function returning the process exit code.

mod analyze;
mod crawl;
mod demo;
mod export;
mod extract;
mod import;
mod parse;
mod portals;
mod run;
mod serve_sample;
mod site;
mod status;
mod synth;
mod verify;

use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Open Government Information annual reports (政府信息公开工作年度报告) → open data.
///
/// Exit codes: 0 done, 1 done with failures (some portals or documents failed),
/// 2 could not run (usage or configuration error, lock held, I/O error).
#[derive(Debug, Parser)]
#[command(
    name = "ogi",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 done, 1 done with failures, 2 could not run.\nConfiguration: flags > OGI_* environment > ogi.toml > defaults (see ogi.example.toml)."
)]
pub struct Cli {
    /// Configuration file (default: ./ogi.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log format on standard error.
    #[arg(long, global = true, value_parser = ["human", "json"])]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract the template tables of report files (any format) and print them.
    Parse(parse::ParseArgs),
    /// Crawl the portals of the registry into OUT (polite, resumable).
    Crawl(crawl::CrawlArgs),
    /// Serve the bundled sample portal on a loopback address.
    ServeSample(serve_sample::ServeArgs),
    /// Copy local report files or folders into OUT's raw store (then `ogi extract`).
    Import(import::ImportArgs),
    /// Extract every stored document not yet extracted into OUT/extract.
    Extract(extract::ExtractArgs),
    /// Build the Parquet datasets in OUT/datasets from OUT/extract.
    Analyze(analyze::AnalyzeArgs),
    /// Export data: CSV for journalists, WARC of what was fetched.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// The nightly pipeline: crawl → extract → analyze → exports.
    Run(run::RunArgs),
    /// Run the whole pipeline against the bundled sample portal on loopback.
    Demo(demo::DemoArgs),
    /// Write a static website (overview, regions, agencies, search, downloads) from OUT.
    Site(site::SiteArgs),
    /// Show the state of an output directory: runs, portal health, coverage.
    Status(status::StatusArgs),
    /// Generate a reproducible synthetic corpus of reports.
    Synth(synth::SynthArgs),
    /// Check OUT: re-hash the raw store, re-extract a sample, read every data file.
    Verify(verify::VerifyArgs),
    /// The portal registry: import a seed list, probe sites, list and check entries.
    #[command(subcommand)]
    Portals(portals::PortalsCommand),
}

/// Runs the chosen subcommand and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(f) = cli.log_format {
        cfg.log.format = Some(f);
    }
    crate::logging::init(&cfg.log);
    match cli.command {
        Command::Parse(a) => parse::run(a),
        Command::Crawl(a) => crawl::run(a, &cfg),
        Command::ServeSample(a) => serve_sample::run(a),
        Command::Import(a) => import::run(a, &cfg),
        Command::Extract(a) => extract::run(a, &cfg),
        Command::Analyze(a) => analyze::run(a, &cfg),
        Command::Export(c) => export::run(c, &cfg),
        Command::Run(a) => run::run(a, &cfg),
        Command::Demo(a) => demo::run(a, &cfg),
        Command::Site(a) => site::run(a, &cfg),
        Command::Status(a) => status::run(a, &cfg),
        Command::Synth(a) => synth::run(a),
        Command::Verify(a) => verify::run(a, &cfg),
        Command::Portals(c) => portals::run(c, &cfg),
    }
}
