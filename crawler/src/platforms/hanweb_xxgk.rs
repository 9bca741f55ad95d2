//! Hanweb 信息公开目录 module (`/module/xxgk/…`): a site names its directory by an
//! organisation code `area=…` (and a site id `jdid=…`); the category tree
//! `GET /module/xxgk/tree.jsp?standardXxgk=1&area={area}&divid=div4` lists
//! `funclick('{infotypeId}')…>label<` nodes; a category lists by
//! `POST /module/xxgk/search.jsp?…&currpage={n}` with the form
//! `infotypeId=…&jdid=…&area=…&divid=…`, answering HTML rows and a pager of
//! `funGoPage('/module/xxgk/search.jsp', n)` calls.

use super::generic::entries;
use super::{Listing, MAX_PAGES, Request, query_value};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

static AREA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[?&;]area=([0-9A-Za-z]{6,24})").expect("static regex"));
static JDID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[?&;]jdid=(\d+)").expect("static regex"));
static NODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"funclick\(\s*['"]([^'"]+)['"][^>]*>\s*([^<]*)<"#).expect("static regex")
});
static GO_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"funGoPage\(\s*['"][^'"]*['"]\s*,\s*['"]?(\d+)"#).expect("static regex")
});
static PAGE_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"共\s*(\d+)\s*页").expect("static regex"));

const SEARCH: &str = "/module/xxgk/search.jsp";

/// Reads an entry page (→ tree), the tree (→ the 年报 category) or a search page.
pub fn read(req: &Request, body: &str) -> Listing {
    let path = req.url.path();
    if path.ends_with("/module/xxgk/tree.jsp") {
        read_tree(req, body)
    } else if path.ends_with(SEARCH) {
        read_search(req, body)
    } else {
        read_entry(req, body)
    }
}

fn read_entry(req: &Request, body: &str) -> Listing {
    let mut l = Listing {
        entries: entries(&req.url, body),
        ..Listing::default()
    };
    let html = body.replace("&amp;", "&");
    let Some(area) = AREA.captures(&html).map(|c| c[1].to_string()) else {
        l.gap = Some("hanweb_xxgk: no area= code on the page".into());
        return l;
    };
    let jdid = JDID
        .captures(&html)
        .map(|c| c[1].to_string())
        .unwrap_or_default();
    if let Ok(mut u) = req.url.join("/module/xxgk/tree.jsp") {
        u.query_pairs_mut()
            .append_pair("standardXxgk", "1")
            .append_pair("area", &area)
            .append_pair("divid", "div4")
            .append_pair("jdid", &jdid);
        l.next.push(Request::get(u));
    }
    l
}

fn search_request(base: &Url, page: u32, form: &[(&str, &str)]) -> Option<Request> {
    let mut u = base.join(SEARCH).ok()?;
    u.set_query(Some(&format!(
        "standardXxgk=0&isAllList=1&texttype=&fbtime=&vc_all=&vc_filenumber=&vc_title=&vc_number=&currpage={page}&sortfield=,compaltedate:0"
    )));
    Some(Request::post(u, form))
}

fn read_tree(req: &Request, body: &str) -> Listing {
    let mut l = Listing::default();
    let mut best: Option<(u8, String)> = None;
    for c in NODE.captures_iter(body) {
        let label = c[2].trim();
        let rank = if label.contains("信息公开年报") || label.contains("年度报告") {
            2
        } else if label.contains("年报") {
            1
        } else {
            0
        };
        if rank > 0 && best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, c[1].to_string()));
        }
    }
    let Some((_, infotype)) = best else {
        l.gap = Some("hanweb_xxgk: no 年报 category in the tree".into());
        return l;
    };
    let area = req.query_value("area").unwrap_or_default();
    let jdid = req.query_value("jdid").unwrap_or_default();
    let form = [
        ("infotypeId", infotype.as_str()),
        ("jdid", jdid.as_str()),
        ("area", area.as_str()),
        ("divid", "div4"),
    ];
    l.next.extend(search_request(&req.url, 1, &form));
    l
}

fn read_search(req: &Request, body: &str) -> Listing {
    let mut l = Listing {
        entries: entries(&req.url, body),
        ..Listing::default()
    };
    let page: u32 = query_value(&req.url, "currpage")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    if page > 1 {
        return l;
    }
    let last = GO_PAGE
        .captures_iter(body)
        .chain(PAGE_COUNT.captures_iter(body))
        .filter_map(|c| c[1].parse::<u32>().ok())
        .max()
        .unwrap_or(1)
        .min(MAX_PAGES);
    let fields: Vec<(String, String)> = req
        .form
        .as_deref()
        .map(|f| {
            url::form_urlencoded::parse(f.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for p in 2..=last {
        l.next.extend(search_request(&req.url, p, &form));
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_tree_search_pages() {
        let req = Request::get(Url::parse("http://x.example/col/col1/index.html").unwrap());
        let page =
            r#"<iframe src="/module/xxgk/subjectinfo.jsp?area=014000650&amp;jdid=39"></iframe>"#;
        let l = read(&req, page);
        let tree = &l.next[0];
        assert_eq!(tree.query_value("area").as_deref(), Some("014000650"));
        let tree_html = r#"<a href="javascript:funclick('A01')">机构信息</a>
           <a href="javascript:funclick('A0203')">政府信息公开年报</a>"#;
        let l = read(tree, tree_html);
        let s = &l.next[0];
        assert_eq!(s.form_value("infotypeId").as_deref(), Some("A0203"));
        assert_eq!(s.form_value("jdid").as_deref(), Some("39"));
        assert_eq!(query_value(&s.url, "currpage").as_deref(), Some("1"));
        let rows = r#"<table><tr class="tr_main_value_odd"><td><a href="/art/2024/1/8/art_5_9.html" title="某县2023年政府信息公开工作年度报告">x</a></td><td>2024-01-08</td></tr></table>
           <a href="javascript:funGoPage('/module/xxgk/search.jsp',2)">2</a><a href="javascript:funGoPage('/module/xxgk/search.jsp',3)">尾页</a>"#;
        let l = read(s, rows);
        assert_eq!(l.entries[0].date.as_deref(), Some("2024-01-08"));
        assert_eq!(l.next.len(), 2);
        assert_eq!(l.next[1].form, s.form);
        assert_eq!(
            query_value(&l.next[1].url, "currpage").as_deref(),
            Some("3")
        );
    }
}
