"""The district report's tables and sentences as a reader sees them (hand-made inputs)."""

from __future__ import annotations

import pandas as pd

from evalkit import programme
from evalkit.present import district as report
from evalkit.present.area import resolve

NBSP = "\u00a0"
AREAS = ["sd-tensta", "sdo-spanga-tensta", "programomradet", "ovriga-staden", "stockholm"]


def _row(code, indicator, year, value, status="", numerator=None, denominator=None):
    return {"area_code": code, "indicator": indicator, "year": year, "value": value, "status": status,
            "numerator": numerator, "denominator": denominator, "source": "test"}


def test_comparison_areas_of_a_stadsdel_include_its_borough():
    assert resolve("sd-tensta").comparisons == tuple(AREAS)
    assert resolve("sdo-spanga-tensta").comparisons == ("sdo-spanga-tensta", *AREAS[2:])


def test_key_figures_in_swedish_format_with_symbols_kept():
    rows = [_row(code, "folkmangd", 2020, 12345.0 * (i + 1)) for i, code in enumerate(AREAS)]
    rows += [_row("sd-tensta", "ekonomiskt_bistand", 2020, None, status="x"),
             _row("stockholm", "ekonomiskt_bistand", 2020, 3.456)]
    table = report.key_figures(pd.DataFrame(rows), programme.indicator_catalogue(), resolve("sd-tensta"), 2020)
    frame = table.frame.set_index("Indikator")
    assert table.caption == "Nyckeltal 2020"
    assert list(frame.columns) == ["Tensta", "Spånga-Tensta", "Programområdena", "Övriga staden", "Hela staden"]
    folk = frame.loc[[i for i in frame.index if i.startswith("Folkmängd")][0]]
    assert folk.iloc[0] == f"12{NBSP}345" and folk.iloc[4] == f"61{NBSP}725"
    bistand = frame.loc[[i for i in frame.index if "ekonomiskt bistånd" in i][0]]
    assert bistand.iloc[0] == "x"          # suppressed, shown as the symbol
    assert bistand.iloc[1] == ".."         # no row at all
    assert bistand.iloc[4] == f"3,5{NBSP}%"
    # the symbols are explained where they appear, with why the values are missing (issue 26)
    assert table.note.startswith(".. = uppgift inte tillgänglig") and "x = uppgift undertryckt" in table.note
    assert "Andel invånare med ekonomiskt bistånd 2020: " in table.note
    assert "Personer per hushåll (personer per hushåll)" not in " ".join(frame.index)
    assert table.layout == "cards"


def test_a_share_of_the_city_is_compared_over_time_not_with_other_areas():
    """arbetsplatser_andel (the area's share of the city's workplaces) allows time only
    (catalogue column comparisons): its chart shows the area alone and its change since 2014."""
    cat = programme.indicator_catalogue()
    assert not programme.allows(cat, "arbetsplatser_andel", "areas") and programme.allows(cat, "arbetsplatser_andel", "time")
    rows = [_row(code, "arbetsplatser_andel", year, value)
            for code, base in (("sd-tensta", 0.5), ("ovriga-staden", 85.0)) for year, value in
            ((2014, base), (2020, base + 0.2))]
    links = pd.DataFrame({"indicator": ["arbetsplatser_andel"]})
    tidy = pd.DataFrame(rows).assign(source="test", numerator=1.0, denominator=1.0)
    (chart,) = report.goal_trends(tidy, cat, links, resolve("sd-tensta"), 2014, 2020)
    assert "förändringen sedan 2014 var 0,2 procentenheter år 2020" in chart.alt
    assert "Övriga staden" not in chart.alt.split(".")[0] and "skillnaden mot" not in chart.alt


def test_survey_respondents_below_the_threshold_are_shown_as_x():
    rows = pd.DataFrame([
        {"area_code": "sd-tensta", "year": 2019, "survey": "trygghetsmatning", "question": "otrygg_kvall",
         "value": 40.0, "status": "", "n": programme.DISCLOSURE_THRESHOLD - 1},
        {"area_code": "stockholm", "year": 2019, "survey": "trygghetsmatning", "question": "otrygg_kvall",
         "value": 21.0, "status": "", "n": 1200},
    ])
    table = report.survey_results(rows, resolve("sd-tensta"), 2020)
    frame = table.frame.set_index("Område")
    assert frame.loc["Tensta", "Svarande"] == "x"
    assert frame.loc["Tensta", "Anmärkning"] == "för få svarande för säker slutsats"
    assert frame.loc["Hela staden", "Svarande"] == f"1{NBSP}200" and frame.loc["Hela staden", "Anmärkning"] == ""
    assert frame.loc["Hela staden", "Andel"] == f"21,0{NBSP}%"
    assert frame.loc["Hela staden", "Fråga"] == "Otrygg utomhus sent på kvällen (Trygghetsmätningen 2019)"


def test_a_missing_comparison_is_explained_under_the_chart():
    """A share delivered without numerator and denominator cannot be summed to larger areas: the
    chart shows the area alone and says why."""
    rows = pd.DataFrame([_row("sd-tensta", "ekonomiskt_bistand", y, 10.0 + y - 2014) for y in (2014, 2015, 2016)])
    links = pd.DataFrame({"indicator": ["ekonomiskt_bistand"]})
    charts = report.goal_trends(rows, programme.indicator_catalogue(), links, resolve("sd-tensta"), 2006, 2020)
    assert len(charts) == 1
    alt = charts[0].alt
    assert "Jämförelse saknas för Spånga-Tensta, Programområdena, Övriga staden, Hela staden:" in alt
    assert "utan täljare och nämnare" in alt
    assert "Tensta 12,0 år 2016" in alt


def test_suppression_note_names_the_threshold_and_formats_the_count():
    text = report.suppression_note_sv(3537)
    assert text.startswith(f"3{NBSP}537 uppgifter i underlaget är undertryckta (x)")
    assert f"antal under {programme.DISCLOSURE_THRESHOLD} " in text
    assert "antal under 3 " in report.suppression_note_sv(10, threshold=3)


def test_school_goal_is_quoted_from_the_programme():
    goal = programme.goals().set_index("goal_id").loc[programme.SCHOOL_GOAL]
    text = report.school_goal_sv()
    assert text == f"Mål 1.1 Skola och utbildning: {goal['text_sv']}"
    assert "riksgenomsnittet" in text
