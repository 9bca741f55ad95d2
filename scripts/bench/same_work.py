#!/usr/bin/env python3
"""The cell datasets of `ogi analyze` rebuilt with DuckDB or pandas, same rules, same files.

Usage:
  same_work.py duckdb  OUT IDS DEST     # writes DEST/<dataset>/year=Y/part-0.parquet
  same_work.py pandas  OUT IDS DEST
  same_work.py compare OURS THEIRS      # partition by partition, row order included

OUT holds the extract parts (OUT/extract/{reports,cells}/part-*.parquet); IDS is
the agency identity of each distinct (agency, region_code, region), written by
`bench_analyze --identities` (the name-normalisation rules of
analyze/src/agencies.rs are taken as given, not re-implemented). Everything
else follows analyze/README.md "Rules" and the dataset schemas:

* de-duplication: documents with the same agency_id and year (status not
  not_a_report, agency_id and region_code present) are one agency-year; the
  canonical one is status parsed first, then the newest `issued` date (none
  last), then a title flagged `revised`, then checks_failed = 0, then the
  smallest report_id (never the fetch time); every other document is its own
  group (parts written before `issued` existed read it as null);
* `requests` (table 3 flow rows per applicant column), `dispositions` (table 3
  outcome rows x applicant columns, long), `review_litigation` (table 4 wide),
  `proactive` (table 2 wide, fees also in yuan rounded to the fen), each with
  report_id, agency_id, agency, region_code, over the canonical reports of
  each year, sorted by report_id then vocabulary order, Hive `year=`, zstd.

The vocabulary (keys and their order) is read from data/spec/*.csv.
Prints one JSON line: engine, rows written per dataset.
"""
import csv
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLOW_ROWS = ["new_received", "carried_over_in", "processed_total", "carried_forward"]
INFERRED = ["inferred", "ocr", "ocr_inferred", "split"]
DATASETS = ["requests", "dispositions", "review_litigation", "proactive"]
IDS = ["report_id", "agency_id", "agency", "region_code"]


def vocab(name):
    with open(os.path.join(ROOT, "data", "spec", name), encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["key"]]


def category(key):
    if key == "granted":
        return "granted"
    if key == "partially_granted":
        return "partial"
    for c in ["denied", "unavailable", "not_processed", "other"]:
        if key.startswith(c + "_"):
            return c
    return "other"


def yuan_name(key):
    return key.replace("_10k_cny", "_cny", 1) if "_10k_cny" in key else key + "_cny"


APPLICANTS = [r["key"] for r in vocab("table3_columns.csv")]
OUTCOMES = [r["key"] for r in vocab("table3_rows.csv") if r["key"] not in FLOW_ROWS]
T4 = [r["key"] for r in vocab("table4_cells.csv")]
T2 = [(r["key"], r["unit"] == "10k_cny" or "_10k_cny" in r["key"]) for r in vocab("table2_cells.csv")]


def proactive_columns():
    cols = []
    for k, fee in T2:
        cols.append(k)
        if fee:
            cols.append(yuan_name(k))
    return cols


def parts(out, table):
    files = sorted(glob.glob(os.path.join(out, "extract", table, "part-*.parquet")))
    if not files:
        sys.exit(f"no parts in {out}/extract/{table}")
    return files


def has_column(files, name):
    """Whether any of the Parquet files has the column `name`."""
    import pyarrow.parquet as pq

    return any(name in pq.read_schema(f).names for f in files)


REVISED = "(?:^|;)revised(?:;|$)"


def sql_list(xs):
    return ", ".join("'" + x.replace("'", "''") + "'" for x in xs)


# ---------------------------------------------------------------- DuckDB


def run_duckdb(out, ids, dest):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    con.execute("SET preserve_insertion_order = true")
    rep_files = parts(out, "reports")
    rep = sql_list(rep_files)
    cel = sql_list(parts(out, "cells"))
    issued = "r.issued" if has_column(rep_files, "issued") else "CAST(NULL AS VARCHAR)"
    con.execute(f"""
      CREATE TEMP TABLE canon AS
      WITH r AS (
        SELECT r.report_id, r.status, r.year, r.agency, r.region_code, r.checks_failed,
               {issued} AS issued, r.flags, i.agency_id
        FROM read_parquet([{rep}], union_by_name = true) r
        LEFT JOIN read_parquet('{ids}') i
          ON r.agency IS NOT DISTINCT FROM i.agency
         AND r.region_code IS NOT DISTINCT FROM i.region_code
         AND r.region IS NOT DISTINCT FROM i.region),
      k AS (
        SELECT *, CASE WHEN status <> 'not_a_report' AND year IS NOT NULL
                            AND agency_id IS NOT NULL AND region_code IS NOT NULL
                       THEN '' ELSE report_id END AS solo
        FROM r),
      ranked AS (
        SELECT *, row_number() OVER (
          PARTITION BY solo, agency_id, year
          ORDER BY CASE WHEN status = 'parsed' THEN 0 ELSE 1 END,
                   issued DESC NULLS LAST,
                   CASE WHEN regexp_matches(flags, '{REVISED}') THEN 0 ELSE 1 END,
                   CASE WHEN status = 'parsed' AND checks_failed = 0 THEN 0 ELSE 1 END,
                   report_id) AS rn
        FROM k)
      SELECT report_id, CAST(year AS INTEGER) AS year, agency_id, agency, region_code
      FROM ranked WHERE rn = 1 AND status <> 'not_a_report' AND year IS NOT NULL""")
    con.execute(f"""
      CREATE TEMP TABLE c AS
      SELECT k.report_id, k.year, k.agency_id, k.agency, k.region_code,
             CAST(c."table" AS INTEGER) AS tbl, c."row" AS r, c.col AS a,
             CAST(c.value AS DOUBLE) AS value, CAST(c.value_int AS BIGINT) AS value_int,
             c.provenance IN ({sql_list(INFERRED)}) AS inf, c.provenance
      FROM read_parquet([{cel}]) c JOIN canon k USING (report_id)""")
    con.execute("CREATE TEMP TABLE app AS SELECT * FROM (VALUES " + ", ".join(
        f"('{k}', {i})" for i, k in enumerate(APPLICANTS)) + ") t(a, ord)")
    con.execute("CREATE TEMP TABLE outc AS SELECT * FROM (VALUES " + ", ".join(
        f"('{k}', '{category(k)}', {i})" for i, k in enumerate(OUTCOMES)) + ") t(r, category, ord)")
    ids_sel = "report_id, agency_id, agency, region_code"
    flow = ", ".join(f"max(value_int) FILTER (WHERE r = '{k}') AS {k}" for k in FLOW_ROWS)
    t4 = ", ".join(f"max(value_int) FILTER (WHERE r = '{k}') AS {k}" for k in T4)
    t2 = []
    for k, fee in T2:
        v = "value" if fee else "value_int"
        t2.append(f"max({v}) FILTER (WHERE r = '{k}') AS {k}")
    yuan = []
    for k, fee in T2:
        yuan.append(k)
        if fee:
            yuan.append(f"CAST(trunc({k} * 1000000.0 + CASE WHEN {k} >= 0 THEN 0.5 ELSE -0.5 END) AS BIGINT) / 100.0 AS {yuan_name(k)}")
    queries = {
        "requests": f"""
          SELECT year, {ids_sel}, a AS applicant, {', '.join(FLOW_ROWS)}, n_inferred FROM (
            SELECT year, {ids_sel}, a, {flow}, CAST(sum(inf::INTEGER) AS INTEGER) AS n_inferred
            FROM c WHERE tbl = 3 AND r IN ({sql_list(FLOW_ROWS)})
            GROUP BY year, {ids_sel}, a) JOIN app USING (a)
          ORDER BY report_id, ord""",
        "dispositions": f"""
          SELECT year, {ids_sel}, r AS disposition, category, a AS applicant,
                 value_int AS value, provenance
          FROM c JOIN outc USING (r) JOIN app USING (a) WHERE tbl = 3
          ORDER BY report_id, outc.ord, app.ord""",
        "review_litigation": f"""
          SELECT year, {ids_sel}, {t4}, CAST(sum(inf::INTEGER) AS INTEGER) AS n_inferred
          FROM c WHERE tbl = 4 GROUP BY year, {ids_sel} ORDER BY report_id""",
        "proactive": f"""
          SELECT year, {ids_sel}, {', '.join(yuan)}, n_inferred FROM (
            SELECT year, {ids_sel}, {', '.join(t2)}, CAST(sum(inf::INTEGER) AS INTEGER) AS n_inferred
            FROM c WHERE tbl = 2 GROUP BY year, {ids_sel}) ORDER BY report_id""",
    }
    # One COPY per year: DuckDB's PARTITION_BY writes do not keep the ORDER BY
    # order within a partition, a plain ordered COPY does.
    years = [y for (y,) in con.execute("SELECT DISTINCT year FROM canon ORDER BY year").fetchall()]
    rows = {}
    for name, q in queries.items():
        rows[name] = 0
        con.execute(f"CREATE OR REPLACE TEMP TABLE ds AS {q}")
        for y in years:
            target = os.path.join(dest, name, f"year={y}")
            os.makedirs(target, exist_ok=True)
            sel = f"SELECT * EXCLUDE (year) FROM ds WHERE year = {y}"
            con.execute(f"COPY ({sel}) TO '{target}/part-0.parquet' (FORMAT parquet, COMPRESSION zstd)")
            rows[name] += con.execute(f"SELECT count(*) FROM '{target}/part-0.parquet'").fetchone()[0]
    return rows


# ---------------------------------------------------------------- pandas


def run_pandas(out, ids, dest):
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    def read(files, columns):
        frames = []
        for f in files:
            present = [c for c in columns if c in pq.read_schema(f).names]
            df = pq.read_table(f, columns=present).to_pandas(types_mapper=arrow_types)
            for c in columns:
                if c not in present:  # a column added to the contract later: null
                    df[c] = pd.array([pd.NA] * len(df), dtype=pd.StringDtype("pyarrow"))
            frames.append(df[columns])
        return pd.concat(frames, ignore_index=True)

    def arrow_types(t):
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return pd.StringDtype("pyarrow")
        if pa.types.is_integer(t):
            return pd.Int64Dtype()
        if pa.types.is_floating(t):
            return pd.Float64Dtype()
        return None

    rep = read(parts(out, "reports"), ["report_id", "status", "year", "agency", "region_code",
                                        "region", "checks_failed", "issued", "flags"])
    idt = pq.read_table(ids).to_pandas(types_mapper=arrow_types)
    key = ["agency", "region_code", "region"]
    rep = rep.merge(idt, on=key, how="left")  # pandas merges null keys as equal
    eligible = ((rep.status != "not_a_report") & rep.year.notna() & rep.agency_id.notna()
                & rep.region_code.notna()).fillna(False).astype(bool)
    rep["solo"] = rep.report_id.where(~eligible, "")
    rep["r_status"] = (rep.status != "parsed").fillna(True).astype(int)
    rep["r_checks"] = (~((rep.status == "parsed") & (rep.checks_failed == 0)).fillna(False)).astype(int)
    rep["r_revised"] = (~rep["flags"].str.contains(REVISED, regex=True).fillna(False).astype(bool)).astype(int)
    rep = rep.sort_values(["solo", "agency_id", "year", "r_status", "issued", "r_revised", "r_checks",
                           "report_id"],
                          ascending=[True, True, True, True, False, True, True, True], na_position="last",
                          kind="stable")
    canon = rep.drop_duplicates(["solo", "agency_id", "year"], keep="first")
    canon = canon[(canon.status != "not_a_report").fillna(True) & canon.year.notna()]
    canon = canon[["report_id", "year", "agency_id", "agency", "region_code"]]

    cells = []
    wanted = canon[["report_id"]]
    for f in parts(out, "cells"):
        t = read([f], ["report_id", "table", "row", "col", "value", "value_int", "provenance"])
        cells.append(t.merge(wanted, on="report_id", how="inner"))
    c = pd.concat(cells, ignore_index=True)
    c["inf"] = c.provenance.isin(INFERRED).fillna(False).astype("int32")
    c["value_int"] = c.value_int.astype("Int64")
    app_ord = {k: i for i, k in enumerate(APPLICANTS)}
    out_ord = {k: i for i, k in enumerate(OUTCOMES)}
    ids_cols = ["year"] + IDS

    def wide(t, keys, table_keys, value_of):
        # One row per group of `keys` (report_id first); each key's value is
        # the first cell with that row key; the ids are joined back after.
        first = t[t["row"].isin(table_keys)].drop_duplicates(keys + ["row"], keep="first")
        w = t.groupby(keys, sort=False)["inf"].sum().astype("int32").rename("n_inferred").to_frame()
        for vcol in sorted(set(value_of.values())):
            sub = first[first["row"].map(value_of) == vcol]
            w = w.join(sub.pivot(index=keys, columns="row", values=vcol), how="left")
        for k in table_keys:
            if k not in w.columns:
                w[k] = pd.NA
        return w.reset_index().merge(canon, on="report_id", how="inner")

    results = {}
    # requests
    t = c[(c["table"] == 3) & c["row"].isin(FLOW_ROWS)]
    w = wide(t, ["report_id", "col"], FLOW_ROWS, {k: "value_int" for k in FLOW_ROWS})
    w = w[w["col"].isin(APPLICANTS)].rename(columns={"col": "applicant"})
    w["_o"] = w.applicant.map(app_ord)
    results["requests"] = w.sort_values(["report_id", "_o"], kind="stable")[
        ids_cols + ["applicant"] + FLOW_ROWS + ["n_inferred"]]
    # dispositions
    t = c[(c["table"] == 3) & c["row"].isin(OUTCOMES) & c["col"].isin(APPLICANTS)]
    t = t.merge(canon, on="report_id", how="inner")
    t["_r"] = t["row"].map(out_ord)
    t["_c"] = t["col"].map(app_ord)
    t = t.sort_values(["report_id", "_r", "_c"], kind="stable")
    t["category"] = t["row"].map({k: category(k) for k in OUTCOMES})
    results["dispositions"] = t.drop(columns=["value"]).rename(
        columns={"row": "disposition", "col": "applicant", "value_int": "value"})[
        ids_cols + ["disposition", "category", "applicant", "value", "provenance"]]
    # review_litigation
    t = c[c["table"] == 4]
    w = wide(t, ["report_id"], T4, {k: "value_int" for k in T4})
    results["review_litigation"] = w.sort_values("report_id", kind="stable")[ids_cols + T4 + ["n_inferred"]]
    # proactive
    t = c[c["table"] == 2]
    keys2 = [k for k, _ in T2]
    w = wide(t, ["report_id"], keys2, {k: ("value" if fee else "value_int") for k, fee in T2})
    for k, fee in T2:
        if fee:
            v = w[k].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
            fen = v * 1_000_000.0 + np.where(v >= 0, 0.5, -0.5)
            w[yuan_name(k)] = pd.array(np.trunc(fen) / 100.0, dtype="Float64")
            w[k] = w[k].astype("Float64")
        else:
            w[k] = w[k].astype("Int64")
    results["proactive"] = w.sort_values("report_id", kind="stable")[ids_cols + proactive_columns() + ["n_inferred"]]

    rows = {}
    for name, df in results.items():
        rows[name] = len(df)
        for year, g in df.groupby("year", sort=True):
            d = os.path.join(dest, name, f"year={int(year)}")
            os.makedirs(d, exist_ok=True)
            table = pa.Table.from_pandas(g.drop(columns=["year"]), preserve_index=False)
            pq.write_table(table, os.path.join(d, "part-0.parquet"), compression="zstd")
    return rows


# ---------------------------------------------------------------- compare


def partitions(root, name):
    out = {}
    for f in glob.glob(os.path.join(root, name, "year=*", "*.parquet")):
        out.setdefault(os.path.basename(os.path.dirname(f)), []).append(f)
    return out


def normalised(table, name):
    """Column `name` of `table` as one Arrow array, text as `string`, integers as `int64`."""
    import pyarrow as pa

    a = table[name].combine_chunks() if table.num_rows else table[name]
    t = a.type
    if pa.types.is_string_view(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
        a = a.cast(pa.string())
    elif pa.types.is_integer(t):
        a = a.cast(pa.int64())
    return a


def first_difference(x, y, step=1 << 16):
    """The first row where the arrays `x` and `y` (same length) differ, and both values."""
    for start in range(0, len(x), step):
        sx, sy = x.slice(start, step), y.slice(start, step)
        if not sx.equals(sy):
            for i, (u, v) in enumerate(zip(sx.to_pylist(), sy.to_pylist())):
                if u != v:
                    return start + i, u, v
    return None


def compare(ours, theirs):
    """Partition by partition, column by column, row by row (order included).
    One column of one partition is in memory at a time (a year of
    `dispositions` at 1 M reports is 7 M rows), compared as Arrow arrays."""
    import pyarrow.parquet as pq

    report = {}
    ok = True
    for name in DATASETS:
        a, b = partitions(ours, name), partitions(theirs, name)
        diffs = []
        rows = 0
        for part in sorted(set(a) | set(b)):
            fa = pq.ParquetFile(a[part][0]) if part in a else None
            fb = pq.ParquetFile(sorted(b[part])[0]) if part in b else None
            if fa is None or fb is None:
                present = fa if fa is not None else fb
                if present.metadata.num_rows:
                    diffs.append(f"{part}: only in {'ours' if fa is not None else 'theirs'}")
                continue
            na, nb = fa.metadata.num_rows, fb.metadata.num_rows
            rows += na
            if na != nb:
                diffs.append(f"{part}: {na} rows vs {nb}")
                continue
            cols_a, cols_b = fa.schema_arrow.names, fb.schema_arrow.names
            if cols_a != cols_b:
                diffs.append(f"{part}: columns {cols_a} vs {cols_b}")
                continue
            for col in cols_a:
                x = normalised(fa.read(columns=[col]), col)
                y = normalised(fb.read(columns=[col]), col)
                # Arrays of different types (e.g. integers written as
                # floats) are compared value by value, as Python compares them.
                if x.type != y.type or not x.equals(y):
                    d = first_difference(x, y)
                    if d is not None:
                        diffs.append(f"{part}.{col}: row {d[0]}: {d[1]!r} vs {d[2]!r}")
                        break
        report[name] = {"partitions": len(a), "rows": rows, "equal": not diffs, "diffs": diffs[:5]}
        ok = ok and not diffs
    return ok, report


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        ok, report = compare(sys.argv[2], sys.argv[3])
        print(json.dumps({"equal": ok, "datasets": report}, ensure_ascii=False))
        return 0
    if len(sys.argv) != 5 or sys.argv[1] not in ("duckdb", "pandas"):
        sys.exit(__doc__)
    engine, out, ids, dest = sys.argv[1:]
    rows = (run_duckdb if engine == "duckdb" else run_pandas)(out, ids, dest)
    print(json.dumps({"engine": engine, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
