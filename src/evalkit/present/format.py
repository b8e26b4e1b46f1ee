"""Swedish number formatting (babel, locale sv_SE).

Decimal comma, a (non-breaking) space as thousands separator, percentages as ``12,3 %``,
years without separators, and the official-statistics symbols for cells without a value.
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

LOCALE = "sv_SE"
NBSP = "\u00a0"
#: Typographic minus sign (babel's sv_SE data writes the ASCII hyphen-minus).
MINUS = "\u2212"

#: Teckenförklaring: symbols used in tables instead of a number (as in SCB's and the city's tables).
SYMBOLS_SV = {
    "..": "uppgift inte tillgänglig eller för osäker för att anges",
    "–": "noll, inget finns att redovisa",
    ".": "uppgift kan inte förekomma eller beräknas inte",
    "0": "mindre än hälften av enheten",
    "x": "uppgift undertryckt för att skydda enskilda (för få observationer)",
}


@functools.lru_cache(maxsize=1)
def _collator():
    """ICU's Swedish collator (PyICU), or None where ICU is not installed."""
    try:
        import icu
    except ImportError:  # pragma: no cover - ICU is a dependency; the fallback keeps a bare install working
        return None
    return icu.Collator.createInstance(icu.Locale("sv_SE"))


# Without ICU: å, ä, ö after z and accents folded, which is what Swedish readers notice most.
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "é": "e", "è": "e", "ü": "y"})


def sort_key_sv(text: str):
    """Sort key for names in Swedish order (ICU's CLDR collation for sv: Å, Ä, Ö after Z,
    case and accents second): ``sorted(names, key=sort_key_sv)``."""
    collator = _collator()
    if collator is not None:
        return collator.getSortKey(str(text))
    return str(text).casefold().translate(_SWEDISH_ORDER).encode("utf-8")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0, status: str | None = None) -> str:
    """Format a number the Swedish way: ``1234.5`` -> ``"1 234,5"`` (non-breaking space),
    ``-0.5`` -> ``"−0,5"`` (a real minus sign, as in print; never a hyphen).

    A non-empty ``status`` (``..``, ``x`` …) is shown instead of the number; a missing value
    without status shows ``..``.
    """
    if status:
        return status
    if _missing(value):
        return ".."
    # Round half up, as official statistics do (babel alone would round half to even).
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # -0.04 shown with one decimal is "0,0", not "−0,0"
    return _grouped(rounded, decimals)


@functools.lru_cache(maxsize=8192)
def _grouped(rounded: Decimal, decimals: int) -> str:
    """``rounded`` (already rounded to ``decimals``) with Swedish grouping and decimal comma.

    Cached: babel parses the pattern and the locale's symbols on every call, and a page formats
    the same few hundred numbers (tick labels, table cells) many times. Equal decimals give equal
    text here (the pattern fixes the number of decimals), so the cache's equality is the right one.
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(rounded, format=pattern, locale=LOCALE)
    return text.replace("-", MINUS)


def number_exact(value, max_decimals: int = 3) -> str:
    """A number with as many decimals as it needs, up to ``max_decimals``: ``0.25`` -> ``"0,25"``,
    ``2.0`` -> ``"2"`` (weights, amounts that must not be rounded to a fixed precision)."""
    if _missing(value):
        return ".."
    decimals = next((d for d in range(max_decimals) if abs(round(value, d) - value) < 0.5 * 10 ** -(max_decimals + 3)),
                    max_decimals)
    return number(value, decimals)


def count(n, singular: str, plural: str) -> str:
    """A count with its noun in the right number: ``count(1, "rad", "rader")`` -> ``"1 rad"``,
    ``count(1234, "rad", "rader")`` -> ``"1 234 rader"``."""
    return f"{number(n)} {singular if int(n) == 1 else plural}"


def ordinal(n: int) -> str:
    """Swedish ordinal: 1:a, 2:a, 3:e, …, 11:e, 12:e, 21:a, 22:a, 101:a, 111:e."""
    n = int(n)
    return f"{n}:{'a' if n % 10 in (1, 2) and n % 100 not in (11, 12) else 'e'}"


def percent(value, decimals: int = 1, status: str | None = None) -> str:
    """Format a value already in percent: ``12.34`` -> ``"12,3 %"``."""
    text = number(value, decimals, status)
    return text if (status or _missing(value)) else f"{text}{NBSP}%"


def change(value, decimals: int = 1, unit: str = "") -> str:
    """Format a signed change: ``-1.25`` -> ``"−1,3 procentenheter"`` (always with a sign)."""
    if _missing(value):
        return ".."
    text = number(abs(value), decimals)
    sign = "+" if value > 0 else (MINUS if value < 0 else "±")
    return f"{sign}{text}" + (f" {unit}" if unit else "")


def year(value) -> str:
    """Years are written without separators: ``2015``."""
    return ".." if _missing(value) else str(int(value))


def value_for_unit(value, unit: str, status: str | None = None) -> str:
    """Format a value by its catalogue unit (procent -> ``12,3 %``, antal -> ``1 234`` …)."""
    if unit == "procent":
        return percent(value, 1, status)
    if unit == "antal":
        return number(value, 0, status)
    if unit.startswith("index 0"):
        return number(value, 2, status)
    return number(value, 1, status)
