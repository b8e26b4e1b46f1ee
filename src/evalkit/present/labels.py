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
