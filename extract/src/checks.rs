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
