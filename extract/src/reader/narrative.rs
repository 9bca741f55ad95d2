//! Figures stated in the report's prose, outside the template tables.
//!
//! * `info_processing_fees_cny`: the information processing fees (信息处理费)
//!   the agency collected, in yuan. The 2021 template asks for them in the
//!   text (其他需要报告的事项), not in table 2, whose 行政事业性收费 is a
//!   different thing. `未收取信息处理费` (or 没有/无/不 … 收取/产生/发生) → 0;
//!   `收取信息处理费X元` (or `X万元`, × 10 000) → X.
//! * `narrative_new_received`: the requests received as the overview states
//!   them (`收到政府信息公开申请62件`, `共收到70件申请`), compared with
//!   table 3 by check `N1`.
//!
//! Only sentences about the reporting year are read: a sentence naming the
//! previous year (上年, 去年, 同比) is skipped. Every value is a [`Cell`] of
//! [`TableId::Narrative`] with provenance [`Provenance::Narrative`], its
//! printed text and line. Two sentences that disagree give the first value
//! and the flag `narrative_conflict:<key>`.

use crate::phrase::{in_clause, run_ends, skip_digits, skip_space, word_at};
use crate::{Cell, Check, CheckState, Line, Number, Provenance, Report, TableId};

/// Key of the information processing fees (yuan).
pub const INFO_FEES: &str = "info_processing_fees_cny";
/// Key of the request count stated in the text.
pub const RECEIVED: &str = "narrative_new_received";

// The phrases below were regular expressions; they are matched by hand
// (`crate::phrase`: building the expressions cost more than a parse's reading
// of the prose). Each function names its former pattern; the tests compare
// the two on generated text.

/// Negations before a fee or request verb.
const NOT: [&str; 4] = ["未", "没有", "无", "不"];
/// Verbs of a fee statement.
const FEE_VERBS: [&str; 4] = ["收取", "产生", "发生", "涉及"];
/// Verbs of receiving requests.
const RECEIVE: [&str; 3] = ["收到", "受理", "接收"];
/// Units of a request count.
const COUNT_UNITS: [&str; 3] = ["件", "条", "个"];

/// A character of a clause that is not an ASCII digit (`[^0-9，,。；;]`).
fn in_clause_no_digit(c: char) -> bool {
    !c.is_ascii_digit() && in_clause(c)
}

/// The first statement that no fee was collected, as `(start, end)` bytes:
/// `(未|没有|无|不)[^，,。；;]{0,6}(收取|产生|发生|涉及)[^，,。；;]{0,12}信息处理费`
/// or, with shorter gaps, the same before `费用|收费`
/// (`依据《…信息处理费管理办法》…，本年度未收取相关费用`).
fn no_fees(s: &str) -> Option<(usize, usize)> {
    let branch = |at: usize, gap1: usize, gap2: usize, ends: &[&str]| {
        run_ends(s, at, gap1, in_clause)
            .into_iter()
            .rev()
            .find_map(|v| {
                let b = v + word_at(s, v, &FEE_VERBS)?.len();
                run_ends(s, b, gap2, in_clause)
                    .into_iter()
                    .rev()
                    .find_map(|t| Some(t + word_at(s, t, ends)?.len()))
            })
    };
    s.char_indices().find_map(|(p, _)| {
        let at = p + word_at(s, p, &NOT)?.len();
        let end =
            branch(at, 6, 12, &["信息处理费"]).or_else(|| branch(at, 4, 8, &["费用", "收费"]))?;
        Some((p, end))
    })
}

/// The first fee stated, as `(start, end, amount, unit)`:
/// `信息处理费[^0-9０-９。；;]{0,12}?([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|元)`.
fn fees(s: &str) -> Option<(usize, usize, &str, &'static str)> {
    const WORD: &str = "信息处理费";
    let gap = |c: char| !matches!(c, '0'..='9' | '０'..='９' | '。' | '；' | ';');
    s.match_indices(WORD).find_map(|(p, _)| {
        run_ends(s, p + WORD.len(), 12, gap)
            .into_iter()
            .find_map(|n| {
                if !s.as_bytes().get(n)?.is_ascii_digit() {
                    return None;
                }
                let mut end = n + s[n..]
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || *b == b',')
                    .count();
                if s[end..].starts_with('.')
                    && s.as_bytes().get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    end = skip_digits(s, end + 1);
                }
                let u = skip_space(s, end);
                let unit = word_at(s, u, &["万元", "元"])?;
                Some((p, u + unit.len(), &s[n..end], unit))
            })
    })
}

/// The first statement that no request was received, as `(start, end)`:
/// `(?:未|没有)(?:收到|受理|接收)[^0-9，,。；;]{0,16}申请`.
fn no_received(s: &str) -> Option<(usize, usize)> {
    s.char_indices().find_map(|(p, _)| {
        let v = p + word_at(s, p, &["未", "没有"])?.len();
        let at = v + word_at(s, v, &RECEIVE)?.len();
        run_ends(s, at, 16, in_clause_no_digit)
            .into_iter()
            .rev()
            .find(|&t| s[t..].starts_with("申请"))
            .map(|t| (p, t + "申请".len()))
    })
}

/// The first request count stated, as `(start, end, count)`:
/// `(?:收到|受理|接收)[^0-9，,。；;]{0,12}?申请\s*(?:共|总计|合计)?\s*([0-9]+)\s*(?:件|条|个)`
/// or `(?:收到|受理|接收)\s*(?:各类|各项)?\s*([0-9]+)\s*(?:件|条|个)[^，,。；;0-9]{0,10}申请`.
fn received(s: &str) -> Option<(usize, usize, &str)> {
    // white space, an optional word, white space, then the count and its unit:
    // `(start of count, end of count, end of unit)`
    let count = |at: usize, words: &[&str]| {
        let mut i = skip_space(s, at);
        if let Some(w) = word_at(s, i, words) {
            i += w.len();
        }
        let i = skip_space(s, i);
        let d = skip_digits(s, i);
        if d == i {
            return None;
        }
        let u = skip_space(s, d);
        Some((i, d, u + word_at(s, u, &COUNT_UNITS)?.len()))
    };
    s.char_indices().find_map(|(p, _)| {
        let at = p + word_at(s, p, &RECEIVE)?.len();
        let stated_after = run_ends(s, at, 12, in_clause_no_digit)
            .into_iter()
            .filter(|&k| s[k..].starts_with("申请"))
            .find_map(|k| count(k + "申请".len(), &["共", "总计", "合计"]));
        if let Some((i, d, end)) = stated_after {
            return Some((p, end, &s[i..d]));
        }
        let (i, d, u) = count(at, &["各类", "各项"])?;
        run_ends(s, u, 10, in_clause_no_digit)
            .into_iter()
            .rev()
            .find(|&t| s[t..].starts_with("申请"))
            .map(|t| (p, t + "申请".len(), &s[i..d]))
    })
}

/// Whether a sentence names the previous year: `上年|上一年|去年|同比`.
fn names_previous_year(s: &str) -> bool {
    ["上年", "上一年", "去年", "同比"]
        .iter()
        .any(|w| s.contains(w))
}

/// A sentence of the document: its text and the index of its first line.
struct Sentence<'a> {
    text: &'a str,
    line: usize,
}

/// Split the joined text into sentences at 。；; (with `clauses`, also at
/// ，、 and at a `,` that is not a thousands separator); never at line ends,
/// since PDF text wraps inside sentences.
fn sentences(text: &str, clauses: bool) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 0;
    let mut start_line = 0;
    let bytes = text.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    for (i, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
            if text[start..i].trim().is_empty() {
                start_line = line;
            }
        }
        let end = match c {
            '。' | '；' | ';' => true,
            '，' => clauses,
            ',' => clauses && !(i > 0 && digit_at(i - 1) && digit_at(i + 1)),
            _ => false,
        };
        if end {
            out.push(Sentence {
                text: &text[start..i],
                line: start_line,
            });
            start = i + c.len_utf8();
            start_line = line;
        }
    }
    out.push(Sentence {
        text: &text[start..],
        line: start_line,
    });
    out
}

fn narrative_cell(key: &str, value: Number, raw: &str, line: Option<u32>, unit: &str) -> Cell {
    Cell {
        table: TableId::Narrative,
        row: key.to_string(),
        col: None,
        value: Some(value),
        raw: raw.split_whitespace().collect::<Vec<_>>().join(""),
        unit: Some(unit.to_string()),
        provenance: Provenance::Narrative,
        line,
    }
}

fn number(s: &str) -> Option<f64> {
    s.replace(',', "").parse::<f64>().ok()
}

/// The fee of one sentence, if it states one.
fn fee_of(s: &str) -> Option<(f64, String, &'static str, usize)> {
    if let Some((start, end)) = no_fees(s) {
        return Some((0.0, s[start..end].to_string(), "元", start));
    }
    let (start, end, amount, unit) = fees(s)?;
    let v = number(amount)?;
    let v = if unit == "万元" {
        (v * 1_000_000.0).round() / 100.0
    } else {
        v
    };
    Some((v, s[start..end].to_string(), unit, start))
}

/// The request count of one clause, if it states one.
fn received_of(s: &str) -> Option<(i64, String, usize)> {
    if let Some((start, end)) = no_received(s) {
        return Some((0, s[start..end].to_string(), start));
    }
    let (start, end, count) = received(s)?;
    let n = count.parse().ok()?;
    Some((n, s[start..end].to_string(), start))
}

/// Read the narrative figures of `lines` (see the module documentation).
/// Returns the cells and any flags.
pub fn read(lines: &[Line]) -> (Vec<Cell>, Vec<String>) {
    let text = lines
        .iter()
        .map(|l| l.cells.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    // The source line of a match at byte `at` of a sentence.
    let line_no = |s: &Sentence, at: usize| {
        lines
            .get(s.line + s.text[..at].matches('\n').count())
            .map(|l| l.no)
    };
    let mut cells: Vec<Cell> = Vec::new();
    let mut flags = Vec::new();
    let mut put = |cell: Cell, cells: &mut Vec<Cell>| match cells.iter().find(|c| c.row == cell.row)
    {
        Some(first) if first.value != cell.value => {
            let f = format!("narrative_conflict:{}", cell.row);
            if !flags.contains(&f) {
                flags.push(f);
            }
        }
        Some(_) => {}
        None => cells.push(cell),
    };
    for s in sentences(&text, false) {
        if names_previous_year(s.text) || !s.text.contains("信息处理费") {
            continue;
        }
        if let Some((v, raw, unit, at)) = fee_of(s.text) {
            let value = if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Number::Int(v as i64)
            } else {
                Number::Dec(v)
            };
            put(
                narrative_cell(INFO_FEES, value, &raw, line_no(&s, at), unit),
                &mut cells,
            );
        }
    }
    for s in sentences(&text, true) {
        if names_previous_year(s.text) {
            continue;
        }
        if let Some((n, raw, at)) = received_of(s.text) {
            put(
                narrative_cell(RECEIVED, Number::Int(n), &raw, line_no(&s, at), "件"),
                &mut cells,
            );
        }
    }
    (cells, flags)
}

/// Check `N1`: the count the narrative states equals table 3's new requests
/// (total column), or new plus carried-over requests (some reports count
/// both as received). No check when the text states no count; unverified
/// when table 3 has no new_received total.
pub fn check(report: &Report) -> Option<Check> {
    let stated = report
        .narrative
        .iter()
        .find(|c| c.row == RECEIVED)?
        .value?
        .as_f64();
    let t3 = |row: &str| {
        report
            .table3
            .get(row)
            .and_then(|r| r.get("total"))
            .copied()
            .flatten()
            .map(Number::as_f64)
    };
    let Some(new) = t3("new_received") else {
        return Some(Check {
            id: "N1".to_string(),
            state: CheckState::Unverified,
            held: 0,
            failed: 0,
            unverified: 1,
            detail: format!("narrative {stated} vs table 3 new_received (no value)"),
        });
    };
    let carried = t3("carried_over_in");
    let with_carried = carried.map(|c| new + c);
    let ok = stated == new || with_carried == Some(stated);
    let detail = match with_carried {
        Some(w) => {
            format!("narrative {stated} vs table 3 new_received {new} (with carried_over_in: {w})")
        }
        None => format!("narrative {stated} vs table 3 new_received {new}"),
    };
    let (held, failed) = if ok { (1, 0) } else { (0, 1) };
    Some(Check {
        id: "N1".to_string(),
        state: CheckState::from_counts(held, failed),
        held,
        failed,
        unverified: 0,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines_from_text;

    fn values(text: &str) -> Vec<(String, Option<Number>, u32)> {
        read(&lines_from_text(text))
            .0
            .into_iter()
            .map(|c| (c.row, c.value, c.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn fees_from_the_text() {
        assert_eq!(
            values("六、其他需要报告的事项\n本机关2022年度未收取信息处理费。"),
            vec![(INFO_FEES.to_string(), Some(Number::Int(0)), 2)]
        );
        assert_eq!(
            values("本年度共发出收费通知2件，实际收取信息处理费 1,250 元。"),
            vec![(INFO_FEES.to_string(), Some(Number::Int(1250)), 1)]
        );
        assert_eq!(
            values("收取信息处理费共计0.15万元。"),
            vec![(INFO_FEES.to_string(), Some(Number::Int(1500)), 1)]
        );
        assert_eq!(
            values("本机关没有产生信息处理费"),
            vec![(INFO_FEES.to_string(), Some(Number::Int(0)), 1)]
        );
        // Table 2's fees are not information processing fees.
        assert!(values("行政事业性收费 本年收费金额（单位：万元） 24.5").is_empty());
    }

    #[test]
    fn request_counts_of_this_year_only() {
        assert_eq!(
            values("2022年，全区收到政府信息公开申请\n75件，涉及自然人72件。"),
            vec![(RECEIVED.to_string(), Some(Number::Int(75)), 1)]
        );
        assert_eq!(
            values("本年度全区共收到70件申请，及时依法依规办结69件。"),
            vec![(RECEIVED.to_string(), Some(Number::Int(70)), 1)]
        );
        assert!(values("较上年收到政府信息公开申请50件有所增加。").is_empty());
        // Forms of the seed reports.
        assert_eq!(
            values("2022年度北关区民政局未收到政府信息公开申请,上年度结转数量0。"),
            vec![(RECEIVED.to_string(), Some(Number::Int(0)), 1)]
        );
        assert_eq!(
            values("2022年，本单位共接收、受理依申请公开信息申请62件，依法依规回复办结62件。"),
            vec![(RECEIVED.to_string(), Some(Number::Int(62)), 1)]
        );
        assert_eq!(
            values("2022年，红旗路街道收到信息公开申请1条，经查询相关材料。"),
            vec![(RECEIVED.to_string(), Some(Number::Int(1)), 1)]
        );
        assert_eq!(
            values("依据《政府信息公开信息处理费管理办法》的规定，我单位本年度未收取相关费用。"),
            vec![(INFO_FEES.to_string(), Some(Number::Int(0)), 1)]
        );
        // The table-3 row label is not a statement.
        assert!(values("一、本年新收政府信息公开申请数量 62 0 0 0 0 0 62").is_empty());
        let (_, flags) = read(&lines_from_text(
            "收到政府信息公开申请62件。另，收到政府信息公开申请60件。",
        ));
        assert_eq!(flags, vec!["narrative_conflict:narrative_new_received"]);
    }

    #[test]
    fn check_compares_with_table_three() {
        let mut r = Report::default();
        assert!(check(&r).is_none(), "no count in the text, no check");
        r.narrative = read(&lines_from_text("收到政府信息公开申请62件。")).0;
        assert_eq!(check(&r).unwrap().state, CheckState::Unverified);
        let mut t = std::collections::BTreeMap::new();
        t.insert("total".to_string(), Some(Number::Int(60)));
        r.table3.insert("new_received".into(), t.clone());
        assert_eq!(check(&r).unwrap().state, CheckState::Failed);
        t.insert("total".to_string(), Some(Number::Int(2)));
        r.table3.insert("carried_over_in".into(), t);
        let c = check(&r).unwrap();
        assert!(c.ok(), "{c:?}");
        assert_eq!(c.id, "N1");
    }
}

/// The hand matchers against the regular expressions they replaced.
#[cfg(test)]
mod former_patterns {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    /// Pieces of the phrases, their separators and other text, so that
    /// generated sentences often come close to matching.
    const PIECES: [&str; 44] = [
        "未",
        "没有",
        "无",
        "不",
        "收取",
        "产生",
        "发生",
        "涉及",
        "信息处理费",
        "费用",
        "收费",
        "收到",
        "受理",
        "接收",
        "申请",
        "共",
        "总计",
        "合计",
        "各类",
        "各项",
        "件",
        "条",
        "个",
        "万元",
        "元",
        "上年",
        "去年",
        "同比",
        "，",
        ",",
        "。",
        "；",
        ";",
        " ",
        "　",
        "\n",
        "0",
        "12",
        "3,4",
        ".",
        "５",
        "相关",
        "政府信息公开",
        "a",
    ];

    fn sentence() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..24)
            .prop_map(|v| v.concat())
    }

    struct Former {
        no_fees: Regex,
        fees: Regex,
        received: Regex,
        no_received: Regex,
        previous_year: Regex,
    }

    /// Built once: the tests run thousands of cases.
    static FORMER: std::sync::LazyLock<Former> = std::sync::LazyLock::new(|| {
        Former {
            no_fees: Regex::new(concat!(
                r"(未|没有|无|不)[^，,。；;]{0,6}(收取|产生|发生|涉及)[^，,。；;]{0,12}信息处理费",
                r"|(未|没有|无|不)[^，,。；;]{0,4}(收取|产生|发生|涉及)[^，,。；;]{0,8}(费用|收费)",
            ))
            .unwrap(),
            fees: Regex::new(
                r"信息处理费[^0-9０-９。；;]{0,12}?([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|元)",
            )
            .unwrap(),
            received: Regex::new(concat!(
                r"(?:收到|受理|接收)[^0-9，,。；;]{0,12}?申请\s*(?:共|总计|合计)?\s*([0-9]+)\s*(?:件|条|个)",
                r"|(?:收到|受理|接收)\s*(?:各类|各项)?\s*([0-9]+)\s*(?:件|条|个)[^，,。；;0-9]{0,10}申请",
            ))
            .unwrap(),
            no_received: Regex::new(r"(?:未|没有)(?:收到|受理|接收)[^0-9，,。；;]{0,16}申请")
                .unwrap(),
            previous_year: Regex::new(r"上年|上一年|去年|同比").unwrap(),
    }
    });

    fn agree(s: &str) {
        let f = &*FORMER;
        let span = |m: regex::Match<'_>| (m.start(), m.end());
        assert_eq!(no_fees(s), f.no_fees.find(s).map(span), "no_fees {s:?}");
        let want = f.fees.captures(s).map(|c| {
            let (a, b) = span(c.get(0).unwrap());
            (
                a,
                b,
                c.get(1).unwrap().as_str().to_string(),
                c[2].to_string(),
            )
        });
        let got = fees(s).map(|(a, b, n, u)| (a, b, n.to_string(), u.to_string()));
        assert_eq!(got, want, "fees {s:?}");
        assert_eq!(
            no_received(s),
            f.no_received.find(s).map(span),
            "no_received {s:?}"
        );
        let want = f.received.captures(s).map(|c| {
            let (a, b) = span(c.get(0).unwrap());
            (a, b, c.get(1).or_else(|| c.get(2)).unwrap().as_str())
        });
        assert_eq!(received(s), want, "received {s:?}");
        assert_eq!(names_previous_year(s), f.previous_year.is_match(s), "{s:?}");
    }

    #[test]
    fn known_sentences() {
        for s in [
            "本年度未收取信息处理费",
            "没有产生任何信息处理费用",
            "依据《信息处理费管理办法》本年度未收取相关费用",
            "收取信息处理费 1,250.50 万元",
            "信息处理费共计12.元",
            "共收到政府信息公开申请62件",
            "收到申请 总计 5 条",
            "受理各类 70 件政府信息公开申请",
            "未收到政府信息公开申请",
            "上一年同比增长",
            "",
        ] {
            agree(s);
        }
        assert_eq!(
            received("共收到政府信息公开申请62件").map(|r| r.2),
            Some("62")
        );
        assert_eq!(no_fees("本年度未收取信息处理费"), Some((9, 33)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_sentences(s in sentence()) {
            agree(&s);
        }

        #[test]
        fn arbitrary_text(s in "\\PC{0,40}") {
            agree(&s);
        }
    }
}
