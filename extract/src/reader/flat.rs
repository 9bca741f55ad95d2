//! Flattened table text → pieces a table reader can use.
//!
//! Some sources lose every line break and cell boundary of a report: an
//! archive's page text of an HTML report, some PDF text layers. Headings,
//! row labels and numbers then run together on one line:
//! `…申请数量640020470二、上年结转…0000000三、本年度办理结果（一）予以公开270020130…`.
//! [`reflow`] cuts such a line into *pieces*, one per label with the numbers
//! printed after it (`一、本年新收政府信息公开申请数量 640020470`), so that
//! part headings stand on their own and each row's digit string is one or
//! more value tokens. The digits of adjacent cells stay fused: they are cut
//! into cells later, by the identities ([`super::split`]).
//!
//! A line is flattened when it is long, holds at least three runs of seven or
//! more digits (a fused table-3 row) and the words `政府信息公开申请`.
//!
//! Rules (on [`crate::normalize::normalize_text`]ed text):
//! * a digit run is a number, except digits followed by `年月日号时%` (prose)
//!   and an item enumerator: a digit followed by `.` or `、` and a label
//!   (`00000002.其他法律…` is the number `0000000` and the label `2.其他法律…`);
//! * whitespace between two digit runs separates value tokens;
//! * a piece ends where a label follows a number, before a part or group
//!   enumerator (`三、`), and after a part heading that ends in `情况`
//!   (`二、主动公开政府信息情况第二十条…`).

/// A line shorter than this (in characters) is never treated as flattened.
const MIN_CHARS: usize = 160;
/// Digit runs this long (or longer) are the mark of fused cells: a table-3
/// row has seven cells.
const FUSED_DIGITS: usize = 7;
/// Words of table 3's first rows and heading that a flattened report holds.
const TABLE3_WORDS: &str = "政府信息公开申请";
/// A line is flattened when it holds at least this many fused digit runs.
const MIN_FUSED_RUNS: usize = 3;
/// A part heading ending in `情况` is at most this many characters long.
const HEADING_CHARS: usize = 40;

/// A cheap test before normalising: whether `raw` is long enough to be flattened.
pub fn may_be_flattened(raw: &str) -> bool {
    raw.len() >= MIN_CHARS
}

/// Whether a normalised text line is flattened table text (see the module docs).
pub fn is_flattened(text: &str) -> bool {
    if text.len() < MIN_CHARS || text.chars().count() < MIN_CHARS {
        return false;
    }
    let mut runs = 0;
    let mut len = 0;
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            len += 1;
        } else {
            // A decimal point continues a number: `24252.311082` is not fused cells.
            if len >= FUSED_DIGITS && c != '.' {
                runs += 1;
            }
            len = 0;
        }
    }
    runs >= MIN_FUSED_RUNS && text.contains(TABLE3_WORDS)
}

/// One item of flattened text.
#[derive(Debug, PartialEq)]
enum Item {
    /// Label text.
    Label(String),
    /// A number: digit runs separated by single spaces, or one decimal.
    Num(String),
}

/// Characters after a digit run that make it prose (`2021年`, `30%`).
fn is_prose_suffix(c: char) -> bool {
    matches!(c, '年' | '月' | '日' | '号' | '时' | '%' | '‰')
}

fn push_label(items: &mut Vec<Item>, s: &str) {
    match items.last_mut() {
        Some(Item::Label(l)) => l.push_str(s),
        _ => items.push(Item::Label(s.to_string())),
    }
}

/// Splits flattened text into label and number items.
fn items(text: &str) -> Vec<Item> {
    let c: Vec<char> = text.chars().collect();
    let n = c.len();
    let mut out: Vec<Item> = Vec::new();
    let mut i = 0;
    while i < n {
        if !c[i].is_ascii_digit() {
            match out.last_mut() {
                Some(Item::Label(l)) => l.push(c[i]),
                _ => out.push(Item::Label(c[i].to_string())),
            }
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && c[j].is_ascii_digit() {
            j += 1;
        }
        let next = c.get(j).copied();
        let after = c.get(j + 1).copied();
        let digits: String = c[i..j].iter().collect();
        if next.is_some_and(is_prose_suffix) {
            push_label(&mut out, &digits);
            i = j;
            continue;
        }
        if next == Some('.') && after.is_some_and(|a| a.is_ascii_digit()) {
            // A decimal number.
            let mut k = j + 1;
            while k < n && c[k].is_ascii_digit() {
                k += 1;
            }
            out.push(Item::Num(c[i..k].iter().collect()));
            i = k;
            continue;
        }
        if matches!(next, Some('.' | '、')) && after.is_some_and(|a| !a.is_ascii_digit()) {
            // An item enumerator: its digit opens the next label.
            if j - i > 1 {
                push_num(&mut out, &digits[..digits.len() - 1]);
            }
            out.push(Item::Label(c[j - 1..=j].iter().collect()));
            i = j + 1;
            continue;
        }
        push_num(&mut out, &digits);
        i = j;
    }
    out
}

/// Appends a digit run, joining it to a number just before it when only
/// whitespace separated them (`230 000023` stays one item of two tokens).
fn push_num(out: &mut Vec<Item>, digits: &str) {
    if let [.., Item::Num(prev), Item::Label(gap)] = out.as_mut_slice()
        && gap.trim().is_empty()
        && !gap.is_empty()
    {
        prev.push(' ');
        prev.push_str(digits);
        out.pop();
        return;
    }
    out.push(Item::Num(digits.to_string()));
}

/// Whether the characters at `i` open a part or group enumerator (`三、`).
fn part_enumerator_at(c: &[char], i: usize) -> bool {
    c.get(i)
        .is_some_and(|&x| "一二三四五六七八九十".contains(x))
        && c.get(i + 1) == Some(&'、')
}

/// Cuts a label before part enumerators and after a leading part heading.
fn cut_label(label: &str) -> Vec<String> {
    let c: Vec<char> = label.chars().collect();
    let mut cuts = vec![0];
    for i in 1..c.len() {
        if part_enumerator_at(&c, i) && !part_enumerator_at(&c, i - 1) {
            cuts.push(i);
        }
    }
    cuts.push(c.len());
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let piece = &c[w[0]..w[1]];
        let start = piece.iter().position(|x| !x.is_whitespace()).unwrap_or(0);
        if part_enumerator_at(piece, start) {
            let head: String = piece.iter().take(HEADING_CHARS).collect();
            if let Some(p) = head.find("情况") {
                let end = head[..p].chars().count() + 2;
                if end < piece.len() {
                    out.push(piece[..end].iter().collect());
                    out.push(piece[end..].iter().collect());
                    continue;
                }
            }
        }
        out.push(piece.iter().collect());
    }
    out.retain(|s: &String| !s.trim().is_empty());
    out
}

/// Cuts flattened text into pieces (see the module docs): each piece is a
/// label, optionally followed by a space and its numbers.
pub fn reflow(text: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for item in items(text) {
        match item {
            Item::Label(l) => pieces.extend(cut_label(&l)),
            Item::Num(num) => match pieces.last_mut() {
                Some(p) => {
                    p.truncate(p.trim_end().len());
                    p.push(' ');
                    p.push_str(&num);
                }
                None => pieces.push(num),
            },
        }
    }
    pieces
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_rows_become_one_piece_each() {
        let p = reflow(
            "一、本年新收政府信息公开申请数量640020470二、上年结转政府信息公开申请数量0000000三、本年度办理结果（一）予以公开270020130",
        );
        assert_eq!(
            p,
            [
                "一、本年新收政府信息公开申请数量 640020470",
                "二、上年结转政府信息公开申请数量 0000000",
                "三、本年度办理结果（一）予以公开 270020130",
            ]
        );
    }

    #[test]
    fn an_enumerator_glued_to_the_digits_opens_the_next_label() {
        let p = reflow("1.属于国家秘密00000002.其他法律行政法规禁止公开 00000003.危及");
        assert_eq!(
            p,
            [
                "1.属于国家秘密 0000000",
                "2.其他法律行政法规禁止公开 0000000",
                "3.危及"
            ]
        );
    }

    #[test]
    fn spaces_between_digits_separate_tokens_and_decimals_stay_whole() {
        let p = reflow("数量230 000023二、上年 0 0 00 00 0 收费24252.311082三、2019年1月");
        assert_eq!(
            p,
            [
                "数量 230 000023",
                "二、上年 0 0 00 00 0",
                "收费 24252.311082",
                "三、2019年1月"
            ]
        );
    }

    #[test]
    fn a_part_heading_stands_alone() {
        let p = reflow("二、主动公开政府信息情况 第二十条第（一）项信息内容规章000");
        assert_eq!(
            p,
            [
                "二、主动公开政府信息情况",
                "第二十条第（一）项信息内容规章 000"
            ]
        );
    }

    #[test]
    fn only_long_lines_with_fused_runs_are_flattened() {
        assert!(!is_flattened(
            "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3"
        ));
        let prose = "根据条例编制本报告，".repeat(20);
        assert!(!is_flattened(&prose));
        let flat = format!("{prose}政府信息公开申请数量640020470结转0000000公开270020130");
        assert!(is_flattened(&flat));
        // Large numbers in prose are not table rows.
        let counts = format!("{prose}累计观看量1924252次，粉丝数5437300，点赞量1368880次");
        assert!(!is_flattened(&counts));
        let decimals = format!("{prose}收费24252.311082 采购13575.52 金额9116.360000");
        assert!(!is_flattened(&decimals));
    }
}
