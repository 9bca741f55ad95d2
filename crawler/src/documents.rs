//! Read-side API over OUT: the stored report documents (for the extract stage)
//! and per-portal crawl health.

use crate::raw::raw_path;
use crate::state::StateDb;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A report document (page or attachment) in the raw store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredDocument {
    /// Canonical URL it was listed under.
    pub url: String,
    /// URL after redirects.
    pub final_url: String,
    /// SHA-256 of the stored body.
    pub sha256: String,
    /// Path of the body in the raw store (`OUT/raw/ab/cdef….bin`).
    pub path: PathBuf,
    /// Sniffed media type (`text/html`, `application/pdf`, …).
    pub content_type: String,
    /// `page` (HTML report) or `attachment` (pdf, doc, docx, …).
    pub kind: String,
    /// Portal id.
    pub portal_id: String,
    /// When the stored body was fetched (RFC 3339).
    pub fetched_at: String,
    /// Title as listed.
    pub list_title: Option<String>,
    /// Report year from the title.
    pub year: Option<u16>,
    /// Date as listed.
    pub list_date: Option<String>,
    /// Page the document was found on.
    pub parent_url: Option<String>,
    /// `new`, `changed` or `unchanged` as of the last run that checked it.
    pub status: String,
    /// Run that last checked it.
    pub status_run: Option<i64>,
}

/// Lists every report document in the raw store of `out`.
pub fn stored_documents(out: &Path) -> Result<Vec<StoredDocument>> {
    let db = StateDb::open_existing(out)?;
    let mut st = db.conn().prepare(
        "SELECT url, COALESCE(final_url, url), sha256, COALESCE(content_type,''), kind, portal_id,
                COALESCE(fetched_at,''), list_title, year, list_date, parent_url,
                COALESCE(doc_status,'new'), doc_run
         FROM urls WHERE kind IN ('page','attachment') AND sha256 IS NOT NULL ORDER BY url",
    )?;
    let rows = st.query_map([], |r| {
        let sha: String = r.get(2)?;
        Ok(StoredDocument {
            url: r.get(0)?,
            final_url: r.get(1)?,
            path: raw_path(out, &sha),
            sha256: sha,
            content_type: r.get(3)?,
            kind: r.get(4)?,
            portal_id: r.get(5)?,
            fetched_at: r.get(6)?,
            list_title: r.get(7)?,
            year: r.get(8)?,
            list_date: r.get(9)?,
            parent_url: r.get(10)?,
            status: r.get(11)?,
            status_run: r.get(12)?,
        })
    })?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
}

/// Health of one portal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PortalHealth {
    /// Portal id.
    pub portal_id: String,
    /// Last successful response from any of its hosts (RFC 3339).
    pub last_success: Option<String>,
    /// Largest consecutive-failure count among its hosts.
    pub consecutive_failures: u64,
    /// Hosts currently recorded as blocked (anti-bot challenge).
    pub blocked_hosts: Vec<String>,
    /// Report documents stored.
    pub documents: u64,
}

/// State of the crawl in OUT.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CrawlStatus {
    /// Runs recorded.
    pub runs: u64,
    /// The last run's id and whether it finished.
    pub last_run: Option<(i64, bool)>,
    /// Per-portal health.
    pub portals: Vec<PortalHealth>,
    /// Report documents by document status (`new`, `changed`, `unchanged`).
    pub documents_by_status: BTreeMap<String, u64>,
    /// Frontier URLs by state (`done`, `pending`, `failed`, `blocked`, `disallowed`).
    pub urls_by_state: BTreeMap<String, u64>,
}

/// Summarises the crawl state of `out`.
pub fn status(out: &Path) -> Result<CrawlStatus> {
    let db = StateDb::open_existing(out)?;
    let c = db.conn();
    let runs: i64 = c.query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))?;
    let last_run = c
        .query_row(
            "SELECT id, finished_at IS NOT NULL FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    let group = |sql: &str| -> Result<BTreeMap<String, u64>> {
        let mut st = c.prepare(sql)?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let documents_by_status = group(
        "SELECT COALESCE(doc_status,'new'), COUNT(*) FROM urls WHERE kind IN ('page','attachment') AND sha256 IS NOT NULL GROUP BY 1",
    )?;
    let urls_by_state = group("SELECT state, COUNT(*) FROM urls GROUP BY 1")?;
    let mut st = c.prepare(
        "SELECT p.portal_id,
           (SELECT MAX(last_success) FROM hosts h WHERE h.host IN (SELECT DISTINCT host FROM urls WHERE portal_id=p.portal_id)),
           (SELECT COALESCE(MAX(consecutive_failures),0) FROM hosts h WHERE h.host IN (SELECT DISTINCT host FROM urls WHERE portal_id=p.portal_id)),
           (SELECT group_concat(host) FROM hosts h WHERE blocked=1 AND h.host IN (SELECT DISTINCT host FROM urls WHERE portal_id=p.portal_id)),
           (SELECT COUNT(*) FROM urls d WHERE d.portal_id=p.portal_id AND d.kind IN ('page','attachment') AND d.sha256 IS NOT NULL)
         FROM (SELECT DISTINCT portal_id FROM urls) p ORDER BY p.portal_id",
    )?;
    let portals = st
        .query_map([], |r| {
            let blocked: Option<String> = r.get(3)?;
            Ok(PortalHealth {
                portal_id: r.get(0)?,
                last_success: r.get(1)?,
                consecutive_failures: r.get::<_, i64>(2)? as u64,
                blocked_hosts: blocked
                    .map(|b| b.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
                documents: r.get::<_, i64>(4)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CrawlStatus {
        runs: runs as u64,
        last_run,
        portals,
        documents_by_status,
        urls_by_state,
    })
}

/// One frontier URL and its state (for status displays and tests).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UrlState {
    /// Canonical URL.
    pub url: String,
    /// Portal id.
    pub portal_id: String,
    /// `list`, `api`, `page` or `attachment`.
    pub kind: String,
    /// `pending`, `done`, `failed`, `blocked` or `disallowed`.
    pub state: String,
    /// Failure reason, if any.
    pub error: Option<String>,
    /// Attempts in the current run.
    pub attempts: u32,
}

/// Every URL of the frontier with its state, ordered by URL.
pub fn frontier(out: &Path) -> Result<Vec<UrlState>> {
    let db = StateDb::open_existing(out)?;
    let mut st = db
        .conn()
        .prepare("SELECT url, portal_id, kind, state, error, attempts FROM urls ORDER BY url")?;
    let rows = st.query_map([], |r| {
        Ok(UrlState {
            url: r.get(0)?,
            portal_id: r.get(1)?,
            kind: r.get(2)?,
            state: r.get(3)?,
            error: r.get(4)?,
            attempts: r.get(5)?,
        })
    })?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
}
