//! The nightly pipeline, shared by `ogi run` and `ogi demo`: crawl → extract →
//! analyze → exports, under the run lock of OUT, recorded as one run record.

use super::runlog::{Outcome, RunRecord};
use super::{changes, extract_stage, lock, parts, reports_dir, runlog};
use crate::settings::Stages;
use anyhow::Context;
use ogi_util::time::now_rfc3339;

/// Whether a crawl left work for someone: some URLs failed or a host blocked us.
pub fn crawl_failed(s: &ogi_crawler::CrawlSummary) -> bool {
    s.failed.values().sum::<u64>() > 0 || !s.blocked_hosts.is_empty()
}

/// Runs every stage into `stages.out` and records the run; `crawl = false` skips the crawl.
pub fn execute(stages: &Stages, crawl: bool) -> anyhow::Result<RunRecord> {
    let out = stages.out.as_path();
    let lock = lock::acquire(out, "run")?;
    let started_at = now_rfc3339();
    let mut failures = false;

    let crawl = if crawl {
        tracing::info!("crawl stage");
        let s = ogi_crawler::crawl_blocking(&stages.crawl, &lock)
            .with_context(|| format!("crawl stage in {}", out.display()))?;
        failures |= crawl_failed(&s);
        serde_json::to_value(&s)?
    } else {
        serde_json::Value::Null
    };

    tracing::info!("extract stage");
    let docs = extract_stage::stored_inputs(out).context("listing stored documents")?;
    let (extract, new_reports) = extract_stage::run(out, &docs, stages.threads, false)
        .with_context(|| format!("extract stage in {}", out.display()))?;
    failures |= extract.failed > 0;
    let changes = changes::compute(out, &new_reports).context("comparing with the last run")?;

    tracing::info!("analyze stage");
    // A directory listing, not a read: nothing to analyze before the first part.
    let analyze = if parts::list(&reports_dir(out))?.is_empty() {
        serde_json::json!({"skipped": "nothing extracted yet"})
    } else {
        let summary = ogi_analyze::analyze(out, &stages.analyze).context("analyze stage")?;
        serde_json::to_value(&summary)?
    };

    // Publication compliance needs only the crawl's files (and extract parts
    // when present); written before the exports so that they include it.
    let compliance = ogi_analyze::compliance::write(out, stages.analyze.gazetteer.as_ref())
        .context("publication compliance dataset")?;
    if let Some((_, rows)) = &compliance {
        tracing::info!(rows, "compliance dataset");
    }
    let mut exports = Vec::new();
    // Every dataset once analyze ran; compliance alone before anything was extracted.
    let exported: Vec<ogi_analyze::Dataset> = if analyze.get("skipped").is_none() {
        ogi_analyze::Dataset::ALL.to_vec()
    } else if compliance.is_some() {
        vec![ogi_analyze::Dataset::Compliance]
    } else {
        Vec::new()
    };
    if !exported.is_empty() {
        tracing::info!("export stage");
        for d in exported {
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
