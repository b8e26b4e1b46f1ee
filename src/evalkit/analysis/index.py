"""Index för sociala risker (social risk index), distance-to-reference method.

Method (OECD/JRC *Handbook on Constructing Composite Indicators*, normalisation by "distance to
a reference"), following the programme's Västra Götaland-style index with four domains
(``data/raw/programme/index_indicators.csv``: indicator, domain, weight, risk_when):

1. Rate per area *a*, indicator *k*, year *t*: ``r[a,k,t] = numerator / denominator``
   (rows with a non-empty status, a missing numerator/denominator or a zero denominator give no
   rate).
2. **Complement rule**: for an indicator with ``risk_when == "low"`` (a good thing such as
   employment or eligibility for upper secondary school) the rate is replaced by its complement
   ``1 - r`` (the share *without* employment/eligibility), so that a higher value always means
   more risk. This requires the indicator to be a share (0 <= r <= 1); otherwise ValueError.
3. Ratio to the reference, times 100::

       x[a,k,t] = r[a,k,t] / r[stockholm,k,t_ref] * 100

   with ``t_ref = t`` for ``reference="moving"`` (the city of the same year = 100) and
   ``t_ref = base_year`` for ``reference="fixed"`` (the city in the base year = 100, so change
   over time is visible).
4. Domain score = weighted mean of the domain's ratios (weights from the config)::

       D[a,d,t] = sum_k w_k x[a,k,t] / sum_k w_k

   and the total = unweighted mean of the domain scores (equal weight per domain)::

       I[a,t] = (1 / n_domains) * sum_d D[a,d,t]

   Both means are evaluated as ``100 + mean(x - 100)`` (mathematically identical), so that the
   city row is exactly 100.0 with a moving reference.

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

from evalkit.paths import raw_dir

CITY = "stockholm"
TOTAL = "total"
REFERENCES = ("moving", "fixed")


def load_index_config(path: Path | str | None = None) -> pd.DataFrame:
    """Read the index configuration: ``indicator, domain, domain_label_sv, weight, risk_when``."""
    path = Path(path) if path is not None else raw_dir() / "programme" / "index_indicators.csv"
    config = pd.read_csv(path, dtype={"indicator": str, "domain": str, "risk_when": str})
    config["weight"] = pd.to_numeric(config["weight"])
    bad = set(config["risk_when"]) - {"high", "low"}
    if bad:
        raise ValueError(f"risk_when måste vara 'high' eller 'low', fick {sorted(bad)}")
    if config["indicator"].duplicated().any():
        raise ValueError("en indikator förekommer flera gånger i indexkonfigurationen")
    return config


def indicator_ratios(tidy: pd.DataFrame, config: pd.DataFrame | None = None,
                     reference: str = "moving", base_year: int = 2006) -> pd.DataFrame:
    """Step 1–3: ``area_code, year, indicator, domain, weight, ratio`` (ratio to reference × 100)."""
    if reference not in REFERENCES:
        raise ValueError(f"reference måste vara en av {REFERENCES}, fick {reference!r}")
    config = load_index_config() if config is None else config
    rows = tidy[tidy["indicator"].isin(config["indicator"])]
    status = rows["status"].fillna("").astype(str)
    num = pd.to_numeric(rows["numerator"], errors="coerce").astype(float)
    den = pd.to_numeric(rows["denominator"], errors="coerce").astype(float)
    usable = (status == "") & num.notna() & den.notna() & (den > 0)
    data = pd.DataFrame({"area_code": rows["area_code"], "year": rows["year"].astype("int64"),
                         "indicator": rows["indicator"], "rate": num / den})[usable.to_numpy()]
    data = data.merge(config[["indicator", "domain", "weight", "risk_when"]], on="indicator")
    low = data["risk_when"] == "low"
    if ((data.loc[low, "rate"] < 0) | (data.loc[low, "rate"] > 1)).any():
        raise ValueError("komplementregeln (1 − andel) kräver andelar mellan 0 och 1")
    data.loc[low, "rate"] = 1 - data.loc[low, "rate"]

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
                      reference: str = "moving", base_year: int = 2006) -> pd.DataFrame:
    """Social risk index per area and year: ``area_code, year, domain, value``.

    ``domain`` is each domain id of the config plus ``"total"``. See the module docstring for the
    formula, the complement rule for ``risk_when == "low"`` and the reference options.
    """
    config = load_index_config() if config is None else config
    ratios = indicator_ratios(tidy, config, reference=reference, base_year=base_year)
    n_ind = config.groupby("domain")["indicator"].nunique()
    ratios["wdev"] = ratios["weight"] * (ratios["ratio"] - 100)
    dom = ratios.groupby(["area_code", "year", "domain"]).agg(
        wdev=("wdev", "sum"), w=("weight", "sum"), n=("indicator", "nunique")).reset_index()
    dom = dom[dom["n"] == dom["domain"].map(n_ind)]
    dom["value"] = 100 + dom["wdev"] / dom["w"]
    dom = dom[["area_code", "year", "domain", "value"]]

    n_dom = config["domain"].nunique()
    tot = dom.groupby(["area_code", "year"]).agg(dev=("value", lambda v: (v - 100).sum()),
                                                  n=("value", "size")).reset_index()
    tot = tot[tot["n"] == n_dom]
    tot = pd.DataFrame({"area_code": tot["area_code"], "year": tot["year"], "domain": TOTAL,
                        "value": 100 + tot["dev"] / n_dom})
    out = pd.concat([dom, tot], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out.sort_values(["area_code", "year", "domain"]).reset_index(drop=True)
