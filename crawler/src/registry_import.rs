//! Import of a seed list of portals (CSV: `agency, level, region, region_code,
//! home_url, report_column_url, platform, source, xxgk_url, notes`) into registry
//! entries, one TOML file per province under `data/portals/`. Every row becomes
//! a valid entry or a named error; region codes are checked against a gazetteer
//! the caller supplies, and mismatches are reported.

use crate::platforms::Platform;
use crate::portals::{AgencyLevel, ListRules, Portal, ReportRules};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use url::Url;

/// One row of the seed CSV.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedRow {
    /// Agency (the portal's owner).
    pub agency: String,
    /// `province`, `prefecture`, `county`, `township` or `department`.
    pub level: String,
    /// Region name (`广东省深圳市`, `中央`).
    pub region: String,
    /// GB/T 2260 code, possibly empty.
    pub region_code: String,
    /// Home page.
    pub home_url: String,
    /// Report column, when known.
    #[serde(default)]
    pub report_column_url: String,
    /// Platform guess (free text: `gkmlpt`, `hanweb-jpage`, `TRS-static (inferred)`, …).
    #[serde(default)]
    pub platform: String,
    /// Where the row came from.
    #[serde(default)]
    pub source: String,
    /// 信息公开 entry page.
    #[serde(default)]
    pub xxgk_url: String,
    /// Free-text notes.
    #[serde(default)]
    pub notes: String,
}

/// What the gazetteer says about a code: (division name, full name from the province down).
pub type Division = (String, String);

/// A row that could not become an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// CSV line number (header = line 1).
    pub line: usize,
    /// The row's agency.
    pub agency: String,
    /// Why.
    pub reason: String,
}

/// A region code the gazetteer does not confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionMismatch {
    /// CSV line number.
    pub line: usize,
    /// Portal id of the entry.
    pub id: String,
    /// Region as the seed names it.
    pub region: String,
    /// Code as the seed gives it.
    pub code: String,
    /// What the gazetteer says (`not in the gazetteer`, or its name for the code).
    pub gazetteer: String,
}

/// Result of an import.
#[derive(Debug, Default)]
pub struct Import {
    /// Valid entries by province file stem (`44-guangdong`, `00-central`).
    pub files: BTreeMap<String, Vec<Portal>>,
    /// Rows that became no entry.
    pub errors: Vec<RowError>,
    /// Region codes the gazetteer does not confirm (the entry keeps a code only
    /// when the gazetteer knows it).
    pub mismatches: Vec<RegionMismatch>,
    /// Rows read.
    pub rows: usize,
}

impl Import {
    /// Entries imported.
    pub fn entries(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// Province file stems by the first two digits of a region code.
const PROVINCES: &[(&str, &str, &str)] = &[
    ("11", "北京", "beijing"),
    ("12", "天津", "tianjin"),
    ("13", "河北", "hebei"),
    ("14", "山西", "shanxi"),
    ("15", "内蒙古", "neimenggu"),
    ("21", "辽宁", "liaoning"),
    ("22", "吉林", "jilin"),
    ("23", "黑龙江", "heilongjiang"),
    ("31", "上海", "shanghai"),
    ("32", "江苏", "jiangsu"),
    ("33", "浙江", "zhejiang"),
    ("34", "安徽", "anhui"),
    ("35", "福建", "fujian"),
    ("36", "江西", "jiangxi"),
    ("37", "山东", "shandong"),
    ("41", "河南", "henan"),
    ("42", "湖北", "hubei"),
    ("43", "湖南", "hunan"),
    ("44", "广东", "guangdong"),
    ("45", "广西", "guangxi"),
    ("46", "海南", "hainan"),
    ("50", "重庆", "chongqing"),
    ("51", "四川", "sichuan"),
    ("52", "贵州", "guizhou"),
    ("53", "云南", "yunnan"),
    ("54", "西藏", "xizang"),
    ("61", "陕西", "shaanxi"),
    ("62", "甘肃", "gansu"),
    ("63", "青海", "qinghai"),
    ("64", "宁夏", "ningxia"),
    ("65", "新疆", "xinjiang"),
];

/// The registry file stem of a row: its province, else `00-central`.
fn file_stem(code: &str, region: &str) -> Option<String> {
    if region.trim() == "中央" {
        return Some("00-central".into());
    }
    PROVINCES
        .iter()
        .find(|(c, name, _)| code.starts_with(c) || region.starts_with(name))
        .map(|(c, _, slug)| format!("{c}-{slug}"))
}

/// The registry platform of a seed's free-text guess (unknown guesses → generic).
pub fn platform_of(guess: &str) -> Platform {
    let g = guess.to_ascii_lowercase();
    if g.starts_with("gkmlpt") {
        Platform::Gkmlpt
    } else if g.starts_with("hanweb-xxgk") {
        Platform::HanwebXxgk
    } else if g.starts_with("hanweb") || g.starts_with("col/") {
        Platform::HanwebJpage
    } else if g.contains("jpaas") {
        Platform::Jpaas
    } else if g.starts_with("trs") {
        Platform::TrsStatic
    } else {
        Platform::Generic
    }
}

fn level_of(level: &str, region: &str) -> Option<AgencyLevel> {
    Some(match level.trim() {
        "province" => AgencyLevel::Province,
        "prefecture" => AgencyLevel::Prefecture,
        "county" => AgencyLevel::County,
        "township" => AgencyLevel::Township,
        "department" if region.trim() == "中央" => AgencyLevel::Central,
        "department" => AgencyLevel::Department,
        _ => return None,
    })
}

/// Portal id from a URL: host without `www.`, dots → `-`, plus the directories
/// of the path when the site lives under a prefix on a shared host
/// (`gdmx-gov-cn-mzmxnkzzf`, `jiangsu-chinatax-gov-cn-col-col8970`).
pub fn id_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let mut id = host.replace('.', "-");
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        if last && seg.contains('.') {
            break;
        }
        id.push('-');
        id.push_str(&seg.to_ascii_lowercase());
    }
    let id: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    id.trim_matches('-').to_string()
}

/// Hosts of a site: the URL's host and its `www.` twin.
fn hosts_of(url: &Url, out: &mut Vec<String>) {
    let Some(h) = url.host_str().map(str::to_ascii_lowercase) else {
        return;
    };
    let twin = match h.strip_prefix("www.") {
        Some(bare) => bare.to_string(),
        None => format!("www.{h}"),
    };
    for x in [h, twin] {
        if !out.contains(&x) {
            out.push(x);
        }
    }
}

fn parse_url(s: &str, field: &str) -> Result<Option<Url>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let u = Url::parse(s).map_err(|e| format!("{field} {s:?} is not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("{field} {s:?} is not http(s)"));
    }
    Ok(Some(u))
}

/// Turns the seed CSV into entries. `gazetteer(code)` answers the division of a
/// six-digit code. Nothing is written.
pub fn import(csv_text: &str, gazetteer: &dyn Fn(&str) -> Option<Division>) -> Import {
    let mut out = Import::default();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv_text.as_bytes());
    for (i, rec) in rdr.deserialize::<SeedRow>().enumerate() {
        let line = i + 2;
        out.rows += 1;
        let row = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(RowError {
                    line,
                    agency: String::new(),
                    reason: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let err = |reason: String| RowError {
            line,
            agency: row.agency.clone(),
            reason,
        };
        match entry(&row, line, gazetteer, &mut out.mismatches) {
            Ok((stem, p)) => {
                if let Some(prev) = ids.get(&p.id) {
                    out.errors
                        .push(err(format!("same site as line {prev} (id {:?})", p.id)));
                    continue;
                }
                if let Err(e) = p.validate() {
                    out.errors.push(err(format!("invalid entry: {e:#}")));
                    continue;
                }
                ids.insert(p.id.clone(), line);
                out.files.entry(stem).or_default().push(p);
            }
            Err(reason) => out.errors.push(err(reason)),
        }
    }
    out
}

fn entry(
    row: &SeedRow,
    line: usize,
    gazetteer: &dyn Fn(&str) -> Option<Division>,
    mismatches: &mut Vec<RegionMismatch>,
) -> Result<(String, Portal), String> {
    if row.agency.trim().is_empty() {
        return Err("no agency name".into());
    }
    let home = parse_url(&row.home_url, "home_url")?.ok_or("no home_url")?;
    let column = parse_url(&row.report_column_url, "report_column_url")?;
    let xxgk = parse_url(&row.xxgk_url, "xxgk_url")?;
    let level = level_of(&row.level, &row.region)
        .ok_or_else(|| format!("unknown level {:?}", row.level))?;
    let stem = file_stem(&row.region_code, &row.region).ok_or_else(|| {
        format!(
            "no province for region {:?} / code {:?}",
            row.region, row.region_code
        )
    })?;
    let id = id_of(&home);
    let mut notes: Vec<String> = Vec::new();
    let mut code = row.region_code.trim().to_string();
    if !code.is_empty() {
        let division = (code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()))
            .then(|| gazetteer(&code))
            .flatten();
        match division {
            None => {
                mismatches.push(RegionMismatch {
                    line,
                    id: id.clone(),
                    region: row.region.clone(),
                    code: code.clone(),
                    gazetteer: "not in the gazetteer".into(),
                });
                notes.push(format!(
                    "seed region_code {code} is not in the gazetteer (left blank)"
                ));
                code.clear();
            }
            Some((name, full)) => {
                let region = row.region.trim();
                // Seeds shorten names (`罗城县` for 罗城仫佬族自治县): the region must at
                // least carry the division's first two characters.
                let stem: String = name.chars().take(2).collect();
                if !(region == full || region.ends_with(&name) || region.contains(&stem)) {
                    mismatches.push(RegionMismatch {
                        line,
                        id: id.clone(),
                        region: row.region.clone(),
                        code: code.clone(),
                        gazetteer: full.clone(),
                    });
                    notes.push(format!(
                        "region_code {code} is {full} in the gazetteer, the seed says {region}"
                    ));
                }
            }
        }
    }
    let mut allowed = Vec::new();
    for u in [Some(&home), column.as_ref(), xxgk.as_ref()]
        .into_iter()
        .flatten()
    {
        if crate::probe::same_site(&home, u) {
            hosts_of(u, &mut allowed);
        }
    }
    let mut start_urls = Vec::new();
    if let Some(c) = &column {
        if !crate::probe::same_site(&home, c) {
            hosts_of(c, &mut allowed);
        }
        start_urls.push(c.to_string());
    }
    if !row.platform.trim().is_empty() {
        notes.push(format!("platform guess: {}", row.platform.trim()));
    }
    if let Some(x) = &xxgk {
        notes.push(format!("xxgk: {x}"));
    }
    if !row.notes.trim().is_empty() {
        notes.push(row.notes.trim().to_string());
    }
    if !row.source.trim().is_empty() {
        notes.push(format!("source: {}", row.source.trim()));
    }
    let p = Portal {
        id,
        name: row.agency.trim().to_string(),
        region: row.region.trim().to_string(),
        region_code: code,
        level: Some(level),
        home_url: Some(home.to_string()),
        platform: Some(platform_of(&row.platform)),
        discovery: None,
        tls: None,
        notes: (!notes.is_empty()).then(|| notes.join("; ")),
        start_urls,
        allowed_hosts: allowed,
        rate: None,
        concurrency: None,
        encoding: None,
        list: ListRules::default(),
        api: None,
        reports: ReportRules::default(),
    };
    Ok((stem, p))
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

/// The compact TOML of entries: only the fields set (list and report rules stay
/// at their defaults for platform portals).
pub fn to_toml(header: &str, portals: &[Portal]) -> String {
    let mut s = String::new();
    for l in header.lines() {
        let _ = writeln!(s, "# {l}");
    }
    for p in portals {
        let _ = writeln!(s, "\n[[portal]]");
        let _ = writeln!(s, "id = {}", q(&p.id));
        let _ = writeln!(s, "name = {}", q(&p.name));
        if let Some(l) = p.level {
            let _ = writeln!(s, "level = {}", q(l.as_str()));
        }
        let _ = writeln!(s, "region = {}", q(&p.region));
        let _ = writeln!(s, "region_code = {}", q(&p.region_code));
        if let Some(h) = &p.home_url {
            let _ = writeln!(s, "home_url = {}", q(h));
        }
        if let Some(pf) = p.platform {
            let _ = writeln!(s, "platform = {}", q(pf.as_str()));
        }
        if !p.start_urls.is_empty() {
            let _ = writeln!(s, "start_urls = {}", list(&p.start_urls));
        }
        let _ = writeln!(s, "allowed_hosts = {}", list(&p.allowed_hosts));
        if p.tls_insecure() {
            let _ = writeln!(s, "tls = \"insecure\"");
        }
        if let Some(n) = &p.notes {
            let _ = writeln!(s, "notes = {}", q(n));
        }
        if let Some(d) = &p.discovery {
            let conf = serde_json::to_value(d.confidence)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let _ = write!(
                s,
                "discovery = {{ rule = {}, confidence = {}",
                q(&d.rule),
                q(&conf)
            );
            if let Some(at) = &d.probed_at {
                let _ = write!(s, ", probed_at = {}", q(at));
            }
            let _ = writeln!(s, " }}");
        }
    }
    s
}

/// Writes one `<stem>.toml` per province into `dir` (atomically), returning the paths.
pub fn write(dir: &Path, imp: &Import, source: &str) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut paths = Vec::new();
    for (stem, portals) in &imp.files {
        let header = format!(
            "Portal registry, {stem}: {} entries imported by `ogi portals import` from {source}.\n\
             Fields are documented in data/portals.toml. Columns are discovered from home_url\n\
             unless start_urls names them; edit entries freely, a re-import overwrites this file.",
            portals.len()
        );
        let path = dir.join(format!("{stem}.toml"));
        ogi_util::write_atomic(&path, to_toml(&header, portals).as_bytes())?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaz(code: &str) -> Option<Division> {
        match code {
            "440000" => Some(("广东省".into(), "广东省".into())),
            "441403" => Some(("梅县区".into(), "广东省梅州市梅县区".into())),
            _ => None,
        }
    }

    const CSV: &str = "agency,level,region,region_code,home_url,report_column_url,platform,source,xxgk_url,notes
广东省人民政府,province,广东省,440000,http://www.gd.gov.cn,,gkmlpt,s,,
南口镇,township,广东省梅州市梅县区,441403,https://www.gdmx.gov.cn/mzmxnkzzf/,,gkmlpt,s,https://www.gdmx.gov.cn/mzmxnkzzf/gkmlpt/index,
某局,department,广东省,449999,https://a.gd.gov.cn/,https://a.gd.gov.cn/zfxxgknb/,TRS-static,s,,
重复,province,广东省,440000,http://gd.gov.cn/,,,s,,
坏,county,广东省,440000,not a url,,,s,,
退役军人事务部,department,中央,,https://www.mva.gov.cn/,https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/,,s,,
";

    #[test]
    fn rows_become_entries_or_named_errors() {
        let imp = import(CSV, &gaz);
        assert_eq!(imp.rows, 6);
        assert_eq!(imp.entries() + imp.errors.len(), 6);
        let gd = &imp.files["44-guangdong"];
        assert_eq!(gd[0].id, "gd-gov-cn");
        assert_eq!(gd[0].allowed_hosts, ["www.gd.gov.cn", "gd.gov.cn"]);
        assert_eq!(gd[1].id, "gdmx-gov-cn-mzmxnkzzf");
        assert_eq!(gd[2].region_code, "", "unknown code is blanked, not kept");
        assert_eq!(gd[2].platform, Some(Platform::TrsStatic));
        assert_eq!(imp.mismatches.len(), 1);
        assert_eq!(imp.mismatches[0].code, "449999");
        let central = &imp.files["00-central"];
        assert_eq!(central[0].level, Some(AgencyLevel::Central));
        assert!(
            imp.errors
                .iter()
                .any(|e| e.line == 5 && e.reason.contains("same site"))
        );
        assert!(
            imp.errors
                .iter()
                .any(|e| e.line == 6 && e.reason.contains("home_url"))
        );
        let text = to_toml("h", gd);
        let back = crate::portals::parse_portals(&text).expect("written TOML loads");
        assert_eq!(back.len(), gd.len());
        assert_eq!(back[1].home_url, gd[1].home_url);
    }
}
