//! Visually confusable characters: `data/gazetteer/confusables.csv` (`a,b,note`),
//! embedded once. OCR and PDF converters misread one character of a place name
//! (`沐` for `沭`, `县` read as `具`); the extractor tries the partner when the
//! gazetteer then reads further. A short symmetric list, never per-document rules.

use crate::CsvTable;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The bundled pairs table: `a,b,note`.
pub const CONFUSABLES_CSV: &str = include_str!("../../data/gazetteer/confusables.csv");

/// Each character's confusable partners (both directions of every pair).
static PARTNERS: LazyLock<HashMap<char, Vec<char>>> = LazyLock::new(|| {
    let t = CsvTable::parse(CONFUSABLES_CSV);
    let one = |s: &str| {
        let mut cs = s.chars();
        let c = cs.next()?;
        cs.next().is_none().then_some(c)
    };
    let mut map: HashMap<char, Vec<char>> = HashMap::new();
    for r in &t.records {
        if let (Some(a), Some(b)) = (one(t.get(r, "a")), one(t.get(r, "b")))
            && a != b
        {
            map.entry(a).or_default().push(b);
            map.entry(b).or_default().push(a);
        }
    }
    map
});

/// The confusable partners of `c` (empty when it has none).
pub fn partners(c: char) -> &'static [char] {
    PARTNERS.get(&c).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_symmetric_pairs() {
        assert!(partners('沐').contains(&'沭'));
        assert!(partners('沭').contains(&'沐'));
        assert!(partners('县').contains(&'具'));
        assert!(partners('的').is_empty());
        let rows = CONFUSABLES_CSV.lines().skip(1).count();
        let pairs: usize = PARTNERS.values().map(Vec::len).sum();
        assert_eq!(
            pairs,
            2 * rows,
            "every row is one pair of single characters"
        );
    }
}
