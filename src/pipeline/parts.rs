//! Reading the extract stage's Parquet parts (`OUT/extract/{reports,cells}/part-N.parquet`).

use anyhow::Context;
use arrow::array::{Array, Float64Array, Int32Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn part_number(name: &str) -> Option<u64> {
    name.strip_prefix("part-")?
        .strip_suffix(".parquet")?
        .parse()
        .ok()
}

/// The parts of a directory with their numbers, in order; empty when the directory is absent.
pub fn list(dir: &Path) -> anyhow::Result<Vec<(u64, PathBuf)>> {
    let mut v = Vec::new();
    if !dir.is_dir() {
        return Ok(v);
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        if let Some(n) = entry.file_name().to_str().and_then(part_number) {
            v.push((n, entry.path()));
        }
    }
    v.sort();
    Ok(v)
}

/// Every record batch of one Parquet file.
pub fn read_batches(path: &Path) -> anyhow::Result<Vec<RecordBatch>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .with_context(|| format!("reading {}", path.display()))?
        .build()?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("decoding {}", path.display()))
}

fn col<'a, T: 'static>(b: &'a RecordBatch, name: &str, ty: &str) -> anyhow::Result<&'a T> {
    b.column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .with_context(|| format!("column {name} missing or not {ty}"))
}

/// A Utf8 column by name.
pub fn str_col<'a>(b: &'a RecordBatch, name: &str) -> anyhow::Result<&'a StringArray> {
    col(b, name, "Utf8")
}

/// An Int32 column by name.
pub fn i32_col<'a>(b: &'a RecordBatch, name: &str) -> anyhow::Result<&'a Int32Array> {
    col(b, name, "Int32")
}

/// A Float64 column by name.
pub fn f64_col<'a>(b: &'a RecordBatch, name: &str) -> anyhow::Result<&'a Float64Array> {
    col(b, name, "Float64")
}

/// Row `i` of a nullable Utf8 column.
pub fn opt_str(a: &StringArray, i: usize) -> Option<String> {
    (!a.is_null(i)).then(|| a.value(i).to_string())
}

/// Extraction coverage: number of extracted documents by status.
pub fn coverage(out: &Path) -> anyhow::Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for (_, path) in list(&super::reports_dir(out))? {
        for b in read_batches(&path)? {
            let status = str_col(&b, "status")?;
            for i in 0..b.num_rows() {
                *counts.entry(status.value(i).to_string()).or_insert(0) += 1;
            }
        }
    }
    Ok(counts)
}
