//! Fuzzing with proptest: the robots.txt parser, the portal registry parser and
//! the list-page and list-endpoint parsers take any input without panicking.
//!
//! `OGI_FUZZ_CASES` sets the inputs per target (default 256); `OGI_LONG=1` runs
//! 1 000 000 per target and prints `LONG fuzz:` lines.

use super::support::repo;
use ogi_crawler::discover::{parse_api_page, parse_list_page};
use ogi_crawler::portals::{ApiFormat, ApiRules, parse_portals};
use ogi_crawler::{load_portals, robots};
use proptest::prelude::*;
use url::Url;

fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    ogi_testkit::fuzz::run(name, strategy, check);
}

/// Text made of the pieces a parser cares about, in any order.
fn pieces(p: Vec<&'static str>, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(p), 0..max).prop_map(|v| v.concat())
}

#[test]
fn fuzz_robots_parser() {
    let txt = pieces(
        vec![
            "User-agent: *\n",
            "User-agent: ogi-crawler\n",
            "user-AGENT:\n",
            "Disallow: /\n",
            "Disallow: /a*b$\n",
            "Allow: /a/\n",
            "Allow:\n",
            "Crawl-delay: 5\n",
            "Crawl-delay: -1\n",
            "Crawl-delay: 1e308\n",
            "Crawl-delay: NaN\n",
            "# c\n",
            "\n",
            "\r\n",
            "Sitemap: x\n",
            "*",
            "$",
            "%",
            "年报",
            "\u{0}",
        ],
        200,
    );
    let path = "(/[a-z*$%年]{0,6}){0,5}";
    fuzz("robots", (txt, path), |(txt, path)| {
        let r = robots::parse(&txt, "ogi-crawler/0.1");
        let _ = r.allowed(&path);
        if let Some(d) = r.crawl_delay {
            prop_assert!(d.as_secs_f64().is_finite());
        }
        Ok(())
    });
}

#[test]
fn fuzz_portal_registry_parser() {
    let toml = pieces(
        vec![
            "[[portal]]\n",
            "id = \"a\"\n",
            "id = \"\"\n",
            "name = \"x\"\n",
            "region = \"\"\n",
            "region_code = \"410503\"\n",
            "start_urls = [\"http://a.example/\"]\n",
            "start_urls = [\"not a url\"]\n",
            "allowed_hosts = []\n",
            "rate = -1.0\n",
            "rate = nan\n",
            "concurrency = 0\n",
            "encoding = \"gbk\"\n",
            "[portal.list]\n",
            "item_selector = \"li\"\n",
            "item_selector = \"<<<\"\n",
            "max_pages = 4294967295\n",
            "[portal.api]\n",
            "url = \"http://a.example/{page}\"\n",
            "format = \"json\"\n",
            "format = \"jpage_xml\"\n",
            "per_page = 0\n",
            "\n",
            "=",
        ],
        60,
    );
    fuzz("registry", toml, |text| {
        // Either a registry or an error: never a panic.
        let _ = parse_portals(&text);
        Ok(())
    });
}

fn sample_portal() -> ogi_crawler::Portal {
    load_portals(&repo().join("data/portals.toml"))
        .unwrap()
        .into_iter()
        .find(|p| p.id == "sample-beiguan")
        .unwrap()
}

#[test]
fn fuzz_list_page_parser() {
    let portal = sample_portal();
    let base = Url::parse("http://www.beiguan.example/zwgk/zfxxgknb/index.html").unwrap();
    let html = pieces(
        vec![
            "<ul>",
            "</ul>",
            "<li>",
            "</li>",
            "<a href=\"",
            "\">",
            "</a>",
            "t2024_1.html",
            "../x.pdf",
            "javascript:void(0)",
            "http://[::1]/",
            "//evil.example/a",
            "2023年",
            "年度报告",
            "政府信息公开",
            "<span>2024-01-02</span>",
            "createPageHTML(99999999, 0, \"index\", \"html\");",
            "createPageHTML(-1,",
            "<script>",
            "</script>",
            "&#x0;",
            "%zz",
            "?file=",
        ],
        200,
    );
    fuzz("list_page", html, |html| {
        let page = parse_list_page(&portal, &base, &html);
        prop_assert!(page.pages.len() <= portal.list.max_pages as usize + 1);
        Ok(())
    });
}

#[test]
fn fuzz_list_endpoint_parser() {
    let portal = sample_portal();
    let base = Url::parse("http://www.beiguan.example/api").unwrap();
    let json = pieces(
        vec![
            "{",
            "}",
            "[",
            "]",
            "\"data\":",
            "\"list\":",
            "\"title\":\"2023年年度报告\"",
            "\"url\":\"/a.html\"",
            "\"url\":\"http://[::1]/\"",
            "\"totalPage\":",
            "99999999",
            "-1",
            "1e400",
            "null",
            ",",
            ":",
            "\"",
            "\\u0000",
        ],
        120,
    );
    let xml = pieces(
        vec![
            "<datastore>",
            "</datastore>",
            "<recordset>",
            "<record><![CDATA[",
            "]]></record>",
            "<li><a href=\"/b.html\">2022年年度报告</a></li>",
            "<totalpage>",
            "</totalpage>",
            "4294967296",
            "-3",
            "<",
            "]]>",
        ],
        120,
    );
    fuzz(
        "list_endpoint",
        (json, xml, 1u32..5),
        |(json, xml, page)| {
            for (format, body) in [(ApiFormat::Json, &json), (ApiFormat::JpageXml, &xml)] {
                let api = ApiRules {
                    url: "http://www.beiguan.example/api?p={page}&s={start}&e={end}".into(),
                    format,
                    first_page: 1,
                    per_page: 20,
                    items: "data.list".into(),
                    title: "title".into(),
                    link: "url".into(),
                    date: None,
                    total_pages: Some("totalPage".into()),
                    max_pages: 50,
                };
                let mut portal = portal.clone();
                portal.api = Some(api.clone());
                let got = parse_api_page(&portal, &api, &base, page, body);
                prop_assert!(got.pages.len() <= 50);
            }
            Ok(())
        },
    );
}
