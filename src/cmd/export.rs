//! `ogi export csv|xlsx|warc`.

use crate::config::Config;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What to export.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A dataset as CSV for spreadsheets (UTF-8 with BOM), plus the codebook.
    Csv(CsvArgs),
    /// Datasets as one Excel workbook (a sheet each, codebook and value labels).
    Xlsx(XlsxArgs),
    /// Everything fetched, as standard WARC 1.1 records.
    Warc(WarcArgs),
}

/// Language of headers and values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Chinese headers and coded values.
    Zh,
    /// English headers (column keys when short), values as stored.
    En,
    /// `中文 / English` headers, values as stored.
    Both,
}

/// Header style.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum HeadersArg {
    /// Short headers (Chinese label or column key); long labels in the codebook.
    Short,
    /// The long labels.
    Long,
}

fn options(lang: LangArg, headers: HeadersArg) -> ogi_analyze::ExportOptions {
    ogi_analyze::ExportOptions {
        lang: self::lang(lang),
        headers: match headers {
            HeadersArg::Short => ogi_analyze::Headers::Short,
            HeadersArg::Long => ogi_analyze::Headers::Long,
        },
    }
}

/// Arguments of `ogi export csv`.
#[derive(Debug, Args)]
pub struct CsvArgs {
    /// Output directory holding the datasets.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Dataset name (panel, requests, dispositions, review_litigation, proactive, regions, quality, agencies, compliance).
    #[arg(long)]
    dataset: String,
    /// Language of headers (and, for zh, of coded values).
    #[arg(long, value_enum, default_value = "both")]
    lang: LangArg,
    /// Header style.
    #[arg(long, value_enum, default_value = "short")]
    headers: HeadersArg,
    /// Destination file (default: OUT/exports/<dataset>.csv).
    #[arg(long)]
    dest: Option<PathBuf>,
}

/// Arguments of `ogi export xlsx`.
#[derive(Debug, Args)]
pub struct XlsxArgs {
    /// Output directory holding the datasets.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Dataset to include (repeatable; default: panel, regions, agencies, review_litigation, proactive, quality, and compliance when a crawl wrote it).
    #[arg(long = "dataset", value_name = "NAME")]
    datasets: Vec<String>,
    /// Language of headers and values.
    #[arg(long, value_enum, default_value = "zh")]
    lang: LangArg,
    /// Header style.
    #[arg(long, value_enum, default_value = "short")]
    headers: HeadersArg,
    /// Destination file (default: OUT/exports/ogi.xlsx).
    #[arg(long)]
    dest: Option<PathBuf>,
}

/// Arguments of `ogi export warc`.
#[derive(Debug, Args)]
pub struct WarcArgs {
    /// Output directory holding the raw store.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Destination file (default: OUT/exports/ogi.warc.gz).
    #[arg(long)]
    dest: Option<PathBuf>,
}

/// Maps the CLI language to the analyze crate's.
pub fn lang(l: LangArg) -> ogi_analyze::Lang {
    match l {
        LangArg::Zh => ogi_analyze::Lang::Zh,
        LangArg::En => ogi_analyze::Lang::En,
        LangArg::Both => ogi_analyze::Lang::Both,
    }
}

/// Runs the export.
pub fn run(cmd: ExportCommand, cfg: &Config) -> anyhow::Result<i32> {
    match cmd {
        ExportCommand::Csv(a) => {
            let out = cfg.out(a.out);
            let dataset: ogi_analyze::Dataset = a.dataset.parse()?;
            let path = ogi_analyze::export_csv(
                &out,
                dataset,
                &options(a.lang, a.headers),
                a.dest.as_deref(),
            )?;
            let (csv, md) = ogi_analyze::write_codebook(path.parent().unwrap_or(&out))?;
            println!("{}\n{}\n{}", path.display(), csv.display(), md.display());
        }
        ExportCommand::Xlsx(a) => {
            let out = cfg.out(a.out);
            let names: Vec<String> = if a.datasets.is_empty() {
                let mut v = [
                    "panel",
                    "regions",
                    "agencies",
                    "review_litigation",
                    "proactive",
                    "quality",
                ]
                .map(String::from)
                .to_vec();
                let compliance = ogi_analyze::Dataset::Compliance;
                if ogi_analyze::partition_file(&out, compliance, None).is_file() {
                    v.push(compliance.name().to_string());
                }
                v
            } else {
                a.datasets
            };
            let datasets = names
                .iter()
                .map(|n| n.parse())
                .collect::<anyhow::Result<Vec<ogi_analyze::Dataset>>>()?;
            let path = ogi_analyze::export_xlsx(
                &out,
                &datasets,
                &options(a.lang, a.headers),
                a.dest.as_deref(),
            )?;
            println!("{}", path.display());
        }
        ExportCommand::Warc(a) => {
            let out = cfg.out(a.out);
            let dest = a
                .dest
                .unwrap_or_else(|| out.join("exports").join("ogi.warc.gz"));
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let n = ogi_crawler::export_warc(&out, &dest)?;
            println!("{n} records written to {}", dest.display());
        }
    }
    Ok(0)
}
