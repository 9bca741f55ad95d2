//! Document type detection: magic bytes first, then the HTTP Content-Type, then
//! the file extension, then a text/binary guess.
//!
//! Magic bytes win because portals mislabel freely (a WAF block page served as
//! `application/pdf`, a `.doc` link that returns a DOCX). When the declared type
//! names a different known format, [`Sniffed::declared`] keeps it so the caller
//! can flag the mismatch.

use std::io::Cursor;

/// A document format the extractor knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text (TSV, Markdown, PDF text dumps).
    Text,
    /// An HTML page.
    Html,
    /// A PDF file.
    Pdf,
    /// Office Open XML word processing (`.docx`, also WPS Office's DOCX output).
    Docx,
    /// Office Open XML spreadsheet (`.xlsx`).
    Xlsx,
    /// OLE compound file holding a Word document (`.doc`, Kingsoft `.wps`).
    Doc,
    /// OLE compound file holding an Excel workbook (`.xls`, Kingsoft `.et`).
    Xls,
    /// Rich Text Format.
    Rtf,
    /// A raster image (PNG, JPEG, GIF, TIFF, BMP): a scanned page.
    Image,
    /// A zip archive that is neither DOCX nor XLSX.
    Zip,
    /// Binary data of no known kind.
    Unknown,
}

impl Format {
    /// The lowercase name recorded in [`crate::Report::format`].
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Doc => "doc",
            Format::Xls => "xls",
            Format::Rtf => "rtf",
            Format::Image => "image",
            Format::Zip => "zip",
            Format::Unknown => "unknown",
        }
    }
}

/// The result of [`sniff`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The format the reader should use.
    pub format: Format,
    /// A different known format that the Content-Type or extension claimed, if any.
    pub declared: Option<Format>,
}

/// Detects the format of `bytes`, using `content_type` and `file_name` (path or
/// URL) only when the bytes themselves do not tell.
pub fn sniff(bytes: &[u8], content_type: Option<&str>, file_name: Option<&str>) -> Sniffed {
    let declared = content_type
        .and_then(from_content_type)
        .or_else(|| file_name.and_then(from_extension));
    let format = from_magic(bytes).or(declared).unwrap_or_else(|| {
        if looks_like_text(bytes) {
            Format::Text
        } else {
            Format::Unknown
        }
    });
    let declared = declared.filter(|d| *d != format && !compatible(*d, format));
    Sniffed { format, declared }
}

/// Declared and sniffed formats that are the same thing under another label.
fn compatible(declared: Format, sniffed: Format) -> bool {
    matches!(
        (declared, sniffed),
        // legacy labels for the new format (a .doc link serving DOCX is common and harmless)
        (Format::Doc, Format::Docx) | (Format::Xls, Format::Xlsx) | (Format::Text, Format::Html)
    )
}

/// The format told by the leading bytes, if they tell.
fn from_magic(bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Some(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(zip_kind(bytes));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(ole_kind(bytes));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF87a")
        || bytes.starts_with(b"GIF89a")
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
    {
        return Some(Format::Image);
    }
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes)
        && enc != encoding_rs::UTF_8
    {
        // UTF-16 text: look at its first chars as UTF-8
        let head = &bytes[bom..bytes.len().min(8192)];
        let (text, _) = enc.decode_without_bom_handling(head);
        return Some(if looks_like_html(text.as_bytes()) {
            Format::Html
        } else {
            Format::Text
        });
    }
    if bytes.starts_with(b"{\\rtf") {
        return Some(Format::Rtf);
    }
    if looks_like_html(bytes) {
        return Some(Format::Html);
    }
    None
}

/// DOCX or XLSX by the zip's entry names (central directory only, nothing inflated).
fn zip_kind(bytes: &[u8]) -> Format {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Format::Zip;
    };
    let names: Vec<String> = archive
        .file_names()
        .take(10_000)
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if has("word/") {
        Format::Docx
    } else if has("xl/") {
        Format::Xlsx
    } else {
        Format::Zip
    }
}

/// Word or Excel inside an OLE compound file, by the UTF-16LE stream names in its directory.
fn ole_kind(bytes: &[u8]) -> Format {
    let utf16 = |s: &str| {
        s.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()
    };
    if find(bytes, &utf16("WordDocument")).is_some() {
        Format::Doc
    } else if find(bytes, &utf16("Workbook")).is_some() || find(bytes, &utf16("Book")).is_some() {
        Format::Xls
    } else {
        Format::Doc
    }
}

/// Whether the bytes start (after a BOM and whitespace) like an HTML document.
fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    if head.get(start) != Some(&b'<') {
        return false;
    }
    let lower = head.to_ascii_lowercase();
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<meta",
        b"<title",
        b"<table",
        b"<div",
        b"<p>",
        b"<!--",
    ]
    .iter()
    .any(|tag| find(&lower, tag).is_some())
}

/// No NUL bytes in the first 8 KiB: text in some 8-bit or UTF-8 charset.
fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes[..bytes.len().min(8192)].contains(&0)
}

/// The format named by an HTTP Content-Type, if it names one.
fn from_content_type(ct: &str) -> Option<Format> {
    let mime = ct.split(';').next()?.trim().to_ascii_lowercase();
    Some(match mime.as_str() {
        "text/html" | "application/xhtml+xml" => Format::Html,
        "text/plain" | "text/csv" | "text/tab-separated-values" | "text/markdown" => Format::Text,
        "application/pdf" | "application/x-pdf" => Format::Pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Format::Docx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Format::Xlsx,
        "application/msword"
        | "application/vnd.ms-works"
        | "application/wps-office.wps"
        | "application/kswps" => Format::Doc,
        "application/vnd.ms-excel" | "application/wps-office.et" | "application/kset" => {
            Format::Xls
        }
        "application/rtf" | "text/rtf" => Format::Rtf,
        m if m.starts_with("image/") => Format::Image,
        "application/zip" => Format::Zip,
        _ => return None,
    })
}

/// The format named by the extension of a path or URL. A script path
/// (`/module/download/downfile.jsp?filename=a.pdf`) defers to a file name in
/// its query; the fragment is ignored.
fn from_extension(name: &str) -> Option<Format> {
    let name = name.split('#').next()?;
    let (path, query) = name.split_once('?').unwrap_or((name, ""));
    let last = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let by_path = ext.as_deref().and_then(ext_format);
    let script = matches!(
        ext.as_deref(),
        Some("jsp" | "asp" | "aspx" | "php" | "do" | "action")
    );
    if by_path.is_some() && !script {
        return by_path;
    }
    let by_query = query
        .split('&')
        .filter_map(|kv| kv.rsplit_once('.').and_then(|(_, e)| ext_format(e)))
        .find(|f| *f != Format::Html);
    by_query.or(by_path)
}

/// The format of a file extension (without the dot), case-insensitive.
fn ext_format(ext: &str) -> Option<Format> {
    Some(match ext.to_ascii_lowercase().as_str() {
        "htm" | "html" | "shtml" | "xhtml" | "jsp" | "asp" | "aspx" | "php" => Format::Html,
        "txt" | "tsv" | "csv" | "md" => Format::Text,
        "pdf" => Format::Pdf,
        "docx" => Format::Docx,
        "xlsx" => Format::Xlsx,
        "doc" | "wps" => Format::Doc,
        "xls" | "et" => Format::Xls,
        "rtf" => Format::Rtf,
        "png" | "jpg" | "jpeg" | "gif" | "tif" | "tiff" | "bmp" => Format::Image,
        "zip" => Format::Zip,
        _ => return None,
    })
}

/// Position of `needle` in `hay` (naive search; inputs here are short or searched once).
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_beats_declared_type() {
        let s = sniff(
            b"<html><body>blocked</body></html>",
            Some("application/pdf"),
            Some("a.pdf"),
        );
        assert_eq!(s.format, Format::Html);
        assert_eq!(s.declared, Some(Format::Pdf));
        let s = sniff(b"%PDF-1.7\n...", Some("text/html; charset=utf-8"), None);
        assert_eq!(s.format, Format::Pdf);
    }

    #[test]
    fn images_and_ole() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\nxxxx", None, None).format,
            Format::Image
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], None, None).format,
            Format::Image
        );
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend("Workbook".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&ole, None, Some("x.et")).format, Format::Xls);
        let mut doc = ole[..8].to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        let s = sniff(&doc, None, Some("http://x/a.wps?id=1"));
        assert_eq!((s.format, s.declared), (Format::Doc, None));
    }

    #[test]
    fn extension_of_download_links() {
        let dl = "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=2023年报.pdf";
        assert_eq!(from_extension(dl), Some(Format::Pdf));
        let art = "http://x.gov.cn/art/2024/1/15/art_1.html?id=3";
        assert_eq!(from_extension(art), Some(Format::Html));
        assert_eq!(from_extension("/a/b.php"), Some(Format::Html));
        assert_eq!(from_extension("/a/b"), None);
    }

    #[test]
    fn falls_back_to_type_extension_and_text() {
        assert_eq!(
            sniff(b"a\tb\n", Some("text/html"), None).format,
            Format::Html
        );
        assert_eq!(
            sniff(b"a\tb\n", None, Some("/d/x.HTM")).format,
            Format::Html
        );
        assert_eq!(sniff(b"a\tb\n", None, None).format, Format::Text);
        assert_eq!(sniff(b"\0\x01\x02", None, None).format, Format::Unknown);
        assert_eq!(sniff(b"  \r\n<TABLE><tr>", None, None).format, Format::Html);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<html>年报".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(sniff(&utf16, None, None).format, Format::Html);
    }
}
