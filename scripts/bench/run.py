#!/usr/bin/env python3
"""Driver of scripts/bench.sh: runs each row, writes target/bench/results.json and BENCHMARKS.md.

  run.py [--scale small|full] [--check] [--only ROW[,ROW]] [--bin PATH] [--work DIR]
         [--analyze-n N[,N]] [--theirs-max N] [--notes FILE] [--from-json results.json]

Every measured command runs as a child process; wall time comes from a
monotonic clock, CPU seconds (user + system) and peak RSS from the child's
rusage (wait4). Timings are never asserted; `--check` exits 1 only when ogi
and a comparison disagree on results.
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable

SCALES = {
    # a smoke test of the harness itself (any build), seconds
    "tiny": {"synth": 60, "repeat": 3, "analyze": [3_000], "crawl_hosts": 3},
    # synth reports for extract, runs per small-file timing, reports for analyze
    "small": {"synth": 600, "repeat": 10, "analyze": [20_000], "crawl_hosts": int(os.environ.get("OGI_BENCH_CRAWL_HOSTS", 50))},
    "full": {"synth": 20_000, "repeat": 30, "analyze": [200_000, 1_000_000], "crawl_hosts": 500},
}


def measure(cmd, env=None, cwd=None, stdin=None):
    """Run `cmd`; wall seconds, CPU seconds, peak RSS (MiB), exit code, stdout, stderr.

    CPU and peak RSS come from GNU time (`/usr/bin/time`), which starts the
    command from its own small process: a child forked from this Python
    process would count the driver's memory in its peak RSS.
    """
    import tempfile

    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", tf.name, *cmd], env=full_env,
                           cwd=cwd, stdin=stdin, capture_output=True)
        wall = time.monotonic() - t0
        fields = tf.read().split()
    # GNU time writes "Command exited with non-zero status N" first on failure.
    user, system, rss_kb = (float(x) for x in fields[-3:]) if len(fields) >= 3 else (0.0, 0.0, 0.0)
    return {
        "wall_s": round(wall, 4),
        "cpu_s": round(user + system, 3),
        "peak_rss_mib": round(rss_kb / 1024, 1),
        "rc": p.returncode,
        "stdout": p.stdout.decode("utf-8", "replace"),
        "stderr": p.stderr.decode("utf-8", "replace"),
    }


def must(res, what):
    if res["rc"] != 0:
        sys.stderr.write(res["stdout"][-2000:] + res["stderr"][-4000:])
        raise SystemExit(f"{what} failed (exit {res['rc']})")
    return res


def slim(res):
    return {k: v for k, v in res.items() if k not in ("stdout", "stderr", "rc")}


def ratio(theirs, ours):
    return round(theirs / ours, 2) if ours and theirs else None


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "kernel": platform.release(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def versions(ogi):
    v = {"ogi": run_text([ogi, "--version"]), "rustc": run_text(["rustc", "--version"]),
         "python": platform.python_version(),
         "pdftotext": run_text(["pdftotext", "-v"], stderr=True).splitlines()[0:1]}
    v["pdftotext"] = v["pdftotext"][0] if v["pdftotext"] else None
    from importlib import metadata

    for pkg in ["duckdb", "pandas", "pyarrow", "pdfplumber", "scrapy", "camelot-py"]:
        try:
            v[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            v[pkg] = None
    return v


def run_text(cmd, stderr=False):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError:
        return None
    return (p.stderr if stderr else p.stdout).strip()


# ------------------------------------------------------------------ rows


def row_analyze(ctx):
    """Same work: the four cell datasets from the same parts, DuckDB and pandas vs `ogi analyze --full`."""
    rows = []
    gen = ctx["bench_analyze"]
    for n in ctx["analyze_n"]:
        work = os.path.join(ctx["work"], f"analyze-{n}")
        must(measure([gen, "--n", str(n), "--out", work, "--generate-only"]), "generating parts")
        # The parts just written are flushed first, so that their write-back
        # does not land in anyone's timed run.
        os.sync()
        ours = must(measure([ctx["ogi"], "analyze", "--full", "--out", work],
                            env={"OGI_LOG": "ogi_analyze::timing=info"}), "ogi analyze")
        phases = parse_phases(ours["stderr"])
        ids_file = os.path.join(work, "identities.parquet")
        ids = must(measure([gen, "--out", work, "--identities", ids_file]), "writing identities")
        summary = json.loads(ours["stdout"])
        system_alloc = None
        if "release" in gen and (ctx["theirs_max"] is None or n <= ctx["theirs_max"]):
            # The same analyze() in a binary with the system allocator (bench_analyze).
            res = measure([gen, "--analyze-only", "--out", work])
            m = re.search(r"analyze \(full\): ([0-9.]+)s", res["stdout"])
            system_alloc = float(m.group(1)) if m else None
        row = {"row": "analyze", "n_reports": n, "documents": summary.get("reports"),
               "ours": slim(ours), "ours_phases_s": phases, "ours_peak": parse_peak(ours["stderr"]),
               "identities_s": ids["wall_s"],
               "system_allocator_analyze_s": system_alloc,
               "ours_datasets": sorted(summary.get("rows_written", {})), "theirs": {}}
        for engine in ["duckdb", "pandas"]:
            limit, flag = ctx["theirs_max"], "--theirs-max"
            if engine == "duckdb" and ctx["duckdb_max"] is not None:
                limit, flag = ctx["duckdb_max"], "--duckdb-max"
            if limit is not None and n > limit:
                row["theirs"][engine] = {"ok": False, "skipped": f"not run above {flag} {limit:,} reports"}
                continue
            dest = os.path.join(work, f"theirs-{engine}")
            shutil.rmtree(dest, ignore_errors=True)
            res = measure([PY, os.path.join(HERE, "same_work.py"), engine, work, ids_file, dest])
            entry = {**slim(res), "ok": res["rc"] == 0}
            if res["rc"] == 0:
                cmp = must(measure([PY, os.path.join(HERE, "same_work.py"), "compare",
                                    os.path.join(work, "datasets"), dest]), "compare")
                entry["comparison"] = json.loads(cmp["stdout"])
                entry["ratio_vs_ours"] = ratio(res["wall_s"], ours["wall_s"])
            else:
                entry["error"] = res["stderr"][-1500:]
            row["theirs"][engine] = entry
        rows.append(row)
        if not ctx["keep"]:
            shutil.rmtree(work, ignore_errors=True)
    return rows


# The peak RSS that ends the times of `analyze phases:` (`peak_rss=3.49GiB in compute_panel`).
PEAK_RE = re.compile(r" peak_rss=([0-9.]+)GiB in (\S+)")


def phases_line(stderr):
    m = re.search(r"analyze phases: (.*)", stderr)
    return m.group(1) if m else None


def parse_phases(stderr):
    """Seconds per phase from the `analyze phases:` log line (the peak RSS
    it ends with is read by `parse_peak`)."""
    line = phases_line(stderr)
    if line is None:
        return {}
    out = {}
    prefix = ""
    for part in PEAK_RE.sub("", line).split():
        if part == "background:":
            # Work done on other threads alongside the phases (not in the total).
            prefix = "background "
            continue
        k, _, v = part.partition("=")
        out[prefix + k] = float(v.rstrip("s"))
    return out


def parse_peak(stderr):
    """The peak RSS (GiB) and the phase that reached it, from the phases line."""
    m = PEAK_RE.search(phases_line(stderr) or "")
    return {"gib": float(m.group(1)), "phase": m.group(2)} if m else None


def row_startup(ctx):
    ogi = ctx["ogi"]
    sample = os.path.join(ctx["work"], "startup-report.txt")
    with open(os.path.join(ROOT, "extract", "tests", "fixtures", "formats", "report.grid"),
              encoding="utf-8") as f:
        text = "\n".join("\t".join(l.rstrip("\n").split("\t")[1:]) for l in f
                         if l[:2] in ("T\t", "P\t", "R\t"))
    with open(sample, "w", encoding="utf-8") as f:
        f.write(text.replace("{v}", "").replace("~", ""))
    rep = ctx["scale"]["repeat"]

    def best(cmd):
        runs = [measure(cmd) for _ in range(rep)]
        for r in runs:
            must(r, " ".join(cmd))
        walls = sorted(r["wall_s"] for r in runs)
        return {"median_s": walls[len(walls) // 2], "min_s": walls[0],
                "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)}

    version = best([ogi, "--version"])
    parse = best([ogi, "parse", sample])
    size = os.path.getsize(ogi)
    stripped = os.path.join(ctx["work"], "ogi-stripped")
    shutil.copy(ogi, stripped)
    strip = subprocess.run(["strip", stripped], capture_output=True)
    row = {"row": "startup", "version": version, "parse_small_text": parse,
           "startup_share_of_parse": round(version["median_s"] / parse["median_s"], 2),
           "binary_mib": round(size / 2**20, 1),
           "stripped_mib": round(os.path.getsize(stripped) / 2**20, 1) if strip.returncode == 0 else None}
    build = os.path.join(ROOT, "target", "bench", "last-build-secs")
    if os.path.exists(build):
        with open(build) as f:
            row["last_release_build_s"] = int(f.read().strip() or 0)
    return [row]


def row_extract(ctx):
    """Whole-process extract of a synthetic text corpus on one core and on all cores."""
    ogi, n = ctx["ogi"], ctx["scale"]["synth"]
    corpus = os.path.join(ctx["work"], "synth")
    shutil.rmtree(corpus, ignore_errors=True)
    must(measure([ogi, "synth", "--out", corpus, "--reports", str(n), "--seed", "16"]), "ogi synth")
    rows = []
    for threads in [1, os.cpu_count()]:
        out = os.path.join(ctx["work"], f"extract-{threads}")
        shutil.rmtree(out, ignore_errors=True)
        must(measure([ogi, "import", corpus, "--out", out]), "ogi import")
        res = measure([ogi, "extract", "--out", out, "--threads", str(threads)])
        stats = {}
        try:
            stats = {k: v for k, v in json.loads(res["stdout"]).items() if not isinstance(v, (list, dict))}
        except ValueError:
            pass
        rows.append({"row": "extract_text", "threads": threads, "reports": n, "ours": slim(res),
                     "reports_per_s": round(n / res["wall_s"], 1) if res["wall_s"] else None,
                     "stats": stats, "correct": extract_correct(out, corpus)})
        if not ctx["keep"]:
            shutil.rmtree(out, ignore_errors=True)
    return rows


def extract_correct(out, corpus):
    """Reports whose extracted cell count equals the generator's (manifest.csv)."""
    import csv

    import pyarrow.dataset as ds

    with open(os.path.join(corpus, "manifest.csv"), encoding="utf-8") as f:
        want = {r["file"]: int(r["cells"]) for r in csv.DictReader(f)}
    t = ds.dataset(os.path.join(out, "extract", "reports"), format="parquet").to_table(
        columns=["source", "status", "n_cells"]).to_pylist()
    got = {os.path.basename(r["source"] or ""): r for r in t}
    same = sum(1 for k, v in want.items() if k in got and got[k]["n_cells"] == v)
    return {"reports": len(want), "cell_count_as_generated": same}


def row_pdf(ctx):
    ogi, rep = ctx["ogi"], ctx["scale"]["repeat"]
    fx = os.path.join(ROOT, "extract", "tests", "fixtures", "formats")
    grid = os.path.join(fx, "report.grid")
    rows = []
    for name in ["report.pdf", "report_stsong.pdf"]:
        pdf = os.path.join(fx, name)
        txt = os.path.join(ctx["work"], name + ".txt")
        ours_runs, floor_runs = [], []
        for _ in range(rep):
            floor_runs.append(must(measure(["pdftotext", "-layout", pdf, txt]), "pdftotext"))
            ours_runs.append(measure([ogi, "parse", "--format", "csv", pdf]))
        csv_out = os.path.join(ctx["work"], name + ".cells.csv")
        with open(csv_out, "w", encoding="utf-8") as f:
            f.write(ours_runs[-1]["stdout"])
        acc = json.loads(must(measure([PY, os.path.join(HERE, "pdf_tables.py"), "ours", grid, csv_out]),
                              "accuracy")["stdout"])
        med = lambda rs: sorted(r["wall_s"] for r in rs)[len(rs) // 2]
        plumber = measure([PY, os.path.join(HERE, "pdf_tables.py"), "plumber", grid, str(rep), pdf])
        others = json.loads(plumber["stdout"]) if plumber["rc"] == 0 else []
        for o in others:
            o["ratio_to_ours"] = ratio(o["secs"], med(ours_runs))
        rows.append({"row": "pdf", "pdf": name, "ours_median_s": med(ours_runs),
                     "ours_peak_rss_mib": max(r["peak_rss_mib"] for r in ours_runs),
                     "pdftotext_median_s": med(floor_runs),
                     "ratio_ours_to_pdftotext": ratio(med(ours_runs), med(floor_runs)),
                     "ours_accuracy": acc, "table_tools": others,
                     "table_tools_error": None if plumber["rc"] == 0 else plumber["stderr"][-800:]})
    return rows


def row_crawl(ctx):
    sys.path.insert(0, HERE)
    import crawl

    return crawl.run_row(ctx, measure, ctx["scale"]["crawl_hosts"])


ROWS = {"startup": row_startup, "extract": row_extract, "pdf": row_pdf, "crawl": row_crawl,
        "analyze": row_analyze}


# ------------------------------------------------------------------ report


def disagreements(rows):
    bad = []
    for r in rows:
        if r["row"] == "analyze":
            for engine, t in r["theirs"].items():
                if t.get("skipped"):
                    continue
                if not t.get("ok"):
                    bad.append(f"analyze {r['n_reports']}: {engine} failed")
                elif not t["comparison"]["equal"]:
                    bad.append(f"analyze {r['n_reports']}: {engine} output differs: "
                               + json.dumps({k: v["diffs"] for k, v in t["comparison"]["datasets"].items()
                                             if v["diffs"]}, ensure_ascii=False))
    return bad


def markdown(result):
    m, v = result["machine"], result["versions"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{result.get('command') or 'bash scripts/bench.sh --scale ' + result['scale']}` on {result['date']} "
        "(see scripts/bench/ for what each row runs). Only ratios measured in the same run "
        "on the same machine mean anything; absolute times vary by ±30 % between runs "
        "on a shared machine.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Linux {m['kernel']}, "
        f"load average at start {m['load_average_at_start']}.",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val),
        "",
        "Scale `{0}`: {1[synth]} synthetic text reports for extract, {2} reports for analyze, "
        "{1[crawl_hosts]} virtual hosts for the crawl, {1[repeat]} runs per small-file timing.".format(
            result["scale"], SCALES[result["scale"]],
            " and ".join(f"{n:,}" for n in result.get("analyze_n", SCALES[result["scale"]]["analyze"]))),
        "",
    ]
    lines += summary_md(result["rows"])
    for r in result["rows"]:
        if r["row"] == "analyze":
            lines += analyze_md(r)
    ex = [r for r in result["rows"] if r["row"] == "extract_text"]
    if ex:
        lines += ["## Extract: synthetic text reports, whole process (`ogi import` then `ogi extract`)", "",
                  "| threads | reports | wall s | reports/s | CPU s | peak RSS MiB | cell count as generated |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in ex:
            lines.append(f"| {r['threads']} | {r['reports']} | {r['ours']['wall_s']:.2f} | {r['reports_per_s']} | "
                         f"{r['ours']['cpu_s']:.1f} | {r['ours']['peak_rss_mib']:.0f} | "
                         f"{r['correct']['cell_count_as_generated']}/{r['correct']['reports']} |")
        lines.append("")
    pdf = [r for r in result["rows"] if r["row"] == "pdf"]
    if pdf:
        lines += ["## Extract: PDF (the fixture reports extract/tests/fixtures/formats/*.pdf, "
                  "truth = the grid they were rendered from)", "",
                  "| PDF | tool | s per PDF | / ogi | cells right |",
                  "|---|---|---:|---:|---:|"]
        for r in pdf:
            acc = r["ours_accuracy"]
            lines.append(f"| {r['pdf']} | ogi parse (whole process) | {r['ours_median_s']:.3f} | 1 | "
                         f"{acc['cells_correct']}/{acc['cells_truth']} |")
            lines.append(f"| | pdftotext -layout (text only, the floor) | {r['pdftotext_median_s']:.3f} | "
                         f"{ratio(r['pdftotext_median_s'], r['ours_median_s'])} | – |")
            for o in r["table_tools"]:
                lines.append(f"| | {o['tool']} ({o['strategy']}) | {o['secs']:.3f} | {o['ratio_to_ours']} | "
                             f"{o['cells_correct']}/{o['cells_truth']} |")
            if r.get("table_tools_error"):
                lines.append(f"| | pdfplumber / camelot | failed | | |")
        lines += ["", "Medians of repeated runs. ogi's time is the whole `ogi parse --format csv` process, "
                  "start-up included, so is pdftotext's; pdfplumber's and camelot's are in-process "
                  "(Python start-up and imports not counted). Their cells are mapped to the truth by row "
                  "label (scripts/bench/pdf_tables.py). Goal: ogi ≤ 1.5 × pdftotext.", ""]
    for r in [r for r in result["rows"] if r["row"] == "crawl"]:
        lines += crawl_md(r)
    st = [r for r in result["rows"] if r["row"] == "startup"]
    for r in st:
        lines += ["## Start-up and binary", "",
                  f"* `ogi --version`: {r['version']['median_s'] * 1000:.1f} ms (median); "
                  f"`ogi parse` of one small text report: {r['parse_small_text']['median_s'] * 1000:.1f} ms, "
                  f"peak RSS {r['parse_small_text']['peak_rss_mib']:.0f} MiB.",
                  f"* Release binary {r['binary_mib']} MiB, {r['stripped_mib']} MiB after `strip`."]
        if r.get("last_release_build_s"):
            lines.append(f"* Last `cargo build --release` by scripts/bench.sh: {r['last_release_build_s']} s "
                         "(incremental unless the target directory was clean).")
        lines.append("")
    if result.get("notes"):
        lines += [result["notes"].rstrip("\n"), ""]
    bad = disagreements(result["rows"])
    lines += ["## Agreement", "", "All comparisons agree with ogi." if not bad else
              "Disagreements:\n\n" + "\n".join(f"* {b}" for b in bad), ""]
    return "\n".join(lines)


def summary_md(rows):
    """One line per row: ours, the alternative, the ratio, whether results agree."""
    out = ["## Summary", "", "| work | ogi | alternative | alternative / ogi | results |",
           "|---|---:|---:|---:|---|"]
    for r in rows:
        if r["row"] == "analyze":
            if not any(t.get("ok") for t in r["theirs"].values()):
                out.append(f"| analyze {r['n_reports']:,} reports (all datasets) | "
                           f"{r['ours']['wall_s']:.1f} s, {r['ours']['peak_rss_mib']:.0f} MiB | – | – | – |")
            for engine, t in r["theirs"].items():
                if t.get("ok"):
                    out.append(f"| analyze {r['n_reports']:,} reports (4 datasets for them, all for us) | "
                               f"{r['ours']['wall_s']:.1f} s, {r['ours']['peak_rss_mib']:.0f} MiB | "
                               f"{engine} {t['wall_s']:.1f} s, {t['peak_rss_mib']:.0f} MiB | "
                               f"{t['ratio_vs_ours']} | {'equal' if t['comparison']['equal'] else 'DIFFER'} |")
        elif r["row"] == "pdf":
            best = max(r["table_tools"], key=lambda o: o["cells_correct"], default=None)
            acc = r["ours_accuracy"]
            alt = (f"{best['tool']} ({best['strategy']}) {best['secs'] * 1000:.0f} ms, "
                   f"{best['cells_correct']}/{best['cells_truth']} cells" if best else "–")
            out.append(f"| PDF tables, {r['pdf']} | {r['ours_median_s'] * 1000:.0f} ms, "
                       f"{acc['cells_correct']}/{acc['cells_truth']} cells | {alt} | "
                       f"{best['ratio_to_ours'] if best else '–'} | pdftotext alone "
                       f"{r['pdftotext_median_s'] * 1000:.0f} ms (ogi = {r['ratio_ours_to_pdftotext']}×) |")
        elif r["row"] == "crawl":
            o, sc = r["runs"]["ogi_first"], r["runs"]["scrapy_first"]
            out.append(f"| crawl {r['hosts']} hosts | {o['wall_s']:.1f} s, CPU {o['cpu_s']:.1f} s, "
                       f"{o['peak_rss_mib']:.0f} MiB, {o['violations']['too_close'] + o['violations']['over_concurrency']} violations | "
                       f"Scrapy {sc['wall_s']:.1f} s, CPU {sc['cpu_s']:.1f} s, {sc['peak_rss_mib']:.0f} MiB, "
                       f"{sc['violations']['too_close'] + sc['violations']['over_concurrency']} violations | "
                       f"wall {ratio(sc['wall_s'], o['wall_s'])}, CPU {ratio(sc['cpu_s'], o['cpu_s'])} | "
                       f"{o['requests']} vs {sc['requests']} requests |")
        elif r["row"] == "extract_text":
            out.append(f"| extract {r['reports']} text reports, {r['threads']} thread(s) | "
                       f"{r['reports_per_s']} reports/s | – | – | "
                       f"{r['correct']['cell_count_as_generated']}/{r['correct']['reports']} as generated |")
        elif r["row"] == "startup":
            out.append(f"| `ogi parse` one small report | {r['parse_small_text']['median_s'] * 1000:.1f} ms "
                       f"(`--version` {r['version']['median_s'] * 1000:.1f} ms) | – | – | – |")
    out.append("")
    return out


def crawl_md(r):
    lines = [f"## Crawl: {r['hosts']} virtual hosts on loopback, {r['docs_per_host']} reports each", "",
             f"Same limits for both: {r['rate_per_host']} requests/s and {r['per_host_concurrency']} in flight "
             f"per host, {r['global_concurrency']} in flight overall; robots.txt obeyed; the server is "
             "`ogi serve-sample --request-log`, reached as an HTTP proxy (scripts/bench/crawl.py). "
             "Violations are counted from the server's log: starts on one host closer than 0.95/rate, "
             "and requests beyond the per-host limit in flight. Share of the allowed rate: at best a host "
             "needs (requests − 1) / rate from its first request to its last; the share is that over the "
             "span from the crawl's first request to its last on any host (the portal's view: ramp-up "
             "and every late request count), and, after the slash, over the whole process's wall time "
             "(also start-up and the files written after the last request).", "",
             "| run | wall s | requests | conditional | share of allowed rate (crawl / process) | too close | over limit | CPU s | peak RSS MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, x in r["runs"].items():
        lines.append(f"| {name.replace('_', ' ')} | {x['wall_s']:.2f} | {x['requests']} | {x['conditional']} | "
                     f"{x['fraction_of_allowed_rate']} / {x.get('fraction_of_allowed_rate_wall')} | "
                     f"{x['violations']['too_close']} | "
                     f"{x['violations']['over_concurrency']} | {x['cpu_s']:.2f} | {x['peak_rss_mib']:.0f} |")
    lines += ["", f"ogi / Scrapy on the first crawl: CPU {r['cpu_ratio_ogi_to_scrapy']}, peak RSS "
              f"{r['rss_ratio_ogi_to_scrapy']} (goals ≤ 0.33 and ≤ 0.5; ≥ 95 % of the allowed rate, 0 violations).", ""]
    return lines


def analyze_md(r):
    o = r["ours"]
    lines = [f"## Analyze, same work: {r['n_reports']:,} reports ({r['documents']:,} documents)", "",
             "`ogi analyze --full` builds all datasets "
             f"({', '.join(r['ours_datasets'])}); the DuckDB and pandas scripts "
             "(scripts/bench/same_work.py) build four of them — requests, dispositions, "
             "review_litigation, proactive — with the same de-duplication, columns, Hive `year=` "
             "zstd Parquet and row order, taking the agency ids as given (a lookup written by "
             "`bench_analyze --identities`, "
             f"{r['identities_s']:.2f} s, not counted for them). Their output is compared with ours "
             "partition by partition, row by row.", "",
             "| engine | work | wall s | CPU s | peak RSS MiB | their time / ours | output equal |",
             "|---|---|---:|---:|---:|---:|---|",
             f"| ogi | all datasets | {o['wall_s']:.2f} | {o['cpu_s']:.1f} | {o['peak_rss_mib']:.0f} | 1 | – |"]
    for engine, t in r["theirs"].items():
        if t.get("ok"):
            eq = "yes" if t["comparison"]["equal"] else "**no**"
            lines.append(f"| {engine} | 4 cell datasets | {t['wall_s']:.2f} | {t['cpu_s']:.1f} | "
                         f"{t['peak_rss_mib']:.0f} | {t['ratio_vs_ours']} | {eq} |")
        elif t.get("skipped"):
            lines.append(f"| {engine} | 4 cell datasets | {t['skipped']} | | | | |")
        else:
            lines.append(f"| {engine} | 4 cell datasets | failed | | | | |")
    if r.get("system_allocator_analyze_s") and r["ours_phases_s"].get("total"):
        lines += ["", f"Allocator: the same `analyze()` took {r['ours_phases_s']['total']:.2f} s in ogi "
                  f"(mimalloc) and {r['system_allocator_analyze_s']:.2f} s in `bench_analyze` "
                  "(system allocator), in-process times."]
    if r["ours_phases_s"]:
        lines += ["", "ogi's phases (from its log, `OGI_LOG=ogi_analyze::timing=info`): "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in r["ours_phases_s"].items())]
        if r.get("ours_peak"):
            lines[-1] += (f"; peak RSS by its own count {r['ours_peak']['gib']:.2f} GiB,"
                          f" reached in {r['ours_peak']['phase']}")
    lines.append("")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=SCALES, default="small")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--only", default="startup,extract,pdf,crawl,analyze")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "ogi"))
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench", "work"))
    ap.add_argument("--bench-analyze", help="the bench_analyze example (default: next to --bin)")
    ap.add_argument("--keep", action="store_true", help="keep generated inputs and outputs")
    ap.add_argument("--md", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--analyze-n", help="report counts for the analyze row, comma-separated "
                    "(default: the scale's)")
    ap.add_argument("--theirs-max", type=int, help="run DuckDB and pandas only up to this many "
                    "reports (at 1 M DuckDB needs about 18 GiB)")
    ap.add_argument("--duckdb-max", type=int, help="run DuckDB up to this many reports "
                    "(default: --theirs-max), e.g. DuckDB at 1 M but pandas only at 200 k")
    ap.add_argument("--notes", default=os.path.join(HERE, "notes.md"),
                    help="Markdown appended to BENCHMARKS.md as is (measurements of changes made "
                    "between runs, written by hand); skipped when the file does not exist")
    ap.add_argument("--from-json", metavar="FILE",
                    help="measure nothing: write BENCHMARKS.md again from an earlier results.json "
                    "(with the current --notes)")
    a = ap.parse_args()
    if a.from_json:
        with open(a.from_json, encoding="utf-8") as f:
            result = json.load(f)
        result.pop("notes", None)
        if os.path.exists(a.notes):
            with open(a.notes, encoding="utf-8") as f:
                result["notes"] = f.read()
        with open(a.md, "w", encoding="utf-8") as f:
            f.write(markdown(result))
        print(f"bench: wrote {a.md} from {a.from_json}", file=sys.stderr)
        return 0
    os.makedirs(a.work, exist_ok=True)
    analyze_n = ([int(x.replace("_", "")) for x in a.analyze_n.split(",")] if a.analyze_n
                 else SCALES[a.scale]["analyze"])
    ctx = {"ogi": os.path.abspath(a.bin), "scale": SCALES[a.scale], "work": a.work, "keep": a.keep,
           "analyze_n": analyze_n, "theirs_max": a.theirs_max, "duckdb_max": a.duckdb_max,
           "scrapy": os.path.join(os.path.dirname(sys.executable), "scrapy"),
           "bench_analyze": a.bench_analyze or os.path.join(os.path.dirname(os.path.abspath(a.bin)),
                                                          "examples", "bench_analyze")}
    result = {"scale": a.scale, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "machine": machine(), "versions": versions(ctx["ogi"]), "rows": [],
              "analyze_n": analyze_n,
              "command": " ".join(["bash scripts/bench.sh", *sys.argv[1:]])}
    if os.path.exists(a.notes):
        with open(a.notes, encoding="utf-8") as f:
            result["notes"] = f.read()
    for name in a.only.split(","):
        t0 = time.monotonic()
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        result["rows"] += ROWS[name](ctx)
        print(f"bench: {name} done in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    os.makedirs(os.path.join(ROOT, "target", "bench"), exist_ok=True)
    with open(os.path.join(ROOT, "target", "bench", "results.json"), "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    with open(a.md, "w", encoding="utf-8") as f:
        f.write(markdown(result))
    bad = disagreements(result["rows"])
    for b in bad:
        print("DISAGREE: " + b, file=sys.stderr)
    print(f"bench: wrote {a.md} and target/bench/results.json", file=sys.stderr)
    return 1 if (a.check and bad) else 0


if __name__ == "__main__":
    sys.exit(main())
