//! Pure renderings of reports for `ogi parse`: JSON (the contract in
//! `shared/spec/README.md`), a long CSV of cells, and a human-readable table 3.
//!
//! Table keys are written in vocabulary order (the order of `data/spec/*.csv`,
//! which is the order of the printed template), keys unknown to the
//! vocabulary after them in alphabetical order.

use crate::arrow_out::{unit_of, value_int};
use crate::vocab::vocab;
use crate::{Cell, Check, CheckState, FlatTable, Number, Provenance, Report, Table3, TableId};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::collections::HashMap;
use unicode_width::UnicodeWidthStr;

/// Which vocabulary list orders a set of keys.
#[derive(Clone, Copy)]
enum Order {
    Table2,
    Table3Rows,
    Table3Cols,
    Table4,
}

impl Order {
    /// Position of a key in the vocabulary (CSV order); `None` when unknown.
    fn position(self, key: &str) -> Option<usize> {
        let v = vocab();
        match self {
            Order::Table2 => v.table2.iter().position(|t| t.key == key),
            Order::Table3Rows => v.row_index(key),
            Order::Table3Cols => v.cols.iter().position(|t| t.key == key),
            Order::Table4 => v.table4.iter().position(|t| t.key == key),
        }
    }

    /// `keys` sorted by vocabulary position; unknown keys last, in their given order.
    fn sort<'a, I: IntoIterator<Item = &'a String>>(self, keys: I) -> Vec<&'a String> {
        let mut keys: Vec<&String> = keys.into_iter().collect();
        keys.sort_by_key(|k| self.position(k).unwrap_or(usize::MAX));
        keys
    }
}

/// A flat table (2 or 4) serialised in vocabulary order.
struct OrderedFlat<'a>(&'a FlatTable, Order);

impl Serialize for OrderedFlat<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for k in self.1.sort(self.0.keys()) {
            map.serialize_entry(k, &self.0[k])?;
        }
        map.end()
    }
}

/// Table 3 serialised with rows and columns in vocabulary order.
struct OrderedTable3<'a>(&'a Table3);

impl Serialize for OrderedTable3<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Row<'a>(&'a std::collections::BTreeMap<String, Option<Number>>);
        impl Serialize for Row<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for k in Order::Table3Cols.sort(self.0.keys()) {
                    map.serialize_entry(k, &self.0[k])?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for k in Order::Table3Rows.sort(self.0.keys()) {
            map.serialize_entry(k, &Row(&self.0[k]))?;
        }
        map.end()
    }
}

/// The JSON view of a report: the fields of [`Report`] with tables in vocabulary order.
#[derive(Serialize)]
struct JsonReport<'a> {
    source: &'a str,
    sha256: &'a str,
    status: crate::Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charset: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    agency: Option<&'a str>,
    year: Option<i32>,
    template: Option<crate::Template>,
    region: Option<&'a str>,
    region_code: Option<&'a str>,
    scope: crate::Scope,
    table2: OrderedFlat<'a>,
    table3: OrderedTable3<'a>,
    table4: OrderedFlat<'a>,
    completeness: Option<f64>,
    cells: &'a [Cell],
    #[serde(skip_serializing_if = "<[Cell]>::is_empty")]
    narrative: &'a [Cell],
    checks: &'a [Check],
    flags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    portal_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fetched_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued: Option<&'a str>,
}

impl<'a> JsonReport<'a> {
    fn new(r: &'a Report) -> Self {
        JsonReport {
            source: &r.source,
            sha256: &r.sha256,
            status: r.status,
            format: r.format.as_deref(),
            charset: r.charset.as_deref(),
            title: r.title.as_deref(),
            agency: r.agency.as_deref(),
            year: r.year,
            template: r.template,
            region: r.region.as_deref(),
            region_code: r.region_code.as_deref(),
            scope: r.scope,
            table2: OrderedFlat(&r.table2, Order::Table2),
            table3: OrderedTable3(&r.table3),
            table4: OrderedFlat(&r.table4, Order::Table4),
            completeness: r.completeness,
            cells: &r.cells,
            narrative: &r.narrative,
            checks: &r.checks,
            flags: &r.flags,
            portal_id: r.portal_id.as_deref(),
            fetched_at: r.fetched_at.as_deref(),
            issued: r.issued.as_deref(),
        }
    }
}

/// The report as one line of JSON (the `ogi parse --format json` contract; JSON
/// Lines when several are printed). It deserialises back into an equal [`Report`].
pub fn to_json(report: &Report) -> String {
    // Serialising plain data (strings, numbers, maps with string keys) to a String cannot fail.
    serde_json::to_string(&JsonReport::new(report))
        .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
}

/// The report as indented JSON, for reading.
pub fn to_json_pretty(report: &Report) -> String {
    serde_json::to_string_pretty(&JsonReport::new(report))
        .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
}

/// Header of [`cells_csv`].
pub const CELLS_CSV_HEADER: [&str; 12] = [
    "report_id",
    "source",
    "table",
    "row",
    "col",
    "value",
    "value_int",
    "unit",
    "raw_unit",
    "raw",
    "provenance",
    "line",
];

fn number_text(n: Number) -> String {
    match n {
        Number::Int(v) => v.to_string(),
        Number::Dec(v) => v.to_string(),
    }
}

/// Every cell of the reports as a long CSV table with a header
/// ([`CELLS_CSV_HEADER`]: the `cells` Parquet columns plus `source`).
pub fn cells_csv(reports: &[Report]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut result = w.write_record(CELLS_CSV_HEADER);
    for r in reports {
        for c in &r.cells {
            let table = u8::from(c.table).to_string();
            let value = c.value.map(number_text).unwrap_or_default();
            let vint = value_int(c).map(|v| v.to_string()).unwrap_or_default();
            let line = c.line.map(|l| l.to_string()).unwrap_or_default();
            let record = [
                r.sha256.as_str(),
                r.source.as_str(),
                &table,
                &c.row,
                c.col.as_deref().unwrap_or(""),
                &value,
                &vint,
                unit_of(c.table, &c.row).as_str(),
                c.unit.as_deref().unwrap_or(""),
                &c.raw,
                c.provenance.as_str(),
                &line,
            ];
            result = result.and_then(|()| w.write_record(record));
        }
    }
    // Writing to memory only fails on a bug; keep what was written rather than panic.
    let bytes = match (result, w.into_inner()) {
        (_, Ok(bytes)) => bytes,
        (_, Err(e)) => e.into_inner().into_inner().unwrap_or_default(),
    };
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Pads `s` with spaces to `width` terminal columns (CJK characters count two).
fn pad(s: &str, width: usize, right_align: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right_align {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Cuts `s` to at most `width` terminal columns, ending with `…` when cut.
fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        if out.width() + ch.to_string().width() + 1 > width {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}

/// How a table 3 cell is shown: the number (`*` when inferred, `~` when split
/// from fused digits), else the raw text, `·` for a blank cell, `?` for a cell
/// the parser did not find.
fn cell_text(cell: Option<&Cell>, value: Option<Number>) -> String {
    match (cell, value) {
        (Some(c), _) if c.value.is_some() => {
            let n = c.value.map(number_text).unwrap_or_default();
            match c.provenance {
                p if p.is_inferred() => format!("{n}*"),
                Provenance::Split => format!("{n}~"),
                _ => n,
            }
        }
        (Some(c), _) if !c.raw.trim().is_empty() => c.raw.trim().to_string(),
        (Some(_), _) => "·".to_string(),
        (None, Some(v)) => number_text(v),
        (None, None) => "?".to_string(),
    }
}

/// Widest row label shown, in terminal columns.
const LABEL_WIDTH: usize = 28;

/// Table 3 of a report as text for a terminal (CJK-aware widths), followed by
/// the check results and flags.
///
/// A number marked `*` was inferred from the identities, one marked `~` was
/// cut from digits printed without cell boundaries (`split`); `·` is a cell printed
/// blank; a dash or `无` is shown as printed; `?` is a cell not found.
pub fn table3_text(report: &Report) -> String {
    let mut out = String::new();
    let head = [
        report
            .agency
            .as_deref()
            .unwrap_or("(agency unknown)")
            .to_string(),
        report
            .year
            .map_or("(year unknown)".into(), |y| y.to_string()),
        report
            .region
            .as_deref()
            .map_or("(region unknown)".into(), |r| {
                format!("{r} {}", report.region_code.as_deref().unwrap_or(""))
            }),
        format!("template {}", report.template.map_or("?", |t| t.as_str())),
        match report.completeness {
            Some(c) if report.status == crate::Status::Partial => {
                format!("status partial ({:.1} % of cells)", c * 100.0)
            }
            _ => format!("status {}", report.status.as_str()),
        },
    ];
    out.push_str(&head.join(" | "));
    out.push('\n');

    let cells: HashMap<(&str, &str), &Cell> = report
        .cells
        .iter()
        .filter(|c| c.table == TableId::T3)
        .filter_map(|c| Some(((c.row.as_str(), c.col.as_deref()?), c)))
        .collect();
    let mut rows: Vec<&String> = report.table3.keys().collect();
    for c in report.cells.iter().filter(|c| c.table == TableId::T3) {
        if !rows.contains(&&c.row) {
            rows.push(&c.row);
        }
    }
    if rows.is_empty() {
        out.push_str("table 3: not found\n");
    } else {
        let rows = Order::Table3Rows.sort(rows);
        let mut cols: Vec<&String> = vocab().cols.iter().map(|c| &c.key).collect();
        for key in report.table3.values().flat_map(|r| r.keys()) {
            if !cols.contains(&key) {
                cols.push(key);
            }
        }
        let label = |key: &str| {
            let term = vocab().row_index(key).map(|i| &vocab().rows[i]);
            let section = term.map_or("", |t| t.section.as_str());
            let name = term.map_or(key, |t| t.label_zh.as_str());
            truncate(format!("{section} {name}").trim(), LABEL_WIDTH)
        };
        let header: Vec<String> = cols
            .iter()
            .map(|c| {
                vocab()
                    .cols
                    .iter()
                    .find(|t| &t.key == *c)
                    .map_or(c.as_str(), |t| t.label_zh.as_str())
                    .to_string()
            })
            .collect();
        let body: Vec<(String, Vec<String>)> = rows
            .iter()
            .map(|r| {
                let values = cols
                    .iter()
                    .map(|c| {
                        let v = report
                            .table3
                            .get(*r)
                            .and_then(|m| m.get(*c))
                            .copied()
                            .flatten();
                        cell_text(cells.get(&(r.as_str(), c.as_str())).copied(), v)
                    })
                    .collect();
                (label(r), values)
            })
            .collect();
        let label_w = body.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cols.len())
            .map(|i| {
                body.iter()
                    .map(|(_, v)| v[i].width())
                    .chain([header[i].width()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |label: &str, values: &[String], right: bool| {
            let mut s = pad(label, label_w, false);
            for (v, w) in values.iter().zip(&widths) {
                s.push_str("  ");
                s.push_str(&pad(v, *w, right));
            }
            s.trim_end().to_string() + "\n"
        };
        out.push_str(&line("", &header, true));
        for (l, v) in &body {
            out.push_str(&line(l, v, true));
        }
        if report
            .cells
            .iter()
            .any(|c| c.table == TableId::T3 && c.provenance.is_inferred())
        {
            out.push_str("* inferred from the accounting identities\n");
        }
        if report
            .cells
            .iter()
            .any(|c| c.table == TableId::T3 && c.provenance == Provenance::Split)
        {
            out.push_str("~ split: cut from digits printed without cell boundaries\n");
        }
    }

    out.push_str("checks:");
    if report.checks.is_empty() {
        out.push_str(" none\n");
    } else {
        out.push('\n');
        for c in &report.checks {
            let mark = match c.state {
                CheckState::Ok => "ok  ",
                CheckState::Failed => "FAIL",
                CheckState::Unverified => "unverified",
            };
            out.push_str(&format!("  {mark} {} {}\n", c.id, c.detail).replace(" \n", "\n"));
        }
    }
    if report.flags.is_empty() {
        out.push_str("flags: none\n");
    } else {
        out.push_str(&format!("flags: {}\n", report.flags.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn t3cell(row: &str, col: &str, value: Option<i64>, raw: &str, prov: Provenance) -> Cell {
        Cell {
            table: TableId::T3,
            row: row.into(),
            col: Some(col.into()),
            value: value.map(Number::Int),
            raw: raw.into(),
            unit: None,
            provenance: prov,
            line: Some(40),
        }
    }

    fn sample() -> Report {
        let cells = vec![
            t3cell(
                "new_received",
                "natural_person",
                Some(59),
                "59",
                Provenance::Printed,
            ),
            t3cell("new_received", "total", Some(60), "60", Provenance::Printed),
            t3cell(
                "granted",
                "natural_person",
                Some(49),
                "49",
                Provenance::Printed,
            ),
            t3cell("granted", "total", Some(49), "", Provenance::Inferred),
            t3cell("denied_state_secret", "total", None, "—", Provenance::Dash),
            t3cell(
                "denied_state_secret",
                "natural_person",
                None,
                "",
                Provenance::Blank,
            ),
            Cell {
                table: TableId::T2,
                row: "admin_fees_10k_cny".into(),
                col: None,
                value: Some(Number::Dec(11.065)),
                raw: "11.065万元".into(),
                unit: Some("万元".into()),
                provenance: Provenance::Printed,
                line: Some(20),
            },
        ];
        let mut table3: Table3 = BTreeMap::new();
        for c in cells.iter().filter(|c| c.table == TableId::T3) {
            table3
                .entry(c.row.clone())
                .or_default()
                .insert(c.col.clone().unwrap_or_default(), c.value);
        }
        let table2 = BTreeMap::from([
            ("admin_fees_10k_cny".to_string(), Some(Number::Dec(11.065))),
            ("regulations_issued".to_string(), Some(Number::Int(0))),
            ("zz_unknown_key".to_string(), None),
        ]);
        Report {
            table2,
            table3,
            table4: BTreeMap::from([
                ("review_total".into(), Some(Number::Int(1))),
                ("review_upheld".into(), Some(Number::Int(1))),
            ]),
            cells,
            checks: vec![
                Check {
                    id: "C1".into(),
                    state: CheckState::Ok,
                    held: 7,
                    failed: 0,
                    unverified: 0,
                    detail: "all columns".into(),
                },
                Check {
                    id: "C3".into(),
                    state: CheckState::Failed,
                    held: 6,
                    failed: 1,
                    unverified: 0,
                    detail: "total: 49 ≠ 50".into(),
                },
                Check {
                    id: "C4".into(),
                    state: CheckState::Unverified,
                    held: 0,
                    failed: 0,
                    unverified: 3,
                    detail: "0 held, 0 failed, 3 unverified".into(),
                },
            ],
            flags: vec!["short_row:granted".into()],
            fetched_at: Some("2026-11-23T10:00:00Z".into()),
            ..Report::erqi_2022("seeds/003.txt", "ef".repeat(32))
        }
    }

    #[test]
    fn json_round_trips_and_follows_vocabulary_order() {
        let r = sample();
        let json = to_json(&r);
        assert!(!json.contains('\n'), "one line per report");
        let back: Report = serde_json::from_str(&json).expect("JSON parses back into a Report");
        assert_eq!(back, r);
        let pretty: Report = serde_json::from_str(&to_json_pretty(&r)).expect("pretty parses");
        assert_eq!(pretty, r);
        // Vocabulary order, not alphabetical; unknown keys last.
        let pos = |s: &str| json.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("\"regulations_issued\"") < pos("\"admin_fees_10k_cny\""));
        assert!(pos("\"admin_fees_10k_cny\"") < pos("\"zz_unknown_key\""));
        assert!(pos("\"new_received\":{") < pos("\"granted\":{"));
        assert!(pos("\"granted\":{") < pos("\"denied_state_secret\":{"));
        assert!(pos("\"natural_person\":59") < pos("\"total\":60"));
        assert!(pos("\"review_upheld\"") < pos("\"review_total\""));
        let v: serde_json::Value = serde_json::from_str(&json).expect("value");
        assert_eq!(
            v["table3"]["denied_state_secret"]["total"],
            serde_json::Value::Null
        );
        assert_eq!(v["table2"]["admin_fees_10k_cny"], serde_json::json!(11.065));
        assert_eq!(v["region_code"], "410103");
        assert_eq!(v["cells"][3]["provenance"], "inferred");
        assert_eq!(v["scope"], "agency");
    }

    #[test]
    fn json_tables_match_a_gold_file() {
        let gold_text = include_str!("../tests/fixtures/seeds/gold/003_df7582ad909b4c7e.json");
        let gold: serde_json::Value = serde_json::from_str(gold_text).expect("gold parses");
        let mut r = Report::default();
        for (name, table) in [("table2", &mut r.table2), ("table4", &mut r.table4)] {
            *table = serde_json::from_value(gold[name].clone()).expect(name);
        }
        r.table3 = serde_json::from_value(gold["table3"].clone()).expect("table3");
        let text = to_json(&r);
        let ours: serde_json::Value = serde_json::from_str(&text).expect("ours");
        for name in ["table2", "table3", "table4"] {
            assert_eq!(ours[name], gold[name], "{name}");
        }
        // And in the gold file's key order (serde_json::Value sorts keys, so compare positions in the texts).
        for name in ["table2", "table4"] {
            let mut keys: Vec<&String> = gold[name].as_object().expect(name).keys().collect();
            let at =
                |t: &str, k: &str| t.find(&format!("\"{k}\"")).unwrap_or_else(|| panic!("{k}"));
            keys.sort_by_key(|k| at(gold_text, k));
            let ours: Vec<usize> = keys.iter().map(|k| at(&text, k)).collect();
            assert!(
                ours.windows(2).all(|w| w[0] < w[1]),
                "{name} order: {keys:?}"
            );
        }
    }

    #[test]
    fn cells_csv_has_header_and_units() {
        let r = sample();
        let text = cells_csv(&[r.clone(), Report::default()]);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().expect("header").iter().collect::<Vec<_>>(),
            CELLS_CSV_HEADER.to_vec()
        );
        let rows: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().expect("rows");
        assert_eq!(rows.len(), r.cells.len());
        let fee = &rows[6];
        assert_eq!(&fee[2], "2");
        assert_eq!(&fee[5], "11.065");
        assert_eq!(&fee[6], "", "fees have no value_int");
        assert_eq!(&fee[7], "10k_cny");
        assert_eq!(&fee[8], "万元");
        assert_eq!(&fee[9], "11.065万元");
        let dash = &rows[4];
        assert_eq!((&dash[5], &dash[9], &dash[10]), ("", "—", "dash"));
        assert_eq!(
            (&rows[0][6], &rows[0][7], &rows[0][11]),
            ("59", "count", "40")
        );
        assert_eq!(cells_csv(&[]).lines().count(), 1, "header only");
    }

    #[test]
    fn table3_text_aligns_cjk() {
        let text = table3_text(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].contains("二七区人民政府办公室") && lines[0].contains("410103"),
            "{text}"
        );
        assert!(
            lines[1].contains("自然人") && lines[1].contains("总计"),
            "{text}"
        );
        let row = |key: &str| {
            *lines
                .iter()
                .find(|l| l.contains(key))
                .unwrap_or_else(|| panic!("{key}: {text}"))
        };
        // Rows in template order, with inferred, dash and blank markers.
        assert!(text.find("予以公开") < text.find("属于国家秘密"));
        assert!(row("予以公开").ends_with("49*"), "{text}");
        assert!(row("属于国家秘密").ends_with("—"), "{text}");
        assert!(row("属于国家秘密").contains('·'), "{text}");
        assert!(
            row("予以公开").contains('?'),
            "cells not found are marked: {text}"
        );
        // The total column ends at the same terminal column on every row.
        let widths: Vec<usize> = lines[1..4].iter().map(|l| l.width()).collect();
        assert!(
            widths.windows(2).all(|w| w[0] == w[1]),
            "{widths:?}\n{text}"
        );
        assert!(text.contains("* inferred"));
        assert!(text.contains("FAIL C3 total: 49 ≠ 50"));
        assert!(text.contains("unverified C4 0 held"), "{text}");
        assert!(text.contains("flags: short_row:granted"));
    }

    #[test]
    fn table3_text_marks_split_values() {
        let mut r = sample();
        assert!(!table3_text(&r).contains("~ split"), "no split cell yet");
        r.cells.push(t3cell(
            "carried_forward",
            "natural_person",
            Some(7),
            "7",
            Provenance::Split,
        ));
        let text = table3_text(&r);
        let row = text
            .lines()
            .find(|l| l.contains("结转下年度继续办理"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(row.contains("7~"), "{text}");
        assert!(text.contains("~ split: cut from digits"), "{text}");
    }

    #[test]
    fn table3_text_of_empty_report() {
        let text = table3_text(&Report::default());
        assert!(text.contains("table 3: not found"));
        assert!(text.contains("checks: none"));
        assert!(text.contains("flags: none"));
    }

    #[test]
    fn truncation_respects_width() {
        assert_eq!(truncate("申请人无正当理由逾期不补正", 10), "申请人无…");
        assert!(truncate("申请人无正当理由逾期不补正", 10).width() <= 10);
        assert_eq!(truncate("短", 10), "短");
        assert_eq!(pad("自然人", 8, true), "  自然人");
    }
}
