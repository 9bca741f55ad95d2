//! A small header-indexed view of one CSV text, for the embedded spec files.

use std::collections::HashMap;

/// One CSV text as header-indexed records. Unreadable records are skipped
/// (the embedded files have none; their tests check every row parses).
#[derive(Debug, Clone, Default)]
pub struct CsvTable {
    header: HashMap<String, usize>,
    /// The data records, in file order.
    pub records: Vec<csv::StringRecord>,
}

impl CsvTable {
    /// Parses `text` (first line: the header; names are trimmed, a BOM is dropped).
    pub fn parse(text: &str) -> CsvTable {
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let header = rdr.headers().map(header_index).unwrap_or_default();
        let records = rdr.records().filter_map(Result::ok).collect();
        CsvTable { header, records }
    }

    /// Index of the column `name`, if the header has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.get(name).copied()
    }

    /// The records whose field `key` is not blank, in file order.
    pub fn keyed<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a csv::StringRecord> {
        self.records
            .iter()
            .filter(move |r| !self.get(r, key).is_empty())
    }

    /// The field `name` of record `r`, trimmed (`""` when absent).
    pub fn get<'a>(&self, r: &'a csv::StringRecord, name: &str) -> &'a str {
        self.column(name)
            .and_then(|i| r.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// Lines of a CSV text that hold a record: every non-blank line but the header.
#[cfg(test)]
pub(crate) fn data_lines(text: &str) -> usize {
    text.lines().filter(|l| !l.trim().is_empty()).count() - 1
}

/// Column index by name; names are trimmed and a leading BOM is dropped.
pub(crate) fn header_index(h: &csv::StringRecord) -> HashMap<String, usize> {
    h.iter()
        .enumerate()
        .map(|(i, s)| (s.trim().trim_start_matches('\u{feff}').to_string(), i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_by_header_name() {
        let t = CsvTable::parse("\u{feff}key, label \na , b\nc,d\n");
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.get(&t.records[0], "key"), "a");
        assert_eq!(t.get(&t.records[0], "label"), "b");
        assert_eq!(t.get(&t.records[1], "missing"), "");
        assert_eq!(t.column("label"), Some(1));
        assert_eq!(t.keyed("key").count(), 2);
        assert_eq!(data_lines("key\n\na\n \nc\n"), 2);
    }
}
