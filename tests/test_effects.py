"""Effect estimates with known answers: synthetic panels with planted effects, and the demo data
(whose generator plants -3 %/year cumulative on ekonomiskt_bistand in the 21 programme stadsdelar
from 2015, a refugee shock the other way in 2015-16, and nothing on anmalda_brott)."""

import numpy as np
import pandas as pd
import pytest

from evalkit import demo
from evalkit.analysis import effects as ef

EFFECT = 0.5


@pytest.fixture(scope="module")
def planted():
    return ef.synthetic_panel(n_treated=20, n_control=80, effect=EFFECT, sd=0.3, seed=1)


@pytest.fixture(scope="module")
def null():
    return ef.synthetic_panel(n_treated=20, n_control=80, effect=0.0, sd=0.3, seed=2)


# ---------------------------------------------------------------- synthetic panels


def test_did_finds_planted_effect_inside_its_interval(planted):
    r = ef.did(planted)
    assert r.ci_low < EFFECT < r.ci_high
    assert r.ci_low > 0
    assert abs(r.estimate - EFFECT) < 0.1
    assert (r.n_treated, r.n_control, r.years) == (20, 80, (2007, 2020))


def test_did_without_effect_covers_zero(null):
    r = ef.did(null)
    assert r.ci_low < 0 < r.ci_high
    assert r.p_value > 0.05


def test_did_with_trends_and_weights_still_finds_effect(planted):
    for kw in (dict(trends=True), dict(weights="weight"), dict(exclude_years=(2015, 2016))):
        r = ef.did(planted, **kw)
        assert r.ci_low < EFFECT < r.ci_high, kw


@pytest.mark.parametrize("kw", [dict(), dict(weights="weight"), dict(trends=True)])
def test_fast_within_path_equals_statsmodels(planted, kw):
    r = ef.did(planted, **kw)
    q = ef._prepare(planted, "y", kw.get("weights"), (), 3 if kw.get("trends") else 2)
    w = ef._Within(q, kw.get("trends", False))
    b, se = w.beta_se(w.d_tilde(ef._treated_by_area(q, w.areas)), w.y)
    assert b == pytest.approx(r.estimate, rel=1e-8)
    assert se == pytest.approx(r.se, rel=1e-6)


def test_event_study_leads_near_zero_under_parallel_trends(planted):
    es = ef.event_study(planted, reference_year=2014)
    t = es.table
    assert t.loc[t["year"] == 2014, "estimate"].item() == 0.0
    leads = t[t["period"] == "före"]
    lags = t[t["period"] == "under"]
    assert len(leads) == 7 and len(lags) == 6
    assert leads["estimate"].abs().max() < 0.2
    assert es.pretrend_p > 0.05
    assert (lags["ci_low"] < EFFECT).all() and (lags["ci_high"] > EFFECT).all()


def test_event_study_flags_diverging_pre_trends():
    p = ef.synthetic_panel(effect=0.0, pre_trend=0.08, sd=0.3, seed=3)
    es = ef.event_study(p)
    assert es.pretrend_p < 0.01
    assert es.table.query("year == 2007")["estimate"].item() < -0.3


def test_randomization_inference_p_value_range_and_power(planted, null):
    n = 99
    ri = ef.randomization_inference(planted, n_perm=n, seed=0)
    assert 1 / (n + 1) <= ri.p_value <= 1
    assert ri.p_value == pytest.approx(1 / (n + 1))
    assert len(ri.distribution) == n
    assert ri.estimate == pytest.approx(ef.did(planted).estimate)
    ri0 = ef.randomization_inference(null, n_perm=n, seed=0)
    assert 1 / (n + 1) <= ri0.p_value <= 1
    assert ri0.p_value > 0.05
    ri_t = ef.randomization_inference(null, n_perm=n, seed=0, statistic="t")
    assert 1 / (n + 1) <= ri_t.p_value <= 1


def test_randomization_inference_is_reproducible(null):
    a = ef.randomization_inference(null, n_perm=50, seed=7)
    b = ef.randomization_inference(null, n_perm=50, seed=7)
    np.testing.assert_array_equal(a.distribution, b.distribution)


@pytest.mark.parametrize("dist", ["rademacher", "webb"])
def test_wild_cluster_bootstrap(planted, null, dist):
    wb = ef.wild_cluster_bootstrap(planted, n_boot=199, seed=0, dist=dist)
    assert wb.p_value < 0.01
    assert wb.ci_low < EFFECT < wb.ci_high
    assert wb.ci_low < wb.estimate < wb.ci_high
    wb0 = ef.wild_cluster_bootstrap(null, n_boot=199, seed=0, dist=dist)
    assert wb0.p_value > 0.05
    assert wb0.ci_low < 0 < wb0.ci_high
    # interval close to the cluster-robust one when clusters are many and balanced-ish
    r = ef.did(planted)
    assert wb.ci_high - wb.ci_low == pytest.approx(r.ci_high - r.ci_low, rel=0.35)


def test_trend_band_on_exact_line():
    years = np.arange(2007, 2021)
    p = pd.DataFrame({"area": "a", "year": years, "y": 3.0 + 0.5 * (years - 2007) + 0.01 * (-1) ** years})
    band = ef.trend_band(p, "a")
    assert band.attrs["slope"] == pytest.approx(0.5, abs=0.01)
    assert (band["ci_low"] <= band["fitted"]).all() and (band["fitted"] <= band["ci_high"]).all()
    assert (band["pi_low"] <= band["ci_low"]).all()
    pre = ef.trend_band(p, "a", fit_years=(2007, 2014))
    assert pre["in_fit"].sum() == 8
    # the extrapolated band widens away from the fitted years
    width = pre["ci_high"] - pre["ci_low"]
    assert width.iloc[-1] > width.iloc[7]


def test_threats_depend_on_indicator_and_years():
    eb = ef.threats_sv("ekonomiskt_bistand", years=(2007, 2020))
    keys = set(eb["nyckel"])
    assert {"regression", "migration", "flyktingmottagande", "covid", "spridning"} <= keys
    assert "Jobbtorg" in eb.set_index("nyckel").loc["spridning", "hot"]
    crime = ef.threats_sv("anmalda_brott", years=(2007, 2014))
    assert "flyktingmottagande" not in set(crime["nyckel"]) and "covid" not in set(crime["nyckel"])
    assert {"regression", "migration"} <= set(crime["nyckel"])


def test_swedish_table_and_readings(planted):
    r = ef.did(planted)
    ri = ef.randomization_inference(planted, n_perm=19, seed=0)
    wb = ef.wild_cluster_bootstrap(planted, n_boot=99, seed=0)
    tab = ef.did_table_sv(r, ri, wb)
    assert list(tab.columns) == ["Mått", "Värde"]
    assert tab["Mått"].str.contains("randomiseringsinferens").any()
    assert tab["Mått"].str.contains("wild cluster bootstrap").any()
    assert "," in tab.iloc[0, 1]  # decimal comma
    for obj in (r, ri, wb, ef.event_study(planted)):
        text = ef.reading_sv(obj)
        assert isinstance(text, str) and len(text) > 80
    assert "parallell" in ef.reading_sv(r)


# ---------------------------------------------------------------- demo data (planted truth)


@pytest.fixture(scope="module")
def eb(tidy):
    return ef.panel(tidy, "ekonomiskt_bistand")


@pytest.fixture(scope="module")
def crime(tidy):
    return ef.panel(tidy, "anmalda_brott")


def test_demo_panel_shape(eb):
    assert eb["treated"].groupby(eb["area"]).first().sum() == 21
    assert eb["year"].min() == 2007 and eb["year"].max() == 2020
    assert set(eb.loc[eb["year"] >= 2015, "post"]) == {1}


def test_demo_ekonomiskt_bistand_did_is_negative(eb):
    """Default spec (levels, each stadsdel equal, 2007-2020): the planted reduction shows
    although the refugee shock (+6 %, +10 % in 2015-16) pulls the other way."""
    assert demo.PLANTED_EFFECT_EKONOMISKT_BISTAND < 0
    r = ef.did(eb)
    assert r.estimate < 0 and r.ci_high < 0
    assert (r.n_treated, r.n_control) == (21, 94)
    # leaving out the refugee years makes the estimate more negative
    assert ef.did(eb, exclude_years=(2015, 2016)).estimate < r.estimate
    ri = ef.randomization_inference(eb, n_perm=199, seed=0)
    assert ri.p_value < 0.05
    wb = ef.wild_cluster_bootstrap(eb, n_boot=199, seed=0)
    assert wb.p_value < 0.05 and wb.ci_high < 0


def test_demo_ekonomiskt_bistand_log_scale_needs_trends(eb):
    """On the log scale the programme stadsdelar diverge upwards already 2007-2014 (the generator
    lets the deprived areas lose ground); the event study must flag it, and with area trends (and
    the refugee years left out) the estimate is negative and covers the planted mean effect."""
    es = ef.event_study(eb, outcome="log")
    assert es.pretrend_p < 0.05
    r = ef.did(eb, outcome="log", trends=True, exclude_years=(2015, 2016))
    planted = np.mean([np.log(1 + demo.PLANTED_EFFECT_EKONOMISKT_BISTAND) * k for k in range(3, 7)])
    assert r.ci_high < 0
    assert r.ci_low < planted < r.ci_high


def test_demo_anmalda_brott_no_effect(crime):
    assert demo.PLANTED_EFFECT_ANMALDA_BROTT == 0
    r = ef.did(crime)
    assert r.ci_low < 0 < r.ci_high
    assert ef.randomization_inference(crime, n_perm=99, seed=0).p_value > 0.05
    r_log = ef.did(crime, outcome="log", trends=True)
    assert r_log.ci_low < 0 < r_log.ci_high
    # without trends the log DiD would pick up the pre-trend; the event study says so
    assert ef.event_study(crime, outcome="log").pretrend_p < 0.05


def test_demo_borough_panel(tidy):
    p = ef.panel(tidy, "ekonomiskt_bistand", level="stadsdelsomrade")
    areas = p.groupby("area")["treated"].first()
    assert len(areas) == 14 and areas.sum() == 6
