//! Visually confusable characters (`沐` for `沭`, `县` read as `具`), from
//! `data/gazetteer/confusables.csv`: OCR and PDF converters misread one
//! character of a place name, and the gazetteer then finds no region.
//!
//! [`variants`] gives the spellings of a text that differ from it in one
//! confusable character; [`crate::region`] keeps the one the gazetteer reads
//! further with (and flags `agency_corrected`). The table is a short list of
//! pairs, symmetric, never per-document rules.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The pairs table compiled into the crate: `a,b,note`.
const CONFUSABLES_CSV: &str = include_str!("../../data/gazetteer/confusables.csv");

/// Each character's confusable partners (both directions of every pair).
static PARTNERS: LazyLock<HashMap<char, Vec<char>>> = LazyLock::new(|| {
    let mut map: HashMap<char, Vec<char>> = HashMap::new();
    for line in CONFUSABLES_CSV.lines().skip(1) {
        let mut f = line.split(',');
        let one = |s: Option<&str>| {
            let mut cs = s?.trim().chars();
            let c = cs.next()?;
            cs.next().is_none().then_some(c)
        };
        if let (Some(a), Some(b)) = (one(f.next()), one(f.next()))
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

/// Every text that differs from `text` in exactly one confusable character at
/// a char position in `positions`: `(char position, variant)`.
pub fn variants(text: &str, positions: std::ops::Range<usize>) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in positions.filter(|&i| i < chars.len()) {
        for &alt in partners(chars[i]) {
            let mut v = chars.clone();
            v[i] = alt;
            out.push((i, v.into_iter().collect()));
        }
    }
    out
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

    #[test]
    fn one_substitution_at_a_time() {
        let v = variants("沐阳县民政局", 0..3);
        assert!(v.contains(&(0, "沭阳县民政局".to_string())));
        assert!(v.contains(&(2, "沐阳具民政局".to_string())));
        assert!(v.iter().all(|(_, s)| s.chars().count() == 6));
    }
}
