//! Reading list pages, list endpoints and report pages: which links are reports,
//! which pages come next, and how to decode the bytes.

use crate::portals::{ATTACHMENT_EXTENSIONS, ApiFormat, ApiRules, Portal};
use crate::urlnorm::resolve;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;
use url::Url;

/// A report found on a list page or endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// Canonical URL of the report page or attachment.
    pub url: Url,
    /// Title as listed.
    pub title: String,
    /// Report year, from the title.
    pub year: u16,
    /// Publish date as listed (free text), if any.
    pub date: Option<String>,
}

impl ListItem {
    /// Signature of the list entry; a change means the report may have changed.
    pub fn signature(&self) -> String {
        format!("{}\u{1f}{}", self.title, self.date.as_deref().unwrap_or(""))
    }
}

/// What a list page yields.
#[derive(Debug, Default, Clone)]
pub struct ListPage {
    /// Report items.
    pub items: Vec<ListItem>,
    /// Further list pages (pagination).
    pub pages: Vec<Url>,
    /// Number of list items skipped because they are not reports.
    pub skipped: usize,
}

/// Decodes an HTML/XML body with the one charset decoder
/// ([`ogi_util::charset::decode_with_default`]): BOM, then the HTTP charset,
/// then `<meta charset>`, then the portal's configured encoding, each checked
/// against the bytes, else detection. A GBK page labelled UTF-8 decodes as GBK.
pub fn decode_html(
    body: &[u8],
    content_type: Option<&str>,
    portal_encoding: Option<&str>,
) -> String {
    let http = content_type.and_then(ogi_util::charset::header_charset);
    ogi_util::charset::decode_with_default(body, http, true, portal_encoding).text
}

static CREATE_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]"#)
        .expect("static regex")
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d\d)\s*年").expect("static regex"));
static CDATA_RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>").expect("static regex")
});
static TOTAL_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<totalpage>\s*(\d+)\s*</totalpage>").expect("static regex"));
static TOTAL_RECORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<totalrecord>\s*(\d+)\s*</totalrecord>").expect("static regex"));

/// Full-width digits → ASCII, whitespace collapsed.
pub fn normalize_title(t: &str) -> String {
    let t: String = t
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Returns the report year if `title` is a report title for `portal`: it contains a
/// title keyword and a year (`2022年`), and no exclusion keyword.
pub fn report_year(portal: &Portal, title: &str) -> Option<u16> {
    report_year_by(&portal.reports, title)
}

/// True if `title` is a report title under the default rules (see [`report_year`]).
pub fn is_report_title(title: &str) -> bool {
    report_year_by(&crate::portals::ReportRules::default(), title).is_some()
}

/// [`report_year`] under the given rules.
pub fn report_year_by(rules: &crate::portals::ReportRules, title: &str) -> Option<u16> {
    let portal = rules;
    let t = normalize_title(title);
    if !portal.title_keywords.iter().any(|k| t.contains(k.as_str())) {
        return None;
    }
    if portal
        .exclude_keywords
        .iter()
        .any(|k| t.contains(k.as_str()))
    {
        return None;
    }
    YEAR.captures(&t).and_then(|c| c[1].parse().ok())
}

/// Lower-case extension of the URL path's last segment, if any.
pub fn extension(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let (_, ext) = last.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// True if the URL points to an attachment (pdf, doc, …) rather than an HTML page.
pub fn is_attachment(url: &Url) -> bool {
    extension(url).is_some_and(|e| ATTACHMENT_EXTENSIONS.contains(&e.as_str()))
}

fn link_accepted(portal: &Portal, url: &Url) -> bool {
    match extension(url) {
        None => true,
        Some(e) => {
            portal
                .reports
                .extensions
                .iter()
                .any(|x| x.eq_ignore_ascii_case(&e))
                || matches!(e.as_str(), "jsp" | "aspx" | "php" | "do")
        }
    }
}

/// Text of an element with whitespace collapsed and full-width digits made ASCII.
pub fn text_of(el: ElementRef<'_>) -> String {
    normalize_title(&el.text().collect::<String>())
}

/// The target of link `a` resolved against `base` (`None` without an `href`
/// or when it does not resolve).
pub fn link_target(a: ElementRef<'_>, base: &Url) -> Option<Url> {
    a.value().attr("href").and_then(|h| resolve(base, h))
}

/// Every link of `doc` (`a[href]`) whose target resolves against `base`, with
/// that target, in document order.
pub fn resolved_links<'a>(
    doc: &'a Html,
    base: &'a Url,
) -> impl Iterator<Item = (ElementRef<'a>, Url)> + 'a {
    static LINKS: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("a[href]").expect("static selector"));
    doc.select(&LINKS)
        .filter_map(move |a| Some((a, link_target(a, base)?)))
}

/// The title of a link: its `title` attribute when not blank, else its text
/// (both normalised by [`normalize_title`]).
pub fn link_title(a: ElementRef<'_>) -> String {
    a.value()
        .attr("title")
        .map(normalize_title)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| text_of(a))
}

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// Reads items from an HTML fragment or document with the portal's list rules.
fn items_from_html(portal: &Portal, base: &Url, doc: &Html, out: &mut ListPage) {
    let (Some(item_sel), Some(link_sel)) = (
        selector(&portal.list.item_selector),
        selector(&portal.list.link_selector),
    ) else {
        return;
    };
    let date_sel = portal.list.date_selector.as_deref().and_then(selector);
    for item in doc.select(&item_sel) {
        let Some(a) = item.select(&link_sel).next() else {
            continue;
        };
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        let title = link_title(a);
        let date = date_sel
            .as_ref()
            .and_then(|s| item.select(s).next())
            .map(text_of)
            .filter(|d| !d.is_empty());
        push_item(portal, base, href, &title, date, out);
    }
}

fn push_item(
    portal: &Portal,
    base: &Url,
    href: &str,
    title: &str,
    date: Option<String>,
    out: &mut ListPage,
) {
    let Some(url) = resolve(base, href) else {
        out.skipped += 1;
        return;
    };
    match report_year(portal, title) {
        Some(year) if link_accepted(portal, &url) => {
            if !out.items.iter().any(|i| i.url == url) {
                out.items.push(ListItem {
                    url,
                    title: normalize_title(title),
                    year,
                    date,
                });
            }
        }
        _ => out.skipped += 1,
    }
}

/// Parses an HTML list page: report items plus further pages (from
/// `createPageHTML(count, current, "index", "html")` and the next-page selector).
pub fn parse_list_page(portal: &Portal, base: &Url, html: &str) -> ListPage {
    let doc = Html::parse_document(html);
    let mut out = ListPage::default();
    items_from_html(portal, base, &doc, &mut out);
    if portal.list.page_script
        && let Some(c) = CREATE_PAGE.captures(html)
    {
        let count: u32 = c[1].parse().unwrap_or(0);
        let (name, ext) = (&c[3], &c[4]);
        for n in 0..count.min(portal.list.max_pages) {
            let file = if n == 0 {
                format!("{name}.{ext}")
            } else {
                format!("{name}_{n}.{ext}")
            };
            if let Some(u) = resolve(base, &file) {
                out.pages.push(u);
            }
        }
    }
    if let Some(sel) = portal.list.next_selector.as_deref().and_then(selector) {
        for a in doc.select(&sel) {
            if let Some(u) = link_target(a, base) {
                out.pages.push(u);
            }
        }
    }
    out.pages.retain(|u| u != base);
    out.pages.dedup();
    out
}

/// URL of page `page` of a list endpoint.
pub fn api_page_url(api: &ApiRules, page: u32) -> Option<Url> {
    let idx = page.saturating_sub(api.first_page);
    let start = idx * api.per_page + 1;
    let end = start + api.per_page - 1;
    let s = api
        .url
        .replace("{page}", &page.to_string())
        .replace("{start}", &start.to_string())
        .replace("{end}", &end.to_string());
    Url::parse(&s)
        .ok()
        .map(|u| crate::urlnorm::canonicalize(&u))
}

fn json_path<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.')
        .filter(|p| !p.is_empty())
        .try_fold(v, |v, p| v.get(p))
}

fn json_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses one page of a list endpoint. Items are filtered like HTML items; the
/// returned pages are the endpoint's further pages (only when `page` is the first).
pub fn parse_api_page(
    portal: &Portal,
    api: &ApiRules,
    base: &Url,
    page: u32,
    body: &str,
) -> ListPage {
    let mut out = ListPage::default();
    let total_pages: u32 = match api.format {
        ApiFormat::Json => {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
                return out;
            };
            if let Some(items) = json_path(&v, &api.items).and_then(|i| i.as_array()) {
                for it in items {
                    let title = it.get(&api.title).and_then(json_string).unwrap_or_default();
                    let Some(href) = it.get(&api.link).and_then(json_string) else {
                        out.skipped += 1;
                        continue;
                    };
                    let date = api
                        .date
                        .as_ref()
                        .and_then(|d| it.get(d))
                        .and_then(json_string);
                    push_item(portal, base, &href, &title, date, &mut out);
                }
            }
            api.total_pages
                .as_deref()
                .and_then(|p| json_path(&v, p))
                .and_then(|n| {
                    n.as_u64()
                        .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
                })
                .unwrap_or(1) as u32
        }
        ApiFormat::JpageXml => {
            for rec in CDATA_RECORD.captures_iter(body) {
                let frag = Html::parse_fragment(&rec[1]);
                items_from_html(portal, base, &frag, &mut out);
            }
            if let Some(c) = TOTAL_PAGE.captures(body) {
                c[1].parse().unwrap_or(1)
            } else if let Some(c) = TOTAL_RECORD.captures(body) {
                let n: u32 = c[1].parse().unwrap_or(0);
                n.div_ceil(api.per_page.max(1))
            } else {
                1
            }
        }
    };
    if page == api.first_page {
        let last = api.first_page + total_pages.min(api.max_pages).saturating_sub(1);
        out.pages = (api.first_page + 1..=last)
            .filter_map(|p| api_page_url(api, p))
            .collect();
    }
    out
}

/// Attachment links (pdf, doc, docx, wps, xls, xlsx) on a report page, including
/// pdf.js viewers (`?file=`) and CMS download handlers (`downfile.jsp?…`,
/// `download.do?…`), resolved against `base`.
pub fn attachment_links(base: &Url, html: &str) -> Vec<Url> {
    let doc = Html::parse_document(html);
    let Some(sel) = selector("a[href], iframe[src], embed[src]") else {
        return Vec::new();
    };
    let mut out: Vec<Url> = Vec::new();
    for el in doc.select(&sel) {
        let raw = el
            .value()
            .attr("href")
            .or(el.value().attr("src"))
            .unwrap_or("");
        let Some(mut u) = resolve(base, raw) else {
            continue;
        };
        if let Some((_, file)) = u.query_pairs().find(|(k, _)| k == "file")
            && let Some(inner) = resolve(base, &file)
        {
            u = inner;
        }
        let lower = u.as_str().to_ascii_lowercase();
        let download = lower.contains("downfile") || lower.contains("download.");
        if (is_attachment(&u) || download) && !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

/// Title of an HTML page (`<title>`), normalised.
pub fn page_title(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = selector("title")?;
    doc.select(&sel)
        .next()
        .map(text_of)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portals::parse_portals;

    fn portal() -> Portal {
        parse_portals(
            r#"[[portal]]
id = "a"
name = "x"
region = "r"
region_code = "410503"
start_urls = ["http://a.example/l/index.html"]
allowed_hosts = ["a.example"]
"#,
        )
        .unwrap()
        .remove(0)
    }

    #[test]
    fn title_filter_and_year() {
        let p = portal();
        assert_eq!(
            report_year(&p, "北关区民政局2022年政府信息公开工作年度报告"),
            Some(2022)
        );
        assert_eq!(
            report_year(&p, "２０２３年度西工区民政局政府信息公开工作年度报告"),
            Some(2023)
        );
        assert_eq!(report_year(&p, "2023年政务公开工作要点"), None);
        assert_eq!(
            report_year(&p, "政府信息公开指南（2023年版）年度报告"),
            None
        );
        assert_eq!(report_year(&p, "政府信息公开年度报告"), None);
    }

    #[test]
    fn list_page_items_and_pages() {
        let p = portal();
        let base = Url::parse("http://a.example/l/index.html").unwrap();
        let html = r#"<ul><li><a href="./202401/t1.html" title="北关区2023年政府信息公开工作年度报告">北关区…</a></li>
        <li><a href="g.html">政府信息公开指南</a></li>
        <li><a href="r.pdf">2022年政府信息公开工作年报</a></li></ul>
        <script>createPageHTML(3, 0, "index", "html");</script>"#;
        let lp = parse_list_page(&p, &base, html);
        assert_eq!(lp.items.len(), 2);
        assert_eq!(
            lp.items[0].url.as_str(),
            "http://a.example/l/202401/t1.html"
        );
        assert_eq!(lp.items[1].year, 2022);
        assert_eq!(lp.skipped, 1);
        let pages: Vec<_> = lp.pages.iter().map(|u| u.as_str()).collect();
        assert_eq!(
            pages,
            [
                "http://a.example/l/index_1.html",
                "http://a.example/l/index_2.html"
            ]
        );
    }

    #[test]
    fn decodes_gbk_by_meta() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<meta charset=\"gbk\"><p>年度报告</p>");
        let s = decode_html(&bytes, Some("text/html"), None);
        assert!(s.contains("年度报告"));
        let s = decode_html(&encoding_rs::GBK.encode("<p>年度报告</p>").0, None, None);
        assert!(s.contains("年度报告"));
    }

    #[test]
    fn gbk_list_page_labelled_utf8_is_discovered() {
        let p = portal();
        let base = Url::parse("http://a.example/l/index.html").unwrap();
        let page = "<html><head><meta charset=\"utf-8\"></head><body><ul>\
            <li><a href=\"/r/1.html\">北关区民政局2022年政府信息公开工作年度报告</a></li>\
            </ul></body></html>";
        let gbk = encoding_rs::GBK.encode(page).0.into_owned();
        for content_type in [None, Some("text/html; charset=UTF-8")] {
            let html = decode_html(&gbk, content_type, Some("utf-8"));
            let lp = parse_list_page(&p, &base, &html);
            assert_eq!(lp.items.len(), 1, "{content_type:?}: {html}");
            assert_eq!(lp.items[0].year, 2022);
            assert_eq!(
                lp.items[0].title,
                "北关区民政局2022年政府信息公开工作年度报告"
            );
        }
    }

    #[test]
    fn json_and_jpage_endpoints() {
        use crate::portals::{ApiFormat, ApiRules};
        let p = portal();
        let api = ApiRules {
            url: "http://a.example/api/list.json?page={page}".into(),
            format: ApiFormat::Json,
            first_page: 1,
            per_page: 2,
            items: "data.list".into(),
            title: "title".into(),
            link: "url".into(),
            date: Some("pubDate".into()),
            total_pages: Some("data.pageCount".into()),
            max_pages: 50,
        };
        let base = api_page_url(&api, 1).unwrap();
        let body = r#"{"data":{"pageCount":3,"list":[
            {"title":"2023年政府信息公开工作年度报告","url":"/r/1.html","pubDate":"2024-01-02"},
            {"title":"政府信息公开指南","url":"/g.html"}]}}"#;
        let lp = parse_api_page(&p, &api, &base, 1, body);
        assert_eq!(lp.items.len(), 1);
        assert_eq!(lp.items[0].url.as_str(), "http://a.example/r/1.html");
        assert_eq!(lp.items[0].date.as_deref(), Some("2024-01-02"));
        let pages: Vec<_> = lp.pages.iter().map(|u| u.as_str()).collect();
        assert_eq!(
            pages,
            [
                "http://a.example/api/list.json?page=2",
                "http://a.example/api/list.json?page=3"
            ]
        );
        assert!(
            parse_api_page(&p, &api, &base, 1, "not json")
                .items
                .is_empty()
        );

        let xml_api = ApiRules {
            url: "http://a.example/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage=2".into(),
            format: ApiFormat::JpageXml,
            ..api
        };
        let base = api_page_url(&xml_api, 1).unwrap();
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>5</totalrecord><recordset>
            <record><![CDATA[<li><a href="/art/2024/1/5/art_1_2.html" title="某局2023年政府信息公开工作年度报告">x</a><span>2024-01-05</span></li>]]></record>
            <record><![CDATA[<li><a href="/art/2024/1/4/art_1_1.html">工作要点</a></li>]]></record>
            </recordset></datastore>"#;
        let lp = parse_api_page(&p, &xml_api, &base, 1, xml);
        assert_eq!(lp.items.len(), 1);
        assert_eq!(lp.items[0].year, 2023);
        assert_eq!(lp.pages.len(), 2, "5 records / 2 per page = 3 pages");
        assert!(lp.pages[0].as_str().contains("startrecord=3&endrecord=4"));
    }

    #[test]
    fn attachments_found() {
        let base = Url::parse("http://a.example/l/t.html").unwrap();
        let html = r#"<a href="f/x.PDF">附件</a><a href="/viewer.html?file=/f/y.docx">看</a><a href="z.html">z</a>
            <a href="/module/download/downfile.jsp?classid=0&filename=abc.pdf">下载</a>"#;
        let v = attachment_links(&base, html);
        assert_eq!(v.len(), 3);
        assert_eq!(v[1].as_str(), "http://a.example/f/y.docx");
    }
}
