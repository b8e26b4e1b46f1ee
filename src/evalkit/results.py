"""Shared results computed once per data version, not once per report: effects, ranks, goal statuses.

`evalkit analyse` (run by `make report` / `make test` after `evalkit clean`) fits the programme-wide
difference-in-differences with randomisation inference and wild cluster bootstrap, the event study
and a synthetic control per programme borough, and the bootstrap rank intervals of the social risk
index for every year and area level and the goal statuses of every programme area, and writes
presentation-ready tables to ``data/processed/effects/``. Notebooks read them with :func:`load`, :func:`goal_status` and
:func:`rank_intervals`; only what is not stored (another year range, an area outside the
programme) is computed in the report, the same way. Seeds are fixed, so the same inputs give the
same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import pandas as pd

from evalkit import contracts, data, geography, programme, stamp
from evalkit.analysis import robustness
from evalkit.analysis.goals import goal_status as status_of
from evalkit.fingerprint import file_stats
from evalkit.paths import processed_dir
from evalkit.programme import (BASELINE_YEAR, EFFECT_DRAWS, FIRST_DATA_YEAR, PROGRAMME_END, PROGRAMME_START,
                               SEED_RESULTS)

N_DRAWS = EFFECT_DRAWS
SEED = SEED_RESULTS
#: Numeric tables (schemas in evalkit.contracts.effects, columns in docs/CONTRACTS.md).
TABLES = ("did", "event_study", "ri", "wild_bootstrap", "synth_weights", "synth_path", "synth_placebo",
          "synth_summary", "suppression")
#: Years of the cohort (earlier work) estimates: 2006 is the pre-year that Järvalyftet needs.
COHORT_YEARS = (FIRST_DATA_YEAR, PROGRAMME_END)
#: Rank intervals as the district report shows them (published table, so suppressed cells stay hidden).
RANK_LEVELS = ("stadsdel", "stadsdelsomrade")
RANK_SETTINGS = {"n_boot": 200, "seed": SEED_RESULTS}
#: Goal statuses are stored for the reports' default baseline and latest year; other years are
#: computed when asked for (:func:`goal_status`).
GOAL_STATUS_YEARS = (BASELINE_YEAR, PROGRAMME_END)


class ResultsOutdated(data.ProcessedDataMissing):
    """The shared results are missing or were computed from other processed data: run `evalkit analyse`."""


class OutcomeTooShort(ValueError):
    """An effect outcome (catalogue column ``effect_outcome``) lacks stadsdel values for a year the
    estimates need: the earlier-work baseline and the cohort estimates span :data:`COHORT_YEARS`."""


def check_outcomes(tidy: pd.DataFrame, outcomes: list[str]) -> None:
    """Raise :class:`OutcomeTooShort` (one line naming the indicator and the missing years) unless
    every outcome has stadsdel values in every year of :data:`COHORT_YEARS`; without them the
    estimators stop deep inside (a design whose year effects are collinear)."""
    need = range(COHORT_YEARS[0], COHORT_YEARS[1] + 1)
    for indicator in outcomes:
        rows = tidy[(tidy["indicator"] == indicator) & (tidy["area_level"] == "stadsdel") & tidy["value"].notna()]
        missing = [y for y in need if y not in set(rows["year"])]
        if missing:
            raise OutcomeTooShort(
                f"{indicator} är effektutfall (indicators.csv, kolumnen effect_outcome) men saknar värden per "
                f"stadsdel för {', '.join(map(str, missing))}: effektskattningen behöver en serie {need[0]}–{need[-1]}; "
                "lämna kolumnen tom eller leverera hela serien")


@lru_cache(maxsize=4)
def _check_current(processed: str, stats: tuple) -> None:
    """Raise :class:`ResultsOutdated` unless the stamp matches today's inputs (cached on file stats)."""
    message = stamp.problem(Path(processed))
    if message:
        raise ResultsOutdated(message)


def effects_dir(base: Path | None = None) -> Path:
    """Folder of the precomputed effect tables."""
    return (base or processed_dir()) / "effects"


def compute(tidy: pd.DataFrame, full: pd.DataFrame | None = None, workers: int = 1) -> dict[str, pd.DataFrame]:
    """Estimate every effect the reports show; returns one numeric DataFrame per table name in
    TABLES, each validated by its schema (:mod:`evalkit.contracts.effects`). The Swedish
    readings are made from these numbers in :mod:`evalkit.present.effects`.

    The outcomes are the catalogue's effect outcomes (column ``effect_outcome``,
    :func:`evalkit.programme.effect_outcomes`; levels, three specifications, see
    evalkit.analysis.effects.SPECIFICATIONS); the first also gets the synthetic controls.

    ``full``: the unsuppressed table; when given, the headline estimates are re-estimated on it
    and only the difference they make is stored (``suppression``, see :func:`_suppression_row`).
    ``workers``: processes for the independent fits (:func:`run_plans`); the tables are the same
    for any number (pyfixest's standard errors aside: their last digits follow the process's heap
    layout, with one worker as with two; see benchmarks/README.md, i29-analyse)."""
    return run_plans([_effects_plan(tidy, full)], workers)[0]


def _effects_plan(tidy: pd.DataFrame, full: pd.DataFrame | None) -> Plan:
    """:func:`compute` as independent tasks (one per indicator × specification, one per
    indicator's cohort paths, one per programme borough × synthetic-control scale) and the step
    that puts their rows together in a fixed order."""
    # Imported here: the estimators (pyfixest, scipy.optimize) are only needed to compute; a
    # report only loads what they produced. Imported before any worker is forked, so that each
    # worker does not import them again.
    # (pyfixest imports its estimators lazily, on first attribute access: its submodules by name;
    # imported, not used: no fit may run before the fork, see effects.fits_ran)
    import pyfixest.did  # noqa: F401
    import pyfixest.estimation  # noqa: F401

    from evalkit.analysis import effects, synth

    cohort_table = effects.cohorts()
    first = effects.first_treatment(cohort_table)
    outcomes = programme.effect_outcomes()
    check_outcomes(tidy, outcomes)
    tasks: list = []
    for indicator in outcomes:
        base, controls = effects.earlier_work(effects.panel(tidy, indicator), first)
        long = effects.panel(tidy, indicator, years=COHORT_YEARS)
        reference = effects.untreated_reference_year(base, first)
        for spec in effects.SPECIFICATIONS:
            tasks.append(partial(_did_block, tidy, full, indicator, spec, first, base, controls, long, reference))
        tasks.append(partial(_cohort_paths, indicator, first, long))
    indicator = outcomes[0]
    exclude = synth.earlier_work_areas(cohort_table)
    # a year without the borough's value (e.g. '.': a stadsdel sent the share only, so the
    # borough is not computed) leaves no path to fit: no synthetic control for it
    boroughs = [b for b in geography.programme_boroughs()
                if b in synth.wide_outcome(tidy, indicator, areas=[b]).columns]
    fits = [(b, t) for b in boroughs for t in synth.TRANSFORMS]
    # the synthetic controls first: the longest tasks, so that the pool ends evenly
    tasks = [partial(synth.programme_borough_synth, tidy, indicator, b, transform=t, exclude=exclude)
             for b, t in fits] + tasks

    def assemble(done: list) -> dict[str, pd.DataFrame]:
        out: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
        for part in done[len(fits):]:
            for name, frames in part.items():
                out[name].extend(frames)
        results_of = dict(zip(fits, done[:len(fits)]))
        for borough in boroughs:
            for name, frames in _synth_rows(borough, indicator, {t: results_of[borough, t]
                                                                 for t in synth.TRANSFORMS}).items():
                out[name].extend(frames)
        return _validated(out)

    return Plan(tasks, assemble)


def _did_block(tidy: pd.DataFrame, full: pd.DataFrame | None, indicator: str, spec: str, first: pd.DataFrame,
               base: pd.DataFrame, controls: list[str], long: pd.DataFrame, reference: int) -> dict[str, list]:
    """The rows of one indicator × specification: the headline DiD with its randomisation
    inference and wild bootstrap, the suppression difference, the plain TWFE, each earlier-work
    cohort left out, the did2s cohort effects and the event study (tables → list of frames)."""
    from evalkit.analysis import effects

    out: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    panel, weights = effects.specification(base, spec)
    headline = spec == effects.HEADLINE_SPECIFICATION
    # the programme on top of each cohort's own earlier-work level (headline estimator) …
    row, ri, wcb = programme_effect(panel, weights, controls)
    out["did"].append(pd.DataFrame([{**row, "indicator": indicator, "cohort": effects.PROGRAMME_INITIATIVE,
                                     "specification": spec, "estimator": HEADLINE_ESTIMATOR,
                                     "headline": headline}]))
    # … with the same numbers on the full table as a difference only (suppression sensitivity)
    if full is not None:
        out["suppression"].append(_suppression_row(full, tidy, indicator, spec, first, row))
    out["ri"].append(pd.DataFrame({
        "indicator": indicator, "specification": spec, "draw": range(len(ri.distribution)),
        "placebo_estimate": ri.estimates, "placebo_t": ri.distribution, "estimate": ri.estimate,
        "p_value": ri.p_value, "n_perm": ri.n_perm, "exact": ri.exact, "cluster_level": ri.cluster_level,
        "seed": SEED}))
    out["wild_bootstrap"].append(pd.DataFrame([{
        "indicator": indicator, "specification": spec, "estimate": wcb.estimate, "t_stat": wcb.t_stat,
        "p_value": wcb.p_value, "ci_low": wcb.ci_low, "ci_high": wcb.ci_high, "n_boot": wcb.n_boot,
        "weights": wcb.weights, "seed": SEED, "method": wcb.method, "cluster_level": wcb.cluster_level,
        "n_clusters": wcb.n_clusters}]))
    # sensitivity: 2007–2014 as one baseline (earlier work counted as "before") …
    row, _, _ = programme_effect(panel, weights, (), wild=False)
    out["did"].append(pd.DataFrame([{**row, "indicator": indicator, "cohort": effects.PROGRAMME_INITIATIVE,
                                     "specification": spec, "estimator": "twfe", "headline": False}]))
    # … and leaving out each earlier-work cohort's areas in turn
    for cohort, g in first.groupby("cohort", sort=True):
        rest = panel[~panel["area"].isin(set(g["area"]))]
        rest.attrs.update(panel.attrs)
        keep = [c for c in controls if c != f"E_{cohort}"]
        row, _, _ = programme_effect(rest, weights, keep, wild=False)
        out["did"].append(pd.DataFrame([{**row, "indicator": indicator,
                                         "cohort": f"{effects.PROGRAMME_INITIATIVE}_utan_{cohort}",
                                         "specification": spec, "estimator": HEADLINE_ESTIMATOR,
                                         "headline": False}]))
    lpanel, _ = effects.specification(long, spec)
    ce = effects.cohort_effects(lpanel, first, weights=weights)
    out["did"].append(_cohort_rows(ce).assign(
        indicator=indicator, specification=spec, estimator="did2s", year_first=int(lpanel["year"].min()),
        year_last=int(lpanel["year"].max()), headline=headline))
    ev = effects.event_study(panel, reference_year=reference, weights=weights)
    out["event_study"].append(ev.table.assign(
        indicator=indicator, cohort=effects.PROGRAMME_INITIATIVE, specification=spec, estimator="twfe",
        first_year=PROGRAMME_START, pretrend_p=ev.pretrend_p, cluster_level=ev.cluster_level))
    return out


def _cohort_paths(indicator: str, first: pd.DataFrame, long: pd.DataFrame) -> dict[str, list]:
    """Each cohort's own path (Sun–Abraham; unweighted, the estimator takes no weights)."""
    from evalkit.analysis import effects

    paths = effects.cohort_event_study(long, first)
    pre = paths[paths["period"] == "före"]
    pretrend = {c: _joint_pretrend(g) for c, g in pre.groupby("cohort")}
    return {"event_study": [paths.assign(indicator=indicator, specification="omraden", estimator="sun_abraham",
                                         pretrend_p=paths["cohort"].map(pretrend),
                                         cluster_level=long.attrs.get("cluster_level", ""))]}


def _synth_rows(borough: str, indicator: str, results_by: dict) -> dict[str, list]:
    """The synthetic-control rows of one programme borough from its fit on each scale."""
    from evalkit.analysis import synth

    out: dict[str, list[pd.DataFrame]] = {"synth_summary": [], "synth_path": [], "synth_placebo": [],
                                          "synth_weights": []}
    lead = synth.headline_transform(results_by)
    for transform, result in results_by.items():
        out["synth_summary"].append(pd.DataFrame([{
            "treated": borough, "indicator": indicator, "transform": transform,
            "pre_rmspe": result.pre_rmspe, "post_rmspe": result.post_rmspe,
            "ratio": result.ratio, "post_gap_mean": result.post_gap_mean, "p_value": result.p_value,
            "p_value_gap": result.p_value_gap, "n_placebos": result.n_placebos,
            "min_p": result.min_p, "n_donors": result.n_placebos_all,
            "pre_rmspe_placebo_median": result.placebo_pre_rmspe_median, "pre_fit_factor": synth.PRE_FIT_FACTOR,
            "penalty": result.penalty, "headline": transform == lead, "agree": lead is not None}]))
    result = results_by[synth.TRANSFORMS[0]]
    out["synth_path"].append(pd.DataFrame({
        "treated": borough, "indicator": indicator, "year": result.observed.index.astype(int),
        "observed": result.observed.to_numpy(), "synthetic": result.synthetic.to_numpy(),
        "gap": result.gap.to_numpy()}))
    placebo = result.placebo_gaps.reset_index().melt(id_vars="year", var_name="donor", value_name="gap")
    out["synth_placebo"].append(placebo.assign(treated=borough, indicator=indicator))
    out["synth_weights"].append(pd.DataFrame({"treated": borough, "indicator": indicator,
                                              "donor": result.weights.index, "weight": result.weights.to_numpy()}))
    return out


def _validated(out: dict[str, list[pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """One frame per table in its schema's column order, validated (tables without rows left out)."""
    from evalkit.contracts import effects as effects_schema

    tables = {}
    for name, parts in out.items():
        if not parts:
            continue
        frame = pd.concat(parts, ignore_index=True)
        schema = effects_schema.SCHEMAS[name]
        frame = frame[list(schema.columns)]
        tables[name] = effects_schema.validate(name, frame)
    return tables


@dataclass
class Plan:
    """A result as independent tasks (callables without arguments) and the step that makes the
    result from their returns, given in task order (:func:`run_plans`)."""

    tasks: list
    assemble: object


#: The plans' tasks while :func:`run_plans` runs them: a forked worker inherits them, so only a
#: task's number goes to it (closures over the tidy tables need no pickling) and only its return
#: comes back.
_TASKS: list = []


def _run_task(i: int):
    """Run task ``i`` of :data:`_TASKS` with one BLAS thread (see :func:`run`)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _TASKS[i]()


def run_plans(plans: list[Plan], workers: int = 1) -> list:
    """Run every task of ``plans`` and return each plan's assembled result, in plan order.

    ``workers`` > 1: the tasks run in a pool of that many forked processes, handed out one at a
    time in the order given (so the longest, listed first, start first) and collected in task
    order; each task computes the same numbers in any process (its own seeds, one BLAS thread),
    so the result is the same for any number of workers (tested; pyfixest's standard errors can
    differ ~1e-8 with the heap layout of whichever process fits, as they did before). ``workers`` = 1 runs them here,
    in order, and so does a process that has already fitted with pyfixest (a forked child could
    not fit: :func:`evalkit.analysis.effects.fits_ran`)."""
    import sys

    global _TASKS
    from evalkit.workers import fork_map

    tasks = [t for plan in plans for t in plan.tasks]
    _TASKS = tasks
    fitted = "evalkit.analysis.effects" in sys.modules and sys.modules["evalkit.analysis.effects"].fits_ran()
    try:
        # forked (evalkit.workers.fork_map): the workers share the parent's modules and tables
        done = list(fork_map(_run_task, range(len(tasks)), 1 if fitted else workers))
    finally:
        _TASKS = []
    out, at = [], 0
    for plan in plans:
        out.append(plan.assemble(done[at:at + len(plan.tasks)]))
        at += len(plan.tasks)
    return out


#: The estimator the reports lead with: the programme's effect on top of each cohort's own
#: earlier-work level (:func:`evalkit.analysis.effects.earlier_work` as controls).
HEADLINE_ESTIMATOR = "twfe_tidigare"


def programme_effect(panel: pd.DataFrame, weights, controls, wild: bool = True):
    """One programme row of the ``did`` table: the DiD clustered at the assignment unit, the same
    clustered by stadsdel (a labelled sensitivity), randomisation inference over the assignment
    units (studentised, exact when few), the wild cluster bootstrap (Webb), the minimum detectable
    effect, the intra-cluster correlation and what :func:`evalkit.analysis.inference.decide` says
    leads. Returns ``(row dict, RIResult, WCBResult | None)``."""
    from evalkit.analysis import effects, inference

    r = effects.did(panel, weights=weights, controls=controls)
    by_area = effects.did(panel, weights=weights, controls=controls, cluster="area")
    ri = effects.randomization_inference(panel, n_perm=N_DRAWS, seed=SEED, weights=weights, controls=controls)
    wcb = (effects.wild_cluster_bootstrap(panel, n_boot=N_DRAWS, seed=SEED, weights=weights, controls=controls)
           if wild else None)
    decision = inference.decide(r.n_treated_clusters, r.n_clusters, ri.n_perm, has_ri=True)
    p_head, floor = {"ri": (ri.p_value, inference.p_floor("ri_exact" if ri.exact else "ri", ri.n_perm)),
                     "crv1": (r.p_value, 0.0),
                     "none": (float("nan"), float("nan"))}[decision.p_method]
    import numpy as np

    row = {"estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value,
           "n_areas": r.n_treated + r.n_control, "n_treated": r.n_treated, "first_year": r.start,
           "year_first": r.years[0], "year_last": r.years[1], "n_obs": r.n_obs,
           "cluster_level": r.cluster_level, "n_clusters": r.n_clusters, "n_treated_clusters": r.n_treated_clusters,
           "se_stadsdel": by_area.se, "p_value_stadsdel": by_area.p_value,
           "p_ri": ri.p_value, "ri_exact": ri.exact, "n_assignments": ri.n_perm,
           "p_wcb": wcb.p_value if wcb else float("nan"),
           "wcb_ci_low": wcb.ci_low if wcb else float("nan"), "wcb_ci_high": wcb.ci_high if wcb else float("nan"),
           "p_headline": p_head, "p_method": decision.p_method, "p_floor": floor,
           "mde": inference.mde(float(np.std(ri.estimates))),
           "icc": effects.residual_icc(panel, weights=weights),
           "warnings": ";".join(decision.warnings)}
    return row, ri, wcb


def _cohort_rows(ce: pd.DataFrame) -> pd.DataFrame:
    """The did2s cohort rows with the decision of :mod:`evalkit.analysis.inference`: no placebo
    test exists for them, so below the rule no p-value leads (``p_headline`` NaN, warnings say why)."""
    from evalkit.analysis import inference

    rows = []
    for r in ce.itertuples(index=False):
        d = inference.decide(int(r.n_treated_clusters), int(r.n_clusters), None, has_ri=False)
        rows.append({**r._asdict(), "cluster_level": "stadsdelsomrade", "se_stadsdel": float("nan"),
                     "p_value_stadsdel": float("nan"), "p_ri": float("nan"), "ri_exact": False, "n_assignments": 0,
                     "p_wcb": float("nan"), "wcb_ci_low": float("nan"), "wcb_ci_high": float("nan"),
                     "p_headline": r.p_value if d.p_method == "crv1" else float("nan"), "p_method": d.p_method,
                     "p_floor": 0.0 if d.p_method == "crv1" else float("nan"), "mde": float("nan"),
                     "icc": float("nan"), "warnings": ";".join(d.warnings)})
    return pd.DataFrame(rows)


#: Hidden cells a panel must have before the full-table difference is published (one number over
#: fewer unknowns could pin them down).
SUPPRESSION_MIN_HIDDEN = 10
#: Decimals of the published difference.
SUPPRESSION_DECIMALS = 2


def _suppression_row(full: pd.DataFrame, published: pd.DataFrame, indicator: str, spec: str,
                     first: pd.DataFrame, row: dict) -> pd.DataFrame:
    """What suppression does to one headline estimate: the same estimator on the full table,
    stored only as ``difference = full − published`` rounded to 2 decimals, and only when the
    published panel lacks at least :data:`SUPPRESSION_MIN_HIDDEN` cells.

    Why this is not disclosive: one rounded number is one linear equation in the hidden cells of
    a whole indicator (dozens of them, spread over many areas and years); it cannot pin any of
    them down when at least ten are free, and no per-area number of the full table is stored."""
    from evalkit.analysis import effects

    fpanel, controls = effects.earlier_work(effects.panel(full, indicator), first)
    fpanel, weights = effects.specification(fpanel, spec)
    ppanel, _ = effects.specification(effects.panel(published, indicator), spec)
    hidden = len(fpanel) - len(ppanel)
    full_est = effects.did(fpanel, weights=weights, controls=controls).estimate
    ok = hidden >= SUPPRESSION_MIN_HIDDEN
    diff = round(full_est - row["estimate"], SUPPRESSION_DECIMALS) if ok else float("nan")
    return pd.DataFrame([{"indicator": indicator, "specification": spec, "estimator": HEADLINE_ESTIMATOR,
                          "n_hidden": int(hidden), "difference": diff, "published": ok}])


def _joint_pretrend(leads: pd.DataFrame) -> float:
    """A rough joint test of a cohort's leads (independent-coefficient Wald χ²; the saturated
    estimator's full covariance is not kept). NaN without leads."""
    from scipy import stats

    z = (leads["estimate"] / leads["se"]).to_numpy(float)
    z = z[pd.notna(z)]
    return float(stats.chi2.sf(float((z ** 2).sum()), len(z))) if len(z) else float("nan")


def compute_ranks(published: pd.DataFrame, workers: int = 1) -> pd.DataFrame:
    """Rank intervals of the index for every year and level of ``published`` (one table);
    ``workers`` as in :func:`run_plans`."""
    return run_plans([_ranks_plan(published)], workers)[0]


def _ranks_plan(published: pd.DataFrame) -> Plan:
    """:func:`compute_ranks` as one task per level and year."""
    # The table split by year once, the index configuration and the catalogue read once: the same
    # arguments as a report's own call (results.rank_intervals), so the same numbers.
    from evalkit.analysis import index

    table = robustness.Prepared(published)
    fixed = {"config": index.load_index_config(), "catalogue": programme.indicator_catalogue()}
    tasks = [partial(robustness.rank_intervals, table, int(year), level=level, **RANK_SETTINGS, **fixed)
             for level in RANK_LEVELS for year in sorted(published["year"].unique())]

    def assemble(parts: list) -> pd.DataFrame:
        # Checked before it is stored: every rank within 1..n_ranked, none for an area without an index.
        return contracts.rank_intervals_schema().validate(pd.concat(parts, ignore_index=True))

    return Plan(tasks, assemble)


def goal_status_areas() -> list[str]:
    """The areas with a goal matrix: the programme boroughs, the programme stadsdelar and the
    programme areas together (``programomradet``)."""
    return geography.programme_boroughs() + geography.programme_stadsdelar() + ["programomradet"]


def compute_goal_status(published: pd.DataFrame, baseline_year: int = GOAL_STATUS_YEARS[0],
                        latest_year: int = GOAL_STATUS_YEARS[1], workers: int = 1) -> pd.DataFrame:
    """Goal × indicator status for every area of :func:`goal_status_areas` (one table);
    ``workers`` as in :func:`run_plans`."""
    return run_plans([_goal_status_plan(published, baseline_year, latest_year)], workers)[0]


def _goal_status_plan(published: pd.DataFrame, baseline_year: int, latest_year: int) -> Plan:
    """:func:`compute_goal_status` as one task per area."""
    from evalkit.analysis import index

    # An area without rows fails in its own report (as computed there), not the whole analyse step.
    present = set(published["area_code"])
    areas = [code for code in goal_status_areas() if code in present]
    # The definitions read once for every area, and only the rows any area's status can read (its
    # own, the reference areas', the city's): goal_status selects the same rows from it, in the
    # same order, as from the whole table, so the statuses are the same.
    fixed = {"goals": programme.goals(), "links": programme.goal_indicators(),
             "catalogue": programme.indicator_catalogue(), "index_config": index.load_index_config(),
             "schools": data.schools()}  # goal Skola 1.1 is also judged per school
    keep = {*areas, index.CITY, *fixed["links"]["reference_area"].fillna("").astype(str)}
    rows = published[published["area_code"].astype(str).isin(keep)]
    tasks = [partial(status_of, rows, code, baseline_year=baseline_year, latest_year=latest_year, **fixed)
             for code in areas]

    def assemble(parts: list) -> pd.DataFrame:
        return contracts.goal_status_schema().validate(pd.concat(parts, ignore_index=True))

    return Plan(tasks, assemble)


def goal_status(area_code: str | None = None, baseline_year: int = GOAL_STATUS_YEARS[0],
                latest_year: int = GOAL_STATUS_YEARS[1]) -> pd.DataFrame:
    """Goal statuses of one area (or, with ``area_code=None``, of every programme area).

    Read from the table `evalkit analyse` wrote for the default years, so each status is
    computed once per data version, not in every report that shows it; other years, or an area
    outside the programme, are computed here the same way (:func:`evalkit.analysis.goals.goal_status`).
    """
    if (baseline_year, latest_year) == GOAL_STATUS_YEARS:
        table = load("goal_status")
        if area_code is None:
            return table
        rows = table[table["area_code"] == area_code].reset_index(drop=True)
        if len(rows):
            return rows
    published = data.published_tidy()[0]
    if area_code is None:
        return compute_goal_status(published, baseline_year, latest_year)
    return status_of(published, area_code, baseline_year=baseline_year, latest_year=latest_year,
                     schools=data.schools())


def run(base: Path | None = None, workers: int | None = None) -> Path:
    """Compute from the cleaned tables and write ``data/processed/effects/<table>.parquet``.

    ``workers``: processes for the independent tasks of the effects, ranks and goal statuses
    (default :func:`evalkit.workers.cores`, one per core); the tables are the same for any number."""
    from evalkit.workers import cores

    folder = effects_dir(base)
    folder.mkdir(parents=True, exist_ok=True)
    # No stamp while tables are being replaced: an interrupted run leaves results that load() refuses.
    stamp.remove(folder.parent)
    # Every stored estimate is published (pages, and the data package): it is computed from the
    # published table, so hidden cells are simply absent. From the full table, the randomisation
    # distribution (hundreds of linear functionals of the outcomes) and the synthetic-control
    # paths and placebo gaps would let an intruder solve for a hidden rate.
    published = data.published_tidy()[0]
    # The full table enters only as one rounded difference per estimate (see _suppression_row).
    # Every task runs with one BLAS thread (_run_task): the estimators do many small dense products
    # (projections, SLSQP, pyfixest); with OpenBLAS's default thread pool on a small shared machine
    # they ran ~15x slower (measured: a 1650x130 SVD 0.39 s with the pool, 0.026 s with one thread,
    # 2 cores under load), and the cores are better used by the worker processes.
    tables, ranks, statuses = run_plans([_effects_plan(published, data.tidy()), _ranks_plan(published),
                                         _goal_status_plan(published, *GOAL_STATUS_YEARS)],
                                        cores() if workers is None else workers)
    tables["rank_intervals"] = ranks
    tables["goal_status"] = statuses
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    stamp.write(folder.parent)
    return folder


def rank_intervals(year: int, level: str) -> pd.DataFrame:
    """The rank intervals of ``level`` in ``year`` (see :func:`evalkit.analysis.robustness.rank_intervals`).

    Read from the table `evalkit analyse` wrote, so the bootstrap runs once per data version and
    not once per report; a year outside it (a custom year range) is computed here, the same way.
    """
    table = load("rank_intervals")
    rows = table[(table["year"] == year) & (table["level"] == level)].reset_index(drop=True)
    if rows.empty:
        rows = robustness.rank_intervals(data.published_tidy()[0], year, level=level, **RANK_SETTINGS)
    return rows


def load(name: str, base: Path | None = None) -> pd.DataFrame:
    """Read one precomputed table (TABLES, ``rank_intervals`` or ``goal_status``); a clear
    message if `evalkit analyse` hasn't run or ran on other data, code or goal definitions."""
    folder = effects_dir(base)
    path = folder / f"{name}.parquet"
    if not path.exists():
        raise data.ProcessedDataMissing(f"{path} saknas – kör `evalkit analyse` (eller `make report`) först")
    # Results from older data would show numbers that no longer match the rest of the report.
    processed = folder.parent
    _check_current(str(processed), file_stats([folder / stamp.STAMP] + [processed / n for n in stamp.ANALYSE_INPUTS]))
    return _read_table(file_stats([path])).copy()


@lru_cache(maxsize=32)
def _read_table(stats: tuple) -> pd.DataFrame:
    """A result table, read once per version of its file (size and mtime; a report reads several
    tables more than once, and the build's template reads them for every report). Callers copy."""
    (path, *_), = stats
    return pd.read_parquet(path)
