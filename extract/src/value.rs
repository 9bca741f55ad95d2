//! Reading one printed cell value: numbers with units, blanks, dashes, `无`.

use crate::phrase::{is_digit, run_ends, word_at};
use crate::{Number, Provenance};

/// A cell value as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct CellValue {
    /// The number, `None` for blanks, dashes and `无`.
    pub value: Option<Number>,
    /// The unit printed in the cell (`件`, `万元`, `元`), if any.
    pub unit: Option<String>,
    /// `Printed`, `Blank`, `Dash` or `Na`.
    pub provenance: Provenance,
}

impl CellValue {
    /// An empty cell.
    pub fn blank() -> CellValue {
        CellValue {
            value: None,
            unit: None,
            provenance: Provenance::Blank,
        }
    }
}

/// Units a printed number may carry.
const UNITS: [&str; 8] = ["件", "个", "条", "项", "次", "人", "万元", "元"];

/// A printed number's parts — sign, integer digits (with their thousands
/// commas), fraction digits, unit — when all of `t` is one:
/// `^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(件|个|条|项|次|人|万元|元)?$`
/// (matched by hand, see [`crate::phrase`]; the tests compare the two).
fn number_parts(t: &str) -> Option<(&str, &str, Option<&str>, Option<&str>)> {
    let sign = if t.starts_with(['+', '-']) { 1 } else { 0 };
    let digits_from = |at: usize, max: usize| *run_ends(t, at, max, is_digit).last().unwrap_or(&at);
    // the fraction and unit after the integer part, up to the end of `t`
    let rest = |int_end: usize| {
        let mut at = int_end;
        let mut fraction = None;
        if t[at..].starts_with('.') {
            let end = digits_from(at + 1, usize::MAX);
            if end > at + 1 {
                fraction = Some(&t[at + 1..end]);
                at = end;
            }
        }
        let unit = word_at(t, at, &UNITS);
        (at + unit.map_or(0, str::len) == t.len()).then_some((fraction, unit))
    };
    // `\d{1,3}(?:,\d{3})+`: up to three digits, then whole groups of three
    let lead = digits_from(sign, 3);
    let mut grouped = lead;
    while lead > sign && t[grouped..].starts_with(',') {
        let ends = run_ends(t, grouped + 1, 3, is_digit);
        if ends.len() < 4 {
            break;
        }
        grouped = ends[3];
    }
    let int_end = if grouped > lead && rest(grouped).is_some() {
        grouped
    } else {
        // `\d+`
        digits_from(sign, usize::MAX)
    };
    if int_end == sign {
        return None;
    }
    let (fraction, unit) = rest(int_end)?;
    Some((&t[..sign], &t[sign..int_end], fraction, unit))
}

/// Words meaning "nothing to report".
const NA_WORDS: [&str; 3] = ["无", "不适用", "空"];

/// Parses one printed value (already normalised with
/// [`crate::normalize::normalize_text`] and trimmed).
///
/// Returns `None` when the text is not a value (a label). Blank text gives
/// provenance `Blank`; `/`, `\`, `—`, `-`, `--`, `——` give `Dash`; `无`,
/// `不适用` give `Na`; `5`, `1,234`, `5件`, `11.065万元`, `-3` give the number
/// with its unit. Integers stay [`Number::Int`]; a decimal point gives
/// [`Number::Dec`].
pub fn parse_value(text: &str) -> Option<CellValue> {
    let t = text.trim();
    if t.is_empty() {
        return Some(CellValue::blank());
    }
    if t.chars().count() <= 2
        && t.chars()
            .all(|c| matches!(c, '/' | '\\' | '—' | '-' | '~' | '_'))
    {
        return Some(CellValue {
            value: None,
            unit: None,
            provenance: Provenance::Dash,
        });
    }
    if NA_WORDS.contains(&t) {
        return Some(CellValue {
            value: None,
            unit: None,
            provenance: Provenance::Na,
        });
    }
    let first = t.chars().next()?;
    if !(first.is_ascii_digit() || first == '-' || first == '+') {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 15 {
        return Some(CellValue {
            value: t.parse().ok().map(Number::Int),
            unit: None,
            provenance: Provenance::Printed,
        });
    }
    let (sign, int_digits, fraction, unit) = number_parts(t)?;
    let negative = sign == "-";
    let int_part: String = int_digits.chars().filter(|c| *c != ',').collect();
    let unit = unit.map(str::to_string);
    let value = match fraction {
        None => {
            let v: i64 = int_part.parse().ok()?;
            Number::Int(if negative { -v } else { v })
        }
        Some(frac) => {
            let v: f64 = format!("{int_part}.{frac}").parse().ok()?;
            Number::Dec(if negative { -v } else { v })
        }
    };
    Some(CellValue {
        value: Some(value),
        unit,
        provenance: Provenance::Printed,
    })
}

/// Converts a money value to 万元 given the unit printed in the cell or the
/// header (`元` divides by 10 000; `万元` or no unit keeps the value).
pub fn to_10k_cny(v: Number, unit: Option<&str>) -> Number {
    match unit {
        Some("元") => Number::Dec(v.as_f64() / 10_000.0),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(t: &str) -> Option<Number> {
        parse_value(t).and_then(|v| v.value)
    }

    #[test]
    fn numbers_and_units() {
        assert_eq!(num("5"), Some(Number::Int(5)));
        assert_eq!(num("1,234"), Some(Number::Int(1234)));
        assert_eq!(num("-3"), Some(Number::Int(-3)));
        assert_eq!(num("11.065"), Some(Number::Dec(11.065)));
        let v = parse_value("5件").unwrap();
        assert_eq!(
            (v.value, v.unit.as_deref()),
            (Some(Number::Int(5)), Some("件"))
        );
        let v = parse_value("11.065万元").unwrap();
        assert_eq!(
            (v.value, v.unit.as_deref()),
            (Some(Number::Dec(11.065)), Some("万元"))
        );
    }

    #[test]
    fn non_numbers_keep_their_kind() {
        assert_eq!(parse_value("").unwrap().provenance, Provenance::Blank);
        for d in ["/", "—", "-", "——", "--", "\\"] {
            let v = parse_value(d).unwrap();
            assert_eq!((v.provenance, v.value), (Provenance::Dash, None), "{d}");
        }
        assert_eq!(parse_value("无").unwrap().provenance, Provenance::Na);
        assert_eq!(parse_value("1.属于国家秘密"), None);
        assert_eq!(parse_value("1."), None);
        assert_eq!(parse_value("---"), None);
        assert_eq!(parse_value("公开"), None);
    }

    #[test]
    fn yuan_become_10k_cny() {
        assert_eq!(to_10k_cny(Number::Int(1000), Some("元")), Number::Dec(0.1));
        assert_eq!(to_10k_cny(Number::Dec(1.5), Some("万元")), Number::Dec(1.5));
    }
}

/// [`number_parts`] against the regular expression it replaced.
#[cfg(test)]
mod former_pattern {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;
    use std::sync::LazyLock;

    /// Built once: the tests run thousands of cases.
    static FORMER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(件|个|条|项|次|人|万元|元)?$")
            .unwrap()
    });

    const PIECES: [&str; 16] = [
        "1", "23", "456", "7890", ",", ",000", ".", ".5", "-", "+", "٣", "万元", "元", "件", " ",
        "a",
    ];

    fn agree(t: &str) {
        let want = FORMER.captures(t).map(|c| {
            (
                c.get(1).unwrap().as_str(),
                c.get(2).unwrap().as_str(),
                c.get(3).map(|m| m.as_str()),
                c.get(4).map(|m| m.as_str()),
            )
        });
        assert_eq!(number_parts(t), want, "{t:?}");
    }

    #[test]
    fn known_values() {
        for t in [
            "1,234",
            "1,234.5万元",
            "-3",
            "+12件",
            "1234,567",
            "12,34",
            "1,2345",
            "1,234,",
            "5.",
            "5.元",
            ".5",
            "0.25元",
            "١٢٣",
            "1,234x",
            "",
            "-",
            "12万",
            "1,234,567",
        ] {
            agree(t);
        }
        assert_eq!(
            number_parts("-1,234.5万元"),
            Some(("-", "1,234", Some("5"), Some("万元")))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn generated_values(v in proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..8)) {
            agree(&v.concat());
        }

        #[test]
        fn arbitrary_text(t in "[-+0-9,.٣万元件]{0,12}|\\PC{0,12}") {
            agree(&t);
        }
    }
}
