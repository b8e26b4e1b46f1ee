"""Robustness of the social risk index: method variants, parametric bootstrap, rank intervals, funnels.

An index rank is a point estimate that depends both on **data noise** (a share of 12 of 150
pupils is not a precise rate) and on **method choices** (weights, aggregation, which indicators).
Following the uncertainty/sensitivity analysis of the OECD/JRC *Handbook on Constructing
Composite Indicators* (ch. 7), this module recomputes the index under

* method variants (:func:`variant_table`; Swedish labels in :mod:`evalkit.present.risk`): the base index (:func:`evalkit.analysis.index.
  social_risk_index` defaults: weights from the config, equal weight per domain, arithmetic
  means); equal weight per indicator (``weighting="indicator"``); geometric aggregation; each
  indicator left out in turn (its domain renormalised, or dropped if it was the only one); and
  weights perturbed by Dirichlet noise ``w' = sum(w) * Dirichlet(c * w / sum(w))`` (relative
  sd of a weight ≈ sqrt((1 - p_k) / (p_k (c + 1))), p_k = w_k / sum w; c =
  ``weight_concentration``);
* a **parametric bootstrap of the counts** with a seeded :class:`numpy.random.Generator`:
  for each stadsdel and indicator, the numerator is redrawn as ``Binomial(n = denominator,
  p = numerator / denominator)`` for shares (catalogue ``kind == "andel"``) and as
  ``Poisson(numerator)`` for rates and means (``kvot``, ``medel``: crimes, sickness days). Means
  like sickness days are overdispersed, so Poisson understates their noise (intervals are then
  too narrow, never too wide). Denominators are held fixed. Only published counts are used:
  a stadsdel whose count is suppressed is not drawn on its own; each aggregate's hidden part
  (its published total minus its published stadsdelar, same membership as the table) is drawn
  as one remainder unit, and so is the city's. Boroughs, groups and the city are re-aggregated
  from the simulated units (sums of numerators over sums of denominators), so each replicate's
  totals have the published totals as expectation, and with a moving reference the city rate
  varies with the draw as well. With a fixed reference the base-year city rate is held at its
  observed value.

:func:`rank_intervals` combines both sources: each bootstrap replicate draws new counts *and*
a method (weighting domain/indicator with probability 1/2 each, arithmetic/geometric 1/2 each,
no exclusion with probability 1/2 else one indicator left out uniformly, and perturbed weights)
and ranks the areas of one level (1 = highest index = most risk). Per area it reports the
median rank and the 90 % rank band ``rank_low``–``rank_high`` (5 % and 95 % quantiles by the
inverted empirical CDF, so they are attained ranks), together with the rank range over the
deterministic variants from :func:`variant_table`; :func:`evalkit.present.risk.rank_sentence_sv`
turns a row into a Swedish sentence. Areas without a complete index in the observed (published) data take part in
no replicate's ranking (masked before ranking, not after), so every rank lies in 1..n_ranked.

:func:`funnel_data` gives the data of a funnel plot (rate against denominator with control
limits around the city rate), both the plain limits and limits that allow for overdispersion
(:func:`overdispersion`, Spiegelhalter 2005).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from evalkit import aggregate, programme
from evalkit.analysis import index
from evalkit.geography import PROGRAMME_ERA

BASE = "bas"
LEAVE_OUT_PREFIX = "utan_"
UNCERTAINTY = ("both", "data", "method")
#: Probability content of the bootstrap rank band (``rank_low``–``rank_high``: the 5 % and 95 % quantiles).
COVERAGE = 0.90
RANK_COLUMNS = ("rank", "rank_low", "rank_high", "rank_median", "rank_min_variant", "rank_max_variant")


# --- data preparation ----------------------------------------------------------------------

def _catalogue() -> pd.DataFrame:
    return programme.indicator_catalogue()


def _models(inds: list[str], catalogue: pd.DataFrame | None) -> np.ndarray:
    cat = (_catalogue() if catalogue is None else catalogue).set_index("indicator")
    kind = cat["kind"].reindex(inds)
    return np.where(kind == "andel", "binomial", "poisson")


class Prepared:
    """A tidy table split once for many :func:`rank_intervals` calls (every year and level of
    `evalkit analyse`): its first row per area and its rows per year.

    Pure speed: :func:`rank_intervals` and :func:`variant_table` take it wherever they take
    ``tidy`` and give the same numbers; without it each call filtered the whole table again
    (a boolean mask over every row per year and level, and the per-area metadata twice)."""

    def __init__(self, tidy: pd.DataFrame):
        self.tidy = tidy
        self.meta = tidy.drop_duplicates("area_code").set_index("area_code")
        # groupby keeps each year's rows in table order with their labels: the same frame as a mask
        self.by_year = {int(y): g for y, g in tidy.groupby("year", sort=False)}

    def years(self, years: set[int]) -> pd.DataFrame:
        """The rows of ``years`` in table order (as ``tidy[tidy["year"].isin(years)]``)."""
        if len(years) == 1:
            (y,) = years
            if y in self.by_year:
                return self.by_year[y]
        return self.tidy[self.tidy["year"].isin(years)]


def _prepared(tidy) -> Prepared:
    return tidy if isinstance(tidy, Prepared) else Prepared(tidy)


class _Setup:
    """Arrays for one year and level: stadsdel counts, membership, observed ratios."""

    def __init__(self, tidy, year, level, config, reference, base_year, era, catalogue):
        self.config = index.load_index_config() if config is None else index._check_config(config)
        cfg = self.config
        self.inds = list(cfg["indicator"])
        self.domains = list(dict.fromkeys(cfg["domain"]))
        self.dom_idx = np.array([self.domains.index(d) for d in cfg["domain"]])
        self.onehot = (self.dom_idx[None, :] == np.arange(len(self.domains))[:, None]).astype(float)
        self.weights = cfg["weight"].to_numpy(float)
        self.reversal = cfg["reversal"].to_numpy(object)
        self.models = _models(self.inds, catalogue)
        self.reference = reference
        self.year = int(year)
        prepared = _prepared(tidy)
        tidy = prepared.tidy
        meta = prepared.meta

        # observed ratios through the public API
        years = {self.year} | ({base_year} if reference == "fixed" else set())
        sub = prepared.years(years)
        ratios = index.indicator_ratios(sub, cfg, reference=reference, base_year=base_year)
        ratios = ratios[ratios["year"] == self.year]
        codes = sorted(set(meta.index[meta["area_level"] == level]))
        self.areas = codes
        self.area_names = meta["area_name"].reindex(codes).to_numpy()
        self.level = level
        self.X0 = (ratios.pivot(index="area_code", columns="indicator", values="ratio")
                   .reindex(index=codes, columns=self.inds).to_numpy(float))

        # Units whose numerators are redrawn: the published stadsdelar, plus (for a level of
        # aggregates) one remainder per area = its published total minus its published
        # stadsdelar, plus one remainder for the city. The remainders hold exactly what
        # suppression hides, so every replicate's area and city totals have the *published*
        # totals as expectation – the same table and membership as the point estimate – and
        # nothing hidden is needed. (A remainder drawn as one unit has at least the variance
        # of its hidden stadsdelar drawn separately, so intervals err wide, not narrow.)
        self.sd_codes = sorted(set(meta.index[meta["area_level"] == "stadsdel"]))
        self._wide = self._usable_counts(sub, set(self.sd_codes) | set(codes) | {index.CITY})
        sd_num, sd_den = self._counts(self.sd_codes)
        if level == "stadsdel":
            M_sd = (np.array(codes)[:, None] == np.array(self.sd_codes)[None, :]).astype(float)
            rem_num = rem_den = np.zeros((0, len(self.inds)))
        else:
            M_sd = np.zeros((len(codes), len(self.sd_codes)))
            mem = aggregate.membership(era)
            mem = mem[mem["group_level"] == level]
            pos = {c: i for i, c in enumerate(self.sd_codes)}
            apos = {c: i for i, c in enumerate(codes)}
            for g, s in zip(mem["group_code"], mem["stadsdel_code"]):
                if g in apos and s in pos:
                    M_sd[apos[g], pos[s]] = 1.0
            area_num, area_den = self._counts(codes)
            rem_num = _remainder(area_num, M_sd @ sd_num, codes)
            rem_den = _remainder(area_den, M_sd @ sd_den, codes)
            # an area without a published total gets no index; its hidden counts stay in the city remainder
            gone = area_den <= 0
            rem_num[gone] = rem_den[gone] = 0.0
        city_num, city_den = self._counts([index.CITY])
        if city_den.sum() > 0:
            city_rem_num = _remainder(city_num, sd_num.sum(0) + rem_num.sum(0), [index.CITY])
            city_rem_den = _remainder(city_den, sd_den.sum(0) + rem_den.sum(0), [index.CITY])
            city_rem_num[city_den <= 0] = city_rem_den[city_den <= 0] = 0.0
        else:  # no published city row: the city in a replicate is the sum of what is published
            city_rem_num = city_rem_den = np.zeros((1, len(self.inds)))
        self.num = np.vstack([sd_num, rem_num, city_rem_num])
        self.den = np.vstack([sd_den, rem_den, city_rem_den])
        self.ok = self.den > 0
        M_rem = np.eye(len(codes)) if len(rem_num) else np.zeros((len(codes), 0))
        self.M = np.hstack([M_sd, M_rem, np.zeros((len(codes), 1))])   # areas x units (city remainder last)
        if reference == "fixed":
            city = tidy[(tidy["area_code"] == index.CITY) & (tidy["year"] == base_year)]
            r = index._rates(city, cfg).set_index("indicator")["rate"].reindex(self.inds).to_numpy(float)
            self.fixed_ref = index.reverse_rates(r, self.reversal)

    def _usable_counts(self, sub: pd.DataFrame, codes: set[str]) -> dict[str, pd.DataFrame]:
        """This year's usable (as in index._rates) numerators and denominators of ``codes``, each
        area × indicator: pivoted once for the stadsdelar, the areas of the level and the city."""
        rows = sub[sub["area_code"].isin(codes) & (sub["year"] == self.year)]
        rows = rows.loc[index._rates(rows, self.config).index]
        return {col: rows.pivot(index="area_code", columns="indicator", values=col)
                for col in ("numerator", "denominator")}

    def _counts(self, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Published numerators and denominators ``[len(codes), K]`` of this year (0 where unusable)."""
        def wide(col):
            return self._wide[col].reindex(index=codes, columns=self.inds).to_numpy(float)
        num, den = wide("numerator"), wide("denominator")
        ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
        return np.where(ok, num, 0.0), np.where(ok, den, 0.0)

    def simulate(self, n_boot: int, rng: np.random.Generator) -> np.ndarray:
        """Bootstrap ratios ``[n_boot, A, K]`` from redrawn numerators of the units (published
        stadsdelar, hidden remainders of the areas and of the city)."""
        binom = (self.models == "binomial")[None, :] & self.ok
        p = np.where(binom, self.num / np.where(self.den > 0, self.den, 1), 0.0)
        n = np.round(self.den).astype(np.int64)
        draw_b = rng.binomial(np.where(binom, n, 0), np.clip(p, 0, 1), size=(n_boot, *self.num.shape))
        draw_p = rng.poisson(np.where(~binom & self.ok, self.num, 0.0), size=(n_boot, *self.num.shape))
        sim = np.where(binom, draw_b, draw_p).astype(float)
        area_num = np.einsum("as,bsk->bak", self.M, sim)
        area_den = self.M @ self.den
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(area_den > 0, area_num / np.where(area_den > 0, area_den, 1), np.nan)
            city_rate = sim.sum(axis=1) / self.den.sum(axis=0)
        rate = index.reverse_rates(rate, self.reversal)
        if self.reference == "moving":
            ref = index.reverse_rates(city_rate, self.reversal)[:, None, :]
        else:
            ref = self.fixed_ref[None, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            X = rate / ref * 100
        return np.where(np.isnan(self.X0)[None], np.nan, X)


def _remainder(total: np.ndarray, published_parts: np.ndarray, codes) -> np.ndarray:
    """``total - published_parts`` (what suppression hides inside each total); 0 where it has no total.

    A clearly negative remainder means the totals were not summed over this membership (another
    era, another table): then no replicate could reproduce the point estimate, so stop.
    """
    rem = np.where(total > 0, total - published_parts, 0.0)
    tol = 1e-6 * np.maximum(np.abs(total), 1.0)
    bad = (rem < -tol).any(axis=1)
    if bad.any():
        raise ValueError("summorna för " + ", ".join(np.asarray(codes)[bad][:5])
                         + " är mindre än summan av deras publicerade stadsdelar – fel indelning (era)?")
    return np.maximum(rem, 0.0)


def _totals(X: np.ndarray, W: np.ndarray, onehot: np.ndarray, aggregation: str,
            weighting: str) -> np.ndarray:
    """Index totals ``[B, A]`` from ratios ``X [B, A, K]`` and weights ``W [B, K]`` (0 = left out).

    Same formulas as :func:`evalkit.analysis.index.social_risk_index`; NaN when an included
    indicator is missing.
    """
    active = W > 0
    miss = np.isnan(X) & active[:, None, :]
    Xc = np.where(np.isnan(X), 100.0, X)
    if aggregation == "geometric":
        Y = np.log(np.maximum(Xc, index.GEOMETRIC_FLOOR) / 100)
    else:
        Y = Xc - 100
    if weighting == "domain":
        Wd = W[:, None, :] * onehot[None, :, :]              # [B, D, K]
        wsum = Wd.sum(-1)                                     # [B, D]
        dom_on = wsum > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            dscore = np.einsum("bak,bdk->bad", Y, Wd) / np.where(dom_on, wsum, 1)[:, None, :]
        m = np.where(dom_on[:, None, :], dscore, 0).sum(-1) / dom_on.sum(-1)[:, None]
    else:
        m = np.einsum("bak,bk->ba", Y, W) / W.sum(-1)[:, None]
    tot = 100 * np.exp(m) if aggregation == "geometric" else 100 + m
    return np.where(miss.any(-1), np.nan, tot)


def _ranks(T: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest; NaN stays NaN (ties: stable by area order)."""
    key = np.where(np.isnan(T), -np.inf, T)
    order = np.argsort(-key, axis=-1, kind="stable")
    ranks = np.empty_like(T)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1, T.shape[-1] + 1, dtype=float), T.shape),
                      axis=-1)
    return np.where(np.isnan(T), np.nan, ranks)


def _perturbed(weights: np.ndarray, n: int, concentration: float, rng: np.random.Generator) -> np.ndarray:
    pos = weights > 0
    out = np.zeros((n, len(weights)))
    alpha = concentration * weights[pos] / weights[pos].sum()
    out[:, pos] = rng.dirichlet(alpha, size=n) * weights[pos].sum()
    return out


def _deterministic_variants(setup: _Setup) -> list[tuple[str, str, str, np.ndarray]]:
    w = setup.weights
    out = [(BASE, "arithmetic", "domain", w), ("lika_vikt_per_indikator", "arithmetic", "indicator", w),
           ("geometrisk", "geometric", "domain", w)]
    for k, ind in enumerate(setup.inds):
        wk = w.copy()
        wk[k] = 0.0
        out.append((LEAVE_OUT_PREFIX + ind, "arithmetic", "domain", wk))
    return out


# --- public API ----------------------------------------------------------------------------

def variant_table(tidy: pd.DataFrame, year: int, level: str = "stadsdel", config: pd.DataFrame | None = None,
                  reference: str = "moving", base_year: int = index.DEFAULT_BASE_YEAR,
                  n_weight_draws: int = 200, weight_concentration: float = 40.0, seed: int = 0,
                  era: str = PROGRAMME_ERA, catalogue: pd.DataFrame | None = None,
                  _setup: _Setup | None = None) -> pd.DataFrame:
    """Index total and rank of each area of ``level`` in ``year`` under each method variant (no data noise).

    Long table: ``area_code, area_name, area_level, year, variant, total, rank, n_ranked``
    (Swedish variant labels: :func:`evalkit.present.risk.variant_label_sv`). Variants: ``bas``, ``lika_vikt_per_indikator``, ``geometrisk``, one
    ``utan_<indicator>`` per config indicator (so 3 + K deterministic variants) and
    ``storda_vikter`` (``n_weight_draws`` Dirichlet-perturbed weight vectors: ``total`` is the
    mean total over the draws and ``rank`` the median rank). Ranks: 1 = highest index among the
    areas of the level with a complete *base* index (an area missing an indicator gets no total
    and no rank in any variant, even one that leaves that indicator out; ``n_ranked`` is the same
    for every variant); ``bas`` equals :func:`index.social_risk_index`. ``tidy`` may be a
    :class:`Prepared` table; ``_setup``: the arrays :func:`rank_intervals` already built for the
    same arguments (built here when not given).
    """
    setup = _setup or _Setup(tidy, year, level, config, reference, base_year, era, catalogue)
    X = setup.X0[None]
    # A variant that leaves out an area's missing (e.g. suppressed) indicator could compute a total
    # for it; only areas with a complete base index are ranked, so every variant ranks the same areas.
    complete = np.isfinite(_totals(X, setup.weights[None], setup.onehot, "arithmetic", "domain")[0])
    n_ranked = int(complete.sum())
    rows = []
    def emit(variant, tot, rank):
        rows.append(pd.DataFrame({"area_code": setup.areas, "area_name": setup.area_names, "area_level": level,
                                  "year": setup.year, "variant": variant,
                                  "total": tot, "rank": rank, "n_ranked": n_ranked}))
    for name, agg, wt, w in _deterministic_variants(setup):
        tot = np.where(complete, _totals(X, w[None], setup.onehot, agg, wt)[0], np.nan)
        emit(name, tot, _ranks(tot))
    if n_weight_draws > 0:
        rng = np.random.default_rng(seed)
        W = _perturbed(setup.weights, n_weight_draws, weight_concentration, rng)
        tots = _totals(np.broadcast_to(X, (n_weight_draws, *X.shape[1:])), W, setup.onehot, "arithmetic", "domain")
        tots = np.where(complete[None], tots, np.nan)
        ranks = _ranks(tots)
        med = np.where(np.isnan(ranks[0]), np.nan, _quantile(ranks, 0.5))
        emit("storda_vikter", tots.mean(axis=0), med)
    out = pd.concat(rows, ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out


def _quantile(ranks: np.ndarray, q: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        filled = np.where(np.isnan(ranks), np.inf, ranks)
        return np.quantile(filled, q, axis=0, method="inverted_cdf")


def rank_intervals(tidy: pd.DataFrame, year: int, level: str = "stadsdel", n_boot: int = 200, seed: int = 0,
                   config: pd.DataFrame | None = None, reference: str = "moving",
                   base_year: int = index.DEFAULT_BASE_YEAR, uncertainty: str = "both",
                   weight_concentration: float = 40.0, era: str = PROGRAMME_ERA,
                   catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Median rank and 90 % rank band per area of ``level`` in ``year`` (see module docstring).

    ``uncertainty``: ``"both"`` (counts redrawn and a random method per replicate), ``"data"``
    (counts redrawn, base method) or ``"method"`` (observed counts, random method). Columns:
    ``area_code, area_name, level, year, total, rank`` (base index and its rank),
    ``rank_low, rank_high`` (5 % and 95 % quantiles over the ``n_boot`` replicates),
    ``coverage`` (0.9, the band's probability content), ``rank_median``,
    ``rank_min_variant, rank_max_variant`` (over the deterministic variants of
    :func:`variant_table`), ``n_ranked, n_boot`` (worded by :func:`evalkit.present.risk.rank_sentence_sv`). Only areas
    with a complete index are ranked, in the point estimate and in every replicate and variant,
    so every rank lies in ``1..n_ranked``. Sorted by rank; areas without a complete index are
    last with no rank of any kind. Seeded: the same ``seed`` gives the same table. ``tidy`` may be
    a :class:`Prepared` table (many years and levels of one table: the same numbers, faster).
    """
    if uncertainty not in UNCERTAINTY:
        raise ValueError(f"uncertainty måste vara en av {UNCERTAINTY}, fick {uncertainty!r}")
    setup = _Setup(tidy, year, level, config, reference, base_year, era, catalogue)
    rng = np.random.default_rng(seed)
    K = len(setup.inds)
    if uncertainty == "method":
        X = np.broadcast_to(setup.X0[None], (n_boot, *setup.X0.shape))
    else:
        X = setup.simulate(n_boot, rng)
    if uncertainty == "data":
        W = np.broadcast_to(setup.weights, (n_boot, K)).copy()
        weighting = np.zeros(n_boot, dtype=int)
        geometric = np.zeros(n_boot, dtype=bool)
    else:
        W = _perturbed(setup.weights, n_boot, weight_concentration, rng)
        weighting = rng.integers(0, 2, n_boot)
        geometric = rng.integers(0, 2, n_boot).astype(bool)
        leave = np.where(rng.random(n_boot) < 0.5, -1, rng.integers(0, K, n_boot))
        W[np.arange(n_boot)[leave >= 0], leave[leave >= 0]] = 0.0
    point_tot = _totals(setup.X0[None], setup.weights[None], setup.onehot, "arithmetic", "domain")[0]
    point = _ranks(point_tot)
    valid = ~np.isnan(point)
    T = np.full((n_boot, len(setup.areas)), np.nan)
    for wt in (0, 1):
        for geo in (False, True):
            sel = (weighting == wt) & (geometric == geo)
            if sel.any():
                T[sel] = _totals(X[sel], W[sel], setup.onehot, "geometric" if geo else "arithmetic",
                                 "indicator" if wt else "domain")
    # Masked *before* ranking: a replicate that leaves out an area's missing indicator would give
    # it a total, and ranking it would push the others beyond n_ranked.
    ranks = _ranks(np.where(valid[None], T, np.nan))
    # the same arguments as this setup's: its arrays are reused rather than built a second time
    variants = variant_table(tidy, year, level, config=setup.config, reference=reference, base_year=base_year,
                             n_weight_draws=0, era=era, catalogue=catalogue, _setup=setup)
    vr = variants.pivot(index="area_code", columns="variant", values="rank").reindex(setup.areas).astype(float)
    tail = (1 - COVERAGE) / 2
    out = pd.DataFrame({
        "area_code": setup.areas, "area_name": setup.area_names, "level": level, "year": setup.year,
        "total": point_tot, "rank": point,
        "rank_low": np.where(valid, _quantile(ranks, tail), np.nan),
        "rank_high": np.where(valid, _quantile(ranks, 1 - tail), np.nan),
        "coverage": COVERAGE,
        "rank_median": np.where(valid, _quantile(ranks, 0.5), np.nan),
        # an area without a published index gets no rank of any kind (a variant that drops the
        # indicator with the hidden input would otherwise rank it)
        "rank_min_variant": np.where(valid, vr.min(axis=1).to_numpy(), np.nan),
        "rank_max_variant": np.where(valid, vr.max(axis=1).to_numpy(), np.nan),
        "n_ranked": int(valid.sum()), "n_boot": n_boot,
    })
    for col in RANK_COLUMNS:
        out[col] = pd.array(np.where(np.isfinite(out[col]), out[col], np.nan), dtype="Float64").astype("Int64")
    return out.sort_values(["rank", "area_code"], na_position="last").reset_index(drop=True)


# --- funnel plot data --------------------------------------------------------------------------

def funnel_limits(reference_rate: float, denominators, model: str, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided control limits (as rates) for ``coverage`` (e.g. 0.95, 0.998) around ``reference_rate``.

    Exact quantiles with Spiegelhalter's (2005) interpolation: for ``p = (1 ± coverage) / 2``,
    ``r_p = F^-1(p)``, ``a = (F(r_p) - p) / (F(r_p) - F(r_p - 1))`` and limit ``(r_p - a) / n``
    with ``F`` the Binomial(n, p0) (``model="binomial"``) or Poisson(n p0) (``"poisson"``) CDF.
    NaN for ``n <= 0``.
    """
    n = np.asarray(denominators, dtype=float)
    ok = n > 0
    nn = np.where(ok, n, 1.0)
    if model == "binomial":
        dist = stats.binom(np.round(nn).astype(np.int64), reference_rate)
    elif model == "poisson":
        dist = stats.poisson(nn * reference_rate)
    else:
        raise ValueError(f"model måste vara 'binomial' eller 'poisson', fick {model!r}")
    out = []
    for p in ((1 - coverage) / 2, (1 + coverage) / 2):
        r = dist.ppf(p)
        f, fm = dist.cdf(r), dist.cdf(r - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(f > fm, (f - p) / (f - fm), 0.0)
        out.append(np.where(ok, np.maximum(r - a, 0) / nn, np.nan))
    return out[0], out[1]


#: Share of z-scores winsorised at each end before overdispersion is estimated (Spiegelhalter 2005: 10 %).
WINSOR_SHARE = 0.10


def overdispersion(rates, denominators, reference_rate: float, model: str,
                   winsor: float = WINSOR_SHARE) -> tuple[float, float]:
    """Overdispersion of rates around ``reference_rate``: Spiegelhalter's multiplicative factor
    ``phi`` and additive random-effects variance ``tau2`` (on the rate scale).

    Spiegelhalter D J (2005), "Handling over-dispersion of performance indicators", *Qual Saf
    Health Care* 14: 347–351: z-scores ``z_i = (y_i - p0) / s_i`` with ``s_i² = p0 (1 - p0) / n_i``
    (binomial) or ``p0 / n_i`` (Poisson); the lowest and highest ``winsor`` share of them are set
    to the ``winsor`` and ``1 - winsor`` quantiles; ``phi = mean(z_w²)``; with ``w_i = 1 / s_i²``,
    ``tau2 = max(0, (I phi - (I - 1)) / (sum w - sum w² / sum w))``. With many large areas the
    additive limits ``p0 ± z sqrt(s_i² + tau2)`` are the ones to use: multiplying the width by
    ``sqrt(phi)`` still leaves big areas outside for differences no one would act on. Written
    here because no maintained Python package computes it; the tests check it by hand.
    """
    n = np.asarray(denominators, dtype=float)
    y = np.asarray(rates, dtype=float)
    ok = (n > 0) & np.isfinite(y)
    n, y = n[ok], y[ok]
    if model == "binomial":
        var = reference_rate * (1 - reference_rate) / n
    elif model == "poisson":
        var = reference_rate / n
    else:
        raise ValueError(f"model måste vara 'binomial' eller 'poisson', fick {model!r}")
    if len(n) < 2 or not (var > 0).all():
        return float("nan"), float("nan")
    z = (y - reference_rate) / np.sqrt(var)
    low, high = np.quantile(z, [winsor, 1 - winsor])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    w = 1 / var
    units = len(z)
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return phi, float(tau2)


def funnel_data(tidy: pd.DataFrame, indicator: str, year: int, level: str = "stadsdel",
                catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Data for a funnel plot of ``indicator`` in ``year`` for the areas of ``level``.

    Columns: ``area_code, area_name, area_level, indicator, year, numerator, denominator, value``
    (rate on the indicator's scale, e.g. percent), ``reference_value`` (the city's rate, sums of
    numerators over sums of denominators), ``model`` (``binomial`` for shares, ``poisson`` for
    rates and means), ``lower_95, upper_95, lower_998, upper_998`` (control limits on the same
    scale, :func:`funnel_limits`), ``outside_95`` and ``outside_998`` (``"över"``, ``"under"`` or
    ``""``); ``phi`` and ``tau2`` (:func:`overdispersion`) with ``lower_95_od`` … ``upper_998_od``
    and ``outside_95_od``, ``outside_998_od``: the same limits widened by the additive
    random-effects variance ``tau2`` (normal approximation). An area outside the 99.8 % limits differs from the city by more than chance under
    the model (about 1 in 500 areas would by chance alone); means such as sickness days are
    overdispersed, so for them the Poisson limits are too narrow. Rows without a usable rate are
    dropped.
    """
    cat = (_catalogue() if catalogue is None else catalogue).set_index("indicator")
    if indicator not in cat.index:
        raise ValueError(f"okänd indikator {indicator!r}")
    scale = float(cat.loc[indicator, "scale"])
    model = "binomial" if cat.loc[indicator, "kind"] == "andel" else "poisson"
    rows = tidy[(tidy["indicator"] == indicator) & (tidy["year"] == year)]
    city = rows[rows["area_code"] == index.CITY]
    if city.empty or pd.isna(city["denominator"].iloc[0]) or not city["denominator"].iloc[0] > 0:
        raise ValueError(f"staden saknar värde för {indicator} {year}")
    p0 = float(city["numerator"].iloc[0] / city["denominator"].iloc[0])
    rows = rows[(rows["area_level"] == level) & (rows["status"].fillna("") == "")
                & rows["numerator"].notna() & (rows["denominator"] > 0)]
    n = rows["denominator"].to_numpy(float)
    rate = rows["numerator"].to_numpy(float) / n
    out = pd.DataFrame({"area_code": rows["area_code"].to_numpy(), "area_name": rows["area_name"].to_numpy(),
                        "area_level": level, "indicator": indicator, "year": int(year),
                        "numerator": rows["numerator"].to_numpy(float), "denominator": n,
                        "value": rate * scale, "reference_value": p0 * scale, "model": model})
    for cov, tag in ((0.95, "95"), (0.998, "998")):
        lo, hi = funnel_limits(p0, n, model, cov)
        out[f"lower_{tag}"] = lo * scale
        out[f"upper_{tag}"] = hi * scale
    # Limits that allow for overdispersion (additive random effects, :func:`overdispersion`).
    phi, tau2 = overdispersion(rate, n, p0, model)
    base_var = (p0 * (1 - p0) if model == "binomial" else p0) / n
    out["phi"], out["tau2"] = phi, tau2
    for cov, tag in ((0.95, "95"), (0.998, "998")):
        half = stats.norm.ppf((1 + cov) / 2) * np.sqrt(base_var + tau2)
        out[f"lower_{tag}_od"] = np.maximum(p0 - half, 0) * scale
        out[f"upper_{tag}_od"] = (p0 + half) * scale
    for tag in ("95", "998", "95_od", "998_od"):
        out[f"outside_{tag}"] = np.select([out["value"] > out[f"upper_{tag}"], out["value"] < out[f"lower_{tag}"]],
                                          ["över", "under"], "")
    return out.sort_values("denominator").reset_index(drop=True)
