//! Document formats: sniffing, decoding and turning bytes into [`Line`]s for the
//! one parsing core ([`crate::parse_lines`]).
//!
//! [`parse_bytes`] = [`read_lines`] (sniff → decode → format reader → lines) →
//! [`crate::parse_lines`] → [`crate::region::annotate`], plus the document's
//! identity (source, SHA-256), format, charset, status and flags.
//!
//! | format | reader | notes |
//! |---|---|---|
//! | text (TSV, Markdown, text dumps) | [`crate::text::lines_from_text`] | charset detected |
//! | HTML | `html` (scraper) | grids with spans expanded; charset from header/meta/detection |
//! | PDF | `pdf`: `pdftotext -bbox` + geometry, lopdf fallback | `needs_ocr` without a usable text layer |
//! | DOCX | `docx` (zip + quick-xml) | gridSpan / vMerge |
//! | XLSX, XLS/ET | `xlsx` (calamine) | |
//! | DOC, WPS, RTF | LibreOffice → DOCX (`office`) | `needs_conversion` without `soffice` |
//! | images | with `--ocr`: PNG/JPEG wrapped into a page (`image_pdf`), then as a scanned PDF (`ocr`) | `needs_ocr` otherwise |
//!
//! Flags written here: `format_mismatch:declared=…,sniffed=…`, `charset_mismatch:…`,
//! `charset_errors`, `converted_by:<pdftotext|lopdf|soffice|tesseract>`,
//! `tool_missing:<tool>`, `limit:<name>` (see [`limits::Exceeded`]),
//! `pdf:no_text_layer`, `pdf:garbled_text`, `pdf:truncated`, `image:scanned_page`,
//! `ocr:unavailable`, `ocr:whole_page` (an image tesseract read whole, without
//! table geometry), `unsupported_format:<f>`, `reader_panic`, `panic:<message>` and
//! `<pdf|docx|xlsx|zip|conversion|ocr>_error:…` with the reason.
//!
//! External tools (all optional at build time, found on `PATH` at run time):
//! `pdftotext`/`pdftoppm` (Debian `poppler-utils`, plus `poppler-data` for CID
//! fonts such as STSong), `soffice` (`libreoffice-writer-nogui`), `tesseract`
//! (`tesseract-ocr` + `tesseract-ocr-chi-sim`). They run on a temporary copy
//! under a fixed name, with an argv array and a time budget (see `tool`).

mod bounded;
mod cells;
mod docx;
mod html;
mod image_pdf;
mod layout;
pub mod limits;
mod ocr;
mod office;
mod pdf;
mod raster;
mod scan_table;
pub mod sniff;
mod tool;
mod xlsx;
mod xml;
mod zipfile;

use crate::{Line, Provenance, Report, Status};
use cells::LineSink;
pub use limits::Limits;
use sha2::{Digest, Sha256};
use sniff::Format;

/// Options for [`parse_bytes`].
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The HTTP Content-Type the document was served with, if any (type and charset are used).
    pub content_type: Option<String>,
    /// The document's file name, path or URL: its extension is a format hint.
    pub file_name: Option<String>,
    /// Run OCR (tesseract, `chi_sim`) on scanned pages when it is installed.
    pub ocr: bool,
    /// Resource limits for this document.
    pub limits: Limits,
}

/// A document read into lines, before the parsing core.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extracted {
    /// The lines (text lines and table-grid rows), numbered from 1.
    pub lines: Vec<Line>,
    /// Detected format name (`html`, `pdf`, …).
    pub format: String,
    /// Charset used to decode text formats.
    pub charset: Option<String>,
    /// Findings of the reader (see the module docs).
    pub flags: Vec<String>,
    /// A status that overrides the core's (`needs_ocr`, `needs_conversion`, `failed`).
    pub status: Option<Status>,
    /// Whether the lines came from OCR (their values get provenance `ocr`).
    pub ocr: bool,
}

impl Extracted {
    fn fail(&mut self, status: Status, flag: impl Into<String>) {
        self.status = Some(status);
        self.flags.push(flag.into());
    }
}

/// Parses one document from its bytes: sniff format, decode, read lines, parse, annotate.
///
/// The whole of it runs isolated ([`crate::isolate::isolated`]): a panic anywhere
/// gives a `failed` report with the flag `panic:<message>`.
pub fn parse_bytes(source: &str, bytes: &[u8], opts: &ParseOptions) -> Report {
    let sha256 = hex::encode(Sha256::digest(bytes));
    crate::isolate::isolated(source, &sha256, || {
        parse_bytes_with_lines(source, bytes, opts).0
    })
}

/// [`parse_bytes`], also returning the lines the report was read from (for
/// [`crate::explain::explain`]). Not isolated: callers that must survive a
/// panic use [`parse_bytes`].
pub fn parse_bytes_with_lines(
    source: &str,
    bytes: &[u8],
    opts: &ParseOptions,
) -> (Report, Vec<Line>) {
    // the converter (pdftotext, …) is started first; the digest does not change `bytes`
    let mut ex = read_lines(bytes, opts);
    let sha256 = hex::encode(Sha256::digest(bytes));
    let lines = std::mem::take(&mut ex.lines);
    let mut report = crate::parse_lines(&lines);
    report.source = source.to_string();
    report.sha256 = sha256;
    report.format = Some(ex.format);
    report.charset = ex.charset;
    if let Some(status) = ex.status {
        report.status = status;
    }
    if ex.ocr {
        mark_ocr(&mut report);
    }
    let mut flags = ex.flags;
    flags.append(&mut report.flags);
    report.flags = flags;
    crate::region::annotate(&mut report);
    (report, lines)
}

/// Marks what OCR read: printed values become `ocr`, values inferred from them
/// `ocr_inferred`; a scan from which no number was read is `failed` with
/// `ocr:no_numbers` (an OCR run that read nothing must not pass for a parse).
fn mark_ocr(report: &mut Report) {
    let mut read = 0usize;
    for cell in &mut report.cells {
        match cell.provenance {
            Provenance::Printed => {
                cell.provenance = Provenance::Ocr;
                read += usize::from(cell.value.is_some());
            }
            Provenance::Inferred => cell.provenance = Provenance::OcrInferred,
            Provenance::Split => read += 1,
            _ => {}
        }
    }
    if read == 0 {
        report.flags.push("ocr:no_numbers".into());
        if matches!(report.status, Status::Parsed | Status::Partial) {
            report.status = Status::Failed;
        }
    }
}

/// Reads a document into lines: sniff → decode → format reader. Never panics on
/// bad input; what went wrong is in [`Extracted::flags`] and [`Extracted::status`].
/// A panic inside a third-party reader is caught and becomes `reader_panic`.
pub fn read_lines(bytes: &[u8], opts: &ParseOptions) -> Extracted {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_lines_unguarded(bytes, opts)
    }))
    .unwrap_or_else(|_| {
        let head = &bytes[..bytes.len().min(4096)];
        let mut ex = Extracted {
            format: sniff::sniff(head, None, None).format.as_str().into(),
            ..Extracted::default()
        };
        ex.fail(Status::Failed, "reader_panic");
        ex
    })
}

fn read_lines_unguarded(bytes: &[u8], opts: &ParseOptions) -> Extracted {
    let limits = &opts.limits;
    let mut ex = Extracted::default();
    if bytes.len() > limits.max_input_bytes {
        let head = &bytes[..bytes.len().min(4096)];
        ex.format = sniff::sniff(
            head,
            opts.content_type.as_deref(),
            opts.file_name.as_deref(),
        )
        .format
        .as_str()
        .into();
        ex.fail(Status::Failed, limits::Exceeded::InputSize.flag());
        return ex;
    }
    let sniffed = sniff::sniff(
        bytes,
        opts.content_type.as_deref(),
        opts.file_name.as_deref(),
    );
    ex.format = sniffed.format.as_str().to_string();
    if let Some(declared) = sniffed.declared {
        ex.flags.push(format!(
            "format_mismatch:declared={},sniffed={}",
            declared.as_str(),
            ex.format
        ));
    }
    let header_charset = opts
        .content_type
        .as_deref()
        .and_then(ogi_util::charset::header_charset);
    match sniffed.format {
        Format::Text | Format::Html => {
            let html = sniffed.format == Format::Html;
            let d = ogi_util::charset::decode(bytes, header_charset, html);
            ex.charset = Some(d.charset);
            ex.flags.extend(d.flags);
            if html {
                let (lines, flags) = html::read_html(&d.text, limits);
                ex.lines = lines;
                ex.flags.extend(flags);
            } else {
                ex.lines = crate::text::lines_from_text(&d.text);
                if ex.lines.len() > limits.max_lines {
                    ex.lines.truncate(limits.max_lines);
                    ex.flags.push(limits::Exceeded::Lines.flag());
                }
            }
        }
        Format::Pdf => read_pdf(bytes, opts, &mut ex),
        Format::Docx => take(&mut ex, docx::read_docx(bytes, limits)),
        Format::Xlsx => take(&mut ex, xlsx::read_workbook(bytes, true, limits)),
        Format::Xls => match xlsx::read_workbook(bytes, false, limits) {
            Ok(read) => take(&mut ex, Ok(read)),
            Err(e) => {
                ex.flags.push(e);
                convert_then(bytes, "xls", "xlsx", limits, &mut ex);
            }
        },
        Format::Doc => convert_then(bytes, "doc", "docx", limits, &mut ex),
        Format::Rtf => convert_then(bytes, "rtf", "docx", limits, &mut ex),
        Format::Image => {
            if opts.ocr {
                ocr_into(|| ocr::ocr_image(bytes, limits), limits, &mut ex);
            } else {
                ex.fail(Status::NeedsOcr, "image:scanned_page");
            }
        }
        Format::Zip | Format::Unknown => {
            ex.fail(Status::Failed, format!("unsupported_format:{}", ex.format))
        }
    }
    ex
}

/// Takes a reader's lines and flags, or its error flag as a failure.
fn take(ex: &mut Extracted, read: Result<(Vec<Line>, Vec<String>), String>) {
    match read {
        Ok((lines, flags)) => {
            ex.lines = lines;
            ex.flags.extend(flags);
        }
        Err(flag) => ex.fail(Status::Failed, flag),
    }
}

/// LibreOffice conversion to DOCX/XLSX, then the in-process reader.
fn convert_then(bytes: &[u8], ext: &str, target: &str, limits: &Limits, ex: &mut Extracted) {
    match office::convert(bytes, ext, target, limits) {
        Ok(converted) => {
            ex.flags.push("converted_by:soffice".into());
            let read = if target == "docx" {
                docx::read_docx(&converted, limits)
            } else {
                xlsx::read_workbook(&converted, true, limits)
            };
            take(ex, read);
        }
        Err(flag) if flag.starts_with("tool_missing:") => ex.fail(Status::NeedsConversion, flag),
        Err(flag) => ex.fail(Status::Failed, flag),
    }
}

/// PDF text rows, judged for quality; OCR when unusable and asked for.
fn read_pdf(bytes: &[u8], opts: &ParseOptions, ex: &mut Extracted) {
    let limits = &opts.limits;
    let got = pdf::read_pdf(bytes, limits);
    ex.flags.extend(got.flags);
    if got.failed {
        ex.status = Some(Status::Failed);
        return;
    }
    let quality = pdf::text_quality(got.rows.iter().flatten().map(String::as_str));
    let Some(flag) = quality.flag() else {
        ex.lines = rows_to_lines(got.rows, limits, &mut ex.flags);
        return;
    };
    ex.flags.push(flag.to_string());
    if opts.ocr {
        ocr_into(|| ocr::ocr_pdf(bytes, limits), limits, ex);
    } else {
        ex.status = Some(Status::NeedsOcr);
    }
}

/// Runs OCR if tesseract is installed and takes its rows; otherwise (or when it
/// fails) the document stays `needs_ocr` with the reason as a flag.
fn ocr_into(
    run: impl FnOnce() -> Result<(Vec<Vec<String>>, Vec<String>), String>,
    limits: &Limits,
    ex: &mut Extracted,
) {
    if !ocr::available(limits) {
        ex.fail(Status::NeedsOcr, "ocr:unavailable");
        return;
    }
    match run() {
        Ok((rows, flags)) => {
            ex.flags.push("converted_by:tesseract".into());
            ex.flags.extend(flags);
            ex.lines = rows_to_lines(rows, limits, &mut ex.flags);
            ex.ocr = true;
        }
        Err(flag) => ex.fail(Status::NeedsOcr, flag),
    }
}

/// Numbers visual rows as lines under the line limit.
fn rows_to_lines(rows: Vec<Vec<String>>, limits: &Limits, flags: &mut Vec<String>) -> Vec<Line> {
    let mut sink = LineSink::new(limits.max_lines);
    for row in rows {
        sink.row(row);
    }
    let (lines, exceeded) = sink.finish();
    flags.extend(exceeded.map(limits::Exceeded::flag));
    lines
}
