//! One report, five renderings: every reader must give the text path's lines.

use crate::fixture::{self, assert_pdftotext, on_path, tesseract_with};
use ogi_extract::formats::{Extracted, read_lines};
use ogi_extract::{Cell, Line, ParseOptions, Provenance, Status, parse_bytes};

fn cells(lines: &[Line]) -> Vec<Vec<String>> {
    lines.iter().map(|l| l.cells.clone()).collect()
}

fn read(bytes: &[u8], content_type: Option<&str>, file_name: Option<&str>) -> Extracted {
    let opts = ParseOptions {
        content_type: content_type.map(str::to_string),
        file_name: file_name.map(str::to_string),
        ..ParseOptions::default()
    };
    read_lines(bytes, &opts)
}

/// The text path's lines for the fixture report.
fn text_lines() -> Vec<Vec<String>> {
    let ex = read(
        fixture::tsv(&fixture::load()).as_bytes(),
        None,
        Some("report.tsv"),
    );
    cells(&ex.lines)
}

/// The same lines as a PDF text layer shows them: no empty cells, no empty rows.
fn without_empty_cells(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
        .collect()
}

/// `block` must appear in `haystack` as consecutive lines (page chrome may surround it).
fn assert_contains_block(haystack: &[Vec<String>], block: &[Vec<String>]) {
    assert!(
        haystack.windows(block.len()).any(|w| w == block),
        "report lines differ from the text path:\n got {haystack:?}\nwant {block:?}"
    );
}

/// The reader kept the document (no status) and found nothing to flag.
fn assert_read_cleanly(ex: &Extracted) {
    assert!(
        ex.status.is_none() && ex.flags.is_empty(),
        "{:?} {:?}",
        ex.status,
        ex.flags
    );
}

#[test]
fn text_path_is_the_grid() {
    let items = fixture::load();
    let ex = read(fixture::tsv(&items).as_bytes(), None, None);
    assert_eq!(
        (ex.format.as_str(), ex.charset.as_deref()),
        ("text", Some("utf-8"))
    );
    let lines = cells(&ex.lines);
    // spot checks against the grid: the vertical header and a covered position
    let granted = lines
        .iter()
        .find(|l| l.get(1).is_some_and(|c| c == "（一）予以公开"))
        .expect("granted row");
    assert_eq!(granted[0], "三、本年度办理结果");
    assert_eq!(granted[2], "");
    assert_eq!(granted.len(), 10);
    assert!(
        lines
            .iter()
            .any(|l| l.first().is_some_and(|c| c == "结果维持"))
    );
}

#[test]
fn html_gbk_with_spans_and_chrome_gives_the_text_lines() {
    let items = fixture::load();
    let html = fixture::html_gbk(&items, "gb2312", true);
    assert!(
        std::str::from_utf8(&html).is_err(),
        "fixture must really be GBK"
    );
    let ex = read(&html, Some("text/html"), Some("t20240115_1.htm"));
    assert_eq!(
        (ex.format.as_str(), ex.charset.as_deref()),
        ("html", Some("gb18030"))
    );
    assert_read_cleanly(&ex);
    let lines = cells(&ex.lines);
    assert_eq!(
        lines[0],
        vec![fixture::title(&items)],
        "title from <title>/ArticleTitle first"
    );
    assert_contains_block(&lines, &text_lines());
    assert!(
        !lines
            .iter()
            .flatten()
            .any(|c| c.contains("广告") || c.contains("全站")),
        "script/select text leaked"
    );
}

#[test]
fn html_misdeclared_utf8_is_decoded_as_gb18030_and_flagged() {
    let items = fixture::load();
    let ex = read(&fixture::html_gbk(&items, "utf-8", false), None, None);
    assert_eq!(ex.charset.as_deref(), Some("gb18030"));
    assert_eq!(
        ex.flags,
        vec!["charset_mismatch:declared=utf-8,used=gb18030"]
    );
    assert_eq!(&cells(&ex.lines)[1..], &text_lines()[..]);
}

#[test]
fn docx_with_merged_cells_gives_the_text_lines() {
    let items = fixture::load();
    let ex = read(&fixture::docx(&items), None, Some("report.doc"));
    assert_eq!(ex.format, "docx");
    assert_read_cleanly(&ex);
    assert_eq!(cells(&ex.lines), text_lines());
}

#[test]
fn xlsx_with_merged_cells_gives_the_text_lines() {
    let items = fixture::load();
    let ex = read(&fixture::xlsx(&items), None, Some("report.xlsx"));
    assert_eq!(ex.format, "xlsx");
    assert_read_cleanly(&ex);
    // a sheet is as wide as its widest row: text lines get empty cells on the right
    let trim = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|mut r| {
                let keep = r.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
                r.truncate(keep);
                r
            })
            .collect()
    };
    assert_eq!(trim(cells(&ex.lines)), trim(text_lines()));
}

#[test]
fn text_pdfs_give_the_text_lines() {
    assert_pdftotext();
    let text = text_lines();
    // rows of tables 3 and 4 (10 and 15 columns): every column has text in some row,
    // so the geometry rebuild must restore the grid exactly, empty cells included
    let wide: Vec<&Vec<String>> = text.iter().filter(|r| r.len() >= 10).collect();
    assert_eq!(wide.len(), 28 + 4);
    for name in ["report.pdf", "report_stsong.pdf"] {
        let ex = read(&fixture::bytes(name), Some("application/pdf"), None);
        assert_eq!(ex.format, "pdf");
        assert!(
            ex.status.is_none(),
            "{name}: {:?} {:?}",
            ex.status,
            ex.flags
        );
        assert_eq!(ex.flags, vec!["converted_by:pdftotext"], "{name}");
        let got = cells(&ex.lines);
        // what is printed, row by row, is the text path's
        assert_eq!(
            without_empty_cells(&got),
            without_empty_cells(&text),
            "{name}"
        );
        let got_wide: Vec<&Vec<String>> = got.iter().filter(|r| r.len() >= 10).collect();
        assert_eq!(got_wide, wide, "{name}: table grids");
    }
}

#[test]
fn image_only_pdf_needs_ocr() {
    assert_pdftotext();
    let ex = read(&fixture::bytes("scan.pdf"), None, None);
    assert_eq!(ex.status, Some(Status::NeedsOcr));
    assert!(
        ex.flags.contains(&"pdf:no_text_layer".to_string()),
        "{:?}",
        ex.flags
    );
    let report = parse_bytes(
        "scan.pdf",
        &fixture::bytes("scan.pdf"),
        &ParseOptions::default(),
    );
    assert_eq!(
        (report.status, report.format.as_deref()),
        (Status::NeedsOcr, Some("pdf"))
    );
    assert_eq!(report.sha256.len(), 64);
    // asking for OCR never turns a scan into numbers without an OCR engine
    let opts = ParseOptions {
        ocr: true,
        ..ParseOptions::default()
    };
    let report = parse_bytes("scan.pdf", &fixture::bytes("scan.pdf"), &opts);
    assert_ne!(report.status, Status::Parsed);
    assert!(
        report
            .flags
            .iter()
            .any(|f| f == "ocr:unavailable" || f == "converted_by:tesseract"),
        "{:?}",
        report.flags
    );
}

#[test]
fn images_need_ocr() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let report = parse_bytes("x.png", png, &ParseOptions::default());
    assert_eq!(
        (report.status, report.format.as_deref()),
        (Status::NeedsOcr, Some("image"))
    );
}

/// `report.doc` is LibreOffice's Word 97 export of [`fixture::docx`]; Kingsoft
/// `.wps` files are the same OLE format, so it is read under that name.
/// LibreOffice Writer is installed by scripts/test.sh (`libreoffice-writer-nogui`).
#[test]
fn legacy_doc_is_converted_by_soffice() {
    assert!(
        on_path("soffice") || on_path("libreoffice"),
        "LibreOffice is required (apt-get install libreoffice-writer-nogui; scripts/test.sh does)"
    );
    let ex = read(
        &fixture::bytes("report.doc"),
        None,
        Some("http://x.gov.cn/module/download/downfile.jsp?name=report.wps"),
    );
    assert_eq!(ex.format, "doc");
    assert!(ex.status.is_none(), "{:?} {:?}", ex.status, ex.flags);
    assert_eq!(ex.flags, vec!["converted_by:soffice"]);
    // LibreOffice's Word 97 export re-derives the table grid (table 4 gains a narrow
    // empty column), so compare what is printed, row by row
    let got = without_empty_cells(&cells(&ex.lines));
    assert_eq!(got, without_empty_cells(&text_lines()));
}

#[test]
fn garbage_ole_file_is_not_parsed() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
    let report = parse_bytes("a.wps", &ole, &ParseOptions::default());
    assert_eq!(report.format.as_deref(), Some("doc"));
    // LibreOffice (installed by scripts/test.sh) opens it as an empty document.
    assert_eq!(report.status, Status::NotAReport, "{:?}", report.flags);
    assert!(
        report.flags.contains(&"converted_by:soffice".to_string()),
        "{:?}",
        report.flags
    );
}

/// What the core made of a document, without line numbers (they differ by format).
fn cell_keys(cells: &[Cell]) -> Vec<(u8, String, Option<String>, String, String)> {
    let mut v: Vec<_> = cells
        .iter()
        .map(|c| {
            (
                u8::from(c.table),
                c.row.clone(),
                c.col.clone(),
                c.raw.clone(),
                c.provenance.as_str().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_format_parses_to_the_text_paths_cells() {
    assert_pdftotext();
    let items = fixture::load();
    let opts = ParseOptions::default();
    let text = parse_bytes("report.tsv", fixture::tsv(&items).as_bytes(), &opts);
    assert_eq!(text.status, Status::Parsed, "{:?}", text.flags);
    assert!(
        text.cells.len() > 150,
        "core read only {} cells",
        text.cells.len()
    );
    let want = cell_keys(&text.cells);
    for (name, bytes) in [
        ("report.htm", fixture::html_gbk(&items, "gb2312", true)),
        ("report.docx", fixture::docx(&items)),
        ("report.xlsx", fixture::xlsx(&items)),
        ("report.pdf", fixture::bytes("report.pdf")),
        ("report_stsong.pdf", fixture::bytes("report_stsong.pdf")),
    ] {
        let r = parse_bytes(name, &bytes, &opts);
        assert_eq!(r.status, Status::Parsed, "{name}: {:?}", r.flags);
        assert_eq!(cell_keys(&r.cells), want, "{name}");
        assert_eq!(
            (r.table2.clone(), r.table3.clone(), r.table4.clone()),
            (
                text.table2.clone(),
                text.table3.clone(),
                text.table4.clone()
            ),
            "{name}"
        );
    }
}

/// `scan_report.pdf` is `report.pdf` rasterised: no text layer.
#[test]
fn scanned_report_needs_ocr_or_is_read_by_tesseract() {
    assert_pdftotext();
    let scan = fixture::bytes("scan_report.pdf");
    let plain = parse_bytes("scan_report.pdf", &scan, &ParseOptions::default());
    assert_eq!(plain.status, Status::NeedsOcr);
    assert!(plain.cells.is_empty(), "no number without OCR");
    let opts = ParseOptions {
        ocr: true,
        ..ParseOptions::default()
    };
    let report = parse_bytes("scan_report.pdf", &scan, &opts);
    if !tesseract_with(&["chi_sim"]) {
        assert_eq!(report.status, Status::NeedsOcr);
        assert!(
            report.flags.contains(&"ocr:unavailable".to_string()),
            "{:?}",
            report.flags
        );
        return;
    }
    assert!(
        report.flags.contains(&"converted_by:tesseract".to_string()),
        "{:?}",
        report.flags
    );
    let text = parse_bytes(
        "report.tsv",
        fixture::tsv(&fixture::load()).as_bytes(),
        &ParseOptions::default(),
    );
    // every value read from the page is marked as OCR, none as printed
    let ocr: Vec<&Cell> = report
        .cells
        .iter()
        .filter(|c| c.provenance == Provenance::Ocr)
        .collect();
    assert!(
        !report
            .cells
            .iter()
            .any(|c| c.provenance == Provenance::Printed)
    );
    assert!(
        !ocr.is_empty(),
        "tesseract read no value: {:?}",
        report.flags
    );
    let same = ocr
        .iter()
        .filter(|c| {
            text.cells
                .iter()
                .any(|t| (t.table, &t.row, &t.col, &t.raw) == (c.table, &c.row, &c.col, &c.raw))
        })
        .count();
    eprintln!(
        "OCR: {} values, {same} agree with the text path's {} cells",
        ocr.len(),
        text.cells.len()
    );
    // Of the values OCR reads, at least 80 % must be what the text path reads
    // (measured with Debian's tesseract 5 + chi_sim: 32 of 32).
    assert!(
        same * 5 >= ocr.len() * 4,
        "OCR agreement fell: {same} of {} values agree with the text path",
        ocr.len()
    );
}
