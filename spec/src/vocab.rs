//! The template vocabulary: `data/spec/*.csv`, embedded once.
//!
//! * `table2_cells.csv`: `key,item_zh,measure_zh,unit,label_en,template,item_aliases_zh,measure_aliases_zh`
//!   (`unit` is `count`, `count_change` (may be negative) or `10k CNY (万元)`).
//! * `table3_rows.csv`: `key,section,label_zh,label_en,role,template,aliases_zh`
//!   (`role` is `received`, `outcome`, `processed` or `forward`; `template` is `2019|2021`, `2021` or `2019`).
//! * `table3_columns.csv`: `key,label_zh,aliases_zh,label_en,role` (`role` is `part` or `total`).
//! * `table4_cells.csv`: `key,block_zh,outcome_zh,label_en,role,block_aliases_zh`.
//!
//! Aliases and template lists are `|`-separated. Rust code never types a key:
//! every key comes from these files.

use crate::CsvTable;
use std::sync::LazyLock;

/// `data/spec/table2_cells.csv` (table 2, proactive disclosure).
pub const TABLE2_CSV: &str = include_str!("../../data/spec/table2_cells.csv");
/// `data/spec/table3_rows.csv` (table 3 rows, requests).
pub const TABLE3_ROWS_CSV: &str = include_str!("../../data/spec/table3_rows.csv");
/// `data/spec/table3_columns.csv` (table 3 columns, applicant types).
pub const TABLE3_COLUMNS_CSV: &str = include_str!("../../data/spec/table3_columns.csv");
/// `data/spec/table4_cells.csv` (table 4, review and litigation).
pub const TABLE4_CSV: &str = include_str!("../../data/spec/table4_cells.csv");

/// Every vocabulary file's text, e.g. as digest input (a change to any file changes it).
pub fn texts() -> [&'static str; 4] {
    [TABLE2_CSV, TABLE3_ROWS_CSV, TABLE3_COLUMNS_CSV, TABLE4_CSV]
}

static TABLE2: LazyLock<CsvTable> = LazyLock::new(|| CsvTable::parse(TABLE2_CSV));
static TABLE3_ROWS: LazyLock<CsvTable> = LazyLock::new(|| CsvTable::parse(TABLE3_ROWS_CSV));
static TABLE3_COLUMNS: LazyLock<CsvTable> = LazyLock::new(|| CsvTable::parse(TABLE3_COLUMNS_CSV));
static TABLE4: LazyLock<CsvTable> = LazyLock::new(|| CsvTable::parse(TABLE4_CSV));

/// Table 2 cells, parsed once.
pub fn table2() -> &'static CsvTable {
    &TABLE2
}

/// Table 3 rows, parsed once.
pub fn table3_rows() -> &'static CsvTable {
    &TABLE3_ROWS
}

/// Table 3 columns, parsed once.
pub fn table3_columns() -> &'static CsvTable {
    &TABLE3_COLUMNS
}

/// Table 4 cells, parsed once.
pub fn table4() -> &'static CsvTable {
    &TABLE4
}

/// The `|`-separated items of a field (aliases, template lists), trimmed, empty ones dropped.
pub fn split_list(field: &str) -> impl Iterator<Item = &str> {
    field.split('|').map(str::trim).filter(|s| !s.is_empty())
}

/// Unit of a vocabulary cell, from the `unit` column of `table2_cells.csv`
/// (the other tables hold counts only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A count (requests, documents, decisions).
    Count,
    /// A change of a count over the year (本年增/减): may be negative.
    CountChange,
    /// An amount of money in 万元 (10 000 CNY).
    TenThousandCny,
}

impl Unit {
    /// Reads the `unit` column (`count`, `count_change`, `10k CNY (万元)`); anything else is a count.
    pub fn parse(field: &str) -> Unit {
        let field = field.trim();
        if field.starts_with("10k") {
            Unit::TenThousandCny
        } else if field == "count_change" {
            Unit::CountChange
        } else {
            Unit::Count
        }
    }

    /// `count`, `count_change` or `10k_cny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::CountChange => "count_change",
            Unit::TenThousandCny => "10k_cny",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_every_line() {
        for (text, table) in
            texts()
                .iter()
                .zip([table2(), table3_rows(), table3_columns(), table4()])
        {
            assert_eq!(table.records.len(), crate::csvtable::data_lines(text));
            assert_eq!(table.keyed("key").count(), table.records.len());
        }
    }

    #[test]
    fn units_and_lists() {
        let t = table2();
        let unit = |key: &str| {
            t.records
                .iter()
                .find(|r| t.get(r, "key") == key)
                .map(|r| Unit::parse(t.get(r, "unit")))
        };
        assert_eq!(unit("admin_fees_10k_cny"), Some(Unit::TenThousandCny));
        assert_eq!(unit("regulations_issued"), Some(Unit::Count));
        assert!(
            t.records
                .iter()
                .any(|r| Unit::parse(t.get(r, "unit")) == Unit::CountChange)
        );
        assert_eq!(
            split_list(" 2019 | 2021|").collect::<Vec<_>>(),
            ["2019", "2021"]
        );
    }
}
