//! Pieces for matching short phrases of a fixed shape by hand — a word from a
//! list, then up to N characters of a class, then another word — where a
//! regular expression would cost more to build than to run.
//!
//! Building the regular expressions was the largest part of a parse's fixed
//! cost (issue 16; scripts/bench/notes.md): a bounded repetition of a negated
//! class such as `[^，,。；;]{0,12}` is compiled as twelve copies of an
//! automaton for every character but five. The matchers built from these
//! pieces (in [`crate::reader::narrative`], [`crate::metadata`],
//! [`crate::issued`], [`crate::value`], [`crate::normalize`] and
//! [`crate::region`]) keep the former patterns' leftmost-first semantics,
//! including greedy and lazy repetition; each quotes its pattern, and its
//! tests compare the two on known and generated text.

use regex_syntax::hir::{Class, HirKind};
use std::sync::LazyLock;

/// The first of `words` that `s` continues with at byte `at` (a char
/// boundary). No word in a list passed here begins another one, so the first
/// that fits is the only one, as in a regex alternation.
pub(crate) fn word_at<'w>(s: &str, at: usize, words: &[&'w str]) -> Option<&'w str> {
    let rest = s.get(at..)?;
    words.iter().copied().find(|w| rest.starts_with(w))
}

/// Where a repetition `[class]{0,max}` starting at byte `at` can end: `at`
/// itself, then the end of each following character in `class`, for at most
/// `max` characters, in increasing order (a lazy repetition tries them in
/// this order, a greedy one in reverse).
pub(crate) fn run_ends(s: &str, at: usize, max: usize, class: impl Fn(char) -> bool) -> Vec<usize> {
    let mut ends = vec![at];
    for (i, c) in s[at..].char_indices().take(max) {
        if !class(c) {
            break;
        }
        ends.push(at + i + c.len_utf8());
    }
    ends
}

/// The byte after the white space (regex `\s`: Unicode `White_Space`) that
/// starts at `at`.
pub(crate) fn skip_space(s: &str, at: usize) -> usize {
    s[at..]
        .char_indices()
        .find(|&(_, c)| !c.is_whitespace())
        .map_or(s.len(), |(i, _)| at + i)
}

/// The byte after the ASCII digits that start at `at`.
pub(crate) fn skip_digits(s: &str, at: usize) -> usize {
    at + s.as_bytes()[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Whether `c` is a decimal digit as regex `\d` (Unicode `Nd`) has it: any
/// ASCII digit, and the other `Nd` characters, found (rarely needed) in the
/// class that `regex-syntax` builds for `\d` — parsing it builds no automaton.
pub(crate) fn is_digit(c: char) -> bool {
    static OTHER_DIGITS: LazyLock<Vec<(char, char)>> =
        LazyLock::new(|| match regex_syntax::parse(r"\d").map(|h| h.into_kind()) {
            Ok(HirKind::Class(Class::Unicode(class))) => {
                class.iter().map(|r| (r.start(), r.end())).collect()
            }
            other => panic!("\\d is not a Unicode class: {other:?}"),
        });
    c.is_ascii_digit()
        || (!c.is_ascii()
            && c.is_numeric()
            && OTHER_DIGITS
                .binary_search_by(|&(a, b)| {
                    if b < c {
                        std::cmp::Ordering::Less
                    } else if a > c {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .is_ok())
}

/// `t` without the leftmost, non-overlapping matches found by `end_at` (the
/// end of a match that starts at a byte, if one does), as a regex's
/// `replace_all(t, "")`. The matches are never empty.
pub(crate) fn remove_matches(t: &str, end_at: impl Fn(usize) -> Option<usize>) -> String {
    let mut out = String::with_capacity(t.len());
    let mut kept = 0;
    let mut p = 0;
    while let Some(c) = t[p..].chars().next() {
        match end_at(p) {
            Some(end) => {
                out.push_str(&t[kept..p]);
                kept = end;
                p = end;
            }
            None => p += c.len_utf8(),
        }
    }
    out.push_str(&t[kept..]);
    out
}

/// A character that does not end a clause: not `，` `,` `。` `；` `;`.
pub(crate) fn in_clause(c: char) -> bool {
    !matches!(c, '，' | ',' | '。' | '；' | ';')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_as_regex_has_them() {
        let re = regex::Regex::new(r"^\d$").unwrap();
        for c in ('\0'..='\u{10FFFF}')
            .filter(|c| c.is_numeric() || (*c as u32).is_multiple_of(7))
            .chain(['٣', '５', '〇', '①', 'Ⅳ', '7'])
        {
            assert_eq!(
                is_digit(c),
                re.is_match(c.encode_utf8(&mut [0; 4])),
                "{c:?}"
            );
        }
    }

    #[test]
    fn pieces() {
        let s = "未 收取，费用12元";
        assert_eq!(word_at(s, 0, &["没有", "未"]), Some("未"));
        assert_eq!(word_at(s, 3, &["未"]), None);
        assert_eq!(run_ends(s, 0, 9, in_clause), vec![0, 3, 4, 7, 10]);
        assert_eq!(run_ends(s, 0, 2, in_clause), vec![0, 3, 4]);
        assert_eq!(skip_space(s, 3), 4);
        assert_eq!(skip_space("　 ", 0), 4);
        let at = s.find('1').unwrap();
        assert_eq!(skip_digits(s, at), at + 2);
        assert_eq!(skip_digits(s, 0), 0);
    }
}
