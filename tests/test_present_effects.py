"""Effect estimates in words: which caveats are named, signs and p-values as printed."""

from __future__ import annotations

import pandas as pd

from evalkit.analysis import inference, synth
from evalkit.present import effects


def test_covid_and_refugee_caveats_depend_on_the_years():
    keys = set(effects.threats_sv("ekonomiskt_bistand", years=(2007, 2020))["nyckel"])
    assert {"covid", "flyktingmottagande", "tidigare_arbete", "spridning", "sma_tal"} <= keys
    early = set(effects.threats_sv("ekonomiskt_bistand", years=(2007, 2014))["nyckel"])
    assert "covid" not in early and "flyktingmottagande" not in early
    assert "sma_tal" not in set(effects.threats_sv("anmalda_brott", level="stadsdelsomrade")["nyckel"])


def test_pretrend_p_is_cited_with_a_verdict():
    text = effects.threats_sv("ekonomiskt_bistand", pretrend_p=0.012).set_index("nyckel").loc["regression", "beskrivning"]
    assert "p = 0,012 – förtrenderna är inte parallella" in text


def _did_row(**kw):
    row = {"indicator": "ekonomiskt_bistand", "cohort": "programmet", "specification": "personer",
           "estimator": "twfe_tidigare", "headline": True, "estimate": -0.5, "se": 0.2, "ci_low": -0.9,
           "ci_high": -0.1, "p_value": 0.0004, "n_treated": 21, "n_areas": 117, "n_clusters": 14,
           "n_treated_clusters": 6, "p_headline": 0.03, "p_method": "ri", "p_floor": 1 / 3003,
           "wcb_ci_low": -1.2, "wcb_ci_high": 0.0009, "mde": 0.61, "first_year": 2015, "year_first": 2007,
           "year_last": 2020, "warnings": "few_treated_clusters;crv1_not_headlined"}
    row.update(kw)
    return row


def test_did_table_prints_minus_signs_floors_and_the_rule_not_crv1():
    """The p-value shown is the one the few-cluster rule lets lead (randomisation, not the
    clustered 0,0004), the interval is the bootstrap's with an upper end that does not round to
    0, and no p-value is ever printed as "< 0,001"."""
    did = pd.DataFrame([_did_row()])
    row = effects.did_table_sv(did, None, None, "ekonomiskt_bistand").iloc[0]
    assert row["Skattning"] == "\u22120,50 procentenheter"
    assert row["95 % intervall"] == "\u22121,20 till 0,001"   # not "0,00"
    assert row["p"] == "0,030" and "lottat" in row["p beräknat med"]
    assert row["Specifikation"].endswith("huvudskattning") and row["Behandlade stadsdelsområden av alla"] == "6 av 14"
    assert row["Minsta upptäckbara effekt"] == "0,61 procentenheter"
    low = pd.DataFrame([_did_row(p_headline=1 / 3003)])
    assert effects.did_table_sv(low, None, None, "ekonomiskt_bistand").iloc[0]["p"] == "\u2264\u00a00,001"
    none = pd.DataFrame([_did_row(p_method="none", p_headline=float("nan"))])
    assert effects.did_table_sv(none, None, None, "ekonomiskt_bistand").iloc[0]["p"] == ".."
    assert effects._p(0.0004) != "<\u00a00,001" and effects._p(1 / 13, 1 / 13) == "\u2264\u00a00,077"


def test_readings_follow_the_decision_table():
    """A reading never says 'larger than chance' beside a p or an interval that says otherwise,
    and the units come from the catalogue (crime is per 1 000 inhabitants, not a share)."""
    clear = _did_row(p_headline=0.01, wcb_ci_high=-0.05)
    mixed = _did_row(p_headline=0.01, wcb_ci_high=0.3)
    none = _did_row(p_headline=0.4, wcb_ci_high=0.3)
    assert [inference.verdict(pd.Series(r)) for r in (clear, mixed, none)] == ["clear", "methods_differ", "unclear"]
    assert inference.verdict(pd.Series(_did_row(p_method="none", p_headline=float("nan")))) == "no_test"
    others = [dict(_did_row(p_headline=0.4, wcb_ci_high=0.3), specification=s, headline=False)
              for s in ("omraden", "utan_sma")]
    text = effects.did_reading_sv(pd.DataFrame([clear] + others), "ekonomiskt_bistand", "procent")
    assert effects.VERDICT_SV["clear"] in text and "en förbättring" in text
    assert "Med 6 behandlade stadsdelsområden av 14" in text and "0,61 procentenheter" in text
    assert "Slutsatsen beror på hur områdena vägs" in text and "med utan" not in text
    crime = [dict(r, indicator="anmalda_brott") for r in [none] + others]
    ctext = effects.did_reading_sv(pd.DataFrame(crime), "anmalda_brott", "per 1 000 invånare")
    assert "per 1 000 invånare" in ctext and effects.VERDICT_SV["unclear"] in ctext
    assert "förbättring" not in ctext and "Flaten" not in ctext and "andelar av de boende" not in ctext


def test_pretrend_and_synth_readings_follow_the_numbers():
    assert inference.pretrend_code(0.009) == "differs" and inference.pretrend_code(0.3) == "flat"
    assert inference.pretrend_code(float("nan")) == "unknown"
    row = pd.Series({"transform": "log", "post_gap_mean": -0.1, "n_placebos": 12, "p_value_gap": 1 / 13,
                     "min_p": 1 / 13, "agree": True, "pre_rmspe": 0.01, "pre_rmspe_placebo_median": 0.01})
    text = effects.synth_reading_sv(row, "Farsta")
    assert "minsta möjliga p = 1/13" in text and "9,5 % lägre" in text and "RMSPE" not in text
    disagree = row.copy()
    disagree["agree"] = False
    assert "inget resultat redovisas som huvudresultat" in effects.synth_reading_sv(disagree, "Farsta")
    poor = row.copy()
    poor["pre_rmspe"] = 0.05
    assert "följde inte Farsta väl" in effects.synth_reading_sv(poor, "Farsta")
    clear = row.copy()
    clear["p_value_gap"] = 0.01
    assert [synth.reading_code(r) for r in (row, disagree, poor, clear)] == ["unclear", "scales_differ", "poor_fit",
                                                                             "clear"]
    assert "större än bland nästan alla placebon" in effects.synth_reading_sv(clear, "Farsta")


def test_present_effects_decides_nothing_itself():
    """The readings word codes decided in analysis: no test level or fit rule of its own."""
    import inspect

    source = inspect.getsource(effects)
    assert "ALPHA" not in source and "POOR_FIT" not in source and "< 0.05" not in source
    assert set(effects.VERDICT_SV) == set(inference.VERDICTS)
    assert set(effects.PRETREND_SV) == set(inference.PRETRENDS)


def test_a_programme_borough_without_a_synthetic_control_is_not_called_outside_the_programme(monkeypatch):
    """A programme borough whose series cannot be fitted (a share-only year: '.') gets its own
    sentence; only boroughs outside the programme are said to be outside it."""
    import pandas as pd

    from evalkit import geography, results
    from evalkit.present import effects as present_effects

    empty = pd.DataFrame({"treated": pd.Series([], dtype=str)})
    monkeypatch.setattr(results, "load", lambda name: empty)
    inside = geography.programme_boroughs()[0]
    (text,) = present_effects.synth_section(inside)
    assert "Ingen syntetisk kontroll" in text.html and "ingår inte i programmet" not in text.html
    outside = next(c for c in geography.stadsdelsomraden()["sdo_code"] if c not in geography.programme_boroughs())
    (text,) = present_effects.synth_section(outside)
    assert "ingår inte i programmet" in text.html
