//! The five seed reports against their gold extraction.

use crate::common::{checks_ok, parse, seeds};
use ogi_extract::{Number, Provenance, Report, Status, TableId};
use serde_json::Value;

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn val(n: &Option<Number>) -> Option<f64> {
    n.map(Number::as_f64)
}

fn assert_flat(name: &str, table: &str, got: &ogi_extract::FlatTable, gold: &Value) {
    let gold = gold.as_object().expect("flat table");
    assert_eq!(
        got.len(),
        gold.len(),
        "{name} {table}: key count {:?}",
        got.keys().collect::<Vec<_>>()
    );
    for (k, g) in gold {
        assert_eq!(got.get(k).and_then(val), num(g), "{name} {table}.{k}");
        assert!(got.contains_key(k), "{name} {table}.{k} missing");
    }
}

fn check_seed(name: &str, r: &Report, gold: &Value) {
    assert_eq!(r.status, Status::Parsed, "{name}: {:?}", r.flags);
    assert_eq!(
        r.agency.as_deref(),
        gold["agency"].as_str(),
        "{name} agency"
    );
    assert_eq!(r.year.map(i64::from), gold["year"].as_i64(), "{name} year");
    assert_eq!(
        r.template.map(|t| t.as_str()),
        gold["template"].as_str(),
        "{name} template"
    );
    assert_flat(name, "table2", &r.table2, &gold["table2"]);
    assert_flat(name, "table4", &r.table4, &gold["table4"]);
    let g3 = gold["table3"].as_object().expect("table3");
    assert_eq!(r.table3.len(), g3.len(), "{name} table3 rows");
    for (row, cols) in g3 {
        let cols = cols.as_object().expect("cols");
        let got = r
            .table3
            .get(row)
            .unwrap_or_else(|| panic!("{name} row {row}"));
        assert_eq!(got.len(), cols.len(), "{name} {row} columns");
        for (col, g) in cols {
            assert_eq!(
                got.get(col).and_then(val),
                num(g),
                "{name} table3.{row}.{col}"
            );
        }
    }
    assert!(checks_ok(r), "{name} checks: {:?}", r.checks);
}

/// Rows the gold lists as inferred (`table3.<row>: …`).
fn gold_inferred_rows(gold: &Value) -> Vec<String> {
    gold["inferred"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            s.as_str()?
                .strip_prefix("table3.")?
                .split(':')
                .next()
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn every_seed_matches_its_gold() {
    let all = seeds();
    assert_eq!(all.len(), 5);
    for (name, text, gold) in &all {
        let r = parse(text);
        check_seed(name, &r, gold);
    }
}

#[test]
fn inferred_rows_are_exactly_the_gold_ones() {
    for (name, text, gold) in seeds() {
        let r = parse(&text);
        let want = gold_inferred_rows(&gold);
        let mut got: Vec<String> = r
            .cells
            .iter()
            .filter(|c| c.provenance == Provenance::Inferred)
            .map(|c| c.row.clone())
            .collect();
        got.dedup();
        assert_eq!(got, want, "{name}");
        for row in &want {
            assert!(
                r.flags.contains(&format!("inferred:{row}")),
                "{name} flag inferred:{row}: {:?}",
                r.flags
            );
            let cells: Vec<_> = r
                .cells
                .iter()
                .filter(|c| c.table == TableId::T3 && &c.row == row)
                .collect();
            assert_eq!(cells.len(), 7);
            assert!(
                cells.iter().all(|c| c.provenance == Provenance::Inferred),
                "{name} {row}"
            );
        }
    }
}

#[test]
fn maps_hold_exactly_the_cells() {
    for (name, text, _) in seeds() {
        let r = parse(&text);
        let n = r.table2.len() + r.table4.len() + r.table3.values().map(|c| c.len()).sum::<usize>();
        assert_eq!(n, r.cells.len(), "{name}");
        for c in &r.cells {
            let v = match c.table {
                TableId::T2 => r.table2[&c.row],
                TableId::T3 => r.table3[&c.row][c.col.as_deref().unwrap()],
                TableId::T4 => r.table4[&c.row],
                TableId::Narrative => unreachable!("narrative cells are not in cells"),
            };
            assert_eq!(v, c.value, "{name} {c:?}");
        }
    }
}

#[test]
fn printed_cells_keep_line_and_raw() {
    let (_, text, _) = seeds().into_iter().nth(3).expect("seed 003");
    let r = parse(&text);
    let c = r
        .cells
        .iter()
        .find(|c| c.row == "granted" && c.col.as_deref() == Some("total"))
        .expect("granted.total");
    assert_eq!(
        (c.raw.as_str(), c.provenance, c.line),
        ("49", Provenance::Printed, Some(54))
    );
    let fee = r
        .cells
        .iter()
        .find(|c| c.row == "admin_fees_10k_cny")
        .expect("fee");
    assert_eq!(fee.unit.as_deref(), Some("万元"));
}

#[test]
fn seed_002_flags_its_short_rows() {
    let (_, text, _) = seeds().into_iter().nth(2).expect("seed 002");
    let r = parse(&text);
    for row in [
        "granted",
        "partially_granted",
        "denied_state_secret",
        "unavailable_not_held",
    ] {
        assert!(
            r.flags.contains(&format!("short_row:{row}")),
            "{row}: {:?}",
            r.flags
        );
    }
    assert!(!r.flags.iter().any(|f| f.starts_with("conflict:")));
}
