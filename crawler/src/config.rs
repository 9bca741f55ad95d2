//! Run configuration of a crawl (`CrawlConfig`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything a crawl run needs besides the portal registry.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Output directory (raw store, state DB, summaries, lock file).
    pub out: PathBuf,
    /// Portal registry file (`data/portals.toml`).
    pub portals_file: PathBuf,
    /// Only crawl these portal ids (empty: all portals in the registry).
    pub portal_ids: Vec<String>,
    /// Product token of the User-Agent, also used to match robots.txt groups.
    pub user_agent: String,
    /// Contact URL (or `mailto:`) appended to the User-Agent.
    pub contact_url: String,
    /// Default request rate per host, requests per second (portal `rate` overrides).
    pub per_host_rate: f64,
    /// Default number of requests in flight per host (portal `concurrency` overrides).
    pub per_host_concurrency: usize,
    /// Maximum number of requests in flight overall.
    pub global_concurrency: usize,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Read (idle) timeout between body chunks.
    pub read_timeout: Duration,
    /// Timeout of a whole request including the body.
    pub total_timeout: Duration,
    /// Maximum decoded body size; larger responses are recorded as `too_large`.
    pub max_body_bytes: u64,
    /// Maximum redirect hops per request.
    pub max_redirects: usize,
    /// Attempts per URL for transient failures (5xx, 429, timeouts, resets).
    pub max_attempts: u32,
    /// First backoff delay; doubles per attempt, with full jitter.
    pub backoff_base: Duration,
    /// Upper bound of one backoff delay.
    pub backoff_max: Duration,
    /// Upper bound applied to server-sent `Retry-After` and robots `Crawl-delay`.
    pub retry_after_cap: Duration,
    /// Consecutive failures after which a host is parked for the rest of the run.
    pub breaker_threshold: u32,
    /// A known report is fetched again (conditionally) after this long even when its
    /// list entry is unchanged; a report that answered 404/410 (`gone`) is asked
    /// again on the same schedule, since portals restore pages.
    pub revisit_after: Duration,
    /// How long a fetched robots.txt stays valid.
    pub robots_ttl: Duration,
    /// Hosts that may resolve to private/loopback addresses (sample portal, tests).
    pub allow_private_hosts: Vec<String>,
    /// Fixed address overrides for host names (like curl `--resolve`); only honoured
    /// for hosts in `allow_private_hosts` or public addresses.
    pub resolve: BTreeMap<String, SocketAddr>,
    /// An HTTP proxy configured on purpose (`http://host:port`). Without it the
    /// client ignores `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` from the environment,
    /// which would otherwise bypass the private-address guard (a proxy resolves
    /// names itself). With it, the proxy is trusted to refuse private addresses.
    pub proxy: Option<String>,
    /// Maximum requests per host per run (`None`: unlimited).
    pub max_requests_per_host: Option<u64>,
    /// Show progress bars when standard error is a terminal.
    pub progress: bool,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            out: PathBuf::from("ogi-out"),
            portals_file: PathBuf::from("data/portals.toml"),
            portal_ids: Vec::new(),
            user_agent: format!("ogi-crawler/{}", env!("CARGO_PKG_VERSION")),
            contact_url: "https://github.com/ogi-data/ogi".to_string(),
            per_host_rate: 1.0,
            per_host_concurrency: 1,
            global_concurrency: 8,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(180),
            max_body_bytes: 100 * 1024 * 1024,
            max_redirects: 5,
            max_attempts: 4,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(120),
            retry_after_cap: Duration::from_secs(600),
            breaker_threshold: 5,
            revisit_after: Duration::from_secs(30 * 86_400),
            robots_ttl: Duration::from_secs(86_400),
            allow_private_hosts: Vec::new(),
            resolve: BTreeMap::new(),
            proxy: None,
            max_requests_per_host: None,
            progress: true,
        }
    }
}

impl CrawlConfig {
    /// The User-Agent header sent with every request: product token plus contact.
    pub fn user_agent_header(&self) -> String {
        format!("{} (+{})", self.user_agent, self.contact_url)
    }
}
