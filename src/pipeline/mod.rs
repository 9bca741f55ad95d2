//! Wiring between the stages: the extract stage over the raw store, run records,
//! the run lock of OUT and the "what changed" summary. Stages talk only through
//! files in OUT; this module moves data between their public APIs.

pub mod changes;
pub mod extract_stage;
pub mod imports;
pub mod lock;
pub mod nightly;
pub mod parts;
pub mod runlog;

use std::path::{Path, PathBuf};

/// `OUT/extract/reports` (one Parquet part per extract batch).
pub fn reports_dir(out: &Path) -> PathBuf {
    out.join("extract").join("reports")
}

/// `OUT/extract/cells` (parts named like their `reports` twin).
pub fn cells_dir(out: &Path) -> PathBuf {
    out.join("extract").join("cells")
}
