//! Scheduling: which frontier URL is fetched next. Per host a small buffer
//! refilled from the state DB; a host is served only when its politeness gate
//! is free; at most `global_concurrency` fetch tasks run. A host is looked at
//! when something about it changed (its request is over, an outcome of it was
//! committed) or when the time it waits for has come (a timer heap), never on
//! every wake-up. The fetch tasks hand their outcomes to one committer, which
//! writes them to the state DB in batches (group commit).

use super::Ctx;
use super::fetching::process;
use super::robots_txt::{robots_for, robots_known};
use crate::politeness::HostReadiness;
use crate::state::{StateWrite, UrlRow};
use crate::timefmt::unix_now_ms;
use anyhow::{Context, Result, anyhow, bail};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

/// How long a host with nothing runnable is not asked again (unless one of its
/// own fetches completes, which may have discovered more of its URLs).
const EMPTY_RECHECK: Duration = Duration::from_millis(250);
/// How often the set of hosts with pending URLs is re-read.
const HOST_RESCAN: Duration = Duration::from_secs(1);
/// URLs buffered per host.
const HOST_BUFFER: usize = 32;
/// Reports fetched before a list page in a host's buffer (see `Hosts::fill`).
const DOCS_BEFORE_LISTS: usize = 4;
/// Fetch tasks per request allowed in flight (see `dispatch`).
const TASKS_PER_REQUEST_SLOT: usize = 3;
/// A host whose gate opens within this is served now: its task waits the rest
/// in the gate, and the timer wakes it there, so the request goes out without
/// passing through the scheduler's thread at the gate's time (one thread
/// hand-off instead of three, each a wait for a CPU on a busy machine).
const EARLY: Duration = Duration::from_millis(25);
/// State DB writes waiting for the committer at most; fetch tasks wait when it is full.
pub(super) const WRITE_QUEUE: usize = 1024;
/// State DB writes committed in one transaction at most.
const WRITE_BATCH: usize = 512;
/// Pages of write-ahead log (4 KiB each) between the committer's checkpoints.
/// At SQLite's default of 1000 a checkpoint, waiting for its fsyncs (tens to
/// hundreds of milliseconds on a busy disk), held up every few group commits,
/// and with them the hosts waiting for the URLs a list page yields.
pub(super) const CHECKPOINT_PAGES: u32 = 16_384;

/// What the committer is handed.
pub(super) enum Queued {
    /// A write to commit with the next batch.
    Write(StateWrite),
    /// Commit what came before, then end.
    Stop,
}

/// What a fetch task (or the committer) reports back to the scheduler.
enum Done {
    /// The host's request is over, or the task ended without one (the task
    /// still has to store the body and hand over its outcome).
    Fetched(String),
    /// The row was not fetched (its host's robots.txt was, first); it goes
    /// back to the front of its host's buffer.
    Requeue(Box<UrlRow>),
    /// The outcomes of these URLs (first) on their hosts (second) are
    /// committed (one message a batch: one wake-up of the scheduler).
    Committed(Vec<(String, String)>),
}

/// The scheduler's view of one host.
#[derive(Default)]
struct Host {
    name: String,
    buffer: VecDeque<UrlRow>,
    /// Fetch tasks of this host that have not yet reported `Fetched`.
    dispatched: usize,
    /// Nothing runnable until then (unless an outcome of the host is committed).
    empty_until: Option<Instant>,
    /// In the ready queue.
    queued: bool,
}

/// The hosts, the ones to look at now and the ones waiting for a time.
#[derive(Default)]
struct Hosts {
    all: Vec<Host>,
    index: HashMap<String, usize>,
    ready: VecDeque<usize>,
    due: BinaryHeap<Reverse<(Instant, usize)>>,
}

impl Hosts {
    /// The index of `name`, added if new.
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.all.len();
        self.all.push(Host {
            name: name.to_string(),
            ..Host::default()
        });
        self.index.insert(name.to_string(), i);
        i
    }

    /// Puts host `i` in the ready queue (once).
    fn wake(&mut self, i: usize) {
        if !self.all[i].queued {
            self.all[i].queued = true;
            self.ready.push_back(i);
        }
    }

    /// Moves the hosts whose time has come (within `EARLY` of `now`) to the ready queue.
    fn wake_due(&mut self, now: Instant) {
        while let Some(Reverse((t, i))) = self.due.peek().copied() {
            if t > now + EARLY {
                break;
            }
            self.due.pop();
            self.wake(i);
        }
    }

    /// Appends `rows` to host `i`'s buffer, pages that lead to more URLs (list
    /// pages, endpoint pages) after at most `DOCS_BEFORE_LISTS` reports: their
    /// outcomes, and so the URLs they yield, are committed while the host's
    /// reports are fetched, instead of the host waiting for a commit when its
    /// buffer runs dry; the few reports first keep the hosts' second list pages
    /// out of the run's first second, when every host starts at once and the
    /// committer is busiest.
    fn fill(&mut self, i: usize, rows: impl IntoIterator<Item = UrlRow>) {
        let buffer = &mut self.all[i].buffer;
        buffer.extend(rows);
        let (docs, lists): (Vec<UrlRow>, Vec<UrlRow>) =
            buffer.drain(..).partition(|r| r.kind.is_document());
        let mut docs = docs.into_iter();
        buffer.extend(docs.by_ref().take(DOCS_BEFORE_LISTS));
        buffer.extend(lists);
        buffer.extend(docs);
    }

    /// Whether every host's buffer is empty.
    fn buffers_empty(&self) -> bool {
        self.all.iter().all(|h| h.buffer.is_empty())
    }
}

/// Schedules frontier URLs onto fetch tasks: per host a small buffer refilled from
/// the DB, a host is only served when its politeness gate is free, and at most
/// `global_concurrency` tasks run. Outcomes go to the committer (`queued`).
pub(super) async fn dispatch(ctx: &Arc<Ctx>, queued: Receiver<Queued>) -> Result<()> {
    // Requests in flight are capped by the politeness gates (`global_concurrency`
    // overall); tasks also wait for their host's next slot (up to `EARLY`), parse,
    // store and hand over their outcome, so three times as many may exist (each
    // holds at most one body).
    let cap = TASKS_PER_REQUEST_SLOT * ctx.cfg.global_concurrency.max(1);
    let mut tasks: JoinSet<Result<()>> = JoinSet::new();
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut hosts = Hosts::default();
    let mut last_scan: Option<Instant> = None;
    let mut primed = false;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Done>();
    let mut committer = tokio::spawn(commit(ctx.clone(), queued, done_tx.clone()));
    // On an early return the committer stops too (it holds the run's context).
    let _stop = AbortOnDrop(committer.abort_handle());
    let mut next_done: Option<Done> = None;
    loop {
        let mut note = |done: Done, hosts: &mut Hosts| match done {
            Done::Fetched(host) => {
                let i = hosts.id(&host);
                hosts.all[i].dispatched = hosts.all[i].dispatched.saturating_sub(1);
                hosts.wake(i);
            }
            Done::Requeue(row) => {
                in_flight.remove(&row.url);
                let i = hosts.id(&row.host);
                hosts.all[i].buffer.push_front(*row);
                hosts.wake(i);
            }
            Done::Committed(urls) => {
                for (url, host) in urls {
                    in_flight.remove(&url);
                    let i = hosts.id(&host);
                    hosts.all[i].empty_until = None;
                    hosts.wake(i);
                }
            }
        };
        if let Some(done) = next_done.take() {
            note(done, &mut hosts);
        }
        while let Ok(done) = done_rx.try_recv() {
            note(done, &mut hosts);
        }
        let now = Instant::now();
        if !primed {
            // Every host's first rows in one query: hundreds of hosts start at once.
            let mut rows = ctx
                .reads()
                .next_for_hosts(ctx.run, HOST_BUFFER)?
                .into_iter()
                .peekable();
            while let Some(first) = rows.next() {
                let i = hosts.id(&first.host);
                let mut same = vec![first];
                while let Some(r) = rows.next_if(|r| r.host == same[0].host) {
                    same.push(r);
                }
                hosts.fill(i, same);
                hosts.wake(i);
            }
            primed = true;
        }
        if last_scan.is_none_or(|t| now.duration_since(t) >= HOST_RESCAN) {
            for h in ctx.reads().pending_hosts(ctx.run)? {
                let i = hosts.id(&h);
                hosts.wake(i);
            }
            last_scan = Some(now);
        }
        hosts.wake_due(now);
        while tasks.len() < cap {
            let Some(i) = hosts.ready.pop_front() else {
                break;
            };
            hosts.all[i].queued = false;
            let host = &mut hosts.all[i];
            match ctx.polite.ready(&host.name) {
                HostReadiness::Parked(refusal) => {
                    host.buffer.clear();
                    let n = ctx.db().park_host(
                        ctx.run,
                        &host.name,
                        refusal.frontier_state(),
                        refusal.reason(),
                    )?;
                    for _ in 0..n {
                        ctx.progress.error();
                    }
                    continue;
                }
                // Its request's end (`Fetched`) wakes it.
                HostReadiness::Busy => continue,
                HostReadiness::At(t) if t > now + EARLY => {
                    hosts.due.push(Reverse((t, i)));
                    continue;
                }
                HostReadiness::At(_) => {}
            }
            if host.dispatched >= ctx.polite.concurrency(&host.name) {
                continue;
            }
            if host.buffer.is_empty() {
                if let Some(t) = host.empty_until.filter(|t| *t > now) {
                    hosts.due.push(Reverse((t, i)));
                    continue;
                }
                let rows = ctx.reads().next_for_host(
                    ctx.run,
                    &host.name,
                    HOST_BUFFER + in_flight.len().min(64),
                )?;
                hosts.fill(
                    i,
                    rows.into_iter()
                        .filter(|r| !in_flight.contains(&r.url))
                        .take(HOST_BUFFER),
                );
                let host = &mut hosts.all[i];
                if host.buffer.is_empty() {
                    let t = now + EMPTY_RECHECK;
                    host.empty_until = Some(t);
                    hosts.due.push(Reverse((t, i)));
                    continue;
                }
            }
            let host = &mut hosts.all[i];
            let Some(row) = host.buffer.pop_front() else {
                continue;
            };
            in_flight.insert(row.url.clone());
            host.dispatched += 1;
            if host.dispatched < ctx.polite.concurrency(&host.name) {
                // It may take another request at once.
                hosts.wake(i);
            }
            tasks.spawn(fetch_task(ctx.clone(), row, done_tx.clone()));
        }
        let mut wake = now + HOST_RESCAN;
        if let Some(Reverse((t, _))) = hosts.due.peek() {
            // A little early: the task then waits in the gate for the exact time.
            wake = wake.min(t.checked_sub(EARLY / 2).unwrap_or(*t));
        }
        if tasks.is_empty() && in_flight.is_empty() && hosts.buffers_empty() {
            let (pending, earliest) = ctx.reads().pending(ctx.run)?;
            if pending == 0 {
                ctx.writes
                    .send(Queued::Stop)
                    .await
                    .map_err(|_| anyhow!("the state DB committer has stopped"))?;
                return match (&mut committer).await {
                    Ok(res) => res.context("committing fetch outcomes"),
                    Err(e) => bail!("state DB committer: {e}"),
                };
            }
            if let Some(nb) = earliest {
                let ms = (nb - unix_now_ms()).clamp(0, 1000) as u64;
                wake = wake.min(now + Duration::from_millis(ms.max(5)));
            }
            // Pending URLs may sit on hosts not yet known to this loop.
            last_scan = None;
        }
        tokio::select! {
            Some(res) = tasks.join_next() => {
                match res {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        // A task fails to hand over its outcome when the committer
                        // has stopped: its error is the cause.
                        if committer.is_finished()
                            && let Ok(Err(cause)) = (&mut committer).await
                        {
                            return Err(cause.context("committing fetch outcomes"));
                        }
                        return Err(e.context("handing over a fetch outcome"));
                    }
                    Err(e) if e.is_panic() => bail!("fetch task panicked: {e}"),
                    Err(_) => {}
                }
            }
            Some(done) = done_rx.recv() => next_done = Some(done),
            res = &mut committer => {
                return match res {
                    Ok(Ok(())) => bail!("the state DB committer stopped early"),
                    Ok(Err(e)) => Err(e.context("committing fetch outcomes")),
                    Err(e) => bail!("state DB committer: {e}"),
                };
            }
            _ = tokio::time::sleep_until(wake) => {}
        }
    }
}

/// One fetch task: the host's robots.txt if not known yet (then the row goes
/// back to the scheduler if it would have to wait for the host's next slot, so
/// that it waits without holding a task), the row's request, then its outcome
/// to the committer.
async fn fetch_task(ctx: Arc<Ctx>, row: UrlRow, done: UnboundedSender<Done>) -> Result<()> {
    if !robots_known(&ctx, &row.host)
        && let Ok(url) = Url::parse(&row.url)
    {
        robots_for(&ctx, &url).await;
        // A parked host (a challenge on robots.txt) is recorded by the row's
        // own outcome below, as is a host that can be asked at once.
        if let HostReadiness::At(t) = ctx.polite.ready(&row.host)
            && t > Instant::now() + EARLY
        {
            let _ = done.send(Done::Fetched(row.host.clone()));
            let _ = done.send(Done::Requeue(Box::new(row)));
            return Ok(());
        }
    }
    // The host may be asked again (its politeness gate permitting) once the
    // request is over, while the body is stored and the outcome committed.
    let mut signalled = false;
    let fetched = || {
        let _ = done.send(Done::Fetched(row.host.clone()));
    };
    let c = process(&ctx, &row, || {
        signalled = true;
        fetched();
    })
    .await;
    if !signalled {
        fetched();
    }
    ctx.write(StateWrite::Complete(Box::new((row, c)))).await
}

/// The committer: takes what is queued (up to `WRITE_BATCH`), commits it in one
/// transaction off the runtime's threads, reports each committed outcome, and
/// ends after `Queued::Stop`. A batch fills while the previous one commits.
async fn commit(
    ctx: Arc<Ctx>,
    mut queued: Receiver<Queued>,
    done: UnboundedSender<Done>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    loop {
        if queued.recv_many(&mut batch, WRITE_BATCH).await == 0 {
            return Ok(());
        }
        let mut stop = false;
        let writes: Vec<StateWrite> = batch
            .drain(..)
            .filter_map(|q| match q {
                Queued::Write(w) => Some(w),
                Queued::Stop => {
                    stop = true;
                    None
                }
            })
            .collect();
        if !writes.is_empty() {
            let ctx = ctx.clone();
            let writes = tokio::task::spawn_blocking(move || {
                ctx.db().write_batch(ctx.run, &writes).map(|()| writes)
            })
            .await
            .context("commit task")??;
            let committed: Vec<(String, String)> = writes
                .into_iter()
                .filter_map(|w| match w {
                    StateWrite::Complete(outcome) => {
                        let (row, _) = *outcome;
                        Some((row.url, row.host))
                    }
                    _ => None,
                })
                .collect();
            if !committed.is_empty() {
                let _ = done.send(Done::Committed(committed));
            }
        }
        if stop {
            return Ok(());
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
