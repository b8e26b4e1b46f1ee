"""CSV/TXT tables, long or wide, as published: `;` `,` or tab; UTF-8 (BOM or not), UTF-16, Windows-1252.

Also reads SCB statistical-database CSV exports as they come (UTF-8 BOM, every cell quoted,
``\\r\\r\\n`` line ends, "Stockholm (Akalla)" RegSO names, dimension columns, "Antal 2020").
The body is parsed by pandas' C parser (fast enough for a DeSO table of all Sweden); only the
first lines are looked at with :mod:`csv` to find the delimiter and the header.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.io.core import ROLE_OPTIONS, ReaderError, ReadResult, decode_bytes, records_to_result
from evalkit.io.raw import RawTable, grid_table
from evalkit.io.table import locate_header, other_delimiter_rows, table_to_records

DELIMITERS = (";", "\t", ",")
HEAD_LINES = 200


def _rows(lines: list[str], delimiter: str) -> list[list[str]]:
    return list(csv.reader(lines, delimiter=delimiter))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (≥ 2) of cells."""
    head = text.split("\n", HEAD_LINES)[:HEAD_LINES]
    best, best_score = ",", -1
    for d in DELIMITERS:
        widths = [len(r) for r in _rows(head, d) if len(r) > 1]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = count * 1000 + width
        if score > best_score:
            best, best_score = d, score
    return best


def _check_quotes(text: str, header_line: int, n_rows: int, source: str, delimiter: str) -> None:
    """Raise ``ReaderError`` when a quoted cell spans lines or never closes (a truncated or broken file).

    Such a cell would swallow the lines after it: those rows would vanish from the count instead
    of being read or set aside. Cheap check first (parsed rows vs physical lines, the last line);
    the line-by-line scan only runs to name the line.
    """
    physical = text.split("\n")
    if physical and physical[-1] == "":
        physical.pop()
    last = physical[-1] if len(physical) > header_line else ""
    try:
        list(csv.reader([last], delimiter=delimiter, strict=True))
        last_ok = True
    except csv.Error:
        last_ok = False
    if n_rows == len(physical) - header_line and last_ok:
        return
    reader = csv.reader(physical[header_line:], delimiter=delimiter)
    previous, line = 0, len(physical)  # default: the last line never closes its quote
    for _row in reader:
        if reader.line_num - previous > 1:
            line = header_line + previous + 1
            break
        previous = reader.line_num
    raise ReaderError(f"{source}: rad {line}: citattecken utan avslut – cellen fortsätter över radslut "
                      "(trunkerad eller trasig fil?)")


def head_rows(path: Path, n: int = 15, encoding: str | None = None, delimiter: str | None = None,
              **_options) -> list[tuple[int, list[str]]]:
    """The first ``n`` rows as the reader splits them: ``[(line number, cells), …]``
    (``evalkit inspect`` shows them for a file it cannot read)."""
    try:
        text, _used = decode_bytes(path.read_bytes(), path.name, encoding)
    except ReaderError:
        return []
    reader = csv.reader(text.split("\n", HEAD_LINES)[:HEAD_LINES], delimiter=delimiter or sniff_delimiter(text))
    rows = []
    for row in reader:
        rows.append((reader.line_num, row))
        if len(rows) == n:
            break
    while rows and not any(c.strip() for c in rows[-1][1]):  # the end of the file, not a row
        rows.pop()
    return rows


def _body(text: str, delimiter: str, header_line: int, width: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows under the header (line ``header_line``) as strings, and the file line of each.

    pandas' C parser reads them (fast enough for a DeSO table of all Sweden); rows with more
    cells than the header are parsed line by line instead, keeping the extra cells' text."""
    try:
        body = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=list(range(width)),
                           skiprows=header_line, dtype=str, keep_default_na=False, skip_blank_lines=False,
                           engine="c", quotechar='"')
        if not isinstance(body.index, pd.RangeIndex):
            # the first data row has more cells than the header: pandas would silently take the
            # extra leading cells as an index and shift every row; read line by line instead
            raise pd.errors.ParserError("implicit index")
        return body, np.arange(header_line + 1, header_line + 1 + len(body))
    except pd.errors.ParserError:
        rows, numbers = [], []
        r = csv.reader(text.split("\n"), delimiter=delimiter)
        for row in r:
            if r.line_num > header_line:
                rows.append(row)
                numbers.append(r.line_num)
        # the last "line" after a final newline is empty
        while rows and not rows[-1]:
            rows.pop()
            numbers.pop()
        wide = max(len(x) for x in rows) if rows else width
        return pd.DataFrame([x + [""] * (wide - len(x)) for x in rows], dtype=str), np.asarray(numbers, dtype="int64")


def _mark_rows(records: pd.DataFrame, lines: np.ndarray, extra: pd.Series | None, wrong_delimiter: np.ndarray,
               delimiter: str) -> None:
    """Set aside (``reason``) the records of rows with more cells than the header, and of rows
    written with another delimiter."""
    if extra is not None and extra.any():
        bad_lines = set(lines[extra.to_numpy()])
        hit = records["row_number"].isin(bad_lines) & (records["reason"] == "")
        records.loc[hit, "reason"] = "raden har fler celler än rubrikraden"
        records.loc[hit, "reason_column"] = "rad"
    if wrong_delimiter.any():
        bad_lines = set(lines[wrong_delimiter])
        hit = records["row_number"].isin(bad_lines)
        records.loc[hit, "reason"] = f"raden har en annan avgränsare än rubrikraden ({delimiter!r})"
        records.loc[hit, "reason_column"] = "rad"


def read(path: Path, indicator: str | None = None, encoding: str | None = None, delimiter: str | None = None,
         header_row: int | None = None, **options) -> ReadResult:
    """Read a delimited text table (see :mod:`evalkit.io.table` for shapes, notes and options);
    ``header_row`` (the header's 1-based line) when evalkit does not find it itself."""
    source = path.name
    text, used = decode_bytes(path.read_bytes(), source, encoding)
    delimiter = delimiter or sniff_delimiter(text)
    head_lines = text.split("\n", HEAD_LINES)[:HEAD_LINES]
    reader = csv.reader(head_lines, delimiter=delimiter)
    head_rows, head_line_no = [], []
    for row in reader:
        head_rows.append(row)
        head_line_no.append(reader.line_num)
    at = None if header_row is None else next((i for i, n in enumerate(head_line_no) if n == int(header_row)), -1)
    found = locate_header(head_rows, at, [options.get(k) for k in ROLE_OPTIONS])
    if found is None:
        raise ReaderError(f"{source}: kolumner saknas: hittar ingen rubrikrad (område och år eller årskolumner) "
                          f"bland de första {len(head_rows)} raderna")
    h, header, header_line, transposed = found.top, found.cells, head_line_no[found.last], found.transposed
    above = pd.DataFrame({"row_number": np.array(head_line_no[:h], dtype="int64"),
                          "text": [" ".join(c.strip() for c in r if c.strip()) for r in head_rows[:h]]})
    width = len(header)
    body, lines = _body(text, delimiter, header_line, width)
    _check_quotes(text, header_line, len(body), source, delimiter)
    extra = None
    if body.shape[1] > width:
        extra_text = body.iloc[:, width:].fillna("").astype(str).agg("".join, axis=1).str.strip()
        extra = extra_text != ""
    body = body.fillna("")
    wrong_delimiter = other_delimiter_rows(body)
    records, rows_read, note_lines, notes, learned = table_to_records(header, body, lines, source, indicator,
                                                                      titles=above["text"].tolist(),
                                                                      transposed=transposed, **options)
    _mark_rows(records, lines, extra, wrong_delimiter, delimiter)
    roles = learned.pop("column_roles", {})
    note_lines = pd.concat([above, note_lines], ignore_index=True)
    if len(above):
        notes.append(f"{len(above)} {'rad' if len(above) == 1 else 'rader'} ovanför rubriken (titel/noter) hoppades över")
    notes.insert(0, f"teckenkodning {used}, avgränsare {delimiter!r}")
    result = records_to_result(records, source, rows_read=rows_read, notes=notes, note_lines=note_lines, **learned)
    result.header = {"row": int(header_line), "cells": list(header), "transposed": transposed, "roles": roles,
                     "top": int(head_line_no[h])}  # the first line of a two-row header (header_row)
    return result


def read_raw(path: Path, wanted: list[str], encoding: str | None = None, delimiter: str | None = None,
             **_options) -> RawTable:
    """The file as a raw table (``evalkit effects``); ``wanted``: the column names the user gave."""
    source = path.name
    text, used = decode_bytes(path.read_bytes(), source, encoding)
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(text.split("\n"), delimiter=delimiter)
    rows, numbers, previous = [], [], 0
    for row in reader:
        if reader.line_num - previous > 1:
            # a quoted cell ran over the line end: the lines after it would vanish from the count
            raise ReaderError(f"{source}: rad {previous + 1}: citattecken utan avslut – cellen fortsätter över "
                              "radslut (trunkerad eller trasig fil?)")
        previous = reader.line_num
        rows.append(row)
        numbers.append(reader.line_num)
    while rows and not rows[-1]:
        rows.pop()
        numbers.pop()
    table = grid_table(rows, numbers, source, wanted)
    table.notes.insert(0, f"teckenkodning {used}, avgränsare {delimiter!r}")
    return table
