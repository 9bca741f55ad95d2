//! Value labels: the Chinese and English meaning of every coded value of the
//! datasets (`status`, `scope`, `applicant`, `disposition`, `sector`, …).
//! Used by the CSV and XLSX exports (`--lang zh` writes Chinese values) and
//! written as the value-label sheet / `value_labels.csv` of the codebook.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::agencies::sectors;
use crate::vocab::{CATEGORIES, vocabulary};

/// One coded value of a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueLabel {
    /// Column name (in every dataset that has it).
    pub column: &'static str,
    /// The value as stored.
    pub value: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
}

fn fixed(column: &'static str, rows: &[(&str, &str, &str)]) -> Vec<ValueLabel> {
    rows.iter()
        .map(|(v, zh, en)| ValueLabel {
            column,
            value: v.to_string(),
            zh: zh.to_string(),
            en: en.to_string(),
        })
        .collect()
}

/// Columns whose cells hold several coded values separated by `;`.
pub const MULTI_VALUE_COLUMNS: [&str; 1] = ["ambiguity"];

/// Every value label, in a stable order (column, then vocabulary order).
pub fn value_labels() -> &'static [ValueLabel] {
    static L: OnceLock<Vec<ValueLabel>> = OnceLock::new();
    L.get_or_init(|| {
        let v = vocabulary();
        let mut out = Vec::new();
        out.extend(fixed(
            "status",
            &[
                ("parsed", "已解析", "parsed"),
                ("partial", "部分解析", "partly parsed"),
                ("not_a_report", "非年度报告", "not a report"),
                ("needs_ocr", "需OCR识别", "needs OCR"),
                ("needs_conversion", "需格式转换", "needs conversion"),
                ("failed", "无法读取", "failed"),
            ],
        ));
        out.extend(fixed(
            "scope",
            &[
                ("agency", "本机关", "one agency"),
                ("jurisdiction", "本辖区", "whole jurisdiction"),
                ("unknown", "不明", "unknown"),
            ],
        ));
        out.extend(fixed(
            "agency_type",
            &[
                ("subdistrict_office", "街道办事处", "sub-district office"),
                (
                    "government_office",
                    "政府办公室（厅）",
                    "government general office",
                ),
                ("township_government", "乡镇人民政府", "township government"),
                ("government", "人民政府", "people's government"),
                ("commission", "委员会", "commission"),
                ("bureau", "局", "bureau"),
                ("office", "办公室", "office"),
                ("department", "厅", "department"),
                ("center", "中心", "center"),
                ("other", "其他", "other"),
            ],
        ));
        out.extend(fixed(
            "agency_level",
            &[
                ("province", "省级", "province"),
                ("prefecture", "地级", "prefecture"),
                ("county", "县级", "county"),
                ("township_street", "乡镇、街道", "township or sub-district"),
            ],
        ));
        out.extend(fixed(
            "level",
            &[
                ("national", "全国", "national"),
                ("province", "省级", "province"),
                ("prefecture", "地级", "prefecture"),
                ("county", "县级", "county"),
            ],
        ));
        out.extend(fixed(
            "portal_level",
            &[
                ("central", "中央", "central"),
                ("province", "省级", "province"),
                ("prefecture", "地级", "prefecture"),
                ("county", "县级", "county"),
                ("township", "乡镇、街道", "township or sub-district"),
                ("department", "部门", "department"),
            ],
        ));
        out.extend(fixed(
            "published_source",
            &[
                ("list", "栏目列表", "the column's list"),
                ("url", "网址中的日期", "date in the URL"),
                ("meta", "网页元数据", "the page's metadata"),
            ],
        ));
        out.extend(sectors().iter().map(|s| ValueLabel {
            column: "sector",
            value: s.key.clone(),
            zh: s.zh.clone(),
            en: s.en.clone(),
        }));
        out.extend(fixed("sector", &[("other", "其他", "other")]));
        out.extend(v.table3_columns.iter().map(|t| ValueLabel {
            column: "applicant",
            value: t.key.clone(),
            zh: t.zh.clone(),
            en: t.en.clone(),
        }));
        out.extend(v.outcome_rows().map(|t| ValueLabel {
            column: "disposition",
            value: t.key.clone(),
            zh: t.zh.clone(),
            en: t.en.clone(),
        }));
        out.extend(CATEGORIES.iter().map(|(k, zh)| ValueLabel {
            column: "category",
            value: k.to_string(),
            zh: zh.to_string(),
            en: k.replace('_', " "),
        }));
        out.extend(fixed(
            "provenance",
            &[
                ("printed", "印刷数值", "printed"),
                ("inferred", "据勾稽关系推算", "inferred from the identities"),
                ("split", "拆分粘连数字", "split from glued digits"),
                ("blank", "空白", "blank"),
                ("dash", "横线或斜线", "dash"),
                ("na", "无/不适用", "nothing to report"),
                ("ocr", "OCR识别", "read by OCR"),
                (
                    "ocr_inferred",
                    "据OCR数值推算",
                    "inferred from values read by OCR",
                ),
                ("missing", "缺失", "missing"),
                ("narrative", "正文叙述", "stated in the text"),
            ],
        ));
        out.extend(fixed(
            "kind",
            &[
                ("status", "处理状态", "status"),
                ("check", "校验", "check"),
                ("flag", "标记", "flag"),
                ("superseded_by", "被替代", "superseded by"),
            ],
        ));
        out.extend(fixed(
            "ambiguity",
            &[
                ("no_region_code", "无行政区划代码", "no region code"),
                ("name_is_region", "名称仅为地名", "name is only a region"),
                ("bracket_forms", "括号内容不同", "bracketed parts differ"),
                ("region_code_varies", "同名不同区划", "region code varies"),
            ],
        ));
        out
    })
}

/// The label of `value` in `column` (`zh` or English), if the value is coded.
pub fn label(column: &str, value: &str, zh: bool) -> Option<&'static str> {
    static IDX: OnceLock<HashMap<(&'static str, &'static str), &'static ValueLabel>> =
        OnceLock::new();
    let idx = IDX.get_or_init(|| {
        value_labels()
            .iter()
            .map(|l| ((l.column, l.value.as_str()), l))
            .collect()
    });
    let l = idx.get(&(column, value))?;
    Some(if zh { l.zh.as_str() } else { l.en.as_str() })
}

/// Whether a column has value labels.
pub fn is_coded(column: &str) -> bool {
    value_labels().iter().any(|l| l.column == column)
}

/// `value` of `column` in Chinese (unknown values are kept as they are;
/// multi-value cells are translated item by item).
pub fn to_zh(column: &str, value: &str) -> String {
    if MULTI_VALUE_COLUMNS.contains(&column) {
        return value
            .split(';')
            .map(|v| label(column, v, true).unwrap_or(v))
            .collect::<Vec<_>>()
            .join("；");
    }
    label(column, value, true).unwrap_or(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_coded_value_has_both_labels_once() {
        let mut seen = std::collections::BTreeSet::new();
        for l in value_labels() {
            assert!(!l.zh.is_empty() && !l.en.is_empty(), "{l:?}");
            assert!(seen.insert((l.column, l.value.clone())), "duplicate {l:?}");
        }
        assert_eq!(to_zh("applicant", "natural_person"), "自然人");
        assert_eq!(to_zh("status", "parsed"), "已解析");
        assert_eq!(
            to_zh("ambiguity", "bracket_forms;region_code_varies"),
            "括号内容不同；同名不同区划"
        );
        assert_eq!(to_zh("status", "brand_new"), "brand_new");
        assert!(is_coded("sector") && !is_coded("agency"));
    }
}
