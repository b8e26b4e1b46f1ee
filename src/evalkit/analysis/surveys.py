"""Survey shares with confidence intervals (read by :mod:`evalkit.io.surveys`, written by
`evalkit clean` to ``surveys.parquet``).

API::

    with_confidence(frame, level=0.95, min_n=30) -> DataFrame   # adds Wilson intervals
    protect(frame) -> DataFrame    # what may be published (`evalkit clean` applies it)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.geography import PROGRAMME_ERA
from evalkit.programme import DISCLOSURE_THRESHOLD

#: Below this many respondents a share is flagged as too uncertain to report on its own.
MIN_RESPONDENTS = 30


def with_confidence(frame: pd.DataFrame, level: float = 0.95, min_n: int = MIN_RESPONDENTS) -> pd.DataFrame:
    """Add Wilson score intervals for each share (statsmodels ``proportion_confint``).

    Adds ``ci_low`` and ``ci_high`` (percent, same scale as ``value``), ``successes`` (the
    number of respondents the share stands for, ``round(value / 100 × n)``) and ``too_uncertain``
    (True when ``n`` < ``min_n`` or unknown: such a share should not be reported on its own).
    Rows without a value (status symbol) get NaN bounds.
    """
    # imported here: statsmodels takes about a second to import, and `evalkit clean` (protect) needs none of it
    from statsmodels.stats.proportion import proportion_confint

    if not 0 < level < 1:
        raise ValueError("level ska ligga mellan 0 och 1")
    out = frame.copy()
    n = out["n"].astype("float64")
    usable = out["value"].notna() & (n > 0)
    successes = (out["value"] / 100 * n).round()
    low = pd.Series(np.nan, index=out.index)
    high = pd.Series(np.nan, index=out.index)
    if usable.any():
        lo, hi = proportion_confint(successes[usable].to_numpy(), n[usable].to_numpy(), alpha=1 - level,
                                    method="wilson")
        low[usable] = np.asarray(lo) * 100
        high[usable] = np.asarray(hi) * 100
    out["successes"] = successes.where(usable).astype("Int64")
    out["ci_low"] = low
    out["ci_high"] = high
    out["too_uncertain"] = ~(n >= min_n).fillna(False).astype(bool)
    return out


def protect(frame: pd.DataFrame, threshold: int = DISCLOSURE_THRESHOLD, membership: pd.DataFrame | None = None
            ) -> pd.DataFrame:
    """Survey shares as they may be published: respondents agreeing and not are counts like any other.

    * a share whose base ``n`` is 1 … ``threshold − 1`` is hidden (the page prints ``x`` for such
      an n; a share, and its Wilson interval, would give n back);
    * primary: respondents agreeing ``k = share · n`` or not ``n − k`` of 1 … ``threshold − 1``
      hide the share (one decimal and n < 1 000 make ``k`` exact);
    * secondary: where a borough's n is the sum of its stadsdelar's (the same survey, question and
      year), one hidden stadsdel would be the borough minus the others: the next smallest is hidden.

    Hidden: status ``x``, no value (so no interval either; :func:`with_confidence` gives NaN).
    ``n`` stays: pages print it from ``threshold`` up only.
    """
    from evalkit.analysis.schools import pins_small_count

    out = frame.copy()
    n = out["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    shown = (out["value"].notna() & out["status"].eq("")).to_numpy()
    with np.errstate(invalid="ignore"):
        hide = shown & (~(n >= threshold) | pins_small_count(out["value"].to_numpy(float), n, threshold))
    hide = _secondary(out, n, hide, shown, membership)
    out.loc[hide, "value"] = np.nan
    out.loc[hide, "status"] = "x"
    return out


def _secondary(frame: pd.DataFrame, n: np.ndarray, hide: np.ndarray, shown: np.ndarray,
               membership: pd.DataFrame | None) -> np.ndarray:
    """One hidden stadsdel in a borough whose n is the sum of its stadsdelar's: hide the next smallest."""
    from evalkit import aggregate

    mem = aggregate.membership(PROGRAMME_ERA) if membership is None else membership
    mem = mem[mem["group_level"] == "stadsdelsomrade"].drop_duplicates("stadsdel_code")
    hide = hide.copy()
    rows = frame.assign(n_=n, pos=np.arange(len(frame)))
    group = rows["area_code"].map(mem.set_index("stadsdel_code")["group_code"])
    members = rows[group.notna()].assign(group_code=group[group.notna()])
    key = ["survey", "question", "year"]
    totals = rows.set_index(key + ["area_code"])["pos"]
    for (survey, question, year, code), g in members.groupby(key + ["group_code"], sort=False):
        total = totals.get((survey, question, year, code))
        if total is None or not shown[total] or hide[total] or g["n_"].sum() != n[total]:
            continue
        pos = g["pos"].to_numpy()
        hidden = hide[pos] | ~shown[pos]
        if hidden.sum() == 1:
            rest = g[~hidden].sort_values("n_", kind="stable")
            if len(rest):
                hide[int(rest["pos"].iloc[0])] = True
            else:
                hide[total] = True
    return hide
