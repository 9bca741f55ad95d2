//! PDF → [`Line`]s: positioned text rebuilt into visual rows and cells.
//!
//! ## Choice of extractor
//!
//! Measured in `shared/research/deps.md` §4 on CJK test PDFs (STSong CID font
//! without ToUnicode; embedded Identity-H + ToUnicode; ToUnicode stripped):
//!
//! | extractor | correct | cost |
//! |---|---|---|
//! | `pdftotext` (poppler-utils) | 2 of 3; `-layout`/`-bbox` keep table columns | subprocess, no build cost |
//! | pdf_oxide 0.3 | 3 of 3, but reads side-by-side columns block-wise (wrong for table rows) | ~167 crates |
//! | lopdf 0.47 `extract_text` | 2 of 3, content-stream order, no positions | ~25 crates |
//! | pdf-extract 0.12 | panics on `UniGB-UCS2-H` | — |
//!
//! Table rows need positions, so the primary path is **`pdftotext -bbox`**
//! (word boxes in page coordinates), rebuilt into rows and cells by geometry in
//! [`super::layout`] — more robust than splitting `-layout` text at runs of
//! spaces, where a one-space gap between a long label and its number merges two
//! cells. When poppler is not installed, the **lopdf** fallback gives text in
//! content-stream order (one line per text operation, like seed 000), flagged
//! `converted_by:lopdf`. pdf_oxide's only advantage (PDFs with stripped
//! ToUnicode maps) does not justify its build weight on a 2-core CI; such PDFs
//! are caught by the garbage heuristic below and routed to OCR instead.
//!
//! ## Needs OCR
//!
//! No text layer (fewer than [`MIN_TEXT_CHARS`] visible chars), or text that is
//! mostly private-use / replacement chars, or almost no CJK in what should be a
//! Chinese report → status `needs_ocr` with `pdf:no_text_layer` or
//! `pdf:garbled_text`. With `ParseOptions::ocr` and tesseract installed, the
//! pages are rasterised (`pdftoppm`) and read by tesseract instead (see [`super::ocr`]).

use super::bounded::{Bounded, Slots};
use super::layout::{Word, rows_from_words};
use super::limits::{Exceeded, Limits};
use super::tool::{self, ToolError};

/// Fewer visible chars than this in the whole document: no text layer.
pub(crate) const MIN_TEXT_CHARS: usize = 20;

/// What the PDF reader got.
#[derive(Debug, Default)]
pub(crate) struct PdfText {
    /// Visual rows of cells.
    pub(crate) rows: Vec<Vec<String>>,
    /// Findings and the tool used.
    pub(crate) flags: Vec<String>,
    /// Set when nothing could be read at all.
    pub(crate) failed: bool,
}

/// Why a PDF's text cannot be used as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextQuality {
    /// Usable text.
    Good,
    /// (Almost) no text: scanned pages.
    NoText,
    /// Text that decodes to garbage (broken font maps).
    Garbled,
}

impl TextQuality {
    /// The flag for an unusable quality.
    pub(crate) fn flag(self) -> Option<&'static str> {
        match self {
            TextQuality::Good => None,
            TextQuality::NoText => Some("pdf:no_text_layer"),
            TextQuality::Garbled => Some("pdf:garbled_text"),
        }
    }
}

/// Reads the text rows of a PDF: pdftotext when installed, lopdf otherwise.
pub(crate) fn read_pdf(bytes: &[u8], limits: &Limits) -> PdfText {
    let mut out = PdfText::default();
    if count_objects(bytes) > limits.max_pdf_objects {
        out.flags.push(Exceeded::PdfObjects.flag());
        out.failed = true;
        return out;
    }
    if super::sniff::find(&bytes[bytes.len().saturating_sub(1024)..], b"%%EOF").is_none() {
        // cut downloads are common; whatever the tools recover is kept, but flagged
        out.flags.push("pdf:truncated".into());
    }
    match pdftotext_words(bytes, limits) {
        Ok((words, flags)) => {
            out.flags.push("converted_by:pdftotext".into());
            out.flags.extend(flags);
            out.rows = rows_from_words(words);
            return out;
        }
        Err(e @ (ToolError::Timeout | ToolError::TooMuchOutput)) => {
            let limit = if e == ToolError::Timeout {
                Exceeded::Timeout
            } else {
                Exceeded::ToolOutput
            };
            out.flags.push(limit.flag());
            out.failed = true;
            return out;
        }
        Err(ToolError::Missing) => out.flags.push("tool_missing:pdftotext".into()),
        Err(ToolError::Failed(msg)) => out.flags.push(format!("pdf_error:pdftotext:{msg}")),
    }
    match lopdf_text(bytes, limits) {
        Ok((text, flags)) => {
            out.flags.push("converted_by:lopdf".into());
            out.flags.extend(flags);
            out.rows = text
                .lines()
                .map(|l| vec![l.trim().to_string()])
                .filter(|r| !r[0].is_empty())
                .collect();
        }
        Err(e) => {
            out.flags.push(e);
            out.failed = true;
        }
    }
    out
}

/// Rough count of indirect objects (`N G obj` headers) without parsing.
fn count_objects(bytes: &[u8]) -> usize {
    bytes.windows(4).filter(|w| w == b" obj").count()
}

/// Runs `pdftotext -bbox` and parses its word boxes, keeping at most the page limit.
fn pdftotext_words(bytes: &[u8], limits: &Limits) -> Result<(Vec<Word>, Vec<String>), ToolError> {
    let last = (limits.max_pdf_pages.saturating_add(1)).to_string();
    // `- -`: the PDF from stdin, the XHTML to stdout (no temporary files)
    let args = ["-bbox", "-enc", "UTF-8", "-l", last.as_str(), "-", "-"];
    let run = tool::run_piped("pdftotext", &args, bytes, limits)?;
    let html = run.stdout;
    let mut flags = Vec::new();
    if !run.success {
        if html.is_empty() {
            let why = if run.stderr_head.is_empty() {
                "exit status not 0".to_string()
            } else {
                run.stderr_head
            };
            return Err(ToolError::Failed(why));
        }
        flags.push("pdf_error:pdftotext:partial".to_string());
    }
    let (mut words, pages) = parse_bbox(&String::from_utf8_lossy(&html));
    if pages > limits.max_pdf_pages {
        words.retain(|w| w.page <= limits.max_pdf_pages);
        flags.push(Exceeded::PdfPages.flag());
    }
    Ok((words, flags))
}

/// Parses pdftotext's `-bbox` XHTML: word boxes and the number of pages.
///
/// A scan for the two shapes that matter, each at a `<`: `<page` not followed
/// by a letter, digit or `_` (a page starts), and a whole word element
/// `<word xMin="…" yMin="…" xMax="…" yMax="…">text</word>` (coordinates
/// without `"`, text without `<`); anything else is stepped over. No regular
/// expression: this runs on the critical path of every PDF, right after
/// pdftotext, where a regex's first search (its lazy DFA built per thread,
/// and a Unicode `\b` that sends CJK text to the slowest engine) cost more
/// than the scan.
pub(crate) fn parse_bbox(html: &str) -> (Vec<Word>, u32) {
    let mut words = Vec::new();
    let mut page = 0u32;
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("<page") {
            if !after
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                page += 1;
                rest = after;
                continue;
            }
        } else if let Some((mut word, after)) = word_element(rest) {
            word.page = page.max(1);
            words.push(word);
            rest = after;
            continue;
        }
        rest = &rest[1..];
    }
    (words, page)
}

/// The word element at the start of `s` (its page left 0) and the text after it.
fn word_element(s: &str) -> Option<(Word, &str)> {
    let mut rest = s.strip_prefix("<word xMin=\"")?;
    let x0 = up_to_quote(&mut rest, "\" yMin=\"")?;
    let y0 = up_to_quote(&mut rest, "\" xMax=\"")?;
    let x1 = up_to_quote(&mut rest, "\" yMax=\"")?;
    let y1 = up_to_quote(&mut rest, "\">")?;
    let end = rest.find('<')?;
    let after = rest[end..].strip_prefix("</word>")?;
    let num = |v: &str| v.parse::<f32>().unwrap_or(f32::NAN);
    let word = Word {
        page: 0,
        x0: num(x0),
        y0: num(y0),
        x1: num(x1),
        y1: num(y1),
        text: unescape(&rest[..end]),
    };
    Some((word, after))
}

/// The text of `rest` up to its first `"`, when `next` follows there; `rest`
/// moves past `next`.
fn up_to_quote<'a>(rest: &mut &'a str, next: &str) -> Option<&'a str> {
    let end = rest.find('"')?;
    let value = &rest[..end];
    *rest = rest[end..].strip_prefix(next)?;
    Some(value)
}

/// Resolves the five XML entities and numeric references pdftotext writes.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        match super::xml::entity(&rest[1..end]) {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Threads the lopdf fallback may have alive at once, timed-out ones included.
static LOPDF_SLOTS: Slots = Slots::new(2);

/// The in-process fallback: lopdf's text in content-stream order, in a thread
/// with the time budget and a panic guard. A thread that runs past the budget
/// cannot be killed; it keeps one of [`LOPDF_SLOTS`] until it ends, so at most
/// that many are ever left running. Errors are returned as flags.
fn lopdf_text(bytes: &[u8], limits: &Limits) -> Result<(String, Vec<String>), String> {
    let data = bytes.to_vec();
    let lim = limits.clone();
    match LOPDF_SLOTS.run("ogi-lopdf", limits.tool_timeout, move || {
        lopdf_read(&data, &lim)
    }) {
        Ok(r) => r,
        Err(Bounded::Timeout) => Err(Exceeded::Timeout.flag()),
        Err(Bounded::Panicked(_)) => Err("pdf_error:lopdf:panic".to_string()),
        Err(Bounded::Spawn(e)) => Err(format!("pdf_error:lopdf:thread:{e}")),
    }
}

fn lopdf_read(data: &[u8], limits: &Limits) -> Result<(String, Vec<String>), String> {
    let doc = lopdf::Document::load_mem(data).map_err(|e| format!("pdf_error:lopdf:{e}"))?;
    let mut flags = Vec::new();
    if doc.objects.len() > limits.max_pdf_objects {
        return Err(Exceeded::PdfObjects.flag());
    }
    let mut pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.len() > limits.max_pdf_pages as usize {
        pages.truncate(limits.max_pdf_pages as usize);
        flags.push(Exceeded::PdfPages.flag());
    }
    let cap = usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX);
    let text = doc
        .extract_text_with_limit(&pages, cap)
        .map_err(|e| format!("pdf_error:lopdf:{e}"))?;
    Ok((text, flags))
}

/// Judges whether extracted text is a usable Chinese text layer.
pub(crate) fn text_quality<'a>(cells: impl IntoIterator<Item = &'a str>) -> TextQuality {
    let (mut total, mut cjk, mut bad) = (0usize, 0usize, 0usize);
    for c in cells
        .into_iter()
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
    {
        total += 1;
        match c as u32 {
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x2E80..=0x2FDF | 0xF900..=0xFAFF => cjk += 1,
            0xE000..=0xF8FF | 0xFFFD | 0x00..=0x1F => bad += 1,
            _ => {}
        }
    }
    if total < MIN_TEXT_CHARS {
        TextQuality::NoText
    } else if bad * 5 > total || cjk * 20 < total {
        TextQuality::Garbled
    } else {
        TextQuality::Good
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_parsing_and_entities() {
        let html = r#"<doc><page width="1" height="2"><word xMin="1.5" yMin="2" xMax="3" yMax="4">A&amp;B&#x4E00;</word></page>
            <page><word xMin="1" yMin="2" xMax="3" yMax="4">&lt;x&gt; &bogus</word>
            <word xMin="5" yMin="6.25" xMax="7" yMax="8.5">say "hi"</word></page></doc>"#;
        let (words, pages) = parse_bbox(html);
        assert_eq!(pages, 2);
        assert_eq!(words[0].text, "A&B一");
        assert_eq!((words[0].x0, words[1].page), (1.5, 2));
        assert_eq!(words[1].text, "<x> &bogus");
        assert_eq!(words[2].text, r#"say "hi""#);
        assert_eq!(
            (words[2].x0, words[2].y0, words[2].x1, words[2].y1),
            (5.0, 6.25, 7.0, 8.5)
        );
    }

    /// The scan finds what the regular expression it replaced found, on
    /// pdftotext's shapes and on broken or look-alike markup.
    #[test]
    fn bbox_scan_agrees_with_the_former_pattern() {
        let pattern = regex::Regex::new(
            r#"<page\b|<word xMin="([^"]*)" yMin="([^"]*)" xMax="([^"]*)" yMax="([^"]*)">([^<]*)</word>"#,
        )
        .unwrap();
        let by_pattern = |html: &str| {
            let mut page = 0u32;
            let mut words = Vec::new();
            for c in pattern.captures_iter(html) {
                if c.get(1).is_none() {
                    page += 1;
                    continue;
                }
                let num = |i: usize| c[i].parse::<f32>().unwrap_or(f32::NAN);
                let (x0, y0, x1, y1) = (num(1), num(2), num(3), num(4));
                words.push((page.max(1), x0, y0, x1, y1, unescape(&c[5])));
            }
            (words, page)
        };
        let cases = [
            r#"<doc><page width="595" height="842"><word xMin="1.5" yMin="2" xMax="3" yMax="4">政府&amp;信息</word>"#,
            r#"<pages><page_x><page-1><page>"#,
            r#"<word xMin="1" yMin="2" xMax="3" yMax="4">a<b</word><word xMin="5" yMin="6" xMax="7" yMax="8">ok</word>"#,
            r#"<word xMin="1" yMin="2" xMax="3">no y</word><word xMin="x" yMin="" xMax="-1" yMax="1e3">say "hi"</word>"#,
            r#"<<word xMin="1" yMin="2" xMax="3" yMax="4">two
lines</word><page"#,
            r#"<word xMin="1" yMin="2" xMax="3" yMax="4">open</wor><page>"#,
        ];
        for html in cases {
            let (words, pages) = parse_bbox(html);
            let got: Vec<_> = words
                .into_iter()
                .map(|w| (w.page, w.x0, w.y0, w.x1, w.y1, w.text))
                .collect();
            let (want, want_pages) = by_pattern(html);
            assert_eq!(pages, want_pages, "{html}");
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{html}");
        }
    }

    #[test]
    fn quality_heuristic() {
        assert_eq!(text_quality(["", "  12"]), TextQuality::NoText);
        assert_eq!(
            text_quality(["北关区政务服务和大数据管理局2023年政府信息公开工作年度报告"]),
            TextQuality::Good
        );
        let pua: String = (0xE001..0xE00B).filter_map(char::from_u32).collect();
        assert_eq!(
            text_quality([pua.as_str(), "年报告一二三四五六七八九十百千万亿"]),
            TextQuality::Garbled
        );
        assert_eq!(
            text_quality(["!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGH"]),
            TextQuality::Garbled
        );
    }
}
