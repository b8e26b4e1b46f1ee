"""Tests of the synthetic demo data (evalkit.demo) and the programme statements it must reproduce."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from evalkit import aggregate, demo, demo_population
from evalkit.analysis import index
from evalkit.geography import stadsdel_code, stadsdelar
from evalkit.paths import raw_dir

CORE = {"sdo-rinkeby-kista", "sdo-skarholmen", "sdo-spanga-tensta"}
PROGRAMME_BOROUGHS = CORE | {"sdo-hasselby-vallingby", "sdo-enskede-arsta-vantor", "sdo-farsta"}
ABOVE_AVERAGE_2012 = {
    "Rinkeby", "Husby", "Akalla", "Kista", "Tensta", "Vårberg", "Bredäng", "Sätra", "Skärholmen",
    "Hässelby gård", "Grimsta", "Hässelby strand", "Vällingby", "Rågsved", "Hagsätra", "Högdalen",
    "Bandhagen", "Östberga", "Farsta strand", "Hökarängen", "Farsta", "Fagersjö",
}
COUNTS = {"folkmangd", "bostader_hyresratt", "bostader_bostadsratt", "bostader_aganderatt"}


def catalogue() -> pd.DataFrame:
    return pd.read_csv(raw_dir() / "programme" / "indicators.csv")


def read_raw(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"status": str, "omrade": str}, keep_default_na=False,
                       na_values={"taljare": [""], "namnare": [""], "varde": [""]})


def to_tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Map the raw demo columns to the tidy contract (names resolved via stadsdel_code)."""
    units = catalogue().set_index("indicator")["unit"]
    riket = raw["omradesniva"] == "riket"
    return pd.DataFrame({
        "area_code": np.where(riket, "riket", raw["omrade"].map(stadsdel_code)),
        "area_name": raw["omrade"],
        "area_level": raw["omradesniva"],
        "indicator": raw["indikator"],
        "year": raw["ar"].astype("int64"),
        "value": raw["varde"].astype(float),
        "status": raw["status"].astype(str),
        "numerator": raw["taljare"].astype(float),
        "denominator": raw["namnare"].astype(float),
        "unit": raw["indikator"].map(units),
        "source": raw["kalla"],
    })


@pytest.fixture(scope="module")
def text() -> str:
    return demo.to_csv_text(demo.generate())


@pytest.fixture(scope="module")
def raw(text) -> pd.DataFrame:
    return read_raw(text)


@pytest.fixture(scope="module")
def tidy(raw) -> pd.DataFrame:
    return aggregate.add_aggregates(to_tidy(raw), catalogue(), era="2007")


@pytest.fixture(scope="module")
def moving(tidy) -> pd.DataFrame:
    idx = index.social_risk_index(tidy, reference="moving")
    return idx[idx["domain"] == "total"].pivot(index="area_code", columns="year", values="value")


@pytest.fixture(scope="module")
def fixed(tidy) -> pd.DataFrame:
    idx = index.social_risk_index(tidy, reference="fixed", base_year=2006)
    return idx[idx["domain"] == "total"].pivot(index="area_code", columns="year", values="value")


def boroughs() -> list[str]:
    return sorted(stadsdelar()["sdo_2007"].unique())


# --- determinism and format ------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(text):
    assert demo.to_csv_text(demo.generate(demo.DEFAULT_SEED)).encode("utf-8") == text.encode("utf-8")


def test_different_seed_differs(text):
    assert demo.to_csv_text(demo.generate(7)) != text


def test_write_is_byte_identical(tmp_path, text):
    a = demo.write(tmp_path / "a.csv")
    b = demo.write(tmp_path / "b.csv")
    assert a.read_bytes() == b.read_bytes() == text.encode("utf-8")
    assert b"\r" not in a.read_bytes()


def test_shipped_file_is_current(text):
    shipped = raw_dir() / "demo" / "indikatorer_2006-2020.csv"
    assert shipped.read_bytes() == text.encode("utf-8")


def test_columns_and_sorted(raw):
    assert list(raw.columns) == demo.COLUMNS
    key = list(zip(raw["indikator"], raw["omradesniva"], raw["omrade"], raw["ar"]))
    assert key == sorted(key)
    assert not raw.duplicated(["omrade", "omradesniva", "indikator", "ar"]).any()


# --- coverage ----------------------------------------------------------------------------------

def test_coverage_117_by_15_per_indicator(raw):
    cat = catalogue()
    # Derived indicators and those only real SCB data provide are not in the demo file.
    expected = set(cat.loc[(cat["origin"] != "Härledd") & ~cat["origin"].str.startswith("Real (SCB"), "indicator"])
    expected -= set(demo_population.INDICATORS)  # their own demo file
    assert set(raw["indikator"]) == expected
    assert "upplatelseform_mangfald" not in expected and "index_sociala_risker" not in expected
    sd = raw[raw["omradesniva"] == "stadsdel"]
    names = set(stadsdelar()["stadsdel"])
    for ind, rows in sd.groupby("indikator"):
        assert set(rows["omrade"]) == names, ind
        years = range(2008 if ind == "jobbtorg_sjalvforsorjande" else 2006, 2021)
        assert len(rows) == 117 * len(years), ind
        assert set(rows["ar"]) == set(years), ind


def test_riket_rows(raw):
    r = raw[raw["omradesniva"] == "riket"]
    assert set(r["indikator"]) == {"kunskapskrav_ak9_exkl_nyanlanda"}
    assert set(r["omrade"]) == {"Riket"} and sorted(r["ar"]) == list(range(2006, 2021))
    assert (r["namnare"] > 50_000).all() and r["varde"].between(60, 90).all()


def test_sources(raw):
    pop = raw[raw["indikator"] == "folkmangd"]
    real = pop["ar"].isin([2014, 2015, 2016])
    assert (pop.loc[real, "kalla"] == "Stockholms stad, basområden (CC0)").all()
    others = pd.concat([pop[~real], raw[raw["indikator"] != "folkmangd"]])
    assert (others["kalla"] == "evalkit demodata (syntetisk, seed 20150101)").all()


def test_real_population(raw):
    src = pd.read_csv(raw_dir() / "population" / "folkmangd_2014-2016_stadsdel_stadsdelsomrade.csv")
    src = src[src["level"] == "stadsdel"].set_index("area")
    pop = raw[(raw["indikator"] == "folkmangd")].set_index(["omrade", "ar"])["varde"]
    for name in ("Tensta", "Hässelby gård", "Södermalm", "Farstanäset"):
        for year in (2014, 2015, 2016):
            assert pop[(name, year)] == src.loc[name, f"pop{year}"]
    city = pop.groupby(level="ar").sum()
    assert 750_000 < city[2006] < 830_000 and 950_000 < city[2020] < 1_020_000
    assert (city.diff().dropna() > 0).all()


# --- plausibility -------------------------------------------------------------------------------

def test_shares_numerators_and_counts(raw):
    cat = catalogue().set_index("indicator")
    kind = raw["indikator"].map(cat["kind"])
    shares = raw[kind == "andel"]
    assert shares["varde"].dropna().between(0, 100).all()
    rates = raw[kind != "antal"]
    # numerator <= denominator for shares and per-1 000 rates; means (days, minutes, kWh per unit)
    # naturally have numerators larger than their denominators
    assert (shares["taljare"] <= shares["namnare"]).all()
    kvot = raw[kind == "kvot"]
    assert (kvot["taljare"] <= kvot["namnare"]).all()
    assert rates["taljare"].notna().all() and rates["namnare"].notna().all()
    assert (rates["taljare"] >= 0).all() and (rates["namnare"] >= 0).all()
    ok = rates["namnare"] > 0
    scale = rates["indikator"].map(cat["scale"]).astype(float)
    recomputed = (rates["taljare"] / rates["namnare"] * scale).round(1)
    assert np.allclose(recomputed[ok], rates.loc[ok, "varde"], atol=0.051)
    counts = raw[raw["indikator"].isin(COUNTS)]
    assert counts["taljare"].isna().all() and (counts["varde"] == counts["varde"].round()).all()
    assert (counts["varde"] >= 0).all()


def test_zero_denominator_gives_dotdot(raw):
    cat = catalogue().set_index("indicator")
    rates = raw[raw["indikator"].map(cat["kind"]) != "antal"]
    zero = rates["namnare"] == 0
    assert zero.any()
    assert (rates.loc[zero, "status"] == "..").all() and rates.loc[zero, "varde"].isna().all()
    assert (rates.loc[~zero, "status"] == "").all() and rates.loc[~zero, "varde"].notna().all()
    farstanaset = raw[(raw["omrade"] == "Farstanäset") & (raw["indikator"] != "arbetsplatser_andel")]
    assert (farstanaset.loc[farstanaset["indikator"] == "folkmangd", "varde"] == 0).all()
    tiny_rates = farstanaset[~farstanaset["indikator"].isin(COUNTS)]
    assert (tiny_rates["status"] == "..").all()
    # surveys are not run in areas with a handful of inhabitants
    flaten = raw[(raw["omrade"] == "Flaten") & (raw["indikator"] == "otrygghet")]
    assert (flaten["status"] == "..").all()


def test_economic_assistance_gradient(tidy):
    eb = tidy[(tidy["indicator"] == "ekonomiskt_bistand") & (tidy["year"] == 2012)].set_index("area_code")["value"]
    city = eb["stockholm"]
    assert 3 < city < 6
    assert 5 <= eb["sd-rinkeby"] / city <= 10
    assert eb["sd-sodermalm"] < city and eb["sdo-bromma"] < city
    assert eb["programomradet"] > 2 * eb["ovriga-staden"]


# --- the programme text's statements -------------------------------------------------------------

def test_a_highest_boroughs_2012(moving):
    top3 = moving.loc[boroughs(), 2012].nlargest(3).index
    assert set(top3) == CORE


def test_b_tensta_about_180(moving):
    assert moving.loc["stockholm", 2012] == 100.0
    assert 165 <= moving.loc["sd-tensta", 2012] <= 195


def test_c_all_boroughs_fell_smallest_falls(fixed):
    assert fixed.loc["stockholm", 2006] == pytest.approx(100.0)
    change = fixed.loc[boroughs(), 2012] / fixed.loc[boroughs(), 2006] - 1
    assert len(change) == 14
    assert (change < 0).all()
    assert set(change.nlargest(3).index) == CORE  # least negative = smallest percentage fall


def test_d_above_average_2012(moving):
    sd = stadsdelar()
    in_programme_boroughs = sd[sd["sdo_2007"].isin(PROGRAMME_BOROUGHS)]
    values = moving[2012].reindex(in_programme_boroughs["stadsdel_code"]).to_numpy()
    above = set(in_programme_boroughs["stadsdel"][values > 100])
    assert above == ABOVE_AVERAGE_2012
    spanga = sd[sd["sdo_2007"] == "sdo-spanga-tensta"]
    above_sp = set(spanga["stadsdel"][moving[2012].reindex(spanga["stadsdel_code"]).to_numpy() > 100])
    assert above_sp == {"Tensta"}


# --- planted truth ---------------------------------------------------------------------------------

def test_planted_constants_documented():
    readme = (raw_dir() / "demo" / "README.md").read_text(encoding="utf-8")
    assert demo.PLANTED_EFFECT_EKONOMISKT_BISTAND == -0.03
    assert demo.PLANTED_EFFECT_ANMALDA_BROTT == 0.0
    assert demo.REFUGEE_SHOCK_EKONOMISKT_BISTAND == {2015: 1.06, 2016: 1.10}
    for word in ("PLANTED_EFFECT_EKONOMISKT_BISTAND", "PLANTED_EFFECT_ANMALDA_BROTT",
                 "REFUGEE_SHOCK_EKONOMISKT_BISTAND", "20150101", "python -m evalkit.demo", "syntet"):
        assert word in readme


def _relative_to_pretrend(tidy: pd.DataFrame, indicator: str) -> pd.Series:
    """Programme area / rest of city, relative to its log-linear trend 2006–2014 (2015–2020)."""
    v = tidy[tidy["indicator"] == indicator].pivot(index="area_code", columns="year", values="value")
    log_ratio = np.log(v.loc["programomradet"] / v.loc["ovriga-staden"])
    pre = np.arange(2006, 2015)
    coef = np.polyfit(pre, log_ratio[pre].to_numpy(), 1)
    post = np.arange(2015, 2021)
    return pd.Series(np.exp(log_ratio[post].to_numpy() - np.polyval(coef, post)), index=post)


def test_planted_effect_recoverable(tidy):
    """Against the pre-programme trend, economic assistance in the programme area ends ≈ 0.97**6
    × (no shock in 2020) = 0.833 of its counterfactual; reported crime stays on trend."""
    eb = _relative_to_pretrend(tidy, "ekonomiskt_bistand")
    expected = {y: (1 + demo.PLANTED_EFFECT_EKONOMISKT_BISTAND) ** (y - 2014)
                * demo.REFUGEE_SHOCK_EKONOMISKT_BISTAND.get(y, 1.0) for y in range(2015, 2021)}
    assert expected[2020] == pytest.approx(0.833, abs=0.001)
    for year, value in expected.items():
        assert eb[year] == pytest.approx(value, abs=0.06), year
    assert eb[2020] < 0.88
    crime = _relative_to_pretrend(tidy, "anmalda_brott")
    assert (crime - 1).abs().max() < 0.06
