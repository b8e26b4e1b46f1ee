"""Synthetic control with known answers."""

import numpy as np
import pandas as pd
import pytest

from evalkit import geography
from evalkit.analysis import effects as ef
from evalkit.analysis import synth as sy


def _donors(n_donors=8, years=range(1995, 2021), seed=0):
    rng = np.random.default_rng(seed)
    yrs = list(years)
    data = {f"d{j}": 10 + np.cumsum(rng.normal(0, 1, len(yrs))) + rng.normal(0, 2) for j in range(n_donors)}
    return pd.DataFrame(data, index=pd.Index(yrs, name="year"))


TRUE_W = {"d0": 0.5, "d3": 0.3, "d5": 0.2}


def _with_treated(wide, effect=0.0, shift=0.0, start=2015):
    y = sum(w * wide[c] for c, w in TRUE_W.items()) + shift
    y = y + effect * (wide.index >= start)
    out = wide.copy()
    out["T"] = y
    return out


def test_fit_weights_recovers_exact_convex_combination():
    wide = _donors()
    Y0 = wide.to_numpy()
    w_true = np.zeros(8)
    w_true[[0, 3, 5]] = [0.5, 0.3, 0.2]
    w = sy.fit_weights(Y0 @ w_true, Y0)
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()
    np.testing.assert_allclose(w, w_true, atol=1e-4)


def test_synthetic_control_recovers_unit_and_planted_gap():
    wide = _with_treated(_donors(), effect=-2.0)
    r = sy.synthetic_control(wide, "T", start=2015)
    assert r.weights.sum() == pytest.approx(1.0)
    for c, w in TRUE_W.items():
        assert r.weights.get(c, 0.0) == pytest.approx(w, abs=1e-3)
    assert r.pre_rmspe < 1e-3
    assert r.post_gap_mean == pytest.approx(-2.0, abs=1e-2)
    np.testing.assert_allclose(r.gap[r.gap.index < 2015], 0, atol=1e-3)
    np.testing.assert_allclose(r.observed - r.synthetic, r.gap)


def test_demeaned_synth_handles_level_shift_outside_hull():
    wide = _with_treated(_donors(), effect=0.0, shift=50.0)  # far above every donor
    plain = sy.synthetic_control(wide, "T")
    dm = sy.synthetic_control(wide, "T", demean=True)
    assert plain.pre_rmspe > 10
    assert dm.pre_rmspe < 1e-3
    assert abs(dm.post_gap_mean) < 1e-2


def test_placebo_p_value_ranks_planted_effect_first():
    wide = _with_treated(_donors(n_donors=10, seed=4), effect=-8.0)
    r = sy.synth_placebos(wide, "T")
    n = r.n_placebos
    assert n == 10
    assert 1 / (n + 1) <= r.p_value <= 1
    assert r.p_value == pytest.approx(1 / (n + 1))
    assert r.p_value_gap == pytest.approx(1 / (n + 1))
    assert list(r.placebo_gaps.columns) == list(r.placebos["area"])
    assert "T" not in r.placebo_gaps.columns


def test_placebo_p_value_not_small_without_effect():
    wide = _with_treated(_donors(n_donors=10, seed=5), effect=0.0)
    wide["T"] = wide["T"] + np.random.default_rng(9).normal(0, 0.3, len(wide))
    r = sy.synth_placebos(wide, "T")
    assert 1 / (r.n_placebos + 1) <= r.p_value <= 1
    assert r.p_value_gap > 0.1


def test_programme_borough_synth_on_demo(tidy):
    r = sy.programme_borough_synth(tidy, "ekonomiskt_bistand", "sdo-farsta", placebos=False)
    assert r.weights.sum() == pytest.approx(1.0)
    assert (r.weights > 0).all()
    assert not set(r.weights.index) & set(geography.programme_stadsdelar())
    assert r.gap.index.min() == 2007 and r.gap.index.max() == 2020
    # no donor lies in the treated borough (era 2007)
    own = set(geography.stadsdelar().query("sdo_2007 == 'sdo-farsta'")["stadsdel_code"])
    assert not set(r.weights.index) & own
    assert list(r.table_sv().columns) == ["År", "Faktiskt", "Syntetisk kontroll", "Skillnad"]
    with pytest.raises(ValueError):
        sy.programme_borough_synth(tidy, "ekonomiskt_bistand", "sdo-bromma")


def test_no_donor_lies_in_its_treated_borough(tidy):
    s = geography.stadsdelar()
    for borough in geography.programme_boroughs():
        pool = set(sy.donor_pool(borough))
        assert not pool & set(s.loc[s["sdo_2007"] == borough, "stadsdel_code"]), borough
        assert not pool & set(geography.programme_stadsdelar())
    # outside *every* programme borough (issue 24: Vällingby weighed 0.29 for Enskede-Årsta-Vantör)
    everyone = set(s.loc[s["sdo_2007"].isin(geography.programme_boroughs()), "stadsdel_code"])
    for borough in geography.programme_boroughs():
        assert not set(sy.donor_pool(borough)) & everyone
    assert "sd-vallingby" not in sy.donor_pool("sdo-farsta")
    assert any(c in sy.donor_pool("sdo-farsta") for c in s.loc[s["sdo_2007"] == "sdo-bromma", "stadsdel_code"])


def test_pre_fit_filter_keeps_only_well_fitted_placebos():
    wide = _with_treated(_donors(n_donors=10, seed=4), effect=-8.0)
    wide["T"] = wide["T"] + np.random.default_rng(1).normal(0, 0.5, len(wide))
    wide["wild"] = np.r_[np.random.default_rng(2).normal(0, 30, 20), np.zeros(len(wide) - 20)]  # unfittable
    r = sy.synth_placebos(wide, "T", max_pre_rmspe_factor=2.0)
    assert r.n_placebos_all == 11 and r.n_placebos < 11
    assert "wild" not in set(r.placebos["area"])
    assert (r.placebos["pre_rmspe"] <= 2.0 * r.pre_rmspe + 1e-12).all()
    assert r.p_value_gap == pytest.approx(1 / (r.n_placebos + 1))


def test_stored_synth_tables(processed):
    from evalkit import results
    from evalkit.contracts import effects as effects_schema

    s = geography.stadsdelar().set_index("stadsdel_code")["sdo_2007"]
    w = effects_schema.validate("synth_weights", results.load("synth_weights"))
    assert set(w["treated"]) == set(geography.programme_boroughs())
    assert not (w["donor"].map(s) == w["treated"]).any()
    assert not w["donor"].isin(geography.programme_stadsdelar()).any()
    summary = effects_schema.validate("synth_summary", results.load("synth_summary"))
    assert (summary["n_placebos"] <= summary["n_donors"]).all()
    effects_schema.validate("synth_path", results.load("synth_path"))


def test_penalised_fit_is_not_exact_where_the_classic_fit_is():
    """With more donors than pre-years the classic fit reproduces the treated path exactly; the
    penalised fit (Abadie–L'Hour) does not, and prefers the closest donors."""
    rng = np.random.default_rng(7)
    Y0 = rng.normal(0, 1, (6, 40))
    w_true = np.zeros(40)
    w_true[[3, 17, 29]] = [0.5, 0.3, 0.2]
    y1 = Y0 @ w_true
    exact = sy.fit_weights(y1, Y0)
    assert np.sqrt(np.mean((Y0 @ exact - y1) ** 2)) < 1e-6
    pen = sy.fit_weights(y1, Y0, penalty=0.1)
    assert pen.sum() == pytest.approx(1.0) and (pen >= 0).all()
    assert np.sqrt(np.mean((Y0 @ pen - y1) ** 2)) > 1e-3
    # by hand: the penalised objective is lower at its optimum than at the exact fit
    A, scale = Y0, max(np.abs(Y0).max(), np.abs(y1).max())
    dist = 0.1 * np.sum(((A - y1[:, None]) / scale) ** 2, axis=0)
    obj = lambda w: np.sum(((A @ w - y1) / scale) ** 2) + dist @ w  # noqa: E731
    assert obj(pen) <= obj(exact) + 1e-9


@pytest.mark.slow
def test_scale_free_transforms_and_floor(tidy):
    from evalkit.analysis import effects as ef

    ex = sy.earlier_work_areas(ef.cohorts())
    assert "sd-vallingby" in ex and "sd-rinkeby" in ex
    res = {t: sy.programme_borough_synth(tidy, "ekonomiskt_bistand", "sdo-farsta", transform=t, exclude=ex)
           for t in sy.TRANSFORMS}
    for t, r in res.items():
        assert r.transform == t and r.pre_rmspe > 1e-4          # no exact pre-fit
        assert r.min_p == pytest.approx(1 / (r.n_placebos + 1))
        assert r.p_value_gap >= r.min_p - 1e-12
        assert not set(r.weights.index) & set(ex)
    # a scale-free gap does not change when the outcome is multiplied by a constant
    scaled = tidy.assign(value=tidy["value"] * 10)
    r10 = sy.programme_borough_synth(scaled, "ekonomiskt_bistand", "sdo-farsta", transform="log", exclude=ex)
    assert r10.post_gap_mean == pytest.approx(res["log"].post_gap_mean, abs=1e-6)
    lead = sy.headline_transform(res)
    assert lead in (None, "log")
