//! Checks C1–C5 on a report: one [`Check`] per identity, listing failures.
//!
//! C1–C4 are evaluated on every instance whose cells all have numbers; an
//! instance with a cell without a number (missing, blank, dash) is
//! *unverified*. C5 is evaluated on every cell with a number. Each check
//! counts its instances held / failed / unverified and has the state
//! ([`CheckState::from_counts`]) `failed` when one failed, `ok` when one held,
//! and `unverified` when none could be evaluated — never `ok` for lack of
//! evidence. A failed check is a finding about the document: numbers are
//! never changed here.

use crate::identities::{CellRef, identities};
use crate::vocab::vocab;
use crate::{Cell, Check, CheckState, Number, Report, TableId, Template};
use std::collections::HashMap;

/// Identity ids in order.
const IDS: [&str; 4] = ["C1", "C2", "C3", "C4"];
/// At most this many failures are spelled out in a check's detail.
const MAX_DETAIL: usize = 5;

/// FNV-1a: a fast hasher for the short keys of the cell index.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Cell positions by (table, row, column).
pub(crate) type CellIndex<'a> =
    HashMap<(TableId, &'a str, Option<&'a str>), usize, std::hash::BuildHasherDefault<Fnv>>;

/// Cell lookup by reference.
pub(crate) fn index(cells: &[Cell]) -> CellIndex<'_> {
    cells
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.table, c.row.as_str(), c.col.as_deref()), i))
        .collect()
}

fn fmt_num(v: Option<Number>) -> String {
    match v {
        Some(Number::Int(i)) => i.to_string(),
        Some(Number::Dec(d)) => d.to_string(),
        None => "?".into(),
    }
}

/// Runs C1–C5 on the report's cells (template from the report, 2021 if unknown).
pub fn run_checks(report: &Report) -> Vec<Check> {
    let template = report.template.unwrap_or(Template::V2021);
    let idx = index(&report.cells);
    let get = |r: &CellRef| {
        idx.get(&(r.table, r.row, r.col))
            .and_then(|&i| report.cells[i].value)
    };
    let mut out = Vec::new();
    for id in IDS {
        let (mut held, mut skipped, mut failures) = (0u32, 0u32, Vec::new());
        for ident in identities(template).iter().filter(|i| i.id == id) {
            let l: Option<Vec<Number>> = ident.lhs.iter().map(get).collect();
            let r: Option<Vec<Number>> = ident.rhs.iter().map(get).collect();
            let (Some(l), Some(r)) = (l, r) else {
                skipped += 1;
                continue;
            };
            let (ls, rs): (f64, f64) = (
                l.iter().map(|n| n.as_f64()).sum(),
                r.iter().map(|n| n.as_f64()).sum(),
            );
            if (ls - rs).abs() < 1e-9 {
                held += 1;
            } else {
                let side = |v: &[CellRef]| {
                    v.iter()
                        .map(|c| fmt_num(get(c)))
                        .collect::<Vec<_>>()
                        .join("+")
                };
                failures.push(format!(
                    "{}: {} ≠ {}",
                    ident.name,
                    side(&ident.lhs),
                    side(&ident.rhs)
                ));
            }
        }
        let failed = u32::try_from(failures.len()).unwrap_or(u32::MAX);
        let mut detail =
            format!("{held} held, {failed} failed, {skipped} unverified (cells without a number)");
        if !failures.is_empty() {
            detail.push_str("; ");
            detail.push_str(
                &failures
                    .iter()
                    .take(MAX_DETAIL)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        out.push(Check {
            id: id.into(),
            state: CheckState::from_counts(held, failed),
            held,
            failed,
            unverified: skipped,
            detail,
        });
    }
    out.push(c5(&report.cells));
    out
}

/// Cells printed without a number that the document's sums say hold one.
///
/// An instance of C1–C4 left unverified by exactly one cell printed without a
/// number (blank, dash, `无`) — all its other cells read — would fail if that
/// cell were 0: the document's own sums say the cell holds a number (a
/// converter floated it away, `1` printed on a line of its own). Returns each
/// such cell (index into `report.cells`) with the value every instance that
/// involves it alone requires, in identity order; `None` when the instances
/// disagree or ask for a fraction (the sums then name no single number).
pub fn blank_needs(report: &Report) -> Vec<(usize, Option<i64>)> {
    use crate::Provenance;
    let template = report.template.unwrap_or(Template::V2021);
    let idx = index(&report.cells);
    let at = |r: &CellRef| idx.get(&(r.table, r.row, r.col)).copied();
    let value = |r: &CellRef| at(r).and_then(|i| report.cells[i].value);
    let mut out: Vec<(usize, Option<i64>)> = Vec::new();
    for ident in identities(template).iter().filter(|i| IDS.contains(&i.id)) {
        let all = || ident.lhs.iter().chain(&ident.rhs);
        let empty: Vec<&CellRef> = all().filter(|r| value(r).is_none()).collect();
        let [lost] = empty.as_slice() else { continue };
        let Some(i) = at(lost).filter(|&i| {
            matches!(
                report.cells[i].provenance,
                Provenance::Blank | Provenance::Dash | Provenance::Na
            )
        }) else {
            continue;
        };
        let sum =
            |side: &[CellRef]| -> f64 { side.iter().filter_map(value).map(Number::as_f64).sum() };
        let gap = sum(&ident.lhs) - sum(&ident.rhs);
        if gap.abs() < 1e-9 {
            continue;
        }
        // The cell's side: the value that makes both sides equal.
        let need = if ident.lhs.contains(lost) { -gap } else { gap };
        let need = (need.fract() == 0.0 && need.abs() < 1e15).then_some(need as i64);
        match out.iter_mut().find(|(c, _)| *c == i) {
            Some((_, v)) if *v != need => *v = None,
            Some(_) => {}
            None => out.push((i, need)),
        }
    }
    out
}

/// Rows whose identity needs a number where the document printed none
/// ([`blank_needs`]). The cell stays as printed (never filled);
/// `blank_in_sum:<row>` names its row (the table-4 key for table 4), once per
/// row, in identity order.
pub fn blank_in_sum(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in blank_needs(report) {
        let flag = format!("blank_in_sum:{}", report.cells[i].row);
        if !out.contains(&flag) {
            out.push(flag);
        }
    }
    out
}

/// C5: counts are non-negative integers, money is non-negative; changes (本年增/减) may be negative.
fn c5(cells: &[Cell]) -> Check {
    let v = vocab();
    let mut bad = Vec::new();
    for c in cells {
        let Some(n) = c.value else { continue };
        let term = (c.table == TableId::T2)
            .then(|| v.table2.iter().find(|t| t.key == c.row))
            .flatten();
        let signed = term.is_some_and(|t| t.signed);
        let money = term.is_some_and(|t| t.money);
        let x = n.as_f64();
        let ok = (signed || x >= 0.0) && (money || x.fract() == 0.0);
        if !ok {
            bad.push(format!(
                "{}{}={}",
                c.row,
                c.col
                    .as_deref()
                    .map(|s| format!(".{s}"))
                    .unwrap_or_default(),
                fmt_num(Some(n))
            ));
        }
    }
    let values =
        u32::try_from(cells.iter().filter(|c| c.value.is_some()).count()).unwrap_or(u32::MAX);
    let failed = u32::try_from(bad.len()).unwrap_or(u32::MAX);
    let mut detail = format!("{values} values, {failed} invalid");
    if !bad.is_empty() {
        detail.push_str(": ");
        detail.push_str(
            &bad.iter()
                .take(MAX_DETAIL)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    Check {
        id: "C5".into(),
        state: CheckState::from_counts(values - failed, failed),
        held: values - failed,
        failed,
        unverified: 0,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provenance;

    fn row(key: &str, vals: &[Option<i64>], total: Option<i64>) -> Vec<Cell> {
        let v = vocab();
        let mut parts = vals.iter();
        v.cols
            .iter()
            .map(|c| {
                let value = if c.is_total {
                    total
                } else {
                    parts.next().copied().flatten()
                };
                Cell {
                    table: TableId::T3,
                    row: key.into(),
                    col: Some(c.key.clone()),
                    value: value.map(Number::Int),
                    raw: value.map(|x| x.to_string()).unwrap_or_default(),
                    unit: None,
                    provenance: if value.is_some() {
                        Provenance::Printed
                    } else {
                        Provenance::Blank
                    },
                    line: Some(1),
                }
            })
            .collect()
    }

    #[test]
    fn a_blank_the_row_sum_needs_is_flagged_by_row() {
        let mut r = Report {
            template: Some(Template::V2021),
            ..Report::default()
        };
        let parts = [Some(1), Some(0), Some(0), Some(0), Some(0), Some(0)];
        r.cells = row("carried_forward", &parts, None);
        r.cells.extend(row("carried_over_in", &[Some(0); 6], None));
        assert_eq!(blank_in_sum(&r), vec!["blank_in_sum:carried_forward"]);
        // the row sum (C2) asks for 1 in the total cell
        let total = r
            .cells
            .iter()
            .position(|c| c.row == "carried_forward" && c.col.as_deref() == Some("total"));
        assert_eq!(blank_needs(&r), vec![(total.expect("total cell"), Some(1))]);
        // a blank total over zero parts is consistent: no flag
        r.cells = row("carried_forward", &[Some(0); 6], None);
        assert!(blank_in_sum(&r).is_empty());
        // two cells without a number: nothing to say
        let mut parts2 = parts;
        parts2[1] = None;
        r.cells = row("carried_forward", &parts2, None);
        assert!(blank_in_sum(&r).is_empty());
    }
}
