"""School results against the national average, for goal 1.1 of *Skola och utbildning*.

Goal 1.1: "Varje grundskolas betygsresultat och resultat för nationella prov i årskurs 3, 6 och
9 ska motsvara minst medelvärdet för riksgenomsnittet i Sveriges skolor när elever som gått i
svensk skola mindre än 3 år särredovisas."

Works on the school table `evalkit clean` writes (``schools.parquet``, read by
:mod:`evalkit.io.schools`, contract :func:`evalkit.contracts.school_schema`).

API::

    compare_to_national(frame, year, group="exkl_nyanlanda", measure=None, grade=None) -> DataFrame
    protect(frame) -> DataFrame           # what may be published (`evalkit clean` applies it)
    implied_counts(share, n) -> (lo, hi)  # the counts a share and its base pin
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.contracts.inputs import SCHOOL_GROUPS
from evalkit.programme import DISCLOSURE_THRESHOLD, SCHOOL_SUPPRESSION_LIMIT

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


# --- disclosure control: pupils passing and failing are protected counts ----------------------

#: The groups of one school, grade and measure: ``alla`` is the sum of the other two (pupils and
#: pupils passing), so one hidden member is total minus the other.
MEMBERS = ("exkl_nyanlanda", "nyanlanda")
TOTAL = "alla"
KEY = ["school_id", "year", "grade", "measure"]


def implied_counts(share, n, decimals: int = 1):
    """Smallest and largest whole count ``k`` of ``n`` whose share ``100·k/n``, rounded to
    ``decimals``, is the published ``share`` (NaN where nothing fits or nothing is shown).

    With one decimal and ``n`` < 1 000 the count is exact: "95,0 % of 20" is 19 of 20. This is
    the intruder's reading of a share beside its base; :func:`protect` hides what it pins.
    """
    share, n = np.asarray(share, dtype=float), np.asarray(n, dtype=float)
    half = 0.5 * 10.0 ** -decimals + 1e-9
    lo = np.ceil((share - half) * n / 100 - 1e-9)
    hi = np.floor((share + half) * n / 100 + 1e-9)
    lo, hi = np.maximum(lo, 0), np.minimum(hi, n)
    bad = ~(np.isfinite(share) & np.isfinite(n) & (n > 0)) | (lo > hi)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def small_count(lo, hi, n, threshold: int = DISCLOSURE_THRESHOLD):
    """True where every count in ``lo … hi`` of ``n`` is small itself (1 … threshold − 1) or leaves a
    small remainder (``n − k`` in 1 … threshold − 1): the published figures pin a small count."""
    lo, hi, n = (np.asarray(x, dtype=float) for x in (lo, hi, n))
    with np.errstate(invalid="ignore"):
        small_k = (lo >= 1) & (hi <= threshold - 1)
        small_rest = (n - hi >= 1) & (n - lo <= threshold - 1)
    return small_k | small_rest


def pins_small_count(share, n, threshold: int = DISCLOSURE_THRESHOLD):
    """True where a share in percent published beside its base ``n`` (one decimal, so the count
    ``share · n`` is exact) stands for a small count or leaves a small remainder (schools and
    surveys share this primary rule)."""
    share, n = np.asarray(share, dtype=float), np.asarray(n, dtype=float)
    k = np.round(share * n / 100)
    return small_count(k, k, n, threshold)


def protect(frame: pd.DataFrame, threshold: int = DISCLOSURE_THRESHOLD,
            limit: int = SCHOOL_SUPPRESSION_LIMIT) -> pd.DataFrame:
    """School results as they may be published: pupils passing and failing are counts like any other.

    * Skolverket's rule, kept where it is stricter: no result for fewer than ``limit`` pupils;
    * primary: a share (unit ``procent``) whose pupils passing ``k = share · n`` or failing
      ``n − k`` is 1 … ``threshold − 1`` is hidden (one decimal and n < 1 000 make ``k`` exact);
    * secondary: ``alla`` = ``exkl_nyanlanda`` + ``nyanlanda`` (pupils and pupils passing), so where
      exactly one of the three results is hidden, another is: ``alla`` (shown on no page), or, when
      ``alla`` is the hidden one, the member with fewer pupils.

    A hidden result gets status ``x`` and no value (so no difference to the national average and
    no assessment either). The pupil counts stay: pages print them from ``limit`` up only.
    """
    out = frame.copy()
    shown = out["value"].notna() & out["status"].eq("")
    n = out["n_pupils"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    share = out["unit"].eq("procent").to_numpy()
    with np.errstate(invalid="ignore"):
        hide = shown.to_numpy() & (~(n >= limit) | (share & pins_small_count(out["value"].to_numpy(float), n, threshold)))
    hidden = hide | out["status"].eq("x").to_numpy()
    # secondary: a group of three with one hidden result
    hide[_secondary(out, hidden, shown.to_numpy() & ~hide, n)] = True
    out.loc[hide, "value"] = np.nan
    out.loc[hide, "status"] = "x"
    return out


def _secondary(frame: pd.DataFrame, hidden: np.ndarray, shown: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Positions to hide so that no group of three (``alla`` and its two members, one school,
    grade and measure) has exactly one hidden result: ``alla`` where a member is the hidden one,
    else the member with fewer pupils (the first of equals; an unknown count last).

    Whole-array operations over the groups (a loop over groupby groups was a fifth of a warm
    `evalkit clean`); the groups are those of the key's cells as text, as before.
    """
    group = frame["group"].to_numpy(object)
    sub = np.flatnonzero(np.isin(group, (TOTAL,) + MEMBERS))
    if not sub.size:
        return sub
    text = [frame[c].iloc[sub].astype(str).to_numpy(object) for c in KEY]
    key = text[0]
    for column in text[1:]:
        key = key + "|" + column
    codes, _ = pd.factorize(key)
    size = np.bincount(codes)
    n_hidden = np.bincount(codes, weights=hidden[sub])
    n_shown = np.bincount(codes, weights=shown[sub])
    one = ((size == 3) & (n_hidden == 1) & (n_shown == 2))[codes]
    is_total = group[sub] == TOTAL
    total_hidden = np.zeros(size.size, dtype=bool)
    total_hidden[codes[one & hidden[sub]]] = is_total[one & hidden[sub]]
    # a member is the hidden one: hide alla
    out = [sub[one & ~total_hidden[codes] & is_total]]
    # alla is the hidden one: hide the member with fewest pupils (stable: the first of equals, NaN last)
    cand = np.flatnonzero(one & total_hidden[codes] & ~is_total)
    if cand.size:
        nn = n[sub[cand]]
        order = np.lexsort((cand, np.where(np.isnan(nn), 0.0, nn), np.isnan(nn), codes[cand]))
        ranked = cand[order]
        firsts = np.r_[True, codes[ranked][1:] != codes[ranked][:-1]]
        out.append(sub[ranked[firsts]])
    return np.concatenate(out)
