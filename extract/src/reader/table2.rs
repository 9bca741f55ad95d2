//! Table 2 (proactive disclosure): items × measures under repeated headers.
//!
//! Each `信息内容 | measure | measure …` header sets the measures for the
//! item lines under it; an item line's values go to the header's measures
//! in order. Keys are found by (item, measure) in the vocabulary, so the
//! measures also tell the template (2019: 本年新制作数量 …; 2021: 本年制发件数 …).

use super::Slot;
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
    let mut out = Table2Read::default();
    let mut current: Vec<String> = Vec::new();
    let mut unit: Option<&'static str> = None;
    let mut pending_item = String::new();
    for l in lines {
        for seg in l.segments() {
            let key = seg.label_key();
            if seg.n_values() == 0 {
                let hits = scan(
                    &key,
                    all_measures
                        .iter()
                        .enumerate()
                        .map(|(i, (_, ls))| (i, ls.as_slice())),
                );
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
            let item = if key.is_empty() {
                std::mem::take(&mut pending_item)
            } else {
                key
            };
            let nums: Vec<&Tok> = seg.vals.iter().copied().filter(|t| t.is_value()).collect();
            let toks: Vec<&Tok> = if nums.len() == current.len() {
                nums
            } else if seg.vals.len() == current.len() {
                seg.vals.clone()
            } else {
                out.flags.push(format!("short_row:t2:{}", l.no));
                continue;
            };
            for (m, t) in current.iter().zip(toks) {
                let cands = v
                    .table2
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.measures[0] == *m)
                    .map(|(i, t)| (i, t.items.as_slice()));
                let Some((k, _)) = best_match(&item, cands) else {
                    continue;
                };
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
