"""Shared reader machinery: the result type, number parsing, area resolution, quarantine rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography

QUARANTINE_COLUMNS = ["source_file", "row_number", "column", "value", "reason"]

# Official-statistics symbols that stand in a number cell instead of a value.
STATUS_IN_CELL = {"..": "..", "…": "..", "–": "–", "-": "–", "—": "–", ".": ".", "x": "x", "X": "x"}


class ReaderError(Exception):
    """A file that cannot be read at all; the message names the file and what is wrong."""


@dataclass
class ReadResult:
    """What a reader returns: usable tidy rows, set-aside rows, and how many rows it read."""

    data: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    source_file: str
    notes: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        """True when every row read is either kept or set aside (in = kept + set aside)."""
        return self.rows_read == len(self.data) + self.quarantine["row_number"].nunique()


def empty_quarantine() -> pd.DataFrame:
    """An empty quarantine table with the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row_number" else "str") for c in QUARANTINE_COLUMNS})


def quarantine_rows(source: str, row_numbers, column: str, values, reasons) -> pd.DataFrame:
    """Build quarantine rows (one per offending row) in the standard shape."""
    row_numbers = list(row_numbers)
    n = len(row_numbers)
    values = list(values) if not isinstance(values, str) else [values] * n
    reasons = list(reasons) if not isinstance(reasons, str) else [reasons] * n
    return pd.DataFrame(
        {
            "source_file": [source] * n,
            "row_number": pd.Series(row_numbers, dtype="int64"),
            "column": [column] * n,
            "value": [str(v) for v in values],
            "reason": reasons,
        }
    )


_NUMBER_CLEAN = re.compile(r"[\s\u00a0\u202f]")


def parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse number cells written the Swedish or English way.

    Returns ``(values, status, bad)``: floats (NaN where no value), the status symbol for cells
    holding one (``..``, ``–`` …) and a boolean mask of cells that are neither a number nor a
    known symbol nor empty — those rows must be set aside, never coerced.
    """
    text = cells.fillna("").astype(str).str.strip()
    status = text.map(lambda t: STATUS_IN_CELL.get(t, "")).astype(str)
    cleaned = text.str.replace(_NUMBER_CLEAN, "", regex=True).str.replace("\u2212", "-", regex=False)
    # A comma is a decimal separator unless the cell also has a dot (then it is thousands).
    has_dot = cleaned.str.contains(".", regex=False)
    cleaned = cleaned.where(has_dot, cleaned.str.replace(",", ".", regex=False))
    cleaned = cleaned.where(~has_dot, cleaned.str.replace(",", "", regex=False))
    values = pd.to_numeric(cleaned.where((status == "") & (cleaned != ""), None), errors="coerce")
    bad = values.isna() & (status == "") & (text != "")
    return values.astype("float64"), status, bad


def resolve_areas(names: pd.Series, levels: pd.Series | str | None) -> tuple[pd.Series, pd.Series]:
    """Resolve area names to canonical codes, once per distinct (name, level).

    Returns ``(codes, errors)``: codes (empty string where unresolved) and the reason text.
    """
    if levels is None or isinstance(levels, str):
        levels = pd.Series([levels] * len(names), index=names.index, dtype="object")
    cache: dict[tuple[str, str | None], tuple[str, str]] = {}
    codes, errors = [], []
    for name, level in zip(names.astype(str), levels):
        key = (name, level if isinstance(level, str) and level else None)
        if key not in cache:
            try:
                cache[key] = (geography.resolve(key[0], level=key[1]), "")
            except geography.AreaNameError as exc:
                cache[key] = ("", str(exc))
        codes.append(cache[key][0])
        errors.append(cache[key][1])
    return pd.Series(codes, index=names.index, dtype="str"), pd.Series(errors, index=names.index, dtype="str")


def read_with_quarantine(path: str | Path, indicator: str | None = None, **options) -> ReadResult:
    """Read one file into tidy rows and quarantine, choosing the reader by file shape."""
    from evalkit.io import long_csv

    path = Path(path)
    if not path.exists():
        raise ReaderError(f"{path}: filen finns inte")
    return long_csv.read(path, indicator=indicator, **options)


def read_indicators(path: str | Path, indicator: str | None = None, **options) -> pd.DataFrame:
    """Read one file into the tidy schema; set-aside rows are available via ``read_with_quarantine``."""
    return read_with_quarantine(path, indicator=indicator, **options).data


def finite_or_nan(values: pd.Series) -> pd.Series:
    """Replace infinities with NaN (they are never a published value)."""
    return values.replace([np.inf, -np.inf], np.nan)
