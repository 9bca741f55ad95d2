#!/usr/bin/env bash
# Benchmarks against what users would otherwise pick (issue 16): the same work
# done by ogi and by pdftotext / pdfplumber / DuckDB / pandas / Scrapy, in one
# run on this machine; writes BENCHMARKS.md and target/bench/results.json.
#
#   bash scripts/bench.sh                  # --scale small (minutes)
#   bash scripts/bench.sh --scale full     # the README figures (about an hour)
#   bash scripts/bench.sh --check          # exit 1 when ogi and a comparison disagree
#   bash scripts/bench.sh --only analyze   # rows: extract, pdf, crawl, analyze, startup
#   bash scripts/bench.sh --analyze-n 200000,1000000 --theirs-max 200000
#                                          # analyze sizes; DuckDB/pandas only up to 200 k
#   bash scripts/bench.sh --only analyze --analyze-n 1000000 --duckdb-max 1000000 --theirs-max 200000
#                                          # DuckDB at 1 M too (≈ 18 GiB), pandas not
#
# scripts/bench/notes.md (hand-written measurements of changes made between
# runs, e.g. before/after figures) is appended to BENCHMARKS.md as is.
#
# Never part of scripts/test.sh; nothing here asserts a time.
# Comparison tools go into a virtualenv (target/bench/venv) from PyPI,
# poppler-utils from Debian. Set OGI_BENCH_NO_BUILD=1 to reuse target/release.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
# pdftotext (the PDF row's floor) and GNU time (/usr/bin/time: every row's CPU
# seconds and peak RSS come from it).
if { ! command -v pdftotext >/dev/null 2>&1 || [ ! -x /usr/bin/time ]; } \
    && command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        poppler-utils poppler-data time >/dev/null
fi
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time (GNU time) is required" >&2; exit 1; }

VENV=target/bench/venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    scrapy pdfplumber duckdb pandas pyarrow numpy
# camelot is optional: it needs OpenCV and Ghostscript wheels that do not
# always install; the PDF row says so when it is missing.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check camelot-py \
    >/dev/null 2>&1 || echo "camelot-py did not install; the PDF row runs without it" >&2

if [ -z "${OGI_BENCH_NO_BUILD:-}" ]; then
    start=$(date +%s)
    cargo build --release --bin ogi
    cargo build --release --workspace --example bench_analyze
    echo "$(( $(date +%s) - start ))" > target/bench/last-build-secs
fi

exec "$VENV/bin/python" scripts/bench/run.py "$@"
