//! The accounting identities C1–C4 as data: sums of cells that must be equal.
//!
//! Shared by [`crate::checks`] (which evaluates them) and [`crate::infer`]
//! (which solves them for lost cells), so the arithmetic is written once.

use crate::vocab::{RowRole, vocab};
use crate::{TableId, Template};
use std::sync::LazyLock;

/// A reference to one template cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellRef {
    /// Table.
    pub table: TableId,
    /// Row key (table 3) or cell key (tables 2 and 4).
    pub row: &'static str,
    /// Column key (table 3 only).
    pub col: Option<&'static str>,
}

/// One instance of an identity: `Σ lhs = Σ rhs`.
#[derive(Debug, Clone)]
pub struct Identity {
    /// `C1` … `C4`.
    pub id: &'static str,
    /// Which instance (the column, row or block it is about).
    pub name: &'static str,
    /// Left side.
    pub lhs: Vec<CellRef>,
    /// Right side.
    pub rhs: Vec<CellRef>,
}

fn t3(row: &'static str, col: &'static str) -> CellRef {
    CellRef {
        table: TableId::T3,
        row,
        col: Some(col),
    }
}

fn build(t: Template) -> Vec<Identity> {
    let v = vocab();
    let rows: Vec<_> = v.rows_of(t).collect();
    let by_role = |role: RowRole| {
        rows.iter()
            .filter(move |r| r.role == role)
            .map(|r| r.key.as_str())
    };
    let mut out = Vec::new();
    // C1 and C3 hold in every column: (id, left roles, right roles).
    let per_column: [(&'static str, &[RowRole], &[RowRole]); 2] = [
        (
            "C1",
            &[RowRole::Received],
            &[RowRole::Processed, RowRole::Forward],
        ),
        ("C3", &[RowRole::Processed], &[RowRole::Outcome]),
    ];
    for (id, left, right) in per_column {
        for c in &v.cols {
            let col = c.key.as_str();
            let side = |roles: &[RowRole]| {
                roles
                    .iter()
                    .flat_map(|&role| by_role(role))
                    .map(|r| t3(r, col))
                    .collect()
            };
            out.push(Identity {
                id,
                name: col,
                lhs: side(left),
                rhs: side(right),
            });
        }
    }
    let total = v.cols.iter().find(|c| c.is_total);
    for r in &rows {
        if let Some(total) = total {
            out.push(Identity {
                id: "C2",
                name: r.key.as_str(),
                lhs: vec![t3(&r.key, &total.key)],
                rhs: v
                    .cols
                    .iter()
                    .filter(|c| !c.is_total)
                    .map(|c| t3(&r.key, &c.key))
                    .collect(),
            });
        }
    }
    for b in v.table4_blocks() {
        let cell = |k: &'static str| CellRef {
            table: TableId::T4,
            row: k,
            col: None,
        };
        out.push(Identity {
            id: "C4",
            name: b[0].block_zh.as_str(),
            lhs: b
                .iter()
                .filter(|t| t.is_total)
                .map(|t| cell(&t.key))
                .collect(),
            rhs: b
                .iter()
                .filter(|t| !t.is_total)
                .map(|t| cell(&t.key))
                .collect(),
        });
    }
    out
}

static V2019: LazyLock<Vec<Identity>> = LazyLock::new(|| build(Template::V2019));
static V2021: LazyLock<Vec<Identity>> = LazyLock::new(|| build(Template::V2021));

/// Every identity instance of a template (C1 and C3 per column, C2 per row, C4 per block).
pub fn identities(t: Template) -> &'static [Identity] {
    match t {
        Template::V2019 => &V2019,
        Template::V2021 => &V2021,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_counts() {
        let ids = identities(Template::V2021);
        let n = |id: &str| ids.iter().filter(|i| i.id == id).count();
        assert_eq!((n("C1"), n("C2"), n("C3"), n("C4")), (7, 25, 7, 3));
        let c3 = ids.iter().find(|i| i.id == "C3").unwrap();
        assert_eq!(c3.rhs.len(), 21);
        let c3_2019 = identities(Template::V2019)
            .iter()
            .find(|i| i.id == "C3")
            .unwrap();
        assert_eq!(c3_2019.rhs.len(), 19);
    }
}
