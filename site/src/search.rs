//! The search index (`data/search.js`): every agency (all its name forms) and
//! every region, as a script the pages load when the search box is first
//! used (a `<script>` works from `file://`, `fetch()` of JSON does not).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::data::Corpus;
use crate::i18n::Lang;
use crate::region::{RegionTree, href as region_href};

/// One entry of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Name shown.
    pub name: String,
    /// Extra text searched (other name forms), `|`-separated.
    pub also: String,
    /// Link relative to the site root.
    pub href: String,
    /// Context shown after the name (region or level).
    pub context: String,
    /// Pinyin initials of the name (`北关区民政局` → `bgqmzj`).
    pub initials: String,
}

/// Pinyin initials of a name: the first letter of each Chinese character's
/// reading (the `pinyin` crate's first reading for a character with several),
/// ASCII letters and digits kept in lower case, anything else dropped.
pub fn initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .filter_map(|ch| match ch.to_pinyin() {
            Some(p) => p.first_letter().chars().next(),
            None if ch.is_ascii_alphanumeric() => Some(ch.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

/// The entries: agencies (latest name, other forms, region) then regions.
pub fn entries(c: &Corpus, tree: &RegionTree, lang: Lang) -> Vec<Entry> {
    let mut latest: BTreeMap<&str, &crate::data::Report> = BTreeMap::new();
    for r in &c.reports {
        let e = latest.entry(r.agency_id.as_str()).or_insert(r);
        if r.year > e.year {
            *e = r;
        }
    }
    let mut out: Vec<Entry> = latest
        .into_iter()
        .map(|(id, r)| {
            let a = c.agencies.get(id);
            let name = a.map_or(r.agency.clone(), |a| a.name.clone());
            let also = a
                .map(|a| {
                    a.name_forms
                        .iter()
                        .filter(|f| **f != name)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .unwrap_or_default();
            let context = r
                .levels
                .iter()
                .flatten()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            Entry {
                initials: initials(&name),
                name,
                also,
                href: format!("agency.html#{id}"),
                context,
            }
        })
        .collect();
    for n in tree.nodes.values() {
        out.push(Entry {
            initials: initials(&n.name),
            name: n.name.clone(),
            also: String::new(),
            href: region_href(&n.code),
            context: ogi_analyze::labels::label("level", n.level.key(), lang.zh())
                .unwrap_or(n.level.key())
                .to_string(),
        });
    }
    out
}

/// `data/search.js`: `OGI.index([[name, also, href, context, initials], …])`.
pub fn index_js(entries: &[Entry]) -> String {
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| json!([e.name, e.also, e.href, e.context, e.initials]))
        .collect();
    format!("OGI.index({});\n", Value::Array(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_initials_of_agency_names() {
        assert_eq!(initials("北关区民政局"), "bgqmzj");
        assert_eq!(initials("二七区人民政府办公室"), "eqqrmzfbgs");
        assert_eq!(initials("A区（12）"), "aq12");
    }
}
