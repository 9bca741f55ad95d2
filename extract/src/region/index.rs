//! The gazetteer's name index and the matching of division names at the
//! front of a text: each link of a chain is the longest name form found at
//! that position that lies inside the previous link.

use super::names::name_forms;
use super::{Division, Level};
use ogi_spec::gazetteer::DivisionRow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// One division in the gazetteer.
pub(super) struct Entry {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) level: Level,
    pub(super) parent: Option<u32>,
}

/// A name form pointing at a division.
#[derive(Clone, Copy)]
struct Form {
    idx: u32,
    /// The name without its suffix (`二七` for `二七区`).
    short: bool,
}

/// The result of reading division names from the front of a text.
pub(crate) struct Chain {
    /// Candidate divisions for the deepest link.
    pub(super) cands: Vec<u32>,
    /// Bytes of the text consumed by the chain.
    pub(crate) consumed: usize,
    /// The text of the last link (`朝阳区`).
    pub(super) last_name: String,
    /// Levels of the last link's candidates.
    last_levels: Vec<Level>,
}

impl Chain {
    /// Whether every candidate of the last link is a township.
    pub(crate) fn levels_end_with_township(&self) -> bool {
        !self.last_levels.is_empty() && self.last_levels.iter().all(|&l| l == Level::Township)
    }
}

/// The parsed gazetteer with its indexes.
pub(super) struct Gazetteer {
    pub(super) entries: Vec<Entry>,
    pub(super) by_code: HashMap<String, u32>,
    forms: HashMap<String, Vec<Form>>,
    /// Longest name form, in characters.
    max_chars: usize,
}

static GAZETTEER: LazyLock<Gazetteer> =
    LazyLock::new(|| Gazetteer::build(ogi_spec::gazetteer::bundled()));

/// The bundled gazetteer's index, built at first use.
pub(super) fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

impl Gazetteer {
    /// Indexes the gazetteer's rows.
    fn build(rows: &[DivisionRow]) -> Gazetteer {
        let by_code: HashMap<String, u32> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i as u32))
            .collect();
        let entries: Vec<Entry> = rows
            .iter()
            .map(|r| Entry {
                parent: by_code.get(&r.parent).copied(),
                code: r.code.clone(),
                name: r.name.clone(),
                level: r.level,
            })
            .collect();
        let mut forms: HashMap<String, Vec<Form>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for (form, short) in name_forms(&e.name, e.level) {
                forms.entry(form).or_default().push(Form {
                    idx: i as u32,
                    short,
                });
            }
        }
        let max_chars = forms.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Gazetteer {
            entries,
            by_code,
            forms,
            max_chars,
        }
    }

    /// Ancestors of a division, itself first.
    fn path(&self, idx: u32) -> impl Iterator<Item = &Entry> {
        let mut next = self.entries.get(idx as usize);
        // The depth is at most four; the bound guards against a cyclic CSV.
        std::iter::from_fn(move || {
            let e = next?;
            next = e.parent.and_then(|p| self.entries.get(p as usize));
            Some(e)
        })
        .take(8)
    }

    /// Whether `x` is `y` or lies inside `y`.
    pub(super) fn within(&self, x: u32, y: u32) -> bool {
        let target = &self.entries[y as usize].code;
        self.path(x).any(|e| &e.code == target)
    }

    /// The region a division stands for in a report: a township's county, else itself.
    pub(super) fn region_of(&self, idx: u32) -> u32 {
        match self.entries.get(idx as usize) {
            Some(e) if e.level == Level::Township => e.parent.unwrap_or(idx),
            _ => idx,
        }
    }

    pub(super) fn division(&self, idx: u32) -> Division {
        let e = &self.entries[idx as usize];
        let mut path: Vec<&Entry> = self.path(idx).collect();
        path.reverse();
        let name_at = |l: Level| path.iter().find(|p| p.level == l).map(|p| p.name.clone());
        Division {
            code: e.code.clone(),
            name: e.name.clone(),
            level: e.level,
            parent: e.parent.map(|p| self.entries[p as usize].code.clone()),
            province: name_at(Level::Province),
            prefecture: name_at(Level::Prefecture),
            county: name_at(Level::County),
            full_name: path.iter().map(|p| p.name.as_str()).collect(),
        }
    }

    /// Reads the chain of division names at the front of `text` (normalised).
    pub(crate) fn chain(&self, text: &str) -> Chain {
        // (end of the link in bytes, candidates, weak)
        let mut links: Vec<(usize, Vec<u32>, bool)> = Vec::new();
        loop {
            let (start, inside) = links
                .last()
                .map_or((0, &[][..]), |(end, cands, _)| (*end, cands.as_slice()));
            let Some((len, cands, weak)) = self.link(&text[start..], inside) else {
                break;
            };
            links.push((start + len, cands, weak));
        }
        // A county's short form alone is too weak to be a place name (公安局 is not 公安县).
        if links.last().is_some_and(|l| l.2) {
            links.pop();
        }
        let start_of_last = links.len().checked_sub(2).map_or(0, |i| links[i].0);
        match links.pop() {
            None => Chain {
                cands: Vec::new(),
                consumed: 0,
                last_name: String::new(),
                last_levels: Vec::new(),
            },
            Some((end, cands, _)) => Chain {
                last_levels: cands
                    .iter()
                    .map(|&c| self.entries[c as usize].level)
                    .collect(),
                last_name: text[start_of_last..end].to_string(),
                consumed: end,
                cands,
            },
        }
    }

    /// The longest name form at the front of `text` whose divisions lie inside one of `inside`
    /// (any division when `inside` is empty): (bytes, candidates, weak).
    ///
    /// Full-name matches win over short-form matches of the same text, higher
    /// levels over lower ones. A first link is weak when it only stands for
    /// counties through their short form.
    fn link(&self, text: &str, inside: &[u32]) -> Option<(usize, Vec<u32>, bool)> {
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .skip(1)
            .take(self.max_chars.saturating_sub(1))
            .collect();
        for &end in ends.iter().rev() {
            let Some(forms) = self.forms.get(&text[..end]) else {
                continue;
            };
            let fits = |f: &&Form| {
                inside.is_empty() || inside.iter().any(|&y| f.idx != y && self.within(f.idx, y))
            };
            let fitting: Vec<&Form> = forms.iter().filter(fits).collect();
            if fitting.is_empty() {
                continue;
            }
            let any_full = fitting.iter().any(|f| !f.short);
            let cands: Vec<u32> = fitting
                .iter()
                .filter(|f| !any_full || !f.short)
                .map(|f| f.idx)
                .collect();
            // The same name at several levels (county 西工区, and a township 西工区 in 获嘉县):
            // the higher level is the one meant.
            let top = cands
                .iter()
                .map(|&c| self.entries[c as usize].level)
                .min()?;
            let cands: Vec<u32> = cands
                .into_iter()
                .filter(|&c| self.entries[c as usize].level == top)
                .collect();
            let weak = inside.is_empty() && !any_full && top == Level::County;
            return Some((end, cands, weak));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ogi_spec::gazetteer::DIVISIONS_CSV;

    #[test]
    fn gazetteer_loads_every_row() {
        let g = gazetteer();
        let data_rows = DIVISIONS_CSV.lines().count() - 1;
        assert_eq!(
            g.entries.len(),
            data_rows,
            "a row of divisions.csv failed to parse"
        );
        assert!(g.entries.len() > 40_000);
        // Every parent code exists.
        let rows_with_parent = DIVISIONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.ends_with(','))
            .count();
        assert_eq!(
            g.entries.iter().filter(|e| e.parent.is_some()).count(),
            rows_with_parent
        );
    }
}
