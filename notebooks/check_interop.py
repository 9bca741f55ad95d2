#!/usr/bin/env python3
"""Interop check: every ogi dataset must read identically with pyarrow and DuckDB.

Usage: python3 notebooks/check_interop.py [OUT]   (default: $OGI_OUT or ./ogi-demo)

For each dataset under OUT/datasets/<name>/year=<year>/part-0.parquet:
  * one zstd Parquet file per partition, no leftover temp files;
  * the same column names in every partition;
  * pyarrow (Hive partitioning) and DuckDB (hive_partitioning=true) agree on
    the row count, the column set, the `year` values and every numeric sum;
  * no NaN/inf in float columns (null is used instead);
  * if OUT/exports/codebook.csv exists, its column order matches the files.
`agencies` and (when OUT holds a crawl) `compliance` are one file each
(OUT/datasets/<name>/part-0.parquet): same rows in both readers, the codebook's
columns, agency ids unique.
Exit status 1 on any failure.
"""
import csv
import math
import os
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

DATASETS = ["requests", "dispositions", "review_litigation", "proactive", "panel", "regions", "quality"]


def check(out: Path) -> list:
    errors = []
    codebook = {}
    cb = out / "exports" / "codebook.csv"
    if cb.exists():
        with open(cb, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                codebook.setdefault(row["dataset"], []).append(row["column"])
    con = duckdb.connect()
    for name in DATASETS:
        d = out / "datasets" / name
        files = sorted(d.glob("year=*/part-0.parquet"))
        if not files:
            errors.append(f"{name}: no partitions under {d}")
            continue
        stray = [p for p in d.rglob("*") if p.is_file() and p.name != "part-0.parquet"]
        if stray:
            errors.append(f"{name}: unexpected files {stray[:3]}")
        names = None
        for f in files:
            pf = pq.ParquetFile(f)
            if pf.metadata.num_row_groups and pf.metadata.num_columns:
                comp = pf.metadata.row_group(0).column(0).compression
                if comp != "ZSTD":
                    errors.append(f"{name}: {f} compressed with {comp}")
            n = pf.schema_arrow.names
            if names is None:
                names = n
            elif n != names:
                errors.append(f"{name}: {f} has columns {n}, expected {names}")
        if codebook.get(name) and codebook[name] != ["year"] + names:
            errors.append(f"{name}: columns differ from codebook: {names} vs {codebook[name]}")

        table = ds.dataset(d, format="parquet", partitioning="hive").to_table()
        glob = str(d / "*" / "part-0.parquet")
        rel = con.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
        n_duck = con.sql(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()[0][0]
        if table.num_rows != n_duck:
            errors.append(f"{name}: pyarrow {table.num_rows} rows, duckdb {n_duck}")
        if set(table.column_names) != set(rel.columns):
            errors.append(f"{name}: columns pyarrow {table.column_names} vs duckdb {rel.columns}")
        years_pa = sorted(set(table["year"].to_pylist()), key=lambda y: (y is None, y))
        years_dk = [r[0] for r in con.sql(
            f"SELECT DISTINCT year FROM read_parquet('{glob}', hive_partitioning = true) ORDER BY year NULLS LAST").fetchall()]
        if [None if y is None else int(y) for y in years_pa] != [None if y is None else int(y) for y in years_dk]:
            errors.append(f"{name}: years pyarrow {years_pa} vs duckdb {years_dk}")
        for field in table.schema:
            if field.name == "year":
                continue
            t = field.type
            if pa.types.is_floating(t):
                vals = table[field.name].drop_null().to_pylist()
                if any(not math.isfinite(v) for v in vals):
                    errors.append(f"{name}.{field.name}: NaN or inf present")
            if pa.types.is_integer(t) or pa.types.is_floating(t):
                s_pa = pc.sum(table[field.name]).as_py()
                s_dk = con.sql(
                    f'SELECT sum("{field.name}") FROM read_parquet(\'{glob}\', hive_partitioning = true)'
                ).fetchall()[0][0]
                same = (s_pa is None and s_dk is None) or (
                    s_pa is not None and s_dk is not None
                    and math.isclose(float(s_pa), float(s_dk), rel_tol=1e-9, abs_tol=1e-9))
                if not same:
                    errors.append(f"{name}.{field.name}: sum pyarrow {s_pa} vs duckdb {s_dk}")
        print(f"ok  {name:18s} {table.num_rows:>10d} rows  {len(files)} partition(s)  {len(names)} columns")
    errors.extend(check_single(out, "agencies", "agency_id", codebook))
    # `compliance` exists when OUT holds a crawl (it reads the crawler's files).
    if (out / "crawl" / "portals.csv").is_file():
        errors.extend(check_single(out, "compliance", None, codebook))
    return errors


def check_single(out: Path, name: str, key, codebook: dict) -> list:
    """A dataset in one file (all years): pyarrow and DuckDB read the same rows,
    its columns are the codebook's, and `key` (if any) is unique."""
    f = out / "datasets" / name / "part-0.parquet"
    if not f.is_file():
        return [f"{name}: no {f}"]
    table = pq.read_table(f)
    con = duckdb.connect()
    n_duck = con.sql(f"SELECT count(*) FROM read_parquet('{f}')").fetchall()[0][0]
    errors = []
    if table.num_rows != n_duck:
        errors.append(f"{name}: pyarrow {table.num_rows} rows, duckdb {n_duck}")
    if codebook.get(name) and codebook[name] != table.schema.names:
        errors.append(f"{name}: columns {table.schema.names} differ from the codebook {codebook[name]}")
    if key:
        n_ids = con.sql(f"SELECT count(DISTINCT {key}) FROM read_parquet('{f}')").fetchall()[0][0]
        if n_ids != n_duck:
            errors.append(f"{name}: {n_duck - n_ids} duplicate {key}")
    if not errors:
        print(f"ok  {name:18s} {table.num_rows:>10d} rows  1 file  {table.num_columns} columns")
    return errors


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OGI_OUT", "./ogi-demo")).resolve()
    errors = check(out)
    for e in errors:
        print("FAIL", e)
    print("interop:", "FAILED" if errors else "all datasets read identically with pyarrow and duckdb")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
