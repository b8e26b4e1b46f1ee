"""Where the project's data lives.

Everything is resolved from the project root so that library code, notebooks (which papermill
runs with the notebook's folder as working directory) and tests agree. ``EVALKIT_ROOT``
overrides the root, e.g. to run against another data folder.
"""

from __future__ import annotations

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
