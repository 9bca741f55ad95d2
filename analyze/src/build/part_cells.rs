//! Reading the cells of one extract part into compact columns (arrow-rs),
//! keeping only the cells of the wanted reports.
//!
//! A part holds ~120 cells per report, and every cell repeats its report's
//! 64-character `report_id` and its short `row`, `col` and `provenance`
//! keys. Parquet stores these string columns dictionary-encoded, so they are
//! read here as Arrow dictionaries: each distinct string is looked up once
//! per dictionary (the report in the wanted reports, the keys in
//! [`Terms`]), and every cell gets the lookup of its dictionary key. No
//! string is decoded or hashed cell by cell.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use arrow::array::{Array, ArrayRef, AsArray, DictionaryArray, RecordBatch};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, Float64Type, Int32Type, Int64Type, Schema,
};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};

use super::read::CELL_COLUMNS;
use super::terms::{NO_TERM, Terms};

/// The marker of a missing table number (a null `table`).
pub(super) const NO_TABLE: i32 = i32::MIN;

/// The wanted cells of one or more parts, in file order: the report
/// (its row in the wanted reports), table, interned `row`, `col` and
/// `provenance` ([`Terms`] indexes, [`NO_TERM`] when null) and both values.
#[derive(Default)]
pub(super) struct PartCells {
    pub rid: Vec<u32>,
    pub table: Vec<i32>,
    pub row: Vec<u32>,
    pub col: Vec<u32>,
    pub prov: Vec<u32>,
    pub value: Vec<Option<f64>>,
    pub value_int: Vec<Option<i64>>,
}

impl PartCells {
    /// No cells, room for `n`.
    fn with_capacity(n: usize) -> PartCells {
        PartCells {
            rid: Vec::with_capacity(n),
            table: Vec::with_capacity(n),
            row: Vec::with_capacity(n),
            col: Vec::with_capacity(n),
            prov: Vec::with_capacity(n),
            value: Vec::with_capacity(n),
            value_int: Vec::with_capacity(n),
        }
    }

    /// Append the cells of `other` (after those of `self`).
    pub fn append(&mut self, mut other: PartCells) {
        self.rid.append(&mut other.rid);
        self.table.append(&mut other.table);
        self.row.append(&mut other.row);
        self.col.append(&mut other.col);
        self.prov.append(&mut other.prov);
        self.value.append(&mut other.value);
        self.value_int.append(&mut other.value_int);
    }
}

/// The string columns read as dictionaries.
const STRINGS: [&str; 4] = ["report_id", "row", "col", "provenance"];

/// Read the cells of `part` whose `report_id` is in `lookup` (which maps it
/// to the report's row in the wanted reports), interning their keys in
/// `terms`.
pub(super) fn read_part_cells(
    part: &Path,
    lookup: &HashMap<&str, u32>,
    terms: &mut Terms,
) -> Result<PartCells> {
    let open = || File::open(part).with_context(|| format!("opening {}", part.display()));
    let plain = ParquetRecordBatchReaderBuilder::try_new_with_options(
        open()?,
        ArrowReaderOptions::new().with_skip_arrow_metadata(true),
    )
    .with_context(|| format!("reading the Parquet footer of {}", part.display()))?;
    let schema = plain.schema().clone();
    let mut indices = Vec::with_capacity(CELL_COLUMNS.len());
    for name in CELL_COLUMNS {
        indices.push(
            schema
                .index_of(name)
                .with_context(|| format!("{} has no {name} column", part.display()))?,
        );
    }
    // The string columns as dictionaries (Parquet keeps them so), the
    // others as written (cast below when a writer used another width).
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if STRINGS.contains(&f.name().as_str()) {
                Field::new(
                    f.name(),
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                    f.is_nullable(),
                )
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    let mask = ProjectionMask::roots(plain.parquet_schema(), indices.iter().copied());
    let n_rows = plain.metadata().file_metadata().num_rows().max(0) as usize;
    drop(plain);
    let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(
        open()?,
        ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(fields))),
    )
    .with_context(|| format!("reading cells of {}", part.display()))?
    .with_projection(mask)
    .with_batch_size(1 << 16)
    .build()
    .with_context(|| format!("reading cells of {}", part.display()))?;
    let mut out = PartCells::with_capacity(n_rows);
    let mut maps: [DictionaryMap; 4] = Default::default();
    for batch in reader {
        let batch = batch.with_context(|| format!("decoding cells of {}", part.display()))?;
        read_batch(&batch, lookup, terms, &mut maps, &mut out)
            .with_context(|| format!("decoding cells of {}", part.display()))?;
    }
    Ok(out)
}

/// The lookups of the values of the last dictionary seen in one column
/// (batches of one column chunk share their dictionary: mapped once).
#[derive(Default)]
struct DictionaryMap {
    values: Option<ArrayRef>,
    mapped: Vec<u32>,
}

impl DictionaryMap {
    /// The mapped value of every key of `ids`, [`NO_TERM`] for nulls; the
    /// dictionary's strings are mapped with `map` when it is a new one.
    fn keys<'a>(
        &'a mut self,
        ids: &'a DictionaryArray<Int32Type>,
        mut map: impl FnMut(&str) -> u32,
    ) -> Result<impl Iterator<Item = u32> + 'a> {
        let values = ids.values();
        if self.values.as_ref().is_none_or(|v| !Arc::ptr_eq(v, values)) {
            let strings = values
                .as_string_opt::<i32>()
                .context("a key column is not a string column")?;
            self.mapped.clear();
            self.mapped
                .extend(strings.iter().map(|s| s.map_or(NO_TERM, &mut map)));
            self.values = Some(values.clone());
        }
        let mapped = &self.mapped;
        Ok(ids.keys().iter().map(move |k| {
            k.and_then(|k| mapped.get(k as usize).copied())
                .unwrap_or(NO_TERM)
        }))
    }
}

/// The column `name` of `batch` as a dictionary of strings.
fn dictionary<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a DictionaryArray<Int32Type>> {
    batch
        .column_by_name(name)
        .with_context(|| format!("no {name} column"))?
        .as_dictionary_opt()
        .with_context(|| format!("{name} is not a string column"))
}

/// The values of the column `name` of `batch` (cast to `T` when a writer
/// used another width) of the cells whose report is wanted (`rids` not
/// [`NO_TERM`]).
fn wanted_values<T: ArrowPrimitiveType>(
    batch: &RecordBatch,
    name: &str,
    rids: &[u32],
) -> Result<Vec<Option<T::Native>>> {
    let a = batch
        .column_by_name(name)
        .with_context(|| format!("no {name} column"))?;
    let cast;
    let a = if a.data_type() == &T::DATA_TYPE {
        a
    } else {
        cast = arrow::compute::cast(a, &T::DATA_TYPE)
            .with_context(|| format!("{name} is not of type {}", T::DATA_TYPE))?;
        &cast
    };
    Ok(a.as_primitive::<T>()
        .iter()
        .zip(rids)
        .filter(|(_, r)| **r != NO_TERM)
        .map(|(v, _)| v)
        .collect())
}

fn read_batch(
    batch: &RecordBatch,
    lookup: &HashMap<&str, u32>,
    terms: &mut Terms,
    maps: &mut [DictionaryMap; 4],
    out: &mut PartCells,
) -> Result<()> {
    let [m_report, m_row, m_col, m_prov] = maps;
    let rids: Vec<u32> = m_report
        .keys(dictionary(batch, "report_id")?, |s| {
            lookup.get(s).copied().unwrap_or(NO_TERM)
        })?
        .collect();
    if rids.iter().all(|r| *r == NO_TERM) {
        return Ok(());
    }
    out.rid
        .extend(rids.iter().copied().filter(|r| *r != NO_TERM));
    let mut strings = |m: &mut DictionaryMap, name: &str, dest: &mut Vec<u32>| -> Result<()> {
        let keys = m.keys(dictionary(batch, name)?, |s| terms.intern(s))?;
        dest.extend(
            keys.zip(&rids)
                .filter(|(_, r)| **r != NO_TERM)
                .map(|(k, _)| k),
        );
        Ok(())
    };
    strings(m_row, "row", &mut out.row)?;
    strings(m_col, "col", &mut out.col)?;
    strings(m_prov, "provenance", &mut out.prov)?;
    let table = wanted_values::<Int32Type>(batch, "table", &rids)?;
    out.table
        .extend(table.into_iter().map(|t| t.unwrap_or(NO_TABLE)));
    out.value
        .extend(wanted_values::<Float64Type>(batch, "value", &rids)?);
    out.value_int
        .extend(wanted_values::<Int64Type>(batch, "value_int", &rids)?);
    Ok(())
}
