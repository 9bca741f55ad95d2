//! Fuzzing with proptest: every reader, on generated hostile input, ends with
//! lines and flags, never a panic (a caught panic shows as `reader_panic` or
//! `panic:<message>`, which fails the property too).
//!
//! `OGI_FUZZ_CASES` sets the inputs per target (default 256); `OGI_LONG=1` runs
//! 1 000 000 per target and prints a `LONG fuzz:` line. Minimised crashers are
//! kept below as plain regression tests (`regression_*`).

use super::fixture;
use ogi_extract::formats::read_lines;
use ogi_extract::{ParseOptions, parse_bytes};
use ogi_testkit::mode::long_mode;
use proptest::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Inputs fuzzed by this binary (summed over targets, for the long-mode line).
static FUZZED: AtomicU64 = AtomicU64::new(0);

/// Runs `strategy` × `check` with the shared runner; fails with the minimised input.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let n = ogi_testkit::fuzz::run(name, strategy, check);
    FUZZED.fetch_add(u64::from(n), Ordering::Relaxed);
}

/// Fails the property when a document's processing panicked anywhere.
fn no_panic(flags: &[String]) -> Result<(), TestCaseError> {
    prop_assert!(
        !flags
            .iter()
            .any(|f| f == "reader_panic" || f.starts_with("panic:")),
        "{flags:?}"
    );
    Ok(())
}

/// Text with the report's own vocabulary, numbers, separators and line breaks.
fn report_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "本年新收政府信息公开申请数量",
        "自然人",
        "商业企业",
        "总计",
        "予以公开",
        "（一）",
        "\t",
        "|",
        " ",
        "\n",
        "\r\n",
        "0",
        "12",
        "-",
        "—",
        "/",
        "无",
        "1.5",
        "２０２３年",
        "年度报告",
        "\u{feff}",
        "\u{0}",
        "\u{fffd}",
    ]);
    prop::collection::vec(pieces, 0..400).prop_map(|v| v.concat())
}

#[test]
fn fuzz_text_reader_and_core() {
    fuzz("text", report_text(), |text| {
        let r = parse_bytes("x.txt", text.as_bytes(), &ParseOptions::default());
        no_panic(&r.flags)
    });
}

/// HTML tables with random spans, nesting and broken markup.
fn html_grid() -> impl Strategy<Value = String> {
    let cell = (0u32..4, 0u32..70_000, 0u32..2000, "[0-9一二三总计 ]{0,6}").prop_map(
        |(tag, rs, cs, text)| {
            let open = ["<td", "<th", "<td hidden", "<td style=display:none"][tag as usize];
            format!("{open} rowspan={rs} colspan={cs}>{text}</td>")
        },
    );
    let row = prop::collection::vec(cell, 0..12).prop_map(|c| format!("<tr>{}</tr>", c.concat()));
    let table =
        prop::collection::vec(row, 0..12).prop_map(|r| format!("<table>{}</table>", r.concat()));
    let noise = prop::sample::select(vec![
        "<div>",
        "</div>",
        "<table>",
        "</tr>",
        "<p>",
        "<br>",
        "&amp;",
        "&#xFFFF;",
        "<script>x</script>",
    ]);
    prop::collection::vec(prop_oneof![table, noise.prop_map(str::to_string)], 0..8)
        .prop_map(|parts| format!("<html><body>{}</body></html>", parts.concat()))
}

#[test]
fn fuzz_html_grid_builder() {
    fuzz("html", html_grid(), |html| {
        let opts = ParseOptions {
            content_type: Some("text/html; charset=utf-8".into()),
            ..ParseOptions::default()
        };
        let r = parse_bytes("x.html", html.as_bytes(), &opts);
        no_panic(&r.flags)?;
        prop_assert!(r.flags.iter().all(|f| !f.is_empty()));
        Ok(())
    });
}

/// `word/document.xml` bodies: tables with spans and merges, tabs, breaks, junk.
fn docx_xml() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "<w:tbl>",
        "</w:tbl>",
        "<w:tr>",
        "</w:tr>",
        "<w:tc>",
        "</w:tc>",
        "<w:p>",
        "</w:p>",
        "<w:r><w:t>总计</w:t></w:r>",
        "<w:r><w:t>7</w:t></w:r>",
        "<w:tab/>",
        "<w:br/>",
        "<w:gridSpan w:val=\"9999\"/>",
        "<w:gridSpan w:val=\"-1\"/>",
        "<w:vMerge/>",
        "<w:vMerge w:val=\"restart\"/>",
        "<w:gridBefore w:val=\"400\"/>",
        "<w:delText>x</w:delText>",
        "&#0;",
        "&bogus;",
        "<",
    ]);
    prop::collection::vec(piece, 0..300)
        .prop_map(|v| format!("<w:document><w:body>{}</w:body></w:document>", v.concat()))
}

#[test]
fn fuzz_docx_reader() {
    fuzz("docx", docx_xml(), |xml| {
        let docx = fixture::zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", xml.as_bytes()),
        ]);
        let ex = read_lines(&docx, &ParseOptions::default());
        no_panic(&ex.flags)?;
        prop_assert!(ex.lines.iter().all(|l| l.cells.len() <= 512));
        Ok(())
    });
}

const XLSX_TYPES: &str = r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const XLSX_RELS: &str = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const XLSX_BOOK: &str = r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const XLSX_BOOK_RELS: &str = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An XLSX whose one sheet declares `dim` and holds `cells`.
fn xlsx(dim: &str, cells: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dim}"/><sheetData>{cells}</sheetData></worksheet>"#
    );
    fixture::zip_of(&[
        ("[Content_Types].xml", XLSX_TYPES.as_bytes()),
        ("_rels/.rels", XLSX_RELS.as_bytes()),
        ("xl/workbook.xml", XLSX_BOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", XLSX_BOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

/// Cell references anywhere in the largest sheet Excel allows, and beyond.
fn cell_ref() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["A", "B", "Z", "AA", "XFD", "XFE", "ZZZZ"]),
        0u64..2_000_000,
    )
        .prop_map(|(c, r)| format!("{c}{r}"))
}

#[test]
fn fuzz_xlsx_reader() {
    let cell = (cell_ref(), "[0-9总计]{0,4}").prop_map(|(r, v)| {
        format!(r#"<row><c r="{r}" t="inlineStr"><is><t>{v}</t></is></c></row>"#)
    });
    let strategy = (cell_ref(), cell_ref(), prop::collection::vec(cell, 0..40));
    fuzz("xlsx", strategy, |(a, b, cells)| {
        let book = xlsx(&format!("{a}:{b}"), &cells.concat());
        let ex = read_lines(&book, &ParseOptions::default());
        no_panic(&ex.flags)?;
        prop_assert!(ex.lines.iter().all(|l| l.cells.len() <= 512));
        Ok(())
    });
}

#[test]
fn fuzz_charset_detection() {
    let charset = prop::sample::select(vec![
        None,
        Some("text/plain; charset=utf-8"),
        Some("text/html; charset=gbk"),
        Some("text/html; charset=gb18030"),
        Some("text/plain; charset=big5"),
        Some("text/plain; charset=utf-16le"),
        Some("text/html; charset=x-no-such"),
    ]);
    let bytes = prop::collection::vec(any::<u8>(), 0..4096);
    fuzz("charset", (charset, bytes), |(ct, bytes)| {
        let opts = ParseOptions {
            content_type: ct.map(str::to_string),
            ..ParseOptions::default()
        };
        let r = parse_bytes("x", &bytes, &opts);
        no_panic(&r.flags)?;
        prop_assert!(r.charset.is_some() || r.format.as_deref() != Some("text"));
        Ok(())
    });
}

/// Peak memory of reading the hostile corpus: a sheet spanning A1:XFD1048576,
/// a DOCX row of 2 000 cells of span 512, HTML with huge rowspans, and a text
/// of a million tabs. Bounded readers keep this small.
#[test]
fn hostile_corpus_peak_memory() {
    let wide = r#"<w:tc><w:tcPr><w:gridSpan w:val="512"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>"#;
    let docx_xml = format!(
        "<w:document><w:body><w:tbl><w:tr>{}</w:tr></w:tbl></w:body></w:document>",
        wide.repeat(2000)
    );
    let corpus: Vec<(&str, Vec<u8>)> = vec![
        (
            "sheet.xlsx",
            xlsx(
                "A1:XFD1048576",
                r#"<row r="1"><c r="A1" t="inlineStr"><is><t>报告</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>7</v></c></row>"#,
            ),
        ),
        (
            "wide.docx",
            fixture::zip_of(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", docx_xml.as_bytes()),
            ]),
        ),
        (
            "span.html",
            format!(
                "<table>{}</table>",
                "<tr><td rowspan=65534 colspan=1000>1</td></tr>".repeat(200)
            )
            .into_bytes(),
        ),
        ("tabs.txt", "\t".repeat(1_000_000).into_bytes()),
    ];
    for (name, bytes) in &corpus {
        let r = parse_bytes(name, bytes, &ParseOptions::default());
        assert!(
            !r.flags
                .iter()
                .any(|f| f == "reader_panic" || f.starts_with("panic:")),
            "{name}: {:?}",
            r.flags
        );
    }
    let peak_kib = ogi_util::memory::peak_rss_bytes().unwrap_or(0) / 1024;
    // The whole test process (other tests run alongside): a loose ceiling that a
    // dense 1.7e10-cell sheet or a 1e6-cell DOCX row would blow through.
    assert!(peak_kib < 4 << 20, "peak memory {peak_kib} KiB");
    let line = format!("LONG fuzz: hostile_corpus_peak_mib={}", peak_kib / 1024);
    eprintln!("{line}");
    if long_mode() {
        println!("{line}");
        println!(
            "LONG fuzz: inputs_so_far={}",
            FUZZED.load(Ordering::Relaxed)
        );
    }
}

/// Found by `fuzz_xlsx_reader`: calamine 0.38 overflows (a debug-build panic)
/// on a reversed sheet dimension (`B5:A1`); the sheet is reported, the document
/// does not panic.
#[test]
fn regression_xlsx_reversed_dimension() {
    let book = xlsx(
        "B5:A1",
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>总计</t></is></c></row>"#,
    );
    let ex = read_lines(&book, &ParseOptions::default());
    assert!(
        !ex.flags.iter().any(|f| f == "reader_panic"),
        "{:?}",
        ex.flags
    );
    assert!(
        ex.flags
            .contains(&"xlsx_error:sheet S:malformed cell reference".to_string()),
        "{:?}",
        ex.flags
    );
}
