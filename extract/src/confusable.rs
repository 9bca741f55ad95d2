//! Visually confusable characters (`沐` for `沭`, `县` read as `具`), from
//! `data/gazetteer/confusables.csv` (embedded once, in [`ogi_spec::confusables`]):
//! OCR and PDF converters misread one character of a place name, and the
//! gazetteer then finds no region.
//!
//! [`variants`] gives the spellings of a text that differ from it in one
//! confusable character; [`crate::region`] keeps the one the gazetteer reads
//! further with (and flags `agency_corrected`). The table is a short list of
//! pairs, symmetric, never per-document rules.

pub use ogi_spec::confusables::partners;

/// Builds the table of partners now (it is parsed from its CSV at the first
/// look-up; see [`crate::warm_up`]), so that a parse does not wait for it.
pub(crate) fn warm_up() {
    let _ = partners('县');
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
    fn one_substitution_at_a_time() {
        let v = variants("沐阳县民政局", 0..3);
        assert!(v.contains(&(0, "沭阳县民政局".to_string())));
        assert!(v.contains(&(2, "沐阳具民政局".to_string())));
        assert!(v.iter().all(|(_, s)| s.chars().count() == 6));
    }
}
