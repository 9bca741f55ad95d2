//! The document's own date of issue and revision mark — what tells two
//! copies of one agency-year's report apart by their content (the analyze
//! stage keeps the newest, see `analyze/README.md`).
//!
//! * **Date of issue** (`Report::issued`, `YYYY-MM-DD`): the signature date
//!   (落款), i.e. the last line of the document that holds a full date and
//!   nothing else but a short name (`二七区民政局 2024年1月20日`,
//!   `2024年1月20日`, `二〇二四年一月二十日`, `2024-01-20`); failing that, a
//!   page's labelled date (`发布日期：2024-01-20`, `发布时间 2024年1月20日`,
//!   `时间：2025-03-10 15:35`).
//!   A date before the reporting year or more than three years after it is
//!   not the report's date (flag `issued_implausible:<date>`).
//! * **Revision mark** (flag `revised`): the title calls the document a
//!   revised or corrected version (`修订`, `更正`, `修正`, `勘误`).

use crate::Line;
use crate::normalize::normalize_text;
use crate::phrase::{is_digit, run_ends, skip_space, word_at};

/// A full date in a line: where it is and its year, month and day as printed,
/// in digits (`2024`, `1`, `20`) or Chinese numerals (`二〇二四`, `一`, `二十`).
struct DateMatch<'a> {
    start: usize,
    end: usize,
    parts: (&'a str, &'a str, &'a str),
    numerals: bool,
}

/// The full date that starts at byte `p` of `t`, if one does: `2024年1月20日`,
/// `2024-01-20`, `2024/1/20`, `2024.01.20`, or `二〇二四年一月二十日` — the
/// former pattern
/// `((?:19|20)\d\d)\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2}))`
/// `|([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日`
/// (matched by hand, see [`crate::phrase`]; the tests compare the two).
fn date_at(t: &str, p: usize) -> Option<DateMatch<'_>> {
    // the end of 1..=max characters of `class` from `at`
    let some = |at: usize, max: usize, class: fn(char) -> bool| {
        let end = *run_ends(t, at, max, class).last()?;
        (end > at).then_some(end)
    };
    let date = |parts: (usize, usize, usize, usize, usize, usize), end: usize, numerals: bool| {
        let (y0, y1, m0, m1, d0, d1) = parts;
        DateMatch {
            start: y0,
            end,
            parts: (&t[y0..y1], &t[m0..m1], &t[d0..d1]),
            numerals,
        }
    };
    if word_at(t, p, &["19", "20"]).is_some() {
        let year = run_ends(t, p + 2, 2, is_digit);
        let y1 = *year.get(2)?;
        let at = skip_space(t, y1);
        if t[at..].starts_with('年') {
            let m0 = skip_space(t, at + '年'.len_utf8());
            let m1 = some(m0, 2, is_digit)?;
            let at = skip_space(t, m1);
            let d0 = skip_space(t, at + word_at(t, at, &["月"])?.len());
            let d1 = some(d0, 2, is_digit)?;
            let at = skip_space(t, d1);
            let end = at + word_at(t, at, &["日"])?.len();
            return Some(date((p, y1, m0, m1, d0, d1), end, false));
        }
        let sep = |at: usize| t[at..].starts_with(['-', '/', '.']).then_some(at + 1);
        let m0 = sep(at)?;
        let m1 = some(m0, 2, is_digit)?;
        let d0 = sep(m1)?;
        let d1 = some(d0, 2, is_digit)?;
        return Some(date((p, y1, m0, m1, d0, d1), d1, false));
    }
    fn year_digit(c: char) -> bool {
        matches!(
            c,
            '〇' | '○' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九'
        )
    }
    fn numeral(c: char) -> bool {
        matches!(
            c,
            '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
        )
    }
    let y1 = *run_ends(t, p, 4, year_digit).get(4)?;
    let m0 = y1 + word_at(t, y1, &["年"])?.len();
    let m1 = some(m0, 2, numeral)?;
    let d0 = m1 + word_at(t, m1, &["月"])?.len();
    let d1 = some(d0, 3, numeral)?;
    let end = d1 + word_at(t, d1, &["日"])?.len();
    Some(date((p, y1, m0, m1, d0, d1), end, true))
}

/// The full dates of `t`, left to right, not overlapping (see [`date_at`]).
fn dates(t: &str) -> impl Iterator<Item = DateMatch<'_>> {
    let mut p = 0;
    std::iter::from_fn(move || {
        while let Some(c) = t[p..].chars().next() {
            if let Some(m) = date_at(t, p) {
                p = m.end;
                return Some(m);
            }
            p += c.len_utf8();
        }
        None
    })
}

/// Whether `before` ends with a page's date label: `发布日期`, `发布时间：`,
/// or a bare `时间：`/`日期：` with its colon (pages print
/// `来源：…时间：2025-03-10`) — the former pattern
/// `(?:(?:发布|成文|印发|公开)(?:日期|时间)\s*[:：]?|(?:日期|时间)\s*[:：])\s*$`.
fn ends_with_date_label(before: &str) -> bool {
    const WHAT: [&str; 2] = ["日期", "时间"];
    let s = before.trim_end();
    if let Some(s) = s.strip_suffix([':', '：']) {
        let s = s.trim_end();
        return WHAT.iter().any(|w| s.ends_with(w));
    }
    WHAT.iter().any(|w| {
        s.strip_suffix(w).is_some_and(|s| {
            ["发布", "成文", "印发", "公开"]
                .iter()
                .any(|v| s.ends_with(v))
        })
    })
}

/// Longest text beside a signature date (an agency name).
const SIGNATURE_TEXT_CHARS: usize = 40;

/// Value of a Chinese numeral up to 39 (`二十` → 20, `十一` → 11).
fn cn_number(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        [d] => digit(*d),
        _ => None,
    }
}

/// A year written digit by digit in Chinese numerals (`二〇二四`).
fn cn_year(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |acc, c| {
        let d = match c {
            '〇' | '○' | '零' => 0,
            c => "一二三四五六七八九".find(c).map(|i| (i / 3) as u32 + 1)?,
        };
        Some(acc * 10 + d)
    })
}

/// The date a match stands for, as `YYYY-MM-DD` (none for an impossible date).
fn date_of(c: &DateMatch) -> Option<String> {
    let (y, m, d) = c.parts;
    let (y, m, d) = if c.numerals {
        (cn_year(y)?, cn_number(m)?, cn_number(d)?)
    } else {
        (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The signature date of a line: a date with at most a short name beside it.
fn signature_date(text: &str) -> Option<String> {
    let c = dates(text).next()?;
    let rest: String = text[..c.start]
        .chars()
        .chain(text[c.end..].chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let short = rest.chars().count() <= SIGNATURE_TEXT_CHARS;
    let no_numbers = !rest.chars().any(|c| c.is_ascii_digit());
    let after = text[c.end..].trim();
    (short && no_numbers && after.is_empty())
        .then(|| date_of(&c))
        .flatten()
}

/// The first labelled date of a line (`发布日期：2024-01-20`).
fn labelled_date(text: &str) -> Option<String> {
    dates(text)
        .find(|c| ends_with_date_label(&text[..c.start]))
        .and_then(|c| date_of(&c))
}

/// Whether `date` can be the issue date of a report for `year`.
fn plausible(date: &str, year: Option<i32>) -> bool {
    let y: i32 = date[..4].parse().unwrap_or(0);
    year.is_none_or(|ry| (ry..=ry + 3).contains(&y))
}

/// The date of issue of a document (see the module documentation) and,
/// when the date found is implausible for `year`, that date (for a flag).
pub fn issued(lines: &[Line], year: Option<i32>) -> (Option<String>, Option<String>) {
    let texts: Vec<String> = lines
        .iter()
        .map(|l| normalize_text(&l.cells.join(" ")))
        .collect();
    let found = texts
        .iter()
        .rev()
        .find_map(|t| signature_date(t.trim()))
        .or_else(|| texts.iter().find_map(|t| labelled_date(t)));
    match found {
        Some(d) if plausible(&d, year) => (Some(d), None),
        Some(d) => (None, Some(d)),
        None => (None, None),
    }
}

/// Whether a title marks a revised or corrected version.
pub fn is_revised(title: &str) -> bool {
    ["修订", "更正", "修正", "勘误"]
        .iter()
        .any(|w| title.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                no: i as u32 + 1,
                cells: vec![t.to_string()],
            })
            .collect()
    }

    #[test]
    fn the_signature_date_is_the_last_date_line() {
        let doc = lines(&[
            "二七区民政局2023年政府信息公开工作年度报告",
            "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
            "本年度未收取信息处理费。",
            "二七区民政局",
            "2024年1月20日",
        ]);
        assert_eq!(issued(&doc, Some(2023)), (Some("2024-01-20".into()), None));
        let same_line = lines(&["正文", "郑州市二七区民政局 ２０２４年１月５日"]);
        assert_eq!(
            issued(&same_line, Some(2023)).0.as_deref(),
            Some("2024-01-05")
        );
        let numerals = lines(&["正文", "二〇二四年一月二十日"]);
        assert_eq!(
            issued(&numerals, Some(2023)).0.as_deref(),
            Some("2024-01-20")
        );
        let iso = lines(&["正文", "2024-02-03"]);
        assert_eq!(issued(&iso, None).0.as_deref(), Some("2024-02-03"));
    }

    #[test]
    fn a_page_label_is_the_fallback_and_sentences_are_not_dates_of_issue() {
        let page = lines(&[
            "发布日期：2024-01-28  来源：区民政局",
            "统计期限自2023年1月1日起至2023年12月31日止。",
        ]);
        assert_eq!(issued(&page, Some(2023)).0.as_deref(), Some("2024-01-28"));
        let bare = lines(&[
            "首页 > 年报",
            "来源：管委会办公室时间：2025-03-10 15:35",
            "正文",
        ]);
        assert_eq!(issued(&bare, Some(2024)).0.as_deref(), Some("2025-03-10"));
        let prose = lines(&["办理时间2024年1月5日至2024年2月5日。"]);
        assert_eq!(issued(&prose, Some(2023)), (None, None));
        let none = lines(&["于2024年1月20日召开会议，部署年度报告工作。"]);
        assert_eq!(issued(&none, Some(2023)), (None, None));
        let far = lines(&["正文", "2030年1月20日"]);
        assert_eq!(issued(&far, Some(2023)), (None, Some("2030-01-20".into())));
        let bad = lines(&["正文", "2024年13月40日"]);
        assert_eq!(issued(&bad, Some(2023)), (None, None));
    }

    #[test]
    fn revision_marks() {
        assert!(is_revised(
            "二七区民政局2023年政府信息公开工作年度报告（修订版）"
        ));
        assert!(is_revised("关于二七区民政局2023年年度报告的更正"));
        assert!(!is_revised("二七区民政局2023年政府信息公开工作年度报告"));
    }
}

/// [`dates`] and [`ends_with_date_label`] against the regular expressions
/// they replaced.
#[cfg(test)]
mod former_patterns {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;
    use std::sync::LazyLock;

    /// Built once: the tests run thousands of cases.
    static FORMER: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
        (
            Regex::new(concat!(
                r"((?:19|20)\d\d)\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2}))",
                r"|([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"
            ))
            .unwrap(),
            Regex::new(r"(?:(?:发布|成文|印发|公开)(?:日期|时间)\s*[:：]?|(?:日期|时间)\s*[:：])\s*$")
                .unwrap(),
        )
    });

    const PIECES: [&str; 30] = [
        "20",
        "19",
        "24",
        "2",
        "0",
        "1",
        "12",
        "٣",
        "年",
        "月",
        "日",
        " ",
        "\u{3000}",
        "-",
        "/",
        ".",
        "二〇二四",
        "〇",
        "二",
        "十",
        "一",
        "发布",
        "日期",
        "时间",
        "公开",
        ":",
        "：",
        "来源",
        "a",
        "2024",
    ];

    fn agree(t: &str) {
        let (date, label) = &*FORMER;
        let want: Vec<_> = date
            .captures_iter(t)
            .map(|c| {
                let m = c.get(0).unwrap();
                let g = |i: usize| c.get(i).map(|m| m.as_str());
                let parts = if c.get(1).is_some() {
                    (
                        g(1).unwrap(),
                        g(2).or(g(4)).unwrap(),
                        g(3).or(g(5)).unwrap(),
                    )
                } else {
                    (g(6).unwrap(), g(7).unwrap(), g(8).unwrap())
                };
                (m.start(), m.end(), parts, c.get(6).is_some())
            })
            .collect();
        let got: Vec<_> = dates(t)
            .map(|m| (m.start, m.end, m.parts, m.numerals))
            .collect();
        assert_eq!(got, want, "{t:?}");
        assert_eq!(ends_with_date_label(t), label.is_match(t), "{t:?}");
    }

    #[test]
    fn known_lines() {
        for t in [
            "二七区民政局 2024年1月20日",
            "2024 年 1 月 5 日",
            "2024-01-203",
            "2024/1/20",
            "二〇二四年一月二十日",
            "十二〇二四年十二月三十一日",
            "发布日期：2024-01-28  来源",
            "来源：管委会办公室时间：2025-03-10 15:35",
            "发布时间 ",
            "时间",
            "日期 ： ",
            "19999-1-1",
            "",
        ] {
            agree(t);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_lines(v in proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..14)) {
            agree(&v.concat());
        }

        #[test]
        fn arbitrary_text(t in "\\PC{0,30}") {
            agree(&t);
        }
    }
}
