//! Reading the extract parts: their column contract ([`ogi_spec::parts`]),
//! typed columns, and the cells of the wanted reports grouped by year.

use anyhow::{Context as _, Result};

use ogi_spec::parts::{ColumnType, REPORT_COLUMNS as PART_REPORTS, column_type};
use polars::prelude::{Categories, DataType, Expr, LazyFrame, NULL, col, lit};

/// Number of required `reports` columns in the contract.
const N_REQUIRED: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < PART_REPORTS.len() {
        if PART_REPORTS[i].required {
            n += 1;
        }
        i += 1;
    }
    n
};

/// Columns the `reports` parts must have: the required ones of
/// [`ogi_spec::parts::REPORT_COLUMNS`], in file order.
pub const REPORT_COLUMNS: [&str; N_REQUIRED] = {
    let mut names = [""; N_REQUIRED];
    let (mut i, mut k) = (0, 0);
    while i < PART_REPORTS.len() {
        if PART_REPORTS[i].required {
            names[k] = PART_REPORTS[i].name;
            k += 1;
        }
        i += 1;
    }
    names
};

/// The Polars dtype of a part column of type `ty`.
fn dtype_of(ty: Option<ColumnType>) -> DataType {
    match ty {
        Some(ColumnType::Int32) => DataType::Int32,
        Some(ColumnType::Int64) => DataType::Int64,
        Some(ColumnType::Float64) => DataType::Float64,
        Some(ColumnType::Utf8) | None => DataType::String,
    }
}

/// Expressions for the `reports` columns added to the contract later (not
/// `required` in [`ogi_spec::parts::REPORT_COLUMNS`]): the column cast to
/// its dtype when the parts have it, else a typed null.
pub fn optional_report_columns(lf: &mut LazyFrame) -> Result<Vec<Expr>> {
    let schema = lf.collect_schema().context("reading reports schema")?;
    Ok(PART_REPORTS
        .iter()
        .filter(|c| !c.required)
        .map(|c| {
            let dtype = dtype_of(Some(c.ty));
            match schema.get(c.name) {
                Some(_) => col(c.name).cast(dtype),
                None => lit(NULL).cast(dtype).alias(c.name),
            }
        })
        .collect())
}

/// Columns of the `cells` parts used here (`report_id` first).
pub const CELL_COLUMNS: [&str; 7] = [
    "report_id",
    "table",
    "row",
    "col",
    "value",
    "value_int",
    "provenance",
];

/// A `reports` column cast to its contract dtype (tolerates writers that use
/// Int64 or large/view strings).
pub fn typed_report_column(name: &str) -> Expr {
    col(name).cast(dtype_of(column_type(&PART_REPORTS, name)))
}

/// Row key of a report in the de-duplicated reports (`u32`, assigned in
/// `report_id` order, so sorting by it equals sorting by `report_id`).
pub const RID: &str = "_rid";

/// The in-memory dtype of the low-cardinality cell strings (`row`, `col`,
/// `provenance`): a global categorical, 4 bytes a cell instead of a view
/// into the decoded Parquet pages (which would keep whole pages alive).
pub(super) fn cat() -> DataType {
    DataType::from_categories(Categories::global())
}

/// The contract dtype of a `cells` column (the keys are read as [`cat`]).
pub(super) fn cell_dtype(name: &str) -> DataType {
    dtype_of(column_type(&ogi_spec::parts::CELL_COLUMNS, name))
}

/// Check that the reports parts have every expected column.
pub fn check_report_schema(lf: &mut LazyFrame) -> Result<()> {
    check_columns(lf, "reports", &REPORT_COLUMNS)
}

/// Check that the cells parts have every used column.
pub fn check_cell_schema(lf: &mut LazyFrame) -> Result<()> {
    check_columns(lf, "cells", &CELL_COLUMNS)
}

/// Check that the `what` parts (`reports`, `cells`) have every one of `columns`.
fn check_columns(lf: &mut LazyFrame, what: &str, columns: &[&str]) -> Result<()> {
    let schema = lf
        .collect_schema()
        .with_context(|| format!("reading {what} schema"))?;
    let missing: Vec<_> = columns.iter().filter(|c| schema.get(c).is_none()).collect();
    anyhow::ensure!(missing.is_empty(), "{what} parts lack columns {missing:?}");
    Ok(())
}
