"""Effect estimates in words: which caveats are named, signs and p-values as printed."""

from __future__ import annotations

import pandas as pd

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


def test_did_table_prints_minus_signs_and_small_p_values():
    did = pd.DataFrame({"indicator": ["ekonomiskt_bistand"], "cohort": ["programmet"], "specification": ["personer"],
                        "headline": [True], "estimate": [-0.5], "ci_low": [-0.9], "ci_high": [-0.1],
                        "p_value": [0.0004], "n_treated": [21], "n_areas": [117]})
    ri = pd.DataFrame({"indicator": ["ekonomiskt_bistand"], "specification": ["personer"], "p_value": [0.03]})
    wild = pd.DataFrame({"indicator": ["ekonomiskt_bistand"], "specification": ["personer"], "p_value": [0.041]})
    row = effects.did_table_sv(did, ri, wild, "ekonomiskt_bistand").iloc[0]
    assert row["Skattning"] == "\u22120,50 procentenheter"
    assert row["95 % konfidensintervall"] == "\u22120,90 till \u22120,10"
    assert row["p (klustrat)"] == "<\u00a00,001" and row["p (randomisering)"] == "0,030"
    assert row["Specifikation"].endswith("huvudskattning") and row["Behandlade av alla områden"] == "21 av 117"
