//! Scheduling: which frontier URL is fetched next. Per host a small buffer
//! refilled from the state DB; a host is served only when its politeness gate
//! is free; at most `global_concurrency` fetch tasks run; each task commits
//! its own outcome.

use super::Ctx;
use super::fetching::process;
use crate::politeness::HostReadiness;
use crate::state::UrlRow;
use crate::timefmt::unix_now_ms;
use anyhow::{Context, Result, bail};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// How long a host with nothing runnable is not asked again (unless one of its
/// own fetches completes, which may have discovered more of its URLs).
const EMPTY_RECHECK: Duration = Duration::from_millis(250);
/// How often the set of hosts with pending URLs is re-read.
const HOST_RESCAN: Duration = Duration::from_secs(1);
/// URLs buffered per host.
const HOST_BUFFER: usize = 32;
/// Fetch tasks per request allowed in flight (see `dispatch`).
const TASKS_PER_REQUEST_SLOT: usize = 2;

/// What a fetch task reports back to the scheduler.
enum Done {
    /// The host's request is over, or the task ended without one (the task
    /// still has to store the body and commit its outcome).
    Fetched(String),
    /// The outcome of the URL (first) on the host (second) is committed.
    Committed(String, String),
}

/// Schedules frontier URLs onto fetch tasks: per host a small buffer refilled from
/// the DB, a host is only served when its politeness gate is free, and at most
/// `global_concurrency` tasks run. Outcomes are committed by the tasks themselves.
pub(super) async fn dispatch(ctx: &Arc<Ctx>) -> Result<()> {
    use std::collections::VecDeque;
    use tokio::time::Instant;
    // Requests in flight are capped by the politeness gates (`global_concurrency`
    // overall); tasks also wait for their host's next slot, parse, store and
    // commit, so twice as many may exist (each holds at most one body).
    let cap = TASKS_PER_REQUEST_SLOT * ctx.cfg.global_concurrency.max(1);
    let mut tasks: JoinSet<Result<()>> = JoinSet::new();
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut dispatched: HashMap<String, usize> = HashMap::new();
    let mut buffers: HashMap<String, VecDeque<UrlRow>> = HashMap::new();
    let mut empty_until: HashMap<String, Instant> = HashMap::new();
    let mut hosts: Vec<String> = Vec::new();
    let mut known: HashSet<String> = HashSet::new();
    let mut last_scan: Option<Instant> = None;
    let mut rotate = 0usize;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Done>();
    loop {
        while let Ok(done) = done_rx.try_recv() {
            match done {
                Done::Fetched(host) => {
                    if let Some(n) = dispatched.get_mut(&host) {
                        *n = n.saturating_sub(1);
                    }
                }
                Done::Committed(url, host) => {
                    in_flight.remove(&url);
                    empty_until.remove(&host);
                }
            }
        }
        let now = Instant::now();
        if last_scan.is_none_or(|t| now.duration_since(t) >= HOST_RESCAN) {
            for h in ctx.db().pending_hosts(ctx.run)? {
                if !known.contains(&h) {
                    known.insert(h.clone());
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
            let host = &hosts[(rotate + k) % n_hosts];
            match ctx.polite.ready(host) {
                HostReadiness::Parked(refusal) => {
                    buffers.remove(host);
                    let n = ctx.db().park_host(
                        ctx.run,
                        host,
                        refusal.frontier_state(),
                        refusal.reason(),
                    )?;
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
            if dispatched.get(host).copied().unwrap_or(0) >= ctx.polite.concurrency(host) {
                continue;
            }
            let buf = buffers.entry(host.clone()).or_default();
            if buf.is_empty() {
                if empty_until.get(host).is_some_and(|t| *t > now) {
                    continue;
                }
                let rows =
                    ctx.db()
                        .next_for_host(ctx.run, host, HOST_BUFFER + in_flight.len().min(64))?;
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
                // The host may be asked again (its politeness gate permitting)
                // once the request is over, while the body is stored and the
                // outcome waits for the state DB.
                let fetched = || {
                    let _ = tx.send(Done::Fetched(row.host.clone()));
                };
                let mut signalled = false;
                let c = process(&ctx2, &row, || {
                    signalled = true;
                    fetched();
                })
                .await;
                if !signalled {
                    fetched();
                }
                let ctx3 = ctx2.clone();
                let row2 = row.clone();
                let res =
                    tokio::task::spawn_blocking(move || ctx3.db().complete(&row2, ctx3.run, &c))
                        .await
                        .context("commit task")?;
                let _ = tx.send(Done::Committed(row.url, row.host));
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
