//! The overview page (`index.html`): national figures per year as charts,
//! each with its table, the data-quality summary and the list of provinces.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ogi_analyze::vocab::vocabulary;

use crate::data::{Corpus, REGION_FIGURES, idx};
use crate::html::{Page, esc, render, table, thousands};
use crate::i18n::Lang;
use crate::region::{RegionTree, href as region_href};
use crate::svg::{Chart, Series, figure};

/// National rollup values of one column per year (`None` where no row or no value).
fn national(c: &Corpus, column: &str) -> Vec<Option<f64>> {
    let k = idx(&REGION_FIGURES, column);
    c.years
        .iter()
        .map(|y| {
            c.regions
                .iter()
                .find(|r| r.year == *y && r.level == "national")
                .and_then(|r| r.figures[k])
        })
        .collect()
}

fn one(name: &str, values: Vec<Option<f64>>) -> Vec<Series> {
    vec![Series {
        name: name.to_string(),
        values,
    }]
}

/// The charts of the national figures.
pub fn charts(c: &Corpus, lang: Lang) -> Vec<String> {
    let t = lang.t();
    let v = vocabulary();
    let all = lang.pick("全国", "National");
    let mut out = vec![
        figure(
            &Chart {
                id: "requests",
                title: t.chart_requests,
                years: &c.years,
                series: one(all, national(c, "new_received")),
                unit: "count",
                stacked: false,
            },
            lang,
        ),
        figure(
            &Chart {
                id: "disclosure",
                title: t.chart_disclosure,
                years: &c.years,
                series: one(all, national(c, "substantive_disclosure_rate")),
                unit: "ratio",
                stacked: false,
            },
            lang,
        ),
    ];
    let reasons: Vec<Series> = v
        .table3_rows
        .iter()
        .filter(|r| r.key.starts_with("denied_"))
        .filter_map(|r| {
            let values: Vec<Option<f64>> = c
                .years
                .iter()
                .map(|y| c.refusals.get(&(*y, r.key.clone())).copied())
                .collect();
            values.iter().any(|v| v.is_some()).then(|| Series {
                name: lang.pick(&r.zh, &r.en).to_string(),
                values,
            })
        })
        .collect();
    if !reasons.is_empty() {
        out.push(figure(
            &Chart {
                id: "refusals",
                title: t.chart_refusals,
                years: &c.years,
                series: reasons,
                unit: "count",
                stacked: true,
            },
            lang,
        ));
    }
    out.push(figure(
        &Chart {
            id: "corrections",
            title: t.chart_corrections,
            years: &c.years,
            series: vec![
                Series {
                    name: t.review_rate.into(),
                    values: national(c, "review_correction_rate"),
                },
                Series {
                    name: t.litigation_rate.into(),
                    values: national(c, "litigation_correction_rate"),
                },
            ],
            unit: "ratio",
            stacked: false,
        },
        lang,
    ));
    let docs = ogi_analyze::columns(ogi_analyze::Dataset::Panel);
    let label = |name: &str| {
        docs.iter()
            .find(|d| d.name == name)
            .map(|d| lang.pick(&d.zh, &d.en).to_string())
            .unwrap_or_else(|| name.to_string())
    };
    let colon = lang.pick("：", ": ");
    let fees_title = format!("{}{colon}{}", t.chart_fees, label("admin_fees_10k_cny"));
    out.push(figure(
        &Chart {
            id: "fees",
            title: &fees_title,
            years: &c.years,
            series: one(all, national(c, "admin_fees_10k_cny")),
            unit: "10k_cny",
            stacked: false,
        },
        lang,
    ));
    let info_title = format!(
        "{}{colon}{}",
        t.chart_fees,
        label("info_processing_fees_cny")
    );
    out.push(figure(
        &Chart {
            id: "info-fees",
            title: &info_title,
            years: &c.years,
            series: one(all, national(c, "info_processing_fees_cny")),
            unit: "cny",
            stacked: false,
        },
        lang,
    ));
    out
}

/// The data-quality table: per year, canonical reports by status, checks,
/// inferred values, superseded duplicates, and every document by status.
pub fn quality(c: &Corpus, lang: Lang) -> String {
    let t = lang.t();
    let mut head = vec![esc(t.year)];
    for h in [
        t.q_reports,
        t.q_parsed,
        t.q_partial,
        t.q_failed,
        t.q_unverified,
        t.q_inferred,
        t.q_superseded,
    ] {
        head.push(esc(h));
    }
    let inferred = idx(&crate::data::QUALITY_FLAGS, "has_inferred");
    let rows: Vec<Vec<String>> = c
        .years
        .iter()
        .map(|y| {
            let rs: Vec<_> = c.reports.iter().filter(|r| r.year == *y).collect();
            let count = |f: &dyn Fn(&&crate::data::Report) -> bool| {
                thousands(rs.iter().filter(|r| f(r)).count() as i64)
            };
            let superseded: i64 = rs
                .iter()
                .map(|r| i64::from(r.n_documents.unwrap_or(1).max(1) - 1))
                .sum();
            vec![
                y.to_string(),
                thousands(rs.len() as i64),
                count(&|r| r.status == "parsed"),
                count(&|r| r.status == "partial"),
                count(&|r| r.checks_failed.unwrap_or(0) > 0),
                count(&|r| r.checks_unverified.unwrap_or(0) > 0),
                count(&|r| r.quality[inferred] == Some(true)),
                thousands(superseded),
            ]
        })
        .collect();
    let mut s = table("", &head, &rows);
    // Every document read, by status (from `quality`, including non-reports).
    let statuses: Vec<&String> = {
        let mut v: Vec<&String> = c.documents.keys().map(|(_, s)| s).collect();
        v.sort();
        v.dedup();
        v
    };
    if !statuses.is_empty() {
        let mut head = vec![esc(t.year)];
        head.extend(
            statuses
                .iter()
                .map(|s| esc(ogi_analyze::labels::label("status", s, lang.zh()).unwrap_or(s))),
        );
        let mut years: Vec<Option<i32>> = c.documents.keys().map(|(y, _)| *y).collect();
        years.dedup();
        let rows: Vec<Vec<String>> = years
            .iter()
            .map(|y| {
                let mut r = vec![y.map_or_else(|| t.blank.to_string(), |y| y.to_string())];
                r.extend(statuses.iter().map(|s| {
                    thousands(c.documents.get(&(*y, (*s).clone())).copied().unwrap_or(0) as i64)
                }));
                r
            })
            .collect();
        s.push_str(&table(t.q_documents, &head, &rows));
    }
    s
}

/// The whole overview page.
pub fn page(c: &Corpus, tree: &RegionTree, lang: Lang) -> String {
    let t = lang.t();
    let mut body = format!("<p class=\"lead\">{}</p>\n", esc(t.overview_lead));
    let _ = write!(body, "<h2>{}</h2>\n<div class=\"charts\">", esc(t.national));
    for f in charts(c, lang) {
        body.push_str(&f);
    }
    body.push_str("</div>\n");
    let _ = writeln!(body, "<h2 id=\"quality\">{}</h2>", esc(t.quality));
    body.push_str(&quality(c, lang));
    let _ = write!(
        body,
        "<h2 id=\"regions\">{}</h2>\n<ul class=\"regions\">",
        esc(t.provinces)
    );
    let provinces: BTreeMap<&str, &str> = tree
        .nodes
        .values()
        .filter(|n| n.parent.is_none())
        .map(|n| (n.code.as_str(), n.name.as_str()))
        .collect();
    for (code, name) in provinces {
        let _ = write!(
            body,
            "<li><a href=\"{}\">{}</a></li>",
            esc(&region_href(code)),
            esc(name)
        );
    }
    body.push_str("</ul>\n");
    render(&Page {
        title: t.site,
        root: "",
        lang,
        kind: "overview",
        crumbs: Vec::new(),
        body,
    })
}
