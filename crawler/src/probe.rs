//! Discovery: recognise a portal's platform from one or two pages (markers of
//! `platforms.md`) and find its report column (政府信息公开年报) from the home
//! page within a few hops through 政府信息公开 / 法定主动公开内容 links.
//!
//! The reading is pure ([`fingerprint`], [`column_links`], [`hop_links`]); the
//! walk ([`probe`]) takes a fetch function, so the crawler's nightly
//! rediscovery and `ogi portals probe` share it.

use crate::discover::{link_title, resolved_links, text_of};
use crate::platforms::{self, Platform, Request};
use regex::Regex;
use scraper::Html;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::future::Future;
use std::sync::LazyLock;
use url::Url;

/// Path tokens of report columns (`…/zfxxgknb/`, `?para=xxgknb`, gkmlpt's `annualreport`).
pub const PATH_TOKENS: &[&str] = &["zfxxgknb", "xxgknb", "gknb", "ndbg", "annualreport"];
/// Link texts of report columns, strongest first.
pub const COLUMN_TEXTS: &[&str] = &[
    "政府信息公开年报",
    "政府信息公开工作年度报告",
    "信息公开年报",
    "公开年报",
    "年度报告",
    "年报",
];
/// Link texts of the pages on the way to the column, in the order they are tried.
pub const HOP_TEXTS: &[&str] = &[
    "政府信息公开",
    "法定主动公开内容",
    "信息公开",
    "政务公开",
    "主动公开",
];

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:19|20)\d\d\s*年").expect("static regex"));
static TRS_ARTICLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/t20\d{6}_\d+\.s?html?").expect("static regex"));
static HANWEB_COL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/col/col\d+/index\.html").expect("static regex"));

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// A path token or a weak link text, nothing confirmed.
    Low,
    /// A column link text, but no report listed on the column.
    Medium,
    /// The column lists at least one report.
    High,
}

/// What a platform marker looks for in a page.
enum Marker {
    /// Every one of these strings.
    All(&'static [&'static str]),
    /// Any one of these strings.
    Any(&'static [&'static str]),
    /// A match of this pattern.
    Pattern(&'static LazyLock<Regex>),
}

impl Marker {
    fn found_in(&self, html: &str) -> bool {
        match self {
            Marker::All(s) => s.iter().all(|s| html.contains(s)),
            Marker::Any(s) => s.iter().any(|s| html.contains(s)),
            Marker::Pattern(re) => re.is_match(html),
        }
    }
}

/// The platform markers of `platforms.md` (platform, evidence, marker), tried in order.
static MARKERS: [(Platform, &str, Marker); 9] = {
    use Marker::{All, Any, Pattern};
    use Platform as P;
    [
        (P::Gkmlpt, "gkmlpt _CONFIG", All(&["_CONFIG", "SID"])),
        (P::Gkmlpt, "/gkmlpt/ link", Any(&["/gkmlpt/"])),
        (P::Jpaas, "jpaas queryData", All(&["queryData", "tplSetId"])),
        (P::Jpaas, "jpaas queryData", Any(&["jpaas-publish-server"])),
        (
            P::HanwebJpage,
            "jpage datastore",
            Any(&["dataproxy.jsp", "<datastore>", "var param_"]),
        ),
        (P::HanwebXxgk, "/module/xxgk/", Any(&["/module/xxgk/"])),
        (
            P::TrsStatic,
            "TRS page script",
            Any(&["createPageHTML", "countPage", ".trsapi"]),
        ),
        (P::TrsStatic, "TRS article URLs", Pattern(&TRS_ARTICLE)),
        (P::HanwebJpage, "Hanweb /col/ links", Pattern(&HANWEB_COL)),
    ]
};

/// The platform a page shows, with the marker that decided it.
pub fn fingerprint(html: &str) -> Option<(Platform, &'static str)> {
    MARKERS
        .iter()
        .find(|(_, _, m)| m.found_in(html))
        .map(|(p, why, _)| (*p, *why))
}

/// A link that may be the report column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLink {
    /// Where it points.
    pub url: Url,
    /// Its text.
    pub text: String,
    /// Why it was chosen (`link_text:…`, `path_token:…`).
    pub rule: String,
    /// Higher is better.
    pub score: u32,
}

/// Links of `html` that look like the report column, best first. A link whose
/// text carries a year (`2023年…年度报告`) is a report, not the column.
pub fn column_links(base: &Url, html: &str) -> Vec<ColumnLink> {
    let doc = Html::parse_document(html);
    let mut out: Vec<ColumnLink> = Vec::new();
    for (a, url) in resolved_links(&doc, base) {
        let text = link_title(a);
        if YEAR.is_match(&text) {
            continue;
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut score = 0;
        let mut rule = String::new();
        if let Some((i, t)) = COLUMN_TEXTS
            .iter()
            .enumerate()
            .find(|(_, t)| compact.contains(**t))
            && compact.chars().count() <= 24
        {
            score += 10 - i as u32;
            rule = format!("link_text:{t}");
        }
        let lower = url.as_str().to_ascii_lowercase();
        if let Some(tok) = PATH_TOKENS.iter().find(|t| lower.contains(**t)) {
            score += 4;
            if rule.is_empty() {
                rule = format!("path_token:{tok}");
            }
        }
        if score == 0 {
            continue;
        }
        match out.iter_mut().find(|c| c.url == url) {
            Some(c) if c.score >= score => {}
            Some(c) => {
                *c = ColumnLink {
                    url,
                    text,
                    rule,
                    score,
                }
            }
            None => out.push(ColumnLink {
                url,
                text,
                rule,
                score,
            }),
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.score));
    out
}

/// Links towards the column (政府信息公开, 法定主动公开内容, …) on the same site, in
/// the order of [`HOP_TEXTS`].
pub fn hop_links(base: &Url, html: &str) -> Vec<Url> {
    let doc = Html::parse_document(html);
    let mut ranked: Vec<(usize, Url)> = Vec::new();
    for (a, url) in resolved_links(&doc, base) {
        if !same_site(base, &url) {
            continue;
        }
        let text: String = text_of(a).chars().filter(|c| !c.is_whitespace()).collect();
        if text.chars().count() > 16 || text.contains("年报") || text.contains("指南") {
            continue;
        }
        if let Some(i) = HOP_TEXTS.iter().position(|t| text.contains(t))
            && !ranked.iter().any(|(_, u)| *u == url)
        {
            ranked.push((i, url));
        }
    }
    ranked.sort_by_key(|(i, _)| *i);
    ranked.into_iter().map(|(_, u)| u).collect()
}

/// The registrable part of a host: `www.x.gov.cn` and `x.gov.cn` are one site;
/// other sub-domains (`fgw.x.gov.cn`) are sites of their own, except
/// `zfxxgk.`/`xxgk.` directories, which serve their parent's reports.
pub fn site_key(host: &str) -> String {
    let h = host.to_ascii_lowercase();
    let h = h.strip_prefix("www.").unwrap_or(&h).to_string();
    for p in ["zfxxgk.", "xxgk.", "gk."] {
        if let Some(rest) = h.strip_prefix(p) {
            return rest.to_string();
        }
    }
    h
}

/// True if two URLs are on one site ([`site_key`]).
pub fn same_site(a: &Url, b: &Url) -> bool {
    site_key(a.host_str().unwrap_or("")) == site_key(b.host_str().unwrap_or(""))
}

/// A fetched page for the probe.
#[derive(Debug, Clone)]
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// Decoded body.
    pub body: String,
}

/// What [`probe`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// The home page probed.
    pub home: String,
    /// Platform recognised (None when nothing answered).
    pub platform: Option<Platform>,
    /// The marker that decided the platform.
    pub platform_evidence: Option<String>,
    /// The report column (list page) found.
    pub column: Option<String>,
    /// The rule that found it (`link_text:政府信息公开年报`, `path_token:zfxxgknb`, `gkmlpt:annualreport`).
    pub rule: Option<String>,
    /// How sure the finding is.
    pub confidence: Option<Confidence>,
    /// Reports the column listed when the adapter read it.
    pub reports_seen: u32,
    /// The site answered an anti-bot script challenge (e.g. 412 + `$_ts`).
    pub needs_browser: bool,
    /// Requests made.
    pub requests: u32,
    /// What went wrong or is worth knowing.
    pub notes: Vec<String>,
    /// The home page's `SiteName` meta, else its `<title>`.
    pub site_name: Option<String>,
    /// The home page's `SiteIDCode` meta (政府网站标识码; its first six digits are
    /// usually the GB/T 2260 code of the region that runs the site).
    pub site_code: Option<String>,
}

static META_SITE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta\s+name\s*=\s*["']SiteName["']\s+content\s*=\s*["']([^"']+)["']"#)
        .expect("static regex")
});
static META_SITE_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta\s+name\s*=\s*["']SiteIDCode["']\s+content\s*=\s*["']([^"']+)["']"#)
        .expect("static regex")
});
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<title[^>]*>(.*?)</title>").expect("static regex"));

impl Probe {
    /// A registry entry for what was found: the column as start URL, the home
    /// page to rediscover it from, the rule and confidence. Name and region are
    /// placeholders from the site's own metadata for the operator to check.
    pub fn to_portal(&self, probed_at: &str) -> Option<crate::portals::Portal> {
        let home = Url::parse(&self.home).ok()?;
        let mut hosts: Vec<String> = Vec::new();
        for u in std::iter::once(Some(home.clone()))
            .chain(std::iter::once(
                self.column.as_deref().and_then(|c| Url::parse(c).ok()),
            ))
            .flatten()
        {
            if let Some(h) = u.host_str()
                && !hosts.iter().any(|x| x == h)
            {
                hosts.push(h.to_string());
            }
        }
        Some(crate::portals::Portal {
            id: crate::registry_import::id_of(&home),
            name: self
                .site_name
                .clone()
                .unwrap_or_else(|| home.host_str().unwrap_or("").to_string()),
            region: String::new(),
            region_code: String::new(),
            level: None,
            home_url: Some(self.home.clone()),
            platform: self.platform,
            discovery: match (&self.rule, self.confidence) {
                (Some(rule), Some(confidence)) => Some(crate::portals::DiscoveryRecord {
                    rule: rule.clone(),
                    confidence,
                    probed_at: Some(probed_at.to_string()),
                }),
                _ => None,
            },
            tls: None,
            notes: {
                let mut n = self.notes.clone();
                if let Some(c) = &self.site_code {
                    n.push(format!("SiteIDCode {c}"));
                }
                if self.needs_browser {
                    n.push("needs_browser: the site answers a script challenge".into());
                }
                (!n.is_empty()).then(|| n.join("; "))
            },
            start_urls: self.column.iter().cloned().collect(),
            allowed_hosts: hosts,
            rate: None,
            concurrency: None,
            encoding: None,
            list: Default::default(),
            api: None,
            reports: Default::default(),
        })
    }
}

/// Pages fetched at most while looking for the column (home page included).
pub const MAX_PROBE_PAGES: u32 = 10;
/// Hops from the home page at most.
pub const MAX_HOPS: u32 = 3;

/// Walks from `home` to the report column. `fetch` sends one request (GET, or a
/// POST with a form) and answers the page or an error text.
pub async fn probe<F, Fut>(home: &Url, mut fetch: F) -> Probe
where
    F: FnMut(Request) -> Fut,
    Fut: Future<Output = Result<Page, String>>,
{
    let mut p = Probe {
        home: home.to_string(),
        platform: None,
        platform_evidence: None,
        column: None,
        rule: None,
        confidence: None,
        reports_seen: 0,
        needs_browser: false,
        requests: 0,
        notes: Vec::new(),
        site_name: None,
        site_code: None,
    };
    let mut seen: HashSet<Url> = HashSet::new();
    let mut queue: Vec<(Url, u32)> = vec![(home.clone(), 0)];
    let mut candidates: Vec<ColumnLink> = Vec::new();
    while let Some((url, depth)) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if p.requests >= MAX_PROBE_PAGES || !seen.insert(url.clone()) {
            continue;
        }
        p.requests += 1;
        let page = match fetch(Request::get(url.clone())).await {
            Ok(pg) => pg,
            Err(e) => {
                p.notes.push(format!("{url}: {e}"));
                continue;
            }
        };
        if crate::content::detect_challenge(page.status, page.body.as_bytes()).is_some() {
            p.needs_browser = true;
            p.notes
                .push(format!("{url}: HTTP {} script challenge", page.status));
            break;
        }
        if !(200..300).contains(&page.status) {
            p.notes.push(format!("{url}: HTTP {}", page.status));
            continue;
        }
        if depth == 0 {
            let meta = |re: &Regex| re.captures(&page.body).map(|c| c[1].trim().to_string());
            p.site_name = meta(&META_SITE_NAME)
                .or_else(|| meta(&TITLE).map(|t| crate::discover::normalize_title(&t)))
                .filter(|t| !t.is_empty());
            p.site_code = meta(&META_SITE_CODE);
        }
        if p.platform.is_none()
            && let Some((pf, why)) = fingerprint(&page.body)
        {
            p.platform = Some(pf);
            p.platform_evidence = Some(why.to_string());
        }
        if p.platform == Some(Platform::Gkmlpt) {
            let col = platforms::gkmlpt::site_base(home)
                .join("gkmlpt/annualreport")
                .ok();
            candidates.push(ColumnLink {
                url: col.unwrap_or_else(|| home.clone()),
                text: "annualreport".into(),
                rule: "gkmlpt:annualreport".into(),
                score: 100,
            });
            break;
        }
        let found = column_links(&url, &page.body);
        let strong = found.iter().any(|c| c.score >= 8);
        for c in found {
            if !candidates.iter().any(|x| x.url == c.url) {
                candidates.push(c);
            }
        }
        if strong {
            break;
        }
        if depth < MAX_HOPS {
            for h in hop_links(&url, &page.body) {
                if !seen.contains(&h) {
                    queue.push((h, depth + 1));
                }
            }
        }
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.score));
    for c in candidates.into_iter().take(3) {
        if p.needs_browser {
            break;
        }
        let (platform, reports) = confirm(&c.url, p.platform, &mut fetch, &mut p).await;
        let better = p.column.is_none() || reports > p.reports_seen;
        if better {
            p.column = Some(c.url.to_string());
            p.rule = Some(c.rule.clone());
            p.reports_seen = reports;
            p.confidence = Some(if reports > 0 {
                Confidence::High
            } else if c.score >= 8 {
                Confidence::Medium
            } else {
                Confidence::Low
            });
            if let Some(pf) = platform {
                p.platform = Some(pf);
            }
        }
        if reports > 0 {
            break;
        }
    }
    if p.column.is_none() && !p.needs_browser {
        p.notes.push("no report column found".into());
    }
    if p.column.is_some() && p.platform.is_none() {
        p.platform = Some(Platform::Generic);
        p.platform_evidence = Some("no platform marker on the pages read".into());
    }
    p
}

/// Reads a candidate column with its platform's adapter for up to three
/// requests and counts the reports listed. Returns the platform the column page
/// shows (which may refine the home page's guess) and the count.
async fn confirm<F, Fut>(
    column: &Url,
    guess: Option<Platform>,
    fetch: &mut F,
    p: &mut Probe,
) -> (Option<Platform>, u32)
where
    F: FnMut(Request) -> Fut,
    Fut: Future<Output = Result<Page, String>>,
{
    let mut platform = guess;
    let mut queue = vec![platforms::first_request(
        platform.unwrap_or(Platform::Generic),
        column,
    )];
    let mut reports = 0u32;
    let mut steps = 0;
    while let Some(req) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if steps >= 3 {
            break;
        }
        steps += 1;
        p.requests += 1;
        let Ok(page) = fetch(req.clone()).await else {
            break;
        };
        if crate::content::detect_challenge(page.status, page.body.as_bytes()).is_some() {
            p.needs_browser = true;
            break;
        }
        if !(200..300).contains(&page.status) {
            p.notes.push(format!("{}: HTTP {}", req.url, page.status));
            break;
        }
        if steps == 1
            && platform != Some(Platform::Gkmlpt)
            && let Some((pf, _)) = fingerprint(&page.body)
            && pf != Platform::Gkmlpt
        {
            platform = Some(pf);
        }
        let l = platforms::read(platform.unwrap_or(Platform::Generic), &req, &page.body);
        reports += l
            .entries
            .iter()
            .filter(|e| crate::discover::is_report_title(&e.title))
            .count() as u32;
        if reports > 0 {
            break;
        }
        queue.extend(l.next.into_iter().take(1));
    }
    (platform, reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_links_rank_text_and_tokens() {
        let base = Url::parse("http://x.gov.cn/zwgk/").unwrap();
        let html = r#"<a href="/zwgk/zfxxgkzn/">政府信息公开指南</a>
            <a href="/zwgk/zfxxgknb/">政府信息公开年报</a>
            <a href="/zwgk/ndbg/">其他</a>
            <a href="/a/t20240101_1.html">某区2023年政府信息公开工作年度报告</a>"#;
        let c = column_links(&base, html);
        assert_eq!(c[0].url.as_str(), "http://x.gov.cn/zwgk/zfxxgknb/");
        assert_eq!(c[0].rule, "link_text:政府信息公开年报");
        assert_eq!(c[1].rule, "path_token:ndbg");
        assert_eq!(c.len(), 2, "the report itself is not a column");
    }

    #[test]
    fn hops_and_fingerprints() {
        let base = Url::parse("http://www.x.gov.cn/").unwrap();
        let html = r#"<a href="/zwgk/">政务公开</a><a href="http://zfxxgk.x.gov.cn/">政府信息公开</a><a href="http://evil.example/">政府信息公开</a>"#;
        let h = hop_links(&base, html);
        let h: Vec<_> = h.iter().map(Url::as_str).collect();
        assert_eq!(h, ["http://zfxxgk.x.gov.cn/", "http://www.x.gov.cn/zwgk/"]);
        assert_eq!(
            fingerprint("<a href='/gkmlpt/index'>").map(|f| f.0),
            Some(Platform::Gkmlpt)
        );
        assert_eq!(
            fingerprint("<script>createPageHTML(3,0,'index','html')</script>").map(|f| f.0),
            Some(Platform::TrsStatic)
        );
        assert_eq!(fingerprint("<p>hello</p>"), None);
    }
}
