//! OCR of scanned pages with tesseract (`chi_sim`), only when asked for
//! (`ParseOptions::ocr`) and installed; otherwise documents stay `needs_ocr`.
//!
//! PDF pages are rasterised with `pdftoppm` (poppler-utils) at 300 dpi; images
//! go to tesseract directly. Tesseract's TSV output gives word boxes, which go
//! through the same row/cell rebuild as PDF text ([`super::layout`]). Every
//! value read this way gets provenance `ocr` (done by the caller).

use super::layout::{Word, rows_from_words};
use super::limits::{Exceeded, Limits};
use super::tool::{self, ToolError, Workdir};
use std::sync::OnceLock;

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
pub(crate) fn ocr_pdf(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, String> {
    let (work, _) = Workdir::with_input("in.pdf", bytes).map_err(flag)?;
    let last = limits.max_pdf_pages.to_string();
    let r = tool::run(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-gray",
            "-png",
            "-l",
            last.as_str(),
            "in.pdf",
            "page",
        ],
        &work,
        limits,
    )
    .map_err(flag)?;
    if !r.success {
        return Err(format!("ocr_error:pdftoppm:{}", r.stderr_head));
    }
    let mut pages: Vec<String> = std::fs::read_dir(work.path())
        .map_err(|e| format!("ocr_error:listing pages:{e}"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("page") && n.ends_with(".png"))
        .collect();
    // page-1.png … page-10.png (pdftoppm pads to the page count's width, so a plain sort works)
    pages.sort();
    let mut words = Vec::new();
    for (i, png) in pages.iter().enumerate() {
        let page = u32::try_from(i + 1).unwrap_or(u32::MAX);
        words.extend(tesseract_words(&work, png, page, limits)?);
    }
    Ok(rows_from_words(words))
}

/// OCRs one image (PNG, JPEG, TIFF, …) into visual rows.
pub(crate) fn ocr_image(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, String> {
    let (work, _) = Workdir::with_input("in.img", bytes).map_err(flag)?;
    Ok(rows_from_words(tesseract_words(
        &work, "in.img", 1, limits,
    )?))
}

/// Runs tesseract on one image file in `work` and parses its TSV word boxes.
fn tesseract_words(
    work: &Workdir,
    image: &str,
    page: u32,
    limits: &Limits,
) -> Result<Vec<Word>, String> {
    let base = format!("{image}.ocr");
    let r = tool::run(
        "tesseract",
        &[image, base.as_str(), "-l", "chi_sim", "--psm", "6", "tsv"],
        work,
        limits,
    )
    .map_err(flag)?;
    let tsv = std::fs::read_to_string(work.path().join(format!("{base}.tsv")))
        .map_err(|e| format!("ocr_error:tesseract:{}:{e}", r.stderr_head))?;
    Ok(parse_tsv(&tsv, page))
}

/// Parses tesseract's TSV (level, page, block, par, line, word, left, top, width, height, conf, text).
fn parse_tsv(tsv: &str, page: u32) -> Vec<Word> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let n = |i: usize| f[i].parse::<f32>().ok();
            let (x, y, w, h) = (n(6)?, n(7)?, n(8)?, n(9)?);
            Some(Word {
                page,
                x0: x,
                y0: y,
                x1: x + w,
                y1: y + h,
                text: f[11].to_string(),
            })
        })
        .collect()
}

/// The flag for a tool error in the OCR path.
fn flag(e: ToolError) -> String {
    match e {
        ToolError::Missing => "ocr:unavailable".to_string(),
        ToolError::Timeout => Exceeded::Timeout.flag(),
        ToolError::TooMuchOutput => Exceeded::ToolOutput.flag(),
        ToolError::Failed(m) => format!("ocr_error:{m}"),
    }
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
        let rows = rows_from_words(parse_tsv(tsv, 1));
        assert_eq!(rows, vec![vec!["予以公开".to_string(), "12".to_string()]]);
    }
}
