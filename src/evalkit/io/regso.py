"""SCB RegSO areas (2020) -> stadsdelar, for SCB tables published per RegSO.

``data/raw/geography/regso2020_stadsdelsomraden.csv`` lists Stockholm's 127 RegSO with the method
by which each was matched to the city's areas. A RegSO whose method is "name match to stadsdel"
*and* whose name resolves to exactly one stadsdel through the geography registry stands for that
stadsdel; every other RegSO (inner-city parish areas, combined names such as "Riksby-Åkeshov")
covers parts of several stadsdelar and is set aside with the reason :data:`NO_SINGLE_STADSDEL` –
never silently dropped and never guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from evalkit import geography

NO_SINGLE_STADSDEL = "RegSO motsvarar ingen enskild stadsdel"
NAME_MATCH = "name match to stadsdel"
_SCB_NAME = re.compile(r"^\s*(?:stockholm\s*\((?P<inner>.+)\)|(?P<plain>.+?))\s*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def regso_table() -> pd.DataFrame:
    """The RegSO key with the stadsdel each stands for (``stadsdel_code`` "" when none)."""
    table = geography.regso_key()
    codes = []
    for name, method in zip(table["regso_2020_name"], table["method"]):
        code = ""
        if method == NAME_MATCH:
            try:
                code = geography.resolve(name, level="stadsdel")
            except geography.AreaNameError:
                code = ""
        codes.append(code)
    table["stadsdel_code"] = codes
    return table


@lru_cache(maxsize=1)
def _lookup() -> dict[str, tuple[str, str]]:
    """Slug of RegSO name and the RegSO code -> (stadsdel_code, regso name)."""
    table = regso_table()
    out = {}
    for code, name, sd in zip(table["regso_2020_code"], table["regso_2020_name"], table["stadsdel_code"]):
        out[geography.slugify(name)] = (sd, name)
        out[code.casefold()] = (sd, name)
    return out


def resolve_regso(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """RegSO names ("Stockholm (Akalla)", "Akalla") or codes ("0180R002") -> stadsdel codes.

    Returns ``(codes, errors)`` like :func:`evalkit.io.core.resolve_areas`.
    """
    lookup = _lookup()
    cache: dict[str, tuple[str, str]] = {}
    codes, errors = [], []
    for raw in names.astype(str):
        if raw not in cache:
            m = _SCB_NAME.match(raw)
            inner = (m.group("inner") or m.group("plain")) if m else raw
            key = inner.strip().casefold() if re.fullmatch(r"\d{4}R\d{3}", inner.strip(), re.I) else geography.slugify(inner)
            if key in lookup:
                sd, name = lookup[key]
                cache[raw] = (sd, "") if sd else ("", NO_SINGLE_STADSDEL)
            else:
                cache[raw] = ("", f"Okänt RegSO-område {raw!r} (finns inte i SCB:s RegSO-nyckel för Stockholm)")
        codes.append(cache[raw][0])
        errors.append(cache[raw][1])
    return pd.Series(codes, index=names.index, dtype="str"), pd.Series(errors, index=names.index, dtype="str")
