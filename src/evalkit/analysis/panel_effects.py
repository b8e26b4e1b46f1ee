"""The reports' effect estimators on a researcher's own area × year panel: numbers only.

:func:`effects_for_panel` takes a plain frame (area, year, outcome, optional weight, and either a
treated flag per area with one start year, or a first-treatment year per area for staggered
starts) and runs the estimators of :mod:`evalkit.analysis.effects` – the very functions
`evalkit analyse` runs for the reports, not copies:

* one start year: two-way fixed-effects DiD (:func:`effects.did`), the event study against the
  reference year (:func:`effects.event_study`), randomisation inference
  (:func:`effects.randomization_inference`) and the wild cluster bootstrap
  (:func:`effects.wild_cluster_bootstrap`);
* staggered starts: cohort ATTs and their pooled ATT by two-stage imputation
  (:func:`effects.cohort_effects`, did2s), each cohort's path (:func:`effects.cohort_event_study`,
  Sun–Abraham) and Callaway–Sant'Anna group-time ATTs with simple, dynamic (the pooled
  event-study path) and group aggregation (:mod:`evalkit.analysis.staggered`), whose simple ATT
  gets the randomisation inference, the wild (multiplier) bootstrap and the pre-trend test.

The specification uses fixest/did names: ``cluster`` (a column; default the area),
``covariates`` (time-varying numeric columns), ``fe`` (extra fixed effects, ``"region^year"`` for
region × year), ``window`` (years relative to the start kept), ``reference_year``, ``control``
(``"never"`` or ``"notyet"``), ``conf_level``, ``trends``, ``exclude_years``.

Every row is accounted for: rows the estimators cannot use (no outcome, a value ≤ 0 under log,
no weight, a missing covariate or cluster, an excluded year, outside the window, an area with too
few years) come back in ``set_aside`` with a reason, and ``n_obs`` is the rows used everywhere.

The result is a :class:`PanelEffects` of plain floats and ints (``as_dict()`` for JSON); the Swedish
table is made from it in :mod:`evalkit.present.effects_cli`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.programme import EFFECT_DRAWS, SEED_RESULTS

#: Draws of the randomisation inference and the wild bootstrap, and their seed: the values
#: `evalkit analyse` uses for the reports (one home: evalkit.programme).
DEFAULT_DRAWS = EFFECT_DRAWS
DEFAULT_SEED = SEED_RESULTS


class PanelError(ValueError):
    """A panel the estimators cannot use (no treated or no comparison area, no pre-period …)."""


#: Why a row was not used (the ``reason`` column of ``set_aside``).
REASONS = {"outcome": "utfallet saknas", "log": "utfallet är 0 eller negativt och kan inte logaritmeras",
           "weight": "vikten saknas eller är 0 eller negativ", "covariate": "kovariaten saknas",
           "label": "kluster- eller fixeffektkolumnen är tom", "exclude": "året är undantaget (--exclude-years)",
           "window": "året ligger utanför --window", "few": "området har för få år kvar för sina egna parametrar"}
#: A note printed whenever covariates are given (bad controls).
COVARIATE_NOTE = ("kovariater ska inte själva påverkas av insatsen (dåliga kontroller): en kovariat som insatsen "
                  "flyttar tar bort en del av effekten; välj variabler som mäts före start eller inte kan påverkas")


@dataclass
class PanelEffects:
    """Numbers only. ``did``: the headline estimate (TWFE, or the pooled did2s ATT with staggered
    starts); ``event_study``: one row per year (or per cohort and relative year, Sun–Abraham);
    ``ri`` and ``wild_bootstrap``: of the TWFE estimate, or with staggered starts of the
    Callaway–Sant'Anna simple ATT; ``cohorts``: per-cohort did2s ATTs; ``callaway_santanna``:
    group-time ATTs and aggregations (staggered); ``set_aside``: the rows not used, with reasons."""

    did: dict
    event_study: list[dict]
    ri: dict | None
    wild_bootstrap: dict | None
    cohorts: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    callaway_santanna: dict | None = None
    set_aside: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row_number", "area", "year",
                                                                               "column", "reason"]))
    #: warning codes of :mod:`evalkit.analysis.inference` (few clusters, few assignments …)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready dict (NaN -> None)."""
        return _clean({"did": self.did, "event_study": self.event_study, "ri": self.ri,
                       "wild_bootstrap": self.wild_bootstrap, "cohorts": self.cohorts, "settings": self.settings,
                       "callaway_santanna": self.callaway_santanna,
                       "set_aside": self.set_aside.astype(object).to_dict("records"),
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


def _fe_columns(frame: pd.DataFrame, fe, year: str) -> dict[str, pd.Series]:
    """Extra fixed effects as label columns: ``"region^year"`` -> region × year, ``"region"`` -> region."""
    out = {}
    for k, spec in enumerate(fe):
        parts = [part.strip() for part in str(spec).split("^") if part.strip()]
        missing = [c for c in parts if c not in frame.columns and c != "year"]
        if missing or not parts:
            raise PanelError(f"--fe {spec!r}: kolumnen {', '.join(missing) or spec!r} finns inte")
        cols = [frame[year if c == "year" and c not in frame.columns else c] for c in parts]
        label = cols[0].astype(str)
        for c in cols[1:]:
            label = label.str.cat(c.astype(str), sep="×")
        out[f"_fe{k}"] = label.where(~pd.concat(cols, axis=1).isna().any(axis=1))
    return out


def to_panel(frame: pd.DataFrame, area: str = "area", year: str = "year", value: str = "y",
             weight: str | None = None, treated: str | None = None, first_year: str | None = None,
             start: int | None = None, cluster: str | None = None, covariates=(), fe=(), log: bool = False,
             weights: bool = False, exclude_years=(), window: tuple[int, int] | None = None,
             trends: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    """The estimators' panel (``area, year, y, log_y, weight, treated, post, d``, the cluster
    ``_cluster``, covariates ``_x0…``, fixed effects ``_fe0…``; ``attrs["start"]``), for staggered
    starts the cohort table (``area, cohort, first_year``), and the rows set aside with reasons
    (``row_number, area, year, column, reason``; ``row_number`` from the frame's ``row_number``
    column when it has one, else the 1-based position).

    ``treated`` names a 0/1 (or bool) column constant within an area, used with ``start``;
    ``first_year`` names a column with each area's first treated year (NaN or 0: never treated).
    """
    if (treated is None) == (first_year is None):
        raise PanelError("ange antingen treated (med start) eller first_year (kohorter)")
    for c in [value, area, year, *( [weight] if weight else []), *covariates, *([cluster] if cluster else [])]:
        if c not in frame.columns:
            raise PanelError(f"kolumnen {c!r} finns inte i panelen")
    rows = (frame["row_number"].to_numpy() if "row_number" in frame.columns else np.arange(1, len(frame) + 1))
    p = pd.DataFrame({"area": frame[area].astype(str).to_numpy(), "year": frame[year].astype(int).to_numpy(),
                      "y": pd.to_numeric(frame[value], errors="coerce").astype(float).to_numpy(),
                      "weight": (pd.to_numeric(frame[weight], errors="coerce").astype(float).to_numpy()
                                 if weight else 1.0), "_row": rows})
    p["_cluster"] = frame[cluster].to_numpy() if cluster else p["area"]
    for k, c in enumerate(covariates):
        p[f"_x{k}"] = pd.to_numeric(frame[c], errors="coerce").astype(float).to_numpy()
    for name, label in _fe_columns(frame, fe, year).items():
        p[name] = label.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        p["log_y"] = np.where(p["y"] > 0, np.log(p["y"].where(p["y"] > 0, 1.0)), np.nan)
    first = None
    if treated is not None:
        if start is None:
            raise PanelError("startår saknas (start)")
        p["treated"] = frame[treated].astype(float).to_numpy().astype(int)
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
    p, aside = _set_aside(p, covariates, fe, log, weights, exclude_years, window, start, first, trends)
    p["post"] = (p["year"] >= (start or 0)).astype(int)
    p["d"] = p["treated"] * p["post"]
    p = p.sort_values(["area", "year"], kind="mergesort").reset_index(drop=True)
    if first is not None:
        first = first[first["area"].isin(set(p["area"]))].reset_index(drop=True)
    _check_design(p, start, first)
    if cluster:
        _constant_within_area(p, "_cluster", "klustret")
    p.attrs.update({"indicator": "", "level": "", "start": int(start), "rows_dropped": len(aside),
                    "areas_dropped": [], "years": (int(p["year"].min()), int(p["year"].max())),
                    "treated_missing": []})
    return p, first, aside


def _set_aside(p, covariates, fe, log, weights, exclude_years, window, start, first, trends):
    """Drop the rows no estimator can use, each once, with the first reason that applies."""
    col = "log_y" if log else "y"
    checks = [("outcome", "utfall", ~np.isfinite(p["y"])),
              ("log", "utfall", np.isfinite(p["y"]) & ~np.isfinite(p["log_y"]) if log else np.zeros(len(p), bool)),
              ("weight", "vikt", ~(np.isfinite(p["weight"]) & (p["weight"] > 0)) if weights
               else np.zeros(len(p), bool))]
    for k, c in enumerate(covariates):
        checks.append(("covariate", c, ~np.isfinite(p[f"_x{k}"])))
    labels = ["_cluster"] + [f"_fe{k}" for k in range(len(fe))]
    for c in labels:
        checks.append(("label", c, p[c].isna() | (p[c].astype(str).str.strip() == "")))
    checks.append(("exclude", "år", p["year"].isin(set(int(y) for y in exclude_years))))
    if window is not None and first is None:
        # with staggered starts the window limits the event-study paths only (did's min_e/max_e):
        # trimming each cohort's years would unbalance the panel Sun–Abraham and CS need
        checks.append(("window", "år", ~(p["year"] - start).between(window[0], window[1])))
    used = np.ones(len(p), bool)
    parts = []
    for reason, column, mask in checks:
        mask = np.asarray(mask, bool) & used
        if mask.any():
            parts.append(pd.DataFrame({"row_number": p.loc[mask, "_row"], "area": p.loc[mask, "area"],
                                       "year": p.loc[mask, "year"], "column": column, "reason": REASONS[reason]}))
            used &= ~mask
    # an area seen in fewer years than it has own parameters carries no information (as effects._prepare)
    kept = p[used]
    few = kept.groupby("area")["year"].transform("size") < (3 if trends else 2)
    if few.any():
        idx = kept.index[few.to_numpy()]
        parts.append(pd.DataFrame({"row_number": p.loc[idx, "_row"], "area": p.loc[idx, "area"],
                                   "year": p.loc[idx, "year"], "column": "område", "reason": REASONS["few"]}))
        used[idx] = False
    aside = (pd.concat(parts, ignore_index=True) if parts else
             pd.DataFrame(columns=["row_number", "area", "year", "column", "reason"]))
    out = p[used].copy()
    out.attrs.update(p.attrs)
    return out, aside.sort_values("row_number", kind="stable").reset_index(drop=True)


def _constant_within_area(p: pd.DataFrame, column: str, what: str) -> None:
    varying = p.groupby("area")[column].nunique()
    if (varying > 1).any():
        areas = ", ".join(varying[varying > 1].index[:5])
        raise PanelError(f"{what} ska vara samma alla år för ett område; skiljer sig för {areas}")


def _check_design(p: pd.DataFrame, start: int | None, first: pd.DataFrame | None) -> None:
    """Refuse a panel on which a DiD says nothing: every area treated, none treated, no pre-years."""
    if p.empty:
        raise PanelError("inga användbara rader kvar i panelen")
    by_area = p.groupby("area")["treated"].first()
    if by_area.sum() == 0:
        raise PanelError("inget behandlat område finns i panelen")
    if (by_area == 0).sum() == 0:
        raise PanelError("inget jämförelseområde (obehandlat) finns i panelen")
    if start is None or not (p["year"] < start).any():
        raise PanelError(f"inga år före starten {start} i panelen: ingen föreperiod att jämföra med")
    if not (p["year"] >= start).any():
        raise PanelError(f"inga år från starten {start} i panelen")


def _weights_flag(weights) -> bool:
    """``weights``: ``"population"``/``"none"`` as on the command line (or a bool)."""
    if isinstance(weights, str):
        if weights not in ("population", "none"):
            raise PanelError(f"weights: population eller none, inte {weights!r}")
        return weights == "population"
    return bool(weights)


def _spec_args(covariates, fe, cluster) -> dict:
    """The estimators' keyword arguments for the specification's extra terms."""
    return {"covariates": [f"_x{k}" for k in range(len(covariates))], "fe": [f"_fe{k}" for k in range(len(fe))],
            "cluster": "_cluster" if cluster else None}


def effects_for_panel(frame: pd.DataFrame, area: str = "area", year: str = "year", value: str = "y",
                      denominator: str | None = None, treated=None, cohort: str | None = None,
                      start: int | None = None, weights: str = "none", outcome: str = "level",
                      cluster: str | None = None, covariates=(), fe=(), window: tuple[int, int] | None = None,
                      reference_year: int | None = None, control: str = "never", conf_level: float = 0.95,
                      trends: bool = False, exclude_years=(), permutations: int = DEFAULT_DRAWS,
                      bootstrap: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                      cluster_level: str | None = None) -> PanelEffects:
    """Run the reports' estimators on a plain area × year frame; numbers only.

    Parameters: the names of ``evalkit effects``' flags.
    ----------
    frame : one row per area and year.
    area, year, value : column names (value: the number whose change is estimated).
    denominator : column with each area-year's weight (e.g. the population); used when
        ``weights="population"``.
    treated, start : a 0/1 column name (constant within an area) or a list of the treated areas,
        and the first treated year, for one common start; **or** ``cohort``: a column with each
        area's first treated year (0/NaN: never), for staggered starts.
    weights : ``"population"`` (WLS with ``denominator``: the effect for the average person) or
        ``"none"`` (each area equal).
    outcome : ``"level"`` or ``"log"`` (effect in log points ≈ relative change; values ≤ 0 set aside).
    cluster : column to cluster standard errors and bootstrap draws on (default: the area).
    covariates : time-varying numeric columns added as regressors (bad controls: see COVARIATE_NOTE).
    fe : extra fixed effects: ``"region^year"`` (region × year) or a column name.
    window : ``(lo, hi)`` years relative to the start: one start year – the years kept (the others
        set aside); staggered – the years since each cohort's start shown in the event-study paths
        (Sun–Abraham rows and the Callaway–Sant'Anna dynamic aggregation; did's min_e/max_e).
    reference_year : the event study's reference year (default: the year before the start).
    control : ``"never"`` or ``"notyet"`` (Callaway–Sant'Anna's comparison areas; staggered only).
    conf_level : confidence level of every interval.
    trends : area-specific linear trends in the DiD, RI and bootstrap (one start only).
    exclude_years : years left out.
    permutations, bootstrap, seed : draws of randomisation inference and wild bootstrap (seeded:
        same inputs, same numbers).
    """
    if outcome not in ("level", "log"):
        raise PanelError(f"outcome: level eller log, inte {outcome!r}")
    if permutations < 1 or bootstrap < 1:
        raise PanelError("--permutations och --bootstrap ska vara minst 1")
    if (treated is None) == (cohort is None):
        raise PanelError("ange antingen treated (med start) eller cohort (kolumnen med startår)")
    if treated is not None and not (isinstance(treated, str) and treated in frame.columns):
        chosen = {str(t) for t in ([treated] if isinstance(treated, str) else treated)}
        frame = frame.assign(_treated=frame[area].astype(str).isin(chosen).astype(int))
        treated = "_treated"
    weight, first_year, log, n_perm, n_boot = denominator, cohort, outcome == "log", permutations, bootstrap
    use_weights = _weights_flag(weights)
    if use_weights and weight is None:
        raise PanelError("viktning kräver en viktkolumn (nämnaren/befolkningen)")
    if control not in ("never", "notyet"):
        raise PanelError(f"control: never eller notyet, inte {control!r}")
    if not 0 < conf_level < 1:
        raise PanelError(f"conf_level ska ligga mellan 0 och 1, inte {conf_level}")
    if window is not None and window[0] > window[1]:
        raise PanelError(f"window: {window[0]} är större än {window[1]}")
    if first_year is not None and (trends or reference_year is not None):
        raise PanelError("trends och reference_year gäller ett gemensamt startår (inte kohorter)")
    covariates, fe, exclude_years = list(covariates or ()), list(fe or ()), list(exclude_years or ())
    panel, first, aside = to_panel(frame, area, year, value, weight, treated, first_year, start, cluster, covariates,
                                   fe, log, use_weights, exclude_years, window, trends)
    w = "weight" if use_weights else None
    out = "log" if log else "y"
    spec = _spec_args(covariates, fe, cluster)
    settings = {"start": int(panel.attrs["start"]), "years": list(panel.attrs["years"]),
                "n_areas": int(panel["area"].nunique()), "n_obs": int(len(panel)), "rows_set_aside": int(len(aside)),
                "weights": "population" if use_weights else "none", "outcome": "log" if log else "level",
                "staggered": first is not None, "conf_level": conf_level, "cluster": cluster or "area",
                "n_clusters": int(panel["_cluster"].nunique()), "covariates": covariates, "fe": fe,
                "window": list(window) if window else None, "control": control, "trends": trends,
                "exclude_years": exclude_years, "seed": seed,
                "cluster_level": cluster_level or cluster or "area",
                "notes": [COVARIATE_NOTE] if covariates else []}
    if first is None:
        result = _single_start(panel, out, w, n_perm, n_boot, seed, conf_level, settings, spec, trends,
                               reference_year)
    else:
        result = _staggered(panel, first, out, w, conf_level, settings, spec, control, window, n_perm, n_boot, seed)
    result.set_aside = aside
    return result


def _single_start(panel, out, w, n_perm, n_boot, seed, conf_level, settings, spec, trends, reference_year):
    # imported here: statsmodels and pyfixest take seconds, and a bad file should fail before them
    from evalkit.analysis import effects

    start = int(panel.attrs["start"])
    r = effects.did(panel, outcome=out, weights=w, level=conf_level, trends=trends, **spec)
    from evalkit.analysis import inference

    did = {"estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value,
           "n_areas": r.n_treated + r.n_control, "n_treated": r.n_treated, "n_obs": r.n_obs, "estimator": "twfe",
           "df": r.df, "cluster_level": settings["cluster_level"], "n_clusters": r.n_clusters,
           "n_treated_clusters": r.n_treated_clusters}
    reference = reference_year if reference_year is not None else start - 1
    years = set(panel["year"])
    if reference_year is not None and reference not in years:
        raise PanelError(f"referensåret {reference} finns inte bland panelens år")
    if reference not in years:
        reference = int(panel.loc[panel["year"] < start, "year"].max())
    ev = effects.event_study(panel, reference_year=reference, outcome=out, weights=w, level=conf_level, **spec)
    rows = [{"year": int(t.year), "relative": int(t.year - start), "estimate": t.estimate, "se": t.se,
             "ci_low": t.ci_low, "ci_high": t.ci_high, "p_value": t.p_value,
             "reference": t.period == "referens"} for t in ev.table.itertuples(index=False)]
    # permutes the clusters (the assignment units), exactly when their assignments are few
    ri = effects.randomization_inference(panel, n_perm=n_perm, seed=seed, outcome=out, weights=w, trends=trends,
                                         covariates=spec["covariates"], fe=spec["fe"], cluster=spec["cluster"])
    # wildboottest cannot re-read pyfixest's i(area, _t) trend terms: own WCR code with trends
    wcb = effects.wild_cluster_bootstrap(panel, n_boot=n_boot, seed=seed, outcome=out, weights=w, level=conf_level,
                                         trends=trends, library=not trends, **spec)
    settings.update({"reference_year": reference, "pretrend_p": ev.pretrend_p})
    decision = inference.decide(r.n_treated_clusters, r.n_clusters, ri.n_perm, has_ri=True)
    ri_floor = inference.p_floor("ri_exact" if ri.exact else "ri", ri.n_perm)
    did.update({"p_method": decision.p_method, "ci_method": decision.ci_method, "case": decision.case,
                "p_headline": {"ri": ri.p_value, "crv1": r.p_value}.get(decision.p_method),
                "p_floor": {"ri": ri_floor, "crv1": 0.0}.get(decision.p_method),
                "mde": inference.mde(float(np.std(ri.estimates)))})
    return PanelEffects(
        did=did, event_study=rows,
        ri={"estimate": ri.estimate, "p_value": ri.p_value, "n_perm": ri.n_perm, "n_areas": ri.n_areas,
            "n_treated": ri.n_treated, "exact": ri.exact, "n_units": ri.n_units,
            "n_treated_units": ri.n_treated_units, "statistic": ri.statistic, "p_floor": ri_floor,
            "cluster_level": settings["cluster_level"]},
        wild_bootstrap={"estimate": wcb.estimate, "t_stat": wcb.t_stat, "p_value": wcb.p_value,
                        "ci_low": wcb.ci_low, "ci_high": wcb.ci_high, "n_boot": wcb.n_boot, "weights": wcb.weights,
                        "p_floor": inference.p_floor("wcb", wcb.n_boot), "cluster_level": settings["cluster_level"]},
        settings=settings, warnings=decision.warnings)


def _staggered(panel, first, out, w, conf_level, settings, spec, control, window, n_perm, n_boot, seed):
    from evalkit.analysis import effects, inference, staggered

    def ruled(r) -> dict:
        """The few-cluster rule of :mod:`evalkit.analysis.inference` for one did2s row (no RI of its own)."""
        d = inference.decide(int(r.n_treated_clusters), int(r.n_clusters), None, has_ri=False)
        return {"n_clusters": int(r.n_clusters), "n_treated_clusters": int(r.n_treated_clusters),
                "p_method": d.p_method, "p_headline": r.p_value if d.p_method == "crv1" else None,
                "warnings": d.warnings}

    ce = effects.cohort_effects(panel, first, outcome=out, weights=w, level=conf_level, **spec)
    pooled = ce[ce["cohort"] == effects.ALL_COHORTS].iloc[0]
    pooled_rule = ruled(pooled)
    did = {"estimate": pooled["estimate"], "se": pooled["se"], "ci_low": pooled["ci_low"],
           "ci_high": pooled["ci_high"], "p_value": pooled["p_value"], "n_areas": int(pooled["n_areas"]),
           "n_treated": int(pooled["n_treated"]), "n_obs": int(pooled["n_obs"]), "estimator": "did2s",
           "cluster_level": settings["cluster_level"], **pooled_rule}
    cohorts = [{"first_year": int(r.first_year), "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                "ci_high": r.ci_high, "p_value": r.p_value, "n_treated": int(r.n_treated), **ruled(r)}
               for r in ce[ce["cohort"] != effects.ALL_COHORTS].itertuples(index=False)]
    # Sun–Abraham takes no weights and needs a balanced panel (see effects.cohort_event_study)
    paths = effects.cohort_event_study(panel, first, outcome=out, level=conf_level, cluster=spec["cluster"])
    rows = [{"first_year": int(t.first_year), "year": int(t.year), "relative": int(t.relative),
             "estimate": t.estimate, "se": t.se, "ci_low": t.ci_low, "ci_high": t.ci_high, "p_value": t.p_value,
             "reference": t.period == "referens"} for t in paths.itertuples(index=False)
            if window is None or window[0] <= t.relative <= window[1]]
    cs, ri, wb = None, None, None
    if not spec["covariates"] and not spec["fe"]:  # CS here has neither (see analysis/staggered.py)
        res = staggered.callaway_santanna(panel, first, outcome=out, weights=w, control=control,
                                          conf_level=conf_level, cluster=spec["cluster"], window=window)
        cs = {"simple": res.simple, "dynamic": res.dynamic.to_dict("records"), "group": res.group.to_dict("records"),
              "cells": res.cells.to_dict("records"), "pretrend": res.pretrend, "control": res.control,
              "n_areas": res.n_areas, "n_clusters": res.n_clusters, "areas_dropped": res.areas_dropped}
        ri = staggered.randomization_inference(panel, first, outcome=out, weights=w, control=control,
                                               cluster=spec["cluster"], n_perm=n_perm, seed=seed)
        wb = staggered.multiplier_bootstrap(res, n_boot=n_boot, seed=seed, conf_level=conf_level)
        settings["pretrend_p"] = res.pretrend["p_value"]
    else:
        settings["notes"].append("Callaway–Sant'Anna, med randomiseringsinferens och bootstrap, görs utan "
                                 "kovariater och extra fixa effekter och ges därför inte med --covariates eller --fe")
    settings.update({"event_study": "sun_abraham", "event_study_weights": "none"})
    warnings = list(dict.fromkeys(pooled_rule["warnings"] + [w for c in cohorts for w in c["warnings"]]))
    return PanelEffects(did=did, event_study=rows, ri=ri, wild_bootstrap=wb, cohorts=cohorts, settings=settings,
                        callaway_santanna=cs, warnings=warnings)
