//! # ogi-extract
//!
//! Turns one Open Government Information annual report (政府信息公开工作年度报告)
//! into traced, checked [`Cell`]s: raw document → lines/grid rows ([`Line`]) →
//! template tables → [`Report`] → Arrow record batches.
//!
//! The parsing core ([`parse_lines`]) is pure: it sees lines of text, never files
//! or the network. Format readers (text, HTML, PDF, DOCX, …) turn bytes into lines.

pub mod model;

pub use model::*;

/// One line of source text, or one row of a table grid, with its cells.
///
/// Text input gives one `Line` per text line, split into cells at tabs (TSV)
/// or pipes (Markdown); whitespace inside a cell is kept for the reader.
/// HTML/DOCX/XLSX grids give one `Line` per table row with spans expanded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line {
    /// 1-based line number (or grid row number) in the source.
    pub no: u32,
    /// Cells of the line, in reading order, untrimmed text.
    pub cells: Vec<String>,
}

pub mod arrow_out;
pub mod checks;
pub mod confusable;
pub mod explain;
pub mod formats;
pub mod identities;
pub mod infer;
pub mod isolate;
pub mod issued;
pub mod labels;
pub mod metadata;
pub mod normalize;
pub mod parse;
mod phrase;
pub mod reader;
pub mod region;
pub mod render;
pub mod scope;
pub mod text;
pub mod value;
pub mod vocab;

pub use formats::{ParseOptions, parse_bytes};
pub use isolate::isolated;
pub use parse::parse_lines;
pub use text::lines_from_text;

/// Builds now what the parsing core otherwise builds at its first use: the
/// vocabulary, the identities, the gazetteer's index and the table of
/// confusable characters (the core compiles no regular expression: their
/// building was the largest part of a short run's CPU time, see [`phrase`]).
/// Results do not depend on whether or when this runs.
pub(crate) fn warm_up() {
    vocab::vocab();
    for t in [Template::V2019, Template::V2021] {
        identities::identities(t);
    }
    reader::table3::warm_up();
    region::warm_up();
}

/// Runs [`warm_up`] on the calling thread, once per process. Called right
/// after an external converter is started, so that the work is done on
/// another core than the converter's while the parser would otherwise sit
/// idle; on this thread, whose heap and caches the parse then reuses, rather
/// than on a thread of its own. A thread calling this while another runs it
/// waits for it (it would wait for the tables at their first use anyway).
pub(crate) fn warm_up_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(warm_up);
}
