//! Hanweb 大汉 JCMS "jpage": a column page `/col/col{N}/index.html` embeds its
//! first records as `<script type="text/xml"><datastore><recordset><record>
//! <![CDATA[<li>…</li>]]></record>…` and configures `var param_{unit} = {col,
//! webid, path, columnid, sourceContentType, unitid, webname, permissiontype}`
//! plus a jpage call (`proxyUrl`, `totalRecord`, `perPage`). Further records
//! come from `POST {proxyUrl}?startrecord=s&endrecord=e&perpage=p` with those
//! fields as the form, answering the same `<datastore>` XML with
//! `<totalrecord>`; some sites link the next group as a GET in `<nextgroup>`.

use super::generic::entries;
use super::{Listing, MAX_PAGES, Request, query_value};
use crate::urlnorm::resolve;
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

static RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>").expect("static regex")
});
static TOTAL_RECORD_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<totalrecord>\s*(\d+)\s*</totalrecord>").expect("static regex"));
static NEXT_GROUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<nextgroup>\s*<!\[CDATA\[.*?href\s*=\s*["']([^"']+)["']"#)
        .expect("static regex")
});
static PARAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)var\s+param_\w+\s*=\s*\{(.*?)\}").expect("static regex"));
static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,\s}]+))"#).expect("static regex")
});
static TOTAL_RECORD_JS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"totalRecord\s*:\s*['"]?(\d+)"#).expect("static regex"));
static PER_PAGE_JS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"perPage\s*:\s*['"]?(\d+)"#).expect("static regex"));
static PROXY_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"proxyUrl\s*:\s*['"]([^'"]+)['"]"#).expect("static regex"));

/// Default list endpoint (`/module/jpage/dataproxy.jsp` on older Zhejiang sites).
pub const DEFAULT_PROXY: &str = "/module/web/jpage/dataproxy.jsp";

/// Form fields sent to the list endpoint, in the order real pages send them.
const FORM_FIELDS: &[&str] = &[
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
];

/// Reads a column page or a list-endpoint page.
pub fn read(req: &Request, body: &str) -> Listing {
    let mut l = Listing {
        entries: RECORD
            .captures_iter(body)
            .flat_map(|c| entries(&req.url, &c[1]))
            .collect(),
        ..Listing::default()
    };
    let records = RECORD.captures_iter(body).count() as u32;
    l.total = TOTAL_RECORD_TAG
        .captures(body)
        .or_else(|| TOTAL_RECORD_JS.captures(body))
        .and_then(|c| c[1].parse().ok());
    if let Some(href) = NEXT_GROUP
        .captures(body)
        .map(|c| c[1].replace("&amp;", "&"))
        && let Some(u) = resolve(&req.url, &href)
    {
        l.next.push(Request::get(u));
        return l;
    }
    if req.url.path().ends_with("dataproxy.jsp") {
        if let Some(r) = next_group(req, records, l.total) {
            l.next.push(r);
        }
        return l;
    }
    // A column page: the first request of the endpoint after the embedded records.
    if records == 0 && l.entries.is_empty() {
        // No datastore: a static column; read its links like a generic page.
        l.entries = entries(&req.url, body);
    }
    if l.total.is_some_and(|t| records >= t) {
        return l;
    }
    let Some(params) = PARAM.captures(body).map(|c| c[1].to_string()) else {
        return l;
    };
    let mut form: Vec<(String, String)> = Vec::new();
    for c in PAIR.captures_iter(&params) {
        let v = c
            .get(2)
            .or(c.get(3))
            .or(c.get(4))
            .map_or("", |m| m.as_str());
        form.push((c[1].to_string(), v.to_string()));
    }
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
    if get("columnid").is_none() {
        return l;
    }
    let mut fields: Vec<(&str, String)> = Vec::new();
    for f in FORM_FIELDS {
        let v = match (*f, get(f)) {
            (_, Some(v)) => v.to_string(),
            ("appid" | "col", None) => "1".into(),
            ("path", None) => "/".into(),
            ("permissiontype", None) => "0".into(),
            _ => continue,
        };
        fields.push((f, v));
    }
    let per_page: u32 = PER_PAGE_JS
        .captures(body)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or(15)
        .max(1);
    let proxy = PROXY_URL
        .captures(body)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| DEFAULT_PROXY.to_string());
    let group = per_page * 3;
    let start = records + 1;
    if let Some(r) = proxy_request(
        &req.url,
        &proxy,
        start,
        start + group - 1,
        per_page,
        &fields,
    ) {
        l.next.push(r);
    }
    l
}

fn proxy_request(
    base: &Url,
    proxy: &str,
    start: u32,
    end: u32,
    per_page: u32,
    fields: &[(&str, String)],
) -> Option<Request> {
    let mut u = resolve(base, proxy)?;
    u.set_query(Some(&format!(
        "startrecord={start}&endrecord={end}&perpage={per_page}"
    )));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Some(Request::post(u, &pairs))
}

/// The request after an endpoint page, while records remain.
fn next_group(req: &Request, records: u32, total: Option<u32>) -> Option<Request> {
    let num = |k: &str| query_value(&req.url, k).and_then(|v| v.parse::<u32>().ok());
    if let Some(page) = num("page") {
        // GET form `?page=N&…`: the next page while the total is not reached.
        let per = num("perpage").unwrap_or(records.max(1));
        if records == 0 || total.is_some_and(|t| page * per >= t) || page >= MAX_PAGES {
            return None;
        }
        let mut u = req.url.clone();
        let q: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "page" {
                    (page + 1).to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(q);
        return Some(Request {
            url: crate::urlnorm::canonicalize(&u),
            form: req.form.clone(),
        });
    }
    let (start, end, per) = (
        num("startrecord")?,
        num("endrecord")?,
        num("perpage").unwrap_or(15),
    );
    let size = end.checked_sub(start)? + 1;
    if records == 0 || total.is_none_or(|t| end >= t) || end / size.max(1) >= MAX_PAGES {
        return None;
    }
    let mut u = req.url.clone();
    u.set_query(Some(&format!(
        "startrecord={}&endrecord={}&perpage={per}",
        end + 1,
        end + size
    )));
    Some(Request {
        url: crate::urlnorm::canonicalize(&u),
        form: req.form.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COL: &str = r#"<html><script type="text/xml"><datastore><recordset>
<record><![CDATA[<li><a href="/art/2024/1/20/art_77_1.html" title="某局2023年政府信息公开工作年度报告">x</a><span>2024-
01-
20</span></li>]]></record>
</recordset></datastore></script>
<script>var param_356383 = {col:1,webid:'1',path:'/',columnid:'77',sourceContentType:'1',unitid:'356383',webname:'某局网站',permissiontype:0};
$('#div356383').jpage({dataStore:dataStore,perPage:1,totalRecord:4,proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_356383});</script></html>"#;

    #[test]
    fn column_page_then_endpoint_groups() {
        let req = Request::get(Url::parse("http://j.example/col/col77/index.html").unwrap());
        let l = read(&req, COL);
        assert_eq!(l.entries.len(), 1);
        assert_eq!(l.entries[0].date.as_deref(), Some("2024-01-20"));
        assert_eq!(l.total, Some(4));
        let r = &l.next[0];
        assert_eq!(
            r.url.as_str(),
            "http://j.example/module/web/jpage/dataproxy.jsp?startrecord=2&endrecord=4&perpage=1"
        );
        assert_eq!(r.form_value("columnid").as_deref(), Some("77"));
        assert_eq!(r.form_value("webname").as_deref(), Some("某局网站"));
        assert_eq!(r.form_value("appid").as_deref(), Some("1"));
        let xml = r#"<datastore><totalrecord>7</totalrecord><recordset>
            <record><![CDATA[<li><a href="/art/2023/1/2/art_77_2.html">2022年年报</a></li>]]></record></recordset></datastore>"#;
        let l2 = read(r, xml);
        assert_eq!(l2.entries.len(), 1);
        assert!(
            l2.next[0]
                .url
                .as_str()
                .ends_with("startrecord=5&endrecord=7&perpage=1")
        );
        assert_eq!(l2.next[0].form, r.form);
        let last = read(&l2.next[0], xml);
        assert!(last.next.is_empty(), "endrecord 7 reaches the total");
    }
}
