//! Document formats: sniffing, decoding and turning bytes into [`Line`]s.

use crate::{Line, Report};

/// Options for [`parse_bytes`].
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The HTTP Content-Type the document was served with, if any.
    pub content_type: Option<String>,
}

/// Parses one document from its bytes: sniff format, decode, read lines, parse, annotate.
pub fn parse_bytes(source: &str, bytes: &[u8], opts: &ParseOptions) -> Report {
    // STUB (helper C replaces this): treats input as UTF-8 text.
    let _ = opts;
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| Line { no: i as u32 + 1, cells: l.split('\t').map(str::to_string).collect() })
        .collect();
    let mut report = crate::parse_lines(&lines);
    report.source = source.to_string();
    crate::region::annotate(&mut report);
    report
}
