"""The published site in a real browser: offline, no errors, no broken links, accessible.

Builds the site into the session's temporary project (tests/conftest.py; never the checkout's
reports/), serves its reports/site on localhost, opens the index and every report in headless
Chromium (Debian's package, driven by selenium) and fails on any console error, any request that
is not to the local server or a data: URI, any failed request, any broken internal link, and any
axe-core violation of serious or critical impact. Saves a screenshot of one report for review
(in pytest's temporary folder, whose path it prints). Prints one district report to A4 PDF
(Chromium's own print path) and reads it back with pdftotext: every number in its tables must be
on paper. Opens it at phone width (390 px) too.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pandas as pd
import pytest

from evalkit.build import plan, runner
from evalkit.paths import reports_dir

# Installed into the checkout by scripts/ensure_browser_deps.sh (a tool, not project data: not
# in the session's temporary project).
AXE_JS = Path(__file__).resolve().parents[1] / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT = "sd-tensta.html"
PRINTED = "sd-rinkeby.html"
# Before the print stylesheet this report took 21 A4 pages with 18 table numbers cut off at the
# right edge; it now takes 10.
MAX_PRINTED_PAGES = 12
# A number as the reports write it: thousands grouped by a (narrow) no-break space, decimal comma.
_NUMBER = re.compile(r"\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


@pytest.fixture(scope="module")
def site(processed, tmp_path_factory):
    """The full site, built (or reused) exactly as `make report` builds it, into the session's reports/."""
    jobs = plan.site_jobs() + plan.district_jobs()
    summary = runner.build(jobs, reports_dir(), progress=False)
    assert summary.ok, summary.text()
    # A previous publication that differs in one Tensta number, so that the changes page and a
    # district box are on the site and checked like every other page.
    previous = tmp_path_factory.mktemp("previous") / "site"
    shutil.copytree(reports_dir() / "site" / "data", previous / "data")
    path = previous / "data" / "indikatorer.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    at = table.index[(table["area_code"] == "sd-tensta") & (table["indicator"] == "ekonomiskt_bistand")
                     & (table["status"] == "")][-1]
    table.loc[at, "value"] = str(float(table.loc[at, "value"]) - 1)
    table.to_csv(path, index=False, lineterminator="\n")
    summary = runner.build(jobs, reports_dir(), progress=False, compare_with=previous)
    assert summary.ok and not summary.built, summary.text()
    assert (reports_dir() / "site" / "andringar.html").exists()
    return reports_dir() / "site"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    assert AXE_JS.exists(), "axe-core saknas: kör scripts/ensure_browser_deps.sh (make test gör det)"
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def _pages(site: Path) -> list[str]:
    return ["index.html"] + sorted(p.name for p in site.glob("*.html") if p.name != "index.html")


def _network_problems(driver, base: str) -> list[str]:
    problems = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not (url.startswith(base) or url.startswith("data:")):
                problems.append(f"extern begäran: {url[:120]}")
        elif message["method"] == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"misslyckad begäran: {params.get('errorText')}")
    return problems


def _axe_violations(driver) -> list[str]:
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])} element"
            for v in result if v.get("impact") in ("serious", "critical")]


def test_every_page_is_offline_error_free_linked_and_accessible(site, server, browser, tmp_path_factory):
    pages = _pages(site)
    assert len(pages) >= 32  # index + 3 city-wide pages + 27 district reports + the changes page
    failures: dict[str, list[str]] = {}
    for page in pages:
        url = urljoin(server, page)
        browser.get_log("performance")  # drop entries of the previous page
        browser.get(url)
        problems = [f"konsolfel: {e['message'][:160]}" for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        problems += _network_problems(browser, server)
        for href in browser.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):
            parsed = urlparse(href)
            if href.startswith("data:"):
                continue
            if not href.startswith(server):
                problems.append(f"extern länk: {href[:120]}")
            elif parsed.fragment and parsed.path == urlparse(url).path:
                if not browser.execute_script("return !!document.getElementById(arguments[0])", parsed.fragment):
                    problems.append(f"trasigt ankare: #{parsed.fragment}")
            elif not (site / parsed.path.lstrip("/")).exists():
                problems.append(f"trasig länk: {href}")
        assert browser.execute_script("return document.documentElement.lang") == "sv"
        problems += _axe_violations(browser)
        if page == SCREENSHOT:
            # pytest's own temporary folder: kept after the session (its last three runs) for review,
            # while the session's project copy, and the checkout's reports/, stay as they were.
            shots = tmp_path_factory.mktemp("screenshots", numbered=False)
            browser.save_screenshot(str(shots / "sd-tensta.png"))
            print(f"skärmbild: {shots / 'sd-tensta.png'}")
        if problems:
            failures[page] = problems
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)


def test_index_filter_box_filters(site, server, browser):
    browser.get(urljoin(server, "index.html"))
    box = browser.find_element("id", "filter")
    box.send_keys("tensta")
    visible = browser.execute_script(
        "return Array.from(document.querySelectorAll('li[data-name]')).filter(li => !li.hidden).map(li => li.textContent)")
    assert visible and all("tensta" in v.lower() for v in visible)


def _numbers(text: str) -> list[str]:
    """Numbers in ``text``, their group separators as plain spaces (as pdftotext writes them)."""
    return [re.sub(r"[\u00a0\u202f]", " ", n) for n in _NUMBER.findall(text)]


def test_a_printed_district_report_has_every_table_number_on_a4_paper(site, server, browser, tmp_path):
    from selenium.webdriver.common.print_page_options import PrintOptions

    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext saknas: kör scripts/ensure_browser_deps.sh (poppler-utils)"
    browser.get(urljoin(server, PRINTED))
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('table th, table td')).map(c => c.textContent)")
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4 (the stylesheet's @page asks for it too)
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(base64.b64decode(browser.print_page(options)))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"[ \t\u00a0\u202f]+", " ", text)
    wanted = [n for cell in cells for n in _numbers(cell)]
    assert len(wanted) > 300  # key figures, goal tables, index, schools, surveys, effects
    # A number counts as printed when it stands on its own in the PDF's text (not as part of a
    # longer one); clipped cells are not in the text at all.
    missing = [n for n in dict.fromkeys(wanted)
               if not re.search(r"(?<![\d,])" + re.escape(n) + r"(?![\d]|,\d)", text)]
    assert not missing, f"{len(missing)} tal i tabellerna saknas i utskriften: {missing[:20]}"
    info = subprocess.run([shutil.which("pdfinfo") or "pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages <= MAX_PRINTED_PAGES, f"{pages} A4-sidor"


def test_on_a_phone_goal_tables_need_no_sideways_scrolling_and_chart_text_is_legible(site, server, browser):
    # A phone: 390 CSS px wide, overlay scrollbars (a desktop window of that size loses 15 px to one).
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        browser.get(urljoin(server, PRINTED))
        layout = browser.execute_script("""
            const wraps = Array.from(document.querySelectorAll('.ek-table-wrap')).filter(w => w.querySelector('.ek-goals'));
            const status = document.querySelector('.ek-goals td[data-label="Status"]').getBoundingClientRect();
            const goal = document.querySelector('.ek-goals th[scope="row"]').getBoundingClientRect();
            const body = parseFloat(getComputedStyle(document.body).fontSize);
            // Narrow charts are drawn with 12 pt (16 px) text at their natural size.
            const scale = Array.from(document.querySelectorAll('.ek-narrow img'))
                .map(i => i.getBoundingClientRect().width / i.naturalWidth);
            return {viewport: document.documentElement.clientWidth,
                    overflowing: wraps.filter(w => w.scrollWidth > w.clientWidth + 1).length, tables: wraps.length,
                    statusBesideGoal: status.top < goal.bottom && status.left >= goal.right - 1,
                    chartText: scale.map(s => s * 16 / body), charts: scale.length};""")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert layout["viewport"] == 390
    assert layout["tables"] >= 3 and layout["overflowing"] == 0
    assert layout["statusBesideGoal"]
    assert layout["charts"] >= 10 and min(layout["chartText"]) >= 0.78
