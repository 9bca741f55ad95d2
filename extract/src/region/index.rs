//! The gazetteer's name index and the matching of division names at the
//! front of a text: each link of a chain is the longest name form found at
//! that position that lies inside the previous link.

use super::{Division, Level};
use std::sync::LazyLock;

/// One division in the gazetteer (read from the compiled tables on demand).
#[derive(Clone, Copy)]
pub(super) struct Entry {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
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

/// The index written by `build.rs` from the bundled gazetteer: one text blob
/// and tables of little-endian `u32` words pointing into it.
mod compiled {
    /// Every code, name and name form, concatenated.
    pub(super) static TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/gazetteer_text.txt"));
    /// Per division, in file order: code offset, code length, name offset,
    /// name length, parent index (`u32::MAX`: none), level (0 province … 3 township).
    pub(super) static ENTRIES: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer_entries.bin"));
    /// Per name form, sorted by its text (ties in division order): offset,
    /// length, division index, short form (0/1).
    pub(super) static FORMS: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer_forms.bin"));
    /// Division indexes sorted by code.
    pub(super) static BY_CODE: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer_by_code.bin"));
    /// Longest name form, in characters.
    pub(super) static MAX_CHARS: &str =
        include_str!(concat!(env!("OUT_DIR"), "/gazetteer_max_chars.txt"));

    /// Word `i` of a table.
    pub(super) fn word(table: &[u8], i: usize) -> u32 {
        let b = &table[4 * i..4 * i + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The text at `off`, `len` (word indexes `i`, `i + 1` of a table).
    pub(super) fn text_at(table: &[u8], i: usize) -> &'static str {
        let off = word(table, i) as usize;
        &TEXT[off..off + word(table, i + 1) as usize]
    }
}

/// The bundled gazetteer with its indexes, compiled in and read in place:
/// nothing is decoded or allocated at start-up, a division is read from
/// its table entry when it is looked at.
pub(super) struct Gazetteer {
    /// Number of divisions.
    len: usize,
    /// Longest name form, in characters.
    max_chars: usize,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::decode);

/// The bundled gazetteer's index.
pub(super) fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

/// The first of `0..n` for which `below` is false (`below` must be true on a prefix).
fn first_not_below(n: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

const ENTRY_WORDS: usize = 6;
const FORM_WORDS: usize = 4;

impl Gazetteer {
    /// The sizes of the compiled index (no copies, no allocation).
    fn decode() -> Gazetteer {
        Gazetteer {
            len: compiled::ENTRIES.len() / 4 / ENTRY_WORDS,
            max_chars: compiled::MAX_CHARS.trim().parse().unwrap_or(0),
        }
    }

    /// Number of divisions.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The division at `idx` (file order), if there is one.
    pub(super) fn get(&self, idx: u32) -> Option<Entry> {
        use compiled::{ENTRIES, text_at, word};
        let i = idx as usize;
        if i >= self.len {
            return None;
        }
        let w = i * ENTRY_WORDS;
        let parent = word(ENTRIES, w + 4);
        Some(Entry {
            code: text_at(ENTRIES, w),
            name: text_at(ENTRIES, w + 2),
            parent: (parent != u32::MAX).then_some(parent),
            level: match word(ENTRIES, w + 5) {
                0 => Level::Province,
                1 => Level::Prefecture,
                2 => Level::County,
                _ => Level::Township,
            },
        })
    }

    /// The division at `idx`, an index taken from the compiled tables
    /// (always in range: `build.rs` writes only indexes of its own entries).
    pub(super) fn at(&self, idx: u32) -> Entry {
        self.get(idx)
            .unwrap_or_else(|| panic!("division index {idx} outside the compiled gazetteer"))
    }

    /// Every division, in file order.
    #[cfg(test)]
    pub(super) fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        (0..self.len as u32).map(|i| self.at(i))
    }

    /// The division with this exact code.
    pub(super) fn by_code(&self, code: &str) -> Option<u32> {
        let table = compiled::BY_CODE;
        let n = table.len() / 4;
        let code_at = |i: usize| self.at(compiled::word(table, i)).code;
        let pos = first_not_below(n, |i| code_at(i) < code);
        (pos < n && code_at(pos) == code).then(|| compiled::word(table, pos))
    }

    /// The divisions known by the name form `text`, in division order.
    fn forms(&self, text: &str) -> impl Iterator<Item = Form> {
        use compiled::{FORMS, text_at, word};
        let n = FORMS.len() / 4 / FORM_WORDS;
        let form_at = |i: usize| text_at(FORMS, i * FORM_WORDS);
        let lo = first_not_below(n, |i| form_at(i) < text);
        (lo..n)
            .take_while(move |&i| form_at(i) == text)
            .map(|i| Form {
                idx: word(FORMS, i * FORM_WORDS + 2),
                short: word(FORMS, i * FORM_WORDS + 3) == 1,
            })
    }

    /// Ancestors of a division, itself first.
    fn path(&self, idx: u32) -> impl Iterator<Item = Entry> + '_ {
        let mut next = self.get(idx);
        // The depth is at most four; the bound guards against a cyclic CSV.
        std::iter::from_fn(move || {
            let e = next?;
            next = e.parent.and_then(|p| self.get(p));
            Some(e)
        })
        .take(8)
    }

    /// Whether `x` is `y` or lies inside `y`.
    pub(super) fn within(&self, x: u32, y: u32) -> bool {
        let target = self.at(y).code;
        self.path(x).any(|e| e.code == target)
    }

    /// The region a division stands for in a report: a township's county, else itself.
    pub(super) fn region_of(&self, idx: u32) -> u32 {
        match self.get(idx) {
            Some(e) if e.level == Level::Township => e.parent.unwrap_or(idx),
            _ => idx,
        }
    }

    pub(super) fn division(&self, idx: u32) -> Division {
        let e = self.at(idx);
        let mut path: Vec<Entry> = self.path(idx).collect();
        path.reverse();
        let name_at = |l: Level| {
            path.iter()
                .find(|p| p.level == l)
                .map(|p| p.name.to_string())
        };
        Division {
            code: e.code.to_string(),
            name: e.name.to_string(),
            level: e.level,
            parent: e.parent.map(|p| self.at(p).code.to_string()),
            province: name_at(Level::Province),
            prefecture: name_at(Level::Prefecture),
            county: name_at(Level::County),
            full_name: path.iter().map(|p| p.name).collect(),
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
                last_levels: cands.iter().map(|&c| self.at(c).level).collect(),
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
            let fits = |f: &Form| {
                inside.is_empty() || inside.iter().any(|&y| f.idx != y && self.within(f.idx, y))
            };
            let fitting: Vec<Form> = self.forms(&text[..end]).filter(fits).collect();
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
            let top = cands.iter().map(|&c| self.at(c).level).min()?;
            let cands: Vec<u32> = cands
                .into_iter()
                .filter(|&c| self.at(c).level == top)
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

    /// The compiled index equals one built at run time from the bundled rows.
    #[test]
    fn compiled_index_matches_the_bundled_rows() {
        use super::super::names::name_forms;
        use std::collections::HashMap;
        let rows = ogi_spec::gazetteer::bundled();
        let g = gazetteer();
        assert_eq!(g.len(), rows.len());
        let mut index: HashMap<&str, u32> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            index.insert(&r.code, i as u32);
        }
        let mut forms: HashMap<String, Vec<(u32, bool)>> = HashMap::new();
        for (i, (r, e)) in rows.iter().zip(g.entries()).enumerate() {
            assert_eq!(
                (e.code, e.name, e.level),
                (r.code.as_str(), r.name.as_str(), r.level)
            );
            assert_eq!(
                e.parent,
                index.get(r.parent.as_str()).copied(),
                "{}",
                r.code
            );
            for (form, short) in name_forms(&r.name, r.level) {
                forms.entry(form).or_default().push((i as u32, short));
            }
        }
        for (code, i) in &index {
            assert_eq!(g.by_code(code), Some(*i));
        }
        assert_eq!(g.by_code("999999"), None);
        for (form, want) in &forms {
            let got: Vec<(u32, bool)> = g.forms(form).map(|f| (f.idx, f.short)).collect();
            assert_eq!(&got, want, "{form}");
        }
        assert_eq!(g.forms("不是地名").count(), 0);
        let longest = forms.keys().map(|k| k.chars().count()).max();
        assert_eq!(Some(g.max_chars), longest);
    }

    #[test]
    fn gazetteer_loads_every_row() {
        let g = gazetteer();
        let data_rows = DIVISIONS_CSV.lines().count() - 1;
        assert_eq!(g.len(), data_rows, "a row of divisions.csv failed to parse");
        assert!(g.len() > 40_000);
        assert!(g.get(g.len() as u32).is_none());
        // Every parent code exists.
        let rows_with_parent = DIVISIONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.ends_with(','))
            .count();
        assert_eq!(
            g.entries().filter(|e| e.parent.is_some()).count(),
            rows_with_parent
        );
    }
}
