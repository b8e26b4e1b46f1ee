"""What a step's output depends on, as hashes: files, evalkit code (import closures), raw inputs.

One change detector shared by the report cache (:mod:`evalkit.build.cache`), the build's warm
template (:mod:`evalkit.build.warm`, :mod:`evalkit.build.isolate`), the results stamp and the
clean stamp (:mod:`evalkit.stamp`) and the results check (:mod:`evalkit.results`), so that "what
counts as a change" and "what a piece of code imports" are decided in one place: one import
scanner (:func:`imports`, also for notebooks: :func:`notebook_imports`), one file hasher
(:func:`hash_files`) and one cheap stat-based check (:func:`file_stats`). Standard library only:
`make report` calls it before anything heavy is imported, and a step that has nothing to do must
finish in a fraction of a second.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from evalkit.paths import raw_dir, sources_listing


def hash_files(paths: list[Path], root: Path) -> str:
    """SHA-256 over the names (relative to ``root``) and bytes of ``paths``, in sorted order."""
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
    """The folder of the evalkit package whose code is hashed."""
    return Path(str(resources.files("evalkit")))


def package_files(suffix: str | None = None) -> list[Path]:
    """Every file of the evalkit package (sorted; no byte code), or only those ending in ``suffix``."""
    root = package_root()
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix != ".pyc" and (suffix is None or p.name.endswith(suffix)))


def _module_file(name: str, root: Path) -> Path | None:
    parts = name.split(".")
    if parts[0] != "evalkit":
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports(tree: ast.AST, package: str) -> list[str]:
    """Every module name an ``import`` in ``tree`` can load (also ``from a import b`` as ``a.b``);
    ``package``: the package ``tree`` belongs to, for relative imports ("" outside a package).

    The one import scanner of evalkit: code hashes, the warm template's imports and the test of
    the import rules (nothing outside ``build/`` imports ``build/``) all read imports with it."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level and not package:
                continue  # a relative import outside a package (a notebook) loads nothing
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def notebook_code(notebook: Path) -> list[str]:
    """The Python source of each code cell of ``notebook``, without IPython magics and shell lines
    (``%…``, ``!…``), which are not Python; an unreadable notebook has none."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    out = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            text = "".join(cell.get("source", []))
            out.append("\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))))
    return out


def notebook_imports(notebooks) -> list[str]:
    """Module names the code cells of ``notebooks`` import, in order of first appearance (every
    module, not only evalkit's: the warm template imports them all before any report runs)."""
    names: list[str] = []
    for notebook in notebooks:
        for source in notebook_code(notebook):
            try:
                tree = ast.parse(source)
            except SyntaxError:  # the kernel reports it when the cell runs; nothing to scan here
                continue
            names += imports(tree, "")
    return list(dict.fromkeys(names))


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
    _save_import_cache()
    return sorted(seen)


@lru_cache(maxsize=512)
def _module_imports(path: Path, package: str, size: int, mtime_ns: int) -> tuple[str, ...]:
    """The imports of one source file, parsed once per version of the file (the closures of the
    notebooks and of the shared results overlap in most modules).

    Parsing all of evalkit's source took half of a no-op `evalkit build` (issue 29), so the answer
    is also kept on disk (:func:`_import_cache`), keyed by the file's content hash and package:
    reading and hashing the bytes costs a few milliseconds, and a file changed in any way is
    parsed again."""
    source = path.read_bytes()
    key = f"{package}:{hashlib.sha256(source).hexdigest()}"
    cache = _import_cache()
    if key in cache:
        return tuple(cache[key])
    try:
        found = tuple(imports(ast.parse(source.decode("utf-8")), package))
    except SyntaxError:
        found = ()
    cache[key] = list(found)
    _IMPORT_CACHE_DIRTY.append(key)
    return found


#: On-disk cache of :func:`_module_imports`: next to Python's own byte code (git-ignored,
#: rebuilt by any run that finds it missing, stale or unwritable).
IMPORT_CACHE = Path("__pycache__") / "evalkit-imports.json"
#: Cache entries at most (the oldest go first); a few versions of every module.
IMPORT_CACHE_SIZE = 2000
_IMPORT_CACHE_DIRTY: list[str] = []


@lru_cache(maxsize=1)
def _import_cache() -> dict[str, list[str]]:
    """The on-disk import cache of this package, read once per process (empty if unreadable)."""
    try:
        loaded = json.loads((package_root() / IMPORT_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _save_import_cache() -> None:
    """Write the import cache back when this process parsed something new (atomically: builds and
    test workers run at once; a cache that cannot be written is only slower, never wrong)."""
    if not _IMPORT_CACHE_DIRTY:
        return
    _IMPORT_CACHE_DIRTY.clear()
    cache = _import_cache()
    keep = dict(list(cache.items())[-IMPORT_CACHE_SIZE:])
    path = package_root() / IMPORT_CACHE
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        tmp.write_text(json.dumps(keep), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def code_hash(modules: list[str], exclude: tuple[str, ...] = ()) -> str:
    """Hash of the evalkit code importing ``modules`` can run; ``exclude`` lists package-relative
    paths (a file, or a folder ending in ``/``) that only check freshness and compute nothing."""
    root = package_root()
    files = []
    for path in import_closure(modules):
        rel = path.relative_to(root).as_posix()
        if not any(rel == e or (e.endswith("/") and rel.startswith(e)) for e in exclude):
            files.append(path)
    return hash_files(files, root)


def source_paths() -> set[Path]:
    """Raw files the clean step reads (their content reaches reports through data/processed)."""
    try:
        _header, rows = sources_listing()
    except FileNotFoundError:
        return set()
    return {(raw_dir() / row["path"]).resolve() for row in rows if row.get("path")}


def raw_files() -> list[Path]:
    """Every file under data/raw except the READMEs (prose: editing it changes no number)."""
    raw = raw_dir()
    if not raw.is_dir():
        return []
    return [p for p in raw.rglob("*") if p.is_file() and p.name != "README.md"]


def reference_files() -> list[Path]:
    """Raw files read while reports run (geography, programme goals, geometries, …): all of
    data/raw except the sources the clean step turns into processed tables."""
    sources = source_paths()
    return [p for p in raw_files() if p.resolve() not in sources]
