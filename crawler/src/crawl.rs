//! The crawl loop: lock OUT, resume or start a run, dispatch frontier URLs to
//! fetch tasks under the politeness gates, commit each outcome, write the summary.

use crate::config::CrawlConfig;
use crate::content::{detect_challenge, is_soft_404, matches_extension, sniff_mime};
use crate::discover::{self, ListItem, ListPage, decode_html, extension, is_attachment};
use crate::fetch::{FetchError, Fetcher, Response, Validators};
use crate::platform_crawl;
use crate::politeness::{HostLimits, HostReadiness, Politeness};
use crate::portals::{Portal, load_portals};
use crate::progress::Progress;
use crate::raw;
use crate::robots::RobotsRules;
use crate::state::{Completion, Discovered, FetchRecord, StateDb, UrlRow, kind};
use crate::summary::{CrawlSummary, build_summary, save_summary};
use crate::timefmt::unix_now_ms;
use crate::urlnorm::{canonicalize, check_url, host_key, resolve};
use anyhow::{Context, Result, bail};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::task::JoinSet;
use url::Url;

/// Error returned when another run holds the lock on OUT.
#[derive(Debug, thiserror::Error)]
#[error("another crawl run holds the lock on {0}")]
pub struct LockHeld(pub String);

/// Opens (creating it) and locks `path` exclusively without waiting: `Ok(None)`
/// when another process holds the lock. The lock is released when the file is dropped.
pub fn try_lock_file(path: &Path) -> Result<Option<File>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Takes the exclusive run lock `OUT/crawl/lock` (released when the file is dropped).
pub fn lock_out(out: &Path) -> Result<File> {
    try_lock_file(&out.join("crawl").join("lock"))?
        .ok_or_else(|| LockHeld(out.display().to_string()).into())
}

struct Ctx {
    cfg: CrawlConfig,
    portals: HashMap<String, Portal>,
    db: Mutex<StateDb>,
    polite: Politeness,
    fetcher: Fetcher,
    robots: Mutex<HashMap<String, Arc<OnceCell<RobotsRules>>>>,
    run: i64,
    progress: Progress,
    /// Held until every task has finished, so a restarted run never races a commit.
    _lock: File,
}

impl Ctx {
    fn db(&self) -> MutexGuard<'_, StateDb> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs (or resumes) a crawl of the configured portals into `cfg.out`.
pub async fn crawl(cfg: &CrawlConfig) -> Result<CrawlSummary> {
    let lock = lock_out(&cfg.out)?;
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
    db.set_scope(&portals.iter().map(|p| p.id.clone()).collect::<Vec<_>>());
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
            for d in platform_crawl::seeds(&db, p, platform)? {
                db.seed(&d, run)?;
            }
            continue;
        }
        for s in &p.start_urls {
            let url = canonicalize(&Url::parse(s)?);
            db.seed(&discovered(p, &url, kind::LIST, None, None, s), run)?;
        }
        if let Some(api) = &p.api
            && let Some(url) = discover::api_page_url(api, api.first_page)
        {
            db.seed(
                &discovered(
                    p,
                    &url,
                    kind::API,
                    Some(api.first_page),
                    None,
                    p.start_urls.first().map_or("", String::as_str),
                ),
                run,
            )?;
        }
    }
    let ctx = Arc::new(Ctx {
        fetcher: Fetcher::new(cfg)?,
        cfg: cfg.clone(),
        portals: portals.into_iter().map(|p| (p.id.clone(), p)).collect(),
        db: Mutex::new(db),
        polite,
        robots: Mutex::new(HashMap::new()),
        run,
        progress: Progress::new(cfg.progress),
        _lock: lock,
    });
    dispatch(&ctx).await?;
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
    k: &'static str,
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

/// How long a host with nothing runnable is not asked again (unless one of its
/// own fetches completes, which may have discovered more of its URLs).
const EMPTY_RECHECK: Duration = Duration::from_millis(250);
/// How often the set of hosts with pending URLs is re-read.
const HOST_RESCAN: Duration = Duration::from_secs(1);
/// URLs buffered per host.
const HOST_BUFFER: usize = 32;

/// Schedules frontier URLs onto fetch tasks: per host a small buffer refilled from
/// the DB, a host is only served when its politeness gate is free, and at most
/// `global_concurrency` tasks run. Outcomes are committed by the tasks themselves.
async fn dispatch(ctx: &Arc<Ctx>) -> Result<()> {
    use std::collections::VecDeque;
    use tokio::time::Instant;
    let cap = ctx.cfg.global_concurrency.max(1);
    let mut tasks: JoinSet<Result<()>> = JoinSet::new();
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut dispatched: HashMap<String, usize> = HashMap::new();
    let mut buffers: HashMap<String, VecDeque<UrlRow>> = HashMap::new();
    let mut empty_until: HashMap<String, Instant> = HashMap::new();
    let mut hosts: Vec<String> = Vec::new();
    let mut last_scan: Option<Instant> = None;
    let mut rotate = 0usize;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    loop {
        while let Ok((url, host)) = done_rx.try_recv() {
            in_flight.remove(&url);
            if let Some(n) = dispatched.get_mut(&host) {
                *n = n.saturating_sub(1);
            }
            empty_until.remove(&host);
        }
        let now = Instant::now();
        if last_scan.is_none_or(|t| now.duration_since(t) >= HOST_RESCAN) {
            for h in ctx.db().pending_hosts(ctx.run)? {
                if !hosts.contains(&h) {
                    hosts.push(h);
                }
            }
            last_scan = Some(now);
        }
        let mut wake = HOST_RESCAN;
        let n_hosts = hosts.len();
        for k in 0..n_hosts {
            if tasks.len() >= cap {
                break;
            }
            let host = hosts[(rotate + k) % n_hosts].clone();
            match ctx.polite.ready(&host) {
                HostReadiness::Parked(reason) => {
                    let state = if reason == "blocked" {
                        "blocked"
                    } else {
                        "failed"
                    };
                    buffers.remove(&host);
                    let n = ctx.db().park_host(ctx.run, &host, state, &reason)?;
                    for _ in 0..n {
                        ctx.progress.error();
                    }
                    continue;
                }
                HostReadiness::Busy => continue,
                HostReadiness::At(t) if t > now + Duration::from_millis(2) => {
                    wake = wake.min(t - now);
                    continue;
                }
                HostReadiness::At(_) => {}
            }
            if dispatched.get(&host).copied().unwrap_or(0) >= ctx.polite.concurrency(&host) {
                continue;
            }
            let buf = buffers.entry(host.clone()).or_default();
            if buf.is_empty() {
                if empty_until.get(&host).is_some_and(|t| *t > now) {
                    continue;
                }
                let rows = ctx.db().next_for_host(
                    ctx.run,
                    &host,
                    HOST_BUFFER + in_flight.len().min(64),
                )?;
                buf.extend(
                    rows.into_iter()
                        .filter(|r| !in_flight.contains(&r.url))
                        .take(HOST_BUFFER),
                );
                if buf.is_empty() {
                    empty_until.insert(host.clone(), now + EMPTY_RECHECK);
                    wake = wake.min(EMPTY_RECHECK);
                    continue;
                }
            }
            let Some(row) = buf.pop_front() else { continue };
            in_flight.insert(row.url.clone());
            *dispatched.entry(host.clone()).or_default() += 1;
            let ctx2 = ctx.clone();
            let tx = done_tx.clone();
            tasks.spawn(async move {
                let c = process(&ctx2, &row).await;
                let ctx3 = ctx2.clone();
                let row2 = row.clone();
                let res =
                    tokio::task::spawn_blocking(move || ctx3.db().complete(&row2, ctx3.run, &c))
                        .await
                        .context("commit task")?;
                let _ = tx.send((row.url, row.host));
                res
            });
        }
        rotate = rotate.wrapping_add(1);
        if tasks.is_empty() && buffers.values().all(VecDeque::is_empty) {
            let (pending, earliest) = ctx.db().pending(ctx.run)?;
            if pending == 0 {
                return Ok(());
            }
            if let Some(nb) = earliest {
                let ms = (nb - unix_now_ms()).clamp(0, 1000) as u64;
                wake = wake.min(Duration::from_millis(ms.max(5)));
            }
            // Pending URLs may sit on hosts not yet known to this loop.
            last_scan = None;
        }
        tokio::select! {
            Some(res) = tasks.join_next() => {
                match res {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return Err(e.context("committing a fetch outcome")),
                    Err(e) if e.is_panic() => bail!("fetch task panicked: {e}"),
                    Err(_) => {}
                }
            }
            _ = tokio::time::sleep(wake) => {}
        }
    }
}

fn backoff(cfg: &CrawlConfig, attempts: u32) -> Duration {
    crate::politeness::full_jitter_backoff(
        cfg.backoff_base,
        cfg.backoff_max,
        attempts,
        fastrand::f64(),
    )
}

fn retry_or_fail(
    ctx: &Ctx,
    row: &UrlRow,
    reason: String,
    wait: Duration,
    fetch: Option<FetchRecord>,
) -> Completion {
    let wait = wait.max(backoff(&ctx.cfg, row.attempts));
    if row.attempts + 1 >= ctx.cfg.max_attempts {
        Completion {
            state: "failed",
            error: Some(reason),
            not_before_ms: 0,
            fetch,
            not_modified: false,
            children: Vec::new(),
            column: None,
        }
    } else {
        Completion {
            state: "pending",
            error: Some(reason),
            not_before_ms: unix_now_ms() + wait.as_millis() as i64,
            fetch,
            not_modified: false,
            children: Vec::new(),
            column: None,
        }
    }
}

/// Attempts at robots.txt per host and run before the host counts as unreachable.
const ROBOTS_TRIES: u32 = 3;

/// The robots.txt rules of `url`'s host: from the DB cache if fresh, else fetched
/// (through the host's politeness gate, retrying transient failures). A 412 or WAF
/// page parks the host as blocked; 5xx/429/network failure disallows the host for
/// this run (RFC 9309 §2.3.1.4) without caching, so the next run asks again.
async fn robots_for(ctx: &Ctx, url: &Url) -> RobotsRules {
    let host = host_key(url);
    let cell = {
        let mut m = ctx.robots.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(host.clone()).or_default().clone()
    };
    cell.get_or_init(|| async {
        if let Ok(Some((status, body))) = ctx.db().robots(&host, ctx.cfg.robots_ttl) {
            let r = RobotsRules::from_status(status, &body, &ctx.cfg.user_agent);
            if let Some(d) = r.crawl_delay {
                ctx.polite.set_crawl_delay(&host, d);
            }
            return r;
        }
        let Ok(mut robots_url) = url.join("/robots.txt") else {
            return RobotsRules::allow_all();
        };
        let mut hops = 0;
        let mut tries = 0u32;
        let rules = loop {
            let Ok(permit) = ctx.polite.acquire(&host_key(&robots_url)).await else {
                break RobotsRules::disallow_all();
            };
            let res = ctx
                .fetcher
                .get_prefix(&robots_url, crate::robots::MAX_ROBOTS_BYTES as u64)
                .await;
            drop(permit);
            ctx.progress
                .request(res.as_ref().map(|r| r.body.len()).unwrap_or(0));
            let rec = fetch_record(&robots_url, &res, false, None);
            let _ = ctx.db().log_fetch(ctx.run, robots_url.as_str(), &rec);
            match res {
                Ok(r) if (300..400).contains(&r.status) && hops < 5 => {
                    let next = r.header("location").and_then(|l| resolve(&robots_url, l));
                    match next {
                        Some(n)
                            if check_url(&n, &[host_key(&n)], &ctx.cfg.allow_private_hosts)
                                .is_ok() =>
                        {
                            hops += 1;
                            robots_url = n;
                        }
                        _ => break RobotsRules::allow_all(),
                    }
                }
                Ok(r) if (r.status >= 500 || r.status == 429) && tries + 1 < ROBOTS_TRIES => {
                    tries += 1;
                    let wait = r
                        .header("retry-after")
                        .and_then(crate::timefmt::parse_retry_after)
                        .unwrap_or_default()
                        .max(backoff(&ctx.cfg, tries));
                    ctx.polite.hold(&host_key(&robots_url), wait);
                }
                Err(e) if e.transient() && tries + 1 < ROBOTS_TRIES => {
                    tries += 1;
                    ctx.polite
                        .hold(&host_key(&robots_url), backoff(&ctx.cfg, tries));
                }
                Ok(r) => {
                    if let Some(why) = detect_challenge(r.status, &r.body) {
                        eprintln!(
                            "ogi: {robots_url}: HTTP {} script challenge ({why}); {host} needs a browser and is not crawled",
                            r.status
                        );
                        ctx.polite.park(&host, "blocked");
                        break RobotsRules::disallow_all();
                    }
                    let body = String::from_utf8_lossy(&r.body).into_owned();
                    let rules = RobotsRules::from_status(r.status, &body, &ctx.cfg.user_agent);
                    if rules.unreachable {
                        eprintln!(
                            "ogi: {robots_url}: HTTP {}; robots.txt unreachable, {host} is not crawled this run",
                            r.status
                        );
                    } else {
                        let _ = ctx.db().put_robots(&host, r.status, &body);
                    }
                    break rules;
                }
                Err(e) => {
                    eprintln!("ogi: {robots_url}: {e}; robots.txt unreachable, {host} is not crawled this run");
                    break RobotsRules::disallow_all();
                }
            }
        };
        if let Some(d) = rules.crawl_delay {
            ctx.polite.set_crawl_delay(&host, d);
        }
        rules
    })
    .await
    .clone()
}

fn fetch_record(
    url: &Url,
    res: &Result<Response, FetchError>,
    conditional: bool,
    sha: Option<(String, String)>,
) -> FetchRecord {
    match res {
        Ok(r) => FetchRecord {
            final_url: Some(url.to_string()),
            status: Some(r.status),
            conditional,
            headers: serde_json::to_string(&r.headers).ok(),
            etag: r.header("etag").map(str::to_string),
            last_modified: r.header("last-modified").map(str::to_string),
            content_type: sha
                .as_ref()
                .map(|(_, ct)| ct.clone())
                .or_else(|| r.header("content-type").map(str::to_string)),
            length: Some(r.body.len() as u64),
            sha256: sha.map(|(s, _)| s),
            elapsed_ms: Some(r.elapsed.as_millis() as u64),
            error: None,
            meta_date: None,
        },
        Err(e) => FetchRecord {
            final_url: Some(url.to_string()),
            conditional,
            error: Some(e.to_string()),
            ..Default::default()
        },
    }
}

async fn process(ctx: &Ctx, row: &UrlRow) -> Completion {
    let Some(portal) = ctx.portals.get(&row.portal_id) else {
        return Completion::state("failed", "unknown_portal");
    };
    let Ok(start) = Url::parse(&row.url) else {
        return Completion::state("failed", "bad_url");
    };
    let validators = Validators {
        etag: row.etag.clone(),
        last_modified: row.last_modified.clone(),
    };
    let mut current = start.clone();
    let mut visited: HashSet<Url> = HashSet::from([start.clone()]);
    let mut hops = 0usize;
    loop {
        if let Err(r) = check_url(
            &current,
            &portal.allowed_hosts,
            &ctx.cfg.allow_private_hosts,
        ) {
            // A report link off the portal is a finding, not a failure of the run.
            let is_doc = row.kind == kind::PAGE || row.kind == kind::ATTACHMENT;
            if is_doc && matches!(r, crate::urlnorm::Refusal::OutOfScope(_)) {
                return Completion::state("skipped", r.reason());
            }
            if matches!(r, crate::urlnorm::Refusal::ForbiddenAddress(_)) {
                eprintln!(
                    "ogi: {}: refused, {} (not a public address)",
                    current,
                    r.reason()
                );
            }
            return Completion::state("failed", r.reason());
        }
        let rules = robots_for(ctx, &current).await;
        let pq = match current.query() {
            Some(q) => format!("{}?{q}", current.path()),
            None => current.path().to_string(),
        };
        if !rules.allowed(&pq) {
            if let HostReadiness::Parked(reason) = ctx.polite.ready(&host_key(&current))
                && reason == "blocked"
            {
                return Completion::state("blocked", "challenge_robots");
            }
            return if rules.unreachable {
                Completion::state("failed", "robots_unreachable")
            } else {
                Completion::state("disallowed", "robots_disallow")
            };
        }
        let host = host_key(&current);
        let permit = match ctx.polite.acquire(&host).await {
            Ok(p) => p,
            Err(reason) => {
                let state = if reason == "blocked" {
                    "blocked"
                } else {
                    "failed"
                };
                return Completion::state(state, reason);
            }
        };
        let conditional = hops == 0 && validators.any();
        let none = Validators::default();
        // A POST form is sent to the first URL only; redirects are followed with GET.
        let form = if hops == 0 { row.form.as_deref() } else { None };
        let res = ctx
            .fetcher
            .send(
                &current,
                form,
                if hops == 0 { &validators } else { &none },
                portal.tls_insecure(),
            )
            .await;
        drop(permit);
        ctx.progress
            .request(res.as_ref().map(|r| r.body.len()).unwrap_or(0));
        let resp = match res {
            Err(e) => {
                ctx.progress.error();
                let rec = fetch_record(&current, &Err(e.clone()), conditional, None);
                if e.transient() {
                    if ctx.polite.failure(&host) {
                        tracing::warn!(host, "circuit breaker open: host parked for this run");
                    }
                    let c =
                        retry_or_fail(ctx, row, e.reason().to_string(), Duration::ZERO, Some(rec));
                    if c.state == "failed" {
                        eprintln!(
                            "ogi: {current}: {e} (gave up after {} attempts)",
                            row.attempts + 1
                        );
                    }
                    return c;
                }
                eprintln!("ogi: {current}: {e}");
                return Completion {
                    state: "failed",
                    error: Some(e.reason().into()),
                    not_before_ms: 0,
                    fetch: Some(rec),
                    not_modified: false,
                    children: Vec::new(),
                    column: None,
                };
            }
            Ok(r) => r,
        };
        if (300..400).contains(&resp.status) && resp.status != 304 {
            let rec = fetch_record(&current, &Ok(resp.clone()), conditional, None);
            let _ = ctx.db().log_fetch(ctx.run, current.as_str(), &rec);
            hops += 1;
            let next = resp.header("location").and_then(|l| resolve(&current, l));
            let Some(next) = next else {
                return Completion::state("failed", "bad_redirect");
            };
            if !visited.insert(next.clone()) {
                return Completion::state("failed", "redirect_loop");
            }
            if hops > ctx.cfg.max_redirects {
                return Completion::state("failed", "too_many_redirects");
            }
            current = next;
            continue;
        }
        return handle_response(ctx, portal, row, &current, resp, conditional).await;
    }
}

async fn handle_response(
    ctx: &Ctx,
    portal: &Portal,
    row: &UrlRow,
    url: &Url,
    resp: Response,
    conditional: bool,
) -> Completion {
    let host = host_key(url);
    let status = resp.status;
    let done = |rec: FetchRecord, children: Vec<Discovered>, not_modified: bool| Completion {
        state: "done",
        error: None,
        not_before_ms: 0,
        fetch: Some(rec),
        not_modified,
        children,
        column: None,
    };
    if status == 304 {
        ctx.polite.success(&host);
        return done(
            fetch_record(url, &Ok(resp), conditional, None),
            Vec::new(),
            true,
        );
    }
    if let Some(reason) = detect_challenge(status, &resp.body) {
        ctx.progress.error();
        ctx.polite.park(&host, "blocked");
        tracing::warn!(host, reason, "anti-bot challenge: host blocked");
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        return Completion {
            state: "blocked",
            error: Some(reason.into()),
            not_before_ms: 0,
            fetch: Some(rec),
            not_modified: false,
            children: Vec::new(),
            column: None,
        };
    }
    if status == 429 || status == 503 || status == 408 || status >= 500 {
        ctx.progress.error();
        let wait = resp
            .header("retry-after")
            .and_then(crate::timefmt::parse_retry_after)
            .unwrap_or_default();
        if !wait.is_zero() {
            ctx.polite.hold(&host, wait);
        }
        ctx.polite.failure(&host);
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        return retry_or_fail(
            ctx,
            row,
            format!("http_{status}"),
            wait.min(ctx.cfg.retry_after_cap),
            Some(rec),
        );
    }
    ctx.polite.success(&host);
    if let Some(mut c) = platform_crawl::column_gone(portal, row, status) {
        c.fetch = Some(fetch_record(url, &Ok(resp), conditional, None));
        return c;
    }
    let is_doc = row.kind == kind::PAGE || row.kind == kind::ATTACHMENT;
    if (is_doc || row.kind == kind::DISCOVER) && matches!(status, 404 | 410) {
        // A report that is gone (or a dead link on the way to a column) is a finding
        // for `ogi status`, not a failed run.
        let mut c = Completion::state("gone", format!("http_{status}"));
        c.fetch = Some(fetch_record(url, &Ok(resp), conditional, None));
        return c;
    }
    if !(200..300).contains(&status) {
        ctx.progress.error();
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        return Completion {
            state: "failed",
            error: Some(format!("http_{status}")),
            not_before_ms: 0,
            fetch: Some(rec),
            not_modified: false,
            children: Vec::new(),
            column: None,
        };
    }
    let ext = extension(url).or_else(|| Url::parse(&row.url).ok().and_then(|u| extension(&u)));
    let mime = sniff_mime(&resp.body, ext.as_deref(), resp.header("content-type"));
    let fail = |reason: &str, resp: Response| {
        ctx.progress.error();
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        Completion {
            state: "failed",
            error: Some(reason.into()),
            not_before_ms: 0,
            fetch: Some(rec),
            not_modified: false,
            children: Vec::new(),
            column: None,
        }
    };
    if is_soft_404(&resp.body) {
        return fail("soft_404", resp);
    }
    if is_doc && !matches_extension(&mime, ext.as_deref()) {
        return fail("content_mismatch", resp);
    }
    if (row.kind == kind::LIST || row.kind == kind::DISCOVER) && mime != "text/html" {
        return fail("content_mismatch", resp);
    }
    let mut column = None;
    let mut meta_date = None;
    let children = if mime == "text/html" || row.kind == kind::API || row.kind == kind::PLATFORM {
        let html = decode_html(
            &resp.body,
            resp.header("content-type"),
            portal.encoding.as_deref(),
        );
        let platform = portal
            .platform
            .unwrap_or(crate::platforms::Platform::Generic);
        match row.kind.as_str() {
            k if k == kind::PLATFORM => {
                platform_crawl::platform_children(portal, platform, row, url, &html)
            }
            k if k == kind::DISCOVER => {
                let (c, event) =
                    platform_crawl::discover_children(portal, platform, row, url, &html);
                column = event;
                c
            }
            _ => {
                if row.kind == kind::PAGE {
                    meta_date = crate::platforms::pubdate::meta_date(&html);
                }
                children_of(portal, row, url, &html)
            }
        }
    } else {
        Vec::new()
    };
    let out = ctx.cfg.out.clone();
    let body = resp.body.clone();
    let stored = tokio::task::spawn_blocking(move || raw::put(&out, &body)).await;
    let sha = match stored {
        Ok(Ok((sha, _))) => sha,
        failure => {
            let msg = match failure {
                Ok(Err(e)) => format!("{e:#}"),
                Err(e) => e.to_string(),
                Ok(Ok(_)) => String::new(),
            };
            tracing::error!(url = %url, error = %msg, "raw store write failed");
            let rec = fetch_record(url, &Ok(resp), conditional, None);
            return retry_or_fail(ctx, row, "store_error".into(), Duration::ZERO, Some(rec));
        }
    };
    ctx.progress.page();
    let mut rec = fetch_record(url, &Ok(resp), conditional, Some((sha, mime)));
    rec.meta_date = meta_date;
    let mut c = done(rec, children, false);
    c.column = column;
    c
}

fn children_of(portal: &Portal, row: &UrlRow, url: &Url, html: &str) -> Vec<Discovered> {
    let mut out = Vec::new();
    let list: Option<ListPage> = match row.kind.as_str() {
        k if k == kind::LIST => Some(discover::parse_list_page(portal, url, html)),
        k if k == kind::API => portal.api.as_ref().map(|api| {
            discover::parse_api_page(portal, api, url, row.page.unwrap_or(api.first_page), html)
        }),
        _ => None,
    };
    if let Some(lp) = list {
        for item in &lp.items {
            let k = if is_attachment(&item.url) {
                kind::ATTACHMENT
            } else {
                kind::PAGE
            };
            out.push(discovered(
                portal,
                &item.url,
                k,
                None,
                Some(item),
                url.as_str(),
            ));
        }
        for (i, p) in lp.pages.iter().enumerate() {
            if portal.allows_host(p.host_str().unwrap_or("")) {
                let (k, page) = if row.kind == kind::API {
                    (kind::API, Some(row.page.unwrap_or(1) + 1 + i as u32))
                } else {
                    (kind::LIST, None)
                };
                out.push(discovered(portal, p, k, page, None, url.as_str()));
            }
        }
    } else if row.kind == kind::PAGE && portal.reports.follow_attachments {
        let item_title = row.list_title.clone();
        for a in discover::attachment_links(url, html) {
            if !portal.allows_host(a.host_str().unwrap_or("")) {
                continue;
            }
            out.push(Discovered {
                url: a.to_string(),
                portal_id: portal.id.clone(),
                host: host_key(&a),
                kind: kind::ATTACHMENT,
                page: None,
                title: item_title.clone(),
                year: row.year,
                date: None,
                sig: item_title.as_ref().map(|t| format!("{t}\u{1f}attachment")),
                parent: url.to_string(),
                form: None,
            });
        }
    }
    out
}
