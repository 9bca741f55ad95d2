//! Property tests: no input panics; perturbed numbers are read or caught.

use crate::common::{parse, seeds};
use ogi_extract::normalize::normalize_text;
use ogi_extract::{CheckState, Number, Provenance, Report, TableId, lines_from_text};
use proptest::prelude::*;

/// Invariants every report keeps, whatever the input.
fn invariants(r: &Report, text: &str) {
    let n = r.table2.len() + r.table4.len() + r.table3.values().map(|c| c.len()).sum::<usize>();
    assert_eq!(n, r.cells.len());
    let lines = lines_from_text(text);
    for c in &r.cells {
        let v = match c.table {
            TableId::T2 => r.table2[&c.row],
            TableId::T3 => r.table3[&c.row][c.col.as_deref().unwrap_or("")],
            TableId::T4 => r.table4[&c.row],
            TableId::Narrative => unreachable!("narrative cells are not in cells"),
        };
        assert_eq!(v, c.value);
        match c.provenance {
            Provenance::Printed => {
                assert!(c.value.is_some());
                let line = c.line.expect("printed cells have a line") as usize;
                let src = normalize_text(&lines[line - 1].cells.join(" "));
                assert!(
                    src.contains(&c.raw),
                    "raw {:?} not on line {line}: {src:?}",
                    c.raw
                );
            }
            Provenance::Inferred => assert!(c.value.is_some()),
            _ => assert!(c.value.is_none()),
        }
    }
}

fn mutate(text: &str, op: u8, at: usize, arg: usize) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return String::new();
    }
    let i = at % lines.len();
    match op % 3 {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        _ => {
            let chars: Vec<char> = lines[i].chars().collect();
            let j = arg % (chars.len() + 1);
            let (a, b): (String, String) =
                (chars[..j].iter().collect(), chars[j..].iter().collect());
            lines[i] = a;
            lines.insert(i + 1, b);
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let text = String::from_utf8_lossy(&bytes);
        invariants(&parse(&text), &text);
    }

    #[test]
    fn table_like_noise_never_panics(text in "[一二三四（）()0-9\t\n 、.|#公开申请总计其他处理予以部分不予行政复议诉讼情况收到和处理政府信息主动—/无-]{0,600}") {
        invariants(&parse(&text), &text);
    }

    #[test]
    fn mutated_seeds_never_panic(k in 0usize..5, ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6)) {
        let (_, mut text, _) = seeds().swap_remove(k);
        for (op, at, arg) in ops {
            text = mutate(&text, op, at, arg);
        }
        invariants(&parse(&text), &text);
    }

    #[test]
    fn a_perturbed_number_is_read_or_caught(k in 0usize..5, pick in any::<usize>(), delta in 1i64..1000) {
        let (_, text, _) = seeds().swap_remove(k);
        let orig = parse(&text);
        let ints: Vec<_> = orig.cells.iter().filter(|c| c.provenance == Provenance::Printed && matches!(c.value, Some(Number::Int(_)))).collect();
        let c = ints[pick % ints.len()];
        let Some(Number::Int(old)) = c.value else { unreachable!() };
        let line_no = c.line.expect("line") as usize;
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // Replace one standalone occurrence of the cell's text on its line.
        let new = (old + delta).to_string();
        let line = lines[line_no - 1].clone();
        let sep = |ch: char| ch == '\t' || ch == ' ' || ch == '|';
        let tokens: Vec<(usize, &str)> = line.split(sep).scan(0usize, |pos, t| { let p = *pos; *pos += t.len() + 1; Some((p, t)) }).filter(|(_, t)| *t == c.raw).collect();
        prop_assume!(!tokens.is_empty());
        let (p, t) = tokens[pick / 7 % tokens.len()];
        lines[line_no - 1] = format!("{}{}{}", &line[..p], new, &line[p + t.len()..]);
        let text2 = lines.join("\n");
        let r = parse(&text2);
        invariants(&r, &text2);
        let failed = r.checks.iter().any(|c| c.state == CheckState::Failed) || r.flags.iter().any(|f| f.starts_with("conflict:"));
        let changed: Vec<_> = r.cells.iter().zip(&orig.cells).filter(|(a, b)| a != b).collect();
        let read = changed.len() == 1
            && changed[0].0.raw == new
            && changed[0].0.value == Some(Number::Int(old + delta))
            && changed[0].0.line == Some(line_no as u32);
        prop_assert!(failed || read, "line {line_no}: {} → {new}; changed {changed:?}; checks {:?}", c.raw, r.checks);
        prop_assert_eq!(r.cells.len(), orig.cells.len());
    }
}
