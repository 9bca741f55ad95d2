//! Which report each cell of a cells part belongs to, without decoding the
//! `report_id` strings of every cell.
//!
//! A part holds ~120 cells per report, each with the report's 64-character
//! `report_id`; decoding and hashing those strings cell by cell was most of
//! the cost of reading the cells. Parquet stores the column
//! dictionary-encoded, so it is read here as an Arrow dictionary (arrow-rs):
//! each distinct id is looked up once per dictionary, and every cell gets
//! the lookup of its dictionary key.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use arrow::array::{Array, AsArray, DictionaryArray};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};

/// The marker of a cell whose report is not looked up.
pub const NOT_WANTED: u32 = u32::MAX;

/// For every cell of `part`, in file order: the value `lookup` gives its
/// `report_id`, or [`NOT_WANTED`] (id not in `lookup`, or null).
pub fn lookup_report_ids(part: &Path, lookup: &HashMap<&str, u32>) -> Result<Vec<u32>> {
    let open = || File::open(part).with_context(|| format!("opening {}", part.display()));
    let plain = ParquetRecordBatchReaderBuilder::try_new_with_options(
        open()?,
        ArrowReaderOptions::new().with_skip_arrow_metadata(true),
    )
    .with_context(|| format!("reading the Parquet footer of {}", part.display()))?;
    let schema = plain.schema().clone();
    let index = schema
        .index_of("report_id")
        .with_context(|| format!("{} has no report_id column", part.display()))?;
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == index {
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
    let n_rows = plain.metadata().file_metadata().num_rows().max(0) as usize;
    let mask = ProjectionMask::roots(plain.parquet_schema(), [index]);
    drop(plain);
    let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(
        open()?,
        ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(fields))),
    )
    .with_context(|| format!("reading report_id of {}", part.display()))?
    .with_projection(mask)
    .with_batch_size(1 << 16)
    .build()
    .with_context(|| format!("reading report_id of {}", part.display()))?;
    let mut out = Vec::with_capacity(n_rows);
    let mut mapped: Vec<u32> = Vec::new();
    let mut last_values: Option<Arc<dyn Array>> = None;
    for batch in reader {
        let batch = batch.with_context(|| format!("decoding report_id of {}", part.display()))?;
        let ids: &DictionaryArray<Int32Type> = batch
            .column(0)
            .as_dictionary_opt()
            .with_context(|| format!("report_id of {} is not a string column", part.display()))?;
        // Batches of one column chunk share their dictionary: map it once.
        let values = ids.values();
        if last_values.as_ref().is_none_or(|v| !Arc::ptr_eq(v, values)) {
            let strings = values.as_string_opt::<i32>().with_context(|| {
                format!("report_id of {} is not a string column", part.display())
            })?;
            mapped.clear();
            mapped.extend(
                strings
                    .iter()
                    .map(|s| s.and_then(|s| lookup.get(s).copied()).unwrap_or(NOT_WANTED)),
            );
            last_values = Some(values.clone());
        }
        let keys = ids.keys();
        out.extend(keys.iter().map(|k| {
            k.and_then(|k| mapped.get(k as usize).copied())
                .unwrap_or(NOT_WANTED)
        }));
    }
    Ok(out)
}
