#!/usr/bin/env python3
"""Validate the gold files of the real-document corpus (never runs ogi).

usage: check_gold.py [CORPUS_DIR] [DOCS_DIR]
Defaults: extract/tests/realdocs (gold/, INDEX.tsv) and no document check.
With DOCS_DIR, every gold's document must exist there.

For every gold/*.json:
- the fields: `file` (listed in INDEX.tsv), `agency` (text), `year` (2019 or later);
- every key in the vocabulary of data/spec/*.csv, table 3 in one template
  (`other_total_2019` or the 2021 sub-rows of (六), never both);
- every value a number or null (a blank source cell), non-negative except the
  2019 `*_change_2019` counts;
- the accounting identities of shared/spec/README.md, a blank addend read as 0 and
  an identity skipped when its total, every addend or a row it needs is not printed:
  C1 per column new_received + carried_over_in = processed_total + carried_forward,
  C2 per row total = sum of the six applicant columns,
  C3 per column processed_total = sum of the outcome rows,
  C4 per block of table 4 *_total = upheld + corrected + other + pending.
  A failed identity is accepted only when the file's INDEX.tsv line says the
  published table "does not balance".
Exit 1 when any file has a problem.
"""
import csv, glob, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "data", "spec")
APPLICANTS = ["natural_person", "org_commercial", "org_research", "org_social_welfare", "org_legal_services", "org_other"]
NOT_OUTCOMES = {"new_received", "carried_over_in", "processed_total", "carried_forward"}
ROWS_2021_OTHER = {"other_no_correction", "other_fee_unpaid", "other_other"}
BLOCKS = ["review", "lit_direct", "lit_after_review"]
OUTCOMES = ["upheld", "corrected", "other", "pending"]


def keys(name):
    with open(os.path.join(SPEC, name), encoding="utf-8") as f:
        return [row["key"] for row in csv.DictReader(f)]


def index_rows(path):
    with open(path, encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def num(v):
    return 0 if v is None else v


def close(a, b):
    return abs(a - b) < 1e-6


def identities(gold):
    """Yields (identity, where, left, right) for every identity that can be evaluated."""
    t3 = gold.get("table3") or {}
    cols = APPLICANTS + ["total"]
    outcome_rows = [r for r in t3 if r not in NOT_OUTCOMES]
    for c in cols:
        rows = ["new_received", "carried_over_in", "processed_total", "carried_forward"]
        if all(r in t3 for r in rows) and t3["new_received"].get(c) is not None and t3["processed_total"].get(c) is not None:
            left = num(t3["new_received"].get(c)) + num(t3["carried_over_in"].get(c))
            right = num(t3["processed_total"].get(c)) + num(t3["carried_forward"].get(c))
            yield "C1", c, left, right
        addends = [t3[r].get(c) for r in outcome_rows]
        if "processed_total" in t3 and t3["processed_total"].get(c) is not None and any(a is not None for a in addends):
            yield "C3", c, t3["processed_total"][c], sum(num(a) for a in addends)
    for r, row in t3.items():
        if row.get("total") is not None and all(c in row for c in APPLICANTS):
            yield "C2", r, row["total"], sum(num(row.get(c)) for c in APPLICANTS)
    t4 = gold.get("table4") or {}
    for b in BLOCKS:
        parts = [f"{b}_{o}" for o in OUTCOMES]
        if t4.get(f"{b}_total") is not None and all(p in t4 for p in parts):
            yield "C4", b, t4[f"{b}_total"], sum(num(t4[p]) for p in parts)


def check(path, index, vocab, docs_dir):
    problems, imbalances = [], []
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            gold = json.load(f)
    except (OSError, ValueError) as e:
        return [f"unreadable: {e}"], []
    file = gold.get("file")
    if not isinstance(file, str) or os.path.splitext(file)[0] != os.path.splitext(name)[0]:
        problems.append(f"file {file!r} does not match the gold name")
    if file not in index:
        problems.append(f"{file!r} has no INDEX.tsv line")
    elif docs_dir and not os.path.isfile(os.path.join(docs_dir, file)):
        problems.append(f"document {file!r} not in {docs_dir}")
    if not isinstance(gold.get("agency"), str) or not gold["agency"]:
        problems.append("agency missing")
    if not isinstance(gold.get("year"), int) or gold["year"] < 2019:
        problems.append(f"year {gold.get('year')!r} is not a reporting year of the 2019 or 2021 template")

    def value_ok(where, key, v):
        if v is None:
            return
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            problems.append(f"{where}: {v!r} is not a number or null")
        elif v < 0 and not key.endswith("_change_2019"):
            problems.append(f"{where}: negative {v}")

    for table in ("table2", "table4"):
        for k, v in (gold.get(table) or {}).items():
            if k not in vocab[table]:
                problems.append(f"{table}.{k}: not in the vocabulary")
            value_ok(f"{table}.{k}", k, v)
    t3 = gold.get("table3") or {}
    for r, row in t3.items():
        if r not in vocab["rows"]:
            problems.append(f"table3.{r}: not a row of the vocabulary")
        if not isinstance(row, dict):
            problems.append(f"table3.{r}: not an object")
            continue
        for c, v in row.items():
            if c not in vocab["cols"]:
                problems.append(f"table3.{r}.{c}: not a column of the vocabulary")
            value_ok(f"table3.{r}.{c}", r, v)
    if "other_total_2019" in t3 and ROWS_2021_OTHER & set(t3):
        problems.append("table3 mixes other_total_2019 with the 2021 sub-rows of (六)")
    if problems:
        return problems, []
    noted = "does not balance" in " ".join(index.get(file, {}).values()).lower()
    for ident, where, left, right in identities(gold):
        if not close(left, right):
            msg = f"{ident} {where}: {left} != {right}"
            (imbalances if noted else problems).append(msg)
    return problems, imbalances


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "extract", "tests", "realdocs")
    docs_dir = sys.argv[2] if len(sys.argv) > 2 else None
    index = index_rows(os.path.join(corpus, "INDEX.tsv"))
    vocab = {
        "table2": set(keys("table2_cells.csv")),
        "table4": set(keys("table4_cells.csv")),
        "rows": set(keys("table3_rows.csv")),
        "cols": set(keys("table3_columns.csv")),
    }
    paths = sorted(glob.glob(os.path.join(corpus, "gold", "*.json")))
    bad = 0
    for path in paths:
        problems, imbalances = check(path, index, vocab, docs_dir)
        name = os.path.basename(path)
        if problems:
            bad += 1
            print(f"FAIL {name}")
            for p in problems:
                print(f"     {p}")
        else:
            extra = f" (published imbalance noted in INDEX: {'; '.join(imbalances)})" if imbalances else ""
            print(f"ok   {name}{extra}")
    golds = {os.path.splitext(os.path.basename(p))[0] for p in paths}
    for file in index:
        if os.path.splitext(file)[0] not in golds:
            bad += 1
            print(f"FAIL INDEX.tsv line {file!r} has no gold file")
    print(f"{len(paths) - bad} of {len(paths)} gold files valid")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
