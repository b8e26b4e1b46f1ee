"""Load what `evalkit clean` wrote to data/processed (the notebooks' only data access)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from evalkit.paths import processed_dir

SYNTHETIC_MARK = "demodata"


class ProcessedDataMissing(FileNotFoundError):
    """The processed tables are missing: run `evalkit clean` first."""


def _require(path: Path) -> Path:
    if not path.exists():
        raise ProcessedDataMissing(f"{path} saknas – kör `evalkit clean` (eller `make report`) först")
    return path


@lru_cache(maxsize=4)
def _load_tidy(path: str, mtime_ns: int) -> pd.DataFrame:
    return pd.read_parquet(path)


def tidy(path: Path | None = None) -> pd.DataFrame:
    """The tidy indicator table (one row per area × indicator × year)."""
    path = _require(path or processed_dir() / "indicators.parquet")
    # Keyed on mtime so a rebuilt table is re-read by a long-lived process.
    return _load_tidy(str(path), path.stat().st_mtime_ns).copy()


def clean_report(path: Path | None = None) -> dict:
    """The clean step's report: per-source counts and input file hashes."""
    path = _require(path or processed_dir() / "clean_report.json")
    return json.loads(path.read_text(encoding="utf-8"))


def is_synthetic(frame: pd.DataFrame) -> bool:
    """True when any row comes from synthetic demo data (reports must then say so)."""
    return bool(frame["source"].str.contains(SYNTHETIC_MARK, case=False, regex=False).any())


@lru_cache(maxsize=4)
def _published(path: str, mtime_ns: int, threshold: int):
    from evalkit.analysis import disclosure

    return disclosure.suppress_tidy(_load_tidy(path, mtime_ns), threshold=threshold)


def published_tidy(threshold: int = 5, path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy table as it may be published: small counts suppressed (primary and secondary).

    Returns ``(tidy, log)``; hidden cells have value NaN and status ``x``, and the log says
    where and why. Reports read this, never the unsuppressed table.
    """
    path = _require(path or processed_dir() / "indicators.parquet")
    tidy, log = _published(str(path), path.stat().st_mtime_ns, threshold)
    return tidy.copy(), log.copy()
