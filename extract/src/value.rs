//! Reading one printed cell value: numbers with units, blanks, dashes, `无`.

use crate::{Number, Provenance};
use regex::Regex;
use std::sync::LazyLock;

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

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(件|个|条|项|次|人|万元|元)?$")
        .expect("number regex")
});

/// Compiles this module's regular expression now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&NUMBER);
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
    let caps = NUMBER.captures(t)?;
    let negative = &caps[1] == "-";
    let int_part: String = caps[2].chars().filter(|c| *c != ',').collect();
    let unit = caps.get(4).map(|m| m.as_str().to_string());
    let value = match caps.get(3) {
        None => {
            let v: i64 = int_part.parse().ok()?;
            Number::Int(if negative { -v } else { v })
        }
        Some(frac) => {
            let v: f64 = format!("{int_part}.{}", frac.as_str()).parse().ok()?;
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
