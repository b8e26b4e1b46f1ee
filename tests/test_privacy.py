"""Privacy: the finished site shows no count that disclosure control should have suppressed.

Builds (or reuses – the build is incremental) the full site into the session's temporary
project's reports/ (tests/conftest.py) exactly as tests/test_browser.py does, then scans every HTML table cell and every CSV download (data: URI)
for small person counts (1–4), checks the published tidy table, and that no page carries a
script except the index page's own inline filter script.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from evalkit import data, programme
from evalkit.build import plan, runner
from evalkit.paths import reports_dir

THRESHOLD = data.DISCLOSURE_THRESHOLD
# Columns whose cells count persons (pupils, respondents, inhabitants). "Antal projekt" and
# "Projekt" count projects, not persons, and are left out on purpose.
PERSON_COUNT_COLUMNS = {"Elever", "Elever exkl. nyanlända", "Nyanlända: elever", "Antal elever", "Svarande",
                        "Antal svarande", "n", "Invånare", "Folkmängd", "Antal personer", "antal"}
INDEX_SCRIPT_MARK = 'document.getElementById("filter").addEventListener("input"'


@pytest.fixture(scope="module")
def built(full_site):
    """The full site as `make report` builds it (once per test run: ``full_site``); rebuilt on top
    (every page reused) so that what another module added to reports/ (a changes page) is gone."""
    again = runner.build(plan.site_jobs() + plan.district_jobs(), reports_dir(), progress=False)
    assert again.ok and not again.built, again.text()
    return full_site


@pytest.fixture(scope="module")
def site(built):
    """What is published: fresh pages, and for a report that failed to build its last good page."""
    return reports_dir() / "site"


@pytest.mark.slow
def test_full_site_builds(built):
    assert built.ok, built.text()


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    found = {p.name: p.read_text(encoding="utf-8") for p in sorted(site.glob("*.html"))}
    assert "index.html" in found and len(found) >= 28
    return found


@pytest.fixture(scope="module")
def count_labels() -> set[str]:
    """Display labels of the indicators that are person counts (kind ``antal``), as reports show them."""
    cat = programme.indicator_catalogue()
    rows = cat[cat["kind"] == "antal"]
    return set(rows["label_sv"]) | {f"{label} ({unit})" for label, unit in zip(rows["label_sv"], rows["unit"])}


def _small(text: str) -> bool:
    """An integer 1–4 as shown (ignores symbols, decimals and ranges)."""
    m = re.match(r"^\s*(\d[\d\s\u00a0\u202f]*)(?:\s*\(\d{4}\))?\s*$", text)
    return bool(m) and 1 <= int(re.sub(r"\D", "", m.group(1))) < THRESHOLD


def _small_cells(header: list[str], rows: list[list[str]], count_labels: set[str]) -> list[str]:
    problems = []
    for row in rows:
        for col, cell in zip(header, row):
            if col.strip() in PERSON_COUNT_COLUMNS and _small(cell):
                problems.append(f"{col}={cell!r} i raden {row[:3]}")
        # indicator rows of counts (key figures, goal tables): every value cell of the row
        if row and any(c.strip() in count_labels for c in row[:2]):
            for col, cell in list(zip(header, row))[1:]:
                if col not in ("Mål", "Indikator", "Förändring", "Status", "Motivering") and _small(cell):
                    problems.append(f"{col}={cell!r} i raden {row[:2]}")
    return problems


def _tables(html: str):
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all("table"):
        header = [th.get_text(" ", strip=True) for th in table.find_all("th", scope="col")]
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]
        yield header, rows
    for link in soup.find_all("a", href=re.compile("^data:text/csv")):
        text = unquote(link["href"].split(",", 1)[1]).lstrip("\ufeff")
        parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
        if parsed:
            yield parsed[0], parsed[1:]


@pytest.mark.slow
def test_site_tables_and_downloads_have_no_unsuppressed_small_counts(pages, count_labels):
    problems, scanned_tables, scanned_downloads = {}, 0, 0
    for name, html in pages.items():
        found = []
        for header, rows in _tables(html):
            found += _small_cells(header, rows, count_labels)
            scanned_tables += 1
        scanned_downloads += html.count('href="data:text/csv')
        if found:
            problems[name] = found
    assert scanned_tables >= 27 * 2 and scanned_downloads >= 27
    assert not problems, problems


def test_the_scanner_catches_a_small_count(count_labels):
    html = ('<table><thead><tr><th scope="col">Skola</th><th scope="col">Svarande</th></tr></thead>'
            '<tbody><tr><th scope="row">A</th><td>3</td></tr><tr><th scope="row">B</th><td>x</td></tr></tbody></table>')
    found = [p for h, r in _tables(html) for p in _small_cells(h, r, count_labels)]
    assert len(found) == 1 and "Svarande='3'" in found[0]
    label = sorted(count_labels)[0]
    assert _small_cells(["Indikator", "Tensta"], [[label, "4"]], count_labels)
    assert not _small_cells(["Indikator", "Tensta"], [[label, "1 204"]], count_labels)
    assert not _small_cells(["Vision", "Antal projekt"], [["Järva", "3"]], count_labels)


def test_published_tidy_has_no_small_counts_at_stadsdel_level(processed):
    tidy, log = data.published_tidy()  # written by `evalkit clean` with the default threshold
    cat = programme.indicator_catalogue().set_index("indicator")
    kind = tidy["indicator"].map(cat["kind"])
    shown = tidy["status"] != "x"
    stadsdel = tidy["area_level"] == "stadsdel"
    share = kind.isin(["andel", "kvot"])
    small_numerator = share & (tidy["numerator"] > 0) & (tidy["numerator"] < THRESHOLD)
    small_count = (kind == "antal") & (tidy["value"] > 0) & (tidy["value"] < THRESHOLD)
    small_complement = (kind == "andel") & ((tidy["denominator"] - tidy["numerator"]).between(0, THRESHOLD, inclusive="neither"))
    bad = tidy[stadsdel & shown & (small_numerator | small_count | small_complement)]
    assert bad.empty, bad.head(20).to_string()
    hidden = tidy[tidy["status"] == "x"]
    assert hidden["value"].isna().all()
    # a hidden rate has its hidden part blanked (numerator, denominator or both); the other part
    # may be shown when it is a safe number itself (the intruder's audit proves it, test_intruder)
    rates = hidden[hidden["indicator"].map(cat["kind"]).isin(["andel", "kvot", "medel"])]
    assert (rates["numerator"].isna() | rates["denominator"].isna()).all()
    assert len(log) >= len(hidden) > 0  # the demo data do have small cells, and each is logged


@pytest.mark.slow
def test_no_page_carries_a_script_except_the_index_filter(pages):
    for name, html in pages.items():
        soup = BeautifulSoup(html, "html.parser")
        scripts = soup.find_all("script")
        raw = len(re.findall(r"<\s*script", html, re.IGNORECASE))
        if name == "index.html":
            assert len(scripts) == 1 == raw and not scripts[0].get("src"), name
            assert INDEX_SCRIPT_MARK in scripts[0].string
        else:
            assert scripts == [] and raw == 0, name
        handlers = [f"{t.name}[{a}]" for t in soup.find_all(True) for a in t.attrs if a.lower().startswith("on")]
        assert not handlers, (name, handlers[:5])
        hrefs = [t.get("href", "") + t.get("src", "") for t in soup.find_all(["a", "img", "link", "iframe"])]
        assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "vbscript:"))], name


# --- issue 25: a share beside its base is a count -------------------------------------------------

#: (share column, base column) pairs on the pages: school results and survey shares.
SHARE_BASES = (("Resultat", "Elever exkl. nyanlända"), ("Nyanlända: resultat", "Nyanlända: elever"),
               ("Andel", "Svarande"))
#: School measures shown as points, not shares (their mean reveals no count).
POINT_MEASURES = ("Meritvärde", "meritvärde")


def _number(text: str) -> float | None:
    """A Swedish number as shown (``95,0``, ``7,7 %``, ``1 234``); None for symbols."""
    t = re.sub(r"[\s\u00a0\u202f%]", "", text).replace(",", ".").replace("\u2212", "-")
    try:
        return float(t)
    except ValueError:
        return None


def _pinned_small(share: float, n: int) -> bool:
    """The intruder's reading, by brute force (independent of evalkit.analysis.schools): every whole
    count k of n whose share rounds to the shown one-decimal figure is 1–4, or leaves 1–4."""
    fits = [k for k in range(n + 1) if abs(100 * k / n - share) <= 0.05 + 1e-9]
    return bool(fits) and all(1 <= k < THRESHOLD or 1 <= n - k < THRESHOLD for k in fits)


def _share_problems(header: list[str], rows: list[list[str]]) -> list[str]:
    problems = []
    for row in rows:
        cells = dict(zip(header, row))
        if any(m in cells.get("Mått", "") for m in POINT_MEASURES):
            continue
        for share_col, base_col in SHARE_BASES:
            if share_col not in cells or base_col not in cells:
                continue
            share, n = _number(cells[share_col]), _number(cells[base_col])
            if share is None:
                continue
            if n is None:  # a hidden base: no share and no interval may stand for it
                problems.append(f"{share_col}={cells[share_col]!r} vid dolt {base_col} i raden {row[:3]}")
            elif _pinned_small(share, int(n)):
                problems.append(f"{share_col}={cells[share_col]!r} av {base_col}={cells[base_col]!r} "
                                f"i raden {row[:3]}")
        interval = cells.get("95 % konfidensintervall", "..")
        if _number(cells.get("Svarande", "0")) is None and interval not in ("..", "x", ""):
            problems.append(f"intervall {interval!r} vid dolt antal svarande i raden {row[:3]}")
    return problems


@pytest.mark.slow
def test_no_school_or_survey_share_on_the_site_pins_a_small_count(pages):
    """Issue 25: 'Bandhagen norra skola åk 6 95,0 % of 20' is one pupil who failed."""
    problems, scanned = {}, 0
    for name, html in pages.items():
        found = []
        for header, rows in _tables(html):
            if any(s in header and b in header for s, b in SHARE_BASES):
                scanned += len(rows)
                found += _share_problems(header, rows)
        if found:
            problems[name] = found
    assert scanned > 100
    assert not problems, problems


def test_the_share_scanner_catches_a_pinned_count():
    header = ["Skola", "Årskurs", "Mått", "Elever exkl. nyanlända", "Resultat"]
    assert _share_problems(header, [["Bandhagen norra", "6", "Godkänt", "20", "95,0"]])
    assert not _share_problems(header, [["Bandhagen norra", "6", "Godkänt", "20", "75,0"]])
    assert not _share_problems(header, [["Bandhagen norra", "9", "Meritvärde", "20", "95,0"]])
    survey = ["Fråga", "Område", "Andel", "95 % konfidensintervall", "Svarande"]
    assert _share_problems(survey, [["q", "Orhem", "7,7 %", "1,4–33,3", "13"]])
    assert len(_share_problems(survey, [["q", "Orhem", "33,3 %", "6,1–79,2", "x"]])) == 2
    assert not _share_problems(survey, [["q", "Orhem", "x", "..", "x"]])
