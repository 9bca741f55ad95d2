//! The generic adapter, and the HTML reading every adapter shares: list entries
//! are links with a title, their date is the first date in the smallest
//! enclosing item (`li`, `tr`, `dl`, …); further pages come from TRS page
//! scripts, "下一页" links and numbered page links of the same column.

use super::pubdate::normalize_date;
use super::{Entry, Listing, MAX_PAGES, Request};
use crate::discover::{link_title, resolved_links, text_of};
use crate::urlnorm::resolve;
use regex::Regex;
use scraper::{ElementRef, Html};
use std::sync::LazyLock;
use url::Url;

static NUMBERED_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|/)(?:index|list|nlist|column-index)?[_-]?(\d{1,4})\.(?:s?html?|jsp)$")
        .expect("static regex")
});

/// Item containers searched (innermost first) for an entry's date.
const ITEM_TAGS: &[&str] = &["li", "tr", "dl", "p", "div", "dd", "td", "span"];

/// The entries of an HTML document or fragment: every link with a title
/// (`title` attribute, else its text), resolved against `base`, with the date of
/// its item. Links to `javascript:` and the page itself are left out.
pub fn entries(base: &Url, html: &str) -> Vec<Entry> {
    let doc = Html::parse_fragment(html);
    let mut out: Vec<Entry> = Vec::new();
    for (a, url) in resolved_links(&doc, base) {
        if &url == base {
            continue;
        }
        let title = link_title(a);
        if title.is_empty() {
            continue;
        }
        let date = item_date(a, &title);
        if let Some(e) = out.iter_mut().find(|e| e.url == url) {
            if e.title.chars().count() < title.chars().count() {
                e.title = title;
            }
            if e.date.is_none() {
                e.date = date;
            }
            continue;
        }
        out.push(Entry {
            url,
            title,
            date,
            attachments: Vec::new(),
        });
    }
    out
}

/// The date printed in the item around link `a` (not inside its title).
fn item_date(a: ElementRef<'_>, title: &str) -> Option<String> {
    let mut node = a;
    for _ in 0..4 {
        let parent = node.parent().and_then(ElementRef::wrap)?;
        node = parent;
        if !ITEM_TAGS.contains(&node.value().name()) {
            continue;
        }
        let text = text_of(node);
        if text.chars().count() > 400 {
            return None;
        }
        let rest = text.replacen(title, " ", 1);
        let own = text_of(a);
        let rest = if own.is_empty() {
            rest
        } else {
            rest.replacen(&own, " ", 1)
        };
        if let Some(d) = normalize_date(&rest) {
            return Some(d);
        }
        if node.value().name() == "li" || node.value().name() == "tr" {
            return None;
        }
    }
    None
}

static CREATE_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]"#)
        .expect("static regex")
});
static CREATE_PAGE_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"createPageHTML\(\s*['"]?(\d+)['"]?"#).expect("static regex"));
static COUNT_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:var\s+)?countPage\s*=\s*['"]?(\d+)"#).expect("static regex"));

/// TRS static paging: the page count from `createPageHTML(count, current, name, ext)`
/// or `var countPage = N`, and the page URLs: page 1 is `{name}.{ext}`, page k is
/// `{name}_{k-1}.{ext}` (0-based suffix), in the column's directory. Without a
/// name in the script, the name and extension of the current page are used
/// (`index.shtml` → `index_1.shtml`).
pub fn trs_pages(base: &Url, html: &str) -> Vec<Url> {
    let (count, name, ext) = if let Some(c) = CREATE_PAGE.captures(html) {
        (
            c[1].parse().unwrap_or(0),
            c[3].to_string(),
            c[4].to_string(),
        )
    } else if let Some(c) = CREATE_PAGE_COUNT
        .captures(html)
        .or_else(|| COUNT_PAGE.captures(html))
    {
        let (name, ext) = own_name(base);
        (c[1].parse().unwrap_or(0u32), name, ext)
    } else {
        return Vec::new();
    };
    (1..count.min(MAX_PAGES))
        .filter_map(|k| resolve(base, &format!("{name}_{k}.{ext}")))
        .filter(|u| u != base)
        .collect()
}

/// Base name and extension of a list page (`index`, `html` for a directory URL).
fn own_name(base: &Url) -> (String, String) {
    let last = base
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    match last.rsplit_once('.') {
        Some((n, e)) if !n.is_empty() => {
            let n = n.split('_').next().unwrap_or(n);
            (n.to_string(), e.to_string())
        }
        _ => ("index".into(), "html".into()),
    }
}

/// Pages linked as "下一页"/"尾页" or by a bare page number whose URL looks like a
/// page of the same column (same directory, `index_2.html`, `2.html`, `list_3.shtml`).
pub fn linked_pages(base: &Url, html: &str) -> Vec<Url> {
    let doc = Html::parse_document(html);
    let dir = base.path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut out: Vec<Url> = Vec::new();
    for (a, u) in resolved_links(&doc, base) {
        let text = text_of(a);
        let pager_text =
            matches!(
                text.as_str(),
                "下一页" | "下页" | "尾页" | "末页" | ">" | "»"
            ) || (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) && text.len() <= 4);
        if !pager_text {
            continue;
        }
        let same_dir = u.host_str() == base.host_str()
            && u.path().rsplit_once('/').map(|(d, _)| d) == Some(dir);
        let numbered =
            NUMBERED_PAGE.is_match(u.path()) || u.query().is_some_and(|q| q.contains("page"));
        if same_dir && numbered && &u != base && !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

/// Reads a list page of a site on no known platform.
pub fn read(req: &Request, body: &str) -> Listing {
    let mut next: Vec<Request> = trs_pages(&req.url, body)
        .into_iter()
        .map(Request::get)
        .collect();
    for u in linked_pages(&req.url, body) {
        let r = Request::get(u);
        if !next.contains(&r) {
            next.push(r);
        }
    }
    Listing {
        entries: entries(&req.url, body),
        next,
        total: None,
        gap: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_item_dates() {
        let base = Url::parse("http://a.example/l/index.html").unwrap();
        let html = r#"<ul><li><a href="./202401/t20240105_1.html" title="某区2023年政府信息公开工作年度报告">某区…</a><span>2024-01-05</span></li>
          <li><a href="/x.html">政府信息公开指南</a></li></ul>
          <dl><dd><a href="y.htm" title="T">T</a></dd><dd>
             2026-03-10 </dd></dl>"#;
        let e = entries(&base, html);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].date.as_deref(), Some("2024-01-05"));
        assert_eq!(e[0].title, "某区2023年政府信息公开工作年度报告");
        assert_eq!(e[1].date, None);
        assert_eq!(e[2].date.as_deref(), Some("2026-03-10"));
    }

    #[test]
    fn trs_paging_is_zero_based_and_keeps_extension() {
        let base = Url::parse("http://a.example/zfxxgknb/index.shtml").unwrap();
        let p = trs_pages(&base, "<script>var countPage = 3;</script>");
        let p: Vec<_> = p.iter().map(Url::as_str).collect();
        assert_eq!(
            p,
            [
                "http://a.example/zfxxgknb/index_1.shtml",
                "http://a.example/zfxxgknb/index_2.shtml"
            ]
        );
        let p = trs_pages(&base, r#"createPageHTML(2, 0, "index", "htm");"#);
        assert_eq!(p[0].as_str(), "http://a.example/zfxxgknb/index_1.htm");
        let base = Url::parse("http://a.example/zfxxgknb/").unwrap();
        assert_eq!(
            trs_pages(&base, "countPage = 2")[0].as_str(),
            "http://a.example/zfxxgknb/index_1.html"
        );
    }

    #[test]
    fn linked_pages_stay_in_the_column() {
        let base = Url::parse("http://a.example/nb/1.html").unwrap();
        let html = r#"<a href="2.html">2</a><a href="/other/3.html">3</a><a href="list_9.html">下一页</a><a href="a.html">2023</a>"#;
        let p = linked_pages(&base, html);
        let p: Vec<_> = p.iter().map(Url::as_str).collect();
        assert_eq!(
            p,
            [
                "http://a.example/nb/2.html",
                "http://a.example/nb/list_9.html"
            ]
        );
    }
}
