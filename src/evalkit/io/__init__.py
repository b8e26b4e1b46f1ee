"""Readers: files as published -> tidy indicator rows plus set-aside (quarantined) rows.

``read_indicators(path)`` returns the tidy rows; ``read_with_quarantine(path)`` also returns
the rows that could not be used, each with file, row, column and reason.
"""

from evalkit.io.core import MissingIndicatorError, ReadResult, ReaderError, read_indicators, read_with_quarantine

__all__ = ["MissingIndicatorError", "ReadResult", "ReaderError", "read_indicators", "read_with_quarantine"]
