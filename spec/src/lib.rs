//! # ogi-spec
//!
//! What every ogi stage must agree on, written down once and embedded in the
//! binary at compile time (so no output depends on the working directory or
//! on where the binary was built):
//!
//! * [`vocab`]: the template vocabulary (`data/spec/*.csv`), the canonical keys
//!   of tables 2, 3 and 4 with their labels, units, roles and aliases;
//! * [`gazetteer`]: China's administrative divisions (`data/gazetteer/divisions.csv`);
//! * [`confusables`]: visually confusable characters of place names
//!   (`data/gazetteer/confusables.csv`);
//! * [`sectors`]: the agency sector vocabulary (`data/agency_sectors.csv`);
//! * [`value_labels`]: the Chinese and English labels of the datasets' coded
//!   values (`data/value_labels.csv`);
//! * [`parts`]: the column contract of the extract stage's Parquet parts
//!   (`reports`, `cells`), written by `ogi-extract`, read by `ogi-analyze`.
//!
//! This crate parses CSV into plain rows; each stage builds its own views
//! (normalised match labels in extract, codebook terms in analyze) from them.

#![warn(missing_docs)]

pub mod confusables;
pub mod csvtable;
pub mod gazetteer;
pub mod parts;
pub mod sectors;
pub mod value_labels;
pub mod vocab;

pub use csvtable::CsvTable;
