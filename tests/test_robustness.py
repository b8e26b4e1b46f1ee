"""Known-answer tests of evalkit.analysis.robustness (variants, bootstrap rank intervals, funnels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analysis import index, robustness as rb
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
    assert (r["rank_p05"] == r["rank"]).all() and (r["rank_p95"] == r["rank"]).all()
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
    assert len(r1) == 117 and (r1["rank_p05"] <= r1["rank_median"]).all()
    assert (r1["rank_median"] <= r1["rank_p95"]).all()
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
    assert ((wide.loc[ok, "rank_p95"] - wide.loc[ok, "rank_p05"]) > 0).mean() > 0.5


def test_rank_sentence_sv():
    row = {"area_name": "Tensta", "rank": 1, "rank_median": 1, "rank_p05": 1, "rank_p95": 1,
           "rank_min_variant": 1, "rank_max_variant": 1}
    assert rb.rank_sentence_sv(row) == "Tensta rankas 1:a i alla varianter."
    row = {"area_name": "Rinkeby", "rank": 4, "rank_median": 5, "rank_p05": 3, "rank_p95": 9,
           "rank_min_variant": 4, "rank_max_variant": 6}
    s = rb.rank_sentence_sv(pd.Series(row))
    assert s.startswith("Rinkeby rankas 3:e–9:e (median 5:e): inte särskiljbart")
    row.update(rank_p05=4, rank_p95=4, rank_median=4, rank_min_variant=2, rank_max_variant=4)
    assert "2:a–4:e" in rb.rank_sentence_sv(row)
    assert [rb.ordinal_sv(n) for n in (1, 2, 3, 11, 12, 21, 22, 101, 111, 112)] == [
        "1:a", "2:a", "3:e", "11:e", "12:e", "21:a", "22:a", "101:a", "111:e", "112:e"]


def test_uncertainty_modes(tidy):
    m = rb.rank_intervals(tidy, YEAR, n_boot=60, seed=2, uncertainty="method")
    # method-only: every replicate is one of the method choices, so the interval stays inside
    # the range spanned by the method choices far more often than not, and is ordered
    assert (m["rank_p05"] <= m["rank_median"]).all() and (m["rank_median"] <= m["rank_p95"]).all()
    d = rb.rank_intervals(tidy, YEAR, n_boot=60, seed=2, uncertainty="data")
    assert (d["rank_p05"] <= d["rank_p95"]).all()
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
    assert top["rank_p05"] <= top["rank"] <= top["rank_p95"]
    tensta = r.set_index("area_code").loc["sd-tensta"]
    assert tensta["rank_p95"] <= 10


@pytest.fixture(scope="module")
def tidy_clean(processed):
    from evalkit import data
    return data.tidy()
