//! Hanweb new-generation JCMS, "jpaas-publish-server" (Zhejiang 2022+): the
//! column page renders its first page statically; the pager element carries
//! `count="386" rows="15" queryData="{'webId':…,'pageId':…,'tagId':…,'tplSetId':…}"`,
//! and page n comes from `GET /api-gateway/jpaas-publish-server/front/page/build/unit
//! ?webId=…&pageId=…&parseType=bulidstatic&pageType=column&tagId=…&tplSetId=…&rows=…&pageNo=n`
//! as JSON `{"success":true,"data":{"html":"<…list fragment…>"}}`.

use super::generic::entries;
use super::{Listing, MAX_PAGES, Request};
use regex::Regex;
use std::sync::LazyLock;

/// Path of the list endpoint.
pub const UNIT_API: &str = "/api-gateway/jpaas-publish-server/front/page/build/unit";

static QUERY_DATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"queryData\s*=\s*"\{([^"]*)\}""#).expect("static regex"));
static QD_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]?(\w+)['"]?\s*:\s*['"]([^'"]*)['"]"#).expect("static regex")
});
static COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bcount\s*=\s*"(\d+)""#).expect("static regex"));
static ROWS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\brows\s*=\s*"(\d+)""#).expect("static regex"));

/// Reads a column page (→ the endpoint's further pages) or an endpoint page.
pub fn read(req: &Request, body: &str) -> Listing {
    if req.url.path() == UNIT_API {
        let html = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.pointer("/data/html")
                    .and_then(|h| h.as_str())
                    .map(str::to_string)
            });
        return match html {
            Some(h) => Listing {
                entries: entries(&req.url, &h),
                ..Listing::default()
            },
            None => Listing {
                gap: Some("jpaas: the endpoint answered no data.html".into()),
                ..Listing::default()
            },
        };
    }
    let mut l = Listing {
        entries: entries(&req.url, body),
        ..Listing::default()
    };
    let Some(qd) = QUERY_DATA.captures(body).map(|c| c[1].to_string()) else {
        return l;
    };
    let pairs: Vec<(String, String)> = QD_PAIR
        .captures_iter(&qd)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let num = |re: &Regex| re.captures(body).and_then(|c| c[1].parse::<u32>().ok());
    let (Some(count), Some(rows)) = (num(&COUNT), num(&ROWS)) else {
        return l;
    };
    l.total = Some(count);
    let pages = count.div_ceil(rows.max(1)).min(MAX_PAGES);
    for n in 2..=pages {
        let Ok(mut u) = req.url.join(UNIT_API) else {
            continue;
        };
        u.query_pairs_mut()
            .append_pair("webId", &get("webId"))
            .append_pair("pageId", &get("pageId"))
            .append_pair("parseType", "bulidstatic")
            .append_pair("pageType", "column")
            .append_pair("tagId", &get("tagId"))
            .append_pair("tplSetId", &get("tplSetId"))
            .append_pair("rows", &rows.to_string())
            .append_pair("pageNo", &n.to_string());
        l.next.push(Request::get(u));
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn pager_to_endpoint_pages() {
        let req = Request::get(Url::parse("https://z.example/col/col1229/index.html").unwrap());
        let page = r#"<ul><li><a href="/art/2024/1/9/art_1229_5.html">某厅2023年政府信息公开工作年度报告</a><span>2024-01-09</span></li></ul>
          <div class="pager" count="5" rows="2" pageNo="1" queryData="{'webId':'3185','pageId':'1229','tagId':'信息列表','tplSetId':'o0Yc'}"></div>"#;
        let l = read(&req, page);
        assert_eq!(l.entries[0].date.as_deref(), Some("2024-01-09"));
        assert_eq!(l.next.len(), 2);
        let u = &l.next[1].url;
        assert_eq!(u.path(), UNIT_API);
        assert_eq!(super::super::query_value(u, "pageNo").as_deref(), Some("3"));
        assert_eq!(
            super::super::query_value(u, "tagId").as_deref(),
            Some("信息列表")
        );
        let body = r#"{"success":true,"data":{"html":"<li><a href=\"/art/2023/1/9/art_1229_4.html\">2022年年报</a></li>"}}"#;
        let l2 = read(&l.next[0], body);
        assert_eq!(
            l2.entries[0].url.as_str(),
            "https://z.example/art/2023/1/9/art_1229_4.html"
        );
    }
}
