//! Fault matrix: faults of every kind, combined at random on a seeded schedule
//! over the sample portal's documents and list pages. The run finishes, every
//! URL that did not end `done` says why, and a later run without faults picks
//! up every document that failed.
//!
//! `OGI_LONG=1` runs 20 schedules (default 1) and prints a `LONG faults:` line;
//! `OGI_FAULT_SEED` sets the first seed.

use super::support::*;
use ogi_crawler::{FrontierState, crawl, frontier, stored_documents};
use ogi_testkit::synth::Rng;
use ogi_testkit::{Fault, Faults};
use std::time::Duration;

/// One fault drawn at random, and how many times it applies (None: always).
fn draw(rng: &mut Rng) -> (Fault, Option<u32>) {
    let times = Some(1 + rng.below(3) as u32);
    match rng.below(12) {
        0 => (
            Fault::TooManyRequests {
                retry_after_secs: 1,
            },
            Some(1),
        ),
        1 => (
            Fault::Unavailable {
                retry_after_secs: None,
            },
            times,
        ),
        2 => (
            Fault::ConnectionReset,
            if rng.below(2) == 0 { None } else { Some(1) },
        ),
        3 => (Fault::TruncatedBody, None),
        4 => (Fault::HugeBody { bytes: 3 << 20 }, None),
        5 => (
            Fault::GzipBomb {
                decoded_bytes: 8 << 20,
            },
            None,
        ),
        6 => (Fault::NotFound, None),
        7 => (Fault::WrongContentType, None),
        8 => (
            Fault::SlowBody {
                delay: Duration::from_millis(400),
                chunks: 3,
            },
            None,
        ),
        9 => (Fault::RedirectLoop, None),
        10 => (
            Fault::RedirectTo("http://169.254.169.254/latest/meta-data/".into()),
            None,
        ),
        _ => (Fault::WafPage, Some(1)),
    }
}

fn path_of(url: &str) -> (String, String) {
    let u = url::Url::parse(url).unwrap();
    (u.host_str().unwrap().to_string(), u.path().to_string())
}

async fn one_schedule(seed: u64) -> usize {
    let mut rng = Rng::new(seed);
    let mut faults = Faults::none();
    let mut injected = 0;
    let mut targets: Vec<String> = expected_urls().into_iter().collect();
    // List pages too: the index of every portal section the documents sit under.
    for u in expected_urls() {
        let (h, p) = path_of(&u);
        let dir = &p[..p.rfind('/').unwrap()];
        let section = &dir[..dir.rfind('/').unwrap_or(0)];
        targets.push(format!("http://{h}{section}/index.html"));
    }
    targets.sort();
    targets.dedup();
    for t in &targets {
        if rng.below(3) != 0 {
            continue;
        }
        let (host, path) = path_of(t);
        let (fault, times) = draw(&mut rng);
        faults = match times {
            Some(n) => faults.times(Some(&host), &path, fault, n),
            None => faults.always(Some(&host), &path, fault),
        };
        injected += 1;
    }
    let srv = server(faults).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 50.0);
    cfg.max_attempts = 3;
    cfg.read_timeout = Duration::from_millis(250);
    cfg.max_body_bytes = 1 << 20;
    let first = tokio::time::timeout(Duration::from_secs(120), crawl(&cfg))
        .await
        .unwrap_or_else(|_| panic!("seed {seed}: the faulty run did not finish"))
        .expect("crawl");
    srv.shutdown().await;

    // Every URL not done carries its reason; failures are counted in the summary.
    let states = frontier(dir.path()).unwrap();
    let mut failed = 0u64;
    for s in &states {
        match s.state {
            FrontierState::Done | FrontierState::Disallowed => {}
            // `gone`: a permanent 404/410, a finding for `ogi status`, not a failure.
            FrontierState::Failed | FrontierState::Blocked | FrontierState::Gone => {
                let why = s.error.as_deref().unwrap_or("");
                assert!(
                    !why.is_empty(),
                    "seed {seed}: {} {} without a reason",
                    s.url,
                    s.state
                );
                failed += u64::from(s.state == FrontierState::Failed);
            }
            other => panic!("seed {seed}: {} left {other} after the run", s.url),
        }
    }
    assert_eq!(
        first.failed.values().sum::<u64>(),
        failed,
        "seed {seed}: summary {:?}",
        first.failed
    );

    // A later run without faults picks up everything that failed.
    let srv = server(Faults::none()).await;
    let mut cfg = config(dir.path(), srv.addr(), 50.0);
    cfg.max_attempts = 3;
    // A document that answered 404 under the faults (`gone`) is asked again when due.
    cfg.revisit_after = Duration::ZERO;
    let second = tokio::time::timeout(Duration::from_secs(120), crawl(&cfg))
        .await
        .expect("bounded")
        .expect("crawl");
    srv.shutdown().await;
    let got: std::collections::BTreeSet<String> = stored_documents(dir.path())
        .unwrap()
        .into_iter()
        .map(|d| d.url)
        .collect();
    assert_eq!(
        got,
        expected_urls(),
        "seed {seed}: documents still missing after a clean run (failed then: {:?}, now: {:?})",
        first.failed,
        second.failed
    );
    assert!(second.failed.is_empty(), "seed {seed}: {:?}", second.failed);
    injected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combined_faults_are_recorded_and_a_later_run_recovers() {
    let long = std::env::var("OGI_LONG").is_ok_and(|v| !v.is_empty() && v != "0");
    let first: u64 = std::env::var("OGI_FAULT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(14);
    let schedules = if long { 20 } else { 1 };
    let mut injected = 0;
    for seed in first..first + schedules {
        injected += one_schedule(seed).await;
    }
    assert!(injected > 0);
    let line = format!("LONG faults: schedules={schedules} faults_injected={injected} lost=0");
    eprintln!("{line}");
    if long {
        println!("{line}");
    }
}
