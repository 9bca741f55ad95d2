#!/usr/bin/env python3
"""Browser test of the static site of a demo output (run by scripts/test.sh).

Usage: python3 site/tests/browser.py SITE_DIR EXPECTED_JSON [--screenshots DIR]

Opens SITE_DIR from disk (file://) in headless Chromium (Debian's chromium +
chromium-driver, driven by Selenium) and checks that:

* the overview renders its charts with no console error;
* searching an agency by its Chinese name lists it and the link opens its page;
* each agency page shows the figures of the sample portal's reports
  (data/sample-portal/expected.json: new requests and granted, total column);
* every link inside the site resolves to a file that exists (no 404);
* on a phone-sized window (390 px wide) the overview, a region page and an
  agency page need no sideways scrolling of the page (wide tables scroll in
  their own box).

With --screenshots, saves site-overview.png and site-agency.png into DIR.
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import json
import os
import sys
import urllib.parse
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

PASSED, FAILED = [], []


def check(name, ok, detail=""):
    (PASSED if ok else FAILED).append(name)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)


def driver():
    opts = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1800", "--lang=zh-CN"):
        opts.add_argument(a)
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=opts)


def console_errors(d):
    return [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]


def url_of(path, fragment=""):
    return Path(path).resolve().as_uri() + (("#" + urllib.parse.quote(fragment)) if fragment else "")


def wait(d, cond, timeout=15):
    return WebDriverWait(d, timeout).until(cond)


def expected_reports(expected_json):
    """Canonical agency-years of the sample portal with numbers: (agency, year) -> (new, granted)."""
    docs = json.loads(Path(expected_json).read_text(encoding="utf-8"))["documents"]
    out = {}
    for doc in docs:
        if doc.get("outdated_duplicate_of") or doc.get("new_received_total") is None:
            continue
        out[(doc["agency"], doc["year"])] = (doc["new_received_total"], doc["granted_total"])
    return out


def number(text):
    t = text.strip().replace(",", "")
    digits = "".join(ch for ch in t if ch.isdigit() or ch == "-")
    return int(digits) if digits else None


def test_overview(d, site):
    d.get(url_of(site / "index.html"))
    wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))
    charts = d.find_elements(By.CSS_SELECTOR, "svg.chart")
    check("overview draws its charts", len(charts) >= 4, f"{len(charts)} charts")
    tables = d.find_elements(By.CSS_SELECTOR, "figure table")
    check("every chart has its table", len(tables) == len(charts), f"{len(tables)} tables")
    labelled = all(c.get_attribute("role") == "img" and c.find_elements(By.TAG_NAME, "title")
                   for c in charts)
    check("charts carry an accessible name", labelled)
    d.find_element(By.ID, "q").click()
    errors = console_errors(d)
    check("overview has no console error", not errors, errors)


def test_search(d, site, agency):
    d.get(url_of(site / "index.html"))
    box = wait(d, EC.element_to_be_clickable((By.ID, "q")))
    box.send_keys(agency)
    link = wait(d, EC.presence_of_element_located(
        (By.XPATH, f"//ul[@id='results']//a[normalize-space(text())='{agency}']")))
    check(f"search lists {agency}", link is not None)
    link.click()
    wait(d, EC.text_to_be_present_in_element((By.ID, "title"), agency))
    check(f"search result opens the page of {agency}",
          d.find_element(By.ID, "title").text.strip() == agency and "agency.html#" in d.current_url)
    errors = console_errors(d)
    check("search and agency page have no console error", not errors, errors)


def test_pinyin_search(d, site, agency, initials):
    d.get(url_of(site / "index.html"))
    box = wait(d, EC.element_to_be_clickable((By.ID, "q")))
    box.send_keys(initials)
    try:
        wait(d, EC.presence_of_element_located(
            (By.XPATH, f"//ul[@id='results']//a[normalize-space(text())='{agency}']")))
        found = True
    except Exception:  # noqa: BLE001 - reported as a failure
        found = False
    check(f"search by pinyin initials {initials} lists {agency}", found)


def test_agency_values(d, site, expected):
    # The agency ids come from the site's own search index, found by name.
    d.get(url_of(site / "index.html"))
    index = d.execute_script(
        "return new Promise(function(r){var s=document.createElement('script');"
        "var prev=OGI.index;OGI.index=function(rows){OGI.index=prev;r(rows)};"
        "s.src='data/search.js';document.head.appendChild(s);});")
    ids = {}
    for name, also, href, *_ in index:
        if href.startswith("agency.html#"):
            for n in [name] + [a for a in also.split("|") if a]:
                ids[n] = href.split("#", 1)[1]
    for (agency, year), (new, granted) in sorted(expected.items()):
        aid = ids.get(agency)
        if aid is None:
            check(f"{agency} is in the search index", False, "missing")
            continue
        d.get(url_of(site / "agency.html", aid))
        sel = f"section#y{year} span[data-cell='{{}}/total']"
        try:
            cell = wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, sel.format("new_received"))))
        except Exception:  # noqa: BLE001 - reported as a failure below
            check(f"{agency} {year}: table 3 shown", False, "no new_received/total cell")
            continue
        got_new = number(cell.text)
        got_granted = number(d.find_element(By.CSS_SELECTOR, sel.format("granted")).text)
        check(f"{agency} {year}: new requests {new}, granted {granted}",
              (got_new, got_granted) == (new, granted), f"page shows {got_new}, {got_granted}")
        csv = d.execute_script(
            "return fetch(document.getElementById('csv').href).then(function(r){return r.text()});")
        row = f"{aid},{agency},{year},"
        lines = [ln for ln in csv.splitlines() if ln.startswith(row) and ",3,new_received,total," in ln]
        check(f"{agency} {year}: the agency CSV has new requests {new}",
              len(lines) == 1 and lines[0].split(",")[7] == str(new), lines or csv[:300])
    errors = console_errors(d)
    check("agency pages have no console error", not errors, errors)


def site_links(d, site):
    """Every page reachable inside the site; returns (missing targets, pages visited)."""
    site = site.resolve()
    todo = [(site / "index.html", "")]
    seen, missing = set(), []
    while todo:
        path, frag = todo.pop()
        key = (str(path), frag if path.name == "agency.html" else "")
        if key in seen:
            continue
        seen.add(key)
        d.get(url_of(path, frag))
        if path.name == "agency.html":
            wait(d, lambda dr: dr.find_elements(By.CSS_SELECTOR, "#agency section, #agency .note"))
        hrefs = d.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('a[href]'),"
            "function(a){return a.href});")
        for h in hrefs:
            u = urllib.parse.urlparse(h)
            if u.scheme != "file":
                continue
            target = Path(urllib.parse.unquote(u.path))
            if not target.exists():
                missing.append(f"{path.relative_to(site)} -> {h}")
                continue
            inside = str(target.resolve()).startswith(str(site) + os.sep)
            if inside and target.suffix == ".html":
                todo.append((target, urllib.parse.unquote(u.fragment)))
    return missing, len(seen)


def test_links(d, site):
    missing, pages = site_links(d, site)
    check(f"links resolve on all {pages} pages visited", not missing and pages > 3,
          "; ".join(missing[:10]))


def test_phone(d, site, agency_id):
    d.set_window_size(390, 844)
    try:
        region = sorted((site / "r").glob("*.html"))
        pages = [("overview", url_of(site / "index.html"), "svg.chart")]
        if region:
            pages.append(("region page", url_of(region[0]), "table"))
        pages.append(("agency page", url_of(site / "agency.html", agency_id), "#agency section"))
        for name, url, ready in pages:
            d.get(url)
            wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, ready)))
            widths = d.execute_script(
                "var e=document.documentElement;return [e.scrollWidth,e.clientWidth];")
            check(f"{name} fits a phone screen", widths[0] <= widths[1],
                  f"page {widths[0]} px wide in a {widths[1]} px window")
    finally:
        d.set_window_size(1280, 1800)


def screenshots(d, site, out_dir, agency_id):
    out_dir.mkdir(parents=True, exist_ok=True)
    d.set_window_size(1280, 1600)
    d.get(url_of(site / "index.html"))
    wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))
    d.save_screenshot(str(out_dir / "site-overview.png"))
    d.set_window_size(1280, 2600)
    d.get(url_of(site / "agency.html", agency_id))
    wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "#agency section")))
    d.save_screenshot(str(out_dir / "site-agency.png"))
    print(f"screenshots in {out_dir}")


def main():
    args = sys.argv[1:]
    shots = None
    if "--screenshots" in args:
        i = args.index("--screenshots")
        shots = Path(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    site, expected_json = Path(args[0]), args[1]
    expected = expected_reports(expected_json)
    d = driver()
    try:
        test_overview(d, site)
        # The agency with the most numbered reports in the sample portal.
        counts = {}
        for agency, _ in expected:
            counts[agency] = counts.get(agency, 0) + 1
        agency = max(sorted(counts), key=lambda a: counts[a])
        test_search(d, site, agency)
        # Pinyin initials of a sample-portal agency (二 七 区 人 民 政 府 办 公 室).
        if any(a == "二七区人民政府办公室" for a, _ in expected):
            test_pinyin_search(d, site, "二七区人民政府办公室", "eqqrmzfbgs")
        test_agency_values(d, site, expected)
        test_links(d, site)
        d.get(url_of(site / "index.html"))
        box = wait(d, EC.element_to_be_clickable((By.ID, "q")))
        box.send_keys(agency)
        link = wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "#results a")))
        aid = urllib.parse.unquote(link.get_attribute("href").split("#", 1)[1])
        test_phone(d, site, aid)
        if shots is not None:
            screenshots(d, site, shots, aid)
    finally:
        d.quit()
    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
