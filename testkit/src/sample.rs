//! The bundled sample portal: a loopback HTTP server (axum) serving the files of
//! `data/sample-portal/<host>/…`, routed by `Host` header (virtual hosts), with
//! ETag/Last-Modified validators, per-path fault injection and a request log that
//! tests use to check politeness (spacing and overlap per host).

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Last-Modified sent for every static file (stable across checkouts).
pub const SAMPLE_LAST_MODIFIED: &str = "Mon, 15 Jan 2024 08:00:00 GMT";

/// A fault to inject.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429 with `Retry-After: secs`.
    TooManyRequests {
        /// Seconds in Retry-After.
        retry_after_secs: u64,
    },
    /// 503 (with Retry-After when given).
    Unavailable {
        /// Seconds in Retry-After.
        retry_after_secs: Option<u64>,
    },
    /// Headers are sent, then the connection is closed before any body byte.
    ConnectionReset,
    /// The body trickles: `chunks` chunks of the file, `delay` apart.
    SlowBody {
        /// Delay between chunks.
        delay: Duration,
        /// Number of chunks.
        chunks: usize,
    },
    /// Half of the body is sent, then the connection is closed.
    TruncatedBody,
    /// 302 to the same path with `?loop`, which redirects back.
    RedirectLoop,
    /// 302 to an arbitrary location.
    RedirectTo(String),
    /// 412 with a 瑞数-style `$_ts` script challenge.
    Challenge412,
    /// 200 with a WAF/captcha block page.
    WafPage,
    /// An HTML error page served as `application/pdf`.
    WrongContentType,
    /// A body of `bytes` bytes (streamed, no Content-Length).
    HugeBody {
        /// Size of the body.
        bytes: u64,
    },
    /// 404 Not Found.
    NotFound,
    /// A small gzip body (`Content-Encoding: gzip`) that decodes to `decoded_bytes`.
    GzipBomb {
        /// Size after decompression.
        decoded_bytes: u64,
    },
}

/// Where and how often a fault applies.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// Host (None: any host).
    pub host: Option<String>,
    /// Path (with query, e.g. `/a/b.html`).
    pub path: String,
    /// The fault.
    pub fault: Fault,
    /// Apply only to the first `times` matching requests (None: always).
    pub times: Option<u32>,
}

/// Fault configuration of a sample server.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Rules, first match wins.
    pub rules: Vec<FaultRule>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Faults::default()
    }

    /// Adds a rule that always applies.
    pub fn always(mut self, host: Option<&str>, path: &str, fault: Fault) -> Self {
        self.rules.push(FaultRule {
            host: host.map(str::to_string),
            path: path.into(),
            fault,
            times: None,
        });
        self
    }

    /// Adds a rule for the first `times` requests.
    pub fn times(mut self, host: Option<&str>, path: &str, fault: Fault, times: u32) -> Self {
        self.rules.push(FaultRule {
            host: host.map(str::to_string),
            path: path.into(),
            fault,
            times: Some(times),
        });
        self
    }
}

/// One request seen by the server.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// Host header without port.
    pub host: String,
    /// Path and query.
    pub path: String,
    /// Arrival time.
    pub start: Instant,
    /// When the response body finished (or the connection dropped).
    pub end: Option<Instant>,
    /// Status sent.
    pub status: u16,
    /// True if If-None-Match or If-Modified-Since was sent.
    pub conditional: bool,
    /// User-Agent header.
    pub user_agent: String,
}

#[derive(Default)]
struct Log {
    records: Vec<RequestRecord>,
    in_flight: HashMap<String, usize>,
    max_in_flight: HashMap<String, usize>,
}

struct Shared {
    root: PathBuf,
    faults: Faults,
    /// Pre-compressed bodies of `GzipBomb` faults, by decoded size.
    bombs: HashMap<u64, Bytes>,
    counts: Mutex<HashMap<usize, u32>>,
    log: Mutex<Log>,
}

impl Shared {
    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running sample server.
pub struct SampleServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SampleServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log().records.clone()
    }

    /// Forgets the request log (keeps fault counters).
    pub fn clear_log(&self) {
        let mut l = self.shared.log();
        l.records.clear();
        l.max_in_flight.clear();
    }

    /// Largest number of requests ever in flight at once, per host.
    pub fn max_in_flight(&self) -> HashMap<String, usize> {
        self.shared.log().max_in_flight.clone()
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

impl Drop for SampleServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the sample portal on `addr` (use port 0 for any), serving `root`.
pub async fn serve_sample(addr: SocketAddr, root: PathBuf, faults: Faults) -> Result<SampleServer> {
    anyhow::ensure!(
        root.is_dir(),
        "sample portal root {} is not a directory",
        root.display()
    );
    let bombs = faults
        .rules
        .iter()
        .filter_map(|r| match r.fault {
            Fault::GzipBomb { decoded_bytes } => Some(decoded_bytes),
            _ => None,
        })
        .map(|n| (n, Bytes::from(gzip_zeros(n))))
        .collect();
    let shared = Arc::new(Shared {
        root,
        faults,
        bombs,
        counts: Mutex::new(HashMap::new()),
        log: Mutex::new(Log::default()),
    });
    let app = Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(SampleServer {
        addr,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Decrements the host's in-flight count and records the end time when dropped.
struct Guard {
    shared: Arc<Shared>,
    host: String,
    index: usize,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let mut l = self.shared.log();
        if let Some(n) = l.in_flight.get_mut(&self.host) {
            *n = n.saturating_sub(1);
        }
        if let Some(r) = l.records.get_mut(self.index) {
            r.end = Some(Instant::now());
        }
    }
}

enum Plan {
    Full(Bytes),
    Slow(Vec<Bytes>, Duration),
    FailAfter(Bytes),
    Zeros(u64),
}

fn body_with_guard(plan: Plan, guard: Guard) -> Body {
    use futures_util::stream;
    type Item = Result<Bytes, std::io::Error>;
    let chunks: Vec<Bytes>;
    let mut delay = Duration::ZERO;
    let mut fail = false;
    let mut zeros = 0u64;
    match plan {
        Plan::Full(b) => chunks = vec![b],
        Plan::Slow(c, d) => {
            chunks = c;
            delay = d;
        }
        Plan::FailAfter(b) => {
            chunks = if b.is_empty() { vec![] } else { vec![b] };
            fail = true;
        }
        Plan::Zeros(n) => {
            chunks = vec![Bytes::from_static(b"%PDF-1.4\n")];
            zeros = n;
        }
    }
    let state = (chunks.into_iter(), guard, delay, fail, zeros, true);
    let s = stream::unfold(
        state,
        |(mut it, guard, delay, fail, zeros, first)| async move {
            if !first && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if let Some(c) = it.next() {
                return Some((
                    Ok::<Bytes, std::io::Error>(c),
                    (it, guard, delay, fail, zeros, false),
                ));
            }
            if zeros > 0 {
                let n = zeros.min(64 * 1024);
                return Some((
                    Ok(Bytes::from(vec![b' '; n as usize])),
                    (it, guard, delay, fail, zeros - n, false),
                ));
            }
            if fail {
                return Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "injected",
                    )),
                    (it, guard, delay, false, 0, false),
                ));
            }
            drop(guard);
            None
        },
    );
    let s: std::pin::Pin<Box<dyn futures_util::Stream<Item = Item> + Send>> = Box::pin(s);
    Body::from_stream(s)
}

fn content_type(path: &str) -> &'static str {
    let base = path.split('@').next().unwrap_or(path);
    match base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm" | "shtml") => "text/html",
        Some("json") => "application/json; charset=utf-8",
        Some("xml") | Some("jsp") => "text/xml; charset=utf-8",
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("doc") | Some("wps") => "application/msword",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a request path (+ query) to a file under the host's directory.
fn file_for(root: &Path, host: &str, path: &str, query: Option<&str>) -> Option<PathBuf> {
    let decoded = percent_decode(path);
    let mut rel = PathBuf::new();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => rel.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if host.contains('/') || host.contains("..") || host.is_empty() {
        return None;
    }
    let mut p = root.join(host).join(rel);
    if decoded.ends_with('/') || decoded.is_empty() {
        p = p.join("index.html");
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        let name = format!("{}@{}", p.file_name()?.to_str()?, q);
        p.set_file_name(name);
    }
    Some(p)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn gzip_zeros(n: u64) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![b' '; 64 * 1024];
    let mut left = n;
    while left > 0 {
        let k = left.min(block.len() as u64) as usize;
        if enc.write_all(&block[..k]).is_err() {
            break;
        }
        left -= k as u64;
    }
    enc.finish().unwrap_or_default()
}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", &ogi_crawler::raw::sha256_hex(bytes)[..16])
}

/// The host name a request was sent to: its `Host` header without the port,
/// lower case (`""` when absent). Shared with [`crate::scripted`].
pub(crate) fn host_of(headers: &HeaderMap) -> String {
    let h = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    h.rsplit_once(':')
        .map_or(h, |(name, _)| name)
        .to_ascii_lowercase()
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request<Body>) -> Response {
    let host = host_of(req.headers());
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let full = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let h = req.headers();
    let inm = h
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let ims = h
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let ua = h
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let index = {
        let mut l = shared.log();
        let n = l.in_flight.entry(host.clone()).or_default();
        *n += 1;
        let now_in = *n;
        let m = l.max_in_flight.entry(host.clone()).or_default();
        *m = (*m).max(now_in);
        l.records.push(RequestRecord {
            host: host.clone(),
            path: full.clone(),
            start: Instant::now(),
            end: None,
            status: 0,
            conditional: inm.is_some() || ims.is_some(),
            user_agent: ua,
        });
        l.records.len() - 1
    };
    let guard = Guard {
        shared: shared.clone(),
        host: host.clone(),
        index,
    };
    let fault = {
        let mut counts = shared.counts.lock().unwrap_or_else(|e| e.into_inner());
        shared
            .faults
            .rules
            .iter()
            .enumerate()
            .find(|(i, r)| {
                (r.path == full || r.path == path)
                    && r.host
                        .as_ref()
                        .is_none_or(|h| h.eq_ignore_ascii_case(&host))
                    && r.times
                        .is_none_or(|t| counts.get(i).copied().unwrap_or(0) < t)
            })
            .map(|(i, r)| {
                *counts.entry(i).or_default() += 1;
                r.fault.clone()
            })
    };
    let file = file_for(&shared.root, &host, &path, query.as_deref());
    let contents = match &file {
        // Read in place: the site's pages are small and in the page cache, and a
        // hand-off to the blocking pool cost more than the read (context switches).
        Some(f) => std::fs::read(f).ok(),
        None => None,
    };
    let contents = match contents {
        None if path == "/" && !shared.root.join(&host).is_dir() => {
            Some(landing_page(&shared.root))
        }
        c => c,
    };
    let ct = content_type(file.as_ref().and_then(|f| f.to_str()).unwrap_or(&path));
    let bomb = match &fault {
        Some(Fault::GzipBomb { decoded_bytes }) => shared.bombs.get(decoded_bytes),
        _ => None,
    };
    let (status, headers, plan) = respond(
        fault.clone(),
        &full,
        contents,
        ct,
        inm.as_deref(),
        ims.as_deref(),
        bomb,
    );
    {
        let mut l = shared.log();
        if let Some(r) = l.records.get_mut(index) {
            r.status = status.as_u16();
        }
    }
    let mut resp = Response::new(body_with_guard(plan, guard));
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}

/// Page shown for `/` on a host name the sample portal does not serve (e.g. a
/// browser on `127.0.0.1:PORT`): lists the virtual hosts and how to reach them.
fn landing_page(root: &Path) -> Vec<u8> {
    let mut hosts: Vec<String> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    hosts.sort();
    let items: String = hosts.iter().map(|h| format!("<li>{h}</li>")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ogi sample portal</title></head><body>\
         <h1>ogi sample portal</h1><p>Sites are routed by the Host header. Virtual hosts:</p><ul>{items}</ul>\
         <p>Example: <code>curl -H 'Host: {}' http://ADDR/</code></p></body></html>",
        hosts.first().map(String::as_str).unwrap_or("www.example")
    )
    .into_bytes()
}

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

fn respond(
    fault: Option<Fault>,
    path: &str,
    contents: Option<Vec<u8>>,
    ct: &str,
    inm: Option<&str>,
    ims: Option<&str>,
    bomb: Option<&Bytes>,
) -> (StatusCode, HeaderMap, Plan) {
    let mut h = HeaderMap::new();
    let html = |h: &mut HeaderMap| {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    };
    match fault {
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            h.insert(header::RETRY_AFTER, hv(&retry_after_secs.to_string()));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                h,
                Plan::Full(Bytes::from_static(b"slow down")),
            );
        }
        Some(Fault::Unavailable { retry_after_secs }) => {
            if let Some(s) = retry_after_secs {
                h.insert(header::RETRY_AFTER, hv(&s.to_string()));
            }
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                h,
                Plan::Full(Bytes::from_static(b"unavailable")),
            );
        }
        Some(Fault::RedirectLoop) => {
            let loc = match path.strip_suffix("?loop") {
                Some(p) => p.to_string(),
                None => format!("{path}?loop"),
            };
            h.insert(header::LOCATION, hv(&loc));
            return (StatusCode::FOUND, h, Plan::Full(Bytes::new()));
        }
        Some(Fault::RedirectTo(loc)) => {
            h.insert(header::LOCATION, hv(&loc));
            return (StatusCode::FOUND, h, Plan::Full(Bytes::new()));
        }
        Some(Fault::Challenge412) => {
            html(&mut h);
            let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd='qqqq';</script><script src=\"/abc/def.js\" r='m'></script></head><body></body></html>";
            return (
                StatusCode::PRECONDITION_FAILED,
                h,
                Plan::Full(Bytes::from(page)),
            );
        }
        Some(Fault::WafPage) => {
            html(&mut h);
            let page = "<html><head><title>安全验证</title></head><body><div class=\"waf-block\">您的访问请求可能对网站造成安全威胁，请完成安全验证（captcha）后继续访问。</div></body></html>";
            return (StatusCode::OK, h, Plan::Full(Bytes::from(page)));
        }
        Some(Fault::WrongContentType) => {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            let page = "<html><head><title>出错了</title></head><body><p>系统繁忙，请稍后再试。</p></body></html>";
            return (StatusCode::OK, h, Plan::Full(Bytes::from(page)));
        }
        Some(Fault::HugeBody { bytes }) => {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            return (StatusCode::OK, h, Plan::Zeros(bytes));
        }
        Some(Fault::GzipBomb { decoded_bytes }) => {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            let body = bomb
                .cloned()
                .unwrap_or_else(|| Bytes::from(gzip_zeros(decoded_bytes)));
            return (StatusCode::OK, h, Plan::Full(body));
        }
        Some(Fault::NotFound) => {
            return (
                StatusCode::NOT_FOUND,
                h,
                Plan::Full(Bytes::from_static(b"not found")),
            );
        }
        _ => {}
    }
    let Some(bytes) = contents else {
        html(&mut h);
        return (
            StatusCode::NOT_FOUND,
            h,
            Plan::Full(Bytes::from_static(b"<html><body>404</body></html>")),
        );
    };
    let etag = etag_of(&bytes);
    h.insert(header::CONTENT_TYPE, hv(ct));
    h.insert(header::ETAG, hv(&etag));
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_static(SAMPLE_LAST_MODIFIED),
    );
    let not_modified = match (inm, ims) {
        (Some(t), _) => t.split(',').any(|x| x.trim() == etag || x.trim() == "*"),
        (None, Some(d)) => d.trim() == SAMPLE_LAST_MODIFIED,
        _ => false,
    };
    if not_modified {
        return (StatusCode::NOT_MODIFIED, h, Plan::Full(Bytes::new()));
    }
    let bytes = Bytes::from(bytes);
    match fault {
        Some(Fault::ConnectionReset) => {
            h.insert(header::CONTENT_LENGTH, hv(&bytes.len().max(1).to_string()));
            (StatusCode::OK, h, Plan::FailAfter(Bytes::new()))
        }
        Some(Fault::TruncatedBody) => {
            h.insert(header::CONTENT_LENGTH, hv(&bytes.len().to_string()));
            let half = bytes.slice(..bytes.len() / 2);
            (StatusCode::OK, h, Plan::FailAfter(half))
        }
        Some(Fault::SlowBody { delay, chunks }) => {
            let n = chunks.max(1);
            let size = bytes.len().div_ceil(n).max(1);
            let parts = bytes.chunks(size).map(Bytes::copy_from_slice).collect();
            (StatusCode::OK, h, Plan::Slow(parts, delay))
        }
        _ => (StatusCode::OK, h, Plan::Full(bytes)),
    }
}
