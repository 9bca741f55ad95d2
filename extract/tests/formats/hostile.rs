//! Hostile and broken inputs: each ends with a flag and a status, never a panic or a hang.

use crate::fixture::{self, assert_pdftotext};
use ogi_extract::formats::{Limits, read_lines};
use ogi_extract::{ParseOptions, Status, parse_bytes};

fn has_flag(flags: &[String], prefix: &str) -> bool {
    flags.iter().any(|f| f.starts_with(prefix))
}

#[test]
fn zip_bomb_docx_stops_at_the_decompressed_limit() {
    // 8 MiB of spaces inside document.xml deflates to a few KiB; the limit is 1 MiB.
    let mut xml = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
    xml.resize(xml.len() + (8 << 20), b' ');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let docx = fixture::zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", &xml),
    ]);
    assert!(docx.len() < 100_000, "not a bomb: {} bytes", docx.len());
    let opts = ParseOptions {
        limits: Limits {
            max_decompressed_bytes: 1 << 20,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let report = parse_bytes("bomb.docx", &docx, &opts);
    assert_eq!(
        (report.status, report.format.as_deref()),
        (Status::Failed, Some("docx"))
    );
    assert!(
        report
            .flags
            .contains(&"limit:zip_decompressed_size".to_string()),
        "{:?}",
        report.flags
    );
}

#[test]
fn zip_with_too_many_entries_is_refused() {
    let names: Vec<String> = (0..30).map(|i| format!("word/media/{i}.xml")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let opts = ParseOptions {
        limits: Limits {
            max_zip_entries: 20,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let ex = read_lines(&fixture::zip_of(&entries), &opts);
    assert_eq!(ex.status, Some(Status::Failed));
    assert_eq!(ex.flags, vec!["limit:zip_entries"]);
}

#[test]
fn damaged_docx_keeps_a_flag() {
    let docx = fixture::zip_of(&[(
        "word/document.xml",
        b"<w:document><w:body><w:p><w:r><w:t>\xE6\x94 broken",
    )]);
    let ex = read_lines(&docx, &ParseOptions::default());
    assert_eq!(ex.status, Some(Status::Failed));
    assert!(has_flag(&ex.flags, "docx_error:"), "{:?}", ex.flags);
    let no_doc = fixture::zip_of(&[("word/styles.xml", b"<x/>")]);
    let ex = read_lines(&no_doc, &ParseOptions::default());
    assert_eq!(ex.flags, vec!["docx_error:no word/document.xml"]);
    let ex = read_lines(b"PK\x03\x04 this is not a zip", &ParseOptions::default());
    assert_eq!(ex.status, Some(Status::Failed));
}

#[test]
fn truncated_pdf_ends_with_a_flag() {
    assert_pdftotext();
    let pdf = fixture::bytes("report.pdf");
    for cut in [pdf.len() / 2, 200, 9] {
        let report = parse_bytes("cut.pdf", &pdf[..cut], &ParseOptions::default());
        assert_eq!(report.format.as_deref(), Some("pdf"));
        assert!(
            report.flags.contains(&"pdf:truncated".to_string()),
            "cut at {cut}: {:?}",
            report.flags
        );
    }
}

#[test]
fn pdf_whose_text_exceeds_the_tool_output_cap_is_refused() {
    assert_pdftotext();
    // the fixture's pdftotext output is about 29 kB; the cap here is 4 kB
    let opts = ParseOptions {
        limits: Limits {
            max_tool_output_bytes: 4 << 10,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let ex = read_lines(&fixture::bytes("report.pdf"), &opts);
    assert_eq!(ex.status, Some(Status::Failed));
    assert!(ex.lines.is_empty());
    assert_eq!(ex.flags, vec!["limit:tool_output"]);
    // the next document is read as usual
    let ex = read_lines(&fixture::bytes("report.pdf"), &ParseOptions::default());
    assert!(ex.status.is_none(), "{:?} {:?}", ex.status, ex.flags);
    assert!(!ex.lines.is_empty());
}

/// The fixture PDF with its cross-reference section rewritten by `wreck`.
fn with_xref(wreck: impl Fn(&str) -> String) -> Vec<u8> {
    let pdf = fixture::bytes("report.pdf");
    let at = pdf
        .windows(5)
        .rposition(|w| w == b"\nxref")
        .expect("fixture has a classic xref table");
    let mut out = pdf[..at].to_vec();
    out.extend_from_slice(wreck(&String::from_utf8_lossy(&pdf[at..])).as_bytes());
    out
}

#[test]
fn pdf_with_wrong_xref_offsets_is_rebuilt() {
    assert_pdftotext();
    let good = read_lines(&fixture::bytes("report.pdf"), &ParseOptions::default());
    assert!(!good.lines.is_empty());
    // every offset and startxref wrong, trailer intact: poppler reconstructs the table
    let broken = with_xref(|tail| {
        let mut t: String = tail
            .lines()
            .map(|l| {
                if l.ends_with(" n ") || l.ends_with(" n") {
                    "0000000001 00000 n "
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let sx = t.rfind("startxref").expect("startxref");
        t.truncate(sx);
        t.push_str("startxref\n999999\n%%EOF\n");
        t
    });
    let ex = read_lines(&broken, &ParseOptions::default());
    assert!(ex.status.is_none(), "{:?} {:?}", ex.status, ex.flags);
    assert_eq!(
        ex.lines, good.lines,
        "the rebuilt document must read the same"
    );
}

#[test]
fn pdf_without_trailer_falls_back_to_lopdf_text() {
    assert_pdftotext();
    let broken = with_xref(|_| {
        "\nxref\n0 9\nGARBAGE\ntrailer\n<< /Size 3 >>\nstartxref\n999999\n%%EOF\n".into()
    });
    let ex = read_lines(&broken, &ParseOptions::default());
    assert!(
        has_flag(&ex.flags, "pdf_error:pdftotext:"),
        "{:?}",
        ex.flags
    );
    assert!(
        ex.flags.contains(&"converted_by:lopdf".to_string()),
        "{:?}",
        ex.flags
    );
    // content-stream order, one text operation per line (like seed 000), nothing lost
    let cells: Vec<&str> = ex
        .lines
        .iter()
        .flat_map(|l| l.cells.iter().map(String::as_str))
        .collect();
    for want in [
        "（一）予以公开",
        "44",
        "本年收费金额（单位：万元）",
        "0.35",
        "复议后起诉",
    ] {
        assert!(cells.contains(&want), "{want} missing from lopdf text");
    }
}

#[test]
fn ten_thousand_nested_tables_do_not_overflow() {
    let n = 10_000;
    let mut html = String::from("<html><body>");
    html.push_str(&"<table><tr><td>".repeat(n));
    html.push_str("深处");
    html.push_str(&"</td></tr></table>".repeat(n));
    html.push_str("<p>之后</p></body></html>");
    let report = parse_bytes("nested.htm", html.as_bytes(), &ParseOptions::default());
    assert_eq!(report.format.as_deref(), Some("html"));
    assert!(
        report.flags.contains(&"limit:html_depth".to_string()),
        "{:?}",
        report.flags
    );
    let ex = read_lines(html.as_bytes(), &ParseOptions::default());
    assert!(
        ex.lines.iter().any(|l| l.cells == ["之后"]),
        "text after the nest is kept"
    );
}

#[test]
fn oversized_body_is_refused_before_reading() {
    let body = vec![b'<'; 200 << 20];
    let report = parse_bytes("huge.htm", &body, &ParseOptions::default());
    assert_eq!(report.status, Status::Failed);
    assert!(
        report.flags.contains(&"limit:input_size".to_string()),
        "{:?}",
        report.flags
    );
    assert_eq!(report.sha256.len(), 64);
}

#[test]
fn garbage_and_empty_inputs() {
    for (bytes, status) in [
        (&b""[..], None),
        (&b"\0\x01\x02\x03binary"[..], Some(Status::Failed)),
        (&b"%PDF-1.4\n%%EOF"[..], Some(Status::Failed)),
        (&b"{\\rtf1 hello}"[..], None),
    ] {
        let ex = read_lines(bytes, &ParseOptions::default());
        if let Some(s) = status {
            assert_eq!(
                ex.status,
                Some(s),
                "{:?}: {:?}",
                String::from_utf8_lossy(bytes),
                ex.flags
            );
        }
    }
}

mod arbitrary {
    use ogi_extract::ParseOptions;
    use ogi_extract::formats::read_lines;
    use proptest::prelude::*;

    /// Leading bytes that route input to each in-process reader (and to pdftotext).
    /// OLE and RTF are left out: they start LibreOffice, seconds per case.
    const PREFIXES: [&[u8]; 6] = [
        b"%PDF-1.4\n",
        b"PK\x03\x04",
        b"<html><table><tr><td rowspan=3 colspan=2>",
        b"\xEF\xBB\xBF\xe6\x94\xbf\t",
        b"\xFF\xFE<\0t\0",
        b"",
    ];
    const TYPES: [Option<&str>; 4] = [
        None,
        Some("text/html; charset=gbk"),
        Some("application/pdf"),
        Some("text/plain; charset=utf-8"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn no_reader_panics_and_failures_say_why(
            p in 0..PREFIXES.len(),
            t in 0..TYPES.len(),
            tail in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let mut bytes = PREFIXES[p].to_vec();
            bytes.extend(tail);
            let opts = ParseOptions { content_type: TYPES[t].map(str::to_string), ..ParseOptions::default() };
            let ex = read_lines(&bytes, &opts);
            prop_assert!(!ex.flags.iter().any(|f| f == "reader_panic"), "{:?}", ex.flags);
            if ex.status.is_some() {
                prop_assert!(!ex.flags.is_empty());
            }
            prop_assert!(ex.lines.iter().enumerate().all(|(i, l)| l.no as usize == i + 1));
        }
    }
}
