"""A researcher's own area × year panel, read from any format the readers take, columns mapped by name.

The indicator readers (:mod:`evalkit.io.delimited`, ``excel``, ``pcaxis``, ``jsonstat``) produce the
tidy *indicator* contract: they need an indicator from ``indicators.csv`` and a value column.
A researcher's file (``stadsdel;ar;antal_brott;befolkning``) has neither, so this module reads it
as a raw table through the same format registry (:func:`evalkit.io.formats.read_raw`: each format's
``read_raw`` reuses its reader's parts – decoding, delimiter sniffing, header and footnote rules,
Excel's merged cells/formulas/percent formats, the PC-Axis and JSON-stat parsers), parses numbers
as they do (:func:`evalkit.io.core.parse_numbers`: decimal comma, spaces, ``..``, ``x``), resolves
areas with their resolver and level rule, and maps columns by the names the user gives.

Shapes:

* **long**: one row per area and year (``--year ar``);
* **wide**: one column per year (``2015``, ``År 2015``, ``antal_brott 2015`` …); a measure is a
  group of year columns with the same prefix (``antal_brott 2015 … befolkning 2015 …``), and a file
  with plain year columns holds one measure, whatever ``--value`` calls it;
* **cubes** (PC-Axis, JSON-stat): one column per variable; a variable whose categories name the
  measures (SCB's "tabellinnehåll") is spread into one column per measure.

Counting rule as in the readers: every data row read is either kept or set aside with file, row,
column, value and reason (``rows_read == len(data) + len(set_aside)``). A row is set aside when a
number cell holds a symbol (``..``, ``x``) or text, the year is not a year, or the area cell is
empty; it is never coerced to 0. Problems that make the whole file unusable (no header with the
named columns, an area-year twice) raise :class:`~evalkit.io.core.ReaderError` with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.io.core import (ReaderError, empty_quarantine, file_level, parse_numbers, quarantine_rows,
                              resolve_area)
from evalkit.io.formats import read_raw
from evalkit.io.raw import RawTable, fold
from evalkit.io.table import year_of_header

#: Cohort cells meaning "never treated" (besides an empty cell).
NEVER = {"", "0", "-", "–", "aldrig", "never", "nej", "no", "ej"}


@dataclass
class PanelRead:
    """The rows of a panel file: ``data`` has ``row_number, area, year`` and the mapped measures
    (floats) and ``cohort`` (text) when asked for; ``set_aside`` the rows that could not be used."""

    data: pd.DataFrame
    set_aside: pd.DataFrame
    rows_read: int
    source: str
    notes: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        """Every row read is either kept or set aside."""
        return self.rows_read == len(self.data) + len(self.set_aside)


def _flag(measure: str) -> str:
    """The command-line flag that named a measure (for messages)."""
    return "--covariates" if measure.startswith("cov:") else f"--{measure}"


# --------------------------------------------------------------------------- mapping columns


def _column(table: RawTable, name: str | None) -> str | None:
    """The frame column the user means by ``name`` (case-insensitive; JSON-stat ids or labels)."""
    if not name:
        return None
    by_fold = {fold(c): c for c in table.frame.columns}
    key = fold(name)
    if key in by_fold:
        return by_fold[key]
    alias = table.aliases.get(key)
    return alias if alias in table.frame.columns else None


def _measure_dimension(table: RawTable, fixed: set[str], names: dict[str, str]) -> str | None:
    """In a cube: the variable whose categories are the measures asked for (spread into columns)."""
    wanted = {fold(n) for n in names.values()}
    for c in table.frame.columns:
        if c in fixed or c == table.cube_value:
            continue
        if wanted & {fold(v) for v in table.frame[c].unique()}:
            return c
    return None


def _long_cells(table: RawTable, area: str, year: str, names: dict[str, str], texts: dict[str, str]):
    """Long table -> records frame (one per data row) and the file column of each measure;
    ``texts`` maps output columns to file columns kept as text (cohort, cluster, fixed effects)."""
    f = table.frame
    out = pd.DataFrame({"row_number": table.rows, "area": f[area], "year": f[year]})
    blame = {}
    cohort = texts.get("cohort")
    fixed = {area, year} | set(texts.values())
    spread = _measure_dimension(table, fixed, names) if table.cube_value else None
    if spread is not None:
        return _spread_cube(table, area, year, names, cohort, spread)
    if table.cube_value:
        _check_single_valued(table, fixed)
    for m, name in names.items():
        col = _column(table, name)
        if col is None and table.cube_value and len(names) == 1:
            col = table.cube_value  # a cube with one measure: --value names it, whatever it is called
        if col is None:
            raise ReaderError(f"{table.source}: kolumnen {name!r} ({_flag(m)}) finns inte (kolumner: "
                              f"{', '.join(map(str, f.columns))})")
        out[m] = f[col]
        blame[m] = col
    for key, col in texts.items():
        out[key] = f[col]
    return out, blame


def _check_single_valued(table: RawTable, fixed: set[str]) -> None:
    for c in table.frame.columns:
        if c not in fixed and c != table.cube_value and table.frame[c].nunique() > 1:
            values = ", ".join(map(str, table.frame[c].unique()[:4]))
            raise ReaderError(f"{table.source}: variabeln {c!r} har flera värden ({values} …); välj ett mått med "
                              "--value/--numerator/--denominator eller spara ett urval av tabellen")


def _spread_cube(table: RawTable, area: str, year: str, names: dict[str, str], cohort: str | None, spread: str):
    """Cube with a measure variable: one record per area × year, one column per measure."""
    f = table.frame.assign(_row=table.rows)
    _check_single_valued(table, {area, year, spread})
    folded = f[spread].map(fold)
    out, blame = None, {}
    for m, name in names.items():
        part = f[folded == fold(name)]
        if part.empty:
            raise ReaderError(f"{table.source}: {name!r} ({_flag(m)}) finns inte bland värdena av {spread!r} "
                              f"({', '.join(map(str, f[spread].unique()))})")
        part = part[[area, year, "värde", "_row"]].rename(columns={"värde": m, "_row": f"_row_{m}"})
        out = part if out is None else out.merge(part, on=[area, year], how="outer")
        blame[m] = f"{spread} = {name}"
    out["row_number"] = out[[c for c in out.columns if c.startswith("_row_")]].min(axis=1).astype("int64")
    out = out.rename(columns={area: "area", year: "year"}).sort_values("row_number", kind="stable")
    return out.drop(columns=[c for c in out.columns if c.startswith("_row_")]).reset_index(drop=True), blame


def _wide_groups(columns) -> dict[str, dict[int, str]]:
    """Year columns grouped by their prefix: ``{"antal_brott": {2015: "antal_brott 2015", …}}``."""
    groups: dict[str, dict[int, str]] = {}
    for c in columns:
        hit = year_of_header(c)
        if hit:
            year, prefix = hit
            groups.setdefault(prefix.strip(" _-.:,;").casefold(), {})[year] = c
    return groups


def _wide_cells(table: RawTable, area: str, names: dict[str, str], texts: dict[str, str]):
    """Wide table -> one record per area × year column (of every measure's group)."""
    groups = _wide_groups(table.frame.columns)
    chosen = {}
    for m, name in names.items():
        key = name.strip(" _-.:,;").casefold()
        if key in groups:
            chosen[m] = groups[key]
        elif len(groups) == 1 and len(names) == 1:
            chosen[m] = next(iter(groups.values()))  # plain year columns: one measure, named by --value
        else:
            shown = ", ".join(repr(g) if g else "(utan förled)" for g in groups)
            raise ReaderError(f"{table.source}: bred tabell utan årskolumner för {name!r} ({_flag(m)}); "
                              f"förled bland årskolumnerna: {shown}")
    years = sorted(set.intersection(*[set(g) for g in chosen.values()]))
    parts, blame = [], {m: "årskolumnen" for m in chosen}
    for y in years:
        part = pd.DataFrame({"row_number": table.rows, "area": table.frame[area], "year": str(y)})
        for m, g in chosen.items():
            part[m] = table.frame[g[y]]
            part[f"_col_{m}"] = g[y]
        for key, col in texts.items():
            part[key] = table.frame[col]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).sort_values(["row_number", "year"], kind="stable")
    table.notes.append(f"bred tabell: {len(table.frame)} rader × {len(years)} årskolumner = {len(out)} poster")
    return out.reset_index(drop=True), blame


def read_panel(path: str | Path, area: str, year: str | None = None, numerator: str | None = None,
               denominator: str | None = None, value: str | None = None, cohort: str | None = None,
               sheet: str | int | None = None, encoding: str | None = None,
               delimiter: str | None = None, covariates=(), labels=()) -> PanelRead:
    """Read a panel file with the columns named by the user (see module docstring).

    Either ``numerator`` and ``denominator`` or ``value`` (optionally with ``denominator`` as the
    weight). ``year`` names the year column of a long table; without it (or when the file has no
    such column but year columns) the table is read as wide. ``covariates``: further number
    columns (each comes back as ``cov:NAME``; a row without a number there is set aside);
    ``labels``: further text columns (cluster, fixed effects; each comes back as ``label:NAME``).
    Returns a :class:`PanelRead`.
    """
    names = {m: n for m, n in (("numerator", numerator), ("denominator", denominator), ("value", value)) if n}
    names.update({f"cov:{c}": c for c in covariates})
    if not (value or (numerator and denominator)):
        raise ValueError("ange --value KOLUMN, eller --numerator KOLUMN och --denominator KOLUMN")
    if value and numerator:
        raise ValueError("ange antingen --value eller --numerator/--denominator, inte båda")
    table = read_raw(path, [area] + ([year] if year else []), sheet=sheet, encoding=encoding, delimiter=delimiter)
    source = table.source
    area_col = _column(table, area)
    if area_col is None:
        raise ReaderError(f"{source}: kolumnen {area!r} (--area) finns inte (kolumner: "
                          f"{', '.join(map(str, table.frame.columns))})")
    cohort_col = _column(table, cohort)
    if cohort and cohort_col is None:
        raise ReaderError(f"{source}: kolumnen {cohort!r} (--cohort) finns inte")
    texts = {"cohort": cohort_col} if cohort_col else {}
    for name in labels:
        col = _column(table, name)
        if col is None:
            raise ReaderError(f"{source}: kolumnen {name!r} (--cluster/--fe) finns inte (kolumner: "
                              f"{', '.join(map(str, table.frame.columns))})")
        texts[f"label:{name}"] = col
    year_col = _column(table, year)
    if year_col is not None:
        records, blame = _long_cells(table, area_col, year_col, names, texts)
    elif _wide_groups(table.frame.columns):
        records, blame = _wide_cells(table, area_col, names, texts)
    elif year:
        raise ReaderError(f"{source}: kolumnen {year!r} (--year) finns inte, och inga årskolumner (2015, År 2015 …)")
    else:
        raise ReaderError(f"{source}: ange årskolumnen med --year, eller använd en bred tabell med en kolumn per år")
    used = [c for c in (area_col, year_col, *texts.values()) if c]
    return _check_records(records, blame, table, names, used, list(texts))


def _cell_reasons(table: RawTable, records: pd.DataFrame, blame: dict[str, str], used: list[str]) -> pd.Series:
    """Reasons already known for the cells a record uses (Excel errors, formulas, too many cells)."""
    if table.reasons is None:
        return pd.Series("", index=records.index, dtype=str)
    by_row = dict(zip(table.rows, table.reasons.to_dict("records")))
    out = []
    for r in records.to_dict("records"):
        cells = by_row.get(r["row_number"], {})
        cols = [r.get(f"_col_{m}", blame[m]) for m in blame] + used
        out.append(next((cells[c] for c in cols if cells.get(c, "")), ""))
    return pd.Series(out, index=records.index, dtype=str)


def _check_records(records: pd.DataFrame, blame: dict[str, str], table: RawTable, names: dict[str, str],
                   used: list[str], texts: list[str]) -> PanelRead:
    """Parse numbers and years; set aside what cannot be used, with file, row, column and reason."""
    source = table.source
    n = len(records)
    usable = np.ones(n, dtype=bool)
    parts = [empty_quarantine()]

    def set_aside(mask, column, values, reason) -> None:
        mask = np.asarray(mask, dtype=bool) & usable
        if mask.any():
            pick = (lambda x: x[mask] if isinstance(x, (pd.Series, np.ndarray)) else x)  # noqa: E731
            parts.append(quarantine_rows(source, records["row_number"][mask], pick(column), pick(values),
                                         pick(reason)))
            usable[mask] = False

    known = _cell_reasons(table, records, blame, used)
    set_aside(known != "", "rad", known, known)
    area = records["area"].fillna("").astype(str).str.strip()
    set_aside(area == "", "area", area, "områdesnamnet saknas")
    year_text = records["year"].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    year_text = year_text.str.strip().str.replace(r"\.0+$", "", regex=True)
    set_aside(~year_text.str.fullmatch(r"\d{4}"), "year", year_text, "år är inte ett årtal med fyra siffror")
    out = pd.DataFrame({"row_number": records["row_number"].astype("int64"), "area": area,
                        "year": pd.to_numeric(year_text, errors="coerce")})
    for m in names:
        cells = records[m]
        if cells.dtype == object and cells.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
            cells = cells.astype(float)  # Excel/JSON numbers stay numbers
        elif cells.dtype == object:
            cells = cells.map(lambda v: repr(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool)
                              else ("" if v is None else str(v)))
        values, status, bad = parse_numbers(cells)
        column = records[f"_col_{m}"] if f"_col_{m}" in records else blame[m]
        set_aside(status != "", column, cells.astype(str), "ingen uppgift (" + status + ")")
        set_aside(bad, column, cells.astype(str), "text i en talkolumn")
        set_aside(values.isna(), column, cells.astype(str), "värdet saknas")
        out[m] = values
    for key in texts:
        out[key] = records[key].map(lambda v: "" if v is None else (
            str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))).str.strip()
    data = out[usable].reset_index(drop=True)
    set_aside_frame = pd.concat(parts, ignore_index=True)
    dup = data.duplicated(["area", "year"], keep=False)
    if dup.any():
        d = data[dup].sort_values(["area", "year", "row_number"])
        first = d.iloc[0]
        rows = ", ".join(str(r) for r in d.loc[(d["area"] == first["area"]) & (d["year"] == first["year"]),
                                               "row_number"])
        raise ReaderError(f"{source}: {first['area']} {int(first['year'])} finns på flera rader ({rows}); "
                          f"{dup.sum()} rader med dubbletter i allt – ett område och år per rad")
    result = PanelRead(data, set_aside_frame, n, source, list(table.notes))
    assert result.reconciles(), "lästa rader = använda + undantagna"
    return result


# --------------------------------------------------------------------------- areas


def resolve_areas(names: pd.Series, source: str, level: str | None = None, registry: bool = True,
                  column: str = "area", where: str | None = None, rows: pd.Series | None = None) -> pd.Series:
    """Area codes for the names or codes in a panel, through the geography registry.

    Unknown or ambiguous names raise one :class:`ReaderError` listing them all (with the first row
    of each), so nothing is dropped silently. Only stadsdelar and stadsdelsområden are areas of a
    panel, all of one level. ``registry=False`` takes the names as they are (a researcher's own
    units: no programme areas, no name resolution). ``where`` names the place in the message
    (default: the column); ``rows`` (the file row of each name) adds the first row of each problem.
    """
    if not registry:
        return names.astype(str)
    # the level rule and the resolver of the indicator readers: --level, else what the column's
    # name ("stadsdel", "stadsdelsområde") or the codes in it say
    level = file_level(level, heading=str(column), codes=names).level
    unknown, ambiguous, codes = [], [], {}
    first_row = {} if rows is None else dict(zip(names[::-1], rows[::-1]))
    at = lambda n: f"rad {first_row[n]}, " if n in first_row else ""  # noqa: E731
    for name in pd.unique(names):
        try:
            codes[name] = resolve_area(str(name), level)
        except geography.AmbiguousAreaError:
            ambiguous.append(f"{name!r}" + (f" ({at(name)[:-2]})" if at(name) else ""))
        except geography.AreaNameError as exc:
            near = [geography.area_name(c) for c in exc.candidates[:1]]
            unknown.append(f"{name!r} ({at(name)}närmast: {near[0]})" if near else
                           f"{name!r}" + (f" ({at(name)[:-2]})" if at(name) else ""))
        except ValueError:
            unknown.append(f"{name!r}" + (f" ({at(name)[:-2]})" if at(name) else ""))
    problems = []
    if unknown:
        problems.append("okända områden: " + ", ".join(unknown[:20])
                        + (f" … ({len(unknown)} i allt)" if len(unknown) > 20 else ""))
    if ambiguous:
        problems.append("tvetydiga (både stadsdel och stadsdelsområde; ange --level): "
                        + ", ".join(ambiguous))
    where = where or f"kolumnen {column}"
    if problems:
        raise ReaderError(f"{source}: {where}: " + "; ".join(problems)
                          + " (eller --no-geography för egna områden)")
    levels = {geography.area_level(c) for c in codes.values()}
    wrong = sorted(n for n, c in codes.items() if geography.area_level(c) not in ("stadsdel", "stadsdelsomrade"))
    if wrong:
        raise ReaderError(f"{source}: {where}: inte stadsdelar eller stadsdelsområden: "
                          + ", ".join(repr(n) for n in wrong))
    if len(levels) > 1:
        raise ReaderError(f"{source}: {where}: både stadsdelar och stadsdelsområden; en panel har en nivå "
                          "(ange --level)")
    return names.map(codes).astype(str)
