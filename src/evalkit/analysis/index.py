"""Index för sociala risker (social risk index), distance-to-reference method.

Method (OECD/JRC *Handbook on Constructing Composite Indicators*, normalisation by "distance to
a reference"), following the programme's Västra Götaland-style index with four domains
(``data/raw/programme/index_indicators.csv``: indicator, domain, domain_label_sv, weight,
risk_when, reversal):

1. Rate per area *a*, indicator *k*, year *t*: ``r[a,k,t] = numerator / denominator``
   (rows with a non-empty status, a missing numerator/denominator or a zero denominator give no
   rate). Rates of aggregates come from summed numerators and denominators
   (:mod:`evalkit.aggregate`), never from means of area rates.
2. **Reversal rule** for "good" indicators (``risk_when == "low"``: employment, eligibility,
   turnout …), so that a higher value always means more risk. Configured per indicator in the
   ``reversal`` column (empty = ``complement`` for ``low``; must be empty for ``high``):

   * ``complement`` (default): ``r -> 1 - r``, the share *without* employment/eligibility. Requires
     a share (0 <= r <= 1), otherwise ValueError. The ratio is then
     ``(1 - r) / (1 - r_ref)``, i.e. it compares the shares at risk.
   * ``inverse``: ``r -> 1 / r``, so the ratio is ``r_ref / r``. Works for any positive rate
     (e.g. new dwellings per 1 000 inhabitants); an area with rate 0 gets no ratio.

   The two rules differ: for employment 80 % against a city 75 %, complement gives
   ``20/25 = 80`` and inverse ``75/80 ≈ 94``; the complement spreads high shares much more.
3. Ratio to the reference, times 100::

       x[a,k,t] = r[a,k,t] / r[stockholm,k,t_ref] * 100

   with ``t_ref = t`` for ``reference="moving"`` (the city of the same year = 100) and
   ``t_ref = base_year`` for ``reference="fixed"`` (the city in the base year = 100, default
   :data:`DEFAULT_BASE_YEAR` = 2014, the programme's baseline; only the fixed reference shows
   whether risks fell in absolute terms).
4. Domain score = weighted mean of the domain's ratios (weights from the config)::

       D[a,d,t] = sum_k w_k x[a,k,t] / sum_k w_k

   and the total = unweighted mean of the domain scores (equal weight per domain)::

       I[a,t] = (1 / n_domains) * sum_d D[a,d,t]

   Both means are evaluated as ``100 + mean(x - 100)`` (mathematically identical), so that the
   city row is exactly 100.0 with a moving reference. Because every ratio of the city is 100 and
   the city's rate is the population-weighted (denominator-weighted) mean of the area rates, the
   denominator-weighted mean of the stadsdelar's ratios is also 100 for each indicator.

   Alternatives (used by :mod:`evalkit.analysis.robustness`): ``weighting="indicator"`` gives the
   total as the weighted mean of all indicator ratios (``sum_k w_k x_k / sum_k w_k``, domains
   ignored); ``aggregation="geometric"`` replaces each arithmetic mean by the weighted geometric
   mean ``exp(sum w log x / sum w)`` (ratios are floored at :data:`GEOMETRIC_FLOOR` first so that a
   zero rate does not zero the whole index). By the AM–GM inequality the geometric total is never
   above the arithmetic one.

A domain score is produced only when every indicator of the domain has a ratio for that
area-year; the total only when every domain has a score. Area-years without a score are
omitted from the result (no NaN rows). The index is computed for every area present in the
input (stadsdelar, boroughs, groups, city), but the input must contain the ``stockholm`` rows
(see :func:`evalkit.aggregate.add_aggregates`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import programme
from evalkit.programme import BASELINE_YEAR

CITY = "stockholm"
TOTAL = "total"
REFERENCES = ("moving", "fixed")
REVERSALS = ("complement", "inverse")
AGGREGATIONS = ("arithmetic", "geometric")
WEIGHTINGS = ("domain", "indicator")
DEFAULT_BASE_YEAR = BASELINE_YEAR
GEOMETRIC_FLOOR = 1.0  # ratio floor (1 % of the reference) before taking logs
LEVELS = ("stadsdel", "stadsdelsomrade", "omradesgrupp", "stad")


def load_index_config(path: Path | str | None = None) -> pd.DataFrame:
    """Read the index configuration: ``indicator, domain, domain_label_sv, weight, risk_when, reversal``.

    ``reversal`` is optional in the file; it is filled with ``complement`` for ``risk_when ==
    "low"`` and ``""`` for ``"high"``. Raises ValueError for unknown values, a reversal on a
    ``high`` indicator, duplicates or negative weights.
    """
    return _check_config(programme.index_indicators(path))


def _check_config(config: pd.DataFrame) -> pd.DataFrame:
    config = config.copy()
    bad = set(config["risk_when"]) - {"high", "low"}
    if bad:
        raise ValueError(f"risk_when måste vara 'high' eller 'low', fick {sorted(bad)}")
    if config["indicator"].duplicated().any():
        raise ValueError("en indikator förekommer flera gånger i indexkonfigurationen")
    if (pd.to_numeric(config["weight"]) < 0).any():
        raise ValueError("vikterna får inte vara negativa")
    if "reversal" not in config.columns:
        config["reversal"] = ""
    rev = config["reversal"].fillna("").astype(str).str.strip()
    low = config["risk_when"] == "low"
    rev = rev.where(~low | (rev != ""), "complement")
    if (rev[~low] != "").any():
        raise ValueError("reversal får bara anges för indikatorer med risk_when = 'low'")
    bad = set(rev[low]) - set(REVERSALS)
    if bad:
        raise ValueError(f"reversal måste vara en av {REVERSALS}, fick {sorted(bad)}")
    config["reversal"] = rev
    return config


def _rates(tidy: pd.DataFrame, config: pd.DataFrame) -> pd.DataFrame:
    """Usable rates ``area_code, year, indicator, rate`` (before reversal)."""
    rows = tidy[tidy["indicator"].isin(config["indicator"])]
    status = rows["status"].fillna("").astype(str)
    num = pd.to_numeric(rows["numerator"], errors="coerce").astype(float)
    den = pd.to_numeric(rows["denominator"], errors="coerce").astype(float)
    usable = (status == "") & num.notna() & den.notna() & (den > 0)
    return pd.DataFrame({"area_code": rows["area_code"], "year": rows["year"].astype("int64"),
                         "indicator": rows["indicator"], "rate": num / den})[usable.to_numpy()]


def reverse_rates(rate: np.ndarray | pd.Series, reversal: np.ndarray | pd.Series) -> np.ndarray:
    """Apply the reversal rule elementwise: ``complement`` -> ``1 - r``, ``inverse`` -> ``1 / r``
    (NaN for r = 0), ``""`` -> ``r``. Raises ValueError if a complemented rate is not in [0, 1]."""
    rate = np.asarray(rate, dtype=float)
    reversal = np.broadcast_to(np.asarray(reversal, dtype=object), rate.shape)
    comp = reversal == "complement"
    inv = reversal == "inverse"
    vals = rate[comp]
    if ((vals < 0) | (vals > 1)).any():
        raise ValueError("komplementregeln (1 − andel) kräver andelar mellan 0 och 1")
    out = rate.copy()
    out[comp] = 1 - rate[comp]
    with np.errstate(divide="ignore"):
        out[inv] = np.where(rate[inv] > 0, 1 / np.where(rate[inv] > 0, rate[inv], 1), np.nan)
    return out


def indicator_ratios(tidy: pd.DataFrame, config: pd.DataFrame | None = None,
                     reference: str = "moving", base_year: int = DEFAULT_BASE_YEAR) -> pd.DataFrame:
    """Step 1–3: ``area_code, year, indicator, domain, weight, ratio`` (ratio to reference × 100).

    ``base_year`` is used only with ``reference="fixed"`` (ValueError if the city has no value
    that year).
    """
    if reference not in REFERENCES:
        raise ValueError(f"reference måste vara en av {REFERENCES}, fick {reference!r}")
    config = load_index_config() if config is None else _check_config(config)
    data = _rates(tidy, config)
    data = data.merge(config[["indicator", "domain", "weight", "reversal"]], on="indicator")
    data["rate"] = reverse_rates(data["rate"].to_numpy(), data["reversal"].to_numpy())
    data = data[data["rate"].notna()]

    ref = data[data["area_code"] == CITY][["indicator", "year", "rate"]].rename(columns={"rate": "ref"})
    if ref.empty:
        raise ValueError("raderna för staden (stockholm) saknas – lägg till aggregat först")
    if reference == "moving":
        data = data.merge(ref, on=["indicator", "year"], how="left")
    else:
        base = ref[ref["year"] == base_year].drop(columns="year")
        if base.empty:
            raise ValueError(f"staden saknar värden för basåret {base_year}")
        data = data.merge(base, on="indicator", how="left")
    data = data[data["ref"].notna() & (data["ref"] > 0)]
    data["ratio"] = data["rate"] / data["ref"] * 100
    return data[["area_code", "year", "indicator", "domain", "weight", "ratio"]].reset_index(drop=True)


def social_risk_index(tidy: pd.DataFrame, config: pd.DataFrame | None = None,
                      reference: str = "moving", base_year: int = DEFAULT_BASE_YEAR,
                      aggregation: str = "arithmetic", weighting: str = "domain") -> pd.DataFrame:
    """Social risk index per area and year: ``area_code, year, domain, value``.

    ``domain`` is each domain id of the config plus ``"total"``. See the module docstring for the
    formula, the reversal rule for ``risk_when == "low"``, the reference options and the
    alternative ``aggregation`` (``arithmetic`` | ``geometric``) and ``weighting`` (``domain``:
    total = mean of domain scores; ``indicator``: total = weighted mean of all indicators).
    Domain scores are always weighted means within the domain.
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation måste vara en av {AGGREGATIONS}, fick {aggregation!r}")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting måste vara en av {WEIGHTINGS}, fick {weighting!r}")
    config = load_index_config() if config is None else _check_config(config)
    ratios = indicator_ratios(tidy, config, reference=reference, base_year=base_year)
    geo = aggregation == "geometric"
    n_ind = config.groupby("domain")["indicator"].nunique()
    if geo:
        ratios["wdev"] = ratios["weight"] * np.log(np.maximum(ratios["ratio"], GEOMETRIC_FLOOR) / 100)
    else:
        ratios["wdev"] = ratios["weight"] * (ratios["ratio"] - 100)
    back = (lambda m: 100 * np.exp(m)) if geo else (lambda m: 100 + m)
    dom = ratios.groupby(["area_code", "year", "domain"]).agg(
        wdev=("wdev", "sum"), w=("weight", "sum"), n=("indicator", "nunique")).reset_index()
    dom = dom[dom["n"] == dom["domain"].map(n_ind)]
    dom["value"] = back(dom["wdev"] / dom["w"])
    dom["mdev"] = dom["wdev"] / dom["w"]

    n_dom = config["domain"].nunique()
    complete = dom.groupby(["area_code", "year"])["domain"].transform("size") == n_dom
    if weighting == "domain":
        tot = dom[complete].groupby(["area_code", "year"])["mdev"].sum().reset_index()
        tot["value"] = back(tot["mdev"] / n_dom)
    else:
        keys = dom.loc[complete, ["area_code", "year"]].drop_duplicates()
        r = ratios.merge(keys, on=["area_code", "year"])
        tot = r.groupby(["area_code", "year"]).agg(wdev=("wdev", "sum"), w=("weight", "sum")).reset_index()
        tot["value"] = back(tot["wdev"] / tot["w"])
    tot = pd.DataFrame({"area_code": tot["area_code"], "year": tot["year"], "domain": TOTAL,
                        "value": tot["value"]})
    out = pd.concat([dom[["area_code", "year", "domain", "value"]], tot], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out.sort_values(["area_code", "year", "domain"]).reset_index(drop=True)


def _index_origin(tidy: pd.DataFrame, total: pd.DataFrame) -> np.ndarray:
    """``real`` for an index value whose inputs – the area's and the reference city's, that
    year – are all real, else ``demo`` (:mod:`evalkit.origin`)."""
    from evalkit import origin as origins
    from evalkit.geography import CITY_CODE

    inputs = tidy[tidy["indicator"].isin(load_index_config()["indicator"])]
    demo = (origins.column(inputs) == origins.DEMO).groupby([inputs["area_code"], inputs["year"]]).any()
    city = demo.xs(CITY_CODE, level="area_code") if CITY_CODE in demo.index.get_level_values(0) else pd.Series(
        dtype=bool)
    own = demo.reindex(pd.MultiIndex.from_frame(total[["area_code", "year"]])).fillna(False).to_numpy(bool)
    ref = city.reindex(total["year"].to_numpy()).fillna(False).to_numpy(bool)
    return np.where(own | ref, origins.DEMO, origins.REAL)


def index_rows(tidy: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Tidy rows of ``index_sociala_risker`` (total, moving reference) for every area-year of ``tidy``
    that has all its inputs; used by `evalkit clean` on the full table and, for publication, on
    the suppressed one (so a published index never rests on a hidden input)."""
    from evalkit import geography

    idx = social_risk_index(tidy, reference="moving")
    total = idx[idx["domain"] == TOTAL]
    return pd.DataFrame({
        "origin": _index_origin(tidy, total),
        "area_code": total["area_code"],
        "area_name": total["area_code"].map(geography.area_name),
        "area_level": total["area_code"].map(geography.area_level),
        "indicator": "index_sociala_risker",
        "year": total["year"].astype("int64"),
        "value": total["value"].astype(float),
        "status": "",
        "numerator": float("nan"),
        "denominator": float("nan"),
        "unit": catalogue.set_index("indicator").loc["index_sociala_risker", "unit"],
        "source": "evalkit: beräknat index (rörlig referens, staden = 100)",
    })


def index_table(tidy: pd.DataFrame, config: pd.DataFrame | None = None, reference: str = "moving",
                base_year: int = DEFAULT_BASE_YEAR, levels: tuple[str, ...] = LEVELS,
                **options) -> pd.DataFrame:
    """Wide index table for reports: one row per area and year.

    Columns ``area_code, area_name, area_level, year, <domain ids…>, total, rank, n_ranked``
    where ``rank`` is the area's rank of the total among the areas of the same level and year
    (1 = highest risk; ties share the lowest rank) and ``n_ranked`` the number ranked. Area names
    and levels come from ``tidy``; ``levels`` selects stadsdelar, boroughs (``stadsdelsomrade``),
    the groups (``omradesgrupp``: programme area and rest of city) and the city. ``options`` are
    passed to :func:`social_risk_index` (``aggregation``, ``weighting``).
    """
    config = load_index_config() if config is None else _check_config(config)
    idx = social_risk_index(tidy, config, reference=reference, base_year=base_year, **options)
    wide = idx.pivot(index=["area_code", "year"], columns="domain", values="value").reset_index()
    domains = list(dict.fromkeys(config["domain"]))
    wide = wide.reindex(columns=["area_code", "year", *domains, TOTAL])
    names = tidy.drop_duplicates("area_code").set_index("area_code")
    wide.insert(1, "area_name", wide["area_code"].map(names["area_name"]))
    wide.insert(2, "area_level", wide["area_code"].map(names["area_level"]))
    wide = wide[wide["area_level"].isin(levels)].copy()
    grp = wide.groupby(["area_level", "year"])[TOTAL]
    wide["rank"] = grp.rank(ascending=False, method="min").astype("Int64")
    wide["n_ranked"] = grp.transform("count").astype("int64")
    wide.columns.name = None
    return wide.sort_values(["area_level", "year", "rank", "area_code"]).reset_index(drop=True)


def effective_weights(config: pd.DataFrame | None = None, weighting: str = "domain") -> pd.Series:
    """Nominal weight of each indicator in the arithmetic total (sums to 1).

    ``weighting="domain"``: ``c_k = w_k / (sum_{j in d(k)} w_j * n_domains)``;
    ``"indicator"``: ``c_k = w_k / sum_j w_j``. The arithmetic total is then
    ``I = 100 + sum_k c_k (x_k - 100)``.
    """
    config = load_index_config() if config is None else _check_config(config)
    w = config.set_index("indicator")["weight"].astype(float)
    if weighting == "indicator":
        return w / w.sum()
    dom = config.set_index("indicator")["domain"]
    return w / (w.groupby(dom).transform("sum") * dom.nunique())


def dominance_warnings(tidy: pd.DataFrame, config: pd.DataFrame | None = None,
                       years: list[int] | None = None, level: str = "stadsdel",
                       reference: str = "moving", base_year: int = DEFAULT_BASE_YEAR,
                       share_threshold: float = 0.4, excess_factor: float = 2.0,
                       rank_corr_threshold: float = 0.9) -> pd.DataFrame:
    """Does one widely dispersed indicator dominate the total? One row per year × indicator.

    With the arithmetic total ``I_a = 100 + sum_k c_k (x_ak - 100)`` (nominal weights ``c_k``,
    :func:`effective_weights`), the total's variance across the areas of ``level`` splits exactly
    into indicator contributions (covariance decomposition, the shares sum to 1)::

        share_k = c_k * Cov_a(x_k, I) / Var_a(I)

    Columns: ``year, indicator, nominal_weight (c_k), variance_share, ratio_sd, ratio_max,
    ratio_min, rank_corr_without`` (Spearman correlation, across areas, between the total and the
    total recomputed without indicator *k* — weights renormalised within its domain, the domain
    dropped if it was its only indicator), ``n_areas``, ``dominates`` and ``reorders``
    (``rank_corr_without < rank_corr_threshold``; the warning is worded by
    :func:`evalkit.present.risk.dominance_warning_sv`). An indicator is flagged (``dominates``) when
    ``variance_share >= share_threshold``, or ``variance_share >= excess_factor * nominal_weight``
    (it drives the total's spread far beyond its weight), or ``rank_corr_without <
    rank_corr_threshold`` (leaving it out reorders the areas). Only
    areas with a complete total are used; ``level`` is an ``area_level`` value.
    """
    config = load_index_config() if config is None else _check_config(config)
    ratios = indicator_ratios(tidy, config, reference=reference, base_year=base_year)
    levels = tidy.drop_duplicates("area_code").set_index("area_code")["area_level"]
    ratios = ratios[ratios["area_code"].map(levels) == level]
    if years is not None:
        ratios = ratios[ratios["year"].isin(years)]
    inds = list(config["indicator"])
    wide = ratios.pivot_table(index=["year", "area_code"], columns="indicator", values="ratio")
    wide = wide.reindex(columns=inds).dropna()
    c = effective_weights(config).reindex(inds).to_numpy()
    dom = config.set_index("indicator")["domain"].reindex(inds)
    rows = []
    for year, block in wide.groupby(level="year"):
        x = block.to_numpy(float)
        total = 100 + (x - 100) @ c
        var = total.var()
        total_rank = pd.Series(total).rank().to_numpy()
        for j, ind in enumerate(inds):
            cov = ((x[:, j] - x[:, j].mean()) * (total - total.mean())).mean()
            share = c[j] * cov / var if var > 0 else np.nan
            keep = [i for i in inds if i != ind]
            sub = config[config["indicator"].isin(keep)]
            c2 = effective_weights(sub).reindex(keep).to_numpy()
            t2 = 100 + (x[:, [inds.index(i) for i in keep]] - 100) @ c2
            rho = np.corrcoef(total_rank, pd.Series(t2).rank().to_numpy())[0, 1]
            dominates = bool(share >= share_threshold or share >= excess_factor * c[j]
                             or rho < rank_corr_threshold)
            rows.append({"year": int(year), "indicator": ind, "domain": dom[ind], "nominal_weight": c[j],
                         "variance_share": share, "ratio_sd": x[:, j].std(), "ratio_max": x[:, j].max(),
                         "ratio_min": x[:, j].min(), "rank_corr_without": rho, "n_areas": len(x),
                         "dominates": dominates, "reorders": bool(rho < rank_corr_threshold)})
    return pd.DataFrame(rows)
