//! The vocabulary of canonical keys, parsed from the spec CSVs embedded at
//! compile time (`data/spec/*.csv`). Keys and labels are never re-typed here.

use std::sync::OnceLock;

const TABLE2_CSV: &str = include_str!("../../data/spec/table2_cells.csv");
const TABLE3_ROWS_CSV: &str = include_str!("../../data/spec/table3_rows.csv");
const TABLE3_COLUMNS_CSV: &str = include_str!("../../data/spec/table3_columns.csv");
const TABLE4_CSV: &str = include_str!("../../data/spec/table4_cells.csv");

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

fn records(csv_text: &str) -> Vec<csv::StringRecord> {
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    rdr.records().filter_map(Result::ok).collect()
}

fn header_index(csv_text: &str, name: &str) -> Option<usize> {
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().ok()?.clone();
    headers.iter().position(|h| h.trim() == name)
}

/// Parse one spec CSV. `zh` lists the columns whose values, joined by a
/// space, make the Chinese label; `unit_col` names the unit column if any.
fn parse(csv_text: &str, zh: &[&str], en: &str, unit_col: Option<&str>) -> Vec<Term> {
    let key_i = header_index(csv_text, "key").unwrap_or(0);
    let zh_i: Vec<usize> = zh
        .iter()
        .filter_map(|c| header_index(csv_text, c))
        .collect();
    let en_i = header_index(csv_text, en);
    let unit_i = unit_col.and_then(|c| header_index(csv_text, c));
    let section_i = header_index(csv_text, "section");
    records(csv_text)
        .into_iter()
        .filter(|r| r.get(key_i).is_some_and(|k| !k.trim().is_empty()))
        .map(|r| {
            let get = |i: usize| r.get(i).unwrap_or("").trim().to_string();
            let key = get(key_i);
            let unit_raw = unit_i.map(get).unwrap_or_default();
            let unit = if key.contains("_10k_cny") || unit_raw.starts_with("10k") {
                "10k_cny".to_string()
            } else if unit_raw == "count_change" {
                unit_raw.clone()
            } else {
                "count".to_string()
            };
            let mut zh = zh_i
                .iter()
                .map(|&i| get(i))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            // Very short labels (总计) are ambiguous out of context: add the section.
            if let Some(sec) = section_i
                .map(get)
                .filter(|s| !s.is_empty() && zh.chars().count() < 4)
            {
                zh = format!("{sec} {zh}");
            }
            Term {
                zh,
                en: en_i.map(get).unwrap_or_default(),
                unit,
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
            TABLE2_CSV,
            &["item_zh", "measure_zh"],
            "label_en",
            Some("unit"),
        ),
        table3_rows: parse(TABLE3_ROWS_CSV, &["label_zh"], "label_en", None),
        table3_columns: parse(TABLE3_COLUMNS_CSV, &["label_zh"], "label_en", None),
        table4: parse(TABLE4_CSV, &["block_zh", "outcome_zh"], "label_en", None),
    })
}

/// A digest input that changes whenever any vocabulary CSV changes.
pub fn vocabulary_text() -> [&'static str; 4] {
    [TABLE2_CSV, TABLE3_ROWS_CSV, TABLE3_COLUMNS_CSV, TABLE4_CSV]
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
