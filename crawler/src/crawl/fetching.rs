//! Fetching one frontier URL: scope and robots checks, the politeness permit,
//! the request and its redirects (`process`), then the classification of the
//! response (`handle_response`): not modified, challenge, retryable, gone,
//! failed, content mismatch, or stored with the URLs it yields.

use super::Ctx;
use super::discovery::children_of;
use super::robots_txt::robots_for;
use crate::config::CrawlConfig;
use crate::content::{detect_challenge, is_soft_404, matches_extension, sniff_mime};
use crate::discover::{decode_html, extension};
use crate::fetch::{FetchError, Response, Validators};
use crate::platform_crawl;
use crate::politeness::{HostReadiness, HostRefusal};
use crate::portals::Portal;
use crate::raw;
use crate::state::{Completion, FetchRecord, FrontierState, StateWrite, UrlKind, UrlRow};
use crate::timefmt::unix_now_ms;
use crate::urlnorm::{check_url, host_key, resolve};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

pub(super) fn backoff(cfg: &CrawlConfig, attempts: u32) -> Duration {
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
        Completion::new(FrontierState::Failed, Some(reason), fetch)
    } else {
        Completion::retry(reason, unix_now_ms() + wait.as_millis() as i64, fetch)
    }
}

pub(super) fn fetch_record(
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

/// Fetches `row` and classifies the outcome; `requested` is called once, as
/// soon as the first request to the host is over (before the body is stored),
/// so that the scheduler may ask the host again when its gate allows.
pub(super) async fn process(ctx: &Arc<Ctx>, row: &UrlRow, requested: impl FnOnce()) -> Completion {
    let mut requested = Some(requested);
    let Some(portal) = ctx.portals.get(&row.portal_id) else {
        return Completion::state(FrontierState::Failed, "unknown_portal");
    };
    let Ok(start) = Url::parse(&row.url) else {
        return Completion::state(FrontierState::Failed, "bad_url");
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
            let is_doc = row.kind.is_document();
            if is_doc && matches!(r, crate::urlnorm::Refusal::OutOfScope(_)) {
                return Completion::state(FrontierState::Skipped, r.reason());
            }
            if matches!(r, crate::urlnorm::Refusal::ForbiddenAddress(_)) {
                eprintln!(
                    "ogi: {}: refused, {} (not a public address)",
                    current,
                    r.reason()
                );
            }
            return Completion::state(FrontierState::Failed, r.reason());
        }
        let rules = robots_for(ctx, &current).await;
        let pq = match current.query() {
            Some(q) => format!("{}?{q}", current.path()),
            None => current.path().to_string(),
        };
        if !rules.allowed(&pq) {
            if let HostReadiness::Parked(reason) = ctx.polite.ready(&host_key(&current))
                && reason == HostRefusal::Blocked
            {
                return Completion::state(FrontierState::Blocked, "challenge_robots");
            }
            return if rules.unreachable {
                Completion::state(FrontierState::Failed, "robots_unreachable")
            } else {
                Completion::state(FrontierState::Disallowed, "robots_disallow")
            };
        }
        let host = host_key(&current);
        let permit = match ctx.polite.acquire(&host).await {
            Ok(p) => p,
            Err(refusal) => return Completion::state(refusal.frontier_state(), refusal.reason()),
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
        if let Some(f) = requested.take() {
            f();
        }
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
                    if c.state == FrontierState::Failed {
                        eprintln!(
                            "ogi: {current}: {e} (gave up after {} attempts)",
                            row.attempts + 1
                        );
                    }
                    return c;
                }
                eprintln!("ogi: {current}: {e}");
                return Completion::new(FrontierState::Failed, Some(e.reason().into()), Some(rec));
            }
            Ok(r) => r,
        };
        if (300..400).contains(&resp.status) && resp.status != 304 {
            let rec = fetch_record(&current, &Ok(resp.clone()), conditional, None);
            let _ = ctx
                .write(StateWrite::Fetch(Box::new((current.to_string(), rec))))
                .await;
            hops += 1;
            let next = resp.header("location").and_then(|l| resolve(&current, l));
            let Some(next) = next else {
                return Completion::state(FrontierState::Failed, "bad_redirect");
            };
            if !visited.insert(next.clone()) {
                return Completion::state(FrontierState::Failed, "redirect_loop");
            }
            if hops > ctx.cfg.max_redirects {
                return Completion::state(FrontierState::Failed, "too_many_redirects");
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
    if status == 304 {
        ctx.polite.success(&host);
        return Completion::done(
            fetch_record(url, &Ok(resp), conditional, None),
            Vec::new(),
            true,
        );
    }
    if let Some(reason) = detect_challenge(status, &resp.body) {
        ctx.progress.error();
        ctx.polite.park(&host, HostRefusal::Blocked);
        tracing::warn!(host, reason, "anti-bot challenge: host blocked");
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        return Completion::new(FrontierState::Blocked, Some(reason.into()), Some(rec));
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
    let is_doc = row.kind.is_document();
    if (is_doc || row.kind == UrlKind::Discover) && matches!(status, 404 | 410) {
        // A report that is gone (or a dead link on the way to a column) is a finding
        // for `ogi status`, not a failed run.
        let mut c = Completion::state(FrontierState::Gone, format!("http_{status}"));
        c.fetch = Some(fetch_record(url, &Ok(resp), conditional, None));
        return c;
    }
    if !(200..300).contains(&status) {
        ctx.progress.error();
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        return Completion::new(
            FrontierState::Failed,
            Some(format!("http_{status}")),
            Some(rec),
        );
    }
    let ext = extension(url).or_else(|| Url::parse(&row.url).ok().and_then(|u| extension(&u)));
    let mime = sniff_mime(&resp.body, ext.as_deref(), resp.header("content-type"));
    let fail = |reason: &str, resp: Response| {
        ctx.progress.error();
        let rec = fetch_record(url, &Ok(resp), conditional, None);
        Completion::new(FrontierState::Failed, Some(reason.into()), Some(rec))
    };
    if is_soft_404(&resp.body) {
        return fail("soft_404", resp);
    }
    if is_doc && !matches_extension(&mime, ext.as_deref()) {
        return fail("content_mismatch", resp);
    }
    if (row.kind == UrlKind::List || row.kind == UrlKind::Discover) && mime != "text/html" {
        return fail("content_mismatch", resp);
    }
    let mut column = None;
    let mut meta_date = None;
    let children =
        if mime == "text/html" || row.kind == UrlKind::Api || row.kind == UrlKind::Platform {
            let html = decode_html(
                &resp.body,
                resp.header("content-type"),
                portal.encoding.as_deref(),
            );
            let platform = portal
                .platform
                .unwrap_or(crate::platforms::Platform::Generic);
            match row.kind {
                UrlKind::Platform => {
                    platform_crawl::platform_children(portal, platform, row, url, &html)
                }
                UrlKind::Discover => {
                    let (c, event) =
                        platform_crawl::discover_children(portal, platform, row, url, &html);
                    column = event;
                    c
                }
                _ => {
                    if row.kind == UrlKind::Page {
                        meta_date = crate::platforms::pubdate::meta_date(&html);
                    }
                    children_of(portal, row, url, &html)
                }
            }
        } else {
            Vec::new()
        };
    // Hashed here, and a blob already stored (an unchanged page fetched without
    // validators, the same page on several hosts) found with one stat: only a new
    // blob's write and fsyncs go to the blocking pool.
    let sha = raw::sha256_hex(&resp.body);
    let path = raw::raw_path(&ctx.cfg.out, &sha);
    let stored = if path.exists() {
        Ok(Ok(()))
    } else {
        let body = resp.body.clone();
        tokio::task::spawn_blocking(move || raw::write_new(&path, &body)).await
    };
    match stored {
        Ok(Ok(())) => {}
        failure => {
            let msg = match failure {
                Ok(Err(e)) => format!("{e:#}"),
                Err(e) => e.to_string(),
                Ok(Ok(())) => String::new(),
            };
            tracing::error!(url = %url, error = %msg, "raw store write failed");
            let rec = fetch_record(url, &Ok(resp), conditional, None);
            return retry_or_fail(ctx, row, "store_error".into(), Duration::ZERO, Some(rec));
        }
    };
    ctx.progress.page();
    let mut rec = fetch_record(url, &Ok(resp), conditional, Some((sha, mime)));
    rec.meta_date = meta_date;
    let mut c = Completion::done(rec, children, false);
    c.column = column;
    c
}
