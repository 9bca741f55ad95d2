//! One HTTP exchange (no automatic redirects: the crawler checks every hop), with
//! streaming body cap, timeouts, decompression, and a DNS resolver that refuses
//! private addresses unless the host is allow-listed.

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
    /// Decoded body (empty for 304 and redirects).
    pub body: Vec<u8>,
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
        let build = |insecure: bool| {
            reqwest::Client::builder()
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
    /// the size limit. Redirect responses are returned as they are.
    pub async fn get(&self, url: &Url, validators: &Validators) -> Result<Response, FetchError> {
        self.send(url, None, validators, false).await
    }

    /// Sends one request: a GET, or a POST of `form` (`application/x-www-form-urlencoded`,
    /// as list endpoints expect it, with `X-Requested-With: XMLHttpRequest`).
    /// `insecure` accepts broken certificates (portal `tls = "insecure"`).
    pub async fn send(
        &self,
        url: &Url,
        form: Option<&str>,
        validators: &Validators,
        insecure: bool,
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
            if let Some(len) = resp.content_length()
                && len > self.max_body
                && !resp.headers().contains_key(header::CONTENT_ENCODING)
            {
                return Err(FetchError::TooLarge(self.max_body));
            }
            loop {
                let chunk = tokio::time::timeout(self.read_timeout, resp.chunk())
                    .await
                    .map_err(|_| FetchError::Timeout("read timeout".into()))?
                    .map_err(classify)?;
                let Some(chunk) = chunk else { break };
                if body.len() as u64 + chunk.len() as u64 > self.max_body {
                    return Err(FetchError::TooLarge(self.max_body));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Response {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
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
