"""Goal tables: the goal's wording under its number, escaped, and carried into CSV and text."""

from urllib.parse import unquote

import pandas as pd

from evalkit.present import district, tables


def _status(**overrides):
    row = {"malomrade_label_sv": "Stadsmiljö och boende", "goal_id": "stadsmiljo_boende-1.2", "goal_number": "1.2",
           "heading_sv": "Samband", "text_sv": "Ett ökat samband mellan stadsdelarna ska uppnås genom bättre möjligheter till kommunikation.",
           "label_sv": "Restid till T-Centralen", "unit": "minuter", "baseline": 27.9, "baseline_year": 2014,
           "latest": 27.4, "latest_year": 2020, "change": -0.5, "change_unit": "minuter", "status": "kan ej bedömas",
           "reason_sv": "Oförändrat."}
    row.update(overrides)
    return row


def test_goal_table_shows_what_the_goal_says_under_its_number():
    frame = pd.DataFrame([_status(), _status(label_sv="Andra indikatorn"),
                          _status(goal_id="stadsmiljo_boende-2.1", goal_number="2.1", heading_sv="Variation",
                                  text_sv="En större variation av upplåtelseformer ska nås <b>")])
    table = district.goal_tables(frame)[0]
    html = table._repr_html_()
    assert ('1.2 Samband <span class="ek-detail">Ett ökat samband mellan stadsdelarna ska uppnås genom bättre '
            'möjligheter till kommunikation.</span>') in html
    # a goal measured by two indicators is worded once; text from data is escaped
    assert html.count("Ett ökat samband") == 1
    assert "upplåtelseformer ska nås &lt;b&gt;</span>" in html
    # the wording is in the CSV download and the plain-text twin (what nbval compares) too
    csv = unquote(html.split('href="data:text/csv;charset=utf-8,')[1].split('"')[0])
    assert "1.2 Samband: Ett ökat samband" in csv
    assert "1.2 Samband: Ett ökat samband" in repr(table)


def test_goal_table_cells_carry_their_column_names_for_the_phone_layout():
    html = district.goal_tables(pd.DataFrame([_status()]))[0]._repr_html_()
    assert '<table class="ek-table ek-goals">' in html
    assert '<td data-label="Status">kan ej bedömas</td>' in html
    assert '<th scope="row" data-label="Mål">' in html
    # other tables spend no bytes on it
    plain = tables.table(pd.DataFrame({"A": ["x"], "B": ["1"]}), "T", numeric_columns=("B",))._repr_html_()
    assert "data-label" not in plain and '<table class="ek-table">' in plain
