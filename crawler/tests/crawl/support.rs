//! Shared helpers: sample server, test configuration, expected documents.

use ogi_crawler::CrawlConfig;
use ogi_testkit::{Faults, RequestRecord, SampleServer, serve_sample};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const HOSTS: [&str; 3] = [
    "www.beiguan.example",
    "www.erqi.example",
    "www.xigong.example",
];
pub const SAMPLE_PORTALS: [&str; 3] = ["sample-beiguan", "sample-erqi", "sample-xigong"];
pub const CONTACT: &str = "https://example.org/ogi-contact";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

pub async fn server(faults: Faults) -> SampleServer {
    serve_sample(
        "127.0.0.1:0".parse().unwrap(),
        repo().join("data/sample-portal"),
        faults,
    )
    .await
    .expect("sample server starts")
}

/// A copy of the sample portal's site files that a test may edit, served
/// without faults: (the copy, the server).
pub async fn editable_site() -> (tempfile::TempDir, SampleServer) {
    let site = tempfile::tempdir().unwrap();
    ogi_testkit::fs::copy_dir(&repo().join("data/sample-portal"), site.path()).unwrap();
    let srv = serve_sample(
        "127.0.0.1:0".parse().unwrap(),
        site.path().to_path_buf(),
        Faults::none(),
    )
    .await
    .expect("sample server starts");
    (site, srv)
}

/// A fast but polite configuration: `rate` requests/s per host, 1 in flight per host.
pub fn config(out: &Path, addr: SocketAddr, rate: f64) -> CrawlConfig {
    CrawlConfig {
        out: out.to_path_buf(),
        portals_file: repo().join("data/portals.toml"),
        portal_ids: SAMPLE_PORTALS.iter().map(|s| s.to_string()).collect(),
        contact_url: CONTACT.into(),
        per_host_rate: rate,
        per_host_concurrency: 1,
        global_concurrency: 4,
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(10),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        allow_private_hosts: HOSTS.iter().map(|s| s.to_string()).collect(),
        resolve: HOSTS.iter().map(|h| (h.to_string(), addr)).collect(),
        progress: false,
        ..CrawlConfig::default()
    }
}

pub fn expected() -> serde_json::Value {
    let p = repo().join("data/sample-portal/expected.json");
    serde_json::from_slice(&std::fs::read(p).expect("expected.json")).expect("valid json")
}

pub fn expected_urls() -> BTreeSet<String> {
    expected()["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["url"].as_str().expect("url").to_string())
        .collect()
}

pub fn url_of(r: &RequestRecord) -> String {
    format!("http://{}{}", r.host, r.path)
}

/// The Crawl-delay the sample portal's robots.txt asks of `host`, if any.
pub fn robots_crawl_delay(host: &str) -> Option<Duration> {
    let path = repo()
        .join("data/sample-portal")
        .join(host)
        .join("robots.txt");
    let txt = std::fs::read_to_string(path).ok()?;
    ogi_crawler::robots::parse(&txt, "ogi-crawler").crawl_delay
}

/// Asserts per host: never two requests at once, and starts spaced by >= 90% of
/// 1/rate, or, once robots.txt was read, by the whole Crawl-delay it asks when
/// that is more.
pub fn assert_polite(reqs: &[RequestRecord], rate: f64) {
    let mut by_host: BTreeMap<&str, Vec<&RequestRecord>> = BTreeMap::new();
    for r in reqs {
        by_host.entry(r.host.as_str()).or_default().push(r);
    }
    for (host, mut rs) in by_host {
        let rate_gap = Duration::from_secs_f64(0.9 / rate);
        let delay = robots_crawl_delay(host).unwrap_or_default();
        rs.sort_by_key(|r| r.start);
        let robots_read = rs
            .iter()
            .position(|r| r.path == "/robots.txt" && r.status == 200)
            .unwrap_or(usize::MAX);
        for (i, w) in rs.windows(2).enumerate() {
            let min_gap = if i >= robots_read {
                delay.max(rate_gap)
            } else {
                rate_gap
            };
            let gap = w[1].start.duration_since(w[0].start);
            assert!(
                gap >= min_gap,
                "{host}: {} then {} only {gap:?} apart",
                w[0].path,
                w[1].path
            );
            if let Some(end) = w[0].end {
                assert!(
                    w[1].start >= end,
                    "{host}: {} overlapped {}",
                    w[1].path,
                    w[0].path
                );
            }
        }
    }
}

/// Checks every raw blob is named by its digest and that no temp file is left.
pub fn assert_raw_store_clean(out: &Path) -> usize {
    use std::io::Read;
    let mut n = 0;
    let raw = out.join("raw");
    for d in std::fs::read_dir(&raw).expect("raw dir") {
        let d = d.unwrap().path();
        for f in std::fs::read_dir(&d).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_str().unwrap().to_string();
            if name.ends_with(".tmp") {
                continue; // an interrupted write (kill -9) may leave a temp file; never a .bin
            }
            let mut bytes = Vec::new();
            std::fs::File::open(&f)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            let sha = ogi_crawler::raw::sha256_hex(&bytes);
            let expect = format!(
                "{}{}",
                d.file_name().unwrap().to_str().unwrap(),
                name.trim_end_matches(".bin")
            );
            assert_eq!(
                sha,
                expect,
                "blob {} is not named by its digest",
                f.display()
            );
            n += 1;
        }
    }
    n
}
