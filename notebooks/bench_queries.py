#!/usr/bin/env python3
"""The bench_analyze queries with DuckDB and pandas, straight from the extract parts.

Usage: python3 notebooks/bench_queries.py OUT            # runs every engine in a subprocess
       python3 notebooks/bench_queries.py OUT --engine duckdb|pandas|datasets

Query: national totals by year of the table-3 total column (new_received,
processed_total, granted, partially_granted) over canonical agency-year
documents, with the same de-duplication rule as ogi-analyze (parsed first,
then all checks passed, then newest fetched_at, then smallest report_id).
`datasets` reads the same figures from OUT/datasets/panel (ogi-analyze output).
Each engine prints one JSON line: wall time, peak RSS, result; the driver
checks that all engines agree.
"""
import json
import os
import resource
import subprocess
import sys
import time

MEASURES = ["new_received", "processed_total", "granted", "partially_granted"]


def q_duckdb(out):
    import duckdb

    rep = os.path.join(out, "extract", "reports", "part-*.parquet")
    cel = os.path.join(out, "extract", "cells", "part-*.parquet")
    sums = ", ".join(
        f"sum(c.value_int) FILTER (WHERE c.\"row\" = '{m}') AS {m}" for m in MEASURES
    )
    sql = f"""
    WITH r AS (
      SELECT report_id, year, row_number() OVER (
        PARTITION BY agency, region_code, year
        ORDER BY (status = 'parsed') DESC,
                 (status = 'parsed' AND checks_failed = 0) DESC,
                 fetched_at DESC NULLS LAST, report_id) AS rn
      FROM read_parquet('{rep}')
      WHERE status <> 'not_a_report' AND year IS NOT NULL
        AND agency IS NOT NULL AND region_code IS NOT NULL)
    SELECT r.year, {sums}
    FROM r JOIN read_parquet('{cel}') c USING (report_id)
    WHERE r.rn = 1 AND c."table" = 3 AND c.col = 'total'
    GROUP BY r.year ORDER BY r.year"""
    rows = duckdb.sql(sql).fetchall()
    return {str(r[0]): [int(x or 0) for x in r[1:]] for r in rows}


def q_pandas(out):
    import pandas as pd
    import pyarrow.dataset as ds

    rep = ds.dataset(os.path.join(out, "extract", "reports"), format="parquet").to_table(
        columns=["report_id", "status", "agency", "region_code", "year", "checks_failed", "fetched_at"]
    ).to_pandas()
    rep = rep[(rep.status != "not_a_report") & rep.year.notna() & rep.agency.notna() & rep.region_code.notna()]
    rep = rep.assign(
        r_status=(rep.status != "parsed").astype(int),
        r_checks=~((rep.status == "parsed") & (rep.checks_failed == 0)),
    )
    rep = rep.sort_values(
        ["agency", "region_code", "year", "r_status", "r_checks", "fetched_at", "report_id"],
        ascending=[True, True, True, True, True, False, True],
        na_position="last",
    ).drop_duplicates(["agency", "region_code", "year"], keep="first")
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = ds.dataset(os.path.join(out, "extract", "cells"), format="parquet")
    # Stream batches; string_view columns (polars writers) are cast to string
    # because pyarrow's filter kernels do not take string_view.
    parts = []
    for b in cells.to_batches(columns=["report_id", "table", "row", "col", "value_int"]):
        t = pa.Table.from_batches([b])
        t = t.cast(pa.schema([pa.field(f.name, pa.string() if pa.types.is_string_view(f.type) else f.type) for f in t.schema]))
        keep = pc.and_(pc.equal(t["table"], 3), pc.equal(t["col"], "total"))
        t = t.filter(pc.and_(keep, pc.is_in(t["row"], pa.array(MEASURES))))
        parts.append(t.select(["report_id", "row", "value_int"]))
    cel = pa.concat_tables(parts).to_pandas() if parts else pd.DataFrame(columns=["report_id", "row", "value_int"])
    m = cel.merge(rep[["report_id", "year"]], on="report_id")
    p = m.pivot_table(index="year", columns="row", values="value_int", aggfunc="sum", fill_value=0)
    return {str(int(y)): [int(p.loc[y].get(k, 0)) for k in MEASURES] for y in p.index}


def q_datasets(out):
    import duckdb

    panel = os.path.join(out, "datasets", "panel", "*", "*.parquet")
    sums = ", ".join(f"sum({m})" for m in MEASURES)
    rows = duckdb.sql(
        f"SELECT year, {sums} FROM read_parquet('{panel}', hive_partitioning=true) "
        "WHERE year IS NOT NULL GROUP BY year ORDER BY year"
    ).fetchall()
    return {str(r[0]): [int(x or 0) for x in r[1:]] for r in rows}


ENGINES = {"duckdb": q_duckdb, "pandas": q_pandas, "datasets": q_datasets}


def run_one(out, engine):
    t = time.perf_counter()
    result = ENGINES[engine](out)
    wall = time.perf_counter() - t
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": engine, "wall_s": round(wall, 3), "peak_rss_mib": round(rss_mib), "result": result}))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    if "--engine" in sys.argv:
        run_one(out, sys.argv[sys.argv.index("--engine") + 1])
        return
    results = {}
    for engine in ENGINES:
        p = subprocess.run([sys.executable, __file__, out, "--engine", engine], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"{engine} failed:\n{p.stderr}")
        r = json.loads(p.stdout.strip().splitlines()[-1])
        results[engine] = r
        print(f"{engine:9s} wall {r['wall_s']:8.2f}s  peak RSS {r['peak_rss_mib']:6d} MiB")
    ref = results["datasets"]["result"]
    for engine, r in results.items():
        if r["result"] != ref:
            sys.exit(f"MISMATCH {engine}: {r['result']} vs datasets {ref}")
    print("all engines agree on", json.dumps(ref))


if __name__ == "__main__":
    main()
