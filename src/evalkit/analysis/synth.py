"""Synthetic control (Abadie, Diamond & Hainmueller 2010) – a small own implementation.

No synthetic-control package is used. pysyncon 1.7 installs here and was considered; its
``Synth`` matches on predictors with a nested optimisation of their weights ``V``, and the
intercept (demeaned) variant needed for units above every donor is not one of its estimators as
far as checked, while `evalkit analyse` runs ~90 placebo fits per borough. Switching was not
attempted. The method used (outcome-only matching, convex weights, in-space placebos) is a
constrained least-squares problem solved with :mod:`scipy.optimize`; tests check it against
exact known answers.

Model
-----
For a treated unit with outcome path ``y1[t]`` and donors ``Y0[t, j]`` (areas untouched by the
programme), choose weights ``w >= 0, sum(w) = 1`` minimising the pre-period fit
``sum_{t < start} (y1[t] − Y0[t] · w)^2``. The synthetic path ``Y0 · w`` is the estimate of what
would have happened without the programme; the gap ``y1 − Y0 · w`` after ``start`` is the
estimated effect. ``demean=True`` subtracts every unit's pre-period mean first (synthetic control
with an intercept, Ferman & Pinto 2021 / Doudchenko & Imbens 2016): needed when the treated unit
lies *above every donor* – as the programme areas do for most risk indicators – because a convex
combination can never reach its level.

Inference (in-space placebos): each donor in turn is treated as if it had been the programme
area, with the other donors as its pool; the rank of the treated unit's post/pre RMSPE ratio among
all units gives ``p = rank / (n_placebos + 1)`` (1 = most extreme).

Assumptions and caveats: the weights that reproduced the pre-period would have kept doing so
without the programme (no shock hitting the treated unit alone after ``start``: refugee reception
2015–16, COVID-19 2020); donors are untouched (Jobbtorg is city-wide); a poor pre-period fit
(large pre-RMSPE relative to the gap) makes the estimate unreliable; with 8 pre-years and ~100
donors the weights are not unique – read the gap, not the individual weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from evalkit import geography
from evalkit.programme import EFFECT_YEARS, PROGRAMME_START



def wide_outcome(tidy: pd.DataFrame, indicator: str, areas=None, years: tuple[int, int] = EFFECT_YEARS,
                 log: bool = False, min_denominator: float = 0.0) -> pd.DataFrame:
    """Year × area table of ``value`` for ``indicator`` (any area level), for :func:`synthetic_control`.

    ``areas``: codes to include (default all). Areas with any missing year are dropped (the
    method needs complete paths); ``log=True`` takes logs (areas with a value <= 0 dropped);
    areas whose denominator is below ``min_denominator`` in any year are dropped (tiny areas have
    noisy paths that an unconstrained fit happily uses to over-fit the pre-period).
    """
    t = tidy[(tidy["indicator"] == indicator) & tidy["year"].between(*years)]
    if areas is not None:
        t = t[t["area_code"].isin(set(areas))]
    if min_denominator > 0:
        small = t.loc[t["denominator"].fillna(0) < min_denominator, "area_code"]
        t = t[~t["area_code"].isin(set(small))]
    w = t.pivot_table(index="year", columns="area_code", values="value", aggfunc="first")
    w = w.reindex(range(years[0], years[1] + 1))
    if log:
        w = w.where(w > 0)
        w = np.log(w)
    w = w.dropna(axis=1, how="any")
    w.columns = w.columns.astype(str)
    w.columns.name = "area"
    w.attrs.update({"indicator": indicator, "log": log})
    return w


def fit_weights(y1: np.ndarray, Y0: np.ndarray, penalty: float = 0.0) -> np.ndarray:
    """Convex weights ``w`` (``w >= 0``, ``sum w = 1``) minimising
    ``||y1 − Y0 w||² + penalty · sum_j w_j ||y1 − Y0[:, j]||²``.

    The second term is Abadie & L'Hour's (2021) penalised synthetic control: each donor's weight
    costs its own distance from the treated path, so the fit prefers a few close donors to an
    exact fit assembled from many distant ones (with ~90 donors and 8 pre-years an unpenalised fit
    can be exact, and then the placebo test measures over-fitting). ``penalty=0`` is the classic
    estimator. Start from non-negative least squares with the sum constraint as a heavily weighted
    extra row, then polish with SLSQP (analytic gradient). Returns weights with tiny values
    (< 1e-8) set to 0 and renormalised.
    """
    y1 = np.asarray(y1, float)
    Y0 = np.asarray(Y0, float)
    J = Y0.shape[1]
    scale = max(float(np.abs(Y0).max()), float(np.abs(y1).max()), 1e-12)
    A, b = Y0 / scale, y1 / scale
    big = 1e3
    w0, _ = optimize.nnls(np.vstack([A, big * np.ones((1, J))]), np.r_[b, big])
    w0 = w0 / w0.sum() if w0.sum() > 0 else np.full(J, 1.0 / J)

    dist = penalty * np.sum((A - b[:, None]) ** 2, axis=0)

    def f(w):
        r = A @ w - b
        return r @ r + dist @ w, 2 * A.T @ r + dist

    res = optimize.minimize(f, w0, jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * J,
                            constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0,
                                          "jac": lambda w: np.ones_like(w)}],
                            options={"ftol": 1e-14, "maxiter": 500})
    w = res.x if res.success and f(res.x)[0] <= f(w0)[0] + 1e-15 else w0
    w = np.clip(w, 0, None)
    w[w < 1e-8] = 0.0
    return w / w.sum()


@dataclass
class SynthResult:
    """Result of :func:`synthetic_control` (and, after :func:`synth_placebos`, its placebo test)."""

    treated: str
    start: int
    weights: pd.Series
    observed: pd.Series
    synthetic: pd.Series
    gap: pd.Series
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    post_gap_mean: float
    demean: bool = False
    indicator: str = ""
    #: outcome scale: "level", "log" or "ratio" (see :data:`TRANSFORMS`)
    transform: str = "level"
    penalty: float = 0.0
    p_value: float | None = None
    p_value_gap: float | None = None
    n_placebos: int = 0
    #: placebos run before the pre-fit filter
    n_placebos_all: int = 0
    #: median pre-period fit error of all placebos (before the filter): how well a typical donor is
    #: followed by its own synthetic control, to judge the treated unit's fit against
    placebo_pre_rmspe_median: float = float("nan")
    placebos: pd.DataFrame | None = field(default=None, repr=False)
    placebo_gaps: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def min_p(self) -> float:
        """The smallest p-value the placebo test can give: 1 / (placebos kept + 1)."""
        return 1.0 / (self.n_placebos + 1)

    def table_sv(self) -> pd.DataFrame:
        """Year, observed, synthetic, gap – with Swedish column names."""
        return pd.DataFrame({"År": self.observed.index, "Faktiskt": self.observed.to_numpy(),
                             "Syntetisk kontroll": self.synthetic.to_numpy(), "Skillnad": self.gap.to_numpy()})


def _rmspe(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else float("nan")


def synthetic_control(wide: pd.DataFrame, treated: str, donors=None, start: int = PROGRAMME_START,
                      demean: bool = False, penalty: float = 0.0) -> SynthResult:
    """Synthetic control for one unit (a column of ``wide``, see :func:`wide_outcome`).

    ``donors``: columns to use (default all other columns). Weights are fitted on the years
    ``< start``. ``demean=True`` matches deviations from each unit's pre-period mean (allows a
    level difference; see module docstring). Returns :class:`SynthResult` with the weights
    (non-zero only, sorted), the observed, synthetic and gap paths, pre- and post-period RMSPE,
    their ratio and the mean post-period gap.
    """
    if treated not in wide.columns:
        raise ValueError(f"{treated!r} saknas i tabellen")
    donors = [c for c in (wide.columns if donors is None else donors) if c != treated and c in wide.columns]
    if not donors:
        raise ValueError("Inga jämförelseområden")
    years = wide.index.to_numpy()
    pre = years < start
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise ValueError("Behöver minst två år före och ett år efter start")
    y1 = wide[treated].to_numpy(float)
    Y0 = wide[donors].to_numpy(float)
    if demean:
        y1c = y1 - y1[pre].mean()
        Y0c = Y0 - Y0[pre].mean(axis=0)
    else:
        y1c, Y0c = y1, Y0
    w = fit_weights(y1c[pre], Y0c[pre], penalty)
    synth_c = Y0c @ w
    gap = y1c - synth_c
    synth = y1 - gap  # on the original scale (adds back the treated unit's pre-mean if demeaned)
    pre_r, post_r = _rmspe(gap[pre]), _rmspe(gap[~pre])
    # An exact pre-fit (possible with few pre-years and many donors: overfitting) would make the
    # ratio explode; floor the denominator at a tiny fraction of the outcome's spread.
    floor = 1e-3 * max(float(np.std(Y0c[pre])), 1e-12)
    weights = pd.Series(w, index=donors, name="vikt")
    weights = weights[weights > 0].sort_values(ascending=False)
    idx = pd.Index(years, name="year")
    return SynthResult(
        treated=treated, start=start, weights=weights,
        observed=pd.Series(y1, index=idx, name="observed"), synthetic=pd.Series(synth, index=idx, name="synthetic"),
        gap=pd.Series(gap, index=idx, name="gap"), pre_rmspe=pre_r, post_rmspe=post_r,
        ratio=post_r / max(pre_r, floor), post_gap_mean=float(gap[~pre].mean()),
        demean=demean, indicator=str(wide.attrs.get("indicator", "")),
        transform=str(wide.attrs.get("transform", "log" if wide.attrs.get("log") else "level")), penalty=penalty,
    )


def synth_placebos(wide: pd.DataFrame, treated: str, donors=None, start: int = PROGRAMME_START,
                   demean: bool = False, max_pre_rmspe_factor: float | None = None,
                   penalty: float = 0.0) -> SynthResult:
    """Synthetic control for ``treated`` plus in-space placebo runs for every donor.

    Each donor is in turn the "treated" unit, with the remaining donors (never the real treated
    unit) as its pool. The statistic is the post/pre RMSPE ratio; the p-value is the treated
    unit's rank among treated + placebos divided by their number, in ``[1/(J+1), 1]``.
    ``p_value_gap`` ranks ``|mean post-period gap|`` instead (less sensitive to an over-fitted,
    near-zero pre-RMSPE, which with ~8 pre-years and ~100 donors is common).
    ``max_pre_rmspe_factor`` (e.g. 5) drops placebos whose pre-RMSPE exceeds that multiple of the
    treated unit's, as Abadie et al. (2010) do – poorly fitted placebos have uninformative gaps.

    Returns the treated unit's :class:`SynthResult` with ``p_value``, ``n_placebos``,
    ``placebos`` (one row per placebo: area, pre_rmspe, post_rmspe, ratio, post_gap_mean) and
    ``placebo_gaps`` (year × placebo gap paths, for the classic "spaghetti" chart).
    """
    donors = [c for c in (wide.columns if donors is None else donors) if c != treated and c in wide.columns]
    main = synthetic_control(wide, treated, donors, start, demean, penalty)
    rows, gaps = [], {}
    for d in donors:
        pool = [c for c in donors if c != d]
        r = synthetic_control(wide, d, pool, start, demean, penalty)
        rows.append((d, r.pre_rmspe, r.post_rmspe, r.ratio, r.post_gap_mean))
        gaps[d] = r.gap
    pl = pd.DataFrame(rows, columns=["area", "pre_rmspe", "post_rmspe", "ratio", "post_gap_mean"])
    main.n_placebos_all = len(pl)
    main.placebo_pre_rmspe_median = float(pl["pre_rmspe"].median()) if len(pl) else float("nan")
    if max_pre_rmspe_factor is not None:
        # floor: an (over-)exact treated fit must not filter away every placebo
        limit = max_pre_rmspe_factor * max(main.pre_rmspe, 1e-3 * float(np.nanstd(wide[donors].to_numpy())))
        pl = pl[pl["pre_rmspe"] <= limit]
    ratios = pl["ratio"].to_numpy()
    main.p_value = float((1 + np.sum(ratios >= main.ratio * (1 - 1e-9))) / (len(ratios) + 1))
    gaps_abs = pl["post_gap_mean"].abs().to_numpy()
    main.p_value_gap = float((1 + np.sum(gaps_abs >= abs(main.post_gap_mean) * (1 - 1e-9))) / (len(ratios) + 1))
    main.n_placebos = len(pl)
    main.placebos = pl.reset_index(drop=True)
    main.placebo_gaps = pd.DataFrame(gaps)[list(pl["area"])]
    return main


def donor_pool(borough: str, exclude=()) -> list[str]:
    """Donor stadsdelar for a programme borough's synthetic control.

    Every stadsdel outside *every* programme borough (era 2007, not only outside the treated one:
    a programme borough's non-programme stadsdelar share its administration and its programme
    work) and outside ``exclude`` (the earlier-work areas, :func:`earlier_work_areas`)."""
    s = geography.stadsdelar()
    keep = ~s["stadsdel_code"].isin(set(geography.programme_stadsdelar()) | set(exclude))
    keep &= ~s[geography.borough_column()].isin(set(geography.programme_boroughs()) | {borough})
    return sorted(s.loc[keep, "stadsdel_code"])


def earlier_work_areas(cohort_table: pd.DataFrame) -> list[str]:
    """Every stadsdel of an earlier-work initiative and every stadsdel of a borough (era 2007)
    that holds one (``cohorts.csv``): none of them is untouched by area-based work."""
    areas = set(cohort_table["area_code"])
    s = geography.stadsdelar()
    boroughs = set(s.loc[s["stadsdel_code"].isin(areas), geography.borough_column()])
    return sorted(areas | set(s.loc[s[geography.borough_column()].isin(boroughs), "stadsdel_code"]))


#: Placebos whose pre-period fit is worse than this multiple of the treated unit's pre-RMSPE are
#: left out of the rank test (Abadie, Diamond & Hainmueller 2010 use 2, 5 and 20).
PRE_FIT_FACTOR = 5.0
#: Scale-free outcomes, the first is the one drawn: ``log`` (log value, each unit's pre-period
#: mean removed: gaps in log points ≈ relative change) and ``ratio`` (value over the unit's own
#: pre-period mean, minus 1). A gap in percentage points would compare boroughs at 5–15 % with
#: donors at ~2.5 % on an absolute scale (issue 24).
TRANSFORMS = ("log", "ratio")
#: Penalty of the penalised fit (:func:`fit_weights`), on outcomes scaled to their largest value.
PENALTY = 0.1
#: Level of the placebo test used to compare the two transforms.
ALPHA = 0.05


def headline_transform(results: dict) -> str | None:
    """The transform whose result leads, or None when the scale-free versions disagree (gaps of
    opposite sign, or one below ``ALPHA`` and the other not): then no synthetic-control result is
    headlined."""
    items = [results[t] for t in TRANSFORMS if t in results]
    if len(items) < 2:
        return TRANSFORMS[0] if items else None
    signs = {np.sign(r.post_gap_mean) for r in items}
    sig = {bool(r.p_value_gap is not None and r.p_value_gap < ALPHA) for r in items}
    return TRANSFORMS[0] if len(signs) == 1 and len(sig) == 1 else None


#: A control whose pre-period fit error is more than this multiple of a typical placebo's does not
#: follow its area: its gap is not read as a finding (:func:`reading_code`).
POOR_FIT_FACTOR = 2.0
#: Reading codes of a stored synthetic-control summary row (:func:`reading_code`; worded in
#: evalkit.present.effects).
READINGS = ("poor_fit", "scales_differ", "clear", "unclear")


def reading_code(row) -> str:
    """What one stored ``synth_summary`` row may be called (:data:`READINGS`): ``poor_fit`` when the
    control followed the area much worse before the start than a typical placebo's
    (:data:`POOR_FIT_FACTOR`), ``scales_differ`` when the log and ratio scales disagree
    (``agree``), else ``clear`` or ``unclear`` by the placebo test's p at :data:`ALPHA`."""
    typical = row.get("pre_rmspe_placebo_median", np.nan)
    if pd.notna(typical) and row["pre_rmspe"] > POOR_FIT_FACTOR * typical:
        return "poor_fit"
    if not bool(row.get("agree", True)):
        return "scales_differ"
    return "clear" if row["p_value_gap"] < ALPHA else "unclear"


def _transformed(wide: pd.DataFrame, transform: str, start: int) -> pd.DataFrame:
    """``wide`` on the scale of ``transform`` (``level``, ``log`` or ``ratio``)."""
    pre = wide.index < start
    if transform == "level":
        out = wide.copy()
    elif transform == "log":
        out = np.log(wide.where(wide > 0)).dropna(axis=1, how="any")
    elif transform == "ratio":
        base = wide[pre].mean()
        out = (wide / base.where(base > 0) - 1).dropna(axis=1, how="any")
    else:
        raise ValueError(f"transform: level, log eller ratio, inte {transform!r}")
    out.attrs.update(wide.attrs)
    out.attrs["transform"] = transform
    return out


def programme_borough_synth(tidy: pd.DataFrame, indicator: str, borough: str,
                            years: tuple[int, int] = EFFECT_YEARS, start: int = PROGRAMME_START,
                            demean: bool = True, transform: str = "log", placebos: bool = True,
                            max_pre_rmspe_factor: float | None = PRE_FIT_FACTOR,
                            min_denominator: float = 1000.0, exclude=(), penalty: float = PENALTY,
                            log: bool = False) -> SynthResult:
    """Synthetic control for a programme borough (era 2007, e.g. ``"sdo-rinkeby-kista"``).

    Treated path: the borough's own row in the tidy table (sums of numerators and denominators of
    its stadsdelar). Donors: :func:`donor_pool` (outside every programme borough and ``exclude``)
    with complete series and a denominator of at least ``min_denominator`` every year (default
    1 000: tiny areas only add noise). Outcome on a scale-free ``transform`` (:data:`TRANSFORMS`;
    ``log=True`` is the old spelling of ``transform="log"``), each unit's pre-period mean removed
    (``demean``), weights by the penalised fit (:data:`PENALTY`) so that no pre-fit is exact.

    Inference: in-space placebos among the donors, keeping only those whose pre-RMSPE is at most
    ``max_pre_rmspe_factor`` times the treated unit's (default 5); ``p_value_gap`` (rank of the
    mean post-period gap) is the headline p-value, and ``min_p`` = 1/(placebos kept + 1) is the
    smallest it can be.
    """
    if borough not in geography.programme_boroughs():
        raise ValueError(f"{borough!r} är inte en programstadsdelsområde (indelning 2007)")
    transform = "log" if log else transform
    donor_codes = donor_pool(borough, exclude)
    wide = wide_outcome(tidy, indicator, areas=[borough, *donor_codes], years=years,
                        min_denominator=min_denominator)
    wide = _transformed(wide, transform, start)
    if borough not in wide.columns:
        raise ValueError(f"{borough!r} saknar en fullständig serie på skalan {transform!r}")
    donors = [c for c in wide.columns if c != borough]
    fn = synth_placebos if placebos else synthetic_control
    kw = {"max_pre_rmspe_factor": max_pre_rmspe_factor} if placebos else {}
    return fn(wide, borough, donors, start, demean, penalty=penalty, **kw)
