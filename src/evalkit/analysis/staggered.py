"""Staggered adoption: Callaway–Sant'Anna group-time ATTs and their aggregations; numbers only.

Callaway & Sant'Anna (2021), without covariates: for each cohort ``g`` (areas first treated in
year ``g``) and year ``t``, ``ATT(g,t)`` is a 2×2 difference in differences – the mean change of
the cohort's areas from the base year to ``t`` minus the mean change of the comparison areas over
the same years (weighted means with ``weights``). Base year: the last year before ``g`` for
``t >= g``; the year before ``t`` for ``t < g`` (the "varying" base of the R package ``did``, so
that pre-period cells are year-on-year placebo changes). Comparison areas: never treated
(``control="never"``), or never and not yet treated by ``max(t, base)`` (``"notyet"``).
Aggregations as in ``did::aggte``: ``simple`` (post cells weighted by cohort size), ``dynamic``
(by years since start, cohorts weighted by size), ``group`` (each cohort's mean over its post
years, then weighted by size); the sampling variation of the cohort shares enters their
standard errors (the "wif" term of ``did``).

Inference: analytical standard errors from the influence functions, summed within clusters
(default the area), ``sqrt(G/(G−1)·Σ_c (Σ_{i∈c} l_i)²)``, t on G−1 degrees of freedom – the same
convention as the TWFE estimates (CRV1 small-sample factor ``G/(G−1)``, t on G−1); a multiplier
(wild) bootstrap with one Rademacher draw per cluster; a pre-trend Wald test on the pre-period
cells; and randomisation inference that reassigns the cohorts among the areas (or whole clusters).

Hand-written on purpose, say why: of the maintained packages on the index, ``csdid`` 0.4.3 declares
twine, keyring, cryptography and plotnine as run-time dependencies (a packaging tool and a plotting
stack in the report environment) and ``differences`` 0.3.0 needs polars with its separate 50 MB
run-time; neither states the CRV1/t(G−1) convention used for every other number here, and without
covariates the estimator is a few weighted group means (tested against hand-computed 2×2 DiDs
and a statsmodels regression).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


@dataclass
class CSResult:
    """Group-time ATTs (``cells``) and the aggregations; ``simple`` is the headline."""

    cells: pd.DataFrame
    simple: dict
    dynamic: pd.DataFrame
    group: pd.DataFrame
    pretrend: dict
    n_areas: int
    n_clusters: int
    control: str
    areas_dropped: dict = field(default_factory=dict)
    #: the simple ATT's influence function summed per cluster (for the multiplier bootstrap)
    simple_by_cluster: np.ndarray = field(default=None, repr=False)


@dataclass
class _Data:
    """The balanced area × year outcome matrix and per-area weight, cohort and cluster."""

    Y: np.ndarray
    years: np.ndarray
    areas: np.ndarray
    w: np.ndarray
    G: np.ndarray
    cl: np.ndarray
    dropped: dict


def prepare(panel: pd.DataFrame, first: pd.DataFrame, outcome: str = "y", weights: str | None = None,
            cluster: str | None = None) -> _Data:
    """The balanced panel CS needs. Areas observed in only some years, and areas treated from the
    first year on (no pre-period), are left out and listed in ``dropped``; cohorts starting after
    the last year count as never treated (as in ``did``). An area's weight is its mean
    ``weights`` column over the years (the estimator takes one weight per area)."""
    col = "log_y" if outcome in ("log", "log_y") else "y"
    q = panel[np.isfinite(panel[col].astype(float))]
    Y = q.pivot(index="area", columns="year", values=col).sort_index()
    years = np.asarray(Y.columns, dtype=int)
    complete = Y.notna().all(axis=1)
    dropped = {"obalanserad": sorted(Y.index[~complete])}
    Y = Y[complete]
    g = Y.index.map(first.set_index("area")["first_year"]).to_numpy(dtype=float)
    g = np.nan_to_num(g, nan=0.0).astype(int)
    g[g > years.max()] = 0
    always = (g > 0) & (g <= years.min())
    dropped["behandlad_forsta_aret"] = sorted(Y.index[always])
    Y, g = Y[~always], g[~always]
    by_area = q.groupby("area")
    w = (by_area[weights].mean().reindex(Y.index).to_numpy(float) if weights else np.ones(len(Y)))
    cl_col = cluster or "area"
    cl = pd.factorize(by_area[cl_col].first().reindex(Y.index))[0] if cluster else np.arange(len(Y))
    return _Data(Y.to_numpy(float), years, np.asarray(Y.index), w, g, cl, dropped)


def _cells(d: _Data, G: np.ndarray, control: str):
    """(g, t, base) of every cell with treated and comparison areas, and each cell's masks."""
    out = []
    for g in sorted(set(G[G > 0])):
        pre = d.years[d.years < g]
        if not len(pre):
            continue
        for j, t in enumerate(d.years[1:], start=1):
            base = pre.max() if t >= g else d.years[j - 1]
            tr = G == g
            ctl = (G == 0) if control == "never" else ((G == 0) | ((G > max(t, base)) & (G != g)))
            if tr.any() and ctl.any():
                out.append((int(g), int(t), int(base), tr, ctl))
    return out


def _att(d: _Data, cell, with_l: bool = True):
    """ATT(g,t) of one cell and its influence function per area (``l``: estimate − truth ≈ Σ l)."""
    _g, t, base, tr, ctl = cell
    dy = d.Y[:, np.searchsorted(d.years, t)] - d.Y[:, np.searchsorted(d.years, base)]
    wt, wc = d.w * tr, d.w * ctl
    mt, mc = (wt @ dy) / wt.sum(), (wc @ dy) / wc.sum()
    if not with_l:
        return mt - mc, None
    return mt - mc, wt * (dy - mt) / wt.sum() - wc * (dy - mc) / wc.sum()


def _by_cluster(d: _Data, L: np.ndarray) -> np.ndarray:
    """Influence functions summed within clusters (clusters × columns)."""
    S = np.zeros((d.cl.max() + 1, len(d.cl)))
    S[d.cl, np.arange(len(d.cl))] = 1.0
    return S @ L


def _se(d: _Data, l: np.ndarray) -> float:
    lc = _by_cluster(d, l[:, None])[:, 0]
    n_cl = len(lc)
    return float(np.sqrt(n_cl / (n_cl - 1) * (lc @ lc)))


def _aggregate(d: _Data, att: np.ndarray, L: np.ndarray, groups: np.ndarray, G: np.ndarray):
    """Cohort-size weighted mean of ``att`` (cells or cohorts with cohort ``groups``) and its
    influence function, with the term for the estimated cohort shares (``did``'s ``wif``)."""
    n = len(G)
    pg = np.array([np.mean(d.w * (G == g)) for g in groups])
    omega = pg / pg.sum()
    theta = float(omega @ att)
    ind = np.column_stack([d.w * (G == g) for g in groups])  # n × k
    if1 = (ind - pg[None, :]) / pg.sum()
    if2 = np.outer((ind - pg[None, :]).sum(axis=1), pg / pg.sum() ** 2)
    wif = (if1 - if2) @ att
    return theta, L @ omega + wif / n


def _row(estimate: float, se: float, df: int, conf_level: float) -> dict:
    tcrit = stats.t.ppf(0.5 + conf_level / 2, df)
    p = float(2 * stats.t.sf(abs(estimate / se), df)) if se > 0 else float("nan")
    return {"estimate": float(estimate), "se": se, "ci_low": estimate - tcrit * se, "ci_high": estimate + tcrit * se,
            "p_value": p}


def callaway_santanna(panel: pd.DataFrame, first: pd.DataFrame, outcome: str = "y", weights: str | None = None,
                      control: str = "never", conf_level: float = 0.95, cluster: str | None = None,
                      window: tuple[int, int] | None = None) -> CSResult:
    """Group-time ATTs and their simple, dynamic and group aggregations (see the module docstring).

    ``first``: ``area, first_year`` of the treated areas; ``window`` limits the dynamic
    aggregation to years since start in ``[lo, hi]``.
    """
    if control not in ("never", "notyet"):
        raise ValueError("control: 'never' eller 'notyet'")
    d = prepare(panel, first, outcome, weights, cluster)
    cells = _cells(d, d.G, control)
    if not cells:
        raise ValueError("inga kohorter med både behandlade och jämförelseområden och ett år före start")
    res = [_att(d, c) for c in cells]
    att = np.array([a for a, _ in res])
    L = np.column_stack([l for _, l in res])
    n_cl = int(d.cl.max()) + 1
    df = n_cl - 1
    Lc = _by_cluster(d, L)
    V = n_cl / (n_cl - 1) * Lc.T @ Lc
    gs = np.array([c[0] for c in cells])
    ts = np.array([c[1] for c in cells])
    rows = []
    for k, (g, t, base, tr, ctl) in enumerate(cells):
        rows.append({"first_year": g, "year": t, "base_year": base, "relative": t - g,
                     **_row(att[k], float(np.sqrt(V[k, k])), df, conf_level),
                     "n_treated": int(tr.sum()), "n_control": int(ctl.sum()), "post": bool(t >= g)})
    post = ts >= gs
    theta, l_simple = _aggregate(d, att[post], L[:, post], gs[post], d.G)
    simple = _row(theta, _se(d, l_simple), df, conf_level)
    dyn = []
    rel = ts - gs
    for e in sorted(set(rel)):
        if window and not (window[0] <= e <= window[1]):
            continue
        keep = rel == e
        th, l_e = _aggregate(d, att[keep], L[:, keep], gs[keep], d.G)
        dyn.append({"relative": int(e), **_row(th, _se(d, l_e), df, conf_level), "n_cohorts": int(keep.sum())})
    grp, g_att, g_l = [], [], []
    for g in sorted(set(gs[post])):
        keep = post & (gs == g)
        th, l_g = float(att[keep].mean()), L[:, keep].mean(axis=1)
        g_att.append(th)
        g_l.append(l_g)
        grp.append({"first_year": int(g), **_row(th, _se(d, l_g), df, conf_level),
                    "n_treated": int((d.G == g).sum())})
    th, l_grp = _aggregate(d, np.array(g_att), np.column_stack(g_l), np.array(sorted(set(gs[post]))), d.G)
    simple["group_average"] = _row(th, _se(d, l_grp), df, conf_level)
    pre = ~post
    if pre.any():
        b, Vp = att[pre], V[np.ix_(pre, pre)]
        stat = float(b @ np.linalg.pinv(Vp) @ b) / int(pre.sum())
        pretrend = {"stat": stat, "df1": int(pre.sum()), "df2": df, "p_value": float(stats.f.sf(stat, pre.sum(), df))}
    else:
        pretrend = {"stat": float("nan"), "df1": 0, "df2": df, "p_value": float("nan")}
    return CSResult(cells=pd.DataFrame(rows), simple=simple, dynamic=pd.DataFrame(dyn), group=pd.DataFrame(grp),
                    pretrend=pretrend, n_areas=len(d.G), n_clusters=n_cl, control=control,
                    areas_dropped=d.dropped, simple_by_cluster=_by_cluster(d, l_simple[:, None])[:, 0])


def simple_att(d: _Data, G: np.ndarray, control: str) -> float:
    """The simple aggregation for cohorts ``G`` (no standard errors): the statistic of the
    randomisation inference."""
    cells = _cells(d, G, control)
    cells = [c for c in cells if c[1] >= c[0]]
    if not cells:
        return float("nan")
    att = np.array([_att(d, c, with_l=False)[0] for c in cells])
    groups = np.array([c[0] for c in cells])
    pg = np.array([np.mean(d.w * (G == g)) for g in groups])
    return float(pg @ att / pg.sum())


def multiplier_bootstrap(result: CSResult, n_boot: int = 999, seed: int | None = 0,
                         conf_level: float = 0.95) -> dict:
    """Wild (multiplier) bootstrap of the simple ATT: one Rademacher draw per cluster multiplies the
    cluster's influence function (as ``did``'s bootstrap, with the G/(G−1) factor). p-value
    ``(1 + #{|θ*| ≥ |θ|}) / (B + 1)``; symmetric interval ``θ ± q(|θ*|)``."""
    lc = result.simple_by_cluster
    n_cl = len(lc)
    rng = np.random.default_rng(seed)
    V = rng.choice(np.array([-1.0, 1.0]), size=(n_boot, n_cl))
    draws = np.sqrt(n_cl / (n_cl - 1)) * (V @ lc)
    theta = result.simple["estimate"]
    q = float(np.quantile(np.abs(draws), conf_level))
    p = (1 + np.sum(np.abs(draws) >= abs(theta) - 1e-12)) / (n_boot + 1)
    return {"estimate": theta, "p_value": float(p), "ci_low": theta - q, "ci_high": theta + q, "n_boot": n_boot,
            "estimator": "cs_simple", "method": "multiplier"}


def randomization_inference(panel: pd.DataFrame, first: pd.DataFrame, outcome: str = "y",
                            weights: str | None = None, control: str = "never", cluster: str | None = None,
                            n_perm: int = 999, seed: int | None = 0) -> dict:
    """Placebo-in-space for the simple ATT: the cohorts (first treated years, never included) are
    reassigned at random among the areas – among whole clusters when every cluster has one first
    year – and the simple ATT recomputed. Areas are in code order, so the draws do not depend on
    names. Own code because :func:`evalkit.analysis.effects.randomization_inference` permutes one
    common ``treated × post`` column, which staggered starts do not have."""
    d = prepare(panel, first, outcome, weights, cluster)
    observed = simple_att(d, d.G, control)
    rng = np.random.default_rng(seed)
    by_cluster = pd.Series(d.G).groupby(d.cl).nunique().max() == 1
    dist = np.empty(n_perm)
    for b in range(n_perm):
        if by_cluster:
            g_cl = pd.Series(d.G).groupby(d.cl).first().to_numpy()
            G = rng.permutation(g_cl)[d.cl]
        else:
            G = rng.permutation(d.G)
        dist[b] = simple_att(d, G, control)
    ok = np.isfinite(dist)
    p = (1 + np.sum(np.abs(dist[ok]) >= abs(observed) - 1e-12)) / (ok.sum() + 1)
    return {"estimate": observed, "p_value": float(p), "n_perm": int(ok.sum()), "n_areas": len(d.G),
            "n_treated": int((d.G > 0).sum()), "unit": "kluster" if (by_cluster and cluster) else "område",
            "estimator": "cs_simple"}
