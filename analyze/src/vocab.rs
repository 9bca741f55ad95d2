//! The codebook's view of the vocabulary of canonical keys ([`ogi_spec::vocab`],
//! `data/spec/*.csv`, embedded once in `ogi-spec`). Keys and labels are never
//! re-typed here.

use ogi_spec::CsvTable;
use ogi_spec::vocab::Unit;
use std::sync::OnceLock;

/// One canonical key of the vocabulary with its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Canonical key, e.g. `granted` or `review_upheld`.
    pub key: String,
    /// Chinese label as printed in the template.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Unit: `count`, `count_change` (may be negative) or `10k_cny` (万元).
    pub unit: String,
}

impl Term {
    /// True when the value is an amount of money in 万元 (10 000 CNY).
    pub fn is_fee(&self) -> bool {
        self.unit == "10k_cny"
    }
}

/// The whole vocabulary (tables 2, 3 and 4).
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Table 2 cells (proactive disclosure), in CSV order.
    pub table2: Vec<Term>,
    /// Table 3 rows (requests), in CSV order.
    pub table3_rows: Vec<Term>,
    /// Table 3 columns (applicant types), in CSV order.
    pub table3_columns: Vec<Term>,
    /// Table 4 cells (review and litigation), in CSV order.
    pub table4: Vec<Term>,
}

/// Table-3 rows that are not outcomes (the flow rows of identity C1).
pub const FLOW_ROWS: [&str; 4] = [
    "new_received",
    "carried_over_in",
    "processed_total",
    "carried_forward",
];

/// Disposition categories in display order, with their Chinese labels.
pub const CATEGORIES: [(&str, &str); 6] = [
    ("granted", "予以公开"),
    ("partial", "部分公开"),
    ("denied", "不予公开"),
    ("unavailable", "无法提供"),
    ("not_processed", "不予处理"),
    ("other", "其他处理"),
];

impl Vocabulary {
    /// The outcome rows of table 3 (every row except the flow rows).
    pub fn outcome_rows(&self) -> impl Iterator<Item = &Term> {
        self.table3_rows
            .iter()
            .filter(|t| !FLOW_ROWS.contains(&t.key.as_str()))
    }

    /// Table-3 row term by key.
    pub fn row(&self, key: &str) -> Option<&Term> {
        self.table3_rows.iter().find(|t| t.key == key)
    }

    /// All table-4 keys that belong to a block (`review`, `lit_direct`, `lit_after_review`).
    pub fn table4_block(&self, block: &str) -> Vec<&Term> {
        self.table4
            .iter()
            .filter(|t| {
                t.key
                    .strip_prefix(block)
                    .is_some_and(|r| r.starts_with('_'))
            })
            .collect()
    }
}

/// Category of a table-3 outcome row key (`granted`, `partial`, `denied`,
/// `unavailable`, `not_processed`, `other`), from its key prefix.
pub fn category_of(row_key: &str) -> Option<&'static str> {
    if row_key == "granted" {
        Some("granted")
    } else if row_key == "partially_granted" {
        Some("partial")
    } else if row_key.starts_with("denied_") {
        Some("denied")
    } else if row_key.starts_with("unavailable_") {
        Some("unavailable")
    } else if row_key.starts_with("not_processed_") {
        Some("not_processed")
    } else if row_key.starts_with("other_") {
        Some("other")
    } else {
        None
    }
}

/// The terms of one spec table. `zh` lists the columns whose values, joined by a
/// space, make the Chinese label; `unit_col` names the unit column if any.
fn parse(table: &CsvTable, zh: &[&str], en: &str, unit_col: Option<&str>) -> Vec<Term> {
    table
        .records
        .iter()
        .filter(|r| !table.get(r, "key").is_empty())
        .map(|r| {
            let key = table.get(r, "key").to_string();
            let unit = match unit_col.map(|c| Unit::parse(table.get(r, c))) {
                _ if key.contains("_10k_cny") => Unit::TenThousandCny,
                Some(u) => u,
                None => Unit::Count,
            };
            let mut zh = zh
                .iter()
                .map(|c| table.get(r, c))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            // Very short labels (总计) are ambiguous out of context: add the section.
            let section = table.get(r, "section");
            if !section.is_empty() && zh.chars().count() < 4 {
                zh = format!("{section} {zh}");
            }
            Term {
                zh,
                en: table.get(r, en).to_string(),
                unit: unit.as_str().to_string(),
                key,
            }
        })
        .collect()
}

/// The vocabulary, parsed once from the embedded CSVs.
pub fn vocabulary() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(|| Vocabulary {
        table2: parse(
            ogi_spec::vocab::table2(),
            &["item_zh", "measure_zh"],
            "label_en",
            Some("unit"),
        ),
        table3_rows: parse(
            ogi_spec::vocab::table3_rows(),
            &["label_zh"],
            "label_en",
            None,
        ),
        table3_columns: parse(
            ogi_spec::vocab::table3_columns(),
            &["label_zh"],
            "label_en",
            None,
        ),
        table4: parse(
            ogi_spec::vocab::table4(),
            &["block_zh", "outcome_zh"],
            "label_en",
            None,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_parses_every_table() {
        let v = vocabulary();
        assert!(
            v.table2
                .iter()
                .any(|t| t.key == "admin_fees_10k_cny" && t.is_fee())
        );
        assert!(
            v.table2
                .iter()
                .any(|t| t.key == "regulations_issued" && !t.is_fee())
        );
        assert_eq!(v.table3_columns.len(), 7);
        assert_eq!(
            v.table3_columns.last().map(|t| t.key.as_str()),
            Some("total")
        );
        assert_eq!(v.table4.len(), 15);
        assert_eq!(v.table4_block("review").len(), 5);
        assert_eq!(v.table4_block("lit_direct").len(), 5);
        assert!(v.outcome_rows().all(|t| category_of(&t.key).is_some()));
        assert!(FLOW_ROWS.iter().all(|k| v.row(k).is_some()));
        assert_eq!(v.row("granted").map(|t| t.zh.as_str()), Some("予以公开"));
    }

    #[test]
    fn categories_follow_key_prefixes() {
        assert_eq!(category_of("partially_granted"), Some("partial"));
        assert_eq!(category_of("denied_third_party"), Some("denied"));
        assert_eq!(category_of("other_total_2019"), Some("other"));
        assert_eq!(category_of("new_received"), None);
    }
}
