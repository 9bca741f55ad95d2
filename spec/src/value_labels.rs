//! The value labels of the datasets' coded columns: `data/value_labels.csv`
//! (`column,value,label_zh,label_en`), embedded once, in codebook order.
//!
//! A row with an empty `value` stands, at its place, for the codes a column
//! draws from a vocabulary (`sector`: the agency sectors; `applicant`: the
//! table-3 columns; `disposition`: the table-3 outcome rows; `category`: the
//! proactive-disclosure categories); the analyze stage fills them in.

use crate::CsvTable;
use std::sync::LazyLock;

/// The bundled value-label CSV.
pub const VALUE_LABELS_CSV: &str = include_str!("../../data/value_labels.csv");

/// One row of the value-label file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRow {
    /// Column name (in every dataset that has it).
    pub column: String,
    /// The value as stored; empty: the column's vocabulary codes go here.
    pub value: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
}

static ROWS: LazyLock<Vec<LabelRow>> = LazyLock::new(|| {
    let t = CsvTable::parse(VALUE_LABELS_CSV);
    t.keyed("column")
        .map(|r| {
            let field = |name| t.get(r, name).to_string();
            LabelRow {
                column: field("column"),
                value: field("value"),
                zh: field("label_zh"),
                en: field("label_en"),
            }
        })
        .collect()
});

/// The rows, in file order (parsed at first use).
pub fn label_rows() -> &'static [LabelRow] {
    &ROWS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_a_row_and_every_coded_row_has_both_labels() {
        assert_eq!(
            label_rows().len(),
            crate::csvtable::data_lines(VALUE_LABELS_CSV)
        );
        for r in label_rows() {
            assert_eq!(
                r.value.is_empty(),
                r.zh.is_empty() && r.en.is_empty(),
                "{r:?}"
            );
        }
        let drawn: Vec<&str> = label_rows()
            .iter()
            .filter(|r| r.value.is_empty())
            .map(|r| r.column.as_str())
            .collect();
        assert_eq!(drawn, ["sector", "applicant", "disposition", "category"]);
    }
}
