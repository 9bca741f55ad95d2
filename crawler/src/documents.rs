//! Read-side API over OUT: the stored report documents (for the extract stage)
//! and per-portal crawl health.

use crate::raw::raw_path;
use crate::state::{FrontierState, StateDb, UrlKind};
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
    /// [`UrlKind::Page`] (HTML report) or [`UrlKind::Attachment`] (pdf, doc, docx, …).
    pub kind: UrlKind,
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
    /// Date in the document's URL (`t20240115_…`, `/art/2024/1/15/`), `YYYY-MM-DD`.
    #[serde(default)]
    pub url_date: Option<String>,
    /// `PubDate` meta of the report page (of the page an attachment hangs on), `YYYY-MM-DD`.
    #[serde(default)]
    pub meta_date: Option<String>,
    /// Publication date used: the listed date, else the URL's, else the meta's.
    #[serde(default)]
    pub published: Option<String>,
    /// Where [`StoredDocument::published`] came from (`list`, `url`, `meta`).
    #[serde(default)]
    pub published_source: Option<String>,
    /// GB/T 2260 code of the portal's region (a fallback for the report's region;
    /// a county portal also hosts its departments' and townships' reports).
    #[serde(default)]
    pub portal_region_code: Option<String>,
    /// When the crawler first stored a body for this URL (RFC 3339).
    #[serde(default)]
    pub first_seen: Option<String>,
}

/// Lists every report document in the raw store of `out`.
pub fn stored_documents(out: &Path) -> Result<Vec<StoredDocument>> {
    let mut docs = Vec::new();
    each_stored_document(out, |d| {
        docs.push(d);
        Ok(())
    })?;
    Ok(docs)
}

/// Hands every report document in the raw store of `out` to `f`, in URL order,
/// one at a time (a national crawl holds hundreds of thousands); stops at
/// `f`'s first error.
pub fn each_stored_document(
    out: &Path,
    mut f: impl FnMut(StoredDocument) -> Result<()>,
) -> Result<()> {
    let db = StateDb::open_existing(out)?;
    let mut st = db.conn().prepare(
        "SELECT u.url, COALESCE(u.final_url, u.url), u.sha256, COALESCE(u.content_type,''), u.kind, u.portal_id,
                COALESCE(u.fetched_at,''), u.list_title, u.year,
                COALESCE(u.list_date, (SELECT p.list_date FROM urls p WHERE p.url=u.parent_url)), u.parent_url,
                COALESCE(u.doc_status,'new'), u.doc_run,
                COALESCE(u.meta_date, (SELECT p.meta_date FROM urls p WHERE p.url=u.parent_url)),
                (SELECT NULLIF(region_code,'') FROM portals WHERE id=u.portal_id),
                (SELECT MIN(f.fetched_at) FROM fetches f WHERE f.url=u.url AND f.sha256 IS NOT NULL)
         FROM urls u WHERE u.kind IN ('page','attachment') AND u.sha256 IS NOT NULL ORDER BY u.url",
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
            url_date: None,
            meta_date: r.get(13)?,
            published: None,
            published_source: None,
            portal_region_code: r.get(14)?,
            first_seen: r.get(15)?,
        })
    })?;
    for row in rows {
        let mut d = row?;
        d.url_date = url::Url::parse(&d.url)
            .ok()
            .and_then(|u| crate::platforms::pubdate::url_date(&u));
        if let Some((date, src)) = crate::platforms::pubdate::best(
            d.list_date.as_deref(),
            d.url_date.as_deref(),
            d.meta_date.as_deref(),
        ) {
            d.published = Some(date);
            d.published_source = Some(src.as_str().to_string());
        }
        f(d)?;
    }
    Ok(())
}

/// Writes `OUT/crawl/portals.csv` (the registry facts of the portals crawled:
/// id, name, level, region, region_code, platform) and `OUT/crawl/publications.csv`
/// (one row per stored report document: portal, URL, digest, listed title and
/// year, publication date and its source, first seen), atomically. The
/// analyze stage reads them for the publication compliance dataset.
pub fn write_publication_files(out: &Path) -> Result<()> {
    let db = StateDb::open_existing(out)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "portal_id",
        "name",
        "level",
        "region",
        "region_code",
        "platform",
    ])?;
    let mut st = db.conn().prepare(
        "SELECT id, name, COALESCE(level,''), COALESCE(region,''), COALESCE(region_code,''), COALESCE(platform,'')
         FROM portals ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok([
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ])
    })?;
    for r in rows {
        w.write_record(r?)?;
    }
    ogi_util::write_atomic(&out.join("crawl").join("portals.csv"), &w.into_inner()?)?;
    drop(st);
    drop(db);
    // Streamed into the file: one document in memory at a time.
    ogi_util::write_atomic_with(&out.join("crawl").join("publications.csv"), |file| {
        let mut w = csv::Writer::from_writer(file);
        w.write_record([
            "portal_id",
            "url",
            "sha256",
            "kind",
            "content_type",
            "list_title",
            "year",
            "published",
            "published_source",
            "first_seen",
        ])?;
        each_stored_document(out, |d| {
            w.write_record([
                d.portal_id,
                d.url,
                d.sha256,
                d.kind.to_string(),
                d.content_type,
                d.list_title.unwrap_or_default(),
                d.year.map(|y| y.to_string()).unwrap_or_default(),
                d.published.unwrap_or_default(),
                d.published_source.unwrap_or_default(),
                d.first_seen.unwrap_or_default(),
            ])?;
            Ok(())
        })?;
        w.flush()?;
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(())
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
    /// Frontier URLs by state (`done`, `pending`, `failed`, `blocked`, `disallowed`,
    /// `gone`, `skipped`).
    pub urls_by_state: BTreeMap<String, u64>,
    /// URLs that failed or were blocked, with the reason (at most [`LISTED`]).
    #[serde(default)]
    pub failures: Vec<UrlState>,
    /// Findings that need no action: documents gone (404/410), links off the portal
    /// (at most [`LISTED`]).
    #[serde(default)]
    pub findings: Vec<UrlState>,
    /// Report columns found or gone, newest first (`run N portal: found URL (rule)`).
    #[serde(default)]
    pub column_events: Vec<String>,
    /// Portals whose hosts answer a script challenge (Ruishu `$_ts`, WAF): they need a
    /// browser to be crawled; they are tried once a run and never retried in a loop.
    #[serde(default)]
    pub needs_browser: Vec<String>,
}

/// Failures and findings listed by [`status`] at most.
pub const LISTED: usize = 200;

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
    let states = |which: &str| -> Result<Vec<UrlState>> {
        let mut st = c.prepare(&format!(
            "SELECT url, portal_id, kind, state, error, attempts FROM urls WHERE state IN ({which})
             ORDER BY portal_id, url LIMIT {LISTED}"
        ))?;
        let rows = st.query_map([], url_state)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    };
    let mut st = c.prepare(
        "SELECT 'run ' || run_id || ' ' || portal_id || ': ' || event || ' ' || url || COALESCE(' (' || rule || ')', '')
         FROM column_events ORDER BY id DESC LIMIT 50",
    )?;
    let column_events = st
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let needs_browser = portals
        .iter()
        .filter(|p| !p.blocked_hosts.is_empty())
        .map(|p| p.portal_id.clone())
        .collect();
    Ok(CrawlStatus {
        runs: runs as u64,
        last_run,
        portals,
        documents_by_status,
        urls_by_state,
        failures: states("'failed','blocked'")?,
        findings: states("'gone','skipped'")?,
        column_events,
        needs_browser,
    })
}

/// One frontier URL and its state (for status displays and tests).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UrlState {
    /// Canonical URL.
    pub url: String,
    /// Portal id.
    pub portal_id: String,
    /// What the URL is.
    pub kind: UrlKind,
    /// Its state in the last run that touched it.
    pub state: FrontierState,
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
    let rows = st.query_map([], url_state)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
}

fn url_state(r: &rusqlite::Row<'_>) -> rusqlite::Result<UrlState> {
    Ok(UrlState {
        url: r.get(0)?,
        portal_id: r.get(1)?,
        kind: r.get(2)?,
        state: r.get(3)?,
        error: r.get(4)?,
        attempts: r.get(5)?,
    })
}
