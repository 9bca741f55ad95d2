//! The crawl run: under the run lock of OUT, resume or start a run, seed the frontier, hand the
//! frontier to the scheduler, write the summary. The work is split by job:
//! `schedule` (which URL goes next, under the politeness gates), `fetching`
//! (the request, its redirects and the classification of the response into a
//! [`Completion`](crate::state::Completion)), `robots_txt` (fetching and
//! caching robots.txt) and `discovery` (the URLs a list page or report page yields).

mod discovery;
mod fetching;
mod robots_txt;
mod schedule;

use crate::config::CrawlConfig;
use crate::discover::{self, ListItem};
use crate::fetch::Fetcher;
use crate::platform_crawl;
use crate::politeness::{HostLimits, Politeness};
use crate::portals::{Portal, load_portals};
use crate::progress::Progress;
use crate::raw;
use crate::robots::RobotsRules;
use crate::state::{Discovered, StateDb, StateWrite, UrlKind};
use crate::summary::{CrawlSummary, build_summary, save_summary};
use crate::urlnorm::{canonicalize, host_key};
use anyhow::{Result, bail, ensure};
use ogi_util::RunLock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::OnceCell;
use url::Url;

/// What every task of one crawl run shares.
struct Ctx {
    cfg: CrawlConfig,
    portals: HashMap<String, Portal>,
    db: Mutex<StateDb>,
    /// A read-only connection for the scheduler's queries (see [`StateDb::reader`]).
    reads: Mutex<StateDb>,
    polite: Politeness,
    fetcher: Fetcher,
    robots: Mutex<HashMap<String, Arc<OnceCell<RobotsRules>>>>,
    run: i64,
    progress: Progress,
    /// The state DB's writes of fetch tasks, committed in batches by `schedule`'s committer.
    writes: tokio::sync::mpsc::Sender<schedule::Queued>,
    /// Held until every task has finished, so a restarted run never races a commit.
    _lock: RunLock,
}

impl Ctx {
    fn db(&self) -> MutexGuard<'_, StateDb> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn reads(&self) -> MutexGuard<'_, StateDb> {
        self.reads.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `w` for the next group commit; fails only when the committer has stopped.
    async fn write(&self, w: StateWrite) -> Result<()> {
        self.writes
            .send(schedule::Queued::Write(w))
            .await
            .map_err(|_| anyhow::anyhow!("the state DB committer has stopped"))
    }
}

/// Runs (or resumes) a crawl of the configured portals into `cfg.out`, taking
/// the run lock of OUT first (an error that downcasts to
/// [`LockError`](ogi_util::LockError) when another run holds it).
pub async fn crawl(cfg: &CrawlConfig) -> Result<CrawlSummary> {
    let lock = RunLock::acquire(&cfg.out)?;
    crawl_locked(cfg, &lock).await
}

/// [`crawl()`] for a caller that already holds the run lock of `cfg.out` (the
/// nightly pipeline holds it across all its stages).
pub async fn crawl_locked(cfg: &CrawlConfig, lock: &RunLock) -> Result<CrawlSummary> {
    ensure!(
        lock.out() == cfg.out,
        "the run lock held is for {}, not for the crawl's output {}",
        lock.out().display(),
        cfg.out.display()
    );
    let mut portals = load_portals(&cfg.portals_file)?;
    if !cfg.portal_ids.is_empty() {
        for id in &cfg.portal_ids {
            if !portals.iter().any(|p| &p.id == id) {
                bail!(
                    "unknown portal id {id:?} (not in {})",
                    cfg.portals_file.display()
                );
            }
        }
        portals.retain(|p| cfg.portal_ids.contains(&p.id));
    }
    let swept = raw::sweep_temp(&cfg.out)?;
    if swept > 0 {
        tracing::info!(swept, "removed temp files of an interrupted run");
    }
    let mut db = StateDb::open(&cfg.out)?;
    db.set_checkpoint_pages(schedule::CHECKPOINT_PAGES)?;
    db.set_scope(&portals.iter().map(|p| p.id.clone()).collect::<Vec<_>>())?;
    let (run, resumed) = db.begin_run(cfg.revisit_after)?;
    tracing::info!(run, resumed, portals = portals.len(), "crawl run");
    let polite = Politeness::new(
        cfg.global_concurrency,
        HostLimits {
            rate: cfg.per_host_rate,
            concurrency: cfg.per_host_concurrency,
        },
        cfg.breaker_threshold,
        cfg.retry_after_cap,
        cfg.max_requests_per_host,
    );
    // One transaction for the whole seeding (thousands of portals).
    db.in_transaction(|db| {
        for p in &portals {
            let limits = HostLimits {
                rate: p.rate.unwrap_or(cfg.per_host_rate),
                concurrency: p.concurrency.unwrap_or(cfg.per_host_concurrency),
            };
            // Requests are keyed by `host:port`; configure every key the portal's URLs use.
            let mut keys: Vec<String> = p
                .allowed_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect();
            for u in p
                .start_urls
                .iter()
                .chain(p.home_url.iter())
                .chain(p.api.iter().map(|a| &a.url))
            {
                if let Ok(u) = Url::parse(
                    &u.replace("{page}", "1")
                        .replace("{start}", "1")
                        .replace("{end}", "2"),
                ) {
                    keys.push(host_key(&u));
                }
            }
            keys.sort();
            keys.dedup();
            for k in &keys {
                polite.configure(k, limits);
            }
            if p.tls_insecure() {
                tracing::warn!(portal = %p.id, "tls = \"insecure\": certificates of this portal are not verified");
            }
            db.put_portal(
                &p.id,
                &p.name,
                &p.region,
                &p.region_code,
                p.level.map(|l| l.as_str()),
                p.platform.map(|x| x.as_str()),
            )?;
            if let Some(platform) = p.platform
                && p.api.is_none()
            {
                for d in platform_crawl::seeds(db, p, platform)? {
                    db.seed(&d, run)?;
                }
                continue;
            }
            for s in &p.start_urls {
                let url = canonicalize(&Url::parse(s)?);
                db.seed(&discovered(p, &url, UrlKind::List, None, None, s), run)?;
            }
            if let Some(api) = &p.api
                && let Some(url) = discover::api_page_url(api, api.first_page)
            {
                db.seed(
                    &discovered(
                        p,
                        &url,
                        UrlKind::Api,
                        Some(api.first_page),
                        None,
                        p.start_urls.first().map_or("", String::as_str),
                    ),
                    run,
                )?;
            }
        }
        Ok(())
    })?;
    let (writes, queued) = tokio::sync::mpsc::channel(schedule::WRITE_QUEUE);
    let ctx = Arc::new(Ctx {
        fetcher: Fetcher::new(cfg)?,
        cfg: cfg.clone(),
        portals: portals.into_iter().map(|p| (p.id.clone(), p)).collect(),
        reads: Mutex::new(db.reader()?),
        db: Mutex::new(db),
        polite,
        robots: Mutex::new(HashMap::new()),
        run,
        progress: Progress::new(cfg.progress),
        writes,
        _lock: lock.clone(),
    });
    schedule::dispatch(&ctx, queued).await?;
    let summary = {
        let db = ctx.db();
        let s = build_summary(db.conn(), run, resumed)?;
        db.finish_run(run, &serde_json::to_string(&s)?)?;
        s
    };
    save_summary(&cfg.out, &summary)?;
    crate::documents::write_publication_files(&cfg.out)?;
    ctx.progress.finish();
    tracing::info!(
        fetched = summary.fetched,
        new = summary.new_documents,
        changed = summary.changed_documents,
        "crawl finished"
    );
    Ok(summary)
}

fn discovered(
    p: &Portal,
    url: &Url,
    k: UrlKind,
    page: Option<u32>,
    item: Option<&ListItem>,
    parent: &str,
) -> Discovered {
    Discovered {
        url: url.to_string(),
        portal_id: p.id.clone(),
        host: host_key(url),
        kind: k,
        page,
        title: item.map(|i| i.title.clone()),
        year: item.map(|i| i.year),
        date: item.and_then(|i| i.date.clone()),
        sig: item.map(ListItem::signature),
        parent: parent.to_string(),
        form: None,
    }
}
