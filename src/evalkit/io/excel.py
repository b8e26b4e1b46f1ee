"""Excel workbooks (.xlsx) as published: title rows above the table, years as columns, merged cells.

Read with openpyxl directly (pandas' ``read_excel`` loses merged cells and cannot tell a formula
from its value): the sheet is loaded twice, once for the cached values Excel saved and once for
the formulas. Then

* merged ranges are filled with their top-left value (a merged "År" over the year columns, an
  area name merged down over several rows);
* a cell with an Excel error (``#REF!``, ``#DIV/0!``, ``#N/A`` …) is set aside with the reason;
* a formula with a saved value uses that value (counted in the notes); a formula without a saved
  value (a file written by a program, never opened in Excel) is set aside – evalkit does not
  evaluate formulas;
* a number in a cell formatted as a percentage (``0.0%``) is stored as a fraction (0,123) but
  shown and meant as 12,3 %: it is multiplied by 100 (counted in the notes). A ``%`` in quotes
  (``0.0" %"``) is only text after a number that already is in percent, and changes nothing;
* the grid then goes through the same table logic as CSV (:mod:`evalkit.io.table`).

Option ``sheet`` (name or 0-based index) chooses the sheet; default: the first sheet with a
recognisable header. Hidden rows and columns are read (``hidden="read"``, the default) or their
values set aside (``hidden="skip"``); either way the notes say how many there were, never silently.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.io.core import ROLE_OPTIONS, ReaderError, ReadResult, records_to_result
from evalkit.io.raw import RawTable, grid_table
from evalkit.io.table import locate_header, table_to_records

EXCEL_ERRORS = {"#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


def is_percent_format(number_format: str | None) -> bool:
    """Whether an Excel number format scales the value by 100 (a ``%`` outside quotes/escapes)."""
    if not number_format or "%" not in number_format:
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)  # drop "literal text" and \x escapes
    return "%" in unquoted


def _grid(ws, ws_formula) -> tuple[list[list], list[list[str]], int, int]:
    """Cell values and per-cell reasons ("" when fine) with merged ranges filled; also the
    number of formulas and of percent-formatted numbers (converted to percent)."""
    values, reasons = [], []
    formulas = percents = 0
    for row, frow in zip(ws.iter_rows(), ws_formula.iter_rows()):
        vals, why = [], []
        for cell, fcell in zip(row, frow):
            v = cell.value
            f = fcell.value
            reason = ""
            if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
                reason = f"felvärde i Excel ({v.strip()})"
            elif isinstance(f, str) and f.startswith("="):
                formulas += 1
                if v is None:
                    reason = f"formel utan sparat värde ({f}); evalkit räknar inte ut formler"
                    v = f
            if isinstance(v, (int, float)) and not isinstance(v, bool) and is_percent_format(cell.number_format):
                v = round(v * 100, 10)  # round: 0.123 * 100 is 12.299999999999999 in binary
                percents += 1
            if isinstance(v, str) and v.strip() and cell.alignment is not None and cell.alignment.indent:
                # Excel's "Öka indrag": the level of a row in a hierarchical area column (io.table.area_hierarchy)
                v = "  " * int(cell.alignment.indent) + v.lstrip()
            vals.append(v)
            why.append(reason)
        values.append(vals)
        reasons.append(why)
    for rng in ws.merged_cells.ranges:
        top = values[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(values) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(values))):
            for c in range(rng.min_col - 1, min(rng.max_col, len(values[r]))):
                values[r][c] = top
    return values, reasons, formulas, percents


HIDDEN_CHOICES = ("read", "skip")


def hidden_cells(ws) -> tuple[set[int], set[int]]:
    """0-based indices of the hidden rows and columns of a sheet (as Excel's "Dölj" leaves them)."""
    from openpyxl.utils import column_index_from_string

    rows = {r - 1 for r, dim in ws.row_dimensions.items() if dim.hidden}
    cols = set()
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            first = dim.min or column_index_from_string(key)
            cols.update(range(first - 1, (dim.max or first)))
    return rows, cols


def _hide(reasons: list[list[str]], rows: set[int], cols: set[int]) -> None:
    """Mark the cells of hidden rows and columns so that their values are set aside (``hidden="skip"``)."""
    for r, row in enumerate(reasons):
        for c in range(len(row)):
            if (r in rows or c in cols) and not row[c]:
                row[c] = 'dold rad eller kolumn i Excel; hoppas över ("hidden": "skip")'


def _as_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def open_workbook(path: Path) -> tuple:
    """The workbook twice – cached values and formulas (to tell a formula without a cached value) –
    or ReaderError naming the file."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, data_only=True), openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReaderError(f"{path.name}: inte en läsbar .xlsx-arbetsbok ({type(exc).__name__}: {exc})") from None


def sheets_to_read(names: list[str], sheet: str | int | None, source: str) -> list[str]:
    """The sheet asked for – a name, or a 0-based number (also as text from the command line, unless
    a sheet has that name) – or every sheet in order; ReaderError for an unknown sheet."""
    if sheet is None:
        return list(names)
    as_number = isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names)
    name = names[int(sheet)] if as_number and int(sheet) < len(names) else sheet
    if name not in names:
        raise ReaderError(f"{source}: bladet {sheet!r} finns inte (finns: {', '.join(names)})")
    return [name]


def head_rows(path: Path, n: int = 15, sheet: str | int | None = None, **_options) -> list[tuple[int, list[str]]]:
    """The first ``n`` rows of a sheet as text, merged cells filled, as the reader sees them:
    ``[(row number, cells), …]`` (``evalkit inspect`` shows them for a sheet it cannot read)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return []
    names = wb.sheetnames
    name = names[sheet] if isinstance(sheet, int) and sheet < len(names) else (sheet or names[0])
    if name not in names:
        return []
    values, _reasons, _f, _p = _grid(wb[name], wb[name])
    return [(i + 1, [_as_text(v) for v in row]) for i, row in enumerate(values[:n])]


def _body(values: list[list], reasons: list[list[str]], header_row: int,
          width: int) -> tuple[pd.DataFrame, pd.DataFrame | None, np.ndarray]:
    """The rows under the header (0-based row ``header_row``): their cells – text, and numbers as
    ``repr`` (parsed later, exactly) –, the reasons already known per cell and each row's number."""
    body_vals = [row + [None] * (width - len(row)) for row in values[header_row + 1:]]
    body_why = [row + [""] * (width - len(row)) for row in reasons[header_row + 1:]]
    body = pd.DataFrame(body_vals, dtype=object) if body_vals else pd.DataFrame(columns=range(width), dtype=object)
    body = body.map(lambda v: "" if v is None else v)
    # area/dimension cells as text; number cells stay numbers (parsed later)
    body = body.map(lambda v: _as_text(v) if not isinstance(v, (int, float)) or isinstance(v, bool) else v)
    why = pd.DataFrame(body_why, dtype=str) if body_why else None
    lines = np.arange(header_row + 2, header_row + 2 + len(body))
    # the text of non-number cells (classification of notes) needs strings; numbers as repr
    text = body.map(lambda v: repr(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
    return text, why, lines


def _sheet_notes(above: int, percents: int, hidden_found: tuple[set, set], hidden: str, formulas: int) -> list[str]:
    """What the sheet had that is not data: title rows, percent formats, hidden rows and columns, formulas."""
    notes = []
    if above:
        notes.append(f"{above} {'rad' if above == 1 else 'rader'} ovanför rubriken (titel/noter) hoppades över")
    if percents:
        notes.append(f"{percents} talceller var formaterade som procent i Excel (sparade som bråk); "
                     "de är omräknade till procent (× 100)")
    hidden_rows, hidden_cols = hidden_found
    if hidden_rows or hidden_cols:
        what = f"{len(hidden_rows)} dolda rader och {len(hidden_cols)} dolda kolumner"
        notes.append(f"{what} i bladet; de " + ("lästes som synliga (\"hidden\": \"skip\" undantar dem)"
                                                if hidden == "read" else "undantogs (\"hidden\": \"skip\")"))
    if formulas:
        notes.append(f"{formulas} celler är formler; deras sparade värden används (formler utan sparat värde undantas)")
    return notes


def read(path: Path, indicator: str | None = None, sheet: str | int | None = None, header_row: int | None = None,
         hidden: str = "read", **options) -> ReadResult:
    """Read one sheet of an .xlsx workbook (see module docstring); ``header_row`` (1-based) says
    where the header is when evalkit does not find it itself."""
    source = path.name
    wb_values, wb_formulas = open_workbook(path)
    if hidden not in HIDDEN_CHOICES:
        raise ReaderError(f"{source}: hidden ska vara \"read\" (läs dolda rader och kolumner) eller \"skip\" "
                          f"(undanta dem), inte {hidden!r}")
    candidates = sheets_to_read(wb_values.sheetnames, sheet, source)
    for name in candidates:
        values, reasons, formulas, percents = _grid(wb_values[name], wb_formulas[name])
        text_rows = [[_as_text(v) for v in row] for row in values]
        found = locate_header(text_rows, None if header_row is None else int(header_row) - 1,
                              [options.get(k) for k in ROLE_OPTIONS])
        if found is not None:
            break
    else:
        raise ReaderError(f"{source}: kolumner saknas: hittar ingen rubrikrad (område och år eller årskolumner) "
                          f"på bladen {', '.join(candidates)}")
    hidden_rows, hidden_cols = hidden_cells(wb_values[name])
    if hidden == "skip":
        _hide(reasons, hidden_rows, hidden_cols)
    h, header, header_row, transposed = found.top, found.cells, found.last, found.transposed
    body_text, why, lines = _body(values, reasons, header_row, max(len(header), 1))
    above = pd.DataFrame({"row_number": np.arange(1, h + 1, dtype="int64"),
                          "text": [" ".join(c for c in r if c.strip()) for r in text_rows[:h]]})
    records, rows_read, note_lines, notes, learned = table_to_records(header, body_text, lines, source, indicator,
                                                                      reasons=why, titles=above["text"].tolist(),
                                                                      transposed=transposed, **options)
    roles = learned.pop("column_roles", {})
    note_lines = pd.concat([above, note_lines], ignore_index=True)
    notes.insert(0, f"Excel, bladet {name!r}, rubrik på rad {header_row + 1}")
    notes += _sheet_notes(len(above), percents, (hidden_rows, hidden_cols), hidden, formulas)
    result = records_to_result(records, source, rows_read=rows_read, notes=notes, note_lines=note_lines, **learned)
    result.header = {"row": header_row + 1, "cells": list(header), "transposed": transposed, "roles": roles,
                     "top": h + 1}  # the first row of a two-row header (header_row)
    return result


def looks_like(head: bytes) -> bool:
    """An .xlsx workbook is a zip archive, whatever its name."""
    return head.startswith(b"PK\x03\x04")


def read_raw(path: Path, wanted: list[str], sheet: str | int | None = None, **_options) -> RawTable:
    """The first sheet (or ``sheet``) with the user's columns as a raw table (``evalkit effects``)."""
    source = path.name
    wb_values, wb_formulas = open_workbook(path)
    candidates = sheets_to_read(wb_values.sheetnames, sheet, source)
    first_error = None
    for name in candidates:
        values, reasons, _formulas, _percents = _grid(wb_values[name], wb_formulas[name])
        values = [[_as_text(v) if not isinstance(v, (int, float)) or isinstance(v, bool) else v for v in r]
                  for r in values]
        try:
            table = grid_table(values, list(range(1, len(values) + 1)), source, wanted, reasons)
        except ReaderError as exc:
            first_error = first_error or exc
            continue
        table.notes.insert(0, f"Excel, bladet {name!r}")
        return table
    raise first_error
