"""The area of a district report, resolved once: what every section needs to know about it.

``--district Husby`` (or the notebook's ``district`` parameter) is turned into one
:class:`Area` record by :func:`resolve` – in the build plan and once at the top of the district
notebook – and that record is passed to every section, so that no section looks the name up
again or works out the borough, the comparison areas or the member stadsdelar for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit import geography

#: The levels a district report exists for.
DISTRICT_LEVELS = ("stadsdel", "stadsdelsomrade")
#: Compared with every area: programme areas, rest of the city, whole city.
COMPARISON_AREAS = (geography.PROGRAMME_CODE, geography.REST_CODE, geography.CITY_CODE)


@dataclass(frozen=True)
class Area:
    """One report's area: a stadsdel or a stadsdelsområde, with what the sections derive from it.

    ``borough`` is the stadsdel's borough in ``era`` (a borough's own code for a borough);
    ``members`` the stadsdelar it covers (itself for a stadsdel); ``comparisons`` the area, its
    borough (for a stadsdel), the programme areas, the rest of the city and the city, in the
    order tables and charts show them; ``programme`` whether the programme names it.
    """

    code: str
    name: str
    level: str
    borough: str
    era: str
    members: tuple[str, ...]
    comparisons: tuple[str, ...]
    programme: bool

    @property
    def is_borough(self) -> bool:
        """True for a stadsdelsområde."""
        return self.level == "stadsdelsomrade"


def resolve(name_or_code: str, level: str | None = None, era: str = geography.PROGRAMME_ERA) -> Area:
    """The :class:`Area` of a district report from a code (``sd-husby``) or a name (``Husby``).

    Names are resolved by the geography registry (``level``: ``stadsdel`` or ``stadsdelsomrade``
    for names that are both); an area that is neither raises ``ValueError`` with a Swedish message.
    """
    code = geography.code_for(name_or_code, level=level)
    area_level = geography.area_level(code)
    if area_level not in DISTRICT_LEVELS:
        raise ValueError(f"{name_or_code!r} är {geography.area_name(code)}, inte en stadsdel eller ett "
                         "stadsdelsområde; områdesrapporter finns bara för dem")
    if area_level == "stadsdel":
        borough, members = geography.borough_of(code, era), (code,)
        comparisons = (code, borough) + COMPARISON_AREAS
        programme = code in geography.programme_stadsdelar()
    else:
        table = geography.stadsdelar()
        borough = code
        members = tuple(table.loc[table[f"sdo_{era}"] == code, "stadsdel_code"])
        comparisons = (code,) + COMPARISON_AREAS
        programme = code in geography.programme_boroughs()
    return Area(code=code, name=geography.area_name(code), level=area_level, borough=borough, era=era,
                members=members, comparisons=comparisons, programme=programme)
