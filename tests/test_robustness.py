"""Known-answer tests of evalkit.analysis.robustness (variants, bootstrap rank intervals, funnels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analysis import index, robustness as rb
from evalkit.geography import stadsdelar
from test_index import synthetic_tidy

YEAR = 2012


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    return synthetic_tidy(seed=11, years=(YEAR,))


def test_base_variant_matches_index_api(tidy):
    v = rb.variant_table(tidy, YEAR, n_weight_draws=0)
    base = v[v["variant"] == "bas"].set_index("area_code")["total"]
    idx = index.social_risk_index(tidy)
    tot = idx[(idx["domain"] == "total") & (idx["year"] == YEAR)].set_index("area_code")["value"]
    assert np.allclose(base.to_numpy(), tot.reindex(base.index).to_numpy())
    geo = v[v["variant"] == "geometrisk"].set_index("area_code")["total"]
    g = index.social_risk_index(tidy, aggregation="geometric")
    g = g[g["domain"] == "total"].set_index("area_code")["value"]
    assert np.allclose(geo.to_numpy(), g.reindex(geo.index).to_numpy())
    ind = v[v["variant"] == "lika_vikt_per_indikator"].set_index("area_code")["total"]
    i = index.social_risk_index(tidy, weighting="indicator")
    i = i[i["domain"] == "total"].set_index("area_code")["value"]
    assert np.allclose(ind.to_numpy(), i.reindex(ind.index).to_numpy())


def test_leave_one_out_count_equals_number_of_indicators(tidy):
    v = rb.variant_table(tidy, YEAR, n_weight_draws=10)
    loo = [x for x in v["variant"].unique() if x.startswith("utan_")]
    assert len(loo) == len(index.load_index_config())
    assert set(v["variant"]) == {"bas", "lika_vikt_per_indikator", "geometrisk", "storda_vikter", *loo}
    # leaving out an indicator equals the index computed with a config without it
    config = index.load_index_config()
    sub = config[config["indicator"] != "ohalsotal"]
    ref = index.social_risk_index(tidy, sub)
    ref = ref[ref["domain"] == "total"].set_index("area_code")["value"]
    got = v[v["variant"] == "utan_ohalsotal"].set_index("area_code")["total"]
    assert np.allclose(got.to_numpy(), ref.reindex(got.index).to_numpy())


def test_geometric_not_above_arithmetic_variant(tidy):
    v = rb.variant_table(tidy, YEAR, n_weight_draws=0).pivot(index="area_code", columns="variant", values="total")
    assert (v["geometrisk"] <= v["bas"] + 1e-9).all()


def test_huge_denominators_give_degenerate_intervals(tidy):
    big = tidy.copy()
    big["numerator"] *= 1e6
    big["denominator"] *= 1e6
    r = rb.rank_intervals(big, YEAR, n_boot=50, seed=3, uncertainty="data")
    assert r["rank"].notna().all()
    assert (r["rank_low"] == r["rank"]).all() and (r["rank_high"] == r["rank"]).all()
    assert (r["rank_median"] == r["rank"]).all()
    # and the point rank is the rank of the index API
    idx = index.index_table(tidy, levels=("stadsdel",)).set_index("area_code")["rank"]
    assert (r.set_index("area_code")["rank"] == idx.reindex(r["area_code"]).to_numpy()).all()


def test_scaling_numerators_keeps_ranks_in_all_variants(tidy):
    scaled = tidy.copy()
    m = scaled["indicator"] == "anmalda_brott"
    scaled.loc[m, "numerator"] *= 2.5
    a = rb.variant_table(tidy, YEAR, n_weight_draws=0)
    b = rb.variant_table(scaled, YEAR, n_weight_draws=0)
    assert (a["rank"].to_numpy() == b["rank"].to_numpy()).all()


def test_rank_intervals_shape_seed_and_borough_level(tidy):
    r1 = rb.rank_intervals(tidy, YEAR, n_boot=100, seed=7)
    r2 = rb.rank_intervals(tidy, YEAR, n_boot=100, seed=7)
    pd.testing.assert_frame_equal(r1, r2)
    assert len(r1) == 117 and (r1["rank_low"] <= r1["rank_median"]).all()
    assert (r1["rank_median"] <= r1["rank_high"]).all()
    assert (r1["rank_min_variant"] <= r1["rank"]).all() and (r1["rank"] <= r1["rank_max_variant"]).all()
    assert sorted(r1["rank"]) == list(range(1, 118))
    b = rb.rank_intervals(tidy, YEAR, level="stadsdelsomrade", n_boot=100, seed=7)
    assert len(b) == 14 and sorted(b["rank"]) == list(range(1, 15))
    # borough point index equals the index API on the aggregated rows
    idx = index.index_table(tidy, levels=("stadsdelsomrade",)).set_index("area_code")["total"]
    assert np.allclose(b.set_index("area_code")["total"], idx.reindex(b["area_code"]).to_numpy())


def test_small_denominators_widen_intervals(tidy):
    small = tidy.copy()
    small["numerator"] = np.round(small["numerator"] / 200)
    small["denominator"] = np.round(small["denominator"] / 200)
    from evalkit import aggregate
    from test_index import CATALOGUE
    small = aggregate.add_aggregates(small[small["area_level"] == "stadsdel"], CATALOGUE)
    wide = rb.rank_intervals(small, YEAR, n_boot=100, seed=1, uncertainty="data")
    ok = wide["rank"].notna()
    assert ((wide.loc[ok, "rank_high"] - wide.loc[ok, "rank_low"]) > 0).mean() > 0.5


def _hand_made_table(hidden: str = "psykisk_ohalsa") -> pd.DataFrame:
    """Four stadsdelar with huge denominators (no data noise to speak of) and risks far apart:
    A > B > C on every indicator, and D above them all – but D's ``hidden`` indicator is
    suppressed (status x), so D has no index. The city row holds the true sums, D's included."""
    codes = list(stadsdelar()["stadsdel_code"][:4])
    config = index.load_index_config()
    n = 1e8
    high = dict(zip(codes, (0.5, 0.3, 0.1, 0.8)))      # share at risk (risk_when high)
    low = dict(zip(codes, (0.3, 0.6, 0.9, 0.05)))      # share with e.g. employment (risk_when low)
    days = dict(zip(codes, (40.0, 25.0, 10.0, 60.0)))  # ohalsotal: days per person (a mean)
    rows = []
    for ind, risk_when in zip(config["indicator"], config["risk_when"]):
        for code in codes:
            per = days[code] if ind == "ohalsotal" else (low if risk_when == "low" else high)[code]
            rows.append({"area_code": code, "area_name": code, "area_level": "stadsdel", "indicator": ind,
                         "year": YEAR, "numerator": per * n, "denominator": n, "status": ""})
    frame = pd.DataFrame(rows)
    city = frame.groupby("indicator", as_index=False)[["numerator", "denominator"]].sum()
    city = city.assign(area_code="stockholm", area_name="Stockholm", area_level="stad", year=YEAR, status="")
    frame = pd.concat([frame, city], ignore_index=True)
    frame["value"] = frame["numerator"] / frame["denominator"]
    hide = (frame["area_code"] == codes[3]) & (frame["indicator"] == hidden)
    frame.loc[hide, ["value", "numerator", "denominator"]] = np.nan
    frame.loc[hide, "status"] = "x"
    return frame.assign(unit="x", source="test")


@pytest.mark.parametrize("uncertainty", ["method", "both"])
def test_replicates_rank_only_areas_with_a_complete_index(uncertainty):
    """Known answer: A, B, C rank 1, 2, 3 in every replicate and variant; D (index incomplete) never.

    A replicate or variant that leaves out D's hidden indicator could compute a total for D, who
    would then top the list and push C to 4 of 3 ranked areas if D were ranked before masking."""
    table = _hand_made_table()
    a, b, c, d = stadsdelar()["stadsdel_code"][:4]
    r = rb.rank_intervals(table, YEAR, n_boot=400, seed=5, uncertainty=uncertainty).set_index("area_code")
    assert (r["n_ranked"] == 3).all()
    for code, rank in ((a, 1), (b, 2), (c, 3)):
        got = r.loc[code, ["rank", "rank_low", "rank_median", "rank_high", "rank_min_variant", "rank_max_variant"]]
        assert list(got) == [rank] * 6, code
    assert r.loc[d, [col for col in r.columns if col.startswith("rank")]].isna().all()
    # the variant table too: D has no total in "utan_psykisk_ohalsa" although its other indicators are there
    v = rb.variant_table(table, YEAR, n_weight_draws=20)
    assert v.loc[v["area_code"] == d, ["total", "rank"]].isna().all().all()
    assert (v["n_ranked"] == 3).all() and v["rank"].max() == 3


def test_borough_replicates_come_from_the_published_borough_totals(tidy):
    """With huge denominators every replicate reproduces the point estimate, also for boroughs
    whose largest stadsdel is suppressed: the replicates are built from the published borough
    totals (published stadsdelar plus the hidden remainder), not from the published stadsdelar alone."""
    from evalkit import aggregate

    big = tidy.copy()
    big[["numerator", "denominator"]] *= 1e6
    members = aggregate.membership("2007").query("group_level == 'stadsdelsomrade'")
    size = big.query("indicator == 'ekonomiskt_bistand' and area_level == 'stadsdel'").set_index("area_code")["denominator"]
    members = members.assign(size=members["stadsdel_code"].map(size))
    largest = members.sort_values("size").groupby("group_code")["stadsdel_code"].last()
    hide = big["area_code"].isin(largest)
    big.loc[hide, ["value", "numerator", "denominator"]] = np.nan
    big.loc[hide, "status"] = "x"
    r = rb.rank_intervals(big, YEAR, level="stadsdelsomrade", n_boot=50, seed=3, uncertainty="data")
    assert sorted(r["rank"]) == list(range(1, 15))
    assert (r["rank_low"] == r["rank"]).all() and (r["rank_high"] == r["rank"]).all()
    # the point estimate is the index of the published borough rows
    idx = index.index_table(big, levels=("stadsdelsomrade",)).set_index("area_code")["total"]
    assert np.allclose(r.set_index("area_code")["total"], idx.reindex(r["area_code"]).to_numpy())
    setup = rb._Setup(big, YEAR, "stadsdelsomrade", None, "moving", 2014, "2007", None)
    sim = setup.simulate(20, np.random.default_rng(0))
    assert np.allclose(sim.mean(axis=0), setup.X0, rtol=1e-3)


def test_totals_summed_over_another_membership_are_refused(tidy):
    bad = tidy.copy()
    borough = bad["area_level"] == "stadsdelsomrade"
    bad.loc[borough, ["numerator", "denominator"]] /= 2   # no longer the sums of their stadsdelar
    with pytest.raises(ValueError, match="indelning"):
        rb.rank_intervals(bad, YEAR, level="stadsdelsomrade", n_boot=10)


def test_uncertainty_modes(tidy):
    m = rb.rank_intervals(tidy, YEAR, n_boot=60, seed=2, uncertainty="method")
    # method-only: every replicate is one of the method choices, so the interval stays inside
    # the range spanned by the method choices far more often than not, and is ordered
    assert (m["rank_low"] <= m["rank_median"]).all() and (m["rank_median"] <= m["rank_high"]).all()
    d = rb.rank_intervals(tidy, YEAR, n_boot=60, seed=2, uncertainty="data")
    assert (d["rank_low"] <= d["rank_high"]).all()
    with pytest.raises(ValueError):
        rb.rank_intervals(tidy, YEAR, uncertainty="nope")


def test_funnel_binomial_limits(tidy):
    f = rb.funnel_data(tidy, "ekonomiskt_bistand", YEAR)
    city = tidy.query("area_code == 'stockholm' and indicator == 'ekonomiskt_bistand'")
    p0 = (city["numerator"] / city["denominator"]).iloc[0]
    assert np.allclose(f["reference_value"], p0 * 100)
    assert (f["lower_998"] <= f["lower_95"]).all() and (f["upper_95"] <= f["upper_998"]).all()
    assert ((f["lower_95"] <= p0 * 100) & (p0 * 100 <= f["upper_95"])).all()
    # limits narrow with the denominator and approach the normal approximation for large n
    big = f.iloc[-1]
    se = np.sqrt(p0 * (1 - p0) / big["denominator"]) * 100
    assert big["upper_95"] == pytest.approx(p0 * 100 + 1.96 * se, rel=0.02)
    out = f["outside_998"]
    assert set(out) <= {"över", "under", ""}
    assert ((out == "över") == (f["value"] > f["upper_998"])).all()


def test_funnel_poisson_known_answer():
    lo, hi = rb.funnel_limits(0.01, [10_000.0, 0.0], "poisson", 0.95)
    # Poisson(100): 95 % limits close to 100 ± 1.96·10 (per 10 000)
    assert lo[0] * 10_000 == pytest.approx(100 - 19.6, abs=1.5)
    assert hi[0] * 10_000 == pytest.approx(100 + 19.6, abs=1.5)
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    with pytest.raises(ValueError):
        rb.funnel_limits(0.1, [10.0], "normal", 0.95)


def test_rank_intervals_on_cleaned_table_are_fast_and_sensible(tidy_clean):
    r = rb.rank_intervals(tidy_clean, YEAR, n_boot=200, seed=20150101)
    assert r["n_ranked"].iloc[0] == r["rank"].notna().sum() > 100
    top = r.iloc[0]
    assert top["rank_low"] <= top["rank"] <= top["rank_high"]
    tensta = r.set_index("area_code").loc["sd-tensta"]
    assert tensta["rank_high"] <= 10


@pytest.fixture(scope="module")
def tidy_clean(processed):
    from evalkit import data
    return data.tidy()


def test_overdispersion_known_answer_by_hand():
    """Spiegelhalter (2005): ten areas of n = 100 around p0 = 0.1 (s = 0.03), z = −3 … 10.

    By hand: 10 % and 90 % quantiles of the sorted z (linear) are −2.1 and 3.7; winsorised
    squares sum to 4.41 + 4 + 1 + 0 + 0 + 0 + 1 + 4 + 9 + 13.69 = 37.1, phi = 3.71;
    w = 1 / 0.0009 each, sum w − sum w² / sum w = 9 / 0.0009 = 10 000, tau2 = (37.1 − 9) / 10 000.
    """
    z = np.array([-3, -2, -1, 0, 0, 0, 1, 2, 3, 10], dtype=float)
    rates = 0.1 + 0.03 * z
    phi, tau2 = rb.overdispersion(rates, [100.0] * 10, 0.1, "binomial")
    assert phi == pytest.approx(3.71)
    assert tau2 == pytest.approx(0.00281)
    # No overdispersion (all at the reference): tau2 is 0, not negative.
    assert rb.overdispersion([0.1] * 5, [100.0] * 5, 0.1, "binomial") == (0.0, 0.0)


def test_funnel_limits_allowing_for_overdispersion_are_wider(tidy):
    f = rb.funnel_data(tidy, "ekonomiskt_bistand", YEAR)
    assert (f["tau2"] >= 0).all() and f["tau2"].nunique() == 1
    assert (f["upper_998_od"] >= f["upper_998"] - 1e-9).all()
    p0 = f["reference_value"].iloc[0] / 100
    half = 3.090232 * np.sqrt(p0 * (1 - p0) / f["denominator"] + f["tau2"])
    assert np.allclose(f["upper_998_od"], (p0 + half) * 100, rtol=1e-5)
    assert (f["outside_998_od"] != "").sum() <= (f["outside_998"] != "").sum()
