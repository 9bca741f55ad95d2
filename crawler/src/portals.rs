//! The portal registry (`data/portals.toml`): where each portal's report columns
//! are, how their lists paginate and which links are reports. Validated on load.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use url::Url;

pub use crate::platforms::Platform;
pub use crate::probe::Confidence;

/// Link extensions that count as reports or report attachments by default.
pub const DEFAULT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "html", "htm", "shtml",
];
/// Extensions of attachments (as opposed to HTML report pages).
pub const ATTACHMENT_EXTENSIONS: &[&str] =
    &["pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd"];

/// One portal (a government site, or one report column family of it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portal {
    /// Stable identifier (`[a-z0-9-]+`).
    pub id: String,
    /// Name of the agency or government whose site this is.
    pub name: String,
    /// Region the portal covers (e.g. `河南省安阳市北关区`).
    pub region: String,
    /// GB/T 2260 six-digit code of the region; empty when unknown (central agencies,
    /// zones without a code).
    #[serde(default)]
    pub region_code: String,
    /// Administrative level of the agency.
    #[serde(default)]
    pub level: Option<AgencyLevel>,
    /// Home page of the site: where discovery starts when no column is known or
    /// a known column has moved.
    #[serde(default)]
    pub home_url: Option<String>,
    /// Content-management platform; selects the adapter that lists the column
    /// (absent: the hand-written `list`/`api` rules below).
    #[serde(default)]
    pub platform: Option<Platform>,
    /// How the report column was found (kept so it can be found again when it moves).
    #[serde(default)]
    pub discovery: Option<DiscoveryRecord>,
    /// `insecure` accepts broken certificates for this portal (off by default; logged).
    #[serde(default)]
    pub tls: Option<TlsMode>,
    /// Free-text notes (where the entry came from, known access problems).
    #[serde(default)]
    pub notes: Option<String>,
    /// Entry URLs of the report columns (first list pages); may be empty when
    /// `home_url` is set (the column is then discovered).
    #[serde(default)]
    pub start_urls: Vec<String>,
    /// Hosts the crawler may request for this portal (start URL hosts included).
    pub allowed_hosts: Vec<String>,
    /// Requests per second for this portal's hosts (default: the run's per-host rate).
    #[serde(default)]
    pub rate: Option<f64>,
    /// Requests in flight per host (default: the run's per-host concurrency).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Character encoding to assume when a page declares none (e.g. `gbk`).
    #[serde(default)]
    pub encoding: Option<String>,
    /// How list pages are read.
    #[serde(default)]
    pub list: ListRules,
    /// Optional script-driven list endpoint (JSON or Hanweb jpage XML).
    #[serde(default)]
    pub api: Option<ApiRules>,
    /// Which links are reports.
    #[serde(default)]
    pub reports: ReportRules,
}

/// Administrative level of the agency that runs a portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    /// Central government body (State Council department).
    Central,
    /// Province-level government.
    Province,
    /// Prefecture-level government.
    Prefecture,
    /// County-level government.
    County,
    /// Township or sub-district.
    Township,
    /// A department of a government at any level.
    Department,
}

impl AgencyLevel {
    /// The registry name (`province`, `department`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyLevel::Central => "central",
            AgencyLevel::Province => "province",
            AgencyLevel::Prefecture => "prefecture",
            AgencyLevel::County => "county",
            AgencyLevel::Township => "township",
            AgencyLevel::Department => "department",
        }
    }
}

/// TLS certificate policy of a portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Certificates are verified (the default).
    Verify,
    /// Broken certificates are accepted (many government sites); logged on use.
    Insecure,
}

/// How and when a report column was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryRecord {
    /// The rule that matched (`link_text:政府信息公开年报`, `path_token:zfxxgknb`, `gkmlpt:annualreport`).
    pub rule: String,
    /// `high` (reports listed), `medium` (column link text) or `low` (path token only).
    pub confidence: Confidence,
    /// Date of the probe (`YYYY-MM-DD`).
    #[serde(default)]
    pub probed_at: Option<String>,
}

/// How items and further pages are found on an HTML list page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListRules {
    /// CSS selector of one list item.
    pub item_selector: String,
    /// CSS selector of the link inside an item.
    pub link_selector: String,
    /// CSS selector of the date inside an item (optional).
    pub date_selector: Option<String>,
    /// CSS selector of "next page"/page-number links (optional).
    pub next_selector: Option<String>,
    /// Read `createPageHTML(count, page, "index", "html")` and enumerate the pages.
    pub page_script: bool,
    /// Upper bound of list pages per start URL.
    pub max_pages: u32,
}

impl Default for ListRules {
    fn default() -> Self {
        ListRules {
            item_selector: "li".into(),
            link_selector: "a[href]".into(),
            date_selector: None,
            next_selector: None,
            page_script: true,
            max_pages: 50,
        }
    }
}

/// Format of a script-driven list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiFormat {
    /// JSON: items at a dotted path, fields by name.
    Json,
    /// Hanweb jpage `dataproxy.jsp` XML: `<record><![CDATA[<li>…</li>]]></record>`.
    JpageXml,
}

/// A JSON/XML list endpoint called page by page (declarative).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRules {
    /// URL template with `{page}` (and optionally `{start}`/`{end}` record numbers).
    pub url: String,
    /// Endpoint format.
    pub format: ApiFormat,
    /// Number of the first page.
    #[serde(default = "one")]
    pub first_page: u32,
    /// Records per page (for `{start}`/`{end}`).
    #[serde(default = "twenty")]
    pub per_page: u32,
    /// JSON: dotted path of the item array (e.g. `data.list`).
    #[serde(default)]
    pub items: String,
    /// JSON: field holding the title.
    #[serde(default = "title_field")]
    pub title: String,
    /// JSON: field holding the document URL.
    #[serde(default = "url_field")]
    pub link: String,
    /// JSON: field holding the publish date (optional).
    #[serde(default)]
    pub date: Option<String>,
    /// JSON: dotted path of the total page count (XML: read from `<totalpage>`).
    #[serde(default)]
    pub total_pages: Option<String>,
    /// Upper bound of pages fetched.
    #[serde(default = "fifty")]
    pub max_pages: u32,
}

fn one() -> u32 {
    1
}
fn twenty() -> u32 {
    20
}
fn fifty() -> u32 {
    50
}
fn title_field() -> String {
    "title".into()
}
fn url_field() -> String {
    "url".into()
}

/// Which list links are reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportRules {
    /// The title must contain one of these (and a year).
    pub title_keywords: Vec<String>,
    /// Titles containing any of these are skipped (e.g. `指南`).
    pub exclude_keywords: Vec<String>,
    /// Link extensions accepted as reports/attachments (no extension = HTML page).
    pub extensions: Vec<String>,
    /// Follow attachment links (pdf, doc, …) found on report pages.
    pub follow_attachments: bool,
}

impl Default for ReportRules {
    fn default() -> Self {
        ReportRules {
            title_keywords: vec!["年度报告".into(), "年报".into()],
            exclude_keywords: vec!["指南".into(), "工作要点".into()],
            extensions: DEFAULT_EXTENSIONS.iter().map(|s| s.to_string()).collect(),
            follow_attachments: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    portal: Vec<Portal>,
}

/// Loads and validates the registry: one TOML file, or a directory of them (every
/// `*.toml`, e.g. one per province under `data/portals/`). Errors name the file,
/// the portal and the field; ids must be unique across all files.
pub fn load_portals(path: &Path) -> Result<Vec<Portal>> {
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("reading portal registry directory {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut all: Vec<Portal> = Vec::new();
    let mut seen: std::collections::HashMap<String, std::path::PathBuf> = Default::default();
    for f in files {
        let text = std::fs::read_to_string(&f)
            .with_context(|| format!("reading portal registry {}", f.display()))?;
        let portals =
            parse_portals(&text).with_context(|| format!("in portal registry {}", f.display()))?;
        for p in portals {
            if let Some(prev) = seen.insert(p.id.clone(), f.clone()) {
                bail!(
                    "portal id {:?} is in both {} and {}",
                    p.id,
                    prev.display(),
                    f.display()
                );
            }
            all.push(p);
        }
    }
    Ok(all)
}

/// Parses and validates registry text (see [`load_portals`]).
pub fn parse_portals(text: &str) -> Result<Vec<Portal>> {
    let file: RegistryFile = toml::from_str(text).context("invalid TOML")?;
    let mut seen = HashSet::new();
    for (i, p) in file.portal.iter().enumerate() {
        p.validate()
            .with_context(|| format!("portal #{} (id {:?})", i + 1, p.id))?;
        if !seen.insert(p.id.clone()) {
            bail!("portal #{} (id {:?}): duplicate id", i + 1, p.id);
        }
    }
    Ok(file.portal)
}

impl Portal {
    /// Checks every field; the error names the offending field.
    pub fn validate(&self) -> Result<()> {
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            bail!("field `id`: must be non-empty [a-z0-9-]");
        }
        if self.name.trim().is_empty() {
            bail!("field `name`: empty");
        }
        if !self.region_code.is_empty()
            && (self.region_code.len() != 6
                || !self.region_code.chars().all(|c| c.is_ascii_digit()))
        {
            bail!(
                "field `region_code`: {:?} is not a six-digit GB/T 2260 code (leave it empty when unknown)",
                self.region_code
            );
        }
        if self.start_urls.is_empty() && self.home_url.is_none() {
            bail!(
                "field `start_urls`: at least one URL is required (or a `home_url` to discover it from)"
            );
        }
        if self.allowed_hosts.is_empty() {
            bail!("field `allowed_hosts`: at least one host is required");
        }
        for h in &self.allowed_hosts {
            check_host_name(h)?;
        }
        for u in self.start_urls.iter().chain(self.home_url.iter()) {
            let url =
                Url::parse(u).with_context(|| format!("field `start_urls`: {u:?} is not a URL"))?;
            if !matches!(url.scheme(), "http" | "https") {
                bail!("field `start_urls`: {u:?} is not http(s)");
            }
            let host = url.host_str().unwrap_or("");
            if !self.allows_host(host) {
                bail!("field `start_urls`: host {host:?} of {u:?} is not in `allowed_hosts`");
            }
        }
        if let Some(r) = self.rate
            && !(r > 0.0 && r <= 100.0)
        {
            bail!("field `rate`: {r} must be in (0, 100] requests per second");
        }
        if self.concurrency == Some(0) {
            bail!("field `concurrency`: must be at least 1");
        }
        if let Some(e) = &self.encoding
            && encoding_rs::Encoding::for_label(e.as_bytes()).is_none()
        {
            bail!("field `encoding`: unknown encoding {e:?}");
        }
        check_selector(&self.list.item_selector, "list.item_selector")?;
        check_selector(&self.list.link_selector, "list.link_selector")?;
        if let Some(s) = &self.list.date_selector {
            check_selector(s, "list.date_selector")?;
        }
        if let Some(s) = &self.list.next_selector {
            check_selector(s, "list.next_selector")?;
        }
        if let Some(api) = &self.api {
            if !api.url.contains("{page}") && !api.url.contains("{start}") {
                bail!("field `api.url`: must contain {{page}} or {{start}}");
            }
            let probe = api
                .url
                .replace("{page}", "1")
                .replace("{start}", "1")
                .replace("{end}", "20");
            let url = Url::parse(&probe)
                .with_context(|| format!("field `api.url`: {:?} is not a URL", api.url))?;
            if !self.allows_host(url.host_str().unwrap_or("")) {
                bail!("field `api.url`: host is not in `allowed_hosts`");
            }
            if api.format == ApiFormat::Json && api.items.is_empty() {
                bail!("field `api.items`: required for JSON endpoints");
            }
            if api.format == ApiFormat::JpageXml && api.per_page == 0 {
                bail!("field `api.per_page`: must be at least 1");
            }
        }
        if self.reports.title_keywords.is_empty() {
            bail!("field `reports.title_keywords`: at least one keyword is required");
        }
        for e in &self.reports.extensions {
            if e.is_empty() || e.starts_with('.') || !e.chars().all(|c| c.is_ascii_alphanumeric()) {
                bail!("field `reports.extensions`: {e:?} must be a bare extension like \"pdf\"");
            }
        }
        Ok(())
    }

    /// True if broken certificates are accepted for this portal.
    pub fn tls_insecure(&self) -> bool {
        self.tls == Some(TlsMode::Insecure)
    }

    /// True if `host` is one of the portal's allowed hosts.
    pub fn allows_host(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// An `allowed_hosts` entry is a bare host name: no scheme, port, path or spaces.
fn check_host_name(h: &str) -> Result<()> {
    if h.contains("://") {
        bail!(
            "field `allowed_hosts`: {h:?} has a scheme; write the bare host name (e.g. \"www.example.gov.cn\")"
        );
    }
    if h.contains('/') {
        bail!("field `allowed_hosts`: {h:?} has a path; write the bare host name");
    }
    if h.rsplit_once(':')
        .is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        && !h.starts_with('[')
    {
        bail!(
            "field `allowed_hosts`: {h:?} has a port; write the bare host name (the port belongs in the URLs, and every port of an allowed host is allowed)"
        );
    }
    if h.is_empty() || h.chars().any(char::is_whitespace) {
        bail!("field `allowed_hosts`: {h:?} is not a host name");
    }
    Ok(())
}

fn check_selector(s: &str, field: &str) -> Result<()> {
    scraper::Selector::parse(s)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("field `{field}`: invalid CSS selector {s:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[[portal]]
id = "a"
name = "x"
region = "r"
region_code = "410503"
start_urls = ["http://a.example/list/index.html"]
allowed_hosts = ["a.example"]
"#;

    #[test]
    fn loads_minimal_portal_with_defaults() {
        let p = parse_portals(OK).unwrap();
        assert_eq!(p[0].list.item_selector, "li");
        assert!(p[0].list.page_script);
    }

    #[test]
    fn errors_name_portal_and_field() {
        let bad = OK.replace("410503", "4105");
        let e = format!("{:#}", parse_portals(&bad).unwrap_err());
        assert!(e.contains("\"a\"") && e.contains("region_code"), "{e}");
        let bad = OK.replace(
            "allowed_hosts = [\"a.example\"]",
            "allowed_hosts = [\"b.example\"]",
        );
        let e = format!("{:#}", parse_portals(&bad).unwrap_err());
        assert!(e.contains("start_urls"), "{e}");
        let bad = format!("{OK}\n[portal.list]\nitem_selector = \"li[[\"\n");
        let e = format!("{:#}", parse_portals(&bad).unwrap_err());
        assert!(e.contains("list.item_selector"), "{e}");
        let e = format!("{:#}", parse_portals(&format!("{OK}{OK}")).unwrap_err());
        assert!(e.contains("duplicate"), "{e}");
        for (bad, word) in [("a.example:8080", "port"), ("http://a.example", "scheme")] {
            let text = OK.replace(
                "allowed_hosts = [\"a.example\"]",
                &format!("allowed_hosts = [\"a.example\", \"{bad}\"]"),
            );
            let e = format!("{:#}", parse_portals(&text).unwrap_err());
            assert!(e.contains("allowed_hosts") && e.contains(word), "{e}");
        }
    }
}
