//! Benchmark: many virtual hosts on loopback. Reports the fraction of the allowed
//! aggregate rate (hosts × per-host rate) the crawler achieves, and peak RSS.
//!
//! `cargo run --release -p ogi-crawler --example bench_vhosts -- [hosts] [docs_per_host] [rate] [global_concurrency]`
//! (defaults: 100 hosts, 40 documents per host, 5 req/s per host, 64 in flight).

use ogi_crawler::{CrawlConfig, crawl};
use ogi_testkit::{Faults, serve_sample};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn arg(i: usize, default: f64) -> f64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_kib() -> Option<u64> {
    ogi_util::memory::peak_rss_bytes().map(|b| b / 1024)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let hosts = arg(1, 100.0) as usize;
    let docs = arg(2, 40.0) as usize;
    let rate = arg(3, 5.0);
    let conc = arg(4, 64.0) as usize;
    let site = tempfile::tempdir()?;
    let out = tempfile::tempdir()?;
    let per_page = 20;
    let pages = docs.div_ceil(per_page).max(1);
    let mut registry = String::new();
    let names: Vec<String> = (0..hosts).map(|i| format!("h{i}.bench.example")).collect();
    for (i, h) in names.iter().enumerate() {
        let root = site.path().join(h).join("gknb");
        std::fs::create_dir_all(root.join("d"))?;
        for p in 0..pages {
            let mut items = String::new();
            for d in (p * per_page)..((p + 1) * per_page).min(docs) {
                let _ = write!(
                    items,
                    "<li><a href=\"d/t{d}.html\">第{d}号单位{}年政府信息公开工作年度报告</a></li>",
                    2000 + d % 25
                );
                let body = format!(
                    "<html><body><h1>报告 {d}</h1>{}</body></html>",
                    "<p>政府信息公开</p>".repeat(60)
                );
                std::fs::write(root.join(format!("d/t{d}.html")), body)?;
            }
            let name = if p == 0 {
                "index.html".to_string()
            } else {
                format!("index_{p}.html")
            };
            let page = format!(
                "<html><body><ul class=\"l\">{items}</ul><script>createPageHTML({pages}, {p}, \"index\", \"html\");</script></body></html>"
            );
            std::fs::write(root.join(name), page)?;
        }
        let _ = write!(
            registry,
            "[[portal]]\nid = \"b{i}\"\nname = \"bench\"\nregion = \"r\"\nregion_code = \"410000\"\nstart_urls = [\"http://{h}/gknb/index.html\"]\nallowed_hosts = [\"{h}\"]\n[portal.list]\nitem_selector = \"ul.l li\"\n\n"
        );
    }
    let portals = site.path().join("portals.toml");
    std::fs::write(&portals, registry)?;
    let srv = serve_sample(
        "127.0.0.1:0".parse()?,
        site.path().to_path_buf(),
        Faults::none(),
    )
    .await?;
    let cfg = CrawlConfig {
        out: out.path().to_path_buf(),
        portals_file: portals,
        per_host_rate: rate,
        global_concurrency: conc,
        allow_private_hosts: names.clone(),
        resolve: names.iter().map(|h| (h.clone(), srv.addr())).collect(),
        connect_timeout: Duration::from_secs(5),
        progress: false,
        ..CrawlConfig::default()
    };
    let rss_before = peak_rss_kib();
    let t0 = Instant::now();
    let summary = crawl(&cfg).await?;
    let secs = t0.elapsed().as_secs_f64();
    let log = srv.requests();
    let reqs = log.len() as f64;
    let distinct: std::collections::HashSet<_> = log
        .iter()
        .map(|r| (r.host.clone(), r.path.clone()))
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for r in &log {
        *statuses.entry(r.status).or_insert(0u64) += 1;
    }
    let per_host = reqs / hosts as f64;
    // Each host needs (per_host - 1) / rate seconds at best.
    let ideal = (per_host - 1.0).max(0.0) / rate;
    println!("hosts={hosts} docs/host={docs} rate/host={rate} global={conc}");
    println!(
        "requests={reqs} elapsed={secs:.2}s achieved={:.1} req/s allowed={:.1} req/s",
        reqs / secs,
        hosts as f64 * rate
    );
    println!(
        "fraction of allowed aggregate rate: {:.3} (ideal elapsed {ideal:.2}s)",
        ideal / secs
    );
    println!(
        "documents new={} failed={:?}",
        summary.new_documents, summary.failed
    );
    println!(
        "distinct URLs requested={} (a URL fetched twice would be a bug) statuses={statuses:?}",
        distinct.len()
    );
    println!(
        "peak RSS: before {:?} KiB, after {:?} KiB",
        rss_before,
        peak_rss_kib()
    );
    srv.shutdown().await;
    Ok(())
}
