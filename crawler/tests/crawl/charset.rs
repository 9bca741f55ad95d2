//! A GBK list page whose `<meta>` declares UTF-8 —
//! common on portals that migrated templates but not content — still yields
//! its reports: discovery decodes with the one charset decoder, which checks
//! a declared charset against the bytes and re-detects.

use super::support::*;
use ogi_crawler::{crawl, stored_documents};
use std::collections::BTreeSet;

/// Replaces every `from` in `bytes` (ASCII, so safe inside GBK text).
fn replace_bytes(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_list_pages_labelled_utf8_still_yield_their_reports() {
    let (site, srv) = editable_site().await;
    let list_dir = site.path().join("www.xigong.example/zwgk/gknb");
    for page in ["index.html", "index_1.html"] {
        let path = list_dir.join(page);
        let gbk = std::fs::read(&path).unwrap();
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "{page} is GBK, not UTF-8"
        );
        let mislabelled = replace_bytes(&gbk, b"charset=gbk", b"charset=utf-8");
        assert_ne!(mislabelled, gbk, "{page} declared gbk");
        std::fs::write(&path, mislabelled).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), srv.addr(), 20.0);
    cfg.portal_ids = vec!["sample-xigong".into()];
    crawl(&cfg).await.unwrap();
    srv.shutdown().await;

    let want: BTreeSet<String> = expected_urls()
        .into_iter()
        .filter(|u| u.contains("www.xigong.example"))
        .collect();
    assert_eq!(want.len(), 2, "the sample's xigong reports");
    let docs = stored_documents(dir.path()).unwrap();
    let got: BTreeSet<String> = docs.iter().map(|d| d.url.clone()).collect();
    assert_eq!(got, want);
    // The list titles were decoded as GBK, not as replacement characters.
    for d in &docs {
        let title = d.list_title.as_deref().unwrap_or_default();
        assert!(
            title.contains("政府信息公开") && !title.contains('\u{fffd}'),
            "{}: {title:?}",
            d.url
        );
    }
}
