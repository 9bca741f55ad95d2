//! Filling cells the layout lost, only where the identities determine them.
//!
//! A cell is *missing* when the reader could not place it (provenance
//! [`Provenance::Missing`]); blanks, dashes and `无` are what the document
//! printed and are never filled. Each identity instance `Σ lhs = Σ rhs` with
//! integer known cells is solved when
//! * exactly one cell is missing (its value must be ≥ 0), or
//! * all missing cells are on one side and must sum to 0 — counts are
//!   non-negative, so each is 0.
//!
//! Solving repeats until nothing changes. Filled cells get provenance
//! `inferred` and the report gets `inferred:<row>` and
//! `inferred_rule:<row>:<ids>` flags. A short row (values printed but not
//! placeable) whose every cell got determined is then verified: its printed
//! values must appear, in order, in the inferred row; otherwise the row is
//! flagged `conflict:<row>` and its cells are left missing. (A short row only
//! partly determined keeps its determined cells; its printed values are not
//! checked.) A negative solution is flagged
//! `inference_conflict:<identity>:<instance>` and nothing is filled from it.

use crate::checks::index;
use crate::identities::{CellRef, identities};
use crate::{Number, Provenance, Report, Template};
use std::collections::BTreeMap;

/// The values a short row printed, in document column order.
#[derive(Debug, Clone)]
pub struct ShortRow {
    /// Row key.
    pub row: String,
    /// Printed values (`None` for a dash or `无`).
    pub printed: Vec<Option<Number>>,
    /// Column key of each document column position.
    pub doc_cols: Vec<String>,
    /// The printed text of the values (`640020470` when cells were fused).
    pub printed_raw: Vec<String>,
}

/// Fills determined cells of `report` (see the module docs) and checks short rows.
pub fn infer(report: &mut Report, short_rows: &[ShortRow]) {
    let template = report.template.unwrap_or(Template::V2021);
    let resolved: Vec<[Vec<Option<usize>>; 2]> = {
        let idx = index(&report.cells);
        let pos = |r: &CellRef| idx.get(&(r.table, r.row, r.col)).copied();
        identities(template)
            .iter()
            .map(|i| {
                [
                    i.lhs.iter().map(pos).collect(),
                    i.rhs.iter().map(pos).collect(),
                ]
            })
            .collect()
    };
    let mut rules: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let mut conflicts = Vec::new();
    loop {
        let mut progress = false;
        for (ident, sides) in identities(template).iter().zip(&resolved) {
            let (mut known, mut ok) = (0i64, true);
            let mut unknown: Vec<(usize, i64)> = Vec::new();
            for (sign, side) in [(1i64, &sides[0]), (-1, &sides[1])] {
                for &p in side.iter() {
                    let Some(i) = p else {
                        ok = false;
                        continue;
                    };
                    let c = &report.cells[i];
                    match (c.value, c.provenance) {
                        (Some(Number::Int(v)), _) => {
                            match v.checked_mul(sign).and_then(|x| known.checked_add(x)) {
                                Some(k) => known = k,
                                None => ok = false,
                            }
                        }
                        (None, Provenance::Missing) => unknown.push((i, sign)),
                        _ => ok = false,
                    }
                }
            }
            if !ok || unknown.is_empty() {
                continue;
            }
            // Σ sign·x over unknowns = -known
            let Some(target) = known.checked_neg() else {
                continue;
            };
            let solution: Option<Vec<i64>> = if unknown.len() == 1 {
                Some(vec![target.saturating_mul(unknown[0].1)])
            } else if unknown.iter().all(|u| u.1 == unknown[0].1) && target == 0 {
                Some(vec![0; unknown.len()])
            } else {
                None
            };
            let Some(sol) = solution else { continue };
            if sol.iter().any(|&x| x < 0) {
                conflicts.push(format!("inference_conflict:{}:{}", ident.id, ident.name));
                continue;
            }
            for ((i, _), x) in unknown.iter().zip(sol) {
                let c = &mut report.cells[*i];
                c.value = Some(Number::Int(x));
                c.provenance = Provenance::Inferred;
                let ids = rules.entry(c.row.clone()).or_default();
                if !ids.contains(&ident.id) {
                    ids.push(ident.id);
                }
            }
            progress = true;
        }
        if !progress {
            break;
        }
    }
    for s in short_rows {
        verify_short_row(report, s, &mut rules);
    }
    conflicts.dedup();
    report.flags.extend(conflicts);
    for (row, ids) in rules {
        report.flags.push(format!("inferred:{row}"));
        report
            .flags
            .push(format!("inferred_rule:{row}:{}", ids.join("+")));
    }
}

/// Whether `printed` appears in `row` in order (a dash matches anything).
fn is_subsequence(printed: &[Option<Number>], row: &[Number]) -> bool {
    let mut it = row.iter();
    printed
        .iter()
        .all(|p| it.any(|r| p.is_none_or(|p| (p.as_f64() - r.as_f64()).abs() < 1e-9)))
}

/// Whether `raw` is `row` printed with cell boundaries lost: the digits of
/// the row's values, concatenated, with every printed token ending at a cell end.
fn is_fused_print(raw: &[String], row: &[Number]) -> bool {
    let mut cells = row.iter();
    raw.iter().all(|tok| {
        let mut rest = tok.as_str();
        while !rest.is_empty() {
            let Some(Number::Int(x)) = cells.next() else {
                return false;
            };
            let d = x.to_string();
            match rest.strip_prefix(d.as_str()) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        true
    }) && cells.next().is_none()
}

fn verify_short_row(
    report: &mut Report,
    s: &ShortRow,
    rules: &mut BTreeMap<String, Vec<&'static str>>,
) {
    let cells: Vec<usize> = s
        .doc_cols
        .iter()
        .filter_map(|col| {
            report
                .cells
                .iter()
                .position(|c| c.row == s.row && c.col.as_deref() == Some(col.as_str()))
        })
        .collect();
    let values: Option<Vec<Number>> = cells.iter().map(|&i| report.cells[i].value).collect();
    let Some(values) = values else { return };
    if !is_subsequence(&s.printed, &values) && !is_fused_print(&s.printed_raw, &values) {
        for &i in &cells {
            let c = &mut report.cells[i];
            if c.provenance == Provenance::Inferred {
                c.value = None;
                c.provenance = Provenance::Missing;
            }
        }
        rules.remove(&s.row);
        report.flags.push(format!("conflict:{}", s.row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsequence_respects_order_and_dashes() {
        let row = [Number::Int(1), Number::Int(0), Number::Int(2)];
        assert!(is_subsequence(
            &[Some(Number::Int(1)), Some(Number::Int(2))],
            &row
        ));
        assert!(!is_subsequence(
            &[Some(Number::Int(2)), Some(Number::Int(1))],
            &row
        ));
        assert!(is_subsequence(&[None, Some(Number::Int(2))], &row));
        assert!(!is_subsequence(&[Some(Number::Int(5))], &row));
    }

    #[test]
    fn fused_print_matches_digits_and_token_ends() {
        let row: Vec<Number> = [64, 0, 0, 2, 0, 4, 70].map(Number::Int).to_vec();
        let raw = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(is_fused_print(&raw("640020470"), &row));
        assert!(is_fused_print(&raw("6400 20470"), &row));
        assert!(!is_fused_print(&raw("6 40020470"), &row));
        assert!(!is_fused_print(&raw("64002047"), &row));
        assert!(!is_fused_print(&raw("6400204700"), &row));
    }
}
