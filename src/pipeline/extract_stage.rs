//! The extract stage over the raw store: parse every stored document whose
//! sha256 is not yet in `OUT/extract`, in parallel, appending one Parquet part
//! every [`PART_DOCS`] documents. Each document is processed in isolation: a
//! panic makes that document `failed` (flag `panic:<message>`), never the run.
//!
//! Idempotence: a batch is written as `cells/part-N.parquet` first and
//! `reports/part-N.parquet` last (each atomically); a report part marks its
//! documents as done. A cells part without its report twin (a crash between the
//! two writes) is removed at the next start, so no cell is ever counted twice.

use super::{cells_dir, reports_dir};
use anyhow::Context;
use ogi_extract::{CheckState, ParseOptions, Report, Status, arrow_out};
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
    /// File name for format detection when the source does not end in it
    /// (an imported file recorded under a URL); `None`: the source.
    pub file_name: Option<String>,
    /// What the portal's list (or an `ogi import` hint file) said about it:
    /// fallbacks for what the document does not say.
    pub listed: Listed,
}

/// Where the fallbacks in [`Listed`] came from; names the flags they leave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HintOrigin {
    /// A portal's list entry and the registry (flags `*_from_list`).
    #[default]
    List,
    /// An `ogi import` hint file (flags `*_from_hint`).
    Import,
}

impl HintOrigin {
    fn suffix(self) -> &'static str {
        match self {
            HintOrigin::List => "list",
            HintOrigin::Import => "hint",
        }
    }
}

/// What a portal's list (and registry), or an import hint, said about a document.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    /// Title as listed.
    pub title: Option<String>,
    /// Agency name (import hints).
    pub agency: Option<String>,
    /// Report year from the listed title or the hint.
    pub year: Option<i32>,
    /// GB/T 2260 code of the portal's region.
    pub region_code: Option<String>,
    /// Where these came from.
    pub origin: HintOrigin,
}

/// The crawler's stored documents and the imported ones (`ogi import`) as
/// extract inputs. OUT needs one or the other.
pub fn stored_inputs(out: &Path) -> anyhow::Result<Vec<DocInput>> {
    let imported = super::imports::list(out)?;
    let crawled = if ogi_crawler::state::db_path(out).exists() || imported.is_empty() {
        ogi_crawler::stored_documents(out)?
    } else {
        Vec::new()
    };
    let mut docs: Vec<DocInput> = crawled
        .into_iter()
        .map(|d| DocInput {
            source: d.url,
            path: d.path,
            sha256: d.sha256,
            content_type: Some(d.content_type),
            portal_id: Some(d.portal_id),
            fetched_at: Some(d.fetched_at),
            file_name: None,
            listed: Listed {
                title: d.list_title,
                agency: None,
                year: d.year.map(i32::from),
                region_code: d.portal_region_code,
                origin: HintOrigin::List,
            },
        })
        .collect();
    docs.extend(imported.into_iter().map(|d| DocInput {
        path: ogi_crawler::raw::raw_path(out, &d.sha256),
        source: d.source,
        sha256: d.sha256,
        content_type: None,
        portal_id: Some("import".to_string()),
        fetched_at: Some(d.imported_at),
        file_name: Some(d.file_name),
        listed: Listed {
            title: None,
            agency: d.agency_hint,
            year: d.year_hint,
            region_code: None,
            origin: HintOrigin::Import,
        },
    }));
    Ok(docs)
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
    /// Of those: parsed into tables, every template cell read.
    pub parsed: usize,
    /// Of those: parsed with some template cells missing (status `partial`).
    pub partial: usize,
    /// Of those: not an annual report.
    pub not_a_report: usize,
    /// Of those: scanned, OCR needed.
    pub needs_ocr: usize,
    /// Of those: legacy office format, conversion needed.
    pub needs_conversion: usize,
    /// Of those: unreadable (with a flag saying why).
    pub failed: usize,
    /// Parsed or partial reports with at least one failed check.
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

/// Extracts one stored document (read from the raw store, parsed, its sha256 checked).
pub(crate) fn parse_one(doc: &DocInput, ocr: bool) -> Report {
    let opts = ParseOptions {
        content_type: doc.content_type.clone(),
        file_name: Some(doc.file_name.clone().unwrap_or_else(|| doc.source.clone())),
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
    apply_listed(&mut report, &doc.listed);
    report
}

/// Fills what a report does not say from its list entry and portal (or import
/// hints), each marked with a flag (`title_from_list`, `agency_from_hint`,
/// `year_from_list`, `region_from_portal`, …), and flags where document and
/// list disagree (`year_differs_from_list:<listed>`).
/// The portal's region is a county-level fallback: a county portal also hosts its
/// departments' and townships' reports.
pub fn apply_listed(report: &mut Report, listed: &Listed) {
    if matches!(report.status, Status::NotAReport | Status::Failed) {
        return;
    }
    let flag = |report: &mut Report, f: String| {
        if !report.flags.contains(&f) {
            report.flags.push(f);
        }
    };
    let from = listed.origin.suffix();
    if report.title.is_none()
        && let Some(t) = &listed.title
    {
        report.title = Some(t.clone());
        flag(report, format!("title_from_{from}"));
    }
    if report.agency.is_none()
        && let Some(a) = &listed.agency
    {
        report.agency = Some(a.clone());
        flag(report, format!("agency_from_{from}"));
        if report.region_code.is_none() {
            ogi_extract::region::annotate(report);
        }
    }
    match (report.year, listed.year) {
        (None, Some(y)) => {
            report.year = Some(y);
            flag(report, format!("year_from_{from}"));
        }
        (Some(a), Some(b)) if a != b => flag(report, format!("year_differs_from_{from}:{b}")),
        _ => {}
    }
    if report.region_code.is_none()
        && let Some(code) = &listed.region_code
        && let Some(d) = ogi_extract::region::lookup(code)
    {
        report.region = Some(d.full_name);
        report.region_code = Some(d.code);
        report.flags.retain(|f| f != "region_unknown");
        flag(report, "region_from_portal".into());
    }
}

/// Documents per Parquet part: the extract stage writes a part (cells, then
/// reports) after every this many documents, so a crash loses at most this many
/// documents' work and a rerun skips every part already written.
pub const PART_DOCS: usize = 200;

/// Parses `docs` not yet extracted, using up to `threads` threads, writing one
/// part every [`PART_DOCS`] documents. Returns the statistics and the reports
/// extracted now.
pub fn run(
    out: &Path,
    docs: &[DocInput],
    threads: usize,
    ocr: bool,
) -> anyhow::Result<(ExtractStats, Vec<Report>)> {
    run_with(out, docs, threads, PART_DOCS, &|doc: &DocInput| {
        parse_one(doc, ocr)
    })
}

/// [`run`] with the part size and the per-document function given. Each
/// document's processing is isolated: a panic gives that document status
/// `failed` with the message (flag `panic:<message>`) and the others go on.
pub(crate) fn run_with(
    out: &Path,
    docs: &[DocInput],
    threads: usize,
    part_docs: usize,
    parse: &(dyn Fn(&DocInput) -> Report + Sync),
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
    let mut reports = Vec::with_capacity(todo.len());
    for chunk in todo.chunks(part_docs.max(1)) {
        let batch = parse_parallel(chunk, threads, parse);
        write_part(out, &batch)?;
        for r in &batch {
            count(&mut stats, r);
        }
        reports.extend(batch);
    }
    Ok((stats, reports))
}

/// Parses `docs` on up to `threads` threads, each document isolated; results in input order.
fn parse_parallel(
    docs: &[&DocInput],
    threads: usize,
    parse: &(dyn Fn(&DocInput) -> Report + Sync),
) -> Vec<Report> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Report)>> = Mutex::new(Vec::with_capacity(docs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, docs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(doc) = docs.get(i) else { break };
                    let report = ogi_extract::isolated(&doc.source, &doc.sha256, || parse(doc));
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((i, report));
                }
            });
        }
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Adds one extracted report to the statistics.
fn count(stats: &mut ExtractStats, r: &Report) {
    stats.extracted += 1;
    match r.status {
        Status::Parsed => stats.parsed += 1,
        Status::Partial => stats.partial += 1,
        Status::NotAReport => stats.not_a_report += 1,
        Status::NeedsOcr => stats.needs_ocr += 1,
        Status::NeedsConversion => stats.needs_conversion += 1,
        Status::Failed => stats.failed += 1,
    }
    if matches!(r.status, Status::Parsed | Status::Partial)
        && r.checks.iter().any(|c| c.state == CheckState::Failed)
    {
        stats.checks_failing += 1;
    }
    stats.new_report_ids.push(r.sha256.clone());
}

/// Writes one part: `cells/part-N.parquet`, then its `reports/part-N.parquet`
/// twin, which marks the batch's documents as done.
fn write_part(out: &Path, reports: &[Report]) -> anyhow::Result<()> {
    if reports.is_empty() {
        return Ok(());
    }
    let n = parts(&reports_dir(out))?.last().map_or(0, |(n, _)| n + 1);
    arrow_out::write_part(&out.join("extract"), &format!("{n:06}"), reports)?;
    Ok(())
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
            file_name: None,
            listed: Listed::default(),
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
    fn a_panic_in_one_document_fails_that_document_and_the_run_goes_on() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let docs = vec![
            stored(tmp.path(), "a", &seed("003")),
            stored(tmp.path(), "b", b"this one makes the parser panic"),
            stored(tmp.path(), "c", &seed("004")),
        ];
        let bad = docs[1].sha256.clone();
        let parse = |d: &DocInput| {
            if d.sha256 == bad {
                panic!("attempt to subtract with overflow in region::annotate");
            }
            parse_one(d, false)
        };
        let (stats, reports) = run_with(&out, &docs, 2, PART_DOCS, &parse).unwrap();
        assert_eq!((stats.extracted, stats.parsed, stats.failed), (3, 2, 1));
        let failed = reports.iter().find(|r| r.sha256 == bad).unwrap();
        assert_eq!(failed.status, Status::Failed);
        assert_eq!(failed.source, "http://example.test/b");
        assert_eq!(
            failed.flags,
            vec!["panic:attempt to subtract with overflow in region::annotate".to_string()]
        );
        // Written like any other document: the next night does not retry it forever.
        assert_eq!(extracted_ids(&out).unwrap().len(), 3);
    }

    #[test]
    fn parts_are_written_every_n_documents_and_a_rerun_skips_them() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let docs: Vec<DocInput> = (0..5)
            .map(|i| stored(tmp.path(), &format!("d{i}"), format!("note {i}").as_bytes()))
            .collect();
        let last = docs[4].sha256.clone();
        let parts_before_last = Mutex::new(None);
        let calls = AtomicUsize::new(0);
        let parse = |d: &DocInput| {
            calls.fetch_add(1, Ordering::SeqCst);
            if d.sha256 == last {
                *parts_before_last.lock().unwrap() = Some(parts(&reports_dir(&out)).unwrap().len());
            }
            parse_one(d, false)
        };
        let (stats, _) = run_with(&out, &docs, 1, 2, &parse).unwrap();
        assert_eq!(stats.extracted, 5);
        // While the fifth document was parsed, the first four were already on disk.
        assert_eq!(*parts_before_last.lock().unwrap(), Some(2));
        assert_eq!(parts(&reports_dir(&out)).unwrap().len(), 3);

        // A crash before the last part's reports twin: only its document is redone.
        let (_, last_reports) = parts(&reports_dir(&out)).unwrap().pop().unwrap();
        std::fs::remove_file(last_reports).unwrap();
        calls.store(0, Ordering::SeqCst);
        let (again, _) = run_with(&out, &docs, 1, 2, &parse).unwrap();
        assert_eq!((again.extracted, again.already_extracted), (1, 4));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(extracted_ids(&out).unwrap().len(), 5);
        assert_eq!(parts(&cells_dir(&out)).unwrap().len(), 3);
    }

    #[test]
    fn list_and_portal_fill_what_the_document_does_not_say() {
        let listed = Listed {
            title: Some("某县2023年政府信息公开工作年度报告".into()),
            agency: None,
            year: Some(2023),
            region_code: Some("410503".into()),
            origin: HintOrigin::List,
        };
        let mut r = Report {
            status: Status::Partial,
            flags: vec!["region_unknown".into()],
            ..Report::default()
        };
        apply_listed(&mut r, &listed);
        assert_eq!(r.year, Some(2023));
        assert_eq!(r.title, listed.title);
        assert_eq!(r.region_code.as_deref(), Some("410503"));
        assert!(r.region.as_deref().unwrap_or("").ends_with("北关区"));
        assert_eq!(
            r.flags,
            ["title_from_list", "year_from_list", "region_from_portal"]
        );

        let mut r = Report {
            status: Status::Parsed,
            year: Some(2022),
            region_code: Some("410103".into()),
            ..Report::default()
        };
        apply_listed(&mut r, &listed);
        assert_eq!(
            (r.year, r.region_code.as_deref()),
            (Some(2022), Some("410103"))
        );
        assert_eq!(r.flags, ["title_from_list", "year_differs_from_list:2023"]);

        let mut r = Report {
            status: Status::NotAReport,
            ..Report::default()
        };
        apply_listed(&mut r, &listed);
        assert!(
            r.year.is_none() && r.flags.is_empty(),
            "not a report: nothing filled"
        );
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
