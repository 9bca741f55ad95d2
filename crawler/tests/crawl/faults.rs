//! Every injected fault ends in the right state, without panics.

use super::support::*;
use ogi_crawler::FrontierState::{self, Blocked, Done, Failed};
use ogi_crawler::{crawl, frontier, stored_documents};
use ogi_testkit::{Fault, Faults};
use std::time::Duration;

const BG: &str = "www.beiguan.example";
const EQ: &str = "www.erqi.example";
const XG: &str = "www.xigong.example";

fn state_of(out: &std::path::Path, url: &str) -> (FrontierState, Option<String>) {
    let f = frontier(out).unwrap();
    let s = f
        .iter()
        .find(|s| s.url == url)
        .unwrap_or_else(|| panic!("{url} not in frontier"));
    (s.state, s.error.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_end_in_the_right_state() {
    let p429 = "/zwgk/zfxxgknb/202401/t20240118_1023.html";
    let p503 = "/zwgk/zfxxgknb/202401/t20240122_1031.html";
    let reset = "/zwgk/zfxxgknb/202301/t20230118_0918.html";
    let redirect = "/zwgk/zfxxgknb/202201/t20220120_0712.html";
    let huge = "/zwgk/zfxxgknb/202301/P020230120_hongqilu2022.docx";
    let slow = "/xxgk/ndbg/202301/t20230130_4120.html";
    let truncated = "/xxgk/ndbg/202401/t20240129_5512.html";
    let wrong_ct = "/xxgk/ndbg/202201/P020220128_3305.pdf";
    let challenge = "/zwgk/gknb/index_1.html";
    let waf = "/zwgk/gknb/202401/t20240125_778.html";
    let bomb = "/zwgk/zfxxgknb/202301/t20230110_0900.html";
    let faults = Faults::none()
        .times(
            Some(BG),
            p429,
            Fault::TooManyRequests {
                retry_after_secs: 1,
            },
            1,
        )
        .times(
            Some(BG),
            p503,
            Fault::Unavailable {
                retry_after_secs: None,
            },
            1,
        )
        .always(Some(BG), reset, Fault::ConnectionReset)
        .always(Some(BG), redirect, Fault::RedirectLoop)
        .always(
            Some(BG),
            huge,
            Fault::HugeBody {
                bytes: 5 * 1024 * 1024,
            },
        )
        .always(
            Some(EQ),
            slow,
            Fault::SlowBody {
                delay: Duration::from_millis(600),
                chunks: 3,
            },
        )
        .always(Some(EQ), truncated, Fault::TruncatedBody)
        .always(Some(EQ), wrong_ct, Fault::WrongContentType)
        .always(Some(XG), challenge, Fault::Challenge412)
        .times(
            Some(EQ),
            "/robots.txt",
            Fault::Unavailable {
                retry_after_secs: None,
            },
            1,
        )
        .always(Some(XG), waf, Fault::WafPage)
        .always(
            Some(BG),
            bomb,
            Fault::GzipBomb {
                decoded_bytes: 8 * 1024 * 1024,
            },
        );
    let srv = server(faults).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.max_attempts = 3;
    cfg.breaker_threshold = 100;
    cfg.read_timeout = Duration::from_millis(250);
    cfg.max_body_bytes = 1024 * 1024;
    let summary = tokio::time::timeout(Duration::from_secs(60), crawl(&cfg))
        .await
        .expect("bounded")
        .expect("crawl");
    let out = dir.path();
    let u = |h: &str, p: &str| format!("http://{h}{p}");

    // (host, path, state, error, why)
    let expected = [
        (BG, p429, Done, None, "429 is retried after Retry-After"),
        (BG, p503, Done, None, "503 is retried"),
        (BG, reset, Failed, Some("connection"), "reset"),
        (BG, redirect, Failed, Some("redirect_loop"), "redirect loop"),
        (BG, huge, Failed, Some("too_large"), "too large"),
        (
            BG,
            bomb,
            Failed,
            Some("too_large"),
            "the cap counts decoded bytes",
        ),
        (EQ, slow, Failed, Some("timeout"), "slow body"),
        (EQ, truncated, Failed, Some("connection"), "truncated body"),
        (
            EQ,
            wrong_ct,
            Failed,
            Some("content_mismatch"),
            "wrong content type",
        ),
        (XG, challenge, Blocked, None, "script challenge"),
        (XG, waf, Blocked, None, "WAF page"),
    ];
    for (host, path, state, error, why) in expected {
        let (got, got_error) = state_of(out, &u(host, path));
        assert_eq!(got, state, "{host}{path}: {why}");
        if let Some(e) = error {
            assert_eq!(got_error.as_deref(), Some(e), "{host}{path}: {why}");
        }
    }
    assert_eq!(summary.blocked_hosts, vec![XG.to_string()]);
    assert!(summary.failed.contains_key("connection") && summary.failed.contains_key("too_large"));

    let reqs = srv.requests();
    assert_eq!(
        reqs.iter()
            .filter(|r| r.host == EQ && r.path == "/robots.txt")
            .count(),
        2,
        "a 503 on robots.txt is retried"
    );
    assert_eq!(state_of(out, &u(EQ, "/xxgk/ndbg/index.html")).0, Done);
    // Retry-After: after the 429 no request reached that host for ~1 s.
    let i = reqs
        .iter()
        .position(|r| r.host == BG && r.status == 429)
        .expect("429 served");
    let next = reqs[i + 1..]
        .iter()
        .find(|r| r.host == BG)
        .expect("host visited again");
    assert!(
        next.start.duration_since(reqs[i].start) >= Duration::from_millis(950),
        "Retry-After ignored"
    );
    // Transient failures were retried exactly max_attempts times; terminal ones once.
    let count = |h: &str, p: &str| reqs.iter().filter(|r| r.host == h && r.path == p).count();
    assert_eq!(count(BG, reset), 3);
    assert_eq!(count(EQ, truncated), 3);
    assert_eq!(count(BG, huge), 1);
    assert_eq!(count(EQ, wrong_ct), 1);
    // Once blocked, the host gets no more requests in this run.
    let first_block = reqs
        .iter()
        .position(|r| r.host == XG && (r.status == 412 || r.path == waf))
        .unwrap();
    assert!(
        reqs[first_block + 1..].iter().all(|r| r.host != XG),
        "blocked host contacted again"
    );
    // Nothing blocked or broken was stored as a report.
    let docs = stored_documents(out).unwrap();
    for bad in [reset, redirect, huge, slow, truncated, wrong_ct, waf, bomb] {
        assert!(!docs.iter().any(|d| d.url.ends_with(bad)), "{bad} stored");
    }
    assert_polite(&reqs, 20.0);
    assert!(srv.max_in_flight().values().all(|&n| n <= 1));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn circuit_breaker_parks_a_failing_host() {
    let list = "/zwgk/zfxxgknb/index.html";
    let srv = server(Faults::none().always(
        Some(BG),
        list,
        Fault::Unavailable {
            retry_after_secs: None,
        },
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.portal_ids = vec!["sample-beiguan".into()];
    cfg.max_attempts = 10;
    cfg.breaker_threshold = 2;
    let summary = tokio::time::timeout(Duration::from_secs(30), crawl(&cfg))
        .await
        .expect("bounded")
        .expect("crawl");
    let reqs = srv.requests();
    assert_eq!(
        reqs.iter().filter(|r| r.path == list).count(),
        2,
        "breaker opens after 2 failures"
    );
    let (state, err) = state_of(dir.path(), &format!("http://{BG}{list}"));
    assert_eq!((state, err.as_deref()), (Failed, Some("host_parked")));
    assert_eq!(summary.failed.get("host_parked"), Some(&1));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_robots_txt_disallows_the_host_for_the_run() {
    let srv = server(Faults::none().always(
        Some(BG),
        "/robots.txt",
        Fault::Unavailable {
            retry_after_secs: None,
        },
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.portal_ids = vec!["sample-beiguan".into()];
    let summary = tokio::time::timeout(Duration::from_secs(30), crawl(&cfg))
        .await
        .expect("bounded")
        .expect("crawl");
    let reqs = srv.requests();
    assert!(
        reqs.iter().all(|r| r.path == "/robots.txt"),
        "only robots.txt may be requested"
    );
    assert_eq!(reqs.len(), 3, "robots.txt is tried 3 times");
    assert_eq!(summary.failed.get("robots_unreachable"), Some(&1));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_request_budget_is_respected() {
    let srv = server(Faults::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.portal_ids = vec!["sample-beiguan".into()];
    cfg.max_requests_per_host = Some(4);
    let summary = tokio::time::timeout(Duration::from_secs(30), crawl(&cfg))
        .await
        .expect("bounded")
        .expect("crawl");
    assert_eq!(
        srv.requests().len(),
        4,
        "robots.txt + 3 more, then the budget is spent"
    );
    assert!(
        summary.failed.get("host_budget").is_some_and(|&n| n > 0),
        "{:?}",
        summary.failed
    );
    srv.shutdown().await;
}
