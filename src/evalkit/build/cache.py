"""Incremental builds: a report is keyed by everything its output depends on.

Key = hash of the notebook, its parameters, the evalkit package source (code and templates),
the processed inputs it reads and the dependency lock. Unlike jupyter-cache or Quarto's freeze,
which hash only the notebook, a change in data, parameters or library code changes the key.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from evalkit.paths import processed_dir, project_root

PROCESSED_INPUTS = ("indicators.parquet", "clean_report.json")


def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def package_hash() -> str:
    """Hash of evalkit's own source and templates."""
    root = Path(str(resources.files("evalkit")))
    files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    return _hash_files(files, root)


def inputs_hash() -> str:
    """Hash of the processed tables the notebooks read, plus the dependency lock."""
    files = [processed_dir() / name for name in PROCESSED_INPUTS]
    lock = project_root() / "requirements.lock"
    extra = [lock] if lock.exists() else []
    return _hash_files([f for f in files if f.exists()], processed_dir()) + _hash_files(extra, project_root())


def job_key(notebook: Path, parameters: dict, shared: str) -> str:
    """Cache key of one report given the shared part (package + inputs)."""
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode())
    digest.update(shared.encode())
    return digest.hexdigest()


def stored_key(out_dir: Path, slug: str) -> str:
    """The key of the last successful build of ``slug`` (empty if none)."""
    path = out_dir / ".cache" / f"{slug}.key"
    return path.read_text().strip() if path.exists() else ""


def store_key(out_dir: Path, slug: str, key: str) -> None:
    """Record the key after a successful build."""
    path = out_dir / ".cache" / f"{slug}.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
