"""Real or demo: where each value of the tidy table comes from, and which two may be compared.

Every row of the tidy and the published table carries ``origin`` (``real`` | ``demo``). `evalkit
clean` sets it from ``data/raw/sources.csv`` (its ``origin`` column says which files are demo);
a group value (borough, programme areas, city) or a composite (social-risk index, tenure
diversity, derived shares) is ``real`` only when every value it is formed from is real
(:func:`combine`): one demo member makes the whole figure partly invented.

The rule for every comparison over time (goal status, change since the baseline, the index's
development): two observations are compared only when they have the same origin
(:func:`comparable`). A demo baseline against a real latest year would report the difference
between invented and measured figures as a change; such a pair gets the code
:data:`MIXED_ORIGIN` instead (Swedish words for it live in ``present/``).

Numbers and codes only; no pandas import at module level, so that small readers can use it. Ground
floor (README, "Layout"): the contracts, the readers and the clean step use it, and it imports nothing.
"""

from __future__ import annotations

REAL = "real"
DEMO = "demo"
ORIGINS = (REAL, DEMO)
#: Reason code for a comparison of a demo observation with a real one (not made).
MIXED_ORIGIN = "mixed_origin"
#: What a demo source writes in its ``source`` text (the bundled demo files: "evalkit demodata …").
DEMO_MARK = "demodata"


def from_source(source) -> str:
    """Origin read from a row's ``source`` text: only for tables written before the ``origin``
    column existed (a source part naming demo data makes it ``demo``)."""
    return DEMO if DEMO_MARK in str(source or "").lower() else REAL


def combine(origins) -> str:
    """Origin of a value formed from several: ``demo`` if any part is demo, else ``real``."""
    return DEMO if any(str(o) == DEMO for o in origins) else REAL


def column(frame):
    """The ``origin`` column of a tidy frame (derived from ``source`` when the table has none)."""
    derived = frame["source"].map(from_source).astype(str)
    if "origin" not in frame.columns:
        return derived
    given = frame["origin"].astype(object)
    return given.where(given.isin(ORIGINS), derived).astype(str)


def comparable(first, second) -> bool:
    """True when two observations (their origins) may be compared over time: both real or both
    demo. An unknown origin (None, empty) says nothing and does not block the comparison."""
    a, b = str(first or ""), str(second or "")
    return not a or not b or a == b


def comparison_problem(first, second) -> str:
    """``""`` when the two may be compared, else :data:`MIXED_ORIGIN`."""
    return "" if comparable(first, second) else MIXED_ORIGIN


def real_years(frame) -> dict[str, list[int]]:
    """``{indicator: sorted years}`` with at least one real value (status empty) in ``frame``:
    which series are real, for banners, chart notes and the method page."""
    rows = frame[(column(frame) == REAL) & (frame["status"].fillna("") == "") & frame["value"].notna()]
    return {ind: sorted(int(y) for y in years) for ind, years in rows.groupby("indicator")["year"].unique().items()}


def year_spans(years) -> list[tuple[int, int]]:
    """Consecutive runs of years, e.g. ``[2014, 2015, 2016, 2020]`` -> ``[(2014, 2016), (2020, 2020)]``."""
    spans: list[tuple[int, int]] = []
    for y in sorted(set(int(y) for y in years)):
        if spans and y == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], y)
        else:
            spans.append((y, y))
    return spans
