//! Matching normalised document labels against vocabulary labels.
//!
//! Inputs are [`crate::normalize::label_key`] strings. A label matches a
//! candidate exactly, by containing it (the longest contained candidate wins:
//! `其他法律行政法规禁止公开` beats `其他`), or fuzzily (typos such as
//! `本年度止件数` for `本年废止件数`: longest common subsequence ≥ 80 % of
//! both lengths).

/// How a label matched a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// Similar enough (typo).
    Fuzzy,
    /// The label contains the candidate.
    Contains,
    /// Identical.
    Exact,
}

/// The best candidate for `text`: `cands` yields `(id, labels)`.
///
/// Exact beats contains beats fuzzy; among contains, the longest candidate
/// label wins; ties keep the first candidate. Returns `None` when nothing matches.
pub fn best_match<'a, I>(text: &str, cands: I) -> Option<(usize, MatchKind)>
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    best_match_by(text, cands, true)
}

/// [`best_match`], with fuzzy matching only when `fuzzy` is set.
pub fn best_match_by<'a, I>(text: &str, cands: I, fuzzy: bool) -> Option<(usize, MatchKind)>
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    if text.is_empty() {
        return None;
    }
    let mut best: Option<(usize, MatchKind, usize)> = None;
    for (id, labels) in cands {
        for l in labels {
            let (kind, score) = if text == l {
                (MatchKind::Exact, 1000)
            } else if text.contains(l.as_str()) {
                (MatchKind::Contains, l.chars().count())
            } else if let Some(s) = fuzzy.then(|| fuzzy_score(text, l)).flatten() {
                (MatchKind::Fuzzy, s)
            } else {
                continue;
            };
            if best.is_none_or(|(_, k, s)| (kind, score) > (k, s)) {
                best = Some((id, kind, score));
            }
        }
    }
    best.map(|(id, k, _)| (id, k))
}

/// Per-mille similarity when `a` and `b` are near-identical (≥ 4 characters,
/// LCS ≥ 80 % of the longer one), else `None`.
fn fuzzy_score(a: &str, b: &str) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.min(lb) < 4 || la.max(lb) * 4 > la.min(lb) * 5 {
        return None;
    }
    let l = lcs(&a, &b);
    (l * 5 >= la.max(lb) * 4).then(|| l * 1000 / la.max(lb))
}

/// Length of the longest common subsequence.
fn lcs(a: &[char], b: &[char]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &ca in a {
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Every occurrence of a candidate label in `text`, longest labels first and
/// without overlaps, sorted by position: `(byte position, id)`.
pub fn scan<'a, I>(text: &str, cands: I) -> Vec<(usize, usize)>
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    let mut all: Vec<(usize, &str)> = cands
        .into_iter()
        .flat_map(|(id, ls)| ls.iter().map(move |l| (id, l.as_str())))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    all.sort_by_key(|(_, l)| std::cmp::Reverse(l.len()));
    let mut taken: Vec<(usize, usize)> = Vec::new(); // byte ranges
    let mut out = Vec::new();
    for (id, l) in all {
        for (pos, _) in text.match_indices(l) {
            let end = pos + l.len();
            if taken.iter().all(|&(s, e)| end <= s || pos >= e) {
                taken.push((pos, end));
                out.push((pos, id));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: &[&str]) -> Vec<Vec<String>> {
        v.iter().map(|s| vec![s.to_string()]).collect()
    }

    #[test]
    fn exact_beats_contains_and_longest_contained_wins() {
        let cands = c(&["其他", "其他法律行政法规禁止公开", "予以公开"]);
        let it = || cands.iter().enumerate().map(|(i, l)| (i, l.as_slice()));
        assert_eq!(best_match("其他", it()), Some((0, MatchKind::Exact)));
        assert_eq!(
            best_match("公开其他法律行政法规禁止公开", it()),
            Some((1, MatchKind::Contains))
        );
        assert_eq!(
            best_match("本年度办理结果予以公开", it()),
            Some((2, MatchKind::Contains))
        );
        assert_eq!(best_match("处理", it()), None);
    }

    #[test]
    fn typos_match_fuzzily_but_short_labels_do_not() {
        let cands = c(&["本年废止件数", "本年制发件数"]);
        let it = || cands.iter().enumerate().map(|(i, l)| (i, l.as_slice()));
        assert_eq!(
            best_match("本年度止件数", it()),
            Some((0, MatchKind::Fuzzy))
        );
        let short = c(&["其他"]);
        assert_eq!(
            best_match(
                "其它",
                short.iter().enumerate().map(|(i, l)| (i, l.as_slice()))
            ),
            None
        );
    }

    #[test]
    fn scan_prefers_long_labels_without_overlap() {
        let cands = c(&["其他", "法人或其他组织", "自然人", "总计"]);
        let hits = scan(
            "自然人法人或其他组织总计其他",
            cands.iter().enumerate().map(|(i, l)| (i, l.as_slice())),
        );
        let ids: Vec<usize> = hits.iter().map(|h| h.1).collect();
        assert_eq!(ids, vec![2, 1, 3, 0]);
    }
}
