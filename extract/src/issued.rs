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
use regex::Regex;
use std::sync::LazyLock;

/// A full date: `2024年1月20日`, `2024-01-20`, `2024/1/20`, `2024.01.20`,
/// or in Chinese numerals (`二〇二四年一月二十日`).
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"((?:19|20)\d\d)\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2}))",
        r"|([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"
    ))
    .expect("date regex")
});

/// A page's date label before a date: `发布日期`, `发布时间：`, or a bare
/// `时间：`/`日期：` with its colon (pages print `来源：…时间：2025-03-10`).
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:发布|成文|印发|公开)(?:日期|时间)\s*[:：]?|(?:日期|时间)\s*[:：])\s*$")
        .expect("label regex")
});

/// Compiles this module's regular expressions now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&DATE);
    LazyLock::force(&LABEL);
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
fn date_of(c: &regex::Captures) -> Option<String> {
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (y, m, d) = if let Some(y) = num(1) {
        (y, num(2).or(num(4))?, num(3).or(num(5))?)
    } else {
        (
            cn_year(c.get(6)?.as_str())?,
            cn_number(c.get(7)?.as_str())?,
            cn_number(c.get(8)?.as_str())?,
        )
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The signature date of a line: a date with at most a short name beside it.
fn signature_date(text: &str) -> Option<String> {
    let c = DATE.captures(text)?;
    let whole = c.get(0)?;
    let rest: String = text[..whole.start()]
        .chars()
        .chain(text[whole.end()..].chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let short = rest.chars().count() <= SIGNATURE_TEXT_CHARS;
    let no_numbers = !rest.chars().any(|c| c.is_ascii_digit());
    let after = text[whole.end()..].trim();
    (short && no_numbers && after.is_empty())
        .then(|| date_of(&c))
        .flatten()
}

/// The first labelled date of a line (`发布日期：2024-01-20`).
fn labelled_date(text: &str) -> Option<String> {
    DATE.captures_iter(text)
        .find(|c| c.get(0).is_some_and(|m| LABEL.is_match(&text[..m.start()])))
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
