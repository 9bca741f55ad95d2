//! OCR of scanned pages with tesseract, only when asked for
//! (`ParseOptions::ocr`) and installed; otherwise documents stay `needs_ocr`.
//!
//! ## PDF pages: tables read as tables
//!
//! Tesseract's page segmentation loses the digits inside a ruled grid (the
//! lines around a one-digit cell swamp it), so each page is prepared first
//! (pixels in [`super::raster`], grids in [`super::scan_table`]):
//!
//! 1. **Render** the page with `pdftoppm -gray` at the resolution of the image
//!    embedded in it (`pdfimages -list`; 300 dpi for a page without an image),
//!    kept within [`MIN_DPI`]–[`MAX_DPI`] and [`MAX_PAGE_PIXELS`]: more pixels
//!    than the scanner took add time, not detail, and a large sheet stays within
//!    the time budget.
//! 2. **Deskew** (the angle with the sharpest row profile) and **find the ruling
//!    lines** (ink runs of at least 0.3 inch), then the table grids they enclose.
//! 3. **Text pass**: tesseract (`chi_sim`, `--psm 6`, uniform block) on the page
//!    with the ruling lines erased; its words outside the tables are the page's
//!    free text, its words inside a cell that the cell pass cannot read stay
//!    that cell's text.
//! 4. **Cell pass**: every cell with ink (specks ignored) is cropped from the
//!    cleaned page and read alone (`chi_sim`, `--psm 6`), all cells of a page in
//!    one tesseract run over a list of images. A cell with no ink is blank,
//!    whatever the text pass saw.
//! 5. **Digit pass**: the numeric cells — the cell pass read a number, or ASCII
//!    strokes (`]`, `|`: a thin `1`), or, in a column of numbers, read nothing,
//!    digit lookalikes, a short misreading or digits with one stray character
//!    (`7了46`), without `无`/`不适用`/dash/slash — are read again digits-only (`eng`,
//!    `--psm 7`, `0-9 . -` whitelisted); a reading that is a number replaces a
//!    cell-pass reading that is not one (a clean number from the cell pass
//!    stands). Crops keep the page's resolution: enlarged crops made
//!    tesseract misread clean digits (`75` as `795`) in measurements.
//! 6. Each table becomes grid rows with every cell at its column (a merged cell's
//!    text at its top-left position, covered positions empty), as an HTML grid
//!    reaches the core; text around tables goes through the same row rebuild as
//!    PDF text ([`super::layout`]).
//!
//! Images: a PNG (grey, RGB or palette, not interlaced) or JPEG is wrapped,
//! undecoded, into a one-page PDF ([`super::image_pdf`]) and read as above;
//! other images (TIFF, GIF, BMP, PNG with alpha) are given to tesseract as
//! they are (`--psm 4`, no table geometry), flagged `ocr:whole_page`.
//!
//! Every value read this way gets provenance `ocr`, and a value inferred from
//! them `ocr_inferred` (done by the caller).

use super::cells::{join_cell_lines, push_joined};
use super::layout::{Word, rows_from_words};
use super::limits::{Exceeded, Limits};
use super::raster::{Gray, Mask, ruling_lines, skew_deg};
use super::scan_table::{BBox, Grid, grids};
use super::tool::{self, ToolError, Workdir};
use std::sync::OnceLock;

/// Lowest rendering resolution: scans taken at less are enlarged to it by the
/// renderer (tesseract misreads digits of body text below ~300 dpi: `1` as `工`
/// in a 200 dpi scan of an unruled table).
pub(crate) const MIN_DPI: u32 = 300;
/// Highest rendering resolution.
pub(crate) const MAX_DPI: u32 = 400;
/// Rendering resolution of a page that holds no image (broken text layers).
pub(crate) const DEFAULT_DPI: u32 = 300;
/// Most pixels a rendered page may have; larger pages are rendered at a lower resolution.
pub(crate) const MAX_PAGE_PIXELS: f64 = 36e6;
/// Turns smaller than this (degrees) are left alone.
const MIN_DESKEW_DEG: f32 = 0.1;
/// Characters the digit pass may read.
const DIGIT_WHITELIST: &str = "tessedit_char_whitelist=0123456789.-";
/// Tesseract word confidence below which a reading without CJK or digits is junk.
const JUNK_CONF: f32 = 30.0;
/// Marks a number cell may hold instead of a number (`无`, `不适用`, dashes, slashes).
const NOT_A_NUMBER_MARKS: &str = "无不适用—–-－/／\\";

/// Whether tesseract with the `chi_sim` language is installed (checked once).
pub(crate) fn available(limits: &Limits) -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let Ok((work, _)) = Workdir::with_input("probe", b"") else {
            return false;
        };
        tool::run("tesseract", &["--list-langs"], &work, limits).is_ok_and(|r| {
            String::from_utf8_lossy(&r.stdout)
                .lines()
                .any(|l| l.trim() == "chi_sim")
        })
    })
}

/// OCRs the pages of a PDF (up to the page limit) into visual rows.
pub(crate) fn ocr_pdf(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Vec<Vec<String>>, Vec<String>), String> {
    let (work, _) = Workdir::with_input("in.pdf", bytes).map_err(flag)?;
    let sizes = page_sizes(&work, limits)?;
    let mut flags = Vec::new();
    let pages = if sizes.len() > limits.max_pdf_pages as usize {
        flags.push(Exceeded::PdfPages.flag());
        &sizes[..limits.max_pdf_pages as usize]
    } else {
        &sizes[..]
    };
    let ppi = image_ppi(&work, limits);
    let mut rows = Vec::new();
    for (i, &(w_pt, h_pt)) in pages.iter().enumerate() {
        let page = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let dpi = render_dpi(ppi.get(i).copied().flatten(), w_pt, h_pt);
        let gray = render(&work, page, dpi, limits)?;
        rows.extend(read_page(&work, gray, dpi, page, limits)?);
    }
    Ok((rows, flags))
}

/// OCRs one image (PNG, JPEG, TIFF, …) into visual rows: a PNG or JPEG that
/// [`super::image_pdf`] can wrap into a page is read like a scanned PDF page
/// (tables cell by cell); other images whole by tesseract.
pub(crate) fn ocr_image(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Vec<Vec<String>>, Vec<String>), String> {
    if let Some(pdf) = super::image_pdf::wrap(bytes) {
        return ocr_pdf(&pdf, limits);
    }
    let (work, _) = Workdir::with_input("in.img", bytes).map_err(flag)?;
    let tsv = tesseract(&work, "in.img", &["-l", "chi_sim", "--psm", "4"], limits)?;
    Ok((
        rows_from_words(parse_tsv(&tsv, |_| Some(1))),
        vec!["ocr:whole_page".to_string()],
    ))
}

/// Each page's size in points (`pdfinfo`).
fn page_sizes(work: &Workdir, limits: &Limits) -> Result<Vec<(f64, f64)>, String> {
    let r = tool::run(
        "pdfinfo",
        &["-f", "1", "-l", "100000", "in.pdf"],
        work,
        limits,
    )
    .map_err(flag)?;
    if !r.success {
        return Err(format!("ocr_error:pdfinfo:{}", r.stderr_head));
    }
    let sizes = parse_page_sizes(&String::from_utf8_lossy(&r.stdout));
    if sizes.is_empty() {
        return Err("ocr_error:pdfinfo:no pages".into());
    }
    Ok(sizes)
}

/// `Page    3 size: 595.3 x 841.9 pts (A4)` lines → sizes in page order.
fn parse_page_sizes(info: &str) -> Vec<(f64, f64)> {
    info.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("Page")?;
            let (_, dims) = rest.split_once("size:")?;
            let mut f = dims.split_whitespace();
            let w = f.next()?.parse().ok()?;
            (f.next()? == "x").then_some(())?;
            Some((w, f.next()?.parse().ok()?))
        })
        .collect()
}

/// The resolution of the largest image on each page (`pdfimages -list`), by page index.
fn image_ppi(work: &Workdir, limits: &Limits) -> Vec<Option<f64>> {
    match tool::run("pdfimages", &["-list", "in.pdf"], work, limits) {
        Ok(r) if r.success => parse_image_list(&String::from_utf8_lossy(&r.stdout)),
        _ => Vec::new(),
    }
}

/// `page num type width height … x-ppi y-ppi …` rows → per page the ppi of its largest image.
fn parse_image_list(list: &str) -> Vec<Option<f64>> {
    let mut best: Vec<Option<(u64, f64)>> = Vec::new();
    for l in list.lines().skip(2) {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() < 14 || f[2] != "image" {
            continue;
        }
        let (Ok(page), Ok(w), Ok(h), Ok(ppi)) = (
            f[0].parse::<usize>(),
            f[3].parse::<u64>(),
            f[4].parse::<u64>(),
            f[12].parse::<f64>(),
        ) else {
            continue;
        };
        if page == 0 || page > 100_000 {
            continue;
        }
        if best.len() < page {
            best.resize(page, None);
        }
        let area = w * h;
        if best[page - 1].is_none_or(|(a, _)| area > a) {
            best[page - 1] = Some((area, ppi));
        }
    }
    best.into_iter().map(|b| b.map(|(_, p)| p)).collect()
}

/// The rendering resolution of a page (see the module docs).
fn render_dpi(image_ppi: Option<f64>, w_pt: f64, h_pt: f64) -> u32 {
    let want = image_ppi.map_or(f64::from(DEFAULT_DPI), f64::round);
    let want = want.clamp(f64::from(MIN_DPI), f64::from(MAX_DPI));
    let area_in2 = (w_pt / 72.0) * (h_pt / 72.0);
    let cap = if area_in2 > 0.0 {
        (MAX_PAGE_PIXELS / area_in2).sqrt()
    } else {
        want
    };
    want.min(cap).max(36.0) as u32
}

/// Renders one page as grey pixels.
fn render(work: &Workdir, page: u32, dpi: u32, limits: &Limits) -> Result<Gray, String> {
    let (p, r) = (page.to_string(), dpi.to_string());
    let args = [
        "-r",
        &r,
        "-gray",
        "-f",
        &p,
        "-l",
        &p,
        "-singlefile",
        "in.pdf",
        "page",
    ];
    let run = tool::run("pdftoppm", &args, work, limits).map_err(flag)?;
    let path = work.path().join("page.pgm");
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("ocr_error:pdftoppm:page {page}:{}:{e}", run.stderr_head))?;
    let _ = std::fs::remove_file(&path);
    Gray::from_pgm(&bytes).map_err(|e| format!("ocr_error:page {page}:{e}"))
}

/// A table of a page with the words of each of its cells.
struct TableWords {
    grid: Grid,
    cells: Vec<Vec<Word>>,
}

/// OCRs one rendered page into visual rows (see the module docs).
fn read_page(
    work: &Workdir,
    gray: Gray,
    dpi: u32,
    page: u32,
    limits: &Limits,
) -> Result<Vec<Vec<String>>, String> {
    let threshold = gray.otsu();
    let mut gray = gray;
    let deg = skew_deg(&gray.ink(threshold));
    if deg.abs() >= MIN_DESKEW_DEG {
        gray = gray.rotate(-deg);
    }
    let ink = gray.ink(threshold);
    let inch = dpi as usize;
    let lines = ruling_lines(&ink, inch * 3 / 10).dilate((inch / 100).max(1));
    let clean = gray.erase(&lines);
    let tables = grids(&lines, inch * 8 / 100, (inch * 4 / 100).max(2));
    let name = format!("p{page}.pgm");
    std::fs::write(work.path().join(&name), clean.to_pgm())
        .map_err(|e| format!("ocr_error:writing page {page}:{e}"))?;
    let dpi_s = dpi.to_string();
    let tsv = tesseract(
        work,
        &name,
        &["-l", "chi_sim", "--psm", "6", "--dpi", &dpi_s],
        limits,
    )?;
    let words = parse_tsv(&tsv, |_| Some(page));
    let (tables, free) = assign(words, tables);
    let texts = cell_texts(work, &clean, threshold, &tables, dpi, page, limits)?;
    Ok(page_rows(free, &tables, &texts))
}

/// Splits words into the cells of the tables (by their centre) and the free text.
fn assign(words: Vec<Word>, grids: Vec<Grid>) -> (Vec<TableWords>, Vec<Word>) {
    let mut tables: Vec<TableWords> = grids
        .into_iter()
        .map(|grid| TableWords {
            cells: vec![Vec::new(); grid.cells.len()],
            grid,
        })
        .collect();
    let mut free = Vec::new();
    for w in words {
        let (cx, cy) = ((w.x0 + w.x1) / 2.0, (w.y0 + w.y1) / 2.0);
        let inside = |b: BBox| {
            cx >= b.0 as f32 && cx <= b.2 as f32 + 1.0 && cy >= b.1 as f32 && cy <= b.3 as f32 + 1.0
        };
        let Some(t) = tables.iter_mut().find(|t| inside(t.grid.bbox)) else {
            free.push(w);
            continue;
        };
        // the cell holding the centre, else (a word over an erased line) the nearest
        let dist = |b: BBox| {
            let dx = (b.0 as f32 - cx).max(cx - b.2 as f32).max(0.0);
            let dy = (b.1 as f32 - cy).max(cy - b.3 as f32).max(0.0);
            dx * dx + dy * dy
        };
        if let Some(i) = (0..t.grid.cells.len())
            .min_by(|&a, &b| dist(t.grid.cells[a].bbox).total_cmp(&dist(t.grid.cells[b].bbox)))
        {
            t.cells[i].push(w);
        }
    }
    (tables, free)
}

/// The text of every cell (see the module docs, steps 3–4).
fn cell_texts(
    work: &Workdir,
    clean: &Gray,
    threshold: u8,
    tables: &[TableWords],
    dpi: u32,
    page: u32,
    limits: &Limits,
) -> Result<Vec<Vec<String>>, String> {
    let inch = dpi as usize;
    // cells are read at the page's resolution: enlarging (nearest or bilinear)
    // made tesseract misread clean digits (`75` as `795`) in measurements
    let scale = 1;
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut crops: Vec<(usize, usize, Gray)> = Vec::new();
    for (ti, t) in tables.iter().enumerate() {
        let mut out = Vec::with_capacity(t.cells.len());
        for (ci, (cell, words)) in t.grid.cells.iter().zip(&t.cells).enumerate() {
            match ink_box(clean, threshold, cell.bbox, inch) {
                // no ink: blank, whatever the text pass saw
                None => out.push(String::new()),
                Some(b) => {
                    out.push(words_text(words.clone()));
                    let b = (
                        b.0.saturating_sub(2),
                        b.1.saturating_sub(2),
                        b.2 + 3,
                        b.3 + 3,
                    );
                    crops.push((ti, ci, clean.crop(b, inch / 20, scale)));
                }
            }
        }
        texts.push(out);
    }
    if crops.is_empty() {
        return Ok(texts);
    }
    let list = write_crops(work, page, &crops)?;
    let crop_dpi = (dpi as usize * scale).to_string();
    // cell pass: each cell alone, as a block of lines
    let read = read_crops(
        work,
        &list,
        crops.len(),
        &["-l", "chi_sim", "--psm", "6", "--dpi", &crop_dpi],
        limits,
    )?;
    for ((ti, ci, _), r) in crops.iter().zip(read) {
        if !r.is_empty() {
            texts[*ti][*ci] = r;
        }
    }
    // digit pass: numeric cells again, digits only
    let numeric_col: Vec<Vec<bool>> = tables
        .iter()
        .zip(&texts)
        .map(|(t, text)| numeric_columns(&t.grid, text))
        .collect();
    let digit_cells: Vec<(usize, usize, Gray)> = crops
        .into_iter()
        .filter(|(ti, ci, _)| {
            let s = &texts[*ti][*ci];
            let col = tables[*ti].grid.cells[*ci].col;
            looks_numeric(s)
                || digit_lookalike(s)
                || (numeric_col[*ti][col] && may_be_misread_digits(s))
        })
        .collect();
    if digit_cells.is_empty() {
        return Ok(texts);
    }
    let list = write_crops(work, page, &digit_cells)?;
    let read = read_crops(
        work,
        &list,
        digit_cells.len(),
        &[
            "-l",
            "eng",
            "--psm",
            "7",
            "--dpi",
            &crop_dpi,
            "-c",
            DIGIT_WHITELIST,
        ],
        limits,
    )?;
    for ((ti, ci, _), digits) in digit_cells.iter().zip(read) {
        let digits: String = digits.chars().filter(|c| !c.is_whitespace()).collect();
        // a clean number from the cell pass stands: the digit pass rescues misreadings
        if is_number(&digits) && !is_number(&texts[*ti][*ci]) {
            texts[*ti][*ci] = digits;
        }
    }
    Ok(texts)
}

/// Whether a cell pass reading in a column of numbers may be a misread number:
/// empty, lookalikes of digits, a short reading, or digits with one stray
/// character among them (`7了46`), in each case without the words and marks a
/// number cell legitimately holds instead of a number (`无`, `不适用`, dashes, slashes).
fn may_be_misread_digits(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let stray = s.chars().filter(|c| !c.is_ascii_digit()).count();
    let digits = s.chars().count() - stray;
    (s.chars().count() <= 3 || (digits >= 2 && stray <= 1))
        && !s.chars().any(|c| NOT_A_NUMBER_MARKS.contains(c))
}

/// Whether a reading anywhere in a table is ASCII junk of at most three
/// characters (`]`, `|`, `I`): a thin digit such as `1` read as a stroke; read
/// again digits only.
fn digit_lookalike(s: &str) -> bool {
    let s: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    !s.is_empty()
        && s.len() <= 3
        && s.iter()
            .all(|c| (c.is_ascii() && !c.is_ascii_alphanumeric()) || "lIiO".contains(*c))
        && !s.iter().any(|c| NOT_A_NUMBER_MARKS.contains(*c))
}

/// Writes cell images and the list tesseract reads them from; returns the list's name.
fn write_crops(
    work: &Workdir,
    page: u32,
    crops: &[(usize, usize, Gray)],
) -> Result<String, String> {
    let mut list = String::new();
    for (k, (_, _, img)) in crops.iter().enumerate() {
        let name = format!("p{page}c{k}.pgm");
        std::fs::write(work.path().join(&name), img.to_pgm())
            .map_err(|e| format!("ocr_error:writing a cell image:{e}"))?;
        list.push_str(&name);
        list.push('\n');
    }
    let name = format!("p{page}cells.txt");
    std::fs::write(work.path().join(&name), list)
        .map_err(|e| format!("ocr_error:writing the cell list:{e}"))?;
    Ok(name)
}

/// One tesseract run over the listed cell images: each image's text.
fn read_crops(
    work: &Workdir,
    list: &str,
    n: usize,
    opts: &[&str],
    limits: &Limits,
) -> Result<Vec<String>, String> {
    let tsv = tesseract(work, list, opts, limits)?;
    let mut words: Vec<Vec<Word>> = vec![Vec::new(); n];
    for w in parse_tsv(&tsv, Some) {
        if let Some(ws) = (w.page as usize)
            .checked_sub(1)
            .and_then(|k| words.get_mut(k))
        {
            ws.push(w);
        }
    }
    Ok(words.into_iter().map(words_text).collect())
}

/// For each grid column: whether most of its non-empty cells read as numbers.
fn numeric_columns(grid: &Grid, text: &[String]) -> Vec<bool> {
    let mut counts = vec![(0usize, 0usize); grid.cols];
    for (cell, s) in grid.cells.iter().zip(text) {
        if let Some(c) = counts.get_mut(cell.col)
            && !s.is_empty()
        {
            c.0 += usize::from(looks_numeric(s));
            c.1 += 1;
        }
    }
    counts
        .into_iter()
        .map(|(n, all)| n >= 2 && n * 2 > all)
        .collect()
}

/// Text that reads as a number, perhaps with OCR's usual slips (`O`, `l`, a stray space).
fn looks_numeric(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || ".,-— oOlI|".contains(c))
}

/// A plain number: digits with at most one decimal point, perhaps negative.
fn is_number(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    parts.next().is_none()
        && !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// The box around the ink of a cell's interior, ignoring specks; `None` when blank.
fn ink_box(clean: &Gray, threshold: u8, cell: BBox, inch: usize) -> Option<BBox> {
    let m = inch / 100 + 1;
    let (x0, y0, x1, y1) = (
        cell.0 + m,
        cell.1 + m,
        cell.2.saturating_sub(m),
        cell.3.saturating_sub(m),
    );
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    let (w, h) = (x1 + 1 - x0, y1 + 1 - y0);
    let mut ink = Mask::new(w, h);
    for y in 0..h {
        for x in 0..w {
            ink.on[y * w + x] = clean.px[(y0 + y) * clean.w + x0 + x] <= threshold;
        }
    }
    // a speck is smaller than a dash both ways
    let (min_w, min_h) = (inch / 25, inch / 25);
    let mut seen = vec![false; w * h];
    let mut out: Option<BBox> = None;
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !ink.on[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut b = (start % w, start / w, start % w, start / w);
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
            for (dx, dy) in [
                (-1isize, 0isize),
                (1, 0),
                (0, -1),
                (0, 1),
                (-1, -1),
                (1, 1),
                (-1, 1),
                (1, -1),
            ] {
                let (nx, ny) = (x as isize + dx, y as isize + dy);
                if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
                    let q = ny as usize * w + nx as usize;
                    if ink.on[q] && !seen[q] {
                        seen[q] = true;
                        stack.push(q);
                    }
                }
            }
        }
        if b.2 + 1 - b.0 >= min_w || b.3 + 1 - b.1 >= min_h {
            out = Some(out.map_or(b, |o| {
                (o.0.min(b.0), o.1.min(b.1), o.2.max(b.2), o.3.max(b.3))
            }));
        }
    }
    out.map(|b| (b.0 + x0, b.1 + y0, b.2 + x0, b.3 + y0))
}

/// A cell's words as its text: lines top to bottom, joined like the lines of a cell.
fn words_text(words: Vec<Word>) -> String {
    let lines: Vec<String> = rows_from_words(words)
        .into_iter()
        .map(|row| {
            let mut s = String::new();
            for c in row.iter().filter(|c| !c.is_empty()) {
                push_joined(&mut s, c);
            }
            s
        })
        .collect();
    join_cell_lines(&lines)
}

/// A page's rows: free text and tables in reading order (top to bottom).
fn page_rows(free: Vec<Word>, tables: &[TableWords], texts: &[Vec<String>]) -> Vec<Vec<String>> {
    // free words before (above, or level with) table i go in segment i
    let mut segments: Vec<Vec<Word>> = vec![Vec::new(); tables.len() + 1];
    for w in free {
        let cy = (w.y0 + w.y1) / 2.0;
        let i = tables
            .iter()
            .position(|t| cy <= t.grid.bbox.3 as f32)
            .unwrap_or(tables.len());
        segments[i].push(w);
    }
    let mut rows = Vec::new();
    let mut segments = segments.into_iter();
    for (t, text) in tables.iter().zip(texts) {
        rows.extend(rows_from_words(segments.next().unwrap_or_default()));
        let mut grid = vec![vec![String::new(); t.grid.cols]; t.grid.rows];
        for (cell, s) in t.grid.cells.iter().zip(text) {
            if let Some(slot) = grid.get_mut(cell.row).and_then(|r| r.get_mut(cell.col)) {
                *slot = s.clone();
            }
        }
        rows.extend(grid.into_iter().filter(|r| r.iter().any(|c| !c.is_empty())));
    }
    rows.extend(rows_from_words(segments.next().unwrap_or_default()));
    rows
}

/// Runs tesseract on `input` (an image, or a list of images) in `work`; returns its TSV.
fn tesseract(
    work: &Workdir,
    input: &str,
    opts: &[&str],
    limits: &Limits,
) -> Result<String, String> {
    let base = format!("{input}.ocr");
    let mut args: Vec<&str> = vec![input, base.as_str()];
    args.extend_from_slice(opts);
    args.push("tsv");
    let r = tool::run("tesseract", &args, work, limits).map_err(flag)?;
    std::fs::read_to_string(work.path().join(format!("{base}.tsv")))
        .map_err(|e| format!("ocr_error:tesseract:{}:{e}", r.stderr_head))
}

/// A tesseract line: page, block, paragraph and line numbers.
type LineKey<'a> = (u32, &'a str, &'a str, &'a str);

/// Parses tesseract's TSV (level, page, block, par, line, word, left, top, width,
/// height, conf, text) into words; `page_of` maps tesseract's page number to ours.
///
/// Tesseract's own lines are kept: the words of one line get the line's vertical
/// band (so the row rebuild cannot split a line whose words sit at different
/// heights, as a bold heading's do). A word whose box lies inside a larger
/// word's box is a second reading of the same ink (a bold `三` also read as `一`
/// over its top stroke) and is dropped, as are low-confidence readings without
/// a CJK character or digit (`Am`, `|`).
fn parse_tsv(tsv: &str, page_of: impl Fn(u32) -> Option<u32>) -> Vec<Word> {
    let mut lines: Vec<(LineKey, Vec<(Word, f32)>)> = Vec::new();
    for l in tsv.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() < 12 || f[0] != "5" || f[11].trim().is_empty() {
            continue;
        }
        let n = |i: usize| f[i].parse::<f32>().ok();
        let (Some(x), Some(y), Some(w), Some(h)) = (n(6), n(7), n(8), n(9)) else {
            continue;
        };
        let Some(page) = f[1].parse().ok().and_then(&page_of) else {
            continue;
        };
        let word = Word {
            page,
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
            text: f[11].to_string(),
        };
        let key = (page, f[2], f[3], f[4]);
        match lines.last_mut() {
            Some((k, ws)) if *k == key => ws.push((word, n(10).unwrap_or(0.0))),
            _ => lines.push((key, vec![(word, n(10).unwrap_or(0.0))])),
        }
    }
    // junk readings go; each remaining word takes its line's band
    let mut words: Vec<Word> = Vec::new();
    for (_, ws) in lines {
        let ws: Vec<Word> = ws
            .into_iter()
            .filter(|(w, conf)| {
                *conf >= JUNK_CONF
                    || w.text
                        .chars()
                        .any(|c| c.is_ascii_digit() || super::cells::is_wide(c))
            })
            .map(|(w, _)| w)
            .collect();
        let (y0, y1) = ws
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), w| (a.min(w.y0), b.max(w.y1)));
        words.extend(ws.into_iter().map(|w| Word { y0, y1, ..w }));
    }
    // a reading whose box lies inside a larger one's is a second reading of the same ink
    let inside = |w: &Word, o: &Word| {
        o.page == w.page
            && o.x0 <= w.x0 + 1.0
            && o.x1 >= w.x1 - 1.0
            && o.y0 <= w.y0 + 1.0
            && o.y1 >= w.y1 - 1.0
            && (o.x1 - o.x0) * (o.y1 - o.y0) > (w.x1 - w.x0) * (w.y1 - w.y0)
    };
    let keep: Vec<bool> = words
        .iter()
        .map(|w| !words.iter().any(|o| inside(w, o)))
        .collect();
    let out: Vec<Word> = words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect();
    out
}

/// The flag for a tool error in the OCR path.
fn flag(e: ToolError) -> String {
    e.flag("ocr:unavailable", "ocr_error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_make_rows() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t600\t800\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t10\t20\t20\t90\t予以\n\
                   5\t1\t1\t1\t1\t2\t31\t10\t20\t20\t90\t公开\n\
                   5\t1\t1\t1\t1\t3\t200\t11\t12\t20\t90\t12\n";
        let rows = rows_from_words(parse_tsv(tsv, |_| Some(1)));
        assert_eq!(rows, vec![vec!["予以公开".to_string(), "12".to_string()]]);
    }

    #[test]
    fn page_sizes_and_image_resolutions() {
        let info = "Pages:           2\nPage    1 size: 595.3 x 841.9 pts (A4)\nPage    1 rot:  0\nPage    2 size: 1190 x 842 pts\n";
        assert_eq!(
            parse_page_sizes(info),
            vec![(595.3, 841.9), (1190.0, 842.0)]
        );
        let list = "page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio\n\
            --------------------------------------------------------------------------------------------\n\
               1     0 image    1653  2339  gray    1   1  ccitt  no         6  0   200   200 30.0K 6.4%\n\
               1     1 image      40    40  gray    1   8  image  no         7  0    72    72  1K 6.4%\n\
               3     2 smask   1240  1754  gray    1   8  jpeg   no         9  0   150   150 1K 1%\n\
               3     3 image   1240  1754  gray    1   8  jpeg   no         9  0   150   150 1K 1%\n";
        assert_eq!(parse_image_list(list), vec![Some(200.0), None, Some(150.0)]);
    }

    #[test]
    fn resolution_follows_the_scan_within_bounds() {
        let a4 = (595.0, 842.0);
        assert_eq!(render_dpi(Some(350.0), a4.0, a4.1), 350);
        assert_eq!(render_dpi(Some(200.0), a4.0, a4.1), MIN_DPI);
        assert_eq!(render_dpi(Some(72.0), a4.0, a4.1), MIN_DPI);
        assert_eq!(render_dpi(Some(1200.0), a4.0, a4.1), MAX_DPI);
        assert_eq!(render_dpi(None, a4.0, a4.1), DEFAULT_DPI);
        // an A0 sheet scanned at 300 dpi is rendered within the pixel budget
        let a0 = render_dpi(Some(300.0), 2384.0, 3370.0);
        assert!(
            a0 < 300 && f64::from(a0).powi(2) * 33.1 * 46.8 <= MAX_PAGE_PIXELS,
            "{a0}"
        );
    }

    #[test]
    fn numbers_and_lookalikes() {
        assert!(is_number("12") && is_number("96171.6") && is_number("-3"));
        assert!(!is_number("") && !is_number("1.2.3") && !is_number(".5") && !is_number("7-"));
        assert!(digit_lookalike("]") && digit_lookalike("| l") && !digit_lookalike("-"));
        assert!(!digit_lookalike("是") && !digit_lookalike("ab") && !digit_lookalike(""));
        assert!(may_be_misread_digits("7 了 46") && may_be_misread_digits("l2"));
        assert!(!may_be_misread_digits("不适用") && !may_be_misread_digits("其他情形12"));
        assert!(
            looks_numeric("3 0")
                && looks_numeric("1O")
                && !looks_numeric("O")
                && !looks_numeric("无")
        );
    }

    /// A page with a ruled 2×3 table: digits in the cells, one blank, a title above.
    #[test]
    fn grid_rows_keep_blank_cells_at_their_column() {
        let grid = Grid {
            bbox: (10, 100, 300, 200),
            rows: 2,
            cols: 3,
            cells: vec![
                cell(0, 0, (10, 100, 100, 150)),
                cell(0, 1, (100, 100, 200, 150)),
                cell(0, 2, (200, 100, 300, 150)),
                cell(1, 0, (10, 150, 100, 200)),
                cell(1, 1, (100, 150, 200, 200)),
                cell(1, 2, (200, 150, 300, 200)),
            ],
        };
        let w = |x: f32, y: f32, t: &str| Word {
            page: 1,
            x0: x,
            y0: y,
            x1: x + 20.0,
            y1: y + 20.0,
            text: t.into(),
        };
        let words = vec![
            w(20.0, 20.0, "标题"),
            w(20.0, 110.0, "予以"),
            w(41.0, 110.0, "公开"),
            w(120.0, 110.0, "12"),
            w(220.0, 110.0, "3"),
            w(20.0, 160.0, "其他"),
            w(220.0, 160.0, "5"),
            w(20.0, 300.0, "-2-"),
        ];
        let (tables, free) = assign(words, vec![grid]);
        assert_eq!(free.len(), 2);
        let texts: Vec<Vec<String>> = tables
            .iter()
            .map(|t| t.cells.iter().map(|c| words_text(c.clone())).collect())
            .collect();
        let rows = page_rows(free, &tables, &texts);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows,
            vec![
                s(&["标题"]),
                s(&["予以公开", "12", "3"]),
                s(&["其他", "", "5"]),
                s(&["-2-"])
            ]
        );
    }

    fn cell(row: usize, col: usize, bbox: BBox) -> super::super::scan_table::GridCell {
        super::super::scan_table::GridCell { row, col, bbox }
    }
}
