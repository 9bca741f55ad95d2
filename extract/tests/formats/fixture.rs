//! The canonical test report (`fixtures/formats/report.grid`, written by
//! `scripts/make_fixtures.py`) and its renderings: TSV (the text path), a GBK
//! HTML page with rowspan/colspan and vertical headers, a DOCX with
//! gridSpan/vMerge. The PDFs are committed files made by the same script.

use std::io::Write;
use std::path::PathBuf;

/// One record of the grid file.
#[derive(Debug, Clone)]
pub enum Item {
    /// A text line (title, heading, paragraph).
    Text(String),
    /// A table: every row has every column; cells keep their markup (`<`, `^`, `~`, `{v}`).
    Table(Vec<Vec<String>>),
}

/// Path of a file in `tests/fixtures/formats/`.
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

/// Whether `program` is an executable on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Whether tesseract is installed with every one of `langs` (`chi_sim`, `eng`).
pub fn tesseract_with(langs: &[&str]) -> bool {
    on_path("tesseract")
        && std::process::Command::new("tesseract")
            .arg("--list-langs")
            .output()
            .is_ok_and(|o| {
                let out = String::from_utf8_lossy(&o.stdout);
                langs.iter().all(|l| out.lines().any(|x| x.trim() == *l))
            })
}

/// PDF tests need poppler: fail with the fix rather than with a confusing diff.
pub fn assert_pdftotext() {
    assert!(
        on_path("pdftotext"),
        "pdftotext not found: install poppler-utils and poppler-data"
    );
}

/// Reads a fixture file.
pub fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|e| panic!("reading fixture {name}: {e}"))
}

/// The report's records.
pub fn load() -> Vec<Item> {
    load_grid("report.grid")
}

/// The records of a grid file in `tests/fixtures/formats/`.
pub fn load_grid(name: &str) -> Vec<Item> {
    let text = String::from_utf8(bytes(name)).expect("grid is UTF-8");
    let mut items = Vec::new();
    let mut table: Option<Vec<Vec<String>>> = None;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.split('\t');
        match f.next() {
            Some("T" | "P") => items.push(Item::Text(f.next().unwrap_or_default().to_string())),
            Some("B") => table = Some(Vec::new()),
            Some("R") => table
                .as_mut()
                .expect("R inside B…E")
                .push(f.map(str::to_string).collect()),
            Some("E") => items.push(Item::Table(table.take().expect("E after B"))),
            other => panic!("bad grid record {other:?}"),
        }
    }
    items
}

/// The report's title (first record).
pub fn title(items: &[Item]) -> String {
    match &items[0] {
        Item::Text(t) => t.clone(),
        Item::Table(_) => panic!("grid starts with a table"),
    }
}

/// A cell as a reader should return it: markers removed, covered positions empty.
pub fn cell_text(raw: &str) -> String {
    if raw == "<" || raw == "^" {
        return String::new();
    }
    raw.strip_suffix("{v}").unwrap_or(raw).replace('~', "")
}

/// The report as TSV: one line per text record and per grid row.
pub fn tsv(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        match item {
            Item::Text(t) => out.push_str(t),
            Item::Table(rows) => {
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(
                        &row.iter()
                            .map(|c| cell_text(c))
                            .collect::<Vec<_>>()
                            .join("\t"),
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Column span of the anchor cell at (`r`, `c`).
fn colspan(rows: &[Vec<String>], r: usize, c: usize) -> usize {
    1 + rows[r][c + 1..].iter().take_while(|x| *x == "<").count()
}

/// Row span of the anchor cell at (`r`, `c`).
fn rowspan(rows: &[Vec<String>], r: usize, c: usize) -> usize {
    1 + rows[r + 1..].iter().take_while(|row| row[c] == "^").count()
}

/// The visual lines inside a cell.
fn cell_lines(raw: &str) -> Vec<String> {
    if let Some(v) = raw.strip_suffix("{v}") {
        return v.chars().map(String::from).collect();
    }
    raw.split('~').map(str::to_string).collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An HTML page as portals publish it: GBK bytes, `meta` charset `declared`,
/// Word-style cells (`<p><span>`), spans, `<br>` in cells, vertical header text,
/// and (with `chrome`) a menu, a search form, a script and a footer around the article.
pub fn html_gbk(items: &[Item], declared: &str, chrome: bool) -> Vec<u8> {
    let t = esc(&title(items));
    let mut h = format!(
        "<!DOCTYPE html>\n<html><head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset={declared}\">\n\
         <title>{t}</title>\n<meta name=\"ArticleTitle\" content=\"{t}\">\n<meta name=\"ColumnName\" content=\"政府信息公开年报\">\n\
         <style>td {{ border: 1px solid #000; }}</style>\n</head>\n<body>\n"
    );
    if chrome {
        h.push_str(
            "<div class=\"top\"><ul class=\"nav\"><li><a href=\"/\">首页</a></li><li><a href=\"/zwgk/\">政务公开</a></li>\
             <li><a href=\"/hdjl/\">互动交流</a></li></ul>\n<form><input name=\"q\"><select><option>全站</option>\
             <option>本栏目</option></select><button>搜索</button></form><span>长者模式</span></div>\n\
             <script>document.write('<table><tr><td>广告</td></tr></table>');</script>\n<div class=\"article\">\n",
        );
    }
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Text(s) if i == 0 => {
                h.push_str(&format!("<h1 class=\"title\">{}</h1>\n", esc(s)))
            }
            Item::Text(s) => h.push_str(&format!(
                "<p style=\"text-indent:2em\"><span>{}</span></p>\n",
                esc(s)
            )),
            Item::Table(rows) => {
                h.push_str("<table border=\"1\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tbody>\n");
                for (r, row) in rows.iter().enumerate() {
                    h.push_str("<tr>");
                    for (c, cell) in row.iter().enumerate() {
                        if cell == "<" || cell == "^" {
                            continue;
                        }
                        let (rs, cs) = (rowspan(rows, r, c), colspan(rows, r, c));
                        h.push_str("<td style=\"padding:0 7px\"");
                        if rs > 1 {
                            h.push_str(&format!(" rowspan=\"{rs}\""));
                        }
                        if cs > 1 {
                            h.push_str(&format!(" colspan=\"{cs}\""));
                        }
                        h.push('>');
                        let parts = cell_lines(cell);
                        if cell.ends_with("{v}") {
                            h.push_str(&format!(
                                "<p>{}</p>",
                                parts
                                    .iter()
                                    .map(|p| esc(p))
                                    .collect::<Vec<_>>()
                                    .join("<br>")
                            ));
                        } else if parts.len() > 1 && r % 2 == 0 {
                            h.push_str(
                                &parts
                                    .iter()
                                    .map(|p| format!("<p><span>{}</span></p>", esc(p)))
                                    .collect::<String>(),
                            );
                        } else {
                            h.push_str(&format!(
                                "<p style=\"text-align:center\"><span style=\"font-family:宋体\">{}</span></p>",
                                parts.iter().map(|p| esc(p)).collect::<Vec<_>>().join("<br/>\n")
                            ));
                        }
                        h.push_str("</td>");
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody></table>\n");
            }
        }
    }
    if chrome {
        h.push_str("</div>\n<div class=\"footer\"><p>主办：某区人民政府办公室</p><p>网站标识码：4105030001</p></div>\n");
    }
    h.push_str("</body></html>\n");
    encoding_rs::GB18030.encode(&h).0.into_owned()
}

/// A DOCX of the report, built as a zip here: tables with `w:gridSpan` and
/// `w:vMerge`, a paragraph per visual line inside cells.
pub fn docx(items: &[Item]) -> Vec<u8> {
    let mut body = String::new();
    let para = |s: &str| {
        format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:rFonts w:hint=\"eastAsia\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            esc(s)
        )
    };
    for item in items {
        match item {
            Item::Text(s) => body.push_str(&para(s)),
            Item::Table(rows) => {
                body.push_str(
                    "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>",
                );
                body.push_str(&"<w:gridCol w:w=\"800\"/>".repeat(rows[0].len()));
                body.push_str("</w:tblGrid>");
                for (r, row) in rows.iter().enumerate() {
                    body.push_str("<w:tr>");
                    let mut c = 0;
                    while c < row.len() {
                        let cell = &row[c];
                        // the anchor of a covered-from-above cell sets the continuation's width
                        let anchor_row = (0..=r).rev().find(|&k| rows[k][c] != "^").unwrap_or(r);
                        let cs = colspan(rows, anchor_row, c);
                        let mut pr = String::from("<w:tcPr><w:tcW w:w=\"800\" w:type=\"dxa\"/>");
                        if cs > 1 {
                            pr.push_str(&format!("<w:gridSpan w:val=\"{cs}\"/>"));
                        }
                        if cell == "^" {
                            pr.push_str("<w:vMerge/></w:tcPr><w:p/>");
                        } else if rowspan(rows, r, c) > 1 {
                            pr.push_str("<w:vMerge w:val=\"restart\"/></w:tcPr>");
                        } else {
                            pr.push_str("</w:tcPr>");
                        }
                        body.push_str("<w:tc>");
                        body.push_str(&pr);
                        if cell != "^" {
                            for part in cell_lines(cell) {
                                body.push_str(&para(&part));
                            }
                        }
                        body.push_str("</w:tc>");
                        c += cs;
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl><w:p/>");
            }
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document \
         xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    ooxml_package(
        "word/document.xml",
        &[(
            "word/document.xml",
            Some(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            ),
            document.as_bytes(),
        )],
    )
}

/// `_rels/….rels`: one relationship (`rId1`) of the OOXML type `kind` to `target`.
fn relationships(kind: &str, target: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/></Relationships>"
    )
}

/// An OOXML package (DOCX, XLSX): `[Content_Types].xml` (the `rels` and `xml`
/// defaults, an override for each part that names its content type), the
/// package relationship to the main part `main`, then the parts in order.
fn ooxml_package(main: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let overrides: String = parts
        .iter()
        .filter_map(|(name, ct, _)| {
            ct.map(|ct| format!("<Override PartName=\"/{name}\" ContentType=\"{ct}\"/>"))
        })
        .collect();
    let types = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>{overrides}</Types>"
    );
    let rels = relationships("officeDocument", main);
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
    ];
    entries.extend(parts.iter().map(|(name, _, data)| (*name, *data)));
    zip_of(&entries)
}

/// A deflated zip archive of the given entries.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// Spreadsheet column letters of a 0-based index (`A`, …, `Z`, `AA`, …).
fn col_letters(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// An XLSX of the report: one sheet, one row per text record and grid row,
/// numbers as numeric cells, spans as `mergeCells` (covered cells absent).
pub fn xlsx(items: &[Item]) -> Vec<u8> {
    let mut rows_xml = String::new();
    let mut merges = Vec::new();
    let mut r = 0usize;
    let mut put_row = |cells: Vec<(usize, String)>, r: usize| {
        rows_xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, text) in cells {
            let at = format!("{}{}", col_letters(c), r + 1);
            if text.parse::<f64>().is_ok() {
                rows_xml.push_str(&format!("<c r=\"{at}\"><v>{text}</v></c>"));
            } else {
                rows_xml.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    esc(&text)
                ));
            }
        }
        rows_xml.push_str("</row>");
    };
    for item in items {
        match item {
            Item::Text(t) => {
                put_row(vec![(0, t.clone())], r);
                r += 1;
            }
            Item::Table(rows) => {
                for (i, row) in rows.iter().enumerate() {
                    let mut cells = Vec::new();
                    for (c, cell) in row.iter().enumerate() {
                        if cell == "<" || cell == "^" {
                            continue;
                        }
                        let (rs, cs) = (rowspan(rows, i, c), colspan(rows, i, c));
                        if rs > 1 || cs > 1 {
                            merges.push(format!(
                                "{}{}:{}{}",
                                col_letters(c),
                                r + 1,
                                col_letters(c + cs - 1),
                                r + rs
                            ));
                        }
                        cells.push((c, cell_text(cell)));
                    }
                    put_row(cells, r);
                    r += 1;
                }
            }
        }
    }
    let merge_xml = if merges.is_empty() {
        String::new()
    } else {
        format!(
            "<mergeCells count=\"{}\">{}</mergeCells>",
            merges.len(),
            merges
                .iter()
                .map(|m| format!("<mergeCell ref=\"{m}\"/>"))
                .collect::<String>()
        )
    };
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <sheetData>{rows_xml}</sheetData>{merge_xml}</worksheet>"
    );
    let sheet_rels = relationships("worksheet", "worksheets/sheet1.xml");
    ooxml_package(
        "xl/workbook.xml",
        &[
            (
                "xl/workbook.xml",
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
                 xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"年报\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
                    .as_bytes(),
            ),
            ("xl/_rels/workbook.xml.rels", None, sheet_rels.as_bytes()),
            (
                "xl/worksheets/sheet1.xml",
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
                sheet.as_bytes(),
            ),
        ],
    )
}
