"""Report tables: escaped HTML, a CSV download Excel opens safely, and a plain-text twin."""

from __future__ import annotations

from urllib.parse import unquote

import pandas as pd

from evalkit.present import tables


def test_formula_cells_are_neutralised_but_numbers_are_not():
    assert tables.neutralise_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert tables.neutralise_cell("@SUM(A1)") == "'@SUM(A1)"
    assert tables.neutralise_cell("-4,5") == "-4,5"
    assert tables.neutralise_cell("\u22124,5") == "\u22124,5"  # the formatter's minus is no formula
    assert tables.neutralise_cell("Tensta") == "Tensta"


def test_csv_is_semicolon_separated_with_bom_for_swedish_excel():
    text = tables.to_csv(pd.DataFrame({"Område": ["Tensta", "=1+1"], "Andel": ["12,3\u00a0%", "4,0\u00a0%"]}))
    assert text.startswith("\ufeffOmråde;Andel\r\n")
    assert "'=1+1;4,0\u00a0%" in text


def test_html_table_escapes_cells_marks_numbers_and_offers_the_csv():
    frame = pd.DataFrame({"Område": ["<b>Husby</b>"], "Värde": ["1\u00a0234"]})
    table = tables.table(frame, "Nyckeltal 2020", numeric_columns=["Värde"])
    html = table._repr_html_()
    assert "<b>Husby</b>" not in html and "&lt;b&gt;Husby&lt;/b&gt;" in html
    assert '<td class="num" data-label="Värde">1\u00a0234</td>' in html  # cards on phones: the column name on the cell
    assert 'download="nyckeltal-2020.csv"' in html
    link = html.split('href="', 1)[1].split('"', 1)[0]
    assert "Nyckeltal" not in unquote(link) and "1\u00a0234" in unquote(link)
    assert repr(table).splitlines()[0] == "Nyckeltal 2020"


def test_detailed_cell_shows_detail_beneath_and_keeps_it_in_the_csv():
    cell = tables.Detailed("1.2 Samband", "Stadsdelarna ska knytas samman.")
    frame = pd.DataFrame({"Mål": [cell], "Status": ["uppfyllt"]})
    table = tables.table(frame, "Mål", layout="goals")
    html = table._repr_html_()
    assert '<span class="ek-detail">Stadsdelarna ska knytas samman.</span>' in html
    assert 'data-label="Status"' in html and "ek-goals" in html
    assert "1.2 Samband: Stadsdelarna ska knytas samman." in tables.to_csv(frame)
