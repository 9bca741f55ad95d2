//! Writing a frame as Parquet the way Polars' `ParquetWriter` does (same row
//! groups, pages, encodings, statistics and footer, zstd), with one change in
//! how a text column's dictionary is found (and a row group's columns
//! encoded and compressed on all cores).
//!
//! Polars dictionary-encodes a text column by hashing every row's bytes
//! twice: once to estimate the column's cardinality, once to build the
//! dictionary. Our long datasets repeat a few values per report on every row
//! (`report_id`, `agency`, ... on the ~40 rows of a report's dispositions),
//! and a gathered string column points every repeat at the same bytes, so
//! its 16-byte views repeat too. Here the dictionary is built by view first:
//! a row whose view was seen before (a plain `u128` compared or looked up)
//! takes that view's key, and only a view seen for the first time has its
//! bytes hashed. The dictionary holds the values in order of first
//! appearance, as Polars' own cast does, so the pages written are the ones
//! Polars writes. When the column is not worth a dictionary (more than ¾ of
//! the rows distinct), the column goes to Polars' own path unchanged.

use std::io::Write;

use crate::parallel::map_in_parallel;
use polars::frame::chunk_df_for_writing;
use polars::io::schema_to_arrow_checked;
use polars::prelude::{
    CompatLevel, DataFrame, ParquetCompression, PlHashMap, PolarsResult, Schema, StatisticsOptions,
    get_encodings,
};
use polars_arrow::array::{
    Array, ArrayRef, DictionaryArray, MutableBinaryViewArray, PrimitiveArray, Utf8ViewArray,
};
use polars_arrow::datatypes::{ArrowDataType, IntegerType};
use polars_parquet::write::{
    CompressedPage, DynIter, DynStreamingIterator, FileWriter, Version, WriteOptions,
    array_to_columns, compress, fallible_streaming_iterator,
};

/// Rows per row group (Polars' default).
const ROW_GROUP_ROWS: usize = 512 * 512;
/// Above this share of distinct values Polars writes a text column plain.
const DICTIONARY_MAX_SHARE: f64 = 0.75;
/// Columns of at most this many rows are always dictionary-encoded.
const ALWAYS_DICTIONARY_ROWS: usize = 128;
/// Rows looked at before giving up on a column that is mostly distinct.
const PROBE_ROWS: usize = 4096;
/// Views remembered per distinct value (plus [`VIEWS_SLACK`]): a column
/// whose equal values sit at different places (views that do not repeat)
/// stops filling the view table and is looked up by its bytes.
const VIEWS_PER_VALUE: usize = 8;
/// See [`VIEWS_PER_VALUE`].
const VIEWS_SLACK: usize = 4096;

/// The rows of a partition, as given to the writer.
pub(crate) enum Rows {
    /// The dataset's frame.
    Frame(DataFrame),
    /// A compact form of the dataset's frame, expanded one row group at a
    /// time while it is written (see [`Expand`]).
    Expand(Expand),
}

/// The rows of a long dataset kept compact (e.g. row numbers into a
/// frame of reports instead of the reports' text on every row) until they
/// are written: `expand` turns a slice of `compact` into the dataset's
/// columns for those rows, so only one row group of the full columns is in
/// memory at a time. The file is the one the expanded frame, written whole,
/// would give: the row groups are cut where Polars cuts a one-chunk frame
/// of that height (`compact` is kept in one chunk).
pub(crate) struct Expand {
    compact: DataFrame,
    expand: Box<dyn Fn(DataFrame) -> PolarsResult<DataFrame> + Send>,
}

impl Expand {
    /// `compact` (rechunked to one chunk) and the function expanding a slice of it.
    pub(crate) fn new(
        mut compact: DataFrame,
        expand: impl Fn(DataFrame) -> PolarsResult<DataFrame> + Send + 'static,
    ) -> Self {
        compact.rechunk_mut_par();
        Expand {
            compact,
            expand: Box::new(expand),
        }
    }
}

impl Rows {
    /// The number of rows.
    pub(crate) fn height(&self) -> usize {
        match self {
            Rows::Frame(df) => df.height(),
            Rows::Expand(e) => e.compact.height(),
        }
    }
}

/// Write `df` to `w` as one Parquet file (zstd), as `ParquetWriter` would.
pub(crate) fn write_parquet<W: Write>(w: W, df: &mut DataFrame) -> PolarsResult<u64> {
    let chunked = chunk_df_for_writing(df, ROW_GROUP_ROWS)?;
    let groups = chunked
        .iter_chunks(CompatLevel::newest(), false)
        .map(|batch| Ok(batch.into_arrays()));
    write_row_groups(w, chunked.schema(), groups)
}

/// Write `rows` to `w` as one Parquet file (zstd): a [`Rows::Frame`] as
/// [`write_parquet`], a [`Rows::Expand`] one expanded row group at a time
/// (the same bytes as its frame expanded whole and written).
pub(crate) fn write_rows<W: Write>(w: W, rows: &mut Rows) -> PolarsResult<u64> {
    let e = match rows {
        Rows::Frame(df) => return write_parquet(w, df),
        Rows::Expand(e) => e,
    };
    let schema = (e.expand)(e.compact.clear())?.schema().clone();
    let mut chunked = chunk_df_for_writing(&mut e.compact, ROW_GROUP_ROWS)?.into_owned();
    let groups = chunked.split_chunks().map(|slice| {
        let mut full = (e.expand)(slice)?;
        full.rechunk_mut_par();
        let mut batches = full.iter_chunks(CompatLevel::newest(), false);
        Ok(batches.next().map(|b| b.into_arrays()).unwrap_or_default())
    });
    write_row_groups(w, &schema, groups)
}

/// Write the row groups `groups` (the columns' arrays of each) of a frame
/// of `schema` to `w`.
fn write_row_groups<W: Write>(
    w: W,
    schema: &Schema,
    groups: impl Iterator<Item = PolarsResult<Vec<ArrayRef>>>,
) -> PolarsResult<u64> {
    let schema = schema_to_arrow_checked(schema, CompatLevel::newest(), "parquet")?;
    let encodings = get_encodings(&schema);
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        compression: ParquetCompression::Zstd(None).into(),
        version: Version::V1,
        data_page_size: None,
    };
    let mut writer = FileWriter::try_new(w, schema, options)?;
    let fields = writer.parquet_schema().fields().to_vec();
    for arrays in groups {
        let arrays = arrays?;
        let len = arrays.first().map_or(0, |a| a.len());
        if len == 0 {
            continue;
        }
        // Each column encoded and compressed on its own (on all cores), the
        // pages then written in column order.
        let encode = |i: usize| -> PolarsResult<Vec<Vec<CompressedPage>>> {
            let (array, type_) = (&arrays[i], fields[i].clone());
            let encoded = match dictionary_by_view(array.as_ref()) {
                Some(dict) => array_to_columns(&dict as &dyn Array, type_, options, &encodings[i])?,
                None => array_to_columns(array, type_, options, &encodings[i])?,
            };
            encoded
                .into_iter()
                .map(|pages| {
                    pages
                        .map(|page| Ok(compress(page?, vec![], options.compression)?))
                        .collect()
                })
                .collect()
        };
        let encoded = map_in_parallel(arrays.len(), encode)
            .into_iter()
            .collect::<PolarsResult<Vec<_>>>()?;
        let row_group = encoded.iter().flatten().map(|pages| {
            Ok(DynStreamingIterator::new(
                fallible_streaming_iterator::convert(pages.iter().map(PolarsResult::Ok)),
            ))
        });
        writer.write(len as u64, DynIter::new(row_group))?;
    }
    writer.end(None)
}

/// The dictionary form of a text column, built by view (see the module
/// docs); `None` for other columns, empty ones and mostly distinct ones.
fn dictionary_by_view(array: &dyn Array) -> Option<DictionaryArray<u32>> {
    if array.dtype() != &ArrowDataType::Utf8View || array.is_empty() {
        return None;
    }
    let text = array.as_any().downcast_ref::<Utf8ViewArray>()?;
    let len = text.len();
    let worth = |distinct: usize, rows: usize| {
        rows <= ALWAYS_DICTIONARY_ROWS || (distinct as f64) / (rows as f64) <= DICTIONARY_MAX_SHARE
    };
    let views = text.views();
    let validity = text.validity();
    let mut keys: Vec<u32> = Vec::with_capacity(len);
    let mut by_view: PlHashMap<u128, u32> = PlHashMap::default();
    let mut by_text: PlHashMap<&str, u32> = PlHashMap::default();
    let mut values = MutableBinaryViewArray::<str>::new();
    let mut last: Option<(u128, u32)> = None;
    for (i, view) in views.iter().enumerate() {
        if i == PROBE_ROWS && len > 2 * PROBE_ROWS && !worth(by_text.len(), i) {
            return None;
        }
        if validity.is_some_and(|v| !v.get_bit(i)) {
            keys.push(0);
            continue;
        }
        let v = view.as_u128();
        let key = match last {
            Some((lv, k)) if lv == v => k,
            _ => match by_view.get(&v) {
                Some(k) => *k,
                None => {
                    // SAFETY: `i` is below the array's length.
                    let s = unsafe { text.value_unchecked(i) };
                    let next = by_text.len() as u32;
                    let k = *by_text.entry(s).or_insert_with(|| {
                        values.push_value(s);
                        next
                    });
                    if by_view.len() < VIEWS_PER_VALUE * by_text.len() + VIEWS_SLACK {
                        by_view.insert(v, k);
                    }
                    k
                }
            },
        };
        last = Some((v, key));
        keys.push(key);
    }
    if !worth(by_text.len(), len) {
        return None;
    }
    let keys = PrimitiveArray::new(ArrowDataType::UInt32, keys.into(), validity.cloned());
    let values: Utf8ViewArray = values.freeze();
    let dtype = ArrowDataType::Dictionary(
        IntegerType::UInt32,
        Box::new(ArrowDataType::Utf8View),
        false,
    );
    DictionaryArray::try_new(dtype, keys, values.boxed()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{
        Column, IdxCa, IdxSize, IntoColumn, NamedFrom, ParquetReader, ParquetWriter, SerReader,
        Series,
    };

    /// The bytes Polars' own writer produces for `df`.
    fn polars_bytes(df: &DataFrame) -> Vec<u8> {
        let mut out = Vec::new();
        ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut df.clone())
            .unwrap();
        out
    }

    fn our_bytes(df: &DataFrame) -> Vec<u8> {
        let mut out = Vec::new();
        write_parquet(&mut out, &mut df.clone()).unwrap();
        out
    }

    /// A long-format frame like the datasets: per-report strings gathered
    /// onto each of the report's rows (repeating views), short and long
    /// values, nulls, values built per row (views that do not repeat), a
    /// column of distinct values and numbers.
    fn long_frame(reports: usize, rows_per_report: usize) -> DataFrame {
        let ids: Vec<String> = (0..reports).map(|r| format!("{r:064x}")).collect();
        let agencies: Vec<Option<String>> = (0..reports)
            .map(|r| (r % 7 != 3).then(|| format!("第{}号单位政府信息公开办公室", r % 50)))
            .collect();
        let per_report = DataFrame::new(
            reports,
            vec![
                Column::new("report_id".into(), ids),
                Column::new("agency".into(), agencies),
            ],
        )
        .unwrap();
        let n = reports * rows_per_report;
        let idx = IdxCa::from_vec(
            "i".into(),
            (0..n).map(|i| (i / rows_per_report) as _).collect(),
        );
        let mut df = per_report.take(&idx).unwrap();
        let kinds = [
            "granted",
            "partially_granted_after_review",
            "x",
            "denied_state_secret",
        ];
        let built: Vec<String> = (0..n).map(|i| kinds[i % kinds.len()].to_string()).collect();
        let short: Vec<Option<&str>> = (0..n)
            .map(|i| (i % 5 != 0).then_some(["a", "bb"][i % 2]))
            .collect();
        let distinct: Vec<String> = (0..n)
            .map(|i| format!("row-{i}-with-a-long-enough-suffix"))
            .collect();
        let value: Vec<Option<i64>> = (0..n).map(|i| (i % 3 != 0).then_some(i as i64)).collect();
        for c in [
            Series::new("disposition".into(), built).into_column(),
            Series::new("applicant".into(), short).into_column(),
            Series::new("note".into(), distinct).into_column(),
            Series::new("value".into(), value).into_column(),
        ] {
            df.with_column(c).unwrap();
        }
        df
    }

    #[test]
    fn writes_the_bytes_polars_writes() {
        for (reports, rows) in [(0, 1), (3, 5), (40, 3), (9_000, 40)] {
            let df = long_frame(reports, rows);
            let ours = our_bytes(&df);
            assert!(ours == polars_bytes(&df), "{reports}×{rows}: bytes differ");
            let back = ParquetReader::new(std::io::Cursor::new(ours))
                .finish()
                .unwrap();
            assert!(
                back.equals_missing(&df),
                "{reports}×{rows}: read back differs"
            );
        }
    }

    /// [`long_frame`] kept compact: row numbers into the per-report
    /// columns and a number column, expanded by gathering.
    fn long_expand(reports: usize, rows_per_report: usize) -> Expand {
        let full = long_frame(reports, rows_per_report);
        let per_report = full.select(["report_id", "agency"]).unwrap();
        let n = reports * rows_per_report;
        let compact = DataFrame::new(
            n,
            vec![
                Column::new(
                    "i".into(),
                    (0..n)
                        .map(|i| (i / rows_per_report * rows_per_report) as IdxSize)
                        .collect::<Vec<_>>(),
                ),
                Column::new("r".into(), (0..n as IdxSize).collect::<Vec<_>>()),
            ],
        )
        .unwrap();
        Expand::new(compact, move |rows| {
            let mut out = per_report.take(rows.column("i")?.idx()?)?;
            let rest = full
                .select(["disposition", "applicant", "note", "value"])?
                .take(rows.column("r")?.idx()?)?;
            out.hstack_mut(rest.columns())?;
            Ok(out)
        })
    }

    #[test]
    fn compact_rows_expanded_per_row_group_write_the_bytes_of_the_whole_frame() {
        // 15 000 × 40 rows: two row groups, the last one longer.
        for (reports, rows) in [(0, 1), (3, 5), (15_000, 40)] {
            let whole = polars_bytes(&long_frame(reports, rows));
            let mut expand = Rows::Expand(long_expand(reports, rows));
            assert_eq!(expand.height(), reports * rows);
            let mut ours = Vec::new();
            write_rows(&mut ours, &mut expand).unwrap();
            assert!(ours == whole, "{reports}×{rows}: bytes differ");
        }
    }

    #[test]
    fn a_dictionary_by_view_is_the_dictionary_polars_builds() {
        let df = long_frame(300, 40);
        let batch = df.iter_chunks(CompatLevel::newest(), false).next().unwrap();
        for (name, array) in df.get_column_names().into_iter().zip(batch.columns()) {
            let ours = dictionary_by_view(array.as_ref());
            match name.as_str() {
                "value" | "note" => assert!(ours.is_none(), "{name} needs no dictionary"),
                _ => {
                    let ours = ours.unwrap_or_else(|| panic!("{name} has a dictionary"));
                    let polars = polars::polars_compute::cast::cast(
                        array.as_ref(),
                        ours.dtype(),
                        Default::default(),
                    )
                    .unwrap();
                    let polars = polars
                        .as_any()
                        .downcast_ref::<DictionaryArray<u32>>()
                        .unwrap();
                    assert_eq!(ours.keys(), polars.keys(), "{name}: keys");
                    assert_eq!(
                        ours.values().as_ref(),
                        polars.values().as_ref(),
                        "{name}: values"
                    );
                }
            }
        }
    }
}
