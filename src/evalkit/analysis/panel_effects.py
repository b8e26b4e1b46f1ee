"""The reports' effect estimators on a researcher's own area × year panel: numbers only.

:func:`effects_for_panel` takes a plain frame (area, year, outcome, optional weight, and either a
treated flag per area with one start year, or a first-treatment year per area for staggered
starts) and runs the estimators of :mod:`evalkit.analysis.effects` – the very functions
`evalkit analyse` runs for the reports, not copies:

* one start year: two-way fixed-effects DiD with area-clustered errors (:func:`effects.did`), the
  event study against the year before the start (:func:`effects.event_study`), randomisation
  inference (:func:`effects.randomization_inference`) and the wild cluster bootstrap
  (:func:`effects.wild_cluster_bootstrap`);
* staggered starts: cohort ATTs and their pooled ATT by two-stage imputation
  (:func:`effects.cohort_effects`, did2s) and each cohort's path (:func:`effects.cohort_event_study`,
  Sun–Abraham). Randomisation inference and the wild bootstrap permute or perturb one common
  ``treated × post`` column, so they are not run here (``None``): with staggered starts a placebo
  needs a start year per area, which the estimators do not define.

The result is a :class:`PanelEffects` of plain floats and ints (``as_dict()`` for JSON); the Swedish
table is made from it in :mod:`evalkit.present.effects_cli`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.analysis import effects
from evalkit.programme import EFFECT_DRAWS, SEED_RESULTS

#: Draws of the randomisation inference and the wild bootstrap, and their seed: the values
#: `evalkit analyse` uses for the reports (one home: evalkit.programme).
DEFAULT_DRAWS = EFFECT_DRAWS
DEFAULT_SEED = SEED_RESULTS


class PanelError(ValueError):
    """A panel the estimators cannot use (no treated or no comparison area, no pre-period …)."""


@dataclass
class PanelEffects:
    """Numbers only. ``did``: the headline estimate (TWFE, or the pooled did2s ATT with staggered
    starts); ``event_study``: one row per year (or per cohort and relative year); ``ri`` and
    ``wild_bootstrap``: ``None`` with staggered starts; ``cohorts``: per-cohort ATTs (staggered)."""

    did: dict
    event_study: list[dict]
    ri: dict | None
    wild_bootstrap: dict | None
    cohorts: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    #: warning codes of :mod:`evalkit.analysis.inference` (few clusters, few assignments …)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready dict (NaN -> None)."""
        return _clean({"did": self.did, "event_study": self.event_study, "ri": self.ri,
                       "wild_bootstrap": self.wild_bootstrap, "cohorts": self.cohorts, "settings": self.settings,
                       "cluster_level": self.settings.get("cluster_level"), "warnings": self.warnings})


def _clean(obj):
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if math.isnan(obj) else float(obj)
    return obj


def to_panel(frame: pd.DataFrame, area: str = "area", year: str = "year", outcome: str = "y",
             weight: str | None = None, treated: str | None = None, first_year: str | None = None,
             start: int | None = None, cluster: str | None = None,
             cluster_level: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The estimators' panel (``area, year, y, log_y, weight, treated, post, d``; ``attrs["start"]``)
    from a plain frame, and for staggered starts the cohort table (``area, cohort, first_year``).

    ``treated`` names a 0/1 (or bool) column constant within an area, used with ``start``;
    ``first_year`` names a column with each area's first treated year (NaN or 0: never treated).
    ``cluster`` names the column of the unit treatment was assigned to (standard errors, the wild
    bootstrap and randomisation inference work at that level; default: the area itself), and
    ``cluster_level`` what to call it.
    """
    if (treated is None) == (first_year is None):
        raise PanelError("ange antingen treated (med start) eller first_year (kohorter)")
    p = pd.DataFrame({"area": frame[area].astype(str).to_numpy(), "year": frame[year].astype(int).to_numpy(),
                      "y": frame[outcome].astype(float).to_numpy(),
                      "weight": (frame[weight].astype(float).to_numpy() if weight else 1.0)})
    with np.errstate(divide="ignore", invalid="ignore"):
        p["log_y"] = np.where(p["y"] > 0, np.log(p["y"].where(p["y"] > 0, 1.0)), np.nan)
    p["cluster"] = frame[cluster].astype(str).to_numpy() if cluster else p["area"]
    _constant_within_area(p, "cluster", "klustret (tilldelningsenheten)")
    first = None
    if treated is not None:
        if start is None:
            raise PanelError("startår saknas (start)")
        tr = frame[treated].astype(float).to_numpy()
        p["treated"] = tr.astype(int)
        _constant_within_area(p, "treated", "behandlad")
    else:
        g = pd.to_numeric(frame[first_year], errors="coerce").fillna(0).astype(int).to_numpy()
        p["_g"] = g
        _constant_within_area(p, "_g", "första behandlade år")
        p["treated"] = (p["_g"] > 0).astype(int)
        cohorts = p.loc[p["_g"] > 0].groupby("area")["_g"].first()
        first = pd.DataFrame({"area": cohorts.index, "cohort": cohorts.astype(str).to_numpy(),
                              "first_year": cohorts.astype(int).to_numpy()})
        start = int(cohorts.min()) if len(cohorts) else None
        p = p.drop(columns="_g")
    p["post"] = (p["year"] >= (start or 0)).astype(int)
    p["d"] = p["treated"] * p["post"]
    p = p.sort_values(["area", "year"], kind="mergesort").reset_index(drop=True)
    _check_design(p, start, first)
    p.attrs.update({"indicator": "", "level": "area", "start": int(start), "rows_dropped": 0, "areas_dropped": [],
                    "cluster_level": cluster_level or (cluster if cluster else "area"),
                    "years": (int(p["year"].min()), int(p["year"].max())), "treated_missing": []})
    return p, first


def _constant_within_area(p: pd.DataFrame, column: str, what: str) -> None:
    varying = p.groupby("area")[column].nunique()
    if (varying > 1).any():
        areas = ", ".join(varying[varying > 1].index[:5])
        raise PanelError(f"{what} ska vara samma alla år för ett område; skiljer sig för {areas}")


def _check_design(p: pd.DataFrame, start: int | None, first: pd.DataFrame | None) -> None:
    """Refuse a panel on which a DiD says nothing: every area treated, none treated, no pre-years."""
    by_area = p.groupby("area")["treated"].first()
    if by_area.sum() == 0:
        raise PanelError("inget behandlat område finns i panelen")
    if (by_area == 0).sum() == 0:
        raise PanelError("inget jämförelseområde (obehandlat) finns i panelen")
    if start is None or not (p["year"] < start).any():
        raise PanelError(f"inga år före starten {start} i panelen: ingen föreperiod att jämföra med")
    if not (p["year"] >= start).any():
        raise PanelError(f"inga år från starten {start} i panelen")


def effects_for_panel(frame: pd.DataFrame, area: str = "area", year: str = "year", outcome: str = "y",
                      weight: str | None = None, treated: str | None = None, first_year: str | None = None,
                      start: int | None = None, weights: bool = False, log: bool = False,
                      n_perm: int = DEFAULT_DRAWS, n_boot: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                      level: float = 0.95, cluster: str | None = None,
                      cluster_level: str | None = None) -> PanelEffects:
    """Run the reports' estimators on a plain area × year frame; numbers only.

    Parameters
    ----------
    frame : one row per area and year.
    area, year, outcome : column names (outcome: the number whose change is estimated).
    weight : column with each area-year's weight (e.g. the population); used when ``weights``.
    treated, start : a 0/1 column (constant within an area) and the first treated year, for one
        common start; **or** ``first_year``: each area's first treated year (0/NaN: never), for
        staggered starts.
    weights : WLS with ``weight`` (the effect for the average person rather than the average area).
    log : estimate on log(outcome) (effect in log points ≈ relative change; values ≤ 0 drop out).
    n_perm, n_boot, seed : draws of randomisation inference and wild bootstrap (seeded: same
        inputs, same numbers). Randomisation inference enumerates every assignment instead when
        there are few (:data:`evalkit.analysis.inference.EXACT_LIMIT`).
    cluster, cluster_level : the column of the assignment unit and its name (default: the area);
        which p-value leads, and the ``warnings``, follow :mod:`evalkit.analysis.inference`.
    """
    if weights and weight is None:
        raise PanelError("viktning kräver en viktkolumn (nämnaren/befolkningen)")
    panel, first = to_panel(frame, area, year, outcome, weight, treated, first_year, start, cluster, cluster_level)
    w = "weight" if weights else None
    out = "log" if log else "y"
    settings = {"start": int(panel.attrs["start"]), "years": list(panel.attrs["years"]),
                "n_areas": int(panel["area"].nunique()), "n_obs": int(len(panel)),
                "weights": "population" if weights else "none", "outcome": "log" if log else "level",
                "staggered": first is not None, "level": level, "cluster_level": panel.attrs["cluster_level"]}
    if first is None:
        return _single_start(panel, out, w, n_perm, n_boot, seed, level, settings)
    return _staggered(panel, first, out, w, level, settings)


def _single_start(panel, out, w, n_perm, n_boot, seed, level, settings) -> PanelEffects:
    from evalkit.analysis import inference

    start = int(panel.attrs["start"])
    r = effects.did(panel, outcome=out, weights=w, level=level)
    did = {"estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value,
           "n_areas": r.n_treated + r.n_control, "n_treated": r.n_treated, "n_obs": r.n_obs, "estimator": "twfe",
           "cluster_level": r.cluster_level, "n_clusters": r.n_clusters, "n_treated_clusters": r.n_treated_clusters}
    reference = start - 1
    if reference not in set(panel["year"]):
        reference = int(panel.loc[panel["year"] < start, "year"].max())
    ev = effects.event_study(panel, reference_year=reference, outcome=out, weights=w, level=level)
    rows = [{"year": int(t.year), "relative": int(t.year - start), "estimate": t.estimate, "se": t.se,
             "ci_low": t.ci_low, "ci_high": t.ci_high, "p_value": t.p_value,
             "reference": t.period == "referens"} for t in ev.table.itertuples(index=False)]
    ri = effects.randomization_inference(panel, n_perm=n_perm, seed=seed, outcome=out, weights=w)
    wcb = effects.wild_cluster_bootstrap(panel, n_boot=n_boot, seed=seed, outcome=out, weights=w, level=level)
    decision = inference.decide(r.n_treated_clusters, r.n_clusters, ri.n_perm, has_ri=True)
    ri_floor = inference.p_floor("ri_exact" if ri.exact else "ri", ri.n_perm)
    did.update({"p_method": decision.p_method, "ci_method": decision.ci_method, "case": decision.case,
                "p_headline": {"ri": ri.p_value, "crv1": r.p_value}.get(decision.p_method),
                "p_floor": {"ri": ri_floor, "crv1": 0.0}.get(decision.p_method),
                "mde": inference.mde(float(np.std(ri.estimates)))})
    settings.update({"reference_year": reference, "pretrend_p": ev.pretrend_p, "seed": seed})
    return PanelEffects(
        did=did, event_study=rows,
        ri={"estimate": ri.estimate, "p_value": ri.p_value, "n_perm": ri.n_perm, "n_areas": ri.n_areas,
            "n_treated": ri.n_treated, "exact": ri.exact, "n_units": ri.n_units,
            "n_treated_units": ri.n_treated_units, "statistic": ri.statistic, "p_floor": ri_floor,
            "cluster_level": ri.cluster_level},
        wild_bootstrap={"estimate": wcb.estimate, "t_stat": wcb.t_stat, "p_value": wcb.p_value,
                        "ci_low": wcb.ci_low, "ci_high": wcb.ci_high, "n_boot": wcb.n_boot, "weights": wcb.weights,
                        "p_floor": inference.p_floor("wcb", wcb.n_boot), "cluster_level": wcb.cluster_level},
        settings=settings, warnings=decision.warnings)


def _staggered(panel, first, out, w, level, settings) -> PanelEffects:
    ce = effects.cohort_effects(panel, first, outcome=out, weights=w, level=level)
    pooled = ce[ce["cohort"] == effects.ALL_COHORTS].iloc[0]
    did = {"estimate": pooled["estimate"], "se": pooled["se"], "ci_low": pooled["ci_low"],
           "ci_high": pooled["ci_high"], "p_value": pooled["p_value"], "n_areas": int(pooled["n_areas"]),
           "n_treated": int(pooled["n_treated"]), "n_obs": int(pooled["n_obs"]), "estimator": "did2s"}
    from evalkit.analysis import inference

    def ruled(r) -> dict:
        d = inference.decide(int(r.n_treated_clusters), int(r.n_clusters), None, has_ri=False)
        return {"n_clusters": int(r.n_clusters), "n_treated_clusters": int(r.n_treated_clusters),
                "p_method": d.p_method, "p_headline": r.p_value if d.p_method == "crv1" else None,
                "warnings": d.warnings}

    pooled_rule = ruled(pooled)
    did.update({"cluster_level": panel.attrs["cluster_level"], **pooled_rule})
    cohorts = [{"first_year": int(r.first_year), "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                "ci_high": r.ci_high, "p_value": r.p_value, "n_treated": int(r.n_treated), **ruled(r)}
               for r in ce[ce["cohort"] != effects.ALL_COHORTS].itertuples(index=False)]
    # Sun–Abraham takes no weights and needs a balanced panel (see effects.cohort_event_study)
    paths = effects.cohort_event_study(panel, first, outcome=out, level=level)
    rows = [{"first_year": int(t.first_year), "year": int(t.year), "relative": int(t.relative),
             "estimate": t.estimate, "se": t.se, "ci_low": t.ci_low, "ci_high": t.ci_high, "p_value": t.p_value,
             "reference": t.period == "referens"} for t in paths.itertuples(index=False)]
    settings.update({"event_study": "sun_abraham", "event_study_weights": "none"})
    warnings = list(dict.fromkeys(pooled_rule["warnings"] + [w for c in cohorts for w in c["warnings"]]))
    return PanelEffects(did=did, event_study=rows, ri=None, wild_bootstrap=None, cohorts=cohorts, settings=settings,
                        warnings=warnings)
