#!/usr/bin/env python3
"""Makes the scanned-report fixtures of ogi-extract (extract/tests/fixtures/scans/).

Each fixture is a real annual report printed to PDF, rasterised as a scanner
would see it and wrapped back into an image-only PDF (no text layer):

* ``<name>_clean.pdf`` – pages rendered by pdftoppm at 200 dpi, thresholded to
  1 bit (CCITT G4), as an office scanner's black-and-white mode makes them.
* ``<name>_noisy.pdf`` – the pages rendered at 150 dpi, turned by a small angle (a different
  one per page, up to 0.8°), with grey speckle noise, a faint blur and a
  slightly uneven background, stored as 8-bit grey JPEG (quality 40) like a
  phone or copier scan. The noise comes from a seeded generator: reruns give
  the same bytes (for the same Pillow and poppler).

Sources (the documents themselves are not modified; gold is the realdocs gold):

* ``huaian_2024``   – 淮安市人民政府 2024 report, the PDF the agency published
  (made with WPS, ruled tables): ``szfgs2024.pdf`` of the public repository
  zxj6827111-blip/govnianbao at b2fbe3f5b912be2379852eac907e85657da8f238
  (its text is ``shared/realdocs/002_huaian_szf_2024.txt``).
* ``shanghai_2019`` – ``shared/realdocs/001_shanghai_szfbgt_2019.html`` printed
  to PDF by LibreOffice Writer (``nowrap`` dropped and tables set to the page
  width, so that the wide table fits the page as an office print would).
* ``pingtan_2024``  – the report body (``div.word_con``) of
  ``shared/realdocs/009_pingtan_2024_page.html`` under the page's title
  (its ``ArticleTitle``), printed the same way.

Requirements (Debian): poppler-utils, img2pdf, python3-pil,
libreoffice-writer-nogui, fonts-noto-cjk. Run from the repository root:

    python3 scripts/make_scan_fixtures.py SZFGS2024_PDF [REALDOCS_DIR]

REALDOCS_DIR defaults to ../shared/realdocs (relative to the repository's
parent, as in the workspace layout).
"""

import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

from PIL import Image, ImageChops, ImageFilter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "extract", "tests", "fixtures", "scans")
DPI = 200
NOISY_DPI = 150


def soffice_pdf(html, work):
    """Prints an HTML file to PDF with LibreOffice Writer; returns the PDF path."""
    env = dict(os.environ, HOME=work)
    subprocess.run(
        ["soffice", "--headless", "--infilter=HTML (StarWriter)", "--convert-to", "pdf",
         "--outdir", work, html],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return os.path.splitext(os.path.join(work, os.path.basename(html)))[0] + ".pdf"


def fit_tables(html):
    """Lets wide tables fit the page when printed (no other change)."""
    return html.replace(' nowrap="nowrap"', "").replace("<table ", '<table width="100%" ')


def element_by_class(html, tag, cls):
    """The outer HTML of the first `<tag class="cls"…>` element (balanced tags)."""
    start = html.index(f'<{tag} class="{cls}"')
    depth, i = 0, start
    while True:
        o = html.find(f"<{tag}", i)
        c = html.find(f"</{tag}>", i)
        if o != -1 and o < c:
            depth, i = depth + 1, o + 1
        else:
            depth, i = depth - 1, c + 1
            if depth == 0:
                return html[start:c + len(tag) + 3]


def rasterise(pdf, work, dpi):
    """Grey pages at `dpi`, in page order."""
    prefix = os.path.join(work, f"pg{dpi}")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", pdf, prefix], check=True)
    return [Image.open(p).convert("L") for p in sorted(glob.glob(prefix + "-*.pgm"))]


def clean(page):
    """Black-and-white scan: global threshold (high enough to keep the thin
    strokes of light office fonts, as a scanner's text mode does)."""
    return page.point(lambda v: 255 if v > 200 else 0).convert("1", dither=Image.NONE)


def noisy(page, rng, index):
    """Skewed, speckled, slightly blurred grey scan."""
    angle = (0.35 + 0.45 * rng.random()) * (1 if index % 2 == 0 else -1)
    img = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    w, h = img.size
    # uneven background: a faint left-to-right grey ramp (0 → 12 levels darker)
    ramp = Image.linear_gradient("L").rotate(90).resize((w, h)).point(lambda v: 12 - v * 12 // 255)
    img = ImageChops.subtract(img, ramp)
    px = img.load()
    # speckles: dark dots and small blots scattered over the page
    for _ in range(w * h // 4000):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = rng.randrange(0, 140)
    for _ in range(w * h // 60000):
        cx, cy, r = rng.randrange(w), rng.randrange(h), rng.randrange(1, 3)
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                if 0 <= cx + dx < w and 0 <= cy + dy < h and dx * dx + dy * dy <= r * r:
                    px[cx + dx, cy + dy] = 60
    return img


def image_pdf(images, path, work, kind, dpi):
    """Wraps page images into an image-only PDF at `dpi` (img2pdf stores them as they are)."""
    files = []
    for i, img in enumerate(images):
        if kind == "g4":
            f = os.path.join(work, f"s{i:02d}.tif")
            img.save(f, compression="group4", dpi=(dpi, dpi))
        else:
            f = os.path.join(work, f"s{i:02d}.jpg")
            img.save(f, quality=40, dpi=(dpi, dpi))
        files.append(f)
    subprocess.run(["img2pdf", "--nodate", "--engine", "internal", "-o", path] + files, check=True)
    size = os.path.getsize(path)
    print(f"{os.path.relpath(path, ROOT)}: {len(images)} pages, {size // 1024} KiB")
    assert size < 1 << 20, "fixtures stay under 1 MB"


def gold(realdocs, name, out_name, fixture):
    """Copies the realdocs gold of the source document, naming the fixture."""
    with open(os.path.join(realdocs, "gold", name), encoding="utf-8") as f:
        g = json.load(f)
    g["file"] = fixture
    with open(os.path.join(OUT, out_name), "w", encoding="utf-8") as f:
        json.dump(g, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    huaian_pdf = sys.argv[1]
    realdocs = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared", "realdocs")
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20261201)
    with tempfile.TemporaryDirectory() as work:
        sources = {"huaian_2024": (huaian_pdf, "002_huaian_szf_2024.json")}
        for name, src, gold_name, body in [
            ("shanghai_2019", "001_shanghai_szfbgt_2019.html", "001_shanghai_szfbgt_2019.json", None),
            ("pingtan_2024", "009_pingtan_2024_page.html", "009_pingtan_2024_page.json", ("div", "word_con")),
        ]:
            with open(os.path.join(realdocs, src), encoding="utf-8") as f:
                html = f.read()
            if body:
                # the page's title (its ArticleTitle meta) heads the body, as on the printed report
                title = re.search(r'<meta name="ArticleTitle" content="([^"]*)"', html).group(1)
                html = (
                    "<html><head><meta charset='utf-8'></head><body>"
                    f"<p style='text-align: center; font-weight: bold'>{title}</p>"
                    + element_by_class(html, *body)
                    + "</body></html>"
                )
            d = os.path.join(work, name)
            os.makedirs(d)
            h = os.path.join(d, name + ".html")
            with open(h, "w", encoding="utf-8") as f:
                f.write(fit_tables(html))
            sources[name] = (soffice_pdf(h, d), gold_name)
        for name, (pdf, gold_name) in sources.items():
            d = os.path.join(work, name + "_pages")
            os.makedirs(d)
            pages = rasterise(pdf, d, DPI)
            image_pdf([clean(p) for p in pages], os.path.join(OUT, name + "_clean.pdf"), d, "g4", DPI)
            pages = rasterise(pdf, d, NOISY_DPI)
            noisy_pages = [noisy(p, rng, i) for i, p in enumerate(pages)]
            image_pdf(noisy_pages, os.path.join(OUT, name + "_noisy.pdf"), d, "jpeg", NOISY_DPI)
            gold(realdocs, gold_name, name + ".json", name)


if __name__ == "__main__":
    main()
