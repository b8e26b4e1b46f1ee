"""Effect estimates with known answers: synthetic panels with planted effects, and the demo data
(whose generator plants -3 %/year cumulative on ekonomiskt_bistand in the 21 programme stadsdelar
from 2015, a refugee shock the other way in 2015-16, and nothing on anmalda_brott)."""

import numpy as np
import pandas as pd
import pytest

from evalkit import demo
from evalkit.analysis import effects as ef
from evalkit.present import effects as pe

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


def _statsmodels_did(q, trends=False):
    """Reference: the dummy-variable regression in statsmodels, CR1 clustered by area."""
    import statsmodels.formula.api as smf

    f = "_y ~ d + C(area) + C(year)" + (" + C(area):_t" if trends else "")
    groups = pd.factorize(q["area"])[0]
    return smf.wls(f, data=q, weights=q["_w"]).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


@pytest.mark.parametrize("kw", [dict(), dict(weights="weight")])
def test_pyfixest_did_equals_statsmodels_and_fast_path(planted, kw):
    """Known answer 'computed another way': pyfixest's estimate equals statsmodels' dummy regression
    to 1e-8; the standard errors differ only by the documented small-sample factor (statsmodels
    counts the G area dummies in K, pyfixest does not: they are nested in the clusters)."""
    r = ef.did(planted, **kw)
    q = ef._prepare(planted, "y", kw.get("weights"), (), 2)
    ref = _statsmodels_did(q)
    assert r.estimate == pytest.approx(float(ref.params["d"]), rel=1e-8)
    N, G, T = len(q), q["area"].nunique(), q["year"].nunique()
    k_pf, k_sm = 1 + (T - 1), 1 + (T - 1) + G
    factor = np.sqrt((N - k_pf) / (N - k_sm))
    # tolerance 0.2 %: pyfixest's exact count of the year effects in K differs by one from this sketch
    assert float(ref.bse["d"]) == pytest.approx(r.se * factor, rel=2e-3)
    w = ef._Within(q, False)
    b, se = w.beta_se(w.d_tilde(ef._treated_by_area(q, w.areas)), w.y)
    assert b == pytest.approx(r.estimate, rel=1e-8)
    assert se == pytest.approx(float(ref.bse["d"]), rel=1e-6)


def test_pyfixest_event_study_equals_statsmodels(planted):
    import statsmodels.formula.api as smf

    es = ef.event_study(planted)
    q = ef._prepare(planted, "y", None)
    for yr in range(2007, 2021):
        if yr != 2014:
            q[f"ev_{yr}"] = (q["treated"] * (q["year"] == yr)).astype(float)
    names = [f"ev_{yr}" for yr in range(2007, 2021) if yr != 2014]
    ref = smf.ols("_y ~ " + " + ".join(names) + " + C(area) + C(year)", data=q).fit()
    got = es.table.set_index("year")["estimate"]
    for yr in range(2007, 2021):
        if yr != 2014:
            assert got[yr] == pytest.approx(float(ref.params[f"ev_{yr}"]), abs=1e-8)


def test_wildboottest_library_and_own_wcr_agree(planted, null):
    for p in (planted, null):
        lib = ef.wild_cluster_bootstrap(p, n_boot=999, seed=1, ci=False)
        own = ef.wild_cluster_bootstrap(p, n_boot=999, seed=1, ci=False, library=False)
        assert lib.method == "wildboottest" and own.method == "evalkit"
        assert lib.t_stat == pytest.approx(own.t_stat)
        # Monte Carlo error of a p-value from 999 draws: sd <= 0.016
        assert abs(lib.p_value - own.p_value) < 0.05
    assert ef.wild_cluster_bootstrap(planted, n_boot=99, seed=1, weights="weight", ci=False).method == "evalkit"


# ---------------------------------------------------------------- staggered adoption


def staggered_panel(effects_by_cohort, growth=0.0, sd=0.2, n_per=10, n_never=60, years=(2006, 2020), seed=0):
    """Cohorts starting 2008/2010/2014 with constant (plus ``growth`` per year since start) effects."""
    rng = np.random.default_rng(seed)
    rows, first = [], []
    units = [(g, i) for g in effects_by_cohort for i in range(n_per)] + [(0, i) for i in range(n_never)]
    yfx = {y: v for y, v in zip(range(years[0], years[1] + 1), np.cumsum(rng.normal(0, 0.2, years[1] - years[0] + 1)))}
    for k, (g, i) in enumerate(units):
        a = rng.normal(0, 1) + (1.0 if g else 0.0)
        name = f"u{k:03d}"
        if g:
            first.append((name, f"c{g}", g))
        for y in range(years[0], years[1] + 1):
            te = (effects_by_cohort[g] + growth * (y - g)) if g and y >= g else 0.0
            rows.append((name, name, y, a + yfx[y] + te + rng.normal(0, sd), 1000.0, int(bool(g)), int(y >= 2015)))
    p = pd.DataFrame(rows, columns=["area", "area_name", "year", "y", "weight", "treated", "post"])
    p["log_y"] = np.nan
    p["d"] = p["treated"] * p["post"]
    p.attrs.update({"indicator": "syntetisk", "start": 2015})
    return p, pd.DataFrame(first, columns=["area", "cohort", "first_year"]).drop_duplicates()


PLANTED_COHORTS = {2008: 1.0, 2010: -0.5, 2014: 2.0}


def test_cohort_effects_recover_planted_staggered_effects():
    p, first = staggered_panel(PLANTED_COHORTS, seed=3)
    ce = ef.cohort_effects(p, first).set_index("cohort")
    for g, eff in PLANTED_COHORTS.items():
        row = ce.loc[f"c{g}"]
        assert row["ci_low"] < eff < row["ci_high"], g
        assert abs(row["estimate"] - eff) < 0.15
        assert row["n_treated"] == 10
    assert ce.loc[ef.ALL_COHORTS, "n_treated"] == 30


def test_cohort_effects_null_staggered_panel_covers_zero():
    p, first = staggered_panel({2008: 0.0, 2010: 0.0, 2014: 0.0}, seed=4)
    ce = ef.cohort_effects(p, first)
    assert ((ce["ci_low"] < 0) & (0 < ce["ci_high"])).all()


def test_did2s_equals_imputation_by_hand_with_statsmodels():
    """Known answer computed another way: Borusyak–Jaravel–Spiess imputation with statsmodels (fit
    area and year effects on untreated area-years, average treated residuals per cohort) gives the
    same point estimates as pyfixest's did2s."""
    import statsmodels.formula.api as smf

    p, first = staggered_panel(PLANTED_COHORTS, growth=0.1, seed=5)
    ce = ef.cohort_effects(p, first).set_index("cohort")
    g = p["area"].map(first.set_index("area")["first_year"]).fillna(0)
    treated = (g > 0) & (p["year"] >= g)
    fit = smf.ols("y ~ C(area) + C(year)", data=p[~treated]).fit()
    tau = p.loc[treated, "y"] - fit.predict(p[treated])
    by = tau.groupby(p.loc[treated, "area"].map(first.set_index("area")["cohort"])).mean()
    for c, v in by.items():
        assert ce.loc[c, "estimate"] == pytest.approx(v, abs=1e-6)
    assert ce.loc[ef.ALL_COHORTS, "estimate"] == pytest.approx(tau.mean(), abs=1e-6)


def test_twfe_is_biased_with_growing_staggered_effects_but_did2s_is_not():
    """Why a heterogeneity-robust estimator: with effects that grow, a single staggered TWFE
    coefficient uses treated cohorts as controls and misses the ATT; did2s recovers it."""
    import statsmodels.formula.api as smf

    p, first = staggered_panel({2008: 0.0, 2010: 0.0, 2014: 0.0}, growth=0.5, seed=6, sd=0.1)
    g = p["area"].map(first.set_index("area")["first_year"]).fillna(0)
    p["D"] = ((g > 0) & (p["year"] >= g)).astype(float)
    att = float((0.5 * (p["year"] - g))[p["D"] == 1].mean())
    twfe = float(smf.ols("y ~ D + C(area) + C(year)", data=p).fit().params["D"])
    robust = float(ef.cohort_effects(p, first).set_index("cohort").loc[ef.ALL_COHORTS, "estimate"])
    assert abs(robust - att) < 0.1
    assert abs(twfe - att) > 0.5


def test_cohort_event_study_paths():
    p, first = staggered_panel(PLANTED_COHORTS, seed=7)
    es = ef.cohort_event_study(p, first)
    assert set(es["cohort"]) == {"c2008", "c2010", "c2014"}
    ref = es[es["period"] == "referens"]
    assert (ref["relative"] == -1).all() and (ref["estimate"] == 0).all()
    for g, eff in PLANTED_COHORTS.items():
        post = es[(es["cohort"] == f"c{g}") & (es["period"] == "under")]
        pre = es[(es["cohort"] == f"c{g}") & (es["period"] == "före")]
        assert abs(post["estimate"].mean() - eff) < 0.2
        assert abs(pre["estimate"]).max() < 0.5


def test_cohorts_file_is_read_from_the_programme_texts():
    c = ef.cohorts()
    assert {"jarvalyftet", "vision_soderort", "vision_hasselby_vallingby", "programmet"} <= set(c["initiative"])
    assert c["source_quote"].str.len().min() > 20 and c["reading"].str.len().min() > 20
    texts = {}
    from pathlib import Path

    folder = Path("/work/shared/programme")
    for _, r in c.iterrows():
        assert r["start_year"] <= r["first_year_counted"] <= r["start_year"] + 1
        if folder.exists():
            txt = texts.setdefault(r["source_file"], " ".join((folder / r["source_file"]).read_text().split()))
            assert " ".join(r["source_quote"].split()).replace("- ", "-")[:40] in txt.replace("- ", "-"), r["area_code"]
    first = ef.first_treatment(c).set_index("area")
    assert first.loc["sd-rinkeby", "first_year"] == 2008
    assert first.loc["sd-bredang", "first_year"] == 2010
    assert first.loc["sd-grimsta", "first_year"] == 2014
    assert set(c.loc[c["initiative"] == "programmet", "area_code"]) == set(__import__("evalkit").geography.programme_stadsdelar())


def test_specifications_drop_small_areas_and_weight(tidy):
    base = ef.panel(tidy, "sysselsattning")
    small, w = ef.specification(base, "utan_sma")
    assert w is None and small["weight"].min() >= ef.SMALL_AREA_DENOMINATOR
    assert small["area"].nunique() < base["area"].nunique()
    assert ef.specification(base, "personer")[1] == "weight"


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
    eb = pe.threats_sv("ekonomiskt_bistand", years=(2007, 2020))
    keys = set(eb["nyckel"])
    assert {"tidigare_arbete", "regression", "migration", "flyktingmottagande", "covid", "spridning"} <= keys
    assert "Jobbtorg" in eb.set_index("nyckel").loc["spridning", "hot"]
    crime = pe.threats_sv("anmalda_brott", years=(2007, 2014))
    assert "flyktingmottagande" not in set(crime["nyckel"]) and "covid" not in set(crime["nyckel"])
    assert {"regression", "migration"} <= set(crime["nyckel"])


def test_stored_tables_pass_their_schemas_and_have_cohorts_and_specifications(processed):
    from evalkit import results
    from evalkit.contracts import effects as effects_schema

    for name in results.TABLES:
        effects_schema.validate(name, results.load(name))
    did = results.load("did")
    assert list(did.columns[:10]) == ["indicator", "cohort", "specification", "estimate", "se", "ci_low",
                                      "ci_high", "p_value", "n_areas", "n_treated"]
    assert did["cohort"].nunique() >= 2
    assert {"omraden", "personer", "utan_sma"} <= set(did["specification"])
    assert (did.groupby("indicator")["headline"].sum() > 0).all()


def test_swedish_table_and_readings(processed):
    from evalkit import results

    did, ri, wild, event = (results.load(n) for n in ("did", "ri", "wild_bootstrap", "event_study"))
    tab = pe.did_table_sv(did, ri, wild, "ekonomiskt_bistand")
    assert "Specifikation" in tab.columns and len(tab) >= 6
    assert tab["Specifikation"].str.contains("huvudskattning").sum() == 1
    assert "," in tab.iloc[0]["Skattning"]  # decimal comma
    text = pe.did_reading_sv(did, "ekonomiskt_bistand")
    assert "egen nivå med det tidigare arbetet" in text and "genomsnitt över områden" in text and "Järvalyftet" in text
    assert "parallell" in text and "stadsdelsområden av 14" in text
    # the headline p is the one the few-cluster rule lets lead, and never printed below its floor
    head = did[did["headline"] & (did["cohort"] == "programmet")]
    assert (head["p_method"] == "ri").all() and (head["cluster_level"] == "stadsdelsomrade").all()
    assert "< 0,001" not in text.replace("\u00a0", " ") and "<\u00a00,001" not in tab.to_string()
    ev = pe.event_reading_sv(event, "ekonomiskt_bistand")
    assert "2007" in ev and "2014" in ev


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
    assert r.estimate < 0
    assert (r.n_treated, r.n_control) == (21, 94)
    # leaving out the refugee years makes the estimate more negative
    assert ef.did(eb, exclude_years=(2015, 2016)).estimate < r.estimate
    # Issue 24: the generator also plants borough-year shocks. Clustered by stadsdel (the old
    # headline) the interval excludes 0; at the level the programme was assigned (6 of 14
    # boroughs) it does not, and neither the exact placebo test nor the bootstrap rejects.
    assert ef.did(eb, cluster="area").ci_high < 0
    assert (r.cluster_level, r.n_clusters, r.n_treated_clusters) == ("stadsdelsomrade", 14, 6)
    assert r.ci_low < 0 < r.ci_high
    ri = ef.randomization_inference(eb, n_perm=199, seed=0)
    assert ri.exact and ri.n_perm == 3003 and ri.p_value > 0.05
    wb = ef.wild_cluster_bootstrap(eb, n_boot=199, seed=0)
    assert wb.p_value > 0.05 and wb.ci_low < 0 < wb.ci_high


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
