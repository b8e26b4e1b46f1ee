"""Where the project's data lives.

Everything is resolved from the project root so that library code, notebooks (which papermill
runs with the notebook's folder as working directory) and tests agree. ``EVALKIT_ROOT``
overrides the root, e.g. to run against another data folder. ``sources.csv``, the list of every
input, is found and parsed here (:func:`sources_listing`), once for the whole package.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path


def project_root() -> Path:
    """Return the project root: ``$EVALKIT_ROOT`` or the folder above ``src/`` holding ``data/raw``."""
    env = os.environ.get("EVALKIT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "data" / "raw").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    # Installed non-editable: fall back to the working directory.
    return Path.cwd().resolve()


def raw_dir() -> Path:
    """Immutable inputs, as published."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """Derived tables written by ``evalkit clean`` (never edited by hand)."""
    return project_root() / "data" / "processed"


def reports_dir() -> Path:
    """Build outputs; ``reports/site`` is the publishable folder."""
    return project_root() / "reports"


def sources_file(raw: Path | None = None) -> Path:
    """Where ``sources.csv`` is (``raw`` overrides ``data/raw``): read it with :func:`sources_listing`."""
    return (raw if raw is not None else raw_dir()) / "sources.csv"


def sources_listing(raw: Path | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """``sources.csv`` (the list of every input `evalkit clean` reads) as its header and its rows,
    every cell a string (``""`` when blank or missing). The one reader of that file: the clean step
    (:func:`evalkit.clean.listing`), change detection (:func:`evalkit.fingerprint.source_paths`),
    the data package and `evalkit fetch` all ask here. Standard library only, because change
    detection must stay cheap; it lives on the ground floor because change detection may use
    nothing of evalkit above it. ``raw`` overrides ``data/raw``; a missing file raises
    ``FileNotFoundError``.
    """
    return text_rows(sources_file(raw))


def text_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A small CSV file as its header and its rows, every cell a string (``""`` when blank or
    missing; cells beyond the header dropped), with the standard library only: for the readers
    that must not import pandas (:func:`sources_listing`, and the registries a no-op build lists
    its pages from, :func:`evalkit.geography.plain_area`)."""
    # utf-8-sig: a file saved by Excel starts with a byte order mark, which is no part of the first name.
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, restval="")
        rows = [{k: v for k, v in row.items() if k is not None} for row in reader]
        return list(reader.fieldnames or []), rows
