//! `ogi portals import SEED.csv`: seed rows → `data/portals/<province>.toml`.

use clap::Args;
use ogi_crawler::registry_import;
use std::path::PathBuf;

/// Arguments of `ogi portals import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Seed CSV (agency, level, region, region_code, home_url, report_column_url,
    /// platform, source, xxgk_url, notes).
    csv: PathBuf,
    /// Directory of the per-province registry files.
    #[arg(long, default_value = "data/portals")]
    dir: PathBuf,
}

/// Imports the seed list; exit 1 when rows were rejected (they are listed).
pub fn run(args: ImportArgs) -> anyhow::Result<i32> {
    let text = std::fs::read_to_string(&args.csv)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", args.csv.display()))?;
    let imp = registry_import::import(&text, &super::gazetteer);
    let source = args.csv.file_name().map_or_else(
        || args.csv.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let paths = registry_import::write(&args.dir, &imp, &source)?;
    println!(
        "{} rows: {} entries in {} files under {}, {} rejected, {} region codes not confirmed by the gazetteer",
        imp.rows,
        imp.entries(),
        paths.len(),
        args.dir.display(),
        imp.errors.len(),
        imp.mismatches.len()
    );
    for e in &imp.errors {
        println!("  rejected line {} ({}): {}", e.line, e.agency, e.reason);
    }
    for m in &imp.mismatches {
        println!(
            "  region line {} {}: {} {} — gazetteer: {}",
            m.line, m.id, m.region, m.code, m.gazetteer
        );
    }
    Ok(i32::from(!imp.errors.is_empty()))
}
