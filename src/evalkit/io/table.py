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
  written by ``evalkit inspect``) say where the header is and which column holds the areas.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from evalkit import geography

# Header aliases -> canonical names (compared after casefold/strip).
HEADER_ALIASES = {
    "omrade": "area", "område": "area", "area": "area", "region": "area", "stadsdel": "area",
    "stadsdelsområde": "area", "stadsdelsomrade": "area", "stadsdelsnämnd": "area", "district": "area",
    "borough": "area", "area name": "area", "områdesnamn": "area", "regso": "area", "namn": "area",
    "name": "area", "deso": "area",
    "områdeskod": "area_code", "omradeskod": "area_code", "area_code": "area_code", "area code": "area_code",
    "omradesniva": "level", "områdesnivå": "level", "level": "level", "niva": "level", "nivå": "level",
    "indikator": "indicator", "indicator": "indicator", "mått": "indicator",
    "ar": "year", "år": "year", "year": "year", "tid": "year", "time": "year",
    "taljare": "numerator", "täljare": "numerator", "numerator": "numerator", "antal": "numerator",
    "namnare": "denominator", "nämnare": "denominator", "denominator": "denominator",
    "varde": "value", "värde": "value", "value": "value", "andel": "value", "share": "value",
    "status": "status", "symbol": "status", "flag": "status",
    "kalla": "source", "källa": "source", "source": "source",
}
YEAR_HEADER = re.compile(r"^(?P<prefix>.*?)[\s:]*(?P<year>(?:19[5-9]|20[0-4])\d)(?:\.0)?$")
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


def canonical_header(cell: str) -> str | None:
    """Canonical column name of a header cell, or None.

    Besides the aliases, a header made of level words only ("SDN", "Stadsdelsnämndsområde",
    "Stadsdelsområde (SDN)") is the area column: it names the level of its areas.
    """
    text = str(cell).strip()
    found = HEADER_ALIASES.get(text.casefold())
    if found is None and text and geography.level_named(text, whole=True):
        return "area"
    return found


def year_of_header(cell) -> tuple[int, str] | None:
    """``(year, prefix)`` when the header names a year column ("2015", "År 2015", "Antal 2020")."""
    if isinstance(cell, (int, np.integer)) or (isinstance(cell, float) and cell.is_integer()):
        cell = str(int(cell))
    text = str(cell).strip()
    m = YEAR_HEADER.match(text)
    if not m or YEAR_RANGE.search(text) or NOT_A_YEAR.search(m.group("prefix")):
        return None
    prefix = m.group("prefix").strip(" ,;:")
    if canonical_header(prefix) in ("area", "level", "indicator", "area_code"):
        return None
    return int(m.group("year")), prefix


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
    return sum(y is not None for y in years) >= 1 and any(n is not None for n in named) or (
        sum(y is not None for y in years) >= 2)


def find_header(rows: list[list[str]]) -> int:
    """Index of the header row among the first rows; ``-1`` when none is recognised."""
    for i, cells in enumerate(rows):
        if is_header_row(cells):
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
        return [b if b else t for t, b in zip(top, below)]
    return None


def column_roles(header: list[str], area_column: str | None = None,
                 transposed: bool = False) -> list[tuple[str, str]]:
    """What the reader makes of each header cell, in Swedish: ``[(heading, role), …]`` (``evalkit inspect``)."""
    if transposed:
        return [(str(h).strip(), "år (ett år per rad)" if i == 0 else
                 "läses inte: förändring, total eller kommentar, inte ett område"
                 if BESIDE_YEARS.search(str(h)) or YEAR_RANGE.search(str(h)) else "område (värden per år)")
                for i, h in enumerate(header) if i == 0 or str(h).strip()]
    roles = []
    labels = {"area": "område", "area_code": "områdeskod", "level": "områdesnivå per rad", "indicator": "indikator",
              "year": "år (lång tabell)", "value": "värde", "numerator": "täljare", "denominator": "nämnare",
              "status": "status/symbol", "source": "källa"}
    for i, h in enumerate(header):
        h = str(h).strip()
        canon = "area" if area_column and h.casefold() == area_column.strip().casefold() else canonical_header(h)
        year = year_of_header(h) if canon is None else None
        if canon:
            role = labels[canon]
        elif year:
            role = f"värden för år {year[0]}" + (f" (förled {year[1]!r})" if year[1] else "")
        elif not h:
            role = "område (tom rubrik i första kolumnen)" if i == 0 else "tom rubrik – används inte"
        elif BESIDE_YEARS.search(h) or YEAR_RANGE.search(h):
            role = "läses inte: förändring, total eller kommentar bredvid åren, inte ett års värde"
        else:
            role = "används inte (okänd rubrik; en dimension anges med dimension_map/select)"
        roles.append((h, role))
    return roles


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
        first = sub.iloc[:, 0].where(sub.iloc[:, 0] != "", sub.agg("".join, axis=1)) if len(candidates) < 50000 \
            else sub.iloc[:, 0]
        note[candidates[first.str.match(FOOTNOTE).to_numpy()]] = True
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


def table_to_records(header: list, body: pd.DataFrame, lines: np.ndarray, source: str,
                     indicator: str | None = None, *, dimension_map: dict | None = None,
                     select: dict | None = None, level: str | None = None, source_label: str | None = None,
                     reasons: pd.DataFrame | None = None, titles: list[str] | tuple = (),
                     area_column: str | None = None, transposed: bool = False, tables: list | None = None,
                     **options):
    """Header cells + body (columns positional) + file line per body row -> records.

    Returns ``(records, rows_read, note_lines, notes, options)``; ``options`` may gain
    ``area_codes`` / ``area_type`` / ``level`` / ``tie_level`` learned from the file: the level
    from the area column's name, the ``titles`` (lines above the header) or an area-code column
    beside the names (:func:`evalkit.io.core.file_level`). ``reasons`` (same shape as ``body``)
    marks cells already known to be unusable (Excel formulas, ``#REF!``). ``area_column`` names
    the area column when its heading is none evalkit knows (a sidecar written by ``evalkit inspect``).
    ``transposed``: the header names the areas and the first column holds the years
    (:func:`transposed_to_records`). Several tables stacked on one sheet: see :func:`stacked_to_records`
    (``tables`` names their indicators in order).
    """
    from evalkit.io.core import MissingIndicatorError, ReaderError, file_level

    header = [str(h).strip() if h is not None else "" for h in header]
    if transposed:
        return transposed_to_records(header, body, lines, source, indicator, level=level, source_label=source_label,
                                     reasons=reasons, titles=titles, **options)
    starts = inner_headers(body, header)
    if starts:
        return stacked_to_records(header, body, lines, source, indicator, starts, tables=tables,
                                  dimension_map=dimension_map, select=select, level=level, source_label=source_label,
                                  reasons=reasons, titles=titles, area_column=area_column, **options)
    if tables:
        raise ReaderError(f"{source}: \"tables\" anger {len(tables)} tabeller, men bladet har bara en")
    width = len(header)
    body = body.iloc[:, :width] if body.shape[1] >= width else body.reindex(columns=range(width))
    body.columns = range(width)
    note, blank = classify_rows(body)
    notes = []
    note_idx = np.flatnonzero(note | blank)
    note_lines = pd.DataFrame({"row_number": lines[note_idx].astype("int64"),
                               "text": _cells_text(body.iloc[note_idx]).agg(" ".join, axis=1).str.strip()
                               if len(note_idx) else pd.Series(dtype="str")})
    data_mask = ~(note | blank)
    body = body[data_mask]
    lines = lines[data_mask]
    if reasons is not None:
        reasons = reasons[data_mask]
        reasons.columns = range(reasons.shape[1])

    canon = [canonical_header(h) for h in header]
    if area_column:
        wanted = area_column.strip().casefold()
        if wanted not in [h.casefold() for h in header]:
            raise ReaderError(f"{source}: områdeskolumnen {area_column!r} (area_column) finns inte i rubrikraden "
                              f"({', '.join(h for h in header if h)})")
        canon = ["area" if h.casefold() == wanted else c for h, c in zip(header, canon)]
    years = [year_of_header(h) if canon[i] is None else None for i, h in enumerate(header)]
    learned = dict(options)
    area_heading = next((h for h, c in zip(header, canon) if c == "area"), None)
    if "area" not in canon and "area_code" in canon:
        canon = ["area" if c == "area_code" else c for c in canon]
        learned.setdefault("area_codes", True)
    if "area" not in canon:
        # "Statistik om Stockholm" style: area names in the first column under an empty header
        first_year = next((i for i, y in enumerate(years) if y), None)
        if first_year and header[0] == "":
            canon[0] = "area"
    for i, h in enumerate(header):
        if h.casefold() == "regso" and canon[i] == "area":
            learned.setdefault("area_type", "regso")
    if "area" not in canon:
        raise ReaderError(f"{source}: ingen områdeskolumn i rubrikraden ({', '.join(h for h in header if h)})")
    dim_map, sel = normalise_dimension_options(dimension_map, select)
    header_cf = [h.casefold() for h in header]
    for name in list(dim_map) + list(sel):
        if name not in header_cf:
            raise ReaderError(f"{source}: dimensionen {name!r} finns inte bland kolumnerna ({', '.join(header)})")

    text = _cells_text(body)
    first = {}
    for i, c in enumerate(canon):
        if c is not None and c not in first:
            first[c] = i
    n = len(body)
    base = pd.DataFrame({"row_number": lines.astype("int64")})
    base.index = body.index
    for c in ("area", "level", "indicator", "status", "source"):
        base[c] = text[first[c]] if c in first else ""
    # an area-code column beside the names can say the level; a code column alone is resolved as codes
    codes = text[first["area_code"]] if area_heading is not None and "area_code" in first else ()
    found = file_level(level, heading=area_heading, titles=titles, codes=codes)
    if "source" not in first and source_label:
        base["source"] = source_label
    base["reason"] = ""
    base["reason_column"] = ""

    apply_dimensions(base, {header[header_cf.index(name)]: text[header_cf.index(name)]
                            for name in list(dim_map) + list(sel)}, dim_map, sel)
    if indicator is not None:
        base["indicator"] = base["indicator"].where(base["indicator"] != "", indicator)
    if "indicator" not in first and indicator is None and not dim_map:
        raise MissingIndicatorError(source)

    year_cols = [i for i, y in enumerate(years) if y]
    if "year" in first:
        for c in ("value", "numerator", "denominator"):
            if c in first:
                base[c] = body[first[c]].where(body[first[c]].notna(), "")
        if "value" not in first:
            raise ReaderError(f"{source}: kolumner saknas: value")
        base["year"] = text[first["year"]]
        base["column"] = "value"
        if reasons is not None:
            cell_reason = reasons[first["value"]].fillna("").astype(str)
            hit = (cell_reason != "") & (base["reason"] == "")
            base.loc[hit, "reason"] = cell_reason[hit]
            base.loc[hit, "reason_column"] = "value"
        records = base
        notes.append(f"lång tabell: {n} {'rad' if n == 1 else 'rader'}")
    elif year_cols:
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
        notes.append(f"bred tabell: {n} rader × {len(year_cols)} årskolumner = {len(records)} poster")
        if prefixes:
            notes.append("årskolumnernas förled: " + "; ".join(prefixes))
    else:
        raise ReaderError(f"{source}: varken årskolumn (År/Year) eller kolumner per år (2015, År 2015 …) hittades")
    unknown = [h for h, c, y in zip(header, canon, years) if h and c is None and not y
               and h.casefold() not in dim_map and h.casefold() not in sel]
    beside = [h for h in unknown if BESIDE_YEARS.search(h) or YEAR_RANGE.search(h)]
    if beside:
        notes.append("kolumner bredvid åren som inte är ett års värde (förändring, total, kommentar …) "
                     "läses inte: " + ", ".join(beside))
    unknown = [h for h in unknown if h not in beside]
    if unknown:
        notes.append("kolumner som inte används: " + ", ".join(unknown))
    if len(note_lines):
        notes.append(f"{len(note_lines)} {'rad' if len(note_lines) == 1 else 'rader'} utanför tabellen (titel, noter, fotnoter, tomma) hoppades över")
    notes.append(found.note if "level" not in first else
                 f"områdesnivå per rad från kolumnen {header[first['level']]!r}; där den är tom: {found.note}")
    learned.update({k: v for k, v in found.options().items() if v})
    _learn_unit(learned, notes, list(titles) + header)
    return records.reset_index(drop=True), len(records), note_lines, notes, learned


def _learn_unit(learned: dict, notes: list, texts: list) -> None:
    """The unit a title or heading states, for the reader to check against the catalogue (only
    when the user gave no ``value_unit``, which always wins)."""
    from evalkit.io.core import stated_unit

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
    from evalkit.io.core import ReaderError

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
    from evalkit.io.core import MissingIndicatorError, file_level

    if indicator is None:
        raise MissingIndicatorError(source)
    width = len(header)
    body = body.iloc[:, :width] if body.shape[1] >= width else body.reindex(columns=range(width))
    body.columns = range(width)
    note, blank = classify_rows(body)
    note_idx = np.flatnonzero(note | blank)
    note_lines = pd.DataFrame({"row_number": lines[note_idx].astype("int64"),
                               "text": _cells_text(body.iloc[note_idx]).agg(" ".join, axis=1).str.strip()
                               if len(note_idx) else pd.Series(dtype="str")})
    keep = ~(note | blank)
    body, lines = body[keep], lines[keep]
    if reasons is not None:
        reasons = reasons[keep]
        reasons.columns = range(reasons.shape[1])
    text = _cells_text(body)
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
    if len(note_lines):
        notes.append(f"{len(note_lines)} {'rad' if len(note_lines) == 1 else 'rader'} utanför tabellen (titel, noter, fotnoter, tomma) hoppades över")
    notes.append(found.note)
    learned = dict(options)
    learned.update({k: v for k, v in found.options().items() if v})
    _learn_unit(learned, notes, list(titles))
    return records.reset_index(drop=True), len(records), note_lines, notes, learned
