//! Text normalisation for matching labels and reading numbers.
//!
//! Government PDFs and web pages print the same label in many ways: Kangxi
//! radicals (`⼀⼯⾏`) and CJK Radicals Supplement forms (`⺠`, `⻓`) from PDF
//! fonts, full-width digits and punctuation, `（一）` vs `(一) `, `1.` vs `1、`,
//! explanatory remarks in brackets and stray spaces. [`normalize_text`] fixes
//! the characters; [`label_key`] reduces a label to the bare characters that
//! [`crate::vocab`] matching compares.

use crate::phrase::{is_digit, remove_matches, run_ends, skip_space};
use unicode_normalization::UnicodeNormalization;

/// CJK Radicals Supplement (U+2E80–U+2EF3) forms that PDF fonts emit, mapped to
/// the unified ideograph they stand for (NFKC leaves most of this block alone).
const RADICAL_SUPPLEMENT: &[(char, char)] = &[
    ('⺆', '冂'),
    ('⺇', '几'),
    ('⺈', '刀'),
    ('⺊', '卜'),
    ('⺋', '卩'),
    ('⺌', '小'),
    ('⺍', '小'),
    ('⺎', '兀'),
    ('⺏', '尢'),
    ('⺐', '尢'),
    ('⺒', '巳'),
    ('⺓', '幺'),
    ('⺔', '彑'),
    ('⺕', '彐'),
    ('⺖', '忄'),
    ('⺗', '心'),
    ('⺘', '扌'),
    ('⺙', '攵'),
    ('⺛', '旡'),
    ('⺝', '月'),
    ('⺞', '歹'),
    ('⺟', '母'),
    ('⺠', '民'),
    ('⺡', '氵'),
    ('⺢', '氺'),
    ('⺣', '灬'),
    ('⺤', '爫'),
    ('⺥', '爫'),
    ('⺦', '丬'),
    ('⺧', '牛'),
    ('⺨', '犭'),
    ('⺩', '王'),
    ('⺪', '疋'),
    ('⺫', '目'),
    ('⺬', '示'),
    ('⺭', '礻'),
    ('⺮', '竹'),
    ('⺯', '糹'),
    ('⺰', '纟'),
    ('⺱', '罒'),
    ('⺲', '罒'),
    ('⺳', '网'),
    ('⺴', '网'),
    ('⺵', '网'),
    ('⺶', '羊'),
    ('⺷', '羊'),
    ('⺸', '羊'),
    ('⺹', '耂'),
    ('⺺', '聿'),
    ('⺻', '聿'),
    ('⺼', '月'),
    ('⺽', '臼'),
    ('⺾', '艹'),
    ('⺿', '艹'),
    ('⻀', '艹'),
    ('⻁', '虎'),
    ('⻂', '衤'),
    ('⻃', '覀'),
    ('⻄', '西'),
    ('⻅', '见'),
    ('⻆', '角'),
    ('⻇', '角'),
    ('⻈', '讠'),
    ('⻉', '贝'),
    ('⻊', '足'),
    ('⻋', '车'),
    ('⻌', '辶'),
    ('⻍', '辶'),
    ('⻎', '辶'),
    ('⻏', '阝'),
    ('⻐', '钅'),
    ('⻑', '長'),
    ('⻒', '镸'),
    ('⻓', '长'),
    ('⻔', '门'),
    ('⻕', '阝'),
    ('⻖', '阝'),
    ('⻗', '雨'),
    ('⻘', '青'),
    ('⻙', '韦'),
    ('⻚', '页'),
    ('⻛', '风'),
    ('⻜', '飞'),
    ('⻝', '食'),
    ('⻞', '食'),
    ('⻟', '飠'),
    ('⻠', '饣'),
    ('⻢', '马'),
    ('⻣', '骨'),
    ('⻤', '鬼'),
    ('⻥', '鱼'),
    ('⻦', '鸟'),
    ('⻧', '卤'),
    ('⻨', '麦'),
    ('⻩', '黄'),
    ('⻪', '黾'),
    ('⻫', '斉'),
    ('⻬', '齐'),
    ('⻭', '歯'),
    ('⻮', '齿'),
    ('⻯', '竜'),
    ('⻰', '龙'),
    ('⻱', '龜'),
    ('⻲', '亀'),
    ('⻳', '龟'),
];

/// Maps one CJK Radicals Supplement character to its unified ideograph.
fn radical_supplement(c: char) -> Option<char> {
    if !('\u{2E80}'..='\u{2EFF}').contains(&c) {
        return None;
    }
    RADICAL_SUPPLEMENT
        .iter()
        .find(|(r, _)| *r == c)
        .map(|(_, u)| *u)
}

/// NFKC plus the radical map: Kangxi radicals, radical supplement forms,
/// full-width digits, letters, punctuation and spaces become their ordinary
/// forms (`⼀` → `一`, `⺠` → `民`, `１２` → `12`, `（` → `(`, U+3000 → space).
/// Dash-like characters (`—`, `–`, `－`, `―`) become `—`.
pub fn normalize_text(s: &str) -> String {
    fast_normalize(s).unwrap_or_else(|| full_normalize(s))
}

/// The common case without NFKC tables: ASCII, unified ideographs, CJK
/// punctuation, curly quotes, full-width ASCII forms and the ideographic
/// space. `None` when another character needs the full path.
fn fast_normalize(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            c if c.is_ascii() => c,
            '\u{4E00}'..='\u{9FFF}'
            | '\u{3001}'..='\u{3035}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201C}'
            | '\u{201D}' => c,
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0)?,
            '\u{3000}' => ' ',
            _ => return None,
        };
        out.push(c);
    }
    Some(out)
}

fn full_normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        let c = radical_supplement(c).unwrap_or(c);
        let c = match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '—',
            '\u{00A0}' | '\u{3000}' | '\u{200B}' | '\u{FEFF}' => ' ',
            _ => c,
        };
        out.push(c);
    }
    out
}

/// `t` without the enumerators that number rows — `(一)`, `一、`, `1.`, `1、`,
/// `1)` (`第一`…`项` stays): every match of
/// `\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.、)．]`
/// removed, as the regular expression's `replace_all` did (matched by hand,
/// see [`crate::phrase`]; the tests compare the two).
fn strip_enumerators(t: &str) -> String {
    let numeral = |c: char| {
        matches!(
            c,
            '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
        )
    };
    let end_at = |p: usize| -> Option<usize> {
        let c = t[p..].chars().next()?;
        // the three alternatives start with `(`, a numeral, a digit: one applies
        if c == '(' {
            let ends = run_ends(t, p + 1, 3, |c| numeral(c) || is_digit(c));
            let e = *ends.last()?;
            return (ends.len() > 1 && t[e..].starts_with(')')).then_some(e + 1);
        }
        if numeral(c) {
            let e = *run_ends(t, p, 3, numeral).last()?;
            return t[e..].starts_with('、').then_some(e + '、'.len_utf8());
        }
        let ends = run_ends(t, p, 2, is_digit);
        let e = skip_space(t, *ends.last()?);
        if ends.len() == 1 {
            return None;
        }
        let mark = t[e..].chars().next()?;
        matches!(mark, '.' | '、' | ')' | '．').then_some(e + mark.len_utf8())
    };
    remove_matches(t, end_at)
}

/// `t` without bracketed remarks such as `(区分处理的,只计这一情形,不计其他情形)`:
/// every match of `\([^()]{3,}\)|【[^】]*】|\[[^\]]*\]` removed (as
/// [`strip_enumerators`]).
fn strip_remarks(t: &str) -> String {
    let end_at = |p: usize| -> Option<usize> {
        let rest = &t[p..];
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner.find(['(', ')'])?;
            return (inner[close..].starts_with(')') && inner[..close].chars().count() >= 3)
                .then_some(p + 1 + close + 1);
        }
        let (open, close) = match rest.chars().next()? {
            '【' => ('【', '】'),
            '[' => ('[', ']'),
            _ => return None,
        };
        let inner = &rest[open.len_utf8()..];
        inner
            .find(close)
            .map(|i| p + open.len_utf8() + i + close.len_utf8())
    };
    remove_matches(t, end_at)
}

/// Reduces a label to the characters that matter for matching: normalised
/// (see [`normalize_text`]), without row enumerators (`（一）`, `1.`, `一、`),
/// bracketed remarks, Markdown markers, punctuation, quotes and spaces.
///
/// `（二）部分公开（区分处理的，只计这一情形）` → `部分公开`;
/// `3.危及“三安全⼀稳定”` → `危及三安全一稳定`.
pub fn label_key(s: &str) -> String {
    let t = normalize_text(s);
    let needs_regex = t
        .chars()
        .any(|c| matches!(c, '(' | '、' | '.' | ')' | '．' | '【' | '['));
    if !needs_regex {
        return t.chars().filter(|&c| is_label_char(c)).collect();
    }
    let t = strip_enumerators(&t);
    let t = strip_remarks(&t);
    t.chars().filter(|&c| is_label_char(c)).collect()
}

/// Letters and digits (unified ideographs without a table lookup).
fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Like [`label_key`] but keeps bracketed remarks (used to read units such as
/// `（单位：万元）` from a header).
pub fn compact(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kangxi_and_supplement_radicals_become_ideographs() {
        assert_eq!(normalize_text("⼀⼯⾏⺠"), "一工行民");
        assert_eq!(
            normalize_text("⻓⻔⻅⻆⻚⻢⻋⻛⻜⻝⻉"),
            "长门见角页马车风飞食贝"
        );
        assert_eq!(label_key("北关区⺠政局"), "北关区民政局");
    }

    #[test]
    fn full_width_forms_become_ascii() {
        assert_eq!(normalize_text("１２３（一）：，"), "123(一):,");
        assert_eq!(normalize_text("a\u{3000}b"), "a b");
        assert_eq!(normalize_text("－"), "-");
        assert_eq!(normalize_text("―"), "—");
        // The fast path and the NFKC path agree.
        assert_eq!(
            normalize_text("（一）１２，"),
            normalize_text("（一）１２，⼀").trim_end_matches('一')
        );
        assert_eq!(normalize_text("“三安全”…"), "“三安全”...");
    }

    #[test]
    fn enumerators_in_every_style_are_removed() {
        for s in [
            "（一）予以公开",
            "(一) 予以公开",
            "(一)予以公开",
            "一、予以公开",
            "1.予以公开",
            "1. 予以公开",
            "1、予以公开",
            "１．予以公开",
        ] {
            assert_eq!(label_key(s), "予以公开", "{s}");
        }
    }

    #[test]
    fn remarks_quotes_and_spaces_are_removed() {
        assert_eq!(
            label_key("(二) 部分公开（区分处理的，只计这一情形，不计其他情形）"),
            "部分公开"
        );
        assert_eq!(label_key("3.危及“三安全⼀稳定”"), "危及三安全一稳定");
        assert_eq!(label_key("结果 维持"), "结果维持");
        assert_eq!(
            label_key("## 三、收到和处理政府信息公开申请情况"),
            "收到和处理政府信息公开申请情况"
        );
    }

    #[test]
    fn numerals_inside_labels_survive() {
        assert_eq!(label_key("危及三安全一稳定"), "危及三安全一稳定");
        assert_eq!(
            label_key("本年新收政府信息公开申请数量"),
            "本年新收政府信息公开申请数量"
        );
    }
}

/// [`strip_enumerators`] and [`strip_remarks`] against the regular
/// expressions they replaced.
#[cfg(test)]
mod former_patterns {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;
    use std::sync::LazyLock;

    /// Built once: the tests run thousands of cases.
    static FORMER: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
        (
            Regex::new(
                r"\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.、)．]",
            )
            .unwrap(),
            Regex::new(r"\([^()]{3,}\)|【[^】]*】|\[[^\]]*\]").unwrap(),
        )
    });

    const PIECES: [&str; 24] = [
        "(",
        ")",
        "一",
        "十",
        "三",
        "1",
        "23",
        "٣",
        "５",
        "、",
        ".",
        "．",
        ")",
        " ",
        "\u{3000}",
        "【",
        "】",
        "[",
        "]",
        "部分公开",
        "区分处理的",
        ",",
        "\n",
        "第",
    ];

    fn agree(s: &str) {
        let (enumerator, remark) = &*FORMER;
        assert_eq!(strip_enumerators(s), enumerator.replace_all(s, ""), "{s:?}");
        assert_eq!(strip_remarks(s), remark.replace_all(s, ""), "{s:?}");
    }

    #[test]
    fn known_labels() {
        for s in [
            "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
            "3.危及三安全一稳定",
            "十一二三、其他",
            "(1234)",
            "12 、a",
            "【注】其他[1]",
            "(ab)",
            "",
        ] {
            agree(s);
        }
        assert_eq!(
            label_key("(二)部分公开(区分处理的,只计这一情形)"),
            "部分公开"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_labels(v in proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..20)) {
            agree(&v.concat());
        }

        #[test]
        fn arbitrary_text(s in "\\PC{0,40}") {
            agree(&s);
        }
    }
}
