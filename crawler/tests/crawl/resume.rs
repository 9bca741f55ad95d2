//! Crash safety: a crawl aborted or SIGKILLed at random points and restarted ends
//! with the same documents, no duplicates, and no finished URL fetched again.

use super::support::*;
use ogi_crawler::{Faults, SampleServer, crawl, frontier, lock_out, stored_documents};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// URLs recorded as done, after waiting for the run lock (all commits finished).
async fn done_after_release(out: &Path) -> BTreeSet<String> {
    for _ in 0..200 {
        if lock_out(out).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _lock = lock_out(out).expect("lock released by the interrupted run");
    if !out.join("crawl/state.sqlite").exists() {
        return BTreeSet::new();
    }
    frontier(out).unwrap().into_iter().filter(|s| s.state == "done").map(|s| s.url).collect()
}

/// Runs a final crawl and checks the invariants against what was done before.
async fn finish_and_check(srv: &SampleServer, out: &Path, done_before: &BTreeSet<String>, log_mark: usize) {
    let cfg = config(out, srv.addr(), 20.0);
    let summary = tokio::time::timeout(Duration::from_secs(60), crawl(&cfg)).await.expect("bounded").expect("final crawl");
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    let docs = stored_documents(out).unwrap();
    let urls: BTreeSet<String> = docs.iter().map(|d| d.url.clone()).collect();
    assert_eq!(urls.len(), docs.len(), "duplicate documents");
    assert_eq!(urls, expected_urls());
    let reqs = srv.requests();
    for r in &reqs[log_mark..] {
        let u = url_of(r);
        assert!(!done_before.contains(&u), "{u} was finished before the interruption and fetched again");
    }
    assert_raw_store_clean(out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborted_crawls_resume_without_refetching_finished_urls() {
    let srv = server(Faults::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let mut done = BTreeSet::new();
    let mut mark = 0;
    for _ in 0..3 {
        let cfg = config(out, srv.addr(), 20.0);
        let task = tokio::spawn(async move { crawl(&cfg).await });
        tokio::time::sleep(Duration::from_millis(fastrand_ms(50, 400))).await;
        task.abort();
        let _ = task.await;
        let now_done = done_after_release(out).await;
        let reqs = srv.requests();
        for r in &reqs[mark..] {
            assert!(!done.contains(&url_of(r)), "{} refetched after abort", url_of(r));
        }
        mark = reqs.len();
        assert!(now_done.is_superset(&done), "finished work was lost");
        done = now_done;
    }
    finish_and_check(&srv, out, &done, mark).await;
    srv.shutdown().await;
}

fn fastrand_ms(lo: u64, hi: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    lo + nanos % (hi - lo)
}

/// Child half of the SIGKILL test: runs when the parent re-invokes this binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "spawned by killed_process_resumes_without_refetching"]
async fn child_crawl() {
    let (Ok(out), Ok(addr)) = (std::env::var("OGI_CHILD_OUT"), std::env::var("OGI_CHILD_ADDR")) else {
        return;
    };
    let cfg = config(Path::new(&out), addr.parse().unwrap(), 10.0);
    let _ = crawl(&cfg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_process_resumes_without_refetching() {
    let srv = server(Faults::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "resume::child_crawl", "--ignored", "--nocapture", "--test-threads=1"])
        .env("OGI_CHILD_OUT", out)
        .env("OGI_CHILD_ADDR", srv.addr().to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    // Kill once the child has made some progress (or after a random delay).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let target = 3 + fastrand_ms(0, 8) as usize;
    while srv.requests().len() < target && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(!srv.requests().is_empty(), "child never crawled");
    let done = done_after_release(out).await;
    let mark = srv.requests().len();
    finish_and_check(&srv, out, &done, mark).await;
    srv.shutdown().await;
}
