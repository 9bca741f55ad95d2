#!/usr/bin/env python3
"""Regenerate the three notebooks (code lives here so diffs stay readable)."""
from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).resolve().parent

SETUP = """\
import os, sys
import matplotlib
matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt
import pandas as pd
sys.path.insert(0, os.getcwd())
from ogi_data import out_dir, load, duck, has, scalar, savefig, region_labels, use_cjk_font
use_cjk_font()
print("OGI_OUT =", out_dir())
con = duck()"""

NB = {
    "01_national_overview.ipynb": [
        ("md", "# National overview: request volumes and disposition shares by year\n\n"
               "Agency-scope and jurisdiction-scope reports are shown separately and never added. "
               "Source: `panel` and `dispositions` (total column, canonical documents only)."),
        ("code", SETUP),
        ("code", """\
if has(con, "panel"):
    vol = con.sql('''
        SELECT year, scope, count(*) AS reports,
               sum(new_received) AS new_received, sum(processed_total) AS processed_total,
               sum(granted) + sum(partially_granted) AS disclosed
        FROM panel WHERE year IS NOT NULL GROUP BY ALL ORDER BY year, scope''').df()
else:
    vol = pd.DataFrame()
vol"""),
        ("code", """\
if not vol.empty:
    piv = vol.pivot_table(index="year", columns="scope", values="new_received", aggfunc="sum").fillna(0)
    fig, ax = plt.subplots(figsize=(7, 4))
    piv.plot(kind="bar", ax=ax)
    ax.set_title("New requests received per year, by report scope")
    ax.set_ylabel("requests"); ax.set_xlabel("reporting year")
    savefig(fig, "01_requests_by_year")
else:
    print("no panel data")"""),
        ("code", """\
if has(con, "dispositions"):
    shares = con.sql('''
        SELECT d.year, d.category, sum(d.value) AS n
        FROM dispositions d JOIN panel p USING (report_id, year)
        WHERE d.applicant = 'total' AND p.scope = 'agency'
        GROUP BY ALL ORDER BY ALL''').df()
else:
    shares = pd.DataFrame()
if not shares.empty and shares["n"].fillna(0).sum() > 0:
    tab = shares.pivot_table(index="year", columns="category", values="n", aggfunc="sum").fillna(0)
    tab = tab.div(tab.sum(axis=1).where(lambda s: s > 0), axis=0)
    fig, ax = plt.subplots(figsize=(7, 4))
    tab.plot(kind="bar", stacked=True, ax=ax)
    ax.set_title("How requests were handled, by year (share of outcomes, agency-scope reports)")
    ax.set_ylabel("share"); ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left")
    savefig(fig, "01_disposition_shares")
    display(tab.round(3))
else:
    print("no disposition data")"""),
        ("code", """\
if has(con, "panel"):
    rates = con.sql('''
        SELECT year, count(*) AS agencies,
               median(substantive_disclosure_rate) AS median_disclosure_rate,
               avg(substantive_disclosure_rate) AS mean_disclosure_rate,
               count(substantive_disclosure_rate) AS with_rate
        FROM panel WHERE scope = 'agency' GROUP BY year ORDER BY year''').df()
    display(rates)"""),
    ],
    "02_districts_and_fees.ipynb": [
        ("md", "# District comparison and fee figures\n\n"
               "County rollups sum agency-scope reports only (`regions`); jurisdiction-scope reports "
               "are listed in their own columns. Fees come from table 2 (`proactive`), in 万元 and yuan."),
        ("code", SETUP),
        ("code", """\
if has(con, "regions"):
    latest = scalar(con, "SELECT max(year) FROM regions")
    counties = con.sql(f'''
        SELECT region_code, region_name, n_agency_reports, n_jurisdiction_reports,
               new_received, jurisdiction_new_received, substantive_disclosure_rate
        FROM regions WHERE level = 'county' AND year = {latest}
        ORDER BY new_received DESC NULLS LAST LIMIT 20''').df()
    print("year", latest)
else:
    counties = pd.DataFrame()
counties"""),
        ("code", """\
if not counties.empty and counties["new_received"].notna().any():
    top = counties.dropna(subset=["new_received"]).head(15)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.barh(region_labels(top["region_name"], top["region_code"]), top["new_received"])
    ax.invert_yaxis()
    ax.set_title(f"Counties with the most new requests, {latest} (agency-scope reports, requests)")
    ax.set_xlabel("new requests (件)")
    savefig(fig, "02_top_counties")
else:
    print("no county data")"""),
        ("code", """\
if has(con, "regions"):
    comp = con.sql('''
        SELECT region_code, region_name, year, n_agency_reports, substantive_disclosure_rate
        FROM regions WHERE level = 'county' AND n_agency_reports >= 3
          AND substantive_disclosure_rate IS NOT NULL
        ORDER BY year, substantive_disclosure_rate''').df()
    if not comp.empty:
        fig, ax = plt.subplots(figsize=(7, 4))
        comp.boxplot(column="substantive_disclosure_rate", by="year", ax=ax)
        ax.set_title("County substantive disclosure rate by year (pooled share of processed requests, ≥ 3 agency reports)"); fig.suptitle("")
        ax.set_xlabel("reporting year"); ax.set_ylabel("share (0–1)")
        savefig(fig, "02_county_disclosure_rate")
    display(comp.head(20))"""),
        ("code", """\
if has(con, "proactive"):
    fees = con.sql('''
        SELECT year, count(*) AS reports,
               count(admin_fees_10k_cny) AS reports_with_fee_figure,
               sum(admin_fees_10k_cny) AS fees_10k_cny,
               sum(admin_fees_cny) AS fees_cny,
               max(admin_fees_cny) AS max_fee_cny
        FROM proactive GROUP BY year ORDER BY year''').df()
    display(fees)
    if not fees.empty and fees["fees_cny"].fillna(0).sum() > 0:
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.bar(fees["year"].astype(str), fees["fees_cny"] / 1e4)
        ax.set_title(f"Administrative fees reported in table 2, {fees['year'].min()}–{fees['year'].max()} (万元)"); ax.set_ylabel("万元")
        ax.set_xlabel("reporting year")
        savefig(fig, "02_fees_by_year")
else:
    print("no proactive data")"""),
    ],
    "03_data_quality.ipynb": [
        ("md", "# Data quality: statuses, failed checks, inferred cells, superseded documents\n\n"
               "Source: `quality` (one row per document × status/check/flag) and `panel`."),
        ("code", SETUP),
        ("code", """\
if has(con, "quality"):
    status = con.sql('''
        SELECT coalesce(CAST(year AS VARCHAR), 'unknown') AS year, item AS status, count(*) AS documents
        FROM quality WHERE kind = 'status' GROUP BY ALL ORDER BY ALL''').df()
else:
    status = pd.DataFrame()
status"""),
        ("code", """\
if has(con, "quality"):
    checks = con.sql('''
        SELECT year, item AS check_id, count(*) AS checked,
               sum(CASE WHEN NOT ok THEN 1 ELSE 0 END) AS failed
        FROM quality WHERE kind = 'check' GROUP BY ALL ORDER BY ALL''').df()
    display(checks)
    if not checks.empty and checks["failed"].sum() > 0:
        tab = checks.pivot_table(index="check_id", columns="year", values="failed", aggfunc="sum").fillna(0)
        fig, ax = plt.subplots(figsize=(7, 4))
        tab.T.plot(kind="bar", ax=ax)
        ax.set_title("Failed checks by year"); ax.set_ylabel("documents")
        savefig(fig, "03_failed_checks")
    else:
        print("no failed checks")"""),
        ("code", """\
if has(con, "panel"):
    inferred = con.sql('''
        SELECT year, count(*) AS agency_years,
               sum(CASE WHEN has_inferred THEN 1 ELSE 0 END) AS with_inferred_values,
               sum(CASE WHEN checks_ok THEN 1 ELSE 0 END) AS all_checks_ok,
               sum(n_documents - 1) AS superseded_documents
        FROM panel GROUP BY year ORDER BY year''').df()
    display(inferred)
    if not inferred.empty:
        fig, ax = plt.subplots(figsize=(7, 4))
        share = inferred["with_inferred_values"] / inferred["agency_years"].where(inferred["agency_years"] > 0)
        ax.plot(inferred["year"], share, marker="o")
        ax.set_title("Share of agency-years with inferred or OCR values"); ax.set_ylim(bottom=0)
        savefig(fig, "03_inferred_share")"""),
        ("code", """\
if has(con, "quality"):
    display(con.sql('''
        SELECT item AS flag, count(*) AS documents FROM quality
        WHERE kind = 'flag' GROUP BY ALL ORDER BY documents DESC LIMIT 20''').df())
    display(con.sql('''
        SELECT report_id, agency, year, item AS superseded_by, detail FROM quality
        WHERE kind = 'superseded_by' ORDER BY year, agency LIMIT 20''').df())"""),
    ],
}


def main():
    for name, cells in NB.items():
        nb = nbf.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in cells]
        nbf.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
