//! The test portals. Each is built from the response shapes the research notes
//! record for its platform (`platforms.md`); the TRS portal serves the real
//! Pingtan list and report pages under their real host name (mapped to loopback).

use ogi_testkit::scripted::{Req, Resp, Server, Site, serve};
use std::collections::HashMap;
use std::sync::Arc;

/// Serves `portals` on one loopback server, each under its host name.
pub async fn serve_portals(portals: &[TestPortal]) -> Server {
    serve(
        portals
            .iter()
            .map(|p| (p.host.to_string(), p.site.clone()))
            .collect::<HashMap<_, _>>(),
    )
    .await
}

/// A test portal and what a crawler must find on it.
pub struct TestPortal {
    pub id: &'static str,
    pub host: &'static str,
    pub platform: &'static str,
    /// The report column probe must find from the home page.
    pub column: String,
    /// Every report document (pages and attachments) a full crawl must store.
    pub documents: Vec<String>,
    /// Registry lines beyond id/name/region/home/platform/hosts.
    pub extra: &'static str,
    pub site: Site,
}

fn report_page(title: &str, pub_date: &str, attachment: Option<&str>) -> Resp {
    let att = attachment
        .map(|a| format!(r#"<p>附件：<a href="{a}">{title}.pdf</a></p>"#))
        .unwrap_or_default();
    Resp::html(format!(
        r#"<html><head><meta name="PubDate" content="{pub_date} 09:00"><title>{title}</title></head>
<body><h1>{title}</h1><table><tr><td>一、总体情况</td></tr></table>{att}</body></html>"#
    ))
}

fn page(body: &str) -> Resp {
    Resp::html(format!(
        "<html><head><title>首页</title></head><body>{body}</body></html>"
    ))
}

fn urls(host: &str, paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| format!("http://{host}{p}")).collect()
}

/// Guangdong gkmlpt: home → /gkmlpt/index (_CONFIG SID + TREE) → JSON API, 2 a page.
pub fn gkmlpt() -> TestPortal {
    const H: &str = "www.gk.example";
    let site: Site = Arc::new(|r: &Req| match r.path.as_str() {
        "/" => page(r#"<a href="/gkmlpt/index">政府信息公开</a><a href="/xwzx/">新闻中心</a>"#),
        "/gkmlpt/index" => Resp::html(
            r#"<html><script>window._CONFIG = { SID: '756001', SERVICE_AREA_ID: 1,
  TREE: [{"id":1,"name":"机构职能","children":[],"post_count":4},
         {"id":2,"name":"法定主动公开内容","children":[{"id":2629,"name":"政府信息公开年报","post_count":3,"children":[]}]}],
  DETAIL: null };</script></html>"#,
        ),
        "/gkmlpt/api/all/2629" if r.param("sid").as_deref() == Some("756001") => {
            match r.param("page").as_deref() {
                Some("1") => Resp::json(
                    r#"{"total":3,"classify":{"post_count":3},"articles":[
 {"id":1,"title":"某市2023年政府信息公开工作年度报告","url":"http://www.gk.example/gkmlpt/content/0/0/post_1.html","date":1705276800,
  "attachment":[{"name":"年报.pdf","url":"/attachment/0/0/1/1.pdf"}]},
 {"id":2,"title":"某市2022年政府信息公开工作年度报告","url":"/gkmlpt/content/0/0/post_2.html","date":1673740800,"attachment":[]}]}"#,
                ),
                Some("2") => Resp::json(
                    r#"{"total":3,"classify":{"post_count":3},"articles":[
 {"id":3,"title":"某市2021年政府信息公开工作年度报告","url":"/gkmlpt/content/0/0/post_3.html","date":1642204800,"attachment":[]},
 {"id":4,"title":"关于印发政务公开工作要点的通知","url":"/gkmlpt/content/0/0/post_4.html","date":1642204800}]}"#,
                ),
                _ => Resp::json(r#"{"total":3,"articles":[]}"#),
            }
        }
        p if p.starts_with("/gkmlpt/content/0/0/post_") => {
            report_page("某市政府信息公开工作年度报告", "2024-01-15", None)
        }
        "/attachment/0/0/1/1.pdf" => Resp::pdf("gk"),
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-gkmlpt",
        host: H,
        platform: "gkmlpt",
        column: format!("http://{H}/gkmlpt/annualreport"),
        documents: urls(
            H,
            &[
                "/gkmlpt/content/0/0/post_1.html",
                "/gkmlpt/content/0/0/post_2.html",
                "/gkmlpt/content/0/0/post_3.html",
                "/attachment/0/0/1/1.pdf",
            ],
        ),
        extra: "",
        site,
    }
}

fn jpage_record(href: &str, title: &str, date: &str) -> String {
    format!(
        r#"<record><![CDATA[<li><a href="{href}" title="{title}" target="_blank">{title}</a><span class="bt-data-time">{date}</span></li>]]></record>"#
    )
}

/// Hanweb jpage: /col/col200 embeds 2 records; the rest by POST to dataproxy.jsp.
pub fn hanweb_jpage() -> TestPortal {
    const H: &str = "www.hw.example";
    let site: Site = Arc::new(|r: &Req| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/") => page(
            r#"<a href="/col/col100/index.html">政府信息公开</a><a href="/col/col9/index.html">政务动态</a>"#,
        ),
        ("GET", "/col/col100/index.html") => page(
            r#"<a href="/col/col201/index.html">政府信息公开指南</a><a href="/col/col200/index.html">政府信息公开年报</a>"#,
        ),
        ("GET", "/col/col200/index.html") => Resp::html(format!(
            r#"<html><body><div id="356383"><script type="text/xml"><datastore><recordset>{}{}</recordset></datastore></script></div>
<script>var param_356383 = {{col:1,webid:'1',path:'/',columnid:'200',sourceContentType:'1',unitid:'356383',webname:'某市某局',permissiontype:0}};
$('#356383').jpage({{dataStore:dataStore,perPage:1,totalRecord:5,proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_356383}});</script></body></html>"#,
            jpage_record(
                "/art/2024/1/20/art_200_11.html",
                "某局2023年政府信息公开工作年度报告",
                "2024-01-20"
            ),
            jpage_record(
                "/art/2023/1/18/art_200_10.html",
                "某局2022年政府信息公开工作年度报告",
                "2023-01-18"
            ),
        )),
        ("POST", "/module/web/jpage/dataproxy.jsp")
            if r.param("columnid").as_deref() == Some("200")
                && r.param("unitid").as_deref() == Some("356383")
                && r.param("webid").as_deref() == Some("1")
                && r.param("startrecord").as_deref() == Some("3")
                && r.param("endrecord").as_deref() == Some("5") =>
        {
            Resp::xml(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><recordset>{}{}{}</recordset><totalrecord>5</totalrecord><totalpage>5</totalpage></datastore>",
                jpage_record(
                    "/art/2022/1/25/art_200_9.html",
                    "某局2021年政府信息公开工作年度报告",
                    "2022-01-25"
                ),
                jpage_record(
                    "/art/2021/1/28/art_200_8.html",
                    "某局2020年政府信息公开工作年度报告",
                    "2021-01-28"
                ),
                jpage_record(
                    "/art/2021/1/5/art_200_7.html",
                    "某局2021年政务公开工作要点",
                    "2021-01-05"
                ),
            ))
        }
        ("POST", "/module/web/jpage/dataproxy.jsp") => {
            Resp::xml("<datastore><recordset></recordset><totalrecord>5</totalrecord></datastore>")
        }
        ("GET", "/art/2022/1/25/art_200_9.html") => report_page(
            "某局2021年政府信息公开工作年度报告",
            "2022-01-25",
            Some("/module/download/downfile.jsp?classid=0&filename=nb2021.pdf"),
        ),
        ("GET", p) if p.starts_with("/art/") => {
            report_page("某局政府信息公开工作年度报告", "2024-01-20", None)
        }
        ("GET", "/module/download/downfile.jsp") => Resp::pdf("hw"),
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-hanweb-jpage",
        host: H,
        platform: "hanweb_jpage",
        column: format!("http://{H}/col/col200/index.html"),
        documents: urls(
            H,
            &[
                "/art/2024/1/20/art_200_11.html",
                "/art/2023/1/18/art_200_10.html",
                "/art/2022/1/25/art_200_9.html",
                "/art/2021/1/28/art_200_8.html",
                "/module/download/downfile.jsp?classid=0&filename=nb2021.pdf",
            ],
        ),
        extra: "",
        site,
    }
}

fn xxgk_row(href: &str, title: &str, date: &str) -> String {
    format!(
        r#"<tr class="tr_main_value_odd"><td><a href="{href}" title="{title}">{title}</a></td><td>{date}</td></tr>"#
    )
}

/// Hanweb xxgk: column page names area/jdid → tree.jsp → POST search.jsp, 2 pages.
pub fn hanweb_xxgk() -> TestPortal {
    const H: &str = "www.xg.example";
    let site: Site = Arc::new(|r: &Req| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/") => page(r#"<a href="/xxgk/index.html">信息公开</a>"#),
        ("GET", "/xxgk/index.html") => page(
            r#"<iframe src="/module/xxgk/subjectinfo.jsp?area=014000650"></iframe>
               <a href="/col/col300/index.html">政府信息公开年报</a>"#,
        ),
        ("GET", "/col/col300/index.html") => page(
            r#"<iframe src="/module/xxgk/subjectinfo.jsp?area=014000650&amp;jdid=39" width="100%"></iframe>"#,
        ),
        ("GET", "/module/xxgk/tree.jsp") if r.param("area").as_deref() == Some("014000650") => {
            Resp::html(
                r#"<ul><li><a href="javascript:funclick('A01')">机构信息</a></li>
               <li><a href="javascript:funclick('A0203')">政府信息公开年报</a></li></ul>"#,
            )
        }
        ("POST", "/module/xxgk/search.jsp")
            if r.param("infotypeId").as_deref() == Some("A0203")
                && r.param("area").as_deref() == Some("014000650") =>
        {
            match r.param("currpage").as_deref() {
                Some("1") => Resp::html(format!(
                    r#"<table>{}{}</table><div><a href="javascript:funGoPage('/module/xxgk/search.jsp',2)">下一页</a></div>"#,
                    xxgk_row(
                        "/art/2024/1/8/art_300_3.html",
                        "某县2023年政府信息公开工作年度报告",
                        "2024-01-08"
                    ),
                    xxgk_row(
                        "/art/2023/1/9/art_300_2.html",
                        "某县2022年政府信息公开工作年度报告",
                        "2023-01-09"
                    ),
                )),
                Some("2") => Resp::html(format!(
                    "<table>{}</table>",
                    xxgk_row(
                        "/art/2022/1/10/art_300_1.html",
                        "某县2021年政府信息公开工作年度报告",
                        "2022-01-10"
                    ),
                )),
                _ => Resp::html("<table></table>"),
            }
        }
        ("GET", p) if p.starts_with("/art/") => {
            report_page("某县政府信息公开工作年度报告", "2024-01-08", None)
        }
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-hanweb-xxgk",
        host: H,
        platform: "hanweb_xxgk",
        column: format!("http://{H}/col/col300/index.html"),
        documents: urls(
            H,
            &[
                "/art/2024/1/8/art_300_3.html",
                "/art/2023/1/9/art_300_2.html",
                "/art/2022/1/10/art_300_1.html",
            ],
        ),
        extra: "",
        site,
    }
}

/// Hanweb jpaas-publish-server: static first page + pager queryData → JSON unit API.
pub fn jpaas() -> TestPortal {
    const H: &str = "www.jp.example";
    let li = |href: &str, title: &str, date: &str| {
        format!(r#"<li><a href="{href}" title="{title}">{title}</a><span>{date}</span></li>"#)
    };
    let site: Site = Arc::new(move |r: &Req| match r.path.as_str() {
        "/" => page(r#"<a href="/col/col1/index.html">政府信息公开</a>"#),
        "/col/col1/index.html" => page(r#"<a href="/col/col1229/index.html">政府信息公开年报</a>"#),
        "/col/col1229/index.html" => page(&format!(
            r#"<ul>{}{}</ul><div class="pagination" count="5" rows="2" pageNo="1" unitUrl="/api-gateway/jpaas-publish-server/front/page/build/unit"
                queryData="{{'webId':'3185','pageId':'1229','tagId':'信息列表','tplSetId':'o0YcVHHq5vWtr3uiCp4SY'}}"></div>"#,
            li(
                "/art/2026/1/9/art_1229_5.html",
                "某厅2025年政府信息公开工作年度报告",
                "2026-01-09"
            ),
            li(
                "/art/2025/1/9/art_1229_4.html",
                "某厅2024年政府信息公开工作年度报告",
                "2025-01-09"
            ),
        )),
        "/api-gateway/jpaas-publish-server/front/page/build/unit"
            if r.param("webId").as_deref() == Some("3185")
                && r.param("pageId").as_deref() == Some("1229")
                && r.param("tplSetId").as_deref() == Some("o0YcVHHq5vWtr3uiCp4SY") =>
        {
            let html = match r.param("pageNo").as_deref() {
                // The first page's newest report again, as an https:// link: one document.
                Some("2") => format!(
                    "<ul>{}{}{}</ul>",
                    li(
                        "https://www.jp.example/art/2026/1/9/art_1229_5.html",
                        "某厅2025年政府信息公开工作年度报告",
                        "2026-01-09"
                    ),
                    li(
                        "/art/2024/1/9/art_1229_3.html",
                        "某厅2023年政府信息公开工作年度报告",
                        "2024-01-09"
                    ),
                    li(
                        "/art/2023/1/9/art_1229_2.html",
                        "某厅2022年政府信息公开工作年度报告",
                        "2023-01-09"
                    ),
                ),
                Some("3") => format!(
                    "<ul>{}</ul>",
                    li(
                        "/art/2022/1/9/art_1229_1.html",
                        "某厅2021年政府信息公开工作年度报告",
                        "2022-01-09"
                    ),
                ),
                _ => String::new(),
            };
            Resp::json(serde_json::json!({"success": true, "data": {"html": html}}).to_string())
        }
        p if p.starts_with("/art/") => {
            report_page("某厅政府信息公开工作年度报告", "2024-01-09", None)
        }
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-jpaas",
        host: H,
        platform: "jpaas",
        column: format!("http://{H}/col/col1229/index.html"),
        documents: urls(
            H,
            &[
                "/art/2026/1/9/art_1229_5.html",
                "/art/2025/1/9/art_1229_4.html",
                "/art/2024/1/9/art_1229_3.html",
                "/art/2023/1/9/art_1229_2.html",
                "/art/2022/1/9/art_1229_1.html",
            ],
        ),
        extra: "",
        site,
    }
}

const PINGTAN_LIST: &str = include_str!("../fixtures/pingtan-list-page.html");
/// The real report page (the same file is a real-document fixture of the extractor).
const PINGTAN_REPORT: &str =
    include_str!("../../../extract/tests/realdocs/009_pingtan_2024_page.html");
/// The ten report pages the real Pingtan list page links (relative to the column).
const PINGTAN_ITEMS: [&str; 10] = [
    "202603/t20260313_105587.htm",
    "202503/t20250310_97791.htm",
    "202403/t20240308_87885.htm",
    "202302/t20230220_80629.htm",
    "202202/t20220208_80613.htm",
    "202103/t20210305_80595.htm",
    "202001/t20200120_80576.htm",
    "201901/t20190110_80529.htm",
    "201801/t20180123_80506.htm",
    "201701/t20170118_80485.htm",
];

/// TRS static (real pages): the Pingtan column and its 2024 report.
pub fn trs_pingtan() -> TestPortal {
    const H: &str = "www.pingtan.gov.cn";
    const COL: &str = "/zwgk/zfxxgk/zfxxgknb/";
    let site: Site = Arc::new(|r: &Req| match r.path.as_str() {
        "/" => page(r#"<a href="/zwgk/">政务公开</a><a href="/zwgk/zfxxgk/">政府信息公开</a>"#),
        "/zwgk/zfxxgk/" => page(
            r#"<a href="/zwgk/zfxxgk/zfxxgkzn/">政府信息公开指南</a><a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a>"#,
        ),
        COL => Resp::html(PINGTAN_LIST),
        "/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm" => Resp::html(PINGTAN_REPORT),
        p if p.starts_with(COL) && p.ends_with(".htm") => {
            report_page("平潭综合实验区政府信息公开工作年度报告", "2024-03-08", None)
        }
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-trs-pingtan",
        host: H,
        platform: "trs_static",
        column: format!("http://{H}{COL}"),
        documents: PINGTAN_ITEMS
            .iter()
            .map(|p| format!("http://{H}{COL}{p}"))
            .collect(),
        extra: "",
        site,
    }
}

/// TRS static with `.shtml` pages: createPageHTML(3, 0, "index", "shtml"), no listed dates.
pub fn trs_shtml() -> TestPortal {
    const H: &str = "www.trs.example";
    let list = |n: u32, item: &str, title: &str| {
        Resp::html(format!(
            r#"<html><body><ul class="list"><li><a href="./{item}" title="{title}">{title}</a></li></ul>
<script>createPageHTML(3, {n}, "index", "shtml");</script></body></html>"#
        ))
    };
    let site: Site = Arc::new(move |r: &Req| match r.path.as_str() {
        "/" => page(r#"<a href="/zwgk/">政务公开</a>"#),
        "/zwgk/" => page(r#"<a href="/zwgk/zfxxgknb/index.shtml">政府信息公开年报</a>"#),
        "/zwgk/zfxxgknb/index.shtml" => list(
            0,
            "202401/t20240115_13.shtml",
            "某局2023年政府信息公开工作年度报告",
        ),
        "/zwgk/zfxxgknb/index_1.shtml" => list(
            1,
            "202301/t20230116_12.shtml",
            "某局2022年政府信息公开工作年度报告",
        ),
        "/zwgk/zfxxgknb/index_2.shtml" => list(
            2,
            "202201/t20220117_11.shtml",
            "某局2021年政府信息公开工作年度报告",
        ),
        p if p.starts_with("/zwgk/zfxxgknb/20") => {
            report_page("某局政府信息公开工作年度报告", "2024-01-15", None)
        }
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-trs-shtml",
        host: H,
        platform: "trs_static",
        column: format!("http://{H}/zwgk/zfxxgknb/index.shtml"),
        documents: urls(
            H,
            &[
                "/zwgk/zfxxgknb/202401/t20240115_13.shtml",
                "/zwgk/zfxxgknb/202301/t20230116_12.shtml",
                "/zwgk/zfxxgknb/202201/t20220117_11.shtml",
            ],
        ),
        extra: "",
        site,
    }
}

/// A site on no known platform: "下一页" paging, a PDF listed directly.
pub fn generic() -> TestPortal {
    const H: &str = "www.gen.example";
    let site: Site = Arc::new(|r: &Req| match r.path.as_str() {
        "/" => page(r#"<a href="/zwgk/">政务公开</a>"#),
        "/zwgk/" => page(
            r#"<a href="/zwgk/ndbg/list.html">年度报告</a><a href="/zwgk/tzgg/list.html">通知公告</a>"#,
        ),
        "/zwgk/ndbg/list.html" => page(
            r#"<ul><li><a href="/zwgk/ndbg/2024/0120/c12.html">某镇2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>
               <li><a href="/zwgk/ndbg/2023/0118/c11.html">某镇2022年政府信息公开工作年度报告</a><span>2023-01-18</span></li></ul>
               <div class="page"><a href="list.html">1</a><a href="list_2.html">2</a><a href="list_2.html">下一页</a></div>"#,
        ),
        "/zwgk/ndbg/list_2.html" => page(
            r#"<ul><li><a href="/zwgk/ndbg/files/2021nb.pdf">某镇2021年政府信息公开工作年度报告（PDF）</a><span>2022-01-21</span></li></ul>
               <div class="page"><a href="list.html">上一页</a><a href="list.html">1</a><a href="list_2.html">2</a></div>"#,
        ),
        "/zwgk/ndbg/files/2021nb.pdf" => Resp::pdf("gen"),
        p if p.starts_with("/zwgk/ndbg/20") => {
            report_page("某镇政府信息公开工作年度报告", "2024-01-20", None)
        }
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-generic",
        host: H,
        platform: "generic",
        column: format!("http://{H}/zwgk/ndbg/list.html"),
        documents: urls(
            H,
            &[
                "/zwgk/ndbg/2024/0120/c12.html",
                "/zwgk/ndbg/2023/0118/c11.html",
                "/zwgk/ndbg/files/2021nb.pdf",
            ],
        ),
        extra: "",
        site,
    }
}

/// A portal whose saved column moved: the registry's start URL answers 404, the
/// home page leads to the new one.
pub fn drifted() -> TestPortal {
    const H: &str = "www.drift.example";
    let site: Site = Arc::new(|r: &Req| match r.path.as_str() {
        "/" => page(r#"<a href="/xxgk/">政府信息公开</a>"#),
        "/xxgk/" => page(r#"<a href="/xxgk/xxgknb/index.html">信息公开年报</a>"#),
        "/xxgk/xxgknb/index.html" => page(
            r#"<ul><li><a href="./202401/t20240112_2.html">某区2023年政府信息公开工作年度报告</a><span>2024-01-12</span></li>
               <li><a href="./202301/t20230113_1.html">某区2022年政府信息公开工作年度报告</a><span>2023-01-13</span></li></ul>"#,
        ),
        p if p.starts_with("/xxgk/xxgknb/20") => {
            report_page("某区政府信息公开工作年度报告", "2024-01-12", None)
        }
        _ => Resp::not_found(),
    });
    TestPortal {
        id: "t-drift",
        host: H,
        platform: "trs_static",
        column: format!("http://{H}/xxgk/xxgknb/index.html"),
        documents: urls(
            H,
            &[
                "/xxgk/xxgknb/202401/t20240112_2.html",
                "/xxgk/xxgknb/202301/t20230113_1.html",
            ],
        ),
        extra: "start_urls = [\"http://www.drift.example/old/zfxxgknb/index.html\"]\n",
        site,
    }
}

/// A site behind a Ruishu-style script challenge: HTTP 412 with `$_ts` for everything.
pub fn challenged() -> TestPortal {
    const H: &str = "www.rs.example";
    let site: Site = Arc::new(|_r: &Req| {
        Resp::status(
            412,
            r#"<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;</script></head><body></body></html>"#,
        )
    });
    TestPortal {
        id: "t-ruishu",
        host: H,
        platform: "generic",
        column: String::new(),
        documents: Vec::new(),
        extra: "",
        site,
    }
}

/// Every test portal with a report column.
pub fn all() -> Vec<TestPortal> {
    vec![
        gkmlpt(),
        hanweb_jpage(),
        hanweb_xxgk(),
        jpaas(),
        trs_pingtan(),
        trs_shtml(),
        generic(),
        drifted(),
    ]
}

/// The registry of the given portals: platform and home page only (plus `extra`).
pub fn registry(portals: &[TestPortal]) -> String {
    let mut s = String::new();
    for p in portals {
        s.push_str(&format!(
            "[[portal]]\nid = \"{}\"\nname = \"测试门户 {}\"\nregion = \"测试\"\nregion_code = \"440300\"\nhome_url = \"http://{}/\"\nplatform = \"{}\"\nallowed_hosts = [\"{}\"]\n{}\n",
            p.id, p.id, p.host, p.platform, p.host, p.extra
        ));
    }
    s
}

/// Every test portal: those of [`all`], then the [`challenged`] one.
pub fn all_and_challenged() -> Vec<TestPortal> {
    let mut portals = all();
    portals.push(challenged());
    portals
}
