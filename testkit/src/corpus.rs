//! Corpus composition: a panel-shaped synthetic corpus — thousands of
//! agencies of real regions (the bundled gazetteer), each reporting over a
//! range of years under varying title forms, with missing years, re-published
//! and revised documents — and the ground truth a test checks the panel
//! against. One document is rendered by [`crate::synth`].
//!
//! ```
//! use ogi_testkit::corpus::{CorpusOptions, plan, render};
//! let opts = CorpusOptions { agencies: 20, ..CorpusOptions::default() };
//! let p = plan(&opts);
//! assert_eq!(p.agencies.len(), 20);
//! let doc = render(&p.documents[0]);
//! assert!(doc.text.contains(&p.documents[0].name_form));
//! ```
//!
//! **Agencies.** Provinces are drawn from the gazetteer; within each,
//! agencies of four levels: the provincial general office and departments
//! (`河南省民政厅`), prefecture bureaus (`郑州市民政局`), county bureaus and
//! general offices (`二七区民政局`) and sub-district offices
//! (`二七区林山寨街道办事处`). Each has the name forms real titles use for it:
//! with or without the parent regions (`郑州市二七区民政局`), with a bracketed
//! second name (`二七区民政局（区老龄办）`), office forms (`人民政府办公室`,
//! `政府办公室`, `政府办`, `办公厅`), and for sub-districts with or without
//! `办事处`. Every form is checked to resolve to the agency's region with
//! the extractor's region reader ([`ogi_extract::region::resolve`]): a
//! form the gazetteer cannot place (`朝阳区…`, in Beijing and Changchun) is
//! not used, and an agency without a usable form is not drawn.
//!
//! **Documents.** One report per agency and year present (a year is missing
//! with `missing_percent`, never every year of an agency), each under one of
//! the agency's forms (the first form most often), in a random layout, with a
//! date of issue in the following January–February printed at the end. A
//! report may be **re-published** (the same contents again, another layout and
//! possibly another title form, same date) or **revised** (new numbers, a
//! later date, `（修订版）` in the title). The revised document is the one a
//! panel must keep (newest date of issue); between re-published copies the
//! numbers are the same whichever is kept.

use crate::synth::{Layout, Options, Rng, Synth, synth};
use ogi_extract::Template;
use ogi_extract::region::{Level, RegionMatch, resolve};
use ogi_spec::gazetteer::{DivisionRow, bundled};
use std::collections::BTreeMap;

/// What to compose.
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    /// Seed: the same options always give the same corpus.
    pub seed: u64,
    /// Number of agencies.
    pub agencies: usize,
    /// Number of provinces they are spread over (more when these hold too few
    /// usable agencies).
    pub provinces: usize,
    /// First reporting year (years before 2021 use the 2019 template).
    pub first_year: i32,
    /// Last reporting year.
    pub last_year: i32,
    /// Percentage of agency-years without a report.
    pub missing_percent: u64,
    /// Percentage of reports published a second time (same contents).
    pub republished_percent: u64,
    /// Percentage of reports followed by a revised version (new numbers, later date).
    pub revised_percent: u64,
    /// Percentage of documents with a deliberate inconsistency (a check fails).
    pub inconsistent_percent: u64,
}

impl Default for CorpusOptions {
    fn default() -> CorpusOptions {
        CorpusOptions {
            seed: 1,
            agencies: 1000,
            provinces: 4,
            first_year: 2019,
            last_year: 2024,
            missing_percent: 10,
            republished_percent: 5,
            revised_percent: 3,
            inconsistent_percent: 2,
        }
    }
}

/// One agency of the corpus (the ground truth).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Ground-truth id: `<region code>:<agency name without its region>`.
    pub truth_id: String,
    /// Level of the agency.
    pub level: Level,
    /// Code of the region a report of it resolves to (county for sub-districts).
    pub region_code: String,
    /// The name forms it reports under; the first is the usual one.
    pub forms: Vec<String>,
    /// Years with at least one report, ascending.
    pub years: Vec<i32>,
    /// Years of the range without a report, ascending.
    pub missing_years: Vec<i32>,
}

/// Why a document exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The first publication of an agency-year's report.
    Original,
    /// The same contents published again (another file, same date of issue).
    Republished,
    /// A revised version: new numbers, a later date, marked in the title.
    Revised,
}

impl Role {
    /// Lowercase name (`original`, `republished`, `revised`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Original => "original",
            Role::Republished => "republished",
            Role::Revised => "revised",
        }
    }
}

/// One planned document (rendered by [`render`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DocPlan {
    /// File name (`NNNNNN-<layout>.txt`).
    pub file: String,
    /// Index of its agency in [`Plan::agencies`].
    pub agency: usize,
    /// Reporting year.
    pub year: i32,
    /// The name form its title prints.
    pub name_form: String,
    /// Layout family.
    pub layout: Layout,
    /// Template version.
    pub template: Template,
    /// Seed of the contents (a re-published copy shares its original's).
    pub seed: u64,
    /// Why it exists.
    pub role: Role,
    /// Date of issue printed at the end (`YYYY-MM-DD`).
    pub issued: String,
    /// A table-3 identity is broken on purpose.
    pub inconsistent: bool,
    /// Whether a panel must keep this document for its agency-year: the
    /// revised version when there is one, else any copy of the original
    /// (re-published copies carry the same numbers and are all `true`).
    pub keep: bool,
}

/// A composed corpus: agencies and their documents.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The agencies, in drawing order.
    pub agencies: Vec<Agency>,
    /// The documents, in file order.
    pub documents: Vec<DocPlan>,
}

/// Provincial departments (厅 and the bodies provinces name otherwise).
const PROVINCE_DEPTS: [&str; 16] = [
    "民政厅",
    "教育厅",
    "财政厅",
    "公安厅",
    "司法厅",
    "卫生健康委员会",
    "人力资源和社会保障厅",
    "自然资源厅",
    "生态环境厅",
    "住房和城乡建设厅",
    "交通运输厅",
    "水利厅",
    "农业农村厅",
    "商务厅",
    "审计厅",
    "市场监督管理局",
];
/// Prefecture and county bureaus, with a second name some print in brackets.
const LOCAL_DEPTS: [(&str, Option<&str>); 20] = [
    ("民政局", Some("老龄办")),
    ("教育局", None),
    ("财政局", Some("国资办")),
    ("公安局", None),
    ("司法局", Some("法制办")),
    ("卫生健康委员会", None),
    ("人力资源和社会保障局", None),
    ("自然资源局", None),
    ("住房和城乡建设局", None),
    ("交通运输局", None),
    ("水利局", None),
    ("农业农村局", None),
    ("商务局", None),
    ("文化和旅游局", Some("文物局")),
    ("审计局", None),
    ("市场监督管理局", None),
    ("统计局", None),
    ("医疗保障局", None),
    ("应急管理局", None),
    ("退役军人事务局", None),
];

/// One candidate agency before its forms are checked.
struct Candidate {
    level: Level,
    region_code: String,
    own: String,
    forms: Vec<String>,
}

/// The names of a division and of the divisions above it.
struct Place<'a> {
    province: &'a DivisionRow,
    prefecture: Option<&'a DivisionRow>,
    county: Option<&'a DivisionRow>,
}

impl Place<'_> {
    /// Prefecture name (empty for a municipality's districts).
    fn pref(&self) -> &str {
        self.prefecture.map_or("", |p| p.name.as_str())
    }
}

/// The level word that ends a region's name (`区`, `县`, `市`).
fn level_word(name: &str) -> String {
    name.chars().last().map(String::from).unwrap_or_default()
}

fn provincial(place: &Place, rng: &mut Rng) -> Vec<Candidate> {
    let v = &place.province.name;
    let code = &place.province.code;
    let mut out = vec![Candidate {
        level: Level::Province,
        region_code: code.clone(),
        own: "人民政府办公厅".into(),
        forms: vec![format!("{v}人民政府办公厅"), format!("{v}政府办公厅")],
    }];
    for d in PROVINCE_DEPTS {
        if rng.chance(60) {
            out.push(Candidate {
                level: Level::Province,
                region_code: code.clone(),
                own: d.into(),
                forms: vec![format!("{v}{d}")],
            });
        }
    }
    out
}

fn local_depts(place: &Place, level: Level, code: &str, rng: &mut Rng) -> Vec<Candidate> {
    let v = &place.province.name;
    let p = place.pref();
    // The region's own name and the parent prefixes it may carry.
    let (own_region, parents): (&str, Vec<String>) = match place.county {
        Some(c) if !p.is_empty() => (&c.name, vec![p.to_string(), format!("{v}{p}")]),
        Some(c) => (&c.name, vec![v.clone()]),
        None => (p, vec![v.clone()]),
    };
    let word = level_word(own_region);
    let mut out = vec![Candidate {
        level,
        region_code: code.into(),
        own: "人民政府办公室".into(),
        forms: vec![
            format!("{own_region}人民政府办公室"),
            format!("{own_region}政府办公室"),
            format!("{}{own_region}人民政府办公室", parents[0]),
            format!("{own_region}政府办"),
        ],
    }];
    for (d, alias) in LOCAL_DEPTS {
        if !rng.chance(45) {
            continue;
        }
        let mut forms = vec![format!("{own_region}{d}")];
        forms.extend(parents.iter().map(|pre| format!("{pre}{own_region}{d}")));
        if let Some(a) = alias {
            forms.push(format!("{own_region}{d}（{word}{a}）"));
        }
        out.push(Candidate {
            level,
            region_code: code.into(),
            own: d.into(),
            forms,
        });
    }
    out
}

fn streets(place: &Place, townships: &[&DivisionRow], rng: &mut Rng) -> Vec<Candidate> {
    let Some(c) = place.county else {
        return Vec::new();
    };
    let prefix = format!("{}{}", place.pref(), c.name);
    townships
        .iter()
        .filter(|t| t.name.ends_with("街道") && rng.chance(40))
        .take(3)
        .map(|t| Candidate {
            level: Level::Township,
            region_code: c.code.clone(),
            own: format!("{}办事处", t.name),
            forms: vec![
                format!("{}{}办事处", c.name, t.name),
                format!("{prefix}{}办事处", t.name),
                format!("{}{}", c.name, t.name),
            ],
        })
        .collect()
}

/// Keeps the forms that the region reader places in `code`; `None` when the
/// usual (first) form is not one of them.
fn usable(mut cand: Candidate) -> Option<Candidate> {
    let fits = |form: &str| matches!(resolve(Some(form), None), RegionMatch::Resolved(d) if d.code == cand.region_code);
    if !fits(&cand.forms[0]) {
        return None;
    }
    let forms: Vec<String> = cand.forms.iter().filter(|f| fits(f)).cloned().collect();
    cand.forms = forms;
    Some(cand)
}

/// Draws the agencies of one province, in an order that mixes levels.
fn province_candidates(province: &DivisionRow, rng: &mut Rng) -> Vec<Candidate> {
    let rows = bundled();
    let children =
        |code: &str| -> Vec<&DivisionRow> { rows.iter().filter(|r| r.parent == code).collect() };
    let place = Place {
        province,
        prefecture: None,
        county: None,
    };
    let mut out = provincial(&place, rng);
    let direct: Vec<&DivisionRow> = children(&province.code);
    // Municipalities list their districts directly under the province.
    let municipality = direct.iter().all(|r| r.level == Level::County);
    let mut counties: Vec<(Option<&DivisionRow>, &DivisionRow)> = Vec::new();
    for d in &direct {
        if municipality {
            counties.push((None, d));
        } else if d.level == Level::Prefecture {
            let place = Place {
                province,
                prefecture: Some(d),
                county: None,
            };
            out.extend(local_depts(&place, Level::Prefecture, &d.code, rng));
            counties.extend(children(&d.code).into_iter().map(|c| (Some(*d), c)));
        }
    }
    // Development zones (codes x7x) have no departments of their own.
    counties.retain(|(_, c)| c.level == Level::County && c.code.as_bytes().get(4) < Some(&b'7'));
    for (pref, county) in counties {
        let place = Place {
            province,
            prefecture: pref,
            county: Some(county),
        };
        out.extend(local_depts(&place, Level::County, &county.code, rng));
        out.extend(streets(&place, &children(&county.code), rng));
    }
    // Interleave so that a budget smaller than the province still spans it.
    let mut order: Vec<(u64, Candidate)> = out.into_iter().map(|c| (rng.next_u64(), c)).collect();
    order.sort_by_key(|(k, _)| *k);
    order.into_iter().map(|(_, c)| c).collect()
}

/// Composes the corpus: agencies, their years and every document (not yet rendered).
pub fn plan(opts: &CorpusOptions) -> Plan {
    let mut rng = Rng::new(opts.seed);
    let mut provinces: Vec<&DivisionRow> = bundled()
        .iter()
        .filter(|r| r.level == Level::Province && r.code.as_str() < "710000")
        .collect();
    // Shuffle, then take the first `provinces`.
    for i in (1..provinces.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        provinces.swap(i, j);
    }
    let n_prov = opts.provinces.clamp(1, provinces.len());
    let years: Vec<i32> = (opts.first_year..=opts.last_year.max(opts.first_year)).collect();
    let mut agencies: Vec<Agency> = Vec::new();
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for (pi, prov) in provinces.iter().enumerate() {
        // An equal share of what is left per province; a province too small
        // for its share leaves the rest to the next (beyond `provinces` if need be).
        let left = opts.agencies - agencies.len();
        if left == 0 {
            break;
        }
        let want = left.div_ceil(n_prov.saturating_sub(pi).max(1));
        let mut taken = 0;
        for cand in province_candidates(prov, &mut rng) {
            if taken == want {
                break;
            }
            let Some(cand) = usable(cand) else { continue };
            let truth_id = format!("{}:{}", cand.region_code, cand.own);
            if seen.insert(truth_id.clone(), ()).is_some() {
                continue;
            }
            let mut present: Vec<i32> = years
                .iter()
                .copied()
                .filter(|_| !rng.chance(opts.missing_percent))
                .collect();
            if present.is_empty() {
                present.push(*rng.pick(&years));
            }
            let missing = years
                .iter()
                .copied()
                .filter(|y| !present.contains(y))
                .collect();
            agencies.push(Agency {
                truth_id,
                level: cand.level,
                region_code: cand.region_code,
                forms: cand.forms,
                years: present,
                missing_years: missing,
            });
            taken += 1;
        }
    }
    let mut documents = Vec::new();
    for (ai, a) in agencies.iter().enumerate() {
        for &year in &a.years {
            let template = if year < 2021 {
                Template::V2019
            } else {
                Template::V2021
            };
            let form = |rng: &mut Rng| {
                if a.forms.len() > 1 && rng.chance(40) {
                    a.forms[1 + rng.below(a.forms.len() as u64 - 1) as usize].clone()
                } else {
                    a.forms[0].clone()
                }
            };
            let issued = format!(
                "{}-{:02}-{:02}",
                year + 1,
                1 + rng.below(2),
                1 + rng.below(28)
            );
            let revised = rng.chance(opts.revised_percent);
            let original = DocPlan {
                file: String::new(),
                agency: ai,
                year,
                name_form: form(&mut rng),
                layout: *rng.pick(&Layout::ALL),
                template,
                seed: rng.next_u64(),
                role: Role::Original,
                issued: issued.clone(),
                inconsistent: rng.chance(opts.inconsistent_percent),
                keep: !revised,
            };
            if rng.chance(opts.republished_percent) {
                documents.push(DocPlan {
                    name_form: form(&mut rng),
                    layout: *rng.pick(&Layout::ALL),
                    role: Role::Republished,
                    ..original.clone()
                });
            }
            if revised {
                let month = 3 + rng.below(4);
                documents.push(DocPlan {
                    name_form: form(&mut rng),
                    layout: *rng.pick(&Layout::ALL),
                    seed: rng.next_u64(),
                    role: Role::Revised,
                    issued: format!("{}-{month:02}-{:02}", year + 1, 1 + rng.below(28)),
                    inconsistent: false,
                    keep: true,
                    ..original.clone()
                });
            }
            documents.push(original);
        }
    }
    // File order mixes agencies and years, as a crawl would.
    let mut keyed: Vec<(u64, DocPlan)> =
        documents.into_iter().map(|d| (rng.next_u64(), d)).collect();
    keyed.sort_by_key(|(k, _)| *k);
    let documents = keyed
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut d))| {
            d.file = format!("{i:06}-{}.txt", d.layout.name());
            d
        })
        .collect();
    Plan {
        agencies,
        documents,
    }
}

/// Renders one planned document.
pub fn render(d: &DocPlan) -> Synth {
    let opts = Options {
        template: d.template,
        inconsistent: d.inconsistent,
        dashes: d.seed.is_multiple_of(3),
        agency: Some(d.name_form.clone()),
        year: Some(d.year),
        issued: Some(d.issued.clone()),
        revised: d.role == Role::Revised,
    };
    synth(d.seed, d.layout, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_resolves_and_years_are_complete() {
        let p = plan(&CorpusOptions {
            agencies: 300,
            provinces: 3,
            ..CorpusOptions::default()
        });
        assert_eq!(p.agencies.len(), 300);
        let mut provinces: Vec<&str> = p.agencies.iter().map(|a| &a.region_code[..2]).collect();
        provinces.sort_unstable();
        provinces.dedup();
        assert_eq!(provinces.len(), 3);
        for a in &p.agencies {
            assert!(!a.years.is_empty());
            assert_eq!(a.years.len() + a.missing_years.len(), 6);
            for f in &a.forms {
                assert!(
                    matches!(resolve(Some(f), None), RegionMatch::Resolved(d) if d.code == a.region_code),
                    "{f}"
                );
            }
        }
        assert!(p.agencies.iter().any(|a| a.forms.len() >= 3));
        let n_years: usize = p.agencies.iter().map(|a| a.years.len()).sum();
        let originals = p
            .documents
            .iter()
            .filter(|d| d.role == Role::Original)
            .count();
        assert_eq!(originals, n_years);
        for role in [Role::Republished, Role::Revised] {
            assert!(p.documents.iter().any(|d| d.role == role), "{role:?}");
        }
    }

    #[test]
    fn same_options_same_corpus() {
        let opts = CorpusOptions {
            agencies: 40,
            ..CorpusOptions::default()
        };
        let (a, b) = (plan(&opts), plan(&opts));
        assert_eq!(a.documents, b.documents);
        assert_eq!(render(&a.documents[3]).text, render(&b.documents[3]).text);
    }

    #[test]
    fn revised_documents_are_later_and_marked() {
        let p = plan(&CorpusOptions {
            agencies: 200,
            revised_percent: 30,
            ..CorpusOptions::default()
        });
        for r in p.documents.iter().filter(|d| d.role == Role::Revised) {
            let orig = p
                .documents
                .iter()
                .find(|d| d.role == Role::Original && d.agency == r.agency && d.year == r.year)
                .expect("an original");
            assert!(r.issued > orig.issued);
            assert!(r.keep && !orig.keep);
            assert!(render(r).text.contains("（修订版）"));
        }
    }
}
