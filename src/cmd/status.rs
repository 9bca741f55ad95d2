//! `ogi status`: last runs, portal health, documents by state, extraction coverage.

use crate::config::Config;
use crate::messages;
use crate::pipeline::{parts, runlog};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output directory.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Prints the status of OUT.
pub fn run(args: StatusArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out(args.out);
    anyhow::ensure!(out.is_dir(), messages::nothing_ran_in(&out));
    let runs = runlog::list(&out);
    let last_runs: Vec<serde_json::Value> = runs
        .iter()
        .rev()
        .take(5)
        .filter_map(|p| std::fs::read(p).ok())
        .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map(|v| {
            serde_json::json!({
                "started_at": v["started_at"], "outcome": v["outcome"],
                "extracted": v["extract"]["extracted"], "changes": v["changes"],
            })
        })
        .collect();
    let crawl = ogi_crawler::status(&out).ok();
    let coverage = parts::coverage(&out).ok();
    let status = serde_json::json!({
        "out": out, "runs": runs.len(), "last_runs": last_runs,
        "crawl": crawl, "extraction_coverage": coverage,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        println!("output directory: {}", out.display());
        println!("runs recorded:    {}", runs.len());
        for r in &last_runs {
            println!(
                "  {}  {:<18}  extracted {}",
                r["started_at"].as_str().unwrap_or("?"),
                r["outcome"].as_str().unwrap_or("?"),
                r["extracted"]
            );
        }
        match &crawl {
            Some(c) => {
                let last = c.last_run.map_or("none".to_string(), |(id, done)| {
                    format!(
                        "#{id} ({})",
                        if done {
                            "finished"
                        } else {
                            "unfinished: the next crawl resumes it"
                        }
                    )
                });
                println!("crawl runs:       {} (last {last})", c.runs);
                println!("portals:");
                for p in &c.portals {
                    println!(
                        "  {:<24} last success {:<22} consecutive failures {:<3} documents {:<5} blocked {}",
                        p.portal_id,
                        p.last_success.as_deref().unwrap_or("never"),
                        p.consecutive_failures,
                        p.documents,
                        if p.blocked_hosts.is_empty() {
                            "-".to_string()
                        } else {
                            p.blocked_hosts.join(",")
                        }
                    );
                }
                println!("documents:        {}", counts(&c.documents_by_status));
                println!("frontier URLs:    {}", counts(&c.urls_by_state));
                if !c.needs_browser.is_empty() {
                    println!(
                        "needs a browser:  {} (script challenge such as Ruishu $_ts; tried once a run)",
                        c.needs_browser.join(", ")
                    );
                }
                for (heading, rows) in [
                    ("failures (operator action):", &c.failures),
                    ("findings (no action needed):", &c.findings),
                ] {
                    if rows.is_empty() {
                        continue;
                    }
                    println!("{heading}");
                    for f in rows {
                        println!(
                            "  {:<24} {:<10} {:<22} {}",
                            f.portal_id,
                            f.state,
                            f.error.as_deref().unwrap_or("-"),
                            f.url
                        );
                    }
                }
                if !c.column_events.is_empty() {
                    println!("report columns:");
                    for e in &c.column_events {
                        println!("  {e}");
                    }
                }
            }
            None => println!("crawl:            no crawl state yet"),
        }
        match &coverage {
            Some(c) if !c.is_empty() => println!("extraction:       {}", counts(c)),
            _ => println!("extraction:       nothing extracted yet"),
        }
    }
    Ok(0)
}

/// `a 3, b 1` from a count map.
fn counts<V: std::fmt::Display>(m: &std::collections::BTreeMap<String, V>) -> String {
    if m.is_empty() {
        return "none".to_string();
    }
    m.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
