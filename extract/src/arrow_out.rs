//! Arrow schemas and Parquet output of reports and cells.
//!
//! Two tables, documented column by column in `extract/README.md` (a contract
//! with the analyze stage, which reads the Parquet files):
//!
//! * `reports`: one row per document ([`reports_schema`], [`reports_batch`]);
//! * `cells`: one row per template cell ([`cells_schema`], [`cells_batch`]).
//!
//! The pipeline writes them as parts, `OUT/extract/reports/part-*.parquet` and
//! `OUT/extract/cells/part-*.parquet` ([`write_part`]); every file is written
//! atomically (temporary file in the same directory, then rename), so a part
//! that exists is complete. [`read_report_ids`] tells which documents a parts
//! directory already holds.

use crate::{Cell, CheckState, Number, Report, TableId};
use arrow::array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use ogi_spec::parts::{CELL_COLUMNS, ColumnType, PartColumn, REPORT_COLUMNS};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// Version of the extractor recorded in every `reports` row (`parser_version`).
pub const PARSER_VERSION: &str = concat!("ogi-extract ", env!("CARGO_PKG_VERSION"));

/// Unit of a cell's value, as written to the `unit` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A count (requests, documents, decisions): `count`.
    Count,
    /// An amount of money in 万元 (10 000 CNY): `10k_cny`.
    TenThousandCny,
    /// An amount of money in yuan: `cny` (narrative fees).
    Cny,
}

impl Unit {
    /// `count` or `10k_cny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::TenThousandCny => "10k_cny",
            Unit::Cny => "cny",
        }
    }
}

/// The unit of a template cell, from the vocabulary: table 2's fee cells are
/// 万元, narrative keys ending in `_cny` are yuan, every other cell is a count.
pub fn unit_of(table: TableId, key: &str) -> Unit {
    if table == TableId::Narrative && key.ends_with("_cny") {
        return Unit::Cny;
    }
    let money = || {
        crate::vocab::vocab()
            .table2
            .iter()
            .any(|t| t.money && t.key == key)
    };
    if table == TableId::T2 && money() {
        Unit::TenThousandCny
    } else {
        Unit::Count
    }
}

/// An Arrow schema from a part's column contract ([`ogi_spec::parts`]).
fn schema_of(columns: &[PartColumn]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| {
                let ty = match c.ty {
                    ColumnType::Utf8 => DataType::Utf8,
                    ColumnType::Int32 => DataType::Int32,
                    ColumnType::Int64 => DataType::Int64,
                    ColumnType::Float64 => DataType::Float64,
                };
                Field::new(c.name, ty, c.nullable)
            })
            .collect::<Vec<_>>(),
    ))
}

/// Schema of the `reports` table (one row per document): [`ogi_spec::parts::REPORT_COLUMNS`].
pub fn reports_schema() -> SchemaRef {
    static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| schema_of(&REPORT_COLUMNS));
    SCHEMA.clone()
}

/// Schema of the `cells` table (one row per template cell): [`ogi_spec::parts::CELL_COLUMNS`].
pub fn cells_schema() -> SchemaRef {
    static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| schema_of(&CELL_COLUMNS));
    SCHEMA.clone()
}

/// A count that does not fit an Int32 column (cannot happen for real documents).
fn count_i32(n: usize, what: &str) -> Result<i32, ArrowError> {
    i32::try_from(n)
        .map_err(|_| ArrowError::InvalidArgumentError(format!("{what} = {n} does not fit Int32")))
}

/// Distinct ids of the failed checks, in order of first failure, joined by `;`.
fn failed_check_ids(report: &Report) -> String {
    let mut seen = Vec::new();
    for c in report
        .checks
        .iter()
        .filter(|c| c.state == CheckState::Failed)
    {
        if !seen.contains(&c.id.as_str()) {
            seen.push(c.id.as_str());
        }
    }
    seen.join(";")
}

/// The `reports` batch of some reports (one row per report).
pub fn reports_batch(reports: &[Report]) -> Result<RecordBatch, ArrowError> {
    let strs = |f: &dyn Fn(&Report) -> &str| -> ArrayRef {
        Arc::new(reports.iter().map(f).map(Some).collect::<StringArray>())
    };
    let opt_strs = |f: &dyn Fn(&Report) -> Option<&str>| -> ArrayRef {
        Arc::new(reports.iter().map(f).collect::<StringArray>())
    };
    let mut n_cells = Vec::with_capacity(reports.len());
    let mut n_inferred = Vec::with_capacity(reports.len());
    let mut passed = Vec::with_capacity(reports.len());
    let mut failed = Vec::with_capacity(reports.len());
    let mut unverified = Vec::with_capacity(reports.len());
    let mut failed_ids = Vec::with_capacity(reports.len());
    let mut checks_json = Vec::with_capacity(reports.len());
    for r in reports {
        n_cells.push(count_i32(r.cells.len(), "n_cells")?);
        let inferred = r
            .cells
            .iter()
            .filter(|c| c.provenance.is_inferred())
            .count();
        n_inferred.push(count_i32(inferred, "n_inferred")?);
        let in_state = |s: CheckState| r.checks.iter().filter(|c| c.state == s).count();
        passed.push(count_i32(in_state(CheckState::Ok), "checks_passed")?);
        failed.push(count_i32(in_state(CheckState::Failed), "checks_failed")?);
        unverified.push(count_i32(
            in_state(CheckState::Unverified),
            "checks_unverified",
        )?);
        failed_ids.push(failed_check_ids(r));
        checks_json.push(
            serde_json::to_string(&r.checks).map_err(|e| ArrowError::ExternalError(Box::new(e)))?,
        );
    }
    let columns: Vec<ArrayRef> = vec![
        strs(&|r| &r.sha256),
        strs(&|r| &r.source),
        strs(&|r| &r.sha256),
        strs(&|r| r.status.as_str()),
        opt_strs(&|r| r.format.as_deref()),
        opt_strs(&|r| r.charset.as_deref()),
        opt_strs(&|r| r.title.as_deref()),
        opt_strs(&|r| r.agency.as_deref()),
        Arc::new(reports.iter().map(|r| r.year).collect::<Int32Array>()),
        opt_strs(&|r| r.template.map(|t| t.as_str())),
        opt_strs(&|r| r.region.as_deref()),
        opt_strs(&|r| r.region_code.as_deref()),
        strs(&|r| scope_str(r.scope)),
        Arc::new(Int32Array::from(n_cells)),
        Arc::new(Int32Array::from(n_inferred)),
        Arc::new(
            reports
                .iter()
                .map(|r| r.completeness)
                .collect::<Float64Array>(),
        ),
        Arc::new(Int32Array::from(passed)),
        Arc::new(Int32Array::from(failed)),
        Arc::new(Int32Array::from(unverified)),
        Arc::new(StringArray::from(failed_ids)),
        Arc::new(StringArray::from(checks_json)),
        Arc::new(
            reports
                .iter()
                .map(|r| Some(r.flags.join(";")))
                .collect::<StringArray>(),
        ),
        opt_strs(&|r| r.portal_id.as_deref()),
        opt_strs(&|r| r.fetched_at.as_deref()),
        Arc::new(StringArray::from(vec![PARSER_VERSION; reports.len()])),
        opt_strs(&|r| r.issued.as_deref()),
    ];
    RecordBatch::try_new(reports_schema(), columns)
}

/// `agency`, `jurisdiction` or `unknown`.
pub fn scope_str(scope: crate::Scope) -> &'static str {
    match scope {
        crate::Scope::Agency => "agency",
        crate::Scope::Jurisdiction => "jurisdiction",
        crate::Scope::Unknown => "unknown",
    }
}

/// The integer value of a count cell (`None` for money, missing values, or non-integral numbers).
pub fn value_int(cell: &Cell) -> Option<i64> {
    if unit_of(cell.table, &cell.row) != Unit::Count {
        return None;
    }
    match cell.value? {
        Number::Int(v) => Some(v),
        Number::Dec(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Some(v as i64),
        Number::Dec(_) => None,
    }
}

/// The `cells` batch of some reports: every cell of every report, keyed by `report_id` (= `sha256`).
pub fn cells_batch(reports: &[Report]) -> Result<RecordBatch, ArrowError> {
    let cells: Vec<(&Report, &Cell)> = reports
        .iter()
        .flat_map(|r| r.cells.iter().chain(&r.narrative).map(move |c| (r, c)))
        .collect();
    let strs = |f: fn(&Cell) -> Option<&str>| -> ArrayRef {
        Arc::new(cells.iter().map(|(_, c)| f(c)).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            cells
                .iter()
                .map(|(r, _)| Some(r.sha256.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|(_, c)| i32::from(u8::from(c.table)))
                .collect::<Int32Array>(),
        ),
        strs(|c| Some(c.row.as_str())),
        strs(|c| c.col.as_deref()),
        Arc::new(
            cells
                .iter()
                .map(|(_, c)| c.value.map(Number::as_f64).filter(|v| v.is_finite()))
                .collect::<Float64Array>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|(_, c)| value_int(c))
                .collect::<Int64Array>(),
        ),
        strs(|c| Some(unit_of(c.table, &c.row).as_str())),
        strs(|c| c.unit.as_deref()),
        strs(|c| Some(c.raw.as_str())),
        strs(|c| Some(c.provenance.as_str())),
        Arc::new(
            cells
                .iter()
                .map(|(_, c)| c.line.and_then(|l| i32::try_from(l).ok()))
                .collect::<Int32Array>(),
        ),
    ];
    RecordBatch::try_new(cells_schema(), columns)
}

/// An error writing or reading Parquet output, with the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// File system error.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Parquet encoding or decoding error.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
    /// Arrow error building or reading a batch.
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: ArrowError,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn pq_err(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> OutputError + '_ {
    move |source| OutputError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a batch to a zstd-compressed Parquet file, atomically and durably
/// ([`ogi_util::write_atomic_with`]): a hidden temporary file in the same
/// directory is synced and renamed over `path`, then the directory is synced;
/// on error `path` is untouched. The parent directory is created.
pub fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<(), OutputError> {
    let mut encode_error = None;
    let written = ogi_util::write_atomic_with(path, |file| {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let encoded =
            ArrowWriter::try_new(&mut *file, batch.schema(), Some(props)).and_then(|mut w| {
                w.write(batch)?;
                w.into_inner().map(drop)
            });
        encoded.map_err(|e| {
            let msg = e.to_string();
            encode_error = Some(e);
            io::Error::other(msg)
        })
    });
    match (written, encode_error) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(source)) => Err(OutputError::Parquet {
            path: path.to_path_buf(),
            source,
        }),
        (Err(source), None) => Err(OutputError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes one part of the extract output: `out_dir/cells/part-<name>.parquet`
/// and `out_dir/reports/part-<name>.parquet` (directories are created).
///
/// The cells part is written first, so a reports part (which
/// [`read_report_ids`] looks at) always has its cells. Returns the two paths
/// (reports, cells).
pub fn write_part(
    out_dir: &Path,
    name: &str,
    reports: &[Report],
) -> Result<(PathBuf, PathBuf), OutputError> {
    let file = format!("part-{name}.parquet");
    let (rdir, cdir) = (out_dir.join("reports"), out_dir.join("cells"));
    for d in [&rdir, &cdir] {
        std::fs::create_dir_all(d).map_err(io_err(d))?;
    }
    let (rpath, cpath) = (rdir.join(&file), cdir.join(&file));
    let cells = cells_batch(reports).map_err(|source| OutputError::Arrow {
        path: cpath.clone(),
        source,
    })?;
    let reps = reports_batch(reports).map_err(|source| OutputError::Arrow {
        path: rpath.clone(),
        source,
    })?;
    write_parquet(&cpath, &cells)?;
    write_parquet(&rpath, &reps)?;
    Ok((rpath, cpath))
}

/// The `report_id`s held by a Parquet file, or by every `*.parquet` file of a
/// directory (hidden temporary files are skipped; a missing directory holds none).
pub fn read_report_ids(path: &Path) -> Result<BTreeSet<String>, OutputError> {
    let mut ids = BTreeSet::new();
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io_err(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "parquet")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        for f in files {
            read_ids_from(&f, &mut ids)?;
        }
    } else if path.exists() {
        read_ids_from(path, &mut ids)?;
    }
    Ok(ids)
}

fn read_ids_from(path: &Path, ids: &mut BTreeSet<String>) -> Result<(), OutputError> {
    let file = File::open(path).map_err(io_err(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq_err(path))?;
    let col = builder
        .schema()
        .index_of("report_id")
        .map_err(|source| OutputError::Arrow {
            path: path.to_path_buf(),
            source,
        })?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), [col]);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(pq_err(path))?;
    for batch in reader {
        let batch = batch.map_err(|source| OutputError::Arrow {
            path: path.to_path_buf(),
            source,
        })?;
        let Some(arr) = batch.column(0).as_any().downcast_ref::<StringArray>() else {
            return Err(OutputError::Arrow {
                path: path.to_path_buf(),
                source: ArrowError::SchemaError(format!(
                    "report_id is {}, not Utf8",
                    batch.column(0).data_type()
                )),
            });
        };
        ids.extend(arr.iter().flatten().map(str::to_string));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Check, Provenance, Status};
    use arrow::array::Array;

    fn cell(
        table: TableId,
        row: &str,
        col: Option<&str>,
        value: Option<Number>,
        prov: Provenance,
    ) -> Cell {
        Cell {
            table,
            row: row.into(),
            col: col.map(str::to_string),
            value,
            raw: value.map_or("—".into(), |v| format!("{}", v.as_f64())),
            unit: None,
            provenance: prov,
            line: Some(12),
        }
    }

    fn check(id: &str, state: CheckState, detail: &str) -> Check {
        Check {
            id: id.into(),
            state,
            held: u32::from(state == CheckState::Ok),
            failed: u32::from(state == CheckState::Failed),
            unverified: u32::from(state == CheckState::Unverified),
            detail: detail.into(),
        }
    }

    fn sample() -> Vec<Report> {
        let mut fee = cell(
            TableId::T2,
            "admin_fees_10k_cny",
            None,
            Some(Number::Dec(11.065)),
            Provenance::Printed,
        );
        fee.unit = Some("万元".into());
        fee.raw = "11.065万元".into();
        let full = Report {
            format: Some("html".into()),
            charset: Some("gb18030".into()),
            title: Some("二七区人民政府办公室2022年政府信息公开工作年度报告".into()),
            cells: vec![
                fee,
                cell(
                    TableId::T3,
                    "granted",
                    Some("total"),
                    Some(Number::Int(49)),
                    Provenance::Printed,
                ),
                cell(
                    TableId::T3,
                    "denied_state_secret",
                    Some("total"),
                    Some(Number::Int(0)),
                    Provenance::Inferred,
                ),
                cell(TableId::T4, "review_upheld", None, None, Provenance::Dash),
            ],
            checks: vec![
                check("C1", CheckState::Failed, "total: 3 + 0 ≠ 2 + 0"),
                check("C1", CheckState::Failed, "natural_person"),
                check("C2", CheckState::Ok, ""),
                check(
                    "C4",
                    CheckState::Unverified,
                    "0 held, 0 failed, 3 unverified",
                ),
            ],
            completeness: Some(0.25),
            flags: vec!["short_row:granted".into(), "truncated".into()],
            portal_id: Some("henan-zz-eq".into()),
            fetched_at: Some("2026-11-23T10:00:00Z".into()),
            ..Report::erqi_2022("https://www.zzeq.gov.cn/报告.html", "ab".repeat(32))
        };
        let bare = Report {
            source: "/tmp/x.pdf".into(),
            sha256: "cd".repeat(32),
            status: Status::NeedsOcr,
            ..Report::default()
        };
        vec![full, bare]
    }

    /// The column `name` of `batch` as the array type `A`.
    fn column<'b, A: Array + 'static>(batch: &'b RecordBatch, name: &str) -> &'b A {
        batch
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no column {name}"))
            .as_any()
            .downcast_ref::<A>()
            .unwrap_or_else(|| panic!("{name}: not a {}", std::any::type_name::<A>()))
    }

    fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
        column::<StringArray>(batch, name)
            .iter()
            .map(|s| s.map(str::to_string))
            .collect()
    }

    fn read_back(path: &Path) -> RecordBatch {
        let file = File::open(path).expect("open");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("builder")
            .build()
            .expect("reader");
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().expect("batches");
        arrow::compute::concat_batches(&batches[0].schema(), &batches).expect("concat")
    }

    #[test]
    fn reports_batch_columns() {
        let reports = sample();
        let b = reports_batch(&reports).expect("batch");
        assert_eq!(b.schema(), reports_schema());
        assert_eq!(b.num_rows(), 2);
        assert_eq!(
            strings(&b, "report_id")[0].as_deref(),
            Some(reports[0].sha256.as_str())
        );
        assert_eq!(
            strings(&b, "status"),
            vec![Some("parsed".into()), Some("needs_ocr".into())]
        );
        assert_eq!(
            strings(&b, "scope"),
            vec![Some("agency".into()), Some("unknown".into())]
        );
        assert_eq!(strings(&b, "template"), vec![Some("2021".into()), None]);
        assert_eq!(
            strings(&b, "failed_checks"),
            vec![Some("C1".into()), Some("".into())]
        );
        assert_eq!(
            strings(&b, "flags"),
            vec![Some("short_row:granted;truncated".into()), Some("".into())]
        );
        assert_eq!(
            strings(&b, "portal_id"),
            vec![Some("henan-zz-eq".into()), None]
        );
        let json = strings(&b, "checks_json")[0].clone().expect("json");
        let checks: Vec<Check> = serde_json::from_str(&json).expect("checks_json parses");
        assert_eq!(checks, reports[0].checks);
        assert_eq!(strings(&b, "checks_json")[1].as_deref(), Some("[]"));
        let ints = |name: &str| column::<Int32Array>(&b, name).iter().collect::<Vec<_>>();
        assert_eq!(ints("n_cells"), vec![Some(4), Some(0)]);
        assert_eq!(ints("n_inferred"), vec![Some(1), Some(0)]);
        assert_eq!(ints("checks_passed"), vec![Some(1), Some(0)]);
        assert_eq!(ints("checks_failed"), vec![Some(2), Some(0)]);
        assert_eq!(ints("checks_unverified"), vec![Some(1), Some(0)]);
        let completeness = column::<Float64Array>(&b, "completeness")
            .iter()
            .collect::<Vec<_>>();
        assert_eq!(completeness, vec![Some(0.25), None]);
        assert_eq!(ints("year"), vec![Some(2022), None]);
        assert_eq!(
            strings(&b, "fetched_at"),
            vec![Some("2026-11-23T10:00:00Z".into()), None]
        );
        assert_eq!(
            strings(&b, "parser_version"),
            vec![Some(PARSER_VERSION.into()), Some(PARSER_VERSION.into())]
        );
    }

    #[test]
    fn cells_units_and_nulls() {
        let b = cells_batch(&sample()).expect("batch");
        assert_eq!(b.schema(), cells_schema());
        assert_eq!(b.num_rows(), 4);
        assert_eq!(
            strings(&b, "unit"),
            ["10k_cny", "count", "count", "count"]
                .map(|s| Some(s.to_string()))
                .to_vec()
        );
        assert_eq!(strings(&b, "raw_unit")[0].as_deref(), Some("万元"));
        assert_eq!(
            strings(&b, "col"),
            vec![None, Some("total".into()), Some("total".into()), None]
        );
        let value = column::<Float64Array>(&b, "value");
        assert_eq!(
            value.iter().collect::<Vec<_>>(),
            vec![Some(11.065), Some(49.0), Some(0.0), None]
        );
        let vi = column::<Int64Array>(&b, "value_int");
        assert_eq!(
            vi.iter().collect::<Vec<_>>(),
            vec![None, Some(49), Some(0), None],
            "fees are not counts"
        );
        let table = column::<Int32Array>(&b, "table");
        assert_eq!(table.values().to_vec(), vec![2, 3, 3, 4]);
        assert_eq!(strings(&b, "provenance")[3].as_deref(), Some("dash"));
        assert_eq!(cells_batch(&[]).expect("empty").num_rows(), 0);
        // A non-finite number (never printed in a document) becomes null, not NaN.
        let mut odd = sample();
        odd[0].cells[0].value = Some(Number::Dec(f64::NAN));
        let b = cells_batch(&odd[..1]).expect("batch");
        assert!(b.column_by_name("value").expect("value").is_null(0));
    }

    #[test]
    fn value_int_of_decimal_counts() {
        let mut c = cell(
            TableId::T3,
            "granted",
            Some("total"),
            Some(Number::Dec(3.0)),
            Provenance::Printed,
        );
        assert_eq!(value_int(&c), Some(3));
        c.value = Some(Number::Dec(2.5));
        assert_eq!(value_int(&c), None);
        c.value = Some(Number::Dec(f64::NAN));
        assert_eq!(value_int(&c), None);
        assert_eq!(
            unit_of(TableId::T2, "admin_fees_10k_cny"),
            Unit::TenThousandCny
        );
        assert_eq!(unit_of(TableId::T2, "licensing_decisions"), Unit::Count);
        assert_eq!(unit_of(TableId::T3, "admin_fees_10k_cny"), Unit::Count);
        assert_eq!(
            unit_of(TableId::T2, "procurement_amount_10k_cny_2019"),
            Unit::TenThousandCny
        );
        // Signed changes (2019 template) are counts too.
        let change = cell(
            TableId::T2,
            "licensing_items_change_2019",
            None,
            Some(Number::Int(-3)),
            Provenance::Printed,
        );
        assert_eq!(
            (unit_of(change.table, &change.row), value_int(&change)),
            (Unit::Count, Some(-3))
        );
    }

    #[test]
    fn parquet_round_trip_with_chinese_text_and_nulls() {
        let dir = tempfile::tempdir().expect("tempdir");
        let reports = sample();
        let (rpath, cpath) = write_part(dir.path(), "0001", &reports).expect("write part");
        assert_eq!(rpath, dir.path().join("reports/part-0001.parquet"));
        let back = read_back(&rpath);
        let orig = reports_batch(&reports).expect("batch");
        assert_eq!(back, orig, "reports survive Parquet unchanged");
        assert_eq!(
            strings(&back, "agency")[0].as_deref(),
            Some("二七区人民政府办公室")
        );
        assert!(back.column_by_name("agency").expect("agency").is_null(1));
        let cells = read_back(&cpath);
        assert_eq!(cells, cells_batch(&reports).expect("cells"));
        // Only the two parts, no temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("part-0001.parquet")]);
        // Zstd was used.
        let meta =
            parquet::file::reader::SerializedFileReader::new(File::open(&rpath).expect("open"))
                .map(|r| parquet::file::reader::FileReader::metadata(&r).clone())
                .expect("metadata");
        assert!(matches!(
            meta.row_group(0).column(0).compression(),
            Compression::ZSTD(_)
        ));
    }

    #[test]
    fn report_ids_of_parts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let reports = sample();
        assert!(
            read_report_ids(&dir.path().join("reports"))
                .expect("missing dir")
                .is_empty()
        );
        write_part(dir.path(), "a", &reports[..1]).expect("part a");
        write_part(dir.path(), "b", &reports[1..]).expect("part b");
        std::fs::write(
            dir.path().join("reports/.part-c.parquet.tmp-1-2"),
            b"garbage",
        )
        .expect("tmp");
        let ids = read_report_ids(&dir.path().join("reports")).expect("ids");
        assert_eq!(ids, reports.iter().map(|r| r.sha256.clone()).collect());
        let one = read_report_ids(&dir.path().join("reports/part-a.parquet")).expect("one file");
        assert_eq!(one.len(), 1);
        // A corrupt part is an error naming the file.
        let bad = dir.path().join("reports/part-z.parquet");
        std::fs::write(&bad, b"not parquet").expect("write");
        let err = read_report_ids(&dir.path().join("reports")).expect_err("corrupt part");
        assert!(err.to_string().contains("part-z.parquet"), "{err}");
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let batch = reports_batch(&sample()).expect("batch");
        // Renaming over a directory fails: the temporary file must be cleaned up.
        let target = dir.path().join("taken");
        std::fs::create_dir_all(target.join("sub")).expect("dir");
        assert!(write_parquet(&target, &batch).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("e").file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("taken")]);
        // A missing directory is created.
        let nested = dir.path().join("missing/x.parquet");
        write_parquet(&nested, &batch).expect("nested write");
        assert_eq!(read_report_ids(&nested).expect("ids").len(), sample().len());
    }
}
