//! A crawl of the test portals with nothing but platform and home page in the
//! registry: discovery, every report across pages, attachments, drift, challenges.

use super::probe::config;
use super::sites;
use ogi_crawler::{crawl, status, stored_documents};
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_discovers_columns_and_lists_every_report() {
    let portals = sites::all_and_challenged();
    let server = sites::serve_portals(&portals).await;
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("portals.toml");
    std::fs::write(&registry, sites::registry(&portals)).unwrap();
    let out = dir.path().join("out");
    let mut cfg = config(&out, server.addr, &portals);
    cfg.portals_file = registry;

    let summary = crawl(&cfg).await.expect("crawl runs");
    let docs = stored_documents(&out).unwrap();
    for p in &portals {
        let got: BTreeSet<String> = docs
            .iter()
            .filter(|d| d.portal_id == p.id)
            .map(|d| d.url.clone())
            .collect();
        let want: BTreeSet<String> = p.documents.iter().cloned().collect();
        assert_eq!(got, want, "{}: stored report documents", p.id);
    }

    let frontier = ogi_crawler::frontier(&out).unwrap();
    assert!(
        !frontier
            .iter()
            .any(|u| u.url.starts_with("https://www.jp.example/")),
        "the https:// twin of a listed report is the same document"
    );

    // List endpoints were called the way the platforms expect.
    let log = server.log();
    let post = log
        .iter()
        .find(|r| r.host == "www.hw.example" && r.path == "/module/web/jpage/dataproxy.jsp")
        .expect("jpage endpoint called");
    assert_eq!(post.method, "POST");
    assert_eq!(post.param("webname").as_deref(), Some("某市某局"));
    assert!(log.iter().any(|r| r.path == "/module/xxgk/search.jsp"
        && r.method == "POST"
        && r.param("currpage").as_deref() == Some("2")));
    assert!(
        !log.iter()
            .any(|r| r.host == "www.trs.example" && r.path == "/zwgk/zfxxgknb/index_3.shtml"),
        "createPageHTML(3, …): pages index, index_1, index_2 only"
    );

    // Publication dates: listed, else from the URL; the page meta is kept too.
    let doc = |url: &str| {
        docs.iter()
            .find(|d| d.url == url)
            .unwrap_or_else(|| panic!("{url} stored"))
    };
    let d = doc("http://www.hw.example/art/2024/1/20/art_200_11.html");
    assert_eq!(
        (d.published.as_deref(), d.published_source.as_deref()),
        (Some("2024-01-20"), Some("list"))
    );
    assert_eq!(d.year, Some(2023));
    assert_eq!(d.portal_region_code.as_deref(), Some("440300"));
    let d = doc("http://www.trs.example/zwgk/zfxxgknb/202301/t20230116_12.shtml");
    assert_eq!(
        (d.published.as_deref(), d.published_source.as_deref()),
        (Some("2023-01-16"), Some("url"))
    );
    assert_eq!(d.meta_date.as_deref(), Some("2024-01-15"));
    let d = doc("http://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm");
    assert_eq!(
        d.list_title.as_deref(),
        Some("平潭综合实验区2024年度政府信息公开工作年度报告")
    );
    assert_eq!(
        d.meta_date.as_deref(),
        Some("2025-03-10"),
        "PubDate meta of the real page"
    );
    let d = doc("http://www.gk.example/attachment/0/0/1/1.pdf");
    assert_eq!(
        d.published.as_deref(),
        Some("2024-01-15"),
        "an attachment takes its report's listed date"
    );

    // The drifted column: gone (a finding), rediscovered, said so.
    assert!(
        summary.columns.iter().any(
            |c| c.starts_with("t-drift: gone http://www.drift.example/old/zfxxgknb/index.html")
        ),
        "{:?}",
        summary.columns
    );
    assert!(
        summary.columns.iter().any(
            |c| c.starts_with("t-drift: found http://www.drift.example/xxgk/xxgknb/index.html")
        ),
        "{:?}",
        summary.columns
    );
    let st0 = status(&out).unwrap();
    assert!(
        !summary.failed.contains_key("http_404"),
        "a moved column is not a failure: {:?} {:?}",
        summary.failed,
        st0.failures
    );

    // The challenged portal: recorded as needing a browser, named in status.
    assert_eq!(summary.blocked_hosts, ["www.rs.example"]);
    let st = status(&out).unwrap();
    assert_eq!(st.needs_browser, ["t-ruishu"]);
    assert!(
        st.column_events
            .iter()
            .any(|e| e.contains("t-drift: found"))
    );
    assert!(
        server.to_host("www.rs.example").len() <= 2,
        "challenge not retried in a loop"
    );

    // Next night: the saved column is used; the old URL and the challenge are not hammered.
    server.clear();
    let again = crawl(&cfg).await.expect("second run");
    let log = server.log();
    assert!(
        !log.iter()
            .any(|r| r.host == "www.drift.example" && r.path.starts_with("/old/")),
        "old column not asked again"
    );
    assert!(
        !log.iter()
            .any(|r| r.host == "www.drift.example" && r.path == "/"),
        "no rediscovery needed"
    );
    assert!(
        log.iter()
            .any(|r| r.host == "www.drift.example" && r.path == "/xxgk/xxgknb/index.html")
    );
    assert!(server.to_host("www.rs.example").len() <= 2);
    assert_eq!(again.new_documents, 0);
}
