"""The programme transcribed as data (data/raw/programme) and its loaders."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from evalkit import programme
from evalkit.paths import raw_dir

EXPECTED_GOAL_IDS = [
    "stadsmiljo_boende-1.1", "stadsmiljo_boende-1.2",
    "stadsmiljo_boende-2.1", "stadsmiljo_boende-2.2", "stadsmiljo_boende-2.3", "stadsmiljo_boende-2.4",
    "stadsmiljo_boende-3.1", "stadsmiljo_boende-3.2", "stadsmiljo_boende-3.4",
    "skola_utbildning-1.1",
    "jobb_foretagande-1.1", "jobb_foretagande-2.1", "jobb_foretagande-3.1",
    "social_hallbarhet-malsattning",
]


def test_goal_ids_exactly_as_in_the_text():
    g = programme.goals()
    assert len(g) == 14  # 9 + 1 + 3 + 1
    assert list(g["goal_id"]) == EXPECTED_GOAL_IDS
    assert g.groupby("malomrade", sort=False).size().to_dict() == {
        "stadsmiljo_boende": 9, "skola_utbildning": 1, "jobb_foretagande": 3, "social_hallbarhet": 1,
    }
    # The printed numbering has no 3.3 and we do not invent one.
    assert "stadsmiljo_boende-3.3" not in set(g["goal_id"])
    assert (g["goal_id"] == g["malomrade"] + "-" + g["goal_number"].where(g["goal_number"] != "", "malsattning")).all()


def test_lead_boards_and_responsible():
    g = programme.goals().set_index("goal_id")
    assert g.at["stadsmiljo_boende-1.1", "lead_board"] == "exploateringsnämnden"
    assert g.at["stadsmiljo_boende-1.2", "lead_board"] == "trafiknämnden"
    assert g.at["stadsmiljo_boende-2.3", "lead_board"] == "idrottsnämnden"
    assert g.at["stadsmiljo_boende-2.4", "lead_board"] == "kulturnämnden"
    assert g.at["skola_utbildning-1.1", "lead_board"] == "utbildningsnämnden"
    assert g.at["jobb_foretagande-3.1", "lead_board"] == "arbetsmarknadsnämnden"
    assert g.at["stadsmiljo_boende-1.1", "responsible"] == (
        "exploateringsnämnden; stadsbyggnadsnämnden; fastighetsnämnden; trafiknämnden; Stockholms Business Region"
    )
    assert g.at["stadsmiljo_boende-3.4", "responsible"] == "trafiknämnden; bostadsbolagen; stadsdelsnämnder"
    for gid, row in g.iterrows():
        assert row["responsible"].split("; ")[0] == row["lead_board"], gid
        if not gid.startswith("social_hallbarhet"):
            assert row["follow_up"] == "Kommunstyrelsen"
    social = g.loc["social_hallbarhet-malsattning"]
    assert social["goal_number"] == ""
    assert social["text_sv"].startswith("Målsättningen med det lokala arbetet är att öka den sociala hållbarheten i Rinkeby, Husby,")
    assert "styrgruppen för en sammanhållen stad" in social["follow_up"]


def test_text_has_no_line_break_artefacts():
    g = programme.goals()
    for text in g["text_sv"]:
        assert "\n" not in text and "  " not in text and "- " not in text.replace(" – ", "")
    c = pd.read_csv(raw_dir() / "programme" / "goal_commitments.csv", dtype=str, keep_default_na=False)
    assert list(c.columns) == ["malomrade", "after_goal_group", "text_sv", "responsible"]
    assert len(c) == 14
    assert set(c["malomrade"]) <= set(g["malomrade"])


def test_malomraden_in_programme_order():
    m = programme.malomraden()
    assert list(m.columns) == ["id", "label"]
    assert list(m["id"]) == ["stadsmiljo_boende", "skola_utbildning", "jobb_foretagande", "social_hallbarhet"]
    assert m["label"].iloc[0] == "Stadsmiljö och boende"


def test_catalogue_scale():
    cat = programme.indicator_catalogue().set_index("indicator")
    assert cat["scale"].dtype == float
    assert pd.isna(cat.at["folkmangd", "scale"])
    assert cat.at["ekonomiskt_bistand", "scale"] == 100.0


def test_every_goal_has_an_indicator():
    links = programme.goal_indicators()
    g = programme.goals()
    assert set(links["goal_id"]) == set(g["goal_id"])
    assert set(links["indicator"]) <= set(programme.indicator_catalogue()["indicator"])
    d = links.set_index(["goal_id", "indicator"])["direction"]
    assert d[("skola_utbildning-1.1", "kunskapskrav_ak9_exkl_nyanlanda")] == "at_least_reference"
    assert d[("stadsmiljo_boende-1.2", "restid_city")] == "decrease"
    assert len(links[links["goal_id"] == "stadsmiljo_boende-3.4"]) == 2
    assert (links["rationale_sv"].str.len() > 20).all()


def _copy(tmp_path):
    dst = tmp_path / "programme"
    shutil.copytree(raw_dir() / "programme", dst)
    return dst


def test_broken_indicator_reference_names_file_row_column(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "goal_indicators.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "indicator"] = "finns_inte"
    df.to_csv(path, index=False)
    with pytest.raises(programme.ProgrammeDataError) as err:
        programme.goal_indicators(folder)
    msg = str(err.value)
    assert "goal_indicators.csv" in msg and "row 4" in msg and "'indicator'" in msg and "finns_inte" in msg


def test_broken_goal_reference_names_file_row_column(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "goal_indicators.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "goal_id"] = "stadsmiljo_boende-3.3"
    df.to_csv(path, index=False)
    with pytest.raises(programme.ProgrammeDataError, match=r"goal_indicators\.csv, row 2 .*column 'goal_id'.*3\.3"):
        programme.goal_indicators(folder)


def test_comparisons_column_is_optional_validated_and_read(tmp_path):
    import shutil

    from evalkit.paths import raw_dir

    base = tmp_path / "programme"
    shutil.copytree(raw_dir() / "programme", base)
    cat = programme.indicator_catalogue(base)
    assert programme.allows(cat, "arbetsplatser_andel", "time") and not programme.allows(cat, "arbetsplatser_andel", "areas")
    assert programme.allows(cat, "folkmangd", "areas")
    path = base / "indicators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # a row without the last column (as the README's worked example appends) allows both
    path.write_text("\n".join(lines + ["ny_andel,Ny andel,procent,andel,100,higher,Test.,Test"]) + "\n", encoding="utf-8")
    assert programme.indicator_catalogue(base).set_index("indicator").loc["ny_andel", "comparisons"] == "areas;time"
    path.write_text("\n".join(lines + ["ny_andel,Ny andel,procent,andel,100,higher,Test.,Test,grannar"]) + "\n",
                    encoding="utf-8")
    with pytest.raises(programme.ProgrammeDataError, match="comparisons"):
        programme.indicator_catalogue(base)


# --- the other programme files, read here only (issue 28) --------------------------------------

def test_the_programme_files_are_read_by_programme_with_their_types():
    cohorts = programme.cohorts()
    assert cohorts["start_year"].dtype.kind == "i" and cohorts["first_year_counted"].dtype.kind == "i"
    assert (cohorts["first_year_counted"] >= cohorts["start_year"]).all()
    assert programme.PROGRAMME_START in set(cohorts.loc[cohorts["initiative"] == "programmet", "start_year"])
    areas = programme.programme_areas()
    assert areas["level"].value_counts().to_dict() == {"stadsdel": 21, "stadsdelsomrade": 6}
    quantities = programme.quantities()
    assert list(quantities.columns) == ["indicator", "part", "quantity", "count"] and (quantities.map(type) == str).all().all()
    config = programme.index_indicators()
    assert config["weight"].dtype.kind in "if" and set(config["risk_when"]) <= {"high", "low"}


def test_cohorts_and_index_configuration_can_come_from_another_file(tmp_path):
    path = tmp_path / "kohorter.csv"
    path.write_text("area_code,area_name,initiative,start_year,first_year_counted\nsd-husby,Husby,x,2011,2012\n",
                    encoding="utf-8")
    assert programme.cohorts(path)[["start_year", "first_year_counted"]].values.tolist() == [[2011, 2012]]
    config = tmp_path / "index.csv"
    config.write_text("indicator,domain,domain_label_sv,weight,risk_when,reversal\na,d,D,0.5,high,\n", encoding="utf-8")
    assert programme.index_indicators(config)["weight"].tolist() == [0.5]


def test_the_cohort_names_on_the_pages_give_the_years_cohorts_csv_holds():
    """present/effects names the cohorts with their start ("Järvalyftet (från hösten 2007)"); the
    words (autumn, May) are the texts' own, the years must be cohorts.csv's."""
    import re

    from evalkit.present import effects as words

    start = programme.cohorts().groupby("initiative")["start_year"].min()
    named = {k: v for k, v in words.COHORT_SV.items() if k in start.index}
    assert set(named) == set(start.index)
    for initiative, name in named.items():
        assert [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", name)] == [start[initiative]], (initiative, name)


def test_constants_used_by_contracts_live_on_the_ground_floor():
    """contracts/results checks goal links with the programme's own lists, and the effects
    contract describes ``utan_sma`` with the analysis's threshold (one value, three readers)."""
    from evalkit.analysis import effects, goals
    from evalkit.contracts import effects as effect_contract
    from evalkit.contracts.results import goal_status_schema

    columns = goal_status_schema().columns
    for column, allowed in (("direction", programme.DIRECTIONS), ("sampling", programme.SAMPLING)):
        assert set(columns[column].checks[0].statistics["allowed_values"]) == set(allowed)
    assert effects.SMALL_AREA_DENOMINATOR is programme.SMALL_AREA_DENOMINATOR
    assert f"nämnare under {programme.SMALL_AREA_DENOMINATOR})" in effect_contract.DESCRIPTIONS["specification"][0]
    assert goals.SCHOOL_GOAL == programme.SCHOOL_GOAL and programme.SCHOOL_GOAL in set(programme.goals()["goal_id"])
