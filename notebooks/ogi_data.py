"""Shared helpers of the ogi notebooks: locate OGI_OUT, load datasets robustly.

Datasets live in OUT/datasets/<name>/year=<year>/part-0.parquet (Hive layout,
zstd); OUT comes from the env var OGI_OUT (default ./ogi-demo).
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

DATASETS = ["requests", "dispositions", "review_litigation", "proactive", "panel", "regions", "quality"]


def out_dir() -> Path:
    """The OUT directory (env OGI_OUT, default ./ogi-demo)."""
    return Path(os.environ.get("OGI_OUT", "./ogi-demo")).resolve()


def fig_dir() -> Path:
    """Where figures go (env OGI_FIGURES, default notebooks/figures next to this file)."""
    d = Path(os.environ.get("OGI_FIGURES", Path(__file__).resolve().parent / "figures"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def dataset_glob(name: str) -> str | None:
    """Glob of a dataset's partition files, or None if it has none."""
    d = out_dir() / "datasets" / name
    files = sorted(d.glob("year=*/part-0.parquet"))
    return str(d / "*" / "part-0.parquet") if files else None


def load(name: str) -> pd.DataFrame:
    """A dataset as pandas (with its `year` column); empty frame if missing."""
    import pyarrow.dataset as ds

    d = out_dir() / "datasets" / name
    if dataset_glob(name) is None:
        print(f"[ogi] dataset {name!r} not found under {d}; run `ogi analyze` first")
        return pd.DataFrame()
    table = ds.dataset(d, format="parquet", partitioning="hive").to_table()
    return table.to_pandas()


def duck():
    """A DuckDB connection with one view per available dataset."""
    import duckdb

    con = duckdb.connect()
    for name in DATASETS:
        g = dataset_glob(name)
        if g is not None:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{g}', hive_partitioning = true)").fetchall()
    return con


def has(con, name: str) -> bool:
    """Whether the DuckDB connection has a view for this dataset."""
    return bool(scalar(con, f"SELECT count(*) FROM duckdb_views() WHERE view_name = '{name}'"))


def scalar(con, sql: str):
    """First value of a query's first row (None if no row)."""
    rows = con.sql(sql).fetchall()
    return rows[0][0] if rows else None


def savefig(fig, name: str) -> Path:
    """Save a matplotlib figure as PNG under the figures directory."""
    p = fig_dir() / f"{name}.png"
    fig.savefig(p, dpi=110, bbox_inches="tight")
    print(f"[ogi] saved {p}")
    return p


_CJK = ["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
        "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN"]


def use_cjk_font() -> bool:
    """Select an installed CJK font for matplotlib; False if none is installed."""
    from matplotlib import font_manager, rcParams

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = [f for f in _CJK if f in installed]
    if found:
        rcParams["font.sans-serif"] = found + list(rcParams["font.sans-serif"])
        rcParams["axes.unicode_minus"] = False
    return bool(found)


def region_labels(names, codes) -> list:
    """Axis labels: Chinese names when a CJK font is available, else region codes."""
    if use_cjk_font():
        return [n if isinstance(n, str) and n else c for n, c in zip(names, codes)]
    return list(codes)
