//! Agency pages: one HTML template (`agency.html#<agency id>`) and the data
//! of every agency in sharded script files (`data/a/<n>.js`, loaded with a
//! `<script>` element, which browsers allow from `file://` where `fetch()` of
//! JSON is refused). The shard of an id is FNV-1a(id) mod the shard count,
//! computed the same way by `assets/site.js`.

use std::collections::BTreeMap;

use ogi_analyze::vocab::vocabulary;
use serde_json::{Value, json};

use crate::data::{AGENCY_FIGURES, Agency, CheckState, Corpus, QUALITY_FLAGS, Report, Tables};
use crate::html::{Page, esc, render};
use crate::i18n::{Lang, check_words, flag_words, prov_label, quality_words};
use crate::prov::Prov;
use crate::region::{RegionTree, href as region_href};

/// Agencies per shard file, on average.
pub const AGENCIES_PER_SHARD: usize = 64;

/// 32-bit FNV-1a of a string's UTF-8 bytes.
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Number of shard files for `n` agencies.
pub fn shard_count(n: usize) -> u32 {
    n.div_ceil(AGENCIES_PER_SHARD).max(1) as u32
}

/// The shard of an agency id.
pub fn shard_of(id: &str, shards: u32) -> u32 {
    fnv1a(id) % shards
}

/// Table 3 of one report: `[row index, provenance codes (one per column,
/// '-' where no cell), value per column…]` for every row with a cell.
fn t3_json(t: &Tables) -> Value {
    let ncols = vocabulary().table3_columns.len();
    let mut rows: BTreeMap<u16, (String, Vec<Value>)> = BTreeMap::new();
    for (&(r, c), &(v, p)) in &t.t3 {
        let e = rows
            .entry(r)
            .or_insert_with(|| ("-".repeat(ncols), vec![Value::Null; ncols]));
        let c = usize::from(c);
        if c < ncols {
            e.0.replace_range(c..=c, &p.code().to_string());
            e.1[c] = num(v);
        }
    }
    Value::Array(
        rows.into_iter()
            .map(|(r, (codes, vals))| {
                let mut a = vec![json!(r), json!(codes)];
                a.extend(vals);
                Value::Array(a)
            })
            .collect(),
    )
}

/// Table 4 of one report: `[provenance codes, value per cell…]` (empty when none).
fn t4_json(t: &Tables) -> Value {
    if t.t4.is_empty() {
        return json!([]);
    }
    let n = vocabulary().table4.len();
    let mut codes = "-".repeat(n);
    let mut vals = vec![Value::Null; n];
    for (&k, &(v, p)) in &t.t4 {
        let k = usize::from(k);
        if k < n {
            codes.replace_range(k..=k, &p.code().to_string());
            vals[k] = num(v);
        }
    }
    let mut a = vec![json!(codes)];
    a.extend(vals);
    Value::Array(a)
}

/// The encoded tables of one report: the members `"t3":…,"t4":…` of its
/// year object (text, spliced in by [`year_json`]).
pub fn tables_json(t: &Tables) -> String {
    format!("\"t3\":{},\"t4\":{}", t3_json(t), t4_json(t))
}

/// A number for JSON: integers without a fraction, null for none.
fn num(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
        Some(x) if x.is_finite() => json!(x),
        _ => Value::Null,
    }
}

fn coded(column: &str, v: &str, lang: Lang) -> String {
    ogi_analyze::labels::label(column, v, lang.zh())
        .unwrap_or(v)
        .to_string()
}

/// One year of an agency, as JSON text.
fn year_json(
    r: &Report,
    c: &Corpus,
    lang: Lang,
    archive: &dyn Fn(&str) -> Option<String>,
) -> String {
    let checks: Vec<Value> = c
        .checks
        .get(&r.report_id)
        .map(|cs| {
            cs.iter()
                .map(|ch| {
                    let state = match ch.state {
                        CheckState::Held => "h",
                        CheckState::Failed => "f",
                        CheckState::Unverified => "u",
                    };
                    // What a check verifies is in data/texts.js; the detail
                    // (instances held/failed/unverified) only where it did not hold.
                    let detail = if ch.state == CheckState::Held {
                        ""
                    } else {
                        ch.detail.as_str()
                    };
                    json!([ch.id, state, detail])
                })
                .collect()
        })
        .unwrap_or_default();
    let quality: Vec<&str> = QUALITY_FLAGS
        .iter()
        .zip(&r.quality)
        .filter_map(|(col, v)| v.and_then(|v| quality_words(col, v, lang)))
        .collect();
    let v = json!({
        "y": r.year,
        "rid": r.report_id,
        "name": r.agency,
        "status": coded("status", &r.status, lang),
        "scope": coded("scope", &r.scope, lang),
        "tpl": r.template,
        "src": r.source,
        "arch": archive(&r.sha256),
        "fetched": r.fetched_at,
        "compl": r.completeness,
        "f": r.figures.iter().map(|v| num(*v)).collect::<Vec<_>>(),
        "q": quality,
        "checks": checks,
        "flags": r.flags.iter().map(|f| flag_words(f, lang)).collect::<Vec<_>>(),
    });
    let mut s = v.to_string();
    s.pop(); // the closing brace
    match c.tables.get(&r.report_id) {
        Some(t) => s.push_str(&format!(",{t}}}")),
        None => s.push_str(&format!(",{}}}", tables_json(&Tables::default()))),
    }
    s
}

/// The data of one agency (every year, oldest first), as JSON text.
pub fn agency_json(
    id: &str,
    years: &[&Report],
    c: &Corpus,
    tree: &RegionTree,
    lang: Lang,
    archive: &dyn Fn(&str) -> Option<String>,
) -> String {
    let latest = years.last().copied();
    let a: Option<&Agency> = c.agencies.get(id);
    let crumbs: Vec<Value> = latest
        .and_then(|r| r.levels.iter().rev().flatten().next())
        .map(|(code, _)| {
            tree.chain(code)
                .into_iter()
                .map(|n| json!([region_href(&n.code), n.name]))
                .collect()
        })
        .unwrap_or_default();
    let v = json!({
        "id": id,
        "name": a.map_or_else(|| latest.map_or("", |r| r.agency.as_str()), |a| a.name.as_str()),
        "forms": a.map(|a| a.name_forms.clone()).unwrap_or_default(),
        "level": a.and_then(|a| a.level.as_deref()).map(|l| coded("agency_level", l, lang)),
        "sector": a.and_then(|a| a.sector.as_deref()).map(|s| coded("sector", s, lang)),
        "amb": a.map(|a| a.ambiguity.iter().map(|x| coded("ambiguity", x, lang)).collect::<Vec<_>>()).unwrap_or_default(),
        "crumbs": crumbs,
    });
    let mut s = v.to_string();
    s.pop();
    s.push_str(",\"years\":[");
    for (i, r) in years.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&year_json(r, c, lang, archive));
    }
    s.push_str("]}");
    s
}

/// Builds the shard files one at a time and hands each to `write` (shard
/// number, contents `OGI.shard(n, {…});`), so memory holds one shard's text
/// at a time. Returns the shard count.
pub fn shards(
    c: &Corpus,
    tree: &RegionTree,
    lang: Lang,
    archive: &dyn Fn(&str) -> Option<String>,
    write: &mut dyn FnMut(u32, &str) -> anyhow::Result<()>,
) -> anyhow::Result<u32> {
    let mut by_agency: BTreeMap<&str, Vec<&Report>> = BTreeMap::new();
    for r in &c.reports {
        by_agency.entry(r.agency_id.as_str()).or_default().push(r);
    }
    let n = shard_count(by_agency.len());
    let mut by_shard: BTreeMap<u32, Vec<(&str, Vec<&Report>)>> = BTreeMap::new();
    for (id, mut years) in by_agency {
        years.sort_by_key(|r| r.year);
        by_shard
            .entry(shard_of(id, n))
            .or_default()
            .push((id, years));
    }
    for (k, agencies) in by_shard {
        let mut s = format!("OGI.shard({k},{{");
        for (i, (id, years)) in agencies.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&Value::String(id.to_string()).to_string());
            s.push(':');
            s.push_str(&agency_json(id, years, c, tree, lang, archive));
        }
        s.push_str("});\n");
        write(k, &s)?;
    }
    Ok(n)
}

/// `data/texts.js`: the labels the script needs (interface texts, figure
/// labels and units, table rows and columns, provenance legend) and the shard count.
pub fn texts_js(lang: Lang, shards: u32) -> String {
    let t = lang.t();
    let v = vocabulary();
    let docs = ogi_analyze::columns(ogi_analyze::Dataset::Panel);
    let figures: Vec<Value> = AGENCY_FIGURES
        .iter()
        .map(|name| {
            let d = docs.iter().find(|d| d.name == *name);
            json!([
                d.map_or(*name, |d| lang.pick(&d.zh, &d.en)),
                d.map_or("", |d| d.unit.as_str())
            ])
        })
        .collect();
    let prov: Vec<Value> = Prov::ALL
        .iter()
        .map(|p| {
            json!([
                p.code().to_string(),
                prov_label(*p, lang),
                p.mark(),
                p.key()
            ])
        })
        .collect();
    let label = |ts: &[ogi_analyze::vocab::Term]| -> Vec<String> {
        ts.iter()
            .map(|x| lang.pick(&x.zh, &x.en).to_string())
            .collect()
    };
    let check_map: serde_json::Map<String, Value> = ["C1", "C2", "C3", "C4", "C5", "N1"]
        .iter()
        .map(|id| (id.to_string(), json!(check_words(id, lang))))
        .collect();
    let texts = json!({
        "lang": lang.html(),
        "shards": shards,
        "blank": t.blank,
        "searchNone": t.search_none,
        "loading": t.loading,
        "unknown": t.agency_unknown,
        "figures": t.figures,
        "table3": t.table3,
        "table4": t.table4,
        "checks": t.checks,
        "held": t.held,
        "failed": t.failed,
        "unverified": t.unverified,
        "flags": t.flags,
        "noFlags": t.no_flags,
        "source": t.source,
        "archived": t.archived,
        "csv": t.csv,
        "legend": t.legend,
        "nameForms": t.name_forms,
        "status": t.status,
        "scope": t.scope,
        "template": t.template,
        "completeness": t.completeness,
        "fetched": t.fetched,
        "year": t.year,
        "item": t.item,
        "overview": t.nav_overview,
        "wan": lang.pick("万元", "×10k CNY"),
        "yuan": lang.pick("元", "CNY"),
        "figureCols": figures,
        "figureKeys": AGENCY_FIGURES,
        "t3rows": label(&v.table3_rows),
        "t3keys": v.table3_rows.iter().map(|x| x.key.as_str()).collect::<Vec<_>>(),
        "t3cols": label(&v.table3_columns),
        "t3colkeys": v.table3_columns.iter().map(|x| x.key.as_str()).collect::<Vec<_>>(),
        "t4": label(&v.table4),
        "t4keys": v.table4.iter().map(|x| x.key.as_str()).collect::<Vec<_>>(),
        "prov": prov,
        "checkWords": check_map,
    });
    format!("var OGI = window.OGI || {{}}; window.OGI = OGI; OGI.T = {texts};\n")
}

/// The agency page template (filled by `assets/site.js` from the shard).
pub fn page(lang: Lang) -> String {
    let t = lang.t();
    let body = format!(
        "<noscript><p class=\"note\">{}</p></noscript>\n<div id=\"agency\" aria-live=\"polite\"><p>{}</p></div>",
        esc(t.needs_js),
        esc(t.loading)
    );
    render(&Page {
        title: t.agency,
        root: "",
        lang,
        kind: "agency",
        crumbs: Vec::new(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_values() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(fnv1a(""), 0x811c9dc5);
        assert_eq!(fnv1a("a"), 0xe40c292c);
        assert_eq!(fnv1a("foobar"), 0xbf9cf968);
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(65), 2);
        assert!(shard_of("410103-1a2b3c4d", 7) < 7);
    }

    #[test]
    fn table3_rows_keep_blank_and_inferred_marks() {
        let mut t = Tables::default();
        t.t3.insert((0, 6), (Some(47.0), Prov::Printed));
        t.t3.insert((0, 0), (None, Prov::Blank));
        t.t3.insert((2, 6), (Some(3.0), Prov::Inferred));
        let j = t3_json(&t);
        assert_eq!(j[0][0], json!(0));
        assert_eq!(j[0][1], json!("b-----p"));
        assert_eq!(j[0][2], Value::Null);
        assert_eq!(j[0][8], json!(47));
        assert_eq!(j[1][1], json!("------i"));
    }
}
