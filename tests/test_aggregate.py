"""Tests of evalkit.aggregate: sums of numerators/denominators, coverage rule, tenure diversity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import aggregate
from evalkit.geography import stadsdelar

CATALOGUE = pd.DataFrame({
    "indicator": ["ekonomiskt_bistand", "anmalda_brott", "ohalsotal", "folkmangd", "arbetsplatser_andel",
                  "bostader_hyresratt", "bostader_bostadsratt", "bostader_aganderatt",
                  "upplatelseform_mangfald"],
    "unit": ["procent", "per 1 000 invånare", "dagar per invånare", "antal", "procent",
             "antal", "antal", "antal", "index 0–1"],
    "kind": ["andel", "kvot", "medel", "antal", "andel", "antal", "antal", "antal", "index"],
    "scale": [100, 1000, 1, np.nan, 100, np.nan, np.nan, np.nan, 1],
    # roles as in indicators.csv: a share of the whole city is compared over time only (its group
    # values keep the city's denominator); the tenure counts are the inputs of tenure diversity
    "comparisons": ["areas;time"] * 4 + ["time"] + ["areas;time"] * 4,
    "composite_input": [""] * 5 + ["upplatelseform_mangfald"] * 3 + [""],
})


def row(code, indicator, year, num=np.nan, den=np.nan, value=None, status=""):
    if value is None:
        scale = CATALOGUE.set_index("indicator").loc[indicator, "scale"]
        value = num / den * scale if status == "" and den else np.nan
    return {"area_code": code, "area_name": code, "area_level": "stadsdel", "indicator": indicator,
            "year": year, "value": float(value), "status": status, "numerator": float(num),
            "denominator": float(den), "unit": "x", "source": "test"}


def skarholmen_codes() -> list[str]:
    sd = stadsdelar()
    return list(sd.loc[sd["sdo_2007"] == "sdo-skarholmen", "stadsdel_code"])


def full_city(indicator: str, year: int = 2012, num: float = 10, den: float = 100) -> list[dict]:
    return [row(c, indicator, year, num, den) for c in stadsdelar()["stadsdel_code"]]


def get(out, code, indicator, year=2012):
    hit = out[(out["area_code"] == code) & (out["indicator"] == indicator) & (out["year"] == year)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_two_area_borough_sums_not_mean_of_rates():
    # Hand example: Skärholmen borough where two areas have data, A: 1 of 10 (10 %) and
    # B: 30 of 100 (30 %), and the other two have no inhabitants (denominator 0, status "..").
    # Mean of rates would be 20 %; the aggregate is (1 + 30) / (10 + 100) = 28.1818… %.
    a, b, c, d = skarholmen_codes()
    tidy = pd.DataFrame([row(a, "ekonomiskt_bistand", 2012, 1, 10), row(b, "ekonomiskt_bistand", 2012, 30, 100),
                         row(c, "ekonomiskt_bistand", 2012, 0, 0, status=".."),
                         row(d, "ekonomiskt_bistand", 2012, 0, 0, status="..")])
    out = aggregate.add_aggregates(tidy, CATALOGUE)
    agg = get(out, "sdo-skarholmen", "ekonomiskt_bistand")
    assert agg["numerator"] == 31 and agg["denominator"] == 110
    assert agg["value"] == pytest.approx(31 / 110 * 100) == pytest.approx(28.1818, abs=1e-4)
    assert agg["area_level"] == "stadsdelsomrade" and agg["area_name"] == "Skärholmen" and agg["status"] == ""
    # the programme area lacks rows for its other 17 areas (unknown size) -> ".."
    prog = get(out, "programomradet", "ekonomiskt_bistand")
    assert prog["status"] == ".." and np.isnan(prog["value"])

    # complete borough: four areas, sums of numerators and denominators
    nums, dens = [1, 30, 5, 4], [10, 100, 50, 40]
    tidy = pd.DataFrame([row(code, "ekonomiskt_bistand", 2012, n, dn)
                         for code, n, dn in zip(skarholmen_codes(), nums, dens)])
    agg = get(aggregate.add_aggregates(tidy, CATALOGUE), "sdo-skarholmen", "ekonomiskt_bistand")
    assert agg["numerator"] == 40 and agg["denominator"] == 200
    assert agg["value"] == pytest.approx(20.0)
    assert np.mean([n / dn * 100 for n, dn in zip(nums, dens)]) == pytest.approx(15.0)


def test_city_and_groups_scale_and_levels():
    tidy = pd.DataFrame(full_city("anmalda_brott", num=15, den=100) + full_city("ohalsotal", num=2500, den=100))
    out = aggregate.add_aggregates(tidy, CATALOGUE)
    city = get(out, "stockholm", "anmalda_brott")
    assert city["numerator"] == 15 * 117 and city["denominator"] == 100 * 117
    assert city["value"] == pytest.approx(150.0) and city["area_level"] == "stad"
    assert get(out, "stockholm", "ohalsotal")["value"] == pytest.approx(25.0)
    prog = get(out, "programomradet", "anmalda_brott")
    rest = get(out, "ovriga-staden", "anmalda_brott")
    assert prog["denominator"] == 2100 and rest["denominator"] == 9600
    assert prog["area_level"] == rest["area_level"] == "omradesgrupp"
    n_boroughs = out[(out["area_level"] == "stadsdelsomrade") & (out["indicator"] == "anmalda_brott")]
    assert len(n_boroughs) == 14


def test_counts_are_summed_and_riket_passes_through():
    rows = [row(c, "folkmangd", 2012, value=1000) for c in stadsdelar()["stadsdel_code"]]
    riket = {**row("riket", "ekonomiskt_bistand", 2012, 5, 100), "area_level": "riket", "area_name": "Riket"}
    tidy = pd.DataFrame(rows + [riket])
    out = aggregate.add_aggregates(tidy, CATALOGUE)
    city = get(out, "stockholm", "folkmangd")
    assert city["value"] == 117_000 and np.isnan(city["numerator"])
    r = out[out["area_code"] == "riket"]
    assert len(r) == 1 and r.iloc[0].drop("origin").to_dict() == pd.Series(riket).to_dict()  # + origin (new)
    assert not (out["area_code"] == "stockholm").pipe(lambda m: out.loc[m, "indicator"] == "ekonomiskt_bistand").any()


def test_coverage_rule():
    codes = list(stadsdelar()["stadsdel_code"])
    # one area missing with 3 % of the city's denominator -> value from the rest (97 % >= 95 %)
    rows = full_city("ekonomiskt_bistand", num=10, den=100)
    big = codes.index("sd-sodermalm")
    rows[big] = row("sd-sodermalm", "ekonomiskt_bistand", 2012, 999, 360, status="..")
    tidy = pd.DataFrame(rows)
    out = aggregate.add_aggregates(tidy, CATALOGUE)
    city = get(out, "stockholm", "ekonomiskt_bistand")
    # coverage = 11600 / (11600 + 360) = 97 %
    assert city["status"] == "" and city["denominator"] == 11600 and city["value"] == pytest.approx(10.0)
    # missing with 10 % of the denominator -> ".."
    rows[big] = row("sd-sodermalm", "ekonomiskt_bistand", 2012, 999, 1300, status="..")
    out = aggregate.add_aggregates(pd.DataFrame(rows), CATALOGUE)
    city = get(out, "stockholm", "ekonomiskt_bistand")
    assert city["status"] == ".." and np.isnan(city["value"]) and np.isnan(city["numerator"])
    # the borough of the missing area is also "..", an unaffected borough keeps its value
    assert get(out, "sdo-sodermalm", "ekonomiskt_bistand")["status"] == ".."
    assert get(out, "sdo-bromma", "ekonomiskt_bistand")["value"] == pytest.approx(10.0)
    # an area with denominator 0 and status ".." (no inhabitants) does not spoil its borough
    rows = full_city("ekonomiskt_bistand", num=10, den=100)
    rows[codes.index("sd-farstanaset")] = row("sd-farstanaset", "ekonomiskt_bistand", 2012, 0, 0, status="..")
    out = aggregate.add_aggregates(pd.DataFrame(rows), CATALOGUE)
    farsta = get(out, "sdo-farsta", "ekonomiskt_bistand")
    assert farsta["status"] == "" and farsta["value"] == pytest.approx(10.0)
    # a missing row with unknown denominator: falls back to population for the coverage weight
    rows = full_city("ekonomiskt_bistand", num=10, den=100)
    rows = [r for r in rows if r["area_code"] != "sd-tensta"]
    pop = [row(c, "folkmangd", 2012, value=100) for c in codes]
    out = aggregate.add_aggregates(pd.DataFrame(rows + pop), CATALOGUE)
    assert get(out, "stockholm", "ekonomiskt_bistand")["status"] == ""  # 116/117 = 99 %
    assert get(out, "sdo-spanga-tensta", "ekonomiskt_bistand")["status"] == ".."  # 5/6 = 83 %
    # ... and without population the coverage is unknown -> ".."
    out = aggregate.add_aggregates(pd.DataFrame(rows), CATALOGUE)
    assert get(out, "stockholm", "ekonomiskt_bistand")["status"] == ".."


def test_shared_denominator_not_summed():
    rows = [row(c, "arbetsplatser_andel", 2012, 10, 1170) for c in stadsdelar()["stadsdel_code"]]
    out = aggregate.add_aggregates(pd.DataFrame(rows), CATALOGUE)
    city = get(out, "stockholm", "arbetsplatser_andel")
    assert city["denominator"] == 1170 and city["value"] == pytest.approx(100.0)
    assert get(out, "sdo-skarholmen", "arbetsplatser_andel")["value"] == pytest.approx(40 / 1170 * 100)


def test_existing_aggregate_rows_are_replaced():
    tidy = pd.DataFrame(full_city("ekonomiskt_bistand"))
    once = aggregate.add_aggregates(tidy, CATALOGUE)
    twice = aggregate.add_aggregates(once, CATALOGUE)
    assert len(once) == len(twice) == 117 + 14 + 3


def test_tenure_diversity_hand_example():
    # 60 rental, 30 tenant-owned, 10 owner-occupied: D = 1 − (0.36 + 0.09 + 0.01) = 0.54
    tidy = pd.DataFrame([
        row("sd-tensta", "bostader_hyresratt", 2012, value=60),
        row("sd-tensta", "bostader_bostadsratt", 2012, value=30),
        row("sd-tensta", "bostader_aganderatt", 2012, value=10),
        # one tenure only -> 0; three equal -> 2/3
        row("sd-rinkeby", "bostader_hyresratt", 2012, value=500),
        row("sd-rinkeby", "bostader_bostadsratt", 2012, value=0),
        row("sd-rinkeby", "bostader_aganderatt", 2012, value=0),
        row("sd-kista", "bostader_hyresratt", 2012, value=7),
        row("sd-kista", "bostader_bostadsratt", 2012, value=7),
        row("sd-kista", "bostader_aganderatt", 2012, value=7),
        # a missing count -> ".."
        row("sd-husby", "bostader_hyresratt", 2012, value=7),
        row("sd-husby", "bostader_bostadsratt", 2012, value=7),
        row("sd-husby", "bostader_aganderatt", 2012, status=".."),
        # total zero -> ".."
        row("sd-farstanaset", "bostader_hyresratt", 2012, value=0),
        row("sd-farstanaset", "bostader_bostadsratt", 2012, value=0),
        row("sd-farstanaset", "bostader_aganderatt", 2012, value=0),
    ])
    out = aggregate.tenure_diversity(tidy, CATALOGUE).set_index("area_code")
    assert set(out["indicator"]) == {"upplatelseform_mangfald"} and set(out["unit"]) == {"index 0–1"}
    assert out.loc["sd-tensta", "value"] == pytest.approx(0.54)
    assert out.loc["sd-rinkeby", "value"] == pytest.approx(0.0)
    assert out.loc["sd-kista", "value"] == pytest.approx(2 / 3)
    for code in ("sd-husby", "sd-farstanaset"):
        assert out.loc[code, "status"] == ".." and np.isnan(out.loc[code, "value"])
    assert (out.loc[["sd-tensta", "sd-kista"], "status"] == "").all()


def test_tenure_diversity_on_aggregates():
    rows = []
    for c in stadsdelar()["stadsdel_code"]:
        rows += [row(c, "bostader_hyresratt", 2012, value=60), row(c, "bostader_bostadsratt", 2012, value=30),
                 row(c, "bostader_aganderatt", 2012, value=10)]
    tidy = aggregate.add_aggregates(pd.DataFrame(rows), CATALOGUE)
    out = aggregate.tenure_diversity(tidy, CATALOGUE).set_index("area_code")
    assert out.loc["stockholm", "value"] == pytest.approx(0.54)
    assert out.loc["stockholm", "area_level"] == "stad"
    assert len(out) == 117 + 14 + 3


def test_foreign_born_share_from_counts_known_answer():
    import pandas as pd

    from evalkit.aggregate import foreign_born_share

    rows = pd.DataFrame({
        "area_code": ["sd-tensta", "sd-tensta", "sd-kista", "sd-kista"],
        "area_name": ["Tensta", "Tensta", "Kista", "Kista"],
        "area_level": "stadsdel",
        "indicator": ["fodda_i_sverige", "folkmangd_scb", "fodda_i_sverige", "folkmangd_scb"],
        "year": 2020,
        "value": [6000.0, 20000.0, 1.0, float("nan")],
        "status": ["", "", "", ".."],
        "numerator": float("nan"), "denominator": float("nan"), "unit": "antal", "source": "t",
    })
    out = foreign_born_share(rows)
    assert out["area_code"].tolist() == ["sd-tensta"]  # Kista lacks a usable total
    assert out.iloc[0]["value"] == 70.0
    assert (out.iloc[0]["numerator"], out.iloc[0]["denominator"]) == (14000.0, 20000.0)


def test_aggregates_carry_the_registry_names():
    """Group rows are named as the geography registry names them (one name per code)."""
    tidy = pd.DataFrame(full_city("anmalda_brott"))
    out = aggregate.add_aggregates(tidy, CATALOGUE)
    for code, name in (("programomradet", "Programområdena"), ("ovriga-staden", "Övriga staden"),
                       ("stockholm", "Hela staden")):
        assert get(out, code, "anmalda_brott")["area_name"] == name


def test_published_table_has_one_name_per_area_code():
    """Every area code in every published table has exactly one name, the registry's."""
    from evalkit import data, geography

    published, _ = data.published_tidy()
    names = published.groupby("area_code")["area_name"].unique()
    several = {code: list(n) for code, n in names.items() if len(n) != 1}
    assert several == {}
    wrong = {code: n[0] for code, n in names.items()
             if code != geography.RIKET_CODE and n[0] != geography.area_name(code)}
    assert wrong == {}


def test_joined_sources_equal_the_sorted_set_per_group():
    """One sort of the (group, source) pairs gives each group's sorted distinct sources, as
    ``"; ".join(sorted(set(s.dropna())))`` per group did (the reference), "" for a group without."""
    rng = np.random.default_rng(29)
    names = np.array(["SCB", "Stockholms stad", "Ä-källa", "a", "Zeta", "SCB; del"], dtype=object)
    for _ in range(20):
        size = int(rng.integers(1, 300))
        groups = int(rng.integers(1, 40))
        group = rng.integers(0, groups, size)
        src = pd.Series(np.where(rng.random(size) < 0.2, None, rng.choice(names, size)), dtype=object)
        got = aggregate._joined_sources(group, src, groups)
        frame = pd.DataFrame({"g": group, "s": src})
        expected = frame.groupby("g")["s"].agg(lambda s: "; ".join(sorted(set(s.dropna())))).reindex(range(groups))
        assert got.tolist() == expected.fillna("").tolist()
