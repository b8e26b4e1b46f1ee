"""Effect estimates: programme areas against the rest of the city, before and during the programme.

Pure functions on the tidy indicator table (``data/processed/indicators.parquet``, see
``docs/CONTRACTS.md``). The design is the one the programme allows: the 21 programme stadsdelar
(or the 6 programme boroughs) are "treated" from 2015, every other area of the same level is a
comparison area, 2007–2014 is the pre-period.

What is here
------------
* :func:`panel` – an area × year panel (outcome, weight, treated, post).
* :func:`did` – two-way fixed-effects difference-in-differences (area and year effects, optional
  area-specific linear trends), CRV1 standard errors clustered by area (pyfixest ``feols``).
* :func:`event_study` – year-by-year treated–control differences relative to a reference year
  (2014) with clustered intervals (pyfixest), and a joint Wald test that all leads are zero.
* :func:`cohorts`, :func:`first_treatment` – the earlier work per stadsdel as data
  (``data/raw/programme/cohorts.csv``: Järvalyftet, Vision Söderort, Vision Hässelby-Vällingby).
* :func:`cohort_effects` – cohort ATTs, heterogeneity-robust (Gardner's two-stage imputation,
  ``pyfixest.did2s``); :func:`cohort_event_study` – each cohort's path (Sun–Abraham,
  ``pyfixest.event_study(estimator="saturated")``).
* :data:`SPECIFICATIONS`, :func:`specification` – areas (unweighted), people (weighted by the
  denominator) and without very small areas.
* :func:`randomization_inference` – placebo-in-space: "programme" status reassigned at random
  among the areas (same number treated), the DiD recomputed (own code: pyfixest's ``ritest``
  fails on this panel).
* :func:`wild_cluster_bootstrap` – restricted wild cluster bootstrap-t: p-value from the
  ``wildboottest`` package for unweighted models, own code for WLS and the interval.
* :func:`trend_band` – a per-area linear trend with confidence and prediction bands (statsmodels).

The Swedish texts for the reports (threats, readings, tables) are in :mod:`evalkit.present.effects`.
Synthetic control lives in :mod:`evalkit.analysis.synth`.

The model (DiD)
---------------
``y[i,t] = a[i] + g[t] (+ c[i]·t) + beta · D[i,t] + e[i,t]`` with ``D = treated × post``.
``beta`` is the average change in programme areas after 2015 *beyond* the change in the comparison
areas over the same years, and *in addition to* the earlier work that had started in most of
them (Järvalyftet 2007, Vision Söderort 2010, Vision Hässelby-Vällingby 2014): 2007–2014 is not
an untreated period for them, so ``beta`` is not the effect of all area-based work (in the outcome's unit: percentage points for a share, or log points
with ``outcome="log"``, ≈ relative change). It is a causal effect only under **parallel
trends**: without the programme, programme and comparison areas would have moved in parallel
(or, with ``trends=True``, each area would have continued its own 2007–2014 linear trend). Other
assumptions: no other shock that hit programme areas differently from 2015 (refugee reception
2015–16 did; COVID-19 in 2020 may have), no spillover to comparison areas (Jobbtorg is city-wide),
stable composition (selective migration changes who lives in an area).

Inference with few treated clusters: area-clustered standard errors rely on many clusters *and*
a not-too-unbalanced split; with 21 of 117 stadsdelar (or 6 of 14 boroughs) they can be too
small. Report randomisation inference and the wild cluster bootstrap alongside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from evalkit import geography, programme
from evalkit.programme import BASELINE_YEAR, EFFECT_YEARS, PROGRAMME_START, SMALL_AREA_DENOMINATOR

REFERENCE_YEAR = BASELINE_YEAR
DEFAULT_YEARS = EFFECT_YEARS

# --------------------------------------------------------------------------------------------
# Panel
# --------------------------------------------------------------------------------------------


def _default_treated(level: str) -> list[str]:
    if level == "stadsdel":
        return geography.programme_stadsdelar()
    if level == "stadsdelsomrade":
        return geography.programme_boroughs()
    raise ValueError(f"Ange treated= för nivån {level!r}")


def panel(tidy: pd.DataFrame, indicator: str, level: str = "stadsdel", treated=None,
          years: tuple[int, int] = DEFAULT_YEARS, start: int = PROGRAMME_START,
          min_denominator: float = 0.0) -> pd.DataFrame:
    """Area × year panel of one indicator, ready for :func:`did` and friends.

    Parameters
    ----------
    tidy : the tidy indicator table.
    indicator : indicator key (e.g. ``"ekonomiskt_bistand"``).
    level : ``"stadsdel"`` (default; 117 areas) or ``"stadsdelsomrade"`` (then only the 14
        boroughs of era ``"2007"``, the era the programme was decided in, are used).
    treated : codes of the programme areas; default the 21 programme stadsdelar
        (:func:`evalkit.geography.programme_stadsdelar`) or the 6 programme boroughs.
    years : first and last year (inclusive); default 2007–2020.
    start : first programme year; ``post = year >= start``.
    min_denominator : rows whose denominator is below this are dropped (tiny areas have very
        noisy rates). Rows without a value (status ``..``, ``x`` …) are always dropped.

    Returns
    -------
    DataFrame with columns ``area, area_name, year, y, log_y, weight, treated, post, d``
    (``y`` = value, ``log_y`` = log(value) or NaN when value <= 0, ``weight`` = denominator,
    ``d = treated × post``), sorted by area and year. ``attrs`` records indicator, level,
    start, years and the areas/rows dropped.

    Caveat: the panel may be unbalanced (missing area-years are simply absent); all estimators
    here handle that, but an area observed only in the post-period carries no information on
    the effect.
    """
    treated = list(_default_treated(level) if treated is None else treated)
    t = tidy[(tidy["indicator"] == indicator) & (tidy["area_level"] == level)
             & tidy["year"].between(years[0], years[1])].copy()
    if level == "stadsdelsomrade":
        era07 = geography.stadsdelsomraden().loc[lambda b: b["era"] == geography.PROGRAMME_ERA, "sdo_code"]
        t = t[t["area_code"].isin(set(era07))]
    if t.empty:
        raise ValueError(f"Inga rader för {indicator!r} på nivån {level!r} {years[0]}–{years[1]}")
    n_rows = len(t)
    ok = t["value"].notna() & np.isfinite(t["value"].astype(float))
    if "status" in t:
        ok &= t["status"].fillna("").eq("")
    den = t["denominator"].astype(float)
    if min_denominator > 0:
        ok &= den.fillna(0) >= min_denominator
    kept = t[ok]
    out = pd.DataFrame({
        "area": kept["area_code"].astype(str).to_numpy(),
        "area_name": kept["area_name"].astype(str).to_numpy(),
        "year": kept["year"].astype(int).to_numpy(),
        "y": kept["value"].astype(float).to_numpy(),
        "weight": kept["denominator"].astype(float).to_numpy(),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["log_y"] = np.where(out["y"] > 0, np.log(out["y"].where(out["y"] > 0, 1.0)), np.nan)
    out["treated"] = out["area"].isin(set(treated)).astype(int)
    out["post"] = (out["year"] >= start).astype(int)
    out["d"] = out["treated"] * out["post"]
    out["cluster"] = assignment_units(out["area"], level, start)
    out = out.sort_values(["area", "year"], kind="mergesort").reset_index(drop=True)
    missing_treated = sorted(set(treated) - set(out["area"]))
    out.attrs.update({
        "indicator": indicator, "level": level, "start": int(start), "cluster_level": "stadsdelsomrade",
        "years": (int(years[0]), int(years[1])),
        "rows_dropped": int(n_rows - len(out)),
        "areas_dropped": sorted(set(t["area_code"]) - set(out["area"])),
        "treated_missing": missing_treated,
    })
    return out


def assignment_units(areas: pd.Series, level: str, start: int = PROGRAMME_START) -> np.ndarray:
    """The unit that received treatment, per area: the stadsdelsområde of the era in force at
    ``start`` (:func:`evalkit.geography.era_for_year`; era 2007 for the programme and the visions)
    for a stadsdel, the borough itself for a borough. Standard errors, the wild bootstrap and
    randomisation inference work at this level (:mod:`evalkit.analysis.inference`)."""
    if level == "stadsdelsomrade":
        return areas.astype(str).to_numpy()
    era = geography.era_for_year(start)
    return np.array([geography.borough_of(a, era) for a in areas.astype(str)], dtype=object)


def synthetic_panel(n_treated: int = 20, n_control: int = 80, years: tuple[int, int] = DEFAULT_YEARS,
                    start: int = PROGRAMME_START, effect: float = 0.0, sd: float = 0.3,
                    pre_trend: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """A panel with a *known* effect, for tests and for teaching.

    ``y = a_i + g_t + pre_trend·treated·(t − start) + effect·treated·post + e``, ``e ~ N(0, sd)``
    i.i.d., area effects ``a_i ~ N(0, 1)`` (treated areas shifted up by 1, as if chosen for high
    values), year effects a random walk. ``pre_trend`` ≠ 0 breaks parallel trends.
    """
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    yrs = np.arange(years[0], years[1] + 1)
    a = rng.normal(0, 1, n) + np.r_[np.ones(n_treated), np.zeros(n_control)]
    g = np.cumsum(rng.normal(0, 0.2, len(yrs)))
    tr = np.r_[np.ones(n_treated, int), np.zeros(n_control, int)]
    rows = []
    for i in range(n):
        for j, yr in enumerate(yrs):
            post = int(yr >= start)
            y = a[i] + g[j] + pre_trend * tr[i] * (yr - start) + effect * tr[i] * post + rng.normal(0, sd)
            rows.append((f"a{i:03d}", f"Område {i}", int(yr), y, 1000.0, tr[i], post))
    out = pd.DataFrame(rows, columns=["area", "area_name", "year", "y", "weight", "treated", "post"])
    out["log_y"] = np.nan
    out["d"] = out["treated"] * out["post"]
    out.attrs.update({"indicator": "syntetisk", "level": "syntetisk", "start": start, "years": years,
                      "rows_dropped": 0, "areas_dropped": [], "treated_missing": []})
    return out


# --------------------------------------------------------------------------------------------
# DiD
# --------------------------------------------------------------------------------------------


@dataclass
class DidResult:
    """Result of :func:`did`. ``estimate`` in the outcome's unit (log points if ``outcome="log"``)."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_treated: int
    n_control: int
    n_obs: int
    years: tuple[int, int]
    start: int
    indicator: str = ""
    outcome: str = "y"
    weighted: bool = False
    trends: bool = False
    level: float = 0.95
    df: int = 0
    model: str = ""
    #: the level the standard errors are clustered at ("stadsdelsomrade", "stadsdel", "area" …)
    cluster_level: str = "area"
    n_clusters: int = 0
    #: clusters holding at least one treated area
    n_treated_clusters: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _outcome_col(outcome: str) -> str:
    if outcome in ("y", "value", "level"):
        return "y"
    if outcome in ("log", "log_y"):
        return "log_y"
    raise ValueError(f"outcome måste vara 'y' eller 'log', inte {outcome!r}")


def _prepare(p: pd.DataFrame, outcome: str, weights, exclude_years=(), min_obs: int = 2) -> pd.DataFrame:
    col = _outcome_col(outcome)
    q = p[~p["year"].isin(set(exclude_years))].copy()
    q["_y"] = q[col].astype(float)
    if weights is None:
        q["_w"] = 1.0
    elif isinstance(weights, str):
        q["_w"] = q[weights].astype(float)
    else:
        raise TypeError("weights: None eller ett kolumnnamn (t.ex. 'weight')")
    q = q[np.isfinite(q["_y"]) & np.isfinite(q["_w"]) & (q["_w"] > 0)]
    # an area seen in fewer years than it has own parameters carries no information
    n_obs = q.groupby("area")["year"].transform("size")
    q = q[n_obs >= min_obs]
    q["_t"] = q["year"] - q["year"].mean()
    return q.reset_index(drop=True)


def _cluster_column(q: pd.DataFrame, cluster: str | None) -> str:
    """The column standard errors are clustered by: ``cluster`` if given, else the panel's
    assignment unit (``cluster``, see :func:`assignment_units`) when it has one, else the area."""
    if cluster is not None:
        if cluster not in q:
            raise ValueError(f"klusterkolumnen {cluster!r} saknas i panelen")
        return cluster
    return "cluster" if "cluster" in q else "area"


def _cluster_level(panel: pd.DataFrame, column: str) -> str:
    """A name for the clustering level: the panel's ``cluster_level`` for its assignment column."""
    if column == "cluster":
        return str(panel.attrs.get("cluster_level", "cluster"))
    return {"area": str(panel.attrs.get("level") or "area")}.get(column, column)


def _design_frame(q: pd.DataFrame, cluster: str = "area") -> pd.DataFrame:
    """``q`` with an integer cluster id in sorted-code order (wildboottest's numba code rejects
    string clusters; sorted so that draws are keyed to the codes, not to the row order)."""
    q = q.copy()
    q["_cl"] = pd.factorize(q[cluster].astype(str), sort=True)[0]
    return q


def _cluster_counts(q: pd.DataFrame, cluster: str) -> tuple[int, int]:
    """Clusters, and clusters holding at least one treated area."""
    by = q.groupby(cluster)["treated"].max()
    return int(len(by)), int(by.sum())


def earlier_work(panel: pd.DataFrame, first: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``panel`` with one column per earlier-work cohort, ``E_<cohort>`` = 1 for the cohort's
    areas from its ``first_year`` on (the programme years included), and their names.

    As controls in :func:`did` they give each cohort its own earlier-work level: the programme's
    2015 effect is then the change beyond the level the cohort had reached in its own
    earlier-work years (Järvalyftet 2008–2014, Vision Söderort 2010–2014, Vision
    Hässelby-Vällingby 2014), not beyond 2007–2014 as a whole."""
    out = panel.copy()
    f = first.set_index("area")
    names = []
    for cohort, g in first.groupby("cohort", sort=True):
        areas = set(g["area"])
        if not out["area"].isin(areas).any():
            continue
        nm = f"E_{cohort}"
        start = out["area"].map(f["first_year"])
        out[nm] = (out["area"].isin(areas) & (out["year"] >= start)).astype(float)
        names.append(nm)
    out.attrs.update(panel.attrs)
    return out, names


#: Whether this process has fitted with pyfixest (:func:`_pf`, the one way in): its Rust core's
#: thread pool (rayon) then exists, and a forked child that fits again waits for pool threads the
#: fork did not copy. :func:`evalkit.results.run_plans` forks only while this is False.
_FITTED = False


def fits_ran() -> bool:
    """Whether a pyfixest fit has run in this process (see :data:`_FITTED`)."""
    return _FITTED


def _pf():
    # Imported lazily: pyfixest pulls in numba (compiles on first use); reports never need it.
    global _FITTED
    import pyfixest as pf

    _FITTED = True  # every caller fits next
    return pf


def _fit(q: pd.DataFrame, rhs: str, weights: bool, fe=()):
    """pyfixest OLS/WLS with area and year fixed effects (and the extra ones in ``fe``, columns of
    ``q``) and CRV1 errors clustered by ``_cl``."""
    import warnings

    with warnings.catch_warnings():
        # pyfixest warns about dropped collinear trend terms and singletons: expected here
        warnings.simplefilter("ignore", UserWarning)
        return _pf().feols(f"_y ~ {rhs} | " + " + ".join(["area", "year", *fe]), data=q, vcov={"CRV1": "_cl"},
                           weights="_w" if weights else None)


def did(panel: pd.DataFrame, outcome: str = "y", weights: str | None = None, trends: bool = False,
        exclude_years=(), level: float = 0.95, cluster: str | None = None, controls=(), covariates=(),
        fe=()) -> DidResult:
    """Two-way fixed-effects difference-in-differences with area-clustered standard errors (pyfixest).

    Model: ``y[i,t] = a[i] + g[t] + beta·D[i,t] (+ c[i]·t if trends) + e[i,t]``,
    ``D = treated × (year >= start)``, estimated by :func:`pyfixest.feols` (WLS with
    ``weights="weight"``, i.e. the denominator, which estimates the effect for the average
    *person* rather than the average *area*). Standard errors CRV1 clustered by area, t
    distribution on G − 1 degrees of freedom. pyfixest's small-sample factor does not count the
    area effects (nested in the clusters); statsmodels' CR1 on the dummy regression does, so its
    standard error is larger by ``sqrt((N − 1 − K_years − G) / (N − 1 − K_years))``⁻¹ (tested).

    When programme areas had earlier work (Järvalyftet, Vision Söderort …, see :func:`cohorts`),
    ``beta`` is the change from 2015 *in addition to* that work: 2007–2014 is the pre-period.

    Parameters
    ----------
    outcome : ``"y"`` (the value, e.g. percent → effect in percentage points) or ``"log"``
        (log value → effect in log points, ≈ relative change; areas with value 0 drop out).
    weights : None (each area-year equal) or ``"weight"`` (denominator).
    trends : add area-specific linear trends (each area's own pre-programme slope is projected
        forward). Weakens parallel trends to "parallel *deviations* from linear trends", at the
        cost of absorbing part of a gradually growing effect.
    exclude_years : years to leave out (e.g. ``(2015, 2016)`` for the refugee shock, ``(2020,)``
        for COVID-19).
    cluster : column to cluster by; default the panel's assignment unit (``cluster``: the
        stadsdelsområde of the era in force, :func:`assignment_units`), else the area. Degrees of
        freedom G − 1 with G the number of clusters.
    controls : further columns on the right-hand side (e.g. the earlier-work indicators of
        :func:`earlier_work`).
    covariates : a researcher's time-varying numeric columns (no missing values), added to the
        right-hand side like ``controls`` (``evalkit effects --covariates``).
    fe : further fixed-effect columns of ``panel`` (e.g. a region × year label, ``--fe``).

    Assumptions and caveats: parallel trends (check with :func:`event_study`); no coinciding
    shock specific to programme areas; no spillovers; a single ``beta`` averages an effect that
    may grow over the years. With few treated clusters, use :func:`randomization_inference`
    and :func:`wild_cluster_bootstrap` too.
    """
    q = _prepare(panel, outcome, weights, exclude_years, 3 if trends else 2)
    cl = _cluster_column(q, cluster)
    q = _design_frame(q, cl)
    controls = (*controls, *covariates)
    rhs = "d" + "".join(f" + {c}" for c in controls) + (" + i(area, _t)" if trends else "")
    fit = _fit(q, rhs, weights is not None, fe)
    est = float(fit.coef()["d"])
    se = float(fit.se()["d"])
    G, G_treated = _cluster_counts(q, cl)
    tcrit = stats.t.ppf(0.5 + level / 2, G - 1)
    p = float(2 * stats.t.sf(abs(est / se), G - 1)) if se > 0 else float("nan")
    areas = q.groupby("area")["treated"].first()
    return DidResult(
        estimate=est, se=se, ci_low=est - tcrit * se, ci_high=est + tcrit * se, p_value=p,
        n_treated=int(areas.sum()), n_control=int((areas == 0).sum()), n_obs=len(q),
        years=(int(q["year"].min()), int(q["year"].max())), start=int(panel.attrs.get("start", PROGRAMME_START)),
        indicator=str(panel.attrs.get("indicator", "")), outcome=_outcome_col(outcome),
        weighted=weights is not None, trends=trends, level=level, df=G - 1,
        model="y ~ d" + "".join(f" + {c}" for c in controls) + " | " + " + ".join(["area", "year", *fe])
              + (" + area-specific linear trends" if trends else ""),
        cluster_level=_cluster_level(panel, cl), n_clusters=G, n_treated_clusters=G_treated,
    )


# --------------------------------------------------------------------------------------------
# Event study
# --------------------------------------------------------------------------------------------


@dataclass
class EventStudy:
    """Result of :func:`event_study`: ``table`` (one row per year) and the pre-trend test."""

    table: pd.DataFrame
    reference_year: int
    pretrend_stat: float
    pretrend_df: tuple[int, int]
    pretrend_p: float
    indicator: str = ""
    outcome: str = "y"
    cluster_level: str = "area"
    n_clusters: int = 0
    n_treated_clusters: int = 0


def _wald_f(coef: pd.Series, vcov: pd.DataFrame, names: list[str], df2: int) -> tuple[float, float]:
    """Joint Wald F test that the coefficients ``names`` are 0 (cluster-robust vcov, F(k, G−1))."""
    b = coef[names].to_numpy(float)
    V = vcov.loc[names, names].to_numpy(float)
    stat = float(b @ np.linalg.pinv(V) @ b) / len(names)
    return stat, float(stats.f.sf(stat, len(names), df2))


def event_study(panel: pd.DataFrame, reference_year: int = REFERENCE_YEAR, outcome: str = "y",
                weights: str | None = None, level: float = 0.95, cluster: str | None = None, covariates=(), fe=(),
                exclude_years=()) -> EventStudy:
    """Year-by-year treated–control differences relative to ``reference_year`` (pyfixest).

    Model: ``y[i,t] = a[i] + g[t] + sum_{k != ref} delta_k · treated[i] · 1[t = k] + e[i,t]``,
    CRV1 clustered by area (``feols("y ~ i(year, treated, ref=2014) | area + year")``).
    ``delta_k`` is how much the programme–comparison gap in year ``k`` differs from the gap in
    the reference year (0 there by construction). Leads (``k < start``) near 0 support parallel
    pre-trends; a drift in the leads (e.g. gaps narrowing towards 2014 because areas were chosen
    for unusually high 2012 values: regression to the mean, or earlier work such as Järvalyftet
    taking effect) warns that the DiD may pick up a trend rather than an effect. Lags
    (``k >= start``) trace the effect path under parallel trends.

    The pre-trend test is a joint Wald F test (cluster-robust, F(k, G − 1)) that all leads are
    0; not rejecting is *not* proof of parallel trends (low power with few treated areas).

    Returns :class:`EventStudy` with ``table`` columns
    ``year, relative, estimate, se, ci_low, ci_high, p_value, period`` (``period`` is
    ``"före"``, ``"referens"`` or ``"under"``).
    """
    q = _prepare(panel, outcome, weights, exclude_years)
    cl = _cluster_column(q, cluster)
    q = _design_frame(q, cl)
    years = sorted(q["year"].unique())
    if reference_year not in years:
        raise ValueError(f"Referensåret {reference_year} saknas i panelen")
    start = int(panel.attrs.get("start", PROGRAMME_START))
    names = {}
    for yr in years:
        if yr == reference_year:
            continue
        nm = f"ev_{yr}"
        q[nm] = (q["treated"] * (q["year"] == yr)).astype(float)
        names[yr] = nm
    fit = _fit(q, " + ".join([*names.values(), *covariates]), weights is not None, fe)
    coef, se_all = fit.coef(), fit.se()
    G, G_treated = _cluster_counts(q, cl)
    tcrit = stats.t.ppf(0.5 + level / 2, G - 1)
    rows = []
    for yr in years:
        if yr == reference_year:
            rows.append((yr, yr - reference_year, 0.0, 0.0, 0.0, 0.0, np.nan, "referens"))
            continue
        b, s = float(coef[names[yr]]), float(se_all[names[yr]])
        pv = float(2 * stats.t.sf(abs(b / s), G - 1)) if s > 0 else np.nan
        rows.append((yr, yr - reference_year, b, s, b - tcrit * s, b + tcrit * s, pv,
                     "före" if yr < start else "under"))
    table = pd.DataFrame(rows, columns=["year", "relative", "estimate", "se", "ci_low", "ci_high",
                                        "p_value", "period"])
    leads = [names[yr] for yr in years if yr < start and yr != reference_year]
    if leads:
        vcov = pd.DataFrame(np.asarray(fit._vcov), index=fit._coefnames, columns=fit._coefnames)
        stat, pval = _wald_f(coef, vcov, leads, G - 1)
        df = (len(leads), G - 1)
    else:
        stat, pval, df = np.nan, np.nan, (0, G - 1)
    return EventStudy(table=table, reference_year=reference_year, pretrend_stat=stat, pretrend_df=df,
                      pretrend_p=pval, indicator=str(panel.attrs.get("indicator", "")),
                      outcome=_outcome_col(outcome), cluster_level=_cluster_level(panel, cl), n_clusters=G,
                      n_treated_clusters=G_treated)


def untreated_reference_year(panel: pd.DataFrame, first: pd.DataFrame | None) -> int:
    """The last year before the start that is untreated for every earlier-work cohort among the
    panel's treated areas (2007 for the programme: Järvalyftet is counted from 2008), so that the
    event study's zero is a year without any area-based work; the year before the start when no
    cohort is covered."""
    start = int(panel.attrs.get("start", PROGRAMME_START))
    years = sorted(int(y) for y in panel["year"].unique() if y < start)
    if not years:
        raise ValueError(f"inga år före {start} i panelen")
    if first is None or first.empty:
        return years[-1]
    treated = set(panel.loc[panel["treated"] == 1, "area"])
    firsts = first.loc[first["area"].isin(treated), "first_year"]
    limit = int(firsts.min()) if len(firsts) else start
    ok = [y for y in years if y < limit]
    return ok[-1] if ok else years[0]


# --------------------------------------------------------------------------------------------
# Staggered treatment: earlier work per stadsdel (cohorts) and heterogeneity-robust estimators
# --------------------------------------------------------------------------------------------

#: The 2015 programme in ``cohorts.csv``; every other initiative is "earlier work".
PROGRAMME_INITIATIVE = "programmet"
#: Cohort label of the pooled ATT over all earlier-work cohorts.
ALL_COHORTS = "alla_kohorter"


def cohorts(path=None) -> pd.DataFrame:
    """The treatment cohorts as data: ``area_code, area_name, initiative, start_year,
    first_year_counted, source_file, source_line, source_quote, reading``.

    ``first_year_counted`` is the first year an estimator counts as treated (Järvalyftet started in
    autumn 2007, so 2008; see the ``reading`` column of each row). Read by
    :func:`evalkit.programme.cohorts` from ``data/raw/programme/cohorts.csv`` (one row per
    stadsdel × initiative, with the quoted line of the source document and how it was read; see
    ``data/raw/programme/README.md``), or from the file ``path``."""
    return programme.cohorts(path)


def first_treatment(cohort_table: pd.DataFrame) -> pd.DataFrame:
    """Per stadsdel its *earlier-work* cohort: ``area, cohort, first_year`` (the first initiative
    before the programme; areas without one are not listed)."""
    early = cohort_table[cohort_table["initiative"] != PROGRAMME_INITIATIVE]
    early = early.sort_values(["area_code", "first_year_counted"]).groupby("area_code", as_index=False).first()
    return pd.DataFrame({"area": early["area_code"], "cohort": early["initiative"],
                         "first_year": early["first_year_counted"].astype(int)})


def _cohort_frame(panel: pd.DataFrame, first: pd.DataFrame, outcome: str, weights,
                  cluster: str | None = None) -> pd.DataFrame:
    q = _prepare(panel, outcome, weights)
    q = _design_frame(q, _cluster_column(q, cluster))
    f = first.set_index("area")
    q["g"] = q["area"].map(f["first_year"]).fillna(0).astype(int)
    q["cohort"] = q["area"].map(f["cohort"]).fillna("")
    q["D"] = ((q["g"] > 0) & (q["year"] >= q["g"])).astype(int)
    return q


def cohort_effects(panel: pd.DataFrame, first: pd.DataFrame, outcome: str = "y", weights: str | None = None,
                   level: float = 0.95, cluster: str | None = None, covariates=(), fe=()) -> pd.DataFrame:
    """Cohort ATTs of the earlier work by Gardner's two-stage imputation estimator (``pyfixest.did2s``).

    Stage 1 fits area and year effects on the untreated area-years only (never-treated areas and
    each cohort's years before its ``first_year``); stage 2 regresses the residualised outcome on
    one treatment dummy per cohort (and, separately, on one pooled dummy). Unlike a two-way FE
    regression with a staggered ``D`` this never uses already-treated areas as controls, so it is
    robust to effects that differ between cohorts and grow over time. Standard errors: pyfixest's
    GMM-corrected CRV1 by area.

    ``panel`` should start before the first cohort (2006 for Järvalyftet, counted from 2008).
    A cohort effect covers *all* years from ``first_year`` to the panel's end, programme years
    included: it is earlier work plus the programme, compared with never-treated areas.

    Returns one row per cohort and one ``alla_kohorter`` row: ``cohort, first_year, estimate, se,
    ci_low, ci_high, p_value, n_treated, n_areas, n_obs, n_clusters, n_treated_clusters``
    (clusters: ``cluster``, default the assignment unit, see :func:`did`; degrees of freedom G − 1).
    """
    import warnings

    q = _cohort_frame(panel, first, outcome, weights, cluster)
    cl = _cluster_column(q, cluster)
    labels = [c for c in first.sort_values("first_year")["cohort"].unique() if (q["cohort"] == c).any()]
    dummies = {}
    for c in labels:
        nm = f"D_{c}"
        q[nm] = (q["D"] * (q["cohort"] == c)).astype(float)
        dummies[c] = nm
    G = int(q["_cl"].nunique())
    tcrit = stats.t.ppf(0.5 + level / 2, G - 1)
    # a researcher's covariates and extra fixed effects enter the first (imputation) stage
    first_stage = "~ " + " + ".join(list(covariates) or ["0"]) + " | " + " + ".join(["area", "year", *fe])
    rows = []
    for rhs, names in ((" + ".join(dummies.values()), dummies), ("D", {ALL_COHORTS: "D"})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = _pf().did2s(q, yname="_y", first_stage=first_stage, second_stage=f"~ {rhs}",
                              treatment="D", cluster="_cl", weights="_w" if weights is not None else None)
        coef, se = fit.coef(), fit.se()
        for c, nm in names.items():
            b, s = float(coef[nm]), float(se[nm])
            mask = (q["cohort"] == c) if c != ALL_COHORTS else (q["g"] > 0)
            members = q.loc[mask, "area"].nunique()
            fy = int(first.loc[first["cohort"] == c, "first_year"].min()) if c != ALL_COHORTS else int(q.loc[q["g"] > 0, "g"].min())
            rows.append((c, fy, b, s, b - tcrit * s, b + tcrit * s,
                         float(2 * stats.t.sf(abs(b / s), G - 1)) if s > 0 else np.nan, int(members),
                         int(q["area"].nunique()), len(q), G, int(q.loc[mask, cl].nunique())))
    return pd.DataFrame(rows, columns=["cohort", "first_year", "estimate", "se", "ci_low", "ci_high", "p_value",
                                       "n_treated", "n_areas", "n_obs", "n_clusters", "n_treated_clusters"])


def cohort_event_study(panel: pd.DataFrame, first: pd.DataFrame, outcome: str = "y",
                       level: float = 0.95, cluster: str | None = None) -> pd.DataFrame:
    """Each cohort's own path: the Sun–Abraham interaction-weighted event study
    (``pyfixest.event_study(estimator="saturated")``: cohort × years-since-start dummies, never-treated
    areas as the only controls, reference = the year before each cohort's start).

    Unweighted only (the saturated estimator takes no weights). Returns ``cohort, first_year,
    relative, year, estimate, se, ci_low, ci_high, p_value, period`` (``period`` "före",
    "referens", "under" relative to the cohort's own start; the programme's 2015 falls at
    ``relative = 2015 − first_year``).
    """
    import re
    import warnings

    q = _cohort_frame(panel, first, outcome, None, cluster)
    # Balanced panel only: the saturated estimator reads an area's first treated period off its
    # rows, so an area with a missing (e.g. disclosure-hidden) year at its start would be put in
    # a cohort of its own.
    q = q[q.groupby("area")["year"].transform("nunique") == q["year"].nunique()].copy()
    q["_g"] = q["g"].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = _pf().event_study(q, yname="_y", idname="area", tname="year", gname="_g", cluster="_cl",
                                estimator="saturated")
    G = int(q["_cl"].nunique())
    tcrit = stats.t.ppf(0.5 + level / 2, G - 1)
    coef, se = fit.coef(), fit.se()
    rx = re.compile(r"rel_time::(-?[\d.]+):first_treated_period::([\d.]+)")
    by_year = first.drop_duplicates("first_year").set_index("first_year")["cohort"]
    rows = []
    for name in coef.index:
        m = rx.fullmatch(str(name))
        if not m:
            continue
        rel, g = int(float(m.group(1))), int(float(m.group(2)))
        b, s = float(coef[name]), float(se[name])
        if not np.isfinite(s):
            continue
        rows.append((by_year[g], g, rel, g + rel, b, s, b - tcrit * s, b + tcrit * s,
                     float(2 * stats.t.sf(abs(b / s), G - 1)) if s > 0 else np.nan, "före" if rel < 0 else "under"))
    for g in sorted(set(q.loc[q["g"] > 0, "g"])):
        rows.append((by_year[g], g, -1, g - 1, 0.0, 0.0, 0.0, 0.0, np.nan, "referens"))
    out = pd.DataFrame(rows, columns=["cohort", "first_year", "relative", "year", "estimate", "se", "ci_low",
                                      "ci_high", "p_value", "period"])
    return out.sort_values(["first_year", "relative"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Specifications: areas, people, without very small areas
# --------------------------------------------------------------------------------------------

#: The specifications (``utan_sma``: areas whose denominator is at least
#: :data:`evalkit.programme.SMALL_AREA_DENOMINATOR` every year) reported side by side: key -> (weights, smallest denominator of an area).
#: ``omraden`` averages over areas (Flaten with 2–3 people counts as much as Rinkeby), ``personer``
#: over people (WLS with the denominator), ``utan_sma`` over areas without very small ones.
SPECIFICATIONS = {"omraden": (None, 0.0), "personer": ("weight", 0.0),
                  "utan_sma": (None, float(SMALL_AREA_DENOMINATOR))}
#: The specification a reading leads with (see :mod:`evalkit.present.effects` for why).
HEADLINE_SPECIFICATION = "personer"


def drop_small_areas(panel: pd.DataFrame, min_denominator: float) -> pd.DataFrame:
    """``panel`` without the areas whose denominator is below ``min_denominator`` in any year."""
    if min_denominator <= 0:
        return panel
    small = set(panel.loc[panel["weight"].fillna(0) < min_denominator, "area"])
    out = panel[~panel["area"].isin(small)].reset_index(drop=True)
    out.attrs.update(panel.attrs)
    out.attrs["small_areas_dropped"] = sorted(small)
    return out


def specification(panel: pd.DataFrame, key: str) -> tuple[pd.DataFrame, str | None]:
    """The panel and the ``weights`` argument of specification ``key`` (see SPECIFICATIONS)."""
    weights, min_den = SPECIFICATIONS[key]
    return drop_small_areas(panel, min_den), weights


# --------------------------------------------------------------------------------------------
# Fast within-transform core for resampling (same estimate and CR1 SE as did())
# --------------------------------------------------------------------------------------------


class _Within:
    """Frisch–Waugh–Lovell: project out the fixed effects once, then each DiD is a dot product.

    In the sqrt(weight)-scaled space: ``y~ = M y``, ``D~ = M D`` with ``M = I − Q Q'`` and ``Q``
    an orthonormal basis of the fixed-effect design (area and year effects, area trends and any
    ``controls``). ``beta = D~'y~ / D~'D~``; the CR1 variance
    ``c · sum_g (sum_{i in g} D~_i e_i)^2 / (D~'D~)^2`` with ``c = G/(G−1)·(N−1)/(N−K)`` equals
    statsmodels' clustered variance for ``beta`` in the full regression; ``g`` runs over the
    clusters of ``cluster`` (sorted codes).
    """

    def __init__(self, q: pd.DataFrame, trends: bool, controls=(), cluster: str = "area", fe=()):
        self.q = q
        s = np.sqrt(q["_w"].to_numpy(float))
        area_idx, self.areas = pd.factorize(q["area"])
        year_idx, _ = pd.factorize(q["year"])
        n, na, ny = len(q), len(self.areas), year_idx.max() + 1
        cols = [np.eye(na)[area_idx], np.eye(ny)[year_idx][:, 1:]]
        if trends:
            cols.append(np.eye(na)[area_idx] * q["_t"].to_numpy(float)[:, None])
        for c in controls:
            cols.append(q[c].to_numpy(float)[:, None])
        for c in fe:  # extra fixed effects are projected out with the area and year effects
            fe_idx, fe_levels = pd.factorize(q[c])
            cols.append(np.eye(len(fe_levels))[fe_idx])
        X = np.hstack(cols) * s[:, None]
        u, sv, _ = np.linalg.svd(X, full_matrices=False)
        self.Q = u[:, sv > sv.max() * 1e-10]
        self.s = s
        self.area_idx = area_idx
        cl_idx, self.clusters = pd.factorize(q[cluster].astype(str), sort=True)
        self.cluster_idx = cl_idx
        # cluster of each area (areas are nested in clusters: an area's rows share one cluster)
        self.area_cluster = np.zeros(na, dtype=int)
        self.area_cluster[area_idx] = cl_idx
        self.G = len(self.clusters)
        self.N = n
        self.K = self.Q.shape[1] + 1
        self.c = self.G / (self.G - 1) * (self.N - 1) / (self.N - self.K)
        self.y = self.resid(q["_y"].to_numpy(float) * s)
        # cluster-sum operator (G × N), sparse enough as dense for ~2 000 rows
        self.S = np.zeros((self.G, n))
        self.S[cl_idx, np.arange(n)] = 1.0

    def resid(self, a: np.ndarray) -> np.ndarray:
        return a - self.Q @ (self.Q.T @ a)

    def d_tilde(self, treated_area: np.ndarray) -> np.ndarray:
        """Residualised D for area-level treatment vector(s) (areas,) or (areas, P)."""
        post = self.q["post"].to_numpy(float)
        tr = treated_area[self.area_idx]
        D = (tr * post[:, None]) if tr.ndim == 2 else tr * post
        return self.resid(D * (self.s[:, None] if D.ndim == 2 else self.s))

    def beta_se(self, Dt: np.ndarray, y: np.ndarray):
        dd = Dt @ Dt
        b = (Dt @ y) / dd
        e = y - b * Dt
        score = self.S @ (Dt * e)
        return b, np.sqrt(self.c * (score @ score)) / dd

    def stats_many(self, Dt: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and clustered t statistics for many residualised designs ``Dt`` (N × P)."""
        dd = (Dt * Dt).sum(axis=0)
        b = (Dt.T @ y) / dd
        e = y[:, None] - Dt * b[None, :]
        score = self.S @ (Dt * e)
        se = np.sqrt(self.c * (score ** 2).sum(axis=0)) / dd
        with np.errstate(divide="ignore", invalid="ignore"):
            return b, b / se


def _treated_by_area(q: pd.DataFrame, areas) -> np.ndarray:
    tr = q.groupby("area")["treated"].first()
    return tr.reindex(areas).to_numpy(float)


def placebo_map(w: _Within, treated_area: np.ndarray) -> np.ndarray:
    """Which areas a placebo assignment of each cluster treats: ``[areas, clusters]`` 0/1.

    A cluster that holds treated areas treats exactly those (its real programme stadsdelar); any
    other cluster treats all its areas. The mapping is fixed before any draw, so the set of
    placebo assignments contains the real one and is the same whatever the outcome: with areas as
    clusters it is simply "these areas"."""
    A = np.zeros((len(treated_area), w.G))
    A[np.arange(len(treated_area)), w.area_cluster] = 1.0
    has = np.zeros(w.G, dtype=bool)
    has[w.area_cluster[treated_area > 0]] = True
    real = has[w.area_cluster]
    A[real & (treated_area == 0), w.area_cluster[real & (treated_area == 0)]] = 0.0
    return A


@dataclass
class RIResult:
    """Randomisation inference (placebo-in-space at the assignment level) for the DiD estimate."""

    estimate: float
    p_value: float
    n_perm: int
    n_treated: int
    n_areas: int
    distribution: np.ndarray = field(repr=False)
    seed: int | None = None
    statistic: str = "t"
    #: every assignment enumerated (p exact, ``n_perm`` = number of assignments)
    exact: bool = False
    #: assignment units (clusters), and those treated
    n_units: int = 0
    n_treated_units: int = 0
    #: the observed statistic (estimate, or t with ``statistic="t"``)
    observed: float = float("nan")
    #: placebo *estimates* on the outcome with the estimated effect removed (the spread of the
    #: estimator under no effect), for the minimum detectable effect
    estimates: np.ndarray = field(default=None, repr=False)
    cluster_level: str = "area"


def randomization_inference(panel: pd.DataFrame, n_perm: int = 999, seed: int | None = 0, outcome: str = "y",
                            weights: str | None = None, trends: bool = False, exclude_years=(),
                            statistic: str = "t", cluster: str | None = None, controls=(), covariates=(),
                            fe=()) -> RIResult:
    """Placebo-in-space randomisation inference for :func:`did`, permuting the assignment units.

    Own code on purpose: pyfixest 0.60's ``ritest()`` does not run on this panel (an integer
    treatment column gives a numba TypingError, a float one with ``cluster=`` "Matrix is
    singular"; see the stack notes), it permutes rows or clusters of a given treatment column but
    cannot reassign treatment *by cluster* with a cluster's own treated areas (:func:`placebo_map`),
    and it has no exact enumeration. It reuses the within transform below (one projection, then a
    dot product per assignment); the estimate it starts from equals pyfixest's (tested).

    The assignment units are the clusters (default the panel's ``cluster``: the stadsdelsområde
    of the era in force, so 6 of 14 boroughs for the programme). Every set of the same number of
    units is a placebo assignment, enumerated exactly when there are at most
    :data:`evalkit.analysis.inference.EXACT_LIMIT` (C(14, 6) = 3 003), else ``n_perm`` seeded draws
    over the units in sorted-code order. The statistic is the cluster-robust t (``statistic="t"``,
    default: robust to units that differ in noise) or the estimate. p exact: the share of all
    assignments at least as extreme (the observed is one of them), so its floor is
    1/#assignments; sampled ``(1 + #) / (1 + n_perm)``.

    Assumption: under the sharp null of no effect anywhere, any set of units of the same size
    could have been "the programme" — i.e. assignment is exchangeable. It was not random (areas
    were chosen for high risk), so the p-value answers "is the programme areas' change unusual
    compared with other sets of boroughs?", not a design-based guarantee.
    """
    from evalkit.analysis import inference

    q = _prepare(panel, outcome, weights, exclude_years, 3 if trends else 2)
    cl = _cluster_column(q, cluster)
    w = _Within(q, trends, (*controls, *covariates), cl, fe)
    tr = _treated_by_area(q, w.areas)
    b0, se0 = w.beta_se(w.d_tilde(tr), w.y)
    obs = b0 if statistic == "estimate" else b0 / se0
    A = placebo_map(w, tr)
    treated_units = (A.T @ tr > 0)
    k = int(treated_units.sum())
    # w.clusters is already in sorted order, so the assignment matrix rows line up with it
    S, exact = inference.assignments(list(w.clusters), k, n_perm, seed)
    M = S.shape[1]
    dist = np.empty(M)
    ests = np.empty(M)
    # the placebo estimates for the minimum detectable effect are taken on the outcome with the
    # estimated effect removed: otherwise placebo sets that share real programme boroughs carry
    # the real effect and the spread "under no effect" is overstated
    y_null = w.y - b0 * w.d_tilde(tr)
    batch = 250
    for lo in range(0, M, batch):
        T = A @ S[:, lo:lo + batch].astype(float)
        Dt = w.d_tilde(T)
        b, t = w.stats_many(Dt, w.y)
        ests[lo:lo + len(b)] = (Dt.T @ y_null) / (Dt * Dt).sum(axis=0)
        dist[lo:lo + len(b)] = b if statistic == "estimate" else t
    p = inference.ri_p_value(obs, dist, exact)
    return RIResult(estimate=float(b0), p_value=float(p), n_perm=M, n_treated=int(tr.sum()), n_areas=len(tr),
                    distribution=dist, seed=seed, statistic=statistic, exact=exact, n_units=w.G,
                    n_treated_units=k, observed=float(obs), estimates=ests, cluster_level=_cluster_level(panel, cl))


@dataclass
class WCBResult:
    """Wild cluster restricted bootstrap-t for the DiD estimate."""

    estimate: float
    t_stat: float
    p_value: float
    ci_low: float
    ci_high: float
    n_boot: int
    weights: str
    seed: int | None
    level: float = 0.95
    #: who computed the p-value: "wildboottest" (the library, through pyfixest) or "evalkit"
    #: (own WCR: WLS, which wildboottest 0.3.2 does not support). The interval is always evalkit's.
    method: str = "evalkit"
    cluster_level: str = "area"
    n_clusters: int = 0


_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def wild_cluster_bootstrap(panel: pd.DataFrame, n_boot: int = 999, seed: int | None = 0, outcome: str = "y",
                           weights: str | None = None, trends: bool = False, exclude_years=(),
                           dist: str = "webb", level: float = 0.95, ci: bool = True,
                           library: bool = True, cluster: str | None = None, controls=(), covariates=(),
                           fe=()) -> WCBResult:
    """Wild cluster restricted (WCR) bootstrap-t for the DiD coefficient (Cameron, Gelbach & Miller
    2008; Roodman et al. 2019, "fast and wild"), clustered at the assignment unit by default.

    The p-value of an unweighted model without controls comes from the ``wildboottest`` package
    (through pyfixest's ``Feols.wildboottest``, ``library=True``); the own implementation below is
    kept for what the library does not do: WLS (the population-weighted specification), the
    earlier-work controls and the confidence interval by test inversion. Both agree on the t
    statistic and, up to Monte Carlo error, on p.

    For a null value ``b0``: fit the model with ``beta = b0`` imposed, keep its residuals ``u``,
    build ``y* = fitted + u · v_g`` with one draw ``v_g`` per cluster (Webb's six-point
    distribution, the default, better with few clusters than Rademacher's ±1, MacKinnon & Webb
    2017), re-estimate and compute the clustered t statistic ``t*``. p-value: share of
    ``|t*| >= |t|`` (symmetric). Draws are made per cluster in sorted-code order. The confidence
    interval collects the ``b0`` not rejected at ``1 − level`` (test inversion by bisection, same
    draws for every ``b0``).

    Caveat: with few *treated* clusters (say < 10) even the WCR can be unreliable (over- or
    under-rejects, MacKinnon & Webb 2017); see :mod:`evalkit.analysis.inference` for which p leads.
    """
    q = _prepare(panel, outcome, weights, exclude_years, 3 if trends else 2)
    cl = _cluster_column(q, cluster)
    controls = (*controls, *covariates)
    w = _Within(q, trends, controls, cl, fe)
    tr = _treated_by_area(q, w.areas)
    Dt = w.d_tilde(tr)
    bhat, sehat = w.beta_se(Dt, w.y)
    rng = np.random.default_rng(seed)
    if dist == "rademacher":
        V = rng.choice(np.array([-1.0, 1.0]), size=(w.G, n_boot))
    elif dist == "webb":
        V = rng.choice(_WEBB, size=(w.G, n_boot))
    else:
        raise ValueError("dist: 'rademacher' eller 'webb'")
    Vn = V[w.cluster_idx]  # N × B
    # u(b0) = y~ − b0·D~ ; M(u∘v) = M(y~∘v) − b0·M(D~∘v)
    A = w.resid(w.y[:, None] * Vn)
    B = w.resid(Dt[:, None] * Vn)
    dd = Dt @ Dt
    # everything below is linear in b0 per draw: precompute the pieces once
    a1, b1 = (Dt @ A) / dd, (Dt @ B) / dd
    SD = w.S * Dt[None, :]  # G × N: cluster score operator
    S1 = SD @ (A - Dt[:, None] * a1[None, :])
    S2 = SD @ (B - Dt[:, None] * b1[None, :])
    s11, s12, s22 = (S1 * S1).sum(0), (S1 * S2).sum(0), (S2 * S2).sum(0)
    del A, B, Vn

    def pval(b0: float) -> float:
        bs = a1 - b0 * b1
        ses = np.sqrt(w.c * np.maximum(s11 - 2 * b0 * s12 + b0 * b0 * s22, 0.0)) / dd
        with np.errstate(divide="ignore", invalid="ignore"):
            tstar = bs / ses
        t = (bhat - b0) / sehat
        return float(np.mean(np.abs(tstar) >= abs(t) - 1e-12))

    p = pval(0.0)
    method = "evalkit"
    if weights is None and not controls and not fe and dist in ("rademacher", "webb") and library:
        # The library's WCR (wildboottest through pyfixest, 11-type, null imposed) gives the same t
        # statistic and, with its own draws, the same p-value up to Monte Carlo error (tested).
        # It has no confidence interval and no WLS, so the interval below, and the p-value of the
        # population-weighted specification, come from the own implementation above.
        fit = _fit(_design_frame(q, cl), "d + i(area, _t)" if trends else "d", False)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            boot = fit.wildboottest(param="d", reps=n_boot, seed=seed, weights_type=dist, impose_null=True)
        p = float(boot["Pr(>|t|)"])
        method = "wildboottest"
    lo = hi = np.nan
    if ci:
        alpha = 1 - level
        width = 10 * sehat if sehat > 0 else 1.0

        def edge(sign: float) -> float:
            inner, outer = bhat, bhat + sign * width
            k = 0
            while pval(outer) > alpha and k < 20:
                outer = bhat + sign * (abs(outer - bhat) * 2)
                k += 1
            for _ in range(40):
                mid = (inner + outer) / 2
                if pval(mid) > alpha:
                    inner = mid
                else:
                    outer = mid
            return (inner + outer) / 2

        lo, hi = edge(-1.0), edge(1.0)
    return WCBResult(estimate=float(bhat), t_stat=float(bhat / sehat), p_value=p, ci_low=float(lo),
                     ci_high=float(hi), n_boot=n_boot, weights=dist, seed=seed, level=level, method=method,
                     cluster_level=_cluster_level(panel, cl), n_clusters=w.G)


def residual_icc(panel: pd.DataFrame, outcome: str = "y", weights: str | None = None,
                 cluster: str | None = None) -> float:
    """Intra-cluster correlation of the outcome after area and year effects: the one-way ANOVA ICC
    (:func:`evalkit.analysis.inference.icc_anova`) of the within-residuals grouped by cluster × year."""
    from evalkit.analysis import inference

    q = _prepare(panel, outcome, weights)
    cl = _cluster_column(q, cluster)
    w = _Within(q, False, (), cl)
    e = w.y / w.s
    return inference.icc_anova(e, q[cl].astype(str) + "|" + q["year"].astype(str))


# --------------------------------------------------------------------------------------------
# Trend band
# --------------------------------------------------------------------------------------------


def trend_band(panel: pd.DataFrame, area: str, fit_years: tuple[int, int] | None = None, outcome: str = "y",
               level: float = 0.95) -> pd.DataFrame:
    """Linear trend of one area with a confidence band (and a prediction band).

    Model: ``y[t] = a + b·t + e[t]``, OLS on the years in ``fit_years`` (default all years of the
    panel), e i.i.d. The *confidence* band (``ci_low/ci_high``) is for the trend line; the
    *prediction* band (``pi_low/pi_high``) is where a single year's value would fall if the
    trend and noise held. With ``fit_years=(2007, 2014)`` the line extended into 2015–2020 is a
    naive "if the pre-programme trend had continued" path.

    Caveats: residuals of yearly series are autocorrelated (bands too narrow); a line is a
    summary, not a forecast; a trend alone says nothing about the programme's effect (the whole
    city moved too — use :func:`did`).

    Returns columns ``year, observed, fitted, ci_low, ci_high, pi_low, pi_high, in_fit`` and
    ``attrs["slope"], attrs["slope_ci"]``.
    """
    col = _outcome_col(outcome)
    a = panel[panel["area"] == area].sort_values("year")
    a = a[np.isfinite(a[col].astype(float))]
    if a.empty:
        raise ValueError(f"Området {area!r} saknas i panelen")
    fy = fit_years or (int(a["year"].min()), int(a["year"].max()))
    fit = a[a["year"].between(*fy)]
    if len(fit) < 3:
        raise ValueError("Minst tre år behövs för en trend")
    res = smf.ols(f"{col} ~ year", data=fit).fit()
    grid = pd.DataFrame({"year": a["year"].to_numpy()})
    pred = res.get_prediction(grid).summary_frame(alpha=1 - level)
    out = pd.DataFrame({
        "year": grid["year"].to_numpy(), "observed": a[col].to_numpy(float),
        "fitted": pred["mean"].to_numpy(), "ci_low": pred["mean_ci_lower"].to_numpy(),
        "ci_high": pred["mean_ci_upper"].to_numpy(), "pi_low": pred["obs_ci_lower"].to_numpy(),
        "pi_high": pred["obs_ci_upper"].to_numpy(), "in_fit": grid["year"].between(*fy).to_numpy(),
    })
    ci = res.conf_int(alpha=1 - level).loc["year"]
    out.attrs.update({"area": area, "slope": float(res.params["year"]),
                      "slope_ci": (float(ci.iloc[0]), float(ci.iloc[1])), "fit_years": fy})
    return out
