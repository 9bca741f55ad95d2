//! Run summary (`CrawlSummary`), saved as `OUT/crawl/summary-<stamp>.json` and
//! `summary-latest.json`.

use crate::timefmt::{file_stamp, unix_now};
use anyhow::Result;
use ogi_util::write_atomic;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CrawlSummary {
    /// Run id in the state DB.
    pub run_id: i64,
    /// True if this call resumed an unfinished earlier run.
    pub resumed: bool,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When it finished (RFC 3339).
    pub finished_at: String,
    /// HTTP requests sent (including robots.txt and redirect hops).
    pub requests: u64,
    /// Conditional requests among them.
    pub conditional_requests: u64,
    /// Responses with a body stored (2xx).
    pub fetched: u64,
    /// 304 Not Modified responses.
    pub not_modified: u64,
    /// Report documents seen for the first time.
    pub new_documents: u64,
    /// Report documents whose content changed.
    pub changed_documents: u64,
    /// Report documents fetched again with the same content.
    pub unchanged_documents: u64,
    /// Body bytes downloaded.
    pub bytes: u64,
    /// URLs that ended failed, by reason.
    pub failed: BTreeMap<String, u64>,
    /// URLs skipped because robots.txt disallows them.
    pub disallowed: u64,
    /// Hosts that served anti-bot challenges in this run.
    pub blocked_hosts: Vec<String>,
    /// Documents that answered 404/410 (gone from the portal): a finding, not a failure.
    #[serde(default)]
    pub gone: u64,
    /// Report links outside the portal's hosts, not fetched: a finding, not a failure.
    #[serde(default)]
    pub skipped: u64,
    /// Report columns that moved or were found in this run (`portal: gone URL`,
    /// `portal: found URL (rule)`).
    #[serde(default)]
    pub columns: Vec<String>,
}

/// Computes the summary of `run` from the state DB.
pub fn build_summary(conn: &Connection, run: i64, resumed: bool) -> Result<CrawlSummary> {
    let one = |sql: &str| -> Result<u64> {
        Ok(conn.query_row(sql, [run], |r| r.get::<_, i64>(0))? as u64)
    };
    let mut s = CrawlSummary {
        run_id: run,
        resumed,
        started_at: conn.query_row("SELECT started_at FROM runs WHERE id=?1", [run], |r| {
            r.get(0)
        })?,
        finished_at: crate::timefmt::now_rfc3339(),
        requests: one("SELECT COUNT(*) FROM fetches WHERE run_id=?1")?,
        conditional_requests: one(
            "SELECT COUNT(*) FROM fetches WHERE run_id=?1 AND conditional=1",
        )?,
        fetched: one("SELECT COUNT(*) FROM fetches WHERE run_id=?1 AND sha256 IS NOT NULL")?,
        not_modified: one("SELECT COUNT(*) FROM fetches WHERE run_id=?1 AND status=304")?,
        new_documents: one("SELECT COUNT(*) FROM urls WHERE doc_run=?1 AND doc_status='new'")?,
        changed_documents: one(
            "SELECT COUNT(*) FROM urls WHERE doc_run=?1 AND doc_status='changed'",
        )?,
        unchanged_documents: one(
            "SELECT COUNT(*) FROM urls WHERE doc_run=?1 AND doc_status='unchanged'",
        )?,
        bytes: one("SELECT COALESCE(SUM(length),0) FROM fetches WHERE run_id=?1")?,
        disallowed: one("SELECT COUNT(*) FROM urls WHERE run_id=?1 AND state='disallowed'")?,
        ..Default::default()
    };
    let mut st = conn.prepare("SELECT COALESCE(error,'unknown'), COUNT(*) FROM urls WHERE run_id=?1 AND state IN ('failed','blocked') GROUP BY 1")?;
    for r in st.query_map(params![run], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (k, v) = r?;
        s.failed.insert(k, v as u64);
    }
    s.gone = one("SELECT COUNT(*) FROM urls WHERE run_id=?1 AND state='gone'")?;
    s.skipped = one("SELECT COUNT(*) FROM urls WHERE run_id=?1 AND state='skipped'")?;
    let mut st = conn.prepare(
        "SELECT portal_id || ': ' || event || ' ' || url || COALESCE(' (' || rule || ')', '')
         FROM column_events WHERE run_id=?1 ORDER BY id",
    )?;
    s.columns = st
        .query_map([run], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut st =
        conn.prepare("SELECT host FROM hosts WHERE blocked=1 AND blocked_run=?1 ORDER BY host")?;
    s.blocked_hosts = st
        .query_map([run], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(s)
}

/// Writes the summary JSON (timestamped and `summary-latest.json`), atomically.
pub fn save_summary(out: &Path, s: &CrawlSummary) -> Result<PathBuf> {
    let dir = out.join("crawl");
    let json = serde_json::to_vec_pretty(s)?;
    let path = dir.join(format!(
        "summary-{}-run{}.json",
        file_stamp(unix_now()),
        s.run_id
    ));
    write_atomic(&path, &json)?;
    write_atomic(&dir.join("summary-latest.json"), &json)?;
    Ok(path)
}
