//! Agency pages: one HTML template (`agency.html#<agency id>`) and the data
//! of every agency in sharded script files (`data/a/<n>.js`, loaded with a
//! `<script>` element, which browsers allow from `file://` where `fetch()` of
//! JSON is refused). The shard of an id is FNV-1a(id) mod the shard count,
//! computed the same way by `assets/site.js`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

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

/// Writes a number for JSON: integers without a fraction, `null` for none.
fn push_num(out: &mut String, v: Option<f64>) {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
            let _ = write!(out, "{}", x as i64);
        }
        Some(x) if x.is_finite() => out.push_str(&json!(x).to_string()),
        _ => out.push_str("null"),
    }
}

/// Writes `"codes",v1,v2,…` for `n` slots: one provenance letter per slot
/// (`-` where there is no cell) and the values.
fn push_slots(out: &mut String, slots: &[Option<(Option<f64>, Prov)>]) {
    out.push('"');
    for s in slots {
        out.push(s.map_or('-', |(_, p)| p.code()));
    }
    out.push('"');
    for s in slots {
        out.push(',');
        push_num(out, s.and_then(|(v, _)| v));
    }
}

/// The encoded tables of one report: the members `"t3":…,"t4":…` of its year
/// object (text, spliced in by [`push_year`]). Table 3 is `[[row index,
/// provenance codes, value per column…], …]` for every row with a cell;
/// table 4 `[codes, value per cell…]` (`[]` when none).
pub fn tables_json(t: &Tables) -> String {
    let v = vocabulary();
    let ncols = v.table3_columns.len();
    let mut cells = t.t3.clone();
    cells.sort_by_key(|(k, _, _)| *k); // stable: a later duplicate stays last
    let mut out = String::with_capacity(64 + cells.len() * 3);
    out.push_str("\"t3\":[");
    let mut i = 0;
    let mut first = true;
    while i < cells.len() {
        let row = cells[i].0.0;
        let mut slots = vec![None; ncols];
        while i < cells.len() && cells[i].0.0 == row {
            let ((_, c), val, p) = cells[i];
            if let Some(s) = slots.get_mut(usize::from(c)) {
                *s = Some((val, p));
            }
            i += 1;
        }
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "[{row},");
        push_slots(&mut out, &slots);
        out.push(']');
    }
    out.push_str("],\"t4\":[");
    if !t.t4.is_empty() {
        let mut slots = vec![None; v.table4.len()];
        for &(k, val, p) in &t.t4 {
            if let Some(s) = slots.get_mut(usize::from(k)) {
                *s = Some((val, p));
            }
        }
        push_slots(&mut out, &slots);
    }
    out.push(']');
    out
}

/// Appends `s` as a JSON string literal (quotes, backslashes and control
/// characters escaped; U+2028/U+2029 too, for older script parsers).
pub fn push_str_json(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a JSON string or `null`.
fn push_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_str_json(out, s),
        None => out.push_str("null"),
    }
}

/// Appends a JSON array of strings.
fn push_str_array<S: AsRef<str>>(out: &mut String, items: impl IntoIterator<Item = S>) {
    out.push('[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str_json(out, x.as_ref());
    }
    out.push(']');
}

fn coded<'a>(column: &str, v: &'a str, lang: Lang) -> &'a str {
    ogi_analyze::labels::label(column, v, lang.zh()).unwrap_or(v)
}

/// Appends one year of an agency as a JSON object. Written member by member
/// (no `serde_json::Value` tree): a national corpus has a million of them.
fn push_year(
    out: &mut String,
    r: &Report,
    c: &Corpus,
    lang: Lang,
    archive: &dyn Fn(&str) -> Option<String>,
) {
    let _ = write!(out, "{{\"y\":{},\"rid\":", r.year);
    push_str_json(out, &r.report_id);
    out.push_str(",\"name\":");
    push_str_json(out, &r.agency);
    out.push_str(",\"status\":");
    push_str_json(out, coded("status", &r.status, lang));
    out.push_str(",\"scope\":");
    push_str_json(out, coded("scope", &r.scope, lang));
    out.push_str(",\"tpl\":");
    push_opt_str(out, r.template.as_deref());
    out.push_str(",\"src\":");
    push_str_json(out, &r.source);
    out.push_str(",\"arch\":");
    push_opt_str(out, archive(&r.sha256).as_deref());
    out.push_str(",\"fetched\":");
    push_opt_str(out, r.fetched_at.as_deref());
    out.push_str(",\"compl\":");
    push_num(out, r.completeness);
    out.push_str(",\"f\":[");
    for (i, v) in r.figures.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_num(out, *v);
    }
    out.push_str("],\"q\":");
    push_str_array(
        out,
        QUALITY_FLAGS
            .iter()
            .zip(&r.quality)
            .filter_map(|(col, v)| v.and_then(|v| quality_words(col, v, lang))),
    );
    // What a check verifies is in data/texts.js.
    out.push_str(",\"checks\":[");
    for (i, ch) in c.checks.get(&r.report_id).into_iter().flatten().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let state = match ch.state {
            CheckState::Held => "h",
            CheckState::Failed => "f",
            CheckState::Unverified => "u",
        };
        out.push('[');
        push_str_json(out, &ch.id);
        let _ = write!(out, ",\"{state}\",");
        push_str_json(out, &ch.detail);
        out.push(']');
    }
    out.push_str("],\"flags\":");
    push_str_array(out, r.flags.iter().map(|f| flag_words(f, lang)));
    out.push(',');
    match c.tables.get(&r.report_id) {
        Some(t) => out.push_str(t),
        None => out.push_str(&tables_json(&Tables::default())),
    }
    out.push('}');
}

/// Appends the data of one agency (every year, oldest first) as a JSON object.
pub fn push_agency(
    out: &mut String,
    id: &str,
    years: &[&Report],
    c: &Corpus,
    tree: &RegionTree,
    lang: Lang,
    archive: &dyn Fn(&str) -> Option<String>,
) {
    let latest = years.last().copied();
    let a: Option<&Agency> = c.agencies.get(id);
    out.push_str("{\"id\":");
    push_str_json(out, id);
    out.push_str(",\"name\":");
    push_str_json(
        out,
        a.map_or_else(
            || latest.map_or("", |r| r.agency.as_str()),
            |a| a.name.as_str(),
        ),
    );
    out.push_str(",\"forms\":");
    push_str_array(out, a.map(|a| a.name_forms.as_slice()).unwrap_or_default());
    out.push_str(",\"level\":");
    push_opt_str(
        out,
        a.and_then(|a| a.level.as_deref())
            .map(|l| coded("agency_level", l, lang)),
    );
    out.push_str(",\"sector\":");
    push_opt_str(
        out,
        a.and_then(|a| a.sector.as_deref())
            .map(|s| coded("sector", s, lang)),
    );
    out.push_str(",\"amb\":");
    push_str_array(
        out,
        a.map(|a| a.ambiguity.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|x| coded("ambiguity", x, lang)),
    );
    out.push_str(",\"crumbs\":[");
    let chain = latest
        .and_then(|r| r.levels.iter().rev().flatten().next())
        .map(|(code, _)| tree.chain(code))
        .unwrap_or_default();
    for (i, n) in chain.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_str_json(out, &region_href(&n.code));
        out.push(',');
        push_str_json(out, &n.name);
        out.push(']');
    }
    out.push_str("],\"years\":[");
    for (i, r) in years.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_year(out, r, c, lang, archive);
    }
    out.push_str("]}");
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
            push_str_json(&mut s, id);
            s.push(':');
            push_agency(&mut s, id, years, c, tree, lang, archive);
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
        t.t3.push(((2, 6), Some(3.0), Prov::Inferred));
        t.t3.push(((0, 6), Some(47.0), Prov::Printed));
        t.t3.push(((0, 0), None, Prov::Blank));
        t.t4.push((1, Some(2.5), Prov::Ocr));
        let all: Value = serde_json::from_str(&format!("{{{}}}", tables_json(&t))).unwrap();
        let j = &all["t3"];
        assert_eq!(j[0][0], json!(0));
        assert_eq!(j[0][1], json!("b-----p"));
        assert_eq!(j[0][2], Value::Null);
        assert_eq!(j[0][8], json!(47));
        assert_eq!(j[1][1], json!("------i"));
        assert_eq!(j[1][8], json!(3));
        let t4 = &all["t4"];
        assert_eq!(t4[0].as_str().unwrap().chars().nth(1), Some('o'));
        assert_eq!(t4[2], json!(2.5));
        assert_eq!(t4[1], Value::Null);
        let none: Value =
            serde_json::from_str(&format!("{{{}}}", tables_json(&Tables::default()))).unwrap();
        assert_eq!(none, json!({"t3": [], "t4": []}));
    }

    #[test]
    fn strings_are_escaped_for_json() {
        for s in [
            "",
            "北关区\"民政局\"",
            "a\\b\nc\td\r",
            "\u{1}\u{1f}",
            "x\u{2028}y",
            "</script>",
        ] {
            let mut out = String::new();
            push_str_json(&mut out, s);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s, "{out}");
        }
        let mut out = String::new();
        push_str_json(&mut out, "\u{2029}");
        assert_eq!(out, "\"\\u2029\"");
    }

    #[test]
    fn agency_data_are_json_with_every_year() {
        let mut c = crate::region::tests::corpus();
        c.reports[1].flags = vec!["short_row".into()];
        c.reports[1].template = None;
        c.reports[1].figures[1] = Some(0.25);
        c.checks.insert(
            c.reports[1].report_id.clone(),
            vec![crate::data::Check {
                id: "C1".into(),
                state: CheckState::Failed,
                detail: "col \"total\"".into(),
            }],
        );
        let mut t = Tables::default();
        t.t3.push(((0, 6), Some(2.0), Prov::Printed));
        c.tables
            .insert(c.reports[1].report_id.clone(), tables_json(&t));
        let tree = RegionTree::build(&c);
        let years: Vec<&Report> = c.reports.iter().filter(|r| r.agency_id == "a").collect();
        let archive = |sha: &str| Some(format!("../raw/{sha}.bin"));
        let mut out = String::new();
        push_agency(&mut out, "a", &years, &c, &tree, Lang::En, &archive);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["id"], json!("a"));
        assert_eq!(v["name"], json!("北关区民政局"));
        assert_eq!(v["forms"], json!([]));
        assert_eq!(v["level"], Value::Null);
        assert_eq!(
            v["crumbs"],
            json!([
                ["r/410000.html", "河南省"],
                ["r/410500.html", "安阳市"],
                ["r/410503.html", "北关区"]
            ])
        );
        let ys = v["years"].as_array().unwrap();
        assert_eq!(ys.len(), 2);
        assert_eq!(ys[0]["y"], json!(2022));
        assert_eq!(ys[0]["t3"], json!([]));
        assert_eq!(ys[0]["checks"], json!([]));
        assert_eq!(ys[0]["tpl"], json!("2021"));
        let y = &ys[1];
        assert_eq!(y["rid"], json!("a-2023"));
        assert_eq!(y["tpl"], Value::Null);
        assert_eq!(y["arch"], json!("../raw/.bin"));
        assert_eq!(y["f"][0], json!(2));
        assert_eq!(y["f"][1], json!(0.25));
        assert_eq!(y["f"][2], Value::Null);
        assert_eq!(y["f"].as_array().unwrap().len(), AGENCY_FIGURES.len());
        assert_eq!(y["checks"], json!([["C1", "f", "col \"total\""]]));
        assert_eq!(y["flags"], json!([flag_words("short_row", Lang::En)]));
        assert_eq!(y["t3"][0][1], json!("------p"));
        assert_eq!(y["t4"], json!([]));
    }
}
