"""Raw tables: a file's table as the file has it, columns named as in the file (``evalkit effects``).

The indicator readers turn a file into tidy indicator rows; a researcher's panel
(``stadsdel;ar;antal_brott;befolkning``) names no indicator, so each format module also reads its
files as a :class:`RawTable` (``read_raw``, listed in :mod:`evalkit.io.formats`) and
:mod:`evalkit.io.panel` maps its columns by the names the user gives. The grid formats (CSV,
Excel) share :func:`grid_table`, the cubes (PC-Axis, JSON-stat) :func:`cube`; both reuse the
table rules of :mod:`evalkit.io.table` (header, notes and footnotes).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.io.core import ReaderError
from evalkit.io.table import classify_rows, merge_two_row_header, year_of_header

#: Rows looked at for a header.
HEAD_LINES = 200


@dataclass
class RawTable:
    """A table as the file has it: ``frame`` (columns named as in the file, cells as read),
    the file row of each frame row, and, for cubes, the column holding the cell values."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    notes: list[str] = field(default_factory=list)
    cube_value: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    #: per-cell reasons ("" when fine), same shape as ``frame`` (Excel errors, formulas without value)
    reasons: pd.DataFrame | None = None


def fold(name) -> str:
    """A column name as the user may type it: case and surrounding spaces do not matter."""
    return str(name).strip().casefold()


def header_index(rows: list[list[str]], wanted: list[str]) -> int:
    """First row naming every wanted column, or naming the first one and ≥ 1 year column."""
    want = [fold(w) for w in wanted if w]
    for i, row in enumerate(rows):
        cells = {fold(c) for c in row if str(c).strip()}
        if want and all(w in cells for w in want):
            return i
        if want and want[0] in cells and any(year_of_header(c) for c in row if str(c).strip()):
            return i
    return -1


def _no_header(source: str, wanted: list[str], rows: list[list]) -> ReaderError:
    first = next((r for r in rows if any(str(c).strip() for c in r)), [])
    shown = ", ".join(str(c).strip() for c in first if str(c).strip())[:120]
    return ReaderError(f"{source}: hittar ingen rubrikrad med kolumnerna {', '.join(repr(w) for w in wanted)} "
                       f"bland de första {min(len(rows), HEAD_LINES)} raderna (första raden: {shown})")


def _padded(rows: list[list], width: int) -> pd.DataFrame:
    """Rows cut or padded to ``width`` cells, as a frame with positional columns."""
    return pd.DataFrame([list(r[:width]) + [""] * (width - len(r[:width])) for r in rows], columns=range(width),
                        dtype=object)


def grid_table(rows: list[list], numbers: list[int], source: str, wanted: list[str],
               reasons: list[list[str]] | None = None) -> RawTable:
    """Header + body of a grid (CSV lines or an Excel sheet) as a :class:`RawTable`."""
    h = header_index([[str(c) for c in r] for r in rows[:HEAD_LINES]], wanted)
    if h < 0:
        raise _no_header(source, wanted, rows)
    header = [str(c).strip() if c is not None else "" for c in rows[h]]
    start = h + 1
    if start < len(rows):
        merged = merge_two_row_header(header, [str(c) if c is not None else "" for c in rows[start]])
        if merged is not None:
            header, start = merged, start + 1
    width = len(header)
    body_rows = rows[start:]
    extra = np.array([any(str(c).strip() for c in r[width:]) for r in body_rows], dtype=bool)
    body = _padded(body_rows, width)
    lines = np.asarray(numbers[start:], dtype="int64")
    why = None if reasons is None else _padded(reasons[start:], width)
    text = body.map(lambda v: "" if v is None else (repr(float(v)) if isinstance(v, (int, float)) else str(v)))
    note, blank = classify_rows(text) if len(body) else (np.zeros(0, bool), np.zeros(0, bool))
    keep = ~(note | blank)
    notes = [f"rubrik på rad {numbers[start - 1]}"]
    if (note | blank).any():
        skipped = int((note | blank).sum())
        notes.append(f"{skipped} {'rad' if skipped == 1 else 'rader'} utanför tabellen (noter, fotnoter, tomma) "
                     "hoppades över")
    frame = body[keep].reset_index(drop=True)
    frame.columns = [c if c else f"kolumn {i + 1}" for i, c in enumerate(header)]
    if why is not None:
        why = why[keep].reset_index(drop=True)
        why.columns = frame.columns
    if extra[keep].any():
        why = why if why is not None else pd.DataFrame("", index=frame.index, columns=frame.columns)
        # a row with more cells than the header: its cells may be shifted, none of them is trusted
        why.loc[extra[keep], :] = "raden har fler celler än rubrikraden"
    return RawTable(frame, lines[keep], source, notes, reasons=why)


def cube(source: str, dims: dict[str, list[str]], ids: list[str], cells: list, aliases: dict[str, str],
         notes: list[str], rows: np.ndarray) -> RawTable:
    """A dense cube (row-major over ``ids``) as a long table with one column per variable + ``värde``."""
    combos = list(itertools.product(*[dims[d] for d in ids]))
    frame = pd.DataFrame(combos, columns=ids, dtype=object)
    frame["värde"] = pd.Series(cells, dtype=object)
    return RawTable(frame, rows, source, notes, cube_value="värde", aliases=aliases)
