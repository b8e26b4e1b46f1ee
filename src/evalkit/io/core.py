"""Shared reader machinery: the result type, decoding, number parsing, area resolution, quarantine.

Every reader (``delimited``, ``excel``, ``pcaxis``, ``jsonstat``) turns its file into a *long
frame of records* – one record per would-be tidy row, each with the file row (and column) it came
from – and hands it to :func:`records_to_result`, which does the checks every format shares:
area resolution, known indicator, integer year, number cells (Swedish formatting, symbols, units)
and status. So a rule lives in one place and every format obeys it.

Counting rule: ``rows_read`` counts *records* (for a wide table one record per area × year cell);
every record read is either returned in ``data`` or set aside with exactly one quarantine row, so
``rows_read == len(data) + rows_set_aside``. Title, note and footnote lines around a table are not
records: they are counted in ``note_lines`` and summarised in ``notes``, never silently dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography, programme
from evalkit.io.regso import resolve_regso

QUARANTINE_COLUMNS = ["source_file", "row_number", "column", "value", "reason"]

# Official-statistics symbols that stand in a number cell instead of a value.
# ``0`` is *not* here: in a number cell it is the number zero; as a symbol ("less than half the
# unit") it can only be given in a status column (or a PC-Axis/JSON-stat status).
STATUS_IN_CELL = {"..": "..", "…": "..", "–": "–", "-": "–", "—": "–", ".": ".", "x": "x", "X": "x"}
# Symbols accepted in a status column / status member, normalised.
STATUS_WORDS = {**STATUS_IN_CELL, "0": "0", "": ""}

# Units a number cell may carry ("12 %", "1 234 kr"), normalised, and the catalogue units they mean.
CELL_UNITS = {"%": "procent", "procent": "procent", "kr": "kronor", "kronor": "kronor", "sek": "kronor",
              "tkr": "tkr", "mnkr": "mnkr", "st": "antal", "st.": "antal", "‰": "promille"}
_UNIT_RE = re.compile(r"^(?P<num>.*?[0-9])\s*(?P<unit>%|‰|[A-Za-zÅÄÖåäö]+\.?)$")

#: Units a title or column heading may state, as the indicator catalogue names them. "antal" only
#: where the text does not also say "andel" ("Andel av antalet invånare …" is a share).
_STATED_UNITS = (
    (re.compile(r"\bper\s+1[\s\u00a0\u202f]?000\s+invånare\b"), "per 1 000 invånare"),
    (re.compile(r"\bprocent\b|\(\s*%\s*\)|,\s*%\s*$"), "procent"),
    (re.compile(r"\bkronor\b|\(\s*kr\s*\)"), "kronor"),
    (re.compile(r"^(?!.*\bandel).*\bantal\b"), "antal"),
)


def stated_unit(texts) -> tuple[str, str] | None:
    """The catalogue unit that the file's titles or headings state, and the text that states it
    ("Andel invånare med ekonomiskt bistånd 2015–2020, procent" -> ``("procent", …)``); None
    when none states one, or when they state different units (then the file does not say)."""
    found = {}
    for text in texts:
        folded = str(text).strip().casefold()
        for pattern, unit in _STATED_UNITS:
            if folded and pattern.search(folded):
                found.setdefault(unit, str(text).strip())
                break
    return next(iter(found.items())) if len(found) == 1 else None


ENCODINGS = ("utf-8-sig", "cp1252")
# Typical signs of UTF-8 text that was decoded as Windows-1252/latin-1 once too often.
MOJIBAKE = re.compile("Ã[¥¤¶…„–©‰]|Ã\u0096|Ã\u0085|Ã\u0084|â€")


class ReaderError(Exception):
    """A file that cannot be read at all; the message names the file and what is wrong."""


class MissingIndicatorError(ReaderError):
    """The file names no indicator (no column, no dimension mapping) and none was given.

    Callers that know how the user gives one (``evalkit validate --indicator``) say so; the
    message itself names the places `evalkit clean` reads it from.
    """

    def __init__(self, source: str, what: str = "filen"):
        super().__init__(f"{source}: {what} anger ingen indikator; ange den i sources.csv (kolumnen indicator) "
                         f"eller i läsanvisningen {source}{SIDECAR_SUFFIX} (\"indicator\" eller \"dimension_map\")")
        self.source = source


def choose_dimensions_message(source: str, problem: str) -> str:
    """A dimension with several categories and no mapping: say where the mapping goes (the sidecar)."""
    return (f"{source}: {problem}; ange \"dimension_map\" eller \"select\" i läsanvisningen "
            f"{source}{SIDECAR_SUFFIX}")


@dataclass
class ReadResult:
    """What a reader returns: usable tidy rows, set-aside rows, and how many records it read.

    ``rows_set_aside`` is the number of records set aside (each has one quarantine row); when a
    reader leaves it ``None`` the distinct quarantined row numbers are counted. ``note_lines``
    lists title/note/footnote lines that were skipped (``row_number, text``).
    """

    data: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    source_file: str
    notes: list[str] = field(default_factory=list)
    rows_set_aside: int | None = None
    note_lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row_number": pd.Series(dtype="int64"),
                                                                           "text": pd.Series(dtype="str")}))
    #: Tables (CSV, Excel): the header as read – ``{"row": file row of its last line, "cells": [...]}``.
    header: dict | None = None

    def set_aside_count(self) -> int:
        """Records set aside by the reader."""
        if self.rows_set_aside is not None:
            return self.rows_set_aside
        return int(self.quarantine["row_number"].nunique())

    def reconciles(self) -> bool:
        """True when every record read is either kept or set aside (in = kept + set aside)."""
        return self.rows_read == len(self.data) + self.set_aside_count()


def empty_quarantine() -> pd.DataFrame:
    """An empty quarantine table with the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row_number" else "str") for c in QUARANTINE_COLUMNS})


def quarantine_rows(source: str, row_numbers, column, values, reasons) -> pd.DataFrame:
    """Build quarantine rows (one per offending record) in the standard shape.

    ``column``, ``values`` and ``reasons`` may each be one string or one entry per row.
    """
    row_numbers = list(row_numbers)
    n = len(row_numbers)

    def per_row(x):
        return [x] * n if isinstance(x, str) else list(x)

    return pd.DataFrame(
        {
            "source_file": [source] * n,
            "row_number": pd.Series(row_numbers, dtype="int64"),
            "column": [str(c) for c in per_row(column)],
            "value": [str(v) for v in per_row(values)],
            "reason": [str(r) for r in per_row(reasons)],
        }
    )


# --------------------------------------------------------------------------- decoding


def decode_bytes(raw: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file: UTF-16 (BOM), UTF-8 with/without BOM, else Windows-1252.

    Line endings are normalised (``\\r\\r\\n`` as in SCB exports, ``\\r\\n``, ``\\r`` -> ``\\n``) so
    line numbers match what an editor shows. ``encoding`` forces a codec.
    """
    if not raw.strip():
        raise ReaderError(f"{name}: filen är tom")
    if encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ReaderError(f"{name}: kan inte avkodas som {encoding} ({exc})") from exc
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text, encoding = raw.decode("utf-16"), "utf-16"
    elif b"\x00" in raw[:4096]:
        raise ReaderError(f"{name}: binär fil eller okänd teckenkodning (innehåller NUL-byte)")
    else:
        for candidate in ENCODINGS:
            try:
                text, encoding = raw.decode(candidate), candidate
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ReaderError(f"{name}: okänd teckenkodning (varken UTF-8 eller Windows-1252)")
    text = text.lstrip("\ufeff")
    text = re.sub(r"\r+\n", "\n", text).replace("\r", "\n")
    return text, encoding


def looks_mis_encoded(text: pd.Series) -> pd.Series:
    """Cells with UTF-8-read-as-Windows-1252 damage (``SkÃ¤rholmen``)."""
    return text.astype(str).str.contains(MOJIBAKE)


# --------------------------------------------------------------------------- numbers

_NUMBER_CLEAN = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _normalise_number_text(cleaned: pd.Series) -> pd.Series:
    """Swedish/English separators -> a dot decimal: the last of ``,``/``.`` is the decimal mark
    when both occur; a lone comma is a decimal comma; repeated dots or commas are thousands."""
    has_dot = cleaned.str.contains(".", regex=False)
    has_comma = cleaned.str.contains(",", regex=False)
    both = has_dot & has_comma
    comma_last = cleaned.str.rfind(",") > cleaned.str.rfind(".")
    out = cleaned
    # both: the later one is the decimal mark
    out = out.where(~(both & comma_last), out.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    out = out.where(~(both & ~comma_last), out.str.replace(",", "", regex=False))
    only_comma = has_comma & ~has_dot
    many_commas = cleaned.str.count(",") > 1
    out = out.where(~(only_comma & many_commas), out.str.replace(",", "", regex=False))
    out = out.where(~(only_comma & ~many_commas), out.str.replace(",", ".", regex=False))
    many_dots = (cleaned.str.count(r"\.") > 1) & ~has_comma
    out = out.where(~many_dots, out.str.replace(".", "", regex=False))
    return out


def parse_numbers(cells: pd.Series, units: bool = False):
    """Parse number cells written the Swedish or English way.

    Returns ``(values, status, bad)``: floats (NaN where no value), the status symbol for cells
    holding one (``..``, ``–`` …) and a boolean mask of cells that are neither a number nor a
    known symbol nor empty — those rows must be set aside, never coerced. A symbol never becomes 0.

    With ``units=True`` a fourth series is returned: the unit a cell carried ("12 %" -> ``%``,
    "1 234 kr" -> ``kr``; "" when none). Such cells then parse (the caller decides whether the
    unit was expected); without ``units`` they are bad.
    """
    if cells.dtype.kind in "fiu":  # already numbers (Excel, JSON)
        values = cells.astype("float64")
        empty = pd.Series("", index=cells.index, dtype="str")
        bad = pd.Series(False, index=cells.index)
        return (values, empty, bad, empty.copy()) if units else (values, empty, bad)
    text = cells.fillna("").astype(str).str.strip()
    index = cells.index
    values = pd.Series(np.nan, index=index, dtype="float64")
    status = pd.Series("", index=index, dtype="str")
    unit = pd.Series("", index=index, dtype="str")
    bad = pd.Series(False, index=index)
    nonempty = text != ""
    if not nonempty.any():
        return (values, status, bad, unit) if units else (values, status, bad)
    # fast path: plain numbers ("1234", "12.5", "-3") – the bulk of a big table
    fast = text.str.fullmatch(_PLAIN_NUMBER.pattern)
    if fast.any():
        values[fast] = pd.to_numeric(text[fast], errors="coerce")
    rest = nonempty & ~fast
    if rest.any():
        sub = text[rest]
        sym = sub.map(STATUS_IN_CELL)
        is_sym = sym.notna()
        status[sym.index[is_sym]] = sym[is_sym].astype(str)
        sub = sub[~is_sym]
        if len(sub):
            sub_unit = pd.Series("", index=sub.index, dtype="str")
            sub_num = sub
            if units:
                match = sub.str.extract(_UNIT_RE)
                has_unit = match["unit"].notna() & match["unit"].str.rstrip(".").str.lower().isin(
                    [u.rstrip(".") for u in CELL_UNITS])
                sub_num = sub.where(~has_unit, match["num"])
                sub_unit = sub_unit.where(~has_unit, match["unit"].str.lower().str.rstrip("."))
                unit[sub.index] = sub_unit
            cleaned = sub_num.str.replace(_NUMBER_CLEAN, "", regex=True).str.replace("\u2212", "-", regex=False)
            cleaned = _normalise_number_text(cleaned)
            parsed = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce").astype("float64")
            values[sub.index] = parsed
    values = values.where(np.isfinite(values))
    bad = values.isna() & (status == "") & nonempty
    return (values, status, bad, unit) if units else (values, status, bad)


def normalise_status(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Status column cells -> ``(symbol, bad)``; unknown symbols are flagged, never guessed."""
    text = cells.fillna("").astype(str).str.strip()
    symbol = text.map(STATUS_WORDS)
    return symbol.fillna("").astype(str), symbol.isna()


# --------------------------------------------------------------------------- areas


class SumRowError(geography.AreaNameError):
    """A row that sums the table's rows ("Summa", "Totalt"): no area, and not surely the city either."""

    def __init__(self, name: str):
        super().__init__(f"summarad ({name.strip()!r}): summan av tabellens rader, inte ett område; undantas; "
                         "avser raden hela staden, skriv Hela staden", name)


def resolve_area(name: str, level: str | None = None, era: str | None = None, tie_level: str | None = None) -> str:
    """The code of one area name: the one rule of every reader (`clean`, `validate`, `inspect`, `effects`).

    ``level`` is binding (the name must exist at that level); ``tie_level`` only settles names that
    fit both a stadsdel and a stadsdelsområde (:class:`FileLevel`). A sum row is no area
    (:class:`SumRowError`); a total row under an area level is the city ("Stockholm totalt" under
    "Stadsdelsområde"). Raises :class:`evalkit.geography.AreaNameError` (or ``ValueError``) with the reason.
    """
    if geography.is_sum_row(name):
        raise SumRowError(name)
    city = geography.resolve_total(name) if level in AREA_LEVELS else None
    if city is not None:
        return city
    try:
        return geography.resolve(name, level=level or None, era=era)
    except geography.AmbiguousAreaError:
        if level or not tie_level:
            raise
        return geography.resolve(name, level=tie_level, era=era)


def resolve_areas(names: pd.Series, levels: pd.Series | str | None, era: str | None = None,
                  tie_level: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Resolve area names to canonical codes (:func:`resolve_area`), once per distinct (name, level).

    ``tie_level`` settles names that fit both a stadsdel and a stadsdelsområde (and only those)
    where a row has no level of its own. Returns ``(codes, errors)``: codes (empty string where
    unresolved) and the reason text.
    """
    if levels is None or isinstance(levels, str):
        levels = pd.Series([levels or ""] * len(names), index=names.index, dtype="str")
    key = names.astype(str) + "\x1f" + levels.fillna("").astype(str)
    uniques, inverse = np.unique(key.to_numpy(dtype=str), return_inverse=True)
    codes_u, errors_u = [], []
    for k in uniques:
        name, level = k.split("\x1f")
        try:
            codes_u.append(resolve_area(name, level, era, tie_level))
            errors_u.append("")
        except (geography.AreaNameError, ValueError) as exc:
            codes_u.append("")
            errors_u.append(str(exc))
    codes = np.asarray(codes_u, dtype=object)[inverse] if len(uniques) else np.array([], dtype=object)
    errors = np.asarray(errors_u, dtype=object)[inverse] if len(uniques) else np.array([], dtype=object)
    return (pd.Series(codes, index=names.index, dtype="str"), pd.Series(errors, index=names.index, dtype="str"))


# --------------------------------------------------------------------------- the level a file states

LEVEL_LABELS = {"stadsdel": "stadsdel", "stadsdelsomrade": "stadsdelsområde"}
AREA_LEVELS = ("stadsdel", "stadsdelsomrade")


@dataclass(frozen=True)
class FileLevel:
    """The area level for rows without a level of their own, and where it came from.

    ``level`` is binding (names must exist at that level, as with ``--level``); ``tie_level`` only
    settles names that fit both a stadsdel and a stadsdelsområde; ``note`` says which source it was.
    """

    level: str | None
    tie_level: str | None
    note: str

    def options(self) -> dict:
        """The ``records_to_result`` options that carry this level."""
        return {"level": self.level, "tie_level": self.tie_level}


def file_level(given: str | None, *, heading: str | None = None, what: str = "områdeskolumnens namn",
               titles: tuple | list = (), codes=()) -> FileLevel:
    """Where the level of a file's areas comes from, in this order.

    1. ``given``: the ``level`` option (``--level``, ``sources.csv``, the sidecar) – always wins;
    2. ``heading``: the name or label of the area column/dimension ("Stadsdelsområde", "SDN",
       "stadsdel"; :func:`evalkit.geography.level_named`);
    3. ``titles``: title or metadata text ("Folkmängd per stadsdelsområde"). A title may name an
       area rather than the table's level ("Skärholmens stadsdelsnämnd: … per område"), so it only
       settles names that fit both levels and never rejects a name that exists at one level only;
    4. ``codes``: area codes that exist at one level only (``sdo-farsta``, "SDN12";
       :func:`evalkit.geography.level_of_code`), when all such codes agree.

    When none of them says, names that fit both levels are set aside as ambiguous.
    """
    if given:
        return FileLevel(given, None, f"områdesnivå {LEVEL_LABELS.get(given, given)}: angiven (level)")
    named = geography.level_named(heading) if heading else None
    if named:
        return FileLevel(named, None, f"områdesnivå {LEVEL_LABELS[named]}: från {what} {str(heading).strip()!r}")
    for title in titles:
        named = geography.level_named(title) if str(title).strip() else None
        if named:
            return FileLevel(None, named, f"områdesnivå {LEVEL_LABELS[named]}: från titeln {str(title).strip()!r} "
                                          "(avgör bara namn som är både stadsdel och stadsdelsområde)")
    distinct = pd.unique(pd.Series(list(codes), dtype="str").str.strip())
    by_level: dict[str, list[str]] = {}
    for code in distinct:
        lvl = geography.level_of_code(code)
        if lvl in AREA_LEVELS:
            by_level.setdefault(lvl, []).append(code)
    if len(by_level) == 1:
        (lvl, examples), = by_level.items()
        shown = ", ".join(examples[:3]) + (" …" if len(examples) > 3 else "")
        return FileLevel(lvl, None, f"områdesnivå {LEVEL_LABELS[lvl]}: från områdeskoderna ({shown})")
    return FileLevel(None, None, "områdesnivå: anges inte av filen (varken områdeskolumnens namn, titel eller "
                                 "koder); namn som är både stadsdel och stadsdelsområde undantas som tvetydiga")


# --------------------------------------------------------------------------- options (sidecar)

SIDECAR_SUFFIX = ".evalkit.json"


def sidecar_options(path: Path) -> dict:
    """Reader options stored next to a raw file (``<file>.evalkit.json``), or ``{}``.

    Raw files stay exactly as published; how to read them (level, which dimension value is which
    indicator, an expected unit …) is data beside them, used by ``clean`` and ``validate`` alike.
    """
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if not side.is_file():
        return {}
    try:
        options = json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReaderError(f"{side.name}: läsanvisningen är inte giltig JSON ({exc})") from exc
    if not isinstance(options, dict):
        raise ReaderError(f"{side.name}: läsanvisningen ska vara ett JSON-objekt ({{\"nyckel\": värde, …}})")
    options.pop("_comment", None)
    return options


# --------------------------------------------------------------------------- records -> result

RECORD_COLUMNS = ["row_number", "column", "area", "level", "indicator", "year", "value", "numerator",
                  "denominator", "status", "source", "reason", "reason_column"]


@dataclass(eq=False)
class CheckOptions:
    """How :func:`records_to_result` checks the records of a file: the options every reader hands on.

    ``area_codes=True`` – the area column holds canonical codes (fast path, no name resolution);
    ``area_codes="passthrough"`` – codes the registry does not know (DeSO, RegSO codes of all
    Sweden) are kept as they are, with ``level`` as their level; ``area_type="regso"`` – areas are
    SCB RegSO names/codes mapped to stadsdelar (:mod:`evalkit.io.regso`); ``level`` – the area
    level when the file has no level column; ``tie_level`` – the level that settles only names that
    fit both levels (:func:`file_level`); ``era`` – the borough division the names must exist in;
    ``value_unit`` – a unit the number cells are expected to carry ("%", "kr", "tkr"), stripped and
    checked against the catalogue unit of the indicator; ``years`` – use only these years (others
    are set aside as "utanför urvalet"); ``catalogue`` – an indicator catalogue other than
    ``indicators.csv``; ``unit_stated`` – (unit, text) a title or heading of the file states
    (:func:`stated_unit`): rows of an indicator whose catalogue unit is another are set aside, so a
    table of counts is never read as shares; ``headings`` – the file's own heading of the area, year
    and indicator columns (``{"area": "Stadsdel", …}``), named in the quarantine instead of the
    internal names.
    """

    area_codes: bool | str = False
    area_type: str | None = None
    level: str | None = None
    tie_level: str | None = None
    era: str | None = None
    value_unit: str | None = None
    years: object = None
    catalogue: pd.DataFrame | None = None
    unit_stated: tuple[str, str] | None = None
    headings: dict | None = None


class _Checks:
    """The checks of :func:`records_to_result` on one frame of records, in order: a record is set
    aside by the first check it fails (one quarantine row each), and later checks skip it."""

    def __init__(self, records: pd.DataFrame, source: str, options: CheckOptions):
        self.records = records.reset_index(drop=True)
        self.source = source
        self.options = options
        self.n = len(self.records)
        self.usable = np.ones(self.n, dtype=bool)
        self.parts = [empty_quarantine()]
        self.row_number = self.col("row_number", 0).astype("int64")
        self.blame_value = self.col("column", "value").astype(str)
        self.catalogue = (programme.indicator_catalogue() if options.catalogue is None
                          else options.catalogue).set_index("indicator")
        self.named = {"area": "area", "year": "year", "indicator": "indicator", **(options.headings or {})}
        # a wide table has one record per year of a file row: a set-aside area or indicator is listed
        # with its year, so that "rad 7" five times says which five
        self.year_text = self.col("year").astype(str).str.strip()
        self.several = self.row_number.duplicated(keep=False).to_numpy() & (self.year_text != "").to_numpy()

    def col(self, name: str, default="") -> pd.Series:
        """A column of the records, or ``default`` in every row when the reader gave none."""
        if name in self.records.columns:
            return self.records[name]
        return pd.Series(default, index=pd.RangeIndex(self.n), dtype="str")

    def with_year(self, cells: pd.Series) -> pd.Series:
        """Cells with their record's year where a file row gave several records."""
        return cells.where(~self.several, cells + " (år " + self.year_text + ")")

    def set_aside(self, mask, column, values, reasons) -> None:
        """Set aside the usable records in ``mask``, blaming ``column`` (one string or one per record)."""
        mask = np.asarray(mask, dtype=bool) & self.usable
        if not mask.any():
            return
        pick = lambda x: x[mask] if isinstance(x, (pd.Series, np.ndarray)) else x  # noqa: E731
        self.parts.append(quarantine_rows(self.source, self.row_number[mask], pick(column), pick(values),
                                          pick(reasons)))
        self.usable[mask] = False

    def given_reasons(self) -> None:
        """Records the reader already found unusable (an Excel ``#REF!``, a dimension outside the map)."""
        reason = self.col("reason").fillna("").astype(str)
        column = self.col("reason_column")
        self.set_aside(reason != "", column.astype(str).where(column != "", self.blame_value),
                       self.col("value").astype(str), reason)

    def _codes(self, area: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Codes and reasons for the area cells, by the option the reader gave (:class:`CheckOptions`)."""
        opts = self.options
        if opts.area_codes == "passthrough":
            return area.where(area != "", ""), pd.Series("områdeskod saknas", index=area.index, dtype="str")
        if opts.area_codes:
            known = set(geography.stadsdelar()["stadsdel_code"]) | set(
                geography.stadsdelsomraden()["sdo_code"]) | set(geography.GROUP_NAMES)
            return area.where(area.isin(known), ""), pd.Series("okänd områdeskod", index=area.index, dtype="str")
        if opts.area_type == "regso":
            return resolve_regso(area)
        levels = self.col("level").fillna("").astype(str).str.strip()
        return resolve_areas(area, levels.where(levels != "", opts.level or ""), era=opts.era,
                             tie_level=opts.tie_level)

    def areas(self) -> pd.Series:
        """The code of each record's area (:func:`resolve_areas`); names that are none are set aside."""
        area = self.col("area").fillna("").astype(str).str.strip()
        shown = self.with_year(area)
        self.set_aside(looks_mis_encoded(area), self.named["area"], shown,
                       "felaktig teckenkodning i områdesnamnet (UTF-8 läst som Windows-1252?)")
        codes, errors = self._codes(area)
        self.set_aside((codes == "").to_numpy(), self.named["area"], shown, errors)
        return codes

    def indicators(self) -> pd.Series:
        """Each record's indicator; one the catalogue does not know is set aside."""
        indicator = self.col("indicator").fillna("").astype(str).str.strip()
        self.set_aside(~indicator.isin(self.catalogue.index), self.named["indicator"], self.with_year(indicator),
                       "okänd indikator (finns inte i indicators.csv)")
        return indicator

    def years(self) -> pd.Series:
        """Each record's year: an integer written with four digits, within ``years`` when given."""
        year_text = self.year_text
        years = pd.to_numeric(year_text, errors="coerce")
        self.set_aside(years.isna() | (years % 1 != 0), self.named["year"], year_text, "år är inte ett heltal")
        # "1e3", "+2015", "20015" are numbers but not years as written; never coerce them
        self.set_aside(~year_text.str.fullmatch(r"\d{4}(?:\.0+)?"), self.named["year"], year_text,
                       "år är inte ett årtal med fyra siffror")
        wanted = parse_years(self.options.years)
        if wanted is not None:
            self.set_aside(~years.isin(wanted), self.named["year"], year_text,
                           "utanför urvalet (år " + year_text + ")")
        return years

    def numbers(self) -> dict[str, tuple[pd.Series, pd.Series]]:
        """Value, numerator and denominator as ``(numbers, status symbols)``; text in a number cell and
        a unit no one expected set the record aside."""
        value_unit = self.options.value_unit
        parsed = {}
        for name in ("value", "numerator", "denominator"):
            present = name in self.records.columns
            cells = self.records[name] if present else pd.Series("", index=pd.RangeIndex(self.n), dtype="str")
            values, status, bad, unit = parse_numbers(cells, units=True)
            blame = self.blame_value if name == "value" else name
            if present:
                self.set_aside(bad, blame, cells, "text i en talkolumn")
                has_unit = unit != ""
                if value_unit is None:
                    self.set_aside(has_unit, blame, cells,
                                   "talet har en enhet (" + unit + "); ange value_unit om enheten är väntad")
                else:
                    expected = str(value_unit).strip().lower().rstrip(".")
                    self.set_aside(has_unit & (unit != expected), blame, cells,
                                   "oväntad enhet " + unit + f" (väntad: {value_unit})")
            parsed[name] = (values, status)
        return parsed

    def units(self, indicator: pd.Series) -> None:
        """The unit given (``value_unit``) or stated by the file (``unit_stated``) against the catalogue's."""
        value_unit, unit_stated = self.options.value_unit, self.options.unit_stated
        cat_unit = indicator.map(self.catalogue["unit"]).fillna("")
        if value_unit is not None:
            meant = CELL_UNITS.get(str(value_unit).strip().lower(), str(value_unit))
            self.set_aside(cat_unit != meant, "indicator", indicator,
                           f"enheten {value_unit} ({meant}) stämmer inte med katalogens enhet för indikatorn")
        elif unit_stated is not None:
            unit, text = unit_stated
            self.set_aside((cat_unit != unit) & (cat_unit != ""), "indicator", indicator,
                           f"filen anger enheten {unit} ({text!r}), men katalogens enhet för indikatorn är en annan "
                           "(välj en indikator i den enheten, eller ange value_unit om texten inte gäller värdena)")

    def status(self, value: pd.Series, cell_status: pd.Series) -> pd.Series:
        """Each record's status: its status column, else the symbol in its value cell; never both a
        value and a symbol."""
        status_cells = self.col("status")
        status, bad_status = normalise_status(status_cells)
        self.set_aside(bad_status, "status", status_cells, "okänd statussymbol")
        status = status.where(status != "", cell_status)
        self.set_aside((status != "") & value.notna(), "status", status, "både värde och statussymbol")
        return status

    def tidy(self, codes: pd.Series, indicator: pd.Series, years: pd.Series, status: pd.Series,
             parsed: dict) -> pd.DataFrame:
        """The usable records as tidy rows, with the area's name and level and the catalogue's unit."""
        keep = self.usable
        k_codes, k_ind = codes[keep], indicator[keep]
        src = self.col("source").fillna("").astype(str)
        src = src.where(src != "", self.source)[keep]
        if self.options.area_codes == "passthrough":
            names = k_codes
            levels = pd.Series(self.options.level or "", index=k_codes.index)
        else:
            by_code = {c: geography.area_name(c) for c in pd.unique(k_codes)}
            names = k_codes.map(by_code)
            levels = k_codes.map({c: geography.area_level(c) for c in by_code})
        return pd.DataFrame(
            {
                "area_code": k_codes.astype(str),
                "area_name": names.astype(str),
                "area_level": levels.astype(str),
                "indicator": k_ind.astype(str),
                "year": years[keep].astype("int64"),
                "value": parsed["value"][0][keep].astype("float64"),
                "status": status[keep].astype(str),
                "numerator": parsed["numerator"][0][keep].astype("float64"),
                "denominator": parsed["denominator"][0][keep].astype("float64"),
                "unit": k_ind.map(self.catalogue["unit"]).astype(str),
                "source": src.astype(str),
                "source_row": self.row_number[keep].astype("int64"),
                "source_file": self.source,
            }
        ).reset_index(drop=True)


def records_to_result(records: pd.DataFrame, source: str, *, rows_read: int | None = None,
                      notes: list[str] | None = None, note_lines: pd.DataFrame | None = None,
                      **options) -> ReadResult:
    """Check a long frame of records and split it into tidy rows and quarantine.

    ``records`` has (some of) :data:`RECORD_COLUMNS`; ``row_number`` is the line/row in the file,
    ``column`` the file column the value came from (blamed for number problems); a non-empty
    ``reason`` sets a record aside before any check (e.g. an Excel ``#REF!`` cell). ``options``
    are the fields of :class:`CheckOptions` (an unknown one is a ``TypeError``). The checks, in
    order: given reasons, area, indicator, year, numbers, unit, status (:class:`_Checks`).
    """
    checks = _Checks(records, source, CheckOptions(**options))
    checks.given_reasons()
    codes = checks.areas()
    indicator = checks.indicators()
    years = checks.years()
    parsed = checks.numbers()
    checks.units(indicator)
    status = checks.status(*parsed["value"])
    data = checks.tidy(codes, indicator, years, status, parsed)
    quarantine = pd.concat(checks.parts, ignore_index=True)
    result = ReadResult(data, quarantine, checks.n if rows_read is None else rows_read, source, list(notes or []),
                        rows_set_aside=len(quarantine))
    if note_lines is not None:
        result.note_lines = note_lines.reset_index(drop=True)
    return result


def parse_years(years) -> list[int] | None:
    """``[2020, 2021]``, ``2020`` or ``"2020-2023"`` -> list of years (None: all)."""
    if years is None:
        return None
    if isinstance(years, (int, np.integer)):
        return [int(years)]
    if isinstance(years, str):
        lo, _, hi = years.partition("-")
        return list(range(int(lo), int(hi or lo) + 1))
    return [int(y) for y in years]


# --------------------------------------------------------------------------- options and files

#: Columns named by the file's own heading (``"value_column": "Ohälsotal (dagar)"``), tables only.
ROLE_OPTIONS = ("area_column", "year_column", "value_column", "numerator_column", "denominator_column")


def readable_file(path: str | Path) -> Path:
    """``path`` as a Path, or ReaderError (one line) when there is no such file or it is a folder."""
    path = Path(path)
    if not path.exists():
        raise ReaderError(f"{path}: filen finns inte")
    if path.is_dir():
        raise ReaderError(f"{path}: är en katalog, inte en fil")
    return path
