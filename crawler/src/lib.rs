//! Polite, resumable crawler of Chinese government portals for the annual Open
//! Government Information reports (政府信息公开工作年度报告).
//!
//! # Pipeline
//! [`crawl()`] reads the portal registry ([`load_portals`]), takes the run lock of
//! OUT ([`RunLock`], `OUT/ogi.lock`), resumes an unfinished run or starts a new one, and fetches list pages,
//! list endpoints, report pages and attachments under per-host politeness
//! ([`politeness`]): a `governor` limiter per host, one request in flight per host
//! by default, completion-based spacing, robots.txt ([`robots`], RFC 9309, with
//! Crawl-delay), Retry-After, exponential backoff with full jitter, and a per-host
//! circuit breaker. Anti-bot challenges are recorded as `blocked`, never stored.
//!
//! # Storage and why SQLite
//! Bodies go to an append-only content-addressed store (`OUT/raw/ab/cdef….bin`,
//! SHA-256, temp file + fsync + rename: [`raw`]). Crawl state lives in one SQLite
//! file (`OUT/crawl/state.sqlite`, WAL, `synchronous=NORMAL`; [`state`]). SQLite was
//! chosen over an embedded KV store (redb, sled) and over JSON-lines journals
//! because the frontier needs *queries* — "oldest pending URL per host whose retry
//! time has passed", "documents changed in run N", per-portal health — and because
//! one transaction can commit a URL's outcome together with every URL it
//! discovered. That transaction is the crash-safety argument: a body is durable in
//! the raw store before its URL is marked `done`, so after a `kill -9` nothing
//! fetched is lost (at worst the URLs in flight or waiting for the next group
//! commit — the fetch tasks hand their outcomes to one committer, which writes
//! whatever has queued up in one transaction — are fetched again and deduplicated
//! by their digest) and nothing committed is fetched again. `synchronous=NORMAL` in WAL
//! mode is durable against a killed process (the WAL is in the OS cache); only an
//! OS crash or power loss can drop the last commits, which merely makes those URLs
//! be fetched once more — their bodies are already fsynced in the raw store. FULL
//! fsyncs every commit through the single writer; with `examples/bench_vhosts.rs`
//! (100 hosts × 50 documents, debug build) it lowered the achieved share of the
//! allowed aggregate rate from 0.90 to 0.77, and more on slow disks. The DB is also
//! readable by
//! any tool (`sqlite3`), which helps operators. rusqlite 0.41 with the bundled
//! SQLite keeps the build self-contained.
//!
//! # Read side
//! [`stored_documents`] lists the report documents for the extract stage,
//! [`status`] gives per-portal health, [`export_warc`] writes WARC 1.1.
//!
//! # Threat model
//! Everything a portal sends is untrusted: the crawler talks to ~175 000 servers
//! it does not control, some compromised or hostile, through networks that may
//! hold a proxy, and runs next to an operator's private network.
//!
//! | threat | defence |
//! |---|---|
//! | SSRF: a link, redirect or DNS answer leading to an internal service (cloud metadata 169.254.169.254, RFC 1918, loopback, NAT64/6to4 forms of them) | [`check_url`] on every URL and redirect hop; the resolver drops every address that is not globally routable ([`is_forbidden_ip`]: the IANA special-purpose registries via the `ip_network` crate, plus the IPv6 ranges that embed IPv4); proxies from the environment are ignored ([`CrawlConfig::proxy`] only); `allow_private_hosts` is for the sample portal and tests |
//! | scope creep: links to other sites | only a portal's `allowed_hosts` are fetched (`out_of_scope`) |
//! | resource exhaustion: endless or compressed bodies, slow bodies, huge robots.txt | body cap counted on decoded bytes while streaming (`too_large`), connect/read/total timeouts, robots.txt read only to 500 KiB (RFC 9309 §2.5), per-host request budget, circuit breaker, global in-flight cap |
//! | traps: redirect loops, endless pagination, soft 404s | redirect hop limit and loop detection, `max_pages` per list, soft-404 detection |
//! | content lies: wrong Content-Type, HTML error pages as PDFs, challenge pages | magic bytes beat headers (`content_mismatch`), WAF/412 challenges recorded as `blocked`, never stored, never solved |
//! | tampering after the fact | the raw store is content-addressed (SHA-256 names; `ogi verify` re-hashes it) |
//! | being a bad citizen | robots.txt, Crawl-delay, Retry-After, one request in flight per host, full-jitter backoff, a User-Agent with a contact |
//!
//! Out of scope: TLS interception by a trusted-root proxy the operator installed,
//! and a portal that serves false figures in a well-formed report (the extract
//! stage's checks flag inconsistent ones; they cannot flag consistent lies).
//!
//! The bundled sample portal server (loopback, virtual hosts, fault injection)
//! that tests, `ogi demo` and the benchmarks crawl is in `ogi-testkit`, not here.

#![warn(missing_docs)]

pub mod config;
pub mod content;
pub mod crawl;
pub mod discover;
pub mod documents;
pub mod fetch;
pub mod platform_crawl;
pub mod platforms;
pub mod politeness;
pub mod portals;
pub mod probe;
pub mod probe_live;
pub mod progress;
pub mod raw;
pub mod registry_import;
pub mod robots;
pub mod state;
pub mod summary;
pub mod timefmt;
pub mod urlnorm;
pub mod warc;

pub use config::CrawlConfig;
pub use crawl::{crawl, crawl_locked};
pub use documents::{
    CrawlStatus, PortalHealth, StoredDocument, UrlState, frontier, status, stored_documents,
};
pub use ogi_util::{LockError, RunLock};
pub use portals::{Portal, load_portals};
pub use state::{FrontierState, UrlKind};
pub use summary::CrawlSummary;
pub use urlnorm::{Refusal, check_url, is_forbidden_ip};
pub use warc::export_warc;

/// Threads of [`crawl_blocking`]'s blocking pool at most.
const BLOCKING_THREADS: usize = 16;

/// Runs [`crawl_locked()`] on a fresh multi-threaded tokio runtime (for synchronous
/// callers holding the run lock). Fails (instead of panicking) when called from
/// inside a tokio runtime.
pub fn crawl_blocking(cfg: &CrawlConfig, lock: &RunLock) -> anyhow::Result<CrawlSummary> {
    anyhow::ensure!(
        tokio::runtime::Handle::try_current().is_err(),
        "crawl_blocking called inside a tokio runtime; use `crawl(cfg).await` there"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        // The blocking pool runs state-DB commits (one at a time: they share one
        // connection), raw-store writes and name lookups; tokio's default of 512
        // threads grew to ~90 in a 64-request crawl, each with its own stack and
        // allocator pages (scripts/bench/notes.md).
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the tokio runtime: {e}"))?;
    rt.block_on(crawl_locked(cfg, lock))
}
