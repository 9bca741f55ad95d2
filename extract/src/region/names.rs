//! The name forms a division is known by: its full name, its short form
//! without the suffix (`二七区` → `二七`), and the usual abbreviations of
//! autonomous divisions (`恩施州`, `湘西自治州`).

use super::Level;

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
pub(super) fn short_form(name: &str, level: Level) -> Option<String> {
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
pub(super) fn name_forms(name: &str, level: Level) -> Vec<(String, bool)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
