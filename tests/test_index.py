"""Tests of the social risk index (evalkit.analysis.index)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import aggregate
from evalkit.analysis import index
from evalkit.geography import stadsdelar
from evalkit.paths import raw_dir

CATALOGUE = pd.read_csv(raw_dir() / "programme" / "indicators.csv")
SCALE = CATALOGUE.set_index("indicator")["scale"].astype(float)


def synthetic_tidy(seed: int = 1, years=(2006, 2012)) -> pd.DataFrame:
    """Random stadsdel rows for the eight index indicators, plus aggregates."""
    rng = np.random.default_rng(seed)
    config = index.load_index_config()
    rows = []
    for code in stadsdelar()["stadsdel_code"]:
        size = int(rng.integers(500, 20_000))
        for ind in config["indicator"]:
            for year in years:
                if ind == "ohalsotal":
                    num = float(rng.integers(10, 40) * size)
                else:
                    num = float(rng.binomial(size, rng.uniform(0.05, 0.9)))
                val = num / size * SCALE[ind]
                rows.append({"area_code": code, "area_name": code, "area_level": "stadsdel", "indicator": ind,
                             "year": year, "value": val, "status": "", "numerator": num,
                             "denominator": float(size), "unit": "x", "source": "test"})
    return aggregate.add_aggregates(pd.DataFrame(rows), CATALOGUE)


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    return synthetic_tidy()


def test_config():
    config = index.load_index_config()
    assert set(config["domain"]) == {"sociala_riskfaktorer", "halsa", "sakerhet_trygghet", "forsorjning"}
    assert set(config.loc[config["risk_when"] == "low", "indicator"]) == {"behorighet_gymnasiet", "sysselsattning"}


def test_city_exactly_100_with_moving_reference(tidy):
    idx = index.social_risk_index(tidy, reference="moving")
    assert list(idx.columns) == ["area_code", "year", "domain", "value"]
    city = idx[idx["area_code"] == "stockholm"]
    assert len(city) == 2 * 5
    assert (city["value"] == 100.0).all()
    assert set(idx["domain"]) == {"sociala_riskfaktorer", "halsa", "sakerhet_trygghet", "forsorjning", "total"}
    # every area present: 117 stadsdelar + 14 boroughs + 3 groups/city
    assert idx["area_code"].nunique() == 117 + 14 + 3


def test_city_100_with_unequal_weights(tidy):
    config = index.load_index_config()
    config["weight"] = [0.3, 0.7, 1.1, 2.9, 0.1, 1.7, 0.37, 0.63]
    idx = index.social_risk_index(tidy, config=config)
    assert (idx.loc[idx["area_code"] == "stockholm", "value"] == 100.0).all()


def test_total_is_mean_of_domains_and_domain_weighted_mean(tidy):
    config = index.load_index_config()
    config["weight"] = [1, 3, 1, 1, 1, 1, 1, 1]  # behorighet 1, trangboddhet 3
    idx = index.social_risk_index(tidy, config=config)
    ratios = index.indicator_ratios(tidy, config)
    r = ratios[(ratios["area_code"] == "sd-tensta") & (ratios["year"] == 2012)].set_index("indicator")["ratio"]
    got = idx[(idx["area_code"] == "sd-tensta") & (idx["year"] == 2012)].set_index("domain")["value"]
    assert got["sociala_riskfaktorer"] == pytest.approx((r["behorighet_gymnasiet"] + 3 * r["trangboddhet"]) / 4)
    assert got["halsa"] == pytest.approx((r["ohalsotal"] + r["psykisk_ohalsa"]) / 2)
    assert got["total"] == pytest.approx(got.drop("total").mean())


def test_ratio_formula_and_complement_rule(tidy):
    ratios = index.indicator_ratios(tidy).set_index(["area_code", "year", "indicator"])["ratio"]
    v = tidy.set_index(["area_code", "year", "indicator"])
    rate = v["numerator"] / v["denominator"]
    # high = risk: plain ratio
    key, city = ("sd-rinkeby", 2012, "trangboddhet"), ("stockholm", 2012, "trangboddhet")
    assert ratios[key] == pytest.approx(rate[key] / rate[city] * 100)
    # low = risk (employment): ratio of complements
    key, city = ("sd-rinkeby", 2012, "sysselsattning"), ("stockholm", 2012, "sysselsattning")
    assert ratios[key] == pytest.approx((1 - rate[key]) / (1 - rate[city]) * 100)


def test_complement_rule_direction():
    # Two-indicator config: higher employment must mean a LOWER index.
    tidy = synthetic_tidy(seed=3, years=(2012,))
    config = pd.DataFrame({"indicator": ["sysselsattning"], "domain": ["forsorjning"],
                           "domain_label_sv": ["Försörjning"], "weight": [1.0], "risk_when": ["low"]})
    idx = index.social_risk_index(tidy, config=config)
    tot = idx[idx["domain"] == "total"].set_index("area_code")["value"]
    emp = tidy[(tidy["indicator"] == "sysselsattning") & (tidy["area_level"] == "stadsdel")].set_index("area_code")["value"]
    joined = pd.concat([tot, emp], axis=1, keys=["index", "employment"]).dropna()
    assert joined["index"].corr(joined["employment"], method="spearman") == pytest.approx(-1.0)
    # an area with exactly the city's employment has 100; one with 100 % employment has 0
    city_rate = tidy.query("area_code == 'stockholm' and indicator == 'sysselsattning'")
    full = tidy.copy()
    m = (full["area_code"] == "sd-tensta") & (full["indicator"] == "sysselsattning")
    full.loc[m, "numerator"] = full.loc[m, "denominator"]
    idx = index.social_risk_index(full, config=config, reference="fixed", base_year=2012)
    assert idx.query("area_code == 'sd-tensta' and domain == 'total'")["value"].iloc[0] == pytest.approx(0.0)
    assert len(city_rate) == 1


def test_scaling_numerators_keeps_ranks(tidy):
    base = index.social_risk_index(tidy)
    scaled = tidy.copy()
    m = scaled["indicator"] == "anmalda_brott"
    scaled.loc[m, "numerator"] *= 3.7
    after = index.social_risk_index(scaled)
    base, after = (f.sort_values(["area_code", "year", "domain"]) for f in (base, after))
    assert np.allclose(base["value"].to_numpy(), after["value"].to_numpy())
    t0 = base[(base["domain"] == "total") & (base["year"] == 2012)].set_index("area_code")["value"].rank()
    t1 = after[(after["domain"] == "total") & (after["year"] == 2012)].set_index("area_code")["value"].rank()
    assert t0.equals(t1)


def test_fixed_reference(tidy):
    fixed = index.social_risk_index(tidy, reference="fixed", base_year=2006)
    city = fixed[fixed["area_code"] == "stockholm"].set_index(["year", "domain"])["value"]
    assert (city.loc[2006] == 100.0).all()
    assert not np.allclose(city.loc[2012].to_numpy(), 100.0)
    # fixed-reference ratio 2012 = rate 2012 / city rate 2006 × 100
    ratios = index.indicator_ratios(tidy, reference="fixed", base_year=2006)
    v = tidy.set_index(["area_code", "year", "indicator"])
    rate = v["numerator"] / v["denominator"]
    got = ratios.set_index(["area_code", "year", "indicator"])["ratio"][("sd-husby", 2012, "ohalsotal")]
    assert got == pytest.approx(rate[("sd-husby", 2012, "ohalsotal")] / rate[("stockholm", 2006, "ohalsotal")] * 100)
    # doubling every 2012 numerator of a high-risk indicator doubles its fixed-reference ratio
    doubled = tidy.copy()
    m = (doubled["indicator"] == "ohalsotal") & (doubled["year"] == 2012)
    doubled.loc[m, "numerator"] *= 2
    r2 = index.indicator_ratios(doubled, reference="fixed", base_year=2006).set_index(["area_code", "year", "indicator"])["ratio"]
    assert r2[("stockholm", 2012, "ohalsotal")] == pytest.approx(2 * ratios.set_index(
        ["area_code", "year", "indicator"])["ratio"][("stockholm", 2012, "ohalsotal")])
    with pytest.raises(ValueError):
        index.social_risk_index(tidy, reference="fixed", base_year=1999)
    with pytest.raises(ValueError):
        index.social_risk_index(tidy, reference="sliding")


def test_missing_indicator_drops_domain_and_total(tidy):
    t = tidy.copy()
    m = (t["area_code"] == "sd-tensta") & (t["indicator"] == "otrygghet") & (t["year"] == 2012)
    t.loc[m, ["status", "value"]] = ["..", np.nan]
    idx = index.social_risk_index(t)
    tensta = idx[(idx["area_code"] == "sd-tensta") & (idx["year"] == 2012)]
    assert set(tensta["domain"]) == {"sociala_riskfaktorer", "halsa", "forsorjning"}
    assert idx["value"].notna().all()


def test_needs_city_rows():
    tidy = synthetic_tidy(years=(2012,))
    with pytest.raises(ValueError):
        index.social_risk_index(tidy[tidy["area_code"] != "stockholm"])


# --- reversal rule, variants, tables, dominance ------------------------------------------------

def test_reversal_column_default_and_inverse(tidy):
    config = index.load_index_config()
    assert list(config.loc[config["risk_when"] == "low", "reversal"]) == ["complement", "complement"]
    assert (config.loc[config["risk_when"] == "high", "reversal"] == "").all()
    inv = config.copy()
    inv.loc[inv["indicator"] == "sysselsattning", "reversal"] = "inverse"
    r = index.indicator_ratios(tidy, inv).set_index(["area_code", "year", "indicator"])["ratio"]
    v = tidy.set_index(["area_code", "year", "indicator"])
    rate = v["numerator"] / v["denominator"]
    key, city = ("sd-rinkeby", 2012, "sysselsattning"), ("stockholm", 2012, "sysselsattning")
    assert r[key] == pytest.approx(rate[city] / rate[key] * 100)
    bad = config.copy()
    bad.loc[bad["indicator"] == "sysselsattning", "reversal"] = "flip"
    with pytest.raises(ValueError):
        index.social_risk_index(tidy, bad)
    bad = config.copy()
    bad.loc[bad["indicator"] == "ohalsotal", "reversal"] = "inverse"
    with pytest.raises(ValueError):
        index.social_risk_index(tidy, bad)


def test_default_base_year_is_2014():
    t = synthetic_tidy(seed=5, years=(2012, 2014))
    fixed = index.social_risk_index(t, reference="fixed")
    assert (fixed.loc[(fixed["area_code"] == "stockholm") & (fixed["year"] == 2014), "value"] == 100.0).all()
    assert index.DEFAULT_BASE_YEAR == 2014


def test_geometric_not_above_arithmetic_and_city_100(tidy):
    a = index.social_risk_index(tidy)
    g = index.social_risk_index(tidy, aggregation="geometric")
    m = a.merge(g, on=["area_code", "year", "domain"], suffixes=("_a", "_g"))
    assert len(m) == len(a)
    assert (m["value_g"] <= m["value_a"] + 1e-9).all()
    assert np.allclose(m.loc[m["area_code"] == "stockholm", "value_g"], 100.0)


def test_indicator_weighting_is_mean_of_all_ratios(tidy):
    idx = index.social_risk_index(tidy, weighting="indicator")
    ratios = index.indicator_ratios(tidy)
    r = ratios[(ratios["area_code"] == "sd-tensta") & (ratios["year"] == 2012)]["ratio"]
    got = idx.query("area_code == 'sd-tensta' and year == 2012 and domain == 'total'")["value"].iloc[0]
    assert got == pytest.approx(r.mean())
    assert (idx.loc[idx["area_code"] == "stockholm", "value"] == 100.0).all()


def test_index_table_levels_and_ranks(tidy):
    wide = index.index_table(tidy)
    assert set(wide["area_level"]) == {"stadsdel", "stadsdelsomrade", "omradesgrupp", "stad"}
    sd12 = wide[(wide["area_level"] == "stadsdel") & (wide["year"] == 2012)]
    assert sd12["rank"].min() == 1 and sd12["rank"].max() == len(sd12) == sd12["n_ranked"].iloc[0]
    top = sd12.loc[sd12["rank"] == 1, "total"].iloc[0]
    assert top == sd12["total"].max()
    assert {"sociala_riskfaktorer", "halsa", "sakerhet_trygghet", "forsorjning", "total"} <= set(wide.columns)


def test_effective_weights_sum_to_one():
    config = index.load_index_config()
    config["weight"] = [1, 3, 1, 1, 1, 1, 1, 1]
    c = index.effective_weights(config)
    assert c.sum() == pytest.approx(1.0)
    assert c["trangboddhet"] == pytest.approx(3 / 4 / 4)


def test_dominance_flags_planted_dominant_indicator(tidy):
    calm = index.dominance_warnings(tidy, years=[2012])
    assert len(calm) == 8
    assert calm["variance_share"].sum() == pytest.approx(1.0)
    # plant a hugely dispersed ekonomiskt_bistand: ratios up to ~10, unrelated to the rest
    t = tidy[tidy["area_level"] == "stadsdel"].copy()
    rng = np.random.default_rng(9)
    m = (t["indicator"] == "ekonomiskt_bistand")
    t.loc[m, "numerator"] = np.round(t.loc[m, "denominator"] * rng.choice([0.005, 0.01, 0.02, 0.4], m.sum(), p=[0.3, 0.3, 0.3, 0.1]))
    t = aggregate.add_aggregates(t, CATALOGUE)
    d = index.dominance_warnings(t, years=[2012]).set_index("indicator")
    row = d.loc["ekonomiskt_bistand"]
    assert row["dominates"] and row["variance_share"] > 0.4 and row["ratio_max"] > 300
    assert row["rank_corr_without"] < 0.9 and row["reorders"]


def test_programme_statements_from_cleaned_table(tidy_clean):
    """The programme text's statements, through the public index API on the cleaned table."""
    wide = index.index_table(tidy_clean, levels=("stadsdelsomrade", "stadsdel", "stad"))
    b12 = wide[(wide["area_level"] == "stadsdelsomrade") & (wide["year"] == 2012)]
    assert set(b12.nsmallest(3, "rank")["area_code"]) == {"sdo-rinkeby-kista", "sdo-skarholmen", "sdo-spanga-tensta"}
    tensta = wide.query("area_code == 'sd-tensta' and year == 2012")["total"].iloc[0]
    assert 170 <= tensta <= 190
    assert wide.query("area_code == 'stockholm' and year == 2012")["total"].iloc[0] == 100.0
    fixed = index.index_table(tidy_clean, reference="fixed", base_year=2006, levels=("stadsdelsomrade",))
    f = fixed.pivot(index="area_code", columns="year", values="total")
    change = f[2012] / f[2006] - 1
    assert len(change) == 14 and (change < 0).all()
    # the text lists Skärholmen, Spånga-Tensta, Rinkeby-Kista (not in order of size)
    assert set(change.nlargest(3).index) == {"sdo-skarholmen", "sdo-spanga-tensta", "sdo-rinkeby-kista"}


@pytest.fixture(scope="module")
def tidy_clean(processed):
    from evalkit import data
    return data.tidy()
