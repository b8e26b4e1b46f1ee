"""Readers: files as published -> tidy indicator rows plus set-aside (quarantined) rows.

``read_indicators(path)`` returns the tidy rows; ``read_with_quarantine(path)`` also returns
the rows that could not be used, each with file, row, column and reason. Both pick the reader in
the format registry (:mod:`evalkit.io.formats`), as `evalkit effects` and `evalkit inspect` do.

Inputs that are not indicators are record files: :mod:`evalkit.io.records` reads them, and one
module per kind (:mod:`~evalkit.io.projects`, :mod:`~evalkit.io.schools`,
:mod:`~evalkit.io.surveys`) turns their words into codes. `evalkit clean` picks the reader by the
``kind`` of each row of ``sources.csv`` (:data:`evalkit.clean.KINDS`).
"""

from evalkit.io.core import MissingIndicatorError, ReaderError, ReadResult
from evalkit.io.formats import read_indicators, read_with_quarantine

__all__ = ["MissingIndicatorError", "ReadResult", "ReaderError", "read_indicators", "read_with_quarantine"]
