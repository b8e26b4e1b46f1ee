"""Stockholm's areas as data: 117 stadsdelar, their stadsdelsområde in each era, programme flags.

Canonical codes (stable, ASCII, safe as file names):

* stadsdel:        ``sd-<slug>``   e.g. ``sd-hasselby-gard``
* stadsdelsområde: ``sdo-<slug>``  e.g. ``sdo-hasselby-vallingby``
* groups:          ``programomradet``, ``ovriga-staden``, ``stockholm`` (whole city), ``riket``

Eras of borough boundaries: ``"2007"`` (14 boroughs, 2007 – Jun 2020), ``"2020"`` (13, Jul 2020 –
Jun 2023) and ``"2023"`` (11, from Jul 2023).

``resolve`` turns any spelling of an area (case, dash variants, "Skärholmens sdn",
"Stockholm (Akalla)", Unicode look-alikes, the aliases in ``data/raw/geography/aliases.csv``)
into its canonical code. Names that are both a stadsdel and a stadsdelsområde (Farsta,
Skärholmen, ...) are only resolved when the level is given or stated in the name.

Tables are built once (``lru_cache``); public functions return copies, so callers may modify
what they get without touching the cache.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from evalkit import programme
from evalkit.paths import raw_dir, text_rows

if TYPE_CHECKING:  # pandas and geopandas are imported where used: listing a build's pages needs neither
    import geopandas as gpd
    import pandas as pd

ERAS = ("2007", "2020", "2023")
#: The era the programme was decided and assigned in: its six boroughs ("stadsdelsnämnder") are the
#: 14 of 2007 – Jun 2020. Reports, aggregates, the disclosure audit and the effect estimates' clusters
#: use its boundaries; code that needs "the programme's boroughs" names this, not the year.
PROGRAMME_ERA = ERAS[0]
CITY_CODE = "stockholm"
PROGRAMME_CODE = "programomradet"
REST_CODE = "ovriga-staden"
RIKET_CODE = "riket"
LEVELS = ("stadsdel", "stadsdelsomrade", "omradesgrupp", "stad", "riket")

#: Display names of the non-geographic codes.
GROUP_NAMES = {
    PROGRAMME_CODE: "Programområdena",
    REST_CODE: "Övriga staden",
    CITY_CODE: "Hela staden",
    RIKET_CODE: "Riket",
}
_GROUP_LEVELS = {PROGRAMME_CODE: "omradesgrupp", REST_CODE: "omradesgrupp", CITY_CODE: "stad", RIKET_CODE: "riket"}

# Columns of the source CSV holding the borough of each era.
_ERA_COLUMNS = {"2007": "sdo_2007_2019", "2020": "sdo_2020_07_to_2023_06", "2023": "sdo_from_2023_07"}

_ASCII_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})

# Words (as slug tokens) that say "this is a stadsdelsområde" / "this is a stadsdel".
_SDO_WORDS = frozenset(
    {
        "sdn", "sdo", "sdf", "stadsdelsnamnd", "stadsdelsnamnden", "stadsdelsnamnds",
        "stadsdelsomrade", "stadsdelsomradet", "stadsdelsomrades",
        "stadsdelsnamndsomrade", "stadsdelsnamndsomradet",
        "stadsdelsforvaltning", "stadsdelsforvaltningen",
    }
)
_SD_WORDS = frozenset({"stadsdel", "stadsdelen"})

# Accepted spellings of the ``level`` argument.
_LEVEL_SYNONYMS = {
    "stadsdel": "stadsdel", "sd": "stadsdel",
    "stadsdelsomrade": "stadsdelsomrade", "sdo": "stadsdelsomrade", "sdn": "stadsdelsomrade",
    "stadsdelsnamnd": "stadsdelsomrade", "stadsdelsnamndsomrade": "stadsdelsomrade",
    "borough": "stadsdelsomrade",
    "omradesgrupp": "omradesgrupp", "grupp": "omradesgrupp",
    "stad": "stad", "kommun": "stad", "city": "stad",
    "riket": "riket", "land": "riket", "sverige": "riket",
}
_LEVEL_LABELS = {
    "stadsdel": "stadsdel",
    "stadsdelsomrade": "stadsdelsområde",
    "omradesgrupp": "områdesgrupp",
    "stad": "stad",
    "riket": "riket",
}
_SCB_PARENS = re.compile(r"^\s*stockholm\s*\((?P<inner>.+)\)\s*$", re.IGNORECASE)


class AreaNameError(ValueError):
    """An area name that cannot be turned into exactly one canonical code.

    ``name`` is the name as given, ``candidates`` a list of canonical codes (the possible
    meanings for an ambiguous name, the closest matches for an unknown one).
    """

    def __init__(self, message: str, name: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.name = name
        self.candidates = list(candidates or [])


class AmbiguousAreaError(AreaNameError):
    """The name fits more than one level (e.g. Farsta: stadsdel and stadsdelsområde)."""


class UnknownAreaError(AreaNameError):
    """No area of the requested level has this name (message lists the closest matches)."""


class AreaEraError(AreaNameError):
    """The stadsdelsområde exists, but not in the requested era of borough boundaries."""


# --------------------------------------------------------------------------- codes and slugs


def slugify(name: str) -> str:
    """ASCII slug of a Swedish area name: ``"Hässelby gård"`` -> ``"hasselby-gard"``.

    Every run of non-alphanumeric characters (spaces, hyphens, en/em dashes, NBSP) becomes one
    ``-``, so ``"Enskede – Årsta–Vantör"`` and ``"Enskede-Årsta-Vantör"`` share a slug.
    """
    text = unicodedata.normalize("NFKC", name).casefold().translate(_ASCII_FOLD)
    text = unicodedata.normalize("NFKD", text)
    # Any non-alphanumeric character (en/em dashes, NBSP, ...) separates words; accents go.
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    text = text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def stadsdel_code(name: str) -> str:
    """Canonical code of a stadsdel given its canonical name."""
    return f"sd-{slugify(name)}"


def stadsdelsomrade_code(name: str) -> str:
    """Canonical code of a stadsdelsområde given its canonical name."""
    return f"sdo-{slugify(name)}"


def check_era(era: str | int) -> str:
    """Return ``era`` as one of ``ERAS`` or raise ``ValueError``."""
    era = str(era)
    if era not in ERAS:
        raise ValueError(f"Okänd indelning (era) {era!r}; giltiga: {', '.join(ERAS)}")
    return era


def era_for_year(year: int) -> str:
    """Borough era that applies to an annual statistic for ``year``.

    Annual statistics refer to 31 December, so 2007–2019 -> ``"2007"``, 2020–2022 -> ``"2020"``
    (the July 2020 reform was in force on 31 Dec 2020) and 2023 onwards -> ``"2023"``.
    Years before 2007 also map to ``"2007"``: the 2007 boroughs are the earliest the registry
    knows, so older figures are presented on the 2007 boundaries.
    """
    year = int(year)
    if year >= 2023:
        return "2023"
    if year >= 2020:
        return "2020"
    return "2007"


# --------------------------------------------------------------------------- tables


@lru_cache(maxsize=1)
def _source() -> pd.DataFrame:
    """The stadsdel -> borough source table, as read."""
    import pandas as pd

    return pd.read_csv(raw_dir() / "geography" / "stadsdelar_stadsdelsomraden.csv", dtype=str)


@lru_cache(maxsize=1)
def _programme_areas() -> pd.DataFrame:
    """The programme's areas as named in the programme text (level, name, source_quote)."""
    return programme.programme_areas()


@lru_cache(maxsize=1)
def _stadsdelar_table() -> pd.DataFrame:
    import pandas as pd

    src = _source()
    programme_names = {slugify(n) for n in _programme_areas().query("level == 'stadsdel'")["name"]}
    out = pd.DataFrame(
        {
            "stadsdel_code": src["stadsdel"].map(stadsdel_code),
            "stadsdel": src["stadsdel"],
            **{borough_column(era): src[col].map(stadsdelsomrade_code) for era, col in _ERA_COLUMNS.items()},
        }
    )
    out["programme"] = out["stadsdel"].map(slugify).isin(programme_names)
    return out.sort_values("stadsdel_code").reset_index(drop=True)


def stadsdelar() -> pd.DataFrame:
    """The 117 stadsdelar with their borough code per era and the programme flag.

    Columns: ``stadsdel_code, stadsdel, sdo_2007, sdo_2020, sdo_2023, programme``
    (:func:`borough_column` names the borough column of an era).
    """
    return _stadsdelar_table().copy()


def borough_column(era: str = PROGRAMME_ERA) -> str:
    """The column of :func:`stadsdelar` with each stadsdel's borough in ``era`` (``sdo_2007`` …)."""
    return f"sdo_{check_era(era)}"


def members(borough_code: str, era: str = PROGRAMME_ERA) -> list[str]:
    """Codes of the stadsdelar in the stadsdelsområde ``borough_code`` of ``era`` (sorted; empty
    for a code that is no borough of that era)."""
    sd = _stadsdelar_table()
    return sorted(sd.loc[sd[borough_column(era)] == borough_code, "stadsdel_code"])


@lru_cache(maxsize=1)
def _borough_names() -> dict[str, str]:
    """Borough code -> canonical name, over all eras."""
    import pandas as pd

    src = _source()
    names = pd.concat([src[col] for col in _ERA_COLUMNS.values()]).drop_duplicates()
    return {stadsdelsomrade_code(n): n for n in names}


@lru_cache(maxsize=1)
def _stadsdelsomraden_table() -> pd.DataFrame:
    import pandas as pd

    sd = _stadsdelar_table()
    programme_2007 = set(_programme_borough_codes())
    names = _borough_names()
    frames = []
    for era in ERAS:
        grouped = sd.groupby(borough_column(era)).agg(
            n_stadsdelar=("stadsdel_code", "size"), has_programme=("programme", "any")
        )
        frame = pd.DataFrame(
            {
                "sdo_code": grouped.index.astype(str),
                "era": era,
                "n_stadsdelar": grouped["n_stadsdelar"].to_numpy(dtype="int64"),
                "programme": grouped["has_programme"].to_numpy(dtype=bool),
            }
        )
        if era == PROGRAMME_ERA:
            frame["programme"] = frame["sdo_code"].isin(programme_2007)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "stadsdelsomrade", out["sdo_code"].map(names))
    return out.sort_values(["era", "sdo_code"]).reset_index(drop=True)


def stadsdelsomraden() -> pd.DataFrame:
    """One row per (stadsdelsområde, era): ``sdo_code, stadsdelsomrade, era, n_stadsdelar, programme``.

    14 rows for era ``"2007"``, 13 for ``"2020"``, 11 for ``"2023"``. ``programme`` is True in era
    ``"2007"`` for the six boroughs the programme names (its "stadsdelsnämnder"); in the later
    eras, which the programme text does not know, a borough is marked programme if it contains
    at least one of the 21 programme stadsdelar.
    """
    return _stadsdelsomraden_table().copy()


def _programme_borough_codes() -> list[str]:
    names = _programme_areas().query("level == 'stadsdelsomrade'")["name"]
    return sorted(stadsdelsomrade_code(n) for n in names)


def programme_stadsdelar() -> list[str]:
    """Codes of the 21 stadsdelar the programme names (sorted)."""
    sd = _stadsdelar_table()
    return sorted(sd.loc[sd["programme"], "stadsdel_code"])


def programme_boroughs() -> list[str]:
    """Codes of the 6 stadsdelsområden (era ``"2007"``) the programme names (sorted)."""
    return _programme_borough_codes()


def borough_of(stadsdel_code: str, era: str = PROGRAMME_ERA) -> str:
    """Code of the stadsdelsområde that ``stadsdel_code`` belongs to in ``era``.

    Raises ``UnknownAreaError`` if the code is not one of the 117 stadsdel codes.
    """
    era = check_era(era)
    table = _borough_lookup()
    if stadsdel_code not in table:
        raise UnknownAreaError(f"Okänd stadsdelskod {stadsdel_code!r}", stadsdel_code)
    return table[stadsdel_code][era]


@lru_cache(maxsize=1)
def _borough_lookup() -> dict[str, dict[str, str]]:
    sd = _stadsdelar_table()
    return {
        row.stadsdel_code: {era: getattr(row, borough_column(era)) for era in ERAS}
        for row in sd.itertuples(index=False)
    }


@lru_cache(maxsize=1)
def _borough_eras() -> dict[str, tuple[str, ...]]:
    """Borough code -> the eras in which it exists."""
    sd = _stadsdelar_table()
    return {
        code: tuple(era for era in ERAS if (sd[borough_column(era)] == code).any()) for code in _borough_names()
    }


@lru_cache(maxsize=1)
def _names_by_code() -> dict[str, str]:
    sd = _stadsdelar_table()
    return {**dict(zip(sd["stadsdel_code"], sd["stadsdel"])), **_borough_names(), **GROUP_NAMES}


def area_name(code: str) -> str:
    """Display name of a canonical code (stadsdel, stadsdelsområde or group).

    ``programomradet`` -> "Programområdena", ``ovriga-staden`` -> "Övriga staden",
    ``stockholm`` -> "Hela staden", ``riket`` -> "Riket".
    """
    names = _names_by_code()
    if code not in names:
        raise UnknownAreaError(f"Okänd områdeskod {code!r}", code)
    return names[code]


def area_level(code: str) -> str:
    """Level of a canonical code: ``stadsdel``, ``stadsdelsomrade``, ``omradesgrupp``, ``stad``, ``riket``."""
    area_name(code)  # validates
    if code in _GROUP_LEVELS:
        return _GROUP_LEVELS[code]
    return "stadsdelsomrade" if code.startswith("sdo-") else "stadsdel"


def regso_key() -> pd.DataFrame:
    """SCB's RegSO 2020 areas of Stockholm and how each was matched to the city's areas
    (``geography/regso2020_stadsdelsomraden.csv``, as text; :mod:`evalkit.io.regso` reads SCB's
    tables through it). Read here because this module is the one reader of ``data/raw/geography``."""
    import pandas as pd

    return pd.read_csv(raw_dir() / "geography" / "regso2020_stadsdelsomraden.csv", dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- the registry without pandas


class PlainArea(NamedTuple):
    """A stadsdel or stadsdelsområde by canonical code, as the build plan lists pages: its name,
    level and its borough in ``PROGRAMME_ERA`` (a borough's own code for a borough)."""

    code: str
    name: str
    level: str
    borough: str

    @property
    def is_borough(self) -> bool:
        """True for a stadsdelsområde."""
        return self.level == "stadsdelsomrade"


@lru_cache(maxsize=1)
def _plain_registry() -> tuple[dict[str, PlainArea], tuple[str, ...]]:
    """(canonical code -> :class:`PlainArea` for the 117 stadsdelar and the boroughs of every era,
    the codes of the programme's boroughs then its stadsdelar), read with the ``csv`` module.

    Hand-written beside the pandas tables above because a no-op `evalkit build` lists its pages
    from codes and names only, and importing pandas would be most of its time. It reads the same
    two files by the same rules; ``tests/test_geography.py`` checks that it agrees with
    :func:`stadsdelar`, :func:`area_name`, :func:`borough_of` and the programme lists.
    """
    source = text_rows(raw_dir() / "geography" / "stadsdelar_stadsdelsomraden.csv")[1]
    named = programme.programme_area_rows()
    era_column = _ERA_COLUMNS[PROGRAMME_ERA]
    areas = {stadsdel_code(row["stadsdel"]): PlainArea(stadsdel_code(row["stadsdel"]), row["stadsdel"], "stadsdel",
                                                       stadsdelsomrade_code(row[era_column]))
             for row in source}
    # Borough names as _borough_names has them: every era's column in turn, each spelling once,
    # and for a code with two spellings the later one.
    for name in dict.fromkeys(row[col] for col in _ERA_COLUMNS.values() for row in source):
        code = stadsdelsomrade_code(name)
        areas[code] = PlainArea(code, name, "stadsdelsomrade", code)
    sd_names = {slugify(r["name"]) for r in named if r["level"] == "stadsdel"}
    boroughs = sorted(stadsdelsomrade_code(r["name"]) for r in named if r["level"] == "stadsdelsomrade")
    stadsdelar = sorted(a.code for a in areas.values() if a.level == "stadsdel" and slugify(a.name) in sd_names)
    return areas, tuple(boroughs + stadsdelar)


def plain_area(code: str) -> PlainArea | None:
    """The stadsdel or stadsdelsområde with canonical code ``code``, without pandas; None for
    anything else (a name, a group code, an unknown code: :func:`resolve` handles those)."""
    return _plain_registry()[0].get(code)


def plain_programme_areas() -> list[str]:
    """:func:`programme_boroughs` + :func:`programme_stadsdelar` (the 6 boroughs of era ``"2007"``,
    then the 21 stadsdelar, each sorted), without pandas."""
    return list(_plain_registry()[1])


def plain_stadsdelar() -> list[str]:
    """Codes of the 117 stadsdelar (sorted; :func:`stadsdelar`'s ``stadsdel_code``), without pandas."""
    return sorted(a.code for a in _plain_registry()[0].values() if a.level == "stadsdel")


# --------------------------------------------------------------------------- name resolution


@lru_cache(maxsize=1)
def _aliases() -> pd.DataFrame:
    """Extra spellings (``alias, level, canonical, note``) from ``geography/aliases.csv``."""
    import pandas as pd

    return pd.read_csv(raw_dir() / "geography" / "aliases.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _lookup() -> dict[str, dict[str, str]]:
    """Level -> {normalised name -> code}: canonical names, the codes themselves and aliases."""
    sd = _stadsdelar_table()
    table: dict[str, dict[str, str]] = {level: {} for level in LEVELS}
    for code, name in zip(sd["stadsdel_code"], sd["stadsdel"]):
        table["stadsdel"][slugify(name)] = code
        table["stadsdel"][code] = code
    for code, name in _borough_names().items():
        table["stadsdelsomrade"][slugify(name)] = code
        table["stadsdelsomrade"][code] = code
    for code, name in GROUP_NAMES.items():
        level = _GROUP_LEVELS[code]
        table[level][slugify(name)] = code
        table[level][code] = code
    canonical_codes = {(area_level(c), n): c for c, n in _names_by_code().items()}
    for row in _aliases().itertuples(index=False):
        code = canonical_codes.get((row.level, row.canonical))
        if code is None:
            raise ValueError(f"aliases.csv: {row.canonical!r} is not a canonical {row.level} name")
        table[row.level][slugify(row.alias)] = code
    return table


def _normalise_level(level: str | None) -> str | None:
    if level is None:
        return None
    key = slugify(level).replace("-", "")
    if key not in _LEVEL_SYNONYMS:
        raise ValueError(f"Okänd nivå {level!r}; giltiga: {', '.join(LEVELS)}")
    return _LEVEL_SYNONYMS[key]


@lru_cache(maxsize=65536)
def _parse(name: str) -> tuple[str, str | None]:
    """Normalise ``name`` to a lookup key and the level the name itself states (if any).

    NFKC (non-breaking spaces, full-width letters), case, diacritics, every dash and space
    variant collapse into the slug; "Stockholm (X)" (SCB RegSO style) becomes X; level words
    ("sdn", "stadsdelsnämnd", "Stadsdelsområde", ...) are removed and remembered.
    """
    text = unicodedata.normalize("NFKC", str(name))
    match = _SCB_PARENS.match(text)
    if match:
        text = match.group("inner")
    tokens = slugify(text).split("-")
    stated = None
    while len(tokens) > 1 and (tokens[0] in _SDO_WORDS or tokens[-1] in _SDO_WORDS):
        tokens = tokens[1:] if tokens[0] in _SDO_WORDS else tokens[:-1]
        stated = "stadsdelsomrade"
    if stated is None and len(tokens) > 1 and (tokens[0] in _SD_WORDS or tokens[-1] in _SD_WORDS):
        tokens = tokens[1:] if tokens[0] in _SD_WORDS else tokens[:-1]
        stated = "stadsdel"
    return "-".join(tokens), stated


def _find(key: str, levels: list[str], genitive: bool) -> dict[str, str]:
    """Code per level for ``key`` (or, for a name with a level word, its genitive-less form)."""
    table = _lookup()
    found = {lvl: table[lvl][key] for lvl in levels if key in table[lvl]}
    if not found and genitive and key.endswith("s"):
        found = {lvl: table[lvl][key[:-1]] for lvl in levels if key[:-1] in table[lvl]}
    return found


def _closest(key: str, levels: list[str], n: int = 3) -> list[str]:
    """Codes of the ``n`` names closest to ``key`` among ``levels`` (difflib ratio)."""
    table = _lookup()
    keys = {k: table[lvl][k] for lvl in levels for k in table[lvl]}
    codes: list[str] = []
    for k in difflib.get_close_matches(key, list(keys), n=len(keys), cutoff=0.0):
        if keys[k] not in codes:
            codes.append(keys[k])
        if len(codes) == n:
            break
    return codes


def _foreign_letters(name: str) -> list[str]:
    """Letters and digits that do not fold to ASCII (Cyrillic "е" in "Tеnsta", "北"): ``slugify`` would
    drop them silently, so "Rinkeby" + a Cyrillic "а" would resolve to Rinkeby. Swedish letters,
    accents and full-width forms fold and are not listed."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_ASCII_FOLD)
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch.isalnum() and not ch.isascii() and not unicodedata.combining(ch) and ch not in out:
            out.append(ch)
    return out


def resolve(name: str, level: str | None = None, era: str | None = None) -> str:
    """Canonical code for any spelling of an area name.

    ``level`` (``stadsdel``, ``stadsdelsomrade``, ``omradesgrupp``, ``stad``, ``riket``; also
    "sdo", "sdn", "kommun", ...) restricts the search; a level word in the name ("Skärholmens
    sdn", "Stadsdelsområde Farsta") implies ``stadsdelsomrade``. Names that are both a stadsdel
    and a stadsdelsområde raise ``AmbiguousAreaError`` unless the level is given or stated -
    the registry never guesses. ``era`` (``"2007"``, ``"2020"``, ``"2023"``) checks that a
    stadsdelsområde exists in that era (``AreaEraError`` otherwise); it does not affect stadsdelar.
    Unknown names raise ``UnknownAreaError`` naming the three closest matches.
    """
    wanted = _normalise_level(level)
    era = None if era is None else check_era(era)
    foreign = _foreign_letters(str(name))
    if foreign:
        described = ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in foreign)
        key, _stated = _parse("".join(c for c in str(name) if c not in foreign))
        candidates = _closest(key, list(LEVELS))
        raise UnknownAreaError(
            f"Okänt område {name!r}: innehåller tecken som inte är latinska bokstäver ({described}); "
            f"ett likt tecken från ett annat skriftsystem? Närmaste: {', '.join(area_name(c) for c in candidates)}",
            name, candidates)
    key, stated = _parse(str(name))
    if wanted and stated and wanted != stated:
        raise AreaNameError(
            f"Områdesnamnet {name!r} anger nivå {_LEVEL_LABELS[stated]} men nivå "
            f"{_LEVEL_LABELS[wanted]} begärdes",
            name,
        )
    chosen = wanted or stated
    levels = [chosen] if chosen else list(LEVELS)
    found = _find(key, levels, genitive=stated is not None)
    if not found:
        candidates = _closest(key, levels)
        label = _LEVEL_LABELS[chosen] if chosen else "alla"
        suggestions = ", ".join(area_name(c) for c in candidates)
        raise UnknownAreaError(
            f"Okänt område {name!r} (nivå: {label}). Närmaste: {suggestions}", name, candidates
        )
    if len(found) > 1:
        described = " och ".join(f"{_LEVEL_LABELS[lvl]} {area_name(c)} ({c})" for lvl, c in found.items())
        raise AmbiguousAreaError(
            f"Tvetydigt områdesnamn {name!r}: både {described}. Ange nivån (stadsdel eller "
            f"stadsdelsområde), skriv 'sdn' i namnet eller använd koden ({' eller '.join(found.values())}).",
            name,
            list(found.values()),
        )
    (found_level, code), = found.items()
    if era is not None and found_level == "stadsdelsomrade" and era not in _borough_eras()[code]:
        eras = ", ".join(_borough_eras()[code])
        raise AreaEraError(
            f"Stadsdelsområdet {area_name(code)} ({name!r}) finns inte i indelningen {era}; "
            f"det finns i indelningen: {eras}",
            name,
            [code],
        )
    return code


# Words that name a level when they head a column or dimension or stand in a title: the level words
# above plus plural and definite forms and the English ones. "stadsdels" is left out: it is the first
# half of "stadsdels-område" written with a hyphen, which is read as one word (see level_named).
_SDO_NAMING = _SDO_WORDS | frozenset(
    {"stadsdelsomraden", "stadsdelsomradena", "stadsdelsnamnder", "stadsdelsnamnderna",
     "stadsdelsnamndsomraden", "stadsdelsnamndsomradena", "borough", "boroughs"})
_SD_NAMING = _SD_WORDS | frozenset({"stadsdelar", "stadsdelarna", "district", "districts"})
# Codes made of a borough word and a number ("SDN12", "SDO 03", "sdn-1"), as in the city's own tables.
_SDO_NUMBER_CODE = re.compile(r"^(?:sdn|sdo|sdf)[\s\-_.]*\d+$", re.IGNORECASE)


def _level_of_word(word: str) -> str | None:
    if word in _SDO_NAMING:
        return "stadsdelsomrade"
    if word in _SD_NAMING:
        return "stadsdel"
    return None


def level_named(text: str, whole: bool = False) -> str | None:
    """The area level a heading or title names, or None.

    ``"Stadsdelsområde"``, ``"stadsdelsnämnd"``, ``"SDN"``, ``"sdo"`` -> ``stadsdelsomrade``;
    ``"Stadsdel"`` -> ``stadsdel``; case, accents and punctuation do not matter ("Stadsdels-område",
    "STADSDELSOMRÅDE:"). A text that names both levels ("per stadsdel och stadsdelsområde") names
    none. With ``whole=True`` the text must consist of level words (and numbers) only, as a column
    heading that *is* the area column does; otherwise a level word anywhere counts (titles).
    """
    tokens = [t for t in slugify(str(text)).split("-") if t]
    if not tokens:
        return None
    joined = _level_of_word("".join(t for t in tokens if not t.isdigit()))
    if joined:
        return joined
    levels = {_level_of_word(t) for t in tokens if not t.isdigit()}
    if whole and None in levels:
        return None
    levels.discard(None)
    return levels.pop() if len(levels) == 1 else None


# A row that sums the table's rows ("Summa", "Totalt") is no area – and not surely the city either:
# the table may list some areas only. Names of the city itself ("Stockholm totalt", "Hela staden")
# are aliases of the city in aliases.csv and resolve to it.
SUM_ROW_NAMES = frozenset({"summa", "totalt", "total", "sum", "samtliga", "summa-totalt", "totalsumma"})


def is_sum_row(name: str) -> bool:
    """Whether ``name`` is the label of a sum row ("Summa", "Totalt", "SUMMA:") rather than an area."""
    return slugify(unicodedata.normalize("NFKC", str(name))) in SUM_ROW_NAMES


def resolve_total(name: str) -> str | None:
    """The city or the country for a total row's name ("Stockholm totalt", "Hela staden",
    "Riket totalt"), whatever level the file's areas have; None for any other name."""
    key, _stated = _parse(str(name))
    found = _find(key, ["stad", "riket"], genitive=False)
    return next(iter(found.values())) if len(found) == 1 else None


def level_of_code(code: str) -> str | None:
    """The level of an area code that exists at one level only, or None.

    Canonical codes give their level (``sd-farsta`` -> ``stadsdel``, ``sdo-farsta`` ->
    ``stadsdelsomrade``, ``stockholm`` -> ``stad``); a borough word with a number ("SDN12", "SDO 3")
    is a stadsdelsområde. Anything else (names, numbers, RegSO codes) says nothing.
    """
    text = str(code).strip()
    if text in _names_by_code():
        return area_level(text)
    if _SDO_NUMBER_CODE.match(text):
        return "stadsdelsomrade"
    return None


def code_for(name_or_code: str, level: str | None = None) -> str:
    """Canonical code for what a user typed: a code (``sd-husby``) as is, or any spelling of a name.

    The command line, ``evalkit export`` and the notebooks' ``district`` parameter all go through
    here, so ``Husby`` works wherever ``sd-husby`` does. ``level`` as in :func:`resolve`.
    """
    text = str(name_or_code)
    if text in _names_by_code() and (level is None or area_level(text) == _normalise_level(level)):
        return text
    return resolve(text, level=level)


# --------------------------------------------------------------------------- geometries


@lru_cache(maxsize=1)
def _geometries() -> gpd.GeoDataFrame:
    import geopandas as gpd

    raw = gpd.read_file(raw_dir() / "geo" / "stadsdelar.geo.json")
    codes = raw["name"].map(lambda n: resolve(n, level="stadsdel"))
    names = _names_by_code()
    out = gpd.GeoDataFrame(
        {"stadsdel_code": codes, "stadsdel": codes.map(names)}, geometry=raw.geometry.values, crs=raw.crs
    ).set_crs("EPSG:4326", allow_override=True)  # the file is OGC:CRS84, i.e. WGS84 lon/lat
    expected = set(_stadsdelar_table()["stadsdel_code"])
    assert set(out["stadsdel_code"]) == expected and len(out) == len(expected), (
        "stadsdelar.geo.json does not match the 117 stadsdelar one to one"
    )
    return out.sort_values("stadsdel_code").reset_index(drop=True)


def geometries() -> gpd.GeoDataFrame:
    """The 117 stadsdelar as a GeoDataFrame (``stadsdel_code, stadsdel, geometry``, EPSG:4326).

    Feature names in the file (upper case, one truncated) are matched through ``resolve``;
    every one of the 117 must match exactly once.
    """
    return _geometries().copy()


def borough_geometries(era: str = PROGRAMME_ERA) -> gpd.GeoDataFrame:
    """Stadsdelsområden of ``era`` (``sdo_code, stadsdelsomrade, geometry``), dissolved from stadsdelar.

    A stadsdel that straddles a borough boundary goes wholly to its main borough (see the
    ``area_share_in_sdo_2020`` column of the source), so the outlines are approximate.
    """
    era = check_era(era)
    geo = _geometries()
    lookup = _borough_lookup()
    parts = geo.assign(sdo_code=geo["stadsdel_code"].map(lambda c: lookup[c][era]))
    out = parts[["sdo_code", "geometry"]].dissolve(by="sdo_code", as_index=False)
    out.insert(1, "stadsdelsomrade", out["sdo_code"].map(_borough_names()))
    return out.sort_values("sdo_code").reset_index(drop=True)
