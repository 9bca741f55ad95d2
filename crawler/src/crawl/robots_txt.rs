//! robots.txt of a host: from the state DB's cache when fresh, else fetched
//! through the host's politeness gate (redirects followed, transient failures
//! retried, at most `MAX_ROBOTS_BYTES` read), and its Crawl-delay applied to the host.

use super::Ctx;
use super::fetching::{backoff, fetch_record};
use crate::content::detect_challenge;
use crate::politeness::HostRefusal;
use crate::robots::RobotsRules;
use crate::state::StateWrite;
use crate::urlnorm::{check_url, host_key, resolve};
use std::sync::Arc;
use url::Url;

/// Attempts at robots.txt per host and run before the host counts as unreachable.
const ROBOTS_TRIES: u32 = 3;

/// The robots.txt rules of `url`'s host: from the DB cache if fresh, else fetched
/// (through the host's politeness gate, retrying transient failures). A 412 or WAF
/// page parks the host as blocked; 5xx/429/network failure disallows the host for
/// this run (RFC 9309 §2.3.1.4) without caching, so the next run asks again.
pub(super) async fn robots_for(ctx: &Arc<Ctx>, url: &Url) -> RobotsRules {
    let host = host_key(url);
    let cell = {
        let mut m = ctx.robots.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(host.clone()).or_default().clone()
    };
    cell.get_or_init(|| async {
        // Through the read-only connection: in WAL mode it never waits for a
        // group commit or a checkpoint of the writer, and one indexed lookup is
        // cheaper than a hand-off to the blocking pool.
        let cached = ctx.reads().robots(&host, ctx.cfg.robots_ttl);
        if let Ok(Some((status, body))) = cached {
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
            let _ = ctx
                .write(StateWrite::Fetch(Box::new((robots_url.to_string(), rec))))
                .await;
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
                        ctx.polite.park(&host, HostRefusal::Blocked);
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
                        let _ = ctx
                            .write(StateWrite::Robots(host.clone(), r.status, body.clone()))
                            .await;
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

/// True when the robots.txt rules of `host` are known in this run (fetched or
/// read from the cache), so that a request to it needs no robots.txt first.
pub(super) fn robots_known(ctx: &Ctx, host: &str) -> bool {
    let m = ctx.robots.lock().unwrap_or_else(|e| e.into_inner());
    m.get(host).is_some_and(|c| c.initialized())
}
