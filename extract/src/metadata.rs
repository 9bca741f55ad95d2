//! Title metadata: the report title, the agency and the reporting year.
//!
//! Titles read `{agency}{year}年(度)政府信息公开工作年度报告` or
//! `{year}年{agency}政府信息公开工作年度报告`, possibly with spaces, Markdown
//! markers, PDF radicals, and not necessarily on the first line.
//!
//! * A title over two lines (`洪泽区人民政府` / `2023 年政府信息公开工作年度报告`):
//!   when the title line names no agency, a name-only line just above it is
//!   the agency. A title wrapped after its first line
//!   (`2024 年上海市科委政府信息公开工作` / `年度报告`) is joined.
//! * A page's metadata label before the name (`标题:`, `名称`) is dropped;
//!   brackets stay whole (`海淀区民政局(区老龄办)`).
//! * The first paragraph (`本报告由淮安市人民政府办公室…编制`) names the
//!   compiling office; the body it serves (the office's name without a final
//!   `办公室`/`办公厅`, or the office itself) confirms the title's agency or
//!   fills it when the title names none. [`TitleMeta::source`] tells which
//!   source won (flags `agency_source:…`, see [`crate::parse`]).

use crate::phrase::{is_digit, run_ends, word_at};
use crate::reader::sections::{is_title, is_title_key};
use crate::reader::tokens::TLine;

/// Where the agency name came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AgencySource {
    /// No agency found.
    #[default]
    None,
    /// The title line alone (the first paragraph names no compiler).
    Title,
    /// The title, confirmed by the first paragraph.
    TitleAndParagraph,
    /// The title; the first paragraph names another body (kept as a flag).
    TitleOverParagraph,
    /// The first paragraph (the title names no agency).
    Paragraph,
}

impl AgencySource {
    /// The flag that records the source, if it is worth one (the title alone is the default).
    pub fn flag(self) -> Option<&'static str> {
        match self {
            AgencySource::None | AgencySource::Title => None,
            AgencySource::TitleAndParagraph => Some("agency_source:title+paragraph"),
            AgencySource::TitleOverParagraph => Some("agency_source:title"),
            AgencySource::Paragraph => Some("agency_source:paragraph"),
        }
    }
}

/// Title fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleMeta {
    /// The title line (normalised, spaces removed; two lines joined when split).
    pub title: Option<String>,
    /// Agency name.
    pub agency: Option<String>,
    /// Reporting year.
    pub year: Option<i32>,
    /// Which source the agency came from.
    pub source: AgencySource,
    /// The body the first paragraph names, when it differs from the title's agency.
    pub paragraph_agency: Option<String>,
    /// The title was split over two lines.
    pub two_lines: bool,
}

/// A page's metadata labels that can precede the title in the same line
/// (none begins another).
const META_WORDS: [&str; 7] = [
    "信息名称",
    "文件名称",
    "文章标题",
    "标题",
    "名称",
    "题目",
    "主题",
];

/// `t` without a metadata label at its start and the label's colon (`标题:`):
/// the former `^(?:信息名称|…|主题)[:：]?` removed (see [`crate::phrase`]).
fn strip_meta_prefix(t: &str) -> &str {
    let Some(label) = word_at(t, 0, &META_WORDS) else {
        return t;
    };
    let rest = &t[label.len()..];
    rest.strip_prefix([':', '：']).unwrap_or(rest)
}

/// Where a title proper starts: after a metadata label with an optional ASCII
/// colon and after `关于`, when they are there (the former patterns'
/// `^(?:{labels}:?)?(?:关于)?`; neither holds a digit or a line break, so the
/// patterns never did better by leaving them to the agency).
fn title_start(t: &str) -> usize {
    let mut at = 0;
    if let Some(label) = word_at(t, 0, &META_WORDS) {
        at = label.len();
        if t[at..].starts_with(':') {
            at += 1;
        }
    }
    if t[at..].starts_with("关于") {
        at += "关于".len();
    }
    at
}

/// The end of a year `(?:19|20)\d\d` that starts at byte `p`.
fn year_at(t: &str, p: usize) -> Option<usize> {
    word_at(t, p, &["19", "20"])?;
    run_ends(t, p + 2, 2, is_digit).get(2).copied()
}

/// The char boundaries from `from` up to the end of its line, in order: where
/// a lazy `.*?` that starts at `from` can end.
fn line_ends(t: &str, from: usize) -> impl Iterator<Item = usize> + '_ {
    let end = t[from..].find('\n').map_or(t.len(), |i| from + i);
    t[from..end]
        .char_indices()
        .map(move |(i, _)| from + i)
        .chain(std::iter::once(end))
}

/// The end of `(?:的)?政府信息公开` at byte `p`.
fn open_government_at(t: &str, p: usize) -> Option<usize> {
    const WORDS: &str = "政府信息公开";
    let p = if t[p..].starts_with('的') {
        p + '的'.len_utf8()
    } else {
        p
    };
    t[p..].starts_with(WORDS).then_some(p + WORDS.len())
}

/// Agency, year and the agency's rest from a title: the first match of
/// `^(?:{labels}:?)?(?:关于)?(.*?)((?:19|20)\d\d)年度?(.*?)(?:的)?政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:情况)?(?:年度)?报告`
/// (matched by hand, see [`crate::phrase`]; the tests compare the two).
fn title_parts(t: &str) -> Option<(&str, &str, &str)> {
    // `(?:工作)?(?:年度)?(?:工作)?(?:情况)?(?:年度)?报告` at `p`: some of the
    // optional words, in this order, then `报告`
    fn report_at(t: &str, p: usize, optional: &[&str]) -> bool {
        match optional.split_first() {
            None => t[p..].starts_with("报告"),
            Some((w, rest)) => {
                (t[p..].starts_with(w) && report_at(t, p + w.len(), rest)) || report_at(t, p, rest)
            }
        }
    }
    let start = title_start(t);
    line_ends(t, start).find_map(|y| {
        let y_end = year_at(t, y)?;
        let mut rest = y_end + word_at(t, y_end, &["年"])?.len();
        // `度?`: taking it never loses a match (what follows cannot start with it)
        if t[rest..].starts_with('度') {
            rest += '度'.len_utf8();
        }
        line_ends(t, rest).find_map(|e| {
            let after = open_government_at(t, e)?;
            report_at(t, after, &["工作", "年度", "工作", "情况", "年度"])
                .then(|| (&t[start..y], &t[y..y_end], &t[rest..e]))
        })
    })
}

/// Agency and year from a title with the year after the report words
/// (`{agency}政府信息公开工作年度报告（2022年）`): the first match of
/// `^(?:{labels}:?)?(?:关于)?(.*?)(?:的)?政府信息公开.*?报告\D*((?:19|20)\d\d)年?`
/// (matched by hand, see [`crate::phrase`]; the tests compare the two).
fn year_after_parts(t: &str) -> Option<(&str, &str)> {
    let start = title_start(t);
    line_ends(t, start).find_map(|e| {
        let after = open_government_at(t, e)?;
        line_ends(t, after).find_map(|q| {
            let rest = q + word_at(t, q, &["报告"])?.len();
            // `\D*` then a year, which starts with a digit: at the first digit
            let y = t[rest..]
                .char_indices()
                .find(|&(_, c)| is_digit(c))
                .map(|(i, _)| rest + i)?;
            let y_end = year_at(t, y)?;
            Some((&t[start..e], &t[y..y_end]))
        })
    })
}

/// `本报告由{office}根据…编制`: the compiling office in the first paragraph,
/// the first match of
/// `本(?:年度)?报告(?:是)?由([^,，。;；、《]{2,40}?)(?:根据|依据|按照|结合|负责|牵头|汇总|编制|组织)`
/// (matched by hand, see [`crate::phrase`]; the tests compare the two).
fn compiler(text: &str) -> Option<&str> {
    const VERBS: [&str; 9] = [
        "根据", "依据", "按照", "结合", "负责", "牵头", "汇总", "编制", "组织",
    ];
    let name = |c: char| !matches!(c, ',' | '，' | '。' | ';' | '；' | '、' | '《');
    text.match_indices('本').find_map(|(p, _)| {
        let mut at = p + '本'.len_utf8();
        if text[at..].starts_with("年度") {
            at += "年度".len();
        }
        at += word_at(text, at, &["报告"])?.len();
        if text[at..].starts_with('是') {
            at += '是'.len_utf8();
        }
        at += word_at(text, at, &["由"])?.len();
        run_ends(text, at, 40, name)
            .into_iter()
            .skip(2)
            .find(|&end| word_at(text, end, &VERBS).is_some())
            .map(|end| &text[at..end])
    })
}

/// Lines after the title searched for the first paragraph.
const PARAGRAPH_LINES: usize = 12;

/// Trims what is not part of a name from both ends, keeping a closing bracket
/// whose opening bracket is in the name (`海淀区民政局(区老龄办)`).
fn trim_name(s: &str) -> String {
    let open = |c: char| matches!(c, '(' | '（' | '〔' | '[');
    let close = |c: char| matches!(c, ')' | '）' | '〕' | ']');
    let s = s.trim_start_matches(|c: char| !c.is_alphanumeric() && !open(c));
    let mut end = s.len();
    for (i, c) in s.char_indices().rev() {
        if c.is_alphanumeric() {
            break;
        }
        if close(c) && s[..i].chars().any(open) {
            break;
        }
        end = i;
    }
    let s = &s[..end];
    // An opening bracket left at the start without its closing one is junk.
    s.strip_prefix(|c: char| open(c))
        .filter(|rest| !rest.chars().any(close))
        .unwrap_or(s)
        .to_string()
}

/// Whether a line is a bare name (a title's first line): CJK characters and
/// brackets only, 2–40 of them, no numbers, perhaps after a metadata label
/// (`标题:`, `名称`).
fn is_name_line(line: &TLine) -> bool {
    let t: String = line.text.chars().filter(|c| !c.is_whitespace()).collect();
    // a page's metadata label before the name (`标题:`, `名称`) is not part of it
    let t = strip_meta_prefix(&t);
    let n = t.chars().count();
    !line.has_values()
        && (2..=40).contains(&n)
        && t.chars()
            .all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c) || matches!(c, '(' | ')' | '（' | '）'))
}

/// The body named as the report's compiler in the paragraph after the title.
fn paragraph_agency(lines: &[TLine]) -> Option<String> {
    let text: String = lines
        .iter()
        .take(PARAGRAPH_LINES)
        .map(|l| l.text.as_str())
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let office = compiler(&text)?.to_string();
    let office = trim_name(&office);
    // The office compiles its body's report (`…人民政府办公室` → `…人民政府`).
    let body = office
        .strip_suffix("办公室")
        .or_else(|| office.strip_suffix("办公厅"))
        .filter(|b| b.chars().count() >= 2)
        .unwrap_or(&office);
    Some(body.to_string())
}

/// Reconciles the title's agency with the first paragraph's.
fn reconcile(meta: &mut TitleMeta, paragraph: Option<String>) {
    let Some(p) = paragraph else {
        meta.source = if meta.agency.is_some() {
            AgencySource::Title
        } else {
            AgencySource::None
        };
        return;
    };
    match &meta.agency {
        None => {
            meta.agency = Some(p);
            meta.source = AgencySource::Paragraph;
        }
        Some(a) if a == &p || a.ends_with(p.as_str()) || p.ends_with(a.as_str()) => {
            meta.source = AgencySource::TitleAndParagraph;
        }
        Some(_) => {
            meta.source = AgencySource::TitleOverParagraph;
            meta.paragraph_agency = Some(p);
        }
    }
}

/// Text of a line without whitespace or Markdown heading marks.
fn squeeze(l: &TLine) -> String {
    l.text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_start_matches('#')
        .to_string()
}

/// A title wrapped after its first line (`2024 年上海市科委政府信息公开工作` /
/// `年度报告`): the index of the first line, when the two read as a title and
/// the second is a short tail without numbers.
fn wrapped_title(lines: &[TLine]) -> Option<usize> {
    lines.windows(2).take(TITLE_LINES).position(|w| {
        !w[1].has_values()
            && w[1].key.chars().count() <= WRAPPED_TAIL_CHARS
            && w[0].key.chars().count() <= 60
            && is_title_key(&format!("{}{}", w[0].key, w[1].key))
    })
}

/// Lines searched for the title.
const TITLE_LINES: usize = 60;
/// Longest second line of a wrapped title (`工作年度报告`).
const WRAPPED_TAIL_CHARS: usize = 12;

/// Finds the title among the first lines (before part 二) and reads it.
pub fn title_meta(lines: &[TLine]) -> TitleMeta {
    let single = lines.iter().take(TITLE_LINES).position(is_title);
    // A wrapped title before the first one-line match wins (that may be a
    // sentence quoting the report format's name).
    let before = single.map_or(lines.len(), |i| (i + 1).min(lines.len()));
    let (at, mut meta) = if let Some(at) = wrapped_title(&lines[..before]) {
        let joined = format!("{}{}", squeeze(&lines[at]), squeeze(&lines[at + 1]));
        let meta = TitleMeta {
            two_lines: true,
            ..read_title(&joined)
        };
        (at + 1, meta)
    } else if let Some(at) = single {
        (at, read_title(&squeeze(&lines[at])))
    } else {
        return TitleMeta::default();
    };
    if meta.agency.is_none()
        && let Some(prev) = at
            .checked_sub(1)
            .map(|i| &lines[i])
            .filter(|l| is_name_line(l))
    {
        let joined = format!("{}{}", squeeze(prev), meta.title.as_deref().unwrap_or(""));
        let two = read_title(&joined);
        if two.agency.is_some() {
            meta = TitleMeta {
                two_lines: true,
                ..two
            };
        }
    }
    reconcile(&mut meta, paragraph_agency(&lines[at + 1..]));
    meta
}

/// Reads agency and year from one title text.
fn read_title(title: &str) -> TitleMeta {
    let mut meta = TitleMeta {
        title: Some(title.to_string()),
        ..TitleMeta::default()
    };
    if let Some((head, year, tail)) = title_parts(title) {
        meta.year = year.parse().ok();
        let agency = trim_name(&format!("{head}{tail}"));
        meta.agency = (!agency.is_empty()).then_some(agency);
    } else if let Some((head, year)) = year_after_parts(title) {
        // `{agency}政府信息公开工作年度报告（2022年）`
        let agency = trim_name(head);
        meta.agency = (!agency.is_empty()).then_some(agency);
        meta.year = year.parse().ok();
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::tokens::tokenize;
    use crate::text::lines_from_text;

    fn meta(text: &str) -> TitleMeta {
        title_meta(&tokenize(&lines_from_text(text)))
    }

    #[test]
    fn agency_before_year() {
        let m = meta("# 二七区人民政府办公室2022年政府信息公开工作年度报告\n正文");
        assert_eq!(m.agency.as_deref(), Some("二七区人民政府办公室"));
        assert_eq!(m.year, Some(2022));
    }

    #[test]
    fn year_before_agency_and_spaces() {
        let m = meta("2019年上海市人民政府办公厅政府信息公开工作年度报告");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("上海市人民政府办公厅"), Some(2019))
        );
        let m = meta("北关区政务服务和大数据管理局 2023 年政府信息公开工作年度报告");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("北关区政务服务和大数据管理局"), Some(2023))
        );
    }

    #[test]
    fn title_not_first_and_radicals() {
        let m = meta("\n⼀、总体情况\n\n北关区⺠政局2022年政府信息公开⼯作年度报告\n");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("北关区民政局"), Some(2022))
        );
    }

    #[test]
    fn year_after_the_report_words() {
        let m = meta("金水区财政局政府信息公开工作年度报告（2021年）");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("金水区财政局"), Some(2021))
        );
    }

    #[test]
    fn title_over_two_lines_and_first_paragraph() {
        // The layout of a county government's PDF (pdftotext -layout).
        let m = meta(
            "            洪泽区人民政府\n     2023 年政府信息公开工作年度报告\n\n\n   \
             本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府\n信息公开条例》规定编\n制。",
        );
        assert_eq!(
            (m.agency.as_deref(), m.year, m.two_lines),
            (Some("洪泽区人民政府"), Some(2023), true)
        );
        assert_eq!(m.source, AgencySource::TitleAndParagraph);
        assert_eq!(
            m.title.as_deref(),
            Some("洪泽区人民政府2023年政府信息公开工作年度报告")
        );
        // A metadata label before the name line is dropped.
        let m = meta("标题:海淀区人民政府办公室\n2023 年政府信息公开工作年度报告");
        assert_eq!(
            (m.agency.as_deref(), m.year, m.two_lines),
            (Some("海淀区人民政府办公室"), Some(2023), true)
        );
        // No agency in the title: the paragraph fills it and says so.
        let m = meta("2023 年政府信息公开工作年度报告\n本报告由某县民政局编制。");
        assert_eq!(m.agency.as_deref(), Some("某县民政局"));
        assert_eq!(m.source.flag(), Some("agency_source:paragraph"));
        // The title wins over a paragraph naming another body, which is kept.
        let m = meta("某县民政局2023年政府信息公开工作年度报告\n本报告由某县人民政府办公室编制。");
        assert_eq!(m.agency.as_deref(), Some("某县民政局"));
        assert_eq!(m.paragraph_agency.as_deref(), Some("某县人民政府"));
        assert_eq!(m.source.flag(), Some("agency_source:title"));
    }

    #[test]
    fn title_wrapped_after_its_first_line() {
        // A PDF converted to Markdown (the Shanghai science commission's 2024 report).
        let m = meta(
            "正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据《条例》的要求，市科委编制了本报告。",
        );
        assert_eq!(
            (m.agency.as_deref(), m.year, m.two_lines),
            (Some("上海市科委"), Some(2024), true)
        );
        assert_eq!(
            m.title.as_deref(),
            Some("2024年上海市科委政府信息公开工作年度报告")
        );
        // Before a sentence that names the report format on one line.
        let m = meta(
            "2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告根据《条例》和《关于印发中华人民共和国政府信息公开工作年度报告\n格式的通知》编制",
        );
        assert_eq!(m.agency.as_deref(), Some("上海市人民政府办公厅"));
        // A sentence of the narrative that ends a line with the same words is no title.
        let m = meta(
            "正文\n本机关按要求编制2024年政府信息公开工作年度报告，并在网站公开。\n一、总体情况",
        );
        assert_eq!(m, TitleMeta::default());
    }

    #[test]
    fn metadata_labels_dropped_and_brackets_kept() {
        let m = meta("名称\t沭阳县发展和改革局2022年政府信息公开工作年度报告");
        assert_eq!(m.agency.as_deref(), Some("沭阳县发展和改革局"));
        let m = meta("标题：平潭综合实验区2021年度政府信息公开工作年度报告");
        assert_eq!(m.agency.as_deref(), Some("平潭综合实验区"));
        let m = meta("海淀区民政局（区老龄办）2022年政府信息公开工作年度报告");
        assert_eq!(m.agency.as_deref(), Some("海淀区民政局(区老龄办)"));
        assert_eq!(trim_name("（某局）"), "（某局）");
        assert_eq!(trim_name("(某局"), "某局");
        assert_eq!(trim_name("“某局”"), "某局");
    }

    #[test]
    fn no_title() {
        assert_eq!(meta("今天天气很好。\n新闻"), TitleMeta::default());
    }
}

/// [`compiler`] against the regular expression it replaced.
#[cfg(test)]
mod former_pattern {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;
    use std::sync::LazyLock;

    /// [`META_WORDS`] as a group of a regular expression.
    fn meta_labels() -> String {
        format!("(?:{})", META_WORDS.join("|"))
    }

    /// The title patterns, built once.
    static TITLES: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
        let m = meta_labels();
        (
            Regex::new(&format!(r"^(?:{m}:?)?(?:关于)?(.*?)((?:19|20)\d\d)年度?(.*?)(?:的)?政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:情况)?(?:年度)?报告")).unwrap(),
            Regex::new(&format!(r"^(?:{m}:?)?(?:关于)?(.*?)(?:的)?政府信息公开.*?报告\D*((?:19|20)\d\d)年?")).unwrap(),
        )
    });

    fn agree_title(t: &str) {
        let (title, year_after) = &*TITLES;
        let want = title.captures(t).map(|c| {
            (
                c.get(1).unwrap().as_str(),
                c.get(2).unwrap().as_str(),
                c.get(3).unwrap().as_str(),
            )
        });
        assert_eq!(title_parts(t), want, "title {t:?}");
        let want = year_after
            .captures(t)
            .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()));
        assert_eq!(year_after_parts(t), want, "year after {t:?}");
    }

    const TITLE_PIECES: [&str; 24] = [
        "标题",
        ":",
        "关于",
        "二七区",
        "的",
        "政府信息公开",
        "工作",
        "年度",
        "情况",
        "报告",
        "2024",
        "19",
        "20",
        "2",
        "٣",
        "年",
        "度",
        "(",
        ")",
        "\n",
        " ",
        "政府",
        "a",
        "2022年",
    ];

    #[test]
    fn known_titles() {
        for t in [
            "二七区人民政府办公室2022年政府信息公开工作年度报告",
            "标题:关于二七区2023年度的政府信息公开年度报告",
            "二七区政府信息公开工作年度报告(2022年)",
            "二七区政府信息公开报告 报告 2022",
            "2024年2024年政府信息公开报告",
            "二七区2024年\n政府信息公开报告",
            "二七区政府信息公开\n报告2022",
            "",
        ] {
            agree_title(t);
        }
        assert_eq!(
            title_parts("区2024年度的政府信息公开工作报告"),
            Some(("区", "2024", ""))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_titles(v in proptest::collection::vec(proptest::sample::select(&TITLE_PIECES[..]), 0..16)) {
            agree_title(&v.concat());
        }

        #[test]
        fn arbitrary_titles(t in "\\PC{0,40}") {
            agree_title(&t);
        }
    }

    const PIECES: [&str; 29] = [
        "标题",
        "名称",
        ":",
        "本",
        "年度",
        "报告",
        "是",
        "由",
        "根据",
        "依据",
        "按照",
        "结合",
        "负责",
        "牵头",
        "汇总",
        "编制",
        "组织",
        "市",
        "人民政府",
        "办公室",
        ",",
        "，",
        "。",
        "、",
        "《",
        "；",
        "年",
        "度",
        "a",
    ];

    /// Built once: the tests run thousands of cases.
    static FORMER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"本(?:年度)?报告(?:是)?由([^,，。;；、《]{2,40}?)(?:根据|依据|按照|结合|负责|牵头|汇总|编制|组织)",
        )
        .unwrap()
    });

    fn agree(s: &str) {
        static PREFIX: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(&format!(r"^{}[:：]?", meta_labels())).unwrap());
        assert_eq!(strip_meta_prefix(s), PREFIX.replace(s, ""), "{s:?}");
        let want = FORMER.captures(s).map(|c| c.get(1).unwrap().as_str());
        assert_eq!(compiler(s), want, "{s:?}");
    }

    #[test]
    fn known_paragraphs() {
        for s in [
            "本报告由市人民政府办公室根据《条例》编制",
            "本年度报告是由区政府办负责编制",
            "本报告由办根据",
            "本年度报告由，市政府根据",
            "本年报告由市政府根据",
        ] {
            agree(s);
        }
        assert_eq!(
            compiler("本报告由市人民政府办公室根据《条例》编制"),
            Some("市人民政府办公室")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_paragraphs(v in proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..30)) {
            agree(&v.concat());
        }

        #[test]
        fn arbitrary_text(s in "\\PC{0,50}") {
            agree(&s);
        }
    }
}
