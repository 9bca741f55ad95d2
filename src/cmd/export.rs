//! `ogi export csv|warc`.

use crate::config::Config;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What to export.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A dataset as CSV for spreadsheets (UTF-8 with BOM), plus the codebook.
    Csv(CsvArgs),
    /// Everything fetched, as standard WARC 1.1 records.
    Warc(WarcArgs),
}

/// Header language of the CSV.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Chinese headers.
    Zh,
    /// English headers.
    En,
    /// `中文 / English` headers.
    Both,
}

/// Arguments of `ogi export csv`.
#[derive(Debug, Args)]
pub struct CsvArgs {
    /// Output directory holding the datasets.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Dataset name (panel, requests, dispositions, review_litigation, proactive, regions, quality).
    #[arg(long)]
    dataset: String,
    /// Header language.
    #[arg(long, value_enum, default_value = "both")]
    lang: LangArg,
    /// Destination file (default: OUT/exports/<dataset>.csv).
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
            let path = ogi_analyze::export_csv(&out, dataset, lang(a.lang), a.dest.as_deref())?;
            let (csv, md) = ogi_analyze::write_codebook(path.parent().unwrap_or(&out))?;
            println!("{}\n{}\n{}", path.display(), csv.display(), md.display());
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
