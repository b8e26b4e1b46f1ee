"""The method page: rules stated with the numbers the code uses."""

from __future__ import annotations

from evalkit import programme
from evalkit.analysis import index
from evalkit.present import method

NBSP = "\u00a0"
AUDIT = {"cells": 86346, "cells_hidden": 3537, "quantities_hidden": 3000, "hidden_small_counts": 1524,
         "narrowest_small_interval": 5, "breaches_exact": 0, "breaches_narrow": 0, "breaches_complement": 0,
         "breaches_published_small": 0, "breaches_composite": 0,
         "log_rows": {"primary": 2558, "secondary": 979, "composite": 900}}


def test_disclosure_text_follows_the_threshold():
    text = method.disclosure_sv(AUDIT)
    assert text.startswith(f"Inga antal under {programme.DISCLOSURE_THRESHOLD} visas")
    assert f"från 1 till {programme.DISCLOSURE_THRESHOLD - 1}" in text
    assert f"3{NBSP}537 av 86{NBSP}346 uppgifter" in text and "fann 0 brott" in text
    other = method.disclosure_sv(AUDIT, threshold=3)
    assert other.startswith("Inga antal under 3 visas") and "från 1 till 2" in other


def test_disclosure_table_labels_the_small_counts_by_the_threshold():
    frame = method.disclosure_table(AUDIT).frame.set_index("Röjandeskydd")
    assert frame.loc[f"– varav små antal (1–{programme.DISCLOSURE_THRESHOLD - 1})", "Antal"] == f"1{NBSP}524"
    assert frame.loc["Dolda uppgifter", "Antal"] == f"3{NBSP}537"


def test_index_weights_in_swedish_number_format():
    frame = method.index_config_table().frame
    config = index.load_index_config()
    assert len(frame) == len(config)
    assert all("." not in w for w in frame["Vikt"])


def test_goal_table_lists_every_goal_with_its_indicators():
    frame = method.goal_table().frame
    assert len(frame) == len(programme.goals())
    assert frame["Indikator och riktning"].str.contains("minst i nivå med riket").any()


def test_indicator_table_lists_the_catalogue():
    assert len(method.indicator_table().frame) == len(programme.indicator_catalogue())


def test_the_audit_scope_says_what_is_covered_and_what_not():
    """Issue 25: the intruder section says it covers this publication and the last N, and what not."""
    text = method.audit_scope_sv({"earlier_publications": 2}, kept=3)
    assert "de 3 senaste" in text and "2 tidigare publiceringar ingick" in text
    assert "täcker inte" in text and "äldre än de 3 senaste" in text
    assert "färre än 10 elever" in text and "konfidensintervallet" in text
    assert "ingen tidigare publicering fanns" in method.audit_scope_sv({}, kept=3)
    assert "1 tidigare publicering ingick" in method.audit_scope_sv({"earlier_publications": 1})


def test_glossary_explains_each_term_and_finds_it_in_text():
    from evalkit.present import glossary

    (box,) = method.glossary_section()
    assert 'id="ordlista"' in box.html
    for term in glossary.GLOSSARY_SV:
        assert term.meaning.endswith(".") and term.meaning in box.text
    text = "Syntetisk kontroll med pre-RMSPE 0,17 och wild bootstrap."
    assert set(glossary.unexplained(text, {"Syntetisk kontroll"})) == {"Wild bootstrap", "Förhandsanpassning (RMSPE)"}
