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

/// The crawler's stored report documents as extract inputs.
pub fn stored_inputs(out: &Path) -> anyhow::Result<Vec<DocInput>> {
    Ok(ogi_crawler::stored_documents(out)?
        .into_iter()
        .map(|d| DocInput {
            source: d.url,
            path: d.path,
            sha256: d.sha256,
            content_type: Some(d.content_type),
            portal_id: Some(d.portal_id),
            fetched_at: Some(d.fetched_at),
        })
        .collect())
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
    arrow_out::write_part(&out.join("extract"), &format!("{n:06}"), &reports)?;
    Ok((stats, reports))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/extract/tests/fixtures/seeds");

    /// Stores `text` as a raw document the way the crawler does and returns its input.
    pub(crate) fn stored(dir: &Path, name: &str, text: &[u8]) -> DocInput {
        let sha = hex::encode(Sha256::digest(text));
        let path = dir.join(format!("{sha}.bin"));
        std::fs::write(&path, text).unwrap();
        DocInput {
            source: format!("http://example.test/{name}"),
            path,
            sha256: sha,
            content_type: Some("text/plain".into()),
            portal_id: Some("test".into()),
            fetched_at: Some("2024-01-15T08:00:00Z".into()),
        }
    }

    pub(crate) fn seed(name: &str) -> Vec<u8> {
        let entry = std::fs::read_dir(SEEDS)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(name))
            .unwrap();
        std::fs::read(entry).unwrap()
    }

    #[test]
    fn extracts_once_and_cleans_up_after_an_interrupted_write() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let docs = vec![
            stored(tmp.path(), "a", &seed("003")),
            stored(tmp.path(), "b", &seed("004")),
            stored(tmp.path(), "c", b"just a news article, no tables"),
        ];
        let (stats, reports) = run(&out, &docs, 2, false).unwrap();
        assert_eq!(
            (stats.extracted, stats.parsed, stats.not_a_report),
            (3, 2, 1)
        );
        assert_eq!(
            reports.iter().map(|r| r.sha256.clone()).collect::<Vec<_>>(),
            stats.new_report_ids
        );
        assert_eq!(reports[0].portal_id.as_deref(), Some("test"));
        assert_eq!(extracted_ids(&out).unwrap().len(), 3);

        // Nothing new: nothing parsed, no new part.
        let (again, _) = run(&out, &docs, 2, false).unwrap();
        assert_eq!((again.extracted, again.already_extracted), (0, 3));
        assert_eq!(parts(&reports_dir(&out)).unwrap().len(), 1);

        // A cells part without its reports twin is an interrupted write: removed.
        let orphan = cells_dir(&out).join("part-000009.parquet");
        std::fs::copy(cells_dir(&out).join("part-000000.parquet"), &orphan).unwrap();
        let more = vec![stored(tmp.path(), "d", &seed("000"))];
        let (third, _) = run(&out, &more, 1, false).unwrap();
        assert_eq!(third.extracted, 1);
        assert!(!orphan.exists());
        let names: Vec<u64> = parts(&cells_dir(&out))
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, vec![0, 1]);
    }

    #[test]
    fn a_corrupted_raw_file_is_flagged_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let mut doc = stored(tmp.path(), "a", &seed("003"));
        std::fs::write(&doc.path, b"tampered").unwrap();
        doc.sha256 = "0".repeat(64);
        let report = parse_one(&doc, false);
        assert!(
            report
                .flags
                .iter()
                .any(|f| f.starts_with("sha256_mismatch")),
            "{:?}",
            report.flags
        );
    }
}
