//! Template variants seen in real reports: a hybrid (2021 tables 2 and 4 with
//! the 2019 single `（六）其他处理` row in table 3) and parts numbered 一/二/三
//! instead of 二/三/四.

use crate::common::{parse, seeds};
use ogi_extract::{Number, Provenance, Status, TableId, Template};

/// Seed 003 (2021 template, TSV) as printed.
fn seed_2021() -> String {
    let (_, text, _) = seeds().into_iter().nth(3).expect("seed 003");
    assert!(text.contains("(六) 其他处理\t1.申请人无正当理由"));
    text
}

/// The seed with its three `（六）` sub-rows printed as the 2019 single row.
fn hybrid() -> String {
    let text = seed_2021();
    let start = text.find("\t(六) 其他处理\t1.").expect("(六) block");
    let end = text[start..].find("\t(七) 总计").expect("(七)") + start;
    format!(
        "{}\t(六) 其他处理\t\t3\t0\t0\t0\t0\t0\t3\n{}",
        &text[..start],
        &text[end..]
    )
}

#[test]
fn hybrid_keys_the_single_other_row_and_infers_no_2021_sub_rows() {
    let r = parse(&hybrid());
    assert_eq!(r.template, Some(Template::V2019), "{:?}", r.flags);
    assert!(
        r.flags.iter().any(|f| f == "template_mixed"),
        "{:?}",
        r.flags
    );
    let other = &r.table3["other_total_2019"];
    assert_eq!(other["natural_person"], Some(Number::Int(3)));
    assert_eq!(other["total"], Some(Number::Int(3)));
    for row in ["other_no_correction", "other_fee_unpaid", "other_other"] {
        assert!(
            !r.cells.iter().any(|c| c.row == row),
            "{row} was never printed: {:?}",
            r.cells.iter().find(|c| c.row == row)
        );
    }
    assert!(
        r.cells.iter().all(|c| c.provenance != Provenance::Inferred),
        "nothing needs inferring"
    );
    // Table 2 keeps the 2021 keys it printed; the report is complete.
    assert!(
        r.table2.contains_key("admin_fees_10k_cny"),
        "{:?}",
        r.table2
    );
    assert!(
        r.cells
            .iter()
            .filter(|c| c.table == TableId::T2)
            .all(|c| c.provenance != Provenance::Missing)
    );
    assert_eq!(r.status, Status::Parsed, "{:?}", r.flags);
    assert_eq!(r.completeness, Some(1.0));
    assert!(r.checks.iter().all(|c| c.ok()), "{:?}", r.checks);
}

#[test]
fn parts_numbered_one_two_three_read_like_two_three_four() {
    let text = seed_2021();
    let renumbered = text
        .replace("## 一、总体情况", "## 总体情况")
        .replace("## 二、主动公开政府信息情况", "## 一、主动公开政府信息情况")
        .replace(
            "## 三、收到和处理政府信息公开申请情况",
            "## 二、收到和处理政府信息公开申请情况",
        )
        .replace(
            "#### 四、政府信息公开行政复议、行政诉讼情况",
            "#### 三、政府信息公开行政复议、行政诉讼情况",
        )
        .replace("#### 五、存在的主要问题", "#### 四、存在的主要问题")
        .replace("#### 六、其他需要报告的事项", "#### 五、其他需要报告的事项");
    assert_ne!(renumbered, text);
    let want = parse(&text);
    let got = parse(&renumbered);
    assert_eq!(got.status, Status::Parsed, "{:?}", got.flags);
    assert_eq!(got.table2, want.table2);
    assert_eq!(got.table3, want.table3);
    assert_eq!(got.table4, want.table4);
}

#[test]
fn a_misprinted_row_label_is_not_keyed_to_a_similar_row() {
    // The real county PDF misprints `2.其他法律行政法规禁止公开` as `2.其他法律行政止公开`,
    // which contains `其他` (the 2021 row `（六）3.其他`): a label that short
    // counts only at the end of a row's label, so the row is not taken for it
    // (neither read as that row nor dropped as one out of order).
    let text = hybrid().replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开");
    let r = parse(&text);
    assert!(
        r.flags.iter().any(|f| f.starts_with("unmatched_row:"))
            && !r.flags.iter().any(|f| f.ends_with(":other_other")),
        "{:?}",
        r.flags
    );
    assert_eq!(r.template, Some(Template::V2019), "{:?}", r.flags);
    assert!(!r.cells.iter().any(|c| c.row == "other_other"));
    // Its values are the one row missing between (三)1 and (三)3: placed there by position.
    assert!(
        r.flags
            .iter()
            .any(|f| f == "row_by_position:denied_law_prohibited"),
        "{:?}",
        r.flags
    );
    for c in r.cells.iter().filter(|c| c.row == "denied_law_prohibited") {
        assert_eq!(
            (c.value, c.provenance),
            (Some(Number::Int(0)), Provenance::Printed)
        );
    }
    assert_eq!(r.table3["other_total_2019"]["total"], Some(Number::Int(3)));
}

#[test]
fn a_report_with_no_template_cell_read_failed_and_a_gap_is_never_parsed() {
    // Table 3 is there (its rows are named) but not one cell can be placed.
    let text = "某县民政局2023年政府信息公开工作年度报告\n\
                三、收到和处理政府信息公开申请情况\n\
                一、本年新收政府信息公开申请数量 5 2\n\
                二、上年结转政府信息公开申请数量 1\n";
    let r = parse(text);
    assert_eq!(r.status, Status::Failed, "{:?}", r.flags);
    assert!(
        r.flags.iter().any(|f| f == "no_cells_read"),
        "{:?}",
        r.flags
    );
    assert_eq!(r.completeness, Some(0.0));
    // Nothing could be evaluated: every check is unverified, none is ok.
    assert!(r.checks.iter().all(|c| !c.ok()), "{:?}", r.checks);
    let c1 = r.checks.iter().find(|c| c.id == "C1").expect("C1");
    assert_eq!((c1.held, c1.failed, c1.unverified), (0, 0, 7));
    assert_eq!(c1.state, ogi_extract::CheckState::Unverified);
}
