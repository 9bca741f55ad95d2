//! Per-year fingerprints of the report rows, used by [`crate::analyze`] to
//! find the years whose inputs changed since the last run (kept in the
//! datasets' manifest).
//!
//! A year's fingerprint is the SHA-256 of its rows in `report_id` order, each
//! row the text of every fingerprinted column (numbers as Polars writes them
//! as text, a null as `"\0"`) followed by `0x1f`, and `0x1e` after the row.
//! The rows are put in order by sorting row numbers, not the frame, and the
//! years are hashed on all cores.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use polars::prelude::{
    DataFrame, DataType, IDX_DTYPE, IntoLazy, SortMultipleOptions, StringChunked, col,
};
use polars_arrow::array::{Array, Utf8ViewArray};
use sha2::{Digest, Sha256};

use crate::REPORT_COLUMNS;
use crate::parallel::map_in_parallel;

/// The fingerprinted columns: the required report columns, then the ones
/// added to the contract later.
fn fingerprinted() -> Vec<&'static str> {
    REPORT_COLUMNS
        .iter()
        .copied()
        .chain(
            ogi_spec::parts::REPORT_COLUMNS
                .iter()
                .filter(|c| !c.required)
                .map(|c| c.name),
        )
        .collect()
}

/// Per-year fingerprint of the report rows (every column). Cells are
/// assumed to change only together with their report row (same document +
/// same parser version → same cells). `report_id` must be unique (checked
/// by the caller), so it orders the rows of a year completely.
pub(crate) fn fingerprints(reports: &DataFrame) -> Result<BTreeMap<Option<i32>, String>> {
    let order = reports
        .select(["year", "report_id"])?
        .lazy()
        .with_row_index("_row", None)
        .sort(
            ["year", "report_id"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .select([col("_row").cast(IDX_DTYPE), col("year")])
        .collect()
        .context("ordering reports for their fingerprints")?;
    let rows: Vec<usize> = order
        .column("_row")?
        .idx()?
        .into_no_null_iter()
        .map(|r| r as usize)
        .collect();
    // Runs of one year in `rows`.
    let mut years: Vec<(Option<i32>, std::ops::Range<usize>)> = Vec::new();
    for (i, y) in order.column("year")?.i32()?.iter().enumerate() {
        match years.last_mut() {
            Some((last, range)) if *last == y => range.end = i + 1,
            _ => years.push((y, i..i + 1)),
        }
    }
    let texts: Vec<StringChunked> = fingerprinted()
        .into_iter()
        .map(|c| {
            let text = reports.column(c)?.cast(&DataType::String)?;
            Ok(text.str()?.rechunk().into_owned())
        })
        .collect::<Result<_>>()
        .context("fingerprinting reports")?;
    let columns: Vec<&Utf8ViewArray> = texts.iter().map(|t| t.downcast_as_array()).collect();

    let hash_year = |i: usize| {
        let (year, range) = &years[i];
        let mut h = Sha256::new();
        for &row in &rows[range.clone()] {
            for c in &columns {
                match c.is_valid(row) {
                    // SAFETY: `row` is a row of `reports`, as long as every column.
                    true => h.update(unsafe { c.value_unchecked(row) }.as_bytes()),
                    false => h.update([0]),
                }
                h.update([0x1f]);
            }
            h.update([0x1e]);
        }
        (*year, hex::encode(h.finalize()))
    };
    Ok(map_in_parallel(years.len(), hash_year)
        .into_iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Column, IntoColumn, NamedFrom, Series, lit};

    /// The fingerprints as first written (a text copy of every column, the
    /// frame sorted by year, `report_id` and `source`, hashed row by row):
    /// the manifests of earlier runs hold these, so the faster form must give
    /// the same.
    fn reference(reports: &DataFrame) -> BTreeMap<Option<i32>, String> {
        let names = fingerprinted();
        let mut select = vec![col("year").alias("_year")];
        select.extend(
            names
                .iter()
                .map(|c| col(*c).cast(DataType::String).fill_null(lit("\u{0}"))),
        );
        let df = reports
            .clone()
            .lazy()
            .select(select)
            .sort(
                ["_year", "report_id", "source"],
                SortMultipleOptions::default().with_nulls_last(true),
            )
            .collect()
            .unwrap();
        let years = df.column("_year").unwrap().i32().unwrap().clone();
        let cols: Vec<_> = names
            .iter()
            .map(|c| df.column(c).unwrap().str().unwrap().clone())
            .collect();
        let mut hashers: BTreeMap<Option<i32>, Sha256> = BTreeMap::new();
        for (i, y) in years.iter().enumerate() {
            let h = hashers.entry(y).or_default();
            for c in &cols {
                h.update(c.get(i).unwrap_or("").as_bytes());
                h.update([0x1f]);
            }
            h.update([0x1e]);
        }
        hashers
            .into_iter()
            .map(|(y, h)| (y, hex::encode(h.finalize())))
            .collect()
    }

    /// Reports of several years (and none), out of order, in two chunks,
    /// with every column type and nulls.
    fn reports(n: usize, offset: usize) -> DataFrame {
        let names = fingerprinted();
        let cols: Vec<Column> = ogi_spec::parts::REPORT_COLUMNS
            .iter()
            .filter(|c| names.contains(&c.name))
            .map(|c| {
                let name = c.name.into();
                let at = |i: usize| (i * 7919 + offset) % 1009;
                match c.name {
                    "year" => Series::new(
                        name,
                        (0..n)
                            .map(|i| (at(i) % 5 != 0).then_some(2019 + (at(i) % 4) as i32))
                            .collect::<Vec<_>>(),
                    ),
                    "report_id" => Series::new(
                        name,
                        (0..n)
                            .map(|i| format!("{:064x}", (i + offset) * 7 % 1013))
                            .collect::<Vec<_>>(),
                    ),
                    _ => Series::new(
                        name,
                        (0..n)
                            .map(|i| (at(i) % 3 != 0).then(|| format!("{}-{}", c.name, at(i) % 11)))
                            .collect::<Vec<_>>(),
                    ),
                }
                .into()
            })
            .collect();
        let mut df = DataFrame::new_infer_height(cols).unwrap();
        // Numbers and floats as their own types, as the parts give them.
        for (c, t) in [
            ("n_cells", DataType::Int32),
            ("checks_unverified", DataType::Int32),
            ("completeness", DataType::Float64),
        ] {
            if df.column(c).is_ok() {
                let num = df
                    .column(c)
                    .unwrap()
                    .str()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.map(|_| i as f64 / 4.0))
                    .collect::<Vec<_>>();
                df.with_column(Series::new(c.into(), num).cast(&t).unwrap().into_column())
                    .unwrap();
            }
        }
        df
    }

    #[test]
    fn fingerprints_are_those_of_the_first_form() {
        let mut df = reports(300, 0);
        df.vstack_mut(&reports(200, 500)).unwrap();
        assert!(df.first_col_n_chunks() > 1);
        let got = fingerprints(&df).unwrap();
        assert_eq!(got, reference(&df));
        assert_eq!(got.len(), 5, "four years and the null year");
        // A changed cell changes its year's fingerprint only.
        let mut changed = df.clone();
        let source = changed.column("source").unwrap().str().unwrap().clone();
        let y0 = changed.column("year").unwrap().i32().unwrap().get(0);
        let edited: StringChunked = source
            .iter()
            .enumerate()
            .map(|(i, v)| if i == 0 { Some("edited") } else { v })
            .collect();
        changed
            .with_column(edited.with_name("source".into()).into_column())
            .unwrap();
        let after = fingerprints(&changed).unwrap();
        for (y, f) in &got {
            assert_eq!(after[y] != *f, *y == y0, "year {y:?}");
        }
    }
}
