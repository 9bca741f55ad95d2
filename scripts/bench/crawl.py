#!/usr/bin/env python3
"""Crawl row of the benchmarks: ogi and a Scrapy spider on the same loopback portal.

A site of HOSTS virtual hosts (each a report column: list pages with
`createPageHTML` pagination and DOCS report pages) is served by
`ogi serve-sample --request-log`; both crawlers reach it through it as an HTTP
proxy (so every host name stays virtual), at the same limits: RATE requests
per second and one request in flight per host, GLOBAL in flight overall;
Scrapy with AutoThrottle off, DOWNLOAD_DELAY = 1/RATE without randomisation,
CONCURRENT_REQUESTS_PER_DOMAIN = 1, robots.txt obeyed like ogi does. Then the
nightly rerun on the unchanged site: ogi's own revisit logic vs Scrapy's
HttpCache with the RFC 2616 policy (conditional requests).

This file is also the Scrapy spider (`scrapy runspider crawl.py`).
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

PER_PAGE = 20

try:
    import scrapy

    class Reports(scrapy.Spider):
        """Follows each host's list pages and stores every linked report page."""

        name = "reports"

        async def start(self):
            with open(self.hosts_file) as f:
                for host in f.read().split():
                    yield scrapy.Request(f"http://{host}/gknb/index.html", callback=self.list_page)

        def list_page(self, response):
            for href in response.css("ul.l li a::attr(href)").getall():
                yield response.follow(href, callback=self.report)
            m = re.search(r"createPageHTML\((\d+),\s*(\d+)", response.text)
            if m and m.group(2) == "0":
                for p in range(1, int(m.group(1))):
                    yield response.follow(f"index_{p}.html", callback=self.list_page)

        def report(self, response):
            import hashlib

            digest = hashlib.sha256(response.body).hexdigest()
            path = os.path.join(self.store, digest[:2], digest[2:] + ".bin")
            if not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path + ".tmp", "wb") as f:
                    f.write(response.body)
                os.replace(path + ".tmp", path)
            yield {"url": response.url, "sha256": digest}
except ImportError:  # the driver side does not need Scrapy
    pass


def make_site(root, hosts, docs):
    """HOSTS virtual hosts with DOCS report pages each; returns the host names."""
    names = [f"h{i}.bench.example" for i in range(hosts)]
    pages = max(1, -(-docs // PER_PAGE))
    body = "<p>政府信息公开</p>" * 60
    for h in names:
        base = os.path.join(root, h, "gknb")
        os.makedirs(os.path.join(base, "d"), exist_ok=True)
        for p in range(pages):
            items = []
            for d in range(p * PER_PAGE, min(docs, (p + 1) * PER_PAGE)):
                items.append(f'<li><a href="d/t{d}.html">第{d}号单位{2000 + d % 25}年政府信息公开工作年度报告</a></li>')
                with open(os.path.join(base, "d", f"t{d}.html"), "w", encoding="utf-8") as f:
                    f.write(f"<html><body><h1>报告 {d}</h1>{body}</body></html>")
            name = "index.html" if p == 0 else f"index_{p}.html"
            with open(os.path.join(base, name), "w", encoding="utf-8") as f:
                f.write(f'<html><body><ul class="l">{"".join(items)}</ul>'
                        f'<script>createPageHTML({pages}, {p}, "index", "html");</script></body></html>')
    return names


def registry(path, names):
    with open(path, "w", encoding="utf-8") as f:
        for i, h in enumerate(names):
            f.write(f'[[portal]]\nid = "b{i}"\nname = "bench"\nregion = "r"\nregion_code = "410000"\n'
                    f'start_urls = ["http://{h}/gknb/index.html"]\nallowed_hosts = ["{h}"]\n'
                    f'[portal.list]\nitem_selector = "ul.l li"\n\n')


class Server:
    """`ogi serve-sample` with a request log, stopped with SIGINT."""

    def __init__(self, ogi, root, log):
        self.log = log
        self.p = subprocess.Popen([ogi, "serve-sample", "--root", root, "--request-log", log],
                                  stdout=subprocess.PIPE, text=True)
        self.addr = self.p.stdout.readline().strip()
        if not self.addr:
            raise SystemExit("ogi serve-sample did not start")

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=60)
        with open(self.log) as f:
            return [json.loads(l) for l in f]


def politeness(records, rate, per_host):
    """Violations: starts closer than 1/rate (5 % tolerance) or overlaps beyond `per_host`."""
    by_host = {}
    for r in records:
        by_host.setdefault(r["host"], []).append(r)
    too_close, overlaps = 0, 0
    gap = 0.95 / rate
    for rs in by_host.values():
        rs.sort(key=lambda r: r["start_s"])
        for a, b in zip(rs, rs[1:]):
            if b["start_s"] - a["start_s"] < gap:
                too_close += 1
        events = sorted([(r["start_s"], 1) for r in rs] + [(r["end_s"] or r["start_s"], -1) for r in rs],
                        key=lambda e: (e[0], e[1]))
        live = 0
        for _, d in events:
            live += d
            if live > per_host:
                overlaps += 1
    return {"too_close": too_close, "over_concurrency": overlaps}


def summarise(records, res, hosts, rate, per_host):
    """The run's figures. The share of the allowed rate is measured where the
    rate is, at the portal: each host needs at best (requests - 1) / rate seconds
    from its first request (robots.txt) to its last, so the share is that over the
    span from the crawl's first request to its last (on any host; a host started
    late counts against it). The share over the whole process (start-up, the
    summary and CSV files written after the last request) is kept beside it."""
    reqs = len(records)
    per_host_reqs = reqs / hosts if hosts else 0
    # At best each host needs (requests - 1) / rate seconds.
    ideal = max(per_host_reqs - 1, 0) / rate
    starts = [r["start_s"] for r in records]
    span = max(starts) - min(starts) if starts else 0
    statuses = {}
    for r in records:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    return {**{k: res[k] for k in ("wall_s", "cpu_s", "peak_rss_mib")},
            "requests": reqs, "statuses": statuses,
            "conditional": sum(1 for r in records if r["conditional"]),
            "fraction_of_allowed_rate": round(ideal / span, 3) if span else None,
            "fraction_of_allowed_rate_wall": round(ideal / res["wall_s"], 3) if res["wall_s"] else None,
            "violations": politeness(records, rate, per_host)}


def run_row(ctx, measure, hosts, docs=40, rate=5.0, global_conc=64):
    ogi = ctx["ogi"]
    work = os.path.join(ctx["work"], "crawl")
    subprocess.run(["rm", "-rf", work])
    site = os.path.join(work, "site")
    names = make_site(site, hosts, docs)
    reg = os.path.join(work, "portals.toml")
    registry(reg, names)
    hosts_file = os.path.join(work, "hosts.txt")
    with open(hosts_file, "w") as f:
        f.write("\n".join(names))
    row = {"row": "crawl", "hosts": hosts, "docs_per_host": docs, "rate_per_host": rate,
           "per_host_concurrency": 1, "global_concurrency": global_conc, "runs": {}}
    ogi_out = os.path.join(work, "ogi-out")
    scrapy_dir = os.path.join(work, "scrapy")
    os.makedirs(scrapy_dir, exist_ok=True)
    for night in ["first", "rerun"]:
        # ogi
        srv = Server(ogi, site, os.path.join(work, f"ogi-{night}.jsonl"))
        cfg = os.path.join(work, "ogi.toml")
        with open(cfg, "w") as f:
            f.write(f'[crawl]\ncontact = "https://example.org/ogi-bench"\nrate_per_host = {rate}\n'
                    f'per_host_concurrency = 1\nglobal_concurrency = {global_conc}\n'
                    f'proxy = "http://{srv.addr}"\n')
        res = measure([ogi, "--config", cfg, "crawl", "--out", ogi_out, "--portals", reg])
        recs = srv.stop()
        row["runs"][f"ogi_{night}"] = {**summarise(recs, res, hosts, rate, 1), "rc": res["rc"]}
        # Scrapy
        srv = Server(ogi, site, os.path.join(work, f"scrapy-{night}.jsonl"))
        settings = {
            "CONCURRENT_REQUESTS": global_conc, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "DOWNLOAD_DELAY": 1.0 / rate, "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False, "USER_AGENT": "scrapy-bench (+https://example.org/ogi-bench)",
            "HTTPCACHE_ENABLED": True, "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
            "HTTPCACHE_DIR": os.path.join(scrapy_dir, "httpcache"),
            "REACTOR_THREADPOOL_MAXSIZE": 10,
        }
        cmd = [ctx["scrapy"], "runspider", os.path.abspath(__file__), "-a", f"hosts_file={hosts_file}",
               "-a", f"store={os.path.join(scrapy_dir, 'raw')}"]
        for k, v in settings.items():
            cmd += ["-s", f"{k}={v}"]
        res = measure(cmd, env={"http_proxy": f"http://{srv.addr}", "no_proxy": ""}, cwd=scrapy_dir)
        recs = srv.stop()
        row["runs"][f"scrapy_{night}"] = {**summarise(recs, res, hosts, rate, 1), "rc": res["rc"]}
        if res["rc"] != 0:
            row["runs"][f"scrapy_{night}"]["error"] = res["stderr"][-800:]
    o, s = row["runs"]["ogi_first"], row["runs"]["scrapy_first"]
    row["cpu_ratio_ogi_to_scrapy"] = round(o["cpu_s"] / s["cpu_s"], 3) if s["cpu_s"] else None
    row["rss_ratio_ogi_to_scrapy"] = round(o["peak_rss_mib"] / s["peak_rss_mib"], 3) if s["peak_rss_mib"] else None
    if not ctx["keep"]:
        subprocess.run(["rm", "-rf", work])
    return [row]
