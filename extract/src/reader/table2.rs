//! Table 2 (proactive disclosure): items × measures under repeated headers.
//!
//! Each `信息内容 | measure | measure …` header sets the measures for the
//! item lines under it; an item line's values go to the header's measures
//! in order. Keys are found by (item, measure) in the vocabulary, so the
//! measures also tell the template (2019: 本年新制作数量 …; 2021: 本年制发件数 …).

use super::Slot;
use super::split::FusedRun;
use super::tokens::{TLine, Tok};
use crate::Template;
use crate::labels::{best_match, scan};
use crate::value::to_10k_cny;
use crate::vocab::vocab;

/// Table 2 as read.
#[derive(Debug, Clone, Default)]
pub struct Table2Read {
    /// Cells found: (index into [`crate::vocab::Vocab::table2`], cell).
    pub slots: Vec<(usize, Slot)>,
    /// Findings.
    pub flags: Vec<String>,
    /// Items whose values were printed fused (`规章 000` for three measures):
    /// the item's keys (indices into [`crate::vocab::Vocab::table2`]) in
    /// header order, the digit tokens and the line, for [`super::split`].
    pub fused: Vec<(Vec<usize>, Vec<String>, u32)>,
}

impl Table2Read {
    /// The template the measures show, if they tell.
    pub fn template(&self) -> Option<Template> {
        let v = vocab();
        let has = |t: Template| self.slots.iter().any(|(i, _)| v.table2[*i].template == t);
        match (has(Template::V2019), has(Template::V2021)) {
            (true, false) => Some(Template::V2019),
            (false, true) => Some(Template::V2021),
            _ => None,
        }
    }
}

/// Distinct measures: (canonical normalised label, labels with aliases).
fn measures() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for t in &vocab().table2 {
        if !out.iter().any(|(m, _)| *m == t.measures[0]) {
            out.push((t.measures[0].clone(), t.measures.clone()));
        }
    }
    out
}

/// The unit a header states for money (`万元` or `元`).
fn header_unit(text: &str) -> Option<&'static str> {
    if text.contains("万元") {
        Some("万元")
    } else if text.contains('元') {
        Some("元")
    } else {
        None
    }
}

/// Reads table 2 from its part's lines.
pub fn read(lines: &[TLine]) -> Table2Read {
    let all_measures = measures();
    // (position in the label, index into `all_measures`) of each measure named
    let measures_in = |key: &str| {
        scan(
            key,
            all_measures
                .iter()
                .enumerate()
                .map(|(i, (_, ls))| (i, ls.as_slice())),
        )
    };
    let mut out = Table2Read::default();
    let mut current: Vec<String> = Vec::new();
    let mut unit: Option<&'static str> = None;
    let mut pending_item = String::new();
    let mut lifted: Vec<LiftedRow> = Vec::new();
    for l in lines {
        for seg in l.segments() {
            let key = seg.label_key();
            if seg.n_values() == 0 {
                let hits = measures_in(&key);
                if hits.is_empty() {
                    pending_item = key;
                } else {
                    current = hits
                        .iter()
                        .map(|&(_, i)| all_measures[i].0.clone())
                        .collect();
                    unit = header_unit(&l.text);
                    pending_item.clear();
                }
                continue;
            }
            // A header glued to its first item (`信息内容本年收费金额行政事业性收费 5`,
            // flattened text): the measures set the header, the rest is the item.
            let glued = measures_in(&key);
            let key = match glued.last() {
                Some(&(pos, last)) => {
                    current = glued
                        .iter()
                        .map(|&(_, i)| all_measures[i].0.clone())
                        .collect();
                    unit = header_unit(&l.text);
                    let end = all_measures[last]
                        .1
                        .iter()
                        .filter(|m| key[pos..].starts_with(m.as_str()))
                        .map(String::len)
                        .max()
                        .unwrap_or(0);
                    key[pos + end..].to_string()
                }
                None => key,
            };
            let item = if key.is_empty() {
                std::mem::take(&mut pending_item)
            } else {
                key
            };
            let nums: Vec<&Tok> = seg.vals.iter().copied().filter(|t| t.is_value()).collect();
            let hint = out.template().or_else(|| measures_template(&current));
            let mut placed: Vec<(usize, &Tok)> = if nums.len() == current.len() {
                under_header(&item, &current, nums.clone())
            } else if seg.vals.len() == current.len() {
                under_header(&item, &current, seg.vals.clone())
            } else {
                Vec::new()
            };
            if placed.is_empty() && !under_header(&item, &current, nums.clone()).is_empty() {
                // The header in force is this item's, but the values do not fit it
                // (fused or lost cells): reading them under other measures would guess.
                let keys: Vec<usize> = under_header(&item, &current, vec![nums[0]; current.len()])
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect();
                let raw: Vec<String> = nums.iter().map(|t| t.raw.clone()).collect();
                // Digits fuse only in running text; a short grid row lost a cell.
                if !l.multi && keys.len() == current.len() && FusedRun::plausible(&raw, keys.len())
                {
                    out.fused.push((keys, raw, l.no));
                } else {
                    if l.multi && keys.len() == current.len() && nums.len() + 1 == keys.len() {
                        lifted.push(LiftedRow {
                            keys,
                            measures: current.clone(),
                            toks: nums.iter().map(|t| (*t).clone()).collect(),
                            line: l.no,
                        });
                    }
                    out.flags.push(format!("short_row:t2:{}", l.no));
                }
                continue;
            }
            if placed.is_empty() {
                // No header for this item (or a header of other items): the item's
                // own measures in the vocabulary tell where its values go.
                match by_item(&item, nums.len(), hint) {
                    Some(keys) => placed = keys.into_iter().zip(nums).collect(),
                    None => {
                        out.flags.push(format!("short_row:t2:{}", l.no));
                        continue;
                    }
                }
            }
            for (k, t) in placed {
                push_slot(&mut out, k, t, l.no, unit);
            }
        }
    }
    place_lifted(&mut out, &lifted, &lifted_cells(lines));
    out
}

/// Adds the cell `k` read from `t` (money converted to 万元 by the header's
/// `unit`), unless it was read already.
fn push_slot(out: &mut Table2Read, k: usize, t: &Tok, line: u32, unit: Option<&str>) {
    if out.slots.iter().any(|(i, _)| *i == k) {
        return;
    }
    let mut s = Slot::from_tok(t, line);
    if vocab().table2[k].money {
        let u = s.unit.clone().or(unit.map(str::to_string));
        s.value = s.value.map(|x| to_10k_cny(x, u.as_deref()));
        s.unit = u;
    }
    out.slots.push((k, s));
}

/// A grid row of table 2 that printed one value fewer than its header's
/// measures (see [`place_lifted`]).
struct LiftedRow {
    /// The item's keys, in header order.
    keys: Vec<usize>,
    /// The header's measures (canonical labels), in order.
    measures: Vec<String>,
    /// The values the row kept, in order.
    toks: Vec<Tok>,
    line: u32,
}

/// A number printed with a note on a line of its own in table 2's part
/// (`55` / `（含自然失效 29 件）`): a cell a converter lifted out of its row.
struct LiftedCell {
    tok: Tok,
    /// The note, without its brackets.
    note: String,
    /// Lines of the number and of its note.
    lines: Vec<u32>,
}

/// The lifted cells of table 2's part, in document order: a line holding
/// only a number, with a bracketed note after it on the same line or alone
/// on the next one.
fn lifted_cells(lines: &[TLine]) -> Vec<LiftedCell> {
    let bracketed = |s: &str| {
        let s = s.trim();
        let inner = s.strip_prefix(['(', '（'])?.strip_suffix([')', '）'])?;
        (!inner.contains(['(', '（', ')', '）'])).then(|| inner.trim().to_string())
    };
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(first) = l.toks.first().filter(|t| t.is_value()) else {
            continue;
        };
        if l.multi {
            continue;
        }
        let rest = l.text.trim().strip_prefix(first.raw.trim()).unwrap_or("");
        let (note, note_lines) = if rest.trim().is_empty() {
            match lines
                .get(i + 1)
                .and_then(|n| Some((bracketed(&n.text)?, n.no)))
            {
                Some((note, no)) => (note, vec![l.no, no]),
                None => continue,
            }
        } else {
            match bracketed(rest) {
                Some(note) => (note, vec![l.no]),
                None => continue,
            }
        };
        out.push(LiftedCell {
            tok: first.clone(),
            note,
            lines: note_lines,
        });
    }
    out
}

/// Words of a note that name the measure its number belongs to: repealed
/// (废止, 失效: `含自然失效29件`), issued (制发, and revisions, which are
/// issued as decrees: `其中修订16件`), in force.
const NOTE_MEASURES: [(&[&str], &str); 3] = [
    (&["废止", "失效", "撤销"], "废止"),
    (&["修订", "修改", "制发", "制定"], "制发"),
    (&["现行有效"], "有效"),
];

/// The position among `measures` of the one measure `note` names, if exactly one.
fn note_measure(note: &str, measures: &[String]) -> Option<usize> {
    let named: Vec<&str> = NOTE_MEASURES
        .iter()
        .filter(|(words, _)| words.iter().any(|w| note.contains(w)))
        .map(|(_, m)| *m)
        .collect();
    let [m] = named.as_slice() else { return None };
    let at: Vec<usize> = (0..measures.len())
        .filter(|&i| measures[i].contains(m))
        .collect();
    match at.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Puts back the cells a PDF-to-Markdown converter lifted out of table 2's
/// rows. A cell printed over two lines (a number and a note, `55` /
/// `（含自然失效 29 件）`) floats above the table, and its row keeps one value
/// fewer than the header's measures (`| 行政规范性文件 | 34 | 189 |`). When
/// the lifted cells are exactly as many as such rows, each row takes the one
/// of the same rank, in the measure its note names ([`NOTE_MEASURES`]), and
/// the row's own values fill its other measures in order. Every cell of such
/// a row is flagged `t2_lifted:<key>`, and its `short_row:t2` flags go. When a
/// note names no measure, or the counts differ, nothing is placed.
fn place_lifted(out: &mut Table2Read, rows: &[LiftedRow], cells: &[LiftedCell]) {
    if rows.is_empty() || rows.len() != cells.len() {
        return;
    }
    let Some(at) = rows
        .iter()
        .zip(cells)
        .map(|(r, c)| note_measure(&c.note, &r.measures))
        .collect::<Option<Vec<usize>>>()
    else {
        return;
    };
    let v = vocab();
    for ((row, cell), at) in rows.iter().zip(cells).zip(at) {
        let mut kept = row.toks.iter();
        for (i, &k) in row.keys.iter().enumerate() {
            if i == at {
                push_slot(out, k, &cell.tok, cell.lines[0], None);
            } else if let Some(t) = kept.next() {
                push_slot(out, k, t, row.line, None);
            }
            out.flags.push(format!("t2_lifted:{}", v.table2[k].key));
        }
        let gone: Vec<String> = cell
            .lines
            .iter()
            .chain(std::iter::once(&row.line))
            .map(|n| format!("short_row:t2:{n}"))
            .collect();
        out.flags.retain(|f| !gone.contains(f));
    }
}

/// The template a header's measures belong to, when they tell.
fn measures_template(current: &[String]) -> Option<Template> {
    let v = vocab();
    let has = |t: Template| {
        current.iter().any(|m| {
            v.table2
                .iter()
                .any(|x| x.measures[0] == *m && x.template == t)
        })
    };
    let only = |t: Template| {
        current.iter().any(|m| {
            v.table2
                .iter()
                .all(|x| x.measures[0] != *m || x.template == t)
        })
    };
    match (
        has(Template::V2019) && only(Template::V2019),
        has(Template::V2021) && only(Template::V2021),
    ) {
        (true, false) => Some(Template::V2019),
        (false, true) => Some(Template::V2021),
        _ => None,
    }
}

/// Pairs values with the header's measures, keeping those the item has.
fn under_header<'t>(item: &str, current: &[String], toks: Vec<&'t Tok>) -> Vec<(usize, &'t Tok)> {
    let v = vocab();
    current
        .iter()
        .zip(toks)
        .filter_map(|(m, t)| {
            let cands = v
                .table2
                .iter()
                .enumerate()
                .filter(|(_, t)| t.measures[0] == *m)
                .map(|(i, t)| (i, t.items.as_slice()));
            best_match(item, cands).map(|(k, _)| (k, t))
        })
        .collect()
}

/// The keys of `item`'s measures, in vocabulary order, when exactly `n` of them
/// belong to one template (`hint` breaks a tie between templates).
fn by_item(item: &str, n: usize, hint: Option<Template>) -> Option<Vec<usize>> {
    let v = vocab();
    let cands = v
        .table2
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.items.as_slice()));
    let (k, _) = best_match(item, cands)?;
    let name = &v.table2[k].items[0];
    let keys_of = |tpl: Template| -> Vec<usize> {
        (0..v.table2.len())
            .filter(|&i| v.table2[i].items[0] == *name && v.table2[i].template == tpl)
            .collect()
    };
    let fits: Vec<Vec<usize>> = [Template::V2021, Template::V2019]
        .into_iter()
        .filter(|&t| hint.is_none_or(|h| h == t))
        .map(keys_of)
        .filter(|keys| n > 0 && keys.len() == n)
        .collect();
    match fits.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{TableId, lines_from_text, parse_lines};

    #[test]
    fn single_measure_rows_without_their_header_still_read() {
        // Seed 002 with the one-measure sub-headers (信息内容 | 本年处理决定数量 …) removed.
        let seed = include_str!("../../tests/fixtures/seeds/002_46d3d5d51a8cc641.txt");
        let mut first = true;
        let text: String = seed
            .lines()
            .filter(|l| {
                let header = l.starts_with("信息内容");
                let keep = !header || first;
                first &= !header;
                keep
            })
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(text.len() < seed.len());
        let r = parse_lines(&lines_from_text(&text));
        let get = |k: &str| r.table2.get(k).copied().flatten().map(|n| n.as_f64());
        assert_eq!(get("licensing_decisions"), Some(0.0), "{:?}", r.flags);
        assert_eq!(get("coercion_decisions"), Some(0.0));
        assert_eq!(get("admin_fees_10k_cny"), Some(11.065));
        assert_eq!(get("normative_docs_in_force"), Some(0.0));
        assert!(
            !r.flags.iter().any(|f| f.starts_with("short_row:t2")),
            "{:?}",
            r.flags
        );
        assert!(
            r.cells
                .iter()
                .filter(|c| c.table == TableId::T2)
                .all(|c| c.line.is_some())
        );
    }

    #[test]
    fn cells_a_converter_lifted_out_of_their_rows_go_back_by_their_notes() {
        use crate::reader::tokens::tokenize;
        // As in `014_shanghai_szfbgt_2025.md`: the cells printed over two lines
        // float above the table, their rows keep two values for three measures.
        let text = "第二十条第（一）项\n22\n（其中修订 16 件）\n55\n（含自然失效 29 件）\n\
                    | 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n\
                    | 规章 | 22 | 235 |\n| 行政规范性文件 | 34 | 189 |\n";
        let read = |text: &str| super::read(&tokenize(&lines_from_text(text)));
        let t = read(text);
        let v = crate::vocab::vocab();
        let get = |t: &super::Table2Read, key: &str| {
            t.slots
                .iter()
                .find(|(k, _)| v.table2[*k].key == key)
                .map(|(_, s)| (s.value.map(|n| n.as_f64()), s.line))
        };
        assert_eq!(get(&t, "regulations_issued"), Some((Some(22.0), Some(2))));
        assert_eq!(get(&t, "regulations_repealed"), Some((Some(22.0), Some(8))));
        assert_eq!(
            get(&t, "regulations_in_force"),
            Some((Some(235.0), Some(8)))
        );
        assert_eq!(
            get(&t, "normative_docs_issued"),
            Some((Some(34.0), Some(9)))
        );
        assert_eq!(
            get(&t, "normative_docs_repealed"),
            Some((Some(55.0), Some(4)))
        );
        assert_eq!(
            get(&t, "normative_docs_in_force"),
            Some((Some(189.0), Some(9)))
        );
        assert!(
            t.flags
                .contains(&"t2_lifted:normative_docs_repealed".to_string())
        );
        assert!(
            !t.flags.iter().any(|f| f.starts_with("short_row")),
            "{:?}",
            t.flags
        );
        // A note that names no measure places nothing: the rows stay short.
        let t = read(&text.replace("含自然失效", "备注"));
        assert_eq!(get(&t, "normative_docs_in_force"), None);
        assert!(
            t.flags.contains(&"short_row:t2:9".to_string()),
            "{:?}",
            t.flags
        );
        // Neither without as many lifted cells as short rows.
        let t = read(&text.replace("55\n（含自然失效 29 件）\n", ""));
        assert_eq!(get(&t, "regulations_in_force"), None);
    }
}
