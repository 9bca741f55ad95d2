//! Region codes and names: province / prefecture / county from a GB/T 2260
//! code, named from a gazetteer (the bundled one, [`ogi_spec::gazetteer`], or
//! an operator's file of the same shape) when one is used, else parsed from
//! the region string of the document.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use anyhow::{Context as _, Result};
use ogi_spec::gazetteer::{DivisionRow, Level};

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Name, e.g. 北关区.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Parent code ("" for provinces).
    pub parent: String,
}

/// Administrative divisions by code.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Entries by code.
    pub divisions: HashMap<String, Division>,
}

impl Gazetteer {
    /// The bundled gazetteer (`data/gazetteer/divisions.csv`, embedded in `ogi-spec`), indexed once.
    pub fn bundled() -> &'static Gazetteer {
        static BUNDLED: LazyLock<Gazetteer> =
            LazyLock::new(|| Gazetteer::from_rows(ogi_spec::gazetteer::bundled()));
        &BUNDLED
    }

    /// The gazetteer `source` names (`None`: none, names come from the
    /// documents' region strings): the bundled one is shared, a file is read.
    pub fn open(
        source: Option<&crate::GazetteerSource>,
    ) -> Result<Option<std::borrow::Cow<'static, Gazetteer>>> {
        Ok(match source {
            Some(crate::GazetteerSource::Bundled) => {
                Some(std::borrow::Cow::Borrowed(Gazetteer::bundled()))
            }
            Some(crate::GazetteerSource::File(p)) => {
                Some(std::borrow::Cow::Owned(Gazetteer::load(p)?))
            }
            None => None,
        })
    }

    /// Reads a gazetteer CSV with header `code,name,level,parent`.
    pub fn load(path: &Path) -> Result<Gazetteer> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading gazetteer {}", path.display()))?;
        let rows = ogi_spec::gazetteer::parse(&text)
            .with_context(|| format!("gazetteer {}", path.display()))?;
        Ok(Gazetteer::from_rows(&rows))
    }

    /// Indexes gazetteer rows by code (a later row with the same code wins).
    pub fn from_rows(rows: &[DivisionRow]) -> Gazetteer {
        let divisions = rows
            .iter()
            .map(|r| {
                (
                    r.code.clone(),
                    Division {
                        name: r.name.clone(),
                        level: r.level,
                        parent: r.parent.clone(),
                    },
                )
            })
            .collect();
        Gazetteer { divisions }
    }
}

/// Province, prefecture and county of one region (codes and names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    /// Province code (PP0000).
    pub province_code: Option<String>,
    /// Province name.
    pub province: Option<String>,
    /// Prefecture code (PPCC00); none for municipalities' districts.
    pub prefecture_code: Option<String>,
    /// Prefecture name.
    pub prefecture: Option<String>,
    /// County code; none for province- or prefecture-level agencies.
    pub county_code: Option<String>,
    /// County name.
    pub county: Option<String>,
}

const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

/// Index just past the earliest occurrence of any suffix in `s`.
fn earliest_end(s: &str, suffixes: &[&str]) -> Option<usize> {
    suffixes
        .iter()
        .filter_map(|suf| s.find(suf).map(|i| i + suf.len()))
        .min()
}

/// Split a region string like 河南省安阳市北关区 into (province, prefecture, county).
pub fn split_region_name(region: &str, municipality: bool) -> [Option<String>; 3] {
    let region = region.trim();
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let prov_end = if municipality {
        earliest_end(region, &["市"])
    } else {
        earliest_end(region, &["特别行政区", "自治区", "省"])
    };
    let Some(pe) = prov_end else {
        return [None, None, None];
    };
    let (prov, rest) = region.split_at(pe);
    if municipality {
        return [nonempty(prov), None, nonempty(rest)];
    }
    match earliest_end(rest, &["自治州", "地区", "市", "盟"]) {
        Some(fe) => {
            let (pref, county) = rest.split_at(fe);
            [nonempty(prov), nonempty(pref), nonempty(county)]
        }
        None => [nonempty(prov), None, nonempty(rest)],
    }
}

/// Resolve the levels of a region from its code (6 digits), the gazetteer
/// when available, else the region string.
pub fn resolve(code: Option<&str>, region: Option<&str>, gaz: Option<&Gazetteer>) -> Levels {
    let Some(code) = code.filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())) else {
        return Levels::default();
    };
    let municipality = MUNICIPALITIES.contains(&&code[..2]);
    let mut lv = Levels {
        province_code: Some(format!("{}0000", &code[..2])),
        prefecture_code: (&code[2..4] != "00" && !municipality)
            .then(|| format!("{}00", &code[..4])),
        county_code: (&code[4..] != "00").then(|| code.to_string()),
        ..Levels::default()
    };
    if let Some(g) = gaz {
        // Walk the parent chain when the code is known: it is authoritative
        // (municipal districts hang directly under the province).
        let mut cur = g.divisions.get(code).map(|d| (code.to_string(), d));
        if cur.is_some() {
            lv.prefecture_code = None;
            lv.county_code = None;
        }
        while let Some((c, d)) = cur {
            match d.level {
                Level::County => lv.county_code = Some(c.clone()),
                Level::Prefecture => lv.prefecture_code = Some(c.clone()),
                Level::Province => lv.province_code = Some(c.clone()),
                Level::Township => {}
            }
            cur = g
                .divisions
                .get(&d.parent)
                .map(|p| (d.parent.clone(), p))
                .filter(|(pc, _)| *pc != c);
        }
        let name = |c: &Option<String>| {
            c.as_ref()
                .and_then(|c| g.divisions.get(c))
                .map(|d| d.name.clone())
        };
        lv.province = name(&lv.province_code);
        lv.prefecture = name(&lv.prefecture_code);
        lv.county = name(&lv.county_code);
    }
    if let Some(region) = region {
        let [p, f, c] = split_region_name(region, municipality);
        if lv.province.is_none() && lv.province_code.is_some() {
            lv.province = p;
        }
        if lv.prefecture.is_none() && lv.prefecture_code.is_some() {
            lv.prefecture = f;
        }
        if lv.county.is_none() && lv.county_code.is_some() {
            lv.county = c;
        }
    }
    lv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_region_strings() {
        assert_eq!(
            split_region_name("河南省安阳市北关区", false),
            [
                Some("河南省".into()),
                Some("安阳市".into()),
                Some("北关区".into())
            ]
        );
        assert_eq!(
            split_region_name("北京市海淀区", true),
            [Some("北京市".into()), None, Some("海淀区".into())]
        );
        assert_eq!(
            split_region_name("湖北省恩施土家族苗族自治州恩施市", false),
            [
                Some("湖北省".into()),
                Some("恩施土家族苗族自治州".into()),
                Some("恩施市".into())
            ]
        );
        assert_eq!(
            split_region_name("河南省", false),
            [Some("河南省".into()), None, None]
        );
    }

    #[test]
    fn resolves_without_gazetteer() {
        let lv = resolve(Some("410503"), Some("河南省安阳市北关区"), None);
        assert_eq!(lv.province_code.as_deref(), Some("410000"));
        assert_eq!(lv.prefecture_code.as_deref(), Some("410500"));
        assert_eq!(lv.county.as_deref(), Some("北关区"));
        let pref = resolve(Some("410500"), Some("河南省安阳市"), None);
        assert_eq!(pref.county_code, None);
        assert_eq!(pref.prefecture.as_deref(), Some("安阳市"));
        assert_eq!(resolve(Some("41a503"), None, None), Levels::default());
        assert_eq!(resolve(None, Some("河南省"), None), Levels::default());
    }

    #[test]
    fn resolves_with_gazetteer_chain() {
        let rows = ogi_spec::gazetteer::parse(
            "code,name,level,parent\n110000,北京市,province,\n110108,海淀区,county,110000\n\
             410000,河南省,province,\n410500,安阳市,prefecture,410000\n410503,北关区,county,410500\n",
        )
        .unwrap();
        let g = Gazetteer::from_rows(&rows);
        let lv = resolve(Some("410503"), Some("whatever"), Some(&g));
        assert_eq!(lv.prefecture.as_deref(), Some("安阳市"));
        assert_eq!(lv.province.as_deref(), Some("河南省"));
        let bj = resolve(Some("110108"), None, Some(&g));
        assert_eq!(bj.prefecture_code, None);
        assert_eq!(bj.county.as_deref(), Some("海淀区"));
        assert_eq!(bj.province.as_deref(), Some("北京市"));
    }

    #[test]
    fn bundled_gazetteer_names_every_level() {
        let lv = resolve(Some("410103"), None, Some(Gazetteer::bundled()));
        assert_eq!(
            (
                lv.province.as_deref(),
                lv.prefecture.as_deref(),
                lv.county.as_deref()
            ),
            (Some("河南省"), Some("郑州市"), Some("二七区"))
        );
    }
}
