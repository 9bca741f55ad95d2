//! `ogi parse`: extract the template tables of report files and print them.

use crate::messages;
use anyhow::Context;
use clap::{Args, ValueEnum};
use ogi_extract::{ParseOptions, Report, Status, arrow_out, explain, render};
use std::io::{Read, Write};
use std::path::PathBuf;

/// Output format of `ogi parse`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per file (JSON Lines for several files).
    Json,
    /// The long cell table (one row per cell).
    Csv,
    /// A human-readable table 3 with the check results.
    Table,
}

/// Arguments of `ogi parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Also write `reports.parquet` and `cells.parquet` into this directory.
    #[arg(long, value_name = "DIR")]
    parquet: Option<PathBuf>,
    /// Run OCR (tesseract) on scanned documents when it is installed.
    #[arg(long)]
    ocr: bool,
    /// Instead of the tables, explain every template row: the source line(s)
    /// and raw text it was read from, or why it was not found.
    #[arg(long)]
    explain: bool,
    /// Report files (text, HTML, PDF, DOCX, XLSX, …); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Reads one input (a path or `-` for stdin).
fn read_input(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Parses every file; prints in the chosen format (or the explanation with
/// `--explain`). Exit code 1 when some file did not parse (status other than
/// `parsed` or `partial`); a partial report is named on standard error.
pub fn run(args: ParseArgs) -> anyhow::Result<i32> {
    let mut reports: Vec<Report> = Vec::with_capacity(args.files.len());
    let mut explained = String::new();
    let mut failed = 0usize;
    for path in &args.files {
        let source = path.display().to_string();
        match read_input(path) {
            Ok(bytes) => {
                let opts = ParseOptions {
                    file_name: Some(source.clone()),
                    ocr: args.ocr,
                    ..ParseOptions::default()
                };
                let (report, lines) =
                    ogi_extract::formats::parse_bytes_with_lines(&source, &bytes, &opts);
                match report.status {
                    Status::Parsed => {}
                    Status::Partial => eprintln!(
                        "{}",
                        messages::partial(
                            &source,
                            report.completeness.unwrap_or(0.0),
                            args.explain
                        )
                    ),
                    _ => {
                        failed += 1;
                        eprintln!(
                            "{}",
                            messages::not_parsed(&source, report.status.as_str(), &report.flags)
                        );
                    }
                }
                if args.explain {
                    explained.push_str(&explain::explain(&report, &lines));
                }
                reports.push(report);
            }
            Err(err) => {
                failed += 1;
                eprintln!("{}", messages::unreadable(&err));
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.explain {
        out.write_all(explained.as_bytes())?;
    } else {
        print_reports(&mut out, args.format, &reports)?;
    }
    if let Some(dir) = &args.parquet {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let reports_batch = arrow_out::reports_batch(&reports).context("building reports batch")?;
        arrow_out::write_parquet(&dir.join("reports.parquet"), &reports_batch)?;
        let cells_batch = arrow_out::cells_batch(&reports).context("building cells batch")?;
        arrow_out::write_parquet(&dir.join("cells.parquet"), &cells_batch)?;
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

/// Prints the reports in the chosen format.
fn print_reports(out: &mut impl Write, format: Format, reports: &[Report]) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            for r in reports {
                writeln!(out, "{}", render::to_json(r))?;
            }
        }
        Format::Csv => out.write_all(render::cells_csv(reports).as_bytes())?,
        Format::Table => {
            for r in reports {
                writeln!(out, "{}", render::table3_text(r))?;
            }
        }
    }
    Ok(())
}
