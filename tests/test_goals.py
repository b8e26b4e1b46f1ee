"""Goal status engine (evalkit.analysis.goals) on small hand-built tidy tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit import programme
from evalkit.analysis.goals import STATUS_RULE_SV, STATUSES, goal_status

AREA = "sd-testby"
CAT = programme.indicator_catalogue().set_index("indicator")


def obs(indicator, year, value=None, num=None, den=None, status="", area=AREA):
    """One tidy row; for shares give num/den and the value is derived as in the contract."""
    if value is None and num is not None and status == "":
        value = num / den * CAT.at[indicator, "scale"]
    return {
        "area_code": area, "area_name": area, "area_level": "riket" if area == "riket" else "stadsdel",
        "indicator": indicator, "year": year, "value": math.nan if status else value, "status": status,
        "numerator": num, "denominator": den, "unit": CAT.at[indicator, "unit"], "source": "test",
    }


def run(rows, **kw):
    tidy = pd.DataFrame(rows)
    return goal_status(tidy, AREA, **kw)


def row_for(result, indicator, goal_id=None):
    sel = result[result["indicator"] == indicator]
    if goal_id is not None:
        sel = sel[sel["goal_id"] == goal_id]
    assert len(sel) == 1
    return sel.iloc[0]


# --- shares (Wilson intervals) --------------------------------------------------------------


def test_large_n_clear_improvement_is_uppfyllt():
    r = row_for(run([obs("nojd_idrott", 2014, num=4000, den=10000), obs("nojd_idrott", 2020, num=5000, den=10000)]),
                "nojd_idrott")
    assert r["status"] == "uppfyllt"
    assert r["baseline"] == pytest.approx(40.0) and r["latest"] == pytest.approx(50.0)
    assert r["change"] == pytest.approx(10.0) and r["change_unit"] == "procentenheter"
    assert r["latest_ci_low"] > r["baseline_ci_high"]
    assert "överlappar inte" in r["reason_sv"]


def test_noisy_small_n_right_direction_is_pa_vag():
    r = row_for(run([obs("nojd_idrott", 2014, num=4, den=10), obs("nojd_idrott", 2020, num=6, den=10)]),
                "nojd_idrott")
    assert r["status"] == "på väg"
    assert r["latest_ci_low"] <= r["baseline_ci_high"]
    assert "slumpmässig variation" in r["reason_sv"]


def test_decrease_goal_large_n_clear_worsening_is_ej_uppfyllt():
    rows = [obs("ekonomiskt_bistand", 2014, num=1000, den=10000), obs("ekonomiskt_bistand", 2020, num=1500, den=10000)]
    r = row_for(run(rows), "ekonomiskt_bistand")
    assert r["direction"] == "decrease"
    assert r["status"] == "ej uppfyllt"
    assert "mot målets riktning" in r["reason_sv"]


def test_decrease_goal_large_n_clear_improvement_is_uppfyllt():
    rows = [obs("ekonomiskt_bistand", 2014, num=1500, den=10000), obs("ekonomiskt_bistand", 2020, num=1000, den=10000)]
    assert row_for(run(rows), "ekonomiskt_bistand")["status"] == "uppfyllt"


def test_noisy_wrong_direction_cannot_be_assessed():
    r = row_for(run([obs("nojd_kultur", 2014, num=6, den=10), obs("nojd_kultur", 2020, num=4, den=10)]),
                "nojd_kultur")
    assert r["status"] == "kan ej bedömas"
    assert "ryms inom den statistiska osäkerheten" in r["reason_sv"]


def test_unchanged_share_cannot_be_assessed():
    r = row_for(run([obs("nojd_kultur", 2014, num=500, den=1000), obs("nojd_kultur", 2020, num=500, den=1000)]),
                "nojd_kultur")
    assert r["status"] == "kan ej bedömas" and r["change"] == 0


def test_share_without_numerator_falls_back_to_relative_rule():
    r = row_for(run([obs("nojd_service", 2014, value=40.0), obs("nojd_service", 2020, value=50.0)]), "nojd_service")
    assert r["status"] == "uppfyllt"
    assert math.isnan(r["baseline_ci_low"])
    assert "utan täljare och nämnare" in r["reason_sv"]


# --- missing data ---------------------------------------------------------------------------


def test_missing_baseline_cannot_be_assessed():
    r = row_for(run([obs("nojd_idrott", 2020, num=5000, den=10000)]), "nojd_idrott")
    assert r["status"] == "kan ej bedömas"
    assert "2014" in r["reason_sv"] and "2020" not in r["reason_sv"]
    assert math.isnan(r["baseline"]) and math.isnan(r["change"])


def test_status_symbol_counts_as_missing_and_is_named():
    rows = [obs("otrygghet", 2014, num=300, den=1000), obs("otrygghet", 2020, status="x")]
    r = row_for(run(rows), "otrygghet")
    assert r["status"] == "kan ej bedömas"
    assert "2020 (x)" in r["reason_sv"]
    assert r["latest_status"] == "x"


def test_indicator_absent_for_both_years():
    res = run([obs("nojd_idrott", 2014, num=1, den=2)])
    r = row_for(res, "restid_city")
    assert r["status"] == "kan ej bedömas" and "2014" in r["reason_sv"] and "2020" in r["reason_sv"]


# --- non-share indicators (±2 % band) -------------------------------------------------------


@pytest.mark.parametrize(
    "latest, expected",
    [(36.0, "uppfyllt"), (40.5, "kan ej bedömas"), (39.3, "kan ej bedömas"), (44.0, "ej uppfyllt")],
)
def test_non_share_relative_change(latest, expected):
    r = row_for(run([obs("restid_city", 2014, value=40.0), obs("restid_city", 2020, value=latest)]), "restid_city")
    assert r["status"] == expected
    assert r["change_unit"] == "minuter"
    assert r["change"] == pytest.approx(latest - 40.0)


def test_social_risk_index_is_treated_as_non_share():
    rows = [obs("index_sociala_risker", 2014, value=180.0), obs("index_sociala_risker", 2020, value=160.0)]
    r = row_for(run(rows), "index_sociala_risker")
    assert r["goal_id"] == "social_hallbarhet-malsattning"
    assert r["status"] == "uppfyllt"
    assert r["change_unit"] == "index (staden = 100)"


def test_same_indicator_for_two_goals_gives_two_rows():
    rows = [obs("fardigstallda_bostader", 2014, value=4.0), obs("fardigstallda_bostader", 2020, value=3.0)]
    res = run(rows)
    sel = res[res["indicator"] == "fardigstallda_bostader"]
    assert list(sel["goal_id"]) == ["stadsmiljo_boende-1.1", "stadsmiljo_boende-3.2"]
    assert set(sel["status"]) == {"ej uppfyllt"}


# --- reference comparisons (at_least_reference) ---------------------------------------------

K = "kunskapskrav_ak9_exkl_nyanlanda"


def ref_rows(area_base, area_last, riket_base, riket_last):
    rows = [obs(K, 2014, value=area_base), obs(K, 2020, value=area_last)]
    if riket_base is not None:
        rows.append(obs(K, 2014, value=riket_base, area="riket"))
    if riket_last is not None:
        rows.append(obs(K, 2020, value=riket_last, area="riket"))
    return rows


@pytest.mark.parametrize(
    "area_base, area_last, riket_base, riket_last, expected",
    [
        (60.0, 75.0, 74.0, 75.0, "uppfyllt"),      # equal to riket counts as reached
        (60.0, 80.0, 74.0, 75.0, "uppfyllt"),
        (60.0, 70.0, 74.0, 75.0, "på väg"),        # gap 14 -> 5
        (60.0, 60.0, 70.0, 75.0, "ej uppfyllt"),   # gap 10 -> 15
        (60.0, 65.0, 70.0, 75.0, "ej uppfyllt"),   # gap unchanged 10 -> 10
        (60.0, 70.0, None, 75.0, "ej uppfyllt"),   # below riket, narrowing cannot be shown
        (60.0, 70.0, 74.0, None, "kan ej bedömas"),
    ],
)
def test_reference_comparison(area_base, area_last, riket_base, riket_last, expected):
    r = row_for(run(ref_rows(area_base, area_last, riket_base, riket_last)), K)
    assert r["direction"] == "at_least_reference"
    assert r["status"] == expected, r["reason_sv"]
    if riket_last is None:
        assert math.isnan(r["reference"])
    else:
        assert r["reference"] == riket_last
    assert "riket" in r["reason_sv"]


def test_reference_needs_area_values_first():
    rows = [obs(K, 2020, value=80.0), obs(K, 2020, value=75.0, area="riket")]
    r = row_for(run(rows), K)
    assert r["status"] == "kan ej bedömas" and "2014" in r["reason_sv"]


# --- shape, order, filtering ----------------------------------------------------------------


def test_output_shape_order_and_area_filter():
    rows = [
        obs("nojd_idrott", 2014, num=4000, den=10000), obs("nojd_idrott", 2020, num=5000, den=10000),
        # another area with opposite movement must not leak in
        obs("nojd_idrott", 2014, num=5000, den=10000, area="sd-annat"),
        obs("nojd_idrott", 2020, num=1000, den=10000, area="sd-annat"),
    ]
    res = run(rows)
    links = programme.goal_indicators()
    assert len(res) == len(links) == 15
    order = {g: i for i, g in enumerate(programme.goals()["goal_id"])}
    assert list(res["goal_id"].map(order)) == sorted(res["goal_id"].map(order))
    assert res["goal_id"].iloc[0] == "stadsmiljo_boende-1.1"
    assert res["goal_id"].iloc[-1] == "social_hallbarhet-malsattning"
    assert set(res["status"]) <= set(STATUSES)
    assert (res["area_code"] == AREA).all()
    assert row_for(res, "nojd_idrott")["status"] == "uppfyllt"
    for col in ["goal_id", "goal_number", "malomrade", "heading_sv", "text_sv", "indicator", "label_sv", "unit",
                "direction", "baseline_year", "baseline", "latest_year", "latest", "change", "change_unit",
                "reference", "status", "reason_sv"]:
        assert col in res.columns
    assert (res["reason_sv"].str.len() > 0).all()


def test_custom_years():
    rows = [obs("restid_city", 2016, value=40.0), obs("restid_city", 2019, value=30.0)]
    r = row_for(run(rows, baseline_year=2016, latest_year=2019), "restid_city")
    assert r["status"] == "uppfyllt" and r["baseline_year"] == 2016 and r["latest_year"] == 2019


def test_unknown_area_and_duplicates_raise():
    with pytest.raises(ValueError, match="sd-finns-inte"):
        goal_status(pd.DataFrame([obs("restid_city", 2014, value=1.0)]), "sd-finns-inte")
    dup = pd.DataFrame([obs("restid_city", 2014, value=1.0), obs("restid_city", 2014, value=2.0),
                        obs("restid_city", 2020, value=2.0)])
    with pytest.raises(ValueError, match="restid_city"):
        goal_status(dup, AREA)


def test_rule_text_covers_every_status():
    for status in STATUSES:
        assert f"”{status}”" in STATUS_RULE_SV
    assert "Wilson" in STATUS_RULE_SV and "2 procent" in STATUS_RULE_SV and "riket" in STATUS_RULE_SV


def test_synthetic_baseline_and_real_latest_value_are_not_compared():
    """A series that switches from demo data to real statistics has a break: no status, and the
    reason says which year is synthetic."""
    demo, real = obs("fardigstallda_bostader", 2014, value=2.0), obs("fardigstallda_bostader", 2020, value=9.0)
    demo["source"] = "evalkit demodata (syntetisk, seed 1)"
    r = row_for(run([demo, real]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")
    assert r["status"] == "kan ej bedömas" and math.isnan(r["change"])
    assert "2014 bygger på syntetiska demodata" in r["reason_sv"] and "2020 på verklig statistik" in r["reason_sv"]
    # both synthetic (a wholly demo build) or both real: compared as usual
    real_base = obs("fardigstallda_bostader", 2014, value=2.0)
    assert row_for(run([real_base, real]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")["status"] == "uppfyllt"
    demo_latest = dict(real, source=demo["source"])
    assert row_for(run([demo, demo_latest]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")["status"] == "uppfyllt"
    # an aggregate mixing demo and real stadsdelar is neither: not compared with pure demo data
    mixed = dict(real, source="evalkit: härlett (summa); SCB, Statistikdatabasen; evalkit demodata (syntetisk, seed 1)")
    r = row_for(run([demo, mixed]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")
    assert r["status"] == "kan ej bedömas" and "delvis syntetiska demodata och delvis verklig statistik" in r["reason_sv"]


def test_data_basis():
    from evalkit.analysis.goals import data_basis

    assert data_basis("evalkit demodata (syntetisk, seed 1)") == "syntetisk"
    assert data_basis("SCB, Statistikdatabasen (CC0)") == "verklig"
    assert data_basis("evalkit: härlett (Simpsons index); evalkit demodata (syntetisk)") == "syntetisk"
    assert data_basis("evalkit: härlett (Simpsons index); SCB (CC0); evalkit demodata (syntetisk)") == "blandad"
    assert data_basis("evalkit: beräknat index (rörlig referens)") == "verklig"
    assert "syntetiska demodata" in STATUS_RULE_SV
