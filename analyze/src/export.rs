//! CSV exports for journalists and the codebook.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use ogi_util::{write_atomic, write_atomic_with};
use polars::prelude::{Column, CsvWriter, DataFrame, DataType, Expr, IntoLazy, SerWriter, col};

use crate::io::read_dataset;
use crate::labels;
use crate::schema::{ColumnDoc, Dataset, columns};

/// Header language of a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Chinese labels, e.g. `予以公开（总计）`.
    Zh,
    /// English labels, e.g. `Disclosed in full (total)` (keys in the codebook).
    En,
    /// Both: `予以公开（总计） / Disclosed in full (total)`.
    Both,
}

impl std::str::FromStr for Lang {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "zh" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            "both" => Ok(Lang::Both),
            _ => anyhow::bail!("unknown language {s:?}; expected zh, en or both"),
        }
    }
}

/// Header style of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Headers {
    /// Short: the Chinese label (`Lang::Zh`), the column key (`Lang::En`),
    /// or `中文 / key` (`Lang::Both`). The long labels stay in the codebook.
    #[default]
    Short,
    /// Long: the Chinese label, the English description, or both.
    Long,
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// Language of headers (and of coded values: `Lang::Zh` writes them in Chinese).
    pub lang: Lang,
    /// Header style.
    pub headers: Headers,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            lang: Lang::Zh,
            headers: Headers::Short,
        }
    }
}

/// The header of one column in a language and style.
pub fn header(c: &ColumnDoc, lang: Lang, style: Headers) -> String {
    match (style, lang) {
        (_, Lang::Zh) => c.zh.clone(),
        (Headers::Short, Lang::En) => c.name.clone(),
        (Headers::Short, Lang::Both) => format!("{} / {}", c.zh, c.name),
        (Headers::Long, Lang::En) => c.en.clone(),
        (Headers::Long, Lang::Both) => format!("{} / {}", c.zh, c.en),
    }
}

/// Decimal places of ratios in CSV exports (the Parquet keeps full precision;
/// XLSX keeps the number and shows it as a percentage).
pub const RATIO_DECIMALS: i32 = 4;

/// Items kept in a semicolon-separated list cell of an export; the rest is
/// counted (`…(+N)`). The Parquet keeps every item.
pub const LIST_CAP: usize = 5;

/// Semicolon-separated list columns capped in exports.
pub const LIST_COLUMNS: [&str; 4] = ["superseded_ids", "name_forms", "flags", "failed_checks"];

/// A ratio as text with at most [`RATIO_DECIMALS`] decimals (`0.24`, `1`).
fn ratio_text(v: f64) -> String {
    let t = format!("{v:.prec$}", prec = RATIO_DECIMALS as usize);
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

fn cap_list(s: &str) -> String {
    let items: Vec<&str> = s.split(';').filter(|i| !i.is_empty()).collect();
    if items.len() <= LIST_CAP {
        return s.to_string();
    }
    format!(
        "{};…(+{})",
        items[..LIST_CAP].join(";"),
        items.len() - LIST_CAP
    )
}

/// Map a string column cell by cell (nulls stay null).
fn map_strings(df: &mut DataFrame, name: &str, f: impl Fn(&str) -> String) -> Result<()> {
    let ca = df.column(name)?.str()?.clone();
    let mapped: Vec<Option<String>> = ca.iter().map(|v| v.map(&f)).collect();
    df.replace(name, Column::new(name.into(), mapped))?;
    Ok(())
}

/// A dataset as exported: list columns capped, ratios rounded (when
/// `round_ratios`), coded values and booleans in Chinese for `Lang::Zh`,
/// headers in the chosen language and style.
pub fn export_frame(
    out: &Path,
    dataset: Dataset,
    opts: &ExportOptions,
    round_ratios: bool,
) -> Result<DataFrame> {
    let cols = columns(dataset);
    let df = read_dataset(out, dataset)?;
    let exprs: Vec<Expr> = cols.iter().map(|c| col(c.name.as_str())).collect();
    let mut df = df
        .lazy()
        .select(exprs)
        .collect()
        .with_context(|| format!("preparing the export of {dataset}"))?;
    for c in &cols {
        if round_ratios && c.unit == "ratio" && c.dtype == DataType::Float64 {
            let ca = df.column(&c.name)?.f64()?.clone();
            let text: Vec<Option<String>> = ca.iter().map(|v| v.map(ratio_text)).collect();
            df.replace(&c.name, Column::new(c.name.as_str().into(), text))?;
        }
        if LIST_COLUMNS.contains(&c.name.as_str()) {
            map_strings(&mut df, &c.name, cap_list)?;
        }
        if opts.lang != Lang::Zh {
            continue;
        }
        if labels::is_coded(&c.name) {
            map_strings(&mut df, &c.name, |v| labels::to_zh(&c.name, v))?;
        } else if c.dtype == DataType::Boolean {
            let ca = df.column(&c.name)?.bool()?.clone();
            let zh: Vec<Option<&str>> = ca
                .iter()
                .map(|v| v.map(|b| if b { "是" } else { "否" }))
                .collect();
            df.replace(&c.name, Column::new(c.name.as_str().into(), zh))?;
        }
    }
    let headers: Vec<String> = cols
        .iter()
        .map(|c| header(c, opts.lang, opts.headers))
        .collect();
    df.set_column_names(&headers)
        .with_context(|| format!("setting {:?} headers of {dataset}", opts.lang))?;
    Ok(df)
}

/// Export one dataset (all years) as a UTF-8 CSV with BOM.
///
/// Columns follow the documented order (`year` first); ratios are rounded to
/// [`RATIO_DECIMALS`] places, other floats written positionally (never in
/// scientific notation); nulls are empty fields; list cells are capped at
/// [`LIST_CAP`] items; with `Lang::Zh` coded values and booleans are Chinese.
/// Default destination: `OUT/exports/<dataset>.csv`.
pub fn export_csv(
    out: &Path,
    dataset: Dataset,
    opts: &ExportOptions,
    dest: Option<&Path>,
) -> Result<PathBuf> {
    let mut df = export_frame(out, dataset, opts, true)?;
    let dest = dest
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out.join("exports").join(format!("{}.csv", dataset.name())));
    write_atomic_with(&dest, |f| {
        CsvWriter::new(f)
            .include_bom(true)
            .include_header(true)
            .with_float_scientific(Some(false))
            .finish(&mut df)
            .map_err(std::io::Error::other)
    })
    .with_context(|| format!("writing CSV of {dataset}"))?;
    Ok(dest)
}

/// The codebook as CSV rows: dataset, column, dtype, label_zh, label_en, unit, source.
pub fn codebook_rows() -> Vec<[String; 7]> {
    Dataset::ALL
        .iter()
        .flat_map(|d| {
            columns(*d).into_iter().map(move |c| {
                [
                    d.name().to_string(),
                    c.name,
                    c.dtype.to_string(),
                    c.zh,
                    c.en,
                    c.unit,
                    c.source,
                ]
            })
        })
        .collect()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The codebook as Markdown (one table per dataset).
pub fn codebook_markdown() -> String {
    let mut md = String::from(
        "# Codebook of the ogi datasets\n\n\
         Generated by `ogi-analyze` from `data/spec/*.csv` and the dataset schemas; do not edit.\n\
         Every dataset is Parquet (zstd) under `OUT/datasets/<name>/year=<year>/part-0.parquet`;\n\
         `year` is the Hive partition key (not stored inside the files), except `agencies` (no year)\n\
         and `compliance` (`year` is a column), each one file `OUT/datasets/<name>/part-0.parquet`.\n\
         Units: `count` = number of requests/documents, `10k_cny` = 万元, `cny` = yuan, `ratio` = 0–1 (null when the denominator is 0 or missing).\n",
    );
    for d in Dataset::ALL {
        let (zh, en) = d.description();
        md.push_str(&format!(
            "\n## `{}`\n\n{zh}. {en}.\n\n| column | type | 中文 | English | unit | source |\n|---|---|---|---|---|---|\n",
            d.name()
        ));
        for c in columns(d) {
            md.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                c.name,
                c.dtype,
                md_escape(&c.zh),
                md_escape(&c.en),
                c.unit,
                md_escape(&c.source)
            ));
        }
    }
    md.push_str(
        "\n## Value labels\n\nCoded values of the string columns (also `value_labels.csv`; `--lang zh` exports write the Chinese label).\n\n| column | value | 中文 | English |\n|---|---|---|---|\n",
    );
    for [c, v, zh, en] in value_label_rows() {
        md.push_str(&format!(
            "| `{c}` | `{v}` | {} | {} |\n",
            md_escape(&zh),
            md_escape(&en)
        ));
    }
    md
}

/// The dataset and value-label tables of [`codebook_markdown`] one heading
/// level down (`###`), as `analyze/README.md` shows them under "Dataset schemas".
pub fn codebook_sections() -> String {
    let md = codebook_markdown();
    let body = md.find("\n## ").map_or("", |i| &md[i + 1..]);
    body.lines()
        .map(|l| match l.strip_prefix("## ") {
            Some(h) => format!("### {h}\n"),
            None => format!("{l}\n"),
        })
        .collect()
}

/// The value labels as CSV rows: column, value, label_zh, label_en.
pub fn value_label_rows() -> Vec<[String; 4]> {
    labels::value_labels()
        .iter()
        .map(|l| {
            [
                l.column.to_string(),
                l.value.clone(),
                l.zh.clone(),
                l.en.clone(),
            ]
        })
        .collect()
}

/// Write `codebook.csv` (UTF-8 with BOM), `value_labels.csv` and `CODEBOOK.md` into `dir`.
pub fn write_codebook(dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let csv_path = dir.join("codebook.csv");
    write_atomic_with(&csv_path, |f| {
        f.write_all("\u{feff}".as_bytes())?;
        let mut w = csv::Writer::from_writer(f);
        w.write_record([
            "dataset", "column", "dtype", "label_zh", "label_en", "unit", "source",
        ])?;
        for r in codebook_rows() {
            w.write_record(&r)?;
        }
        w.flush()?;
        Ok::<_, anyhow::Error>(())
    })
    .context("writing codebook.csv")?;
    write_atomic_with(&dir.join("value_labels.csv"), |f| {
        f.write_all("\u{feff}".as_bytes())?;
        let mut w = csv::Writer::from_writer(f);
        w.write_record(["column", "value", "label_zh", "label_en"])?;
        for r in value_label_rows() {
            w.write_record(&r)?;
        }
        w.flush()?;
        Ok::<_, anyhow::Error>(())
    })
    .context("writing value_labels.csv")?;
    let md_path = dir.join("CODEBOOK.md");
    write_atomic(&md_path, codebook_markdown().as_bytes()).context("writing CODEBOOK.md")?;
    Ok((csv_path, md_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `analyze/README.md` shows the generated codebook: regenerate its
    /// "Dataset schemas" tables with `codebook_sections()` when this fails.
    #[test]
    fn readme_schemas_are_the_generated_codebook() {
        let readme = include_str!("../README.md");
        let sections = codebook_sections();
        assert!(
            sections.starts_with("### `requests`"),
            "{}",
            &sections[..40]
        );
        assert!(
            readme.contains(&sections),
            "analyze/README.md differs from the generated codebook"
        );
    }
}
