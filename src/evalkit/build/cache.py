"""Incremental builds: a report is keyed by everything its output depends on.

Key = hash of the notebook, its parameters, the evalkit source the notebook can reach, the
templates, the processed inputs, the raw reference tables read at report time and the
dependency lock. Unlike jupyter-cache or Quarto's freeze, which hash only the notebook, a
change in data, parameters or library code changes the key.

Library code: only the evalkit modules in the notebook's import closure count (found statically:
the notebook's ``import`` statements, then every ``import`` inside those modules, including
imports inside functions, transitively), plus ``evalkit/__init__.py``, the whole build package
(engine, export) and the templates. Editing, say, ``evalkit/io`` or ``evalkit/clean.py`` therefore
does not rebuild reports; the data the clean step writes is hashed separately.

Data: every district report shows the programme areas, the rest of the city and the whole city,
which are sums over all stadsdelar, so a change in any stadsdel's processed data changes what
every report shows; the processed table is therefore hashed as a whole.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

# What counts as a change is decided in one place, shared with the clean and results stamps.
from evalkit import fingerprint
from evalkit.paths import processed_dir, project_root, raw_dir
from evalkit.stamp import CLEAN_STAMP


def module_closure(notebook: Path) -> list[Path]:
    """evalkit source files a notebook can execute: its import closure (static), package and build code."""
    root = fingerprint.package_root()
    files = set(fingerprint.import_closure(fingerprint.notebook_imports([notebook]))) | {root / "__init__.py"}
    files |= {p for p in (root / "build").rglob("*.py")}
    files |= {p for p in (root / "templates").rglob("*") if p.is_file()}
    return sorted(p for p in files if "__pycache__" not in p.parts)


@lru_cache(maxsize=8)
def package_hash(notebook: Path | None = None) -> str:
    """Hash of the evalkit source a notebook can reach (all of evalkit when ``notebook`` is None)."""
    files = fingerprint.package_files() if notebook is None else module_closure(notebook)
    return fingerprint.hash_files(files, fingerprint.package_root())


def processed_files() -> list[Path]:
    """Everything `evalkit clean` and `evalkit analyse` wrote: the indicator tables (also the
    published, suppressed one), schools, surveys, projects, the effect, rank and goal-status
    tables. All of it, not a list of names, so that no table a report reads can be missed.
    Not the clean step's stamp: it changes with the clean code, which changes no report unless
    the tables it writes change (and those are hashed here)."""
    folder = processed_dir()
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob("*") if p.is_file() and p != folder / CLEAN_STAMP]


def inputs_hash() -> str:
    """Hash of the processed tables, the raw reference tables the notebooks read, and the lock."""
    files = processed_files()
    lock = project_root() / "requirements.lock"
    extra = [lock] if lock.exists() else []
    return (fingerprint.hash_files([f for f in files if f.exists()], processed_dir())
            + fingerprint.hash_files(fingerprint.reference_files(), raw_dir())
            + fingerprint.hash_files(extra, project_root()))


def job_key(notebook: Path, parameters: dict, shared: str) -> str:
    """Cache key of one report given the shared part (inputs; the notebook's code closure is added here)."""
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode())
    digest.update(package_hash(notebook).encode())
    digest.update(shared.encode())
    return digest.hexdigest()


#: The variable that tells a report where drawn charts are kept (``evalkit.present.charts.CACHE_ENV``;
#: named here too because build/ is where change detection lives and present/ may not import it).
CHART_ENV = "EVALKIT_CHART_CACHE"


def chart_folder(out_dir: Path, shared: str, force: bool = False) -> Path:
    """The folder of charts drawn for this version of the inputs (``shared``, :func:`inputs_hash`).

    Charts are content-addressed inside it (the chart's data, words and drawing code,
    ``evalkit.present.charts.reuse``), so a chart that several pages or builds show is drawn once.
    Folders of other input versions are removed; ``force`` (``--force``: redo everything) empties
    this one too, so that a forced build draws every chart again.
    """
    import shutil

    root = out_dir / ".cache" / "charts"
    folder = root / hashlib.sha256(shared.encode()).hexdigest()[:16]
    if root.is_dir():
        for old in root.iterdir():
            if old != folder or force:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_key(out_dir: Path, slug: str) -> str:
    """The key of the last successful build of ``slug`` (empty if none)."""
    path = out_dir / ".cache" / f"{slug}.key"
    return path.read_text().strip() if path.exists() else ""


def store_key(out_dir: Path, slug: str, key: str) -> None:
    """Record the key after a successful build (atomically)."""
    from evalkit.build.output import atomic_write

    atomic_write(out_dir / ".cache" / f"{slug}.key", key + "\n")
