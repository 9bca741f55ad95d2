//! Full crawl of the sample portal, politeness, robots, second run, WARC, status, lock.

use super::support::*;
use ogi_crawler::{FrontierState, RunLock, crawl, export_warc, frontier, status, stored_documents};
use ogi_testkit::Faults;
use std::collections::BTreeSet;
use std::io::Read;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_crawl_finds_exactly_the_expected_documents_politely() {
    let srv = server(Faults::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let rate = 20.0;
    let cfg = config(dir.path(), srv.addr(), rate);
    let summary = crawl(&cfg).await.expect("crawl succeeds");

    let docs = stored_documents(dir.path()).unwrap();
    let got: BTreeSet<String> = docs.iter().map(|d| d.url.clone()).collect();
    assert_eq!(
        got,
        expected_urls(),
        "stored documents differ from EXPECTED.md"
    );
    assert_eq!(summary.new_documents as usize, got.len());
    assert_eq!(summary.changed_documents, 0);
    assert!(summary.failed.is_empty(), "failures: {:?}", summary.failed);
    assert!(summary.blocked_hosts.is_empty());

    // Metadata for the extract stage.
    let exp = expected();
    for e in exp["documents"].as_array().unwrap() {
        let d = docs
            .iter()
            .find(|d| d.url == e["url"].as_str().unwrap())
            .unwrap();
        assert_eq!(d.kind.as_str(), e["kind"].as_str().unwrap());
        assert_eq!(
            d.content_type,
            e["content_type"].as_str().unwrap(),
            "{}",
            d.url
        );
        assert_eq!(d.portal_id, e["portal_id"].as_str().unwrap());
        assert_eq!(d.year.map(u64::from), e["year"].as_u64(), "{}", d.url);
        assert_eq!(d.status, "new");
        assert!(d.path.exists());
        assert!(d.fetched_at.ends_with('Z'));
    }
    // The GBK page is stored byte-for-byte (not re-encoded).
    let gbk = docs
        .iter()
        .find(|d| d.url.contains("xigong") && d.year == Some(2023))
        .unwrap();
    let bytes = std::fs::read(&gbk.path).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "GBK body kept as published"
    );

    let reqs = srv.requests();
    // The sample's erqi robots.txt asks a Crawl-delay longer than 1/rate: the
    // spacing checked there is the one robots.txt asks.
    let asked = robots_crawl_delay("www.erqi.example").expect("erqi asks a Crawl-delay");
    assert!(asked > std::time::Duration::from_secs_f64(1.0 / rate));
    assert!(reqs.iter().filter(|r| r.host == "www.erqi.example").count() > 2);
    assert_polite(&reqs, rate);
    assert!(
        srv.max_in_flight().values().all(|&n| n <= 1),
        "{:?}",
        srv.max_in_flight()
    );
    assert!(
        reqs.iter()
            .all(|r| r.user_agent.contains(CONTACT) && r.user_agent.starts_with("ogi-crawler/"))
    );
    // robots.txt: fetched once per host, and the disallowed draft never requested.
    for h in HOSTS {
        assert_eq!(
            reqs.iter()
                .filter(|r| r.host == h && r.path == "/robots.txt")
                .count(),
            1,
            "{h}"
        );
    }
    assert!(
        !reqs.iter().any(|r| r.path.starts_with("/zwgk/draft/")),
        "robots.txt disallow ignored"
    );
    let states = frontier(dir.path()).unwrap();
    let draft = states
        .iter()
        .find(|s| s.url.contains("/zwgk/draft/"))
        .expect("draft listed");
    assert_eq!(draft.state, FrontierState::Disallowed);
    // Non-report list items are never fetched.
    for x in exp["excluded"].as_array().unwrap() {
        let u = x["url"].as_str().unwrap();
        assert!(!reqs.iter().any(|r| url_of(r) == u), "{u} was requested");
    }
    // No URL was fetched twice in one run.
    let mut seen = BTreeSet::new();
    for r in &reqs {
        assert!(seen.insert(url_of(r)), "{} requested twice", url_of(r));
    }

    // Second run on the unchanged portal: conditional requests only, nothing new.
    srv.clear_log();
    let second = crawl(&cfg).await.expect("second crawl");
    let reqs2 = srv.requests();
    assert!(!reqs2.is_empty());
    for r in &reqs2 {
        assert!(
            r.conditional,
            "unconditional request in second run: {}",
            r.path
        );
        assert_eq!(r.status, 304, "{}", r.path);
        assert!(
            !expected_urls().contains(&url_of(r)),
            "report {} fetched again",
            r.path
        );
    }
    assert_eq!(second.new_documents, 0);
    assert_eq!(second.changed_documents, 0);
    assert_eq!(second.not_modified, reqs2.len() as u64);
    assert!(!second.resumed);
    assert_polite(&reqs2, rate);
    assert_eq!(stored_documents(dir.path()).unwrap().len(), got.len());

    // Summaries on disk.
    let latest = dir.path().join("crawl/summary-latest.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(latest).unwrap()).unwrap();
    assert_eq!(v["run_id"], second.run_id);

    // Status.
    let st = status(dir.path()).unwrap();
    assert_eq!(st.runs, 2);
    assert_eq!(st.last_run, Some((second.run_id, true)));
    assert_eq!(st.portals.len(), 3);
    assert!(
        st.portals
            .iter()
            .all(|p| p.last_success.is_some() && p.blocked_hosts.is_empty())
    );

    // WARC export: warcinfo + one response per stored body, gzip per record.
    let warc = dir.path().join("export.warc.gz");
    let n = export_warc(dir.path(), &warc).unwrap();
    assert_eq!(n as u64, summary.fetched);
    let mut raw = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&warc).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"));
    assert_eq!(text.matches("WARC-Type: response\r\n").count(), n);
    // Read back by an independent reader (warcio, installed by scripts/test.sh):
    // every record parses and every response's payload digest matches.
    let check = std::process::Command::new("python3")
        .arg(repo().join("scripts/check_warc.py"))
        .arg(&warc)
        .output()
        .expect("python3 runs");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        report.trim(),
        format!(
            "{} records, {n} responses, {n} payload digests verified",
            n + 1
        )
    );
    let blobs = assert_raw_store_clean(dir.path());
    assert!(
        blobs >= got.len() && blobs as u64 <= summary.fetched,
        "{blobs} blobs"
    );

    // The lock refuses a concurrent run.
    let _held = RunLock::acquire(dir.path()).unwrap();
    let err = crawl(&cfg).await.unwrap_err();
    assert!(
        err.downcast_ref::<ogi_crawler::LockError>()
            .is_some_and(ogi_crawler::LockError::is_held),
        "{err:#}"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_list_entry_or_due_revisit_refetches_a_report() {
    let (site, srv) = editable_site().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.portal_ids = vec!["sample-xigong".into()];
    crawl(&cfg).await.unwrap();

    // The 2023 report is republished with a new list date and new content.
    let host = site.path().join("www.xigong.example/zwgk/gknb");
    let list = std::fs::read(host.join("index.html")).unwrap();
    let at = list
        .windows(10)
        .position(|w| w == b"2024-01-25")
        .expect("list date");
    let mut list = list.clone();
    list[at..at + 10].copy_from_slice(b"2024-02-01"); // GBK page: edit bytes, not text
    std::fs::write(host.join("index.html"), &list).unwrap();
    let report = host.join("202401/t20240125_778.html");
    let mut body = std::fs::read(&report).unwrap();
    body.extend_from_slice(b"<!-- corrected -->");
    std::fs::write(&report, body).unwrap();

    srv.clear_log();
    let s = crawl(&cfg).await.unwrap();
    let reqs = srv.requests();
    let fetched: Vec<_> = reqs
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        fetched,
        [
            "/zwgk/gknb/index.html",
            "/zwgk/gknb/202401/t20240125_778.html"
        ]
    );
    assert!(
        reqs.iter().all(|r| r.conditional),
        "stored validators are sent"
    );
    assert_eq!((s.new_documents, s.changed_documents), (0, 1));
    let doc = stored_documents(dir.path())
        .unwrap()
        .into_iter()
        .find(|d| d.url.ends_with("t20240125_778.html"))
        .unwrap();
    assert_eq!(doc.status, "changed");
    assert_eq!(doc.list_date.as_deref(), Some("2024-02-01"));

    // A report due for revisit is checked again (conditionally) even if its entry is unchanged.
    cfg.revisit_after = std::time::Duration::ZERO;
    srv.clear_log();
    let s = crawl(&cfg).await.unwrap();
    let reqs = srv.requests();
    assert!(
        reqs.iter()
            .any(|r| r.path.ends_with("t20230116_612.html") && r.conditional && r.status == 304)
    );
    assert_eq!((s.new_documents, s.changed_documents), (0, 0));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_limited_to_some_portals_leaves_the_others_alone() {
    let srv = server(Faults::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.portal_ids = vec!["sample-xigong".into()];
    crawl(&cfg).await.unwrap();
    assert!(
        srv.requests()
            .iter()
            .all(|r| r.host == "www.xigong.example")
    );
    srv.clear_log();
    cfg.portal_ids = vec!["sample-beiguan".into()];
    let s = crawl(&cfg).await.unwrap();
    assert!(
        srv.requests()
            .iter()
            .all(|r| r.host == "www.beiguan.example")
    );
    assert!(s.failed.is_empty(), "{:?}", s.failed);
    let states = frontier(dir.path()).unwrap();
    assert!(
        states
            .iter()
            .filter(|u| u.portal_id == "sample-xigong")
            .all(|u| u.state == FrontierState::Done),
        "another portal's URLs were touched"
    );
    cfg.portal_ids.clear();
    crawl(&cfg).await.unwrap();
    let got: BTreeSet<String> = stored_documents(dir.path())
        .unwrap()
        .into_iter()
        .map(|d| d.url)
        .collect();
    assert_eq!(got, expected_urls());
    srv.shutdown().await;
}
