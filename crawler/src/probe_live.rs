//! `probe` over the network: one request at a time, robots.txt obeyed, at the
//! run's per-host rate, redirects followed within the site, challenges noted.

use crate::config::CrawlConfig;
use crate::discover::decode_html;
use crate::fetch::{Fetcher, Validators};
use crate::platforms::Request;
use crate::probe::{Page, Probe, probe, same_site};
use crate::robots::RobotsRules;
use crate::urlnorm::{check_url, host_key, resolve};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

struct Live {
    fetcher: Fetcher,
    cfg: CrawlConfig,
    robots: HashMap<String, RobotsRules>,
    last: HashMap<String, Instant>,
    insecure: bool,
}

impl Live {
    async fn pace(&mut self, host: &str) {
        let gap = Duration::from_secs_f64(1.0 / self.cfg.per_host_rate.clamp(0.01, 100.0));
        if let Some(t) = self.last.get(host) {
            let due = *t + gap;
            tokio::time::sleep_until(due).await;
        }
        self.last.insert(host.to_string(), Instant::now());
    }

    async fn robots(&mut self, url: &Url) -> RobotsRules {
        let host = host_key(url);
        if let Some(r) = self.robots.get(&host) {
            return r.clone();
        }
        let rules = match url.join("/robots.txt") {
            Ok(ru) => {
                self.pace(&host).await;
                match self
                    .fetcher
                    .send(&ru, None, &Validators::default(), self.insecure)
                    .await
                {
                    Ok(r) => RobotsRules::from_status(
                        r.status,
                        &String::from_utf8_lossy(&r.body),
                        &self.cfg.user_agent,
                    ),
                    Err(e) => {
                        eprintln!("ogi: {ru}: robots.txt unreachable ({e}); not probing {host}");
                        RobotsRules::disallow_all()
                    }
                }
            }
            Err(_) => RobotsRules::allow_all(),
        };
        self.robots.insert(host, rules.clone());
        rules
    }

    async fn fetch(&mut self, home: &Url, req: Request) -> Result<Page, String> {
        let mut url = req.url.clone();
        let mut form = req.form.clone();
        for _ in 0..=self.cfg.max_redirects {
            let host = url.host_str().unwrap_or("").to_string();
            check_url(&url, &[host], &self.cfg.allow_private_hosts)
                .map_err(|r| r.reason().to_string())?;
            if !same_site(home, &url) {
                return Err(format!("leaves the site ({url})"));
            }
            let pq = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            if !self.robots(&url).await.allowed(&pq) {
                return Err("disallowed by robots.txt".into());
            }
            self.pace(&host_key(&url)).await;
            let r = self
                .fetcher
                .send(&url, form.as_deref(), &Validators::default(), self.insecure)
                .await
                .map_err(|e| e.to_string())?;
            if (300..400).contains(&r.status) && r.status != 304 {
                url = r
                    .header("location")
                    .and_then(|l| resolve(&url, l))
                    .ok_or("redirect without a usable Location")?;
                form = None;
                continue;
            }
            let body = decode_html(&r.body, r.header("content-type"), None);
            return Ok(Page {
                status: r.status,
                body,
            });
        }
        Err("too many redirects".into())
    }
}

/// Probes `home` over the network with the crawler's client and politeness.
pub async fn probe_live(cfg: &CrawlConfig, home: &Url, insecure: bool) -> anyhow::Result<Probe> {
    let live = Arc::new(Mutex::new(Live {
        fetcher: Fetcher::new(cfg)?,
        cfg: cfg.clone(),
        robots: HashMap::new(),
        last: HashMap::new(),
        insecure,
    }));
    let home2 = home.clone();
    Ok(probe(home, move |req| {
        let live = live.clone();
        let home = home2.clone();
        async move { live.lock().await.fetch(&home, req).await }
    })
    .await)
}
