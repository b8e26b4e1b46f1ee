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
    for value in (f[(area, 2006)], f[(area, 2012)], f[("stockholm", 2012)], m[(area, 2012)]):
        assert risk.fmt.number(value, 1) in text
    table = risk.trend_table(moving, fixed, area, range(2006, 2013, 6), base_year=2006)
    html = table._repr_html_()
    assert "Tensta, fast referens (staden 2006 = 100)" in html and "rörlig referens (staden samma år = 100)" in html
    assert risk.fmt.number(f[(area, 2012)], 1) in html


def test_method_page_says_which_indicators_are_evalkits_choice():
    text = method.index_method_sv()
    labels = CATALOGUE.set_index("indicator")["label_sv"]
    assert "evalkits val, inte programmets" in text
    for ind in index.load_index_config()["indicator"]:
        assert labels[ind].lower() in text
    assert "följer programmets modell" not in text
    assert f"staden {index.DEFAULT_BASE_YEAR} (programmets basår) = 100" in text
    assert "90\u00a0%-intervall" in text
