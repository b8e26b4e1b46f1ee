"""The index in words and tables: years compared with a fixed reference, the method page's claims."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit import aggregate
from evalkit.analysis import index
from evalkit.present import method, risk
from test_index import CATALOGUE, synthetic_tidy


def _risks_up_everywhere() -> pd.DataFrame:
    """2012 = 2006 with every high-risk numerator 1.5 times larger, in every stadsdel alike."""
    base = synthetic_tidy(seed=3, years=(2006,))
    base = base[base["area_level"] == "stadsdel"]
    later = base.assign(year=2012)
    high = later["indicator"].isin(index.load_index_config().query("risk_when == 'high'")["indicator"])
    later.loc[high, "numerator"] *= 1.5
    return aggregate.add_aggregates(pd.concat([base, later], ignore_index=True), CATALOGUE)


def test_a_city_wide_rise_shows_only_with_the_fixed_reference():
    tidy = _risks_up_everywhere()
    moving = index.index_table(tidy)
    fixed = index.index_table(tidy, reference="fixed", base_year=2006)
    area = "sd-tensta"
    m = moving.set_index(["area_code", "year"])["total"]
    f = fixed.set_index(["area_code", "year"])["total"]
    # relative to the city the same year nothing moved; against the city 2006 risks rose
    assert np.isclose(m[(area, 2006)], m[(area, 2012)])
    assert f[(area, 2012)] > f[(area, 2006)]
    assert np.isclose(f[("stockholm", 2006)], 100) and f[("stockholm", 2012)] > 100
    text = risk.trend_sentence_sv(moving, fixed, area, 2006, 2012, base_year=2006)
    assert text.startswith("Mätt mot en fast referens (staden 2006 = 100) gick totalindexet för Tensta från ")
    for value in (f[(area, 2006)], f[(area, 2012)], f[("stockholm", 2012)]):
        assert risk.fmt.number(value, 1) in text
    table = risk.trend_table(moving, fixed, area, range(2006, 2013, 6), base_year=2006)
    html = table._repr_html_()
    # one index per question: the table over time is the fixed one only, its reference in the caption
    assert "(staden 2006 = 100)" in table.caption and "samma år" not in html
    assert risk.fmt.number(f[(area, 2012)], 1) in html
    # the two questions, each with its one figure and its reference
    box = risk.index_questions(moving, fixed, area, 2012, base_year=2006)
    assert f"Tensta {risk.fmt.number(m[(area, 2012)], 1)} år 2012 (staden samma år = 100)" in box.text
    assert (f"Tensta {risk.fmt.number(f[(area, 2006)], 1)} år 2006 och {risk.fmt.number(f[(area, 2012)], 1)} år 2012 "
            "(staden 2006 = 100)") in box.text
    # the domain chart and its table show the same numbers
    chart = risk.domain_chart(fixed, area, (2006, 2012), base_year=2006)
    change = risk.domain_change_table(fixed, area, (2006, 2012), 2006)
    for value in change.frame[["2006", "2012"]].to_numpy().ravel():
        assert value in chart.alt


def test_method_page_says_which_indicators_are_evalkits_choice():
    text = method.index_method_sv()
    labels = CATALOGUE.set_index("indicator")["label_sv"]
    assert "evalkits val, inte programmets" in text
    for ind in index.load_index_config()["indicator"]:
        assert labels[ind].lower() in text
    assert "följer programmets modell" not in text
    assert f"staden {index.DEFAULT_BASE_YEAR} (programmets basår) = 100" in text
    assert "90\u00a0%-intervall" in text


# --- ranks and dominance in words (analysis gives numbers, these functions word them) ----------

def test_rank_sentence_when_band_and_variants_agree_and_when_they_do_not():
    row = {"area_name": "Tensta", "level": "stadsdel", "n_ranked": 68, "coverage": 0.9, "rank": 1,
           "rank_median": 1, "rank_low": 1, "rank_high": 1, "rank_min_variant": 1, "rank_max_variant": 1}
    assert risk.rank_sentence_sv(row) == ("Tensta rankas 1:a av 68 stadsdelar med index, i alla metodvarianter "
                                          "och i hela 90\u00a0%-intervallet.")
    row = {"area_name": "Rinkeby", "level": "stadsdelsomrade", "n_ranked": 14, "coverage": 0.9, "rank": 4,
           "rank_median": 5, "rank_low": 3, "rank_high": 9, "rank_min_variant": 4, "rank_max_variant": 6}
    s = risk.rank_sentence_sv(pd.Series(row))
    assert s == ("Rinkeby rankas 4:e av 14 stadsdelsområden med index; 90\u00a0%-intervall 3:e–9:e (median 5:e), "
                 "metodvarianter 4:e–6:e: inte särskiljbart från områden med rang inom intervallet.")
    row.update(rank_low=4, rank_high=4, rank_median=4, rank_min_variant=2, rank_max_variant=4)
    assert "90\u00a0%-intervall 4:e–4:e (median 4:e), metodvarianter 2:a–4:e" in risk.rank_sentence_sv(row)


def test_rank_text_of_a_rank_table():
    """An area with a rank gets its sentence, one in the table without a rank none, one not in the
    table the note that it has no index; the stored rank table itself holds no Swedish."""
    from evalkit.analysis import robustness

    tidy = synthetic_tidy(seed=4, years=(2012,))
    ranks = robustness.rank_intervals(tidy, 2012, n_boot=20, seed=1)
    assert not any(c.endswith("_sv") for c in ranks.columns)
    first = ranks.iloc[0]
    text = risk.rank_text(ranks, first["area_code"])
    assert text.startswith(f"{first['area_name']} rankas 1:a av {int(first['n_ranked'])} stadsdelar med index")
    unranked = ranks.assign(rank=pd.array([pd.NA] * len(ranks), dtype="Int64"))
    assert risk.rank_text(unranked, first["area_code"]) == ""
    assert risk.rank_text(ranks, "sd-finns-inte") == risk.NO_INDEX_SV


def test_variant_labels_in_swedish():
    assert risk.variant_label_sv("utan_ohalsotal") == "Utan ohalsotal"
    assert risk.variant_label_sv("geometrisk") == "Geometriskt medel"


def test_dominance_warning_words_the_numbers_of_a_flagged_indicator():
    row = {"year": 2012, "indicator": "ekonomiskt_bistand", "dominates": True, "reorders": True,
           "variance_share": 0.62, "nominal_weight": 0.125, "ratio_min": 12.0, "ratio_max": 950.0,
           "rank_corr_without": 0.8123}
    text = risk.dominance_warning_sv(row, "andel med ekonomiskt bistånd")
    assert text.startswith("Varning (2012): andel med ekonomiskt bistånd (ekonomiskt_bistand) väger tungt")
    assert "62\u00a0% av totalindexets variation" in text and "13\u00a0% av vikten" in text
    assert "från 0,1 till 9,5 gånger stadens nivå" in text
    assert "Rangordningen ändras märkbart utan den (rangkorrelation 0,812)" in text
    calm = dict(row, reorders=False)
    assert "Rangordningen ändras dock lite utan den" in risk.dominance_warning_sv(calm, "x")
    assert risk.dominance_warning_sv(dict(row, dominates=False), "x") == ""
