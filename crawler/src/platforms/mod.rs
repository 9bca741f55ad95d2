//! Platform adapters: one per content-management platform behind Chinese
//! government portals (research: `platforms.md`). An adapter turns one response
//! of a report column — a list page, a list endpoint page, a category tree —
//! into the items it lists (title, link, listed date, attachments) and the
//! further requests that page through the column.
//!
//! Adapters are pure: a request and a body in, a [`Listing`] out. Which step of
//! a platform a response belongs to is read from the request URL (e.g.
//! `/gkmlpt/api/all/…` vs `/gkmlpt/index`), so the crawl frontier only has to
//! store the request (URL plus an optional POST form).

pub mod generic;
pub mod gkmlpt;
pub mod hanweb_jpage;
pub mod hanweb_xxgk;
pub mod jpaas;
pub mod pubdate;
pub mod trs_static;

use serde::{Deserialize, Serialize};
use url::Url;

/// The platform a portal runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Guangdong 政府信息公开目录管理平台: `/gkmlpt/index` + JSON `/gkmlpt/api/all/{cat}`.
    Gkmlpt,
    /// Hanweb 大汉 JCMS: `/col/col{N}/index.html` with an embedded `<datastore>` and
    /// `/module/web/jpage/dataproxy.jsp` for further records.
    HanwebJpage,
    /// Hanweb 信息公开目录 module: `/module/xxgk/tree.jsp` + `search.jsp` (POST).
    HanwebXxgk,
    /// Hanweb jpaas-publish-server: pager `queryData` + JSON-wrapped HTML fragments.
    Jpaas,
    /// TRS WCM static publishing: `index.html`, `index_1.html`, … (`createPageHTML`, `countPage`).
    TrsStatic,
    /// Any other site: report links by title, pagination by link text and page numbers.
    Generic,
}

impl Platform {
    /// Every platform, in probe order.
    pub const ALL: [Platform; 6] = [
        Platform::Gkmlpt,
        Platform::HanwebJpage,
        Platform::Jpaas,
        Platform::HanwebXxgk,
        Platform::TrsStatic,
        Platform::Generic,
    ];

    /// The registry name (`gkmlpt`, `hanweb_jpage`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Gkmlpt => "gkmlpt",
            Platform::HanwebJpage => "hanweb_jpage",
            Platform::HanwebXxgk => "hanweb_xxgk",
            Platform::Jpaas => "jpaas",
            Platform::TrsStatic => "trs_static",
            Platform::Generic => "generic",
        }
    }

    /// Parses a registry name.
    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request of a column: a GET, or a POST with a form body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Canonical URL (the frontier key).
    pub url: Url,
    /// `application/x-www-form-urlencoded` body; `None` for a GET.
    pub form: Option<String>,
}

impl Request {
    /// A GET of `url` (canonicalised).
    pub fn get(url: Url) -> Request {
        Request {
            url: crate::urlnorm::canonicalize(&url),
            form: None,
        }
    }

    /// A POST of `form` (pairs, URL-encoded here) to `url`.
    pub fn post(url: Url, form: &[(&str, &str)]) -> Request {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        Request {
            url: crate::urlnorm::canonicalize(&url),
            form: Some(body),
        }
    }

    /// Value of a form field of a POST request.
    pub fn form_value(&self, key: &str) -> Option<String> {
        let f = self.form.as_deref()?;
        url::form_urlencoded::parse(f.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    /// Value of a query parameter of the URL.
    pub fn query_value(&self, key: &str) -> Option<String> {
        query_value(&self.url, key)
    }
}

/// Value of a query parameter of `url`.
pub fn query_value(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// One entry of a column's list, as the platform lists it (not yet filtered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Link of the entry (report page or attachment), canonical.
    pub url: Url,
    /// Title as listed.
    pub title: String,
    /// Date as listed, normalised to `YYYY-MM-DD` when it parses.
    pub date: Option<String>,
    /// Attachments the list itself names (gkmlpt's `attachment` array).
    pub attachments: Vec<Url>,
}

/// What one response of a column yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Entries listed on this response.
    pub entries: Vec<Entry>,
    /// Further requests of the column (next pages, the list endpoint, the category).
    pub next: Vec<Request>,
    /// Records the platform says the column holds, when it says so.
    pub total: Option<u32>,
    /// Something the adapter could not reach (e.g. pages only served by a search API).
    pub gap: Option<String>,
}

/// Upper bound of pages any adapter enumerates for one column.
pub const MAX_PAGES: u32 = 200;

/// Reads one response of a column of `platform`. `body` is the decoded text.
pub fn read(platform: Platform, req: &Request, body: &str) -> Listing {
    match platform {
        Platform::Gkmlpt => gkmlpt::read(req, body),
        Platform::HanwebJpage => hanweb_jpage::read(req, body),
        Platform::HanwebXxgk => hanweb_xxgk::read(req, body),
        Platform::Jpaas => jpaas::read(req, body),
        Platform::TrsStatic => trs_static::read(req, body),
        Platform::Generic => generic::read(req, body),
    }
}

/// The first request of a column given its URL (or, for gkmlpt, any URL of the site).
pub fn first_request(platform: Platform, column: &Url) -> Request {
    match platform {
        Platform::Gkmlpt => gkmlpt::first_request(column),
        _ => Request::get(column.clone()),
    }
}
