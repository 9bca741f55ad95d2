//! Excel workbook export (rust_xlsxwriter): one sheet per dataset, frozen
//! header with autofilter, column widths, number formats by unit (percent for
//! ratios, 万元 and 元 for money, thousands separators for counts), headers
//! and coded values in the chosen language, plus a `codebook` sheet and a
//! `value_labels` sheet. A dataset longer than a sheet continues on
//! `<name>_2`, `<name>_3`, … (each with the header row).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use polars::prelude::{AnyValue, DataFrame};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::export::{ExportOptions, codebook_rows, export_frame, value_label_rows};
use crate::schema::{ColumnDoc, Dataset, columns};

/// Rows of data a sheet can hold (Excel: 1 048 576 rows, one is the header).
pub const MAX_ROWS: usize = 1_048_575;

/// Widest column, in characters.
const MAX_WIDTH: f64 = 48.0;

/// Number format of a column, by unit.
fn number_format(c: &ColumnDoc) -> Option<&'static str> {
    match c.unit.as_str() {
        "ratio" => Some("0.0%"),
        "10k_cny" => Some("#,##0.0000\" 万元\""),
        "cny" => Some("#,##0.00\" 元\""),
        "count" | "count_change" => Some("#,##0"),
        _ => None,
    }
}

/// Display width of text (CJK characters count two).
fn width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

fn cell_text(v: &AnyValue) -> Option<String> {
    match v {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        other => Some(other.to_string()),
    }
}

/// Write one prepared frame into a sheet.
fn write_sheet(
    ws: &mut Worksheet,
    df: &DataFrame,
    docs: &[ColumnDoc],
    header_fmt: &Format,
) -> Result<()> {
    let ncols = df.width();
    let mut widths: Vec<f64> = vec![6.0; ncols];
    for (j, (name, doc)) in df.get_column_names().iter().zip(docs).enumerate() {
        let j16 = u16::try_from(j).context("too many columns")?;
        ws.write_string_with_format(0, j16, name.as_str(), header_fmt)?;
        widths[j] = widths[j].max(width(name.as_str()).min(MAX_WIDTH));
        let fmt = number_format(doc).map(|f| Format::new().set_num_format(f));
        let column = df.columns()[j].as_materialized_series();
        for i in 0..df.height() {
            let row = u32::try_from(i + 1).context("too many rows")?;
            let v = column.get(i)?;
            let number = match &v {
                AnyValue::Int32(x) => Some(f64::from(x.to_owned())),
                AnyValue::Int64(x) => Some(x.to_owned() as f64),
                AnyValue::Float64(x) => Some(x.to_owned()),
                _ => None,
            };
            match (number, &v) {
                (Some(n), _) => {
                    match &fmt {
                        Some(f) => ws.write_number_with_format(row, j16, n, f)?,
                        None => ws.write_number(row, j16, n)?,
                    };
                    widths[j] = widths[j].max(12.0);
                }
                (None, AnyValue::Boolean(b)) => {
                    ws.write_boolean(row, j16, b.to_owned())?;
                }
                (None, other) => {
                    if let Some(t) = cell_text(other) {
                        widths[j] = widths[j].max(width(&t).min(MAX_WIDTH));
                        ws.write_string(row, j16, t)?;
                    }
                }
            }
        }
    }
    for (j, w) in widths.iter().enumerate() {
        ws.set_column_width(u16::try_from(j)?, *w + 1.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if ncols > 0 {
        let last_row = u32::try_from(df.height())?;
        ws.autofilter(0, 0, last_row, u16::try_from(ncols - 1)?)?;
    }
    Ok(())
}

fn write_table(
    ws: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<String>],
    bold: &Format,
) -> Result<()> {
    let mut widths: Vec<f64> = header.iter().map(|h| width(h)).collect();
    for (j, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(j)?, *h, bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            ws.write_string(u32::try_from(i + 1)?, u16::try_from(j)?, v)?;
            widths[j] = widths[j].max(width(v).min(MAX_WIDTH * 1.5));
        }
    }
    for (j, w) in widths.iter().enumerate() {
        ws.set_column_width(u16::try_from(j)?, *w + 1.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Export `datasets` (all years) as one workbook with a sheet each, plus
/// the codebook and the value labels. Default destination:
/// `OUT/exports/ogi.xlsx`. A dataset with more rows than a sheet holds
/// ([`MAX_ROWS`]) continues on sheets `<name>_2`, `<name>_3`, … in row order,
/// each with the header row.
pub fn export_xlsx(
    out: &Path,
    datasets: &[Dataset],
    opts: &ExportOptions,
    dest: Option<&Path>,
) -> Result<PathBuf> {
    export_xlsx_sheet_rows(out, datasets, opts, dest, MAX_ROWS)
}

/// Name of the `part`-th sheet (0-based) of a dataset: `panel`, `panel_2`, ….
pub fn sheet_name(d: Dataset, part: usize) -> String {
    match part {
        0 => d.name().to_string(),
        n => format!("{}_{}", d.name(), n + 1),
    }
}

/// [`export_xlsx`] with at most `rows_per_sheet` data rows on a sheet (at
/// least 1, at most [`MAX_ROWS`]), so that continued sheets can be tested and
/// a reader can ask for shorter sheets.
pub fn export_xlsx_sheet_rows(
    out: &Path,
    datasets: &[Dataset],
    opts: &ExportOptions,
    dest: Option<&Path>,
    rows_per_sheet: usize,
) -> Result<PathBuf> {
    let per_sheet = rows_per_sheet.clamp(1, MAX_ROWS);
    let dest = dest
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out.join("exports").join("ogi.xlsx"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    for d in datasets {
        let df = export_frame(out, *d, opts, false)?;
        // An empty dataset still gets its sheet (header only).
        let parts = df.height().div_ceil(per_sheet).max(1);
        for part in 0..parts {
            let chunk = df.slice((part * per_sheet) as i64, per_sheet);
            let name = sheet_name(*d, part);
            let ws = wb.add_worksheet();
            ws.set_name(&name)?;
            write_sheet(ws, &chunk, &columns(*d), &bold)
                .with_context(|| format!("writing sheet {name}"))?;
        }
    }
    let cb: Vec<Vec<String>> = codebook_rows().into_iter().map(|r| r.to_vec()).collect();
    let ws = wb.add_worksheet();
    ws.set_name("codebook")?;
    write_table(
        ws,
        &[
            "dataset", "column", "dtype", "label_zh", "label_en", "unit", "source",
        ],
        &cb,
        &bold,
    )?;
    let vl: Vec<Vec<String>> = value_label_rows().into_iter().map(|r| r.to_vec()).collect();
    let ws = wb.add_worksheet();
    ws.set_name("value_labels")?;
    write_table(ws, &["column", "value", "label_zh", "label_en"], &vl, &bold)?;
    let bytes = wb.save_to_buffer().context("building the workbook")?;
    ogi_util::write_atomic(&dest, &bytes).with_context(|| format!("writing {}", dest.display()))?;
    Ok(dest)
}
