//! The extract stage over the raw store: parse every stored document whose
//! sha256 is not yet in `OUT/extract`, in parallel, and append one Parquet part.
//!
//! Idempotence: a batch is written as `cells/part-N.parquet` first and
//! `reports/part-N.parquet` last (each atomically); a report part marks its
//! documents as done. A cells part without its report twin (a crash between the
//! two writes) is removed at the next start, so no cell is ever counted twice.

use super::{cells_dir, reports_dir};
use anyhow::Context;
use ogi_extract::{ParseOptions, Report, Status, arrow_out};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One stored document to extract.
#[derive(Debug, Clone)]
pub struct DocInput {
    /// URL (or path) the document came from.
    pub source: String,
    /// Where its bytes are.
    pub path: PathBuf,
    /// sha256 of the bytes (the report id).
    pub sha256: String,
    /// Content-Type it was served with.
    pub content_type: Option<String>,
    /// Registry id of the portal.
    pub portal_id: Option<String>,
    /// When it was fetched (RFC 3339).
    pub fetched_at: Option<String>,
}

/// What the extract stage did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ExtractStats {
    /// Stored documents seen.
    pub documents: usize,
    /// Already extracted earlier (skipped).
    pub already_extracted: usize,
    /// Extracted now.
    pub extracted: usize,
    /// Of those: parsed into tables.
    pub parsed: usize,
    /// Of those: not an annual report.
    pub not_a_report: usize,
    /// Of those: scanned, OCR needed.
    pub needs_ocr: usize,
    /// Of those: legacy office format, conversion needed.
    pub needs_conversion: usize,
    /// Of those: unreadable (with a flag saying why).
    pub failed: usize,
    /// Parsed reports with at least one failed check.
    pub checks_failing: usize,
    /// Report ids extracted now.
    pub new_report_ids: Vec<String>,
}

use super::parts::list as parts;

/// Removes cells parts whose reports twin is missing (left by a crash).
fn remove_orphans(out: &Path) -> anyhow::Result<()> {
    let done: BTreeSet<u64> = parts(&reports_dir(out))?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for (n, path) in parts(&cells_dir(out))? {
        if !done.contains(&n) {
            tracing::warn!(part = %path.display(), "removing cells part left by an interrupted extract");
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// Report ids already present in `OUT/extract/reports`.
pub fn extracted_ids(out: &Path) -> anyhow::Result<BTreeSet<String>> {
    let mut ids = BTreeSet::new();
    for (_, path) in parts(&reports_dir(out))? {
        ids.extend(
            arrow_out::read_report_ids(&path)
                .with_context(|| format!("reading report ids from {}", path.display()))?,
        );
    }
    Ok(ids)
}

fn parse_one(doc: &DocInput, ocr: bool) -> Report {
    let opts = ParseOptions {
        content_type: doc.content_type.clone(),
        file_name: Some(doc.source.clone()),
        ocr,
        ..ParseOptions::default()
    };
    let mut report = match std::fs::read(&doc.path) {
        Ok(bytes) => ogi_extract::parse_bytes(&doc.source, &bytes, &opts),
        Err(e) => Report {
            source: doc.source.clone(),
            sha256: doc.sha256.clone(),
            status: Status::Failed,
            flags: vec![format!("read_error:{e}")],
            ..Report::default()
        },
    };
    if report.sha256 != doc.sha256 {
        // The raw store is content-addressed: a mismatch means a corrupted file.
        report
            .flags
            .push(format!("sha256_mismatch:stored={}", doc.sha256));
    }
    report.portal_id = doc.portal_id.clone();
    report.fetched_at = doc.fetched_at.clone();
    report
}

/// Parses `docs` not yet extracted, using up to `threads` threads, and appends one part.
/// Returns the statistics and the reports extracted now.
pub fn run(
    out: &Path,
    docs: &[DocInput],
    threads: usize,
    ocr: bool,
) -> anyhow::Result<(ExtractStats, Vec<Report>)> {
    remove_orphans(out)?;
    let done = extracted_ids(out)?;
    let mut seen = BTreeSet::new();
    let todo: Vec<&DocInput> = docs
        .iter()
        .filter(|d| !done.contains(&d.sha256) && seen.insert(d.sha256.clone()))
        .collect();
    let mut stats = ExtractStats {
        documents: docs.len(),
        already_extracted: docs.iter().filter(|d| done.contains(&d.sha256)).count(),
        ..ExtractStats::default()
    };
    if todo.is_empty() {
        return Ok((stats, Vec::new()));
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Report)>> = Mutex::new(Vec::with_capacity(todo.len()));
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, todo.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(doc) = todo.get(i) else { break };
                    let report = parse_one(doc, ocr);
                    results
                        .lock()
                        .expect("no thread panics while holding the lock")
                        .push((i, report));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("threads joined");
    results.sort_by_key(|(i, _)| *i);
    let reports: Vec<Report> = results.into_iter().map(|(_, r)| r).collect();
    for r in &reports {
        stats.extracted += 1;
        match r.status {
            Status::Parsed => stats.parsed += 1,
            Status::NotAReport => stats.not_a_report += 1,
            Status::NeedsOcr => stats.needs_ocr += 1,
            Status::NeedsConversion => stats.needs_conversion += 1,
            Status::Failed => stats.failed += 1,
        }
        if r.status == Status::Parsed && r.checks.iter().any(|c| !c.ok) {
            stats.checks_failing += 1;
        }
        stats.new_report_ids.push(r.sha256.clone());
    }
    let n = parts(&reports_dir(out))?.last().map_or(0, |(n, _)| n + 1);
    let name = format!("part-{n:06}.parquet");
    for dir in [cells_dir(out), reports_dir(out)] {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let cells = arrow_out::cells_batch(&reports).context("building the cells batch")?;
    arrow_out::write_parquet(&cells_dir(out).join(&name), &cells)?;
    let batch = arrow_out::reports_batch(&reports).context("building the reports batch")?;
    arrow_out::write_parquet(&reports_dir(out).join(&name), &batch)?;
    Ok((stats, reports))
}
