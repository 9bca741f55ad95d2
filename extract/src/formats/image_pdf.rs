//! A scanned page image (PNG or JPEG) wrapped, undecoded, into a one-page PDF,
//! so that it goes through the same OCR path as a scanned PDF (rendering,
//! deskew, ruling lines, cell-by-cell reading: [`super::ocr`]).
//!
//! No pixel is decoded here: PDF carries both formats' compressed data as is.
//! A JPEG becomes a `DCTDecode` image; a PNG's concatenated `IDAT` data is a
//! zlib stream with PNG row filters, which PDF reads as `FlateDecode` with
//! `/Predictor 15`. That covers grey, RGB and palette PNGs without alpha and
//! without interlacing (what scanners write); other images (`None`) are read
//! by tesseract as they are.
//!
//! The page size comes from the image's declared density (`pHYs`, JFIF); an
//! image that declares none, or less than [`MIN_DECLARED_PPI`] (tools write 72
//! or 96 whatever the scan), is taken to be a page whose long side is A4's
//! (297 mm).

/// Declared densities below this (pixels per inch) are not a scanner's.
const MIN_DECLARED_PPI: f64 = 100.0;
/// Density range assumed for an image without a usable declared one.
const ASSUMED_PPI: (f64, f64) = (100.0, 600.0);
/// Long side of an A4 page, in inches.
const A4_LONG_IN: f64 = 297.0 / 25.4;

/// How a PDF image dictionary describes the pixels of the wrapped image.
#[derive(Debug, Clone, PartialEq)]
struct ImageDict {
    width: u32,
    height: u32,
    /// `/ColorSpace` value.
    color_space: String,
    /// `/BitsPerComponent`.
    bits: u8,
    /// `/Filter` and `/DecodeParms` entries.
    filter: String,
    /// Declared pixels per inch (x, y), if any.
    ppi: Option<(f64, f64)>,
}

/// The one-page PDF showing `bytes` (a PNG or JPEG), or `None` when the image is
/// not one this wrapper carries (another format, alpha, interlacing, damage).
pub(crate) fn wrap(bytes: &[u8]) -> Option<Vec<u8>> {
    let (dict, data) = if bytes.starts_with(PNG_SIGNATURE) {
        png(bytes)?
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        (jpeg(bytes)?, bytes.to_vec())
    } else {
        return None;
    };
    Some(pdf(&dict, &data))
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The chunks of a PNG after the signature: `(type, data)`; `None` when truncated.
fn png_chunks(bytes: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let mut out = Vec::new();
    let mut at = PNG_SIGNATURE.len();
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(at + 4..at + 8)?.try_into().ok()?;
        let data = bytes.get(at + 8..at.checked_add(8 + len)?)?;
        out.push((kind, data));
        if &kind == b"IEND" {
            break;
        }
        at = at.checked_add(12 + len)?;
    }
    Some(out)
}

/// A PNG's image dictionary and its compressed pixel stream.
fn png(bytes: &[u8]) -> Option<(ImageDict, Vec<u8>)> {
    let chunks = png_chunks(bytes)?;
    let (kind, ihdr) = chunks.first()?;
    if kind != b"IHDR" || ihdr.len() != 13 {
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let (width, height) = (be(&ihdr[0..4]), be(&ihdr[4..8]));
    let (bits, color, interlace) = (ihdr[8], ihdr[9], ihdr[12]);
    if width == 0 || height == 0 || ihdr[10] != 0 || ihdr[11] != 0 || interlace != 0 {
        return None;
    }
    let find = |k: &[u8; 4]| chunks.iter().find(|(t, _)| t == k).map(|(_, d)| *d);
    let (color_space, colors) = match (color, bits) {
        (0, 1 | 2 | 4 | 8 | 16) => ("/DeviceGray".to_string(), 1),
        (2, 8 | 16) => ("/DeviceRGB".to_string(), 3),
        (3, 1 | 2 | 4 | 8) => {
            let plte = find(b"PLTE").filter(|p| !p.is_empty() && p.len() % 3 == 0)?;
            let hex: String = plte.iter().map(|b| format!("{b:02X}")).collect();
            (
                format!("[/Indexed /DeviceRGB {} <{hex}>]", plte.len() / 3 - 1),
                1,
            )
        }
        // alpha channels (4, 6) would need decoding; anything else is damage
        _ => return None,
    };
    let data: Vec<u8> = chunks
        .iter()
        .filter(|(t, _)| t == b"IDAT")
        .flat_map(|(_, d)| d.iter().copied())
        .collect();
    if data.is_empty() {
        return None;
    }
    // pHYs: pixels per unit x, y; unit 1 = metre
    let ppi = find(b"pHYs")
        .filter(|p| p.len() == 9 && p[8] == 1)
        .map(|p| {
            (
                f64::from(be(&p[0..4])) * 0.0254,
                f64::from(be(&p[4..8])) * 0.0254,
            )
        });
    let filter = format!(
        "/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors {colors} /BitsPerComponent {bits} /Columns {width} >>"
    );
    Some((
        ImageDict {
            width,
            height,
            color_space,
            bits,
            filter,
            ppi,
        },
        data,
    ))
}

/// A JPEG's image dictionary, from its frame header and JFIF density.
fn jpeg(bytes: &[u8]) -> Option<ImageDict> {
    let mut at = 2;
    let mut ppi = None;
    loop {
        // markers may be padded with 0xFF bytes
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let seg = bytes.get(at + 4..at + 2 + len)?;
        match marker {
            // APP0 JFIF: units (1 = per inch, 2 = per cm), x and y density
            0xE0 if seg.len() >= 12 && seg.starts_with(b"JFIF\0") => {
                let d = |i: usize| f64::from(u16::from_be_bytes([seg[i], seg[i + 1]]));
                ppi = match seg[7] {
                    1 => Some((d(8), d(10))),
                    2 => Some((d(8) * 2.54, d(10) * 2.54)),
                    _ => None,
                };
            }
            // start of frame (baseline, extended, progressive; not lossless/arithmetic-only kinds)
            0xC0..=0xC2 if seg.len() >= 6 => {
                let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
                let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
                let color_space = match seg[5] {
                    1 => "/DeviceGray",
                    3 => "/DeviceRGB",
                    4 => "/DeviceCMYK",
                    _ => return None,
                };
                if seg[0] != 8 || width == 0 || height == 0 {
                    return None;
                }
                return Some(ImageDict {
                    width,
                    height,
                    color_space: color_space.to_string(),
                    bits: 8,
                    filter: "/Filter /DCTDecode".to_string(),
                    ppi,
                });
            }
            // start of scan before a frame header: not a JPEG we can describe
            0xDA => return None,
            _ => {}
        }
        at += 2 + len;
    }
}

/// The pixels per inch the page is laid out at (see the module docs).
fn page_ppi(d: &ImageDict) -> (f64, f64) {
    match d.ppi {
        Some((x, y)) if x >= MIN_DECLARED_PPI && y >= MIN_DECLARED_PPI => (x, y),
        _ => {
            let long = f64::from(d.width.max(d.height));
            let ppi = (long / A4_LONG_IN).clamp(ASSUMED_PPI.0, ASSUMED_PPI.1);
            (ppi, ppi)
        }
    }
}

/// A PDF with one page showing the image at its size.
fn pdf(d: &ImageDict, data: &[u8]) -> Vec<u8> {
    let (px, py) = page_ppi(d);
    let w = f64::from(d.width) / px * 72.0;
    let h = f64::from(d.height) / py * 72.0;
    let content = format!("q {w:.3} 0 0 {h:.3} 0 0 cm /Im0 Do Q");
    let mut out: Vec<u8> = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut out,
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.3} {h:.3}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
        )
        .as_bytes(),
    );
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace {} /BitsPerComponent {} {} /Length {} >>\nstream\n",
        d.width,
        d.height,
        d.color_space,
        d.bits,
        d.filter,
        data.len()
    )
    .into_bytes();
    image.extend_from_slice(data);
    image.extend_from_slice(b"\nendstream");
    object(&mut out, &image);
    object(
        &mut out,
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .as_bytes(),
    );
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zlib stream of `raw` in stored (uncompressed) deflate blocks.
    fn zlib_stored(raw: &[u8]) -> Vec<u8> {
        let mut out = vec![0x78, 0x01];
        let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
        for (i, c) in chunks.iter().enumerate() {
            out.push(u8::from(i + 1 == chunks.len()));
            let n = c.len() as u16;
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&(!n).to_le_bytes());
            out.extend_from_slice(c);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &x in raw {
            a = (a + u32::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        out.extend_from_slice(&((b << 16) | a).to_be_bytes());
        out
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]); // CRC: not checked by the wrapper
        out
    }

    /// An 8-bit grey PNG of `w`×`h` pixels from `px` (row filter 0).
    fn grey_png(w: u32, h: u32, px: &[u8], ppm: Option<u32>) -> Vec<u8> {
        let mut raw = Vec::new();
        for row in px.chunks(w as usize) {
            raw.push(0);
            raw.extend_from_slice(row);
        }
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend(chunk(b"IHDR", &ihdr));
        if let Some(p) = ppm {
            let mut phys = p.to_be_bytes().to_vec();
            phys.extend_from_slice(&p.to_be_bytes());
            phys.push(1);
            out.extend(chunk(b"pHYs", &phys));
        }
        out.extend(chunk(b"IDAT", &zlib_stored(&raw)));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn png_is_described_not_decoded() {
        let png = grey_png(4, 2, &[0, 255, 0, 255, 9, 9, 9, 9], Some(11_811)); // 300 dpi
        let (d, data) = super::png(&png).expect("grey PNG");
        assert_eq!((d.width, d.height, d.bits), (4, 2, 8));
        assert_eq!(d.color_space, "/DeviceGray");
        assert!(d.filter.contains("/Predictor 15") && d.filter.contains("/Columns 4"));
        let (x, _) = d.ppi.expect("pHYs");
        assert!((x - 300.0).abs() < 0.1, "{x}");
        assert!(data.starts_with(&[0x78, 0x01]));
        let pdf = wrap(&png).expect("wrapped");
        assert!(pdf.starts_with(b"%PDF-1.5"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/MediaBox [0 0 0.960 0.480]"), "{text}");
        assert!(text.ends_with("%%EOF\n"));
    }

    #[test]
    fn images_it_cannot_carry_are_left_alone() {
        let mut rgba = grey_png(2, 2, &[0; 4], None);
        rgba[PNG_SIGNATURE.len() + 8 + 9] = 6; // colour type 6: RGBA
        assert!(wrap(&rgba).is_none());
        let mut laced = grey_png(2, 2, &[0; 4], None);
        laced[PNG_SIGNATURE.len() + 8 + 12] = 1;
        assert!(wrap(&laced).is_none());
        assert!(wrap(b"GIF89a....").is_none());
        assert!(wrap(&PNG_SIGNATURE[..6]).is_none());
        assert!(wrap(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]).is_none());
        let png = grey_png(2, 2, &[0; 4], None);
        assert!(wrap(&png[..png.len() - 20]).is_none(), "truncated");
    }

    #[test]
    fn jpeg_frame_and_density() {
        // SOI, APP0 JFIF 200 dpi, SOF0 8-bit 3×2 grey, SOS
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        j.extend_from_slice(b"JFIF\0");
        j.extend_from_slice(&[1, 1, 1, 0, 200, 0, 200, 0, 0]);
        j.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        j.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
        let d = jpeg(&j).expect("frame");
        assert_eq!((d.width, d.height), (3, 2));
        assert_eq!(d.color_space, "/DeviceGray");
        assert_eq!(d.ppi, Some((200.0, 200.0)));
        assert_eq!(d.filter, "/Filter /DCTDecode");
    }

    #[test]
    fn undeclared_density_means_an_a4_page() {
        let d = ImageDict {
            width: 2480,
            height: 3508,
            color_space: "/DeviceGray".into(),
            bits: 1,
            filter: String::new(),
            ppi: Some((72.0, 72.0)),
        };
        let (x, y) = page_ppi(&d);
        assert!((x - 300.0).abs() < 1.0 && x == y, "{x}");
        let tiny = ImageDict {
            width: 40,
            height: 30,
            ppi: None,
            ..d
        };
        assert_eq!(page_ppi(&tiny), (100.0, 100.0));
    }
}
