"""Area labels for readers: unique even where a stadsdel and its borough share a name."""

from __future__ import annotations

from functools import lru_cache

from evalkit import geography


@lru_cache(maxsize=1)
def _stadsdel_names() -> frozenset[str]:
    return frozenset(geography.stadsdelar()["stadsdel"])


def area_label(code: str) -> str:
    """``Farsta`` for the stadsdel, ``Farsta (stadsdelsområde)`` for the borough of the same name."""
    name = geography.area_name(code)
    if geography.area_level(code) == "stadsdelsomrade" and name in _stadsdel_names():
        return f"{name} (stadsdelsområde)"
    return name


#: How a catalogue unit is written after a label, where the catalogue's word would repeat itself
#: or hide its reference ("index (staden = 100)" is the index against the city the same year).
UNIT_SV = {"index (staden = 100)": "staden samma år = 100", "index 0–1": "0–1"}


def unit_sv(unit: str) -> str:
    """The unit as a reader needs it after a label or a number: ``index (staden = 100)`` ->
    ``staden samma år = 100`` (never "index (index (…))"), others unchanged."""
    return UNIT_SV.get(unit, unit)


def with_unit(label: str, unit: str) -> str:
    """``Folkmängd (antal)``; the unit left out when the label already says it
    (``Personer per hushåll``, not ``Personer per hushåll (personer per hushåll)``)."""
    shown = unit_sv(unit)
    if not shown or shown.casefold() in label.casefold():
        return label
    return f"{label} ({shown})"
