//! Run records: `OUT/runs/<timestamp>.json` and the short human summary.

use super::changes::Changes;
use super::extract_stage::ExtractStats;
use anyhow::Context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How a run ended; maps to the process exit code.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Everything worked (exit 0).
    Done,
    /// Some portals or documents failed (exit 1).
    DoneWithFailures,
}

impl Outcome {
    /// Process exit code.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Done => 0,
            Outcome::DoneWithFailures => 1,
        }
    }
}

/// Everything one `ogi run` did.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Start time (RFC 3339, UTC).
    pub started_at: String,
    /// End time (RFC 3339, UTC).
    pub finished_at: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The crawler's summary.
    pub crawl: serde_json::Value,
    /// The extract stage's statistics.
    pub extract: ExtractStats,
    /// The analyze stage's summary.
    pub analyze: serde_json::Value,
    /// Files exported.
    pub exports: Vec<PathBuf>,
    /// What changed since the last run.
    pub changes: Changes,
}

/// Writes the record as `OUT/runs/<timestamp>.json` (atomically) and returns its path.
pub fn save(out: &Path, record: &RunRecord) -> anyhow::Result<PathBuf> {
    let dir = out.join("runs");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let stamp = record.started_at.replace(':', "");
    // Two runs within one second get -1, -2, … so no record is ever overwritten.
    let path = (0..)
        .map(|i| match i {
            0 => dir.join(format!("{stamp}.json")),
            i => dir.join(format!("{stamp}-{i}.json")),
        })
        .find(|p| !p.exists())
        .expect("an unused name exists");
    ogi_util::write_atomic(&path, &serde_json::to_vec_pretty(record)?)?;
    Ok(path)
}

/// Run records in `OUT/runs`, oldest first.
pub fn list(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("runs"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "json"));
    // `<stamp>.json` comes before `<stamp>-1.json`, `<stamp>-2.json`, …
    v.sort_by_key(|p| {
        let stem = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        match stem.rsplit_once('-') {
            Some((base, n)) if n.chars().all(|c| c.is_ascii_digit()) && base.ends_with('Z') => {
                (base.to_string(), n.parse::<u64>().unwrap_or(0))
            }
            _ => (stem, 0),
        }
    });
    v
}

fn fmt_value(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |x| format!("{x}"))
}

/// The short human summary printed at the end of a run.
pub fn human_summary(record: &RunRecord) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let e = &record.extract;
    let c = &record.crawl;
    let num = |k: &str| c.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let failed: u64 = c
        .get("failed")
        .and_then(|v| v.as_object())
        .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum());
    let _ = writeln!(
        s,
        "crawl:   {} fetched, {} new, {} changed, {} not modified, {} failed",
        num("fetched"),
        num("new_documents"),
        num("changed_documents"),
        num("not_modified"),
        failed
    );
    let _ = writeln!(
        s,
        "extract: {} new documents extracted ({} parsed, {} partial, {} not a report, {} need OCR, {} need conversion, {} failed); {} with failing checks",
        e.extracted,
        e.parsed,
        e.partial,
        e.not_a_report,
        e.needs_ocr,
        e.needs_conversion,
        e.failed,
        e.checks_failing
    );
    if let Some(rows) = record
        .analyze
        .get("rows_written")
        .and_then(|d| d.as_object())
    {
        let years = record
            .analyze
            .get("years_recomputed")
            .and_then(|y| y.as_array())
            .map_or(0, Vec::len);
        let _ = writeln!(
            s,
            "analyze: {} datasets written ({years} year partitions recomputed)",
            rows.len()
        );
    }
    let ch = &record.changes;
    if ch.is_empty() {
        let _ = writeln!(s, "changes: no changes since the last run");
    } else {
        let _ = writeln!(
            s,
            "changes: {} new agency-years, {} revised, {} re-published unchanged",
            ch.new_agency_years.len(),
            ch.revised.len(),
            ch.republished_unchanged.len()
        );
        for n in &ch.new_agency_years {
            let _ = writeln!(s, "  new      {n}");
        }
        for r in &ch.revised {
            let _ = writeln!(s, "  revised  {} {} ({})", r.agency, r.year, r.region_code);
            for f in r.figures.iter().take(10) {
                let _ = writeln!(
                    s,
                    "           {}: {} → {}",
                    f.cell,
                    fmt_value(f.old),
                    fmt_value(f.new)
                );
            }
            if r.figures.len() > 10 {
                let _ = writeln!(s, "           … {} more", r.figures.len() - 10);
            }
        }
    }
    let _ = write!(s, "outcome: {:?}", record.outcome);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(started_at: &str, outcome: Outcome) -> RunRecord {
        RunRecord {
            started_at: started_at.into(),
            finished_at: started_at.into(),
            outcome,
            crawl: serde_json::json!({"fetched": 3, "failed": {"timeout": 2, "http_503": 1}}),
            extract: ExtractStats::default(),
            analyze: serde_json::Value::Null,
            exports: Vec::new(),
            changes: Changes::default(),
        }
    }

    #[test]
    fn records_in_the_same_second_are_kept_and_listed_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let a = save(tmp.path(), &record("2026-01-01T01:00:00Z", Outcome::Done)).unwrap();
        let b = save(
            tmp.path(),
            &record("2026-01-01T01:00:00Z", Outcome::DoneWithFailures),
        )
        .unwrap();
        let c = save(tmp.path(), &record("2026-01-01T01:00:01Z", Outcome::Done)).unwrap();
        assert_ne!(a, b);
        assert_eq!(
            list(tmp.path()),
            vec![a, b.clone()]
                .into_iter()
                .chain([c])
                .collect::<Vec<_>>()
        );
        let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(b).unwrap()).unwrap();
        assert_eq!(saved["outcome"], "done_with_failures");
    }

    #[test]
    fn summary_counts_failures_and_says_when_nothing_changed() {
        let s = human_summary(&record("2026-01-01T01:00:00Z", Outcome::DoneWithFailures));
        assert!(s.contains("3 fetched"), "{s}");
        assert!(s.contains("3 failed"), "{s}");
        assert!(s.contains("no changes since the last run"), "{s}");
        assert_eq!(Outcome::DoneWithFailures.exit_code(), 1);
    }
}
