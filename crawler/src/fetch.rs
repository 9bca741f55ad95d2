//! One HTTP exchange (no automatic redirects: the crawler checks every hop), with
//! streaming body cap, timeouts, decompression, and a DNS resolver that refuses
//! private addresses unless the host is allow-listed. Proxies from the
//! environment are ignored (see [`CrawlConfig::proxy`]).

use crate::config::CrawlConfig;
use crate::urlnorm::is_forbidden_ip;
use anyhow::{Context, Result};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// Response headers kept in the state DB and in WARC records.
pub const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "etag",
    "last-modified",
    "location",
    "retry-after",
    "content-disposition",
    "server",
    "date",
];

/// Validators for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// Stored `ETag`, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Stored `Last-Modified`, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    /// True if there is something to send.
    pub fn any(&self) -> bool {
        self.etag.is_some() || self.last_modified.is_some()
    }
}

/// A completed HTTP exchange.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Kept response headers (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// Decoded body (empty for 304 and redirects). Shared, so handing it to the
    /// raw store or a WARC writer never copies it.
    pub body: bytes::Bytes,
    /// Time taken.
    pub elapsed: Duration,
}

impl Response {
    /// A kept header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Why an exchange did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Connect/read/total timeout.
    Timeout(String),
    /// Connection refused, reset, or closed early (incl. truncated bodies).
    Connection(String),
    /// The body exceeded the size limit.
    TooLarge(u64),
    /// The name resolved only to forbidden addresses.
    ForbiddenAddress(String),
    /// Anything else (invalid response, decoding error).
    Other(String),
}

impl FetchError {
    /// Short machine-readable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            FetchError::Timeout(_) => "timeout",
            FetchError::Connection(_) => "connection",
            FetchError::TooLarge(_) => "too_large",
            FetchError::ForbiddenAddress(_) => "forbidden_address",
            FetchError::Other(_) => "error",
        }
    }

    /// True if retrying later may help.
    pub fn transient(&self) -> bool {
        matches!(self, FetchError::Timeout(_) | FetchError::Connection(_))
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Timeout(m)
            | FetchError::Connection(m)
            | FetchError::Other(m)
            | FetchError::ForbiddenAddress(m) => {
                write!(f, "{}: {m}", self.reason())
            }
            FetchError::TooLarge(n) => write!(f, "too_large: body exceeds {n} bytes"),
        }
    }
}

/// Resolver that drops forbidden addresses for hosts not allow-listed and answers
/// fixed overrides for allow-listed test hosts.
struct GuardedResolver {
    allow: Vec<String>,
    overrides: BTreeMap<String, SocketAddr>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.allow.iter().any(|h| h.eq_ignore_ascii_case(&host));
        let fixed = self.overrides.get(&host).copied();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(a) => vec![a],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let kept: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| allowed || !is_forbidden_ip(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!(
                    "forbidden_address: {host} resolves only to non-public addresses"
                )
                .into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client of a run.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    /// Client that accepts broken certificates, for portals with `tls = "insecure"`.
    insecure: reqwest::Client,
    max_body: u64,
    read_timeout: Duration,
}

impl Fetcher {
    /// Builds the client: rustls, gzip/brotli/deflate, no redirects, timeouts, UA.
    pub fn new(cfg: &CrawlConfig) -> Result<Self> {
        let overrides: BTreeMap<String, SocketAddr> = cfg
            .resolve
            .iter()
            .filter(|(h, a)| {
                !is_forbidden_ip(a.ip())
                    || cfg
                        .allow_private_hosts
                        .iter()
                        .any(|x| x.eq_ignore_ascii_case(h))
            })
            .map(|(h, a)| (h.to_ascii_lowercase(), *a))
            .collect();
        let resolver = GuardedResolver {
            allow: cfg.allow_private_hosts.clone(),
            overrides,
        };
        let resolver = Arc::new(resolver);
        let build = |insecure: bool| -> Result<reqwest::Client> {
            let builder = match &cfg.proxy {
                Some(p) => reqwest::Client::builder()
                    .proxy(reqwest::Proxy::all(p).with_context(|| format!("proxy {p}"))?),
                // Never from the environment: a proxy would resolve names past the guard.
                None => reqwest::Client::builder().no_proxy(),
            };
            builder
                .user_agent(cfg.user_agent_header())
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(cfg.connect_timeout)
                .read_timeout(cfg.read_timeout)
                .timeout(cfg.total_timeout)
                .gzip(true)
                .brotli(true)
                .deflate(true)
                .pool_max_idle_per_host(2)
                .dns_resolver(resolver.clone())
                .tls_danger_accept_invalid_certs(insecure)
                .build()
                .context("building the HTTP client")
        };
        Ok(Fetcher {
            client: build(false)?,
            insecure: build(true)?,
            max_body: cfg.max_body_bytes,
            read_timeout: cfg.read_timeout,
        })
    }

    /// Sends one GET (conditional if `validators` has values) and reads the body up to
    /// the size limit (a larger body is [`FetchError::TooLarge`]). Redirect responses
    /// are returned as they are.
    pub async fn get(&self, url: &Url, validators: &Validators) -> Result<Response, FetchError> {
        self.send(url, None, validators, false).await
    }

    /// Like [`Fetcher::get`] (unconditional), but keeps only the first `max` bytes of
    /// the body and stops reading there: for robots.txt, of which RFC 9309 §2.5
    /// asks crawlers to honour at least 500 KiB and lets them ignore the rest.
    pub async fn get_prefix(&self, url: &Url, max: u64) -> Result<Response, FetchError> {
        self.exchange(
            url,
            None,
            &Validators::default(),
            false,
            BodyCap::Truncate(max.min(self.max_body)),
        )
        .await
    }

    /// Sends one request: a GET, or a POST of `form` (`application/x-www-form-urlencoded`,
    /// as list endpoints expect it, with `X-Requested-With: XMLHttpRequest`), and reads
    /// the body up to the size limit (a larger body is [`FetchError::TooLarge`]).
    /// `insecure` accepts broken certificates (portal `tls = "insecure"`).
    pub async fn send(
        &self,
        url: &Url,
        form: Option<&str>,
        validators: &Validators,
        insecure: bool,
    ) -> Result<Response, FetchError> {
        self.exchange(
            url,
            form,
            validators,
            insecure,
            BodyCap::Refuse(self.max_body),
        )
        .await
    }

    async fn exchange(
        &self,
        url: &Url,
        form: Option<&str>,
        validators: &Validators,
        insecure: bool,
        cap: BodyCap,
    ) -> Result<Response, FetchError> {
        let started = Instant::now();
        let client = if insecure {
            &self.insecure
        } else {
            &self.client
        };
        let mut req = match form {
            Some(body) => client
                .post(url.as_str())
                .header(
                    header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=UTF-8",
                )
                .header("X-Requested-With", "XMLHttpRequest")
                .body(body.to_string()),
            None => client.get(url.as_str()),
        };
        if let Some(e) = &validators.etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if let Some(lm) = &validators.last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, lm);
        }
        let mut resp = req.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = kept_headers(resp.headers());
        let mut body = Vec::new();
        if !(300..400).contains(&status) {
            if let BodyCap::Refuse(max) = cap
                && let Some(len) = resp.content_length()
                && len > max
                && !resp.headers().contains_key(header::CONTENT_ENCODING)
            {
                return Err(FetchError::TooLarge(max));
            }
            loop {
                let chunk = tokio::time::timeout(self.read_timeout, resp.chunk())
                    .await
                    .map_err(|_| FetchError::Timeout("read timeout".into()))?
                    .map_err(classify)?;
                let Some(chunk) = chunk else { break };
                let room = (cap.max() as usize).saturating_sub(body.len());
                if chunk.len() > room {
                    match cap {
                        BodyCap::Refuse(max) => return Err(FetchError::TooLarge(max)),
                        BodyCap::Truncate(_) => {
                            body.extend_from_slice(&chunk[..room]);
                            break;
                        }
                    }
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Response {
            status,
            headers,
            body: body.into(),
            elapsed: started.elapsed(),
        })
    }
}

/// What to do with a body larger than the cap.
#[derive(Debug, Clone, Copy)]
enum BodyCap {
    /// Fail with [`FetchError::TooLarge`].
    Refuse(u64),
    /// Keep the first bytes and stop reading.
    Truncate(u64),
}

impl BodyCap {
    fn max(self) -> u64 {
        match self {
            BodyCap::Refuse(m) | BodyCap::Truncate(m) => m,
        }
    }
}

fn kept_headers(h: &HeaderMap) -> BTreeMap<String, String> {
    KEPT_HEADERS
        .iter()
        .filter_map(|n| {
            h.get(*n)
                .and_then(|v| v.to_str().ok())
                .map(|v| (n.to_string(), v.to_string()))
        })
        .collect()
}

fn classify(e: reqwest::Error) -> FetchError {
    let mut msg = e.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    if msg.contains("forbidden_address") {
        FetchError::ForbiddenAddress(msg)
    } else if e.is_timeout() {
        FetchError::Timeout(msg)
    } else if e.is_connect() || e.is_body() || e.is_request() || e.is_decode() {
        FetchError::Connection(msg)
    } else {
        FetchError::Other(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncWriteExt;

    /// A loopback HTTP server answering 200 to everything; counts connections.
    async fn loopback_server() -> (u16, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&hits);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 2048];
                let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
                let _ = s
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            }
        });
        (port, hits)
    }

    fn quick(allow: &[&str]) -> CrawlConfig {
        CrawlConfig {
            connect_timeout: Duration::from_secs(2),
            total_timeout: Duration::from_secs(5),
            allow_private_hosts: allow.iter().map(|s| s.to_string()).collect(),
            ..CrawlConfig::default()
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_a_private_address_is_refused_unless_allow_listed() {
        let (port, hits) = loopback_server().await;
        // "localhost" is a name (not an IP literal): only the resolver can see it is loopback.
        let url = Url::parse(&format!("http://localhost:{port}/")).unwrap();
        let got = Fetcher::new(&quick(&[]))
            .unwrap()
            .get(&url, &Validators::default())
            .await;
        match got {
            Err(e @ FetchError::ForbiddenAddress(_)) => {
                assert_eq!(e.reason(), "forbidden_address");
                assert!(e.to_string().contains("non-public"), "{e}");
            }
            other => panic!("expected forbidden_address, got {other:?}"),
        }
        assert_eq!(hits.load(Ordering::SeqCst), 0);

        let ok = Fetcher::new(&quick(&["localhost"]))
            .unwrap()
            .get(&url, &Validators::default())
            .await
            .unwrap();
        assert_eq!((ok.status, &ok.body[..]), (200, &b"ok"[..]));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_prefix_read_stops_at_its_cap() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 2048];
                let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
                let body = vec![b'#'; 3 << 20];
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&body).await;
            }
        });
        let url = Url::parse(&format!("http://127.0.0.1:{port}/robots.txt")).unwrap();
        let f = Fetcher::new(&quick(&["127.0.0.1"])).unwrap();
        let got = f.get_prefix(&url, 500 * 1024).await.unwrap();
        assert_eq!(got.body.len(), 500 * 1024);
        let small = Fetcher::new(&CrawlConfig {
            max_body_bytes: 1 << 20,
            ..quick(&["127.0.0.1"])
        })
        .unwrap();
        assert_eq!(
            small.get(&url, &Validators::default()).await.unwrap_err(),
            FetchError::TooLarge(1 << 20)
        );
    }
}
