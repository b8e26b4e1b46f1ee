"""Stockholm's areas as data: 117 stadsdelar, their stadsdelsområde in each era, programme flags.

Canonical codes (stable, ASCII, safe as file names):

* stadsdel:        ``sd-<slug>``   e.g. ``sd-hasselby-gard``
* stadsdelsområde: ``sdo-<slug>``  e.g. ``sdo-hasselby-vallingby``
* whole city:      ``stockholm``

Eras of borough boundaries: ``"2007"`` (14 boroughs, 2007 – Jun 2020), ``"2020"`` (13, Jul 2020 –
Jun 2023) and ``"2023"`` (11, from Jul 2023).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

from evalkit.paths import raw_dir

ERAS = ("2007", "2020", "2023")
CITY_CODE = "stockholm"

_ASCII_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slugify(name: str) -> str:
    """ASCII slug of a Swedish area name: ``"Hässelby gård"`` -> ``"hasselby-gard"``."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_ASCII_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def stadsdel_code(name: str) -> str:
    """Canonical code of a stadsdel given its canonical name."""
    return f"sd-{slugify(name)}"


def stadsdelsomrade_code(name: str) -> str:
    """Canonical code of a stadsdelsområde given its canonical name."""
    return f"sdo-{slugify(name)}"


@lru_cache(maxsize=1)
def stadsdelar() -> pd.DataFrame:
    """The 117 stadsdelar with their borough code per era and the programme flag.

    Columns: ``stadsdel_code, stadsdel, sdo_2007, sdo_2020, sdo_2023, programme``.
    """
    src = pd.read_csv(raw_dir() / "geography" / "stadsdelar_stadsdelsomraden.csv", dtype=str)
    areas = pd.read_csv(raw_dir() / "programme" / "programme_areas.csv", dtype=str)
    programme_names = {slugify(n) for n in areas.loc[areas["level"] == "stadsdel", "name"]}
    out = pd.DataFrame(
        {
            "stadsdel_code": src["stadsdel"].map(stadsdel_code),
            "stadsdel": src["stadsdel"],
            "sdo_2007": src["sdo_2007_2019"].map(stadsdelsomrade_code),
            "sdo_2020": src["sdo_2020_07_to_2023_06"].map(stadsdelsomrade_code),
            "sdo_2023": src["sdo_from_2023_07"].map(stadsdelsomrade_code),
        }
    )
    out["programme"] = out["stadsdel"].map(slugify).isin(programme_names)
    return out.sort_values("stadsdel_code").reset_index(drop=True)
