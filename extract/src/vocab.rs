//! The extractor's view of the canonical vocabulary ([`ogi_spec::vocab`],
//! `data/spec/*.csv`, embedded once in `ogi-spec`).
//!
//! Every key the extractor emits comes from these files; Rust code never types
//! a key. Labels (with their aliases) are pre-normalised with
//! [`crate::normalize::label_key`] for matching.

use crate::Template;
use crate::normalize::label_key;
use ogi_spec::CsvTable;
use ogi_spec::vocab::Unit;
use std::sync::LazyLock;

/// Headings of the report parts that hold the tables (and the part after them).
pub const HEADING_TABLE2: &str = "主动公开政府信息情况";
/// Heading of part 三 (table 3).
pub const HEADING_TABLE3: &str = "收到和处理政府信息公开申请情况";
/// Words that all appear in the heading of part 四 (table 4).
pub const HEADING_TABLE4: [&str; 2] = ["行政复议", "行政诉讼"];
/// Heading of part 五, which ends table 4.
pub const HEADING_PART5: &str = "存在的主要问题";
/// Group labels in the table-3 header that are not columns.
pub const TABLE3_HEADER_GROUPS: [&str; 2] = ["法人或其他组织", "申请人情况"];
/// Words a report title contains.
pub const TITLE_WORDS: [&str; 2] = ["政府信息公开", "报告"];

/// Role of a table-3 row in the accounting identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRole {
    /// New requests and requests carried over (left side of C1).
    Received,
    /// An outcome row (summed by C3).
    Outcome,
    /// `processed_total` (C1 right side, C3 total).
    Processed,
    /// `carried_forward` (C1 right side).
    Forward,
}

/// A table-2 cell key: an item (row) × measure (column) of part 二.
#[derive(Debug, Clone)]
pub struct Table2Term {
    /// Canonical key.
    pub key: String,
    /// Item label as printed in the template.
    pub item_zh: String,
    /// Measure label as printed in the template.
    pub measure_zh: String,
    /// Normalised item label and aliases.
    pub items: Vec<String>,
    /// Normalised measure label and aliases.
    pub measures: Vec<String>,
    /// Money in 万元 (decimal) rather than a count.
    pub money: bool,
    /// May be negative (本年增/减).
    pub signed: bool,
    /// Template version the key belongs to.
    pub template: Template,
}

/// A table-3 row key.
#[derive(Debug, Clone)]
pub struct RowTerm {
    /// Canonical key.
    pub key: String,
    /// Section number in the template (`三(三)1`).
    pub section: String,
    /// Label as printed in the template.
    pub label_zh: String,
    /// Normalised label and aliases.
    pub labels: Vec<String>,
    /// Role in the identities.
    pub role: RowRole,
    /// Template versions that have this row.
    pub templates: Vec<Template>,
}

/// A table-3 column key.
#[derive(Debug, Clone)]
pub struct ColTerm {
    /// Canonical key.
    pub key: String,
    /// Label as printed in the template.
    pub label_zh: String,
    /// Normalised label and aliases.
    pub labels: Vec<String>,
    /// The `total` column (C2 left side).
    pub is_total: bool,
}

/// A table-4 cell key: block (review / litigation kind) × outcome.
#[derive(Debug, Clone)]
pub struct Table4Term {
    /// Canonical key.
    pub key: String,
    /// Block label as printed (`行政诉讼 复议后起诉`).
    pub block_zh: String,
    /// Outcome label as printed (`结果维持`).
    pub outcome_zh: String,
    /// Normalised block labels: the last word of `block_zh` and aliases.
    pub blocks: Vec<String>,
    /// Normalised outcome label.
    pub outcome: String,
    /// The block's `*_total` cell.
    pub is_total: bool,
}

/// The whole vocabulary, in CSV order.
#[derive(Debug, Clone)]
pub struct Vocab {
    /// Table-2 keys (both templates).
    pub table2: Vec<Table2Term>,
    /// Table-3 rows (both templates).
    pub rows: Vec<RowTerm>,
    /// Table-3 columns in template order.
    pub cols: Vec<ColTerm>,
    /// Table-4 keys in template order.
    pub table4: Vec<Table4Term>,
    /// For each row (index into `rows`), the rows that come right before it in some template.
    pub rows_before: Vec<Vec<usize>>,
}

impl Vocab {
    /// Table-3 rows of a template, in template order.
    pub fn rows_of(&self, t: Template) -> impl Iterator<Item = &RowTerm> {
        self.rows.iter().filter(move |r| r.templates.contains(&t))
    }

    /// Indices into [`Vocab::rows`] of a template's table-3 rows, in template order.
    pub fn row_indices_of(&self, t: Template) -> Vec<usize> {
        row_indices(&self.rows, t)
    }

    /// Table-2 keys of a template, in CSV order.
    pub fn table2_of(&self, t: Template) -> impl Iterator<Item = &Table2Term> {
        self.table2.iter().filter(move |r| r.template == t)
    }

    /// Index of a table-3 row key in [`Vocab::rows`].
    pub fn row_index(&self, key: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.key == key)
    }

    /// The table-4 blocks (distinct `block_zh`) in template order, each with its keys in outcome order.
    pub fn table4_blocks(&self) -> Vec<Vec<&Table4Term>> {
        let mut out: Vec<Vec<&Table4Term>> = Vec::new();
        for t in &self.table4 {
            match out.iter_mut().find(|b| b[0].block_zh == t.block_zh) {
                Some(b) => b.push(t),
                None => out.push(vec![t]),
            }
        }
        out
    }

    /// Whether row `a` comes right before row `b` in the row order of some template.
    pub fn rows_adjacent(&self, a: &str, b: &str) -> bool {
        match (self.row_index(a), self.row_index(b)) {
            (Some(a), Some(b)) => self.rows_before[b].contains(&a),
            _ => false,
        }
    }
}

/// Indices into `rows` of the rows of template `t`.
fn row_indices(rows: &[RowTerm], t: Template) -> Vec<usize> {
    (0..rows.len())
        .filter(|&i| rows[i].templates.contains(&t))
        .collect()
}

/// For each row, the rows right before it in the order of some template.
fn rows_before(rows: &[RowTerm]) -> Vec<Vec<usize>> {
    let mut before = vec![Vec::new(); rows.len()];
    for t in [Template::V2019, Template::V2021] {
        for w in row_indices(rows, t).windows(2) {
            if !before[w[1]].contains(&w[0]) {
                before[w[1]].push(w[0]);
            }
        }
    }
    before
}

/// Normalised labels of record `r`: the main label followed by the `|`-separated aliases in column `aliases`.
fn labels(t: &CsvTable, r: &csv::StringRecord, main: &str, aliases: &str) -> Vec<String> {
    std::iter::once(main)
        .chain(t.get(r, aliases).split('|'))
        .map(label_key)
        .filter(|s| !s.is_empty())
        .collect()
}

fn templates(s: &str) -> Vec<Template> {
    ogi_spec::vocab::split_list(s)
        .filter_map(|t| match t {
            "2019" => Some(Template::V2019),
            "2021" => Some(Template::V2021),
            _ => None,
        })
        .collect()
}

fn load() -> Vocab {
    let c2 = ogi_spec::vocab::table2();
    let table2 = c2
        .records
        .iter()
        .map(|r| {
            let unit = Unit::parse(c2.get(r, "unit"));
            Table2Term {
                key: c2.get(r, "key").to_string(),
                item_zh: c2.get(r, "item_zh").to_string(),
                measure_zh: c2.get(r, "measure_zh").to_string(),
                items: labels(c2, r, c2.get(r, "item_zh"), "item_aliases_zh"),
                measures: labels(c2, r, c2.get(r, "measure_zh"), "measure_aliases_zh"),
                money: unit == Unit::TenThousandCny,
                signed: unit == Unit::CountChange,
                template: templates(c2.get(r, "template"))
                    .first()
                    .copied()
                    .unwrap_or(Template::V2021),
            }
        })
        .collect();
    let c3 = ogi_spec::vocab::table3_rows();
    let rows: Vec<RowTerm> = c3
        .records
        .iter()
        .map(|r| RowTerm {
            key: c3.get(r, "key").to_string(),
            section: c3.get(r, "section").to_string(),
            label_zh: c3.get(r, "label_zh").to_string(),
            labels: labels(c3, r, c3.get(r, "label_zh"), "aliases_zh"),
            role: match c3.get(r, "role") {
                "received" => RowRole::Received,
                "processed" => RowRole::Processed,
                "forward" => RowRole::Forward,
                _ => RowRole::Outcome,
            },
            templates: templates(c3.get(r, "template")),
        })
        .collect();
    let cc = ogi_spec::vocab::table3_columns();
    let cols = cc
        .records
        .iter()
        .map(|r| ColTerm {
            key: cc.get(r, "key").to_string(),
            label_zh: cc.get(r, "label_zh").to_string(),
            labels: labels(cc, r, cc.get(r, "label_zh"), "aliases_zh"),
            is_total: cc.get(r, "role") == "total",
        })
        .collect();
    let c4 = ogi_spec::vocab::table4();
    let table4 = c4
        .records
        .iter()
        .map(|r| {
            let block_zh = c4.get(r, "block_zh");
            let last_word = block_zh.split_whitespace().last().unwrap_or(block_zh);
            Table4Term {
                key: c4.get(r, "key").to_string(),
                block_zh: block_zh.to_string(),
                outcome_zh: c4.get(r, "outcome_zh").to_string(),
                blocks: labels(c4, r, last_word, "block_aliases_zh"),
                outcome: label_key(c4.get(r, "outcome_zh")),
                is_total: c4.get(r, "role") == "total",
            }
        })
        .collect();
    Vocab {
        table2,
        rows_before: rows_before(&rows),
        rows,
        cols,
        table4,
    }
}

static VOCAB: LazyLock<Vocab> = LazyLock::new(load);

/// The vocabulary, parsed at first use from the embedded CSV files.
pub fn vocab() -> &'static Vocab {
    &VOCAB
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_loads() {
        let v = vocab();
        assert_eq!(v.cols.len(), 7);
        assert_eq!(v.cols.iter().filter(|c| c.is_total).count(), 1);
        assert_eq!(v.rows_of(Template::V2021).count(), 25);
        assert_eq!(v.rows_of(Template::V2019).count(), 23);
        assert_eq!(v.table4.len(), 15);
        assert_eq!(v.table4_blocks().len(), 3);
        assert!(
            v.table4_blocks()
                .iter()
                .all(|b| b.len() == 5 && b.iter().filter(|t| t.is_total).count() == 1)
        );
        assert_eq!(v.table2_of(Template::V2021).count(), 10);
        assert!(v.table2_of(Template::V2019).count() >= 20);
        assert!(
            v.table2
                .iter()
                .any(|t| t.money && t.template == Template::V2019)
        );
        assert!(v.table2.iter().any(|t| t.signed));
    }

    #[test]
    fn keys_are_unique_and_labels_normalised() {
        let v = vocab();
        let mut keys: Vec<&str> = v.table2.iter().map(|t| t.key.as_str()).collect();
        keys.extend(v.rows.iter().map(|t| t.key.as_str()));
        keys.extend(v.table4.iter().map(|t| t.key.as_str()));
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
        assert!(
            v.rows
                .iter()
                .all(|r| !r.labels.is_empty() && r.labels[0] == label_key(&r.label_zh))
        );
        let social = v
            .cols
            .iter()
            .find(|c| c.labels.len() > 1 && !c.is_total)
            .expect("alias column");
        assert!(social.labels.iter().any(|l| l == "社会组织"));
    }

    #[test]
    fn adjacency_follows_template_order() {
        let v = vocab();
        let rows: Vec<&str> = v.rows_of(Template::V2021).map(|r| r.key.as_str()).collect();
        assert!(v.rows_adjacent(rows[4], rows[5]));
        assert!(!v.rows_adjacent(rows[5], rows[4]));
    }
}
