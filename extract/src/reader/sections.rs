//! Locating parts 二, 三 and 四 by their headings.

use super::tokens::TLine;
use crate::labels::{Near, near_match};
use crate::vocab::{HEADING_PART5, HEADING_TABLE2, HEADING_TABLE3, HEADING_TABLE4, TITLE_WORDS};
use std::ops::Range;

/// Line ranges (indices into the tokenised lines) of the three tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sections {
    /// Part 二 (table 2), after its heading.
    pub t2: Option<Range<usize>>,
    /// Part 三 (table 3), after its heading.
    pub t3: Option<Range<usize>>,
    /// Part 四 (table 4), after its heading.
    pub t4: Option<Range<usize>>,
    /// Index where a second report starts (two documents concatenated).
    pub second_report: Option<usize>,
    /// Part 三 was found without its heading (by its first row label).
    pub t3_without_heading: bool,
}

/// A heading may hold this many characters besides its key words
/// (`四、因政府信息公开工作被申请行政复议、提起行政诉讼情况`).
const HEADING_SLACK: usize = 16;

/// Whether a line is a short heading containing every one of `words`.
fn is_heading(line: &TLine, words: &[&str]) -> bool {
    let len: usize = words.iter().map(|w| w.chars().count()).sum();
    !line.has_values()
        && line.key.chars().count() <= len + HEADING_SLACK
        && words.iter().all(|w| line.key.contains(w))
}

/// Whether a line looks like a report title (`…政府信息公开工作年度报告`).
pub fn is_title(line: &TLine) -> bool {
    is_title_key(&line.key)
}

/// Whether a label key reads like a report title (see [`is_title`]).
pub fn is_title_key(key: &str) -> bool {
    let n = key.chars().count();
    let tail: String = key.chars().skip(n.saturating_sub(4)).collect();
    (8..=80).contains(&n)
        && TITLE_WORDS.iter().all(|w| key.contains(w))
        && key.contains('年')
        && TITLE_WORDS.last().is_some_and(|w| tail.contains(w))
}

/// A short line opening a numbered part (`一、总体情况`, `五、存在的主要问题…`).
fn is_part_heading(l: &TLine) -> bool {
    let t = l.text.trim_start_matches(['#', ' ']);
    let mut c = t.chars();
    !l.has_values()
        && c.next().is_some_and(|x| "一二三四五六七八九十".contains(x))
        && c.next() == Some('、')
        && l.key.chars().count() <= 30
}

/// Part 三's heading, also with one character misread, added or lost
/// (OCR's `收到和处理政府信息2公开申请情况`).
fn heading3(l: &TLine) -> bool {
    is_heading(l, &[HEADING_TABLE3])
        || (!l.has_values()
            && l.key.chars().count() <= HEADING_TABLE3.chars().count() + HEADING_SLACK
            && near_match(&l.key, [(0, HEADING_WORDS3.as_slice())], false) == Near::One(0))
}

/// [`HEADING_TABLE3`] as a candidate list for [`near_match`].
static HEADING_WORDS3: std::sync::LazyLock<[String; 1]> =
    std::sync::LazyLock::new(|| [HEADING_TABLE3.to_string()]);

/// Part 四's heading; its key words may carry a typo (`行政法复议`), so the
/// stems `复议` and `诉讼` are enough in a short line that also says `情况`.
/// A line opening part 四 (`四、…`) may have them scattered: OCR reads bold
/// type twice (`行行政政复议复议`) and adds strokes (`诉诉认讼`).
fn heading4(l: &TLine) -> bool {
    ((is_heading(l, &HEADING_TABLE4) || is_heading(l, &HEADING_TABLE4_STEMS))
        && l.key.contains("情况"))
        || (is_part_heading(l)
            && l.text.trim_start_matches(['#', ' ']).starts_with('四')
            && HEADING_TABLE4_STEMS.iter().all(|w| scattered(&l.key, w)))
}

/// Whether the characters of `word` appear in order in `key` within a stretch
/// at most twice as long as `word`.
fn scattered(key: &str, word: &str) -> bool {
    let k: Vec<char> = key.chars().collect();
    let w: Vec<char> = word.chars().collect();
    let Some(&first) = w.first() else {
        return true;
    };
    (0..k.len()).filter(|&i| k[i] == first).any(|start| {
        let mut at = start;
        w.iter().all(|c| {
            let found = k[at..].iter().position(|x| x == c);
            found.is_some_and(|p| {
                at += p + 1;
                at - start <= 2 * w.len()
            })
        })
    })
}

/// The stems of [`HEADING_TABLE4`]'s words.
const HEADING_TABLE4_STEMS: [&str; 2] = ["复议", "诉讼"];

/// Finds the parts. `first_row` is the normalised label of table 3's first
/// row, used when part 三 has no recognisable heading.
pub fn find(lines: &[TLine], first_row: &str) -> Sections {
    let n = lines.len();
    let mut s = Sections::default();
    let h3 = lines.iter().position(heading3).or_else(|| {
        let anchor = lines.iter().position(|l| l.key.contains(first_row))?;
        s.t3_without_heading = true;
        // Header rows come just before the first row.
        Some(
            anchor.saturating_sub(8).max(
                lines[..anchor]
                    .iter()
                    .rposition(|l| is_heading(l, &[HEADING_TABLE2]))
                    .map_or(0, |i| i + 1),
            ),
        )
    });
    let Some(h3) = h3 else {
        let h2 = lines.iter().position(|l| is_heading(l, &[HEADING_TABLE2]));
        s.t2 = h2.map(|h| h + 1..n);
        return s;
    };
    // A second report: a part 二 heading after part 三 started, or a part 三
    // heading after a report title (cut at its title). A part 三 heading alone
    // is the table's heading repeated (converters print it over each page's piece).
    let mut titled = false;
    let second = lines[h3 + 1..]
        .iter()
        .position(|l| {
            titled |= is_title(l);
            is_heading(l, &[HEADING_TABLE2]) || (titled && heading3(l))
        })
        .map(|i| i + h3 + 1);
    let end = match second {
        Some(i) => {
            // Cut at the title that precedes the second report's headings, if near.
            let lo = i.saturating_sub(30).max(h3 + 1);
            let cut = lines[lo..i]
                .iter()
                .rposition(is_title)
                .map_or(i, |j| j + lo);
            s.second_report = Some(cut);
            cut
        }
        None => n,
    };
    // The last part 二 heading before part 三, or the first of several repeated
    // with only table lines between them (`二、主动公开…` then `## 表二：主动公开…`).
    let mut h2 = lines[..h3]
        .iter()
        .rposition(|l| is_heading(l, &[HEADING_TABLE2]));
    while let Some(h) = h2 {
        let earlier = lines[..h]
            .iter()
            .rposition(|l| is_heading(l, &[HEADING_TABLE2]) || is_part_heading(l));
        match earlier {
            Some(e) if is_heading(&lines[e], &[HEADING_TABLE2]) => h2 = Some(e),
            _ => break,
        }
    }
    let h4 = lines[h3 + 1..end]
        .iter()
        .position(heading4)
        .map(|i| i + h3 + 1);
    let p5 = lines[h4.unwrap_or(h3) + 1..end]
        .iter()
        .position(|l| is_heading(l, &[HEADING_PART5]))
        .map(|i| i + h4.unwrap_or(h3) + 1);
    let t3_start = if s.t3_without_heading { h3 } else { h3 + 1 };
    s.t2 = h2.map(|h| h + 1..h3);
    s.t3 = Some(t3_start..h4.or(p5).unwrap_or(end));
    s.t4 = h4.map(|h| h + 1..p5.unwrap_or(end));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines_from_text;

    fn line(text: &str) -> TLine {
        super::super::tokens::tokenize(&lines_from_text(text))
            .pop()
            .expect("one line")
    }

    #[test]
    fn ocr_misread_headings_are_found() {
        assert!(heading3(&line("三、收到和处理政府信息公开申请情况")));
        assert!(heading3(&line("三一、收到和处理政府信息 2- 公开申请情况")));
        assert!(!heading3(&line("三、收到和处理信息的情况")));
        assert!(heading4(&line("四、政府信息公开行政复议、行政诉讼情况")));
        assert!(heading4(&line(
            "四、政府信二息公开行行政政复议复议、、行行政政诉诉认讼情情况 ;"
        )));
        // scattered stems only in a line that opens part 四
        assert!(!heading4(&line("五、复议后再诉的问题及改进情况")));
        assert!(scattered("行行政政诉诉认讼", "诉讼"));
        assert!(!scattered("诉请求的各种讼", "诉讼"));
    }
}
