//! Lines → label and value tokens.

use super::flat;
use crate::Line;
use crate::normalize::{label_key, normalize_text};
use crate::value::{CellValue, parse_value};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Label text (consecutive label words of a cell are one token).
    Label,
    /// A printed value (number, dash, `无`).
    Value(CellValue),
    /// An empty grid cell.
    Empty,
}

/// One token of a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    /// Label, value or empty cell.
    pub kind: Kind,
    /// The normalised text as printed.
    pub raw: String,
    /// For labels: the [`label_key`] of the text.
    pub key: String,
    /// Index of the cell in the source line.
    pub cell: usize,
}

impl Tok {
    /// A non-empty value.
    pub fn is_value(&self) -> bool {
        matches!(self.kind, Kind::Value(_))
    }
}

/// A tokenised line.
#[derive(Debug, Clone, PartialEq)]
pub struct TLine {
    /// Source line number.
    pub no: u32,
    /// Tokens in reading order.
    pub toks: Vec<Tok>,
    /// More than one non-empty cell (a grid or TSV row).
    pub multi: bool,
    /// The label keys of the line's label tokens, joined (values left out;
    /// prose longer than 160 characters has an empty key).
    pub key: String,
    /// Normalised text of the whole line, cells joined by a space.
    pub text: String,
}

/// A run of labels followed by the values (and empty cells) after them.
#[derive(Debug, Clone, Default)]
pub struct Segment<'a> {
    /// Label tokens.
    pub labels: Vec<&'a Tok>,
    /// Value and empty tokens after the labels.
    pub vals: Vec<&'a Tok>,
}

impl Segment<'_> {
    /// Number of non-empty values.
    pub fn n_values(&self) -> usize {
        self.vals.iter().filter(|t| t.is_value()).count()
    }

    /// The labels' keys joined.
    pub fn label_key(&self) -> String {
        self.labels.iter().map(|t| t.key.as_str()).collect()
    }
}

impl TLine {
    /// Splits the line into segments: a new segment starts at a label that
    /// follows a value. Empty cells between labels are dropped.
    pub fn segments(&self) -> Vec<Segment<'_>> {
        let mut out: Vec<Segment<'_>> = vec![Segment::default()];
        for t in &self.toks {
            let cur = out.last_mut().expect("non-empty");
            match t.kind {
                Kind::Label => {
                    if cur.vals.iter().any(|v| v.is_value()) {
                        out.push(Segment {
                            labels: vec![t],
                            vals: Vec::new(),
                        });
                    } else {
                        cur.vals.clear();
                        cur.labels.push(t);
                    }
                }
                _ => cur.vals.push(t),
            }
        }
        out
    }

    /// Whether the line has any non-empty value.
    pub fn has_values(&self) -> bool {
        self.toks.iter().any(Tok::is_value)
    }
}

/// A Markdown table separator cell such as `---` or `:---:`.
fn is_rule(cell: &str) -> bool {
    let t = cell.trim();
    t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | ':' | '—' | '=' | '+'))
}

/// Tokenises lines; blank lines and Markdown separator rows are dropped.
///
/// A flattened line (a whole report's tables on one line, see
/// [`super::flat`]) becomes one tokenised line per piece, all with its number.
pub fn tokenize(lines: &[Line]) -> Vec<TLine> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if let [cell] = line.cells.as_slice()
            && flat::may_be_flattened(cell)
        {
            let text = normalize_text(cell);
            if flat::is_flattened(&text) {
                out.extend(flat::reflow(&text).into_iter().filter_map(|p| {
                    tokenize_line(&Line {
                        no: line.no,
                        cells: vec![p],
                    })
                }));
                continue;
            }
        }
        out.extend(tokenize_line(line));
    }
    out
}

/// A page footer or header that is only a page number: `-4-`, `— 5 —`,
/// `- 12 -`, `第 3 页`, `第3页 共6页`.
fn is_page_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    let dash = |c: char| matches!(c, '-' | '—' | '–' | '－');
    let t = text.trim();
    if t.starts_with(dash) && t.ends_with(dash) {
        let inner = t.trim_matches(|c: char| dash(c) || c.is_whitespace());
        return digits(inner);
    }
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(rest) = t.strip_prefix('第') else {
        return false;
    };
    let Some((page, tail)) = rest.split_once('页') else {
        return false;
    };
    let total = tail
        .trim_start_matches([',', '，', '/'])
        .strip_prefix('共')
        .and_then(|x| x.strip_suffix('页'));
    digits(page) && (tail.is_empty() || total.is_some_and(digits))
}

fn tokenize_line(line: &Line) -> Option<TLine> {
    let cells: Vec<String> = line.cells.iter().map(|c| normalize_text(c)).collect();
    let non_empty = cells.iter().filter(|c| !c.trim().is_empty()).count();
    if non_empty == 0
        || cells
            .iter()
            .filter(|c| !c.trim().is_empty())
            .all(|c| is_rule(c))
        || (non_empty == 1 && cells.iter().any(|c| is_page_number(c)))
    {
        return None;
    }
    let multi = non_empty > 1;
    let mut toks = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let cell = cell.trim().trim_start_matches('#').trim();
        if cell.is_empty() {
            if cells.len() > 1 {
                toks.push(Tok {
                    kind: Kind::Empty,
                    raw: String::new(),
                    key: String::new(),
                    cell: i,
                });
            }
            continue;
        }
        let mut label: Vec<&str> = Vec::new();
        let words: Vec<&str> = cell.split_whitespace().collect();
        for (wi, &w) in words.iter().enumerate() {
            let next = words.get(wi + 1).copied();
            let value = if is_item_number(w, next)
                || (cells.len() > 1 && wi == 0 && is_bare_item_number(w, next))
            {
                None
            } else {
                parse_value(w)
            };
            match value {
                Some(v) => {
                    flush_label(&mut label, &mut toks, i);
                    toks.push(Tok {
                        kind: Kind::Value(v),
                        raw: w.to_string(),
                        key: String::new(),
                        cell: i,
                    });
                }
                None => {
                    // `（六）其他处理 3.其他` in one grid cell: the sub-item starts a new label.
                    if starts_item(w) {
                        flush_label(&mut label, &mut toks, i);
                    }
                    label.push(w)
                }
            }
        }
        flush_label(&mut label, &mut toks, i);
    }
    let text = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Some(TLine {
        no: line.no,
        key: toks
            .iter()
            .filter(|t| t.kind == Kind::Label)
            .map(|t| t.key.as_str())
            .collect(),
        toks,
        multi,
        text,
    })
}

/// Whether a word is an item number, not a value: `2.` or `2、` (a label
/// whose text was lost, as OCR leaves it), or `1` followed by a word opening
/// with the item's point (`1 .属于国家秘密`). At most two digits.
fn is_item_number(w: &str, next: Option<&str>) -> bool {
    const POINTS: [char; 3] = ['.', '、', '．'];
    let digits = w.trim_end_matches(POINTS);
    let n = digits.len();
    (1..=2).contains(&n)
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (w.len() > n && w[n..].chars().count() == 1
            || n == w.len() && next.is_some_and(|x| x.starts_with(POINTS)))
}

/// Whether a grid cell's first word is an item number whose point was lost
/// (OCR's `4 保护第三方合法权益`): one or two digits followed by a word of
/// text (at least two characters, so that a unit such as `3 件` stays a value).
fn is_bare_item_number(w: &str, next: Option<&str>) -> bool {
    (1..=2).contains(&w.len())
        && w.bytes().all(|b| b.is_ascii_digit())
        && next.is_some_and(|x| {
            x.chars().count() >= 2
                && x.starts_with(|c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        })
}

/// Whether a word opens a numbered item: `3.其他`, `2、…`, `(三)不予`.
fn starts_item(w: &str) -> bool {
    let rest = w.trim_start_matches(|c: char| c.is_ascii_digit());
    if rest.len() < w.len() {
        return rest.starts_with('.') || rest.starts_with('、');
    }
    let mut chars = w.chars();
    matches!(chars.next(), Some('(' | '（'))
        && chars
            .next()
            .is_some_and(|c| "一二三四五六七八九十".contains(c))
}

/// Text longer than this is prose, never a label or heading: its key is not computed.
const PROSE_CHARS: usize = 160;

/// [`label_key`], or "" for prose.
fn key_of(text: &str) -> String {
    if text.chars().count() > PROSE_CHARS {
        String::new()
    } else {
        label_key(text)
    }
}

fn flush_label(label: &mut Vec<&str>, toks: &mut Vec<Tok>, cell: usize) {
    if label.is_empty() {
        return;
    }
    let raw = label.join(" ");
    let key = key_of(&raw);
    label.clear();
    toks.push(Tok {
        kind: Kind::Label,
        raw,
        key,
        cell,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_numbers_are_not_values() {
        assert!(is_item_number("2.", None));
        assert!(is_item_number("2、", Some("5")));
        assert!(is_item_number("1", Some(".属于国家秘密")));
        assert!(!is_item_number("1", Some("5")));
        assert!(!is_item_number("2.5", None));
        assert!(!is_item_number("123.", None));
        assert!(!is_item_number("2..", None));
        assert_eq!(
            values_of(&["", "2.", "5", "4", "1 .属于国家秘密"]),
            ["5", "4"]
        );
        // a grid cell opening with a number and text: the point was lost
        assert_eq!(
            values_of(&["4 保护第三方合法权益", "6", "3 件"]),
            ["6", "3"]
        );
    }

    /// The raw values a line of these cells is tokenized into.
    fn values_of(cells: &[&str]) -> Vec<String> {
        tokenize_line(&line(cells))
            .expect("a line")
            .toks
            .into_iter()
            .filter(|t| t.is_value())
            .map(|t| t.raw)
            .collect()
    }

    #[test]
    fn a_sub_item_inside_a_group_cell_is_its_own_label() {
        let t = tokenize_line(&line(&["（六）其他处理 3.其他", "0", "1"])).unwrap();
        let labels: Vec<&str> = t
            .toks
            .iter()
            .filter(|t| t.kind == Kind::Label)
            .map(|t| t.key.as_str())
            .collect();
        assert_eq!(labels, ["其他处理", "其他"]);
        let t = tokenize_line(&line(&["1. 属于国家秘密", "0"])).unwrap();
        assert_eq!(t.toks.iter().filter(|t| t.kind == Kind::Label).count(), 1);
        assert!(starts_item("12、重复申请") && starts_item("(三)不予") && !starts_item("2021年"));
    }

    fn line(cells: &[&str]) -> Line {
        Line {
            no: 1,
            cells: cells.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn text_line_splits_label_and_values() {
        let t = tokenize(&[line(&["⼀、本年新收政府信息公开申请数量 0 0 0 0 0 0 7"])]);
        let segs = t[0].segments();
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].label_key(), "本年新收政府信息公开申请数量");
        assert_eq!(segs[0].n_values(), 7);
        assert!(!t[0].multi);
    }

    #[test]
    fn grid_line_keeps_empty_cells_after_labels() {
        let t = tokenize(&[line(&[
            "",
            "(三) 不予公开",
            "1. 属于国家秘密",
            "",
            "0",
            "0",
        ])]);
        let segs = t[0].segments();
        assert_eq!(segs[0].labels.len(), 2);
        assert_eq!(segs[0].labels[1].key, "属于国家秘密");
        assert_eq!(segs[0].vals.len(), 3);
        assert_eq!(segs[0].n_values(), 2);
        assert!(t[0].multi);
    }

    #[test]
    fn page_numbers_are_dropped_and_values_are_not() {
        for p in [
            "-4-",
            "— 5 —",
            " - 12 - ",
            "第 3 页",
            "第3页 共6页",
            "－7－",
        ] {
            assert!(is_page_number(p), "{p}");
            assert!(tokenize(&[line(&[p])]).is_empty(), "{p}");
        }
        for v in [
            "4",
            "-4",
            "—",
            "第二十条",
            "0 0 0",
            "4 0 / 0 0 0 4",
            "3/6",
            "- 1 2 -",
            "12-",
            "第3项",
        ] {
            assert!(!is_page_number(v), "{v}");
        }
        assert_eq!(tokenize(&[line(&["-4-", "5"])]).len(), 1);
    }

    #[test]
    fn rules_and_blank_lines_are_dropped() {
        assert!(tokenize(&[line(&["---------", "---"]), line(&["", " "])]).is_empty());
    }

    #[test]
    fn label_after_values_starts_a_segment() {
        let t = tokenize(&[line(&["规章 0 0 0 行政规范性文件 1 2 3"])]);
        let segs = t[0].segments();
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].label_key(), "行政规范性文件");
    }
}
