"""The format registry: every file format evalkit reads, in one table, and the one dispatch on it.

Kedro's DataCatalog is the model: ``sources.csv`` is the catalogue (which file, which kind) and a
:class:`Format` the dataset type that knows how to load a file – by its name (suffix) or its
first bytes, with the options it takes. Each format module (:mod:`~evalkit.io.delimited`,
:mod:`~evalkit.io.excel`, :mod:`~evalkit.io.pcaxis`, :mod:`~evalkit.io.jsonstat`) gives the
registry its readers:

* ``read`` – tidy indicator rows and the rows set aside (`evalkit clean`, `validate`, `inspect`:
  :func:`read_with_quarantine`);
* ``read_raw`` – the table as the file has it, columns named as in the file (`evalkit effects`:
  :func:`evalkit.io.panel.read_panel`);
* ``head_rows`` – the first rows as the reader splits them (tables only; `evalkit inspect` shows
  them for a file it cannot read).

So `clean`, `effects` and `inspect` pick the reader in one place (:func:`format_of`), and what
`inspect` shows is what `clean` does. The modules are imported here statically, so the import
closure of :mod:`evalkit.clean` holds every reader (its stamp needs no list of them).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import evalkit.io.delimited as delimited
import evalkit.io.excel as excel
import evalkit.io.jsonstat as jsonstat
import evalkit.io.pcaxis as pcaxis
from evalkit.io.core import ROLE_OPTIONS, SIDECAR_SUFFIX, ReaderError, ReadResult, readable_file, sidecar_options
from evalkit.io.raw import RawTable

#: Options every format takes (from a sidecar or a caller): those every reader hands on to
#: :func:`evalkit.io.core.records_to_result` and to the table or dimension handling.
COMMON_OPTIONS = ("indicator", "level", "era", "years", "value_unit", "area_codes", "area_type", "source_label",
                  "dimension_map", "select")


@dataclass(frozen=True)
class Format:
    """One file format: its name, how a file is recognised, the options it takes and its readers."""

    name: str
    #: As the user knows it, in messages ("CSV/TXT", "Excel").
    label: str
    suffixes: tuple[str, ...]
    #: The format's own options (its ``read`` signature), besides :data:`COMMON_OPTIONS`.
    options: tuple[str, ...]
    read: Callable[..., ReadResult]
    read_raw: Callable[..., RawTable]
    #: First rows as split, for a table format; None for a cube (PC-Axis, JSON-stat).
    head_rows: Callable[..., list] | None = None
    #: Whether a file's first bytes are this format (looked at when the suffix says nothing).
    looks_like: Callable[[bytes], bool] | None = None

    @property
    def is_table(self) -> bool:
        """A grid of rows and columns (CSV, Excel), whose header and roles are found in the file."""
        return self.head_rows is not None

    @property
    def allowed_options(self) -> frozenset[str]:
        """The option names this format takes from a sidecar (and a caller)."""
        return frozenset(COMMON_OPTIONS + self.options)


DELIMITED = Format("delimited", "CSV/TXT", (".csv", ".txt", ".tsv", ".tab"),
                   ("encoding", "delimiter", "header_row", "tables", *ROLE_OPTIONS),
                   delimited.read, delimited.read_raw, head_rows=delimited.head_rows)
EXCEL = Format("excel", "Excel", (".xlsx", ".xlsm"), ("sheet", "header_row", "hidden", "tables", *ROLE_OPTIONS),
               excel.read, excel.read_raw, head_rows=excel.head_rows, looks_like=excel.looks_like)
PCAXIS = Format("pcaxis", "PC-Axis", (".px",), ("encoding", "area_dimension", "time_dimension"),
                pcaxis.read, pcaxis.read_raw, looks_like=pcaxis.looks_like)
JSONSTAT = Format("jsonstat", "JSON-stat", (".json", ".jsonstat"),
                  ("encoding", "area_dimension", "time_dimension", "area_labels"),
                  jsonstat.read, jsonstat.read_raw, looks_like=jsonstat.looks_like)
#: Every format by name; by content they are tried in this order, and a file that looks like
#: none of them is read as delimited text.
FORMATS: dict[str, Format] = {f.name: f for f in (EXCEL, JSONSTAT, PCAXIS, DELIMITED)}
_BY_SUFFIX = {suffix: f for f in FORMATS.values() for suffix in f.suffixes}


def format_of(path: Path) -> Format:
    """The format of a file: by its suffix, else by its first bytes, else delimited text."""
    by_name = _BY_SUFFIX.get(path.suffix.lower())
    if by_name is not None:
        return by_name
    head = path.read_bytes()[:4096]
    return next((f for f in FORMATS.values() if f.looks_like and f.looks_like(head)), DELIMITED)


def check_sidecar_options(options: dict, path: Path, fmt: Format) -> None:
    """Raise ``ReaderError`` naming every key of the sidecar that ``fmt`` does not take.

    A misspelt key ("levle") would otherwise be dropped without a word and the file read as if
    the instruction were not there.
    """
    unknown = [k for k in options if k not in fmt.allowed_options]
    if unknown:
        keys = ", ".join(repr(k) for k in unknown)
        raise ReaderError(f"{path.name}{SIDECAR_SUFFIX}: okänd inställning {keys} i läsanvisningen; tillåtna för "
                          f"{fmt.label}-filer: {', '.join(sorted(fmt.allowed_options))}")


#: Errors of a file that a reader did not foresee: one line naming the file, never a traceback.
_UNFORESEEN = (UnicodeError, ValueError, KeyError, IndexError, TypeError, OSError, csv.Error, zipfile.BadZipFile)


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn what a reader did not foresee into a :class:`ReaderError` naming the file."""
    try:
        yield
    except ReaderError:
        raise
    except Exception as exc:
        # imported here: openpyxl takes a third of a second, and most files are no workbooks
        from openpyxl.utils.exceptions import InvalidFileException

        if not isinstance(exc, (*_UNFORESEEN, InvalidFileException)):
            raise
        raise ReaderError(f"{path.name}: kan inte läsas ({type(exc).__name__}: {exc})") from exc


def read_with_quarantine(path: str | Path, indicator: str | None = None, **options) -> ReadResult:
    """Read one file into tidy rows and quarantine, choosing the reader by file shape.

    Options given here override those in the file's sidecar (``<file>.evalkit.json``). A sidecar
    key the format does not take is a ``ReaderError`` naming the key and the file; an unknown
    option given here is a ``TypeError``.
    """
    path = readable_file(path)
    fmt = format_of(path)
    merged = sidecar_options(path)
    check_sidecar_options(merged, path, fmt)
    # options from code: a wrong name is a programming error, not a property of the file
    unknown = set(options) - fmt.allowed_options - {"catalogue"}
    if unknown:
        raise TypeError(f"read_with_quarantine: okända val för {fmt.label}: {', '.join(sorted(unknown))}")
    merged.update({k: v for k, v in options.items() if v is not None})
    if indicator is None:
        indicator = merged.pop("indicator", None)
    else:
        merged.pop("indicator", None)
    with reading(path):
        return fmt.read(path, indicator=indicator, **merged)


def read_indicators(path: str | Path, indicator: str | None = None, **options) -> pd.DataFrame:
    """Read one file into the tidy schema; set-aside rows are available via ``read_with_quarantine``."""
    return read_with_quarantine(path, indicator=indicator, **options).data


def read_raw(path: str | Path, wanted: list[str], sheet: str | int | None = None, encoding: str | None = None,
             delimiter: str | None = None) -> RawTable:
    """Read a file as a raw table (:class:`~evalkit.io.raw.RawTable`); ``wanted`` are the column names
    the user gave (the first is the area column), used to find the header row under title lines."""
    path = readable_file(path)
    with reading(path):
        return format_of(path).read_raw(path, wanted, sheet=sheet, encoding=encoding, delimiter=delimiter)
