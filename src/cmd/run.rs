//! `ogi run`: the nightly pipeline — crawl → extract → analyze → exports.

use super::crawl::{crawl_config, exit_code as crawl_exit};
use super::extract::{default_threads, stored_inputs};
use crate::config::Config;
use crate::pipeline::runlog::{Outcome, RunRecord};
use crate::pipeline::{changes, extract_stage, lock, now_rfc3339, parts, reports_dir, runlog};
use anyhow::Context;
use clap::Args;
use ogi_crawler::CrawlConfig;
use std::path::{Path, PathBuf};

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

/// Runs every stage into `out` and records the run. `cc = None` skips the crawl.
pub fn execute(out: &Path, cc: Option<&CrawlConfig>, threads: usize) -> anyhow::Result<RunRecord> {
    let _lock = lock::acquire(out, "run")?;
    let started_at = now_rfc3339();
    let mut failures = false;

    let crawl = match cc {
        Some(cc) => {
            tracing::info!("crawl stage");
            let s = ogi_crawler::crawl_blocking(cc)
                .with_context(|| format!("crawl stage in {}", out.display()))?;
            failures |= crawl_exit(&s) != 0;
            serde_json::to_value(&s)?
        }
        None => serde_json::Value::Null,
    };

    tracing::info!("extract stage");
    let docs = stored_inputs(out).context("listing stored documents")?;
    let (extract, new_reports) = extract_stage::run(out, &docs, threads, false)
        .with_context(|| format!("extract stage in {}", out.display()))?;
    failures |= extract.failed > 0;
    let changes = changes::compute(out, &new_reports).context("comparing with the last run")?;

    tracing::info!("analyze stage");
    // A directory listing, not a read: nothing to analyze before the first part.
    let analyze = if parts::list(&reports_dir(out))?.is_empty() {
        serde_json::json!({"skipped": "nothing extracted yet"})
    } else {
        let summary = ogi_analyze::analyze(out, &ogi_analyze::AnalyzeOptions::default())
            .context("analyze stage")?;
        serde_json::to_value(&summary)?
    };

    let mut exports = Vec::new();
    if analyze.get("skipped").is_none() {
        tracing::info!("export stage");
        for d in ogi_analyze::Dataset::ALL {
            let opts = ogi_analyze::ExportOptions {
                lang: ogi_analyze::Lang::Both,
                headers: ogi_analyze::Headers::Short,
            };
            let path = ogi_analyze::export_csv(out, d, &opts, None)
                .with_context(|| format!("exporting {}", d.name()))?;
            exports.push(path);
        }
        let (csv, md) = ogi_analyze::write_codebook(&out.join("exports"))?;
        exports.extend([csv, md]);
    }
    // Publication compliance needs only the crawl's files (and extract parts when present).
    if let Some((_, csv, rows)) =
        ogi_analyze::compliance::write(out).context("publication compliance dataset")?
    {
        tracing::info!(rows, "compliance dataset");
        exports.push(csv);
    }

    let record = RunRecord {
        started_at,
        finished_at: now_rfc3339(),
        outcome: if failures {
            Outcome::DoneWithFailures
        } else {
            Outcome::Done
        },
        crawl,
        extract,
        analyze,
        exports,
        changes,
    };
    runlog::save(out, &record)?;
    Ok(record)
}

/// Runs the pipeline; prints the summary; exit 0 done, 1 done with failures.
pub fn run(args: RunArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out_or(args.out, "ogi-out");
    let cc = crawl_config(cfg, &out, args.portals, args.portal_ids);
    let threads = args.threads.unwrap_or_else(default_threads);
    let record = execute(&out, (!args.no_crawl).then_some(&cc), threads)?;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if tty || args.summary || record.outcome != Outcome::Done {
        println!("{}", runlog::human_summary(&record));
    }
    Ok(record.outcome.exit_code())
}
