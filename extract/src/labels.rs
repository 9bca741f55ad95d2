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
    best_match_with(text, cands, fuzzy, false)
}

/// [`best_match_by`] for row labels: a short label (fewer than
/// [`NEAR_MIN_CHARS`] characters: `其他`, `总计`) counts as contained only at
/// the end of `text`, where a row's own label stands (`3、其他`), not inside
/// other words (`不计其他情形`, `其他法律…`).
pub fn row_match<'a, I>(text: &str, cands: I, fuzzy: bool) -> Option<(usize, MatchKind)>
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    best_match_with(text, cands, fuzzy, true)
}

/// [`best_match_by`]; with `short_at_end`, short labels are contained only as a suffix.
fn best_match_with<'a, I>(
    text: &str,
    cands: I,
    fuzzy: bool,
    short_at_end: bool,
) -> Option<(usize, MatchKind)>
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    if text.is_empty() {
        return None;
    }
    let mut best: Option<(usize, MatchKind, usize)> = None;
    for (id, labels) in cands {
        for l in labels {
            let contained = if short_at_end && l.chars().count() < NEAR_MIN_CHARS {
                text.ends_with(l.as_str())
            } else {
                text.contains(l.as_str())
            };
            let (kind, score) = if text == l {
                (MatchKind::Exact, 1000)
            } else if contained {
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

/// The candidate `text` is a long typo of (fuzzy, see [`best_match`]), when
/// the matched label has at least `min_chars` characters.
pub fn long_fuzzy_match<'a, I>(text: &str, cands: I, min_chars: usize) -> Option<usize>
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    let mut best: Option<(usize, usize)> = None;
    for (id, labels) in cands {
        for l in labels.iter().filter(|l| l.chars().count() >= min_chars) {
            if let Some(s) = fuzzy_score(text, l)
                && best.is_none_or(|(_, b)| s > b)
            {
                best = Some((id, s));
            }
        }
    }
    best.map(|(id, _)| id)
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

/// Shortest label [`near_match`] tolerates a wrong character in: in shorter
/// ones one character is too large a share (`其它` is not `其他`'s row).
pub const NEAR_MIN_CHARS: usize = 4;

/// What [`near_match`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Near {
    /// No candidate is one character away.
    None,
    /// Exactly one candidate is.
    One(usize),
    /// Several candidates are (their ids, sorted): `text` does not tell which.
    Ambiguous(Vec<usize>),
}

/// The candidate one wrong character away from `text`, the way OCR and
/// converters misread labels (`子以公开` for `予以公开`, `申请人作期未按…` for
/// `申请人逾期未按…`): `text` is one substitution, insertion or deletion away
/// from a candidate label, or (with `within`) contains a stretch that differs
/// from one in a single character. Only labels of at least [`NEAR_MIN_CHARS`]
/// characters count; several candidates that fit equally give [`Near::Ambiguous`].
///
/// Look for stretches only in the text of one cell or line: across the
/// boundary of two pieces a stretch is easily one character from a short
/// label (`…要求` + `他处理` holds `求他处理`, one from `其他处理`).
pub fn near_match<'a, I>(text: &str, cands: I, within: bool) -> Near
where
    I: IntoIterator<Item = (usize, &'a [String])>,
{
    let t: Vec<char> = text.chars().collect();
    if t.len() < NEAR_MIN_CHARS {
        return Near::None;
    }
    // the longest fitting label wins (as with contained labels); ids that tie are ambiguous
    let mut best: Option<(usize, Vec<usize>)> = None;
    for (id, labels) in cands {
        for l in labels {
            let l: Vec<char> = l.chars().collect();
            if l.len() < NEAR_MIN_CHARS || !one_off(&t, &l, within) {
                continue;
            }
            match &mut best {
                Some((len, ids)) if *len == l.len() => {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                Some((len, _)) if *len > l.len() => {}
                _ => best = Some((l.len(), vec![id])),
            }
        }
    }
    match best {
        None => Near::None,
        Some((_, ids)) if ids.len() == 1 => Near::One(ids[0]),
        Some((_, mut ids)) => {
            ids.sort_unstable();
            Near::Ambiguous(ids)
        }
    }
}

/// Whether `t` is one edit from `l`, or (with `within`) holds a stretch as
/// long as `l` that differs from it in one character.
fn one_off(t: &[char], l: &[char], within: bool) -> bool {
    if t.len().abs_diff(l.len()) <= 1 && edit_distance_at_most_one(t, l) {
        return true;
    }
    within
        && t.len() > l.len()
        && t.windows(l.len())
            .any(|w| w.iter().zip(l).filter(|(a, b)| a != b).count() == 1)
}

/// Levenshtein distance ≤ 1.
fn edit_distance_at_most_one(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let first = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[first..]
            .iter()
            .skip(1)
            .eq(long[first..].iter().skip(1))
    } else {
        short[first..] == long[first + 1..]
    }
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
    fn one_wrong_character_matches_only_when_unambiguous() {
        let cands = c(&[
            "予以公开",
            "部分公开",
            "申请人逾期未按收费通知要求缴纳费用",
            "其他",
        ]);
        let it = || cands.iter().enumerate().map(|(i, l)| (i, l.as_slice()));
        assert_eq!(near_match("子以公开", it(), true), Near::One(0));
        assert_eq!(
            near_match("本年度办理结果子以公开", it(), true),
            Near::One(0)
        );
        assert_eq!(
            near_match("申请人作期未按收费通知要求缴纳费用", it(), true),
            Near::One(2)
        );
        assert_eq!(
            near_match("申请人逾期未按收费通知要求缴纳费", it(), true),
            Near::One(2)
        );
        // two wrong characters, or a short label, are not near
        assert_eq!(near_match("不予公开", it(), true), Near::None);
        assert_eq!(near_match("其它处理", it(), true), Near::None);
        assert_eq!(near_match("公开", it(), true), Near::None);
        // one character from 部分公开, two from 予以公开
        assert_eq!(near_match("全分公开", it(), true), Near::One(1));
        // stretches only when asked for (the text of one cell)
        assert_eq!(
            near_match("本年度办理结果子以公开", it(), false),
            Near::None
        );
        let twins = c(&["属于国家秘密", "属于国家机密"]);
        assert_eq!(
            near_match(
                "属于国家保密",
                twins.iter().enumerate().map(|(i, l)| (i, l.as_slice())),
                true
            ),
            Near::Ambiguous(vec![0, 1])
        );
        assert!(edit_distance_at_most_one(&['a', 'b'], &['a', 'b', 'c']));
        assert!(edit_distance_at_most_one(
            &['a', 'x', 'c'],
            &['a', 'b', 'c']
        ));
        assert!(!edit_distance_at_most_one(
            &['x', 'y', 'c'],
            &['a', 'b', 'c']
        ));
        assert!(edit_distance_at_most_one(&['a', 'c'], &['a', 'b', 'c']));
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
