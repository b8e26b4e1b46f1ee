"""Survey shares with confidence intervals (read by :mod:`evalkit.io.surveys`, written by
`evalkit clean` to ``surveys.parquet``).

API::

    with_confidence(frame, level=0.95, min_n=30) -> DataFrame   # adds Wilson intervals
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

#: Below this many respondents a share is flagged as too uncertain to report on its own.
MIN_RESPONDENTS = 30


def with_confidence(frame: pd.DataFrame, level: float = 0.95, min_n: int = MIN_RESPONDENTS) -> pd.DataFrame:
    """Add Wilson score intervals for each share (statsmodels ``proportion_confint``).

    Adds ``ci_low`` and ``ci_high`` (percent, same scale as ``value``), ``successes`` (the
    number of respondents the share stands for, ``round(value / 100 × n)``) and ``too_uncertain``
    (True when ``n`` < ``min_n`` or unknown: such a share should not be reported on its own).
    Rows without a value (status symbol) get NaN bounds.
    """
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
