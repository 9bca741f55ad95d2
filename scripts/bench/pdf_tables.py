#!/usr/bin/env python3
"""PDF row of the benchmarks: the fixture reports' known truth, and pdfplumber on the same PDFs.

Usage:
  pdf_tables.py truth GRID                 # JSON {"table|row|col": value} from the fixture grid
  pdf_tables.py plumber GRID REPEAT PDF... # time pdfplumber table extraction, cell accuracy vs GRID
  pdf_tables.py ours GRID CSV              # cell accuracy of `ogi parse --format csv` output

The grid (extract/tests/fixtures/formats/report.grid, written by
scripts/make_fixtures.py) is the source the PDFs were rendered from. Its numeric
rows are, in order, the 2021 template's table 2, table 3 and table 4 cells, so
zipping them with the vocabulary (data/spec/*.csv, in file order) gives each
value's key: that is the truth for our cells. pdfplumber returns bare tables, so
its cells are mapped by label: a pdfplumber row whose label text contains the
grid row's label (whitespace ignored) is that row, and its numbers are compared
position by position (table 4's one row of numbers has no label: it is matched by
its length).
"""
import csv
import json
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NUM = re.compile(r"^-?\d+(\.\d+)?$")


def vocab(name):
    with open(os.path.join(ROOT, "data", "spec", name), encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["key"]]


def grid_rows(path):
    """(table index, label, [numbers]) for every grid row holding numbers."""
    rows, table = [], -1
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "B":
                table += 1
            if not line.startswith("R\t"):
                continue
            cells = [c.removesuffix("{v}").replace("~", "") for c in line.split("\t")[1:]]
            nums = [c for c in cells if NUM.match(c)]
            if not nums:
                continue
            labels = [c for c in cells if c not in ("<", "^", "") and not NUM.match(c)]
            rows.append((table, labels[-1] if labels else "", [float(n) for n in nums]))
    return rows


def truth(path):
    """{(table, row, col): value} keyed like `ogi parse --format csv`."""
    t2 = [r["key"] for r in vocab("table2_cells.csv") if "2021" in r["template"].split("|")]
    t3r = [r["key"] for r in vocab("table3_rows.csv") if "2021" in r["template"].split("|")]
    t3c = [r["key"] for r in vocab("table3_columns.csv")]
    t4 = [r["key"] for r in vocab("table4_cells.csv")]
    by_table = {}
    for table, _, nums in grid_rows(path):
        by_table.setdefault(table, []).append(nums)
    out = {}
    flat2 = [v for nums in by_table[0] for v in nums]
    if len(flat2) != len(t2) or len(by_table[1]) != len(t3r) or len(by_table[2]) != 1:
        sys.exit("the grid does not have the 2021 template's shape; update pdf_tables.py")
    for k, v in zip(t2, flat2):
        out[("2", k, "")] = v
    for rk, nums in zip(t3r, by_table[1]):
        if len(nums) != len(t3c):
            sys.exit(f"table 3 row {rk}: {len(nums)} values")
        for ck, v in zip(t3c, nums):
            out[("3", rk, ck)] = v
    for k, v in zip(t4, by_table[2][0]):
        out[("4", k, "")] = v
    return out


def squeeze(s):
    return re.sub(r"\s+", "", s or "")


STRATEGIES = {
    # pdfplumber's default: table cells from ruling lines.
    "lines": {},
    # For tables drawn without rules: columns and rows from the words' alignment.
    "text": {"vertical_strategy": "text", "horizontal_strategy": "text"},
}


def plumber(grid, repeat, pdfs):
    import pdfplumber

    want = grid_rows(grid)
    total = sum(len(n) for _, _, n in want)
    results = []
    for pdf in pdfs:
        for strategy, settings in STRATEGIES.items():
            t0 = time.perf_counter()
            for _ in range(repeat):
                with pdfplumber.open(pdf) as doc:
                    tables = [t for page in doc.pages for t in page.extract_tables(settings)]
            secs = (time.perf_counter() - t0) / repeat
            results.append({"tool": "pdfplumber", "pdf": os.path.basename(pdf), "strategy": strategy,
                            "secs": secs, "tables": len(tables), "cells_correct": score(want, tables),
                            "cells_truth": total})
        results += camelot_stream(pdf, repeat, want, total)
    return results


def camelot_stream(pdf, repeat, want, total):
    """camelot's `stream` flavour (borderless tables), when camelot-py is installed."""
    try:
        import camelot
    except ImportError:
        return []
    t0 = time.perf_counter()
    for _ in range(repeat):
        found = camelot.read_pdf(pdf, pages="all", flavor="stream")
    secs = (time.perf_counter() - t0) / repeat
    tables = [t.df.values.tolist() for t in found]
    return [{"tool": "camelot", "pdf": os.path.basename(pdf), "strategy": "stream", "secs": secs,
             "tables": len(tables), "cells_correct": score(want, tables), "cells_truth": total}]


def score(want, tables):
    """Grid cells found, by label, at the right position of a pdfplumber row."""
    rows = []
    for t in tables:
        for r in t:
            cells = [squeeze(c) for c in r]
            nums = [float(c) for c in cells if NUM.match(c)]
            label = "".join(c for c in cells if c and not NUM.match(c))
            rows.append((label, nums))
    correct = 0
    used = set()
    for _, label, nums in want:
        key = squeeze(label)
        for i, (l, n) in enumerate(rows):
            if i in used:
                continue
            if (key and key in l) or (not key and not l and len(n) == len(nums)):
                used.add(i)
                correct += sum(1 for a, b in zip(nums, n) if a == b)
                break
    return correct


def ours(grid, csv_path):
    want = truth(grid)
    got = {}
    with open(csv_path, encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            v = r.get("value") or ""
            if v and NUM.match(v):
                got[(r["table"], r["row"], r.get("col") or "")] = float(v)
    correct = sum(1 for k, v in want.items() if got.get(k) == v)
    return {"cells_correct": correct, "cells_truth": len(want)}


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "truth" and len(sys.argv) == 3:
        print(json.dumps({"|".join(k): v for k, v in truth(sys.argv[2]).items()}, ensure_ascii=False))
    elif cmd == "plumber" and len(sys.argv) >= 5:
        print(json.dumps(plumber(sys.argv[2], int(sys.argv[3]), sys.argv[4:])))
    elif cmd == "ours" and len(sys.argv) == 4:
        print(json.dumps(ours(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
