//! Pixels of a scanned page: grey images (PGM), binarisation, skew, ruling lines.
//!
//! Pages come from `pdftoppm -gray` as binary PGM (`P5`), a format simple enough
//! to read here without an image library; tesseract (leptonica) reads PGM back.
//!
//! * **Binarisation**: Otsu's global threshold on the grey histogram.
//! * **Skew**: the angle (within ±[`MAX_SKEW_DEG`]) whose sheared row profile of
//!   ink is sharpest — text lines and horizontal rulings line up with pixel rows
//!   at the true angle; the page is then turned back by it.
//! * **Ruling lines**: runs of ink at least `min_run` long, horizontally and
//!   vertically, bridging gaps of up to [`RUN_GAP`] pixels (broken or blurred
//!   lines of a scan). Text strokes are shorter than the threshold the caller
//!   chooses (≈ 0.3 inch: longer than any CJK stroke at body sizes).

/// Largest skew searched, in degrees.
pub(crate) const MAX_SKEW_DEG: f32 = 2.0;
/// Step of the skew search, in degrees.
const SKEW_STEP_DEG: f32 = 0.05;
/// Gaps in a ruling line up to this many pixels are bridged.
pub(crate) const RUN_GAP: usize = 2;

/// An 8-bit grey image, row-major, 0 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gray {
    /// Width in pixels.
    pub(crate) w: usize,
    /// Height in pixels.
    pub(crate) h: usize,
    /// `w × h` grey levels.
    pub(crate) px: Vec<u8>,
}

/// A binary mask, row-major, `true` = ink (or a marked pixel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mask {
    /// Width in pixels.
    pub(crate) w: usize,
    /// Height in pixels.
    pub(crate) h: usize,
    /// `w × h` flags.
    pub(crate) on: Vec<bool>,
}

impl Mask {
    /// An all-off mask.
    pub(crate) fn new(w: usize, h: usize) -> Mask {
        Mask {
            w,
            h,
            on: vec![false; w * h],
        }
    }

    /// Whether (x, y) is on (off outside the mask).
    #[cfg(test)]
    pub(crate) fn get(&self, x: usize, y: usize) -> bool {
        x < self.w && y < self.h && self.on[y * self.w + x]
    }

    /// Grows every on pixel by `r` pixels in each direction (a square dilation).
    pub(crate) fn dilate(&self, r: usize) -> Mask {
        let mut rows = Mask::new(self.w, self.h);
        for y in 0..self.h {
            for x in 0..self.w {
                if self.on[y * self.w + x] {
                    let (a, b) = (x.saturating_sub(r), (x + r).min(self.w - 1));
                    rows.on[y * self.w + a..=y * self.w + b].fill(true);
                }
            }
        }
        let mut out = Mask::new(self.w, self.h);
        for y in 0..self.h {
            for x in 0..self.w {
                if rows.on[y * self.w + x] {
                    let (a, b) = (y.saturating_sub(r), (y + r).min(self.h - 1));
                    for yy in a..=b {
                        out.on[yy * self.w + x] = true;
                    }
                }
            }
        }
        out
    }
}

impl Gray {
    /// Reads a binary PGM (`P5`, maxval ≤ 255), as `pdftoppm -gray` writes it.
    pub(crate) fn from_pgm(bytes: &[u8]) -> Result<Gray, String> {
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) == Some(&b'#') {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if start == i {
                return Err("pgm: header cut short".into());
            }
            fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
        }
        if fields[0] != "P5" {
            return Err(format!("pgm: not a binary greymap ({})", fields[0]));
        }
        let num = |s: &str| {
            s.parse::<usize>()
                .map_err(|_| format!("pgm: bad header field {s:?}"))
        };
        let (w, h, max) = (num(&fields[1])?, num(&fields[2])?, num(&fields[3])?);
        if max == 0 || max > 255 {
            return Err(format!("pgm: unsupported maxval {max}"));
        }
        let data = bytes.get(i + 1..).unwrap_or_default();
        let n = w.checked_mul(h).ok_or("pgm: size overflows")?;
        if data.len() < n {
            return Err(format!("pgm: {} of {n} pixels", data.len()));
        }
        let px = if max == 255 {
            data[..n].to_vec()
        } else {
            data[..n]
                .iter()
                .map(|&v| u8::try_from(usize::from(v) * 255 / max).unwrap_or(255))
                .collect()
        };
        Ok(Gray { w, h, px })
    }

    /// Writes the image as a binary PGM.
    pub(crate) fn to_pgm(&self) -> Vec<u8> {
        let mut out = format!("P5\n{} {}\n255\n", self.w, self.h).into_bytes();
        out.extend_from_slice(&self.px);
        out
    }

    /// The grey level at (x, y); white outside the image.
    fn at(&self, x: isize, y: isize) -> u8 {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h {
            255
        } else {
            self.px[y as usize * self.w + x as usize]
        }
    }

    /// Otsu's threshold: levels `<=` it are ink.
    pub(crate) fn otsu(&self) -> u8 {
        let mut hist = [0u64; 256];
        for &v in &self.px {
            hist[usize::from(v)] += 1;
        }
        let total: u64 = hist.iter().sum();
        let sum_all: f64 = hist
            .iter()
            .enumerate()
            .map(|(i, &n)| i as f64 * n as f64)
            .sum();
        let (mut w0, mut sum0, mut best, mut best_t) = (0u64, 0f64, -1f64, 127u8);
        for (t, &n) in hist.iter().enumerate() {
            w0 += n;
            sum0 += t as f64 * n as f64;
            let w1 = total - w0;
            if w0 == 0 || w1 == 0 {
                continue;
            }
            let (m0, m1) = (sum0 / w0 as f64, (sum_all - sum0) / w1 as f64);
            let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
            if between > best {
                best = between;
                best_t = u8::try_from(t).unwrap_or(255);
            }
        }
        best_t
    }

    /// The ink mask at `threshold` (levels `<=` it are ink).
    pub(crate) fn ink(&self, threshold: u8) -> Mask {
        Mask {
            w: self.w,
            h: self.h,
            on: self.px.iter().map(|&v| v <= threshold).collect(),
        }
    }

    /// The image turned by `deg` degrees (positive = counter-clockwise on
    /// screen), same size, bilinear, white where nothing maps.
    pub(crate) fn rotate(&self, deg: f32) -> Gray {
        let (s, c) = (deg.to_radians().sin(), deg.to_radians().cos());
        let (cx, cy) = (self.w as f32 / 2.0, self.h as f32 / 2.0);
        let mut px = vec![255u8; self.w * self.h];
        for y in 0..self.h {
            for x in 0..self.w {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                // inverse mapping: where this output pixel comes from
                let sx = c * dx - s * dy + cx;
                let sy = s * dx + c * dy + cy;
                let (x0, y0) = (sx.floor(), sy.floor());
                let (fx, fy) = (sx - x0, sy - y0);
                let (x0, y0) = (x0 as isize, y0 as isize);
                let v = f32::from(self.at(x0, y0)) * (1.0 - fx) * (1.0 - fy)
                    + f32::from(self.at(x0 + 1, y0)) * fx * (1.0 - fy)
                    + f32::from(self.at(x0, y0 + 1)) * (1.0 - fx) * fy
                    + f32::from(self.at(x0 + 1, y0 + 1)) * fx * fy;
                px[y * self.w + x] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
        Gray {
            w: self.w,
            h: self.h,
            px,
        }
    }

    /// A copy with every pixel of `mask` set to white.
    pub(crate) fn erase(&self, mask: &Mask) -> Gray {
        let mut out = self.clone();
        for (p, &m) in out.px.iter_mut().zip(&mask.on) {
            if m {
                *p = 255;
            }
        }
        out
    }

    /// The region `[x0, x1) × [y0, y1)` (clipped), with `pad` white pixels around
    /// it, enlarged `scale` times (nearest neighbour).
    pub(crate) fn crop(
        &self,
        (x0, y0, x1, y1): (usize, usize, usize, usize),
        pad: usize,
        scale: usize,
    ) -> Gray {
        let (x1, y1) = (x1.min(self.w), y1.min(self.h));
        let (cw, ch) = (x1.saturating_sub(x0), y1.saturating_sub(y0));
        let scale = scale.max(1);
        let (w, h) = ((cw + 2 * pad) * scale, (ch + 2 * pad) * scale);
        let mut px = vec![255u8; w * h];
        for y in 0..ch {
            for x in 0..cw {
                let v = self.px[(y0 + y) * self.w + x0 + x];
                for sy in 0..scale {
                    let row = ((y + pad) * scale + sy) * w;
                    let col = (x + pad) * scale;
                    px[row + col..row + col + scale].fill(v);
                }
            }
        }
        Gray { w, h, px }
    }
}

/// The page's skew in degrees (positive: the content is turned counter-clockwise;
/// undo with [`Gray::rotate`] by minus this angle), from the sharpest sheared
/// row profile of the ink. 0 for a page with (almost) no ink.
pub(crate) fn skew_deg(ink: &Mask) -> f32 {
    // sample ink pixels (every 2nd column) to keep the search cheap
    let pts: Vec<(f32, f32)> = (0..ink.h)
        .flat_map(|y| (0..ink.w).step_by(2).map(move |x| (x, y)))
        .filter(|&(x, y)| ink.on[y * ink.w + x])
        .map(|(x, y)| (x as f32, y as f32))
        .collect();
    if pts.len() < 100 {
        return 0.0;
    }
    let steps = (MAX_SKEW_DEG / SKEW_STEP_DEG).round() as i32;
    let pad = (ink.w as f32 * MAX_SKEW_DEG.to_radians().tan()).ceil() as usize + 1;
    let mut hist = vec![0u32; ink.h + 2 * pad];
    let mut best = (0u64, 0.0f32);
    for k in -steps..=steps {
        let deg = k as f32 * SKEW_STEP_DEG;
        let t = deg.to_radians().tan();
        hist.fill(0);
        for &(x, y) in &pts {
            // a row of content turned by +deg climbs to the right: y grows by -x·tan
            let yy = (y + x * t).round() as isize + pad as isize;
            if let Some(b) = usize::try_from(yy).ok().and_then(|i| hist.get_mut(i)) {
                *b += 1;
            }
        }
        let score: u64 = hist.iter().map(|&n| u64::from(n) * u64::from(n)).sum();
        // ties (and near-flat pages) prefer the smaller turn
        if score > best.0 || (score == best.0 && deg.abs() < best.1.abs()) {
            best = (score, deg);
        }
    }
    best.1
}

/// Ruling lines: pixels on horizontal or vertical ink runs of at least
/// `min_run` pixels (gaps up to [`RUN_GAP`] bridged and included).
pub(crate) fn ruling_lines(ink: &Mask, min_run: usize) -> Mask {
    let mut out = Mask::new(ink.w, ink.h);
    let mut mark_runs = |len: usize, at: &dyn Fn(usize) -> usize| {
        let mut start: Option<usize> = None;
        let mut last_ink = 0usize;
        for i in 0..=len {
            let on = i < len && ink.on[at(i)];
            if on {
                if start.is_none() {
                    start = Some(i);
                }
                last_ink = i;
            } else if let Some(s) = start
                && (i >= len || i - last_ink > RUN_GAP)
            {
                if last_ink + 1 - s >= min_run {
                    for j in s..=last_ink {
                        out.on[at(j)] = true;
                    }
                }
                start = None;
            }
        }
    };
    for y in 0..ink.h {
        mark_runs(ink.w, &|x| y * ink.w + x);
    }
    for x in 0..ink.w {
        mark_runs(ink.h, &|y| y * ink.w + x);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(w: usize, h: usize) -> Gray {
        Gray {
            w,
            h,
            px: vec![255; w * h],
        }
    }

    fn line(g: &mut Gray, (x0, y0): (usize, usize), (x1, y1): (usize, usize)) {
        for y in y0..=y1 {
            for x in x0..=x1 {
                g.px[y * g.w + x] = 0;
            }
        }
    }

    #[test]
    fn pgm_round_trip_and_errors() {
        let mut g = page(3, 2);
        g.px[4] = 7;
        assert_eq!(Gray::from_pgm(&g.to_pgm()).unwrap(), g);
        let with_comment = b"P5 # made here\n3 2\n255\n\xff\xff\xff\xff\x07\xff";
        assert_eq!(Gray::from_pgm(with_comment).unwrap(), g);
        assert!(Gray::from_pgm(b"P6\n1 1\n255\n\0\0\0").is_err());
        assert!(Gray::from_pgm(b"P5\n4 4\n255\n\0").is_err());
        assert!(Gray::from_pgm(b"P5\n4").is_err());
        let half = Gray::from_pgm(b"P5\n2 1\n15\n\x00\x0f").unwrap();
        assert_eq!(half.px, vec![0, 255]);
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut g = page(10, 10);
        for p in g.px.iter_mut().take(20) {
            *p = 30;
        }
        for p in g.px.iter_mut().skip(90) {
            *p = 220;
        }
        let t = g.otsu();
        assert!((30..220).contains(&t), "{t}");
        assert_eq!(g.ink(t).on.iter().filter(|&&b| b).count(), 20);
    }

    #[test]
    fn long_runs_are_rulings_short_strokes_are_not() {
        let mut g = page(200, 100);
        line(&mut g, (10, 20), (190, 21)); // a ruling with a 2-pixel gap
        for x in 100..102 {
            g.px[20 * 200 + x] = 255;
            g.px[21 * 200 + x] = 255;
        }
        line(&mut g, (50, 10), (50, 90)); // a vertical ruling
        line(&mut g, (120, 50), (140, 50)); // a text stroke
        let ink = g.ink(g.otsu());
        let rules = ruling_lines(&ink, 60);
        assert!(rules.get(101, 20), "gap bridged");
        assert!(rules.get(10, 21) && rules.get(190, 20) && rules.get(50, 80));
        assert!(!rules.get(130, 50), "short stroke kept as text");
        let wide = rules.dilate(1);
        assert!(wide.get(51, 80) && wide.get(130, 19) && !wide.get(130, 23));
    }

    #[test]
    fn skew_is_found_and_undone() {
        let mut g = page(400, 300);
        for y in (40..260).step_by(30) {
            line(&mut g, (20, y), (380, y + 1));
        }
        let turned = g.rotate(1.0);
        let deg = skew_deg(&turned.ink(128));
        assert!((deg - 1.0).abs() <= 0.15, "{deg}");
        let back = turned.rotate(-deg);
        assert!((skew_deg(&back.ink(128))).abs() <= 0.15);
        assert!(skew_deg(&g.ink(128)).abs() < 0.01);
    }

    #[test]
    fn crop_pads_and_scales() {
        let mut g = page(4, 4);
        g.px[5] = 0;
        let c = g.crop((1, 1, 3, 3), 1, 2);
        assert_eq!((c.w, c.h), (8, 8));
        assert_eq!(c.px[2 * 8 + 2], 0);
        assert_eq!(c.px[3 * 8 + 3], 0);
        assert_eq!(c.px[4 * 8 + 4], 255);
        assert_eq!(c.px[0], 255);
    }
}
