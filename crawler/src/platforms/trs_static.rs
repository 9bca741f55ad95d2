//! TRS WCM static publishing (拓尔思): list pages `index.html`, `index_1.html`, …
//! (0-based suffix, the site's own extension `.html`/`.shtml`/`.htm`), the page
//! count in `createPageHTML(count, …)` or `var countPage = N`. Newer TRS fronts
//! (`list2.trsapi`, "动静结合") publish only the first pages statically and serve
//! the rest from a search API; the adapter lists the static pages and reports how
//! many records it could not reach.

use super::generic::{entries, linked_pages, trs_pages};
use super::{Listing, MAX_PAGES, Request};
use regex::Regex;
use std::sync::LazyLock;

static TRSAPI_RECORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"recordCount\s*:\s*['"]?(\d+)"#).expect("static regex"));
static TRSAPI_PER_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"prepage\s*:\s*['"]?(\d+)"#).expect("static regex"));
static TRSAPI_STATIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"maxStaticIndex\s*:\s*['"]?(\d+)"#).expect("static regex"));

/// Reads one TRS list page.
pub fn read(req: &Request, body: &str) -> Listing {
    let mut next: Vec<Request> = trs_pages(&req.url, body)
        .into_iter()
        .map(Request::get)
        .collect();
    if next.is_empty() {
        next = linked_pages(&req.url, body)
            .into_iter()
            .map(Request::get)
            .collect();
    }
    let mut listing = Listing {
        entries: entries(&req.url, body),
        next,
        total: None,
        gap: None,
    };
    if body.contains(".trsapi") {
        let num = |re: &Regex| re.captures(body).and_then(|c| c[1].parse::<u32>().ok());
        if let (Some(records), Some(per)) = (num(&TRSAPI_RECORDS), num(&TRSAPI_PER_PAGE)) {
            listing.total = Some(records);
            let pages = records.div_ceil(per.max(1)).min(MAX_PAGES);
            let statics = num(&TRSAPI_STATIC).unwrap_or(1).clamp(1, pages.max(1));
            if pages > statics {
                listing.gap = Some(format!(
                    "trsapi: {records} records on {pages} pages, only {statics} published statically; \
                     the others are served by the TRS search API"
                ));
            }
        }
    }
    listing
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn real_pingtan_list_page() {
        let html = include_str!("../../tests/fixtures/pingtan-list-page.html");
        let req =
            Request::get(Url::parse("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/").unwrap());
        let l = read(&req, html);
        let reports: Vec<_> = l
            .entries
            .iter()
            .filter(|e| e.url.path().contains("/zfxxgknb/20"))
            .collect();
        assert_eq!(reports.len(), 10, "ten dated items on the static page");
        assert!(reports.iter().all(|e| e.date.is_some()));
        assert_eq!(
            reports[1].url.as_str(),
            "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm"
        );
        assert_eq!(reports[1].date.as_deref(), Some("2025-03-10"));
        assert_eq!(l.total, Some(20));
        assert!(l.gap.as_deref().unwrap_or("").contains("trsapi"));
    }
}
