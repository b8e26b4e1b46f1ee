"""School results against the national average, for goal 1.1 of *Skola och utbildning*.

Goal 1.1: "Varje grundskolas betygsresultat och resultat för nationella prov i årskurs 3, 6 och
9 ska motsvara minst medelvärdet för riksgenomsnittet i Sveriges skolor när elever som gått i
svensk skola mindre än 3 år särredovisas."

Works on the school table `evalkit clean` writes (``schools.parquet``, read by
:mod:`evalkit.io.schools`, contract :func:`evalkit.contracts.school_schema`).

API::

    compare_to_national(frame, year, group="exkl_nyanlanda", measure=None, grade=None) -> DataFrame
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.contracts.inputs import SCHOOL_GROUPS

# Status and reason codes (the Swedish words are in evalkit.present.district: SCHOOL_STATUS_SV,
# SCHOOL_REASON_SV).
AT_LEAST = "at_least_national"
BELOW = "below_national"
CANNOT_ASSESS = "not_assessable"
#: Reason code of each status symbol of a withheld or missing result.
STATUS_REASONS = {
    "x": "withheld",
    "..": "missing",
    ".": "cannot_occur",
    "–": "no_pupils",
}
OTHER_SYMBOL = "other_symbol"
NO_NATIONAL = "no_national_average"
REASON_CODES = (*STATUS_REASONS.values(), OTHER_SYMBOL, NO_NATIONAL)


def compare_to_national(frame: pd.DataFrame, year: int, group: str = "exkl_nyanlanda",
                        measure: str | None = None, grade: int | None = None) -> pd.DataFrame:
    """Each school's result against the national average (goal 1.1), for one year and pupil group.

    One row per school × grade × measure with ``value``, ``national``, ``difference`` (school −
    national), ``n_pupils``, ``status`` and ``reason`` (codes; worded in
    :mod:`evalkit.present.district`). ``status`` is :data:`AT_LEAST` (value ≥ national),
    :data:`BELOW` or :data:`CANNOT_ASSESS` when the school's result is withheld (``x``), missing
    (``..``), cannot occur (``.``), the group is empty, or no national average exists for the year
    (e.g. no national tests in spring 2020); ``reason`` says which (:data:`REASON_CODES`, "" when
    assessed). The goal asks for results "when pupils who have been in Swedish school less than
    3 years are reported separately", hence the default group ``exkl_nyanlanda``.
    """
    if group not in SCHOOL_GROUPS:
        raise ValueError(f"okänd elevgrupp {group!r}; giltiga: {', '.join(SCHOOL_GROUPS)}")
    rows = frame[(frame["year"] == int(year)) & (frame["group"] == group)]
    if measure is not None:
        rows = rows[rows["measure"] == measure]
    if grade is not None:
        rows = rows[rows["grade"] == int(grade)]
    out = rows[["school_id", "school", "area_code", "year", "grade", "measure", "group", "n_pupils",
                "value", "national", "unit"]].copy()
    has_value = rows["status"].eq("") & rows["value"].notna()
    has_national = rows["national"].notna()
    out["difference"] = (rows["value"] - rows["national"]).where(has_value & has_national)
    status = np.where(~(has_value & has_national), CANNOT_ASSESS,
                      np.where(rows["value"] >= rows["national"], AT_LEAST, BELOW))
    out["status"] = pd.Series(status, index=rows.index, dtype="str")
    reason = rows["status"].map(lambda s: STATUS_REASONS.get(s, OTHER_SYMBOL) if s else "")
    reason = reason.where(~(reason.eq("") & rows["value"].isna()), STATUS_REASONS[".."])
    reason = reason.where(~(reason.eq("") & ~has_national), NO_NATIONAL)
    out["reason"] = reason.astype(str)
    return out.sort_values(["area_code", "school", "grade", "measure"]).reset_index(drop=True)
