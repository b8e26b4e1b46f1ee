"""Goal status: has the indicator evalkit follows a programme goal with moved the right way?

:func:`goal_status` compares a baseline year (default 2014, the year before the programme
period) with a latest year (default 2020) for one area and gives every goal × indicator a
status code (:data:`STATUSES`) and a reason code (:data:`DECISIONS`). It returns numbers and
codes only; the Swedish wording – status names, the reason sentences, the status legend and the
rule text shown on the pages – is made from these codes and constants in
:mod:`evalkit.present.goals`, so the rule is written once, here, and the text cannot drift from it.

The rule separates three things the old single "kan ej bedömas" mixed: *no data* (``no_data``),
*a difference within the uncertainty* (``within_uncertainty``) and *no change of practical size*
(a change goal that did not move: ``not_met``). It is symmetric: a difference within the
uncertainty gets the same status whichever way it points.

1. No usable value (missing, or an official-statistics symbol such as ``..`` or ``x``: a hidden
   cell is never used) for the area in the baseline or latest year → ``missing_*``; the two values
   rest on different data – the tidy table's ``origin`` column (``real``/``demo``) differs
   (``mixed_origin``), or the sources say one is demo data and the other real statistics
   (``basis_differs``, :func:`data_basis`) → all ``no_data``.
2. Every comparison is a *difference* ``d`` with a 95 % interval ``d ± h``:

   * survey shares (``sampling == "survey"``, a sample of respondents): binomial standard error
     with the survey's design effect :data:`~evalkit.programme.SURVEY_DESIGN_EFFECT` (n / deff
     effective respondents), ``h = z·SE`` (method ``two_proportion``);
   * register data with counts: the count is a realisation of a process, so its noise is a count
     model's – a share (``kind == "andel"``) binomial, a rate per inhabitants (``kind == "kvot"``)
     Poisson on its numerator (methods ``binomial``, ``poisson``); ``SE(d) = √(SE₁² + SE₂²)``
     (unpooled Wald, as ``statsmodels`` ``test_proportions_2indep``/``test_poisson_2indep``
     with ``method="wald"``);
   * register data without counts (means such as travel time, indices): no model exists, so the
     stated tolerance :data:`TOLERANCE` of the value compared with stands for the uncertainty
     (method ``tolerance``).

   :data:`MARGIN` of the value compared with is the smallest difference of practical importance.
3. Change goals (``increase``/``decrease``): the interval excludes 0 → ``improved`` (met) or
   ``worsened`` (not met) by the goal's direction; it lies inside ±margin → ``no_change`` (not
   met: a change of practical size is ruled out, so the goal's change did not happen); otherwise
   → ``change_within_uncertainty`` (``within_uncertainty``: the data cannot tell).
4. Level goals (``at_least_reference``: Skola 1.1 against riket, 2.3 and 2.4 against the rest of
   the city) by non-inferiority with margin ``m``: the interval's lower end above the reference
   → ``above_reference``, above reference − m → ``within_margin`` (both met); its upper end below
   reference − m → below, then ``below_gap_narrowed`` (on track) if the gap to the reference
   narrowed beyond the uncertainty since the baseline year, else ``below_gap_not_narrowed`` (not
   met); otherwise → ``level_within_uncertainty``. No reference value → ``reference_missing``.
5. Skola 1.1 per school (when a school table is given): a school meets the goal in a year when
   each of its published results (pupils excluding the newly arrived, every grade and measure with
   a national average) is at least the national average less :data:`MARGIN` of it. All assessed
   schools meet it → met; more than one school more meets it than the baseline share would give
   → on track; otherwise (one school more or fewer is within the uncertainty, either way) → not
   met; no school assessed in the latest year → ``no_data``.
6. The social-sustainability goal is judged on the index with a fixed reference (the city in
   :data:`~evalkit.programme.BASELINE_YEAR` = 100, :data:`FIXED_REFERENCE_INDICATORS`), which is
   the one that compares years; the moving index (the city each year = 100) shows position only.
7. Multiplicity: one area's table holds about 16 tests, so a difference "beyond the uncertainty"
   at 5 % turns up by chance in some tables. Status follows each test at :data:`ALPHA`; the column
   ``p_value_bh`` holds Benjamini–Hochberg adjusted p-values over the distinct tests of the area's
   table (``statsmodels.stats.multitest.multipletests``), and the reason says when a verdict does
   not survive it.

The function is pure: it only reads files through the default loaders of
:mod:`evalkit.programme` when ``goals``, ``links`` or ``catalogue`` are not given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from evalkit.contracts.results import (BINOMIAL_TEST, DECISIONS, MET, METHODS, NO_DATA, NOT_MET, ON_TRACK,
                                       POISSON_TEST, REASONS, SCHOOL_TEST, STATUSES, SURVEY_TEST, TOLERANCE_TEST,
                                       WITHIN_UNCERTAINTY)
from evalkit.origin import DEMO_MARK
from evalkit.programme import BASELINE_YEAR, PROGRAMME_END, SCHOOL_GOAL, SURVEY_DESIGN_EFFECT

#: Significance level: two-sided tests and 95 % intervals of the differences.
ALPHA = 0.05
#: The smallest difference of practical importance, as a share of the value compared with (the
#: baseline, the reference or the national average): the equivalence margin of change goals and
#: the non-inferiority margin of level goals and of each school. A stated choice, not an estimate.
MARGIN = 0.02
#: Register data without counts (means, indices): a difference up to this share of the value it is
#: compared with is within the tolerance that stands for the missing uncertainty model.
TOLERANCE = 0.02
#: Design effect of survey shares (see evalkit.programme).
DESIGN_EFFECT = SURVEY_DESIGN_EFFECT
#: Schools: a change of up to this many schools meeting the goal is within the uncertainty.
SCHOOL_SLACK = 1

#: Count model of register data by the catalogue's ``kind``.
COUNT_MODELS = {"andel": BINOMIAL_TEST, "kvot": POISSON_TEST}

#: Goal judged per school (:data:`evalkit.programme.SCHOOL_GOAL`), and the pseudo-indicator of that
#: row (not in the catalogue: its value is the share of the area's schools meeting the goal, in percent).
SCHOOL_INDICATOR = "skolor_minst_riket"
SCHOOL_GROUP = "exkl_nyanlanda"

#: Indicators judged on their fixed-reference variant (the city in BASELINE_YEAR = 100), with the
#: unit they then have: the method page compares years on the fixed reference only.
FIXED_REFERENCE_INDICATORS = {"index_sociala_risker": f"index (staden {BASELINE_YEAR} = 100)"}
FIXED_REFERENCE_SOURCE = f"evalkit: beräknat index (fast referens, staden {BASELINE_YEAR} = 100)"

#: The tidy table's optional ``origin`` column (real statistics or evalkit's demo data) as a basis.
ORIGIN_BASIS = {"real": "verklig", "demo": "syntetisk"}

OUTPUT_COLUMNS = [
    "area_code", "goal_id", "goal_number", "malomrade", "indicator", "direction", "reference_area",
    "sampling", "method", "unit", "change_unit",
    "baseline_year", "baseline", "latest_year", "latest", "change",
    "baseline_status", "latest_status", "baseline_basis", "latest_basis",
    "reference_baseline", "reference_latest", "reference_latest_status",
    "difference", "se", "margin", "tolerance", "design_effect", "p_value", "p_value_bh",
    "gap_baseline", "gap_latest", "gap_p_value",
    "baseline_n", "latest_n",
    "status", "reason",
]
FLOAT_COLUMNS = ["baseline", "latest", "change", "reference_baseline", "reference_latest", "difference",
                 "se", "margin", "tolerance", "design_effect", "p_value", "p_value_bh",
                 "gap_baseline", "gap_latest", "gap_p_value", "baseline_n", "latest_n"]


# ---------------------------------------------------------------------------------------------
# Count models and tests of a difference


def z_critical(alpha: float | None = None) -> float:
    """The two-sided normal critical value (1.96 at α = 0.05)."""
    return float(norm.isf((ALPHA if alpha is None else alpha) / 2))


def binomial_se(x: float, n: float, scale: float = 1.0, deff: float = 1.0) -> float:
    """Standard error of the share x / n (times ``scale``) with design effect ``deff``:
    ``scale·√(p(1 − p)·deff / n)`` (NaN when undefined)."""
    if not (math.isfinite(x) and math.isfinite(n)) or n <= 0 or not 0 <= x <= n:
        return math.nan
    p = x / n
    return scale * math.sqrt(p * (1 - p) * deff / n)


def poisson_se(x: float, n: float, scale: float = 1.0) -> float:
    """Standard error of the rate x / n (times ``scale``) with a Poisson count x: ``scale·√x / n``."""
    if not (math.isfinite(x) and math.isfinite(n)) or n <= 0 or x < 0:
        return math.nan
    return scale * math.sqrt(x) / n


def difference_p(difference: float, se: float, null: float = 0.0) -> float:
    """Two-sided p-value of the Wald z test that ``difference`` equals ``null`` (NaN without SE)."""
    if not (math.isfinite(difference) and math.isfinite(se)):
        return math.nan
    if se == 0:
        return 1.0 if difference == null else 0.0
    return float(2 * norm.sf(abs(difference - null) / se))


def bh_adjust(p_values: pd.Series) -> pd.Series:
    """Benjamini–Hochberg adjusted p-values (``statsmodels`` ``fdr_bh``); NaN stays NaN."""
    from statsmodels.stats.multitest import multipletests

    out = pd.Series(np.nan, index=p_values.index, dtype=float)
    finite = p_values.notna()
    if finite.any():
        out[finite] = multipletests(p_values[finite].to_numpy(float), method="fdr_bh")[1]
    return out


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z test of x2/n2 − x1/n1 (NaN if undefined),
    the statistic of ``statsmodels.stats.proportion.proportions_ztest``; kept for readers of the
    earlier rule (the rule itself uses :func:`difference_p` with unpooled errors)."""
    if not all(math.isfinite(v) for v in (x1, n1, x2, n2)) or n1 <= 0 or n2 <= 0:
        return math.nan
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return difference_p(x2 / n2 - x1 / n1, se)


# ---------------------------------------------------------------------------------------------


class _Lookup:
    """A prepared tidy table's rows by (area_code, indicator, year), built once per
    :func:`goal_status` call: each goal × indicator row reads a few cells, and a boolean mask over
    the whole table per cell was most of the function's time. The same rows as the mask picks, in
    table order (keys compare as the columns' values do: 2014 and 2014.0 are one key), as dicts
    of the cells :func:`_observation` reads."""

    COLUMNS = ("value", "status", "numerator", "denominator", "source", "origin")

    def __init__(self, table: pd.DataFrame):
        self.table = table
        records = table[[c for c in self.COLUMNS if c in table.columns]].to_dict("records")
        self.rows: dict[tuple, list[dict]] = {}
        for key, record in zip(zip(table["area_code"], table["indicator"], table["year"]), records):
            self.rows.setdefault(key, []).append(record)

    def find(self, area: str, indicator: str, year: int) -> list[dict]:
        """The rows of area × indicator × year, in table order."""
        return self.rows.get((area, indicator, year), [])


def _observation(table: pd.DataFrame | _Lookup, area: str, indicator: str, year: int) -> dict:
    """The area's row for indicator × year as a dict (value NaN when absent or symbol)."""
    rows = (table if isinstance(table, _Lookup) else _Lookup(table)).find(area, indicator, year)
    if len(rows) > 1:
        raise ValueError(
            f"tidy table has {len(rows)} rows for area_code={area!r}, indicator={indicator!r}, "
            f"year={year}; expected at most one"
        )
    if not rows:
        return {"value": math.nan, "status": "", "numerator": math.nan, "denominator": math.nan, "basis": "",
                "origin": ""}
    r = rows[0]
    status = r["status"]
    hidden = bool(status)
    # A hidden cell gives nothing: not its value, and not its numerator or denominator either.
    return {
        "value": math.nan if hidden else float(r["value"]),
        "status": status,
        "numerator": math.nan if hidden else float(r["numerator"]),
        "denominator": math.nan if hidden else float(r["denominator"]),
        "basis": data_basis(str(r.get("source", "") or "")),
        "origin": "" if pd.isna(r.get("origin", "")) else str(r.get("origin", "")),
    }


def data_basis(source: str) -> str:
    """``syntetisk``, ``verklig`` or ``blandad`` (an aggregate or derived value whose parts mix both).

    ``source`` lists its parts separated by "; "; parts naming evalkit's own derivation
    ("evalkit: härlett …", "evalkit: beräknat index …") say nothing about the data and are ignored.
    """
    parts = [p.strip().lower() for p in source.split("; ") if p.strip()]
    synthetic = any(DEMO_MARK in p for p in parts)
    real = any(DEMO_MARK not in p and not p.startswith("evalkit:") for p in parts)
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


def _se(obs: dict, method: str, scale: float) -> float:
    """Standard error of one observation under the row's method (NaN without a model or counts)."""
    num, den = _counts(obs)
    if method == SURVEY_TEST:
        return binomial_se(num, den, scale, DESIGN_EFFECT)
    if method == BINOMIAL_TEST:
        return binomial_se(num, den, scale)
    if method == POISSON_TEST:
        return poisson_se(num, den, scale)
    return math.nan


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


def _with_fixed_reference(t: pd.DataFrame, area_code: str, indicators: set[str],
                          config: pd.DataFrame | None = None) -> pd.DataFrame:
    """Replace the area's rows of :data:`FIXED_REFERENCE_INDICATORS` by the index with a fixed
    reference (the city in BASELINE_YEAR = 100), computed from the same table's inputs.

    A table without the city's rows of the index's inputs (a hand-built one) is taken as it is.
    Hidden inputs give no index (:func:`evalkit.analysis.index.social_risk_index` skips rows with a
    status). ``config``: the index configuration, read when None.
    """
    from evalkit.analysis import index as risk_index

    wanted = indicators & set(FIXED_REFERENCE_INDICATORS)
    if not wanted:
        return t
    config = risk_index.load_index_config() if config is None else config
    inputs = t[t["indicator"].isin(set(config["indicator"]))
               & t["area_code"].isin({area_code, risk_index.CITY})]
    if not (inputs["area_code"] == risk_index.CITY).any():
        return t
    idx = risk_index.social_risk_index(inputs, config, reference="fixed", base_year=risk_index.DEFAULT_BASE_YEAR)
    total = idx[(idx["domain"] == risk_index.TOTAL) & (idx["area_code"] == area_code)]
    parts = [t[~((t["area_code"] == area_code) & t["indicator"].isin(wanted))]]
    for ind in wanted:
        parts.append(pd.DataFrame({
            "area_code": area_code, "indicator": ind, "year": total["year"].astype(float),
            "value": total["value"].astype(float), "status": "", "numerator": np.nan, "denominator": np.nan,
            "source": FIXED_REFERENCE_SOURCE}))
    return pd.concat(parts, ignore_index=True)


def _interval(row: dict, d: float, se: float, tolerance: float) -> float:
    """Store the difference and its uncertainty in ``row``; return the interval's half-width."""
    row["difference"] = d
    if math.isfinite(se):
        row["se"] = se
        return z_critical() * se
    row["method"], row["tolerance"] = TOLERANCE_TEST, tolerance
    return tolerance


def _judge_change(row: dict, base: dict, last: dict, scale: float) -> str:
    b, l = base["value"], last["value"]
    d = l - b
    se = math.hypot(_se(base, row["method"], scale), _se(last, row["method"], scale))
    h = _interval(row, d, se, TOLERANCE * abs(b))
    row["margin"] = MARGIN * abs(b)
    row["p_value"] = difference_p(d, se)
    if d != 0 and abs(d) > h:
        good = d > 0 if row["direction"] == "increase" else d < 0
        return "improved" if good else "worsened"
    # Equivalence: only a model's interval can rule a change out (a tolerance is no interval).
    if math.isfinite(se) and abs(d) + h < row["margin"]:
        return "no_change"
    return "change_within_uncertainty"


def _judge_level(row: dict, t: pd.DataFrame | _Lookup, ind: str, base: dict, last: dict, scale: float,
                 baseline_year: int, latest_year: int) -> str:
    area_ref = row["reference_area"]
    survey = row["method"] == SURVEY_TEST
    ref_l = _observation(t, area_ref, ind, latest_year)
    ref_b = _observation(t, area_ref, ind, baseline_year)
    row["reference_latest_status"] = ref_l["status"]
    if _usable(ref_b):
        row["reference_baseline"] = ref_b["value"]
    if not _usable(ref_l) or (survey and not _has_counts(ref_l)):
        return "reference_missing"
    row["reference_latest"] = ref_l["value"]

    def ref_se(obs: dict) -> float:
        # A register reference (riket, the rest of the city) without counts: its count noise is
        # negligible beside the area's, so it is taken as known.
        se = _se(obs, row["method"], scale)
        return se if math.isfinite(se) or survey else 0.0

    d = last["value"] - ref_l["value"]
    se = math.hypot(_se(last, row["method"], scale), ref_se(ref_l))
    m = MARGIN * abs(ref_l["value"])
    row["margin"] = m
    h = _interval(row, d, se, TOLERANCE * abs(ref_l["value"]))
    if not math.isfinite(se):
        h = 0.0  # without a model the margin alone decides: no interval around the point
    row["p_value"] = difference_p(d, se, null=-m)
    if d - h > 0:
        return "above_reference"
    if d - h > -m:
        return "within_margin"
    if d + h >= -m:
        return "level_within_uncertainty"
    # Below the reference beyond the margin: has the gap narrowed beyond the uncertainty?
    if not _usable(ref_b) or (survey and not _has_counts(ref_b)):
        return "below_gap_not_narrowed"
    gap_b, gap_l = ref_b["value"] - base["value"], ref_l["value"] - last["value"]
    row["gap_baseline"], row["gap_latest"] = gap_b, gap_l
    narrowing = gap_b - gap_l
    if math.isfinite(se):
        gap_se = math.sqrt(se ** 2 + _se(base, row["method"], scale) ** 2 + ref_se(ref_b) ** 2)
        row["gap_p_value"] = difference_p(narrowing, gap_se)
        narrowed = narrowing > 0 and row["gap_p_value"] < ALPHA
    else:
        narrowed = narrowing > row["tolerance"]
    return "below_gap_narrowed" if narrowed else "below_gap_not_narrowed"


def school_share(schools: pd.DataFrame, area_codes: set[str], year: int) -> tuple[int, int]:
    """(schools assessed, schools meeting goal 1.1) in ``year`` among the schools of ``area_codes``.

    A school is assessed when it has at least one published result (pupils excluding the newly
    arrived) with a national average; it meets the goal when every such result is at least
    the national average less :data:`MARGIN` of it (the goal's non-inferiority margin; withheld
    results, ``x`` for fewer than 10 pupils, are not used).
    """
    rows = schools[schools["area_code"].isin(area_codes) & (schools["year"] == year)
                   & (schools["group"] == SCHOOL_GROUP)]
    status = rows["status"].fillna("").astype(str)
    rows = rows[(status == "") & rows["value"].notna() & rows["national"].notna()]
    if rows.empty:
        return 0, 0
    ok = rows["value"] >= rows["national"] * (1 - MARGIN)
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
        return set(geography.members(area_code))
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
    # Schools more meeting the goal than the baseline share of today's schools would give; one school
    # more or fewer is within the uncertainty (symmetric), so only more than SCHOOL_SLACK counts.
    row["difference"] = met_l - met_b / n_b * n_l if n_b else math.nan
    if not n_l:
        reason = "no_school_assessed"
    elif met_l == n_l:
        reason = "all_schools_meet"
    elif n_b and row["difference"] > SCHOOL_SLACK:
        reason = "more_schools_meet"
    else:
        reason = "schools_below"
    row["reason"], row["status"] = reason, DECISIONS[reason]
    return row


def _comparable(base: dict, last: dict, survey: bool) -> str:
    """The reason why the two years cannot be compared ("" when they can)."""
    ok_b, ok_l = _usable(base), _usable(last)
    if not (ok_b and ok_l):
        return "missing_both" if not (ok_b or ok_l) else ("missing_baseline" if not ok_b else "missing_latest")
    if base["origin"] and last["origin"] and base["origin"] != last["origin"]:
        return "mixed_origin"  # the tidy table's origin column: demo data against real data
    if base["basis"] != last["basis"]:
        # A series break (e.g. demo data for 2014, real SCB data for 2020): not comparable.
        return "basis_differs"
    if survey and not (_has_counts(base) and _has_counts(last)):
        return "no_sample_size"
    return ""


def goal_status(
    tidy: pd.DataFrame,
    area_code: str,
    baseline_year: int = BASELINE_YEAR,
    latest_year: int = PROGRAMME_END,
    goals: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    catalogue: pd.DataFrame | None = None,
    schools: pd.DataFrame | None = None,
    index_config: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status of every programme goal × indicator for one area, in programme order.

    Parameters
    ----------
    tidy
        Tidy indicator table – the *published* one in the reports, so hidden cells (status
        ``x``) are never used (``area_code, indicator, year, value, status, numerator,
        denominator, source`` are read, and ``origin`` when present; see docs/CONTRACTS.md).
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
    index_config
        ``evalkit.analysis.index.load_index_config()`` (the fixed-reference index's inputs); read
        when ``None``. Given, like ``goals``, ``links`` and ``catalogue``, by a caller that judges
        many areas so that the files are read once.

    Returns
    -------
    DataFrame with one row per goal × indicator, columns :data:`OUTPUT_COLUMNS`
    (:data:`evalkit.contracts.goal_status_schema`): ``status`` (:data:`STATUSES`), ``reason``
    (:data:`REASONS`), the values compared, the tested ``difference`` (change, or latest −
    reference for level goals) with its standard error ``se`` and ``p_value`` (count models and
    surveys) or absolute ``tolerance`` (register data without counts), the ``margin``, and
    ``p_value_bh`` (Benjamini–Hochberg over the area's distinct tests). Rule: see the module docstring.
    """
    if goals is None or links is None or catalogue is None:
        from evalkit import programme

        goals = programme.goals() if goals is None else goals
        links = programme.goal_indicators() if links is None else links
        catalogue = programme.indicator_catalogue() if catalogue is None else catalogue

    # Only the area, its reference areas and the city (the fixed index's reference) are read:
    # selecting them first keeps the preparation and each lookup below cheap.
    from evalkit.analysis.index import CITY

    if "area_code" in tidy.columns:
        keep = {area_code, CITY, *links["reference_area"].fillna("").astype(str)}
        tidy = tidy[tidy["area_code"].astype(str).isin(keep)]
    t = _prepare(tidy)
    if not (t["area_code"] == area_code).any():
        raise ValueError(f"area_code {area_code!r} does not occur in the tidy table")
    t = _with_fixed_reference(t, area_code, set(links["indicator"]), index_config)

    cat = catalogue.set_index("indicator")
    t = _Lookup(t)
    rows: list[dict] = []
    for _, goal in goals.iterrows():
        template = None
        for _, link in links[links["goal_id"] == goal["goal_id"]].iterrows():
            ind = link["indicator"]
            if ind not in cat.index:
                raise ValueError(f"indicator {ind!r} (goal {goal['goal_id']}) is not in the catalogue")
            rows.append(_indicator_row(t, area_code, goal, link, cat.loc[ind], baseline_year, latest_year))
            template = template or {k: rows[-1][k] for k in ("area_code", "goal_id", "goal_number", "malomrade",
                                                              "baseline_year", "latest_year")}
        if schools is not None and goal["goal_id"] == SCHOOL_GOAL and template is not None:
            rows.append(_school_row({c: math.nan for c in FLOAT_COLUMNS} | template | {
                "baseline_status": "", "latest_status": "", "baseline_basis": "", "latest_basis": "",
                "reference_latest_status": ""}, schools, area_code, baseline_year, latest_year))

    out = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    for col in FLOAT_COLUMNS:
        out[col] = out[col].astype(float)
    for col in ("baseline_year", "latest_year"):
        out[col] = out[col].astype("int64")
    out["p_value_bh"] = _bh_within_area(out)
    return out.reset_index(drop=True)


def _indicator_row(t: pd.DataFrame | _Lookup, area_code: str, goal: pd.Series, link: pd.Series, meta: pd.Series,
                   baseline_year: int, latest_year: int) -> dict:
    """One goal × indicator row: values, the comparison and its reason and status."""
    ind = link["indicator"]
    unit = FIXED_REFERENCE_INDICATORS.get(ind, str(meta.get("unit", "")))
    survey = str(link.get("sampling", "") or "") == "survey"
    method = SURVEY_TEST if survey else COUNT_MODELS.get(str(meta.get("kind", "")), TOLERANCE_TEST)
    scale = pd.to_numeric(meta.get("scale"), errors="coerce")
    scale = float(scale) if pd.notna(scale) else 1.0
    base = _observation(t, area_code, ind, baseline_year)
    last = _observation(t, area_code, ind, latest_year)
    row = {c: math.nan for c in FLOAT_COLUMNS} | {
        "area_code": area_code, "goal_id": goal["goal_id"], "goal_number": goal.get("goal_number", ""),
        "malomrade": goal["malomrade"], "indicator": ind, "direction": link["direction"],
        "reference_area": str(link.get("reference_area", "") or ""),
        "sampling": "survey" if survey else "register", "method": method, "unit": unit,
        "change_unit": ("procentenheter" if str(meta.get("kind", "")) == "andel"
                        else "indexenheter" if ind in FIXED_REFERENCE_INDICATORS else unit),
        "baseline_year": baseline_year, "latest_year": latest_year,
        "baseline": base["value"], "latest": last["value"],
        "baseline_status": base["status"], "latest_status": last["status"],
        "baseline_basis": base["basis"], "latest_basis": last["basis"],
        "reference_latest_status": "",
    }
    if survey:
        row["baseline_n"], row["latest_n"] = base["denominator"], last["denominator"]
        row["design_effect"] = DESIGN_EFFECT
    row["change"] = last["value"] - base["value"]
    reason = _comparable(base, last, survey)
    if reason == "mixed_origin":
        row["baseline_basis"], row["latest_basis"] = (ORIGIN_BASIS.get(base["origin"], "blandad"),
                                                      ORIGIN_BASIS.get(last["origin"], "blandad"))
    if reason:
        row["change"] = math.nan  # no change is shown between values that cannot be compared
    elif row["direction"] == "at_least_reference":
        reason = _judge_level(row, t, ind, base, last, scale, baseline_year, latest_year)
    elif row["direction"] in ("increase", "decrease"):
        reason = _judge_change(row, base, last, scale)
    else:
        reason = "unknown_direction"
    row["reason"], row["status"] = reason, DECISIONS[reason]
    return row


def _bh_within_area(out: pd.DataFrame) -> pd.Series:
    """Benjamini–Hochberg adjusted p-values over the area's distinct tests (an indicator that
    follows two goals the same way is one test, not two)."""
    key = ["indicator", "direction", "reference_area"]
    tests = out.loc[out["p_value"].notna(), key + ["p_value"]].drop_duplicates(key)
    tests["p_value_bh"] = bh_adjust(tests["p_value"])
    return out[key].merge(tests[key + ["p_value_bh"]], on=key, how="left")["p_value_bh"].to_numpy(float)
