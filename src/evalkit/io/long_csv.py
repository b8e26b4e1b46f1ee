"""Long ("tidy-ish") CSV/TXT tables: one row per area × indicator × year.

Kept for compatibility: reading is done by :mod:`evalkit.io.delimited`, which handles long and
wide tables alike. ``decode`` and ``sniff_delimiter`` remain for other readers that use them.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.io import delimited
from evalkit.io.core import ReadResult, decode_bytes
from evalkit.io.table import HEADER_ALIASES  # noqa: F401  (re-exported)

REQUIRED = ["area", "year", "value"]
ENCODINGS = ("utf-8-sig", "cp1252")


def decode(path: Path) -> tuple[str, str]:
    """Return the file's text and the encoding used (UTF-8 with/without BOM, UTF-16, else Windows-1252)."""
    return decode_bytes(Path(path).read_bytes(), Path(path).name)


def sniff_delimiter(text: str) -> str:
    """Pick `;`, `,` or tab."""
    return delimited.sniff_delimiter(text)


def read(path: Path, indicator: str | None = None, level: str | None = None, **options) -> ReadResult:
    """Read a long CSV into tidy rows and set-aside rows with reasons (see :mod:`evalkit.io.delimited`)."""
    return delimited.read(Path(path), indicator=indicator, level=level, **options)
