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
    let v = vocab();
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
                if out.slots.iter().any(|(i, _)| *i == k) {
                    continue;
                }
                let mut s = Slot::from_tok(t, l.no);
                if v.table2[k].money {
                    let u = s.unit.clone().or(unit.map(str::to_string));
                    s.value = s.value.map(|x| to_10k_cny(x, u.as_deref()));
                    s.unit = u;
                }
                out.slots.push((k, s));
            }
        }
    }
    out
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
}
