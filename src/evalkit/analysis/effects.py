"""Effect estimates: programme areas against the rest of the city, before and during the programme.

Pure functions on the tidy indicator table (``data/processed/indicators.parquet``, see
``docs/CONTRACTS.md``). The design is the one the programme allows: the 21 programme stadsdelar
(or the 6 programme boroughs) are "treated" from 2015, every other area of the same level is a
comparison area, 2007–2014 is the pre-period.

What is here
------------
* :func:`panel` – an area × year panel (outcome, weight, treated, post).
* :func:`did` – two-way fixed-effects difference-in-differences (area and year effects, optional
  area-specific linear trends), standard errors clustered by area (statsmodels).
* :func:`event_study` – year-by-year treated–control differences relative to a reference year
  (2014) with clustered intervals, and a joint Wald test that all leads are zero.
* :func:`randomization_inference` – placebo-in-space: "programme" status reassigned at random
  among the areas (same number treated), the DiD recomputed; exact-in-spirit p-value.
* :func:`wild_cluster_bootstrap` – restricted (null imposed) wild cluster bootstrap-t (WCR) with
  Rademacher or Webb weights; p-value and a confidence interval by test inversion.
* :func:`trend_band` – a per-area linear trend with confidence and prediction bands.
* :func:`threats_sv`, :func:`reading_sv`, :func:`did_table_sv` – Swedish texts and tables for the
  reports: threats to validity that apply, and what a number means and does not mean.

Synthetic control lives in :mod:`evalkit.analysis.synth`.

The model (DiD)
---------------
``y[i,t] = a[i] + g[t] (+ c[i]·t) + beta · D[i,t] + e[i,t]`` with ``D = treated × post``.
``beta`` is the average change in programme areas after 2015 *beyond* the change in the comparison
areas over the same years (in the outcome's unit: percentage points for a share, or log points
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
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from evalkit import geography

PROGRAMME_START = 2015
REFERENCE_YEAR = 2014
DEFAULT_YEARS = (2007, 2020)

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
        era07 = geography.stadsdelsomraden().query("era == '2007'")["sdo_code"]
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
    out = out.sort_values(["area", "year"], kind="mergesort").reset_index(drop=True)
    missing_treated = sorted(set(treated) - set(out["area"]))
    out.attrs.update({
        "indicator": indicator, "level": level, "start": int(start),
        "years": (int(years[0]), int(years[1])),
        "rows_dropped": int(n_rows - len(out)),
        "areas_dropped": sorted(set(t["area_code"]) - set(out["area"])),
        "treated_missing": missing_treated,
    })
    return out


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


def _design(q: pd.DataFrame, trends: bool) -> pd.DataFrame:
    """Design matrix: d, area dummies (all), year dummies (first dropped), area trends (first area dropped)."""
    area = pd.Categorical(q["area"])
    A = pd.get_dummies(area, prefix="area", dtype=float)
    A.index = q.index
    Y = pd.get_dummies(q["year"], prefix="year", dtype=float).iloc[:, 1:]
    parts = [q[["d"]].astype(float), A, Y]
    if trends:
        T = A.iloc[:, 1:].mul(q["_t"], axis=0)
        T.columns = [f"trend_{c}" for c in T.columns]
        parts.append(T)
    return pd.concat(parts, axis=1)


def _formula(trends: bool) -> str:
    f = "_y ~ d + C(area) + C(year)"
    return f + " + C(area):_t" if trends else f


def did(panel: pd.DataFrame, outcome: str = "y", weights: str | None = None, trends: bool = False,
        exclude_years=(), level: float = 0.95) -> DidResult:
    """Two-way fixed-effects difference-in-differences with area-clustered standard errors.

    Model: ``y[i,t] = a[i] + g[t] + beta·D[i,t] (+ c[i]·t if trends) + e[i,t]``,
    ``D = treated × (year >= start)``, estimated by OLS (WLS with ``weights="weight"``, i.e. the
    denominator, which estimates the effect for the average *person* rather than the average
    *area*). Standard errors are clustered by area (CR1, statsmodels), with a t distribution on
    G − 1 degrees of freedom.

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

    Assumptions and caveats: parallel trends (check with :func:`event_study`); no coinciding
    shock specific to programme areas; no spillovers; a single ``beta`` averages an effect that
    may grow over the years. With few treated clusters, use :func:`randomization_inference`
    and :func:`wild_cluster_bootstrap` too.
    """
    q = _prepare(panel, outcome, weights, exclude_years, 3 if trends else 2)
    groups = pd.factorize(q["area"])[0]
    res = sm.WLS(q["_y"].to_numpy(float), _design(q, trends), weights=q["_w"].to_numpy(float)).fit(
        method="qr", cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    est = float(res.params["d"])
    se = float(np.sqrt(res.cov_params().loc["d", "d"]))  # only d: nuisance variances may be degenerate
    G = int(q["area"].nunique())
    tcrit = stats.t.ppf(0.5 + level / 2, G - 1)
    p = float(2 * stats.t.sf(abs(est / se), G - 1)) if se > 0 else float("nan")
    areas = q.groupby("area")["treated"].first()
    return DidResult(
        estimate=est, se=se, ci_low=est - tcrit * se, ci_high=est + tcrit * se, p_value=p,
        n_treated=int(areas.sum()), n_control=int((areas == 0).sum()), n_obs=len(q),
        years=(int(q["year"].min()), int(q["year"].max())), start=int(panel.attrs.get("start", PROGRAMME_START)),
        indicator=str(panel.attrs.get("indicator", "")), outcome=_outcome_col(outcome),
        weighted=weights is not None, trends=trends, level=level, df=G - 1,
        model=_formula(trends).replace("_y", "y").replace("_t", "t"),
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


def event_study(panel: pd.DataFrame, reference_year: int = REFERENCE_YEAR, outcome: str = "y",
                weights: str | None = None, level: float = 0.95) -> EventStudy:
    """Year-by-year treated–control differences relative to ``reference_year``.

    Model: ``y[i,t] = a[i] + g[t] + sum_{k != ref} delta_k · treated[i] · 1[t = k] + e[i,t]``,
    clustered by area. ``delta_k`` is how much the programme–comparison gap in year ``k``
    differs from the gap in the reference year (0 there by construction). Leads (``k < start``)
    near 0 support parallel pre-trends; a drift in the leads (e.g. gaps narrowing towards 2014
    because areas were chosen for unusually high 2012 values: regression to the mean) warns that
    the DiD may pick up a trend rather than an effect. Lags (``k >= start``) trace the effect path
    under parallel trends.

    The pre-trend test is a joint Wald F test (cluster-robust) that all leads are 0; not
    rejecting is *not* proof of parallel trends (low power with few treated areas).

    Returns :class:`EventStudy` with ``table`` columns
    ``year, relative, estimate, se, ci_low, ci_high, p_value, period`` (``period`` is
    ``"före"``, ``"referens"`` or ``"under"``).
    """
    q = _prepare(panel, outcome, weights)
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
    formula = "_y ~ " + " + ".join(names.values()) + " + C(area) + C(year)"
    groups = pd.factorize(q["area"])[0]
    res = smf.wls(formula, data=q, weights=q["_w"]).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                                       use_t=True)
    G = int(q["area"].nunique())
    tcrit = stats.t.ppf(0.5 + level / 2, G - 1)
    rows = []
    for yr in years:
        if yr == reference_year:
            rows.append((yr, yr - reference_year, 0.0, 0.0, 0.0, 0.0, np.nan, "referens"))
            continue
        b, s = float(res.params[names[yr]]), float(res.bse[names[yr]])
        pv = float(2 * stats.t.sf(abs(b / s), G - 1)) if s > 0 else np.nan
        rows.append((yr, yr - reference_year, b, s, b - tcrit * s, b + tcrit * s, pv,
                     "före" if yr < start else "under"))
    table = pd.DataFrame(rows, columns=["year", "relative", "estimate", "se", "ci_low", "ci_high",
                                        "p_value", "period"])
    leads = [names[yr] for yr in years if yr < start and yr != reference_year]
    if leads:
        wt = res.wald_test(", ".join(f"{nm} = 0" for nm in leads), use_f=True, scalar=True)
        stat, pval = float(wt.statistic), float(wt.pvalue)
        df = (len(leads), G - 1)
    else:
        stat, pval, df = np.nan, np.nan, (0, G - 1)
    return EventStudy(table=table, reference_year=reference_year, pretrend_stat=stat, pretrend_df=df,
                      pretrend_p=pval, indicator=str(panel.attrs.get("indicator", "")),
                      outcome=_outcome_col(outcome))


# --------------------------------------------------------------------------------------------
# Fast within-transform core for resampling (same estimate and CR1 SE as did())
# --------------------------------------------------------------------------------------------


class _Within:
    """Frisch–Waugh–Lovell: project out the fixed effects once, then each DiD is a dot product.

    In the sqrt(weight)-scaled space: ``y~ = M y``, ``D~ = M D`` with ``M = I − Q Q'`` and ``Q``
    an orthonormal basis of the fixed-effect design. ``beta = D~'y~ / D~'D~``; the CR1 variance
    ``c · sum_g (sum_{i in g} D~_i e_i)^2 / (D~'D~)^2`` with ``c = G/(G−1)·(N−1)/(N−K)`` equals
    statsmodels' clustered variance for ``beta`` in the full regression.
    """

    def __init__(self, q: pd.DataFrame, trends: bool):
        self.q = q
        s = np.sqrt(q["_w"].to_numpy(float))
        area_idx, self.areas = pd.factorize(q["area"])
        year_idx, _ = pd.factorize(q["year"])
        n, na, ny = len(q), len(self.areas), year_idx.max() + 1
        cols = [np.eye(na)[area_idx], np.eye(ny)[year_idx][:, 1:]]
        if trends:
            cols.append(np.eye(na)[area_idx] * q["_t"].to_numpy(float)[:, None])
        X = np.hstack(cols) * s[:, None]
        u, sv, _ = np.linalg.svd(X, full_matrices=False)
        self.Q = u[:, sv > sv.max() * 1e-10]
        self.s = s
        self.area_idx = area_idx
        self.G = na
        self.N = n
        self.K = self.Q.shape[1] + 1
        self.c = self.G / (self.G - 1) * (self.N - 1) / (self.N - self.K)
        self.y = self.resid(q["_y"].to_numpy(float) * s)
        # cluster-sum operator (G × N), sparse enough as dense for ~2 000 rows
        self.S = np.zeros((self.G, n))
        self.S[area_idx, np.arange(n)] = 1.0

    def resid(self, a: np.ndarray) -> np.ndarray:
        return a - self.Q @ (self.Q.T @ a)

    def d_tilde(self, treated_area: np.ndarray) -> np.ndarray:
        """Residualised D for area-level treatment vector(s) (G,) or (G, P)."""
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


def _treated_by_area(q: pd.DataFrame, areas) -> np.ndarray:
    tr = q.groupby("area")["treated"].first()
    return tr.reindex(areas).to_numpy(float)


@dataclass
class RIResult:
    """Randomisation inference (placebo-in-space) for the DiD estimate."""

    estimate: float
    p_value: float
    n_perm: int
    n_treated: int
    n_areas: int
    distribution: np.ndarray = field(repr=False)
    seed: int | None = None
    statistic: str = "estimate"


def randomization_inference(panel: pd.DataFrame, n_perm: int = 999, seed: int | None = 0, outcome: str = "y",
                            weights: str | None = None, trends: bool = False, exclude_years=(),
                            statistic: str = "estimate") -> RIResult:
    """Placebo-in-space randomisation inference for :func:`did`.

    "Programme" status is reassigned at random among all areas in the panel (same number
    treated), the DiD recomputed each time (same model as :func:`did`). Two-sided p-value
    ``(1 + #{|placebo| >= |observed|}) / (1 + n_perm)``, which lies in ``[1/(n_perm+1), 1]``.
    ``statistic="t"`` uses the cluster-robust t statistic instead of the estimate (more robust when
    areas differ in noise, e.g. small areas).

    Assumption: under the sharp null of no effect anywhere, any set of areas of the same size
    could have been "the programme" — i.e. assignment is exchangeable. It was not random (areas
    were chosen for high risk), so the p-value answers "is the programme areas' change unusual
    compared with other sets of areas?", not a design-based guarantee.
    """
    q = _prepare(panel, outcome, weights, exclude_years, 3 if trends else 2)
    w = _Within(q, trends)
    tr = _treated_by_area(q, w.areas)
    b0, se0 = w.beta_se(w.d_tilde(tr), w.y)
    obs = b0 if statistic == "estimate" else b0 / se0
    rng = np.random.default_rng(seed)
    n_t = int(tr.sum())
    dist = np.empty(n_perm)
    batch = 200
    for lo in range(0, n_perm, batch):
        m = min(batch, n_perm - lo)
        T = np.zeros((w.G, m))
        for j in range(m):
            T[rng.choice(w.G, n_t, replace=False), j] = 1.0
        Dt = w.d_tilde(T)  # N × m
        dd = (Dt * Dt).sum(axis=0)
        b = (Dt.T @ w.y) / dd
        if statistic == "estimate":
            dist[lo:lo + m] = b
        else:
            e = w.y[:, None] - Dt * b[None, :]
            score = w.S @ (Dt * e)
            dist[lo:lo + m] = b / (np.sqrt(w.c * (score ** 2).sum(axis=0)) / dd)
    p = (1 + np.sum(np.abs(dist) >= abs(obs) - 1e-12)) / (n_perm + 1)
    return RIResult(estimate=float(b0), p_value=float(p), n_perm=n_perm, n_treated=n_t, n_areas=w.G,
                    distribution=dist, seed=seed, statistic=statistic)


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


_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def wild_cluster_bootstrap(panel: pd.DataFrame, n_boot: int = 999, seed: int | None = 0, outcome: str = "y",
                           weights: str | None = None, trends: bool = False, exclude_years=(),
                           dist: str = "rademacher", level: float = 0.95, ci: bool = True) -> WCBResult:
    """Wild cluster restricted (WCR) bootstrap-t for the DiD coefficient (Cameron, Gelbach & Miller
    2008; Roodman et al. 2019, "fast and wild").

    For a null value ``b0``: fit the model with ``beta = b0`` imposed, keep its residuals ``u``,
    build ``y* = fitted + u · v_g`` with one draw ``v_g`` per area (Rademacher ±1 or Webb's
    six-point distribution, ``dist="webb"``, better with very few clusters), re-estimate and
    compute the clustered t statistic ``t*``. p-value: share of ``|t*| >= |t|`` (symmetric).
    The confidence interval collects the ``b0`` not rejected at ``1 − level`` (test inversion by
    bisection, same draws for every ``b0``).

    Caveat: with few *treated* clusters (say < 10) even the WCR can be unreliable (over- or
    under-rejects, MacKinnon & Webb 2017); compare with :func:`randomization_inference`.
    """
    q = _prepare(panel, outcome, weights, exclude_years, 3 if trends else 2)
    w = _Within(q, trends)
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
    Vn = V[w.area_idx]  # N × B
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
                     ci_high=float(hi), n_boot=n_boot, weights=dist, seed=seed, level=level)


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


# --------------------------------------------------------------------------------------------
# Swedish texts
# --------------------------------------------------------------------------------------------

#: Indicators plausibly hit harder in programme areas by refugee reception 2015–16.
REFUGEE_SENSITIVE = {"ekonomiskt_bistand", "sysselsattning", "behorighet_gymnasiet", "trangboddhet",
                     "kunskapskrav_ak9_exkl_nyanlanda", "jobbtorg_sjalvforsorjande"}
#: Indicators touched by the city-wide Jobbtorg (spillover to comparison areas).
JOBBTORG_SENSITIVE = {"ekonomiskt_bistand", "sysselsattning", "jobbtorg_sjalvforsorjande"}
#: Indicators the COVID-19 pandemic in 2020 plausibly hit unevenly.
COVID_SENSITIVE = {"ekonomiskt_bistand", "sysselsattning", "ohalsotal", "psykisk_ohalsa", "anmalda_brott",
                   "otrygghet", "jobbtorg_sjalvforsorjande", "behorighet_gymnasiet"}


def threats_sv(indicator: str, years: tuple[int, int] = DEFAULT_YEARS, level: str = "stadsdel",
               event: EventStudy | None = None) -> pd.DataFrame:
    """Threats to validity a report must name for an effect estimate of ``indicator``.

    Returns a DataFrame with columns ``hot`` (short Swedish heading), ``beskrivning`` (what it is
    and how it would bias the estimate) and ``nyckel`` (stable key). Which threats are listed
    depends on the indicator and the years: regression to the mean and selective migration
    always; refugee reception 2015–16 if the years cover 2015–16 and the indicator is sensitive;
    COVID-19 if 2020 is included; Jobbtorg spillovers for labour-market indicators; small
    numbers on stadsdel level. With ``event`` (an :func:`event_study` result), the regression
    to the mean text cites the pre-trend test.
    """
    rows = []
    rtm = ("Programområdena valdes för att de hade höga risknivåer 2012. Områden som väljs för "
           "ovanligt höga värden tenderar att närma sig genomsnittet av sig själva, även utan insats. "
           "En sådan återgång kan misstas för en effekt. Förtrenderna visas därför med 2014 som "
           "referensår: skillnader före 2015 som krymper mot 2014 tyder på återgång mot medelvärdet.")
    if event is not None and np.isfinite(event.pretrend_p):
        rtm += (f" Gemensamt test av förtrenderna: p = {_fmt(event.pretrend_p, 3)}"
                + (" – förtrenderna är inte parallella, skattningen bör läsas med stor försiktighet."
                   if event.pretrend_p < 0.05 else
                   " – inga tydliga avvikelser, men testet har låg styrka med få programområden."))
    rows.append(("regression", "Återgång mot medelvärdet", rtm))
    rows.append(("migration", "Selektiv flyttning",
                 "Måtten är genomsnitt för dem som bor i området. Om de som flyttar in har svagare "
                 "ekonomi än de som flyttar ut förändras områdets värde utan att någon boende fått det "
                 "sämre, och omvänt kan den som fått arbete flytta därifrån. Skattningen blandar "
                 "alltså effekter för individer med förändringar i vilka som bor i området."))
    if years[0] <= 2016 and years[1] >= 2015 and indicator in REFUGEE_SENSITIVE:
        rows.append(("flyktingmottagande", "Flyktingmottagandet 2015–2016",
                     "Mottagandet av nyanlända 2015–2016 var störst i programområdena och sammanföll med "
                     "programmets start. Det drar måttet åt det sämre just där, oberoende av programmet, "
                     "och gör en jämförelse före/efter 2015 svårtolkad (en gynnsam effekt kan döljas). "
                     "Jämför gärna med en skattning där 2015–2016 utesluts."))
    if years[1] >= 2020 and indicator in COVID_SENSITIVE:
        rows.append(("covid", "Covid-19 2020",
                     "Pandemin 2020 slog olika mot olika delar av staden (trångboddhet, yrken som inte "
                     "kunde arbeta hemifrån). Värden för 2020 kan spegla pandemin snarare än programmet; "
                     "jämför med en skattning utan 2020."))
    if indicator in JOBBTORG_SENSITIVE:
        rows.append(("spridning", "Spridningseffekter (Jobbtorg)",
                     "Jobbtorg Stockholm och andra insatser verkar i hela staden, så jämförelseområdena är "
                     "inte opåverkade. Om liknande insatser når även dem underskattar jämförelsen "
                     "programmets effekt; om programmet drar resurser från andra områden överskattas den."))
    else:
        rows.append(("spridning", "Spridningseffekter",
                     "Insatser i ett område kan påverka grannområden (t.ex. brottslighet som flyttar eller "
                     "trygghetsarbete som når fler). Då är jämförelseområdena inte opåverkade."))
    if level == "stadsdel":
        rows.append(("sma_tal", "Små tal och få programområden",
                     "Med 21 programstadsdelar av 117 och få invånare i vissa stadsdelar är slumpvariationen "
                     "stor. Klustrade standardfel kan då bli för små; randomiseringsinferens och "
                     "wild cluster bootstrap redovisas därför också."))
    return pd.DataFrame(rows, columns=["nyckel", "hot", "beskrivning"])


def _fmt(x: float, d: int = 2) -> str:
    from evalkit.present.format import number

    return number(x, d).replace("-", "\u2212") if np.isfinite(x) else ".."


def _unit_sv(outcome: str, unit: str | None) -> str:
    if outcome == "log_y":
        return "log-enheter (≈ relativ förändring)"
    return {"procent": "procentenheter"}.get(unit or "", "enheter")


def reading_sv(result, unit: str | None = "procent") -> str:
    """Plain-language Swedish reading of a result: what the number means and what it doesn't.

    Accepts :class:`DidResult`, :class:`EventStudy`, :class:`RIResult`, :class:`WCBResult` or a
    :class:`evalkit.analysis.synth.SynthResult`. ``unit`` is the indicator's catalogue unit
    (``"procent"`` → "procentenheter").
    """
    if isinstance(result, DidResult):
        u = _unit_sv(result.outcome, unit)
        lvl = int(round(result.level * 100))
        direction = "lägre" if result.estimate < 0 else "högre"
        covers0 = result.ci_low <= 0 <= result.ci_high
        txt = (f"Skattningen {_fmt(result.estimate)} {u} betyder: skillnaden i måttet mellan "
               f"programområdena och övriga områden var {result.start}–{result.years[1]} i genomsnitt "
               f"{_fmt(abs(result.estimate))} {u} {direction} än {result.years[0]}–{result.start - 1}. "
               f"{lvl} % konfidensintervall {_fmt(result.ci_low)} till {_fmt(result.ci_high)}"
               + (" – omfattar noll, så en effekt kan inte skiljas från slumpen."
                  if covers0 else " – omfattar inte noll.")
               + " Det är en effekt av programmet endast om utvecklingen annars hade varit parallell "
               "(se förtrenderna) och inget annat samtidigt slog olika mot områdena; siffran säger "
               "inget om enskilda personer, och inte vilken insats som gjorde skillnaden.")
        if result.trends:
            txt += (" Modellen tillåter varje område en egen linjär trend; en effekt som växer "
                    "gradvis kan då delvis tas för en trend.")
        return txt
    if isinstance(result, EventStudy):
        t = result.table
        pre = t[t["period"] == "före"]
        return (f"Varje punkt visar hur mycket skillnaden mellan programområden och övriga områden "
                f"ett år avviker från skillnaden {result.reference_year} (= 0). Före programmet "
                f"(största avvikelse {_fmt(pre['estimate'].abs().max())}) bör punkterna ligga nära "
                f"noll om antagandet om parallella trender håller; gemensamt test p = "
                f"{_fmt(result.pretrend_p, 3)}. Ett icke-signifikant test bevisar inte parallella trender.")
    if isinstance(result, RIResult):
        return (f"Randomiseringsinferens: i {result.n_perm} lottningar där {result.n_treated} av "
                f"{result.n_areas} områden slumpvis fick vara 'programområden' blev skattningen minst "
                f"lika stor (i absoluta tal) som den faktiska i en andel p = {_fmt(result.p_value, 3)}. "
                "Ett litet p betyder att programområdenas förändring är ovanlig jämfört med andra "
                "grupper av områden – inte att programmet orsakade den, eftersom områdena inte valdes "
                "slumpvis.")
    if isinstance(result, WCBResult):
        return (f"Wild cluster bootstrap ({result.weights}, {result.n_boot} dragningar, nollhypotesen "
                f"påtvingad): p = {_fmt(result.p_value, 3)}, {int(round(result.level * 100))} % "
                f"konfidensintervall {_fmt(result.ci_low)} till {_fmt(result.ci_high)}. Metoden är "
                "mer tillförlitlig än vanliga klustrade standardfel när programområdena är få.")
    try:
        from evalkit.analysis.synth import SynthResult
    except ImportError:  # pragma: no cover
        SynthResult = ()
    if isinstance(result, SynthResult):
        try:
            name = geography.area_name(result.treated)
        except Exception:  # noqa: BLE001 - synthetic test units have no registry name
            name = result.treated
        txt = (f"Den syntetiska kontrollen för {name} är ett viktat genomsnitt av "
               f"jämförelseområden som följde {name} före {result.start} (pre-RMSPE "
               f"{_fmt(result.pre_rmspe)}). Genomsnittligt gap efter start: {_fmt(result.post_gap_mean)}.")
        if result.p_value is not None:
            txt += (f" Rangtest mot {result.n_placebos} placeboområden: p = {_fmt(result.p_value, 3)} "
                    f"(kvot efter/före-RMSPE), p = {_fmt(result.p_value_gap, 3)} (genomsnittligt gap).")
        txt += (" Gapet är en effekt endast om vikterna hade fortsatt följa området utan programmet; "
                "ett dåligt förhandsfit (området ligger utanför jämförelseområdenas spann) gör "
                "skattningen opålitlig.")
        return txt
    raise TypeError(f"Okänd resultattyp {type(result).__name__}")


def did_table_sv(result: DidResult, ri: RIResult | None = None, wcb: WCBResult | None = None,
                 unit: str | None = "procent") -> pd.DataFrame:
    """A two-column Swedish table (``Mått``, ``Värde``) of a DiD result for reports.

    Rows: skattad effekt, standardfel, konfidensintervall, p-värde, antal program- och
    jämförelseområden, år, modell; plus randomiseringsinferens and wild cluster bootstrap if given.
    """
    u = _unit_sv(result.outcome, unit)
    lvl = int(round(result.level * 100))
    rows = [
        ("Skattad effekt (skillnad i skillnader)", f"{_fmt(result.estimate)} {u}"),
        ("Standardfel (klustrat per område)", _fmt(result.se)),
        (f"{lvl} % konfidensintervall", f"{_fmt(result.ci_low)} till {_fmt(result.ci_high)}"),
        ("p-värde (klustrade standardfel)", _fmt(result.p_value, 3)),
        ("Programområden", str(result.n_treated)),
        ("Jämförelseområden", str(result.n_control)),
        ("År (före / under programmet)",
         f"{result.years[0]}–{result.start - 1} / {result.start}–{result.years[1]}"),
        ("Modell", "områdes- och årseffekter" + (", egna linjära trender per område" if result.trends else "")
         + (", viktad med nämnaren" if result.weighted else "")),
    ]
    if ri is not None:
        rows.append((f"p-värde, randomiseringsinferens ({ri.n_perm} lottningar)", _fmt(ri.p_value, 3)))
    if wcb is not None:
        rows.append((f"p-värde, wild cluster bootstrap ({wcb.n_boot} dragningar)", _fmt(wcb.p_value, 3)))
        rows.append((f"{int(round(wcb.level * 100))} % intervall, wild cluster bootstrap",
                     f"{_fmt(wcb.ci_low)} till {_fmt(wcb.ci_high)}"))
    return pd.DataFrame(rows, columns=["Mått", "Värde"])
