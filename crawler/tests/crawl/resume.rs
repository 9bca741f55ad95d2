//! Crash safety: a crawl aborted or SIGKILLed at random points and restarted ends
//! with the same documents, no duplicates, and no finished URL fetched again.

use super::support::*;
use ogi_crawler::{FrontierState, RunLock, crawl, frontier, stored_documents};
use ogi_testkit::{Faults, SampleServer};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// URLs recorded as done, after waiting for the run lock (all commits finished).
/// When the interrupted run had in fact completed, the next run is a new run that
/// legitimately revisits list pages (conditionally), so only documents count.
async fn done_after_release(out: &Path) -> BTreeSet<String> {
    for _ in 0..200 {
        if RunLock::acquire(out).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _lock = RunLock::acquire(out).expect("lock released by the interrupted run");
    if !out.join("crawl/state.sqlite").exists() {
        return BTreeSet::new();
    }
    let run_completed = ogi_crawler::status(out)
        .unwrap()
        .last_run
        .is_some_and(|(_, finished)| finished);
    frontier(out)
        .unwrap()
        .into_iter()
        .filter(|s| s.state == FrontierState::Done && (!run_completed || s.kind.is_document()))
        .map(|s| s.url)
        .collect()
}

/// Runs a final crawl and checks the invariants against what was done before.
async fn finish_and_check(
    srv: &SampleServer,
    out: &Path,
    done_before: &BTreeSet<String>,
    log_mark: usize,
) {
    let cfg = config(out, srv.addr(), 20.0);
    let summary = tokio::time::timeout(Duration::from_secs(60), crawl(&cfg))
        .await
        .expect("bounded")
        .expect("final crawl");
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    let docs = stored_documents(out).unwrap();
    let urls: BTreeSet<String> = docs.iter().map(|d| d.url.clone()).collect();
    assert_eq!(urls.len(), docs.len(), "duplicate documents");
    assert_eq!(urls, expected_urls());
    let reqs = srv.requests();
    for r in &reqs[log_mark..] {
        let u = url_of(r);
        assert!(
            !done_before.contains(&u),
            "{u} was finished before the interruption and fetched again"
        );
    }
    assert_raw_store_clean(out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborted_crawls_resume_without_refetching_finished_urls() {
    let srv = server(Faults::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut mark = 0;
    let mut interrupted_unfinished = 0;
    for _ in 0..3 {
        let cfg = config(out, srv.addr(), 20.0);
        let task = tokio::spawn(async move { crawl(&cfg).await });
        tokio::time::sleep(Duration::from_millis(fastrand_ms(30, 250))).await;
        task.abort();
        let _ = task.await;
        let now_done = done_after_release(out).await;
        if ogi_crawler::status(out).is_ok_and(|s| s.last_run.is_some_and(|(_, finished)| !finished))
        {
            interrupted_unfinished += 1;
        }
        let reqs = srv.requests();
        for r in &reqs[mark..] {
            assert!(
                !done.contains(&url_of(r)),
                "{} refetched after abort",
                url_of(r)
            );
        }
        mark = reqs.len();
        assert!(
            done.iter()
                .filter(|u| !is_list(u))
                .all(|u| now_done.contains(u)),
            "finished documents were lost"
        );
        done = now_done;
    }
    assert!(interrupted_unfinished > 0, "no abort landed inside a run");
    finish_and_check(&srv, out, &done, mark).await;
    srv.shutdown().await;
}

fn is_list(u: &str) -> bool {
    u.contains("/index") || u.contains("/api/")
}

fn fastrand_ms(lo: u64, hi: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    lo + nanos % (hi - lo)
}

/// Child half of the SIGKILL test: runs when the parent re-invokes this binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "spawned by killed_process_resumes_without_refetching"]
async fn child_crawl() {
    let (Ok(out), Ok(addr)) = (
        std::env::var("OGI_CHILD_OUT"),
        std::env::var("OGI_CHILD_ADDR"),
    ) else {
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
        .args([
            "--exact",
            "resume::child_crawl",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("OGI_CHILD_OUT", out)
        .env("OGI_CHILD_ADDR", srv.addr().to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    // Kill once the child has made some progress (or after a random delay).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let target = 6 + fastrand_ms(0, 8) as usize;
    while srv.requests().len() < target && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(!srv.requests().is_empty(), "child never crawled");
    let done = done_after_release(out).await;
    let st = ogi_crawler::status(out).expect("the child created the state DB");
    assert_eq!(
        st.last_run.map(|(_, finished)| finished),
        Some(false),
        "killed inside the run"
    );
    let mark = srv.requests().len();
    finish_and_check(&srv, out, &done, mark).await;
    srv.shutdown().await;
}
