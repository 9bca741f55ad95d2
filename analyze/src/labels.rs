//! Value labels: the Chinese and English meaning of every coded value of the
//! datasets (`status`, `scope`, `applicant`, `disposition`, `sector`, …).
//! Used by the CSV and XLSX exports (`--lang zh` writes Chinese values) and
//! written as the value-label sheet / `value_labels.csv` of the codebook.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::agencies::sectors;
use crate::vocab::{CATEGORIES, Term, vocabulary};
use ogi_spec::value_labels::label_rows;

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

/// Columns whose cells hold several coded values separated by `;`.
pub const MULTI_VALUE_COLUMNS: [&str; 1] = ["ambiguity"];

/// Every value label, in a stable order: the order of `data/value_labels.csv`,
/// a column's vocabulary codes (sectors, table-3 columns, outcome rows,
/// categories) where the file marks them, in vocabulary order.
pub fn value_labels() -> &'static [ValueLabel] {
    static L: OnceLock<Vec<ValueLabel>> = OnceLock::new();
    L.get_or_init(|| {
        let mut out = Vec::new();
        for r in label_rows() {
            let column = r.column.as_str();
            if r.value.is_empty() {
                out.extend(vocabulary_codes(column).into_iter().map(|(value, zh, en)| {
                    ValueLabel {
                        column,
                        value,
                        zh,
                        en,
                    }
                }));
            } else {
                out.push(ValueLabel {
                    column,
                    value: r.value.clone(),
                    zh: r.zh.clone(),
                    en: r.en.clone(),
                });
            }
        }
        out
    })
}

/// The (value, Chinese, English) codes `column` draws from a vocabulary, in
/// vocabulary order (none for a column that draws none).
fn vocabulary_codes(column: &str) -> Vec<(String, String, String)> {
    let v = vocabulary();
    let term = |t: &Term| (t.key.clone(), t.zh.clone(), t.en.clone());
    match column {
        "sector" => sectors()
            .iter()
            .map(|s| (s.key.clone(), s.zh.clone(), s.en.clone()))
            .collect(),
        "applicant" => v.table3_columns.iter().map(term).collect(),
        "disposition" => v.outcome_rows().map(term).collect(),
        "category" => CATEGORIES
            .iter()
            .map(|(k, zh)| (k.to_string(), zh.to_string(), k.replace('_', " ")))
            .collect(),
        _ => Vec::new(),
    }
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
        // every column the file marks draws its codes from a vocabulary
        for r in label_rows().iter().filter(|r| r.value.is_empty()) {
            assert!(!vocabulary_codes(&r.column).is_empty(), "{r:?}");
        }
    }
}
