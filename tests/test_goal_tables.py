"""Goal tables: the goal's wording under its number, escaped, and carried into CSV and text."""

from urllib.parse import unquote

import pandas as pd

from evalkit import programme, results
from evalkit.present import district, tables
from evalkit.present.area import resolve


def _stadsmiljo(status: pd.DataFrame) -> str:
    """HTML of the first målområde's goal table (Stadsmiljö och boende)."""
    return district.goal_tables(status)[0]._repr_html_()


def test_goal_table_shows_what_the_goal_says_under_its_number(processed, monkeypatch):
    status = results.goal_status("sd-tensta")
    goals = programme.goals().set_index("goal_id")
    text_12 = goals.loc["stadsmiljo_boende-1.2", "text_sv"]
    html = _stadsmiljo(status)
    assert f'1.2 Samband <span class="ek-detail">{text_12}</span>' in html
    # the wording is in the CSV download and the plain-text twin (what nbval compares) too
    csv = unquote(html.split('href="data:text/csv;charset=utf-8,')[1].split('"')[0])
    assert f"1.2 Samband: {text_12}" in csv
    assert f"1.2 Samband: {text_12}" in repr(district.goal_tables(status)[0])
    # a goal measured by two indicators (3.4 here) is worded once; text from data is escaped
    text_34 = goals.loc["stadsmiljo_boende-3.4", "text_sv"]
    assert (status["goal_id"] == "stadsmiljo_boende-3.4").sum() == 2 and html.count(text_34) == 1
    changed = programme.goals().copy()
    changed.loc[changed["goal_id"] == "stadsmiljo_boende-2.1", "text_sv"] = "Variation ska nås <b>"
    monkeypatch.setattr(programme, "goals", lambda: changed)
    assert 'Variation ska nås &lt;b&gt;</span>' in _stadsmiljo(status)


def test_goal_table_cells_carry_their_column_names_for_the_phone_layout(processed):
    html = _stadsmiljo(results.goal_status("sd-tensta"))
    assert '<table class="ek-table ek-goals">' in html
    assert '<td data-label="Status">' in html
    assert '<th scope="row" data-label="Mål">' in html
    # other tables become cards on a phone (issue 26: nothing wider than 390 px), their cells
    # labelled too; a table without a layout spends no bytes on it
    cards = tables.table(pd.DataFrame({"A": ["x"], "B": ["1"]}), "T", numeric_columns=("B",))._repr_html_()
    assert '<table class="ek-table ek-cards">' in cards and '<td class="num" data-label="B">1</td>' in cards
    plain = tables.table(pd.DataFrame({"A": ["x"], "B": ["1"]}), "T", numeric_columns=("B",), layout="")._repr_html_()
    assert "data-label" not in plain and '<table class="ek-table">' in plain


def test_goal_section_has_the_status_legend_and_says_why_survey_years_may_differ(processed):
    from evalkit.present import goals as words

    texts = [repr(item) for item in district.goal_section(resolve("sd-husby"), 2014, 2020)]
    legend = next(t for t in texts if t.startswith("Så läses statusen"))
    for status, sentence in words.STATUS_MEANING_SV.items():
        assert words.STATUS_SV[status].capitalize() in legend and sentence in legend
    assert any("Avsnittet Enkäter" in t and "annat underlag" in t for t in texts)


def test_school_table_is_for_the_year_the_goal_row_judges(processed):
    status = results.goal_status("sd-husby")
    year = int(status.loc[status["indicator"] == "skolor_minst_riket", "latest_year"].iloc[0])
    texts = [repr(item) for item in district.school_section(resolve("sd-husby"), year)]
    assert any(f"Skolresultat {year} per skola" in t for t in texts)


def test_every_goal_reading_follows_the_numbers_beside_it(processed):
    """Issue 24 item 7 for the goal table: the sentence's claim (significant or not, above, within
    the margin, too uncertain) is the one the stored numbers give, for every stored row."""
    from evalkit.analysis import goals as rule
    from evalkit.present import goals as words

    table = words.with_labels(results.goal_status(None))
    z = rule.z_critical()
    for r in table.itertuples(index=False):
        assert r.status_sv == words.STATUS_SV[rule.DECISIONS[r.reason]]
        modelled = r.method in (rule.SURVEY_TEST, rule.BINOMIAL_TEST, rule.POISSON_TEST)
        if r.reason in ("improved", "worsened", "change_within_uncertainty") and modelled:
            assert ("statistiskt säkerställd" in r.reason_sv) == (r.p_value < rule.ALPHA), r.reason_sv
            assert ("ryms inom den statistiska osäkerheten" in r.reason_sv) == (r.p_value >= rule.ALPHA)
        if r.reason == "within_margin" and modelled:
            assert -r.margin < r.difference - z * r.se <= 0
        if r.reason == "level_within_uncertainty" and modelled:
            assert r.difference - z * r.se <= -r.margin <= r.difference + z * r.se
        if r.reason.startswith("below_gap") and modelled:
            assert r.difference + z * r.se < -r.margin
        if "justerat p" in r.reason_sv:
            assert r.p_value < rule.ALPHA <= r.p_value_bh
