//! The agency sector vocabulary: `data/agency_sectors.csv`
//! (`key,label_zh,label_en,patterns`, patterns `|`-separated), embedded once.
//! The first sector with a pattern found in an agency's core name is its sector.

use crate::CsvTable;
use std::sync::LazyLock;

/// The bundled sector vocabulary CSV.
pub const SECTORS_CSV: &str = include_str!("../../data/agency_sectors.csv");

/// One sector of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sector {
    /// Key written to the datasets, e.g. `civil_affairs`.
    pub key: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Name fragments that mark the sector (first sector with a match wins).
    pub patterns: Vec<String>,
}

static SECTORS: LazyLock<Vec<Sector>> = LazyLock::new(|| {
    let t = CsvTable::parse(SECTORS_CSV);
    t.keyed("key")
        .map(|r| Sector {
            key: t.get(r, "key").to_string(),
            zh: t.get(r, "label_zh").to_string(),
            en: t.get(r, "label_en").to_string(),
            patterns: t
                .get(r, "patterns")
                .split('|')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        })
        .collect()
});

/// The sectors, in matching order (parsed at first use).
pub fn sectors() -> &'static [Sector] {
    &SECTORS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_a_sector_with_labels_and_patterns() {
        assert_eq!(sectors().len(), crate::csvtable::data_lines(SECTORS_CSV));
        for s in sectors() {
            assert!(!s.zh.is_empty() && !s.en.is_empty(), "{}", s.key);
            assert!(!s.patterns.is_empty(), "{} has no pattern", s.key);
        }
        let keys: std::collections::HashSet<_> = sectors().iter().map(|s| &s.key).collect();
        assert_eq!(keys.len(), sectors().len(), "keys are unique");
    }
}
