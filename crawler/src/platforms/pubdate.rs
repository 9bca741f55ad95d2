//! Publication dates: as listed, in the URL (`t20240115_…`, `/art/2024/1/15/…`),
//! and in the page's `PubDate` meta; all normalised to `YYYY-MM-DD`.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use url::Url;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
        .expect("static regex")
});
static URL_T: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/t((?:19|20)\d\d)(\d\d)(\d\d)_").expect("static regex"));
static URL_ART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/art/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/").expect("static regex")
});
static META_PUBDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta\s+name\s*=\s*["']?(?:PubDate|pubdate|publishdate|firstpublishedtime)["']?\s+content\s*=\s*["']([^"']+)["']"#)
        .expect("static regex")
});

/// Where a publication date was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// The date printed next to the item in the column's list.
    List,
    /// The date in the document's URL (`t20240115_…`, `/art/2024/1/15/`).
    Url,
    /// The `<meta name="PubDate">` of the report page.
    Meta,
}

impl DateSource {
    /// Name stored in the crawl state (`list`, `url`, `meta`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::List => "list",
            DateSource::Url => "url",
            DateSource::Meta => "meta",
        }
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The first date in free text (`2024-01-15`, `2024/1/5`, `2024年1月5日`, a date
/// split over lines), as `YYYY-MM-DD`.
pub fn normalize_date(text: &str) -> Option<String> {
    DATE.captures_iter(text)
        .find_map(|c| ymd(&c[1], &c[2], &c[3]))
}

/// The date a document URL carries (`…/t20240115_123.html`, `/art/2024/1/15/art_…`).
pub fn url_date(url: &Url) -> Option<String> {
    let p = url.path();
    URL_T
        .captures(p)
        .and_then(|c| ymd(&c[1], &c[2], &c[3]))
        .or_else(|| URL_ART.captures(p).and_then(|c| ymd(&c[1], &c[2], &c[3])))
}

/// The `PubDate` meta of an HTML page.
pub fn meta_date(html: &str) -> Option<String> {
    let head = prefix(html, 64 * 1024);
    META_PUBDATE
        .captures(head)
        .and_then(|c| normalize_date(&c[1]))
}

/// The longest prefix of `s` of at most `n` bytes that ends on a character boundary.
pub fn prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The publication date to use and where it came from: the listed date, else the
/// URL's, else the page meta.
pub fn best(
    listed: Option<&str>,
    in_url: Option<&str>,
    meta: Option<&str>,
) -> Option<(String, DateSource)> {
    listed
        .and_then(normalize_date)
        .map(|d| (d, DateSource::List))
        .or_else(|| in_url.map(|d| (d.to_string(), DateSource::Url)))
        .or_else(|| meta.map(|d| (d.to_string(), DateSource::Meta)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_text_url_and_meta() {
        assert_eq!(
            normalize_date("  2026-\n01-\n23 ").as_deref(),
            Some("2026-01-23")
        );
        assert_eq!(
            normalize_date("发布：2024年1月5日").as_deref(),
            Some("2024-01-05")
        );
        assert_eq!(normalize_date("2024-13-05"), None);
        let u = Url::parse("https://x.gov.cn/zfxxgknb/202503/t20250310_97791.htm").unwrap();
        assert_eq!(url_date(&u).as_deref(), Some("2025-03-10"));
        let u = Url::parse("http://x.gov.cn/art/2026/9/16/art_77278_1.html").unwrap();
        assert_eq!(url_date(&u).as_deref(), Some("2026-09-16"));
        let html = r#"<head><meta name="PubDate" content="2025-03-10 15:35"></head>"#;
        assert_eq!(meta_date(html).as_deref(), Some("2025-03-10"));
        assert_eq!(
            best(None, Some("2025-03-10"), Some("2025-03-11")),
            Some(("2025-03-10".into(), DateSource::Url))
        );
    }
}
