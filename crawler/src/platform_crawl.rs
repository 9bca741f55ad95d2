//! How the crawl loop uses platform adapters and discovery: the requests a
//! platform portal starts from, what an adapter's listing adds to the frontier,
//! how a discovery page leads to the report column, and what happens when a
//! saved column answers 404 (it is rediscovered from the home page, and the
//! state DB says so).

use crate::discover::{is_attachment, report_year};
use crate::platforms::{self, Platform, Request};
use crate::portals::Portal;
use crate::probe;
use crate::state::{
    ColumnChange, ColumnEvent, Completion, Discovered, FrontierState, StateDb, UrlKind, UrlRow,
};
use crate::urlnorm::{canonicalize, host_key};
use anyhow::Result;
use url::Url;

/// `parent_url` of a report column's first request (from the registry or discovery).
pub const COLUMN_PARENT: &str = "column";

fn request_of(p: &Portal, req: &Request, k: UrlKind, parent: &str) -> Discovered {
    Discovered {
        url: req.url.to_string(),
        portal_id: p.id.clone(),
        host: host_key(&req.url),
        kind: k,
        page: None,
        title: None,
        year: None,
        date: None,
        sig: None,
        parent: parent.to_string(),
        form: req.form.clone(),
    }
}

fn discover_home(p: &Portal, home: &Url) -> Discovered {
    let mut d = request_of(p, &Request::get(home.clone()), UrlKind::Discover, "home");
    d.page = Some(0);
    d
}

/// The first requests of a portal on a platform: the column discovery last
/// found, else the registry's start URLs, else discovery from the home page.
pub fn seeds(db: &StateDb, p: &Portal, platform: Platform) -> Result<Vec<Discovered>> {
    let mut out = Vec::new();
    let columns: Vec<String> = match db.saved_column(&p.id)? {
        Some(c) => vec![c],
        None => p.start_urls.clone(),
    };
    for c in columns {
        let url = Url::parse(&c)?;
        let req = platforms::first_request(platform, &url);
        if db.column_gone(&p.id, req.url.as_str())? {
            continue;
        }
        out.push(request_of(p, &req, UrlKind::Platform, COLUMN_PARENT));
    }
    if out.is_empty()
        && let Some(home) = &p.home_url
    {
        out.push(discover_home(p, &canonicalize(&Url::parse(home)?)));
    }
    Ok(out)
}

/// What a platform response adds: the reports it lists (filtered by the
/// portal's report rules, with listed title, year and date), attachments the list
/// names, and the column's further requests.
pub fn platform_children(
    p: &Portal,
    platform: Platform,
    row: &UrlRow,
    url: &Url,
    body: &str,
) -> Vec<Discovered> {
    let req = Request {
        url: url.clone(),
        form: row.form.clone(),
    };
    let listing = platforms::read(platform, &req, body);
    if let Some(gap) = &listing.gap {
        tracing::warn!(portal = %p.id, url = %url, gap, "column not fully listed");
    }
    let mut out = Vec::new();
    for e in &listing.entries {
        let Some(year) = report_year(p, &e.title) else {
            continue;
        };
        if !p.allows_host(e.url.host_str().unwrap_or("")) {
            continue;
        }
        let sig = format!("{}\u{1f}{}", e.title, e.date.as_deref().unwrap_or(""));
        let k = if is_attachment(&e.url) {
            UrlKind::Attachment
        } else {
            UrlKind::Page
        };
        out.push(Discovered {
            url: e.url.to_string(),
            portal_id: p.id.clone(),
            host: host_key(&e.url),
            kind: k,
            page: None,
            title: Some(e.title.clone()),
            year: Some(year),
            date: e.date.clone(),
            sig: Some(sig),
            parent: url.to_string(),
            form: None,
        });
        for a in &e.attachments {
            if p.allows_host(a.host_str().unwrap_or("")) {
                out.push(Discovered {
                    url: a.to_string(),
                    portal_id: p.id.clone(),
                    host: host_key(a),
                    kind: UrlKind::Attachment,
                    page: None,
                    title: Some(e.title.clone()),
                    year: Some(year),
                    date: e.date.clone(),
                    sig: Some(format!("{}\u{1f}attachment", e.title)),
                    parent: e.url.to_string(),
                    form: None,
                });
            }
        }
    }
    for n in &listing.next {
        if p.allows_host(n.url.host_str().unwrap_or("")) {
            out.push(request_of(p, n, UrlKind::Platform, url.as_str()));
        }
    }
    out
}

/// Hops followed from one discovery page at most.
const HOPS_PER_PAGE: usize = 4;

/// What a discovery page adds: the report column when a link names it (recorded
/// as found, with the rule), else the next pages on the way (政府信息公开, …).
pub fn discover_children(
    p: &Portal,
    platform: Platform,
    row: &UrlRow,
    url: &Url,
    body: &str,
) -> (Vec<Discovered>, Option<ColumnChange>) {
    let depth = row.page.unwrap_or(0);
    let found = if platform == Platform::Gkmlpt
        || probe::fingerprint(body).is_some_and(|f| f.0 == Platform::Gkmlpt)
    {
        Some((
            platforms::gkmlpt::first_request(url),
            "gkmlpt:annualreport".to_string(),
        ))
    } else {
        probe::column_links(url, body)
            .into_iter()
            .find(|c| p.allows_host(c.url.host_str().unwrap_or("")))
            .map(|c| (platforms::first_request(platform, &c.url), c.rule))
    };
    if let Some((req, rule)) = found {
        tracing::info!(portal = %p.id, column = %req.url, rule, "report column found");
        let d = request_of(p, &req, UrlKind::Platform, COLUMN_PARENT);
        return (
            vec![d],
            Some((ColumnEvent::Found, req.url.to_string(), Some(rule))),
        );
    }
    if depth >= probe::MAX_HOPS {
        return (Vec::new(), None);
    }
    let hops = probe::hop_links(url, body)
        .into_iter()
        .filter(|h| p.allows_host(h.host_str().unwrap_or("")))
        .take(HOPS_PER_PAGE)
        .map(|h| {
            let mut d = request_of(p, &Request::get(h), UrlKind::Discover, url.as_str());
            d.page = Some(depth + 1);
            d
        })
        .collect();
    (hops, None)
}

/// A report column that answers 404/410 has moved: the outcome is `gone` (a
/// finding, not a failure), and discovery restarts from the home page. `None`
/// when the row is not a column or the portal has no home page to start from.
pub fn column_gone(p: &Portal, row: &UrlRow, status: u16) -> Option<Completion> {
    if row.kind != UrlKind::Platform
        || row.parent_url.as_deref() != Some(COLUMN_PARENT)
        || !matches!(status, 404 | 410)
    {
        return None;
    }
    let home = canonicalize(&Url::parse(p.home_url.as_deref()?).ok()?);
    tracing::warn!(portal = %p.id, column = %row.url, status, "report column gone: rediscovering it from the home page");
    let mut c = Completion::state(FrontierState::Gone, format!("http_{status}"));
    c.children = vec![discover_home(p, &home)];
    c.column = Some((ColumnEvent::Gone, row.url.clone(), None));
    Some(c)
}
