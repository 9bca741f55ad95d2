#!/usr/bin/env bash
# The test command of README.md: installs what the tests need on a fresh
# Debian machine, runs the whole Rust test suite, then runs the notebooks and
# the Parquet interoperability check (pyarrow, DuckDB) on a demo output.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ -d /usr/share/poppler/cMap ] || need_apt+=(poppler-data)
# LibreOffice Writer (DOC/WPS/RTF conversion); its core library marks the component.
[ -e /usr/lib/libreoffice/program/libswlo.so ] || need_apt+=(libreoffice-writer-nogui)
# LibreOffice Calc: the XLSX export test opens the workbook with it.
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need_apt+=(libreoffice-calc-nogui)
# A CJK font for the notebooks' charts (Noto Sans CJK).
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
# OCR of scanned reports (extract/tests/formats/scans.rs): tesseract with chi_sim and eng
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx chi_sim || need_apt+=(tesseract-ocr-chi-sim)
tesseract --list-langs 2>/dev/null | grep -qx eng || need_apt+=(tesseract-ocr-eng)
# Headless Chromium and its WebDriver: the site's browser test (site/tests/browser.py).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

echo "== installing Python packages for notebooks and interop checks"
python3 -m pip install -q --disable-pip-version-check -r notebooks/requirements.txt
# warcio: the independent WARC reader of the crawler's WARC export test.
python3 -m pip install -q --disable-pip-version-check warcio
# selenium: drives Chromium in the site's browser test.
python3 -m pip install -q --disable-pip-version-check selenium

echo "== real-document gold (vocabulary and identities)"
python3 scripts/check_gold.py >/dev/null

echo "== cargo test"
cargo test --workspace

echo "== demo output for the notebooks and the site"
demo_out="target/test-demo"
rm -rf "$demo_out"
cargo run -q -- demo --out "$demo_out" >/dev/null

echo "== notebooks and interoperability"
OGI_OUT="$demo_out" python3 notebooks/run_notebooks.py
OGI_OUT="$demo_out" python3 notebooks/check_interop.py

echo "== static site in headless Chromium"
python3 site/tests/browser.py "$demo_out/site" data/sample-portal/expected.json
