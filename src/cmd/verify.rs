//! `ogi verify`: checks that what an output directory holds is whole and true.
//!
//! 1. Raw store: every blob under `OUT/raw` is re-hashed and must match its
//!    name; the crawl state passes SQLite's integrity check, and every stored
//!    document it lists has its blob.
//! 2. Extraction: a sample of extracted documents is extracted again and its
//!    cells compared, row for row, with the stored cells.
//! 3. Files: every Parquet file in OUT is read to the end, every JSON file
//!    parses, every CSV file is UTF-8 with the same number of fields per record.
//!
//! Every mismatch is printed; the exit code is 1 when there is any, 0 otherwise.

use crate::config::Config;
use crate::pipeline::extract_stage::stored_inputs;
use crate::pipeline::{cells_dir, extract_stage, parts, reports_dir};
use anyhow::Context;
use arrow::array::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use clap::Args;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Arguments of `ogi verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Output directory to check.
    #[arg(long)]
    out: Option<PathBuf>,
    /// How many extracted documents to extract again and compare (0: none).
    #[arg(long, default_value_t = 20)]
    sample: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// What `ogi verify` found.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Findings {
    /// Raw blobs re-hashed.
    pub raw_blobs: usize,
    /// Documents extracted again and compared.
    pub reextracted: usize,
    /// Parquet, JSON and CSV files read.
    pub files_read: usize,
    /// Every problem found, one line each.
    pub mismatches: Vec<String>,
}

/// Runs every check on `out`, re-extracting up to `sample` documents.
pub fn verify(out: &Path, sample: usize) -> anyhow::Result<Findings> {
    anyhow::ensure!(out.is_dir(), "{} does not exist", out.display());
    let mut f = Findings::default();
    check_raw_store(out, &mut f)?;
    check_reextraction(out, sample, &mut f)?;
    check_files(out, out, &mut f)?;
    Ok(f)
}

/// Re-hashes every blob, and looks for the blob of every stored document.
fn check_raw_store(out: &Path, f: &mut Findings) -> anyhow::Result<()> {
    let raw = out.join("raw");
    if raw.is_dir() {
        for dir in sorted_entries(&raw)? {
            if !dir.is_dir() {
                continue;
            }
            let prefix = file_name(&dir);
            for blob in sorted_entries(&dir)? {
                let name = file_name(&blob);
                if name.starts_with('.') {
                    continue; // temporary file of an interrupted write, swept by the next crawl
                }
                f.raw_blobs += 1;
                let bytes =
                    std::fs::read(&blob).with_context(|| format!("reading {}", blob.display()))?;
                let expected = format!("{prefix}{}", name.trim_end_matches(".bin"));
                let got = hex::encode(Sha256::digest(&bytes));
                if got != expected {
                    f.mismatches.push(format!(
                        "raw/{prefix}/{name}: content hashes to {got}, not to its name"
                    ));
                }
            }
        }
    }
    if out.join("crawl").is_dir() {
        let db = ogi_crawler::state::StateDb::open_existing(out)?;
        for p in db
            .integrity_problems()
            .context("checking the crawl state")?
        {
            f.mismatches.push(format!("crawl/state.sqlite: {p}"));
        }
        for doc in ogi_crawler::stored_documents(out).context("reading the crawl state")? {
            if !doc.path.is_file() {
                f.mismatches.push(format!(
                    "{}: its stored body {} is missing",
                    doc.url,
                    doc.path.display()
                ));
            }
        }
    }
    Ok(())
}

/// Extracts a sample of documents again and compares the cells with the stored ones.
fn check_reextraction(out: &Path, sample: usize, f: &mut Findings) -> anyhow::Result<()> {
    if sample == 0 || !out.join("crawl").is_dir() {
        return Ok(());
    }
    let done = extract_stage::extracted_ids(out)?;
    let mut docs: Vec<_> = stored_inputs(out)?
        .into_iter()
        .filter(|d| done.contains(&d.sha256) && d.path.is_file())
        .collect();
    docs.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    docs.dedup_by(|a, b| a.sha256 == b.sha256);
    // Evenly spread over the documents, the same sample every time.
    let step = docs.len().div_ceil(sample).max(1);
    let picked: Vec<_> = docs.into_iter().step_by(step).take(sample).collect();
    let ids: BTreeSet<String> = picked.iter().map(|d| d.sha256.clone()).collect();
    let stored = stored_cell_rows(out, &ids)?;
    let ocr_ids = reports_with_flag(out, &ids, "converted_by:tesseract")?;
    for doc in &picked {
        let ocr = ocr_ids.contains(&doc.sha256);
        let report = extract_stage::parse_one(doc, ocr);
        let batch = ogi_extract::arrow_out::cells_batch(std::slice::from_ref(&report))
            .context("building cells")?;
        let mut fresh = rows_as_text(&batch)?;
        fresh.sort();
        let mut old = stored.get(&doc.sha256).cloned().unwrap_or_default();
        old.sort();
        f.reextracted += 1;
        if fresh != old {
            let first = fresh
                .iter()
                .zip(&old)
                .find(|(a, b)| a != b)
                .map_or_else(String::new, |(a, b)| {
                    format!("; first difference: now {a:?}, stored {b:?}")
                });
            f.mismatches.push(format!(
                "{} ({}): {} cells stored, {} extracted again{first}",
                doc.source,
                doc.sha256,
                old.len(),
                fresh.len()
            ));
        }
    }
    Ok(())
}

/// The stored cell rows of the reports in `ids`, each row as one line of text.
fn stored_cell_rows(
    out: &Path,
    ids: &BTreeSet<String>,
) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, path) in parts::list(&cells_dir(out))? {
        for b in parts::read_batches(&path)? {
            let report = parts::str_col(&b, "report_id")?;
            let text = rows_as_text(&b)?;
            for (i, line) in text.into_iter().enumerate() {
                if ids.contains(report.value(i)) {
                    rows.entry(report.value(i).to_string())
                        .or_default()
                        .push(line);
                }
            }
        }
    }
    Ok(rows)
}

/// The reports in `ids` whose flags include `flag`.
fn reports_with_flag(
    out: &Path,
    ids: &BTreeSet<String>,
    flag: &str,
) -> anyhow::Result<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    for (_, path) in parts::list(&reports_dir(out))? {
        for b in parts::read_batches(&path)? {
            let (id, flags) = (
                parts::str_col(&b, "report_id")?,
                parts::str_col(&b, "flags")?,
            );
            for i in 0..b.num_rows() {
                if ids.contains(id.value(i)) && flags.value(i).contains(flag) {
                    found.insert(id.value(i).to_string());
                }
            }
        }
    }
    Ok(found)
}

/// Each row of a batch as `col=value|…` text, columns in schema order.
fn rows_as_text(b: &RecordBatch) -> anyhow::Result<Vec<String>> {
    let opts = FormatOptions::default().with_null("∅");
    let fmts = b
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..b.num_rows())
        .map(|i| {
            fmts.iter()
                .map(|f| f.value(i).to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect())
}

/// Reads every Parquet, JSON and CSV file under `dir` (raw blobs excepted).
fn check_files(out: &Path, dir: &Path, f: &mut Findings) -> anyhow::Result<()> {
    for path in sorted_entries(dir)? {
        let name = file_name(&path);
        if path.is_dir() {
            if path != out.join("raw") {
                check_files(out, &path, f)?;
            }
            continue;
        }
        if name.starts_with('.') {
            continue;
        }
        let shown = path
            .strip_prefix(out)
            .unwrap_or(&path)
            .display()
            .to_string();
        let problem = match path.extension().and_then(|e| e.to_str()) {
            Some("parquet") => parts::read_batches(&path).err().map(|e| format!("{e:#}")),
            Some("json") => std::fs::read(&path)
                .map_err(anyhow::Error::from)
                .and_then(|b| Ok(serde_json::from_slice::<serde_json::Value>(&b)?))
                .err()
                .map(|e| format!("{e:#}")),
            Some("csv") => std::fs::read(&path)
                .map_err(anyhow::Error::from)
                .and_then(|b| csv_shape(&b))
                .err()
                .map(|e| format!("{e:#}")),
            _ => continue,
        };
        f.files_read += 1;
        if let Some(p) = problem {
            f.mismatches.push(format!("{shown}: unreadable: {p}"));
        }
    }
    Ok(())
}

/// Checks a CSV file: UTF-8 (a BOM allowed), quotes closed, the same number of
/// fields in every record, and a final line break (a cut file has none).
fn csv_shape(bytes: &[u8]) -> anyhow::Result<()> {
    let text = std::str::from_utf8(bytes).context("not UTF-8")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.is_empty() {
        return Ok(());
    }
    anyhow::ensure!(
        text.ends_with('\n'),
        "does not end with a line break (cut?)"
    );
    let (mut fields, mut quoted, mut width, mut record) = (1usize, false, None, 1usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields += 1,
            '\n' if !quoted => {
                match width {
                    None => width = Some(fields),
                    Some(w) => anyhow::ensure!(
                        w == fields,
                        "record {record} has {fields} fields, the header {w}"
                    ),
                }
                fields = 1;
                record += 1;
            }
            _ => {}
        }
    }
    anyhow::ensure!(!quoted, "a quoted field is never closed");
    Ok(())
}

fn sorted_entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs the checks and prints what was found; exit 1 on any mismatch.
pub fn run(args: VerifyArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out(args.out);
    let f = verify(&out, args.sample)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&f)?);
    } else {
        println!(
            "{} raw blobs re-hashed, {} documents extracted again, {} files read: {} mismatches",
            f.raw_blobs,
            f.reextracted,
            f.files_read,
            f.mismatches.len()
        );
        for m in &f.mismatches {
            println!("  {m}");
        }
    }
    Ok(if f.mismatches.is_empty() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_shape_finds_cut_and_ragged_files() {
        assert!(csv_shape("\u{feff}a,b\n1,\"x,\"\"y\"\"\nz\"\n".as_bytes()).is_ok());
        assert!(csv_shape(b"a,b\n1,2").is_err());
        assert!(csv_shape(b"a,b\n1,2,3\n").is_err());
        assert!(csv_shape(b"a,b\n1,\"2\n").is_err());
    }
}
