//! One id per agency: name normalisation, level and sector from the name,
//! and the `agencies` dataset (one row per id, with the name forms seen).
//!
//! The id is a pure function of the document's agency name, region code and
//! region string (see [`identify`]), so it is stable across runs, years and
//! incremental recomputations: `<region_code>-<8 hex digits of SHA-256 of the core name>`.
//! The core name drops what varies between title forms of one agency:
//! whitespace, bracketed parts (also an unclosed trailing bracket), leading
//! names of the region and of its parent regions (`北京市海淀区民政局` and
//! `海淀区民政局` → `民政局` under `110108`), a leading bare level word
//! (`区民政局` in a district), `人民政府` → `政府`, `办公厅` / `政府办` →
//! `办公室`, and a final `街道` / `街道办` → `街道办事处`. Nothing else is guessed: doubtful cases are listed in
//! `agencies.ambiguity` (see [`Ambiguity`]).

use std::collections::BTreeSet;

use anyhow::{Context as _, Result};
use polars::prelude::{
    Column, DataFrame, DataType, IntoLazy, LazyFrame, SortMultipleOptions, col, len, lit,
};
use sha2::{Digest, Sha256};

use crate::regions::{Gazetteer, Levels, resolve};
/// Administrative level of an agency: the gazetteer's levels (the township
/// level covers towns, townships and sub-districts).
pub use ogi_spec::gazetteer::Level;

/// The sector vocabulary (`data/agency_sectors.csv`, embedded in ogi-spec).
pub use ogi_spec::sectors::{SECTORS_CSV, Sector, sectors};

/// Why an agency id may be wrong (listed in `agencies.ambiguity`, never resolved by guessing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ambiguity {
    /// No region code: the id rests on the name alone and is never merged with others.
    NoRegionCode,
    /// The name is only a region name (no agency word): which body reports is unknown.
    NameIsRegion,
    /// Name forms differ in their bracketed parts (e.g. a co-located office); merged.
    BracketForms,
    /// The same name form was seen under more than one region code.
    RegionCodeVaries,
}

impl Ambiguity {
    /// The key written to the datasets.
    pub fn as_str(self) -> &'static str {
        match self {
            Ambiguity::NoRegionCode => "no_region_code",
            Ambiguity::NameIsRegion => "name_is_region",
            Ambiguity::BracketForms => "bracket_forms",
            Ambiguity::RegionCodeVaries => "region_code_varies",
        }
    }
}

/// What one name form tells about its agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The stable id.
    pub agency_id: String,
    /// The core name the id hashes.
    pub core: String,
    /// The name without whitespace and brackets (compared across region codes).
    pub plain: String,
    /// Whether the name had a bracketed part.
    pub bracketed: bool,
    /// Administrative level, when it can be told.
    pub level: Option<Level>,
    /// Sector key (`other` when no pattern matches).
    pub sector: &'static str,
}

/// Full-width and other bracket forms to ASCII parentheses; whitespace removed.
fn squeeze(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' | '［' | '【' | '〔' | '[' => '(',
            '）' | '］' | '】' | '〕' | ']' => ')',
            c => c,
        })
        .collect()
}

/// Drop bracketed parts (nested or unclosed at the end). Returns the rest and
/// whether anything was dropped.
fn drop_brackets(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut dropped = false;
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                dropped = true;
            }
            ')' if depth > 0 => depth -= 1,
            ')' => dropped = true,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    (out, dropped)
}

/// Region-name suffixes whose bare stem also appears in names (`海淀区` → `海淀`).
const REGION_SUFFIXES: [&str; 8] = [
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
];

/// Names of the region and its parents that may prefix an agency name, and
/// their bare stems (`海淀区` → `海淀`), each longest first.
fn region_prefixes(levels: &Levels, region: Option<&str>) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = [&levels.province, &levels.prefecture, &levels.county]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if let Some(r) = region.map(squeeze).filter(|r| !r.is_empty()) {
        names.push(r);
    }
    let mut full = BTreeSet::new();
    let mut stems = BTreeSet::new();
    for n in names {
        if let Some(stem) = REGION_SUFFIXES
            .iter()
            .find_map(|suf| n.strip_suffix(suf))
            .filter(|s| s.chars().count() >= 2)
        {
            stems.insert(stem.to_string());
        }
        full.insert(n);
    }
    let longest_first = |set: BTreeSet<String>| {
        let mut v: Vec<String> = set.into_iter().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        v
    };
    (longest_first(full), longest_first(stems))
}

/// Strip leading region names as long as something remains; when no full
/// name leads, strip one bare stem (`海淀民政局`). Stems never follow a full
/// name, and none is stripped from a name that begins with a sector word,
/// so `公安县公安局` and `公安局` in 公安县 both keep `公安局`.
fn strip_regions(mut s: &str, full: &[String], stems: &[String]) -> String {
    let mut stripped = false;
    'outer: loop {
        for p in full {
            if let Some(rest) = s.strip_prefix(p.as_str()).filter(|r| !r.is_empty()) {
                s = rest;
                stripped = true;
                continue 'outer;
            }
        }
        break;
    }
    if !stripped
        && !starts_with_sector(s)
        && let Some(rest) = stems
            .iter()
            .find_map(|p| s.strip_prefix(p.as_str()).filter(|r| !r.is_empty()))
    {
        s = rest;
    }
    s.to_string()
}

/// A name starts with a sector fragment (`市场监督管理局` must keep its 市).
fn starts_with_sector(s: &str) -> bool {
    sectors()
        .iter()
        .any(|sec| sec.patterns.iter().any(|p| s.starts_with(p.as_str())))
}

/// Unify the office forms: 人民政府 → 政府, a final 办公厅 or 政府办 →
/// 办公室, a final 街道 or 街道办 → 街道办事处 (a sub-district's office
/// titles its reports with or without 办事处).
fn unify_offices(s: &str) -> String {
    let mut s = s.replace("人民政府", "政府");
    if let Some(stem) = s.strip_suffix("办公厅") {
        s = format!("{stem}办公室");
    } else if let Some(stem) = s.strip_suffix("政府办") {
        s = format!("{stem}政府办公室");
    } else if let Some(stem) = s
        .strip_suffix("街道办")
        .or_else(|| s.strip_suffix("街道"))
        .filter(|stem| !stem.is_empty())
    {
        s = format!("{stem}街道办事处");
    }
    s
}

/// The level word a region's own name ends with (区, 县, 市, 省, 旗 …).
fn own_level_char(levels: &Levels) -> Option<char> {
    [&levels.county, &levels.prefecture, &levels.province]
        .into_iter()
        .flatten()
        .next()
        .and_then(|n| n.chars().last())
}

fn is_township(name: &str) -> bool {
    name.contains("街道")
        || ["镇政府", "乡政府", "镇人民政府", "乡人民政府", "苏木"]
            .iter()
            .any(|s| name.ends_with(s))
        || name.ends_with('镇')
        || name.ends_with('乡')
}

/// Level of an agency from its name and region code (gazetteer levels when known).
fn level_of(name: &str, code: Option<&str>, gaz: Option<&Gazetteer>) -> Option<Level> {
    if is_township(name) {
        return Some(Level::Township);
    }
    let code = code.filter(|c| c.len() >= 6 && c.bytes().all(|b| b.is_ascii_digit()))?;
    if code.len() > 6 {
        return Some(Level::Township);
    }
    if let Some(d) = gaz.and_then(|g| g.divisions.get(code)) {
        return Some(d.level);
    }
    Some(if &code[2..] == "0000" {
        Level::Province
    } else if &code[4..] == "00" {
        Level::Prefecture
    } else {
        Level::County
    })
}

/// Sector key from a core name (first vocabulary entry with a matching fragment).
pub fn sector_of(core: &str) -> &'static str {
    sectors()
        .iter()
        .find(|s| s.patterns.iter().any(|p| core.contains(p.as_str())))
        .map_or("other", |s| s.key.as_str())
}

/// The identity of one name form (see the module documentation).
pub fn identify(
    agency: &str,
    region_code: Option<&str>,
    region: Option<&str>,
    gaz: Option<&Gazetteer>,
) -> Identity {
    let levels = resolve(region_code, region, gaz);
    let squeezed = squeeze(agency);
    let (plain, bracketed) = drop_brackets(&squeezed);
    let (full, stems) = region_prefixes(&levels, region);
    let mut core = strip_regions(&plain, &full, &stems);
    // A bare level word (区民政局 in a district), unless it begins a sector word.
    if let Some(c) = own_level_char(&levels).filter(|_| !starts_with_sector(&core)) {
        let rest = core.strip_prefix(c).map(str::to_string);
        if let Some(rest) = rest.filter(|r| starts_with_sector(r)) {
            core = rest;
        }
    }
    let name_only_region = full.iter().chain(&stems).any(|p| *p == plain) || plain.is_empty();
    if name_only_region {
        core = String::new();
    }
    let core = unify_offices(&core);
    let digest = hex::encode(Sha256::digest(core.as_bytes()));
    let agency_id = match region_code.filter(|c| !c.is_empty()) {
        Some(c) => format!("{c}-{}", &digest[..8]),
        None => format!(
            "unknown-{}",
            &hex::encode(Sha256::digest(plain.as_bytes()))[..8]
        ),
    };
    Identity {
        agency_id,
        level: level_of(&plain, region_code, gaz),
        sector: sector_of(&core),
        core,
        plain,
        bracketed,
    }
}

/// Identities of the distinct (agency, region_code, region) triples of `reports`:
/// columns `agency`, `region_code`, `region`, `agency_id`, `agency_core`,
/// `_plain`, `_bracketed`, `agency_level`, `sector`. Rows without an agency
/// get no id.
pub fn lookup(reports: &DataFrame, gaz: Option<&Gazetteer>) -> Result<DataFrame> {
    let triples = reports
        .clone()
        .lazy()
        .select([col("agency"), col("region_code"), col("region")])
        .filter(col("agency").is_not_null())
        .unique_stable(None, polars::prelude::UniqueKeepStrategy::First)
        .collect()
        .context("distinct agency names")?;
    let a = triples.column("agency")?.str()?.clone();
    let c = triples.column("region_code")?.str()?.clone();
    let r = triples.column("region")?.str()?.clone();
    let ids: Vec<Identity> = a
        .iter()
        .zip(c.iter())
        .zip(r.iter())
        .map(|((a, c), r)| identify(a.unwrap_or(""), c, r, gaz))
        .collect();
    let n = ids.len();
    let strs =
        |f: fn(&Identity) -> Option<String>| -> Vec<Option<String>> { ids.iter().map(f).collect() };
    DataFrame::new(
        n,
        vec![
            triples.column("agency")?.clone(),
            triples.column("region_code")?.clone(),
            triples.column("region")?.clone(),
            Column::new("agency_id".into(), strs(|i| Some(i.agency_id.clone()))),
            Column::new("agency_core".into(), strs(|i| Some(i.core.clone()))),
            Column::new("_plain".into(), strs(|i| Some(i.plain.clone()))),
            Column::new(
                "_bracketed".into(),
                ids.iter().map(|i| i.bracketed).collect::<Vec<bool>>(),
            ),
            Column::new(
                "agency_level".into(),
                strs(|i| i.level.map(|l| l.dataset_key().to_string())),
            ),
            Column::new("sector".into(), strs(|i| Some(i.sector.to_string()))),
        ],
    )
    .context("agency lookup frame")
}

/// Join the agency identity columns onto the reports (`agency_id`,
/// `agency_core`, `agency_level`, `sector`; null without an agency).
pub fn with_identity(reports: LazyFrame, lookup: &DataFrame) -> LazyFrame {
    let mut args = polars::prelude::JoinArgs::new(polars::prelude::JoinType::Left);
    args.nulls_equal = true;
    let key = || [col("agency"), col("region_code"), col("region")];
    reports.join(
        lookup.clone().lazy().select([
            col("agency"),
            col("region_code"),
            col("region"),
            col("agency_id"),
            col("agency_core"),
            col("agency_level"),
            col("sector"),
        ]),
        key(),
        key(),
        args,
    )
}

/// The `agencies` dataset from the de-duplicated reports (all years) and the lookup.
///
/// One row per `agency_id`: the name of its latest canonical document, every
/// name form seen, level, sector, region, the years with a canonical report,
/// the number of documents, and the ambiguities.
pub fn agencies(deduped: &DataFrame, lookup: &DataFrame) -> Result<DataFrame> {
    let docs = deduped
        .clone()
        .lazy()
        .filter(
            col("agency_id")
                .is_not_null()
                .and(col("status").neq(lit("not_a_report"))),
        )
        .join(
            lookup.clone().lazy().select([
                col("agency"),
                col("region_code"),
                col("region"),
                col("_plain"),
                col("_bracketed"),
            ]),
            [col("agency"), col("region_code"), col("region")],
            [col("agency"), col("region_code"), col("region")],
            {
                let mut a = polars::prelude::JoinArgs::new(polars::prelude::JoinType::Left);
                a.nulls_equal = true;
                a
            },
        );
    // A plain name under more than one region code.
    let varies = docs
        .clone()
        .group_by([col("_plain")])
        .agg([col("region_code").n_unique().alias("_n_codes")]);
    let canonical = || col("is_canonical").and(col("year").is_not_null());
    let df = docs
        .join(
            varies,
            [col("_plain")],
            [col("_plain")],
            polars::prelude::JoinArgs::new(polars::prelude::JoinType::Left),
        )
        .sort_by_exprs(
            [col("agency_id"), col("year"), col("report_id")],
            SortMultipleOptions::default()
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .group_by_stable([col("agency_id")])
        .agg([
            col("agency")
                .filter(canonical())
                .last()
                .alias("_latest")
                .fill_null(col("agency").last()),
            col("agency")
                .unique()
                .sort(Default::default())
                .alias("name_forms"),
            col("agency")
                .n_unique()
                .cast(DataType::Int32)
                .alias("n_name_forms"),
            col("agency_core").first(),
            col("agency_level").first(),
            col("sector").first(),
            col("region_code").first(),
            col("region").filter(col("region").is_not_null()).last(),
            col("year")
                .filter(canonical())
                .unique()
                .sort(Default::default())
                .cast(DataType::String)
                .alias("years_present"),
            col("year").filter(canonical()).min().alias("first_year"),
            col("year").filter(canonical()).max().alias("last_year"),
            col("year")
                .filter(canonical())
                .n_unique()
                .cast(DataType::Int32)
                .alias("n_years"),
            len().cast(DataType::Int32).alias("n_documents"),
            col("region_code").is_null().any(true).alias("_a_nocode"),
            col("agency_core").eq(lit("")).any(true).alias("_a_region"),
            col("_bracketed")
                .any(true)
                .and(col("agency").n_unique().gt(lit(1)))
                .alias("_a_bracket"),
            col("_n_codes").max().gt(lit(1)).alias("_a_varies"),
        ])
        .with_columns([
            col("_latest").alias("agency"),
            col("name_forms").list().join(lit(";"), true),
            col("years_present").list().join(lit(";"), true),
        ])
        .sort(["agency_id"], SortMultipleOptions::default())
        .collect()
        .context("computing agencies")?;
    with_ambiguity(df)
}

/// Adds `ambiguity`: the semicolon-separated [`Ambiguity`] keys ("" when none).
fn with_ambiguity(mut df: DataFrame) -> Result<DataFrame> {
    let flags = [
        ("_a_nocode", Ambiguity::NoRegionCode),
        ("_a_region", Ambiguity::NameIsRegion),
        ("_a_bracket", Ambiguity::BracketForms),
        ("_a_varies", Ambiguity::RegionCodeVaries),
    ];
    let cols = flags
        .iter()
        .map(|(c, a)| Ok((df.column(c)?.bool()?.clone(), *a)))
        .collect::<Result<Vec<_>>>()?;
    let text: Vec<String> = (0..df.height())
        .map(|i| {
            cols.iter()
                .filter(|(ca, _)| ca.get(i) == Some(true))
                .map(|(_, a)| a.as_str())
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect();
    df.with_column(Column::new("ambiguity".into(), text))?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, code: &str, region: &str) -> Identity {
        identify(name, Some(code), Some(region), None)
    }

    #[test]
    fn parent_region_prefixes_and_brackets_give_one_id() {
        let a = id("北京市海淀区民政局", "110108", "北京市海淀区");
        let b = id("海淀区民政局", "110108", "北京市海淀区");
        let c = id("海淀区民政局（区老龄办）", "110108", "北京市海淀区");
        let d = id("海淀区民政局(区老龄办", "110108", "北京市海淀区");
        let e = id("区民政局", "110108", "北京市海淀区");
        assert_eq!(a.core, "民政局");
        for x in [&b, &c, &d, &e] {
            assert_eq!(x.agency_id, a.agency_id, "{x:?}");
        }
        assert!(c.bracketed && d.bracketed && !a.bracketed);
        assert_eq!(a.sector, "civil_affairs");
        assert_eq!(a.level, Some(Level::County));
        // Another district's bureau and the city's bureau are other agencies.
        assert_ne!(
            id("朝阳区民政局", "110105", "北京市朝阳区").agency_id,
            a.agency_id
        );
        let city = id("北京市民政局", "110000", "北京市");
        assert_ne!(city.agency_id, a.agency_id);
        assert_eq!(city.level, Some(Level::Province));
        assert!(a.agency_id.starts_with("110108-"));
    }

    #[test]
    fn office_forms_are_one_agency() {
        let a = id("河南省人民政府办公厅", "410000", "河南省");
        let b = id("河南省政府办公厅", "410000", "河南省");
        let c = id("河南省人民政府办公室", "410000", "河南省");
        assert_eq!(a.agency_id, b.agency_id);
        assert_eq!(a.agency_id, c.agency_id);
        assert_eq!(a.sector, "general_office");
        let d = id("二七区政府办", "410103", "河南省郑州市二七区");
        let e = id("郑州市二七区人民政府办公室", "410103", "河南省郑州市二七区");
        assert_eq!(d.agency_id, e.agency_id);
        // The government itself is not its office.
        let g = id("郑州市二七区人民政府", "410103", "河南省郑州市二七区");
        assert_ne!(g.agency_id, e.agency_id);
        assert_eq!(g.sector, "government");
    }

    #[test]
    fn levels_sectors_and_doubtful_names() {
        let s = id("红旗路街道办事处", "410503", "河南省安阳市北关区");
        assert_eq!(s.level, Some(Level::Township));
        assert_eq!(s.sector, "government");
        for form in ["北关区红旗路街道", "安阳市北关区红旗路街道办", "红旗路街道"]
        {
            let f = id(form, "410503", "河南省安阳市北关区");
            assert_eq!(f.agency_id, s.agency_id, "{form}");
            assert_eq!(f.level, Some(Level::Township));
        }
        let p = id("安阳市教育局", "410500", "河南省安阳市");
        assert_eq!(p.level, Some(Level::Prefecture));
        assert_eq!(p.sector, "education");
        assert_eq!(id("某某中心", "410500", "河南省安阳市").sector, "other");
        let m = id("安阳市市场监督管理局", "410500", "河南省安阳市");
        assert_eq!(
            (m.core.as_str(), m.sector),
            ("市场监督管理局", "market_regulation")
        );
        let ga = id("公安县公安局", "421022", "湖北省荆州市公安县");
        assert_eq!((ga.core.as_str(), ga.sector), ("公安局", "public_security"));
        assert_eq!(
            id("公安局", "421022", "湖北省荆州市公安县").agency_id,
            ga.agency_id
        );
        let r = id("海淀区", "110108", "北京市海淀区");
        assert_eq!(r.core, "");
        let none = identify("民政局", None, None, None);
        assert!(none.agency_id.starts_with("unknown-"));
        assert_eq!(none.level, None);
    }
}
