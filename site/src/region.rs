//! Region pages (`r/<code>.html`), province → prefecture → county: pooled
//! figures by year with the change on the year before, the sub-regions, the
//! agencies ranked by new requests, and who published a report on the
//! portals and who did not (the compliance data).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use ogi_analyze::compliance::ComplianceRow;

use crate::data::{AGENCY_FIGURES, Corpus, REGION_FIGURES, Report, idx};
use crate::html::{Page, esc, render, table, thousands, value};
use crate::i18n::Lang;

/// Most agencies listed on one region page (the rest are on the sub-region pages).
pub const MAX_RANKED: usize = 500;

/// Level of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// 省级.
    Province,
    /// 地级.
    Prefecture,
    /// 县级.
    County,
}

impl Level {
    /// Key of the level in the datasets.
    pub fn key(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
        }
    }
}

/// One region of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Region code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// Parent region code (`None` for a province).
    pub parent: Option<String>,
    /// Child region codes.
    pub children: BTreeSet<String>,
    /// Indexes (into `Corpus::reports`) of the reports in this region, every year.
    pub reports: Vec<usize>,
}

/// The regions found in the reports, by code.
#[derive(Debug, Default)]
pub struct RegionTree {
    /// Nodes by code.
    pub nodes: BTreeMap<String, Node>,
    /// Compliance rows (indexes into `Corpus::compliance`) by the prefix of
    /// the portal's region code that names a province (2 digits), a
    /// prefecture (4) or a county (6).
    pub portals: HashMap<String, Vec<usize>>,
    /// Rows of `Corpus::regions` (indexes, in the dataset's order) by level
    /// key and region code.
    pub rollups: HashMap<(String, String), Vec<usize>>,
}

/// The prefix of region codes that lie in a region of this level and code.
fn prefix(level: Level, code: &str) -> Option<&str> {
    match level {
        Level::Province => code.get(..2),
        Level::Prefecture => code.get(..4),
        Level::County => Some(code),
    }
}

/// Path of a region page relative to the site root.
pub fn href(code: &str) -> String {
    format!("r/{code}.html")
}

impl RegionTree {
    /// Builds the tree from the province/prefecture/county codes of the reports
    /// (names from the `regions` dataset when it has the code).
    pub fn build(c: &Corpus) -> RegionTree {
        let names: HashMap<&str, &str> = c
            .regions
            .iter()
            .map(|r| (r.code.as_str(), r.name.as_str()))
            .collect();
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        for (i, r) in c.reports.iter().enumerate() {
            let mut parent: Option<String> = None;
            for (k, level) in [Level::Province, Level::Prefecture, Level::County]
                .into_iter()
                .enumerate()
            {
                let Some((code, name)) = &r.levels[k] else {
                    continue;
                };
                let node = nodes.entry(code.clone()).or_insert_with(|| Node {
                    code: code.clone(),
                    name: names
                        .get(code.as_str())
                        .map_or(name.clone(), |n| n.to_string()),
                    level,
                    parent: parent.clone(),
                    children: BTreeSet::new(),
                    reports: Vec::new(),
                });
                node.reports.push(i);
                if let Some(p) = &parent
                    && let Some(pn) = nodes.get_mut(p)
                {
                    pn.children.insert(code.clone());
                }
                parent = Some(code.clone());
            }
        }
        let mut portals: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, row) in c.compliance.iter().flatten().enumerate() {
            let code = row.region_code.as_str();
            for n in [2, 4, 6] {
                if let Some(p) = code.get(..n) {
                    portals.entry(p.to_string()).or_default().push(i);
                }
            }
        }
        let mut rollups: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, r) in c.regions.iter().enumerate() {
            rollups
                .entry((r.level.clone(), r.code.clone()))
                .or_default()
                .push(i);
        }
        RegionTree {
            nodes,
            portals,
            rollups,
        }
    }

    /// The chain of regions from the province down to `code`.
    pub fn chain(&self, code: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut cur = self.nodes.get(code);
        while let Some(n) = cur {
            out.push(n);
            cur = n.parent.as_deref().and_then(|p| self.nodes.get(p));
        }
        out.reverse();
        out
    }
}

/// Pooled figures of the region by year, with the change of new requests.
fn pooled(c: &Corpus, tree: &RegionTree, node: &Node, lang: Lang) -> String {
    // The panel's labels are the short ones; the caption says the figures are pooled.
    let panel = ogi_analyze::columns(ogi_analyze::Dataset::Panel);
    let regions = ogi_analyze::columns(ogi_analyze::Dataset::Regions);
    let rows: Vec<_> = tree
        .rollups
        .get(&(node.level.key().to_string(), node.code.clone()))
        .map(|ix| ix.iter().filter_map(|i| c.regions.get(*i)).collect())
        .unwrap_or_default();
    if rows.is_empty() {
        return String::new();
    }
    let years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    let mut head = vec![esc(lang.t().item)];
    head.extend(years.iter().map(|y| y.to_string()));
    let mut body: Vec<Vec<String>> = REGION_FIGURES
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let d = panel
                .iter()
                .find(|d| d.name == *name)
                .or_else(|| regions.iter().find(|d| d.name == *name));
            let mut r = vec![esc(d.map_or(*name, |d| lang.pick(&d.zh, &d.en)))];
            let unit = d.map_or("", |d| d.unit.as_str());
            r.extend(
                rows.iter()
                    .map(|row| esc(&value(row.figures[k], unit, lang))),
            );
            r
        })
        .collect();
    let k = idx(&REGION_FIGURES, "new_received");
    let mut change = vec![esc(lang.t().change)];
    for (i, row) in rows.iter().enumerate() {
        let prev = i
            .checked_sub(1)
            .filter(|j| rows[*j].year == row.year - 1)
            .and_then(|j| rows[j].figures[k]);
        change.push(match (row.figures[k], prev) {
            (Some(a), Some(b)) => signed(a - b),
            _ => esc(lang.t().blank),
        });
    }
    body.insert(2, change);
    table(lang.t().pooled, &head, &body)
}

/// A signed integer change (`+12`, `-3`, `0`).
pub fn signed(d: f64) -> String {
    if d > 0.0 {
        format!("+{}", thousands(d as i64))
    } else {
        thousands(d as i64)
    }
}

/// The region's agencies ranked by new requests in its latest year.
fn ranked(c: &Corpus, node: &Node, lang: Lang) -> String {
    let t = lang.t();
    let Some(latest) = node.reports.iter().map(|i| c.reports[*i].year).max() else {
        return String::new();
    };
    let k_new = idx(&AGENCY_FIGURES, "new_received");
    let k_rate = idx(&AGENCY_FIGURES, "substantive_disclosure_rate");
    let prev: HashMap<&str, Option<f64>> = node
        .reports
        .iter()
        .map(|i| &c.reports[*i])
        .filter(|r| r.year == latest - 1)
        .map(|r| (r.agency_id.as_str(), r.figures[k_new]))
        .collect();
    let mut now: Vec<&Report> = node
        .reports
        .iter()
        .map(|i| &c.reports[*i])
        .filter(|r| r.year == latest)
        .collect();
    now.sort_by(|a, b| {
        b.figures[k_new]
            .unwrap_or(-1.0)
            .total_cmp(&a.figures[k_new].unwrap_or(-1.0))
            .then_with(|| a.agency.cmp(&b.agency))
    });
    let total = now.len();
    let head: Vec<String> = [
        t.rank.to_string(),
        t.agency.to_string(),
        t.region.to_string(),
        format!("{} {latest}", t.chart_requests),
        format!("{} {}", t.chart_requests, latest - 1),
        t.change.to_string(),
        t.chart_disclosure.to_string(),
    ]
    .iter()
    .map(|h| esc(h))
    .collect();
    let rows: Vec<Vec<String>> = now
        .iter()
        .take(MAX_RANKED)
        .enumerate()
        .map(|(i, r)| {
            let p = prev.get(r.agency_id.as_str()).copied().flatten();
            let place = r
                .levels
                .iter()
                .rev()
                .flatten()
                .next()
                .map_or(String::new(), |(_, n)| n.clone());
            let scope = if r.scope == "jurisdiction" {
                format!(
                    " <small>({})</small>",
                    esc(
                        ogi_analyze::labels::label("scope", "jurisdiction", lang.zh())
                            .unwrap_or("jurisdiction")
                    )
                )
            } else {
                String::new()
            };
            vec![
                (i + 1).to_string(),
                format!(
                    "<a href=\"../agency.html#{}\">{}</a>{scope}",
                    esc(&r.agency_id),
                    esc(&r.agency)
                ),
                esc(&place),
                esc(&value(r.figures[k_new], "count", lang)),
                esc(&value(p, "count", lang)),
                match (r.figures[k_new], p) {
                    (Some(a), Some(b)) => signed(a - b),
                    _ => esc(t.blank),
                },
                esc(&value(r.figures[k_rate], "ratio", lang)),
            ]
        })
        .collect();
    let mut s = format!("<h2 id=\"agencies\">{} ({latest})</h2>", esc(t.ranked));
    s.push_str(&table("", &head, &rows));
    if total > MAX_RANKED {
        let note = t
            .ranked_cut
            .replace("{shown}", &MAX_RANKED.to_string())
            .replace("{total}", &thousands(total as i64));
        let _ = write!(s, "<p class=\"note\">{}</p>", esc(&note));
    }
    s
}

/// Who published a report on the region's portals, per year.
fn compliance(
    rows: Option<&[ComplianceRow]>,
    tree: &RegionTree,
    node: &Node,
    lang: Lang,
) -> String {
    let t = lang.t();
    let mut s = format!("<h2 id=\"compliance\">{}</h2>", esc(t.compliance));
    let Some(rows) = rows else {
        let _ = write!(s, "<p>{}</p>", esc(t.no_compliance));
        return s;
    };
    let mine: Vec<&ComplianceRow> = prefix(node.level, &node.code)
        .and_then(|p| tree.portals.get(p))
        .map(|ix| ix.iter().filter_map(|i| rows.get(*i)).collect())
        .unwrap_or_default();
    if mine.is_empty() {
        let _ = write!(s, "<p>{}</p>", esc(t.no_compliance));
        return s;
    }
    let years: BTreeSet<i32> = mine.iter().map(|r| r.year).collect();
    let mut by_key: BTreeMap<(String, String), BTreeMap<i32, &ComplianceRow>> = BTreeMap::new();
    for r in &mine {
        by_key
            .entry((r.portal_name.clone(), r.agency.clone()))
            .or_default()
            .insert(r.year, r);
    }
    let mut head = vec![esc(t.portal), esc(t.agency)];
    head.extend(years.iter().map(|y| y.to_string()));
    let body: Vec<Vec<String>> = by_key
        .iter()
        .map(|((portal, agency), ys)| {
            let mut r = vec![esc(portal), esc(agency)];
            r.extend(years.iter().map(|y| match ys.get(y) {
                Some(c) if c.published => {
                    let days = c.days_after_deadline.map_or(String::new(), |d| {
                        format!(
                            " <small title=\"{}\">({})</small>",
                            esc(t.days_late),
                            signed(d as f64)
                        )
                    });
                    format!("<span class=\"yes\">✓ {}</span>{days}", esc(t.published))
                }
                _ => format!("<span class=\"no\">✗ {}</span>", esc(t.not_found)),
            }));
            r
        })
        .collect();
    s.push_str(&table("", &head, &body));
    s
}

/// The whole page of one region.
pub fn page(c: &Corpus, tree: &RegionTree, node: &Node, lang: Lang) -> String {
    let t = lang.t();
    let mut body = pooled(c, tree, node, lang);
    if !node.children.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ul class=\"regions\">", esc(t.subregions));
        for code in &node.children {
            if let Some(ch) = tree.nodes.get(code) {
                let _ = write!(
                    body,
                    "<li><a href=\"{}.html\">{}</a></li>",
                    esc(code),
                    esc(&ch.name)
                );
            }
        }
        body.push_str("</ul>");
    }
    body.push_str(&ranked(c, node, lang));
    body.push_str(&compliance(c.compliance.as_deref(), tree, node, lang));
    let mut crumbs = vec![("index.html".to_string(), t.nav_overview.to_string())];
    for n in tree.chain(&node.code) {
        if n.code != node.code {
            crumbs.push((href(&n.code), n.name.clone()));
        }
    }
    render(&Page {
        title: &node.name,
        root: "../",
        lang,
        kind: "region",
        crumbs,
        body,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::{QUALITY_FLAGS, RegionYear};

    /// A report of a county of 安阳市 (test data, also used by `agency`'s tests).
    pub(crate) fn report(
        year: i32,
        id: &str,
        name: &str,
        county: &str,
        new: Option<f64>,
    ) -> Report {
        let mut figures = vec![None; AGENCY_FIGURES.len()];
        figures[idx(&AGENCY_FIGURES, "new_received")] = new;
        Report {
            year,
            report_id: format!("{id}-{year}"),
            agency_id: id.into(),
            agency: name.into(),
            region_code: Some(county.into()),
            levels: [
                Some(("410000".into(), "河南省".into())),
                Some(("410500".into(), "安阳市".into())),
                Some((county.into(), "北关区".into())),
            ],
            scope: "agency".into(),
            status: "parsed".into(),
            template: Some("2021".into()),
            source: String::new(),
            sha256: String::new(),
            fetched_at: None,
            flags: Vec::new(),
            figures,
            quality: vec![None; QUALITY_FLAGS.len()],
            completeness: None,
            checks_failed: Some(0),
            checks_unverified: Some(0),
            n_documents: Some(1),
        }
    }

    /// Three agencies of 北关区 over two years (test data, also used by `agency`'s tests).
    pub(crate) fn corpus() -> Corpus {
        let mut fig = vec![None; REGION_FIGURES.len()];
        fig[idx(&REGION_FIGURES, "new_received")] = Some(9.0);
        Corpus {
            years: vec![2022, 2023],
            reports: vec![
                report(2022, "a", "北关区民政局", "410503", Some(5.0)),
                report(2023, "a", "北关区民政局", "410503", Some(2.0)),
                report(2023, "b", "北关区教育局", "410503", Some(7.0)),
                report(2023, "c", "北关区财政局", "410503", None),
            ],
            regions: vec![RegionYear {
                year: 2023,
                level: "county".into(),
                code: "410503".into(),
                name: "北关区".into(),
                figures: fig,
            }],
            compliance: Some(vec![ComplianceRow {
                portal_id: "p".into(),
                portal_name: "北关区政府".into(),
                level: "county".into(),
                region_code: "410503".into(),
                agency: String::new(),
                agency_id: String::new(),
                year: 2023,
                published: false,
                documents: 0,
                first_seen: None,
                published_date: None,
                published_source: None,
                deadline: "2024-01-31".into(),
                days_after_deadline: None,
                format: None,
                status: None,
            }]),
            ..Corpus::default()
        }
    }

    #[test]
    fn the_tree_links_province_prefecture_and_county() {
        let c = corpus();
        let tree = RegionTree::build(&c);
        assert_eq!(tree.nodes.len(), 3);
        let chain: Vec<_> = tree
            .chain("410503")
            .iter()
            .map(|n| n.code.clone())
            .collect();
        assert_eq!(chain, ["410000", "410500", "410503"]);
        assert!(tree.nodes["410500"].children.contains("410503"));
        assert_eq!(tree.nodes["410503"].reports.len(), 4);
    }

    #[test]
    fn agencies_rank_by_new_requests_with_blanks_last_and_changes() {
        let c = corpus();
        let tree = RegionTree::build(&c);
        let html = page(&c, &tree, &tree.nodes["410503"], Lang::Zh);
        let b = html.find("北关区教育局").unwrap();
        let a = html.find("北关区民政局").unwrap();
        let f = html.find("北关区财政局").unwrap();
        assert!(b < a && a < f, "7 before 2 before blank");
        assert!(html.contains("<td>-3</td>"), "民政局 5 → 2");
        assert!(html.contains("href=\"../agency.html#a\""));
        assert!(html.contains("未在门户上找到"), "compliance: not found");
        assert!(
            html.contains("href=\"../r/410500.html\""),
            "breadcrumb to the prefecture"
        );
    }
}
