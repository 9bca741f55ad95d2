//! Resource limits for untrusted documents.
//!
//! Every reader checks the limits that concern it and, when one is exceeded,
//! records a flag `limit:<name>` (see [`Exceeded::flag`]) instead of crashing,
//! hanging or allocating without bound. Which [`crate::Status`] follows depends
//! on the reader: input it could not read at all is `Failed`; a PDF cut at its
//! page limit is still parsed from the pages read, with the flag.

use std::time::Duration;

/// Limits applied while reading one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (checked before anything else).
    pub max_input_bytes: usize,
    /// Largest total decompressed size of the entries read from a zip container (DOCX/XLSX).
    pub max_decompressed_bytes: u64,
    /// Most entries a zip container may list.
    pub max_zip_entries: usize,
    /// Most PDF pages read; later pages are dropped with a flag.
    pub max_pdf_pages: u32,
    /// Most indirect objects a PDF may hold (`obj` headers counted before any tool
    /// runs, and lopdf's object table in the fallback reader).
    pub max_pdf_objects: usize,
    /// Deepest element nesting an HTML page may have before the reader stops descending.
    pub max_html_depth: usize,
    /// Most text lines and grid rows a document may yield.
    pub max_lines: usize,
    /// Most non-empty cells read from one spreadsheet (all sheets); the sheet
    /// is read sparsely, so its declared or real dimensions cost nothing.
    pub max_sheet_cells: usize,
    /// Most bytes an external tool may print on standard output.
    pub max_tool_output_bytes: usize,
    /// Wall-clock budget for each external tool run (pdftotext, soffice, tesseract).
    pub tool_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 100 << 20,
            max_decompressed_bytes: 200 << 20,
            max_zip_entries: 5_000,
            max_pdf_pages: 300,
            max_pdf_objects: 500_000,
            max_html_depth: 512,
            max_lines: 200_000,
            max_sheet_cells: 2_000_000,
            max_tool_output_bytes: 64 << 20,
            tool_timeout: Duration::from_secs(60),
        }
    }
}

/// A limit that a document exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// [`Limits::max_input_bytes`].
    InputSize,
    /// [`Limits::max_decompressed_bytes`].
    ZipDecompressedSize,
    /// [`Limits::max_zip_entries`].
    ZipEntries,
    /// [`Limits::max_pdf_pages`].
    PdfPages,
    /// [`Limits::max_pdf_objects`].
    PdfObjects,
    /// [`Limits::max_html_depth`].
    HtmlDepth,
    /// [`Limits::max_lines`].
    Lines,
    /// A grid row wider than the column cap (clipped).
    TableColumns,
    /// [`Limits::max_sheet_cells`].
    SheetCells,
    /// [`Limits::max_tool_output_bytes`].
    ToolOutput,
    /// [`Limits::tool_timeout`].
    Timeout,
}

impl Exceeded {
    /// The report flag for this limit, e.g. `limit:zip_decompressed_size`.
    pub fn flag(self) -> String {
        let name = match self {
            Exceeded::InputSize => "input_size",
            Exceeded::ZipDecompressedSize => "zip_decompressed_size",
            Exceeded::ZipEntries => "zip_entries",
            Exceeded::PdfPages => "pdf_pages",
            Exceeded::PdfObjects => "pdf_objects",
            Exceeded::HtmlDepth => "html_depth",
            Exceeded::Lines => "lines",
            Exceeded::TableColumns => "table_columns",
            Exceeded::SheetCells => "sheet_cells",
            Exceeded::ToolOutput => "tool_output",
            Exceeded::Timeout => "timeout",
        };
        format!("limit:{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_named() {
        assert_eq!(
            Exceeded::ZipDecompressedSize.flag(),
            "limit:zip_decompressed_size"
        );
        assert_eq!(Exceeded::Timeout.flag(), "limit:timeout");
    }
}
