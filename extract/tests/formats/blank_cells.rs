//! Blank grid cells (`<td><p>&nbsp;</p></td>`, an empty `<td>`, an empty DOCX
//! or XLSX cell) stay `blank` at their column in every grid format: they are
//! never a reason to drop or shift a row. The expected cells come from the
//! grid files themselves (a blank position is blank, a number is printed).

use crate::fixture::{self, Item};
use ogi_extract::vocab::vocab;
use ogi_extract::{CheckState, ParseOptions, Provenance, Report, Status, TableId, parse_bytes};

/// The grid's tables in order.
fn tables(items: &[Item]) -> Vec<&Vec<Vec<String>>> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Table(t) => Some(t),
            Item::Text(_) => None,
        })
        .collect()
}

/// What a grid cell says: `None` for blank, else the number.
fn expected(cell: &str) -> Option<f64> {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
    (!t.is_empty()).then(|| t.parse().expect("a number or blank"))
}

/// The same report as TSV, HTML (GBK, with page chrome), DOCX and XLSX.
fn renderings(items: &[Item]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("report.tsv", fixture::tsv(items).into_bytes()),
        ("report.html", fixture::html_gbk(items, "gbk", true)),
        ("report.docx", fixture::docx(items)),
        ("report.xlsx", fixture::xlsx(items)),
    ]
}

fn parse(name: &str, bytes: &[u8]) -> Report {
    let opts = ParseOptions {
        file_name: Some(name.into()),
        ..ParseOptions::default()
    };
    parse_bytes(name, bytes, &opts)
}

/// Every table-3 and table-4 cell of `r` is what the grid prints at its position.
fn assert_cells_match(name: &str, r: &Report, items: &[Item], header_rows: usize) {
    let v = vocab();
    let t = tables(items);
    let (t3, t4) = (t[1], t[2]);
    let template = r.template.expect("template");
    let rows: Vec<_> = v.rows_of(template).collect();
    let data = &t3[header_rows..];
    assert_eq!(data.len(), rows.len(), "fixture rows = template rows");
    for (grid_row, term) in data.iter().zip(&rows) {
        let values = &grid_row[grid_row.len() - v.cols.len()..];
        for (cell, col) in values.iter().zip(&v.cols) {
            let got = r
                .cells
                .iter()
                .find(|c| {
                    c.table == TableId::T3
                        && c.row == term.key
                        && c.col.as_deref() == Some(&col.key)
                })
                .unwrap_or_else(|| panic!("{name}: no cell {}.{}", term.key, col.key));
            let want = expected(cell);
            assert_eq!(
                got.value.map(|n| n.as_f64()),
                want,
                "{name}: {}.{} {got:?}",
                term.key,
                col.key
            );
            let prov = if want.is_some() {
                Provenance::Printed
            } else {
                Provenance::Blank
            };
            assert_eq!(got.provenance, prov, "{name}: {}.{}", term.key, col.key);
        }
    }
    let last = t4.last().expect("table 4 values");
    for (cell, term) in last.iter().zip(&v.table4) {
        let got = r
            .cells
            .iter()
            .find(|c| c.table == TableId::T4 && c.row == term.key)
            .unwrap_or_else(|| panic!("{name}: no cell {}", term.key));
        assert_eq!(
            got.value.map(|n| n.as_f64()),
            expected(cell),
            "{name}: {}",
            term.key
        );
    }
}

fn check(r: &Report, id: &str) -> CheckState {
    r.checks.iter().find(|c| c.id == id).expect(id).state
}

#[test]
fn five_blank_legal_person_columns_keep_every_row() {
    let items = fixture::load_grid("blank_columns.grid");
    for (name, bytes) in renderings(&items) {
        let r = parse(name, &bytes);
        assert_eq!(r.status, Status::Parsed, "{name}: {:?}", r.flags);
        assert_eq!(r.completeness, Some(1.0), "{name}");
        assert!(
            !r.flags.iter().any(|f| f.starts_with("short_row")),
            "{name}: {:?}",
            r.flags
        );
        assert_cells_match(name, &r, &items, 3);
        // Natural person and total columns balance; the blank columns prove nothing.
        assert_eq!(check(&r, "C1"), CheckState::Ok, "{name}: {:?}", r.checks);
        assert_eq!(check(&r, "C3"), CheckState::Ok, "{name}");
        // Every row has blanks: no row sum can be verified, and that is not "ok".
        assert_eq!(check(&r, "C2"), CheckState::Unverified, "{name}");
        let c2 = r.checks.iter().find(|c| c.id == "C2").expect("C2");
        assert_eq!((c2.held, c2.failed, c2.unverified), (0, 0, 25), "{name}");
        assert!(!c2.ok());
    }
}

#[test]
fn scattered_blanks_and_spanned_labels_keep_their_columns() {
    let items = fixture::load_grid("blank_scattered.grid");
    for (name, bytes) in renderings(&items) {
        let r = parse(name, &bytes);
        assert_eq!(r.template, Some(ogi_extract::Template::V2019), "{name}");
        assert!(
            !r.flags.iter().any(|f| f.starts_with("short_row")),
            "{name}: {:?}",
            r.flags
        );
        assert_cells_match(name, &r, &items, 3);
        // Table 2 prints one item only (the others are missing): partial, and says how much.
        assert_eq!(r.status, Status::Partial, "{name}");
        let c = r.completeness.expect("completeness");
        assert!(c > 0.8 && c < 1.0, "{name}: {c}");
    }
}
