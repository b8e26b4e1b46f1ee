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

import ast
import csv
import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from evalkit.paths import processed_dir, project_root, raw_dir



def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def file_stats(paths) -> tuple:
    """(path, size, mtime) of each file, (path,) when absent: cheap change detection for caches
    that live as long as a process (the build template, results checks)."""
    out = []
    for path in paths:
        try:
            st = Path(path).stat()
        except OSError:
            out.append((str(path),))
            continue
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def package_root() -> Path:
    return Path(str(resources.files("evalkit")))


def _module_file(name: str, root: Path) -> Path | None:
    parts = name.split(".")
    if parts[0] != "evalkit":
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST, package: str) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def _notebook_sources(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    out = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            text = "".join(cell.get("source", []))
            out.append("\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))))
    return out


def module_closure(notebook: Path) -> list[Path]:
    """evalkit source files a notebook can execute: its import closure (static), package and build code."""
    root = package_root()
    todo = []
    for source in _notebook_sources(notebook):
        try:
            todo += _imports(ast.parse(source), "")
        except SyntaxError:
            continue
    files = set(import_closure(todo)) | {root / "__init__.py"}
    files |= {p for p in (root / "build").rglob("*.py")}
    files |= {p for p in (root / "templates").rglob("*") if p.is_file()}
    return sorted(p for p in files if "__pycache__" not in p.parts)


def import_closure(modules: list[str]) -> list[Path]:
    """evalkit source files that importing ``modules`` can run (static, transitive, incl. imports
    inside functions)."""
    root = package_root()
    todo = list(modules)
    seen: dict[Path, None] = {}
    while todo:
        name = todo.pop()
        parts = name.split(".")
        # importing a.b.c runs a/__init__, a/b/__init__ and a/b/c
        for i in range(1, len(parts) + 1):
            path = _module_file(".".join(parts[:i]), root)
            if path is None or path in seen:
                continue
            seen[path] = None
            package = ".".join(parts[:i]) if path.name == "__init__.py" else ".".join(parts[: i - 1])
            st = path.stat()
            todo += _module_imports(path, package, st.st_size, st.st_mtime_ns)
    return sorted(seen)


@lru_cache(maxsize=512)
def _module_imports(path: Path, package: str, size: int, mtime_ns: int) -> tuple[str, ...]:
    """The imports of one source file, parsed once per version of the file (the closures of the
    notebooks and of the shared results overlap in most modules)."""
    try:
        return tuple(_imports(ast.parse(path.read_text(encoding="utf-8")), package))
    except SyntaxError:
        return ()


@lru_cache(maxsize=8)
def package_hash(notebook: Path | None = None) -> str:
    """Hash of the evalkit source a notebook can reach (all of evalkit when ``notebook`` is None)."""
    root = package_root()
    if notebook is None:
        files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    else:
        files = module_closure(notebook)
    return _hash_files(files, root)


def _source_paths() -> set[Path]:
    """Raw files the clean step reads (their content reaches reports through data/processed)."""
    listing = raw_dir() / "sources.csv"
    if not listing.exists():
        return set()
    with listing.open(encoding="utf-8", newline="") as handle:
        return {(raw_dir() / row["path"]).resolve() for row in csv.DictReader(handle) if row.get("path")}


def reference_files() -> list[Path]:
    """Raw files read while reports run (geography, programme goals, geometries, …): all of
    data/raw except the sources the clean step turns into processed tables."""
    sources = _source_paths()
    raw = raw_dir()
    if not raw.is_dir():
        return []
    return [p for p in raw.rglob("*") if p.is_file() and p.resolve() not in sources and p.name != "README.md"]


def processed_files() -> list[Path]:
    """Everything `evalkit clean` and `evalkit analyse` wrote: the indicator tables (also the
    published, suppressed one), schools, surveys, projects, the effect, rank and goal-status
    tables. All of it, not a list of names, so that no table a report reads can be missed."""
    folder = processed_dir()
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def inputs_hash() -> str:
    """Hash of the processed tables, the raw reference tables the notebooks read, and the lock."""
    files = processed_files()
    lock = project_root() / "requirements.lock"
    extra = [lock] if lock.exists() else []
    return (_hash_files([f for f in files if f.exists()], processed_dir())
            + _hash_files(reference_files(), raw_dir())
            + _hash_files(extra, project_root()))


def job_key(notebook: Path, parameters: dict, shared: str) -> str:
    """Cache key of one report given the shared part (inputs; the notebook's code closure is added here)."""
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode())
    digest.update(package_hash(notebook).encode())
    digest.update(shared.encode())
    return digest.hexdigest()


def stored_key(out_dir: Path, slug: str) -> str:
    """The key of the last successful build of ``slug`` (empty if none)."""
    path = out_dir / ".cache" / f"{slug}.key"
    return path.read_text().strip() if path.exists() else ""


def store_key(out_dir: Path, slug: str, key: str) -> None:
    """Record the key after a successful build (atomically)."""
    from evalkit.build.execute import atomic_write

    atomic_write(out_dir / ".cache" / f"{slug}.key", key + "\n")
