"""Inference with few clusters: one decision table, the assignment units and the attainable floors.

The programme (and the earlier visions) was assigned to *stadsdelsområden* (6 of the 14 of era
2007), and borough-year shocks exist, so uncertainty is measured at that level: standard errors
clustered by the borough of the era in force at the start, a restricted wild cluster bootstrap with
Webb weights at that level, and randomisation inference that permutes the boroughs (studentised;
by exact enumeration when the assignments are few, C(14, 6) = 3 003). Stadsdel-clustered numbers
stay in the tables as a labelled sensitivity only.

Which p-value and interval lead, and which warnings a result carries, follows from
:data:`DECISIONS` (codes only; the Swedish words are in :mod:`evalkit.present.effects` and
:mod:`evalkit.present.effects_cli`):

====================================  ==============  ==========  =======================================
case (:func:`decide`)                 p that leads    interval    why
====================================  ==============  ==========  =======================================
``no_comparison``                     none            none        no treated or no control cluster
``one_treated_cluster``               ri (exact)      none        one treated cluster: no clustered
                                                                  variance; the placebo test over the
                                                                  G assignments still holds (floor 1/G)
``no_randomisation``                  none            none        few treated clusters and no placebo
                                                                  test for this estimator (cohorts)
``few_assignments``                   ri (exact)      wcb         fewer than 1/α assignments: no test
                                                                  can reach α; stated
``few_treated_clusters``              ri              wcb         below :data:`MIN_TREATED_CLUSTERS_CRV1`
                                                                  treated clusters CRV1 over-rejects
``many_clusters``                     crv1            crv1        enough treated and control clusters
====================================  ==============  ==========  =======================================

What a stored result may then be called is decided here too, as codes: :func:`verdict` (the
leading p and interval together), :func:`headline_interval` and :func:`pretrend_code`; reports
only word the codes.

The CRV1 rule rests on simulations: with 3, 5 and 13 treated clusters CRV1 rejected a true null
in 19.8 %, 12.3 % and 8.0 % of 400 runs at nominal 5 % (the methods review of issue 24), with 21
in 4.75 %; MacKinnon & Webb (2017) find the same pattern. ``benchmarks/null_simulation.py`` checks
the headline procedure on this panel's structure.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

#: Test level the rules are written for.
ALPHA = 0.05
#: Fewer treated clusters than this: no CRV1 p-value leads (it over-rejects; see module docstring).
MIN_TREATED_CLUSTERS_CRV1 = 20
#: Randomisation inference enumerates every assignment when there are at most this many.
EXACT_LIMIT = 10_000
#: Power and level of the minimum detectable effect (:func:`mde`).
MDE_POWER = 0.80

#: case -> (p-value that leads, interval that leads, warning codes the case adds)
DECISIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "no_comparison": ("none", "none", ("one_treated_cluster",)),
    "one_treated_cluster": ("ri", "none", ("one_treated_cluster", "crv1_not_headlined")),
    "no_randomisation": ("none", "none", ("few_treated_clusters", "crv1_not_headlined", "no_randomisation")),
    "few_assignments": ("ri", "wcb", ("few_treated_clusters", "crv1_not_headlined", "few_assignments")),
    "few_treated_clusters": ("ri", "wcb", ("few_treated_clusters", "crv1_not_headlined")),
    "many_clusters": ("crv1", "crv1", ()),
}
#: Every warning code a result can carry (worded in present/).
WARNINGS = ("one_treated_cluster", "few_treated_clusters", "crv1_not_headlined", "no_randomisation",
            "few_assignments", "ri_sampled", "clustered_below_assignment")


@dataclass
class Decision:
    """What :func:`decide` returns: the case, which p and interval lead, and the warnings."""

    case: str
    p_method: str
    ci_method: str
    warnings: list[str] = field(default_factory=list)


def decide(n_treated_clusters: int, n_clusters: int, n_assignments: int | None = None,
           has_ri: bool = True, cluster_below_assignment: bool = False) -> Decision:
    """The row of :data:`DECISIONS` for a design.

    ``n_assignments``: how many distinct assignments randomisation inference has (None when it
    is not run); ``has_ri``: whether the estimator has a placebo test at all.
    """
    n_control = n_clusters - n_treated_clusters
    if n_treated_clusters < 1 or n_control < 1:
        case = "no_comparison"
    elif n_treated_clusters >= MIN_TREATED_CLUSTERS_CRV1 and n_control >= MIN_TREATED_CLUSTERS_CRV1:
        case = "many_clusters"
    elif not has_ri:
        case = "no_randomisation"
    elif n_assignments is not None and n_assignments < 1 / ALPHA:
        case = "few_assignments"
    elif n_treated_clusters == 1:
        case = "one_treated_cluster"
    else:
        case = "few_treated_clusters"
    p_method, ci_method, warnings = DECISIONS[case]
    if case == "no_randomisation" and n_treated_clusters == 1:
        warnings = ("one_treated_cluster",) + warnings
    out = list(warnings)
    if has_ri and n_assignments is not None and n_assignments > EXACT_LIMIT and case != "many_clusters":
        out.append("ri_sampled")
    if cluster_below_assignment:
        out.append("clustered_below_assignment")
    return Decision(case, p_method, ci_method, out)


# --------------------------------------------------------------------------------------------
# Assignments: canonical order, exact enumeration or seeded draws
# --------------------------------------------------------------------------------------------


def n_assignments(n_units: int, n_treated: int) -> int:
    """How many ways ``n_treated`` of ``n_units`` assignment units can be chosen."""
    return math.comb(int(n_units), int(n_treated))


def assignments(units, n_treated: int, n_draws: int, seed: int | None) -> tuple[np.ndarray, bool]:
    """Placebo assignments as a boolean matrix ``[n_units, M]`` over ``sorted(units)``.

    Exact (every subset, ``M = C(n, k)``, ``True`` returned) when there are at most
    :data:`EXACT_LIMIT`; else ``n_draws`` seeded draws. Units are put in sorted (canonical) order
    before anything is drawn, so the same codes give the same draws whatever their labels' order
    in the data (issue 27: p-values depended on the area names).
    """
    units = sorted(units)
    n = len(units)
    total = n_assignments(n, n_treated)
    if total <= EXACT_LIMIT:
        out = np.zeros((n, total), dtype=bool)
        for j, combo in enumerate(itertools.combinations(range(n), n_treated)):
            out[list(combo), j] = True
        return out, True
    rng = np.random.default_rng(seed)
    out = np.zeros((n, n_draws), dtype=bool)
    for j in range(n_draws):
        out[rng.choice(n, n_treated, replace=False), j] = True
    return out, False


def ri_p_value(observed: float, distribution: np.ndarray, exact: bool) -> float:
    """Two-sided p of ``|observed|`` among ``distribution``.

    Exact enumeration: the share of all assignments (the observed one is among them) at least as
    extreme. Draws: ``(1 + #) / (1 + n)`` (the observed assignment added to the draws)."""
    hits = int(np.sum(np.abs(distribution) >= abs(observed) - 1e-12))
    if exact:
        return hits / len(distribution)
    return (1 + hits) / (1 + len(distribution))


def p_floor(method: str, n: int | None) -> float:
    """Smallest p-value ``method`` can give with ``n`` assignments / draws / placebos.

    ``ri_exact``: 1/n (n assignments); ``ri``, ``wcb``, ``synth``: 1/(n + 1) (n draws or
    placebos, plus the observed); ``crv1``: 0 (continuous)."""
    if method == "ri_exact":
        return 1.0 / n if n else float("nan")
    if method in ("ri", "wcb", "synth"):
        return 1.0 / (n + 1) if n is not None else float("nan")
    return 0.0


# --------------------------------------------------------------------------------------------
# Readings: what a stored result may be called (codes; the words are in evalkit.present.effects)
# --------------------------------------------------------------------------------------------

#: Verdict codes of a stored ``did`` row (:func:`verdict`): the leading p and the leading interval
#: agree that the difference is larger than chance (``clear``) or not (``unclear``), they disagree
#: (``methods_differ``), or the rules give no reliable p (``no_test``).
VERDICTS = ("clear", "unclear", "methods_differ", "no_test")
#: Pre-trend codes of the event study's joint test (:func:`pretrend_code`).
PRETRENDS = ("differs", "flat", "unknown")


def headline_interval(row) -> tuple[float, float]:
    """The interval that leads for a stored ``did`` row: the wild-bootstrap interval at the
    assignment level when the rules say so (few treated clusters), else the clustered one."""
    method = row.get("p_method", "crv1")
    if method == "ri":
        # below the rule the clustered interval is too narrow: the bootstrap's, or none
        if pd.notna(row.get("wcb_ci_low", np.nan)):
            return float(row["wcb_ci_low"]), float(row["wcb_ci_high"])
        return float("nan"), float("nan")
    if method == "none":
        return float("nan"), float("nan")
    return float(row["ci_low"]), float(row["ci_high"])


def verdict(row) -> str:
    """The verdict code (:data:`VERDICTS`) of one stored ``did`` row: what the p-value that leads
    (``p_headline``, an older table's ``p_value``) and the interval that leads
    (:func:`headline_interval`) say together at :data:`ALPHA`, so that no reading can call a
    difference clear beside a p-value or an interval that says otherwise."""
    method = row.get("p_method", "crv1") if hasattr(row, "get") else "crv1"
    p = row.get("p_headline", row.get("p_value")) if hasattr(row, "get") else row["p_value"]
    if method == "none" or pd.isna(p):
        return "no_test"
    lo, hi = headline_interval(row)
    excludes = not (lo <= 0 <= hi) if pd.notna(lo) and pd.notna(hi) else p < ALPHA
    if (p < ALPHA) == excludes:
        return "clear" if p < ALPHA else "unclear"
    return "methods_differ"


def pretrend_code(p: float | None) -> str:
    """``differs`` / ``flat`` / ``unknown`` (:data:`PRETRENDS`) for the joint pre-trend test's p-value."""
    if p is None or pd.isna(p):
        return "unknown"
    return "differs" if p < ALPHA else "flat"


# --------------------------------------------------------------------------------------------
# Power: minimum detectable effect and intra-cluster correlation
# --------------------------------------------------------------------------------------------


def mde(null_sd: float, alpha: float = ALPHA, power: float = MDE_POWER) -> float:
    """Minimum detectable effect: ``(z_{1−α/2} + z_{power}) · sd`` where ``sd`` is the spread of
    the estimator under no effect – here the standard deviation of the placebo estimates over the
    assignments of randomisation inference, which carries the clusters, their correlation and the
    years of the design (2,80 · sd for α = 5 %, power 80 %)."""
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * null_sd)


def icc_anova(values: np.ndarray, groups: np.ndarray) -> float:
    """One-way ANOVA intra-class correlation of ``values`` within ``groups``:
    ``(MSB − MSW) / (MSB + (n0 − 1)·MSW)`` with ``n0`` the adjusted mean group size; NaN with
    fewer than two groups. Used on the residuals (area and year effects removed) grouped by
    borough × year: how much of what is left moves together within a borough in a year."""
    v = np.asarray(values, float)
    g = pd.factorize(np.asarray(groups))[0]
    k = g.max() + 1 if len(g) else 0
    n = len(v)
    if k < 2 or n <= k:
        return float("nan")
    sizes = np.bincount(g, minlength=k).astype(float)
    means = np.bincount(g, weights=v, minlength=k) / sizes
    grand = v.mean()
    ssb = float(np.sum(sizes * (means - grand) ** 2))
    ssw = float(np.sum((v - means[g]) ** 2))
    msb, msw = ssb / (k - 1), ssw / (n - k)
    n0 = (n - np.sum(sizes ** 2) / n) / (k - 1)
    return float((msb - msw) / (msb + (n0 - 1) * msw))
