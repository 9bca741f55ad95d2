//! Cutting fused digit strings into cells by the accounting identities.
//!
//! When a source loses cell boundaries, a table-3 row of seven cells may be
//! printed as `640020470` (64, 0, 0, 2, 0, 4, 70) or `230 000023` (23, 0, 0,
//! 0, 0, 0, 23), and table 4's fifteen cells as one string. A [`FusedRun`] is
//! such a digit string with the cells it must fill, in document order.
//! [`resolve`] searches the ways to cut it:
//!
//! * a cell is `0` or digits without a leading zero (at most
//!   [`MAX_CELL_DIGITS`]); a cell never spans a printed space;
//! * when only one cut exists at all (`0000000` into seven cells), it is taken;
//! * otherwise a cut must satisfy the identities whose cells are all in the
//!   run or already known (C2 for a table-3 row, C4 for table 4), checked as
//!   soon as their cells are cut, which prunes the search;
//! * runs left with several cuts are decided together by the other identities
//!   (C1, C3 across rows): a cut is kept when some choice for all such runs
//!   satisfies every identity that can be evaluated.
//!
//! A run with exactly one surviving cut gets provenance
//! [`Provenance::Split`] (each cell's `raw` is its own digits: nothing is
//! invented). A run with several surviving cuts is flagged
//! `ambiguous_split:<name>`; only the cells that all of them cut alike (same
//! digits at the same place, e.g. table 4's first blocks when only the last
//! is in doubt) are filled, the others stay missing. A run with no surviving
//! cut is flagged the same way and keeps its cells missing. Work is capped ([`MAX_NODES`] search steps per
//! run and for the joint search), so hostile input costs bounded time.

use crate::identities::identities;
use crate::{Number, Provenance, Report, Template};

/// A cell holds at most this many digits.
pub const MAX_CELL_DIGITS: usize = 7;
/// Search steps allowed per run, and for the joint search over runs.
pub const MAX_NODES: usize = 200_000;
/// At most this many cuts are kept per run.
const MAX_CUTS: usize = 64;

/// A digit string printed for several cells.
#[derive(Debug, Clone, PartialEq)]
pub struct FusedRun {
    /// Name used in flags: the table-3 row key, or `table4`.
    pub name: String,
    /// The digit tokens as printed (whitespace-separated in the source).
    pub parts: Vec<String>,
    /// Indices into `Report::cells` of the cells to fill, in document order.
    pub cells: Vec<usize>,
    /// Source line of the digits.
    pub line: Option<u32>,
}

impl FusedRun {
    /// Whether the printed tokens can be fused cells: all digits, fewer tokens
    /// than cells, more digits than tokens, and not too many digits.
    pub fn plausible(parts: &[String], ncells: usize) -> bool {
        let digits: usize = parts.iter().map(String::len).sum();
        !parts.is_empty()
            && parts.len() < ncells
            && digits > parts.len()
            && digits >= ncells
            && digits <= ncells * MAX_CELL_DIGITS
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// An identity instance over report cell indices (`None`: the cell is absent).
struct Inst {
    lhs: Vec<Option<usize>>,
    rhs: Vec<Option<usize>>,
}

/// What is known of a cell during the search.
#[derive(Clone, Copy, PartialEq)]
enum Val {
    /// A printed (or otherwise known) integer.
    Known(i64),
    /// Cell `k` of run `r`.
    Run(usize, usize),
    /// No number: identities over it are not evaluated.
    Unknown,
}

/// The digit string of a run: bytes and where printed tokens end.
struct Digits {
    d: Vec<u8>,
    /// `ends[i]`: a printed token ends after byte `i`.
    ends: Vec<bool>,
}

impl Digits {
    fn of(parts: &[String]) -> Digits {
        let mut d = Vec::new();
        let mut ends = Vec::new();
        for p in parts {
            d.extend(p.bytes());
            ends.extend(std::iter::repeat_n(false, p.len()));
            if let Some(e) = ends.last_mut() {
                *e = true;
            }
        }
        Digits { d, ends }
    }

    /// The value of bytes `s..e` as one cell, if they may form one.
    fn cell(&self, s: usize, e: usize) -> Option<i64> {
        let bytes = &self.d[s..e];
        if bytes.is_empty()
            || bytes.len() > MAX_CELL_DIGITS
            || (bytes.len() > 1 && bytes[0] == b'0')
            || self.ends[s..e - 1].iter().any(|&x| x)
        {
            return None;
        }
        Some(
            bytes
                .iter()
                .fold(0i64, |a, &b| a * 10 + i64::from(b - b'0')),
        )
    }
}

/// A cut: the cell values and the byte length of each cell.
#[derive(Debug, Clone, PartialEq)]
struct Cut {
    values: Vec<i64>,
    lens: Vec<usize>,
}

/// Sum of one side of an identity, or `None` when a cell is not known yet.
fn side_sum(side: &[Option<usize>], val: &dyn Fn(usize) -> Option<i64>) -> Option<i64> {
    side.iter()
        .try_fold(0i64, |a, c| a.checked_add(val((*c)?)?))
}

fn holds(inst: &Inst, val: &dyn Fn(usize) -> Option<i64>) -> Option<bool> {
    Some(side_sum(&inst.lhs, val)? == side_sum(&inst.rhs, val)?)
}

/// Search state for the cuts of one run.
struct RunSearch<'a> {
    digits: &'a Digits,
    n: usize,
    /// Identities to check once the run's first `k` cells are cut: `checks[k]`.
    checks: Vec<Vec<&'a Inst>>,
    vals: &'a [Val],
    run: usize,
    nodes: usize,
    out: Vec<Cut>,
    cap: usize,
}

impl RunSearch<'_> {
    fn go(&mut self, pos: usize, cur: &mut Cut) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return false;
        }
        let k = cur.values.len();
        for inst in &self.checks[k] {
            let v = |c: usize| match self.vals[c] {
                Val::Known(x) => Some(x),
                Val::Run(r, j) if r == self.run => cur.values.get(j).copied(),
                _ => None,
            };
            if holds(inst, &v) == Some(false) {
                return true;
            }
        }
        let left = self.d_len() - pos;
        let cells_left = self.n - k;
        if cells_left == 0 {
            if left == 0 {
                self.out.push(cur.clone());
            }
            return self.out.len() < self.cap;
        }
        if left < cells_left || left > cells_left * MAX_CELL_DIGITS {
            return true;
        }
        for len in 1..=MAX_CELL_DIGITS.min(left) {
            // No longer cell can start with this zero or cross this token end.
            let Some(x) = self.digits.cell(pos, pos + len) else {
                break;
            };
            cur.values.push(x);
            cur.lens.push(len);
            let more = self.go(pos + len, cur);
            cur.values.pop();
            cur.lens.pop();
            if !more {
                return false;
            }
        }
        true
    }

    fn d_len(&self) -> usize {
        self.digits.d.len()
    }
}

/// Every cut of a run (up to `cap`), checking `insts` as their cells get cut.
/// `None` when the search ran out of steps.
fn cuts_of(
    digits: &Digits,
    run: usize,
    n: usize,
    insts: &[&Inst],
    vals: &[Val],
    cap: usize,
) -> Option<Vec<Cut>> {
    let mut checks: Vec<Vec<&Inst>> = vec![Vec::new(); n + 1];
    for inst in insts {
        let last = inst
            .lhs
            .iter()
            .chain(&inst.rhs)
            .filter_map(|c| match vals[(*c)?] {
                Val::Run(r, j) if r == run => Some(j + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        checks[last].push(inst);
    }
    let mut s = RunSearch {
        digits,
        n,
        checks,
        vals,
        run,
        nodes: 0,
        out: Vec::new(),
        cap,
    };
    let mut cur = Cut {
        values: Vec::with_capacity(n),
        lens: Vec::with_capacity(n),
    };
    let finished = s.go(0, &mut cur);
    (finished || s.out.len() >= cap).then_some(s.out)
}

/// The runs of each identity instance (distinct, sorted), or `None` when it
/// has a cell with no number outside the runs (it cannot be evaluated).
fn runs_of(inst: &Inst, vals: &[Val]) -> Option<Vec<usize>> {
    let mut rs = Vec::new();
    for c in inst.lhs.iter().chain(&inst.rhs) {
        match vals[(*c)?] {
            Val::Run(r, _) => rs.push(r),
            Val::Known(_) => {}
            Val::Unknown => return None,
        }
    }
    rs.sort_unstable();
    rs.dedup();
    Some(rs)
}

/// Joint search over runs with several cuts: which cuts of each run appear in
/// some choice satisfying every evaluable identity. `None` when out of steps.
struct Joint<'a> {
    order: Vec<usize>,
    cuts: &'a [Vec<Cut>],
    /// Identities to check once `order[..=k]` are chosen: `checks[k]`.
    checks: Vec<Vec<&'a Inst>>,
    vals: &'a [Val],
    choice: Vec<Option<usize>>,
    seen: Vec<Vec<bool>>,
    nodes: usize,
}

impl Joint<'_> {
    fn value(&self, c: usize) -> Option<i64> {
        match self.vals[c] {
            Val::Known(x) => Some(x),
            Val::Run(r, j) => {
                let cut = match self.cuts[r].as_slice() {
                    [one] => one,
                    many => &many[self.choice[r]?],
                };
                cut.values.get(j).copied()
            }
            Val::Unknown => None,
        }
    }

    fn go(&mut self, k: usize) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return false;
        }
        if k == self.order.len() {
            for (r, c) in self.choice.iter().enumerate() {
                if let Some(c) = c {
                    self.seen[r][*c] = true;
                }
            }
            return true;
        }
        let r = self.order[k];
        for c in 0..self.cuts[r].len() {
            self.choice[r] = Some(c);
            let ok = self.checks[k]
                .iter()
                .all(|inst| holds(inst, &|x| self.value(x)) != Some(false));
            if ok && !self.go(k + 1) {
                return false;
            }
        }
        self.choice[r] = None;
        true
    }
}

/// Cuts the fused runs of `report` where the identities determine them (see
/// the module docs); returns the names of the runs filled. Flags the others
/// `ambiguous_split:<name>`.
pub fn resolve(report: &mut Report, runs: &[FusedRun]) -> Vec<String> {
    if runs.is_empty() {
        return Vec::new();
    }
    let template = report.template.unwrap_or(Template::V2021);
    let insts: Vec<Inst> = {
        let idx = crate::checks::index(&report.cells);
        let pos = |r: &crate::identities::CellRef| idx.get(&(r.table, r.row, r.col)).copied();
        identities(template)
            .iter()
            .map(|i| Inst {
                lhs: i.lhs.iter().map(pos).collect(),
                rhs: i.rhs.iter().map(pos).collect(),
            })
            .collect()
    };
    let mut vals: Vec<Val> = report
        .cells
        .iter()
        .map(|c| match c.value {
            Some(Number::Int(x)) => Val::Known(x),
            _ => Val::Unknown,
        })
        .collect();
    for (r, run) in runs.iter().enumerate() {
        for (k, &c) in run.cells.iter().enumerate() {
            if let Some(v) = vals.get_mut(c) {
                *v = Val::Run(r, k);
            }
        }
    }
    let inst_runs: Vec<Option<Vec<usize>>> = insts.iter().map(|i| runs_of(i, &vals)).collect();
    // Cuts of each run: the only structural cut, or those its own identities allow.
    let cuts: Vec<Option<Vec<Cut>>> = runs
        .iter()
        .enumerate()
        .map(|(r, run)| {
            let digits = Digits::of(&run.parts);
            let n = run.cells.len();
            let any = cuts_of(&digits, r, n, &[], &vals, 2)?;
            if any.len() <= 1 {
                return Some(any);
            }
            let local: Vec<&Inst> = insts
                .iter()
                .zip(&inst_runs)
                .filter(|(_, rs)| rs.as_deref() == Some(&[r][..]))
                .map(|(i, _)| i)
                .collect();
            // At the cap the list may be incomplete: no conclusion from it.
            cuts_of(&digits, r, n, &local, &vals, MAX_CUTS).filter(|c| c.len() < MAX_CUTS)
        })
        .collect();
    // Runs still open: decided jointly by the identities that span runs.
    let open: Vec<usize> = (0..runs.len())
        .filter(|&r| cuts[r].as_ref().is_some_and(|c| c.len() > 1))
        .collect();
    // The cuts that survive every identity, per run (empty: none known).
    let mut survivors: Vec<Vec<Cut>> = cuts
        .iter()
        .map(|c| match c.as_deref() {
            Some([one]) => vec![one.clone()],
            _ => Vec::new(),
        })
        .collect();
    if !open.is_empty() {
        let all: Vec<Vec<Cut>> = cuts.iter().map(|c| c.clone().unwrap_or_default()).collect();
        // Runs with no cut leave their cells unknown to the joint search.
        for (r, c) in all.iter().enumerate() {
            if c.is_empty() {
                for &cell in &runs[r].cells {
                    vals[cell] = Val::Unknown;
                }
            }
        }
        let mut checks: Vec<Vec<&Inst>> = vec![Vec::new(); open.len()];
        for inst in &insts {
            let Some(rs) = runs_of(inst, &vals) else {
                continue;
            };
            let last = rs
                .iter()
                .filter_map(|r| open.iter().position(|o| o == r))
                .max();
            if let Some(k) = last {
                checks[k].push(inst);
            }
        }
        let mut joint = Joint {
            order: open.clone(),
            cuts: &all,
            checks,
            vals: &vals,
            choice: vec![None; runs.len()],
            seen: all.iter().map(|c| vec![false; c.len()]).collect(),
            nodes: 0,
        };
        if joint.go(0) {
            for &r in &open {
                survivors[r] = (0..all[r].len())
                    .filter(|&c| joint.seen[r][c])
                    .map(|c| all[r][c].clone())
                    .collect();
            }
        }
    }
    let mut filled = Vec::new();
    for (run, surv) in runs.iter().zip(&survivors) {
        let digits: String = run.parts.concat();
        // A cell that every surviving cut cuts alike is determined.
        let agreed = agreed_cells(surv);
        for (k, span) in agreed.iter().enumerate() {
            let Some((at, len)) = *span else {
                continue;
            };
            let cell = &mut report.cells[run.cells[k]];
            cell.value = Some(Number::Int(surv[0].values[k]));
            cell.raw = digits[at..at + len].to_string();
            cell.provenance = Provenance::Split;
            cell.line = run.line;
        }
        if surv.len() == 1 {
            filled.push(run.name.clone());
        } else {
            report.flags.push(format!("ambiguous_split:{}", run.name));
        }
    }
    filled
}

/// For each cell, `(offset, length)` of its digits when every cut places it
/// alike (`None` otherwise; empty when there is no cut).
fn agreed_cells(cuts: &[Cut]) -> Vec<Option<(usize, usize)>> {
    let Some(first) = cuts.first() else {
        return Vec::new();
    };
    let spans = |c: &Cut| -> Vec<(usize, usize)> {
        let mut at = 0;
        c.lens
            .iter()
            .map(|&l| {
                at += l;
                (at - l, l)
            })
            .collect()
    };
    let all: Vec<Vec<(usize, usize)>> = cuts.iter().map(spans).collect();
    (0..first.lens.len())
        .map(|k| {
            let s = all[0][k];
            all.iter().all(|c| c[k] == s).then_some(s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// All cuts of `s` into `n` cells with the last cell the sum of the others.
    fn row_cuts(s: &str, n: usize) -> Vec<Vec<i64>> {
        let run_cells: Vec<usize> = (0..n).collect();
        let vals: Vec<Val> = run_cells.iter().map(|&k| Val::Run(0, k)).collect();
        let inst = Inst {
            lhs: vec![Some(n - 1)],
            rhs: (0..n - 1).map(Some).collect(),
        };
        cuts_of(&Digits::of(&parts(s)), 0, n, &[&inst], &vals, MAX_CUTS)
            .unwrap()
            .into_iter()
            .map(|c| c.values)
            .collect()
    }

    #[test]
    fn row_total_decides_fused_cells() {
        assert_eq!(row_cuts("640020470", 7), [vec![64, 0, 0, 2, 0, 4, 70]]);
        assert_eq!(row_cuts("21710000218", 7), [vec![217, 1, 0, 0, 0, 0, 218]]);
        assert_eq!(row_cuts("230 000023", 7), [vec![23, 0, 0, 0, 0, 0, 23]]);
        assert_eq!(row_cuts("200 000121", 7), [vec![20, 0, 0, 0, 0, 1, 21]]);
    }

    #[test]
    fn spaces_are_cell_boundaries_and_zeros_stand_alone() {
        // `12` cannot be one cell across the space in `1 2`.
        assert!(row_cuts("1 200003", 7).iter().all(|c| c[0] == 1));
        let d = Digits::of(&parts("0012"));
        assert_eq!(d.cell(0, 2), None);
        assert_eq!(d.cell(2, 4), Some(12));
    }

    #[test]
    fn hostile_strings_stay_bounded() {
        let long = "1".repeat(48);
        let vals: Vec<Val> = (0..7).map(|k| Val::Run(0, k)).collect();
        let r = cuts_of(&Digits::of(&parts(&long)), 0, 7, &[], &vals, usize::MAX);
        // 48 ones into 7 cells of at most 7 digits: no cut (7 × 7 = 49 is the most, 48 < 49 fits
        // only with one 6-digit cell, 7 ways), and the search stops well inside its step cap.
        assert_eq!(r.map(|c| c.len()), Some(7));
        let many = "123456789".repeat(5);
        let r = cuts_of(
            &Digits::of(&parts(&many[..40])),
            0,
            7,
            &[],
            &vals,
            usize::MAX,
        );
        assert!(r.is_none_or(|c| c.len() < 100_000));
    }
}
