//! The column contract of the extract stage's Parquet parts
//! (`OUT/extract/reports/part-N.parquet`, `OUT/extract/cells/part-N.parquet`):
//! names, types and nullability, in file order. `ogi-extract` builds its Arrow
//! schemas from these lists and `ogi-analyze` checks and casts what it reads
//! with them; the meaning of each column is documented in `extract/README.md`.

/// Physical type of a part column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// UTF-8 string.
    Utf8,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 64-bit float (never NaN).
    Float64,
}

/// One column of a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartColumn {
    /// Column name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColumnType,
    /// Whether it may hold nulls.
    pub nullable: bool,
    /// Whether every part has it; `false` for columns added after the first
    /// release, which readers must accept as absent (read as null) in older parts.
    pub required: bool,
}

const fn c(name: &'static str, ty: ColumnType, nullable: bool) -> PartColumn {
    PartColumn {
        name,
        ty,
        nullable,
        required: true,
    }
}

/// A column added after the first release (see [`PartColumn::required`]).
const fn added(name: &'static str, ty: ColumnType, nullable: bool) -> PartColumn {
    PartColumn {
        name,
        ty,
        nullable,
        required: false,
    }
}

use ColumnType::{Float64, Int32, Int64, Utf8};

/// Columns of the `reports` parts (one row per document).
pub const REPORT_COLUMNS: [PartColumn; 26] = [
    c("report_id", Utf8, false),
    c("source", Utf8, false),
    c("sha256", Utf8, false),
    c("status", Utf8, false),
    c("format", Utf8, true),
    c("charset", Utf8, true),
    c("title", Utf8, true),
    c("agency", Utf8, true),
    c("year", Int32, true),
    c("template", Utf8, true),
    c("region", Utf8, true),
    c("region_code", Utf8, true),
    c("scope", Utf8, false),
    c("n_cells", Int32, false),
    c("n_inferred", Int32, false),
    added("completeness", Float64, true),
    c("checks_passed", Int32, false),
    c("checks_failed", Int32, false),
    added("checks_unverified", Int32, false),
    c("failed_checks", Utf8, false),
    c("checks_json", Utf8, false),
    c("flags", Utf8, false),
    c("portal_id", Utf8, true),
    c("fetched_at", Utf8, true),
    c("parser_version", Utf8, false),
    added("issued", Utf8, true),
];

/// Columns of the `cells` parts (one row per template cell).
pub const CELL_COLUMNS: [PartColumn; 11] = [
    c("report_id", Utf8, false),
    c("table", Int32, false),
    c("row", Utf8, false),
    c("col", Utf8, true),
    c("value", Float64, true),
    c("value_int", Int64, true),
    c("unit", Utf8, false),
    c("raw_unit", Utf8, true),
    c("raw", Utf8, false),
    c("provenance", Utf8, false),
    c("line", Int32, true),
];

/// The type of a column of `columns`, if it has one of that name.
pub fn column_type(columns: &[PartColumn], name: &str) -> Option<ColumnType> {
    columns.iter().find(|c| c.name == name).map(|c| c.ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ids_join() {
        for cols in [&REPORT_COLUMNS[..], &CELL_COLUMNS[..]] {
            let mut names: Vec<&str> = cols.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), cols.len());
            assert_eq!(cols[0].name, "report_id");
            assert!(!cols[0].nullable);
        }
        assert_eq!(column_type(&REPORT_COLUMNS, "year"), Some(Int32));
        assert_eq!(column_type(&CELL_COLUMNS, "value_int"), Some(Int64));
        assert_eq!(column_type(&CELL_COLUMNS, "nope"), None);
    }
}
