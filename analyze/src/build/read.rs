//! Reading the extract parts: their column contract ([`ogi_spec::parts`]),
//! typed columns, and the cells of the wanted reports grouped by year.

use anyhow::{Context as _, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;

use ogi_spec::parts::{ColumnType, column_type};
use polars::prelude::{
    Categories, DataFrame, DataType, Expr, IntoLazy, JoinArgs, JoinType, LazyFrame,
    MaintainOrderJoin, col,
};

/// Columns the `reports` parts must have ([`ogi_spec::parts::REPORT_COLUMNS`], in file order).
pub const REPORT_COLUMNS: [&str; 23] = {
    let mut names = [""; 23];
    let mut i = 0;
    while i < names.len() {
        names[i] = ogi_spec::parts::REPORT_COLUMNS[i].name;
        i += 1;
    }
    names
};

/// Columns of the `cells` parts used here.
pub const CELL_COLUMNS: [&str; 7] = [
    "report_id",
    "table",
    "row",
    "col",
    "value",
    "value_int",
    "provenance",
];

/// The Polars dtype of a part column of type `ty`.
fn dtype_of(ty: Option<ColumnType>) -> DataType {
    match ty {
        Some(ColumnType::Int32) => DataType::Int32,
        Some(ColumnType::Int64) => DataType::Int64,
        Some(ColumnType::Float64) => DataType::Float64,
        Some(ColumnType::Utf8) | None => DataType::String,
    }
}

/// A `reports` column cast to its contract dtype (tolerates writers that use
/// Int64 or large/view strings).
pub fn typed_report_column(name: &str) -> Expr {
    col(name).cast(dtype_of(column_type(
        &ogi_spec::parts::REPORT_COLUMNS,
        name,
    )))
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

/// A `cells` column cast to its contract dtype (the strings become [`cat`]
/// after the join in [`read_cells`]).
fn typed_cell_column(name: &str) -> Expr {
    col(name).cast(dtype_of(column_type(&ogi_spec::parts::CELL_COLUMNS, name)))
}

/// Read the cells parts once: keep the cells of the reports in `wanted`
/// (`report_id`, [`RID`], `year`), keyed by [`RID`] instead of the 64-character
/// `report_id`, grouped by year. Every year in `years` gets a frame (empty if
/// it has no cells). One part is decoded at a time, so memory holds one part
/// plus the compact cells of the wanted years; the cell order within a year
/// is the part order, then the order within each part.
pub fn read_cells(
    parts: &[PathBuf],
    wanted: &DataFrame,
    years: &[i32],
) -> Result<BTreeMap<i32, DataFrame>> {
    let mut acc: BTreeMap<i32, DataFrame> = BTreeMap::new();
    let mut template: Option<DataFrame> = None;
    let mut keep_left = JoinArgs::new(JoinType::Inner);
    keep_left.maintain_order = MaintainOrderJoin::Left;
    for part in parts {
        let df = crate::io::scan(std::slice::from_ref(part))?
            .select(CELL_COLUMNS.map(typed_cell_column))
            .join(
                wanted.clone().lazy(),
                [col("report_id")],
                [col("report_id")],
                keep_left.clone(),
            )
            .select([
                col(RID),
                col("year"),
                col("table"),
                col("row").cast(cat()),
                col("col").cast(cat()),
                col("value"),
                col("value_int"),
                col("provenance").cast(cat()),
            ])
            .collect()
            .with_context(|| format!("reading cells from {}", part.display()))?;
        if template.is_none() {
            template = Some(df.clear().drop("year")?);
        }
        for mut p in df.partition_by_stable(["year"], true)? {
            let Some(y) = p.column("year")?.i32()?.get(0) else {
                continue;
            };
            p.drop_in_place("year")?;
            match acc.get_mut(&y) {
                Some(a) => {
                    a.vstack_mut(&p)?;
                }
                None => {
                    acc.insert(y, p);
                }
            }
        }
    }
    let template = template.context("no cells parts")?;
    for y in years {
        acc.entry(*y).or_insert_with(|| template.clone());
    }
    for df in acc.values_mut() {
        df.rechunk_mut();
    }
    Ok(acc)
}

/// Check that the reports parts have every expected column.
pub fn check_report_schema(lf: &mut LazyFrame) -> Result<()> {
    let schema = lf.collect_schema().context("reading reports schema")?;
    let missing: Vec<_> = REPORT_COLUMNS
        .iter()
        .filter(|c| schema.get(c).is_none())
        .collect();
    anyhow::ensure!(missing.is_empty(), "reports parts lack columns {missing:?}");
    Ok(())
}

/// Check that the cells parts have every used column.
pub fn check_cell_schema(lf: &mut LazyFrame) -> Result<()> {
    let schema = lf.collect_schema().context("reading cells schema")?;
    let missing: Vec<_> = CELL_COLUMNS
        .iter()
        .filter(|c| schema.get(c).is_none())
        .collect();
    anyhow::ensure!(missing.is_empty(), "cells parts lack columns {missing:?}");
    Ok(())
}
