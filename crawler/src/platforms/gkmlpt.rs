//! Guangdong 政府信息公开目录管理平台 ("gkmlpt"): `{base}/gkmlpt/index` carries
//! `window._CONFIG = { SID: '…', TREE: [ {id, name, children, …} ] }`; a
//! category lists through `GET {base}/gkmlpt/api/all/{cat}?page={n}&sid={SID}`
//! (JSON `{total, classify: {post_count}, articles: [{title, url, date (unix s),
//! attachment: […]}]}`, 100 a page). The 年报 category is the TREE node named
//! 政府信息公开年报 / 年度报告 (the same id the `annualreport#{cat}` page uses).

use super::{Entry, Listing, MAX_PAGES, Request, query_value};
use crate::urlnorm::resolve;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;
use url::Url;

static SID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bSID\s*:\s*['"]?(\d+)"#).expect("static regex"));
static ANNUAL_HASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/gkmlpt/annualreport#(\d+)").expect("static regex"));

/// The site base of a gkmlpt URL (`http://h/prefix/` for `http://h/prefix/gkmlpt/…`),
/// or the URL's directory for any other page of the site.
pub fn site_base(url: &Url) -> Url {
    let path = url.path();
    let base_path = match path.find("/gkmlpt/") {
        Some(i) => &path[..i + 1],
        None => match path.rfind('/') {
            Some(i) => &path[..i + 1],
            None => "/",
        },
    };
    let mut b = url.clone();
    b.set_path(base_path);
    b.set_query(None);
    b.set_fragment(None);
    b
}

/// `{base}/gkmlpt/index` of the site `column` belongs to.
pub fn first_request(column: &Url) -> Request {
    let base = site_base(column);
    let mut u = base.join("gkmlpt/index").unwrap_or(base);
    if let Some(f) = column
        .fragment()
        .filter(|f| f.chars().all(|c| c.is_ascii_digit()))
    {
        // A saved `annualreport#{cat}` URL names the category; keep it as a hint.
        u.set_query(Some(&format!("cat={f}")));
    }
    Request::get(u)
}

/// Reads the index page (→ the 年报 category's first API page) or an API page.
pub fn read(req: &Request, body: &str) -> Listing {
    if req.url.path().contains("/gkmlpt/api/all/") {
        read_api(req, body)
    } else {
        read_index(req, body)
    }
}

/// The JSON array after `TREE:` in the page script, bracket-matched.
fn tree_json(body: &str) -> Option<Value> {
    let at = body.find("TREE")?;
    let rest = &body[at..];
    let start = rest.find('[')?;
    let mut depth = 0i32;
    let (mut in_str, mut esc) = (false, false);
    for (i, ch) in rest[start..].char_indices() {
        if in_str {
            match (esc, ch) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return serde_json::from_str(&rest[start..start + i + 1]).ok();
                }
            }
            _ => {}
        }
    }
    None
}

/// The id of the TREE node that is the annual-report category.
pub fn annual_category(tree: &Value) -> Option<u64> {
    fn walk(v: &Value, best: &mut Option<(u8, u64)>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| walk(x, best)),
            Value::Object(o) => {
                let name = o.get("name").and_then(Value::as_str).unwrap_or("");
                let id = o
                    .get("id")
                    .and_then(|i| i.as_u64().or_else(|| i.as_str()?.parse().ok()));
                let rank = if name.contains("信息公开年报") || name.contains("信息公开工作年度报告")
                {
                    2
                } else if name.contains("年报") || name.contains("年度报告") {
                    1
                } else {
                    0
                };
                if let Some(id) = id
                    && rank > 0
                    && best.is_none_or(|(r, _)| rank > r)
                {
                    *best = Some((rank, id));
                }
                if let Some(c) = o.get("children") {
                    walk(c, best);
                }
            }
            _ => {}
        }
    }
    let mut best = None;
    walk(tree, &mut best);
    best.map(|(_, id)| id)
}

fn api_request(base: &Url, cat: u64, page: u32, sid: &str) -> Option<Request> {
    let u = base
        .join(&format!("gkmlpt/api/all/{cat}?page={page}&sid={sid}"))
        .ok()?;
    Some(Request::get(u))
}

fn read_index(req: &Request, body: &str) -> Listing {
    let base = site_base(&req.url);
    let mut l = Listing::default();
    let Some(sid) = SID.captures(body).map(|c| c[1].to_string()) else {
        l.gap = Some("gkmlpt: no SID in the page's _CONFIG".into());
        return l;
    };
    let cat = query_value(&req.url, "cat")
        .and_then(|c| c.parse().ok())
        .or_else(|| ANNUAL_HASH.captures(body).and_then(|c| c[1].parse().ok()))
        .or_else(|| tree_json(body).as_ref().and_then(annual_category));
    match cat.and_then(|c| api_request(&base, c, 1, &sid)) {
        Some(r) => l.next.push(r),
        None => l.gap = Some("gkmlpt: no 年报 category in the TREE".into()),
    }
    l
}

/// `YYYY-MM-DD` (China time, UTC+8) of a Unix timestamp in seconds.
pub fn china_date(unix: i64) -> String {
    let days = (unix + 8 * 3600).div_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn attachment_urls(base: &Url, v: Option<&Value>) -> Vec<Url> {
    let mut out = Vec::new();
    for a in v.and_then(Value::as_array).into_iter().flatten() {
        let href = match a {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => ["url", "link", "path", "file_url", "href"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str)),
            _ => None,
        };
        if let Some(u) = href.and_then(|h| resolve(base, h))
            && !out.contains(&u)
        {
            out.push(u);
        }
    }
    out
}

fn read_api(req: &Request, body: &str) -> Listing {
    let mut l = Listing::default();
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        l.gap = Some("gkmlpt: the API answered no JSON".into());
        return l;
    };
    let articles = v.get("articles").and_then(Value::as_array);
    for a in articles.into_iter().flatten() {
        let href = a
            .get("url")
            .or_else(|| a.get("post_url"))
            .and_then(Value::as_str);
        let Some(url) = href.and_then(|h| resolve(&req.url, h)) else {
            continue;
        };
        let title = a
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string();
        let date = ["display_publish_time", "date", "create_time"]
            .iter()
            .find_map(|k| a.get(*k).and_then(Value::as_i64))
            .filter(|t| *t > 0)
            .map(china_date);
        l.entries.push(Entry {
            attachments: attachment_urls(&req.url, a.get("attachment")),
            url,
            title,
            date,
        });
    }
    let total = v
        .pointer("/classify/post_count")
        .or_else(|| v.get("total"))
        .and_then(Value::as_u64)
        .map(|n| n as u32);
    l.total = total;
    let page: u32 = query_value(&req.url, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let per_page = l.entries.len() as u32;
    if page <= 1
        && per_page > 0
        && let (Some(total), Some(sid), Some(cat)) = (
            total,
            query_value(&req.url, "sid"),
            req.url
                .path_segments()
                .and_then(|mut s| s.next_back())
                .and_then(|c| c.parse::<u64>().ok()),
        )
    {
        let pages = total.div_ceil(per_page).min(MAX_PAGES);
        let base = site_base(&req.url);
        l.next = (2..=pages)
            .filter_map(|p| api_request(&base, cat, p, &sid))
            .collect();
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_to_api_to_pages() {
        let idx = Request::get(Url::parse("http://h.example/sub/gkmlpt/index").unwrap());
        let page = r#"<script>window._CONFIG = { SID: '756001', TREE: [{"id":1,"name":"机构","children":[]},
           {"id":2,"name":"法定主动公开内容","children":[{"id":2629,"name":"政府信息公开年报","post_count":3}]}], X: 1 };</script>"#;
        let l = read(&idx, page);
        assert_eq!(
            l.next[0].url.as_str(),
            "http://h.example/sub/gkmlpt/api/all/2629?page=1&sid=756001"
        );
        let api = r#"{"total":3,"classify":{"post_count":3},"articles":[
          {"id":1,"title":"A2023年政府信息公开工作年度报告","url":"http://h.example/sub/gkmlpt/content/0/1/post_1.html","date":1705276800,
           "attachment":[{"name":"a.pdf","url":"/sub/attachment/0/1/1/1.pdf"}]},
          {"id":2,"title":"B","url":"/sub/gkmlpt/content/0/2/post_2.html","date":0}]}"#;
        let l = read(&l.next[0], api);
        assert_eq!(l.entries.len(), 2);
        assert_eq!(l.entries[0].date.as_deref(), Some("2024-01-15"));
        assert_eq!(
            l.entries[0].attachments[0].as_str(),
            "http://h.example/sub/attachment/0/1/1/1.pdf"
        );
        assert_eq!(l.total, Some(3));
        assert_eq!(l.next.len(), 1, "3 records, 2 a page: one more page");
        assert!(
            l.next[0]
                .url
                .as_str()
                .ends_with("api/all/2629?page=2&sid=756001")
        );
        assert_eq!(china_date(0), "1970-01-01");
    }
}
