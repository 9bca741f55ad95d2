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

use crate::phrase::{run_ends, word_at};
use crate::reader::sections::{is_title, is_title_key};
use crate::reader::tokens::TLine;
use regex::Regex;
use std::sync::LazyLock;

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

/// [`META_WORDS`] as a group of a regular expression.
fn meta_labels() -> String {
    format!("(?:{})", META_WORDS.join("|"))
}

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    let meta_labels = meta_labels();
    Regex::new(&format!(r"^(?:{meta_labels}:?)?(?:关于)?(.*?)((?:19|20)\d\d)年度?(.*?)(?:的)?政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:情况)?(?:年度)?报告")).expect("title regex")
});

/// `t` without a metadata label at its start and the label's colon (`标题:`):
/// the former `^(?:信息名称|…|主题)[:：]?` removed (see [`crate::phrase`]).
fn strip_meta_prefix(t: &str) -> &str {
    let Some(label) = word_at(t, 0, &META_WORDS) else {
        return t;
    };
    let rest = &t[label.len()..];
    rest.strip_prefix([':', '：']).unwrap_or(rest)
}

/// The year after the agency and the report words.
static YEAR_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    let meta_labels = meta_labels();
    Regex::new(&format!(
        r"^(?:{meta_labels}:?)?(?:关于)?(.*?)(?:的)?政府信息公开.*?报告\D*((?:19|20)\d\d)年?"
    ))
    .expect("title regex")
});

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

/// Compiles this module's regular expressions now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    for re in [&TITLE, &YEAR_AFTER] {
        LazyLock::force(re);
    }
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
    if let Some(c) = TITLE.captures(title) {
        meta.year = c[2].parse().ok();
        let agency = trim_name(&format!("{}{}", &c[1], &c[3]));
        meta.agency = (!agency.is_empty()).then_some(agency);
    } else if let Some(c) = YEAR_AFTER.captures(title) {
        // `{agency}政府信息公开工作年度报告（2022年）`
        let agency = trim_name(&c[1]);
        meta.agency = (!agency.is_empty()).then_some(agency);
        meta.year = c[2].parse().ok();
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
