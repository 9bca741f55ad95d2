//! The wide per-report pieces (table 4, table 2, the panel's table-3 totals,
//! the narrative figures), each described once as a [`WideSpec`]: which
//! cells, which keys become columns, which rows are summed. The spec is
//! evaluated by Polars ([`WideSpec::polars`], the readable definition) and by
//! the reduction of a part's cells in plain Rust (`reduce`), which tests
//! check against it.

use polars::prelude::{Expr, LazyFrame, col, lit};

use super::{RID, cell, n_inferred_agg, one_of, panel, proactive, review_litigation, sum_or_null};

/// The cells column a key's value is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// `value_int` (counts).
    Int,
    /// `value` (amounts, e.g. fees in 万元).
    Float,
}

impl Source {
    fn column(self) -> &'static str {
        match self {
            Source::Int => "value_int",
            Source::Float => "value",
        }
    }
}

/// One wide piece: per report with at least one cell of `table` (and of
/// the `total` column if `total_only`), the value of the first cell of each
/// key (null if none), the sum of the `value_int` of each group of rows
/// (null when none has a value), and the number of inferred cells.
pub(super) struct WideSpec {
    /// The table of the cells.
    pub table: i32,
    /// Only the cells of the `total` column.
    pub total_only: bool,
    /// The row keys that become columns, with their value's source.
    pub keys: Vec<(&'static str, Source)>,
    /// Columns summing the `value_int` of a set of rows.
    pub sums: Vec<(&'static str, Vec<&'static str>)>,
    /// The name of the column counting inferred cells, if any.
    pub inferred: Option<&'static str>,
}

impl WideSpec {
    /// The piece from `cells` (the cells' schema, keyed by [`RID`]).
    pub fn polars(&self, cells: LazyFrame) -> LazyFrame {
        let mut aggs: Vec<Expr> = self.keys.iter().map(|(k, s)| cell(k, s.column())).collect();
        aggs.extend(self.sums.iter().map(|(name, rows)| {
            sum_or_null(col("value_int").filter(one_of(col("row"), rows))).alias(*name)
        }));
        if let Some(name) = self.inferred {
            aggs.push(n_inferred_agg(name));
        }
        let mut filter = col("table").eq(lit(self.table));
        if self.total_only {
            filter = filter.and(col("col").eq(lit("total")));
        }
        cells.filter(filter).group_by([col(RID)]).agg(aggs)
    }
}

/// The wide pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wide {
    /// Table 4 (`review_litigation`, and the panel's table 4).
    Review,
    /// Table 2 (`proactive`, before its yuan columns).
    Proactive,
    /// The panel's table-3 total column.
    Table3,
    /// The narrative figures (table 0).
    Narrative,
}

/// Every wide piece, in the order of [`super::terms::Term::wide`].
pub(super) const WIDE: [Wide; 4] = [Wide::Review, Wide::Proactive, Wide::Table3, Wide::Narrative];

impl Wide {
    /// Its spec.
    pub fn spec(self) -> WideSpec {
        match self {
            Wide::Review => review_litigation::spec(),
            Wide::Proactive => proactive::spec(),
            Wide::Table3 => panel::table3_spec(),
            Wide::Narrative => panel::narrative_spec(),
        }
    }
}
