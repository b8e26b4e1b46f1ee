"""Record files: delimited text with a header and one record per line (project register, school
results, surveys, and any new kind of input that has a schema).

Unlike the indicator readers (:mod:`evalkit.io.delimited` and friends), which turn a table into
tidy area × indicator × year rows, a record file keeps its own columns: each kind's reader
(:mod:`evalkit.io.projects`, :mod:`evalkit.io.schools`, :mod:`evalkit.io.surveys`) renames the
headers it knows, turns words into codes and numbers into numbers, and sets aside what it cannot
use (:class:`SetAside`). A kind without a reader of its own is read by :func:`read_by_schema`,
driven by its contract alone. `evalkit clean` then validates what was read against the kind's
contract (:mod:`evalkit.contracts`).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from evalkit import geography
from evalkit.geography import slugify
from evalkit.io.core import (
    ReaderError,
    ReadResult,
    decode_bytes,
    empty_quarantine,
    parse_numbers,
    quarantine_rows,
    readable_file,
    resolve_areas,
)
from evalkit.io.delimited import sniff_delimiter


def read_table(path: str | Path, aliases: dict[str, str], required: list[str]) -> tuple[pd.DataFrame, str]:
    """Read a delimited text file as strings, rename headers via ``aliases`` (keys are slugs).

    Rows are indexed by their line number in the file (header = line 1). Raises
    :class:`ReaderError` with a one-line message naming the file when it cannot be read.
    """
    path = readable_file(path)
    text, _encoding = decode_bytes(path.read_bytes(), path.name)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReaderError(f"{path.name}: kan inte tolkas som CSV ({str(exc).strip()})") from exc
    frame = frame.rename(columns=lambda c: aliases.get(slugify(str(c)), str(c).strip()))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ReaderError(f"{path.name}: kolumner saknas: {', '.join(missing)}")
    frame = frame.apply(lambda s: s.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame, path.name


class SetAside:
    """Collects quarantine rows for one file and tracks which rows are still usable.

    Each record is set aside at most once (its first problem), so rows read = rows kept + rows
    set aside holds by construction.
    """

    def __init__(self, frame: pd.DataFrame, source: str):
        self.frame = frame
        self.source = source
        self.usable = pd.Series(True, index=frame.index)
        self.parts = [empty_quarantine()]

    def __call__(self, mask: pd.Series, column: str, reasons, values=None) -> None:
        mask = mask.reindex(self.frame.index, fill_value=False).astype(bool) & self.usable
        if not mask.any():
            return
        reason_values = reasons[mask] if isinstance(reasons, pd.Series) else reasons
        if values is None:
            values = self.frame.loc[mask, column] if column in self.frame.columns else ""
        elif isinstance(values, pd.Series):
            values = values[mask]
        self.parts.append(quarantine_rows(self.source, self.frame.index[mask], column, values, reason_values))
        self.usable.loc[mask] = False

    def quarantine(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def provenance(data: pd.DataFrame, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Add the file and line each record came from (``source_file``, ``source_row``)."""
    return data.assign(source_file=source, source_row=frame.index.astype("int64"))


# --------------------------------------------------------------------------- a kind from its schema

#: Column name of a schema -> the header slugs that mean it (besides the name itself).
AREA_HEADERS = ("omrade", "stadsdel", "area", "omradesnamn")


def _headers(schema: pa.DataFrameSchema) -> dict[str, str]:
    """Header slug -> schema column: the column's name, its title and ``metadata["headers"]``."""
    aliases = {}
    for name, column in schema.columns.items():
        words = [name, column.title or "", *((column.metadata or {}).get("headers", []))]
        aliases.update({slugify(w): name for w in words if w})
        if name == "area_code":
            aliases.update({h: name for h in AREA_HEADERS})
    return aliases


def _is_numeric(column: pa.Column) -> bool:
    dtype = str(column.dtype).lower()
    return any(t in dtype for t in ("int", "float")) or dtype.startswith("uint")


def read_by_schema(path: str | Path, schema: pa.DataFrameSchema) -> ReadResult:
    """Read a record file for a kind that has a contract but no reader of its own.

    Headers are matched to the schema's columns by name, title or ``metadata={"headers": [...]}``
    (compared as slugs, so "Område" finds ``omrade``); every column of the schema must be there
    but ``status``, ``source``, ``area_name`` and ``area_level``. Number columns are read the
    Swedish way (:func:`evalkit.io.core.parse_numbers`): a symbol (``..``, ``x`` …) leaves NaN and,
    when the schema has a ``status`` column, the symbol goes there; text in a number column sets
    the record aside. An ``area_code`` column may hold names as people write them: they are
    resolved through the geography registry (``area_name`` and ``area_level`` are added when the
    schema has them). The contract itself is applied by `evalkit clean`.
    """
    optional = {"status", "source", "area_name", "area_level"}
    required = [c for c in schema.columns if c not in optional]
    frame, source = read_table(path, _headers(schema), required)
    check = SetAside(frame, source)
    data = pd.DataFrame(index=frame.index)
    status = frame["status"] if "status" in frame.columns else pd.Series("", index=frame.index, dtype="str")
    for name, column in schema.columns.items():
        if name in optional:
            continue
        cells = frame[name]
        if name == "area_code":
            codes, errors = resolve_areas(cells, None)
            check(codes == "", name, errors)
            data[name] = codes
        elif _is_numeric(column):
            values, symbols, bad = parse_numbers(cells)
            check(bad, name, "text i en talkolumn")
            data[name] = values
            status = status.where(status != "", symbols)
        else:
            data[name] = cells
    if "status" in schema.columns:
        data["status"] = status.astype(str)
    if "source" in schema.columns:
        data["source"] = frame["source"].where(frame["source"] != "", source) if "source" in frame else source
    if "area_name" in schema.columns:
        data["area_name"] = data["area_code"].map(lambda c: geography.area_name(c) if c else "")
    if "area_level" in schema.columns:
        data["area_level"] = data["area_code"].map(lambda c: geography.area_level(c) if c else "")
    data = provenance(data, frame, source)[check.usable]
    return ReadResult(data.reset_index(drop=True), check.quarantine(), len(frame), source)

