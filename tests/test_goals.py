"""Goal status engine (evalkit.analysis.goals) and its wording (evalkit.present.goals) on small
hand-built tidy tables, with known answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.proportion import proportions_ztest

from evalkit import contracts, programme
from evalkit.analysis import goals as rule
from evalkit.analysis.goals import STATUSES, goal_status
from evalkit.present import goals as words

AREA = "sd-testby"
CAT = programme.indicator_catalogue().set_index("indicator")
MET, ON_TRACK, NOT_MET = "met", "on_track", "not_met"
UNCERTAIN, NO_DATA = "within_uncertainty", "no_data"


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
    """Goal status of AREA, with the Swedish wording added (status_sv, reason_sv)."""
    return words.with_labels(goal_status(pd.DataFrame(rows), AREA, **kw))


def row_for(result, indicator, goal_id=None):
    sel = result[result["indicator"] == indicator]
    if goal_id is not None:
        sel = sel[sel["goal_id"] == goal_id]
    assert len(sel) == 1
    return sel.iloc[0]


# --- the two-proportion test against references computed another way ------------------------


@pytest.mark.parametrize("x1, n1, x2, n2", [(40, 100, 55, 100), (1642, 5228, 1860, 5520), (4, 10, 6, 10),
                                            (121, 374, 152, 362)])
def test_two_proportion_p_equals_statsmodels(x1, n1, x2, n2):
    _, expected = proportions_ztest([x2, x1], [n2, n1])
    assert rule.two_proportion_p(x1, n1, x2, n2) == pytest.approx(expected, rel=1e-9)


def test_two_proportion_p_by_hand():
    # 40/100 vs 55/100: pooled p = 0.475, se = sqrt(0.475·0.525·(1/100 + 1/100)) = 0.0706207,
    # z = 0.15 / 0.0706207 = 2.12402, two-sided p = 2·(1 − Φ(2.12402)) = 0.03367.
    assert rule.two_proportion_p(40, 100, 55, 100) == pytest.approx(0.03367, abs=5e-5)


def test_survey_change_is_tested_not_by_interval_overlap():
    """510/1000 → 560/1000: the two 95 % Wilson intervals of the design-effect sample (n/2 = 500)
    overlap, but the test of the difference is significant, so the goal is met."""
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(280, 500, method="wilson")[0], proportion_confint(255, 500, method="wilson")[1]
    assert lo < hi  # overlap
    r = row_for(run([obs("nojd_service", 2014, num=510, den=1000), obs("nojd_service", 2020, num=580, den=1000)]),
                "nojd_service")
    assert r["method"] == "two_proportion" and r["p_value"] < 0.05 and r["design_effect"] == 2.0
    assert (r["status"], r["reason"], r["status_sv"]) == (MET, "improved", "uppfyllt")
    assert "statistiskt säkerställd" in r["reason_sv"] and "+7,0 procentenheter" in r["reason_sv"]
    assert "designeffekt 2,0" in r["reason_sv"]


# --- count models and the design effect against statsmodels and by hand ---------------------


@pytest.mark.parametrize("x1, n1, x2, n2", [(40, 100, 55, 100), (1642, 5228, 1860, 5520), (121, 374, 152, 362)])
def test_binomial_difference_equals_statsmodels_wald(x1, n1, x2, n2):
    se = math.hypot(rule.binomial_se(x1, n1), rule.binomial_se(x2, n2))
    expected = sm_proportion.test_proportions_2indep(x2, n2, x1, n1, method="wald", compare="diff").pvalue
    assert rule.difference_p(x2 / n2 - x1 / n1, se) == pytest.approx(expected, rel=1e-9)


def test_binomial_se_by_hand_and_the_design_effect():
    # 40/100: √(0.4·0.6/100) = 0.0489898; ×100 for percent; deff 2 multiplies the variance by 2.
    assert rule.binomial_se(40, 100) == pytest.approx(0.0489898, abs=1e-7)
    assert rule.binomial_se(40, 100, 100) == pytest.approx(4.89898, abs=1e-5)
    assert rule.binomial_se(40, 100, 100, 2.0) == pytest.approx(4.89898 * math.sqrt(2), abs=1e-5)
    # deff 2 is the same test as halving every count (statsmodels on 345/500 against 3500/5000),
    # here against the non-inferiority margin −1.4 pp
    se = math.hypot(rule.binomial_se(690, 1000, 100, 2.0), rule.binomial_se(7000, 10000, 100, 2.0))
    expected = sm_proportion.test_proportions_2indep(345, 500, 3500, 5000, value=-0.014, method="wald", compare="diff").pvalue
    assert rule.difference_p(-1.0, se, null=-1.4) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("x1, n1, x2, n2", [(120, 20000, 90, 21000), (4, 900, 11, 950), (0, 500, 3, 520)])
def test_poisson_difference_equals_statsmodels_wald(x1, n1, x2, n2):
    se = math.hypot(rule.poisson_se(x1, n1, 1000), rule.poisson_se(x2, n2, 1000))
    expected = sm_rates.test_poisson_2indep(x2, n2, x1, n1, method="wald", compare="diff").pvalue
    assert rule.difference_p(1000 * (x2 / n2 - x1 / n1), se) == pytest.approx(expected, rel=1e-9)
    assert rule.poisson_se(120, 20000, 1000) == pytest.approx(1000 * math.sqrt(120) / 20000)


def test_benjamini_hochberg_by_hand():
    # sorted 0.01, 0.03, 0.04 → 0.01·3/1 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04; monotone from
    # the top: 0.04, min(0.045, 0.04) = 0.04, 0.03. NaN stays NaN.
    got = rule.bh_adjust(pd.Series([0.01, 0.04, math.nan, 0.03]))
    assert got.iloc[[0, 1, 3]].tolist() == pytest.approx([0.03, 0.04, 0.04])
    assert math.isnan(got.iloc[2])


def test_bh_column_counts_one_indicator_followed_by_two_goals_once():
    rows = [obs("fardigstallda_bostader", 2014, num=100, den=20000), obs("fardigstallda_bostader", 2020, num=140, den=20000),
            obs("nojd_service", 2014, num=500, den=1000), obs("nojd_service", 2020, num=580, den=1000)]
    res = goal_status(pd.DataFrame(rows), AREA)
    tested = res[res["p_value"].notna()]
    assert len(tested) == 3 and tested["indicator"].nunique() == 2
    expected = rule.bh_adjust(tested.drop_duplicates("indicator")["p_value"].reset_index(drop=True))
    for ind, q in zip(tested.drop_duplicates("indicator")["indicator"], expected):
        got = tested.loc[tested["indicator"] == ind, "p_value_bh"].tolist()
        assert got == pytest.approx([q] * len(got))
    contracts.goal_status_schema().validate(res)


def test_reason_says_when_a_verdict_does_not_survive_the_adjustment():
    r = row_for(run([obs("nojd_service", 2014, num=500, den=1000), obs("nojd_service", 2020, num=570, den=1000)]),
                "nojd_service")
    assert r["p_value"] < 0.05  # alone: significant (one test in this table, so nothing to adjust)
    assert r["p_value_bh"] == pytest.approx(r["p_value"]) and "Justerat" not in r["reason_sv"]
    many = run([obs("nojd_service", 2014, num=500, den=1000), obs("nojd_service", 2020, num=570, den=1000),
                obs("otrygghet", 2014, num=300, den=1000), obs("otrygghet", 2020, num=305, den=1000),
                obs("ren_utemiljo", 2014, num=600, den=1000), obs("ren_utemiljo", 2020, num=602, den=1000)])
    r = row_for(many, "nojd_service")
    assert r["p_value"] < 0.05 <= r["p_value_bh"]
    assert r["status"] == MET and "inte säkerställd (justerat p = " in r["reason_sv"]


# --- symmetry -------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator, base, delta", [
    ("nojd_service", (500, 1000), 20),      # survey: ±2 pp of n = 1000, p ≈ 0.37
    ("otrygghet", (300, 1000), 25),         # survey, a decrease goal
    ("nojd_service", (4, 10), 2),           # survey, tiny n (the old rule: "på väg" one way only)
])
def test_change_within_the_uncertainty_gets_the_same_status_in_both_directions(indicator, base, delta):
    x, n = base
    up = row_for(run([obs(indicator, 2014, num=x, den=n), obs(indicator, 2020, num=x + delta, den=n)]), indicator)
    down = row_for(run([obs(indicator, 2014, num=x, den=n), obs(indicator, 2020, num=x - delta, den=n)]), indicator)
    assert up["p_value"] >= 0.05 and down["p_value"] >= 0.05
    assert up["status"] == down["status"] == UNCERTAIN
    assert up["reason"] == down["reason"] == "change_within_uncertainty"
    assert "ryms inom den statistiska osäkerheten" in up["reason_sv"]


@pytest.mark.parametrize("indicator, delta", [("ekonomiskt_bistand", 0.15), ("restid_city", 0.7),
                                              ("index_sociala_risker", 1.9)])
def test_register_change_within_the_tolerance_gets_the_same_status_in_both_directions(indicator, delta):
    base = {"ekonomiskt_bistand": 10.0, "restid_city": 40.0, "index_sociala_risker": 100.0}[indicator]
    up = row_for(run([obs(indicator, 2014, value=base), obs(indicator, 2020, value=base + delta)]), indicator)
    down = row_for(run([obs(indicator, 2014, value=base), obs(indicator, 2020, value=base - delta)]), indicator)
    assert up["status"] == down["status"] == UNCERTAIN and up["reason"] == down["reason"] == "change_within_uncertainty"
    assert up["method"] == "tolerance"  # values without counts: no count model
    assert up["tolerance"] == pytest.approx(0.02 * base)


def test_beyond_the_uncertainty_the_direction_decides():
    better = row_for(run([obs("otrygghet", 2014, num=400, den=1000), obs("otrygghet", 2020, num=300, den=1000)]),
                     "otrygghet")
    worse = row_for(run([obs("otrygghet", 2014, num=300, den=1000), obs("otrygghet", 2020, num=400, den=1000)]),
                    "otrygghet")
    assert (better["status"], worse["status"]) == (MET, NOT_MET)
    assert "mot målets riktning" in worse["reason_sv"]


# --- register data: complete counts with a tolerance -----------------------------------------


@pytest.mark.parametrize("latest, expected, reason", [
    # 1 000 of 10 000 (10,0 %): SE of each year 0.30 pp, of the difference 0.42 pp, 95 % half-width 0.83 pp
    (9.0, MET, "improved"), (9.7, UNCERTAIN, "change_within_uncertainty"),
    (10.3, UNCERTAIN, "change_within_uncertainty"), (11.0, NOT_MET, "worsened"),
])
def test_register_share_with_a_binomial_model(latest, expected, reason):
    rows = [obs("ekonomiskt_bistand", 2014, num=1000, den=10000),
            obs("ekonomiskt_bistand", 2020, num=latest * 100, den=10000)]
    r = row_for(run(rows), "ekonomiskt_bistand")
    assert r["method"] == "binomial" and math.isnan(r["tolerance"])
    assert (r["status"], r["reason"]) == (expected, reason)
    expected_p = sm_proportion.test_proportions_2indep(latest * 100, 10000, 1000, 10000, method="wald", compare="diff").pvalue
    assert r["p_value"] == pytest.approx(expected_p, rel=1e-9)
    assert r["se"] == pytest.approx(100 * math.sqrt(0.1 * 0.9 / 10000 + latest / 100 * (1 - latest / 100) / 10000))


def test_no_change_is_told_apart_from_too_uncertain():
    """10 000 000 people, 10,00 % → 10,01 %: the 95 % interval (−0,02 to +0,04 pp) lies inside the
    margin ±0,2 pp, so a change of practical size is ruled out and the goal to decrease is not met;
    the same shares of 1 000 people are merely too uncertain."""
    big = row_for(run([obs("ekonomiskt_bistand", 2014, num=1_000_000, den=10_000_000),
                       obs("ekonomiskt_bistand", 2020, num=1_001_000, den=10_000_000)]), "ekonomiskt_bistand")
    assert big["p_value"] > 0.05 and (big["status"], big["reason"]) == (NOT_MET, "no_change")
    assert big["margin"] == pytest.approx(0.2)
    assert "en förändring av betydelse kan uteslutas" in big["reason_sv"]
    small = row_for(run([obs("ekonomiskt_bistand", 2014, num=100, den=1000),
                         obs("ekonomiskt_bistand", 2020, num=100.1, den=1000)]), "ekonomiskt_bistand")
    assert (small["status"], small["reason"]) == (UNCERTAIN, "change_within_uncertainty")


def test_rate_per_inhabitants_uses_a_poisson_model():
    rows = [obs("fardigstallda_bostader", 2014, num=40, den=20000), obs("fardigstallda_bostader", 2020, num=80, den=20000)]
    r = row_for(run(rows), "fardigstallda_bostader", "stadsmiljo_boende-1.1")
    assert r["method"] == "poisson" and r["status"] == MET
    assert r["p_value"] == pytest.approx(sm_rates.test_poisson_2indep(80, 20000, 40, 20000, method="wald", compare="diff").pvalue)


def test_small_register_share_is_judged_by_its_count_model():
    """4/10 → 6/10 self-supporting after Jobbtorg: a complete count, but ten people are a small count
    whose share varies by chance alone (binomial SE 22 pp), so the rise is within the uncertainty."""
    rows = [obs("jobbtorg_sjalvforsorjande", 2014, num=4, den=10), obs("jobbtorg_sjalvforsorjande", 2020, num=6, den=10)]
    r = row_for(run(rows), "jobbtorg_sjalvforsorjande")
    assert r["sampling"] == "register" and r["method"] == "binomial"
    assert (r["status"], r["status_sv"]) == (UNCERTAIN, "ryms i osäkerheten")
    assert "binomialmodell" in r["reason_sv"]


@pytest.mark.parametrize("latest, expected", [(36.0, MET), (40.5, UNCERTAIN), (39.3, UNCERTAIN), (44.0, NOT_MET)])
def test_non_share_relative_change(latest, expected):
    r = row_for(run([obs("restid_city", 2014, value=40.0), obs("restid_city", 2020, value=latest)]), "restid_city")
    assert r["status"] == expected
    assert r["change_unit"] == "minuter"
    assert r["change"] == pytest.approx(latest - 40.0)


def test_survey_share_without_sample_size_cannot_be_assessed():
    r = row_for(run([obs("nojd_service", 2014, value=40.0), obs("nojd_service", 2020, value=50.0)]), "nojd_service")
    assert (r["status"], r["reason"]) == (NO_DATA, "no_sample_size")


# --- missing and hidden data -----------------------------------------------------------------


def test_missing_baseline_cannot_be_assessed():
    r = row_for(run([obs("nojd_service", 2020, num=5000, den=10000)]), "nojd_service")
    assert (r["status"], r["reason"]) == (NO_DATA, "missing_baseline")
    assert "2014" in r["reason_sv"] and "2020" not in r["reason_sv"]
    assert math.isnan(r["baseline"]) and math.isnan(r["change"])


def test_hidden_value_is_named_and_never_used():
    # A hidden cell whose numerator and denominator were left in the table must not leak into a test.
    hidden = obs("otrygghet", 2020, status="x", num=310, den=1000)
    r = row_for(run([obs("otrygghet", 2014, num=300, den=1000), hidden]), "otrygghet")
    assert (r["status"], r["reason"], r["latest_status"]) == (NO_DATA, "missing_latest", "x")
    assert "2020 (x)" in r["reason_sv"]
    assert math.isnan(r["latest"]) and math.isnan(r["p_value"]) and math.isnan(r["latest_n"])


def test_hidden_reference_value_is_named():
    rows = [obs(K, 2014, value=60.0), obs(K, 2020, value=70.0), obs(K, 2014, value=74.0, area="riket"),
            obs(K, 2020, status="x", area="riket")]
    r = row_for(run(rows), K)
    assert (r["status"], r["reason"]) == (NO_DATA, "reference_missing")
    assert "riket 2020 (x)" in r["reason_sv"]


def test_indicator_absent_for_both_years():
    r = row_for(run([obs("nojd_idrott", 2014, num=1, den=2)]), "restid_city")
    assert r["reason"] == "missing_both" and "2014" in r["reason_sv"] and "2020" in r["reason_sv"]


# --- level goals: at least the reference ----------------------------------------------------

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
        (60.0, 80.0, 74.0, 75.0, MET),         # above riket
        (60.0, 76.0, 74.0, 75.0, MET),         # +1 pp: above riket (no counts: the margin alone decides) …
        (60.0, 74.0, 74.0, 75.0, MET),         # … and −1 pp is within the margin 1.5 pp
        (60.0, 70.0, 74.0, 75.0, ON_TRACK),    # below the margin; gap 14 -> 5
        (60.0, 60.0, 70.0, 75.0, NOT_MET),     # gap 10 -> 15
        (60.0, 64.0, 70.0, 75.0, NOT_MET),     # gap 10 -> 11
        (60.0, 70.0, None, 75.0, NOT_MET),     # below riket, narrowing cannot be shown
        (60.0, 70.0, 74.0, None, NO_DATA),
    ],
)
def test_register_level_goal_against_riket(area_base, area_last, riket_base, riket_last, expected):
    r = row_for(run(ref_rows(area_base, area_last, riket_base, riket_last)), K)
    assert r["direction"] == "at_least_reference" and r["reference_area"] == "riket"
    assert r["status"] == expected, r["reason_sv"]
    if riket_last is not None:
        assert r["reference_latest"] == riket_last and r["difference"] == pytest.approx(area_last - riket_last)
    assert "riket" in r["reason_sv"]


def idrott(area_b, area_l, ref_b, ref_l):
    return [obs("nojd_idrott", 2014, num=area_b[0], den=area_b[1]), obs("nojd_idrott", 2020, num=area_l[0], den=area_l[1]),
            obs("nojd_idrott", 2014, num=ref_b[0], den=ref_b[1], area="ovriga-staden"),
            obs("nojd_idrott", 2020, num=ref_l[0], den=ref_l[1], area="ovriga-staden")]


def test_goals_2_3_and_2_4_are_level_goals_against_the_rest_of_the_city():
    links = programme.goal_indicators().set_index("goal_id")
    for goal in ("stadsmiljo_boende-2.3", "stadsmiljo_boende-2.4"):
        assert links.at[goal, "direction"] == "at_least_reference"
        assert links.at[goal, "reference_area"] == "ovriga-staden"
        assert links.at[goal, "sampling"] == "survey"


def test_survey_level_goal_symmetric_around_the_reference_and_never_met_by_default():
    """71 % and 69 % against 70 % with n = 1 000 (deff 2): neither is shown to be at least the
    reference less the margin 1,4 pp, nor below it – within the uncertainty, not "uppfyllt"."""
    ref = (7000, 10000)
    above = row_for(run(idrott((600, 1000), (710, 1000), ref, ref)), "nojd_idrott")
    below = row_for(run(idrott((600, 1000), (690, 1000), ref, ref)), "nojd_idrott")
    assert above["status"] == below["status"] == UNCERTAIN
    assert above["reason"] == below["reason"] == "level_within_uncertainty"
    assert below["margin"] == pytest.approx(1.4)
    expected = sm_proportion.test_proportions_2indep(345, 500, 3500, 5000, value=-0.014, method="wald", compare="diff").pvalue
    assert below["p_value"] == pytest.approx(expected, rel=1e-9)
    assert "för osäker för att visa om området ligger minst i nivå med övriga staden" in below["reason_sv"]
    assert below["status_sv"] == "ryms i osäkerheten"


def test_level_goal_met_by_non_inferiority():
    """With 10 000 pupils, 74,5 % against riket 75,0 %: the interval's lower end (−1,4 pp) is above
    −1,5 pp (2 % of 75), so the area is at least level with riket."""
    rows = [obs(K, 2014, num=7000, den=10000), obs(K, 2020, num=7450, den=10000),
            obs(K, 2014, num=74000, den=100000, area="riket"), obs(K, 2020, num=75000, den=100000, area="riket")]
    r = row_for(run(rows), K)
    assert r["method"] == "binomial" and (r["status"], r["reason"]) == (MET, "within_margin")
    assert r["difference"] - rule.z_critical() * r["se"] > -r["margin"]
    small = [obs(K, 2014, num=70, den=100), obs(K, 2020, num=74.5, den=100), *rows[2:]]
    assert row_for(run(small), K)["reason"] == "level_within_uncertainty"


def test_survey_level_goal_below_the_reference():
    ref = (7000, 10000)
    narrowed = row_for(run(idrott((500, 1000), (620, 1000), ref, ref)), "nojd_idrott")
    assert (narrowed["status"], narrowed["reason"]) == (ON_TRACK, "below_gap_narrowed")
    assert narrowed["gap_baseline"] == pytest.approx(20.0) and narrowed["gap_latest"] == pytest.approx(8.0)
    # The gap 20 -> 18 pp is no narrowing beyond the uncertainty (n = 1 000).
    same = row_for(run(idrott((500, 1000), (520, 1000), ref, ref)), "nojd_idrott")
    assert (same["status"], same["reason"]) == (NOT_MET, "below_gap_not_narrowed")
    assert same["gap_p_value"] >= 0.05


# --- Skola 1.1 per school --------------------------------------------------------------------


def school(school_id, year, value, national=70.0, grade=9, measure="kunskapskrav_alla_amnen", status="",
           group="exkl_nyanlanda", area=AREA):
    return {"school_id": school_id, "school": school_id, "area_code": area, "year": year, "grade": grade,
            "measure": measure, "group": group, "n_pupils": 20, "value": math.nan if status else value,
            "national": national, "status": status}


def school_row(schools):
    res = run([obs("restid_city", 2014, value=40.0)], schools=pd.DataFrame(schools))
    return row_for(res, rule.SCHOOL_INDICATOR)


def test_school_goal_met_when_every_school_is_at_least_level_with_the_national_average():
    r = school_row([school("A", 2020, 70.0), school("A", 2020, 69.0, grade=6),  # −1,4 % is within 2 %
                    school("B", 2020, 80.0), school("C", 2020, math.nan, status="x"),  # withheld: not used
                    school("D", 2020, 10.0, group="nyanlanda")])  # newly arrived: reported separately
    assert (r["status"], r["reason"]) == (MET, "all_schools_meet")
    assert r["latest_n"] == 2 and r["latest"] == 100.0
    assert r["goal_id"] == "skola_utbildning-1.1"
    assert "Alla 2 skolor" in r["reason_sv"]


def test_school_goal_one_result_below_fails_the_school_and_one_school_either_way_is_symmetric():
    rows = [school("A", 2014, 60.0), school("B", 2014, 60.0),
            school("A", 2020, 75.0), school("A", 2020, 68.0, grade=6),  # −2,9 %: below
            school("B", 2020, 72.0)]
    up = school_row(rows)  # 0 of 2 → 1 of 2: one school more is within the uncertainty
    assert up["baseline"] == 0.0 and up["latest"] == 50.0 and up["difference"] == 1.0
    assert (up["status"], up["reason"]) == (NOT_MET, "schools_below")
    assert "1 av 2 skolor 2020" in up["reason_sv"] and "mot 0 av 2 2014" in up["reason_sv"]
    down = school_row([school("A", 2014, 75.0), school("B", 2014, 60.0),  # 1 of 2 → 0 of 2
                       school("A", 2020, 60.0), school("B", 2020, 60.0)])
    assert down["difference"] == -1.0 and (down["status"], down["reason"]) == (up["status"], up["reason"])
    three = [school(s_, 2014, 60.0) for s_ in "ABC"] + [school("A", 2020, 75.0), school("B", 2020, 75.0),
                                                       school("C", 2020, 60.0)]
    r = school_row(three)  # 0 of 3 → 2 of 3: beyond one school
    assert (r["status"], r["reason"]) == (ON_TRACK, "more_schools_meet")


def test_school_goal_without_results_cannot_be_assessed():
    r = school_row([school("A", 2020, math.nan, status="x")])
    assert (r["status"], r["reason"]) == (NO_DATA, "no_school_assessed")


def test_school_row_only_with_a_school_table():
    assert rule.SCHOOL_INDICATOR not in set(run([obs("restid_city", 2014, value=40.0)])["indicator"])


# --- shape, order, schema, rule text -----------------------------------------------------------


def test_output_shape_order_schema_and_area_filter():
    rows = [
        obs("nojd_service", 2014, num=4000, den=10000), obs("nojd_service", 2020, num=5000, den=10000),
        # another area with opposite movement must not leak in
        obs("nojd_service", 2014, num=5000, den=10000, area="sd-annat"),
        obs("nojd_service", 2020, num=1000, den=10000, area="sd-annat"),
    ]
    res = goal_status(pd.DataFrame(rows), AREA)
    contracts.goal_status_schema().validate(res)
    assert list(res.columns) == rule.OUTPUT_COLUMNS
    links = programme.goal_indicators()
    assert len(res) == len(links) == 15
    order = {g: i for i, g in enumerate(programme.goals()["goal_id"])}
    assert list(res["goal_id"].map(order)) == sorted(res["goal_id"].map(order))
    assert set(res["status"]) <= set(STATUSES)
    assert (res["area_code"] == AREA).all()
    assert row_for(res, "nojd_service")["status"] == MET
    labelled = words.with_labels(res)
    assert (labelled["reason_sv"].str.len() > 0).all() and labelled["status_sv"].notna().all()


def test_schema_refuses_a_status_that_contradicts_the_decision_table():
    res = goal_status(pd.DataFrame([obs("restid_city", 2014, value=40.0)]), AREA)
    res.loc[0, "status"] = MET
    with pytest.raises(Exception, match="beslutstabellen"):
        contracts.goal_status_schema().validate(res)


def test_same_indicator_for_two_goals_gives_two_rows():
    rows = [obs("fardigstallda_bostader", 2014, value=4.0), obs("fardigstallda_bostader", 2020, value=3.0)]
    sel = goal_status(pd.DataFrame(rows), AREA).query("indicator == 'fardigstallda_bostader'")
    assert list(sel["goal_id"]) == ["stadsmiljo_boende-1.1", "stadsmiljo_boende-3.2"]
    assert set(sel["status"]) == {NOT_MET}


def test_custom_years():
    rows = [obs("restid_city", 2016, value=40.0), obs("restid_city", 2019, value=30.0)]
    r = row_for(run(rows, baseline_year=2016, latest_year=2019), "restid_city")
    assert r["status"] == MET and r["baseline_year"] == 2016 and r["latest_year"] == 2019


def test_unknown_area_and_duplicates_raise():
    with pytest.raises(ValueError, match="sd-finns-inte"):
        goal_status(pd.DataFrame([obs("restid_city", 2014, value=1.0)]), "sd-finns-inte")
    dup = pd.DataFrame([obs("restid_city", 2014, value=1.0), obs("restid_city", 2014, value=2.0),
                        obs("restid_city", 2020, value=2.0)])
    with pytest.raises(ValueError, match="restid_city"):
        goal_status(dup, AREA)


def test_rule_text_is_rendered_from_the_decision_table_and_constants(monkeypatch):
    text = words.rule_text_sv()
    for status in STATUSES:
        assert f"”{words.STATUS_SV[status]}”" in text
    assert "symmetrisk" in text and "5\u00a0%-nivån" in text and "toleransen 2\u00a0%" in text
    assert "designeffekten 2,0" in text and "Benjamini–Hochberg" in text and "fast referens" in text
    assert "Wilson" not in text and "överlapp" not in text
    # The text follows the code: other constants or another decision give another text.
    monkeypatch.setattr(rule, "TOLERANCE", 0.05)
    monkeypatch.setattr(rule, "ALPHA", 0.01)
    monkeypatch.setattr(rule, "DESIGN_EFFECT", 1.5)
    monkeypatch.setitem(rule.DECISIONS, "change_within_uncertainty", NOT_MET)
    changed = words.rule_text_sv()
    assert "toleransen 5\u00a0%" in changed and "1\u00a0%-nivån" in changed and "designeffekten 1,5" in changed
    assert "åt vilket håll det än är – är statusen ”ej uppfyllt”" in changed


def test_every_reason_has_wording():
    assert set(rule.REASONS) == set(rule.DECISIONS)
    base = goal_status(pd.DataFrame([obs("restid_city", 2014, value=40.0), obs("restid_city", 2020, value=30.0)]),
                       AREA).iloc[[1]]
    for reason in rule.REASONS:
        row = base.assign(reason=reason, status=rule.DECISIONS[reason], reference_latest=75.0, difference=1.0,
                          tolerance=1.0, gap_baseline=2.0, gap_latest=1.0, latest_n=3.0, baseline_n=3.0,
                          baseline_basis="syntetisk", latest_basis="verklig")
        assert words.reason_sv(next(row.itertuples(index=False)))


def test_synthetic_baseline_and_real_latest_value_are_not_compared():
    """A series that switches from demo data to real statistics has a break: no status, and the
    reason says which year is synthetic."""
    demo, real = obs("fardigstallda_bostader", 2014, value=2.0), obs("fardigstallda_bostader", 2020, value=9.0)
    demo["source"] = "evalkit demodata (syntetisk, seed 1)"
    r = row_for(run([demo, real]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")
    assert (r["status"], r["reason"]) == (NO_DATA, "basis_differs") and math.isnan(r["change"])
    assert "2014 bygger på syntetiska demodata" in r["reason_sv"] and "2020 på verklig statistik" in r["reason_sv"]
    real_base = obs("fardigstallda_bostader", 2014, value=2.0)
    assert row_for(run([real_base, real]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")["status"] == MET
    mixed = dict(real, source="evalkit: härlett (summa); SCB, Statistikdatabasen; evalkit demodata (syntetisk, seed 1)")
    r = row_for(run([demo, mixed]), "fardigstallda_bostader", "stadsmiljo_boende-1.1")
    assert r["status"] == NO_DATA and "delvis syntetiska demodata och delvis verklig statistik" in r["reason_sv"]


def test_data_basis():
    from evalkit.analysis.goals import data_basis

    assert data_basis("evalkit demodata (syntetisk, seed 1)") == "syntetisk"
    assert data_basis("SCB, Statistikdatabasen (CC0)") == "verklig"
    assert data_basis("evalkit: härlett (Simpsons index); evalkit demodata (syntetisk)") == "syntetisk"
    assert data_basis("evalkit: härlett (Simpsons index); SCB (CC0); evalkit demodata (syntetisk)") == "blandad"
    assert data_basis("evalkit: beräknat index (rörlig referens)") == "verklig"
    assert "demodata" in words.STATUS_RULE_SV


# --- distinct statuses, the legend, mixed origin, the fixed-reference index -------------------


def test_missing_data_and_within_uncertainty_are_distinct_statuses_each_with_a_sentence():
    assert {rule.NO_DATA, rule.WITHIN_UNCERTAINTY} <= set(STATUSES)
    assert words.STATUS_SV[rule.NO_DATA] == "saknar underlag"
    assert words.STATUS_SV[rule.WITHIN_UNCERTAINTY] == "ryms i osäkerheten"
    assert set(words.STATUS_MEANING_SV) == set(STATUSES)
    for sentence in words.STATUS_MEANING_SV.values():  # one plain sentence each
        assert sentence.endswith(".") and sentence.count(". ") == 0
    legend = words.status_legend()
    for status in STATUSES:
        assert words.STATUS_SV[status] in legend.html and words.STATUS_MEANING_SV[status] in legend.html
    assert "Så läses statusen" in legend.text
    # a publication made before the split still reads on the changes page
    assert words.status_sv("not_assessable") == "kan ej bedömas"


def test_mixed_origin_row_applies_only_with_an_origin_column():
    base, last = obs("restid_city", 2014, value=40.0), obs("restid_city", 2020, value=30.0)
    frame = pd.DataFrame([dict(base, origin="demo"), dict(last, origin="real")])
    r = row_for(run(frame.to_dict("records")), "restid_city")
    assert (r["status"], r["reason"]) == (NO_DATA, "mixed_origin") and math.isnan(r["change"])
    assert (r["baseline_basis"], r["latest_basis"]) == ("syntetisk", "verklig")
    assert "saknas jämförbart underlag" in r["reason_sv"] and "2014 bygger på syntetiska demodata" in r["reason_sv"]
    contracts.goal_status_schema().validate(goal_status(frame, AREA))
    same = pd.DataFrame([dict(base, origin="real"), dict(last, origin="real")])
    assert row_for(run(same.to_dict("records")), "restid_city")["status"] == MET
    # without the column nothing changes: the same rows as before
    without = goal_status(pd.DataFrame([base, last]), AREA)
    with_same = goal_status(same, AREA)
    pd.testing.assert_frame_equal(without, with_same)


def test_social_goal_is_judged_on_the_fixed_reference_index(processed):
    """The goal row's values are the index with the city 2014 = 100 that the page's index section
    shows (data.published_index_fixed), not the moving index of the tidy table."""
    from evalkit import data

    published = data.published_tidy()[0]
    fixed = data.published_index_fixed().set_index(["area_code", "year"])["total"]
    for area in ("sd-husby", "programomradet"):
        r = row_for(goal_status(published, area), "index_sociala_risker")
        assert r["baseline"] == pytest.approx(fixed[(area, 2014)]) and r["latest"] == pytest.approx(fixed[(area, 2020)])
        assert r["unit"] == "index (staden 2014 = 100)"
        moving = published[(published["area_code"] == area) & (published["indicator"] == "index_sociala_risker")
                           & (published["year"] == 2020)]["value"].iloc[0]
        assert r["latest"] != pytest.approx(moving)
    labelled = words.with_labels(goal_status(published, "sd-husby"))
    assert "fast referens, staden 2014 = 100" in row_for(labelled, "index_sociala_risker")["label_sv"]
