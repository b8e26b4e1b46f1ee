"""Goal status: has the indicator evalkit follows a programme goal with moved the right way?

:func:`goal_status` compares a baseline year (default 2014, the year before the programme
period) with a latest year (default 2020) for one area and gives every goal × indicator a
status code (:data:`STATUSES`) and a reason code (:data:`DECISIONS`). It returns numbers and
codes only; the Swedish wording – status names, the reason sentences and the rule text shown on
the pages – is made from these codes and constants in :mod:`evalkit.present.goals`, so the rule
is written once, here, and the text cannot drift from it.

The rule (symmetric: a difference within the uncertainty gets the same status whichever way
it points):

1. No usable value (missing, or an official-statistics symbol such as ``..`` or ``x``: a hidden
   cell is never used) for the area in the baseline or latest year → ``missing_*`` →
   ``not_assessable``; likewise when the two values rest on different data (:func:`data_basis`).
2. Every comparison is a *difference* judged against its uncertainty:

   * ``sampling == "survey"`` (survey shares, a sample of respondents): a two-sided
     two-proportion z test of the difference at level :data:`ALPHA` (pooled variance, as
     ``statsmodels.stats.proportion.proportions_ztest``) – not overlap of two intervals, which
     is a far stricter test (about α = 0.005 for equal variances);
   * everything else (register data: complete counts, not samples): the difference counts when it
     exceeds the tolerance :data:`TOLERANCE` (2 %) of the value it is compared with.

3. Change goals (``increase``/``decrease``): change beyond the uncertainty in the goal's
   direction → ``improved`` (met); against it → ``worsened`` (not met); within it, either way →
   ``unchanged`` (not assessable: the data cannot show a change).
4. Level goals (``at_least_reference``: the school goal against riket, 2.3 and 2.4 against the
   rest of the city): latest value above the reference beyond the uncertainty → ``above_reference``
   and within it, either way → ``level_with_reference`` (both met: the goal asks the area to
   correspond to at least the reference); below beyond the uncertainty → ``below_gap_narrowed``
   (on track) if the gap to the reference narrowed beyond the uncertainty since the baseline year,
   else ``below_gap_not_narrowed`` (not met). No reference value → ``reference_missing``.
5. Skola 1.1 per school (when a school table is given): a school meets the goal in a year when
   each of its published results (pupils excluding the newly arrived, every grade and measure with
   a national average) is at least the national average less the tolerance. All assessed schools
   meet it → met; otherwise a larger share of schools meets it than in the baseline year → on
   track; else not met; no school assessed in the latest year → not assessable.

The function is pure: it only reads files through the default loaders of
:mod:`evalkit.programme` when ``goals``, ``links`` or ``catalogue`` are not given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from evalkit.data import SYNTHETIC_MARK
from evalkit.programme import BASELINE_YEAR, PROGRAMME_END

# Status codes (the Swedish names are in evalkit.present.goals.STATUS_SV).
MET = "met"
ON_TRACK = "on_track"
NOT_MET = "not_met"
NOT_ASSESSABLE = "not_assessable"
STATUSES = (MET, ON_TRACK, NOT_MET, NOT_ASSESSABLE)

#: Significance level of the two-sided tests on survey shares.
ALPHA = 0.05
#: Register data (complete counts): a difference up to this share of the value it is compared
#: with (the baseline, the reference or the national average) is within the tolerance.
TOLERANCE = 0.02

# How a difference is judged (column ``method``).
SURVEY_TEST = "two_proportion"
TOLERANCE_TEST = "tolerance"
SCHOOL_TEST = "schools"
METHODS = (SURVEY_TEST, TOLERANCE_TEST, SCHOOL_TEST)

#: The decision table: reason code → status. The code below only ever sets a reason; the status
#: is looked up here, and the rule text on the pages is rendered from this table.
DECISIONS = {
    "missing_baseline": NOT_ASSESSABLE,
    "missing_latest": NOT_ASSESSABLE,
    "missing_both": NOT_ASSESSABLE,
    "basis_differs": NOT_ASSESSABLE,
    "no_sample_size": NOT_ASSESSABLE,
    "unknown_direction": NOT_ASSESSABLE,
    # change goals
    "improved": MET,
    "unchanged": NOT_ASSESSABLE,
    "worsened": NOT_MET,
    # level goals
    "reference_missing": NOT_ASSESSABLE,
    "above_reference": MET,
    "level_with_reference": MET,
    "below_gap_narrowed": ON_TRACK,
    "below_gap_not_narrowed": NOT_MET,
    # Skola 1.1 per school
    "all_schools_meet": MET,
    "more_schools_meet": ON_TRACK,
    "schools_below": NOT_MET,
    "no_school_assessed": NOT_ASSESSABLE,
}
REASONS = tuple(DECISIONS)

#: Goal judged per school, and the pseudo-indicator of that row (not in the catalogue: its value
#: is the share of the area's schools meeting the goal, in percent).
SCHOOL_GOAL = "skola_utbildning-1.1"
SCHOOL_INDICATOR = "skolor_minst_riket"
SCHOOL_GROUP = "exkl_nyanlanda"

OUTPUT_COLUMNS = [
    "area_code", "goal_id", "goal_number", "malomrade", "indicator", "direction", "reference_area",
    "sampling", "method", "unit", "change_unit",
    "baseline_year", "baseline", "latest_year", "latest", "change",
    "baseline_status", "latest_status", "baseline_basis", "latest_basis",
    "reference_baseline", "reference_latest", "reference_latest_status",
    "difference", "tolerance", "p_value", "gap_baseline", "gap_latest", "gap_p_value",
    "baseline_n", "latest_n",
    "status", "reason",
]
FLOAT_COLUMNS = ["baseline", "latest", "change", "reference_baseline", "reference_latest", "difference",
                 "tolerance", "p_value", "gap_baseline", "gap_latest", "gap_p_value", "baseline_n", "latest_n"]


# ---------------------------------------------------------------------------------------------
# Tests of a difference


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z test of x2/n2 − x1/n1 (NaN if undefined).

    The same statistic as ``statsmodels.stats.proportion.proportions_ztest`` with its default
    pooled variance; written out here because it is the whole test and must also take
    non-integer counts (aggregates of rounded shares).
    """
    if not all(math.isfinite(v) for v in (x1, n1, x2, n2)) or n1 <= 0 or n2 <= 0:
        return math.nan
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    diff = x2 / n2 - x1 / n1
    if se == 0:
        return 1.0 if diff == 0 else 0.0
    return float(2 * norm.sf(abs(diff) / se))


def gap_change_p(a1: tuple[float, float], r1: tuple[float, float], a2: tuple[float, float],
                 r2: tuple[float, float]) -> float:
    """Two-sided p-value that the gap area − reference changed between two independent survey
    rounds (z test of the difference in differences, unpooled variances). Pairs are (x, n)."""
    pairs = (a1, r1, a2, r2)
    if not all(math.isfinite(v) for pair in pairs for v in pair) or any(n <= 0 for _, n in pairs):
        return math.nan
    p = [x / n for x, n in pairs]
    se = math.sqrt(sum(q * (1 - q) / n for q, (_, n) in zip(p, pairs)))
    did = (p[2] - p[3]) - (p[0] - p[1])
    if se == 0:
        return 1.0 if did == 0 else 0.0
    return float(2 * norm.sf(abs(did) / se))


def beyond(difference: float, *, p_value: float = math.nan, tolerance: float = math.nan) -> bool:
    """Is ``difference`` beyond the uncertainty? Survey: p < ALPHA; register: |d| > tolerance."""
    if math.isfinite(p_value):
        return p_value < ALPHA
    return abs(difference) > tolerance


# ---------------------------------------------------------------------------------------------


def _observation(table: pd.DataFrame, area: str, indicator: str, year: int) -> dict:
    """The area's row for indicator × year as a dict (value NaN when absent or symbol)."""
    rows = table[(table["area_code"] == area) & (table["indicator"] == indicator) & (table["year"] == year)]
    if len(rows) > 1:
        raise ValueError(
            f"tidy table has {len(rows)} rows for area_code={area!r}, indicator={indicator!r}, "
            f"year={year}; expected at most one"
        )
    if rows.empty:
        return {"value": math.nan, "status": "", "numerator": math.nan, "denominator": math.nan, "basis": ""}
    r = rows.iloc[0]
    status = r["status"]
    hidden = bool(status)
    # A hidden cell gives nothing: not its value, and not its numerator or denominator either.
    return {
        "value": math.nan if hidden else float(r["value"]),
        "status": status,
        "numerator": math.nan if hidden else float(r["numerator"]),
        "denominator": math.nan if hidden else float(r["denominator"]),
        "basis": data_basis(str(r.get("source", "") or "")),
    }


def data_basis(source: str) -> str:
    """``syntetisk``, ``verklig`` or ``blandad`` (an aggregate or derived value whose parts mix both).

    ``source`` lists its parts separated by "; "; parts naming evalkit's own derivation
    ("evalkit: härlett …", "evalkit: beräknat index …") say nothing about the data and are ignored.
    """
    parts = [p.strip().lower() for p in source.split("; ") if p.strip()]
    synthetic = any(SYNTHETIC_MARK in p for p in parts)
    real = any(SYNTHETIC_MARK not in p and not p.startswith("evalkit:") for p in parts)
    if synthetic and real:
        return "blandad"
    return "syntetisk" if synthetic else "verklig"


def _usable(obs: dict) -> bool:
    return not obs["status"] and math.isfinite(obs["value"])


def _counts(obs: dict) -> tuple[float, float]:
    return obs["numerator"], obs["denominator"]


def _has_counts(obs: dict) -> bool:
    num, den = _counts(obs)
    return math.isfinite(num) and math.isfinite(den) and den > 0 and 0 <= num <= den


def _prepare(tidy: pd.DataFrame) -> pd.DataFrame:
    needed = ["area_code", "indicator", "year", "value"]
    missing = [c for c in needed if c not in tidy.columns]
    if missing:
        raise ValueError(f"tidy table lacks column(s): {', '.join(missing)}")
    t = tidy.copy()
    for col in ("numerator", "denominator"):
        if col not in t.columns:
            t[col] = np.nan
        t[col] = pd.to_numeric(t[col], errors="coerce")
    if "status" not in t.columns:
        t["status"] = ""
    t["status"] = t["status"].fillna("").astype(str)
    t["value"] = pd.to_numeric(t["value"], errors="coerce")
    t["year"] = pd.to_numeric(t["year"], errors="coerce")
    t["area_code"] = t["area_code"].astype(str)
    t["indicator"] = t["indicator"].astype(str)
    return t


def _judge_change(row: dict, base: dict, last: dict, survey: bool) -> str:
    b, l = base["value"], last["value"]
    change = l - b
    if survey:
        row["p_value"] = two_proportion_p(*_counts(base), *_counts(last))
    else:
        row["tolerance"] = TOLERANCE * abs(b)
    row["difference"] = change
    if not beyond(change, p_value=row["p_value"], tolerance=row["tolerance"]) or change == 0:
        return "unchanged"
    good = change > 0 if row["direction"] == "increase" else change < 0
    return "improved" if good else "worsened"


def _judge_level(row: dict, t: pd.DataFrame, ind: str, base: dict, last: dict, survey: bool,
                 baseline_year: int, latest_year: int) -> str:
    area_ref = row["reference_area"]
    ref_l = _observation(t, area_ref, ind, latest_year)
    ref_b = _observation(t, area_ref, ind, baseline_year)
    row["reference_latest_status"] = ref_l["status"]
    if _usable(ref_b):
        row["reference_baseline"] = ref_b["value"]
    if not _usable(ref_l) or (survey and not _has_counts(ref_l)):
        return "reference_missing"
    row["reference_latest"] = ref_l["value"]
    diff = last["value"] - ref_l["value"]
    row["difference"] = diff
    if survey:
        row["p_value"] = two_proportion_p(*_counts(ref_l), *_counts(last))
    else:
        row["tolerance"] = TOLERANCE * abs(ref_l["value"])
    if not beyond(diff, p_value=row["p_value"], tolerance=row["tolerance"]):
        return "level_with_reference"
    if diff > 0:
        return "above_reference"
    # Below the reference: has the gap narrowed beyond the uncertainty?
    if not _usable(ref_b) or (survey and not _has_counts(ref_b)):
        return "below_gap_not_narrowed"
    gap_b, gap_l = ref_b["value"] - base["value"], ref_l["value"] - last["value"]
    row["gap_baseline"], row["gap_latest"] = gap_b, gap_l
    if survey:
        row["gap_p_value"] = gap_change_p(_counts(base), _counts(ref_b), _counts(last), _counts(ref_l))
        narrowed = gap_l < gap_b and row["gap_p_value"] < ALPHA
    else:
        narrowed = gap_b - gap_l > row["tolerance"]
    return "below_gap_narrowed" if narrowed else "below_gap_not_narrowed"


def school_share(schools: pd.DataFrame, area_codes: set[str], year: int) -> tuple[int, int]:
    """(schools assessed, schools meeting goal 1.1) in ``year`` among the schools of ``area_codes``.

    A school is assessed when it has at least one published result (pupils excluding the newly
    arrived) with a national average; it meets the goal when every such result is at least
    the national average less :data:`TOLERANCE` of it (school results are complete counts of
    their pupils, so the same tolerance as for other register data; withheld results, ``x`` for
    fewer than 10 pupils, are not used).
    """
    rows = schools[schools["area_code"].isin(area_codes) & (schools["year"] == year)
                   & (schools["group"] == SCHOOL_GROUP)]
    status = rows["status"].fillna("").astype(str)
    rows = rows[(status == "") & rows["value"].notna() & rows["national"].notna()]
    if rows.empty:
        return 0, 0
    ok = rows["value"] >= rows["national"] * (1 - TOLERANCE)
    per_school = ok.groupby(rows["school_id"]).all()
    return int(len(per_school)), int(per_school.sum())


def school_area_codes(area_code: str) -> set[str]:
    """The stadsdelar whose schools count for ``area_code`` (itself, a borough's stadsdelar in the
    2007 era, or the programme stadsdelar for ``programomradet``)."""
    from evalkit import geography

    try:
        level = geography.area_level(area_code)
    except geography.UnknownAreaError:
        return {area_code}  # an area outside the registry (tests, other area systems): its own schools
    if level == "stadsdel":
        return {area_code}
    if level == "stadsdelsomrade":
        table = geography.stadsdelar()
        return set(table.loc[table["sdo_2007"] == area_code, "stadsdel_code"])
    if area_code == "programomradet":
        return set(geography.programme_stadsdelar())
    return set()


def _school_row(template: dict, schools: pd.DataFrame, area_code: str, baseline_year: int,
                latest_year: int) -> dict:
    row = {**template, "indicator": SCHOOL_INDICATOR, "direction": "at_least_reference", "reference_area": "riket",
           "sampling": "register", "method": SCHOOL_TEST, "unit": "procent", "change_unit": "procentenheter"}
    codes = school_area_codes(area_code)
    n_b, met_b = school_share(schools, codes, baseline_year)
    n_l, met_l = school_share(schools, codes, latest_year)
    row["baseline_n"], row["latest_n"] = float(n_b), float(n_l)
    row["baseline"] = 100 * met_b / n_b if n_b else math.nan
    row["latest"] = 100 * met_l / n_l if n_l else math.nan
    row["change"] = row["latest"] - row["baseline"]
    row["tolerance"] = TOLERANCE
    if not n_l:
        reason = "no_school_assessed"
    elif met_l == n_l:
        reason = "all_schools_meet"
    elif n_b and row["latest"] > row["baseline"]:
        reason = "more_schools_meet"
    else:
        reason = "schools_below"
    row["reason"], row["status"] = reason, DECISIONS[reason]
    return row


def goal_status(
    tidy: pd.DataFrame,
    area_code: str,
    baseline_year: int = BASELINE_YEAR,
    latest_year: int = PROGRAMME_END,
    goals: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    catalogue: pd.DataFrame | None = None,
    schools: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status of every programme goal × indicator for one area, in programme order.

    Parameters
    ----------
    tidy
        Tidy indicator table – the *published* one in the reports, so hidden cells (status
        ``x``) are never used (``area_code, indicator, year, value, status, numerator,
        denominator, source`` are read; see docs/CONTRACTS.md).
    area_code
        The area to assess, e.g. ``"programomradet"`` or ``"sd-tensta"``.
    baseline_year, latest_year
        The two years compared (default 2014 and 2020).
    goals, links, catalogue
        ``evalkit.programme.goals()``, ``goal_indicators()`` and ``indicator_catalogue()``;
        loaded from ``data/raw/programme`` when ``None``.
    schools
        School results (``evalkit.data.schools()``); when given, goal Skola 1.1 gets a second
        row judged per school (``indicator == SCHOOL_INDICATOR``).

    Returns
    -------
    DataFrame with one row per goal × indicator, columns :data:`OUTPUT_COLUMNS`
    (:data:`evalkit.contracts.goal_status_schema`): ``status`` (:data:`STATUSES`), ``reason``
    (:data:`REASONS`), the values compared, the tested ``difference`` (change, or latest −
    reference for level goals) with its ``p_value`` (surveys) or absolute ``tolerance`` (register).
    Rule: see the module docstring.
    """
    if goals is None or links is None or catalogue is None:
        from evalkit import programme

        goals = programme.goals() if goals is None else goals
        links = programme.goal_indicators() if links is None else links
        catalogue = programme.indicator_catalogue() if catalogue is None else catalogue

    t = _prepare(tidy)
    if not (t["area_code"] == area_code).any():
        raise ValueError(f"area_code {area_code!r} does not occur in the tidy table")

    cat = catalogue.set_index("indicator")
    rows: list[dict] = []
    for _, goal in goals.iterrows():
        template = None
        for _, link in links[links["goal_id"] == goal["goal_id"]].iterrows():
            ind = link["indicator"]
            if ind not in cat.index:
                raise ValueError(f"indicator {ind!r} (goal {goal['goal_id']}) is not in the catalogue")
            meta = cat.loc[ind]
            unit = str(meta.get("unit", ""))
            survey = str(link.get("sampling", "") or "") == "survey"
            base = _observation(t, area_code, ind, baseline_year)
            last = _observation(t, area_code, ind, latest_year)
            row = {c: math.nan for c in FLOAT_COLUMNS} | {
                "area_code": area_code, "goal_id": goal["goal_id"], "goal_number": goal.get("goal_number", ""),
                "malomrade": goal["malomrade"], "indicator": ind, "direction": link["direction"],
                "reference_area": str(link.get("reference_area", "") or ""),
                "sampling": "survey" if survey else "register",
                "method": SURVEY_TEST if survey else TOLERANCE_TEST, "unit": unit,
                "change_unit": "procentenheter" if str(meta.get("kind", "")) == "andel" else unit,
                "baseline_year": baseline_year, "latest_year": latest_year,
                "baseline": base["value"], "latest": last["value"],
                "baseline_status": base["status"], "latest_status": last["status"],
                "baseline_basis": base["basis"], "latest_basis": last["basis"],
                "reference_latest_status": "",
            }
            if survey:
                row["baseline_n"], row["latest_n"] = base["denominator"], last["denominator"]
            template = template or {k: row[k] for k in ("area_code", "goal_id", "goal_number", "malomrade",
                                                         "baseline_year", "latest_year")}
            row["change"] = last["value"] - base["value"]
            ok_b, ok_l = _usable(base), _usable(last)
            if not (ok_b and ok_l):
                reason = "missing_both" if not (ok_b or ok_l) else ("missing_baseline" if not ok_b else "missing_latest")
            elif base["basis"] != last["basis"]:
                # A series break (e.g. demo data for 2014, real SCB data for 2020): not comparable.
                reason = "basis_differs"
            elif survey and not (_has_counts(base) and _has_counts(last)):
                reason = "no_sample_size"
            elif row["direction"] == "at_least_reference":
                reason = _judge_level(row, t, ind, base, last, survey, baseline_year, latest_year)
            elif row["direction"] in ("increase", "decrease"):
                reason = _judge_change(row, base, last, survey)
            else:
                reason = "unknown_direction"
            if reason.startswith("missing") or reason == "basis_differs":
                row["change"] = math.nan  # no change is shown between values that cannot be compared
            row["reason"], row["status"] = reason, DECISIONS[reason]
            rows.append(row)
        if schools is not None and goal["goal_id"] == SCHOOL_GOAL and template is not None:
            rows.append(_school_row({c: math.nan for c in FLOAT_COLUMNS} | template | {
                "baseline_status": "", "latest_status": "", "baseline_basis": "", "latest_basis": "",
                "reference_latest_status": ""}, schools, area_code, baseline_year, latest_year))

    out = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    for col in FLOAT_COLUMNS:
        out[col] = out[col].astype(float)
    for col in ("baseline_year", "latest_year"):
        out[col] = out[col].astype("int64")
    return out.reset_index(drop=True)
