"""`evalkit inspect FIL`: how evalkit reads a file, in Swedish, before anything is written.

For a file it reads: the header it found and each column's role (area, year, value, ignored and
why), the area level and where it came from, the years, the unit, the first tidy rows and what
would be set aside. For a file it cannot read: why, the first rows as evalkit saw them, which row
it took for the header and what it expected – and a ready reading instruction (``<fil>.evalkit.json``)
that the user can edit and that ``--write-sidecar`` writes.

Exit codes as `evalkit validate`: 0 every record usable, 1 records set aside, 2 unreadable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from evalkit import programme
from evalkit.io.core import ROLE_OPTIONS, SIDECAR_SUFFIX, MissingIndicatorError, ReaderError, sidecar_options
from evalkit.io.formats import Format, format_of
from evalkit.io.table import column_roles, find_header, year_of_header

#: Tidy rows shown as a sample.
FIRST_ROWS = 5
#: Rows of an unreadable file shown as evalkit saw them.
HEAD_ROWS = 12
EXPECTED = ("evalkit väntar sig en rubrikrad med en områdeskolumn (Område, Stadsdel, Stadsdelsområde, SDN …) och "
            "antingen en årskolumn (År) med en värdekolumn (Värde) eller en kolumn per år (2015, År 2015 …); "
            "rader ovanför rubriken (titlar) och under tabellen (Källa:, Anm.) hoppas över; kolumner med andra "
            "rubriker anges med area_column, year_column, value_column, numerator_column, denominator_column")


@dataclass
class Inspection:
    """What `evalkit inspect` prints, its exit code and the reading instruction it suggests."""

    lines: list[str]
    exit_code: int
    sidecar: dict = field(default_factory=dict)


def _cells(cells: list[str]) -> str:
    return " | ".join(c.strip() for c in cells) if any(c.strip() for c in cells) else "(tom)"


def head_rows(path: Path, fmt: Format, options: dict) -> list[tuple[int, list[str]]]:
    """The first rows of a table file as its reader splits them; ``[]`` for PC-Axis/JSON-stat."""
    if not fmt.is_table:
        return []
    return fmt.head_rows(path, HEAD_ROWS,
                         **{k: v for k, v in options.items() if k in ("sheet", "encoding", "delimiter")})


def guess_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    """The row evalkit takes for the header, else the first row with a year column, else the first
    row with two filled cells: the best start for a reading instruction."""
    h = find_header([cells for _n, cells in rows])
    if h >= 0:
        return rows[h]
    for pick in (lambda c: any(year_of_header(x) for x in c if x.strip()),
                 lambda c: sum(bool(x.strip()) for x in c) >= 2):
        hit = next(((n, c) for n, c in rows if pick(c)), None)
        if hit:
            return hit
    return None


def suggest_sidecar(fmt: Format, header: tuple[int, list[str]] | None, options: dict, reason: str = "",
                    roles: dict | None = None) -> dict:
    """A reading instruction for the file: where the header is, each role column by its heading
    (``area_column``, ``year_column``, ``value_column``, ``numerator_column``, ``denominator_column``)
    and a breakdown's chosen member (``select``) as evalkit read or guessed them, the indicator and
    level given – only keys the format takes, each one the user can edit. ``reason``: why the file
    cannot be read yet, said in ``_comment`` (what is missing)."""
    side: dict = {"_comment": "Läsanvisning skriven av evalkit inspect; ändra värdena och kör "
                              "evalkit inspect igen. Nycklar: se README, avsnittet Bring your own data."}
    allowed = fmt.allowed_options
    if header is not None and fmt.is_table:
        row, cells = header
        side["header_row"] = row
        if roles:
            side.update({k: v for k, v in roles.items() if k in ROLE_OPTIONS and v})
        elif "area_column" not in options:
            found = column_roles(cells)
            if not any(r.startswith("område") for _h, r in found):
                # the first heading that is not a year: the areas stand left of the years in published tables
                area = next((h for h, r in found if h and not r.startswith("värden för år")), None)
                if area:
                    side["area_column"] = area
    if roles and roles.get("select"):
        side["select"] = roles["select"]
    for key in ("indicator", "level", *options):  # what the user gave (flags, the sidecar) stays
        if options.get(key) is not None and key in allowed:
            side[key] = options[key]
    if "indicator" not in side and "dimension_map" not in side:
        side["_comment"] += ' Filen anger ingen indikator: lägg till "indicator": "namn ur indicators.csv".'
    if reason:
        side["_comment"] += f" Saknas för att filen ska kunna läsas: {reason}"
    return side


def readable(result, fmt: Format, catalogue, area_column: str | None = None) -> list[str]:
    """The Swedish description of a file evalkit reads (``area_column`` as the sidecar names it)."""
    lines = [f"format: {fmt.label}"]
    if result.header is not None:
        lines.append(f"rubrikrad: rad {result.header['row']}: {_cells(result.header['cells'])}")
        lines.append("kolumner:")
        lines += [f"  {h or '(tom)'}: {role}" for h, role in column_roles(result.header["cells"], area_column,
                                                                 result.header.get("transposed", False),
                                                                 result.header.get("roles"))
                  if h or role.startswith("område")]
    level = next((n for n in result.notes if n.startswith("områdesnivå")), None)
    if level:
        lines.append(level)
    data = result.data
    if len(data):
        years = sorted(int(y) for y in data["year"].unique())
        lines.append("år: " + ", ".join(map(str, years)))
        for ind in sorted(data["indicator"].unique()):
            unit = catalogue.loc[ind, "unit"] if ind in catalogue.index else "?"
            lines.append(f"indikator: {ind} (enhet: {unit})")
    other = [n for n in result.notes if not n.startswith("områdesnivå")]
    if other:
        lines.append("anteckningar: " + "; ".join(other))
    lines.append(f"de första {min(FIRST_ROWS, len(data))} raderna som poster (område, indikator, år, värde, status):")
    for row in data.head(FIRST_ROWS).itertuples(index=False):
        value = "" if row.value != row.value else f"{row.value:g}".replace(".", ",")
        lines.append(f"  rad {row.source_row}: {row.area_code} ({row.area_name}), {row.indicator}, {row.year}, "
                     f"{value}, {row.status or '–'}")
    n_aside = result.set_aside_count()
    lines.append(f"lästa {result.rows_read}, användbara {len(data)}, undantagna {n_aside}"
                 f" ({'stämmer' if result.reconciles() else 'STÄMMER INTE'})")
    if len(result.quarantine):
        lines.append("skulle undantas:")
        lines += ["  " + x for x in set_aside_lines(result.quarantine)]
        if result.quarantine["reason"].astype(str).str.startswith("Tvetydigt områdesnamn").any():
            lines.append('Tips: ange nivån med --level eller "level" i läsanvisningen (stadsdel eller stadsdelsomrade).')
    return lines


def read_as_clean(path: Path, **options):
    """Read ``path`` exactly as `evalkit clean` and `evalkit validate` do – reader, duplicate keys,
    contract (:func:`evalkit.clean.read_input`) – so that inspect shows their counts and exit status."""
    from evalkit import clean

    return clean.read_input(path, clean.INDICATORS, **options)


def _read(path: Path, indicator: str | None, level: str | None, roles: dict):
    """``(result, "")`` for a file evalkit reads, ``(None, why)`` for one it cannot read."""
    try:
        return read_as_clean(path, indicator=indicator, level=level, **roles), ""
    except MissingIndicatorError:
        return None, "filen anger ingen indikator (ange --indicator NAMN eller \"indicator\" i läsanvisningen)"
    except ReaderError as exc:
        return None, str(exc)
    except Exception as exc:  # never a traceback as the only message (as validate)
        return None, f"{path.name}: kan inte läsas ({type(exc).__name__}: {exc})"


def _described(result, fmt: Format, given: dict, lines: list[str]) -> Inspection:
    """The inspection of a file evalkit reads: the reading, and the reading instruction that gives it."""
    catalogue = programme.indicator_catalogue().set_index("indicator")
    body = readable(result, fmt, catalogue, given.get("area_column"))
    code = 1 if result.set_aside_count() else 0
    # a transposed table is found by its shape, not at a header row
    header = ((result.header.get("top", result.header["row"]), result.header["cells"])
              if result.header and not result.header.get("transposed") else None)
    side = suggest_sidecar(fmt, header, given, roles=(result.header or {}).get("roles"))
    shown = {k: v for k, v in side.items() if k != "_comment"}
    body.append(f"läsanvisning som ger denna läsning (skrivs med --write-sidecar): "
                f"{json.dumps(shown, ensure_ascii=False)}")
    return Inspection(lines + body, code, side)


def _unreadable(path: Path, fmt: Format, given: dict, why: str, lines: list[str]) -> Inspection:
    """The inspection of a file evalkit cannot read: why, its first rows as evalkit saw them, the
    header it took and what it expected, and a reading instruction to start from."""
    rows = head_rows(path, fmt, given)
    lines.append(f"kan inte läsas: {why}")
    if rows:
        lines.append(f"de första {len(rows)} raderna som evalkit såg dem:")
        lines += [f"  rad {n}: {_cells(c)}" for n, c in rows]
    found = find_header([c for _n, c in rows])
    if found >= 0:
        lines.append(f"evalkit tog rad {rows[found][0]} för rubrikraden; så förstods kolumnerna:")
        lines += [f"  {h}: {role}" for h, role in column_roles(rows[found][1], given.get("area_column")) if h]
    elif rows:
        lines.append("evalkit hittade ingen rubrikrad bland de första raderna")
    lines.append(EXPECTED)
    side = suggest_sidecar(fmt, guess_header(rows), given, reason=why)
    lines.append(f"förslag till läsanvisning {path.name}{SIDECAR_SUFFIX} (skrivs med --write-sidecar):")
    lines.append(json.dumps(side, ensure_ascii=False, indent=1))
    return Inspection(lines, 2, side)


def inspect(path: str | Path, indicator: str | None = None, level: str | None = None, **roles) -> Inspection:
    """Read ``path`` as `evalkit clean` would (its sidecar included) and describe the reading.

    ``roles``: columns named by their heading (``value_column="Ohälsotal (dagar)"`` …), as the
    ``--value-column`` … flags give them; they override the sidecar's."""
    path = Path(path)
    options = {"indicator": indicator, "level": level, **{k: v for k, v in roles.items() if k in ROLE_OPTIONS}}
    lines = [f"{path.name}: så läser evalkit filen (inget skrivs)"]
    if not path.is_file():
        return Inspection(lines + [f"fel: {path}: filen finns inte"], 2)
    fmt = format_of(path)
    try:
        given = {**sidecar_options(path), **{k: v for k, v in options.items() if v is not None}}
    except ReaderError as exc:
        return Inspection(lines + [f"fel: {exc}"], 2)
    if path.with_name(path.name + SIDECAR_SUFFIX).is_file():
        lines.append(f"läsanvisning: {path.name}{SIDECAR_SUFFIX} används")
    given_roles = {k: v for k, v in options.items() if k in ROLE_OPTIONS and v is not None}
    if given_roles and not fmt.is_table:
        return Inspection(lines + [f"fel: {path.name}: {', '.join(given_roles)} gäller tabeller (CSV/TXT, Excel); "
                                   f"en {fmt.label}-fil anger sina dimensioner själv"], 2)
    result, why = _read(path, indicator, level, given_roles)
    if result is None:
        return _unreadable(path, fmt, given, why, lines)
    return _described(result, fmt, given, lines)


def write_sidecar(path: str | Path, sidecar: dict) -> Path | None:
    """Write ``sidecar`` beside ``path``; None (nothing written) when one is already there – a
    reading instruction the user has edited is never overwritten."""
    target = Path(path).with_name(Path(path).name + SIDECAR_SUFFIX)
    # O_CREAT | O_EXCL refuses any existing name – a file, a folder or a symbolic link, dangling
    # or not (``exists()`` is False for a dangling link, and writing would follow it outside).
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        return None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n")
    return target


#: Set-aside rows listed per group of identical reasons (`evalkit validate`, `effects`, `inspect`).
SET_ASIDE_ROWS = 3


def set_aside_lines(quarantine, first: int = SET_ASIDE_ROWS) -> list[str]:
    """One tab-separated line per set-aside row (file, row, column, value, reason); a reason that
    repeats is announced once with its count and only its first rows are listed, so that a file
    of 702 rows with one problem gives five lines, not 702."""
    shown = quarantine.sort_values(["row_number", "column"], kind="stable")
    lines = []
    for (column, reason), rows in shown.groupby(["column", "reason"], sort=False, dropna=False):
        if len(rows) > 1:
            lines.append(f"{len(rows)} rader undantas med samma skäl (kolumn {column}): {reason}")
        for row in rows.head(first).itertuples(index=False):
            lines.append(f"{row.source_file}\trad {row.row_number}\t{row.column}\t{row.value}\t{row.reason}")

        if len(rows) > first:
            lines.append(f"  … och {len(rows) - first} {'rad' if len(rows) - first == 1 else 'rader'} till med samma skäl")
    return lines
