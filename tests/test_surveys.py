"""Survey results: reader with eras, suppression, Wilson intervals, seeded generator."""

import math

import pytest

from evalkit import clean, demo_inputs
from evalkit.analysis import surveys

HEADER = "Undersökning;Fråga;Område;Områdesnivå;År;Antal svarande;Andel (%);Status;Källa\n"


def read(path=None):
    """Survey results read as `evalkit clean` reads them (reader, then contract); default the bundled file."""
    return clean.read_input(path or clean.listed_path("surveys"), "surveys")


def write(tmp_path, body, encoding="utf-8"):
    path = tmp_path / "enkat.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    return path


@pytest.fixture(scope="module")
def bundled():
    return read()


def test_bundled_file_meets_the_contract(bundled):
    data = bundled.data
    assert bundled.reconciles() and bundled.quarantine.empty
    assert set(data["survey"]) == {"trygghetsmatning", "medborgarundersokning"}
    assert data["source"].str.contains("demodata").all()
    mu = data[data["survey"] == "medborgarundersokning"]
    assert (mu["area_level"] == "stadsdelsomrade").all()
    assert mu[mu["year"] == 2015]["area_code"].nunique() == 14
    assert mu[mu["year"] == 2020]["area_code"].nunique() == 13
    assert (data.loc[data["status"] == "x", "n"] < 10).all() and data.loc[data["status"] != "", "value"].isna().all()


def test_with_confidence_wilson_sanity(bundled):
    out = surveys.with_confidence(bundled.data)
    ok = out[out["value"].notna()]
    assert (ok["ci_low"] <= ok["value"] + 1e-9).all() and (ok["value"] <= ok["ci_high"] + 1e-9).all()
    assert ((ok["ci_low"] >= 0) & (ok["ci_high"] <= 100)).all()
    assert out.loc[out["value"].isna(), ["ci_low", "ci_high"]].isna().all().all()
    assert (out["too_uncertain"] == ~(out["n"].astype("float") >= 30)).all()
    assert out["too_uncertain"].any() and not out["too_uncertain"].all()


def test_wilson_against_the_formula(tmp_path):
    body = ("Trygghetsmätningen;otrygg_kvall;Tensta;stadsdel;2015;200;25,0;;k\n"
            "Trygghetsmätningen;otrygg_kvall;Husby;stadsdel;2015;20;0,0;;k\n"
            "Trygghetsmätningen;otrygg_kvall;Akalla;stadsdel;2015;5;x;x;k\n")
    data = read(write(tmp_path, body)).data
    out = surveys.with_confidence(data).set_index("area_code")
    # Wilson by hand for 50 of 200
    n, p, z = 200, 0.25, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert out.loc["sd-tensta", "ci_low"] == pytest.approx(100 * (centre - half))
    assert out.loc["sd-tensta", "ci_high"] == pytest.approx(100 * (centre + half))
    # 0 of 20: Wilson gives a non-degenerate upper bound, flagged too uncertain
    assert out.loc["sd-husby", "ci_low"] == pytest.approx(0, abs=1e-9) and out.loc["sd-husby", "ci_high"] > 10
    assert out.loc["sd-husby", "too_uncertain"]
    assert math.isnan(out.loc["sd-akalla", "ci_low"]) and out.loc["sd-akalla", "status"] == "x"
    wider = surveys.with_confidence(data, level=0.99).set_index("area_code")
    assert wider.loc["sd-tensta", "ci_low"] < out.loc["sd-tensta", "ci_low"]
    with pytest.raises(ValueError):
        surveys.with_confidence(data, level=95)


def test_malformed_rows_and_eras(tmp_path):
    body = ("Medborgarundersökningen;nojd;Hägersten-Älvsjö stadsdelsområde;stadsdelsområde;2021;300;80,0;;k\n"  # 2 ok
            "Medborgarundersökningen;nojd;Hägersten-Älvsjö stadsdelsområde;stadsdelsområde;2015;300;80,0;;k\n"  # 3 era
            "Medborgarundersökningen;nojd;Älvsjö stadsdelsområde;stadsdelsområde;2015;300;80,0;;k\n"            # 4 ok
            "Trygghetsmätningen;otrygg;Tensat;stadsdel;2015;100;20,0;;k\n"                                      # 5 unknown
            "Trygghetsmätningen;otrygg;Tensta;stadsdel;2015;100;120,0;;k\n"                                     # 6 > 100
            "Trygghetsmätningen;otrygg;Tensta;stadsdel;2015;många;20,0;;k\n"                                    # 7 n text
            "Väderenkäten;otrygg;Tensta;stadsdel;2015;100;20,0;;k\n"                                            # 8 survey
            "Trygghetsmätningen;otrygg;Tensta;stadsdel;2015;100;20,0;;k\n"                                      # 9 ok
            "Trygghetsmätningen;otrygg;Tensta;stadsdel;2015;100;20,0;;k\n")                                     # 10 dup
    result = read(write(tmp_path, body, "cp1252"))
    q = result.quarantine.drop_duplicates("row_number").set_index("row_number")
    assert set(q.index) == {3, 5, 6, 7, 8, 10}
    assert q.loc[3, "column"] == "area" and "2007" in q.loc[3, "reason"]
    assert q.loc[5, "column"] == "area" and q.loc[6, "column"] == "value" and q.loc[7, "column"] == "n"
    assert q.loc[8, "column"] == "survey" and "dubblett" in q.loc[10, "reason"]
    assert sorted(result.data["area_code"]) == ["sd-tensta", "sdo-alvsjo", "sdo-hagersten-alvsjo"]
    assert result.rows_read == 9 and result.reconciles()


def test_generator_is_deterministic():
    a = demo_inputs.survey_text(seed=3)
    assert a == demo_inputs.survey_text(seed=3) and a != demo_inputs.survey_text(seed=4)
    assert clean.listed_path("surveys").read_bytes() == demo_inputs.survey_text().encode("utf-8")


# --- issue 25: respondents agreeing are protected counts ------------------------------------------

def _survey(rows):
    import pandas as pd

    return pd.DataFrame([{"survey": "trygghetsmatning", "question": "otrygg_kvall", "area_code": a,
                          "area_level": "stadsdel" if a.startswith("sd-") else "stadsdelsomrade", "year": 2019,
                          "n": n, "value": v, "status": "", "source": "test"} for a, n, v in rows])


def test_a_hidden_base_hides_the_share_and_its_interval():
    """n = 3 shown as x gave itself away through the Wilson bounds (6,1–79,2)."""
    out = surveys.with_confidence(surveys.protect(_survey([("sd-orhem", 3, 33.3), ("sd-sundby", 200, 40.0)])))
    orhem, sundby = out.iloc[0], out.iloc[1]
    assert orhem["status"] == "x" and orhem["value"] != orhem["value"] and orhem["ci_low"] != orhem["ci_low"]
    assert sundby["status"] == "" and sundby["ci_low"] > 0


def test_one_respondent_of_thirteen_is_hidden():
    out = surveys.protect(_survey([("sd-orhem", 13, 7.7), ("sd-flysta", 13, 92.3), ("sd-lunda", 13, 38.5)]))
    assert list(out["status"]) == ["x", "x", ""]             # 1 of 13 agree; 12 of 13 leave 1 who does not


def test_a_borough_that_sums_its_stadsdelar_gets_a_second_hidden_member():
    members = [("sd-bromsten", 100, 2.0), ("sd-flysta", 150, 40.0), ("sd-lunda", 120, 30.0),
               ("sd-solhem", 130, 50.0), ("sd-sundby", 110, 20.0), ("sd-tensta", 300, 35.0)]
    total = ("sdo-spanga-tensta", sum(n for _, n, _ in members), 33.6)
    out = surveys.protect(_survey(members + [total])).set_index("area_code")
    assert out.loc["sd-bromsten", "status"] == "x"           # 2 of 100
    assert (out["status"] == "x").sum() == 2 and out.loc["sdo-spanga-tensta", "status"] == ""
    assert out.loc["sd-sundby", "status"] == "x"             # the next smallest member
