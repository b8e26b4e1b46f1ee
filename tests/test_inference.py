"""Inference at the assignment level (issue 24): clustering by the unit treatment was assigned to,
exact randomisation inference over those units, the few-cluster decision table, floors and power.
Known answers from an independent reference: statsmodels' cluster-robust regressions fitted once
per assignment, and hand computations."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from evalkit.analysis import effects as ef
from evalkit.analysis import inference


def clustered_panel(n_clusters=6, per=3, treated_clusters=(0, 1), treated_per=2, years=range(2010, 2018),
                    start=2014, effect=0.0, shock=0.5, seed=0, names=None):
    """Areas nested in clusters; in a treated cluster the first ``treated_per`` areas are treated;
    cluster-year shocks make outcomes move together within a cluster."""
    rng = np.random.default_rng(seed)
    years = list(years)
    u = rng.normal(0, shock, (n_clusters, len(years)))
    rows = []
    for c in range(n_clusters):
        for k in range(per):
            area = names[c * per + k] if names else f"a{c}{k}"
            tr = int(c in treated_clusters and k < treated_per)
            a = rng.normal(0, 1)
            for j, yr in enumerate(years):
                post = int(yr >= start)
                rows.append((area, f"c{c}", yr, a + 0.1 * j + u[c, j] + effect * tr * post + rng.normal(0, 0.3),
                             1.0, tr, post))
    p = pd.DataFrame(rows, columns=["area", "cluster", "year", "y", "weight", "treated", "post"])
    p["log_y"] = np.nan
    p["d"] = p["treated"] * p["post"]
    p["area_name"] = p["area"]
    p.attrs.update({"indicator": "test", "start": start, "level": "stadsdel", "cluster_level": "stadsdelsomrade"})
    return p


def _sm_t(q: pd.DataFrame, treated_areas: set) -> tuple[float, float]:
    """statsmodels: OLS with area and year dummies, CR1 clustered by ``cluster``; returns (b, t)."""
    q = q.copy()
    q["dd"] = (q["area"].isin(treated_areas) & (q["post"] == 1)).astype(float)
    groups = pd.factorize(q["cluster"])[0]
    fit = smf.ols("y ~ dd + C(area) + C(year)", data=q).fit(cov_type="cluster", cov_kwds={"groups": groups})
    return float(fit.params["dd"]), float(fit.tvalues["dd"])


def test_did_clusters_at_the_assignment_unit_like_statsmodels():
    """The DiD's standard error is clustered by the panel's ``cluster`` column (the borough), and
    equals statsmodels' CR1 on the dummy regression up to the documented small-sample factor."""
    p = clustered_panel(n_clusters=8, per=4, treated_clusters=(0, 1, 2), seed=3)
    r = ef.did(p)
    assert (r.cluster_level, r.n_clusters, r.n_treated_clusters) == ("stadsdelsomrade", 8, 3)
    q = ef._prepare(p, "y", None, (), 2)
    fit = smf.ols("_y ~ d + C(area) + C(year)", data=q).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(q["cluster"])[0]})
    assert r.estimate == pytest.approx(float(fit.params["d"]), rel=1e-8)
    N, A, T = len(q), q["area"].nunique(), q["year"].nunique()
    factor = np.sqrt((N - T) / (N - T - A))   # statsmodels counts the area dummies in K, pyfixest does not
    # (up to one parameter in pyfixest's count of K: 1 % on this small panel)
    assert float(fit.bse["d"]) == pytest.approx(r.se * factor, rel=1e-2)
    # the fast path used by randomisation inference and the bootstrap equals statsmodels exactly
    w = ef._Within(q, False, (), "cluster")
    b, se = w.beta_se(w.d_tilde(ef._treated_by_area(q, w.areas)), w.y)
    assert (b, se) == (pytest.approx(float(fit.params["d"]), rel=1e-8), pytest.approx(float(fit.bse["d"]), rel=1e-6))
    # stadsdel clustering stays available as a sensitivity, and differs
    by_area = ef.did(p, cluster="area")
    assert by_area.cluster_level == "stadsdel" and by_area.n_clusters == 32 and by_area.se != r.se


def test_exact_randomisation_inference_equals_brute_force_with_statsmodels():
    """Every assignment of 2 of 6 clusters (15) refitted in statsmodels: the studentised exact p
    equals evalkit's, and a placebo cluster treats all its areas while a real one treats its own."""
    p = clustered_panel(n_clusters=6, per=3, treated_clusters=(0, 1), treated_per=2, effect=0.4, seed=5)
    ri = ef.randomization_inference(p, n_perm=999, seed=0)
    assert ri.exact and ri.n_perm == 15 and (ri.n_units, ri.n_treated_units) == (6, 2)
    real = {c: set(g.loc[g["treated"] == 1, "area"]) or set(g["area"]) for c, g in p.groupby("cluster")}
    _, t_obs = _sm_t(p, set(p.loc[p["treated"] == 1, "area"]))
    ts = [_sm_t(p, set().union(*(real[c] for c in combo)))[1]
          for combo in itertools.combinations(sorted(real), 2)]
    p_ref = np.mean(np.abs(ts) >= abs(t_obs) - 1e-9)
    assert ri.p_value == pytest.approx(p_ref, abs=1e-12)
    # the statistic is scale-free in the small-sample constant: the same t up to the factor
    assert sorted(np.abs(ri.distribution) / abs(ri.observed)) == pytest.approx(
        sorted(np.abs(ts) / abs(t_obs)), rel=1e-6)
    assert ri.p_value >= inference.p_floor("ri_exact", 15)


def test_randomisation_inference_does_not_depend_on_row_order_or_labels_order():
    """Draws are keyed to the sorted codes: shuffling rows gives the same p, exact or sampled."""
    p = clustered_panel(n_clusters=6, per=3, seed=2)
    shuffled = p.sample(frac=1.0, random_state=4).reset_index(drop=True)
    shuffled.attrs.update(p.attrs)
    assert ef.randomization_inference(p).p_value == ef.randomization_inference(shuffled).p_value
    big = clustered_panel(n_clusters=30, per=1, treated_clusters=tuple(range(8)), treated_per=1, seed=2)
    assert inference.n_assignments(30, 8) > inference.EXACT_LIMIT
    sb = big.sample(frac=1.0, random_state=1).reset_index(drop=True)
    sb.attrs.update(big.attrs)
    a, b = ef.randomization_inference(big, n_perm=199, seed=3), ef.randomization_inference(sb, n_perm=199, seed=3)
    assert not a.exact and a.p_value == b.p_value and a.p_value >= 1 / 200


def test_assignments_enumerate_exactly_when_few():
    S, exact = inference.assignments(["b", "a", "c", "d"], 2, 999, 0)
    assert exact and S.shape == (4, 6) and (S.sum(axis=0) == 2).all()
    assert len({tuple(col) for col in S.T}) == 6
    assert inference.n_assignments(14, 6) == 3003


@pytest.mark.parametrize("args, case, p_method", [
    ((1, 30, 30), "one_treated_cluster", "ri"),
    ((0, 14, None), "no_comparison", "none"),
    ((1, 14, None, False), "no_randomisation", "none"),
    ((6, 14, 3003), "few_treated_clusters", "ri"),
    ((2, 5, 10), "few_assignments", "ri"),
    ((3, 14, None, False), "no_randomisation", "none"),
    ((25, 60, 10**9), "many_clusters", "crv1"),
])
def test_decision_table(args, case, p_method):
    d = inference.decide(*args)
    assert (d.case, d.p_method) == (case, p_method)
    assert set(d.warnings) <= set(inference.WARNINGS)
    if case != "many_clusters":
        assert "crv1" != d.p_method   # below the rule no clustered p-value leads


def test_p_floors_and_mde_and_icc_by_hand():
    assert inference.p_floor("ri_exact", 3003) == pytest.approx(1 / 3003)
    assert inference.p_floor("synth", 12) == pytest.approx(1 / 13)
    assert inference.ri_p_value(2.0, np.array([2.0, -3.0, 1.0, 0.5]), exact=True) == 0.5
    assert inference.ri_p_value(2.0, np.array([2.0, -3.0, 1.0, 0.5]), exact=False) == pytest.approx(3 / 5)
    assert inference.mde(1.0) == pytest.approx(1.959964 + 0.841621, rel=1e-5)
    # ICC by hand: groups {1,3} and {5,7}: MSB = 16, MSW = 2, n0 = 2 -> (16-2)/(16+2) = 7/9
    assert inference.icc_anova(np.array([1.0, 3.0, 5.0, 7.0]), np.array([0, 0, 1, 1])) == pytest.approx(7 / 9)


def test_wild_bootstrap_at_the_assignment_level_library_and_own_agree():
    p = clustered_panel(n_clusters=10, per=3, treated_clusters=(0, 1, 2, 3), seed=8)
    lib = ef.wild_cluster_bootstrap(p, n_boot=999, seed=1, ci=False)
    own = ef.wild_cluster_bootstrap(p, n_boot=999, seed=1, ci=False, library=False)
    assert (lib.cluster_level, lib.n_clusters, lib.weights) == ("stadsdelsomrade", 10, "webb")
    assert lib.t_stat == pytest.approx(own.t_stat)
    assert abs(lib.p_value - own.p_value) < 0.05


def test_earlier_work_controls_equal_statsmodels():
    """The programme's effect on top of each cohort's own earlier-work level: the DiD with the
    earlier-work indicators as controls equals statsmodels' dummy regression with them."""
    p = clustered_panel(n_clusters=8, per=3, treated_clusters=(0, 1, 2), treated_per=3, effect=0.5, seed=11,
                        years=range(2008, 2020), start=2015)
    treated = sorted(set(p.loc[p["treated"] == 1, "area"]))
    first = pd.DataFrame({"area": treated, "cohort": ["early"] * 3 + ["mid"] * 3 + ["late"] * 3,
                          "first_year": [2010] * 3 + [2012] * 3 + [2014] * 3})
    pe, names = ef.earlier_work(p, first)
    assert names == ["E_early", "E_late", "E_mid"]
    assert pe.loc[(pe["area"] == treated[0]) & (pe["year"] == 2009), "E_early"].item() == 0
    assert pe.loc[(pe["area"] == treated[0]) & (pe["year"] == 2016), "E_early"].item() == 1
    r = ef.did(pe, controls=names)
    fit = smf.ols("y ~ d + E_early + E_mid + E_late + C(area) + C(year)", data=pe).fit()
    assert r.estimate == pytest.approx(float(fit.params["d"]), rel=1e-8)
    ri = ef.randomization_inference(pe, controls=names)
    assert ri.estimate == pytest.approx(r.estimate, rel=1e-8)
    assert ef.untreated_reference_year(p, first) == 2009


def test_cohort_effects_carry_cluster_counts():
    p = clustered_panel(n_clusters=8, per=3, treated_clusters=(0, 1, 2), treated_per=3, seed=11,
                        years=range(2008, 2020), start=2015)
    treated = sorted(set(p.loc[p["treated"] == 1, "area"]))
    first = pd.DataFrame({"area": treated, "cohort": ["early"] * 3 + ["mid"] * 6, "first_year": [2010] * 3 + [2012] * 6})
    ce = ef.cohort_effects(p, first).set_index("cohort")
    assert ce.loc["early", "n_treated_clusters"] == 1 and ce.loc["mid", "n_treated_clusters"] == 2
    assert (ce["n_clusters"] == 8).all()
    assert inference.decide(1, 8, None, has_ri=False).p_method == "none"


def test_one_treated_area_gets_an_exact_placebo_p_and_warnings():
    """Issue 27: one treated area of 30 – RI enumerates the 30 assignments (p a multiple of 1/30,
    never below it), no clustered p leads, and the result says why."""
    from evalkit.analysis.panel_effects import effects_for_panel
    from evalkit.present import effects_cli

    rng = np.random.default_rng(4)
    rows = [(f"o{i:02d}", yr, rng.normal(0, 1) + (0.7 if i == 0 and yr >= 2006 else 0.0), int(i == 0))
            for i in range(30) for yr in range(2000, 2011)]
    frame = pd.DataFrame(rows, columns=["area", "year", "y", "t"])
    r = effects_for_panel(frame, treated="t", start=2006, permutations=999, bootstrap=199).as_dict()
    assert r["ri"]["exact"] and r["ri"]["n_perm"] == 30
    assert r["ri"]["p_value"] * 30 == pytest.approx(round(r["ri"]["p_value"] * 30))
    assert r["ri"]["p_value"] >= 1 / 30 and r["ri"]["p_floor"] == pytest.approx(1 / 30)
    assert r["did"]["p_method"] == "ri" and r["did"]["p_headline"] == r["ri"]["p_value"]
    assert "one_treated_cluster" in r["warnings"] and r["cluster_level"] == "area"
    text = effects_cli.table_text(r, "test.csv")
    assert "alla 30 tilldelningar" in text and "< 0,001" not in text and "Varning: bara ett behandlat kluster" in text
