"""Provenance shown on every page: version, commit, inputs with hashes, parameters, build date.

The build date never comes from the wall clock: ``SOURCE_DATE_EPOCH`` if set, else the date of
the current git commit, so that the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from functools import lru_cache

import evalkit
from evalkit.fingerprint import package_root
from evalkit.paths import processed_dir

# Here, not in evalkit.build.datapackage (which imports this module for the commit it records):
# every page's provenance links to the package.
#: Folder of the data package inside the site, and its descriptor.
FOLDER = "data"
DESCRIPTOR = "datapackage.json"
#: Link from a page in ``site/`` to the descriptor (relative: works offline from the folder).
HREF = f"{FOLDER}/{DESCRIPTOR}"


def _git(*args: str) -> str:
    # Asked where the evalkit code lives, not in the project root: the commit names the code that
    # built the page (the data are named by their hashes), also when EVALKIT_ROOT points at
    # another data folder, such as the tests' temporary copy.
    try:
        out = subprocess.run(["git", *args], cwd=package_root(), capture_output=True, text=True, timeout=10, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


@lru_cache(maxsize=1)
def git_commit() -> str:
    """Short commit of the project, or ``okänd`` outside a git checkout."""
    return _git("rev-parse", "--short=12", "HEAD") or "okänd"


@lru_cache(maxsize=1)
def full_commit() -> str:
    """Full commit of the project (the data package records it), or ``okänd`` outside git."""
    return _git("rev-parse", "HEAD") or "okänd"


@lru_cache(maxsize=1)
def build_date() -> str:
    """ISO date from ``SOURCE_DATE_EPOCH`` or the commit date (deterministic)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git("log", "-1", "--format=%ct")
    if not epoch:
        return "okänt"
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()


def inputs() -> list[dict]:
    """Input files as recorded by `evalkit clean` (path, sha256, synthetic flag)."""
    # Read directly (not through evalkit.data, which imports pandas): the coordinator stays light.
    path = processed_dir() / "clean_report.json"
    if not path.exists():
        from evalkit import data

        data.clean_report()  # raises ProcessedDataMissing with the usual message
    report = json.loads(path.read_text(encoding="utf-8"))
    return [
        {"path": f"data/raw/{s['path']}", "sha256": s["sha256"], "synthetic": "demo" in s["path"]}
        for s in report["sources"]
    ]


def provenance(parameters: dict) -> dict:
    """Everything the provenance block shows for one report."""
    return {
        "version": evalkit.__version__,
        "commit": git_commit(),
        "parameters": parameters,
        "build_date": build_date(),
        "inputs": inputs(),
        # Relative, so that it works offline from the site folder (evalkit.build.datapackage).
        "data_package": HREF,
    }
