"""Load what `evalkit clean` wrote to data/processed (the notebooks' only data access)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from evalkit import origin
from evalkit.fingerprint import file_stats
from evalkit.paths import processed_dir
from evalkit.programme import DISCLOSURE_THRESHOLD  # re-exported: counts below it are never published


class ProcessedDataMissing(FileNotFoundError):
    """The processed tables are missing: run `evalkit clean` first."""


def _require(path: Path) -> Path:
    if not path.exists():
        raise ProcessedDataMissing(f"{path} saknas – kör `evalkit clean` (eller `make report`) först")
    return path


@lru_cache(maxsize=4)
def _load_tidy(stats: tuple) -> pd.DataFrame:
    (path, *_), = stats
    return pd.read_parquet(path)


def tidy(path: Path | None = None) -> pd.DataFrame:
    """The tidy indicator table (one row per area × indicator × year)."""
    path = _require(path or processed_dir() / "indicators.parquet")
    # Keyed on size and mtime (fingerprint.file_stats, as the published table) so that a rebuilt
    # table is re-read by a long-lived process.
    return _load_tidy(file_stats([path])).copy()


def clean_report(path: Path | None = None) -> dict:
    """The clean step's report: per-source counts and input file hashes."""
    path = _require(path or processed_dir() / "clean_report.json")
    return json.loads(path.read_text(encoding="utf-8"))


def is_synthetic(frame: pd.DataFrame) -> bool:
    """True when any row comes from synthetic demo data (reports must then say so): its
    ``origin`` (from sources.csv; tables without the column: the source text)."""
    return bool((origin.column(frame) == origin.DEMO).any())


PUBLISHED_TABLE = "indicators_published.parquet"
SUPPRESSION_LOG = "suppression_log.parquet"


AUDIT_REPORT = "disclosure_audit.json"


def write_published(out: Path, threshold: int = DISCLOSURE_THRESHOLD) -> dict:
    """Apply disclosure control once per data version and write what reports may show.

    Writes ``indicators_published.parquet`` (hidden cells: value NaN, status ``x``),
    ``suppression_log.parquet`` (where and why) and ``disclosure_audit.json`` (the intruder's
    audit figures); raises :class:`evalkit.analysis.disclosure.DisclosureBreach` — and writes
    nothing publishable — when the audit finds a hidden number that can be worked out.
    Returns the audit figures.
    """
    from evalkit.analysis import disclosure, intruder

    for name in (PUBLISHED_TABLE, SUPPRESSION_LOG, AUDIT_REPORT):
        (out / name).unlink(missing_ok=True)
    # protected jointly with the earlier publications an intruder holds (recorded by `evalkit publish`)
    # unchanged indicator-year blocks are read back from the cache (same result as solving them)
    result = disclosure.publish(pd.read_parquet(out / "indicators.parquet"), threshold=threshold,
                                history=intruder.load_history(), cache=out / "disclosure_cache")
    result.frame.to_parquet(out / PUBLISHED_TABLE, index=False)
    result.log.to_parquet(out / SUPPRESSION_LOG, index=False)
    figures = result.audit.figures()
    figures["log_rows"] = {k: int(n) for k, n in result.log["kind"].value_counts().sort_index().items()}
    (out / AUDIT_REPORT).write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return figures


def disclosure_audit() -> dict:
    """The figures of the last intruder's audit (written by `evalkit clean`)."""
    return json.loads(_require(processed_dir() / AUDIT_REPORT).read_text(encoding="utf-8"))


def published_version() -> tuple:
    """The version of the published table and its log: their paths, sizes and mtimes
    (:func:`evalkit.fingerprint.file_stats`), the key of what is computed once from them."""
    folder = processed_dir()
    return file_stats((_require(folder / PUBLISHED_TABLE), _require(folder / SUPPRESSION_LOG)))


def _published_default() -> tuple[pd.DataFrame, pd.DataFrame]:
    # Read once per process and version of the files (keyed on size and mtime, fingerprint.file_stats):
    # the build's warm template reads them once for every report, a long-lived process sees a rewrite.
    return _load_published(published_version())


@lru_cache(maxsize=2)
def _load_published(stats: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    (table, *_), (log, *_) = stats
    return pd.read_parquet(table), pd.read_parquet(log)


def published_tidy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy table as it may be published, and the suppression log (written by `evalkit clean`).

    Small counts are suppressed (threshold 5, primary and secondary, see
    :mod:`evalkit.analysis.disclosure`): hidden cells have value NaN and status ``x``. Reports read
    this, never the unsuppressed table.
    """
    tidy, log = _published_default()
    return tidy.copy(), log.copy()


def _input_table(name: str) -> pd.DataFrame:
    return pd.read_parquet(_require(processed_dir() / name))


@lru_cache(maxsize=1)
def schools() -> pd.DataFrame:
    """School results per school × year × grade × measure × group (from `evalkit clean`)."""
    return _input_table("schools.parquet")


@lru_cache(maxsize=1)
def surveys() -> pd.DataFrame:
    """Survey shares per area × year × question with respondents (from `evalkit clean`)."""
    return _input_table("surveys.parquet")


@lru_cache(maxsize=1)
def projects() -> pd.DataFrame:
    """The project register of ytterstadsmedel (from `evalkit clean`)."""
    return _input_table("projects.parquet")


@lru_cache(maxsize=1)
def project_frames() -> pd.DataFrame:
    """The document's money frames for ytterstadsmedel (from `evalkit clean`)."""
    return _input_table("project_frames.parquet")


@lru_cache(maxsize=1)
def published_index() -> pd.DataFrame:
    """Index domain scores and total for all areas and years, from the published table."""
    from evalkit.analysis import index as risk_index

    return risk_index.index_table(_published_default()[0])


@lru_cache(maxsize=1)
def published_index_fixed() -> pd.DataFrame:
    """As :func:`published_index` with a fixed reference: the city in the programme's baseline
    (``index.DEFAULT_BASE_YEAR``, 2014) = 100 every year, so that years can be compared (with the
    moving reference the city is 100 each year, which shows position, not change)."""
    from evalkit.analysis import index as risk_index

    return risk_index.index_table(_published_default()[0], reference="fixed",
                                  base_year=risk_index.DEFAULT_BASE_YEAR)
