//! Text-family layouts (issue 11, items 4–6) on fixtures made from the real
//! numbers of Huai'an 2024 (`tests/realdocs/002…`, gold in `tests/realdocs/gold/`):
//! archive-flattened page text with fused digits, and PDF-converter Markdown
//! with floating labels (see `tests/fixtures/text/README.md`).

use super::common::parse;
use ogi_extract::{Number, Provenance, Report, TableId};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn gold() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/realdocs/gold/002_huaian_szf_2024.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("gold")).expect("gold json")
}

fn cell<'a>(r: &'a Report, table: TableId, row: &str, col: Option<&str>) -> &'a ogi_extract::Cell {
    r.cells
        .iter()
        .find(|c| c.table == table && c.row == row && c.col.as_deref() == col)
        .unwrap_or_else(|| panic!("no cell {row} {col:?}"))
}

/// The cell at `row`/`col` of `table`, after checking that it holds `want`.
fn cell_holding<'a>(
    r: &'a Report,
    table: TableId,
    row: &str,
    col: Option<&str>,
    want: i64,
) -> &'a ogi_extract::Cell {
    let c = cell(r, table, row, col);
    assert_eq!(
        c.value,
        Some(Number::Int(want)),
        "{row} {col:?} {:?}",
        r.flags
    );
    c
}

fn has_flag(r: &Report, f: &str) -> bool {
    r.flags.iter().any(|x| x == f)
}

/// Every gold cell of tables 3 and 4: `(table, row, col, value)`.
fn gold_cells(g: &Value) -> Vec<(TableId, String, Option<String>, i64)> {
    let mut out = Vec::new();
    for (row, cols) in g["table3"].as_object().expect("table3") {
        for (col, v) in cols.as_object().expect("row") {
            out.push((
                TableId::T3,
                row.clone(),
                Some(col.clone()),
                v.as_i64().expect("int"),
            ));
        }
    }
    for (k, v) in g["table4"].as_object().expect("table4") {
        out.push((TableId::T4, k.clone(), None, v.as_i64().expect("int")));
    }
    out
}

/// No number differs from the document: a cell either holds the gold value
/// or holds none.
fn assert_no_wrong_numbers(r: &Report, g: &Value) {
    for (t, row, col, want) in gold_cells(g) {
        let c = cell(r, t, &row, col.as_deref());
        if let Some(v) = c.value {
            assert_eq!(v, Number::Int(want), "{row} {col:?}: {c:?}");
        }
    }
}

#[test]
fn fused_digits_are_cut_by_the_identities() {
    let r = parse(&fixture("flattened_huaian_2024.txt"));
    let g = gold();
    assert_no_wrong_numbers(&r, &g);
    assert!(
        !has_flag(&r, "not_a_report") && !has_flag(&r, "two_reports"),
        "{:?}",
        r.flags
    );
    // Every table-3 row of the fused text is cut, and says so.
    for (t, row, col, want) in gold_cells(&g).into_iter().filter(|c| c.0 == TableId::T3) {
        let c = cell_holding(&r, t, &row, col.as_deref(), want);
        assert!(
            matches!(c.provenance, Provenance::Split | Provenance::Inferred),
            "{row} {col:?}: {:?}",
            c.provenance
        );
        if c.provenance == Provenance::Split {
            assert_eq!(c.raw, want.to_string());
        }
    }
    assert_eq!(
        r.table3["new_received"]["org_legal_services"],
        Some(Number::Int(61))
    );
    assert!(
        r.checks.iter().filter(|c| c.id != "C4").all(|c| c.ok()),
        "{:?}",
        r.checks
    );
    // Table 4's last block can be cut three ways (12,1,1,6 / 1,2,1,16 / 1,2,11,6 all
    // sum to 20): only the cells every cut agrees on are filled.
    assert!(has_flag(&r, "ambiguous_split:table4"), "{:?}", r.flags);
    assert_eq!(r.table4["review_other"], Some(Number::Int(178)));
    assert_eq!(r.table4["lit_direct_total"], Some(Number::Int(26)));
    assert_eq!(r.table4["lit_after_review_total"], Some(Number::Int(20)));
    assert_eq!(r.table4["lit_after_review_upheld"], None);
    assert_eq!(
        cell(&r, TableId::T4, "lit_after_review_upheld", None).provenance,
        Provenance::Missing
    );
    // Table 2 has no identities: `1011` for three measures is left alone.
    assert!(
        has_flag(&r, "ambiguous_split:t2:regulations_issued"),
        "{:?}",
        r.flags
    );
    assert_eq!(r.table2["regulations_issued"], None);
    assert_eq!(r.table2["licensing_decisions"], Some(Number::Int(447228)));
}

#[test]
fn a_row_the_identities_do_not_decide_stays_missing_and_flagged() {
    // `111000012` is 1,1,10,… or 1,11,… or 11,1,…: C2 holds for all three, and
    // without the carried-over row C1 cannot tell.
    let text = fixture("flattened_huaian_2024.txt");
    let text = text
        .replace("申请数量300153006143119", "申请数量111000012")
        .replace("二、上年结转政府信息公开申请数量340000034", "");
    let r = parse(&text);
    assert!(
        has_flag(&r, "ambiguous_split:new_received"),
        "{:?}",
        r.flags
    );
    for col in ["natural_person", "org_commercial"] {
        let c = cell(&r, TableId::T3, "new_received", Some(col));
        assert_eq!(
            (c.value, c.provenance),
            (None, Provenance::Missing),
            "{col}"
        );
    }
    // C1 in that column: new + carried over (not printed) = 0 + 0, so both are 0.
    let c = cell(&r, TableId::T3, "new_received", Some("org_research"));
    assert_eq!(
        (c.value, c.provenance),
        (Some(Number::Int(0)), Provenance::Inferred)
    );
    // The cells every cut agrees on are the printed digits.
    let total = cell(&r, TableId::T3, "new_received", Some("total"));
    assert_eq!(
        (total.value, total.provenance),
        (Some(Number::Int(12)), Provenance::Split)
    );
    assert_eq!(r.table3["granted"]["total"], Some(Number::Int(1362)));
}

#[test]
fn hostile_fused_digits_cost_bounded_work() {
    // Long digit strings of ones in every row: the search is capped, nothing is invented.
    let text = fixture("flattened_huaian_2024.txt");
    let mut hostile = String::new();
    let mut digits = false;
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            if !digits {
                hostile.push_str(&"1".repeat(40));
            }
            digits = true;
        } else {
            digits = false;
            hostile.push(ch);
        }
    }
    let r = parse(&hostile);
    for c in r.cells.iter().filter(|c| c.provenance == Provenance::Split) {
        assert!(c.raw.bytes().all(|b| b == b'1'), "{c:?}");
    }
}

#[test]
fn converter_markdown_places_floating_rows_by_the_template_order() {
    let r = parse(&fixture("converter_huaian_2024.md"));
    let g = gold();
    assert!(!has_flag(&r, "two_reports"), "{:?}", r.flags);
    assert_eq!(r.status, ogi_extract::Status::Parsed, "{:?}", r.flags);
    for (t, row, col, want) in gold_cells(&g) {
        let c = cell_holding(&r, t, &row, col.as_deref(), want);
        assert_eq!(c.provenance, Provenance::Printed, "{row} {col:?}");
    }
    for row in [
        "partially_granted",
        "denied_internal_affairs",
        "not_processed_confirm_reissue",
    ] {
        assert!(
            has_flag(&r, &format!("row_by_position:{row}")),
            "{row}: {:?}",
            r.flags
        );
    }
    // Rows whose labels sat with their numbers are not re-placed.
    assert!(
        !has_flag(&r, "row_by_position:unavailable_needs_creation"),
        "{:?}",
        r.flags
    );
    assert!(r.checks.iter().all(|c| c.ok()), "{:?}", r.checks);
}

#[test]
fn a_label_with_a_typo_takes_its_row_from_its_neighbours() {
    let md = fixture("converter_huaian_2024.md")
        .replace("其他法律行政法规禁止公开", "其他法律行政止公开");
    let r = parse(&md);
    let c = cell(
        &r,
        TableId::T3,
        "denied_law_prohibited",
        Some("natural_person"),
    );
    assert_eq!(
        (c.value, c.provenance),
        (Some(Number::Int(30)), Provenance::Printed)
    );
    assert!(
        has_flag(&r, "row_by_position:denied_law_prohibited"),
        "{:?}",
        r.flags
    );
}

#[test]
fn a_number_floated_out_of_its_cell_is_put_back_where_the_sums_need_it() {
    // As in `013_shanghai_kewei_2024.md`: the converter leaves the last row's
    // total cell empty and prints its number on a line of its own higher up,
    // between a floating label and that row's bare numbers.
    let label = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请";
    let md = fixture("converter_huaian_2024.md");
    let md = md
        .replace(
            "| 四、结转下年度继续办理 | 103 | 0 | 0 | 0 | 0 | 0 | 103 |",
            "| 四、结转下年度继续办理 | 103 | 0 | 0 | 0 | 0 | 0 |  |",
        )
        .replace(&format!("| {label} | 6 |"), &format!("{label}\n103\n| 6 |"));
    let r = parse(&md);
    let c = cell(&r, TableId::T3, "carried_forward", Some("total"));
    assert_eq!(
        (c.value, c.provenance, c.raw.as_str()),
        (Some(Number::Int(103)), Provenance::Printed, "103"),
        "{:?}",
        r.flags
    );
    assert!(
        has_flag(&r, "stray_placed:carried_forward"),
        "{:?}",
        r.flags
    );
    assert!(
        !r.flags
            .iter()
            .any(|f| f.starts_with("stray_values:") || f.starts_with("blank_in_sum:")),
        "{:?}",
        r.flags
    );
    assert_no_wrong_numbers(&r, &gold());
    // A stray number the sums do not ask for stays out, and the blank stays blank.
    let md2 = md.replace("103\n| 6 |", "104\n| 6 |");
    let r = parse(&md2);
    let c = cell(&r, TableId::T3, "carried_forward", Some("total"));
    assert_eq!((c.value, c.provenance), (None, Provenance::Blank));
    assert!(
        has_flag(&r, "blank_in_sum:carried_forward"),
        "{:?}",
        r.flags
    );
    assert!(
        r.flags.iter().any(|f| f.starts_with("stray_values:")),
        "{:?}",
        r.flags
    );
}
