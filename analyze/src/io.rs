//! File access: input parts, atomic year-partition writes, dataset reads.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use polars::prelude::{DataFrame, LazyFrame, PlRefPath, ScanArgsParquet, UnionArgs, concat, lit};

use crate::parquet_out::Rows;
use crate::schema::{Dataset, columns};

/// Hive directory name for reports without a year.
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The `part-*.parquet` files of one extract table, sorted by name.
pub fn part_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).with_context(|| {
        format!(
            "reading input directory {} (run `ogi extract` first)",
            dir.display()
        )
    })?;
    let mut parts = Vec::new();
    for e in entries {
        let e = e.with_context(|| format!("listing {}", dir.display()))?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("part-") && name.ends_with(".parquet") {
            parts.push(e.path());
        }
    }
    parts.sort();
    if parts.is_empty() {
        bail!("no part-*.parquet files in {}", dir.display());
    }
    Ok(parts)
}

/// Lazily scan Parquet files (all must share one schema).
pub fn scan(files: &[PathBuf]) -> Result<LazyFrame> {
    let paths: Vec<PlRefPath> = files
        .iter()
        .map(|p| PlRefPath::from(p.to_string_lossy().as_ref()))
        .collect();
    LazyFrame::scan_parquet_files(paths.into_iter().collect(), ScanArgsParquet::default())
        .with_context(|| {
            format!(
                "scanning {} parquet file(s), first {}",
                files.len(),
                files[0].display()
            )
        })
}

/// Directory of a dataset.
pub fn dataset_dir(out: &Path, d: Dataset) -> PathBuf {
    out.join("datasets").join(d.name())
}

/// Partition directory name for a year (`year=2022`, or the Hive null partition).
pub fn partition_name(year: Option<i32>) -> String {
    match year {
        Some(y) => format!("year={y}"),
        None => format!("year={NULL_PARTITION}"),
    }
}

/// Path of the single Parquet file of one dataset partition (of the
/// dataset itself when it is not partitioned; `year` is then ignored).
pub fn partition_file(out: &Path, d: Dataset, year: Option<i32>) -> PathBuf {
    if !d.partitioned() {
        return dataset_dir(out, d).join("part-0.parquet");
    }
    dataset_dir(out, d)
        .join(partition_name(year))
        .join("part-0.parquet")
}

/// Write one partition atomically and durably ([`ogi_util::write_atomic_with`]), zstd-compressed.
pub(crate) fn write_partition(
    out: &Path,
    d: Dataset,
    year: Option<i32>,
    rows: &mut Rows,
) -> Result<()> {
    let file = partition_file(out, d, year);
    ogi_util::write_atomic_with(&file, |f| {
        crate::parquet_out::write_rows(f, rows)
            .map(drop)
            .map_err(std::io::Error::other)
    })
    .with_context(|| format!("writing {}", file.display()))
}

/// Remove one partition directory of a dataset (if present; nothing for an
/// unpartitioned dataset, which is rewritten whole).
pub fn remove_partition(out: &Path, d: Dataset, year: Option<i32>) -> Result<()> {
    if !d.partitioned() {
        return Ok(());
    }
    let dir = dataset_dir(out, d).join(partition_name(year));
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(())
}

/// Years present as partitions of a dataset (`None` = null partition), sorted.
/// An unpartitioned dataset has the one "partition" `None` once written.
pub fn partitions(out: &Path, d: Dataset) -> Result<Vec<Option<i32>>> {
    if !d.partitioned() {
        return Ok(if partition_file(out, d, None).is_file() {
            vec![None]
        } else {
            Vec::new()
        });
    }
    let dir = dataset_dir(out, d);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut years = Vec::new();
    for e in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let e = e.with_context(|| format!("listing {}", dir.display()))?;
        let name = e.file_name().to_string_lossy().to_string();
        let Some(v) = name.strip_prefix("year=") else {
            continue;
        };
        if !e.path().join("part-0.parquet").exists() {
            continue;
        }
        if v == NULL_PARTITION {
            years.push(None);
        } else if let Ok(y) = v.parse::<i32>() {
            years.push(Some(y));
        }
    }
    years.sort_by_key(|y| (y.is_none(), *y));
    Ok(years)
}

/// Read one partition back with its `year` column (from the partition name
/// when the dataset is partitioned), in the documented column order.
pub fn read_partition(out: &Path, d: Dataset, year: Option<i32>) -> Result<LazyFrame> {
    let file = partition_file(out, d, year);
    let lf = scan(std::slice::from_ref(&file))?;
    let year_lit = match year {
        Some(y) => lit(y),
        None => lit(polars::prelude::NULL).cast(polars::prelude::DataType::Int32),
    };
    let cols: Vec<_> = columns(d)
        .iter()
        .map(|c| {
            if c.name == "year" && d.partitioned() {
                year_lit.clone().alias("year")
            } else {
                polars::prelude::col(c.name.as_str())
            }
        })
        .collect();
    Ok(lf.select(cols))
}

/// An empty frame with the documented schema of a dataset.
pub fn empty_frame(d: Dataset) -> Result<DataFrame> {
    let cols = columns(d)
        .into_iter()
        .map(|c| polars::prelude::Column::new_empty(c.name.as_str().into(), &c.dtype))
        .collect();
    Ok(DataFrame::new(0, cols)?)
}

/// Read a whole dataset (every partition) with its `year` column.
///
/// A dataset without partitions reads as an empty frame if `analyze` has run
/// (its manifest exists), and is an error otherwise.
pub fn read_dataset(out: &Path, d: Dataset) -> Result<DataFrame> {
    let years = partitions(out, d)?;
    if years.is_empty() {
        if out.join("datasets").join("_manifest.json").is_file() {
            return empty_frame(d);
        }
        bail!(
            "dataset {d} has no partitions under {} (run analyze first)",
            dataset_dir(out, d).display()
        );
    }
    let frames = years
        .into_iter()
        .map(|y| read_partition(out, d, y))
        .collect::<Result<Vec<_>>>()?;
    concat(frames, UnionArgs::default())
        .and_then(|lf| lf.collect())
        .with_context(|| format!("reading dataset {d}"))
}
