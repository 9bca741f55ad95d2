//! Inputs that are not clean reports: empty, noise, news, cut, 2019, doubled.

use crate::common::{checks_ok, parse, seeds};
use ogi_extract::vocab::vocab;
use ogi_extract::{CheckState, Number, Provenance, Status, TableId, Template};
use ogi_testkit::synth::{Layout, Options, synth};

fn seed(i: usize) -> (String, serde_json::Value) {
    let (_, text, gold) = seeds().into_iter().nth(i).expect("seed");
    (text, gold)
}

#[test]
fn empty_input_is_not_a_report() {
    for text in ["", "\n\n", "\t\t\t", "   "] {
        let r = parse(text);
        assert_eq!(r.status, Status::NotAReport);
        assert!(r.flags.iter().any(|f| f == "not_a_report"));
        assert!(r.flags.iter().any(|f| f == "missing_table:3"));
        assert!(r.cells.is_empty() && r.table3.is_empty());
    }
}

#[test]
fn random_bytes_are_not_a_report() {
    let mut rng = ogi_testkit::synth::Rng::new(9);
    for _ in 0..50 {
        let bytes: Vec<u8> = (0..rng.below(4000)).map(|_| rng.next_u64() as u8).collect();
        let r = parse(&String::from_utf8_lossy(&bytes));
        assert_eq!(r.status, Status::NotAReport);
    }
}

#[test]
fn a_news_article_is_not_a_report() {
    let news = "市政府召开常务会议\n\n2023年5月8日，市政府召开第12次常务会议，研究部署政府信息公开、安全生产等工作。\n会议指出，要认真落实《中华人民共和国政府信息公开条例》，全年公开信息1200条。\n一、加强组织领导\n二、强化督促检查 3 5 7\n";
    let r = parse(news);
    assert_eq!(r.status, Status::NotAReport);
    assert!(r.cells.is_empty());
}

#[test]
fn table3_cut_halfway_is_truncated_and_not_invented() {
    let (text, _) = seed(3);
    let cut: String = text
        .lines()
        .take_while(|l| !l.contains("8.属于行政查询事项"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = parse(&cut);
    // Cells are missing: partial, never parsed, and it says how much was read.
    assert_eq!(r.status, Status::Partial);
    let c = r.completeness.expect("completeness");
    assert!(c > 0.5 && c < 0.9, "{c}");
    assert!(r.flags.iter().any(|f| f == "truncated"), "{:?}", r.flags);
    assert!(r.flags.iter().any(|f| f == "missing_table:4"));
    for row in [
        "denied_admin_query",
        "unavailable_not_held",
        "processed_total",
        "carried_forward",
    ] {
        // Columns with requests cannot be recovered…
        assert_eq!(r.table3[row]["natural_person"], None, "{row}");
        assert_eq!(r.table3[row]["total"], None, "{row}");
        // …columns without any (new + carried over = 0) are determined: every cell is 0.
        for c in r.cells.iter().filter(|c| c.row == row) {
            match c.value {
                Some(v) => assert_eq!(
                    (v, c.provenance),
                    (Number::Int(0), Provenance::Inferred),
                    "{row}"
                ),
                None => assert_eq!(c.provenance, Provenance::Missing, "{row}"),
            }
        }
    }
    assert_eq!(r.table3["granted"]["total"], Some(Number::Int(49)));
}

#[test]
fn template_2019_is_detected_from_labels() {
    let s = synth(
        77,
        Layout::Tsv,
        &Options {
            template: Template::V2019,
            ..Options::default()
        },
    );
    let r = parse(&s.text);
    assert_eq!(r.template, Some(Template::V2019));
    let v = vocab();
    let single = v
        .rows
        .iter()
        .find(|r| r.templates == [Template::V2019])
        .expect("2019-only row");
    assert!(r.table3.contains_key(&single.key));
    assert!(
        v.rows
            .iter()
            .filter(|x| x.templates == [Template::V2021])
            .all(|x| !r.table3.contains_key(&x.key))
    );
    assert!(r.table2.keys().all(|k| {
        v.table2
            .iter()
            .any(|t| &t.key == k && t.template == Template::V2019)
    }));
    assert!(checks_ok(&r));
}

#[test]
fn two_reports_concatenated_are_flagged_and_the_first_is_read() {
    let (a, gold) = seed(1);
    let (b, _) = seed(3);
    let r = parse(&format!("{a}\n{b}"));
    assert!(r.flags.iter().any(|f| f == "two_reports"), "{:?}", r.flags);
    assert_eq!(r.agency.as_deref(), gold["agency"].as_str());
    assert_eq!(r.table3["new_received"]["total"], Some(Number::Int(0)));
    assert!(!r.flags.iter().any(|f| f.starts_with("duplicate_row")));
}

#[test]
fn short_row_that_contradicts_the_identities_is_a_conflict() {
    let (text, _) = seed(2);
    let bad = text.replace(
        "三、本年度办理结果\t(一) 予以公开\t0\t0\t0\t0\t0\t0",
        "三、本年度办理结果\t(一) 予以公开\t0\t0\t5\t0\t0\t0",
    );
    assert_ne!(bad, text);
    let r = parse(&bad);
    assert!(
        r.flags.iter().any(|f| f == "conflict:granted"),
        "{:?}",
        r.flags
    );
    assert!(r.table3["granted"].values().all(Option::is_none));
    assert!(!r.flags.iter().any(|f| f == "inferred:granted"));
    // Other short rows are still inferred.
    assert!(r.flags.iter().any(|f| f == "inferred:partially_granted"));
}

#[test]
fn units_in_cells_are_parsed_and_kept() {
    let (text, _) = seed(2);
    let r = parse(&text.replace("行政事业性收费\t11.065", "行政事业性收费\t110650元"));
    let fee = r
        .cells
        .iter()
        .find(|c| c.table == TableId::T2 && c.row == "admin_fees_10k_cny")
        .expect("fee");
    assert!((fee.value.expect("value").as_f64() - 11.065).abs() < 1e-9);
    assert_eq!(fee.unit.as_deref(), Some("元"));
    let r = parse(&text.replace(
        "一、本年新收政府信息公开申请数量\t1\t",
        "一、本年新收政府信息公开申请数量\t1件\t",
    ));
    let c = r
        .cells
        .iter()
        .find(|c| c.row == "new_received" && c.col.as_deref() == Some("natural_person"))
        .expect("cell");
    assert_eq!(
        (c.value, c.unit.as_deref()),
        (Some(Number::Int(1)), Some("件"))
    );
}

#[test]
fn dashes_and_blanks_are_not_zero() {
    let (text, _) = seed(1);
    let t = text.replace("规章\t0\t0\t0", "规章\t/\t—\t无").replace(
        "(七) 总计\t0\t0\t0\t0\t0\t0\t0\t\t",
        "(七) 总计\t0\t\t0\t0\t0\t0\t0",
    );
    let r = parse(&t);
    let get = |row: &str, col: Option<&str>| {
        r.cells
            .iter()
            .find(|c| c.row == row && c.col.as_deref() == col)
            .expect("cell")
            .clone()
    };
    assert_eq!(
        (
            get("regulations_issued", None).value,
            get("regulations_issued", None).provenance
        ),
        (None, Provenance::Dash)
    );
    assert_eq!(
        get("regulations_repealed", None).provenance,
        Provenance::Dash
    );
    assert_eq!(get("regulations_in_force", None).provenance, Provenance::Na);
    let c = get("processed_total", Some("org_commercial"));
    assert_eq!((c.value, c.provenance), (None, Provenance::Blank));
}

#[test]
fn failed_checks_are_reported_not_fixed() {
    let (text, _) = seed(3);
    let r = parse(&text.replace(
        "\t\t6.属于四类过程性信息\t0\t0",
        "\t\t6.属于四类过程性信息\t4\t0",
    ));
    let c2 = r.checks.iter().find(|c| c.id == "C2").expect("C2");
    assert!(
        c2.state == CheckState::Failed && c2.detail.contains("denied_process_info"),
        "{c2:?}"
    );
    assert_eq!(
        r.table3["denied_process_info"]["natural_person"],
        Some(Number::Int(4))
    );
    assert_eq!(
        r.checks.iter().find(|c| c.id == "C3").expect("C3").state,
        CheckState::Failed
    );
}

#[test]
fn a_title_like_sentence_after_the_tables_is_not_a_second_report() {
    let (text, _) = seed(3);
    let r = parse(&format!(
        "{text}\n二七区人民政府办公室2022年度政府信息公开工作年度报告\n"
    ));
    assert!(!r.flags.iter().any(|f| f == "two_reports"), "{:?}", r.flags);
}

#[test]
fn heading_variants_are_recognised() {
    let (text, gold) = seed(3);
    let t = text
        .replace(
            "#### 四、政府信息公开行政复议、行政诉讼情况",
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        )
        .replace(
            "## 三、收到和处理政府信息公开申请情况",
            "**三、收到和处理政府信息公开申请情况**",
        );
    assert_ne!(t, text);
    let r = parse(&t);
    assert_eq!(
        r.table4["review_upheld"],
        gold["table4"]["review_upheld"].as_i64().map(Number::Int)
    );
    assert!(
        !r.flags.iter().any(|f| f.starts_with("missing_table")),
        "{:?}",
        r.flags
    );
    assert!(checks_ok(&r));
}

#[test]
fn a_lost_last_row_with_table4_after_it_is_not_truncation() {
    let (text, _) = seed(3);
    let t: String = text
        .lines()
        .filter(|l| !l.starts_with("四、结转下年度继续办理"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = parse(&t);
    assert!(!r.flags.iter().any(|f| f == "truncated"), "{:?}", r.flags);
    // …and C1 determines it: new + carried over − processed in every column.
    assert_eq!(r.table3["carried_forward"]["total"], Some(Number::Int(0)));
    let c = r
        .cells
        .iter()
        .find(|c| c.row == "carried_forward" && c.col.as_deref() == Some("total"))
        .expect("cell");
    assert_eq!(c.provenance, Provenance::Inferred);
    assert!(
        r.flags
            .iter()
            .any(|f| f == "inferred_rule:carried_forward:C1"),
        "{:?}",
        r.flags
    );
}
