//! Format readers end to end: the same report as TSV, HTML (GBK), DOCX and PDF
//! must give the same lines (and, through the core, the same cells); hostile
//! inputs must end with a flag, never a panic or a hang.
//!
//! PDF tests need `pdftotext` (Debian `poppler-utils`, plus `poppler-data` for
//! CID fonts); fixtures are regenerated with `scripts/make_fixtures.py`.

#[path = "formats/blank_cells.rs"]
mod blank_cells;
#[path = "formats/fixture.rs"]
mod fixture;
#[path = "formats/fuzz.rs"]
mod fuzz;
#[path = "shared/gold.rs"]
mod gold;
#[path = "formats/hostile.rs"]
mod hostile;
#[path = "formats/same_content.rs"]
mod same_content;
#[path = "formats/scans.rs"]
mod scans;
