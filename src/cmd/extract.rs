//! `ogi extract`: the extract stage alone over the raw store.

use crate::config::Config;
use crate::pipeline::{extract_stage, lock};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `ogi extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Output directory holding the raw store.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run OCR on scanned documents when tesseract is installed.
    #[arg(long)]
    ocr: bool,
}

/// The number of worker threads to use by default.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Lists the crawler's stored documents and the imported ones (`ogi import`)
/// as extract inputs. OUT needs one or the other.
pub fn stored_inputs(out: &std::path::Path) -> anyhow::Result<Vec<extract_stage::DocInput>> {
    let imported = crate::pipeline::imports::list(out)?;
    let crawled = if ogi_crawler::state::db_path(out).exists() || imported.is_empty() {
        ogi_crawler::stored_documents(out)?
    } else {
        Vec::new()
    };
    let mut docs: Vec<extract_stage::DocInput> = crawled
        .into_iter()
        .map(|d| extract_stage::DocInput {
            source: d.url,
            path: d.path,
            sha256: d.sha256,
            content_type: Some(d.content_type),
            portal_id: Some(d.portal_id),
            fetched_at: Some(d.fetched_at),
            file_name: None,
            listed: extract_stage::Listed {
                title: d.list_title,
                agency: None,
                year: d.year.map(i32::from),
                region_code: d.portal_region_code,
                origin: extract_stage::HintOrigin::List,
            },
        })
        .collect();
    docs.extend(imported.into_iter().map(|d| extract_stage::DocInput {
        path: ogi_crawler::raw::raw_path(out, &d.sha256),
        source: d.source,
        sha256: d.sha256,
        content_type: None,
        portal_id: Some("import".to_string()),
        fetched_at: Some(d.imported_at),
        file_name: Some(d.file_name),
        listed: extract_stage::Listed {
            title: None,
            agency: d.agency_hint,
            year: d.year_hint,
            region_code: None,
            origin: extract_stage::HintOrigin::Import,
        },
    }));
    Ok(docs)
}

/// Runs the stage; exit code 1 when some documents could not be read.
pub fn run(args: ExtractArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out_or(args.out, "ogi-out");
    let _lock = lock::acquire(&out, "extract")?;
    let docs = stored_inputs(&out)?;
    let threads = args.threads.unwrap_or_else(default_threads);
    let (stats, _) = extract_stage::run(&out, &docs, threads, args.ocr)?;
    println!("{}", serde_json::to_string_pretty(&stats)?);
    Ok(if stats.failed == 0 { 0 } else { 1 })
}
