"""Tables as published (CSV/TXT and Excel sheets) -> records for :func:`evalkit.io.core.records_to_result`.

What a published table looks like and how it is read:

* title and note lines above the header ("Tabell 3. Folkmängd …", "Uppgifterna avser 31 dec")
  are skipped and counted as notes; the header is the first row naming an area column or year
  columns;
* footnotes below the table ("Källa: SCB", "Anm. …", "..  = uppgift saknas") and blank lines are
  skipped and counted as notes; a one-cell row *inside* the table is a data row (it will be set
  aside for its missing values), unless it starts like a footnote;
* **long** tables have a year column; **wide** tables have one column per year ("2015",
  "År 2015", "Antal 2020", "Medelvärde för samtliga, tkr 2020") and become one record per
  area × year cell;
* extra dimension columns (SCB: "upplåtelseform", "kön", "födelseregion") either name the
  indicator (``dimension_map``) or restrict the rows used (``select``); records outside either
  are set aside with the reason, never dropped;
* a header cell merged down over a two-row header ("Stadsdelsområde" beside "År" over the years)
  and columns beside the years that are no year's value ("Förändring 2015–2019", "Totalt",
  "Kommentar") are understood; the latter are ignored with a note naming them;
* transposed tables (years as rows, areas as columns) and several tables stacked on one sheet
  (``tables`` names their indicators) are read; ``header_row`` and ``area_column`` (a sidecar
  written by ``evalkit inspect``) say where the header is and which column holds the areas;
* column roles by the file's own heading (``area_column``, ``year_column``, ``value_column``,
  ``numerator_column``, ``denominator_column``); where no heading says, the area column is guessed
  from its contents and the value/numerator/denominator from the catalogue's words (noted);
* year headings with a marker ("2020*", "2020p", "2020 prel.", "2020¹") are that year, the marker
  noted; year columns in groups ("Kvinnor"/"Män"/"Totalt" over the years) and breakdown columns
  (Kön, Ålder …) are read at their total, noted – without a total the reader stops and names them;
* hierarchical area columns (stadsdelar indented or prefixed under their borough, or under rows
  named "… stadsdelsområde"/"SDO"/"sdn") give each row its level.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit import geography, programme
from evalkit.io.core import (SIDECAR_SUFFIX, FileLevel, MissingIndicatorError, ReaderError, file_level, parse_numbers,
                             stated_unit)

# Header aliases -> canonical names (compared after casefold/strip).
HEADER_ALIASES = {
    "omrade": "area", "område": "area", "area": "area", "region": "area", "stadsdel": "area",
    "stadsdelsområde": "area", "stadsdelsomrade": "area", "stadsdelsnämnd": "area", "district": "area",
    "borough": "area", "area name": "area", "områdesnamn": "area", "regso": "area", "namn": "area",
    "name": "area", "deso": "area",
    "områdeskod": "area_code", "omradeskod": "area_code", "area_code": "area_code", "area code": "area_code",
    "omradesniva": "level", "områdesnivå": "level", "level": "level", "niva": "level", "nivå": "level",
    "indikator": "indicator", "indicator": "indicator", "mått": "indicator",
    "ar": "year", "år": "year", "year": "year", "tid": "year", "time": "year", "årtal": "year",
    "artal": "year", "period": "year",
    "taljare": "numerator", "täljare": "numerator", "numerator": "numerator", "antal": "numerator",
    "namnare": "denominator", "nämnare": "denominator", "denominator": "denominator",
    "varde": "value", "värde": "value", "value": "value", "andel": "value", "share": "value",
    "status": "status", "symbol": "status", "flag": "status",
    "kalla": "source", "källa": "source", "source": "source",
}
YEAR_HEADER = re.compile(r"^(?P<prefix>.*?)[\s:]*(?P<year>(?:19[5-9]|20[0-4])\d)(?:\.0)?$")
#: A marker after the year of a heading ("2020*", "2020p", "2020 prel.", "2020¹", "2020 (r)"): the
#: column is that year's; the marker (preliminary, revised, a footnote) is kept in the notes.
YEAR_MARKER = re.compile(r"(?<=\d)\s*(?P<marker>\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\(\s*\d\s*\)|\(?(?:prel(?:iminära?)?\.?|"
                         r"p|r|rev\.?|reviderad)\)?)\s*$", re.IGNORECASE)
# Columns beside the years that are not a year's value: a change or a comment.
# "Förändring 2015–2019" ends in a year but is not the 2019 column; such headers are ignored with
# a note naming them, never read as data.
NOT_A_YEAR = re.compile(
    r"(förändring|forandring|ändring|skillnad|differens|\bdiff\b|utveckling|kommentar|anmärkning|\banm\b|"
    r"fotnot|change|comment)", re.IGNORECASE)
# Words of columns that stand beside the years without being one ("Totalt", "Summa", "Medel");
# with a year after them ("Totalt 2020") they stay a year column, as in SCB's tables.
BESIDE_YEARS = re.compile(NOT_A_YEAR.pattern[:-1] + r"|totalt|\btotal\b|summa|medel|\bsnitt\b|"
                          r"\bnot\b|\bnote)", re.IGNORECASE)
YEAR_RANGE = re.compile(r"(?:19[5-9]|20[0-4])\d\s*[-–—]\s*(?:19[5-9]|20[0-4])\d")
FOOTNOTE = re.compile(
    r"^\s*(källa|källor|kalla|anm\b|anm\.|anmärkning|not\b|noter|fotnot|source|sources|note|notes|"
    r"förklaring|teckenförklaring|symbol|uppgifterna|uppdaterad|senast|publicerad|\*|¹|²|\.\.\s|…\s|–\s|-\s|x\s)",
    re.IGNORECASE,
)


_SYMBOL_NOTE = re.compile(r"^\s*(?:\.\.\s|…\s|–\s|-\s|x\s)", re.IGNORECASE)


def canonical_header(cell: str) -> str | None:
    """Canonical column name of a header cell, or None.

    Besides the aliases, a header made of level words only ("SDN", "Stadsdelsnämndsområde",
    "Stadsdelsområde (SDN)") is the area column: it names the level of its areas.
    """
    text = str(cell).strip()
    found = HEADER_ALIASES.get(text.casefold())
    if found is None and text and geography.level_named(text, whole=True):
        return "area"
    parts = [p for p in re.split(r"\s*(?:/|,|&|\boch\b|\beller\b)\s*", text) if p]
    if found is None and len(parts) > 1 and all(geography.level_named(p, whole=True) for p in parts):
        return "area"  # "Stadsdel/stadsdelsnämnd": a hierarchical area column names both levels
    return found


def year_of_header(cell) -> tuple[int, str] | None:
    """``(year, prefix)`` when the header names a year column ("2015", "År 2015", "Antal 2020")."""
    if isinstance(cell, (int, np.integer)) or (isinstance(cell, float) and cell.is_integer()):
        cell = str(int(cell))
    text = str(cell).strip()
    marker = YEAR_MARKER.search(text)
    if marker and YEAR_HEADER.match(text[:marker.start()].rstrip()):
        text = text[:marker.start()].rstrip()
    m = YEAR_HEADER.match(text)
    if not m or YEAR_RANGE.search(text) or NOT_A_YEAR.search(m.group("prefix")):
        return None
    prefix = m.group("prefix").strip(" ,;:")
    if canonical_header(prefix) in ("area", "level", "indicator", "area_code"):
        return None
    return int(m.group("year")), prefix


def year_marker(cell) -> str:
    """The marker after the year of a year heading ("2020*" -> ``*``, "2020 prel." -> ``prel.``), or ""."""
    text = str(cell).strip()
    marker = YEAR_MARKER.search(text)
    if marker is None or year_of_header(text) is None or not YEAR_HEADER.match(text[:marker.start()].rstrip()):
        return ""
    return marker.group("marker")


_NUMBER_CELL = re.compile(r"[-−+]?[\d\s\u00a0]+(?:[.,]\d+)?")


def time_years(times: pd.Series) -> pd.Series:
    """PC-Axis/JSON-stat time values as years: "2020", "År 2020", "2020*", "2020 prel." -> "2020";
    other values ("2020K1", "2020M01") stay as they are, to be set aside by the year check."""
    def one(t: str) -> str:
        found = year_of_header(t)
        return str(found[0]) if found else t

    return times.astype(str).map(one)


def is_header_row(cells: list[str]) -> bool:
    """A row that looks like the table header (names an area/year column or has year columns)."""
    filled = [c for c in cells if str(c).strip()]
    if len(filled) < 2:
        return False
    named = [canonical_header(c) for c in filled]
    years = [year_of_header(c) for c in filled]
    if any(n in ("area", "area_code") for n in named) and (any(years) or "year" in named or "value" in named
                                                            or "indicator" in named):
        return True
    if (named.count("year") == 1 and len(filled) >= 3 and len(set(filled)) == len(filled)
            and not any(_NUMBER_CELL.fullmatch(str(c).strip()) for c in filled)
            and sum(_names_an_area(str(c).strip()) for c in filled) <= 1):
        return True  # a long table's header whose area heading evalkit does not know ("Enhet", "Årtal", …)
        # (not a transposed table's "År | Rinkeby-Kista | …", nor "År" merged over the years)
    return sum(y is not None for y in years) >= 1 and any(n is not None for n in named) or (
        sum(y is not None for y in years) >= 2)


def find_header(rows: list[list[str]], named: tuple | list = ()) -> int:
    """Index of the header row among the first rows; ``-1`` when none is recognised. ``named``:
    headings the user stated (``area_column``, ``value_column`` …) – a row holding one of them
    is the header, whatever evalkit makes of its other cells."""
    wanted = {str(n).strip().casefold() for n in named if n}
    for i, cells in enumerate(rows):
        if is_header_row(cells) or (wanted and wanted & {str(c).strip().casefold() for c in cells}):
            return i
    return -1


def _names_an_area(text: str) -> bool:
    """Whether a cell names an area the registry knows (ambiguous names and total rows count)."""
    try:
        geography.resolve(text)
    except geography.AmbiguousAreaError:
        return True
    except (geography.AreaNameError, ValueError):
        return geography.resolve_total(text) is not None
    return True


def find_transposed(rows: list[list[str]]) -> int:
    """Index of the header of a transposed table (years as rows, areas as columns), or ``-1``.

    Such a header starts with "År" (or an empty cell) and names at least two known areas, half
    of its other cells at least; the row below it starts with a year. Looked for only when no
    ordinary header is found, so a table that reads as before is never taken for one.
    """
    for i, cells in enumerate(rows[:-1]):
        cells = [str(c).strip() for c in cells]
        if not cells or (cells[0] and canonical_header(cells[0]) != "year"):
            continue
        names = [c for c in cells[1:] if c]
        if len(names) < 2 or year_of_header(str(rows[i + 1][0]) if rows[i + 1] else "") is None:
            continue
        if sum(_names_an_area(n) for n in names) >= max(2, (len(names) + 1) // 2):
            return i
    return -1


def merge_two_row_header(top: list[str], below: list[str]) -> list[str] | None:
    """A header split over two rows (a merged "År" cell above the years): combine them.

    The row below holds the years; its other cells are empty or repeat the cell above – a header
    cell merged down over both rows ("Stadsdelsområde", "Totalt", "Kommentar"), which Excel
    keeps in the top cell only and the Excel reader fills into both.
    """
    width = max(len(top), len(below))
    top = [str(c).strip() for c in top] + [""] * (width - len(top))
    below = [str(c).strip() for c in below] + [""] * (width - len(below))
    below_years = sum(year_of_header(b) is not None for b in below if b)
    merged_down = all(not b or year_of_header(b) is not None or b == t for t, b in zip(top, below))
    top_years = sum(year_of_header(t) is not None for t in top if t)
    if below_years >= 1 and merged_down and top_years == 0:
        # a group label over the years ("Kvinnor" | "Män", "Andel, procent"; in CSV only above its
        # first year) goes before each of its years ("Kvinnor 2015"): the years of two groups are
        # then told apart (:func:`year_groups`); "År" over the years adds nothing
        label, merged = "", []
        for t, b in zip(top, below):
            is_year = bool(b) and year_of_header(b) is not None
            label = t if t else (label if is_year else "")
            group = label if is_year and canonical_header(label) != "year" and label != b else ""
            merged.append(f"{group} {b}" if group else (b if b else t))
        return merged
    return None


def group_row_above(rows: list[list[str]], h: int) -> int:
    """``h - 1`` when the row above the header ``h`` groups its years ("Kvinnor" over 2015–2017,
    "Män" over 2015–2017 – the years repeat in the header): the header starts there and the two rows
    are merged (:func:`merge_two_row_header`); else ``h``."""
    if h <= 0 or h >= len(rows):
        return h
    seen = [y[0] for y in (year_of_header(c) for c in rows[h] if str(c).strip()) if y]
    if len(seen) == len(set(seen)) or merge_two_row_header(rows[h - 1], rows[h]) is None:
        return h
    return h - 1

@dataclass(frozen=True)
class HeaderAt:
    """Where a table's header is among its rows (0-based): from ``top`` to ``last`` (one row, or
    the two rows of a two-row header), its cells, and whether the table is transposed."""

    top: int
    last: int
    cells: list
    transposed: bool


def locate_header(rows: list[list[str]], at: int | None = None, named: tuple | list = ()) -> HeaderAt | None:
    """The header of a grid (CSV lines, an Excel sheet), the one rule of both: the row ``at`` (a
    ``header_row`` the user gave, 0-based) or the first header row among the first 200
    (:func:`find_header`), else a transposed table's (:func:`find_transposed`); a row grouping the
    years above it and a second header row below it are merged in (:func:`group_row_above`,
    :func:`merge_two_row_header`). None when there is no header."""
    head = rows[:200]
    h = find_header(head, named) if at is None else at
    transposed = h < 0 and find_transposed(head) >= 0
    if transposed:
        h = find_transposed(head)
    if not 0 <= h < len(rows):
        return None
    if transposed:
        return HeaderAt(h, h, rows[h], True)
    h = group_row_above(rows, h)
    merged = merge_two_row_header(rows[h], rows[h + 1]) if h + 1 < len(rows) else None
    if merged is None:
        return HeaderAt(h, h, rows[h], False)
    return HeaderAt(h, h + 1, merged, False)


def column_roles(header: list[str], area_column: str | None = None, transposed: bool = False,
                 roles: dict | None = None) -> list[tuple[str, str]]:
    """What the reader makes of each header cell, in Swedish: ``[(heading, role), …]`` (``evalkit inspect``).

    ``roles``: the role columns as read (``{"value_column": "Ohälsotal (dagar)", …, "select":
    {"Kön": ["Totalt"]}}``, :func:`table_to_records`), each named with the sidecar key that sets it.
    """
    if transposed:
        return [(str(h).strip(), "år (ett år per rad)" if i == 0 else
                 "läses inte: förändring, total eller kommentar, inte ett område"
                 if BESIDE_YEARS.search(str(h)) or YEAR_RANGE.search(str(h)) else "område (värden per år)")
                for i, h in enumerate(header) if i == 0 or str(h).strip()]
    roles = dict(roles or {})
    if area_column:
        roles.setdefault("area_column", area_column)
    chosen = {_fold(h): members for h, members in (roles.pop("select", None) or {}).items()}
    by_heading = {_fold(h): key for key, h in roles.items() if h}
    stated = {ROLE_KEYS[k]: k for k, h in roles.items() if h and k in ROLE_KEYS}
    out = []
    labels = {"area": "område", "area_code": "områdeskod", "level": "områdesnivå per rad", "indicator": "indikator",
              "year": "år (lång tabell)", "value": "värde", "numerator": "täljare", "denominator": "nämnare",
              "status": "status/symbol", "source": "källa"}
    for i, h in enumerate(header):
        h = str(h).strip()
        key = by_heading.get(_fold(h)) if h else None
        canon = ROLE_KEYS[key] if key else canonical_header(h)
        year = year_of_header(h) if canon is None else None
        if key:
            role = f"{labels[canon]} ({key})"
        elif canon in stated:
            role = f"används inte ({stated[canon]} anger en annan kolumn)"
        elif canon:
            role = labels[canon]
        elif year:
            role = f"värden för år {year[0]}" + (f" (förled {year[1]!r})" if year[1] else "")
            if year_marker(h):
                role += f" (markering {year_marker(h)!r} noteras)"
        elif _fold(h) in chosen:
            role = f"uppdelning: bara totalen {chosen[_fold(h)][0]!r} läses (select)"
        elif not h:
            role = "område (tom rubrik i första kolumnen)" if i == 0 else "tom rubrik – används inte"
        elif BESIDE_YEARS.search(h) or YEAR_RANGE.search(h):
            role = "läses inte: förändring, total eller kommentar bredvid åren, inte ett års värde"
        else:
            role = ("används inte (okänd rubrik; ange value_column/numerator_column/denominator_column om den är "
                    "värdet, täljaren eller nämnaren, select/dimension_map om den delar upp värdena)")
        out.append((h, role))
    return out


def normalise_dimension_options(dimension_map: dict | None, select: dict | None) -> tuple[dict, dict]:
    """Case-insensitive ``dimension_map`` ({dim: {value: indicator or None}}) and ``select`` ({dim: values})."""
    dim_map = {str(k).strip().casefold(): {str(v).strip().casefold(): t for v, t in m.items()}
               for k, m in (dimension_map or {}).items()}
    sel = {str(k).strip().casefold(): {str(v).strip().casefold() for v in (vals if isinstance(vals, list) else [vals])}
           for k, vals in (select or {}).items()}
    return dim_map, sel


def apply_dimensions(base: pd.DataFrame, dims: dict[str, pd.Series], dim_map: dict, sel: dict) -> None:
    """Set ``indicator`` from mapped dimension values; set aside (``reason``) records outside the
    map or the selection. ``dims`` maps a dimension's display name to its cell text per record."""
    for name, cells in dims.items():
        key = name.strip().casefold()
        folded = cells.astype(str).str.strip().str.casefold()
        if key in dim_map:
            mapping = dim_map[key]
            mapped = folded.map(lambda v, m=mapping: m.get(v, "\x00missing"))
            excluded = mapped.isna() & (base["reason"] == "")
            base.loc[excluded, "reason_column"] = name
            base.loc[excluded, "reason"] = "utesluten enligt dimension_map (" + name + " = " + cells[excluded] + ")"
            missing = (mapped == "\x00missing") & (base["reason"] == "")
            base.loc[missing, "reason_column"] = name
            base.loc[missing, "reason"] = "värdet finns inte i dimension_map (" + name + " = " + cells[missing] + ")"
            ok = mapped.notna() & (mapped != "\x00missing")
            base["indicator"] = mapped.where(ok, base["indicator"]).astype(str)
        if key in sel:
            outside = ~folded.isin(sel[key]) & (base["reason"] == "")
            base.loc[outside, "reason_column"] = name
            base.loc[outside, "reason"] = "utanför urvalet (" + name + " = " + cells[outside] + ")"


def _cells_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda s: s.fillna("").astype(str).str.strip())


def classify_rows(body: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(is_note, is_blank)`` masks for body rows.

    Notes: rows whose first non-empty cell starts like a footnote ("Källa:", "Anm.", "Not",
    ".. = …"), even when the delimiter split them into several cells, and one-cell rows after the
    last data row. Blank rows are counted separately. Everything else is data.
    """
    text = _cells_text(body)
    nonempty = (text != "").sum(axis=1).to_numpy()
    blank = nonempty == 0
    note = np.zeros(len(body), dtype=bool)
    candidates = np.flatnonzero(nonempty >= 1)
    if len(candidates) and body.shape[1]:
        sub = text.iloc[candidates]
        first = sub.iloc[:, 0]
        empty_first = (first == "").to_numpy()
        if len(candidates) < 50000 and empty_first.any():
            # the row's cells joined, only where the first cell is empty (joining every row was
            # most of reading a large CSV)
            first = first.copy()
            first[empty_first] = sub[empty_first].agg("".join, axis=1)
        footnote = first.str.match(FOOTNOTE).to_numpy().copy()
        # "- Akalla;9,1;8,8" is a stadsdel under its borough (area_hierarchy), not "- = noll": a
        # symbol-explaining line has no number beside it
        symbol_like = first.str.match(_SYMBOL_NOTE).to_numpy()
        if (footnote & symbol_like).any():
            rest = sub.iloc[:, 1:]
            numbers = rest.apply(lambda c: c.str.fullmatch(r"[-−+]?[\d\s\u00a0]+(?:[.,]\d+)?")).any(axis=1).to_numpy() \
                if rest.shape[1] else np.zeros(len(sub), dtype=bool)
            footnote &= ~(symbol_like & numbers)
        note[candidates[footnote]] = True
    multi = np.flatnonzero((nonempty >= 2) & ~note)
    last = multi[-1] if len(multi) else -1
    trailing = np.arange(len(body)) > last
    note |= trailing & (nonempty == 1) & ~other_delimiter_rows(body)
    return note, blank


def other_delimiter_rows(body: pd.DataFrame) -> np.ndarray:
    """One-cell rows whose cell splits on another delimiter into a full row ("a,b,c,d" under a
    ``;`` header): data written with the wrong delimiter, not a footnote – they must be set aside."""
    width = body.shape[1]
    if width < 3 or not len(body):
        return np.zeros(len(body), dtype=bool)
    text = _cells_text(body)
    one = ((text != "").sum(axis=1) == 1).to_numpy() & (text.iloc[:, 0] != "").to_numpy()
    parts = text.iloc[:, 0].str.split(r"[;,\t]").str.len().to_numpy()
    return one & (parts >= width) & ~text.iloc[:, 0].str.match(FOOTNOTE).to_numpy()


#: Sidecar keys (and ``validate``/``inspect`` flags) that name a column by the file's own heading.
ROLE_KEYS = {"area_column": "area", "year_column": "year", "value_column": "value",
             "numerator_column": "numerator", "denominator_column": "denominator"}
ROLE_WORDS = {"area": "områdeskolumn", "year": "årskolumn", "value": "värdekolumn", "numerator": "täljarkolumn",
              "denominator": "nämnarkolumn"}
# Words left out when a heading is compared with the catalogue; words that mean the same population.
_STOP_WORDS = frozenset({"av", "i", "med", "och", "per", "som", "under", "till", "för", "en", "ett", "på", "år",
                         "m", "m.m", "mm", "de", "den", "det", "är", "eller"})
_SAME_WORD = {"befolkning": "invånare", "befolkningen": "invånare", "folkmängd": "invånare", "folkmängden": "invånare",
              "folkbokförda": "invånare", "invånarna": "invånare", "%": "procent", "kr": "kronor"}


def _fold(text) -> str:
    """A heading as a person reads it: case, runs of spaces (non-breaking too) and dash variants do not matter."""
    text = unicodedata.normalize("NFKC", str(text)).replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _words(text) -> set[str]:
    """The words of a heading or catalogue text, for comparing them."""
    words = re.findall(r"%|[0-9a-zåäöéü]+(?:-[0-9]+)?", _fold(text))
    return {_SAME_WORD.get(w, w) for w in words if w not in _STOP_WORDS}


def catalogue_words(indicator: str | None) -> dict | None:
    """The words ``indicators.csv`` has for an indicator: its label, unit and the description's
    "täljare: …; nämnare: …" – what a file's headings are compared with to guess the columns."""
    catalogue = programme.indicator_catalogue().set_index("indicator")
    if not indicator or indicator not in catalogue.index:
        return None
    row = catalogue.loc[indicator]
    text = str(row["description_sv"])
    both = re.search(r"täljare och nämnare:\s*([^;)]*)", text)
    num = both or re.search(r"täljare:\s*([^;)]*)", text)
    den = both or re.search(r"nämnare:\s*([^;)]*)", text)
    return {"label": _words(row["label_sv"]) | set(indicator.split("_")), "unit": _words(row["unit"]),
            "numerator": _words(num.group(1)) if num else set(), "denominator": _words(den.group(1)) if den else set(),
            "kind": str(row["kind"])}


def _numeric_column(cells: pd.Series) -> bool:
    """Whether at least half of a column's filled cells are numbers or statistics symbols."""
    filled = cells[cells.astype(str).str.strip() != ""]
    if not len(filled):
        return False
    _values, _status, bad = parse_numbers(filled.astype(str))
    return (~bad).mean() >= 0.5


def year_groups(header: list[str], years: list, sel: dict, source: str) -> tuple[list, list[str]]:
    """Year columns in groups ("Kvinnor 2015 | Kvinnor 2016 | Män 2015 | Män 2016", or a group
    label over the years): a breakdown across the columns. The total group is read (or the one
    ``"select": {"grupp": [...]}`` names) and the others left with a note; without a total, a
    stop naming the groups. Never two groups as the same area and year."""
    cols = [i for i, y in enumerate(years) if y]
    groups = list(dict.fromkeys(years[i][1] for i in cols))
    seen = [years[i][0] for i in cols]
    if len(groups) < 2 or len(set(seen)) == len(seen):
        return years, []
    wanted = sel.pop("grupp", None)
    chosen = [g for g in groups if (g.casefold() in wanted if wanted else is_total_member(g))]
    if len(chosen) != 1:
        raise ReaderError(f"{source}: årskolumnerna är uppdelade i {len(groups)} grupper ({', '.join(groups)}) "
                          "utan en total (Totalt, Samtliga, Båda könen, Alla); evalkit läser aldrig flera grupper "
                          f"som samma område och år – välj en med \"select\": {{\"grupp\": [\"{groups[0]}\"]}} "
                          f"i läsanvisningen {source}{SIDECAR_SUFFIX}")
    left = [header[i] for i in cols if years[i][1] != chosen[0]]
    years = [y if (y is None or y[1] == chosen[0]) else None for y in years]
    return years, [f"årskolumnerna är uppdelade i grupper ({', '.join(groups)}): bara {chosen[0]!r} läses; "
                   f"kolumnerna {', '.join(left)} läses inte"]


def _area_pair(header: list[str], canon: list) -> tuple[int, int] | None:
    """``(borough column, stadsdel column)`` when the table has both ("Stadsdelsområde | Stadsdel")."""
    areas = [i for i, c in enumerate(canon) if c == "area"]
    levels = {geography.level_named(header[i], whole=True): i for i in areas}
    if len(areas) == 2 and set(levels) == {"stadsdelsomrade", "stadsdel"}:
        return levels["stadsdelsomrade"], levels["stadsdel"]
    return None


def two_area_columns(borough: pd.Series, stadsdel: pd.Series, header: list[str],
                     pair: tuple[int, int]) -> tuple[pd.Series, pd.Series, str]:
    """A borough column beside a stadsdel column: each row is its stadsdel, or – where the stadsdel
    cell is empty or a total ("Totalt", "Summa") – its borough. Returns names, levels and a note."""
    own = (stadsdel != "") & ~stadsdel.map(geography.is_sum_row)
    names = stadsdel.where(own, borough)
    levels = pd.Series(np.where(own, "stadsdel", "stadsdelsomrade"), index=stadsdel.index)
    return names, levels, (f"två områdeskolumner: {header[pair[1]]!r} ger stadsdelen, {header[pair[0]]!r} "
                           f"stadsdelsområdet där stadsdelen är tom eller en totalrad ({int((~own).sum())} rader)")


def area_by_content(header: list[str], canon: list, years: list, text: pd.DataFrame) -> int | None:
    """The column whose cells are area names evalkit knows (four in five of its distinct names at
    least, two or more), when no heading says which is the area column ("Enhet"); None if none."""
    for i, h in enumerate(header):
        if canon[i] is not None or years[i] or i not in text.columns:
            continue
        names = [n for n in pd.unique(text[i]) if n][:200]
        if len(names) >= 2 and not _numeric_column(text[i]) and sum(map(_names_an_area, names)) >= 0.8 * len(names):
            return i
    return None


def stated_roles(header: list[str], canon: list, source: str, roles: dict) -> list:
    """The roles the user states by heading (``value_column``: "Ohälsotal (dagar)" …); the stated
    column replaces one evalkit found by its name. ReaderError naming the key for a heading that
    is not in the header."""
    folded = [_fold(h) for h in header]
    canon = list(canon)
    for key, role in ROLE_KEYS.items():
        wanted = roles.get(key)
        if not wanted:
            continue
        if _fold(wanted) not in folded:
            raise ReaderError(f"{source}: {ROLE_WORDS[role]}en {wanted!r} ({key}) finns inte i rubrikraden "
                              f"({', '.join(h for h in header if h)})")
        i = folded.index(_fold(wanted))
        canon = [None if c == role and j != i else c for j, c in enumerate(canon)]
        canon[i] = role
    return canon


def guess_roles(header: list[str], canon: list, text: pd.DataFrame, indicator: str | None,
                source: str) -> tuple[list, list[str]]:
    """A long table without a value column by name ("Ohälsotal (dagar)", "Antal dagar",
    "Befolkning 16–64 år"): which of its number columns are the value, numerator and
    denominator, from the catalogue's words for the indicator. Returns the roles and a note per
    guess; ReaderError naming the headings and the sidecar key when the value cannot be told."""
    notes: list[str] = []
    if "year" not in canon or "value" in canon:
        return canon, notes
    canon = list(canon)
    words = catalogue_words(indicator)
    if words and words["kind"] == "antal" and "numerator" in canon and "denominator" not in canon:
        i = canon.index("numerator")  # "Antal" of a count is its value
        canon[i] = "value"
        notes.append(f"värdekolumn {header[i]!r}: antalet är indikatorns värde ({indicator} är ett antal)")
        return canon, notes
    candidates = [i for i, (h, c) in enumerate(zip(header, canon))
                  if h and c is None and not BESIDE_YEARS.search(h) and _numeric_column(text[i])]

    def best(score, among):
        scored = sorted(((score(_words(header[i]), _fold(header[i])), i) for i in among), reverse=True)
        if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return scored[0][1]
        return None

    value = None
    if words:
        value = best(lambda w, f: 2 * len(w & words["label"]) + len(w & words["unit"])
                     + (1 if words["kind"] == "antal" and f.startswith("antal") else 0)
                     + (1 if words["kind"] == "andel" and f.startswith("andel") else 0), candidates)
    if value is None and len(candidates) == 1:
        value = candidates[0]
    if value is None:
        shown = ", ".join(repr(header[i]) for i in candidates) or "ingen kolumn med tal"
        example = header[candidates[0]] if candidates else "rubriken"
        raise ReaderError(f"{source}: ingen värdekolumn: evalkit kan inte avgöra vilken kolumn som är "
                          f"{indicator or 'indikatorn'}s värde (kolumner med tal: {shown}); ange den med "
                          f"\"value_column\": \"{example}\" i läsanvisningen {source}{SIDECAR_SUFFIX} "
                          "(eller --value-column)")
    canon[value] = "value"
    notes.append(f"värdekolumn {header[value]!r}: gissad från katalogens namn och enhet för {indicator}"
                 if words and len(candidates) > 1 else f"värdekolumn {header[value]!r}: den enda kolumnen med tal")
    rest = [i for i in candidates if i != value]
    for role in ("numerator", "denominator"):
        if role in canon or not words or not words[role]:
            continue
        pick = best(lambda w, f, r=role: len(w & words[r]) + (0.5 if r == "numerator" and f.startswith("antal")
                                                              else 0), rest)
        if pick is not None and len(_words(header[pick]) & words[role]):
            canon[pick] = role
            rest.remove(pick)
            notes.append(f"{ROLE_WORDS[role]} {header[pick]!r}: gissad från katalogens "
                         f"{'täljare' if role == 'numerator' else 'nämnare'} för {indicator}")
    return canon, notes


#: Members of a breakdown (Kön, Ålder, Födelseland …) that are its total, read when none is chosen.
TOTAL_MEMBERS = frozenset({"totalt", "total", "samtliga", "båda könen", "alla", "kvinnor och män", "män och kvinnor",
                           "samtliga åldrar", "alla åldrar", "hela befolkningen", "samtliga personer", "totalt alla"})
#: Headings of columns that split an area's value into categories.
BREAKDOWN_HEADINGS = frozenset({"kön", "kon", "ålder", "alder", "åldersgrupp", "åldersklass", "födelseland",
                                "födelseregion", "bakgrund", "utländsk bakgrund", "utbildningsnivå", "upplåtelseform",
                                "hushållstyp", "civilstånd", "sex", "age"})


def is_total_member(member: str) -> bool:
    """Whether a breakdown's category is its total ("Totalt", "Samtliga", "Båda könen", "Alla")."""
    folded = _fold(member)
    return folded in TOTAL_MEMBERS or folded.startswith(("totalt ", "samtliga ", "alla "))


def breakdown_stop(source: str, heading: str, members: list[str], what: str = "kolumnen"):
    """The ReaderError for a breakdown without one total member: names the column, its members
    and the sidecar key that chooses one."""
    shown = ", ".join(members[:12]) + (" …" if len(members) > 12 else "")
    err = ReaderError(f"{source}: {what} {heading!r} delar upp värdena i {len(members)} kategorier ({shown}) och "
                      "har ingen total (Totalt, Samtliga, Båda könen, Alla); evalkit läser aldrig flera kategorier "
                      f"som ett område och år – välj en med \"select\": {{\"{heading}\": [\"{members[0]}\"]}} eller "
                      f"ange varje kategoris indikator med \"dimension_map\" i läsanvisningen {source}{SIDECAR_SUFFIX}")
    err.breakdown = (heading, members)
    return err


def total_selection(source: str, dims: dict[str, list[str]], handled: set, what: str) -> tuple[dict, list[str]]:
    """PC-Axis variables / JSON-stat dimensions besides area and time with several members and no
    ``select``/``dimension_map``: their total member is selected (``{name: [total]}``, with a
    note); without one, a stop naming the variable and its members."""
    chosen, notes = {}, []
    for name, members in dims.items():
        if name.casefold() in handled or len(members) < 2:
            continue
        totals = [m for m in members if is_total_member(m)]
        if len(totals) != 1:
            raise breakdown_stop(source, name, list(members), what)
        chosen[name] = totals
        notes.append(f"uppdelning {name!r}: bara totalen {totals[0]!r} läses; övriga undantas "
                     f"(välj en annan med \"select\": {{\"{name}\": [\"{[m for m in members if m != totals[0]][0]}\"]}})")
    return chosen, notes


def breakdowns(header: list[str], canon: list, years: list, text: pd.DataFrame, key: pd.Series, handled: set,
               source: str) -> tuple[dict, list[str]]:
    """Columns that split an area-year into categories (Kön, Ålder, Födelseland …) and are not
    chosen in ``select``/``dimension_map``: their total member is selected, with a note; without
    one, a stop naming the column and its members. Returns the selection ``{heading: [member]}``."""
    chosen, notes = {}, []
    for i, h in enumerate(header):
        if not h or canon[i] is not None or years[i] or _fold(h) in handled:
            continue
        if BESIDE_YEARS.search(h) or YEAR_RANGE.search(h):
            continue
        cells = text[i]
        members = list(pd.unique(cells[cells != ""]))
        if len(members) < 2 or _numeric_column(cells):
            continue
        splits = bool((pd.DataFrame({"k": key, "m": cells}).groupby("k")["m"].nunique() > 1).any())
        if not (splits or _fold(h) in BREAKDOWN_HEADINGS or any(is_total_member(m) for m in members)):
            continue
        totals = [m for m in members if is_total_member(m)]
        if len(totals) != 1:
            raise breakdown_stop(source, h, members)
        chosen[h] = totals
        others = [m for m in members if m != totals[0]]
        notes.append(f"uppdelning {h!r}: bara totalen {totals[0]!r} läses; övriga ({', '.join(others)}) undantas "
                     f"(välj en annan med \"select\": {{\"{h}\": [\"{others[0]}\"]}})")
    return chosen, notes


_TREE_PREFIX = re.compile(r"^(?:[-–—•·>*]+\s*|(?:varav|därav):?\s+)", re.IGNORECASE)


def area_hierarchy(raw: pd.Series) -> tuple[pd.Series, pd.Series, str] | None:
    """A hierarchical area column: borough rows with their stadsdelar indented (spaces, an Excel
    indent) or prefixed ("- Akalla", "varav Akalla") below, or borough rows named with a level
    word ("Rinkeby-Kista stadsdelsområde", "Farsta SDO", "Skärholmen sdn") over plain stadsdel
    names. Returns ``(names without indent/prefix, level per row, note)``, or None for a flat column."""
    cells = raw.fillna("").astype(str)
    expanded = cells.str.replace("\t", "    ", regex=False).str.replace("\u00a0", " ", regex=False)
    indent = expanded.str.len() - expanded.str.lstrip().str.len()
    stripped = cells.str.strip()
    prefixed = stripped.str.match(_TREE_PREFIX)
    names = stripped.str.replace(_TREE_PREFIX, "", regex=True).str.strip()
    filled = names != ""
    if filled.sum() < 2:
        return None
    total = names.map(lambda n: geography.resolve_total(n) is not None or geography.is_sum_row(n)) & filled
    areas = filled & ~total
    if not areas.any():
        return None
    inner = areas & ((indent > indent[areas].min()) | prefixed)
    if inner.any() and (areas & ~inner).any() and not inner.iloc[int(np.flatnonzero(areas)[0])]:
        level = pd.Series(np.where(inner, "stadsdel", np.where(filled, "stadsdelsomrade", "")), index=raw.index)
        note = (f"hierarkisk områdeskolumn: {int((areas & ~inner).sum())} rader utan indrag läses som "
                f"stadsdelsområden, {int(inner.sum())} indragna rader som stadsdelar")
        return names, level, note
    worded = names.map(lambda n: geography.level_named(n) == "stadsdelsomrade") & filled
    plain = areas & ~worded
    if not worded.any() or not plain.any() or not _under_boroughs(names, worded, plain):
        return None
    level = pd.Series(np.where(worded, "stadsdelsomrade", np.where(plain, "stadsdel", "")), index=raw.index)
    note = (f"hierarkisk områdeskolumn: {int(worded.sum())} rader med stadsdelsområde/SDO/sdn i namnet läses som "
            f"stadsdelsområden, {int(plain.sum())} rader under dem som stadsdelar")
    return names, level, note


def _under_boroughs(names: pd.Series, worded: pd.Series, plain: pd.Series) -> bool:
    """Whether the plain names below each borough row are stadsdelar of that borough (in some era):
    then the column is a tree, not a flat list of boroughs written two ways."""
    borough, fits = None, []
    for name, is_borough, is_plain in zip(names, worded, plain):
        if is_borough:
            try:
                borough = geography.resolve(name, level="stadsdelsomrade")
            except (geography.AreaNameError, ValueError):
                borough = None
        elif is_plain:
            try:
                code = geography.resolve(name, level="stadsdel")
                fits.append(borough is not None and any(geography.borough_of(code, era) == borough
                                                        for era in geography.ERAS))
            except (geography.AreaNameError, ValueError):
                fits.append(False)
    return bool(fits) and sum(fits) * 2 > len(fits)


@dataclass
class Body:
    """The data rows of a table, the note, footnote and blank rows taken out (``note_lines``)."""

    cells: pd.DataFrame
    #: The cells as stripped text (for the roles, the notes and the names).
    text: pd.DataFrame
    #: The file line of each row.
    lines: np.ndarray
    #: Cells already known to be unusable (Excel formulas, ``#REF!``), same shape as ``cells``.
    reasons: pd.DataFrame | None
    note_lines: pd.DataFrame


def table_body(body: pd.DataFrame, lines: np.ndarray, width: int, reasons: pd.DataFrame | None = None) -> Body:
    """The rows under a header of ``width`` cells: the data rows, and the note lines apart (:func:`classify_rows`)."""
    body = body.iloc[:, :width] if body.shape[1] >= width else body.reindex(columns=range(width))
    body.columns = range(width)
    note, blank = classify_rows(body)
    note_idx = np.flatnonzero(note | blank)
    note_lines = pd.DataFrame({"row_number": lines[note_idx].astype("int64"),
                               "text": _cells_text(body.iloc[note_idx]).agg(" ".join, axis=1).str.strip()
                               if len(note_idx) else pd.Series(dtype="str")})
    keep = ~(note | blank)
    if reasons is not None:
        reasons = reasons[keep]
        reasons.columns = range(reasons.shape[1])
    body = body[keep]
    return Body(body, _cells_text(body), lines[keep], reasons, note_lines)


@dataclass
class Roles:
    """What each header cell is: ``canon`` (area, year, value … or None), ``years`` (the year of a
    year column), the area column's heading, and what was learned and noted on the way."""

    header: list[str]
    canon: list
    years: list
    area_heading: str | None
    notes: list[str]
    #: ``area_codes`` / ``area_type`` the header says (a code column, a RegSO column).
    learned: dict

    @property
    def first(self) -> dict[str, int]:
        """The first column of each role."""
        first: dict[str, int] = {}
        for i, c in enumerate(self.canon):
            if c is not None and c not in first:
                first[c] = i
        return first

    @property
    def year_columns(self) -> list[int]:
        """The positions of the year columns (a wide table)."""
        return [i for i, y in enumerate(self.years) if y]

    def heading(self, role: str) -> str:
        """The heading of the (first) column of ``role``."""
        return self.header[self.first[role]]


def _area_without_heading(header: list[str], canon: list, years: list,
                          text: pd.DataFrame) -> tuple[list, int | None, dict]:
    """An area column that no heading names: an area-code column, an empty first heading left of
    the years ("Statistik om Stockholm"), else a column whose cells are area names evalkit knows.
    Returns the roles, the column guessed from its contents (or None) and what the columns say."""
    if "area_code" in canon:
        return ["area" if c == "area_code" else c for c in canon], None, {"area_codes": True}
    canon = list(canon)
    if header[:1] == [""] and any(years):
        canon[0] = "area"
        return canon, None, {}
    guessed = area_by_content(header, canon, years, text)
    if guessed is not None:
        canon[guessed] = "area"
    return canon, guessed, {}


def area_role(header: list[str], canon: list, years: list, text: pd.DataFrame,
              source: str) -> tuple[list, str | None, dict, list[str]]:
    """The area column: by its heading, else :func:`_area_without_heading`. Returns the roles, the
    area heading, what the columns say (``area_codes``, ``area_type``) and a note; ReaderError
    naming the sidecar key when there is none."""
    area_heading = next((h for h, c in zip(header, canon) if c == "area"), None)
    learned, notes = {}, []
    if "area" not in canon:
        canon, guessed, learned = _area_without_heading(header, canon, years, text)
        if guessed is not None:
            area_heading = header[guessed]
            notes.append(f"områdeskolumn {header[guessed]!r}: gissad från innehållet (områdesnamn evalkit känner)")
    if any(h.casefold() == "regso" and c == "area" for h, c in zip(header, canon)):
        learned["area_type"] = "regso"
    if "area" not in canon:
        raise ReaderError(f"{source}: ingen områdeskolumn i rubrikraden ({', '.join(h for h in header if h)}); "
                          f"ange den med \"area_column\": \"{next((h for h in header if h), '')}\" i läsanvisningen "
                          f"{source}.evalkit.json (eller --area-column)")
    return list(canon), area_heading, learned, notes


def header_roles(header: list[str], text: pd.DataFrame, source: str, indicator: str | None,
                 stated: dict) -> Roles:
    """Step 1, header → roles: the roles the user states (:func:`stated_roles`), the ones the
    headings name (:func:`canonical_header`), the year columns, the area column (:func:`area_role`)
    and a value column guessed from the catalogue (:func:`guess_roles`)."""
    canon = stated_roles(header, [canonical_header(h) for h in header], source, stated)
    years = [year_of_header(h) if canon[i] is None else None for i, h in enumerate(header)]
    canon, area_heading, learned, notes = area_role(header, canon, years, text, source)
    canon, role_notes = guess_roles(header, canon, text, indicator, source)
    return Roles(header, canon, years, area_heading, notes + role_notes, learned)


def dimension_choice(roles: Roles, dimension_map: dict | None, select: dict | None,
                     source: str) -> tuple[dict, dict]:
    """The ``dimension_map`` and ``select`` of the file, checked against its columns; groups of year
    columns are read at their total (:func:`year_groups`). ReaderError when the table has no year
    column, no year columns or (long) no value column."""
    dim_map, sel = normalise_dimension_options(dimension_map, select)
    header, header_cf = roles.header, [h.casefold() for h in roles.header]
    for name in list(dim_map) + list(sel):
        if name not in header_cf and name != "grupp":  # "grupp": a group of year columns (year_groups)
            raise ReaderError(f"{source}: dimensionen {name!r} finns inte bland kolumnerna ({', '.join(header)})")
    roles.years, group_notes = year_groups(header, roles.years, sel, source)
    roles.notes += group_notes
    if "year" not in roles.first and not roles.year_columns:
        raise ReaderError(f"{source}: varken årskolumn (År/Year) eller kolumner per år (2015, År 2015 …) hittades; "
                          f"ange årskolumnen med \"year_column\" i läsanvisningen {source}.evalkit.json")
    if "year" in roles.first and "value" not in roles.first:
        raise ReaderError(f"{source}: ingen värdekolumn; ange den med \"value_column\" i läsanvisningen "
                          f"{source}.evalkit.json (eller --value-column)")
    return dim_map, sel


@dataclass
class Layout:
    """How the rows of a table are laid out: one record base per row (area, level, indicator,
    status, source, reason), the level of the file's areas, the breakdown read at its total and
    a borough column beside a stadsdel column (``pair``)."""

    base: pd.DataFrame
    level: FileLevel
    chosen: dict
    pair: tuple[int, int] | None
    notes: list[str]


def area_structure(roles: Roles, body: Body, level: str | None) -> tuple[tuple[int, int] | None, tuple | None]:
    """Areas of two levels in one table, when the file has no level column and none is given: a
    borough column beside a stadsdel column (:func:`two_area_columns`), or a hierarchical area
    column (:func:`area_hierarchy`). Returns the pair of columns and ``(names, levels, note)``."""
    if "level" in roles.first or level:
        return None, None
    pair = _area_pair(roles.header, roles.canon)
    if pair is not None:
        return pair, two_area_columns(body.text[pair[0]], body.text[pair[1]], roles.header, pair)
    return None, area_hierarchy(body.cells[roles.first["area"]])


def _set_indicators(base: pd.DataFrame, roles: Roles, body: Body, indicator: str | None, dim_map: dict,
                    sel: dict, source: str) -> None:
    """The indicator of each record: the file's column, the dimension map, else ``indicator``; records
    outside the map or the selection are set aside (:func:`apply_dimensions`)."""
    header_cf = [h.casefold() for h in roles.header]
    apply_dimensions(base, {roles.header[header_cf.index(name)]: body.text[header_cf.index(name)]
                            for name in list(dim_map) + list(sel)}, dim_map, sel)
    if indicator is not None:
        base["indicator"] = base["indicator"].where(base["indicator"] != "", indicator)
    if "indicator" not in roles.first and indicator is None and not dim_map:
        raise MissingIndicatorError(source)


def table_layout(roles: Roles, body: Body, source: str, indicator: str | None, dim_map: dict, sel: dict, *,
                 level: str | None, source_label: str | None, titles) -> Layout:
    """Step 2, roles → layout: each row's area and level (two area columns, a hierarchy), the
    breakdowns read at their total (:func:`breakdowns`), the level of the file (:func:`file_level`)
    and each row's indicator."""
    first, text, notes = roles.first, body.text, []
    base = pd.DataFrame({"row_number": body.lines.astype("int64")})
    base.index = body.cells.index
    for c in ("area", "level", "indicator", "status", "source"):
        base[c] = text[first[c]] if c in first else ""
    pair, structure = area_structure(roles, body, level)
    if structure is not None:
        base["area"], base["level"], structure_note = structure
        notes.append(structure_note)
    key = base["area"] + "\x1f" + base["level"] + ("\x1f" + text[first["year"]] if "year" in first else "")
    chosen, breakdown_notes = breakdowns(roles.header, roles.canon, roles.years, text, key,
                                         set(dim_map) | set(sel), source)
    notes += breakdown_notes
    sel.update({h.casefold(): {m.casefold() for m in members} for h, members in chosen.items()})
    # an area-code column beside the names can say the level; a code column alone is resolved as codes
    codes = text[first["area_code"]] if roles.area_heading is not None and "area_code" in first else ()
    found = file_level(level, heading=roles.area_heading, titles=titles, codes=codes)
    if "source" not in first and source_label:
        base["source"] = source_label
    base["reason"] = ""
    base["reason_column"] = ""
    _set_indicators(base, roles, body, indicator, dim_map, sel, source)
    return Layout(base, found, chosen, pair, notes)


def layout_records(layout: Layout, roles: Roles, body: Body, notes: list[str]) -> pd.DataFrame:
    """Step 3, layout → records: one per row of a long table, one per area × year cell of a wide one."""
    if "year" in roles.first:
        return _long_records(layout.base, body.cells, body.text, roles.header, roles.first, body.reasons, notes)
    return _wide_records(layout.base, body.cells, roles.header, roles.years, roles.year_columns, body.reasons, notes)


def _column_notes(roles: Roles, dim_map: dict, sel: dict) -> list[str]:
    """Notes naming the columns that are not read: beside the years (a change, a total), or unknown."""
    unknown = [h for h, c, y in zip(roles.header, roles.canon, roles.years) if h and c is None and not y
               and h.casefold() not in dim_map and h.casefold() not in sel]
    beside = [h for h in unknown if BESIDE_YEARS.search(h) or YEAR_RANGE.search(h)]
    notes = []
    if beside:
        notes.append("kolumner bredvid åren som inte är ett års värde (förändring, total, kommentar …) "
                     "läses inte: " + ", ".join(beside))
    unknown = [h for h in unknown if h not in beside]
    if unknown:
        notes.append("kolumner som inte används: " + ", ".join(unknown))
    return notes


def _learned(options: dict, roles: Roles, layout: Layout) -> dict:
    """The reader's options with what the table taught: its level, each role column's heading
    (``column_roles``, for ``evalkit inspect``'s reading instruction) and the headings named in
    the quarantine."""
    first, header = roles.first, roles.header
    learned = dict(options)
    for key, value in roles.learned.items():
        learned.setdefault(key, value)
    learned.update({k: v for k, v in layout.level.options().items() if v})
    learned["column_roles"] = {key: header[first[role]] for key, role in ROLE_KEYS.items() if role in first}
    learned["headings"] = {role: header[first[role]] for role in ("area", "year", "indicator")
                           if role in first and header[first[role]]}
    if layout.pair is not None:  # both area columns are read; naming one would drop the other
        learned["column_roles"].pop("area_column", None)
    if layout.chosen:
        learned["column_roles"]["select"] = layout.chosen
    return learned


def _skipped_lines_note(note_lines: pd.DataFrame) -> list[str]:
    """The note counting the lines around a table that are no data (title, notes, footnotes, blank)."""
    n = len(note_lines)
    return [f"{n} {'rad' if n == 1 else 'rader'} utanför tabellen (titel, noter, fotnoter, tomma) hoppades över"] \
        if n else []


def table_to_records(header: list, body: pd.DataFrame, lines: np.ndarray, source: str,
                     indicator: str | None = None, *, dimension_map: dict | None = None,
                     select: dict | None = None, level: str | None = None, source_label: str | None = None,
                     reasons: pd.DataFrame | None = None, titles: list[str] | tuple = (),
                     area_column: str | None = None, transposed: bool = False, tables: list | None = None,
                     year_column: str | None = None, value_column: str | None = None,
                     numerator_column: str | None = None, denominator_column: str | None = None, **options):
    """Header cells + body (columns positional) + file line per body row -> records.

    Returns ``(records, rows_read, note_lines, notes, options)``; ``options`` may gain
    ``area_codes`` / ``area_type`` / ``level`` / ``tie_level`` learned from the file: the level
    from the area column's name, the ``titles`` (lines above the header) or an area-code column
    beside the names (:func:`evalkit.io.core.file_level`), and ``column_roles`` – the heading of
    each role column as read (``{"value_column": "Ohälsotal (dagar)", …}``; the reader keeps it
    for ``evalkit inspect``'s reading instruction). ``reasons`` (same shape as ``body``) marks
    cells already known to be unusable (Excel formulas, ``#REF!``). ``area_column``,
    ``year_column``, ``value_column``, ``numerator_column``, ``denominator_column`` name a role
    column by its heading (a sidecar written by ``evalkit inspect``). ``transposed``: the header
    names the areas and the first column holds the years (:func:`transposed_to_records`). Several
    tables stacked on one sheet: see :func:`stacked_to_records` (``tables`` names their indicators).

    The steps, each a function of its own: the body (:func:`table_body`) → the header's roles
    (:func:`header_roles`, :func:`dimension_choice`) → the layout (:func:`table_layout`: two area
    columns or a hierarchy, breakdowns, the level, indicators) → records (:func:`layout_records`:
    long or wide).
    """
    header = [str(h).strip() if h is not None else "" for h in header]
    stated = {"area_column": area_column, "year_column": year_column, "value_column": value_column,
              "numerator_column": numerator_column, "denominator_column": denominator_column}
    if transposed:
        return transposed_to_records(header, body, lines, source, indicator, level=level, source_label=source_label,
                                     reasons=reasons, titles=titles, **options)
    starts = inner_headers(body, header)
    if starts:
        return stacked_to_records(header, body, lines, source, indicator, starts, tables=tables,
                                  dimension_map=dimension_map, select=select, level=level, source_label=source_label,
                                  reasons=reasons, titles=titles, **stated, **options)
    if tables:
        raise ReaderError(f"{source}: \"tables\" anger {len(tables)} tabeller, men bladet har bara en")
    rows = table_body(body, lines, len(header), reasons)
    roles = header_roles(header, rows.text, source, indicator, stated)
    dim_map, sel = dimension_choice(roles, dimension_map, select, source)
    layout = table_layout(roles, rows, source, indicator, dim_map, sel, level=level, source_label=source_label,
                          titles=titles)
    notes = roles.notes + layout.notes
    records = layout_records(layout, roles, rows, notes)
    notes += _column_notes(roles, dim_map, sel) + _skipped_lines_note(rows.note_lines)
    notes.append(layout.level.note if "level" not in roles.first else
                 f"områdesnivå per rad från kolumnen {roles.heading('level')!r}; där den är tom: {layout.level.note}")
    learned = _learned(options, roles, layout)
    # the unit a heading states: the value's or a year column's, never the numerator's ("Antal dagar")
    _learn_unit(learned, notes, list(titles) + [h for h, c in zip(header, roles.canon) if c in (None, "value")])
    return records.reset_index(drop=True), len(records), rows.note_lines, notes, learned


def _year_cells(cells: pd.Series, notes: list) -> pd.Series:
    """Year cells of a long table; a marker after the year ("2020*", "2020 prel.") is dropped, with a note."""
    marked = cells.map(lambda c: bool(year_marker(c)))
    if not marked.any():
        return cells
    out = cells.where(~marked, cells[marked].map(lambda c: str(year_of_header(c)[0])))
    shown = sorted(set(cells[marked]))
    notes.append("år med markering läses som året; markeringen (preliminär, reviderad, fotnot) noteras här: "
                 + ", ".join(shown))
    return out


def _long_records(base, body, text, header, first, reasons, notes) -> pd.DataFrame:
    """One record per row of a long table (a year column)."""
    for c in ("value", "numerator", "denominator"):
        if c in first:
            base[c] = body[first[c]].where(body[first[c]].notna(), "")
    base["year"] = _year_cells(text[first["year"]], notes)
    base["column"] = header[first["value"]]
    if reasons is not None:
        cell_reason = reasons[first["value"]].fillna("").astype(str)
        hit = (cell_reason != "") & (base["reason"] == "")
        base.loc[hit, "reason"] = cell_reason[hit]
        base.loc[hit, "reason_column"] = header[first["value"]]
    notes.append(f"lång tabell: {len(base)} {'rad' if len(base) == 1 else 'rader'}")
    return base


def _wide_records(base, body, header, years, year_cols, reasons, notes) -> pd.DataFrame:
    """One record per area × year cell of a wide table (a column per year)."""
    chunks = []
    for j in year_cols:
        chunk = base.copy()
        chunk["year"] = str(years[j][0])
        chunk["value"] = body[j].where(body[j].notna(), "")
        chunk["column"] = header[j]
        if reasons is not None:
            cell_reason = reasons[j].fillna("").astype(str)
            hit = (cell_reason != "") & (chunk["reason"] == "")
            chunk.loc[hit, "reason"] = cell_reason[hit]
            chunk.loc[hit, "reason_column"] = header[j]
        chunks.append(chunk)
    records = pd.concat(chunks, ignore_index=True).sort_values(["row_number", "year"], kind="stable")
    prefixes = sorted({years[j][1] for j in year_cols if years[j][1]})
    notes.append(f"bred tabell: {len(base)} {'rad' if len(base) == 1 else 'rader'} × {len(year_cols)} årskolumner = "
                 f"{len(records)} {'post' if len(records) == 1 else 'poster'}")
    if prefixes:
        notes.append("årskolumnernas förled: " + "; ".join(prefixes))
    marked = [header[j] for j in year_cols if year_marker(header[j])]
    if marked:
        notes.append("årskolumner med markering läses som året; markeringen (preliminär, reviderad, fotnot) "
                     "noteras här: " + ", ".join(f"{h} = {years[header.index(h)][0]}" for h in marked))
    return records


def _learn_unit(learned: dict, notes: list, texts: list) -> None:
    """The unit a title or heading states, for the reader to check against the catalogue (only
    when the user gave no ``value_unit``, which always wins)."""
    found = stated_unit(texts) if learned.get("value_unit") is None else None
    if found is not None:
        learned["unit_stated"] = found
        notes.append(f"enhet {found[0]}: från {found[1]!r} (prövas mot katalogens enhet)")



# Area headings that start a new table inside a body (vectorised first look; is_header_row decides).
_STARTS_AREA = frozenset(k for k, v in HEADER_ALIASES.items() if v in ("area", "area_code")) | frozenset(
    {"stadsdelsområde", "stadsdelsnämndsområde", "stadsdelsnämnd", "sdn", "sdo", "stadsdel", "stadsdelar",
     "stadsdelsområden"})


def inner_headers(body: pd.DataFrame, header: list[str]) -> list[int]:
    """Positions of body rows that are the header of another table stacked below the first.

    Such a row has an area heading ("Stadsdelsområde", "Område") in the column where the first
    table has its area column, and passes :func:`is_header_row`. A data row has an area *name*
    there, so level words in a level column ("stadsdel", "borough") and numbers that look like
    years (a population of 2015) never start a table.
    """
    if not len(body) or not body.shape[1]:
        return []
    canon = [canonical_header(h) for h in header]
    col = next((i for i, c in enumerate(canon) if c in ("area", "area_code")), 0)
    if col >= body.shape[1]:
        return []
    text = _cells_text(body)
    candidate = np.flatnonzero(text[body.columns[col]].str.casefold().isin(_STARTS_AREA).to_numpy())
    return [int(i) for i in candidate if is_header_row(list(text.iloc[i]))]


def stacked_to_records(header: list[str], body: pd.DataFrame, lines: np.ndarray, source: str,
                       indicator: str | None, starts: list[int], *, tables: list | None = None,
                       reasons: pd.DataFrame | None = None, level: str | None = None, **options):
    """Several tables on one sheet, one below the other, each with its own title and header.

    ``tables`` gives each table's indicator in order (``null`` for a table not to be used);
    without it the first table is read with ``indicator`` and the rows of the others are set
    aside with a reason naming the table and its header row – never read as the first table's
    indicator. Same return value as :func:`table_to_records`.
    """
    if tables is not None and len(tables) != len(starts) + 1:
        raise ReaderError(f"{source}: bladet har {len(starts) + 1} tabeller men \"tables\" anger {len(tables)}")
    wanted = list(tables) if tables is not None else [indicator] + [None] * len(starts)
    bounds = [-1, *starts, len(body)]
    text = _cells_text(body)
    parts, note_parts, notes, learned = [], [], [], None
    for t, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        # Excel number cells reach here as "2015.0": the header of a later table shows them as years
        head = header if t == 0 else [re.sub(r"^(\d+)\.0$", r"\1", c) for c in text.iloc[a]]
        seg = slice(a + 1, b)
        use = wanted[t]
        part_reasons = reasons.iloc[seg] if reasons is not None else None
        records, _n, note_lines, part_notes, part_learned = table_to_records(
            head, body.iloc[seg], lines[seg], source, use or "-", reasons=part_reasons, level=level, **options)
        if part_learned.get("level") and not level:  # a level this table's heading states holds for its rows
            records["level"] = records["level"].where(records["level"] != "", part_learned["level"])
        row = int(lines[a]) if t else None
        if use is None:
            where = f"rubrik på rad {row}" if row else "den första tabellen"
            free = records["reason"] == ""
            records.loc[free, "reason"] = (f"tabell {t + 1} på bladet ({where}) har ingen angiven indikator; ange "
                                           "tabellernas indikatorer i ordning med \"tables\" i läsanvisningen")
            records.loc[free, "reason_column"] = "tabell"
        parts.append(records)
        note_parts.append(note_lines)
        if row:
            note_parts.append(pd.DataFrame({"row_number": [row], "text": [" ".join(c for c in head if c)]}))
        notes += [f"tabell {t + 1}" + (f" (rubrik på rad {row})" if row else "") + f": {n}" for n in part_notes]
        learned = part_learned if learned is None else learned
    notes.insert(0, f"{len(starts) + 1} tabeller under varandra på bladet")
    if not level:
        learned.pop("level", None)  # per row above; the first table's tie_level still settles ambiguous names
    records = pd.concat(parts, ignore_index=True)
    return records, len(records), pd.concat(note_parts, ignore_index=True), notes, learned


def transposed_to_records(header: list[str], body: pd.DataFrame, lines: np.ndarray, source: str,
                          indicator: str | None = None, *, level: str | None = None, source_label: str | None = None,
                          reasons: pd.DataFrame | None = None, titles: list[str] | tuple = (), **options):
    """A transposed table (first column the years, one column per area) -> one record per year × area.

    Same return value as :func:`table_to_records`. Each record keeps the file row of its year; a
    column beside the areas ("Totalt", "Förändring", "Kommentar") is ignored with a note naming
    it, and a row whose first cell is no year is set aside by the year check.
    """
    if indicator is None:
        raise MissingIndicatorError(source)
    width = len(header)
    rows = table_body(body, lines, width, reasons)
    body, lines, reasons, text, note_lines = rows.cells, rows.lines, rows.reasons, rows.text, rows.note_lines
    ignored = [h for h in header[1:] if h and (BESIDE_YEARS.search(h) or YEAR_RANGE.search(h))]
    area_cols = [j for j in range(1, width) if header[j] and header[j] not in ignored]
    chunks = []
    for j in area_cols:
        chunk = pd.DataFrame({"row_number": lines.astype("int64"), "area": header[j], "level": "",
                              "indicator": indicator, "status": "", "source": source_label or "",
                              "year": text[0].to_numpy(), "value": body[j].where(body[j].notna(), "").to_numpy(),
                              "column": header[j], "reason": "", "reason_column": ""})
        if reasons is not None:
            cell_reason = reasons[j].fillna("").astype(str).to_numpy()
            chunk.loc[cell_reason != "", "reason"] = cell_reason[cell_reason != ""]
            chunk.loc[cell_reason != "", "reason_column"] = header[j]
        chunks.append(chunk)
    records = (pd.concat(chunks, ignore_index=True).sort_values(["row_number", "column"], kind="stable")
               if chunks else pd.DataFrame(columns=["row_number", "area", "year", "value"]))
    found = file_level(level, titles=titles)
    notes = [f"transponerad tabell (åren som rader, områdena som kolumner): {len(body)} rader × "
             f"{len(area_cols)} områden = {len(records)} poster"]
    if ignored:
        notes.append("kolumner bredvid områdena som inte är ett område (förändring, total, kommentar …) läses inte: "
                     + ", ".join(ignored))
    notes += _skipped_lines_note(note_lines)
    notes.append(found.note)
    learned = dict(options)
    learned.update({k: v for k, v in found.options().items() if v})
    _learn_unit(learned, notes, list(titles))
    return records.reset_index(drop=True), len(records), note_lines, notes, learned
